// Keeps exactly the decoders the show needs running: started ahead of their cue (pre-roll from the
// resolver's lookahead), kept a little after their last use, then stopped. One decoder per source
// and program format: while degraded mode moves the program to another size or frame rate, the
// sources are decoded in both until the new encoder run is on air, then the old ones go.
import type { SpawnSpec } from '../../process/supervisor.ts';
import { sourceKey, type VideoSource } from '../../timeline/resolver.ts';
import { formatKey, formatFps, type ProgramFormat } from '../program-clock.ts';
import {
  DecodedSource,
  type DecodedSourceOptions,
  type DecoderExit,
  type SourceHealth,
} from './decoded-source.ts';
import { StillSource } from './still-source.ts';

export interface SourceSpec {
  /** A function is re-evaluated before every (re)start. */
  spawn: SpawnSpec | (() => SpawnSpec);
  /** One picture, kept (the slate): `spawn` makes exactly one raw frame and exits. */
  still?: boolean;
  /** Sees how each run ended (e.g. to drop audio for a camera that has none). */
  onExit?: (exit: DecoderExit) => void;
  /** Safe to log (no URL). */
  description: string;
  startupTimeoutMs?: number;
  stallTimeoutMs?: number;
  reconnectIntervalMs?: number;
}

/** How to decode a source at a size and frame rate; null when it cannot be (e.g. black, or a
 *  camera not configured). */
export type SourceFactory = (
  source: VideoSource,
  target: { width: number; height: number; fps: number },
) => SourceSpec | null;

/** What every source of the pool shares: clock, logger, frame buffers. */
export interface SourcePoolOptions extends Pick<DecodedSourceOptions, 'clock' | 'logger'> {
  factory: SourceFactory;
  /** The timeline's frame rate (a format's rate is this over its decimation). */
  fps: number;
  allocFrame: (width: number, height: number) => Uint8Array;
  freeFrame?: (frame: Uint8Array) => void;
  /** A source no longer needed is stopped after this long (avoids churn on short gaps). */
  lingerMs?: number;
}

export class SourcePool {
  private readonly sources = new Map<string, { source: DecodedSource | StillSource; lastWanted: number }>();
  private readonly unavailable = new Set<string>();
  private readonly lingerMs: number;

  constructor(private readonly options: SourcePoolOptions) {
    this.lingerMs = options.lingerMs ?? 10_000;
  }

  /** Starts every wanted source not yet running in each format; stops those unwanted for longer
   *  than the linger time. */
  reconcile(wanted: Iterable<VideoSource>, formats: readonly ProgramFormat[]): void {
    const now = this.options.clock.now();
    const sources = [...wanted];
    for (const format of formats) for (const source of sources) this.want(source, format, now);
    for (const [key, entry] of this.sources) {
      if (now - entry.lastWanted > this.lingerMs) {
        this.sources.delete(key);
        this.options.logger.info({ source: key }, 'stopping decoder (not needed soon)');
        void entry.source.stop();
      }
    }
  }

  private want(source: VideoSource, format: ProgramFormat, now: number): void {
    const name = sourceKey(source);
    const key = poolKey(name, format);
    const entry = this.sources.get(key);
    if (entry) {
      entry.lastWanted = now;
      return;
    }
    const { width, height } = format;
    const spec = this.options.factory(source, { width, height, fps: formatFps(format, this.options.fps) });
    if (!spec) {
      if (!this.unavailable.has(name) && source.kind !== 'black') {
        this.unavailable.add(name);
        this.options.logger.warn(
          { source: name },
          'source cannot be decoded (not configured); the slate stands in',
        );
      }
      return;
    }
    const common = {
      key: name,
      description: `${spec.description} ${formatKey(format)}`,
      width,
      height,
      clock: this.options.clock,
      logger: this.options.logger,
      allocFrame: () => this.options.allocFrame(width, height),
      ...(this.options.freeFrame ? { freeFrame: this.options.freeFrame } : {}),
    };
    if (spec.still === true) {
      const still = new StillSource({
        ...common,
        spawn: typeof spec.spawn === 'function' ? spec.spawn() : spec.spawn,
      });
      this.sources.set(key, { source: still, lastWanted: now });
      still.start();
      return;
    }
    const decoded = new DecodedSource({
      ...common,
      spawn: spec.spawn,
      ...(spec.startupTimeoutMs !== undefined ? { startupTimeoutMs: spec.startupTimeoutMs } : {}),
      ...(spec.stallTimeoutMs !== undefined ? { stallTimeoutMs: spec.stallTimeoutMs } : {}),
      ...(spec.reconnectIntervalMs !== undefined ? { reconnectIntervalMs: spec.reconnectIntervalMs } : {}),
      ...(spec.onExit ? { onExit: spec.onExit } : {}),
    });
    this.sources.set(key, { source: decoded, lastWanted: now });
    this.options.logger.info({ source: key }, 'starting decoder');
    decoded.start();
  }

  /** Stops a source in every format now (its settings changed): the next reconcile starts it anew. */
  drop(name: string): void {
    for (const [key, entry] of this.sources) {
      if (!key.startsWith(`${name}@`)) continue;
      this.sources.delete(key);
      this.options.logger.info({ source: key }, 'stopping decoder (its settings changed)');
      void entry.source.stop();
    }
    this.unavailable.delete(name);
  }

  get(key: string, format: ProgramFormat): DecodedSource | StillSource | undefined {
    return this.sources.get(poolKey(key, format))?.source;
  }

  health(): SourceHealth[] {
    return [...this.sources.values()].map((entry) => entry.source.health());
  }

  async stopAll(): Promise<void> {
    const all = [...this.sources.values()];
    this.sources.clear();
    await Promise.all(all.map((entry) => entry.source.stop()));
  }
}

function poolKey(source: string, format: ProgramFormat): string {
  return `${source}@${formatKey(format)}`;
}
