// The capacity check: measures this machine, now, and picks the highest level of the quality
// ladder a show can start at without overload (at first start and in pre-flight).
//
// For a level it runs a short real test of what the show costs: a picture with detail, motion and
// sensor noise (testsrc2 + temporal noise: a solid colour costs x264 almost nothing and would lie)
// at the level's size and rate, encoded by libx264 at the level's preset with the engine's rate
// control, as fast as it can, to the null muxer. It reads the CPU seconds the test used per
// second of program made (what the encoder will need at real time) and what the test could get
// from the machine under its current load: its own CPU plus whatever stayed idle, per wall
// second (other processes count: measured, not assumed). The test picture's own cost is left in
// the encoder's figure (about 0.06 core at 1080p30 here, against ~1 core for x264 veryfast): it
// errs on the safe side.
//
// To that it adds the rest of the pipeline:
//   - per camera, a decoder at the level's size: measured once, by decoding the first test's
//     output with the camera decoder's own filter chain, and scaled by pixels per second to the
//     other levels (fallback, if that fails: 0.22 core at 1080p30, measured with a real camera
//     feed in issue 13). A camera sending more pixels than the program costs more than this;
//   - Node's playout: 0.07 core per raw 1080p30 stream through it (a camera in, the program out;
//     issue 13 measured 0.14 core for one camera), scaled by pixels per second;
//   - 0.03 core for the slate, a publisher and the preview (0.01 each, issue 13).
//
// A level fits when what it needs is at most 70 % of what the test could get: the rest is
// headroom for the moments the machine is busier than during the test (the playout has a hard
// deadline every frame). The ceiling is tried first (one test on a machine that has room); if it
// does not fit, a binary search below it (the ladder's levels cost less and less): at most 4
// tests for a 7-level ladder, each 0.5 s or more of warm-up (until the encoder's output flows)
// and 2 s of measuring, plus about 2 s for the decoder. Measured on this 2-core machine with a
// 1080p30 `fast` ceiling while other work kept its load average at 11–13: 17–19 s, 6–8 s of it
// the ceiling's test (x264 at 0.2× real time takes seconds to fill its lookahead). No test starts
// after 20 s: the best level found so far is chosen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import {
  FFMPEG_BIN,
  fitVideoFilter,
  num,
  rate,
  videoEncoderArgs,
  type EncodingProfile,
} from '../../ffmpeg/argv.ts';
import { describeLevel, pixelRate, type QualityLevel } from './ladder.ts';
import { coreLimit } from './procfs.ts';
import { createTrialRunner, type TrialMeasurement, type TrialRunner } from './trial.ts';

/** Pixels per second of 1080p30, the unit of the constants below. */
const PIXEL_RATE_1080P30 = 1920 * 1080 * 30;

export const CAPACITY_DEFAULTS = {
  /** A show may use this share of what the test could get. */
  headroom: 0.7,
  cameras: 1,
  bitrateKbps: 4500,
  profile: 'reliability' as EncodingProfile,
  /** Decoder fallback: cores per camera at 1080p30 (issue 13, real camera feed, 4 Mbit/s). */
  decoderCoresAt1080p30: 0.22,
  /** Node's playout: cores per raw stream (a camera in, the program out) at 1080p30. */
  playoutCoresPerStreamAt1080p30: 0.07,
  /** Slate, a publisher and the preview. */
  otherCores: 0.03,
  warmupMs: 500,
  measureMs: 2000,
  decoderMeasureMs: 1000,
  /** Per test; a test past it is killed and its level refused. */
  trialTimeoutMs: 10_000,
  /** No further test starts after this; the best level found so far is chosen. */
  budgetMs: 20_000,
};

/** Test picture: detail (testsrc2) and sensor noise changing every frame. */
export function testPicture(level: QualityLevel): { source: string; filter: string } {
  return {
    source: `testsrc2=size=${level.width}x${level.height}:rate=${rate(level.fps)}`,
    filter: 'noise=alls=12:allf=t+u,format=yuv420p',
  };
}

/** Progress as key=value blocks on fd 3 four times a second; no stats line on stderr. */
function progressArgs(): string[] {
  return ['-nostats', '-progress', 'pipe:3', '-stats_period', '0.25'];
}

export interface CapacityEncodeArgsOptions {
  level: QualityLevel;
  bitrateKbps: number;
  profile: EncodingProfile;
  /** Keep the encoded stream here (FLV) for the decoder test; null: the null muxer. */
  output: string | null;
  /** -timelimit: CPU seconds after which an orphaned test stops by itself. */
  cpuLimitSeconds: number;
}

