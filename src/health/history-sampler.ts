// Drives the health accumulation on the injected clock: reads the show on air about once a second
// and, at each 10 s boundary of the wall clock, stores the sample of the 10 s that ended. Buckets
// sit on wall-clock boundaries so the rows of a restarted appliance line up with the earlier ones.
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { HEALTH_SAMPLE_INTERVAL_MS } from '../domain/health-history.ts';
import type { HealthSampleRecord } from '../store/repositories/health-samples.ts';
import { HealthAccumulator, type HealthReading } from './history.ts';

export interface HealthSamplerOptions {
  clock: Clock;
  /** The show on air now, or null when none is. Must not throw (a throw counts as no show). */
  read: () => HealthReading | null;
  save: (sample: HealthSampleRecord) => void;
  logger: Logger;
  /** Default 10 s (the graphs' resolution). */
  intervalMs?: number;
  /** How often the show is read within an interval; default 1 s. */
  readEveryMs?: number;
}

export class HealthSampler {
  private readonly accumulator = new HealthAccumulator();
  private readonly intervalMs: number;
  private readonly readEveryMs: number;
  private bucketStart: number | null = null;
  private timer: TimerHandle | null = null;
  private readFailureLogged = false;

  constructor(private readonly options: HealthSamplerOptions) {
    this.intervalMs = options.intervalMs ?? HEALTH_SAMPLE_INTERVAL_MS;
    this.readEveryMs = Math.min(options.readEveryMs ?? 1000, this.intervalMs);
  }

  start(): void {
    if (this.timer) return;
    this.tick();
  }

  /** Stops reading; the unfinished 10 s are not stored (they would be a partial sample). */
  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private tick(): void {
    const wall = this.options.clock.wallNow();
    const bucketStart = wall - (wall % this.intervalMs);
    if (this.bucketStart !== null && bucketStart !== this.bucketStart) {
      // A stalled loop that skipped whole intervals stores only the one it was in: a gap follows.
      this.store(this.accumulator.close(this.bucketStart + this.intervalMs));
    }
    this.bucketStart = bucketStart;
    this.accumulator.observe(this.readShow());
    // Aligned to the read period, so the last read of an interval falls just before its end.
    this.timer = this.options.clock.setTimeout(
      () => this.tick(),
      this.readEveryMs - (this.options.clock.wallNow() % this.readEveryMs),
    );
  }

  private readShow(): HealthReading | null {
    try {
      return this.options.read();
    } catch (error) {
      if (!this.readFailureLogged) {
        this.readFailureLogged = true;
        this.options.logger.warn({ err: error }, 'health history: reading the show failed');
      }
      return null;
    }
  }

  private store(sample: HealthSampleRecord | null): void {
    if (!sample) return;
    try {
      this.options.save(sample);
    } catch (error) {
      // A full disk or a busy database loses this sample, never the show.
      this.options.logger.warn({ err: error }, 'health history: a sample could not be stored');
    }
  }
}
