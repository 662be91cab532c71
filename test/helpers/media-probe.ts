// Analysis helpers for what actually arrived (recordings, RTSP/RTMP URLs), built on ffprobe/ffmpeg.
// Everything here runs real ffprobe/ffmpeg processes; no shell, argv as arrays.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface YuvMeans {
  y: number;
  u: number;
  v: number;
}

/** A named colour a test expects to see (e.g. one per simulated camera). */
export interface PaletteEntry extends YuvMeans {
  name: string;
}

export interface StreamInfo {
  index: number;
  type: string; // 'video' | 'audio' | 'data' | ...
  codec: string;
  profile?: string;
  width?: number;
  height?: number;
  pixFmt?: string;
  /** Average frame rate (video), from avg_frame_rate or r_frame_rate. */
  fps?: number;
  sampleRate?: number;
  channels?: number;
  durationSec?: number;
}

export interface ProbeResult {
  formatName: string;
  durationSec: number;
  streams: StreamInfo[];
  /** First video / audio stream, if any. */
  video?: StreamInfo;
  audio?: StreamInfo;
}

export interface ProbeOptions {
  /** Extra ffprobe/ffmpeg input options placed before `-i`, e.g. ['-rtsp_transport', 'tcp']. */
  inputArgs?: string[];
  timeoutMs?: number;
}

export interface Packet {
  pts: number;
  dts: number;
  duration: number;
  key: boolean;
}

/** Input options that suit the given input: TCP for RTSP URLs, nothing for files. */
function defaultInputArgs(input: string): string[] {
  return input.startsWith('rtsp://') ? ['-rtsp_transport', 'tcp'] : [];
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value === '' || value === 'N/A') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function rate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const [n, d] = value.split('/').map(Number);
  if (
    n === undefined ||
    d === undefined ||
    !Number.isFinite(n) ||
    !Number.isFinite(d) ||
    d === 0 ||
    n === 0
  ) {
    return undefined;
  }
  return n / d;
}

