// The capacity check: measures this machine, now, and picks the highest level of the quality
// ladder a show can start at without overload (at first start and in pre-flight).
//
// A level is judged by a short real-time trial of what the show runs there, side by side, beside
// whatever else the machine is doing:
//   - the encoder: a picture with detail, motion and sensor noise (testsrc2 + temporal noise: a
//     solid colour costs x264 almost nothing and would lie) at the level's size and rate, encoded
//     by libx264 at the level's preset with the engine's rate control, at the normal priority;
//   - one decoder per camera that decodes at once in the show: a camera-like H.264 stream at the
//     ceiling's size and rate (made once per check, 2 s looped) through the camera decoder's own
//     filter chain at the level's size and rate to raw frames, read by this process as the playout
//     reads them, at the decoders' priority (DECODER_NICE). A camera that sends more pixels than
//     the ceiling costs more than this.
// Every part is fed a little faster than real time (-readrate 1.15: the margin) and must keep that
// pace over a 2 s window once all their outputs flow: at least 97 % of it (1.12× real time),
// fitted over its progress reports. A part that falls so far behind that it cannot is stopped at
// once with the rest: the level is too much.
//
// Why a trial and not a cost model: the first version measured one as-fast-as-possible encode and
// compared a cost model against "free cores" (its own CPU plus idle CPU) with 70 % headroom. Beside
// two CPU-bound processes on this 2-core machine it chose superfast 15 fps 1280×720 for a four-
// camera 1080p30 show (it found 0.71 cores free), while the show at superfast 15 fps 1920×1080
// held a minute with no drop. Measured since: the show's processes together get more of a busy
// CPU than one test did (Linux shares it between threads: x264's, the decoders', the playout's);
// a trial's four processes got 1.1–1.2 cores beside the same two programs. And a decoder's cost
// does not shrink with the program's size: it decodes the camera's full stream (0.13 core for a
// 1080p30 camera whether it delivers 1080p15 or 720p15); the model scaled it by pixels.
// Ground truth (the pressure bench's show pinned at a level for 45 s): beside two CPU-bound
// processes superfast 30 fps 1080p ran at 0.95× real time and dropped frames, superfast 15 fps
// 1080p held; quiet, fast 30 fps 1080p stepped 2 frames once, veryfast and superfast held. The
// trial under load: superfast 30 fps 1080p's encoder made 0.50–0.84× real time (refused), superfast
// 15 fps kept the pace (and about 1.3× when fed faster): chosen. Quiet it refused fast (0.58–0.70×)
// and veryfast at 30 fps (0.79–1.04×: at 1.15× the machine is out of room) and chose superfast
// 30 fps: the margin gives up a level the machine holds only at its edge. The 15 % covers what the
// trial leaves out (the playout's compositing and overlays, the publishers, the moments the
// machine is busier than during the test).
//
// The ceiling is tried first (one test on a machine that has room); if it does not fit, a binary
// search below it (the ladder's levels cost less and less): at most 4 trials for a 7-level ladder,
// each about 1–4 s until every output flows (x264's lookahead fills at the pace) plus 2 s of
// measuring (a level that falls behind ends within a fraction of a second of the window opening),
// after the cameras' stream (0.5–1.6 s). A 1080p30 `fast` ceiling with 3 cameras took 11–12 s
// here on the quiet machine and 12–13 s beside two CPU-bound processes. No trial starts after
// `budgetMs`: the best level found so far is chosen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import {
  cameraLikeH264Args,
  FFMPEG_BIN,
  fitVideoFilter,
  num,
  rate,
  videoEncoderArgs,
  type EncodingProfile,
} from '../../ffmpeg/argv.ts';
import { DECODER_NICE } from '../../process/priority.ts';
import { describeLevel, pixelRate, type QualityLevel } from './ladder.ts';
import { coreLimit } from './procfs.ts';
import {
  createTrialRunner,
  TrialGroup,
  type TrialMeasurement,
  type TrialOutcome,
  type TrialRunner,
} from './trial.ts';

/** Pixels per second of 1080p30, the unit of the constants below. */
const PIXEL_RATE_1080P30 = 1920 * 1080 * 30;