/** argv of the encoder test (pure). */
export function capacityEncodeArgs(o: CapacityEncodeArgsOptions): string[] {
  const picture = testPicture(o.level);
  const v = videoEncoderArgs({
    fps: o.level.fps,
    profile: o.profile,
    videoEncoder: 'libx264',
    bitrateKbps: o.bitrateKbps,
    preset: o.level.preset,
  });
  return [
    ...trialPrefix(o.cpuLimitSeconds),
    '-f',
    'lavfi',
    '-i',
    picture.source,
    '-an',
    '-vf',
    picture.filter,
    ...v.codec,
    ...(o.output === null ? ['-f', 'null', '-'] : ['-f', 'flv', '-y', o.output]),
  ];
}

export interface CapacityDecodeArgsOptions {
  /** The encoder test's output. */
  input: string;
  level: QualityLevel;
  cpuLimitSeconds: number;
}

/** What every test starts with: quiet logs, progress on stdout, and a CPU-time limit of its own
 *  (an orphaned test ends by itself). */
function trialPrefix(cpuLimitSeconds: number): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'level+warning',
    ...progressArgs(),
    '-timelimit',
    num(Math.ceil(cpuLimitSeconds)),
  ];
}

/** argv of the decoder test (pure): the camera decoder's filter chain and raw output, looping the input. */
export function capacityDecodeArgs(o: CapacityDecodeArgsOptions): string[] {
  return [
    ...trialPrefix(o.cpuLimitSeconds),
    '-stream_loop',
    '-1',
    '-i',
    o.input,
    '-map',
    '0:v:0',
    '-vf',
    fitVideoFilter(o.level.width, o.level.height, o.level.fps),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    'pipe:1',
  ];
}

// ───────────────────────────── the pure choice ─────────────────────────────

export interface CostModel {
  headroom: number;
  cameras: number;
  /** Cores one camera decoder needs per pixel per second. */
  decoderCoresPerPixelRate: number;
  playoutCoresPerStreamAt1080p30: number;
  otherCores: number;
}

export interface LevelFigures {
  /** The encoder test: CPU seconds per program second (cores at real time). */
  encoderCores: number;
  /** All camera decoders at this level. */
  decoderCores: number;
  playoutCores: number;
  otherCores: number;
  neededCores: number;
  /** What the test could get: its CPU plus the machine's idle CPU, per wall second (capped at the core limit). */
  availableCores: number;
  /** The largest share of availableCores a show may use. */
  allowedCores: number;
  /** Program seconds the test made per wall second, under the machine's load. */
  speed: number;
  /** The raw measurement. */
  measurement: TrialMeasurement;
}

export interface LevelVerdict {
  index: number;
  level: QualityLevel;
  description: string;
  accepted: boolean;
  /** "fast, 30 fps, 1920×1080 needs 1.60 cores (…); 1.20 are free …: too much". */
  reason: string;
  /** Absent when the test could not be measured. */
  figures?: LevelFigures;
}

const cores = (n: number): string => n.toFixed(2);

/** What a level needs against what the measurement says is free (pure). */
export function levelFigures(
  level: QualityLevel,
  measurement: TrialMeasurement,
  model: CostModel,
  coreLimitValue: number,
): LevelFigures {
  const px = pixelRate(level);
  const encoderCores =
    measurement.programSeconds > 0 ? measurement.cpuSeconds / measurement.programSeconds : Infinity;
  const decoderCores = model.cameras * model.decoderCoresPerPixelRate * px;
  const playoutCores = (model.cameras + 1) * model.playoutCoresPerStreamAt1080p30 * (px / PIXEL_RATE_1080P30);
  const neededCores = encoderCores + decoderCores + playoutCores + model.otherCores;
  const wall = measurement.wallSeconds;
  const got = wall > 0 ? (measurement.cpuSeconds + (measurement.idleSeconds ?? 0)) / wall : 0;
  const availableCores = Math.min(got, coreLimitValue);
  return {
    encoderCores,
    decoderCores,
    playoutCores,
    otherCores: model.otherCores,
    neededCores,
    availableCores,
    allowedCores: availableCores * model.headroom,
    speed: wall > 0 ? measurement.programSeconds / wall : 0,
    measurement,
  };
}

/** Accepted when needed ≤ headroom × available, with the sentence that says so (pure). */
export function judgeLevel(
  index: number,
  level: QualityLevel,
  figures: LevelFigures,
  model: CostModel,
): LevelVerdict {
  const description = describeLevel(level);
  const accepted = figures.neededCores <= figures.allowedCores;
  const cameras = model.cameras === 1 ? '1 camera decoder' : `${model.cameras} camera decoders`;
  const parts = [
    `encoder ${cores(figures.encoderCores)}`,
    ...(model.cameras > 0 ? [`${cameras} ${cores(figures.decoderCores)}`] : []),
    `playout ${cores(figures.playoutCores)}`,
    `other ${cores(figures.otherCores)}`,
  ];
  const reason =
    `${description} needs ${cores(figures.neededCores)} cores (${parts.join(', ')}); ` +
    `${cores(figures.availableCores)} are free and a show may use ${Math.round(model.headroom * 100)} % of them ` +
    `(${cores(figures.allowedCores)}): ${accepted ? 'it fits' : 'too much'}`;
  return { index, level, description, accepted, reason, figures };
}

