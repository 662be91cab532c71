// Camera "test connection" and snapshot: one short ffprobe / ffmpeg each, bounded by a timeout,
// each in its own process group and SIGKILLed as a group when it overruns (a camera that accepts
// the connection and stays silent hangs ffmpeg otherwise, DESIGN.md §2). Failures come back as a
// registry code and one sentence (classify.ts); credentials never reach a message or a log.
import { systemClock, type Clock } from '../core/clock.ts';
import { AppError } from '../errors/registry.ts';
import { FFMPEG_BIN, FFPROBE_BIN, type RtspTransport } from '../ffmpeg/argv.ts';
import { ProbeError, parseProbeJson, type ProbeResult } from '../ffmpeg/probe.ts';
import {
  binaryRunner,
  textRunner,
  type BinaryRunResult,
  type BinaryRunner,
  type RunLimits,
  type RunResult,
  type Runner,
} from '../ffmpeg/run.ts';
import { cameraTestArgs, snapshotArgs, type CameraConnectOptions } from './argv.ts';
import {
  classifyCameraFailure,
  urlSecrets,
  type CameraFailure,
  type CameraFailureInput,
} from './classify.ts';

export type { BinaryRunResult, BinaryRunner } from '../ffmpeg/run.ts';
export type { CameraFailure, CameraFailureCode } from './classify.ts';

/** Default budget for a test or a snapshot. */
export const CAMERA_CHECK_TIMEOUT_MS = 8000;

export interface CameraVideoInfo {
  codec: string;
  width: number;
  height: number;
  /** Frames per second as the camera announces them; null when it does not say. */
  fps: number | null;
}

export interface CameraTestOk {
  ok: true;
  video: CameraVideoInfo;
  audio: { codec: string } | null;
  /** From starting the test to having the stream's description (connect + analysis). */
  latencyMs: number;
}

export interface CameraTestFailed extends CameraFailure {
  ok: false;
}

export type CameraTestResult = CameraTestOk | CameraTestFailed;

export interface CameraCheckOptions {
  /** Whole budget; the process group is killed after it. Default 8 s. */
  timeoutMs?: number;
  /** RTSP transport; default tcp (as on air). */
  transport?: RtspTransport;
  ffprobeBin?: string;
  ffmpegBin?: string;
  /** Measures latency and keeps the time limit; default the system clock. */
  clock?: Clock;
  /** Injected for tests: runs ffprobe (default a short run labelled camera-test). */
  run?: Runner;
  /** Injected for tests: runs ffmpeg with binary stdout (default a short run labelled camera-snapshot). */
  runBinary?: BinaryRunner;
}

export interface SnapshotOptions extends CameraCheckOptions {
  /** Default 1280: wider frames are scaled down. */
  maxWidth?: number;
}

/** The socket timeout given to ffmpeg: half the budget, so ffmpeg's own error usually wins. */
export function ioTimeoutFor(timeoutMs: number): number {
  return Math.max(1, Math.floor(timeoutMs / 2000));
}

function budget(options: CameraCheckOptions): number {
  const timeoutMs = options.timeoutMs ?? CAMERA_CHECK_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
  return timeoutMs;
}

/** One check's run: its result, how long it took, and its failure classified (plus what the caller knows). */
interface CheckRun<R> {
  r: R;
  elapsedMs: number;
  classify(extra?: Partial<CameraFailureInput>): CameraFailure;
}

/**
 * The part testCamera and snapshotJpeg share: the budget, the connect options (socket timeout,
 * transport) for the argv, one timed run, and the classification of a failure without the URL's
 * credentials.
 */
async function runCheck<R extends RunResult | BinaryRunResult>(
  url: string,
  options: CameraCheckOptions,
  bin: string,
  run: (bin: string, args: readonly string[], timeoutMs: number) => Promise<R>,
  argv: (connect: CameraConnectOptions) => string[],
): Promise<CheckRun<R>> {
  const timeoutMs = budget(options);
  const clock = options.clock ?? systemClock;
  const ioTimeoutSeconds = ioTimeoutFor(timeoutMs);
  const args = argv({ ioTimeoutSeconds, ...(options.transport ? { transport: options.transport } : {}) });
  const started = clock.now();
  const r = await run(bin, args, timeoutMs);
  const elapsedMs = Math.round(clock.now() - started);
  const secrets = urlSecrets(url);
  return {
    r,
    elapsedMs,
    classify: (extra = {}) =>
      classifyCameraFailure({
        stderr: r.stderr,
        exitCode: r.code,
        timedOut: r.timedOut,
        ...(r.spawnError !== undefined ? { spawnError: r.spawnError } : {}),
        elapsedMs,
        timeoutMs,
        ioTimeoutSeconds,
        secrets,
        ...extra,
      }),
  };
}

