// Simulated IP cameras over real RTSP for process and end-to-end tests.
// Runs test/fixtures/camera-sim/rtsp_cameras.py (GStreamer RTSP server) with Debian's python3.
// Cameras show a live test pattern, or loop a pre-encoded clip with realistic content
// (cameraClip(): moving detail and sensor noise, what benchmarks need).
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cameraLikeH264Args } from '../../src/ffmpeg/argv.ts';
import { rgbToYuv601 } from './media-probe.ts';
import type { PaletteEntry } from './media-probe.ts';
import { hasExited, signalGroup, spawnGroup, stopGroup, tail } from './proc.ts';

const SCRIPT = fileURLToPath(new URL('../fixtures/camera-sim/rtsp_cameras.py', import.meta.url));
/** Debian's python3 has `gi`; the one first on PATH may not. Override with VISTTER_TEST_PYTHON. */
const PYTHON = process.env.VISTTER_TEST_PYTHON ?? '/usr/bin/python3';

/** Default colours by camera index (same list as the Python script): red, green, blue, ... */
export const DEFAULT_CAMERA_COLORS: readonly number[] = [
  0xc82828, 0x28b428, 0x283cc8, 0xc8c828, 0xbe28be, 0x28bebe, 0xe68214, 0x808080,
];
/** Default sine tone (Hz) by camera index. */
export const DEFAULT_CAMERA_TONES: readonly number[] = [440, 660, 880, 1100, 1320, 1540, 1760, 1980];

export interface CameraSpec {
  /** Mount name: rtsp://127.0.0.1:PORT/<name>. */
  name: string;
  /** Background colour 0xRRGGBB (number or '#rrggbb'); default by index. */
  color?: number | string;
  /** Sine tone in Hz; default by index. */
  tone?: number;
  /** The tone's peak level in dBFS (default about −10.5 dBFS). */
  toneDbfs?: number;
  /** The audio track carries digital silence instead of the tone. */
  silent?: boolean;
  /** H.264 bitrate in kbit/s; default scales with the frame size. */
  bitrate?: number;
  /**
   * Serve this pre-encoded file (MP4: H.264 without B-frames, optional AAC; see cameraClip())
   * instead of the live test pattern: at its own size and rate, in real time, looped forever with
   * timestamps running on across the loop. Nothing is encoded live. Colour, tone, bitrate and the
   * server's width/height/fps do not apply (the palette entry keeps the colour, which means nothing).
   */
  clip?: string;
}

export interface CameraSimOptions {
  /** Camera specs, or a count (cam1..camN with default colours). Default 2. */
  cameras?: CameraSpec[] | number;
  width?: number; // default 320
  height?: number; // default 180
  fps?: number; // default 30
  /** Basic auth required on every mount of this server. */
  auth?: { user: string; password: string };
  readyTimeoutMs?: number;
  /** Run the simulator at this CPU niceness (benchmarks: the cameras stand in for other devices,
   *  so they should take the CPU only when the appliance does not need it). */
  nice?: number;
}

export interface SimCamera {
  name: string;
  color: number;
  tone: number;
  url: string;
  /** The file it loops, for a clip camera. */
  clip?: string;
  /** Expected plane means of this camera's frames (BT.601 limited range). */
  yuv: { y: number; u: number; v: number };
}

export interface CameraSim {
  port: number;
  pid: number;
  /** URLs in camera order (with credentials when auth is set). */
  urls: string[];
  cameras: SimCamera[];
  /** One entry per camera for identifySource(). */
  palette: PaletteEntry[];
  /** URL of one camera by name; `withAuth: false` leaves the credentials out. */
  url(name: string, options?: { withAuth?: boolean }): string;
  /** SIGSTOP the whole server: every camera stalls (connections stay open, no data). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  resume(): void;
  /** Stall one camera only (its media stops flowing; the connection stays open). */
  freezeCamera(name: string): Promise<void>;
  resumeCamera(name: string): Promise<void>;
  /** Kills the server's process group and waits for it to exit. */
  stop(): Promise<void>;
  /** The server's stderr so far (for assertion messages). */
  stderr(): string;
}

