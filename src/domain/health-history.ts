// The appliance's health over time (issue 16: the control room's graphs): one row per 10 s while
// a show is on air, kept for a day. One schema, shared by the store, the API and the web UI.
import { z } from 'zod';

/** One sample covers this much time (the graphs' resolution). */
export const HEALTH_SAMPLE_INTERVAL_MS = 10_000;
/** Samples older than this are pruned as new ones arrive. */
export const HEALTH_HISTORY_RETENTION_MS = 24 * 60 * 60 * 1000;

export const HealthSampleSchema = z.object({
  /** The end of the 10 s the sample covers (ISO 8601, UTC). */
  at: z.string(),
  /** False: a gap marker, the first 10 s with no show on air after a show (every figure null). */
  onAir: z.boolean(),
  executionId: z.number().nullable(),
  /** Mean of the program's bitrate over the 10 s. */
  bitrateKbps: z.number().nullable(),
  /** Mean frames per second the encoder made over the 10 s. */
  fps: z.number().nullable(),
  /** Frames dropped within these 10 s. */
  droppedFrames: z.number().nullable(),
  /** Mean CPU use of the whole machine (0–100). */
  systemCpuPercent: z.number().nullable(),
  /** Destination sessions that failed and were started again within these 10 s. */
  reconnects: z.number().nullable(),
});
export type HealthSample = z.output<typeof HealthSampleSchema>;

export const HealthHistorySchema = z.object({
  intervalSeconds: z.number(),
  /** The window asked for: samples lie within (from, to]. */
  from: z.string(),
  to: z.string(),
  samples: z.array(HealthSampleSchema),
});
export type HealthHistory = z.output<typeof HealthHistorySchema>;
