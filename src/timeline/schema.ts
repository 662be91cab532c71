// The timeline schema: one source of truth for the server, the store's import/export and the web UI.
// A timeline document is `{ "timeline": { ... } }`, exactly as in the product spec.
import { z } from 'zod';

export const NAMED_POSITIONS = ['top_left', 'top_right', 'bottom_left', 'bottom_right', 'center'] as const;
export const TRANSITIONS = ['cut', 'fade', 'dissolve'] as const;
export const OVERLAY_TYPES = ['lower_third', 'logo', 'text', 'image', 'dynamic_text'] as const;
export const VIDEO_ACTIONS = ['show_camera', 'show_media'] as const;
/**
 * What a video cue's own sound does while the audio bed plays: 'duck' keeps it and lowers the bed
 * under it while it has sound; 'replace' drops it, so the bed plays alone.
 */
export const SOURCE_AUDIO_MODES = ['duck', 'replace'] as const;
export type SourceAudioMode = (typeof SOURCE_AUDIO_MODES)[number];

/** Seconds a fade or dissolve lasts when the cue names the transition but no duration. */
export const DEFAULT_TRANSITION_SECONDS = 1;
/** Longest timeline accepted: one week (a 24/7 show loops a shorter one). */
export const MAX_TIMELINE_SECONDS = 7 * 24 * 3600;

const id = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' })
  .regex(/^[A-Za-z0-9_.:-]+$/, { error: 'may only contain letters, digits, and _ . : -' });

const seconds = z.number({ error: 'must be a number of seconds' }).finite();
const nonNegativeSeconds = seconds.min(0, { error: 'must not be negative' });
const positiveSeconds = seconds.gt(0, { error: 'must be greater than 0' });

const cameraId = z
  .number({ error: 'must be a camera id (a positive whole number)' })
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be a positive camera id' });

const assetId = z
  .number({ error: 'must be an asset id (a positive whole number)' })
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be a positive asset id' });

/** A local asset path (/assets/...) or an http(s) URL. */
const mediaUrl = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(2000, { error: 'must be at most 2000 characters' })
  .refine((value) => value.startsWith('/') || /^https?:\/\//.test(value), {
    error: 'must be an asset path starting with / or an http(s) URL',
  });

const color = z.string().regex(/^(#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?|transparent)$/, {
  error: 'must be a colour like #RRGGBB, #RRGGBBAA or "transparent"',
});

const unitInterval = z
  .number({ error: 'must be a number from 0 to 1' })
  .min(0, { error: 'must be from 0 to 1' })
  .max(1, { error: 'must be from 0 to 1' });

export const PositionSchema = z.union(
  [
    z.enum(NAMED_POSITIONS),
    z.strictObject({
      x: z
        .number()
        .int({ error: 'must be a whole number of pixels' })
        .min(0, { error: 'must not be negative' }),
      y: z
        .number()
        .int({ error: 'must be a whole number of pixels' })
        .min(0, { error: 'must not be negative' }),
    }),
  ],
  { error: `must be one of ${NAMED_POSITIONS.join(', ')} or {"x": pixels, "y": pixels}` },
);
export type Position = z.infer<typeof PositionSchema>;

const sourceAudio = z
  .enum(SOURCE_AUDIO_MODES, { error: 'must be "duck" (the bed under this source’s sound) or "replace"' })
  .optional();

const decibels = (min: number, max: number) =>
  z
    .number({ error: 'must be a number of decibels' })
    .finite()
    .min(min, { error: `must be from ${min} to ${max} dB` })
    .max(max, { error: `must be from ${min} to ${max} dB` });

const transitionFields = {
  transition: z.enum(TRANSITIONS, { error: `must be one of ${TRANSITIONS.join(', ')}` }).default('cut'),
  transition_duration: nonNegativeSeconds.max(60, { error: 'must be at most 60 seconds' }).optional(),
};

/** Fills the transition duration (0 for a cut, 1 s for fade/dissolve) so the canonical form is explicit. */
function withTransitionDefaults<
  T extends { transition: (typeof TRANSITIONS)[number]; transition_duration?: number },
