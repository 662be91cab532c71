// ffprobe wrapper: a pure argv builder, a pure parser of ffprobe's JSON into a typed result,
// and probe() that runs it with a timeout (used for media assets, camera checks, and by tests to
// verify what the encoder and publishers produced).

import { FFPROBE_BIN, networkInputArgs, urlScheme } from './argv.ts';
import type { RtspTransport } from './argv.ts';
import { StderrLineSplitter, summarizeErrors } from './progress.ts';
import type { FfmpegErrorKind } from './progress.ts';
import { redactText } from './platforms.ts';
import { runProcess } from './run.ts';
import type { Runner } from './run.ts';

export interface ProbeOptions {
  /** Kill ffprobe after this long; default 15 s. */
  timeoutMs?: number;
  /** Network socket timeout for URLs (default: derived from timeoutMs). */
  ioTimeoutSeconds?: number;
  transport?: RtspTransport;
  showFrames?: boolean;
  showPackets?: boolean;
  /** e.g. "%+5" (first 5 s) or "%+#20" (first 20 packets); limits -show_frames/-show_packets. */
  readIntervals?: string;
  /** e.g. "v" or "a:0": restricts streams (and frames/packets) listed. */
  selectStreams?: string;
  ffprobeBin?: string;
  /** Injected for tests; default runProcess. */
  run?: Runner;
}

/** ffprobe argv (argv[0] not included). Pure. */
export function probeArgs(input: string, o: Omit<ProbeOptions, 'ffprobeBin' | 'run'> = {}): string[] {
  const io = o.ioTimeoutSeconds ?? Math.max(1, Math.floor((o.timeoutMs ?? 15_000) / 1000 / 2));
  const net = urlScheme(input) === 'file' ? [] : networkInputArgs(input, io, o.transport ?? 'tcp');
  return [
    '-hide_banner',
    '-loglevel',
    'level+error',
    ...net,
    '-of',
    'json',
    '-show_streams',
    '-show_format',
    ...(o.showFrames ? ['-show_frames'] : []),
    ...(o.showPackets ? ['-show_packets'] : []),
    ...(o.readIntervals !== undefined ? ['-read_intervals', o.readIntervals] : []),
    ...(o.selectStreams !== undefined ? ['-select_streams', o.selectStreams] : []),
    '-i',
    input,
  ];
}

export interface ProbeStream {
  index: number;
  /** "video", "audio", "data", "subtitle", ... */
  codecType: string;
  codecName: string | null;
  profile: string | null;
  /** H.264 level_idc, e.g. 41 */
  level: number | null;
  width: number | null;
  height: number | null;
  /** Average frame rate (falls back to r_frame_rate); null when unknown. */
  fps: number | null;
  pixFmt: string | null;
  sampleRate: number | null;
  channels: number | null;
  channelLayout: string | null;
  durationSeconds: number | null;
  bitRate: number | null;
}

export interface ProbeFrame {
  mediaType: string;
  streamIndex: number;
  keyFrame: boolean;
  ptsTime: number | null;
  pictType: string | null;
}

export interface ProbePacket {
  codecType: string | null;
  streamIndex: number;
  ptsTime: number | null;
  dtsTime: number | null;
  durationTime: number | null;
  size: number | null;
  keyframe: boolean;
}

export interface ProbeResult {
  formatName: string | null;
  durationSeconds: number | null;
  bitRate: number | null;
  streams: ProbeStream[];
  /** The first video / audio stream. */
  video: ProbeStream | null;
  audio: ProbeStream | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  hasAudio: boolean;
  /** Only with showFrames / showPackets. */
  frames?: ProbeFrame[];
  packets?: ProbePacket[];
}

export type ProbeErrorKind = FfmpegErrorKind | 'timeout' | 'spawn_failed' | 'bad_output' | 'failed';

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(
    message: string,
    readonly kind: ProbeErrorKind,
    readonly stderr: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Json, k: string): string | null {
  const v = o[k];
  return typeof v === 'string' && v !== '' && v !== 'N/A' && v !== 'unknown' ? v : null;
}