async function ffprobeJson(
  input: string,
  args: string[],
  options: ProbeOptions,
): Promise<Record<string, unknown>> {
  const argv = [
    '-v',
    'error',
    ...(options.inputArgs ?? defaultInputArgs(input)),
    ...args,
    '-of',
    'json',
    '-i',
    input,
  ];
  const { stdout } = await execFileAsync('ffprobe', argv, {
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Streams (codec, size, fps, audio format) and duration of a file or URL. */
export async function probeFile(input: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const json = await ffprobeJson(input, ['-show_format', '-show_streams'], options);
  const format = (json.format ?? {}) as Record<string, unknown>;
  const rawStreams = (json.streams ?? []) as Record<string, unknown>[];
  const streams: StreamInfo[] = rawStreams.map((s) => {
    const info: StreamInfo = {
      index: num(s.index) ?? 0,
      type: String(s.codec_type ?? 'unknown'),
      codec: String(s.codec_name ?? 'unknown'),
    };
    if (typeof s.profile === 'string') info.profile = s.profile;
    const width = num(s.width);
    const height = num(s.height);
    if (width !== undefined) info.width = width;
    if (height !== undefined) info.height = height;
    if (typeof s.pix_fmt === 'string') info.pixFmt = s.pix_fmt;
    if (info.type === 'video') {
      const fps = rate(s.avg_frame_rate) ?? rate(s.r_frame_rate);
      if (fps !== undefined) info.fps = fps;
    }
    const sampleRate = num(s.sample_rate);
    const channels = num(s.channels);
    if (sampleRate !== undefined) info.sampleRate = sampleRate;
    if (channels !== undefined) info.channels = channels;
    const duration = num(s.duration);
    if (duration !== undefined) info.durationSec = duration;
    return info;
  });
  const result: ProbeResult = {
    formatName: String(format.format_name ?? ''),
    durationSec: num(format.duration) ?? 0,
    streams,
  };
  const video = streams.find((s) => s.type === 'video');
  const audio = streams.find((s) => s.type === 'audio');
  if (video) result.video = video;
  if (audio) result.audio = audio;
  return result;
}

/** Every packet of the first video ('v') or audio ('a') stream, in file (decode) order. */
export async function readPackets(
  input: string,
  stream: 'v' | 'a',
  options: ProbeOptions = {},
): Promise<Packet[]> {
  const json = await ffprobeJson(
    input,
    ['-select_streams', `${stream}:0`, '-show_entries', 'packet=pts_time,dts_time,duration_time,flags'],
    options,
  );
  const packets = (json.packets ?? []) as Record<string, unknown>[];
  const out: Packet[] = [];
  for (const p of packets) {
    const pts = num(p.pts_time) ?? num(p.dts_time);
    if (pts === undefined) continue;
    out.push({
      pts,
      dts: num(p.dts_time) ?? pts,
      duration: num(p.duration_time) ?? 0,
      key: typeof p.flags === 'string' && p.flags.includes('K'),
    });
  }
  return out;
}

/** Presentation times (s) of every video frame, sorted ascending. */
export async function videoFrameTimes(input: string, options: ProbeOptions = {}): Promise<number[]> {
  return (await readPackets(input, 'v', options)).map((p) => p.pts).sort((a, b) => a - b);
}

/** Presentation times (s) of every video keyframe, sorted ascending. */
export async function keyframeTimes(input: string, options: ProbeOptions = {}): Promise<number[]> {
  return (await readPackets(input, 'v', options))
    .filter((p) => p.key)
    .map((p) => p.pts)
    .sort((a, b) => a - b);
}

/** Largest difference between consecutive times (sorted first); 0 for fewer than two. */
export function maxTimestampGap(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 1; i < sorted.length; i++) max = Math.max(max, sorted[i]! - sorted[i - 1]!);
  return max;
}

/** Differences between consecutive times (sorted first), e.g. keyframe intervals. */
export function intervals(times: readonly number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((t, i) => t - sorted[i]!);
}

export interface AudioPresence {
  /** An audio stream exists and has packets. */
  present: boolean;
  codec?: string;
  sampleRate?: number;
  channels?: number;
  startSec: number;
  endSec: number;
  /** Largest hole between one packet's end and the next packet's start. */
  maxGapSec: number;
  /** Holes longer than the allowed gap. */
  gaps: { atSec: number; lengthSec: number }[];
  /** Container duration, for comparison. */
  durationSec: number;
  /** present, no gap above maxGapSec, and audio spans the container duration within toleranceSec. */
  ok: boolean;
}

/**
 * Checks that audio is present and continuous: its packets cover the file's duration (within
 * `toleranceSec` at either end) without holes longer than `maxGapSec`.
 */
export async function audioPresence(
  input: string,
  {
    maxGapSec = 0.1,
    toleranceSec = 0.5,
    ...options
  }: ProbeOptions & { maxGapSec?: number; toleranceSec?: number } = {},
): Promise<AudioPresence> {
  const probe = await probeFile(input, options);
  const packets = probe.audio ? await readPackets(input, 'a', options) : [];
  packets.sort((a, b) => a.pts - b.pts);
  const result: AudioPresence = {
    present: packets.length > 0,
    startSec: packets[0]?.pts ?? 0,
    endSec: 0,
    maxGapSec: 0,
    gaps: [],
    durationSec: probe.durationSec,
    ok: false,
  };
  if (probe.audio) {
    result.codec = probe.audio.codec;
    if (probe.audio.sampleRate !== undefined) result.sampleRate = probe.audio.sampleRate;
    if (probe.audio.channels !== undefined) result.channels = probe.audio.channels;
  }
  let end = result.startSec;
  for (const p of packets) {
    const gap = p.pts - end;
    if (gap > result.maxGapSec) result.maxGapSec = gap;
    if (gap > maxGapSec) result.gaps.push({ atSec: end, lengthSec: gap });
    end = Math.max(end, p.pts + p.duration);
  }
  result.endSec = end;
  const span = result.endSec - result.startSec;
  result.ok = result.present && result.maxGapSec <= maxGapSec && span >= probe.durationSec - 2 * toleranceSec;
  return result;
}

/** Mean of each plane of one yuv420p frame. */
export function yuvMeans(frame: Uint8Array, width: number, height: number): YuvMeans {
  const ySize = width * height;
  const cSize = (width >> 1) * (height >> 1);
  if (frame.length < ySize + 2 * cSize) throw new Error(`frame too short: ${frame.length} bytes`);
  const mean = (from: number, length: number): number => {
    let sum = 0;
    for (let i = from; i < from + length; i++) sum += frame[i]!;
    return sum / length;
  };
  return { y: mean(0, ySize), u: mean(ySize, cSize), v: mean(ySize + cSize, cSize) };
}

async function runForStdout(args: string[], timeoutMs: number): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new Error(`ffmpeg ${args.join(' ')} failed (${code ?? signal}): ${stderr}`));
    });
  });
}

export interface SampleOptions extends ProbeOptions {
  /** Size the frame is scaled to before averaging (small is fast; means barely change). */
  width?: number;
  height?: number;
}

/** Decodes one frame scaled to a small yuv420p image and returns its plane means. */
async function oneFrameMeans(
  input: string,
  seek: string[],
  outputSeek: string[],
  { width = 64, height = 36, timeoutMs = 20_000, inputArgs }: SampleOptions,
): Promise<YuvMeans> {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    ...(inputArgs ?? defaultInputArgs(input)),
    ...seek,
    '-i',
    input,
    ...outputSeek,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-vf',
    `scale=${width}:${height}:flags=area,format=yuv420p`,
    '-f',
    'rawvideo',
    'pipe:1',
  ];
  const frame = await runForStdout(args, timeoutMs);
  if (frame.length === 0)
    throw new Error(`no frame decoded from ${input} (${[...seek, ...outputSeek].join(' ')})`);
  return yuvMeans(frame, width, height);
}

