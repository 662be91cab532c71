// "Test" on a destination: publish a few seconds of test pattern and tone to its URL + key, then
// say in plain words whether the server took the stream, or why not (the engine's own failure
// classifier, so a test and a show on air name a failure alike). One test per destination at a
// time, and none while the show on air streams to it (a second publisher would knock it off).
//
// Secrets: the URL carries the stream key. It goes only into ffmpeg's argv; logs and answers name
// the server's host, and failure sentences are the classifier's fixed ones, never stderr.
import { systemClock, type Clock } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { DestinationTestOutcome as SharedOutcome } from '../domain/destination-test.ts';
import { classifyFailure, type OutputErrorKind } from '../engine/index.ts';
import { AppError, ERRORS, type ErrorCode } from '../errors/registry.ts';
import { FFMPEG_BIN, num, urlScheme } from '../ffmpeg/argv.ts';
import { DestinationUrlError, destinationUrl } from '../ffmpeg/platforms.ts';
import { ProgressBlockParser } from '../ffmpeg/progress.ts';
import { runToCompletion, type BinaryRunResult } from '../process/run.ts';
import type { Store } from '../store/store.ts';

/** How long a test publishes: long enough for a server to accept and ingest a keyframe or four. */
export const TEST_SECONDS = 4;
export const TEST_FPS = 30;
/** Small, so a test costs little CPU and upload beside a show. */
export const TEST_SIZE = { width: 320, height: 180 } as const;
/** Socket timeout of the test's connection (connect, handshake, writes). */
export const TEST_NETWORK_TIMEOUT_SECONDS = 8;

export interface DestinationTestArgsOptions {
  /** Full destination URL including the stream key. */
  url: string;
  seconds: number;
  fps: number;
  width: number;
  height: number;
  networkTimeoutSeconds: number;
}

