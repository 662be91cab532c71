// Rates from cumulative counters (bytes out → kb/s, dropped frames → per second). The engine
// reports totals; health and metrics need "how fast lately". Pure: the caller passes the time.

export const DEFAULT_RATE_WINDOW_MS = 10_000;

/**
 * A sliding-window rate of one cumulative counter. Keeps only the samples that span the window
 * (bounded however often it is fed). A counter that goes down (a restarted process) starts a new
 * window instead of producing a negative rate.
 */
export class RateMeter {
  private samples: Array<{ at: number; value: number }> = [];

  constructor(
    private readonly windowMs = DEFAULT_RATE_WINDOW_MS,
    private readonly maxSamples = 120,
  ) {}

  /** Records the counter's value at `atMs` (monotonic ms). */
  push(atMs: number, value: number): void {
    if (!Number.isFinite(atMs) || !Number.isFinite(value)) return;
    const last = this.samples.at(-1);
    if (last !== undefined && (value < last.value || atMs < last.at)) this.samples = [];
    if (last !== undefined && atMs === last.at) this.samples.pop();
    this.samples.push({ at: atMs, value });
    // Keep one sample at or before the window's start, so the rate spans the whole window.
    const cutoff = atMs - this.windowMs;
    while (this.samples.length > 2 && this.samples[1]!.at <= cutoff) this.samples.shift();
    if (this.samples.length > this.maxSamples) this.samples.splice(0, this.samples.length - this.maxSamples);
  }

  /** Increase per second over the window; null until two samples are apart in time. */
  perSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.at <= first.at) return null;
    return ((last.value - first.value) * 1000) / (last.at - first.at);
  }

  /** Increase over the window, e.g. frames dropped lately. */
  increase(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    return first === undefined || last === undefined ? 0 : last.value - first.value;
  }

  reset(): void {
    this.samples = [];
  }
}

/** kb/s from a bytes-per-second rate (1 kb = 1000 bits, as encoders and platforms count). */
export function kilobitsPerSecond(bytesPerSecond: number | null): number | null {
  return bytesPerSecond === null ? null : Math.round((bytesPerSecond * 8) / 100) / 10;
}