>(params: T): T & { transition_duration: number } {
  const fallback = params.transition === 'cut' ? 0 : DEFAULT_TRANSITION_SECONDS;
  return { ...params, transition_duration: params.transition_duration ?? fallback };
}

export const ShowCameraParamsSchema = z
  .strictObject({
    camera_id: cameraId,
    preset_id: z
      .union([id, z.number().int().positive()], { error: 'must be a preset name or number' })
      .optional(),
    ...transitionFields,
    /** This cue's sound under the audio bed; left out: the audio track's source_audio. */
    source_audio: sourceAudio,
  })
  .superRefine((params, ctx) => {
    if (params.transition === 'cut' && (params.transition_duration ?? 0) > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['transition_duration'],
        message: 'a cut has no duration; use "fade" or "dissolve" for a timed transition',
      });
    }
  })
  .transform(withTransitionDefaults);
export type ShowCameraParams = z.output<typeof ShowCameraParamsSchema>;

export const MEDIA_TYPES = ['image', 'video'] as const;
const IMAGE_EXTENSIONS = /\.(png|jpe?g|webp|gif|bmp)$/i;

export const ShowMediaParamsSchema = z
  .strictObject({
    asset_id: assetId.optional(),
    media_url: mediaUrl.optional(),
    media_type: z.enum(MEDIA_TYPES, { error: 'must be "image" or "video"' }).optional(),
    /** For a video: play it in a loop for the cue's length (true) or once, then hold the last frame. */
    loop: z.boolean({ error: 'must be true or false' }).default(true),
    ...transitionFields,
    /** This cue's sound under the audio bed; left out: the audio track's source_audio. */
    source_audio: sourceAudio,
  })
  .superRefine((params, ctx) => {
    if ((params.asset_id === undefined) === (params.media_url === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of "asset_id" or "media_url"' });
    }
    if (params.transition === 'cut' && (params.transition_duration ?? 0) > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['transition_duration'],
        message: 'a cut has no duration; use "fade" or "dissolve" for a timed transition',
      });
    }
  })
  .transform((params) => {
    const inferred =
      params.media_type ??
      (params.media_url !== undefined && IMAGE_EXTENSIONS.test(params.media_url) ? 'image' : 'video');
    return withTransitionDefaults({ ...params, media_type: inferred });
  });
export type ShowMediaParams = z.output<typeof ShowMediaParamsSchema>;

const overlayCommon = {
  position: PositionSchema.optional(),
  opacity: unitInterval.default(1),
  scale: z
    .number({ error: 'must be a number' })
    .gt(0, { error: 'must be greater than 0' })
    .max(10)
    .default(1),
  fade_in: nonNegativeSeconds.default(0),
  fade_out: nonNegativeSeconds.default(0),
};

const textStyle = {
  font_size: z
    .number({ error: 'must be a font size in pixels' })
    .int({ error: 'must be a whole number' })
    .min(6, { error: 'must be at least 6' })
    .max(400, { error: 'must be at most 400' })
    .optional(),
  color: color.default('#FFFFFF'),
  background: color.optional(),
};

const imageSource = {
  image_url: mediaUrl.optional(),
  asset_id: assetId.optional(),
};

function requireOneImage(
  params: { image_url?: string | undefined; asset_id?: number | undefined },
  ctx: z.RefinementCtx,
) {
  if ((params.image_url === undefined) === (params.asset_id === undefined)) {
    ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of "image_url" or "asset_id"' });
  }
}

const text = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(500, { error: 'must be at most 500 characters' });

export const TextOverlaySchema = z.strictObject({
  type: z.literal('text'),
  text,
  ...textStyle,
  ...overlayCommon,
});
export const LowerThirdOverlaySchema = z.strictObject({
  type: z.literal('lower_third'),
  text,
  subtitle: text.optional(),
  /** Optional pre-designed background image; without one a plain bar is drawn. */
  ...imageSource,
  ...textStyle,
  ...overlayCommon,
});
export const LogoOverlaySchema = z
  .strictObject({ type: z.literal('logo'), ...imageSource, ...overlayCommon })
  .superRefine(requireOneImage);
