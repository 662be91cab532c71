// ffmpeg argv is data: every process the engine starts gets its arguments from a pure builder here.
// The builders return string[] (argv[0] not included) for spawn() without a shell; golden tests in
// test/unit/ffmpeg/argv.test.ts pin them down.
//
// Engine conventions (DESIGN.md §2):
// - program frames are raw yuv420p at the program size and fps; audio is s16le 48 kHz stereo;
// - decoders write raw video to fd 1 (pipe:1) and PCM to fd 3 (pipe:3);
// - the encoder reads raw video on fd 0 and PCM on fd 3 and writes FLV to fd 1;
// - publishers / preview / recorder read that FLV on fd 0 and only remux (-c copy).

import { posix as path } from 'node:path';
import { MAX_IMAGE_PIXELS } from '../domain/picture-limits.ts';
import type { Platform } from './platforms.ts';

export const FFMPEG_BIN = 'ffmpeg';
export const FFPROBE_BIN = 'ffprobe';

/** Program audio format, shared by every decoder and the encoder. */
export const AUDIO_SAMPLE_RATE = 48000;
export const AUDIO_CHANNELS = 2;
export const AUDIO_BYTES_PER_SAMPLE = 2;

/** Bytes of one raw yuv420p frame. */
export function yuv420pFrameBytes(width: number, height: number): number {
  return width * height + 2 * ((width / 2) * (height / 2));
}

export type RtspTransport = 'tcp' | 'udp';
export type EncodingProfile = 'reliability' | 'quality';
export type VideoEncoder =
  'libx264' | 'h264_v4l2m2m' | 'h264_vaapi' | 'h264_qsv' | 'h264_nvenc' | 'h264_videotoolbox';

export const VIDEO_ENCODERS: readonly VideoEncoder[] = [
  'libx264',
  'h264_v4l2m2m',
  'h264_vaapi',
  'h264_qsv',
  'h264_nvenc',
  'h264_videotoolbox',
];

/** Log with a [level] tag on each line so the stderr parser can tell errors from chatter. */
const COMMON = ['-hide_banner', '-nostdin', '-loglevel', 'level+info'];
/** The program audio between Node and ffmpeg: raw 16-bit stereo PCM at 48 kHz. */
const PCM_FORMAT = ['-f', 's16le', '-ar', String(AUDIO_SAMPLE_RATE), '-ac', String(AUDIO_CHANNELS)];

// ---------------------------------------------------------------------------------------------
// validation and formatting helpers

function assertSize(width: number, height: number): void {
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0 || v % 2 !== 0) {
      throw new RangeError(`${name} must be a positive even integer (yuv420p), got ${v}`);
    }
  }
}

function assertFps(fps: number): void {
  if (!Number.isFinite(fps) || fps <= 0 || fps > 240) {
    throw new RangeError(`fps must be a number in (0, 240], got ${fps}`);
  }
}