export const CAPACITY_DEFAULTS = {
  cameras: 1,
  bitrateKbps: 4500,
  profile: 'reliability' as EncodingProfile,
  /** Each part of a trial is fed this many program seconds per wall second: the margin. */
  pace: 1.15,
  /** A part keeps the pace when it makes at least this share of it over the window. */
  keep: 0.97,
  /** The cameras' stream: what a typical IP camera sends (H.264, 2 s keyframes). */
  cameraBitrateKbps: 4000,
  cameraStreamSeconds: 2,
  /** Shown when no decoder could be measured: cores per camera at 1080p30 (issue 13, real camera feed, 4 Mbit/s). */
  decoderCoresAt1080p30: 0.22,
  warmupMs: 500,
  measureMs: 2000,
  /** Per trial; a trial past it is killed and its level refused. */
  trialTimeoutMs: 10_000,
  /** No further trial starts after this; the best level found so far is chosen. */
  budgetMs: 16_000,
};

/** Test picture: detail (testsrc2) and sensor noise changing every frame. */
export function testPicture(level: Pick<QualityLevel, 'width' | 'height' | 'fps'>): {
  source: string;
  filter: string;
} {
  return {
    source: `testsrc2=size=${level.width}x${level.height}:rate=${rate(level.fps)}`,
    filter: 'noise=alls=12:allf=t+u,format=yuv420p',
  };
}

/** What every test starts with: quiet logs, progress on fd 3 four times a second (no stats line on
 *  stderr), and a CPU-time limit of its own (an orphaned test ends by itself). */
function trialPrefix(cpuLimitSeconds: number): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'level+warning',
    '-nostats',
    '-progress',
    'pipe:3',
    '-stats_period',
    '0.25',
    '-timelimit',
    num(Math.ceil(cpuLimitSeconds)),
  ];
}

export interface CameraStreamArgsOptions {
  /** The cameras' size and rate (the ceiling's). */
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  seconds: number;
  output: string;
  cpuLimitSeconds: number;
}

/**
 * argv that makes the cameras' stream (pure): the noisy test picture as an IP camera sends it
 * (cameraLikeH264Args: a keyframe every 2 s) to an FLV file.
 */
export function cameraStreamArgs(o: CameraStreamArgsOptions): string[] {
  const picture = testPicture(o);
  return [
    ...trialPrefix(o.cpuLimitSeconds),
    '-f',
    'lavfi',
    '-i',
    picture.source,
    '-vf',
    picture.filter,
    '-frames:v',
    String(Math.max(1, Math.round(o.fps * o.seconds))),
    ...cameraLikeH264Args(o.bitrateKbps, o.fps * 2),
    '-f',
    'flv',
    '-y',
    o.output,
  ];
}

export interface CapacityEncodeArgsOptions {
  level: QualityLevel;
  bitrateKbps: number;
  profile: EncodingProfile;
  /** Program seconds per wall second it is fed at (-readrate). */
  pace: number;
  /** -timelimit: CPU seconds after which an orphaned test stops by itself. */
  cpuLimitSeconds: number;
}

/** argv of the encoder's part of a trial (pure): the noisy picture at the pace, encoded as the engine does, to the null muxer. */
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
    '-readrate',
    num(o.pace),
    '-f',
    'lavfi',
    '-i',
    picture.source,
    '-an',
    '-vf',
    picture.filter,
    ...v.codec,
    '-f',
    'null',
    '-',
  ];
}

export interface CapacityDecodeArgsOptions {
  /** The cameras' stream. */
  input: string;
  level: QualityLevel;
  pace: number;
  cpuLimitSeconds: number;
}