export const ImageOverlaySchema = z
  .strictObject({ type: z.literal('image'), ...imageSource, ...overlayCommon })
  .superRefine(requireOneImage);
export const DynamicTextOverlaySchema = z.strictObject({
  type: z.literal('dynamic_text'),
  /** Text with placeholders: {time}, {date}, and {field} from the JSON at data_url. */
  template: text,
  data_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  poll_interval: seconds.min(1, { error: 'must be at least 1 second' }).max(86400).default(30),
  ...textStyle,
  ...overlayCommon,
});

export const OverlayParamsSchema = z.discriminatedUnion(
  'type',
  [
    TextOverlaySchema,
    LowerThirdOverlaySchema,
    LogoOverlaySchema,
    ImageOverlaySchema,
    DynamicTextOverlaySchema,
  ],
  { error: `must be one of ${OVERLAY_TYPES.join(', ')}` },
);
export type OverlayParams = z.output<typeof OverlayParamsSchema>;
export type OverlayType = OverlayParams['type'];

/** A cue that plays again every `every` seconds from its start, until `until` (default: the timeline's end). */
export const RepeatSchema = z.strictObject({
  every: positiveSeconds,
  until: positiveSeconds.optional(),
});
export type Repeat = z.output<typeof RepeatSchema>;

const cueBase = {
  id,
  start_time: nonNegativeSeconds,
  duration: positiveSeconds,
  repeat: RepeatSchema.optional(),
};

export const ShowCameraCueSchema = z.strictObject({
  ...cueBase,
  action: z.literal('show_camera'),
  params: ShowCameraParamsSchema,
});
export const ShowMediaCueSchema = z.strictObject({
  ...cueBase,
  action: z.literal('show_media'),
  params: ShowMediaParamsSchema,
});
export const VideoCueSchema = z.discriminatedUnion('action', [ShowCameraCueSchema, ShowMediaCueSchema], {
  error: `must be one of ${VIDEO_ACTIONS.join(', ')} (on the video track)`,
});
export type VideoCue = z.output<typeof VideoCueSchema>;

export const OverlayCueSchema = z.strictObject({
  ...cueBase,
  action: z.literal('show_overlay', { error: 'must be "show_overlay" (on an overlay track)' }),
  params: OverlayParamsSchema,
});
export type OverlayCue = z.output<typeof OverlayCueSchema>;

export const VideoTrackSchema = z.strictObject({
  track_id: id,
  type: z.literal('video', { error: 'must be "video"' }),
  name: z.string().max(50).optional(),
  cues: z.array(VideoCueSchema, { error: 'must be a list of cues' }),
});
export type VideoTrack = z.output<typeof VideoTrackSchema>;