/** The ffmpeg argv of a test: testsrc2 with a 440 Hz tone, encoded small, published in real time. */
export function destinationTestArgs(o: DestinationTestArgsOptions): string[] {
  const scheme = urlScheme(o.url);
  if (!['rtmp', 'rtmps', 'srt'].includes(scheme))
    throw new RangeError(`unsupported destination scheme ${scheme}: use rtmp, rtmps or srt`);
  const gop = String(Math.max(1, Math.round(o.fps)));
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'level+warning',
    '-nostats',
    '-progress',
    'pipe:1',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${o.width}x${o.height}:rate=${num(o.fps)}`,
    '-re',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-map',
    '0:v',
    '-map',
    '1:a',
    '-t',
    num(o.seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    '-g',
    gop,
    '-b:v',
    '400k',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-ac',
    '2',
    '-rw_timeout',
    String(Math.round(o.networkTimeoutSeconds * 1_000_000)),
    ...(scheme === 'srt' ? ['-f', 'mpegts'] : ['-f', 'flv', '-flvflags', 'no_duration_filesize']),
    o.url,
  ];
}

export type DestinationTestOutcome = SharedOutcome<ErrorCode, OutputErrorKind | 'timeout'>;

/** The host of a destination URL (what a person recognises: "a.rtmp.youtube.com"). */
export function hostOf(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]+)/i.exec(url.trim());
  return match?.[1] ?? 'the server';
}

interface RunFacts {
  run: Pick<BinaryRunResult, 'code' | 'signal' | 'stdout' | 'stderr' | 'timedOut' | 'spawnError'>;
  destinationId: number;
  host: string;
  fps: number;
  timeoutSeconds: number;
}

/** What one test run means, in words (pure: the run's exit, its progress and its stderr). */
export function describeTestRun(facts: RunFacts): DestinationTestOutcome {
  const { run, host } = facts;
  const parser = new ProgressBlockParser();
  let frames = 0;
  let bytesSent = 0;
  for (const line of run.stdout.toString('utf8').split('\n')) {
    const progress = parser.push(line);
    if (progress?.frame !== undefined) frames = progress.frame;
    if (progress?.sizeBytes !== undefined) bytesSent = progress.sizeBytes;
  }
  const seconds = Math.round(frames / facts.fps);
  const base = { destinationId: facts.destinationId, host, seconds, frames, bytesSent };
  if (run.code === 0 && !run.timedOut && frames > 0 && bytesSent > 0) {
    return {
      ...base,
      ok: true,
      message: `Reached ${host}: published ${seconds} s (${frames} frames) — the server accepted the stream.`,
      error: null,
    };
  }
  if (run.timedOut) {
    const message = `${host} did not answer within ${facts.timeoutSeconds} s.`;
    return {
      ...base,
      ok: false,
      message: `Could not publish to ${host}: ${message}`,
      error: {
        code: 'DESTINATION_NO_RESPONSE',
        kind: 'timeout',
        message,
        remediation: ERRORS.DESTINATION_NO_RESPONSE.remediation,
      },
    };
  }
  const classified = classifyFailure({
    output: 'destination',
    cause: run.spawnError !== undefined ? 'spawn-error' : run.code === 0 ? 'exited' : 'crashed',
    stderrTail: run.stderr
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-30),
    wasLive: frames > 0 && bytesSent > 0,
  });
  return {
    ...base,
    ok: false,
    message: `Could not publish to ${host}: ${classified.message}`,
    error: {
      code: classified.code,
      kind: classified.kind,
      message: classified.message,
      remediation: testRemediation(classified.code),
    },
  };
}

/** The registry's remediation for a failed test: its `test` situation where the show's wording
 *  ("it reconnects by itself") does not fit a one-off test. */
function testRemediation(code: ErrorCode): string {
  const entry: { remediation: string; when?: Readonly<Record<string, string>> } = ERRORS[code];
  return entry.when?.['test'] ?? entry.remediation;
}

export interface DestinationTesterDeps {
  store: Store;
  /** The show on air streams to this destination. */
  onAir: (destinationId: number) => boolean;
  clock?: Clock;
  logger?: Logger;
  ffmpegBin?: string;
  /** Tests shorten it; default TEST_SECONDS. */
  seconds?: number;
}

export class DestinationTester {
  private readonly running = new Set<number>();
  private readonly log: Logger;

  constructor(private readonly deps: DestinationTesterDeps) {
    this.log = deps.logger ?? createLogger('destination-test');
  }

  /** Publishes the test pattern; throws AppError when it may not run now or cannot be built. */
  async test(destinationId: number): Promise<DestinationTestOutcome> {
    const { store } = this.deps;
    const destination = store.destinations.get(destinationId); // DESTINATION_NOT_FOUND
    if (this.deps.onAir(destinationId))
      throw new AppError(
        'DESTINATION_TEST_ON_AIR',
        `“${destination.name}” is receiving the show on air; a test would push the show off it`,
      );
    if (this.running.has(destinationId))
      throw new AppError('DESTINATION_TEST_RUNNING', `a test of “${destination.name}” is already running`);

    let url: string;
    try {
      url = destinationUrl(
        destination.platform,
        destination.server_url,
        store.destinations.streamKey(destinationId) ?? '',
      );
    } catch (error) {
      if (!(error instanceof DestinationUrlError)) throw error;
      // Its sentences name the field, never the key's value.
      const path = /key/i.test(error.message) ? 'stream_key' : 'server_url';
      throw new AppError('VALIDATION_FAILED', `“${destination.name}” cannot be tested: ${error.message}`, [
        { path, message: error.message },
      ]);
    }

    const seconds = this.deps.seconds ?? TEST_SECONDS;
    const timeoutSeconds = seconds + TEST_NETWORK_TIMEOUT_SECONDS * 2;
    const host = hostOf(url);
    const args = destinationTestArgs({
      url,
      seconds,
      fps: TEST_FPS,
      ...TEST_SIZE,
      networkTimeoutSeconds: TEST_NETWORK_TIMEOUT_SECONDS,
    });
    this.running.add(destinationId);
    try {
      this.log.info({ destinationId, host, seconds }, 'destination test started');
      const run = await runToCompletion(
        this.deps.ffmpegBin ?? FFMPEG_BIN,
        args,
        timeoutSeconds * 1000,
        { maxStdoutBytes: 256 * 1024, killOnOverflow: false, maxStderrChars: 32 * 1024 },
        {
          label: 'destination-test',
          ...(this.deps.clock !== undefined ? { clock: this.deps.clock } : { clock: systemClock }),
          logger: this.log,
        },
      );
      const outcome = describeTestRun({ run, destinationId, host, fps: TEST_FPS, timeoutSeconds });
      this.log.info(
        { destinationId, host, ok: outcome.ok, frames: outcome.frames, code: outcome.error?.code ?? null },
        'destination test finished',
      );
      return outcome;
    } finally {
      this.running.delete(destinationId);
    }
  }
}
