// Measured test runs of ffmpeg for the capacity check. A test reports its progress four times a
// second (-progress on fd 3); after a warm-up we read, at two of its reports, how much program it
// had written (out_time), the CPU seconds it had used (/proc/<pid>/stat) and the machine's idle
// CPU seconds (/proc/stat). Then its process group is killed: the figures are taken, the rest is
// of no use.
//
// Tests can run side by side as a group (the capacity check runs the encoder's test beside the
// camera decoders' tests, as the show runs them): the group's measuring window opens once every
// member's output flows, each member measures from its first report after that, and none is
// stopped before every member is measured, so each is measured beside all the others. A member
// fed at a known pace (-readrate) that falls so far behind it that it cannot keep the pace over
// the window ends the window for the whole group at once: the answer is known.
//
// Program time is what came OUT: ffmpeg's frame counter counts frames handed to the encoder, and
// x264 takes in its lookahead's worth (~35 frames at `fast`) before it writes anything, so early
// on frames go in far faster than they are encoded (a first version counted them and found
// 1080p30 `fast` needing 0.5 core instead of 1.9 on a loaded machine). Measuring starts once
// output flows, when the encoder's pipeline is full.
//
// Like every short-lived child it is a short run (process/run.ts): no shell, its own process group,
// recorded in the crash registry while it runs, and only that group is signalled (SIGKILL at the
// end or on timeout). Its argv carries
// -timelimit, so should this process die mid-test the orphan still stops by itself after a bounded
// amount of CPU.
import { systemClock, type Clock } from '../../core/clock.ts';
import {
  ProgressBlockParser,
  StderrLineSplitter,
  parseLogLine,
  summarizeErrors,
} from '../../ffmpeg/progress.ts';
import { readLines } from '../../process/lines.ts';
import { CHILD_NICE } from '../../process/priority.ts';
import { startShortRun } from '../../process/run.ts';
import { readIdleSeconds, readProcessCpuSeconds } from './procfs.ts';

export interface TrialPace {
  /** Program seconds per wall second the test is fed at (its -readrate). */
  rate: number;
  /** Measuring ends early once the test is this many program seconds behind `rate` in the window. */
  giveUpBehindSeconds: number;
}

export interface TrialSpec {
  bin: string;
  /** argv (without argv[0]); must write `-progress pipe:3`. */
  args: readonly string[];
  /** Measuring starts at the first progress report this long after the start with output written. */
  warmupMs: number;
  /** and ends at the first report this long after that. */
  measureMs: number;
  /** Whole run; then the group is killed and the trial fails. */
  timeoutMs: number;
  /** Niceness (default CHILD_NICE): the show's camera decoders run at DECODER_NICE. */
  nice?: number;
  /** Read and drop what it writes on stdout, as the playout reads a decoder's frames (default: /dev/null). */
  readStdout?: boolean;
  /** The pace it is fed at, for giving up early (see TrialPace). */
  pace?: TrialPace;
  /** Tests that run side by side (see TrialGroup). */
  group?: TrialGroup;
  /**
   * A run that ends by itself (it makes a file): it succeeds when it exits with code 0, measured
   * from its first progress report to its last. warmupMs and measureMs do not apply.
   */
  toCompletion?: boolean;
}

export interface TrialMeasurement {
  /** Frames handed to the encoder (or decoded) while measuring. */
  frames: number;
  /** Program seconds written while measuring (out_time). */
  programSeconds: number;
  wallSeconds: number;
  /** CPU seconds the test process used while measuring (all its threads). */
  cpuSeconds: number;
  /** Idle CPU seconds of the whole machine (all cores) while measuring; null when unknown. */
  idleSeconds: number | null;
  /**
   * Program seconds per wall second fitted to every report in the window (least squares: steadier
   * than the two ends, whose program times are whole frames). Absent with fewer than 3 reports.
   */
  rate?: number;
  /** Why the window ended before measureMs: this test fell behind its pace, or another test of its group did. */
  cutShort?: 'fell behind' | 'group stopped';
}

export type TrialOutcome =
  | { ok: true; measurement: TrialMeasurement }
  /** `stoppedWithGroup`: it ran well but another test of its group ended the window before its own started. */
  | { ok: false; reason: string; stoppedWithGroup?: boolean };

export type TrialRunner = (spec: TrialSpec) => Promise<TrialOutcome>;

export interface TrialRunnerDeps {
  clock: Clock;
  readCpuSeconds: (pid: number) => number | null;
  readIdleSeconds: () => number | null;
}

/**
 * Tests that run side by side. The window opens when every member's output flows; the group stops
 * (every member still running takes what it has measured and is killed) when every member is
 * done, or at once when one member ends the window for all (it fell behind, failed or timed out).
 */
