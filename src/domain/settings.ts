// The appliance's settings an admin may change: one table of key → schema, whether its value may
// hold a secret, and how a person names it. Shared by the API (validation, messages) and the web UI
// (labels), so a message never shows an internal key like "alerts.webhook".
import { z } from 'zod';
import { AlertWebhookSchema } from './schemas.ts';
import { LivePictureSchema, PlayerSchema, PushCredentialsSchema, PushSchema } from './website.ts';
import { TimelapseSettingsSchema } from './timelapse.ts';

/**
 * The time zones the appliance accepts: the runtime's IANA list (Intl) and UTC, which the list
 * leaves out. The browser's list is the same standard; a zone missing on one side is rare.
 */
export function supportedTimeZones(): readonly string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

let zoneSet: ReadonlySet<string> | null = null;

/**
 * The listed zone a name stands for: itself, or the one an alias resolves to (Intl's list uses
 * ICU's names, e.g. Asia/Calcutta for Asia/Kolkata; "europe/berlin" is Europe/Berlin); null for
 * a name that is no zone.
 */
export function canonicalTimeZone(zone: string): string | null {
  zoneSet ??= new Set(supportedTimeZones());
  if (zoneSet.has(zone)) return zone;
  if (zone.trim() === '') return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-GB', { timeZone: zone }).resolvedOptions().timeZone;
    return zoneSet.has(resolved) ? resolved : null;
  } catch {
    return null;
  }
}

export function isSupportedTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== null;
}

/** x264 presets an operator may choose, fastest first (slower ones cannot keep up live here). */
export const ENCODER_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;
export type EncoderPreset = (typeof ENCODER_PRESETS)[number];
/** The default: the encoding profile's own preset (fast for reliability, medium for quality). */
export const AUTOMATIC_PRESET = 'automatic';
/** The settings key of the encoder preset (read by the show runner when a show starts). */
export const ENCODER_PRESET_SETTING = 'encoder.preset';
export const ENCODER_PRESET_CHOICES = [AUTOMATIC_PRESET, ...ENCODER_PRESETS] as const;
export type EncoderPresetChoice = (typeof ENCODER_PRESET_CHOICES)[number];

/** The settings key of the program's loudness target (the engine's own mixer holds it). */
export const LOUDNESS_TARGET_SETTING = 'audio.loudness_target';
/** Integrated loudness the program is held at unless the setting says otherwise: YouTube's reference. */
export const DEFAULT_LOUDNESS_TARGET_LUFS = -14;
export const LOUDNESS_TARGET_RANGE = { min: -36, max: -8 } as const;
/** The target in force: a number of LUFS, or null when the operator turned the control off. */
export function loudnessTarget(stored: unknown): number | null {
  if (stored === 'off') return null;
  return typeof stored === 'number' &&
    stored >= LOUDNESS_TARGET_RANGE.min &&
    stored <= LOUDNESS_TARGET_RANGE.max
    ? stored
    : DEFAULT_LOUDNESS_TARGET_LUFS;
}

/** The settings key of the appliance's position (sunrise and sunset of sun-based schedules). */
export const POSITION_SETTING = 'appliance.position';
const coordinate = (name: string, limit: number, example: string) =>
  z
    .number({ error: `must be a number of degrees like ${example}` })
    .min(-limit, { error: `must be between -${limit} and ${limit} degrees (${name})` })
    .max(limit, { error: `must be between -${limit} and ${limit} degrees (${name})` });
export const PositionSchema = z.strictObject(
  {
    /** Degrees, north positive. */
    latitude: coordinate('north positive, south negative', 90, '51.48'),
    /** Degrees, east positive. */
    longitude: coordinate('east positive, west negative', 180, '-0.01'),
    place_name: z.string().trim().max(100, { error: 'must be at most 100 characters' }).optional(),
  },
  {
    // Only the wrong shape gets the example; a field too many keeps its own message.
    error: (issue) =>
      issue.code === 'invalid_type'
        ? 'must be an object like {"latitude": 51.48, "longitude": -0.01, "place_name": "Greenwich"}'
        : undefined,
  },
);
export type AppliancePosition = z.output<typeof PositionSchema>;

