// Sources and a sink for driving the Playout with a fake clock: solid frames whose luma names
// their source, and a sink that keeps every tick; and an engine that stands in for a whole show.
import type { ShowEngine } from '../../src/app/show-engine.ts';
import { createLogger } from '../../src/core/logger.ts';
import { createReferenceKernels } from '../../src/engine/compositor/index.ts';
import {
  Playout,
  type PlayoutOptions,
  type PlayoutSources,
  type ProgramSink,
} from '../../src/engine/playout.ts';
import { formatKey, type ProgramFormat } from '../../src/engine/program-clock.ts';
import { compileTimeline, sourceKey, type VideoSource } from '../../src/timeline/resolver.ts';
import type { Timeline } from '../../src/timeline/schema.ts';
import { FakeClock } from './fake-clock.ts';

/** A solid yuv420p frame whose Y value names its source. */
export function solidFrame(width: number, height: number, y: number): Uint8Array {
  const frame = new Uint8Array((width * height * 3) / 2).fill(128);
  frame.fill(y, 0, width * height);
  return frame;
}

export class FakeSources implements PlayoutSources {
  readonly wanted: string[][] = [];
  readonly frames = new Map<string, { frame: Uint8Array; at: number; audioByte: number }>();
  constructor(
    private readonly clock: FakeClock,
    private readonly width: number,
    private readonly height: number,
  ) {}
  put(key: string, y: number, audioByte = 0): void {
    this.frames.set(key, { frame: solidFrame(this.width, this.height, y), at: this.clock.now(), audioByte });
  }
  reconcile(wanted: Iterable<VideoSource>, _formats: readonly ProgramFormat[]): void {
    this.wanted.push([...wanted].map(sourceKey));
  }
  get(key: string, _format?: ProgramFormat) {
    const entry = this.frames.get(key);
    if (!entry) return undefined;
    return {
      frame: (maxAgeMs: number) => (this.clock.now() - entry.at <= maxAgeMs ? entry.frame : null),
      frameAgeMs: () => this.clock.now() - entry.at,
      readAudio: (out: Buffer) => {
        out.fill(entry.audioByte);
        return true;
      },
      discardAudio: () => undefined,
    };
  }
}

/** Keeps every tick written: its frame (one format), its PCM and where that PCM starts. */
export class CaptureSink implements ProgramSink {
  readonly video: Buffer[] = [];
  readonly audio: Buffer[] = [];
  readonly ticks: number[] = [];
  readonly firstSamples: number[] = [];
  readonly currentFormat: ProgramFormat;
  constructor(width: number, height: number) {
    this.currentFormat = { width, height, decimation: 1 };
  }
  tickEvery(): number {
    return 1;
  }
  formatsFor(): ProgramFormat[] {
    return [this.currentFormat];
  }
  writeTick(tick: number, frames: ReadonlyMap<string, Uint8Array>, pcm: Buffer, firstSample: number): void {
    this.video.push(Buffer.from(frames.get(formatKey(this.currentFormat))!)); // the playout reuses it
    this.audio.push(pcm);
    this.ticks.push(tick);
    this.firstSamples.push(firstSample);
  }
}

/** A show engine that runs until stopped and reports nothing (show control tests that only need
 *  a show on air). */
export class IdleShowEngine implements ShowEngine {
  start(): void {}
  async stop(): Promise<void> {}
  status() {
    return {
      frame: 0,
      playout: { ticks: 0, lateTicks: 0, maxLatenessMs: 0, substitutedFrames: 0 },
      encoder: { restarts: 0, framesDropped: 0 },
      outputs: [],
    };
  }
}

/** A Playout over fake sources and a capturing sink, `size` px square, on a fake clock. */
export function fakePlayout(
  timeline: Timeline,
  options: { size?: number; audio?: PlayoutOptions['audio'] } = {},
): { clock: FakeClock; sources: FakeSources; sink: CaptureSink; playout: Playout } {
  const size = options.size ?? 16;
  const clock = new FakeClock();
  const sources = new FakeSources(clock, size, size);
  const sink = new CaptureSink(size, size);
  const playout = new Playout({
    timeline: compileTimeline(timeline),
    clock,
    kernels: createReferenceKernels(),
    pool: sources,
    overlays: null,
    sink,
    logger: createLogger('test'),
    prerollMs: 0,
    ...(options.audio ? { audio: options.audio } : {}),
  });
  return { clock, sources, sink, playout };
}