export const OverlayTrackSchema = z.strictObject({
  track_id: id,
  type: z.literal('overlay', { error: 'must be "overlay"' }),
  name: z.string().max(50).optional(),
  layer: z
    .number({ error: 'must be a layer number (1 = bottom)' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1 (1 = bottom)' })
    .max(100, { error: 'must be at most 100' }),
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  cues: z.array(OverlayCueSchema, { error: 'must be a list of cues' }),
});
export type OverlayTrack = z.output<typeof OverlayTrackSchema>;

/**
 * One stretch of the audio bed: uploaded audio assets played in order (a playlist), from the
 * cue's start for its length, at a volume, faded in and out. The bed runs on the program clock,
 * so it carries on across video cues and transitions.
 */
export const PlayAudioParamsSchema = z.strictObject({
  asset_ids: z
    .array(assetId, { error: 'must be a list of audio asset ids' })
    .min(1, { error: 'must name at least one audio asset' })
    .max(200, { error: 'must be at most 200 assets' }),
  /** Start the playlist again when it ends before the cue does (false: silence after it). */
  loop: z.boolean({ error: 'must be true or false' }).default(true),
  volume_db: decibels(-40, 12).default(0),
  fade_in: nonNegativeSeconds.max(60, { error: 'must be at most 60 seconds' }).default(2),
  fade_out: nonNegativeSeconds.max(60, { error: 'must be at most 60 seconds' }).default(2),
});
export type PlayAudioParams = z.output<typeof PlayAudioParamsSchema>;

export const AudioCueSchema = z.strictObject({
  ...cueBase,
  action: z.literal('play_audio', { error: 'must be "play_audio" (on the audio track)' }),
  params: PlayAudioParamsSchema,
});
export type AudioCue = z.output<typeof AudioCueSchema>;

/** The show's audio bed: music or ambience mixed with (or instead of) the cameras' sound. */
export const AudioTrackSchema = z.strictObject({
  track_id: id,
  type: z.literal('audio', { error: 'must be "audio"' }),
  name: z.string().max(50).optional(),
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  /** What the sources' own sound does while the bed plays (a video cue may say otherwise). */
  source_audio: z
    .enum(SOURCE_AUDIO_MODES, { error: 'must be "duck" (the bed under the sources’ sound) or "replace"' })
    .default('duck'),
  /** How far the bed drops while a ducking source has sound. */
  duck_db: decibels(0, 40).default(12),
  cues: z.array(AudioCueSchema, { error: 'must be a list of cues' }),
});
export type AudioTrack = z.output<typeof AudioTrackSchema>;

export const FallbackSchema = z.strictObject({
  test_pattern: mediaUrl.optional(),
  backup_camera_id: cameraId.optional(),
});
export type Fallback = z.output<typeof FallbackSchema>;

const RESOLUTION = /^(\d{1,9})x(\d{1,9})$/;
/** Frame sizes the engine encodes: 4:2:0 chroma needs even sides; 4K UHD is the largest. */
export const MIN_FRAME_SIDE = 16;
export const MAX_FRAME_WIDTH = 3840;
export const MAX_FRAME_HEIGHT = 2160;

export const TimelineBodySchema = z.strictObject({
  id: id.optional(),
  name: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters' }),
  description: z.string().max(2000, { error: 'must be at most 2000 characters' }).optional(),
  duration: positiveSeconds.max(MAX_TIMELINE_SECONDS, { error: 'must be at most one week (604800 seconds)' }),
  fps: z
    .number({ error: 'must be frames per second (a whole number)' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be from 1 to 60' })
    .max(60, { error: 'must be from 1 to 60' })
    .default(30),
  resolution: z
    .string({ error: 'must be WIDTHxHEIGHT in pixels, like 1920x1080' })
    // abort: the size check below reads the numbers only from a well-formed value.
    .regex(RESOLUTION, { error: 'must be WIDTHxHEIGHT in pixels, like 1920x1080', abort: true })
    .refine(
      (value) => {
        const [w, h] = parseResolution(value);
        return (
          w % 2 === 0 &&
          h % 2 === 0 &&
          w >= MIN_FRAME_SIDE &&
          h >= MIN_FRAME_SIDE &&
          w <= MAX_FRAME_WIDTH &&
          h <= MAX_FRAME_HEIGHT
        );
      },
      {
        error: `width and height must be even, from ${MIN_FRAME_SIDE}x${MIN_FRAME_SIDE} up to ${MAX_FRAME_WIDTH}x${MAX_FRAME_HEIGHT}`,
      },
    )
    .default('1920x1080'),
  loop: z.boolean({ error: 'must be true or false' }).default(false),
  tracks: z.strictObject({
    video: VideoTrackSchema,
    overlays: z.array(OverlayTrackSchema, { error: 'must be a list of overlay tracks' }).default([]),
    /** The audio bed; left out: the program's sound is the sources' own. */
    audio: AudioTrackSchema.optional(),
  }),
  fallback: FallbackSchema.optional(),
});
export type Timeline = z.output<typeof TimelineBodySchema>;
/** What an author may write: defaults may be left out. */
export type TimelineInput = z.input<typeof TimelineBodySchema>;

export const TimelineDocumentSchema = z.strictObject({ timeline: TimelineBodySchema });
export type TimelineDocument = z.output<typeof TimelineDocumentSchema>;

export function parseResolution(resolution: string): [width: number, height: number] {
  const match = RESOLUTION.exec(resolution);
  if (!match) throw new Error(`not a resolution: ${resolution}`);
  return [Number(match[1]), Number(match[2])];
}