/** ffprobe prints most numbers as strings ("4500000", "0.033333") and some as numbers. */
function numOf(o: Json, k: string): number | null {
  const v = o[k];
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && v !== 'N/A') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** "30000/1001" → 29.97…; "0/0" → null. */
export function parseRational(v: string | null): number | null {
  if (v === null) return null;
  const m = /^(-?\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const d = m[2] === undefined ? 1 : Number(m[2]);
  if (d === 0 || n === 0) return null;
  return n / d;
}

function arrayOf(o: Json, k: string): Json[] {
  const v = o[k];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function parseStream(s: Json): ProbeStream {
  const fps = parseRational(str(s, 'avg_frame_rate')) ?? parseRational(str(s, 'r_frame_rate'));
  const codecType = str(s, 'codec_type') ?? 'unknown';
  const level = numOf(s, 'level');
  return {
    index: numOf(s, 'index') ?? -1,
    codecType,
    codecName: str(s, 'codec_name'),
    profile: str(s, 'profile'),
    level: level !== null && level >= 0 ? level : null,
    width: numOf(s, 'width'),
    height: numOf(s, 'height'),
    fps: codecType === 'video' ? fps : null,
    pixFmt: str(s, 'pix_fmt'),
    sampleRate: numOf(s, 'sample_rate'),
    channels: numOf(s, 'channels'),
    channelLayout: str(s, 'channel_layout'),
    durationSeconds: numOf(s, 'duration'),
    bitRate: numOf(s, 'bit_rate'),
  };
}

/** Typed result from ffprobe's `-of json` output (already JSON.parse'd). Pure. */
export function parseProbeJson(json: unknown): ProbeResult {
  if (!isObject(json)) throw new ProbeError('ffprobe output is not a JSON object', 'bad_output', '');
  const format = isObject(json.format) ? json.format : {};
  const streams = arrayOf(json, 'streams').map(parseStream);
  const video = streams.find((s) => s.codecType === 'video') ?? null;
  const audio = streams.find((s) => s.codecType === 'audio') ?? null;
  const result: ProbeResult = {
    formatName: str(format, 'format_name'),
    durationSeconds: numOf(format, 'duration'),
    bitRate: numOf(format, 'bit_rate'),
    streams,
    video,
    audio,
    width: video?.width ?? null,
    height: video?.height ?? null,
    fps: video?.fps ?? null,
    videoCodec: video?.codecName ?? null,
    audioCodec: audio?.codecName ?? null,
    hasAudio: audio !== null,
  };
  // With both -show_frames and -show_packets ffprobe interleaves them in "packets_and_frames".
  const mixed = arrayOf(json, 'packets_and_frames');
  const frames = [...arrayOf(json, 'frames'), ...mixed.filter((x) => x.type === 'frame')];
  const packets = [...arrayOf(json, 'packets'), ...mixed.filter((x) => x.type === 'packet')];
  if ('frames' in json || 'packets_and_frames' in json) {
    result.frames = frames.map((f) => ({
      mediaType: str(f, 'media_type') ?? 'unknown',
      streamIndex: numOf(f, 'stream_index') ?? -1,
      keyFrame: numOf(f, 'key_frame') === 1,
      ptsTime: numOf(f, 'pts_time') ?? numOf(f, 'best_effort_timestamp_time'),
      pictType: str(f, 'pict_type'),
    }));
  }
  if ('packets' in json || 'packets_and_frames' in json) {
    result.packets = packets.map((p) => ({
      codecType: str(p, 'codec_type'),
      streamIndex: numOf(p, 'stream_index') ?? -1,
      ptsTime: numOf(p, 'pts_time'),
      dtsTime: numOf(p, 'dts_time'),
      durationTime: numOf(p, 'duration_time'),
      size: numOf(p, 'size'),
      keyframe: (str(p, 'flags') ?? '').startsWith('K'),
    }));
  }
  return result;
}

/**
 * Probes a file or URL. Rejects with ProbeError: kind 'timeout' when ffprobe had to be killed,
 * otherwise the classified stderr error ('not_found', 'unauthorized', 'invalid_data', ...).
 */
export async function probe(input: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const run = opts.run ?? runProcess;
  const r = await run(opts.ffprobeBin ?? FFPROBE_BIN, probeArgs(input, opts), timeoutMs);
  if (r.spawnError !== undefined)
    throw new ProbeError(`could not run ffprobe: ${r.spawnError}`, 'spawn_failed', '');
  if (r.timedOut)
    throw new ProbeError(`ffprobe did not finish within ${timeoutMs} ms`, 'timeout', redactText(r.stderr));
  if (r.code !== 0) {
    const lines = new StderrLineSplitter().push(r.stderr + '\n');
    const err = summarizeErrors(lines);
    const detail = err?.line ?? lines.at(-1) ?? `exit code ${r.code}`;
    throw new ProbeError(
      `ffprobe failed: ${redactText(detail)}`,
      err?.kind ?? 'failed',
      redactText(r.stderr),
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new ProbeError('ffprobe printed invalid JSON', 'bad_output', redactText(r.stderr));
  }
  return parseProbeJson(json);
}
