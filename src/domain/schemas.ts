// Input schemas for the appliance's configuration (cameras, presets, destinations, alerts):
// shared by the store, the CLI and the API so each boundary validates the same way.
import { z } from 'zod';
import { ALERT_SEVERITIES } from '../errors/registry.ts';

const name = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' });

function urlWithProtocols(protocols: readonly string[], what: string) {
  return z
    .string()
    .trim()
    .max(2000, { error: 'must be at most 2000 characters' })
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return protocols.includes(url.protocol.slice(0, -1)) && url.hostname !== '';
        } catch {
          return false;
        }
      },
      { error: `must be ${what} URL (${protocols.join(', ')}), like ${protocols[0]}://192.168.1.20/stream` },
    )
    .refine(credentialsDecode, {
      // The message never repeats the credentials.
      error: 'the user name or password in it has a broken %-escape (write a % sign as %25)',
    });
}

/** user:password@ in a URL is %-decoded when it is moved out (cameras) or used: it must decode. */
export function credentialsDecode(value: string): boolean {
  if (!URL.canParse(value)) return true; // the protocol check above names this one
  const url = new URL(value);
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
    return true;
  } catch {
    return false;
  }
}

export const CAMERA_PROTOCOLS = ['rtsp', 'rtsps', 'rtmp', 'rtmps', 'http', 'https', 'srt'] as const;
export const CAMERA_TYPES = ['stationary', 'ptz'] as const;

const cameraFields = {
  name,
  stream_url: urlWithProtocols(CAMERA_PROTOCOLS, 'a camera stream'),
  username: z.string().max(100).nullable(),
  password: z.string().max(200).nullable(),
  camera_type: z.enum(CAMERA_TYPES, { error: 'must be "stationary" or "ptz"' }),
  onvif_url: urlWithProtocols(['http', 'https'], 'an ONVIF device service').nullable(),
  onvif_username: z.string().max(100).nullable(),
  onvif_password: z.string().max(200).nullable(),
  backup_camera_id: z.number().int().positive({ error: 'must be a camera id' }).nullable(),
  enabled: z.boolean(),
  /** Seconds before a cue with a preset that the camera is sent there (null: the default, 3 s). */
  ptz_settle_seconds: z
    .number({ error: 'must be a number of seconds' })
    .min(0, { error: 'must not be negative' })
    .max(60, { error: 'must be at most 60 seconds' })
    .nullable(),
};

/** How long a PTZ camera takes to reach a preset and stop, unless its settings say otherwise. */
export const DEFAULT_PTZ_SETTLE_SECONDS = 3;

export const CameraCreateSchema = z.strictObject({
  ...cameraFields,
  username: cameraFields.username.optional(),
  password: cameraFields.password.optional(),
  camera_type: cameraFields.camera_type.default('stationary'),
  onvif_url: cameraFields.onvif_url.optional(),
  onvif_username: cameraFields.onvif_username.optional(),
  onvif_password: cameraFields.onvif_password.optional(),
  backup_camera_id: cameraFields.backup_camera_id.optional(),
  enabled: cameraFields.enabled.default(true),
  ptz_settle_seconds: cameraFields.ptz_settle_seconds.optional(),
});
export type CameraCreate = z.input<typeof CameraCreateSchema>;

/** A partial update: fields left out keep their value; a password set to null is removed. */
export const CameraPatchSchema = z.strictObject(cameraFields).partial();
export type CameraPatch = z.input<typeof CameraPatchSchema>;

export const PresetCreateSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/, {
      error: 'may only contain letters, digits, and _ . : - (timelines refer to it)',
    }),
  preset_token: z.string().max(100).nullable().optional(),
  pan: z.number().min(-1).max(1).nullable().optional(),
  tilt: z.number().min(-1).max(1).nullable().optional(),
  zoom: z.number().min(0).max(1).nullable().optional(),
});
export type PresetCreate = z.input<typeof PresetCreateSchema>;

