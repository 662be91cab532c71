// Simulated IP cameras over real RTSP for process and end-to-end tests.
// Runs test/fixtures/camera-sim/rtsp_cameras.py (GStreamer RTSP server) with Debian's python3.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
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
  /** H.264 bitrate in kbit/s; default scales with the frame size. */
  bitrate?: number;
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
