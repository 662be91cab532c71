// Running a short-lived ffmpeg/ffprobe to completion (probe, test encodes). Long-lived processes
// belong to the process supervisor; this is only for commands that finish by themselves.

import { spawn } from 'node:child_process';

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

const MAX_STDOUT = 64 * 1024 * 1024;
const MAX_STDERR = 1024 * 1024;

/**
 * Runs a command without a shell, in its own process group, collecting stdout/stderr as text.
 * On timeout the group (and only it) gets SIGKILL: ffmpeg ignores a single SIGTERM when stuck
 * on a network read (DESIGN.md §2).
 */
export const runProcess: Runner = (bin, args, timeoutMs) =>
  new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let timedOut = false;
    let spawnError: string | undefined;
    child.stdout.on('data', (d: Buffer) => {
      if (outBytes < MAX_STDOUT) out.push(d);
      outBytes += d.length;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_STDERR) stderr += d;
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
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
        timedOut,
        ...(spawnError !== undefined ? { spawnError } : {}),
      });
    });
  });

/** SIGKILL a process group we started (negative pid); a no-op when it is already gone. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
