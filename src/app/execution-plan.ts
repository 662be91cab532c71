// What an execution row stores to run the same show again after a crash (the plan), and the
// metrics it ends with. Both are JSON in timeline_executions; these schemas are their one shape.
import { z } from 'zod';

export const GeneratedCameraSchema = z.strictObject({
  id: z.number().int().positive(),
  name: z.string().min(1).max(100),
  pattern: z.enum(['smptehdbars', 'testsrc2', 'black']),
  label: z.string().max(200),
});
export type GeneratedCamera = z.output<typeof GeneratedCameraSchema>;

/** A show to run from the store. Ids only: stream keys and camera passwords are read at each (re)start. */
export const ShowRequestSchema = z.strictObject({
  timelineId: z.number().int().positive({ error: 'must be a timeline number' }),
  destinationIds: z.array(z.number().int().positive({ error: 'must be a destination number' })).default([]),
  /** Folder for the HLS preview (index.m3u8). */
  previewDir: z.string().min(1).optional(),
  /** Local recording file (.mp4 or .flv); a resumed run records to a new file beside it. */
  recordPath: z.string().min(1).optional(),
  encoder: z
    .strictObject({
      preset: z.string().min(1).max(40).optional(),
      profile: z.enum(['reliability', 'quality']).optional(),
      bitrateKbps: z.number().int().positive().optional(),
    })
    .optional(),
  /** Root for timeline media paths ("/demo/slate.png"); default: the data folder. */
  mediaRoot: z.string().min(1).optional(),
  /** The user who started it (GO LIVE in the web UI); recorded on the execution row. */
  executedBy: z.number().int().positive().optional(),
  /** Generated test cameras instead of the store's cameras (the demo show). */
  generatedCameras: z.array(GeneratedCameraSchema).optional(),
});
export type ShowRequest = z.input<typeof ShowRequestSchema>;
export type ShowPlanRecord = z.output<typeof ShowRequestSchema>;

/** The stored plan: the request plus a version, so a later format can still read old rows. */
export const StoredPlanSchema = ShowRequestSchema.extend({ version: z.literal(1) });
export type StoredPlan = z.output<typeof StoredPlanSchema>;

/** Totals over every segment of a run (the first start and each crash resume). */
export interface ExecutionMetrics {
  /** Program frames written. */
  frames: number;
  /** Ticks written more than a frame interval late. */
  lateTicks: number;
  maxLatenessMs: number;
  /** Frames where the on-air source had no fresh picture (the slate stood in). */
  substitutedFrames: number;
  /** Ticks the encoder dropped (restarting or too far behind). */
  droppedFrames: number;
  encoderRestarts: number;
  /** Restarts per output: destination ids ("dest:3"), "preview", "recording". */
  outputRestarts: Record<string, number>;
  /** Program time played: frames / fps. */
  onAirSeconds: number;
  /** Wall clock from the start of the run to its end (or to the last checkpoint). */
  durationSeconds: number;
  /** 1 + crash resumes. */
  segments: number;
}

const count = z.number().nonnegative().catch(0);
const MetricsSchema = z.object({
  frames: count,
  lateTicks: count,
  maxLatenessMs: count,
  substitutedFrames: count,
  droppedFrames: count,
  encoderRestarts: count,
  outputRestarts: z.record(z.string(), z.number().nonnegative()).catch({}),
  onAirSeconds: count,
  durationSeconds: count,
  segments: count,
});

export const NO_METRICS: ExecutionMetrics = {
  frames: 0,
  lateTicks: 0,
  maxLatenessMs: 0,
  substitutedFrames: 0,
  droppedFrames: 0,
  encoderRestarts: 0,
  outputRestarts: {},
  onAirSeconds: 0,
  durationSeconds: 0,
  segments: 0,
};

/** Metrics as stored in a row (tolerant: unknown or broken fields count as zero). */
export function readMetrics(value: unknown): ExecutionMetrics {
  if (value === null || typeof value !== 'object') return { ...NO_METRICS };
  const parsed = MetricsSchema.safeParse({ ...NO_METRICS, ...value });
  return parsed.success ? parsed.data : { ...NO_METRICS };
}

/** The part of the engine's status the metrics come from. */
export interface SegmentStats {
  playout: {
    ticks: number;
    lateTicks: number;
    maxLatenessMs: number;
    substitutedFrames: number;
    /** How long the clock waited for the first picture; null while it still waits (absent: none). */
    prerollMs?: number | null;
  };
  encoder: { restarts: number; framesDropped: number };
  outputs: ReadonlyArray<{ id: string; restarts: number }>;
}

/** Totals of the earlier segments plus the current one. */
export function addSegment(
  before: ExecutionMetrics,
  segment: SegmentStats,
  context: { fps: number; startedAtMs: number; nowMs: number; segments: number },
): ExecutionMetrics {
  const outputRestarts = { ...before.outputRestarts };
  for (const output of segment.outputs)
    outputRestarts[output.id] = (outputRestarts[output.id] ?? 0) + output.restarts;
  const frames = before.frames + segment.playout.ticks;
  return {
    frames,
    lateTicks: before.lateTicks + segment.playout.lateTicks,
    maxLatenessMs: Math.round(Math.max(before.maxLatenessMs, segment.playout.maxLatenessMs)),
    substitutedFrames: before.substitutedFrames + segment.playout.substitutedFrames,
    droppedFrames: before.droppedFrames + segment.encoder.framesDropped,
    encoderRestarts: before.encoderRestarts + segment.encoder.restarts,
    outputRestarts,
    onAirSeconds: Math.round((frames / context.fps) * 100) / 100,
    durationSeconds: Math.max(0, Math.round((context.nowMs - context.startedAtMs) / 100) / 10),
    segments: context.segments,
  };
}

/** Where a resumed run records: beside the original, numbered, so no earlier file is overwritten. */
export function recordPathForSegment(path: string, resume: number): string {
  if (resume <= 0) return path;
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1
    ? `${path.slice(0, dot)}-resume${resume}${path.slice(dot)}`
    : `${path}-resume${resume}`;
}