function assertPositive(name: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be > 0, got ${v}`);
}

/**
 * -force_key_frames for a keyframe on the first frame whose program time enters a new period of
 * `seconds` (the first frame of a run is a keyframe anyway), so every run of the encoder keys the
 * same frames. ffmpeg measures `t` from the run's first frame: `origin` (s) is that frame's
 * program time, which makes t + origin program time.
 */
export function keyframeExpression(seconds: number, origin = 0): string {
  const at = (v: string) => (origin === 0 ? v : `(${v}+${num(origin)})`);
  return `expr:if(isnan(prev_forced_t),1,gte(floor(${at('t')}/${num(seconds)}),floor(${at('prev_forced_t')}/${num(seconds)})+1))`;
}

/** A number as ffmpeg wants it: "30", "29.97", never "3e1". */
export function num(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toFixed(6)));
}

const NTSC_RATES: readonly (readonly [number, string])[] = [
  [24000 / 1001, '24000/1001'],
  [30000 / 1001, '30000/1001'],
  [60000 / 1001, '60000/1001'],
];

/** A frame rate for ffmpeg: 29.97 becomes the exact "30000/1001" (likewise 23.976, 59.94). */
export function rate(fps: number): string {
  for (const [value, text] of NTSC_RATES) if (Math.abs(fps - value) < 0.005) return text;
  return num(fps);
}

function micros(seconds: number): string {
  return String(Math.round(seconds * 1_000_000));
}

/** The URL scheme in lower case ("rtsp", "rtmps", "http", ...), or "file" for a plain path. */
export function urlScheme(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  return m ? m[1]!.toLowerCase() : 'file';
}

/**
 * Scale keeping aspect ratio, pad (black, centred) to exactly the program size, square pixels,
 * constant frame rate. fps first so that a 60 fps camera is not scaled twice as often as needed.
 */
export function fitVideoFilter(width: number, height: number, fps: number | null): string {
  return [
    ...(fps === null ? [] : [`fps=${rate(fps)}`]),
    `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`,
    'setsar=1',
    'format=yuv420p',
  ].join(',');
}

function rawVideoOut(width: number, height: number, fps: number, durationSeconds?: number): string[] {
  return [
    '-map',
    '0:v:0',
    '-vf',
    fitVideoFilter(width, height, fps),
    ...durationArgs(durationSeconds),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    'pipe:1',
  ];
}

/** PCM s16le 48 kHz stereo to fd 3; aresample async keeps it on the input timestamps. */
function pcmOut(map: string, durationSeconds?: number): string[] {
  return ['-map', map, '-af', 'aresample=async=1', ...durationArgs(durationSeconds), ...PCM_FORMAT, 'pipe:3'];
}

function durationArgs(durationSeconds: number | undefined): string[] {
  if (durationSeconds === undefined) return [];
  assertPositive('durationSeconds', durationSeconds);
  return ['-t', num(durationSeconds)];
}

// ---------------------------------------------------------------------------------------------
// decoders

export interface CameraDecoderOptions {
  url: string;
  width: number;
  height: number;
  fps: number;
  /** RTSP only; default tcp (UDP loses packets on busy venue networks). */
  transport?: RtspTransport;
  /** Socket I/O timeout. A stalled RTSP source exits after ~4x this; Node also watches frame age. */
  timeoutSeconds: number;
  /**
   * Map the first audio stream to fd 3 (default true). ffmpeg refuses an output with no stream,
   * so for a camera known (probe) to have no audio pass false and feed silence in Node; a camera
   * that lost its audio exits with error kind 'no_output_stream'.
   */
  audio?: boolean;
  /**
   * Upper bound on stream analysis at connect (default 2 s; ffmpeg's own is 5 s). Shorter connects
   * faster; it must still cover the camera's keyframe interval for sources without SDP (HLS/TS).
   */
  analyzeSeconds?: number;
}

/** Input options for a network (or file) source, by URL scheme. */
export function networkInputArgs(url: string, timeoutSeconds: number, transport: RtspTransport): string[] {
  assertPositive('timeoutSeconds', timeoutSeconds);
  const scheme = urlScheme(url);
  switch (scheme) {
    case 'rtsp':
    case 'rtsps':
      // RTSP's own -timeout is the socket I/O timeout (microseconds); -rw_timeout is not honoured.
      return ['-rtsp_transport', transport, '-timeout', micros(timeoutSeconds)];
    case 'file':
      return [];
    default:
      // rtmp(s), http(s)/hls, srt, udp, tcp...: the generic protocol read/write timeout.
      return ['-rw_timeout', micros(timeoutSeconds)];
  }
}

export function cameraDecoderArgs(o: CameraDecoderOptions): string[] {
  assertSize(o.width, o.height);
  assertFps(o.fps);
  const audio = o.audio ?? true;
  return [
    ...COMMON,
    // Drop corrupt packets instead of decoding garbage. Not `nobuffer`: it throws away the packets
    // read while probing the stream, the first keyframe among them, so the first picture waits
    // for the next one (1.2 s more to a camera's first frame, measured at every start and
    // reconnect). The backlog probing leaves is drained at once: the source keeps its newest frame.
    // (-flags low_delay is NOT used: it breaks streams that carry B-frames.)
    '-fflags',
    'discardcorrupt',
    '-analyzeduration',
    micros(o.analyzeSeconds ?? 2),
    ...networkInputArgs(o.url, o.timeoutSeconds, o.transport ?? 'tcp'),
    '-i',
    o.url,
    ...rawVideoOut(o.width, o.height, o.fps),
    ...(audio ? pcmOut('0:a:0?') : []),
  ];
}

export interface MediaDecoderOptions {
  path: string;
  kind: 'image' | 'video';
  /** image: repeat the still forever (false: one frame, the caller holds it); video: loop the file. */
  loop: boolean;
  width: number;
  height: number;
  fps: number;
  /** Pace at native speed (-re); false decodes as fast as the reader drains. */
  realtime: boolean;
  /** Video files only: map the first audio stream to fd 3 (default true; pass the probe's hasAudio). */
  audio?: boolean;
}

/**
 * H.264 as an IP camera sends it, for the streams that stand in for cameras (the capacity trial's,
 * the test clips): High profile without B-frames, about `bitrateKbps`, a keyframe every `gop`
 * frames. superfast only sets how long making it takes: it keeps CABAC, deblocking and 8×8
 * transforms, so decoding it costs what decoding a camera does.
 */
export function cameraLikeH264Args(bitrateKbps: number, gop: number): string[] {
  const kbps = `${Math.round(bitrateKbps)}k`;
  const keyint = String(Math.max(1, Math.round(gop)));
  return [
    '-c:v',
    'libx264',
    '-preset',
    'superfast',
    '-profile:v',
    'high',
    '-bf',
    '0',
    '-b:v',
    kbps,
    '-maxrate',
    kbps,
    '-bufsize',
    kbps,
    '-g',
    keyint,
    '-keyint_min',
    keyint,
    '-sc_threshold',
    '0',
  ];
}

/** A media file's decoder refuses a picture over the appliance's limit, whatever its header says
 *  (a file in the media folder is not checked on upload). */
const PIXEL_LIMIT = ['-max_pixels', String(MAX_IMAGE_PIXELS)];

export function mediaDecoderArgs(o: MediaDecoderOptions): string[] {
  assertSize(o.width, o.height);
  assertFps(o.fps);
  const pace = o.realtime ? ['-re'] : [];
  if (o.kind === 'image') {
    return [
      ...COMMON,
      ...pace,
      ...(o.loop ? ['-loop', '1'] : []),
      '-framerate',
      rate(o.fps),
      ...PIXEL_LIMIT,
      '-i',
      o.path,
      ...rawVideoOut(o.width, o.height, o.fps),
    ];
  }
  const audio = o.audio ?? true;
  return [
    ...COMMON,
    ...pace,
    ...(o.loop ? ['-stream_loop', '-1'] : []),
    ...PIXEL_LIMIT,
    '-i',
    o.path,
    ...rawVideoOut(o.width, o.height, o.fps),
    ...(audio ? pcmOut('0:a:0?') : []),
  ];
}

export interface AudioFileDecoderOptions {
  /** An uploaded audio asset (or any file with an audio stream). */
  path: string;
}

/**
 * The audio bed's decoder: one audio file as PCM in the program's format on stdout, as fast as
 * the reader drains it (the bed player pauses the pipe, so it runs only a few seconds ahead).
 * A file without an audio stream fails (no `?` on the map): the player skips to the next file.
 */
export function audioFileDecoderArgs(o: AudioFileDecoderOptions): string[] {
  return [...COMMON, '-vn', '-sn', '-dn', '-i', o.path, '-map', '0:a:0', ...PCM_FORMAT, 'pipe:1'];
}

export type SlatePattern = 'smptehdbars' | 'testsrc2' | 'black';

export interface SlateDecoderOptions {
  width: number;
  height: number;
  fps: number;
  pattern?: SlatePattern;
  /** 'silence' (default) or a 1 kHz tone at -20 dBFS (line-up tone). */
  audio?: 'silence' | 'tone';
  /** Optional caption, drawn centred near the bottom. */
  text?: string;
  /** Default true: paced at the frame rate like a live source. */
  realtime?: boolean;
  /** Stop after this many seconds (tests); default: run forever. */
  durationSeconds?: number;
}

/**
 * Escapes a value for a filter option inside a filtergraph given as one argv element (no shell):
 * level 1 (option value) then level 2 (filtergraph description), per ffmpeg-filters "Notes on
 * filtergraph escaping".
 */
export function escapeFilterValue(value: string): string {
  const level1 = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return level1.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** A generated card's lavfi source and filter chain (pattern, caption, yuv420p). */
function cardVideo(o: {
  width: number;
  height: number;
  fps: number;
  pattern?: SlatePattern;
  text?: string;
}): {
  source: string;
  filter: string;
} {
  const pattern = o.pattern ?? 'smptehdbars';
  const size = `${o.width}x${o.height}`;
  const source =
    pattern === 'black'
      ? `color=c=black:size=${size}:rate=${rate(o.fps)}`
      : `${pattern}=size=${size}:rate=${rate(o.fps)}`;
  const filters = [`format=yuv420p`];
  if (o.text !== undefined && o.text !== '') {
    const fontSize = Math.max(12, Math.round(o.height / 18));
    filters.push(
      `drawtext=font=Sans:expansion=none:text=${escapeFilterValue(o.text)}` +
        `:fontsize=${fontSize}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=${Math.round(fontSize / 3)}` +
        `:x=(w-text_w)/2:y=h-text_h-${Math.round(o.height / 12)}`,
    );
  }
  return { source, filter: filters.join(',') };
}

export function slateDecoderArgs(o: SlateDecoderOptions): string[] {
  assertSize(o.width, o.height);
  assertFps(o.fps);
  const card = cardVideo(o);
  const video = card.source;
  const audio =
    (o.audio ?? 'silence') === 'tone'
      ? `sine=frequency=1000:sample_rate=${AUDIO_SAMPLE_RATE}`
      : `anullsrc=channel_layout=stereo:sample_rate=${AUDIO_SAMPLE_RATE}`;
  const pace = (o.realtime ?? true) ? ['-re'] : [];
  const tone = (o.audio ?? 'silence') === 'tone' ? ['-af', 'volume=-20dB'] : [];
  return [
    ...COMMON,
    ...pace,
    '-f',
    'lavfi',
    '-i',
    video,
    ...pace,
    '-f',
    'lavfi',
    '-i',
    audio,
    '-map',
    '0:v:0',
    '-vf',
    card.filter,
    ...durationArgs(o.durationSeconds),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    'pipe:1',
    '-map',
    '1:a:0',
    ...tone,
    ...durationArgs(o.durationSeconds),
    ...PCM_FORMAT,
    'pipe:3',
  ];
}

export interface StillPictureOptions {
  width: number;
  height: number;
  /** An image file, scaled and padded to the size like any source… */
  image?: string;
  /** …or a generated card (the built-in slate): a pattern with an optional caption. */
  card?: { pattern: SlatePattern; text?: string };
}

/**
 * Exactly one raw yuv420p picture on pipe:1, then exit (the slate: a still needs no process
 * running, the engine keeps the picture).
 */
export function stillPictureArgs(o: StillPictureOptions): string[] {
  assertSize(o.width, o.height);
  const one = ['-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'];
  if (o.image !== undefined) {
    return [
      ...COMMON,
      ...PIXEL_LIMIT,
      '-i',
      o.image,
      '-map',
      '0:v:0',
      '-vf',
      fitVideoFilter(o.width, o.height, null),
      ...one,
    ];
  }
  const card = cardVideo({ width: o.width, height: o.height, fps: 1, ...(o.card ?? {}) });
  return [...COMMON, '-f', 'lavfi', '-i', card.source, '-map', '0:v:0', '-vf', card.filter, ...one];
}

// ---------------------------------------------------------------------------------------------
// encoder

export interface ProfileSettings {
  bitrateKbps: number;
  /** CBR: maxrate = minrate = bitrate with HRD; VBR: capped at maxrateKbps. */
  rateControl: 'cbr' | 'vbr';
  maxrateKbps: number;
  bufsizeKbps: number;
  keyframeSeconds: number;
  preset: string;
  h264Profile: 'main' | 'high';
  /** "4.1" */
  level: string;
  audioBitrateKbps: number;
}

/** The spec's encoding profiles ("Encoding Profiles"). */
export function profileSettings(profile: EncodingProfile, bitrateKbps?: number): ProfileSettings {
  if (bitrateKbps !== undefined) assertPositive('bitrateKbps', bitrateKbps);
  if (profile === 'reliability') {
    const b = Math.round(bitrateKbps ?? 4500);
    return {
      bitrateKbps: b,
      rateControl: 'cbr',
      maxrateKbps: b,
      bufsizeKbps: 2 * b,
      keyframeSeconds: 2,
      preset: 'fast',
      h264Profile: 'main',
      level: '4.1',
      audioBitrateKbps: 128,
    };
  }
  const b = Math.round(bitrateKbps ?? 6000);
  return {
    bitrateKbps: b,
    rateControl: 'vbr',
    maxrateKbps: Math.round((b * 4) / 3),
    bufsizeKbps: 2 * b,
    keyframeSeconds: 4,
    preset: 'medium',
    h264Profile: 'high',
    level: '4.2',
    audioBitrateKbps: 128,
  };
}

export interface VideoEncoderOptions {
  fps: number;
  profile: EncodingProfile;
  videoEncoder: VideoEncoder;
  bitrateKbps?: number;
  /** x264-style preset name (ultrafast..veryslow); mapped for qsv/nvenc, ignored by the others. */
  preset?: string;
  /** VAAPI render node; default /dev/dri/renderD128. */
  vaapiDevice?: string;
  /** Program time (s) of the first frame: keyframes then fall on the program-time grid. */
  keyframeOrigin?: number;
}

/** The parts of an encoder argv that depend on the video encoder. */
export interface VideoEncoderArgs {
  /** Global options before the inputs (hardware device setup). */
  global: string[];
  /** Filter chain to get from yuv420p system memory to what the encoder takes, if any. */
  filter: string | null;
  /** -c:v and its options, rate control and GOP. */
  codec: string[];
}

const NVENC_PRESETS: Record<string, string> = {
  ultrafast: 'p1',
  superfast: 'p1',
  veryfast: 'p2',
  faster: 'p3',
  fast: 'p3',
  medium: 'p4',
  slow: 'p5',
  slower: 'p6',
  veryslow: 'p7',
};

const X264_PRESETS = new Set(Object.keys(NVENC_PRESETS).concat('placebo'));

const H264_PROFILE_IDC = { main: '77', high: '100' } as const;

export function videoEncoderArgs(o: VideoEncoderOptions): VideoEncoderArgs {
  assertFps(o.fps);
  const s = profileSettings(o.profile, o.bitrateKbps);
  const preset = o.preset ?? s.preset;
  if (!X264_PRESETS.has(preset)) throw new RangeError(`unknown preset ${preset}`);
  const gop = String(Math.max(1, Math.round(o.fps * s.keyframeSeconds)));
  const levelIdc = String(Math.round(Number(s.level) * 10));
  const b = `${s.bitrateKbps}k`;
  const maxrate = `${s.maxrateKbps}k`;
  const bufsize = `${s.bufsizeKbps}k`;
  const cbr = s.rateControl === 'cbr';
  // Keyframes on the program-time grid (every keyframeSeconds of t, the frame's program time),
  // whatever the encoder does with -g: every run of the encoder keys the same ticks, so a new run
  // can take over from the old one at a keyframe both have.
  const forceKeys = ['-force_key_frames', keyframeExpression(s.keyframeSeconds, o.keyframeOrigin ?? 0)];
  // x264's own keyframe interval only as a safety net behind the forced grid.
  const maxGop = String(Math.max(1, Math.round(o.fps * s.keyframeSeconds * 2)));
  const rate = ['-b:v', b, '-maxrate', maxrate, '-bufsize', bufsize];

  switch (o.videoEncoder) {
    case 'libx264':
      return {
        global: [],
        filter: null,
        codec: [
          '-c:v',
          'libx264',
          '-preset',
          preset,
          '-profile:v',
          s.h264Profile,
          '-level:v',
          s.level,
          '-pix_fmt',
          'yuv420p',
          ...rate,
          ...(cbr ? ['-minrate', b] : []),
          '-g',
          maxGop,
          '-keyint_min',
          gop,
          '-sc_threshold',
          '0',
          ...forceKeys,
          // Headers in every keyframe: the recorder, the HLS preview and MPEG-TS outputs ignore a
          // new decoder configuration unless it is in-band (a size change by degraded mode).
          '-x264-params',
          cbr ? 'nal-hrd=cbr:repeat-headers=1' : 'repeat-headers=1',
        ],
      };
    case 'h264_v4l2m2m':
      // V4L2 mem2mem (e.g. Raspberry Pi 4): bitrate + GOP only; profile/level as numeric idc.
      return {
        global: [],
        filter: null,
        codec: [
          '-c:v',
          'h264_v4l2m2m',
          '-pix_fmt',
          'yuv420p',
          '-profile:v',
          H264_PROFILE_IDC[s.h264Profile],
          '-level',
          levelIdc,
          '-b:v',
          b,
          '-g',
          gop,
          ...forceKeys,
          '-num_capture_buffers',
          '16',
        ],
      };
    case 'h264_vaapi':
      return {
        global: ['-vaapi_device', o.vaapiDevice ?? '/dev/dri/renderD128'],
        filter: 'format=nv12,hwupload',
        codec: [
          '-c:v',
          'h264_vaapi',
          '-rc_mode',
          cbr ? 'CBR' : 'VBR',
          '-profile:v',
          s.h264Profile,
          '-level',
          levelIdc,
          ...rate,
          '-g',
          gop,
          '-keyint_min',
          gop,
          ...forceKeys,
        ],
      };
    case 'h264_qsv':
      // QSV picks CBR when maxrate == bitrate, VBR when maxrate > bitrate.
      return {
        global: [],
        filter: null,
        codec: [
          '-c:v',
          'h264_qsv',
          '-pix_fmt',
          'nv12',
          '-preset',
          preset === 'ultrafast' || preset === 'superfast' || preset === 'placebo' ? 'veryfast' : preset,
          '-profile:v',
          s.h264Profile,
          '-level',
          levelIdc,
          ...rate,
          '-look_ahead',
          '0',
          '-g',
          gop,
          '-keyint_min',
          gop,
          ...forceKeys,
        ],
      };
    case 'h264_nvenc':
      return {
        global: [],
        filter: null,
        codec: [
          '-c:v',
          'h264_nvenc',
          '-pix_fmt',
          'yuv420p',
          '-preset',
          NVENC_PRESETS[preset] ?? 'p4',
          '-tune',
          'll',
          '-profile:v',
          s.h264Profile,
          '-level',
          s.level,
          '-rc',
          cbr ? 'cbr' : 'vbr',
          ...rate,
          '-g',
          gop,
          '-no-scenecut',
          '1',
          '-forced-idr',
          '1',
          ...forceKeys,
        ],
      };
    case 'h264_videotoolbox':
      return {
        global: [],
        filter: null,
        codec: [
          '-c:v',
          'h264_videotoolbox',
          '-pix_fmt',
          'yuv420p',
          '-realtime',
          '1',
          '-allow_sw',
          '0',
          '-profile:v',
          s.h264Profile,
          '-level',
          s.level,
          ...rate,
          '-g',
          gop,
          ...forceKeys,
        ],
      };
  }
}

export interface ProgramEncoderOptions extends VideoEncoderOptions {
  /** The program's size: what the playout composites for this run. */
  width: number;
  height: number;
  /** The timeline's frame rate: NUT video pts count ticks at it (fps may be a fraction of it). */
  tickRate: number;
}

/**
 * The encoder: the program as NUT on stdin (raw yuv420p frames and s16le PCM, each with its
 * program timestamp; see nut.ts) → H.264 + AAC in FLV on stdout. Timestamps are kept as they are
 * (-copyts, frames passed through as they come): program time is wall-clock time, and a tick the
 * playout could not deliver is a gap of the right length, never a squeeze.
 */
export function programEncoderArgs(o: ProgramEncoderOptions): string[] {
  assertSize(o.width, o.height);
  assertFps(o.fps);
  assertFps(o.tickRate);
  const v = videoEncoderArgs(o);
  const s = profileSettings(o.profile, o.bitrateKbps);
  return [
    ...COMMON,
    ...v.global,
    // The NUT header describes both streams exactly: nothing to probe, so the first frame is
    // encoded as soon as it arrives.
    '-probesize',
    '32',
    '-analyzeduration',
    '0',
    '-f',
    'nut',
    '-i',
    'pipe:0',
    '-map',
    '0:v:0',
    '-map',
    '0:a:0',
    '-copyts',
    '-fps_mode',
    'passthrough',
    ...(v.filter !== null ? ['-vf', v.filter] : []),
    ...v.codec,
    '-c:a',
    'aac',
    '-b:a',
    `${s.audioBitrateKbps}k`,
    '-ar',
    String(AUDIO_SAMPLE_RATE),
    '-ac',
    String(AUDIO_CHANNELS),
    '-f',
    'flv',
    '-flvflags',
    'no_duration_filesize',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

// ---------------------------------------------------------------------------------------------
// FLV consumers: publisher, HLS preview, recorder

// The frame rate comes from onMetaData: without -fpsprobesize 0 a consumer that joins early in a
// GOP (few cached frames) waits for live frames to count them, up to a second before it connects.
// live_flv is the same reader marked "timestamps may be discontinuous": ffmpeg then absorbs a
// jump (the 32-bit FLV timestamp wrapping after 49.7 days of program) instead of refusing
// packets that go back.
const FLV_IN = ['-fpsprobesize', '0', '-f', 'live_flv', '-i', 'pipe:0'];

/** How often an FLV consumer reports progress on fd 1, in seconds. */
export const PROGRESS_PERIOD_SECONDS = 0.5;

/**
 * Machine-readable progress (key=value blocks, total_size = bytes out) on fd 1 for the owner's
 * live/stall detection; no human stats line on stderr, so its tail keeps the actual errors.
 */
const PROGRESS_OUT = ['-nostats', '-progress', 'pipe:1', '-stats_period', num(PROGRESS_PERIOD_SECONDS)];

/**
 * Video and (if present) audio only. A consumer that joins mid-stream starts with the GOP cache,
 * whose onMetaData tag carries the keyframe's timestamp; ffmpeg 5.1's FLV demuxer turns an
 * onMetaData at dts ≠ 0 into a one-packet "Subtitle: text" stream. With `-map 0` that stream is
 * copied too and the muxer holds every media packet waiting for it (up to 10 s), so a
 * reconnected destination got headers at once and media only in late bursts.
 */
const FLV_MAP = ['-map', '0:v', '-map', '0:a?'];

export interface PublisherOptions {
  /** Full destination URL including the stream key (see destinationUrl()). */
  url: string;
  platform: Platform;
  /** Socket write timeout; default 10 s. */
  timeoutSeconds?: number;
  /**
   * Where the session's clock starts, in ms (default 0, as every RTMP session does). Tests start
   * a session near the 31-bit wrap of FLV/RTMP timestamps (24.8 days) to show it survives one.
   */
  sessionClockOriginMs?: number;
}

export function publisherArgs(o: PublisherOptions): string[] {
  const scheme = urlScheme(o.url);
  if (o.platform === 'facebook' && scheme !== 'rtmps') {
    throw new RangeError('Facebook Live accepts RTMPS only (rtmps://...)');
  }
  if (!['rtmp', 'rtmps', 'srt'].includes(scheme)) {
    throw new RangeError(`unsupported destination scheme ${scheme}: use rtmp, rtmps or srt`);
  }
  const timeout = o.timeoutSeconds ?? 10;
  assertPositive('timeoutSeconds', timeout);
  // No -re: the input is already live (paced by the playout clock).
  return [
    ...COMMON,
    ...PROGRESS_OUT,
    ...FLV_IN,
    ...FLV_MAP,
    '-c',
    'copy',
    ...(o.sessionClockOriginMs ? ['-output_ts_offset', num(o.sessionClockOriginMs / 1000)] : []),
    '-rw_timeout',
    micros(timeout),
    ...(scheme === 'srt' ? ['-f', 'mpegts'] : ['-f', 'flv', '-flvflags', 'no_duration_filesize']),
    o.url,
  ];
}

export interface HlsPreviewOptions {
  dir: string;
  segmentSeconds: number;
  /** Segments kept in the playlist; default 4. */
  listSize?: number;
}

export function hlsPreviewArgs(o: HlsPreviewOptions): string[] {
  assertPositive('segmentSeconds', o.segmentSeconds);
  const listSize = o.listSize ?? 4;
  return [
    ...COMMON,
    ...PROGRESS_OUT,
    ...FLV_IN,
    ...FLV_MAP,
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    num(o.segmentSeconds),
    '-hls_list_size',
    String(listSize),
    '-hls_delete_threshold',
    '2',
    '-hls_flags',
    'delete_segments+independent_segments+temp_file',
    '-hls_segment_filename',
    path.join(o.dir, 'segment_%06d.ts'),
    path.join(o.dir, 'index.m3u8'),
  ];
}

export interface RecorderOptions {
  /** .mp4 (fragmented: playable after a power cut) or .flv */
  path: string;
}

export function recorderArgs(o: RecorderOptions): string[] {
  const ext = path.extname(o.path).toLowerCase();
  let out: string[];
  if (ext === '.mp4' || ext === '.m4v' || ext === '.mov') {
    out = ['-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4'];
  } else if (ext === '.flv') {
    out = ['-f', 'flv'];
  } else {
    throw new RangeError(`recorder path must end in .mp4 or .flv, got ${o.path}`);
  }
  // -n: never overwrite an earlier recording; the caller picks a fresh name. -flush_packets 1:
  // each finished fragment (GOP) goes to disk at once instead of waiting in a 256 kB buffer, so a
  // crash or power cut loses at most the GOP in progress.
  return [
    ...COMMON,
    ...PROGRESS_OUT,
    '-n',
    ...FLV_IN,
    ...FLV_MAP,
    '-c',
    'copy',
    '-flush_packets',
    '1',
    ...out,
    o.path,
  ];
}
