// The on-air state the appliance pushes over the telemetry WebSocket (and answers on
// GET /api/show): one schema, shared by the server, its tests and the web UI.
import { z } from 'zod';

export const SHOW_STATES = ['idle', 'countdown', 'starting', 'live', 'stopping'] as const;
export type ShowState = (typeof SHOW_STATES)[number];

const OnAirSourceSchema = z.object({
  kind: z.enum(['camera', 'media', 'slate', 'black']),
  cameraId: z.number().nullable(),
  /** What an operator reads: "Camera 1 (Wide shot)", "Test pattern", "Media promo.mp4". */
  label: z.string(),
});

// Issue 16 (control room truth): the status line and why the picture on air is on air.
export const BroadcastSummarySchema = z.object({
  /** live: every destination delivers; partial: some do; down / connecting: none does. */
  tone: z.enum(['live', 'partial', 'down', 'connecting', 'preview']),
  /** Destinations live whose bytes grew in the last 5 s (the preview and recording never count). */
  delivering: z.number(),
  down: z.number(),
  connecting: z.number(),
  destinations: z.number(),
  /** "LIVE", "LIVE · 1 of 2 destinations down", "ON AIR TO NO DESTINATION — all 2 destinations down". */
  sentence: z.string(),
  notDelivering: z.array(z.object({ id: z.string(), name: z.string(), why: z.string() })),
});
export type BroadcastSummary = z.output<typeof BroadcastSummarySchema>;
export const ON_AIR_BECAUSE = ['timeline', 'emergency', 'pinned', 'forced', 'backup', 'slate'] as const;

// Issue 17 (YouTube broadcast lifecycle): a managed YouTube destination's broadcast as the Live
// Streaming API last reported it. An RTMP session that is up is not proof of being on air.
export const YouTubeBroadcastStateSchema = z.object({
  /** The destination's output id ("dest:3"). */
  outputId: z.string(),
  name: z.string(),
  broadcastId: z.string().nullable(),
  /** https://youtu.be/<broadcast id>. */
  watchUrl: z.string().nullable(),
  /** created, ready, testing, liveStarting, live, complete, revoked (null: not known yet). */
  lifeCycleStatus: z.string().nullable(),
  /** The stream's data as YouTube sees it: active, ready, inactive, error. */
  streamStatus: z.string().nullable(),
  health: z.enum(['good', 'ok', 'bad', 'noData']).nullable(),
  /** The broadcast is live on YouTube. */
  live: z.boolean(),
  /** Broadcasts made during this show (a new one each time YouTube ended one). */
  broadcasts: z.number(),
  /** What stands in the way now, in words (quota spent, access revoked); null: nothing. */
  problem: z.string().nullable(),
  checkedAt: z.string().nullable(),
});
export type YouTubeBroadcastState = z.output<typeof YouTubeBroadcastStateSchema>;

export const LiveShowSchema = z.object({
  executionId: z.number(),
  timelineId: z.number(),
  timelineName: z.string(),
  /** The built-in demo show (generated test cameras). */
  demo: z.boolean(),
  startedAt: z.string(),
  position: z.object({
    seconds: z.number(),
    durationSeconds: z.number(),
    /** Completed loops of a looping timeline. */
    iteration: z.number(),
    loop: z.boolean(),
  }),
  paused: z.boolean(),
  /** What the timeline schedules and what is really on air (a failed camera's backup, the slate). */
  camera: z.object({
    scheduled: OnAirSourceSchema.nullable(),
    onAir: OnAirSourceSchema.nullable(),
    /** Why onAir differs from scheduled, in words; null when they agree. */
    note: z.string().nullable(),
  }),
  overlays: z.array(
    z.object({
      cueId: z.string(),
      type: z.string(),
      layer: z.number(),
      text: z.string().nullable(),
      secondsLeft: z.number(),
      opacity: z.number(),
    }),
  ),
  outputs: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['destination', 'preview', 'recording']),
      name: z.string(),
      state: z.enum(['connecting', 'live', 'retrying', 'failing', 'stopped']),
      since: z.string(),
      bitrateKbps: z.number().nullable(),
      bytesSent: z.number(),
      lastError: z.object({ code: z.string(), message: z.string(), remediation: z.string() }).nullable(),
      nextRetryAt: z.string().nullable(),
    }),
  ),
  overrides: z.object({
    emergency: z.boolean(),
    pinnedCameraId: z.number().nullable(),
    forcedCameraId: z.number().nullable(),
    hiddenOverlayCues: z.array(z.string()),
  }),
  /** 0 at the operator's settings; each degraded-mode step down adds one (CPU and bitrate). */
  degradeLevel: z.number(),
  /** Degraded mode: the level on air (judged by the show's own symptoms), why, what comes next. */
  quality: z.object({
    /** CPU ladder index (0 = the operator's settings) and how many levels there are. */
    level: z.number(),
    levels: z.number(),
    /** Each level in words, index 0 the operator's settings (empty when not known). */
    ladder: z.array(z.string()),
    /** What is encoded now: "superfast, 15 fps, 1280×720". */
    description: z.string(),
    /** The line the control room shows: "At your settings: …" or "Reduced: … — because …". */
    summary: z.string(),
    /** Why it is below the operator's settings (null when it is not, or not known). */
    reason: z.string().nullable(),
    /** The operator holds this level (degraded mode does not move it). */
    held: z.boolean(),
    bitrateKbps: z.number(),
    degraded: z.boolean(),
    /** A move is being carried out (a new encoder run beside the old one). */
    switching: z.boolean(),
    /** What the show suffers from now, in words with the figure. */
    symptoms: z.array(z.string()),
    /** Shown, never a reason to step down (e.g. the whole machine's CPU is busy). */
    warnings: z.array(z.string()),
    nextStepUpInSeconds: z.number().nullable(),
    lastChange: z
      .object({ at: z.string(), sentence: z.string(), direction: z.enum(['down', 'up']) })
      .nullable(),
    /** What blending the overlays costs, in % of one core (null before the first frame). */
    overlayCostPercent: z.number().nullable(),
  }),
  /** Every camera the show decodes (issue 16, the camera list): on air, on standby (decoding, ready
   *  to cut to), connecting, or failed and why. A camera not listed is not in the show. */
  cameras: z
    .array(
      z.object({
        cameraId: z.number(),
        state: z.enum(['on_air', 'standby', 'connecting', 'failed']),
        /** Why it failed, in words ("sends no picture"); null unless failed. */
        cause: z.string().nullable(),
      }),
    )
    .default([]),
  encoder: z.string(),
  /** The HLS preview playlist, when the preview runs. */
  previewUrl: z.string().nullable(),
  broadcast: BroadcastSummarySchema,
  /** Issue 17: the YouTube broadcasts of managed destinations (none: empty). */
  youtube: z.array(YouTubeBroadcastStateSchema).default([]),
  /** Why the picture on air is on air: the timeline, an override, or a failed camera's stand-in. */
  onAirBecause: z.enum(ON_AIR_BECAUSE),
});
export type LiveShow = z.output<typeof LiveShowSchema>;

