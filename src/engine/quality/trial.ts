// One measured test run of ffmpeg for the capacity check: it runs as fast as it can, and after a
// warm-up we read, at two of its progress reports, how much program it had written (out_time),
// the CPU seconds it had used (/proc/<pid>/stat) and the machine's idle CPU seconds (/proc/stat).
// Then its process group is killed: the figures are taken, the rest is of no use.
//
// Program time is what came OUT: ffmpeg's frame counter counts frames handed to the encoder, and
// x264 takes in its lookahead's worth (~35 frames at `fast`) before it writes anything, so early
// on frames go in far faster than they are encoded (a first version counted them and found
// 1080p30 `fast` needing 0.5 core instead of 1.9 on a loaded machine). Measuring starts once
// output flows, when the encoder's pipeline is full.
//
// Like every short-lived ffmpeg here (ffmpeg/run.ts) it runs without a shell, at the normal
// priority, in its own process group, and only that group is signalled (SIGKILL at the end or on
// timeout). Its argv carries -timelimit, so should this process die mid-test the orphan still
// stops by itself after a bounded amount of CPU.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { systemClock, type Clock } from '../../core/clock.ts';
import {
  ProgressBlockParser,
  StderrLineSplitter,
  parseLogLine,
  summarizeErrors,
} from '../../ffmpeg/progress.ts';
import { killGroup } from '../../ffmpeg/run.ts';
import { atNiceness, CHILD_NICE } from '../../process/priority.ts';
import { readIdleSeconds, readProcessCpuSeconds } from './procfs.ts';

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
}

export type TrialOutcome = { ok: true; measurement: TrialMeasurement } | { ok: false; reason: string };

export type TrialRunner = (spec: TrialSpec) => Promise<TrialOutcome>;

export interface TrialRunnerDeps {
  clock: Clock;
  readCpuSeconds: (pid: number) => number | null;
  readIdleSeconds: () => number | null;
}

interface Reading {
  at: number;
  frame: number;
  programTime: number;
  cpu: number;
  idle: number | null;
}

function lineSplitter(stream: Readable, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
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
      const [command, argv] = atNiceness(spec.bin, spec.args, CHILD_NICE);
      const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: true });
      const startedAt = clock.now();
      let baseline: Reading | null = null;
      let outcome: TrialOutcome | null = null;
      let stderr = '';
      let spawnError: string | null = null;

      const finish = (result: TrialOutcome): void => {
        outcome ??= result;
        killGroup(child.pid);
      };
      const timer = clock.setTimeout(() => {
        finish({
          ok: false,
          reason: `the test made no measurable progress within ${spec.timeoutMs / 1000} s`,
        });
      }, spec.timeoutMs);

      child.on('error', (error) => {
        spawnError = error.message;
      });
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-8000);
      });
      const progress = child.stdio[3] as Readable | null;
      const parser = new ProgressBlockParser();
      if (progress) {
        lineSplitter(progress, (line) => {
          const report = parser.push(line);
          if (report === null || outcome !== null || child.pid === undefined) return;
          const programTime = report.timeSeconds;
          if (report.frame === undefined || programTime === undefined || programTime <= 0) return;
          const at = clock.now();
          const cpu = readCpu(child.pid);
          if (cpu === null) {
            finish({ ok: false, reason: `could not read the test's CPU time from /proc/${child.pid}/stat` });
            return;
          }
          const reading: Reading = { at, frame: report.frame, programTime, cpu, idle: readIdle() };
          if (baseline === null) {
            if (at - startedAt >= spec.warmupMs) baseline = reading;
            return;
          }
          if (at - baseline.at < spec.measureMs) return;
          finish({
            ok: true,
            measurement: {
              frames: reading.frame - baseline.frame,
              programSeconds: reading.programTime - baseline.programTime,
              wallSeconds: (reading.at - baseline.at) / 1000,
              cpuSeconds: reading.cpu - baseline.cpu,
              idleSeconds:
                reading.idle !== null && baseline.idle !== null ? reading.idle - baseline.idle : null,
            },
          });
        });
      }
      child.on('close', (code, signal) => {
        timer.cancel();
        if (outcome) return resolve(outcome);
        if (spawnError !== null) return resolve({ ok: false, reason: `could not run ffmpeg: ${spawnError}` });
        const status = signal !== null ? `signal ${signal}` : `exit code ${code}`;
        const why = stderrReason(stderr);
        resolve({
          ok: false,
          reason: `the test ended before it was measured (${why !== null ? `${why}, ` : ''}${status})`,
        });
      });
    });
}
