// The health graphs' accumulation (pure): readings of the show on air go in, about one a second;
// every 10 s one sample comes out. Levels (bitrate, fps, CPU) are the mean over the 10 s; counters
// (dropped frames, reconnects) are what they grew by within them. Without a show nothing comes
// out, except one gap marker where a show went off air, so graphs draw a gap, not zeros.
import type { HealthSampleRecord } from '../store/repositories/health-samples.ts';

/** What the show on air reports at one moment. */
export interface HealthReading {
  executionId: number;
  bitrateKbps: number | null;
  fps: number | null;
  /** Since the show's engine started (counts from 0 in each run). */
  droppedFramesTotal: number;
  systemCpuPercent: number | null;
  /** Destination sessions that failed and were started again, since the engine started. */
  reconnectsTotal: number;
}

interface Counters {
  executionId: number;
  droppedFrames: number;
  reconnects: number;
}

class Mean {
  private sum = 0;
  private count = 0;
  add(value: number | null): void {
    if (value === null || !Number.isFinite(value)) return;
    this.sum += value;
    this.count++;
  }
  value(decimals: number): number | null {
    if (this.count === 0) return null;
    const scale = 10 ** decimals;
    return Math.round((this.sum / this.count) * scale) / scale;
  }
}

export class HealthAccumulator {
  /** The counters at the last reading, whatever bucket it fell in. */
  private last: Counters | null = null;
  /** No reading yet: the first show's counters so far happened before we watched. */
  private fresh = true;
  private wasOnAir = false;
  private bucket = this.emptyBucket();

  /** One reading; null when no show is on air. */
  observe(reading: HealthReading | null): void {
    if (reading === null) return;
    const counters: Counters = {
      executionId: reading.executionId,
      droppedFrames: reading.droppedFramesTotal,
      reconnects: reading.reconnectsTotal,
    };
    // Another show's engine counts from 0; one already running when we began is counted from here.
    const base: Counters =
      this.last && this.last.executionId === reading.executionId
        ? this.last
        : this.fresh
          ? counters
          : { executionId: reading.executionId, droppedFrames: 0, reconnects: 0 };
    this.fresh = false;
    const bucket = this.bucket;
    bucket.readings++;
    bucket.executionId = reading.executionId;
    bucket.bitrate.add(reading.bitrateKbps);
    bucket.fps.add(reading.fps);
    bucket.cpu.add(reading.systemCpuPercent);
    bucket.droppedFrames += growth(base.droppedFrames, counters.droppedFrames);
    bucket.reconnects += growth(base.reconnects, counters.reconnects);
    this.last = counters;
  }

  /** Ends the bucket at `atMs` (wall clock): its sample, a gap marker, or null (nothing to keep). */
  close(atMs: number): HealthSampleRecord | null {
    const bucket = this.bucket;
    this.bucket = this.emptyBucket();
    if (bucket.readings === 0) {
      const gap = this.wasOnAir;
      this.wasOnAir = false;
      return gap
        ? {
            at: atMs,
            onAir: false,
            executionId: null,
            bitrateKbps: null,
            fps: null,
            droppedFrames: null,
            systemCpuPercent: null,
            reconnects: null,
          }
        : null;
    }
    this.wasOnAir = true;
    return {
      at: atMs,
      onAir: true,
      executionId: bucket.executionId,
      bitrateKbps: bucket.bitrate.value(1),
      fps: bucket.fps.value(2),
      droppedFrames: bucket.droppedFrames,
      systemCpuPercent: bucket.cpu.value(1),
      reconnects: bucket.reconnects,
    };
  }

  private emptyBucket() {
    return {
      readings: 0,
      executionId: null as number | null,
      bitrate: new Mean(),
      fps: new Mean(),
      cpu: new Mean(),
      droppedFrames: 0,
      reconnects: 0,
    };
  }
}

/** How much a counter grew; a counter that went down was reset (a new run) and grew from 0. */
function growth(before: number, now: number): number {
  return now >= before ? now - before : now;
}