/**
 * The next ladder index to test, or null when the choice is made (pure). The ceiling first; if it
 * does not fit, a binary search for the highest level that does (the lower, the cheaper).
 */
export function nextLevelToTry(ladderLength: number, verdicts: readonly LevelVerdict[]): number | null {
  if (verdicts.length === 0) return 0;
  const { low, high } = bounds(ladderLength, verdicts);
  if (high - low <= 1) return null;
  return Math.floor((low + high) / 2);
}

/** The answer lies in (low, high]: low the lowest refused index, high the highest accepted one (or the length). */
function bounds(ladderLength: number, verdicts: readonly LevelVerdict[]): { low: number; high: number } {
  let low = -1;
  let high = ladderLength;
  for (const v of verdicts) {
    if (v.accepted) high = Math.min(high, v.index);
    else low = Math.max(low, v.index);
  }
  return { low, high };
}

/** The most tests nextLevelToTry can ask for on a ladder of this length (pure). */
export function maxLevelTests(ladderLength: number): number {
  const worst = (low: number, high: number): number => {
    if (high - low <= 1) return 0;
    const mid = Math.floor((low + high) / 2);
    return 1 + Math.max(worst(low, mid), worst(mid, high));
  };
  return ladderLength <= 1 ? 1 : 1 + worst(0, ladderLength);
}

export interface CapacityChoice {
  index: number;
  /** Why, in one sentence. */
  summary: string;
}

/**
 * The level to start at once the tests are done (pure). `complete` false: the check ran out of
 * time before the search ended, so a higher level might have fit too.
 */
export function chooseLevel(
  ladder: readonly QualityLevel[],
  verdicts: readonly LevelVerdict[],
  complete = true,
): CapacityChoice {
  const { high } = bounds(ladder.length, verdicts);
  if (high < ladder.length) {
    const fitting = verdicts.find((v) => v.index === high)!;
    const which =
      high === 0
        ? 'the ceiling fits'
        : complete
          ? 'the highest level that fits'
          : 'the highest level found to fit before the check ran out of time';
    return { index: high, summary: `Starting at ${fitting.description}, ${which}: ${fitting.reason}.` };
  }
  const index = ladder.length - 1;
  const lowest = verdicts.find((v) => v.index === index);
  const why = complete
    ? `no level fits the machine now${lowest ? ` (${lowest.reason})` : ''}`
    : 'the check ran out of time before it found a level that fits';
  return {
    index,
    summary: `Starting at the lowest level, ${describeLevel(ladder[index]!)}: ${why}; on air the show's own signs will judge it.`,
  };
}

// ───────────────────────────── running it ─────────────────────────────

export interface CapacityProgress {
  /** 1-based number of this test. */
  step: number;
  /** The most tests the check can run (some may not be needed). */
  of: number;
  /** "Measuring this machine: testing veryfast, 30 fps, 1920×1080 (2/5)". */
  message: string;
  level: QualityLevel;
}

export interface DecoderFigure {
  /** Cores one camera decoder needs at the ceiling's size and rate. */
  coresAtCeiling: number;
  /** false: the fallback constant was used. */
  measured: boolean;
  /** Why the fallback was used. */
  reason?: string;
}

export interface CapacityResult {
  chosenIndex: number;
  chosen: QualityLevel;
  description: string;
  summary: string;
  /** Every level tested, in the order tested. */
  tried: LevelVerdict[];
  decoder: DecoderFigure;
  /** Median of the tests' free-core figures (null when none could be measured). */
  freeCores: number | null;
  durationMs: number;
}