/** Mean Y/U/V of the frame at each time (seconds) of a file; one ffmpeg per time. */
export async function sampleFrameMeans(
  input: string,
  atSeconds: readonly number[],
  options: SampleOptions = {},
): Promise<(YuvMeans & { atSec: number })[]> {
  const out: (YuvMeans & { atSec: number })[] = [];
  for (const at of atSeconds) {
    const means = await oneFrameMeans(input, ['-ss', at.toFixed(3)], [], options);
    out.push({ ...means, atSec: at });
  }
  return out;
}

/** Mean Y/U/V of one frame of a live stream (RTSP/RTMP URL), taken `afterSeconds` into it. */
export async function liveFrameMeans(
  url: string,
  { afterSeconds = 0.2, ...options }: SampleOptions & { afterSeconds?: number } = {},
): Promise<YuvMeans> {
  return await oneFrameMeans(url, [], afterSeconds > 0 ? ['-ss', afterSeconds.toFixed(3)] : [], options);
}

/** BT.601 limited-range Y/U/V of an 0xRRGGBB colour (what the camera sim puts on its frames). */
export function rgbToYuv601(rgb: number): YuvMeans {
  const r = ((rgb >> 16) & 0xff) / 255;
  const g = ((rgb >> 8) & 0xff) / 255;
  const b = (rgb & 0xff) / 255;
  return {
    y: 16 + 65.481 * r + 128.553 * g + 24.966 * b,
    u: 128 - 37.797 * r - 74.203 * g + 112.0 * b,
    v: 128 + 112.0 * r - 93.786 * g - 18.214 * b,
  };
}

export function yuvDistance(a: YuvMeans, b: YuvMeans): number {
  return Math.hypot(a.y - b.y, a.u - b.u, a.v - b.v);
}

export interface Identification {
  /** Closest palette entry, or null when nothing is within maxDistance. */
  name: string | null;
  distance: number;
  /** Distance to the second-closest entry (how clear the call was). */
  runnerUpDistance: number;
}

/**
 * Maps a frame's plane means to the closest palette colour (Euclidean in Y/U/V). With
 * `maxDistance`, a frame far from every colour (black, slate, mid-crossfade) gives name null.
 */
export function identifySource(
  means: YuvMeans,
  palette: readonly PaletteEntry[],
  { maxDistance = 40 }: { maxDistance?: number } = {},
): Identification {
  let best: PaletteEntry | undefined;
  let bestDistance = Infinity;
  let runnerUp = Infinity;
  for (const entry of palette) {
    const distance = yuvDistance(means, entry);
    if (distance < bestDistance) {
      runnerUp = bestDistance;
      bestDistance = distance;
      best = entry;
    } else if (distance < runnerUp) {
      runnerUp = distance;
    }
  }
  return {
    name: best !== undefined && bestDistance <= maxDistance ? best.name : null,
    distance: bestDistance,
    runnerUpDistance: runnerUp,
  };
}

/**
 * Dominant tone frequency (Hz) of the audio around `atSec`, by zero crossings of a mono decode:
 * good enough to tell the camera sim's per-camera sine tones apart.
 */
export async function sampleToneFrequency(
  input: string,
  atSec: number,
  { durationSec = 0.5, timeoutMs = 20_000, inputArgs }: ProbeOptions & { durationSec?: number } = {},
): Promise<number> {
  const sampleRate = 48_000;
  const args = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    ...(inputArgs ?? defaultInputArgs(input)),
    '-ss',
    atSec.toFixed(3),
    '-i',
    input,
    '-map',
    '0:a:0',
    '-t',
    durationSec.toFixed(3),
    '-ac',
    '1',
    '-ar',
    String(sampleRate),
    '-f',
    's16le',
    'pipe:1',
  ];
  const pcm = await runForStdout(args, timeoutMs);
  const count = Math.floor(pcm.length / 2);
  if (count < 2) return 0;
  let crossings = 0;
  let previous = pcm.readInt16LE(0);
  for (let i = 1; i < count; i++) {
    const sample = pcm.readInt16LE(i * 2);
    if (previous < 0 !== sample < 0) crossings++;
    previous = sample;
  }
  return crossings / 2 / (count / sampleRate);
}

export interface DecodedVideo {
  width: number;
  height: number;
  /** yuv420p frames in presentation order, one per recorded video frame. */
  frames: Buffer[];
}

/** Decodes every video frame of a file to yuv420p at its own size (no frame dropped or duplicated). */
export async function decodeAllFrames(input: string, width: number, height: number): Promise<DecodedVideo> {
  const size = (width * height * 3) / 2;
  const data = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-v',
        'error',
        '-i',
        input,
        '-map',
        '0:v:0',
        '-fps_mode',
        'passthrough',
        '-pix_fmt',
        'yuv420p',
        '-f',
        'rawvideo',
        'pipe:1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new Error(`decoding ${input} failed (${code ?? signal}): ${stderr}`));
    });
  });
  const frames: Buffer[] = [];
  for (let offset = 0; offset + size <= data.length; offset += size) {
    frames.push(data.subarray(offset, offset + size));
  }
  return { width, height, frames };
}