/**
 * Connects to the camera and reads its stream description. Never throws for a camera problem:
 * the failure is a result ({ ok: false, code, reason }).
 */
export async function testCamera(url: string, options: CameraCheckOptions = {}): Promise<CameraTestResult> {
  const { r, elapsedMs, classify } = await runCheck(
    url,
    options,
    options.ffprobeBin ?? FFPROBE_BIN,
    options.run ?? textRunner({ label: 'camera-test', clock: options.clock ?? systemClock }),
    (connect) => cameraTestArgs(url, connect),
  );
  const failed = (extra: Partial<CameraFailureInput> = {}): CameraTestFailed => ({
    ok: false,
    ...classify(extra),
  });
  if (r.spawnError !== undefined || r.timedOut || r.code !== 0) return failed();
  let probe: ProbeResult;
  try {
    probe = parseProbeJson(JSON.parse(r.stdout));
  } catch (error) {
    if (!(error instanceof SyntaxError) && !(error instanceof ProbeError)) throw error;
    return failed({ exitCode: 1 });
  }
  const video = probe.video;
  if (video === null || !video.width || !video.height) return failed({ noPicture: true, exitCode: 0 });
  return {
    ok: true,
    video: {
      codec: video.codecName ?? 'unknown',
      width: video.width,
      height: video.height,
      fps: video.fps === null ? null : Math.round(video.fps * 1000) / 1000,
    },
    audio: probe.audio ? { codec: probe.audio.codecName ?? 'unknown' } : null,
    latencyMs: elapsedMs,
  };
}

/**
 * One frame of the camera as a JPEG (at most 1280 wide). A camera problem throws an AppError with
 * the classified code (CAMERA_UNREACHABLE, CAMERA_AUTH_FAILED, ...) and the reason as its message.
 */
export async function snapshotJpeg(url: string, options: SnapshotOptions = {}): Promise<Buffer> {
  const { r, classify } = await runCheck(
    url,
    options,
    options.ffmpegBin ?? FFMPEG_BIN,
    options.runBinary ??
      binaryRunner(SNAPSHOT_LIMITS, { label: 'camera-snapshot', clock: options.clock ?? systemClock }),
    (connect) =>
      snapshotArgs(url, {
        ...connect,
        ...(options.maxWidth !== undefined ? { maxWidth: options.maxWidth } : {}),
      }),
  );
  const jpeg = r.code === 0 && !r.timedOut && isJpeg(r.stdout);
  if (jpeg) return r.stdout;
  throw cameraError(classify({ noPicture: r.code === 0 }));
}

/** The failure as the API's error (code, reason as message, the ffmpeg line as an issue). */
export function cameraError(failure: CameraFailure): AppError {
  return new AppError(
    failure.code,
    failure.reason,
    failure.detail === null ? [] : [{ path: 'camera', message: failure.detail }],
  );
}

/** A complete JPEG: SOI marker at the start, EOI at the end. */
export function isJpeg(data: Uint8Array): boolean {
  const n = data.length;
  return n >= 4 && data[0] === 0xff && data[1] === 0xd8 && data[n - 2] === 0xff && data[n - 1] === 0xd9;
}

/** A snapshot is one JPEG; anything this large is not one. */
const SNAPSHOT_LIMITS: RunLimits = {
  maxStdoutBytes: 16 * 1024 * 1024,
  killOnOverflow: true,
  maxStderrChars: 256 * 1024,
};

/**
 * Like runProcess, but stdout is kept as bytes: no shell, its own process group, and on timeout
 * (or runaway output) that group and only it gets SIGKILL.
 */
export const runBinaryProcess: BinaryRunner = binaryRunner(SNAPSHOT_LIMITS, { label: 'camera-snapshot' });

/** What the API needs to test a camera and take a snapshot (injectable for tests). */
export interface CameraMedia {
  test(url: string): Promise<CameraTestResult>;
  /** A JPEG; throws the classified AppError on failure. */
  snapshot(url: string): Promise<Buffer>;
}

export const cameraMedia: CameraMedia = {
  test: (url) => testCamera(url),
  snapshot: (url) => snapshotJpeg(url),
};