export const LiveMetricsSchema = z.object({
  bitrateKbps: z.object({ current: z.number().nullable(), target: z.number() }),
  fps: z.object({ actual: z.number().nullable(), target: z.number() }),
  droppedFrames: z.number(),
  encoderCpuPercent: z.number().nullable(),
  encodeMsPerFrame: z.number().nullable(),
  publisherBufferFullnessPercent: z.number().nullable(),
  uptimeSeconds: z.number(),
  bytesSent: z.number(),
  cpuTemperatureC: z.number().nullable(),
  systemCpuPercent: z.number().nullable(),
});

export const LiveAlertSchema = z.object({
  id: z.number().nullable(),
  severity: z.enum(['info', 'warning', 'error', 'critical']),
  code: z.string(),
  message: z.string(),
  remediation: z.string(),
  source: z.string().nullable(),
  created_at: z.string(),
  acknowledged: z.boolean(),
});

export const LiveStateSchema = z.object({
  at: z.string(),
  state: z.enum(SHOW_STATES),
  countdown: z.object({ secondsLeft: z.number(), startsAt: z.string() }).nullable(),
  show: LiveShowSchema.nullable(),
  metrics: LiveMetricsSchema.nullable(),
  health: z
    .object({
      status: z.enum(['healthy', 'degraded', 'unhealthy']),
      warnings: z.array(z.string()),
      errors: z.array(z.string()),
    })
    .nullable(),
  alerts: z.array(LiveAlertSchema),
  /** The last show's end, until the next one starts ("completed", "stopped", "error: …"). */
  lastOutcome: z.string().nullable(),
  /** This machine's capacity check while it runs (pre-flight, first start). */
  measuring: z
    .object({
      /** "Measuring this machine: testing veryfast, 30 fps, 1920×1080 (2/4)". */
      message: z.string(),
      step: z.number(),
      of: z.number(),
    })
    .nullable()
    .default(null),
});
export type LiveState = z.output<typeof LiveStateSchema>;

// ── Program audio meters (pushed 10–15 times a second, only to a socket that asked for them) ──
/** Per channel, over the last 100 ms: sample peak and RMS (AES17: a sine reads its peak) in dBFS;
 *  null below the -90 dBFS floor (silence). */
export const LiveAudioSchema = z.object({
  at: z.string(),
  executionId: z.number(),
  /** A new value per measured window (50 ms of program audio). */
  seq: z.number(),
  channels: z.array(
    z.object({ peakDb: z.number().nullable(), rmsDb: z.number().nullable(), clipped: z.boolean() }),
  ),
});
export type LiveAudio = z.output<typeof LiveAudioSchema>;
/** Apart from LiveMessageSchema: only a socket that sent {type:'audio', on:true} receives it. */
export const LiveAudioMessageSchema = z.object({ type: z.literal('audio'), data: LiveAudioSchema });
export type LiveAudioMessage = z.output<typeof LiveAudioMessageSchema>;
/** Browser → server on /api/live: start or stop the audio meter messages. */
export const LiveClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('audio'), on: z.boolean() }),
]);
export type LiveClientMessage = z.output<typeof LiveClientMessageSchema>;

/** Messages on /api/live (server → browser). */
export const LiveMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), data: LiveStateSchema }),
]);
export type LiveMessage = z.output<typeof LiveMessageSchema>;