export class TrialGroup {
  #waiting: number;
  #running: number;
  #open = false;
  #stopped = false;
  readonly #listeners = new Set<() => void>();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a group needs members, got ${size}`);
    this.#waiting = size;
    this.#running = size;
  }

  /** Every member's output flows: measuring may start. */
  get open(): boolean {
    return this.#open;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** A member's output flows and its warm-up is over (once per member). */
  flowing(): void {
    this.#waiting -= 1;
    if (this.#waiting <= 0) this.#open = true;
  }

  /** A member is done; `stopAll`: the others stop now too. */
  done(stopAll: boolean): void {
    this.#running -= 1;
    if (stopAll || this.#running <= 0) this.#stop();
  }

  onStop(listener: () => void): void {
    if (this.#stopped) listener();
    else this.#listeners.add(listener);
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const listener of this.#listeners) listener();
    this.#listeners.clear();
  }
}

/** One progress report as the meter sees it. */
export interface ProgressPoint {
  at: number;
  /** Program seconds written so far. */
  programTime: number;
  /** Frames handed to the encoder so far. */
  frame: number;
}

export type MeterStep =
  /** Nothing to do yet. */
  | { kind: 'wait' }
  /** Take this report as the start of the window (read CPU and idle now). */
  | { kind: 'start' }
  /** The window ends at this report (read CPU and idle now). */
  | { kind: 'end'; cutShort?: 'fell behind' };

/**
 * What a test's progress reports mean, one by one (pure): when its output flows, when its window
 * starts (its first report once the group is open) and ends (measureMs later, or once it has
 * fallen `giveUpBehindSeconds` behind its pace).
 */
export class TrialMeter {
  #flowing = false;
  #start: ProgressPoint | null = null;
  #ended = false;
  readonly points: ProgressPoint[] = [];

  constructor(
    private readonly spec: Pick<TrialSpec, 'warmupMs' | 'measureMs' | 'pace'>,
    private readonly startedAt: number,
    private readonly group: Pick<TrialGroup, 'open' | 'flowing'> | null,
  ) {}

  get start(): ProgressPoint | null {
    return this.#start;
  }

  /** The window's last report so far (its start when none came after). */
  get last(): ProgressPoint | null {
    return this.points.at(-1) ?? null;
  }

  report(point: ProgressPoint): MeterStep {
    if (this.#ended || point.programTime <= 0) return { kind: 'wait' };
    if (!this.#flowing) {
      if (point.at - this.startedAt < this.spec.warmupMs) return { kind: 'wait' };
      this.#flowing = true;
      this.group?.flowing();
    }
    if (this.group !== null && !this.group.open) return { kind: 'wait' };
    if (this.#start === null) {
      this.#start = point;
      this.points.push(point);
      return { kind: 'start' };
    }
    this.points.push(point);
    const pace = this.spec.pace;
    if (pace !== undefined) {
      const behind =
        (pace.rate * (point.at - this.#start.at)) / 1000 - (point.programTime - this.#start.programTime);
      if (behind > pace.giveUpBehindSeconds) {
        this.#ended = true;
        return { kind: 'end', cutShort: 'fell behind' };
      }
    }
    if (point.at - this.#start.at < this.spec.measureMs) return { kind: 'wait' };
    this.#ended = true;
    return { kind: 'end' };
  }
}

/** Program seconds per wall second by least squares over the points (ms, s); null with fewer than 3. */
export function fittedRate(points: readonly ProgressPoint[]): number | null {
  if (points.length < 3) return null;
  const n = points.length;
  const meanAt = points.reduce((sum, p) => sum + p.at, 0) / n;
  const meanTime = points.reduce((sum, p) => sum + p.programTime, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.at - meanAt) * (p.programTime - meanTime);
    variance += (p.at - meanAt) ** 2;
  }
  return variance > 0 ? (covariance / variance) * 1000 : null;
}

interface Sample {
  point: ProgressPoint;
  cpu: number;
  idle: number | null;
}

function measurementBetween(
  start: Sample,
  end: Sample,
  points: readonly ProgressPoint[],
  cutShort: TrialMeasurement['cutShort'],
): TrialMeasurement {
  const rate = fittedRate(points);
  return {
    frames: end.point.frame - start.point.frame,
    programSeconds: end.point.programTime - start.point.programTime,
    wallSeconds: (end.point.at - start.point.at) / 1000,
    cpuSeconds: end.cpu - start.cpu,
    idleSeconds: end.idle !== null && start.idle !== null ? end.idle - start.idle : null,
    ...(rate !== null ? { rate } : {}),
    ...(cutShort !== undefined ? { cutShort } : {}),
  };
}

/** The telling line of a failed run's stderr. */
function stderrReason(stderr: string): string | null {
  const lines = new StderrLineSplitter().push(stderr + '\n');
  const telling = summarizeErrors(lines);
  const pick = telling?.line ?? lines.at(-1);
  return pick === undefined ? null : parseLogLine(pick).message;
}

export function createTrialRunner(deps: Partial<TrialRunnerDeps> = {}): TrialRunner {
  const clock = deps.clock ?? systemClock;
  const readCpu = deps.readCpuSeconds ?? readProcessCpuSeconds;
  const readIdle = deps.readIdleSeconds ?? readIdleSeconds;

  return (spec) =>
    new Promise<TrialOutcome>((resolve) => {
      const child = startShortRun(
        {
          command: spec.bin,
          args: spec.args,
          nice: spec.nice ?? CHILD_NICE,
          stdio: ['ignore', spec.readStdout === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        },
        { label: 'capacity-trial', clock },
      );
      const startedAt = clock.now();
      const group = spec.group ?? null;
      const meter = new TrialMeter(spec, startedAt, group);
      let start: Sample | null = null;
      let measured: TrialMeasurement | null = null;
      let outcome: TrialOutcome | null = null;
      let leftGroup = false;
      let stderr = '';
      let first: Sample | null = null;
      let latest: Sample | null = null;

      const leaveGroup = (stopAll: boolean): void => {
        if (leftGroup || group === null) return;
        leftGroup = true;
        group.done(stopAll);
      };
      const finish = (result: TrialOutcome): void => {
        outcome ??= result;
        child.kill();
        leaveGroup(!result.ok);
      };
      const sample = (point: ProgressPoint): Sample | null => {
        const cpu = child.pid === undefined ? null : readCpu(child.pid);
        if (cpu === null) {
          finish({ ok: false, reason: `could not read the test's CPU time from /proc/${child.pid}/stat` });
          return null;
        }
        return { point, cpu, idle: readIdle() };
      };
      const timer = clock.setTimeout(() => {
        finish(
          measured !== null
            ? { ok: true, measurement: measured }
            : { ok: false, reason: `the test made no measurable progress within ${spec.timeoutMs / 1000} s` },
        );
      }, spec.timeoutMs);
      // Another member ended the window: take what was measured so far.
      group?.onStop(() => {
        if (outcome !== null) return;
        if (measured !== null) return finish({ ok: true, measurement: measured });
        const last = meter.last;
        if (start !== null && last !== null && last.at > start.point.at) {
          const end = sample(last);
          if (end !== null)
            finish({
              ok: true,
              measurement: measurementBetween(start, end, meter.points, 'group stopped'),
            });
          return;
        }
        finish({
          ok: false,
          reason: 'it was stopped before it was measured: a test beside it ended first',
          stoppedWithGroup: true,
        });
      });

      child.readable(1)?.on('data', () => undefined);
      child
        .readable(2)
        ?.setEncoding('utf8')
        .on('data', (chunk: string) => {
          stderr = (stderr + chunk).slice(-8000);
        });
      const progress = child.readable(3);
      const parser = new ProgressBlockParser();
      if (progress) {
        readLines(progress, (line) => {
          const report = parser.push(line);
          if (report === null || outcome !== null || measured !== null || child.pid === undefined) return;
          const programTime = report.timeSeconds;
          if (report.frame === undefined || programTime === undefined || programTime <= 0) return;
          const point: ProgressPoint = { at: clock.now(), programTime, frame: report.frame };
          if (spec.toCompletion === true) {
            const now = sample(point);
            if (now === null) return;
            first ??= now;
            latest = now;
            return;
          }
          const step = meter.report(point);
          if (step.kind === 'start') {
            start = sample(point);
          } else if (step.kind === 'end' && start !== null) {
            const end = sample(point);
            if (end === null) return;
            measured = measurementBetween(start, end, meter.points, step.cutShort);
            if (group === null) finish({ ok: true, measurement: measured });
            else leaveGroup(step.cutShort !== undefined);
          }
        });
      }
      void child.ended.then(({ code, signal, spawnError }) => {
        timer.cancel();
        if (outcome === null && spec.toCompletion === true && code === 0) {
          outcome = {
            ok: true,
            measurement:
              first !== null && latest !== null
                ? measurementBetween(first, latest, [], undefined)
                : { frames: 0, programSeconds: 0, wallSeconds: 0, cpuSeconds: 0, idleSeconds: null },
          };
        }
        if (outcome === null) {
          const status = signal !== null ? `signal ${signal}` : `exit code ${code}`;
          const why = stderrReason(stderr);
          outcome = {
            ok: false,
            reason:
              spawnError !== undefined
                ? `could not run ffmpeg: ${spawnError.message}`
                : `the test ended before it was measured (${why !== null ? `${why}, ` : ''}${status})`,
          };
        }
        leaveGroup(!outcome.ok);
        resolve(outcome);
      });
    });
}
