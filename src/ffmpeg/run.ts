// Running a short-lived ffmpeg/ffprobe to completion (probe, test encodes, camera snapshots).
// Long-lived processes belong to the process supervisor; this is only for commands that finish by
// themselves.

import { spawn } from 'node:child_process';
import { atNiceness } from '../process/priority.ts';

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

/** A run whose stdout is kept as bytes (e.g. a JPEG on image2pipe). */
export interface BinaryRunResult extends Omit<RunResult, 'stdout'> {
  stdout: Buffer;
  /** stdout passed maxStdoutBytes and the process group was killed (always false without killOnOverflow). */
  overflow: boolean;
}

export type BinaryRunner = (
  bin: string,
  args: readonly string[],
  timeoutMs: number,
) => Promise<BinaryRunResult>;

export interface RunLimits {
  /** How much of stdout is kept. */
  maxStdoutBytes: number;
  /**
   * false: past maxStdoutBytes stdout is no longer kept and the process runs on. true: output past
   * it is runaway; the process group gets SIGKILL and the result says `overflow`.
   */
  killOnOverflow: boolean;
  /** How much of stderr (in characters) is kept. */
  maxStderrChars: number;
}

const TEXT_LIMITS: RunLimits = {
  maxStdoutBytes: 64 * 1024 * 1024,
  killOnOverflow: false,
  maxStderrChars: 1024 * 1024,
};

/**
 * Runs a command without a shell, in its own process group, collecting stdout as bytes and stderr
 * as text within `limits`. On timeout the group (and only it) gets SIGKILL: ffmpeg ignores a
 * single SIGTERM when stuck on a network read (DESIGN.md §2).
 */
export function runToCompletion(
  bin: string,
  args: readonly string[],
  timeoutMs: number,
  limits: RunLimits,
): Promise<BinaryRunResult> {
  return new Promise((resolve) => {
    // At the normal priority, not the playout thread's (see process/priority.ts).
    const [command, argv] = atNiceness(bin, args);
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let timedOut = false;
    let overflow = false;
    let spawnError: string | undefined;
    child.stdout.on('data', (d: Buffer) => {
      const kept = outBytes;
      outBytes += d.length;
      if (limits.killOnOverflow && outBytes > limits.maxStdoutBytes) {
        if (!overflow) killGroup(child.pid);
        overflow = true;
      } else if (kept < limits.maxStdoutBytes) out.push(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < limits.maxStderrChars) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr,
        timedOut,
        overflow,
        ...(spawnError !== undefined ? { spawnError } : {}),
      });
    });
  });
}

/** runToCompletion with stdout as UTF-8 text (up to 64 MiB kept, 1 MiB of stderr). */
export const runProcess: Runner = async (bin, args, timeoutMs) => {
  const { code, signal, stdout, stderr, timedOut, spawnError } = await runToCompletion(
    bin,
    args,
    timeoutMs,
    TEXT_LIMITS,
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

/** SIGKILL a process group we started (negative pid); a no-op when it is already gone. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
