// Keeps exactly the decoders the show needs running: started ahead of their cue (pre-roll from the
// resolver's lookahead), kept a little after their last use, then stopped.
import type { SpawnSpec } from '../../process/supervisor.ts';
import { sourceKey, type VideoSource } from '../../timeline/resolver.ts';
import { DecodedSource, type DecodedSourceOptions, type SourceHealth } from './decoded-source.ts';

export interface SourceSpec {
  /** A function is re-evaluated before every (re)start. */
  spawn: SpawnSpec | (() => SpawnSpec);
  /** Sees how each run ended (e.g. to drop audio for a camera that has none). */
  onExit?: (stderrTail: readonly string[]) => void;
  /** Safe to log (no URL). */
  description: string;
  startupTimeoutMs?: number;
  stallTimeoutMs?: number;
  reconnectIntervalMs?: number;
}

/** How to decode a source; null when it cannot be (e.g. black, or a camera not configured). */
export type SourceFactory = (source: VideoSource) => SourceSpec | null;

/** What every source of the pool shares: program size, clock, logger, frame buffers. */
export interface SourcePoolOptions extends Pick<
  DecodedSourceOptions,
  'width' | 'height' | 'clock' | 'logger' | 'allocFrame' | 'freeFrame'
> {
  factory: SourceFactory;
  /** A source no longer needed is stopped after this long (avoids churn on short gaps). */
  lingerMs?: number;
}

export class SourcePool {
  private readonly sources = new Map<string, { source: DecodedSource; lastWanted: number }>();
  private readonly unavailable = new Set<string>();
  private readonly lingerMs: number;

  constructor(private readonly options: SourcePoolOptions) {
    this.lingerMs = options.lingerMs ?? 10_000;
  }

  /** Starts every wanted source not yet running; stops those unwanted for longer than the linger time. */
  reconcile(wanted: Iterable<VideoSource>): void {
    const now = this.options.clock.now();
    for (const source of wanted) {
      const key = sourceKey(source);
      const entry = this.sources.get(key);
      if (entry) {
        entry.lastWanted = now;
        continue;
      }
      const spec = this.options.factory(source);
      if (!spec) {
        if (!this.unavailable.has(key) && source.kind !== 'black') {
          this.unavailable.add(key);
          this.options.logger.warn(
            { source: key },
            'source cannot be decoded (not configured); the slate stands in',
          );
        }
        continue;
      }
      const decoded = new DecodedSource({
        key,
        spawn: spec.spawn,
        description: spec.description,
        width: this.options.width,
        height: this.options.height,
        clock: this.options.clock,
        logger: this.options.logger,
        allocFrame: this.options.allocFrame,
        ...(this.options.freeFrame ? { freeFrame: this.options.freeFrame } : {}),
        ...(spec.startupTimeoutMs !== undefined ? { startupTimeoutMs: spec.startupTimeoutMs } : {}),
        ...(spec.stallTimeoutMs !== undefined ? { stallTimeoutMs: spec.stallTimeoutMs } : {}),
        ...(spec.reconnectIntervalMs !== undefined ? { reconnectIntervalMs: spec.reconnectIntervalMs } : {}),
        ...(spec.onExit ? { onExit: spec.onExit } : {}),
      });
      this.sources.set(key, { source: decoded, lastWanted: now });
      this.options.logger.info({ source: key }, 'starting decoder');
      decoded.start();
    }
    for (const [key, entry] of this.sources) {
      if (now - entry.lastWanted > this.lingerMs) {
        this.sources.delete(key);
        this.options.logger.info({ source: key }, 'stopping decoder (not needed soon)');
        void entry.source.stop();
      }
    }
  }

  get(key: string): DecodedSource | undefined {
    return this.sources.get(key)?.source;
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
