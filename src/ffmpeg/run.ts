// ffmpeg and ffprobe runs that finish by themselves (probe, test encodes, thumbnails): the short
// runs of src/process/run.ts (own process group, recorded in the crash registry while they run,
// the time limit on the injected clock), with stdout as text.
import type { Clock } from '../core/clock.ts';
import { runToCompletion, type BinaryRunResult, type RunLimits } from '../process/run.ts';

export type { BinaryRunResult, RunLimits } from '../process/run.ts';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** spawn itself failed (e.g. ENOENT for the binary). */
  spawnError?: string;
}

export type Runner = (bin: string, args: readonly string[], timeoutMs: number) => Promise<RunResult>;

export type BinaryRunner = (
  bin: string,
  args: readonly string[],
  timeoutMs: number,
) => Promise<BinaryRunResult>;

const TEXT_LIMITS: RunLimits = {
  maxStdoutBytes: 64 * 1024 * 1024,
  killOnOverflow: false,
  maxStderrChars: 1024 * 1024,
};

/** What a run is called in the crash registry, and the clock its time limit runs on. */
export interface RunnerOptions {
  label?: string;
  clock?: Clock;
}

/** A Runner with stdout as UTF-8 text (up to 64 MiB kept, 1 MiB of stderr). */
export function textRunner(options: RunnerOptions = {}): Runner {
  return async (bin, args, timeoutMs) => {
    const { code, signal, stdout, stderr, timedOut, spawnError } = await runToCompletion(
      bin,
      args,
      timeoutMs,
      TEXT_LIMITS,
      options,
    );
    return {
      code,
      signal,
      stdout: stdout.toString('utf8'),
      stderr,
      timedOut,
      ...(spawnError !== undefined ? { spawnError } : {}),
    };
  };
}

/** A BinaryRunner keeping stdout as bytes within `limits`. */
export function binaryRunner(limits: RunLimits, options: RunnerOptions = {}): BinaryRunner {
  return (bin, args, timeoutMs) => runToCompletion(bin, args, timeoutMs, limits, options);
}

/** The default text runner (system clock, labelled by the binary's name). */
export const runProcess: Runner = textRunner();