/** argv of a camera decoder's part of a trial (pure): the stream looped at the pace, through the camera decoder's filter chain, raw frames on stdout. */
export function capacityDecodeArgs(o: CapacityDecodeArgsOptions): string[] {
  return [
    ...trialPrefix(o.cpuLimitSeconds),
    '-readrate',
    num(o.pace),
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

// ───────────────────────────── the pure judgement ─────────────────────────────

export interface TrialRule {
  /** Program seconds per wall second every part is fed at. */
  pace: number;
  /** The share of the pace a part must make over the window. */
  keep: number;
}

/** How far behind its pace (program seconds) a part may fall before it is stopped (pure): what it
 *  may lose over the whole window, plus three frames for the whole-frame steps of its reports. */
export function giveUpBehindSeconds(rule: TrialRule, measureMs: number, fps: number): number {
  return (1 - rule.keep) * rule.pace * (measureMs / 1000) + 3 / fps;
}

export interface PartFigures {
  /** Program seconds per wall second over the window; null when not measured. */
  rate: number | null;
  /** Cores it used over the window. */
  cores: number | null;
  /** Cores it needs to keep the pace: CPU seconds per program second × the pace. */
  coresAtPace: number | null;
  kept: boolean;
  /** Why it has no figures. */
  reason?: string;
  cutShort?: TrialMeasurement['cutShort'];
}

export interface LevelTrial {
  pace: number;
  keep: number;
  encoder: PartFigures;
  /** One per camera decoder (empty without cameras, or when their stream could not be made). */
  decoders: PartFigures[];
  /** Why the decoders were not tested, when there are cameras. */
  decodersUntested?: string;
  /** Cores the parts used together over the window (at most the core limit). */
  usedCores: number | null;
  /** Cores they need together to keep the pace. */
  neededCores: number | null;
  /** The parts' CPU plus the machine's idle CPU per wall second (capped at the core limit); null when unknown. */
  availableCores: number | null;
}

export interface LevelVerdict {
  index: number;
  level: QualityLevel;
  description: string;
  accepted: boolean;
  /** "superfast, 15 fps, 1920×1080 kept 1.15× real time (encoder 1.16×, 3 decoders ≥ 1.15×) beside …: it fits". */
  reason: string;
  /** The trial's figures (absent when it could not be measured). */
  trial?: LevelTrial;
}

const times = (n: number): string => `${n.toFixed(2)}×`;
const cores = (n: number): string => n.toFixed(2);

/** A part's figures from its outcome (pure). */
export function partFigures(outcome: TrialOutcome, rule: TrialRule): PartFigures {
  if (!outcome.ok) return { rate: null, cores: null, coresAtPace: null, kept: false, reason: outcome.reason };
  const m = outcome.measurement;
  const rate = m.rate ?? (m.wallSeconds > 0 ? m.programSeconds / m.wallSeconds : 0);
  return {
    rate,
    cores: m.wallSeconds > 0 ? m.cpuSeconds / m.wallSeconds : null,
    coresAtPace: m.programSeconds > 0 ? (m.cpuSeconds / m.programSeconds) * rule.pace : null,
    kept: m.cutShort !== 'fell behind' && rate >= rule.pace * rule.keep,
    ...(m.cutShort !== undefined ? { cutShort: m.cutShort } : {}),
  };
}

function sumOrNull(values: readonly (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((sum, v) => sum + v!, 0);
}

function minOrNull(value: number | null, limit: number): number | null {
  return value === null ? null : Math.min(value, limit);
}

export interface TrialOutcomes {
  encoder: TrialOutcome;
  decoders: readonly TrialOutcome[];
  /** Why the decoders did not run although the show has cameras. */
  decodersUntested?: string;
}

/** Cores the parts could have had: their CPU plus the idle CPU the encoder's window saw, per wall second. */
function availableCores(outcomes: TrialOutcomes, limit: number): number | null {
  if (!outcomes.encoder.ok) return null;
  const m = outcomes.encoder.measurement;
  if (m.idleSeconds === null || m.wallSeconds <= 0) return null;
  const cpu = [outcomes.encoder, ...outcomes.decoders].reduce(
    (sum, o) =>
      sum +
      (o.ok && o.measurement.wallSeconds > 0 ? o.measurement.cpuSeconds / o.measurement.wallSeconds : 0),
    0,
  );
  return Math.min(cpu + m.idleSeconds / m.wallSeconds, limit);
}

/** "encoder 1.16×, 3 decoders ≥ 1.15×" (pure). */
function partsInWords(trial: LevelTrial): string {
  const encoder = `encoder ${trial.encoder.rate === null ? 'not measured' : times(trial.encoder.rate)}`;
  const n = trial.decoders.length;
  if (n === 0) {
    return trial.decodersUntested !== undefined
      ? `${encoder}; camera decoders not tested: ${trial.decodersUntested}`
      : encoder;
  }
  const rates = trial.decoders.map((d) => d.rate);
  const name = n === 1 ? '1 decoder' : `${n} decoders`;
  if (rates.some((r) => r === null)) return `${encoder}, ${name} not measured`;
  const slowest = Math.min(...(rates as number[]));
  return `${encoder}, ${name} ${n === 1 ? '' : '≥ '}${times(slowest)}`;
}

/**
 * A level's verdict from its trial (pure): it fits when every part kept the pace over the window.
 * A part that failed to run makes the level unmeasured (refused), unless it was only stopped
 * because another part ended the trial first.
 */
export function judgeTrial(
  index: number,
  level: QualityLevel,
  outcomes: TrialOutcomes,
  rule: TrialRule,
  coreLimitValue: number,
): LevelVerdict {
  const description = describeLevel(level);
  const failed = [outcomes.encoder, ...outcomes.decoders].find(
    (o): o is { ok: false; reason: string } => !o.ok && o.stoppedWithGroup !== true,
  );
  if (failed !== undefined) {
    const which = failed === outcomes.encoder ? '' : "a camera decoder's test failed: ";
    return {
      index,
      level,
      description,
      accepted: false,
      reason: `${description} could not be measured: ${which}${failed.reason}`,
    };
  }
  const encoder = partFigures(outcomes.encoder, rule);
  const decoders = outcomes.decoders.map((o) => partFigures(o, rule));
  const parts = [encoder, ...decoders];
  const trial: LevelTrial = {
    pace: rule.pace,
    keep: rule.keep,
    encoder,
    decoders,
    ...(outcomes.decodersUntested !== undefined ? { decodersUntested: outcomes.decodersUntested } : {}),
    // Each part's window is its own (a report apart) and /proc counts in 10 ms ticks: never more than there is.
    usedCores: minOrNull(sumOrNull(parts.map((p) => p.cores)), coreLimitValue),
    neededCores: sumOrNull(parts.map((p) => p.coresAtPace)),
    availableCores: availableCores(outcomes, coreLimitValue),
  };
  const accepted = parts.every((p) => p.kept);
  return { index, level, description, accepted, reason: trialReason(description, accepted, trial), trial };
}

/** The verdict in words, with the figures (pure). */
function trialReason(description: string, accepted: boolean, trial: LevelTrial): string {
  const pace = times(trial.pace);
  const parts = partsInWords(trial);
  const beside = "beside the machine's other work";
  if (accepted) return `${description} kept ${pace} real time (${parts}) ${beside}: it fits`;
  // What keeping the pace takes against what the parts got, when that is what fell short.
  const all =
    trial.neededCores !== null && trial.usedCores !== null
      ? { need: trial.neededCores, got: trial.usedCores, who: '' }
      : null;
  const { coresAtPace, cores: encoderCores } = trial.encoder;
  const short =
    all ??
    (coresAtPace !== null && encoderCores !== null
      ? { need: coresAtPace, got: encoderCores, who: ' for the encoder alone' }
      : null);
  if (short !== null && short.need > short.got)
    return (
      `${description} needs ${cores(short.need)} cores${short.who} to keep ${pace} real time and got ` +
      `${cores(short.got)} ${beside} (${parts}): too much`
    );
  return `${description} fell behind ${pace} real time ${beside} (${parts}): too much`;
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
  /** 1-based number of this step. */
  step: number;
  /** The most steps the check can take (some may not be needed). */
  of: number;
  /** "Measuring this machine: testing veryfast, 30 fps, 1920×1080 (2/5)". */
  message: string;
  level: QualityLevel;
}

export interface DecoderFigure {
  /** Cores one camera decoder needs at real time for a camera at the ceiling's size and rate. */
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
  /** Median of the trials' available-core figures (null when none could be measured). */
  freeCores: number | null;
  durationMs: number;
  /** The rule every level was judged by. */
  rule?: TrialRule;
}

export interface CapacityCheckOptions {
  /** The ladder from buildLadder, the operator's ceiling first. */
  ladder: readonly QualityLevel[];
  /** Camera decoders that run at once in the show. Default 1. */
  cameras?: number;
  bitrateKbps?: number;
  profile?: EncodingProfile;
  pace?: number;
  keep?: number;
  cameraBitrateKbps?: number;
  cameraStreamSeconds?: number;
  decoderCoresAt1080p30?: number;
  warmupMs?: number;
  measureMs?: number;
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

/**
 * The decoders' cores per camera (CPU seconds per program second) from the first trial that
 * measured them over a whole window, else from a window cut short (a fraction of a second: coarse,
 * /proc counts 10 ms ticks), else the documented constant (pure).
 */
export function decoderFigure(
  verdicts: readonly LevelVerdict[],
  fallbackCores: number,
  untested: string | null,
): DecoderFigure {
  for (const wholeWindow of [true, false]) {
    for (const verdict of verdicts) {
      const trial = verdict.trial;
      if (trial === undefined) continue;
      const perCamera = trial.decoders.flatMap((d) =>
        d.coresAtPace !== null && (d.cutShort === undefined || !wholeWindow)
          ? [d.coresAtPace / trial.pace]
          : [],
      );
      if (perCamera.length > 0)
        return { coresAtCeiling: perCamera.reduce((a, b) => a + b, 0) / perCamera.length, measured: true };
    }
  }
  return {
    coresAtCeiling: fallbackCores,
    measured: false,
    reason: untested ?? 'no trial ran long enough to measure a camera decoder',
  };
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
  const rule: TrialRule = { pace: o.pace, keep: o.keep };
  // An orphaned test stops after what its timeout would allow on every core.
  const cpuLimitSeconds = Math.ceil((o.trialTimeoutMs / 1000) * limit) + 5;
  const ceiling = ladder[0]!;
  const startedAt = clock.now();
  const cameras = o.cameras;
  // The cameras' stream is a step of its own, before the ceiling's trial.
  const of = maxLevelTests(ladder.length) + (cameras > 0 ? 1 : 0);
  let step = 0;
  const progress = (message: string, level: QualityLevel): void => {
    step += 1;
    options.onProgress?.({ step, of, message: `Measuring this machine: ${message} (${step}/${of})`, level });
  };

  const dir = mkdtempSync(join(tmpdir(), 'vistter-capacity-'));
  try {
    let stream: { ok: true; path: string } | { ok: false; reason: string } | null = null;
    if (cameras > 0) {
      progress(`testing ${describeLevel(ceiling)}`, ceiling);
      stream = await makeCameraStream(join(dir, 'camera.flv'));
      if (!stream.ok) log.warn({ reason: stream.reason }, 'the cameras’ test stream could not be made');
    }
    const verdicts: LevelVerdict[] = [];
    let complete = true;
    for (;;) {
      const index = nextLevelToTry(ladder.length, verdicts);
      if (index === null) break;
      if (verdicts.length > 0 && clock.now() - startedAt >= o.budgetMs) {
        complete = false;
        break;
      }
      const level = ladder[index]!;
      progress(`testing ${describeLevel(level)}`, level);
      const outcomes = await runLevelTrial(level, stream);
      const verdict = judgeTrial(index, level, outcomes, rule, limit);
      verdicts.push(verdict);
      log.info(
        { level: verdict.description, accepted: verdict.accepted, trial: verdict.trial },
        verdict.reason,
      );
    }
    const choice = chooseLevel(ladder, verdicts, complete);
    const untested =
      cameras === 0
        ? 'the show has no camera to decode'
        : stream !== null && !stream.ok
          ? stream.reason
          : null;
    const result: CapacityResult = {
      chosenIndex: choice.index,
      chosen: ladder[choice.index]!,
      description: describeLevel(ladder[choice.index]!),
      summary: choice.summary,
      tried: verdicts,
      decoder: decoderFigure(
        verdicts,
        o.decoderCoresAt1080p30 * (pixelRate(ceiling) / PIXEL_RATE_1080P30),
        untested,
      ),
      freeCores: median(
        verdicts.flatMap((v) => {
          const available = v.trial?.availableCores ?? null;
          return available === null ? [] : [available];
        }),
      ),
      durationMs: Math.round(clock.now() - startedAt),
      rule,
    };
    log.info({ chosen: result.description, durationMs: result.durationMs }, result.summary);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  async function makeCameraStream(
    path: string,
  ): Promise<{ ok: true; path: string } | { ok: false; reason: string }> {
    const made = await runTrial({
      bin,
      args: cameraStreamArgs({
        width: ceiling.width,
        height: ceiling.height,
        fps: ceiling.fps,
        bitrateKbps: o.cameraBitrateKbps,
        seconds: o.cameraStreamSeconds,
        output: path,
        cpuLimitSeconds,
      }),
      warmupMs: 0,
      measureMs: 0,
      timeoutMs: o.trialTimeoutMs,
      toCompletion: true,
    });
    return made.ok ? { ok: true, path } : { ok: false, reason: made.reason };
  }

  async function runLevelTrial(
    level: QualityLevel,
    stream: { ok: true; path: string } | { ok: false; reason: string } | null,
  ): Promise<TrialOutcomes> {
    const decoders = stream?.ok === true ? cameras : 0;
    const group = new TrialGroup(1 + decoders);
    const common = {
      bin,
      warmupMs: o.warmupMs,
      measureMs: o.measureMs,
      timeoutMs: o.trialTimeoutMs,
      pace: { rate: o.pace, giveUpBehindSeconds: giveUpBehindSeconds(rule, o.measureMs, level.fps) },
      group,
    };
    const encoder = runTrial({
      ...common,
      args: capacityEncodeArgs({
        level,
        bitrateKbps: o.bitrateKbps,
        profile: o.profile,
        pace: o.pace,
        cpuLimitSeconds,
      }),
    });
    const decoding = Array.from({ length: decoders }, () =>
      runTrial({
        ...common,
        args: capacityDecodeArgs({
          input: (stream as { path: string }).path,
          level,
          pace: o.pace,
          cpuLimitSeconds,
        }),
        nice: DECODER_NICE,
        readStdout: true,
      }),
    );
    const [encoderOutcome, ...decoderOutcomes] = await Promise.all([encoder, ...decoding]);
    return {
      encoder: encoderOutcome!,
      decoders: decoderOutcomes,
      ...(stream !== null && !stream.ok ? { decodersUntested: stream.reason } : {}),
    };
  }
}
