// Real ffmpeg readers and publishers for process / end-to-end tests.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { hasExited, spawnGroup, stopGroup, tail, waitFor } from './proc.ts';

export interface FrameCounter {
  pid: number;
  /** Frames decoded so far (from ffmpeg -progress). */
  frames(): number;
  /** Date.now() when the frame count last grew (0 before the first frame). */
  lastFrameAt(): number;
  /** Waits until at least `count` frames have been decoded in total. */
  waitForFrames(count: number, timeoutMs?: number): Promise<number>;
  /** Waits until `count` more frames than now have been decoded. */
  waitForMoreFrames(count: number, timeoutMs?: number): Promise<number>;
  /** Waits until no new frame has arrived for `stallMs` (the source is stalled). */
  waitForStall(stallMs?: number, timeoutMs?: number): Promise<number>;
  exited(): boolean;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Reads a stream with `ffmpeg -i url -f null -` and counts decoded frames through `-progress`
 * (reported every 100 ms while frames flow; silent while the input stalls).
 */
export function startFrameCounter(url: string, { inputArgs }: { inputArgs?: string[] } = {}): FrameCounter {
  const input = inputArgs ?? (url.startsWith('rtsp://') ? ['-rtsp_transport', 'tcp'] : []);
  const child: ChildProcess = spawnGroup('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    ...input,
    '-i',
    url,
    '-map',
    '0:v:0',
    '-f',
    'null',
    '-',
    '-progress',
    'pipe:1',
    '-stats_period',
    '0.1',
  ]);
  const stderr = tail(child.stderr);
  let frames = 0;
  let lastFrameAt = 0;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const match = /^frame=(\d+)/.exec(line);
    if (!match) return;
    const count = Number(match[1]);
    if (count > frames) {
      frames = count;
      lastFrameAt = Date.now();
    }
  });
  const check = (what: string): void => {
    if (hasExited(child))
      throw new Error(`ffmpeg reader of ${url} exited while waiting for ${what}: ${stderr()}`);
  };
  return {
    pid: child.pid!,
    frames: () => frames,
    lastFrameAt: () => lastFrameAt,
    async waitForFrames(count, timeoutMs = 10_000) {
      const what = `${count} frames`;
      return await waitFor(
        () => {
          check(what);
          return frames >= count ? frames : 0;
        },
        { timeoutMs, intervalMs: 20, what: `${what} from ${url} (have ${frames})` },
      );
    },
    async waitForMoreFrames(count, timeoutMs = 10_000) {
      const target = frames + count;
      return await this.waitForFrames(target, timeoutMs);
    },
    async waitForStall(stallMs = 1000, timeoutMs = 10_000) {
      return await waitFor(
        () => {
          check('a stall');
          return lastFrameAt > 0 && Date.now() - lastFrameAt >= stallMs ? Math.max(frames, 1) : 0;
        },
        { timeoutMs, intervalMs: 20, what: `frames from ${url} to stop for ${stallMs} ms` },
      );
    },
    exited: () => hasExited(child),
    stderr,
    stop: () => stopGroup(child, 'SIGKILL'),
  };
}

export interface TestPublisherOptions {
  /** Length of the published stream; default 3 s. */
  seconds?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Sine tone frequency in Hz. */
  tone?: number;
  /** Keyframe interval in frames; default fps (1 s). */
  gop?: number;
  /** lavfi video source; default testsrc2 (e.g. "color=c=0x2040C0" for a solid camera). */
  pattern?: string;
  /** Default true; false publishes video only (a camera without a microphone). */
  audio?: boolean;
}

export interface TestPublisher {
  pid: number;
  /** Resolves with ffmpeg's exit code once it ends. */
  exited: Promise<number | null>;
  stderr(): string;
  stop(): Promise<void>;
}