export interface CapacityCheckOptions {
  /** The ladder from buildLadder, the operator's ceiling first. */
  ladder: readonly QualityLevel[];
  /** Camera decoders that run at once in the show. Default 1. */
  cameras?: number;
  bitrateKbps?: number;
  profile?: EncodingProfile;
  headroom?: number;
  decoderCoresAt1080p30?: number;
  playoutCoresPerStreamAt1080p30?: number;
  otherCores?: number;
  warmupMs?: number;
  measureMs?: number;
  decoderMeasureMs?: number;
  trialTimeoutMs?: number;
  budgetMs?: number;
  onProgress?: (progress: CapacityProgress) => void;
  clock?: Clock;
  ffmpegBin?: string;
  /** Runs one measured test (default: a real ffmpeg). */
  runTrial?: TrialRunner;
  /** Cores this process may use (default: CPUs, or the cgroup quota if lower). */
  coreLimit?: number;
  logger?: Logger;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function runCapacityCheck(options: CapacityCheckOptions): Promise<CapacityResult> {
  const o = {
    ...CAPACITY_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  const { ladder } = options;
  if (ladder.length === 0) throw new RangeError('the quality ladder is empty');
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger('capacity');
  const bin = options.ffmpegBin ?? FFMPEG_BIN;
  const runTrial = options.runTrial ?? createTrialRunner({ clock });
  const limit = options.coreLimit ?? coreLimit();
  // An orphaned test stops after what its timeout would allow on every core.
  const cpuLimitSeconds = Math.ceil((o.trialTimeoutMs / 1000) * limit) + 5;
  const ceiling = ladder[0]!;
  const startedAt = clock.now();
  const cameras = o.cameras;
  const levelTests = maxLevelTests(ladder.length);
  const of = levelTests + (cameras > 0 ? 1 : 0);
  let step = 0;
  const progress = (message: string, level: QualityLevel): void => {
    step += 1;
    options.onProgress?.({ step, of, message: `Measuring this machine: ${message} (${step}/${of})`, level });
  };

  const dir = mkdtempSync(join(tmpdir(), 'vistter-capacity-'));
  try {
    const verdicts: LevelVerdict[] = [];
    let decoder: DecoderFigure | null = null;
    let model: CostModel | null = null;
    let complete = true;
    for (;;) {
      const index = nextLevelToTry(ladder.length, verdicts);
      if (index === null) break;
      if (verdicts.length > 0 && clock.now() - startedAt >= o.budgetMs) {
        complete = false;
        break;
      }
      const level = ladder[index]!;
      const description = describeLevel(level);
      progress(`testing ${description}`, level);
      // The first test keeps its stream for the decoder test.
      const output: string | null = decoder === null && cameras > 0 ? join(dir, 'test.flv') : null;
      const encode = await runTrial({
        bin,
        args: capacityEncodeArgs({
          level,
          bitrateKbps: o.bitrateKbps,
          profile: o.profile,
          output,
          cpuLimitSeconds,
        }),
        warmupMs: o.warmupMs,
        measureMs: o.measureMs,
        timeoutMs: o.trialTimeoutMs,
      });
      if (decoder === null) {
        decoder =
          cameras > 0 && output !== null
            ? await measureDecoder(encode.ok, output)
            : {
                coresAtCeiling: o.decoderCoresAt1080p30 * (pixelRate(ceiling) / PIXEL_RATE_1080P30),
                measured: false,
              };
        model = {
          headroom: o.headroom,
          cameras,
          decoderCoresPerPixelRate: decoder.coresAtCeiling / pixelRate(ceiling),
          playoutCoresPerStreamAt1080p30: o.playoutCoresPerStreamAt1080p30,
          otherCores: o.otherCores,
        };
      }
      const verdict: LevelVerdict = encode.ok
        ? judgeLevel(index, level, levelFigures(level, encode.measurement, model!, limit), model!)
        : {
            index,
            level,
            description,
            accepted: false,
            reason: `${description} could not be measured: ${encode.reason}`,
          };
      verdicts.push(verdict);
      log.info({ level: description, accepted: verdict.accepted, figures: verdict.figures }, verdict.reason);
    }
    const choice = chooseLevel(ladder, verdicts, complete);
    const result: CapacityResult = {
      chosenIndex: choice.index,
      chosen: ladder[choice.index]!,
      description: describeLevel(ladder[choice.index]!),
      summary: choice.summary,
      tried: verdicts,
      decoder: decoder!,
      freeCores: median(verdicts.flatMap((v) => (v.figures ? [v.figures.availableCores] : []))),
      durationMs: Math.round(clock.now() - startedAt),
    };
    log.info({ chosen: result.description, durationMs: result.durationMs }, result.summary);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  async function measureDecoder(encoded: boolean, input: string): Promise<DecoderFigure> {
    const fallback = (reason: string): DecoderFigure => ({
      coresAtCeiling: o.decoderCoresAt1080p30 * (pixelRate(ceiling) / PIXEL_RATE_1080P30),
      measured: false,
      reason,
    });
    if (!encoded) return fallback('the first encoder test failed, so there was no stream to decode');
    progress(`decoding a camera at ${ceiling.width}×${ceiling.height}`, ceiling);
    const decode = await runTrial({
      bin,
      args: capacityDecodeArgs({ input, level: ceiling, cpuLimitSeconds }),
      warmupMs: o.warmupMs,
      measureMs: o.decoderMeasureMs,
      timeoutMs: o.trialTimeoutMs,
    });
    if (!decode.ok) return fallback(decode.reason);
    const { cpuSeconds, programSeconds } = decode.measurement;
    if (programSeconds <= 0) return fallback('the decoder test made no frames');
    return { coresAtCeiling: cpuSeconds / programSeconds, measured: true };
  }
}