export const PLATFORMS = ['youtube', 'facebook', 'twitch', 'custom'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const YOUTUBE_PRIVACY = ['public', 'unlisted', 'private'] as const;
export const YOUTUBE_LATENCY = ['normal', 'low', 'ultraLow'] as const;

/**
 * How the appliance runs the broadcasts of a YouTube destination through the Live Streaming API
 * (issue 17): the connected channel and what each broadcast it creates looks like. Null on a
 * destination: a plain stream key, YouTube's own handling.
 */
export const YouTubeBroadcastSettingsSchema = z.strictObject({
  /** The connected channel (youtube_connections.id). */
  connection_id: z
    .number({ error: 'must be a connected channel id' })
    .int({ error: 'must be a whole number' })
    .positive({ error: 'must be a connected channel id' }),
  title: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters (YouTube’s limit)' }),
  description: z
    .string()
    .max(5000, { error: 'must be at most 5000 characters (YouTube’s limit)' })
    .default(''),
  privacy: z
    .enum(YOUTUBE_PRIVACY, { error: `must be one of ${YOUTUBE_PRIVACY.join(', ')}` })
    .default('public'),
  latency: z
    .enum(YOUTUBE_LATENCY, { error: `must be one of ${YOUTUBE_LATENCY.join(', ')}` })
    .default('normal'),
  dvr: z.boolean({ error: 'must be true or false' }).default(true),
  /** YouTube goes live by itself when data arrives; false: the appliance makes the transition. */
  auto_start: z.boolean({ error: 'must be true or false' }).default(false),
  /** Start the next broadcast before YouTube's 12-hour archive limit, so every hour is kept. */
  keep_archive: z.boolean({ error: 'must be true or false' }).default(false),
});
export type YouTubeBroadcastSettings = z.output<typeof YouTubeBroadcastSettingsSchema>;

const destinationFields = {
  name,
  platform: z.enum(PLATFORMS, { error: `must be one of ${PLATFORMS.join(', ')}` }),
  server_url: urlWithProtocols(['rtmp', 'rtmps', 'srt'], 'an RTMP, RTMPS or SRT'),
  stream_key: z.string().trim().max(500, { error: 'must be at most 500 characters' }).nullable(),
  enabled: z.boolean(),
  /** The platform's limit on one live session, in hours (null: the platform's own; 0: none). */
  max_session_hours: z
    .number({ error: 'must be a number of hours' })
    .refine((hours) => hours === 0 || (hours >= 0.25 && hours <= 720), {
      error: 'must be 0 (no limit) or between 0.25 and 720 hours',
    })
    .nullable(),
  /** Broadcasts managed through the YouTube Live API (platform youtube only); null: none. */
  youtube: YouTubeBroadcastSettingsSchema.nullable(),
};

export const DestinationCreateSchema = z
  .strictObject({
    ...destinationFields,
    stream_key: destinationFields.stream_key.optional(),
    enabled: destinationFields.enabled.default(true),
    max_session_hours: destinationFields.max_session_hours.optional(),
    youtube: destinationFields.youtube.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.youtube && value.platform !== 'youtube') {
      ctx.addIssue({
        code: 'custom',
        path: ['youtube'],
        message: 'broadcast settings are for a YouTube destination only (set "platform": "youtube")',
      });
    }
    if (value.platform === 'facebook' && !value.server_url.startsWith('rtmps://')) {
      ctx.addIssue({
        code: 'custom',
        path: ['server_url'],
        message: 'Facebook accepts only RTMPS (rtmps://…)',
      });
    }
  });
export type DestinationCreate = z.input<typeof DestinationCreateSchema>;
export const DestinationPatchSchema = z.strictObject(destinationFields).partial();
export type DestinationPatch = z.input<typeof DestinationPatchSchema>;

export { ALERT_SEVERITIES, type AlertSeverity } from '../errors/registry.ts';
/** Longest alert message or remediation the store keeps (longer text is cut by the alert center). */
export const ALERT_TEXT_MAX = 1000;
export const AlertCreateSchema = z.strictObject({
  /** Stable name of the condition ("camera:2:offline"): an open alert with the same key is updated, not repeated. */
  key: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_.:/-]+$/, { error: 'must be letters, digits and _ . : / - only' })
    .nullable()
    .optional(),
  severity: z.enum(ALERT_SEVERITIES),
  code: z.string().min(1).max(100),
  message: z.string().min(1).max(ALERT_TEXT_MAX),
  remediation: z.string().min(1).max(ALERT_TEXT_MAX),
  source: z.string().max(100).nullable().optional(),
});
export type AlertCreate = z.input<typeof AlertCreateSchema>;

/** Where alert events are POSTed. The URL may carry a token, so it is never logged or returned whole. */
export const AlertWebhookSchema = z.strictObject({
  url: urlWithProtocols(['https', 'http'], 'a webhook'),
  enabled: z.boolean().default(true),
});
export type AlertWebhookConfig = z.output<typeof AlertWebhookSchema>;

export const EXECUTION_STATUSES = ['running', 'completed', 'stopped', 'error'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const ASSET_TYPES = ['image', 'video', 'audio'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];