/** Publishes a real-time test pattern (H.264, plus an AAC sine unless audio is false) in FLV to an RTMP URL. */
export function startTestPublisher(url: string, options: TestPublisherOptions = {}): TestPublisher {
  const {
    seconds = 3,
    width = 320,
    height = 180,
    fps = 30,
    tone = 440,
    pattern = 'testsrc2',
    audio = true,
  } = options;
  const sine = ['-re', '-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000`];
  const aac = ['-c:a', 'aac', '-ac', '2', '-b:a', '96k'];
  const child = spawnGroup('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `${pattern}${pattern.includes('=') ? ':' : '='}size=${width}x${height}:rate=${fps}`,
    ...(audio ? sine : []),
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(options.gop ?? fps),
    ...(audio ? aac : []),
    '-f',
    'flv',
    url,
  ]);
  child.stdout?.resume();
  const stderr = tail(child.stderr);
  const exited = new Promise<number | null>((resolve) => {
    if (hasExited(child)) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return {
    pid: child.pid!,
    exited,
    stderr,
    stop: () => stopGroup(child, 'SIGINT', 2000),
  };
}

/** Publishes for `seconds` and resolves when ffmpeg has exited 0 (rejects otherwise). */
export async function publishTestPattern(url: string, options: TestPublisherOptions = {}): Promise<void> {
  const publisher = startTestPublisher(url, options);
  const seconds = options.seconds ?? 3;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), (seconds + 15) * 1000)),
  );
  const result = await Promise.race([publisher.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    await publisher.stop();
    throw new Error(`publisher to ${url} did not finish: ${publisher.stderr()}`);
  }
  if (result !== 0) throw new Error(`publisher to ${url} exited ${result}: ${publisher.stderr()}`);
}

export interface ClockSample {
  /** Wall-clock ms when the viewer reported it. */
  at: number;
  /** Stream time in ms of the newest packet the viewer had then. */
  streamMs: number;
}

/**
 * Program seconds per wall second over each `windowMs` window of a viewer's samples, skipping the
 * first `settleMs` (a viewer's first seconds are a burst: the server hands it what it holds).
 * Each window's rate is the least-squares slope of all its samples, not the two at its ends: a
 * viewer that reports one sample 100 ms late (a busy machine delays the report, not the stream)
 * would swing a two-point rate by 1 % over 10 s, while the program's pace is what is measured.
 */
export function programRates(
  samples: readonly ClockSample[],
  { windowMs = 10_000, settleMs = 5000 }: { windowMs?: number; settleMs?: number } = {},
): number[] {
  const flowing = samples.filter((s) => s.streamMs > 0);
  if (flowing.length === 0) return [];
  const steady = flowing.filter((s) => s.at >= flowing[0]!.at + settleMs);
  const rates: number[] = [];
  for (let i = 0; i < steady.length; i++) {
    const end = steady.findIndex((s) => s.at >= steady[i]!.at + windowMs);
    if (end < 0) break;
    rates.push(slope(steady.slice(i, end + 1)));
  }
  return rates;
}

function slope(points: readonly ClockSample[]): number {
  const meanAt = points.reduce((sum, p) => sum + p.at, 0) / points.length;
  const meanStream = points.reduce((sum, p) => sum + p.streamMs, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.at - meanAt) * (p.streamMs - meanStream);
    variance += (p.at - meanAt) ** 2;
  }
  return covariance / variance;
}

export interface StreamClock {
  /** (wall-clock ms when reported, stream time in ms of the newest packet) pairs, oldest first. */
  samples(): ClockSample[];
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Follows a live stream's clock as a viewer receives it: `ffmpeg -i url -c copy -f null` (no
 * decoding, so a busy machine does not slow the viewer down) reporting its output time twice a
 * second. Program time that keeps pace with the wall clock keeps these pairs on a slope of 1.
 */
export function startStreamClock(url: string): StreamClock {
  const child: ChildProcess = spawnGroup('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-i',
    url,
    '-c',
    'copy',
    '-f',
    'null',
    '-',
    '-progress',
    'pipe:1',
    '-stats_period',
    '0.5',
  ]);
  const stderr = tail(child.stderr);
  const samples: ClockSample[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const match = /^out_time_us=(\d+)/.exec(line);
    if (match) samples.push({ at: Date.now(), streamMs: Number(match[1]) / 1000 });
  });
  return { samples: () => [...samples], stderr, stop: () => stopGroup(child, 'SIGKILL') };
}
