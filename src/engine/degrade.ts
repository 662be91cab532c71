// Degraded mode (pure: load samples in, a level out). When the machine cannot keep up, the show
// steps down one level at a time rather than stutter or stop:
//   1 the timeline's overlays are skipped,
//   2 the bitrate drops by 20 %,
//   3 the output size drops to two thirds (e.g. 1080p → 720p).
// A level is taken when an overload has lasted a whole window; the next only after another
// whole window (the last step needs time to take effect). One level is given back after each
// recoverAfterMs without any overload.

export interface LoadSample {
  /** Clock ms. */
  at: number;
  /** Whole-machine CPU use, 0–100 (null when unknown). */
  cpuPercent: number | null;
  /** Cumulative playout counters. */
  ticks: number;
  lateTicks: number;
  /** Cumulative ticks dropped on the way into the encoder (it could not keep up). */
  droppedTicks: number;
  /** Fullest output queue, 0–100 % (a destination that cannot take the bitrate). */
  outputQueuePercent: number;
}

export interface DegradeOptions {
  /** How long an overload must last before stepping down. Default 10000. */
  windowMs?: number;
  /** Sustained CPU above this is an overload. Default 90. */
  cpuPercent?: number;
  /** More late ticks than this share of the window's ticks is an overload. Default 0.02. */
  lateShare?: number;
  /** An output queue fuller than this at the end of a window, and fuller than at its start. Default 25. */
  queuePercent?: number;
  /** Quiet time before each step back up. Default 30000. */
  recoverAfterMs?: number;
}

export const MAX_DEGRADE_LEVEL = 3;

export type Overload = 'cpu' | 'late-ticks' | 'dropped-ticks' | 'output-backlog';

export interface DegradeDecision {
  level: number;
  /** Set when this sample changed the level. */
  change: { from: number; to: number; because: Overload[] } | null;
  /** What is overloaded over the current window (empty when all is well). */
  overloads: Overload[];
}

const DEFAULTS: Required<DegradeOptions> = {
  windowMs: 10_000,
  cpuPercent: 90,
  lateShare: 0.02,
  queuePercent: 25,
  recoverAfterMs: 30_000,
};

export class DegradePolicy {
  private readonly o: Required<DegradeOptions>;
  private samples: LoadSample[] = [];
  private levelValue = 0;
  /** Start of the current quiet period (null while overloaded). */
  private quietSince: number | null = null;

  constructor(options: DegradeOptions = {}) {
    this.o = {
      ...DEFAULTS,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    };
  }

  get level(): number {
    return this.levelValue;
  }

  observe(sample: LoadSample): DegradeDecision {
    this.samples.push(sample);
    while (this.samples.length > 1 && sample.at - this.samples[1]!.at >= this.o.windowMs)
      this.samples.shift();
    const first = this.samples[0]!;
    const fullWindow = sample.at - first.at >= this.o.windowMs;
    const overloads = fullWindow ? this.overloads(first, sample) : [];

    if (overloads.length > 0) {
      this.quietSince = null;
      if (this.levelValue < MAX_DEGRADE_LEVEL) {
        const from = this.levelValue++;
        this.samples = [sample]; // judge the new level on a fresh window
        return {
          level: this.levelValue,
          change: { from, to: this.levelValue, because: overloads },
          overloads,
        };
      }
      return { level: this.levelValue, change: null, overloads };
    }
    if (this.levelValue > 0) {
      // Stable means not even a symptom: any sign of overload starts the quiet period over.
      const previous = this.samples.at(-2);
      if (previous && this.symptomatic(previous, sample)) {
        this.quietSince = null;
        return { level: this.levelValue, change: null, overloads };
      }
      this.quietSince ??= sample.at;
      if (sample.at - this.quietSince >= this.o.recoverAfterMs) {
        const from = this.levelValue--;
        this.quietSince = sample.at;
        return { level: this.levelValue, change: { from, to: this.levelValue, because: [] }, overloads };
      }
    }
    return { level: this.levelValue, change: null, overloads };
  }

  private symptomatic(a: LoadSample, b: LoadSample): boolean {
    const ticks = b.ticks - a.ticks;
    const share = (n: number) => ticks > 0 && n / ticks > this.o.lateShare;
    return (
      (b.cpuPercent ?? 0) > this.o.cpuPercent ||
      share(b.lateTicks - a.lateTicks) ||
      share(b.droppedTicks - a.droppedTicks) ||
      (b.outputQueuePercent > this.o.queuePercent && b.outputQueuePercent > a.outputQueuePercent)
    );
  }

  private overloads(first: LoadSample, last: LoadSample): Overload[] {
    const found: Overload[] = [];
    const cpu = this.samples.map((s) => s.cpuPercent).filter((c): c is number => c !== null);
    // Sustained: every sample of the window, not an average a single spike could tip.
    if (cpu.length >= 2 && cpu.every((c) => c > this.o.cpuPercent)) found.push('cpu');
    // Late or dropped ticks in every second of the window, not one burst.
    const pairs = this.samples.slice(1).map((s, i) => [this.samples[i]!, s] as const);
    const everyInterval = (count: (s: LoadSample) => number): boolean =>
      pairs.length > 0 &&
      pairs.every(([a, b]) => {
        const ticks = b.ticks - a.ticks;
        return ticks > 0 && (count(b) - count(a)) / ticks > this.o.lateShare;
      });
    if (everyInterval((s) => s.lateTicks)) found.push('late-ticks');
    if (everyInterval((s) => s.droppedTicks)) found.push('dropped-ticks');
    if (last.outputQueuePercent > this.o.queuePercent && last.outputQueuePercent > first.outputQueuePercent) {
      found.push('output-backlog');
    }
    return found;
  }
}

/** Two thirds of a size, rounded down to even numbers (what H.264 needs). */
export function reducedSize(width: number, height: number): { width: number; height: number } {
  const even = (n: number) => Math.max(2, Math.floor((n * 2) / 3 / 2) * 2);
  return { width: even(width), height: even(height) };
}
