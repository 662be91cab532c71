// The health graphs' samples (migration 009): written every 10 s by the health sampler, read by
// GET /api/health/history. Each insert prunes what is older than a day and caps the row count, so
// the table stays small whatever the clock does.
import {
  HEALTH_HISTORY_RETENTION_MS,
  HEALTH_SAMPLE_INTERVAL_MS,
  type HealthSample,
} from '../../domain/health-history.ts';
import type { Db } from '../database.ts';

/** A sample as the sampler makes it: `at` in wall-clock epoch ms. */
export type HealthSampleRecord = Omit<HealthSample, 'at'> & { at: number };

interface HealthSampleRow {
  at_ms: number;
  on_air: number;
  execution_id: number | null;
  bitrate_kbps: number | null;
  fps: number | null;
  dropped_frames: number | null;
  system_cpu_percent: number | null;
  reconnects: number | null;
}

export interface HealthSampleLimits {
  retentionMs: number;
  /** At most this many rows (a day at 10 s, with room for a clock stepped back). */
  maxRows: number;
}

export const DEFAULT_HEALTH_SAMPLE_LIMITS: HealthSampleLimits = {
  retentionMs: HEALTH_HISTORY_RETENTION_MS,
  maxRows: Math.ceil((HEALTH_HISTORY_RETENTION_MS / HEALTH_SAMPLE_INTERVAL_MS) * 1.1),
};

export class HealthSampleRepository {
  constructor(
    private readonly db: Db,
    private readonly limits: HealthSampleLimits = DEFAULT_HEALTH_SAMPLE_LIMITS,
  ) {}

  /** Stores one sample (a second one for the same instant replaces it) and prunes. */
  insert(sample: HealthSampleRecord): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO health_samples
             (at_ms, on_air, execution_id, bitrate_kbps, fps, dropped_frames, system_cpu_percent, reconnects)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          sample.at,
          sample.onAir ? 1 : 0,
          sample.executionId,
          sample.bitrateKbps,
          sample.fps,
          sample.droppedFrames,
          sample.systemCpuPercent,
          sample.reconnects,
        );
      this.db.prepare('DELETE FROM health_samples WHERE at_ms < ?').run(sample.at - this.limits.retentionMs);
      // The newest maxRows stay: the cut is the first row past them (found through the key).
      this.db
        .prepare(
          `DELETE FROM health_samples WHERE at_ms <=
             (SELECT at_ms FROM health_samples ORDER BY at_ms DESC LIMIT 1 OFFSET ?)`,
        )
        .run(this.limits.maxRows);
    })();
  }

  /** Samples with fromMs < at ≤ toMs, oldest first. */
  between(fromMs: number, toMs: number): HealthSampleRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM health_samples WHERE at_ms > ? AND at_ms <= ? ORDER BY at_ms')
      .all(fromMs, toMs) as HealthSampleRow[];
    return rows.map((row) => ({
      at: row.at_ms,
      onAir: row.on_air === 1,
      executionId: row.execution_id,
      bitrateKbps: row.bitrate_kbps,
      fps: row.fps,
      droppedFrames: row.dropped_frames,
      systemCpuPercent: row.system_cpu_percent,
      reconnects: row.reconnects,
    }));
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM health_samples').get() as { n: number }).n;
  }
}