/** The configured position from the stored setting, or null when there is none (or it is broken). */
export function positionSetting(stored: unknown): AppliancePosition | null {
  const parsed = PositionSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

export const SETTINGS = {
  'appliance.name': {
    label: 'The appliance name',
    schema: z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(100, { error: 'must be at most 100 characters' }),
    mask: false,
  },
  /** The zone schedules are in (VISTTER_TZ wins); null: the system's. */
  'appliance.timezone': {
    label: 'The time zone',
    schema: z
      .string({ error: 'must be a time zone name like Europe/London' })
      .refine(isSupportedTimeZone, { error: 'must be a time zone name like Europe/London' })
      .transform((zone) => canonicalTimeZone(zone) ?? zone)
      .nullable(),
    mask: false,
  },
  /** Where the appliance stands: sun-based schedule windows need it; null: not configured. */
  'appliance.position': { label: 'The appliance position', schema: PositionSchema.nullable(), mask: false },
  /** LUFS the program's loudness is held at, or "off"; null: the default (-14 LUFS). */
  'audio.loudness_target': {
    label: 'The loudness target',
    schema: z
      .union(
        [
          z
            .number()
            .min(LOUDNESS_TARGET_RANGE.min, {
              error: `must be from ${LOUDNESS_TARGET_RANGE.min} to ${LOUDNESS_TARGET_RANGE.max} LUFS`,
            })
            .max(LOUDNESS_TARGET_RANGE.max, {
              error: `must be from ${LOUDNESS_TARGET_RANGE.min} to ${LOUDNESS_TARGET_RANGE.max} LUFS`,
            }),
          z.literal('off'),
        ],
        {
          error: `must be a number of LUFS from ${LOUDNESS_TARGET_RANGE.min} to ${LOUDNESS_TARGET_RANGE.max}, or "off"`,
        },
      )
      .nullable(),
    mask: false,
  },
  'alerts.webhook': { label: 'The alert webhook address', schema: AlertWebhookSchema.nullable(), mask: true },
  /** The x264 preset of the next show; null or "automatic": the encoding profile's. */
  'encoder.preset': {
    label: 'The encoder preset',
    schema: z
      .enum(ENCODER_PRESET_CHOICES, { error: `must be one of ${ENCODER_PRESET_CHOICES.join(', ')}` })
      .nullable(),
    mask: false,
  },
  /** The operator's Google OAuth client of type "TV and limited-input devices" (YouTube Live);
   *  the secret is write-only: sealed at rest, masked on every read. */
  'youtube.oauth_client': {
    label: 'The sign in client for live broadcasts',
    schema: z
      .strictObject({
        client_id: z
          .string()
          .trim()
          .regex(/^[\w.-]+\.apps\.googleusercontent\.com$/, {
            error: 'must be a client ID like 1234-abc.apps.googleusercontent.com',
          }),
        client_secret: z
          .string()
          .trim()
          .min(1, { error: 'must not be empty' })
          .max(200)
          .refine((secret) => secret !== '****', {
            error: 'is the mask the appliance shows: send the secret itself',
          }),
      })
      .nullable(),
    mask: true,
  },
  // The venue website's outputs (issue 17, src/website/): all off until turned on.
  'website.live_picture': {
    label: 'The website live picture',
    schema: LivePictureSchema.nullable(),
    mask: false,
  },
  'website.push': { label: 'The website picture push', schema: PushSchema.nullable(), mask: false },
  /** Write-only: sealed at rest, masked on every read. */
  'website.push_credentials': {
    label: 'The picture push credentials',
    schema: PushCredentialsSchema.nullable(),
    mask: true,
  },
  'website.player': { label: 'The embeddable player', schema: PlayerSchema.nullable(), mask: false },
  /** Issue 17, the daily time-lapse: on/off (off by default), interval, fps, size, hours. */
  'timelapse.settings': {
    label: 'The time lapse configuration',
    schema: TimelapseSettingsSchema.nullable(),
    mask: false,
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS = Object.keys(SETTINGS) as [SettingKey, ...SettingKey[]];

export function isSettingKey(value: string): value is SettingKey {
  return Object.hasOwn(SETTINGS, value);
}

/** How a person names a setting: "The alert webhook address". */
export function settingLabel(key: SettingKey): string {
  return SETTINGS[key].label;
}

/** The sentence for a value that is refused: "The alert webhook address is not valid: must be …". */
export function settingInvalidMessage(key: SettingKey, firstIssue: string | undefined): string {
  return `${settingLabel(key)} is not valid${firstIssue ? `: ${firstIssue}` : ''}`;
}

/**
 * Validates a value for a setting. Beside each schema's own messages, the mistakes only a script
 * makes (a value of the wrong type, a field too many) are worded too, not zod's defaults.
 */
export function parseSetting(key: SettingKey, value: unknown) {
  return SETTINGS[key].schema.safeParse(value, {
    error: (issue) => {
      if (issue.code === 'invalid_type') {
        if (issue.input === undefined) return 'is missing (send null to remove the setting)';
        return issue.expected === 'object'
          ? 'must be an object like {"url": "https://…", "enabled": true}'
          : `must be ${issue.expected === 'string' ? 'text' : `a ${issue.expected}`} or null`;
      }
      if (issue.code === 'unrecognized_keys')
        return `has a field this setting does not take (${issue.keys.join(', ')})`;
      return undefined;
    },
  });
}

/** The preset a show is encoded with: the chosen one, or null for the profile's own. */
export function chosenEncoderPreset(stored: unknown): EncoderPreset | null {
  return typeof stored === 'string' && (ENCODER_PRESETS as readonly string[]).includes(stored)
    ? (stored as EncoderPreset)
    : null;
}
