// The venue website's outputs (issue 17): the public live picture, its scheduled push to a website
// hosted elsewhere, and the embeddable player page. Settings schemas and the values in force, shared
// by the API (validation) and the web UI (the Settings card). Everything is off until the operator
// turns it on.
import { z } from 'zod';

/** The still sizes offered: the common 16:9 sizes a website shows. */
export const STILL_SIZES = ['640x360', '1280x720', '1920x1080'] as const;
export type StillSize = (typeof STILL_SIZES)[number];

export const MIN_INTERVAL_S = 5;
export const DEFAULT_PICTURE_INTERVAL_S = 10;
export const DEFAULT_PUSH_INTERVAL_S = 60;
export const DEFAULT_REQUESTS_PER_MINUTE = 30;
/** Player viewers (client addresses) at a time: each pulls the program's bitrate through the uplink. */
export const DEFAULT_MAX_VIEWERS = 10;
export const MAX_MAX_VIEWERS = 200;
/** What the Settings card and the API answer in place of a saved password or token. */
export const CREDENTIAL_MASK = '****';

export const LIVE_PICTURE_SETTING = 'website.live_picture';
export const PUSH_SETTING = 'website.push';
export const PUSH_CREDENTIALS_SETTING = 'website.push_credentials';
export const PLAYER_SETTING = 'website.player';

const seconds = (max: number) =>
  z
    .number({ error: 'must be a number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(MIN_INTERVAL_S, { error: `must be at least ${MIN_INTERVAL_S} seconds` })
    .max(max, { error: `must be at most ${max} seconds` });

export const LivePictureSchema = z.strictObject({
  /** Serve GET /live.jpg to anyone (off: it answers 404 like any unknown address). */
  enabled: z.boolean({ error: 'must be true or false' }),
  size: z.enum(STILL_SIZES, { error: `must be one of ${STILL_SIZES.join(', ')}` }).default('640x360'),
  /** A new still at most this often; also its Cache-Control max-age. */
  interval_s: seconds(3600).default(DEFAULT_PICTURE_INTERVAL_S),
  /** Requests one client address may make per minute before it gets 429. */
  requests_per_minute: z
    .number({ error: 'must be a number of requests' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(600, { error: 'must be at most 600' })
    .default(DEFAULT_REQUESTS_PER_MINUTE),
});
export type LivePictureSettings = z.output<typeof LivePictureSchema>;

export const PushSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }),
  url: z
    .string({ error: 'must be an address like https://www.example.com/webcam/live.jpg' })
    .trim()
    .max(2000, { error: 'must be at most 2000 characters' })
    .refine(
      (value) =>
        URL.canParse(value) &&
        ['http:', 'https:'].includes(new URL(value).protocol) &&
        new URL(value).hostname !== '',
      { error: 'must be an address like https://www.example.com/webcam/live.jpg (https or http)' },
    )
    .refine(
      (value) => !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''),
      {
        // The message never repeats them.
        error: 'must not hold a user name or password: enter them as the push credentials',
      },
    ),
  method: z.enum(['PUT', 'POST'], { error: 'must be PUT or POST' }).default('PUT'),
  interval_s: seconds(86_400).default(DEFAULT_PUSH_INTERVAL_S),
});
export type PushSettings = z.output<typeof PushSchema>;

const secret = (what: string) =>
  z
    .string({ error: `must be the ${what} as text` })
    .min(1, { error: 'must not be empty' })
    .max(2000, { error: 'must be at most 2000 characters' })
    .refine((value) => value !== CREDENTIAL_MASK, {
      error: `is the mask the appliance shows: send the ${what} itself`,
    });

/** Write-only: sealed at rest, masked on every read (the card replaces or clears them whole). */
export const PushCredentialsSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('basic'),
      user: z
        .string({ error: 'must be the user name as text' })
        .min(1, { error: 'must not be empty' })
        .max(200, { error: 'must be at most 200 characters' })
        .refine((value) => !value.includes(':'), { error: 'must not contain a colon (HTTP basic auth)' }),
      password: secret('password'),
    }),
    z.strictObject({ type: z.literal('bearer'), token: secret('token') }),
  ],
  { error: 'must be {"type": "basic", "user": …, "password": …} or {"type": "bearer", "token": …}' },
);
export type PushCredentials = z.output<typeof PushCredentialsSchema>;

/** A site allowed to frame the player: an origin like https://www.venue.example (a *. subdomain wildcard allowed). */
const EMBED_SITE = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/;

export const PlayerSchema = z.strictObject({
  /** Serve GET /embed/player and the program's HLS under /embed/hls/ to anyone. */
  enabled: z.boolean({ error: 'must be true or false' }),
  /** The sites whose pages may show the player in a frame (CSP frame-ancestors). */
  embed_sites: z
    .array(
      z
        .string({ error: 'must be a site address as text' })
        .trim()
        .toLowerCase()
        .regex(EMBED_SITE, { error: 'must be a site like https://www.venue.example (no path)' }),
      { error: 'must be a list of site addresses' },
    )
    .max(20, { error: 'must name at most 20 sites' })
    .default([]),
  /** Viewers (client addresses fetching the HLS) at a time; one more gets 503. */
  max_viewers: z
    .number({ error: 'must be a number of viewers' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(MAX_MAX_VIEWERS, { error: `must be at most ${MAX_MAX_VIEWERS}` })
    .default(DEFAULT_MAX_VIEWERS),
});
export type PlayerSettings = z.output<typeof PlayerSchema>;

/** The live picture as configured, or its defaults (off) when nothing valid is stored. */
export function livePictureSettings(stored: unknown): LivePictureSettings {
  const parsed = LivePictureSchema.safeParse(stored);
  return parsed.success ? parsed.data : LivePictureSchema.parse({ enabled: false });
}

/** The push as configured, or null when none is stored (or it is broken). */
export function pushSettings(stored: unknown): PushSettings | null {
  const parsed = PushSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

export function pushCredentials(stored: unknown): PushCredentials | null {
  const parsed = PushCredentialsSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

export function playerSettings(stored: unknown): PlayerSettings {
  const parsed = PlayerSchema.safeParse(stored);
  return parsed.success ? parsed.data : PlayerSchema.parse({ enabled: false });
}

/** Width and height of a size choice. */
export function stillSize(size: StillSize): { width: number; height: number } {
  const [width, height] = size.split('x').map(Number);
  return { width: width ?? 640, height: height ?? 360 };
}

/** The credentials as the API shows them: the kind and user, never the secret. */
export function maskPushCredentials(value: unknown): unknown {
  const parsed = pushCredentials(value);
  if (!parsed) return value === null ? null : { type: 'unknown' };
  return parsed.type === 'basic'
    ? { type: 'basic', user: parsed.user, password: CREDENTIAL_MASK }
    : { type: 'bearer', token: CREDENTIAL_MASK };
}