function parseColor(value: number | string | undefined, index: number): number {
  if (value === undefined) return DEFAULT_CAMERA_COLORS[index % DEFAULT_CAMERA_COLORS.length]!;
  if (typeof value === 'number') return value & 0xffffff;
  return parseInt(value.replace(/^#|^0x/i, ''), 16) & 0xffffff;
}

/** Starts the camera sim and resolves once its RTSP port is listening. */
export async function startCameraSim(options: CameraSimOptions = {}): Promise<CameraSim> {
  const specs: CameraSpec[] =
    typeof options.cameras === 'number' || options.cameras === undefined
      ? Array.from({ length: typeof options.cameras === 'number' ? options.cameras : 2 }, (_, i) => ({
          name: `cam${i + 1}`,
        }))
      : options.cameras;
  const resolved = specs.map((spec, index) => ({
    name: spec.name,
    color: parseColor(spec.color, index),
    tone: spec.tone ?? DEFAULT_CAMERA_TONES[index % DEFAULT_CAMERA_TONES.length]!,
    ...(spec.bitrate !== undefined ? { bitrate: spec.bitrate } : {}),
    ...(spec.clip !== undefined ? { clip: spec.clip } : {}),
    ...(spec.toneDbfs !== undefined ? { tone_dbfs: spec.toneDbfs } : {}),
    ...(spec.silent ? { silent: true } : {}),
  }));
  const config = {
    cameras: resolved,
    width: options.width ?? 320,
    height: options.height ?? 180,
    fps: options.fps ?? 30,
    ...(options.auth ? { auth: options.auth } : {}),
  };

  const argv = [PYTHON, SCRIPT, '--exit-on-stdin-close', '--config', JSON.stringify(config)];
  if (options.nice !== undefined) argv.unshift('nice', '-n', String(options.nice));
  const child: ChildProcess = spawnGroup(argv[0]!, argv.slice(1), {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr = tail(child.stderr);
  const lines = createInterface({ input: child.stdout! });
  const acks: { expect: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  let onReady: ((port: number) => void) | undefined;
  lines.on('line', (line) => {
    const ready = /^READY port=(\d+)/.exec(line);
    if (ready) onReady?.(Number(ready[1]));
    const waiter = acks.findIndex((a) => line === `OK ${a.expect}` || line.startsWith(`ERR`));
    if (waiter >= 0) {
      const [ack] = acks.splice(waiter, 1);
      if (line.startsWith('ERR')) ack!.reject(new Error(`camera sim: ${line}`));
      else ack!.resolve();
    }
  });

  const timeoutMs = options.readyTimeoutMs ?? 15_000;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`camera sim not ready after ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null, signal: string | null): void =>
      fail(new Error(`camera sim exited (${code ?? signal}) before READY`));
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      signalGroup(child, 'SIGKILL');
      reject(new Error(`${error.message}\n${stderr()}`));
    };
    child.once('exit', onExit);
    child.once('error', (error) => fail(error));
    onReady = (p) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(p);
    };
  });

  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@`
    : '';
  const urlOf = (name: string, withAuth = true): string =>
    `rtsp://${withAuth ? credentials : ''}127.0.0.1:${port}/${name}`;
  const cameras: SimCamera[] = resolved.map((c) => ({
    name: c.name,
    color: c.color,
    tone: c.tone,
    url: urlOf(c.name),
    ...(c.clip !== undefined ? { clip: c.clip } : {}),
    yuv: rgbToYuv601(c.color),
  }));

  const command = async (verb: 'freeze' | 'resume', name: string): Promise<void> => {
    if (hasExited(child)) throw new Error('camera sim is not running');
    const expect = `${verb} ${name}`;
    await new Promise<void>((resolve, reject) => {
      acks.push({ expect, resolve, reject });
      child.stdin!.write(`${expect}\n`);
    });
  };

  return {
    port,
    pid: child.pid!,
    urls: cameras.map((c) => c.url),
    cameras,
    palette: cameras.map((c) => ({ name: c.name, ...c.yuv })),
    url(name, { withAuth = true } = {}) {
      if (!cameras.some((c) => c.name === name)) throw new Error(`no camera named ${name}`);
      return urlOf(name, withAuth);
    },
    freeze: () => signalGroup(child, 'SIGSTOP'),
    resume: () => signalGroup(child, 'SIGCONT'),
    freezeCamera: (name) => command('freeze', name),
    resumeCamera: (name) => command('resume', name),
    async stop() {
      lines.close();
      child.stdin?.destroy();
      await stopGroup(child, 'SIGKILL');
    },
    stderr,
  };
}

// ---------------------------------------------------------------------------------------------
// Realistic camera content, pre-encoded once

export interface CameraClipOptions {
  width: number;
  height: number;
  /** Whole frames per second that divide 48 000 (24, 25, 30, 50, 60 ...). */
  fps: number;
  /** Loop length; rounded to whole frames whose audio is a whole number of AAC frames. Default 64. */
  seconds?: number;
  /** H.264 bitrate, capped with a one-second VBV as an IP camera does. Default 4000 kbit/s. */
  bitrateKbps?: number;
  /** Default 2 s, fixed (no scene-cut keyframes). */
  keyframeSeconds?: number;
  /** Sensor noise: strength of ffmpeg's temporal noise filter (0–100). Default 12. */
  noise?: number;
  /** The audio track's sine tone. Default 440 Hz. */
  toneHz?: number;
}

/** Bump when the recipe below changes, so cached clips made by the old one are not reused. */
const CLIP_RECIPE = 3;
const AAC_FRAME_SAMPLES = 1024;
const CLIP_AUDIO_RATE = 48_000;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Frames in a clip of about `seconds`: a multiple of the smallest count whose audio is a whole
 * number of AAC frames, so that audio and video end together and the loop is seamless
 * (30 fps: multiples of 16 frames).
 */
export function cameraClipFrames(fps: number, seconds: number): number {
  if (!Number.isInteger(fps) || fps <= 0 || CLIP_AUDIO_RATE % fps !== 0)
    throw new RangeError(`clip fps must be a whole number dividing ${CLIP_AUDIO_RATE}: ${fps}`);
  const samplesPerFrame = CLIP_AUDIO_RATE / fps;
  const unit = AAC_FRAME_SAMPLES / gcd(samplesPerFrame, AAC_FRAME_SAMPLES);
  return Math.max(unit, Math.round((seconds * fps) / unit) * unit);
}

function resolvedClip(o: CameraClipOptions): Required<CameraClipOptions> & { frames: number } {
  const seconds = o.seconds ?? 64;
  return {
    width: o.width,
    height: o.height,
    fps: o.fps,
    seconds,
    bitrateKbps: o.bitrateKbps ?? 4000,
    keyframeSeconds: o.keyframeSeconds ?? 2,
    noise: o.noise ?? 12,
    toneHz: o.toneHz ?? 440,
    frames: cameraClipFrames(o.fps, seconds),
  };
}

/** The cache file name: every parameter that changes the clip, and the recipe's version. */
export function cameraClipName(o: CameraClipOptions): string {
  const c = resolvedClip(o);
  return (
    `camera-clip-r${CLIP_RECIPE}-${c.width}x${c.height}-${c.fps}fps-${c.frames}f-${c.bitrateKbps}k` +
    `-key${c.keyframeSeconds}s-noise${c.noise}-tone${c.toneHz}.mp4`
  );
}

/**
 * ffmpeg argv that makes the clip: testsrc2 (moving gradient, bars, text, a clock) with temporal
 * sensor noise, H.264 High profile without B-frames at a capped bitrate and fixed 2 s keyframes
 * (as an IP camera sends), plus an AAC stereo tone.
 */
export function cameraClipArgs(o: CameraClipOptions, outputPath: string): string[] {
  const c = resolvedClip(o);
  // Two AAC frames longer than the video: a demuxer may drop the last frame, and the simulator
  // trims the audio to the video's length (whole AAC frames, see cameraClipFrames()).
  const samples = (c.frames * CLIP_AUDIO_RATE) / c.fps + 2 * AAC_FRAME_SAMPLES;
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${c.width}x${c.height}:rate=${c.fps},trim=end_frame=${c.frames},` +
      `noise=alls=${c.noise}:allf=t+u,format=yuv420p`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${c.toneHz}:sample_rate=${CLIP_AUDIO_RATE},atrim=end_sample=${samples}`,
    '-map',
    '0:v:0',
    '-map',
    '1:a:0',
    ...cameraLikeH264Args(c.bitrateKbps, c.fps * c.keyframeSeconds),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ar',
    String(CLIP_AUDIO_RATE),
    '-ac',
    '2',
    '-f',
    'mp4',
    outputPath,
  ];
}

/**
 * The clip's path in `cacheDir`, made first if it is not there (1920×1080, 64 s: about 40 s on
 * one free core). Written under a temporary name and renamed, so a concurrent or interrupted run
 * never leaves a partial clip behind.
 */
export async function cameraClip(options: CameraClipOptions, cacheDir: string): Promise<string> {
  const path = join(cacheDir, cameraClipName(options));
  if (existsSync(path)) return path;
  await mkdir(cacheDir, { recursive: true });
  const partial = `${path}.${process.pid}.partial.mp4`;
  try {
    await promisify(execFile)('ffmpeg', cameraClipArgs(options, partial), {
      timeout: 600_000,
      killSignal: 'SIGKILL',
    });
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  return path;
}
