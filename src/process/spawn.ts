// The one module of the appliance that imports node:child_process. Everything else starts children
// through src/process/: long-lived ones through the Supervisor (supervisor.ts), those that finish by
// themselves through startShortRun/runToCompletion (run.ts), both on the ProcessHost seam (host.ts).
// Only the tiny helpers that set up the appliance's own plumbing (mkfifo, a pipe-size helper, chrt)
// run here directly: they last milliseconds and own no process group worth recording.
//
// A child of the appliance leads its own process group and is only ever signalled through that
// group, never by name; kill(-0) and kill(-1) are refused outright.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';

/** One fd of a child: a pipe, nothing, ours, or an open fd of ours given to it as that fd. */
export type StdioEntry = 'pipe' | 'ignore' | 'inherit' | number;

/** kill(-0) or kill(-1) would hit our own group or every process we may signal. Never. */
export function assertGroupPid(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1) throw new RangeError(`refusing to signal process group ${pid}`);
}

/**
 * Signals the whole process group led by pid. Returns false when the group no longer exists;
 * throws on anything else (EPERM: not ours).
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  assertGroupPid(pid);
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Signals (default SIGKILL) a process group the caller started; a no-op when it is gone or unknown. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  if (pid === undefined) return false;
  try {
    return signalGroup(pid, signal);
  } catch {
    return false;
  }
}

export interface GroupLeaderOptions {
  stdio: readonly StdioEntry[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts a child without a shell as the leader of its own process group (and session). */
export function spawnGroupLeader(
  command: string,
  args: readonly string[],
  options: GroupLeaderOptions,
): ChildProcess {
  return spawn(command, [...args], {
    detached: true,
    shell: false,
    windowsHide: true,
    stdio: [...options.stdio],
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
}

/** A plumbing helper (ms-long, e.g. perl setting a pipe's size), in our group, no shell. */
export function spawnHelper(
  command: string,
  args: readonly string[],
  stdio: readonly StdioEntry[],
): ChildProcess {
  return spawn(command, [...args], { stdio: [...stdio], shell: false });
}

/** A plumbing helper run to its end in the background; `done` hears its error, if any. */
export function runHelper(
  command: string,
  args: readonly string[],
  done: (error: Error | null) => void,
): void {
  execFile(command, [...args], (error) => done(error));
}

/**
 * A plumbing helper run to its end while the caller waits (start-up only: it blocks the event
 * loop). Throws what execFileSync throws (the error's `code` says ENOENT, …) when it fails.
 */
export function runHelperSync(command: string, args: readonly string[], timeoutMs: number): void {
  execFileSync(command, [...args], { stdio: 'ignore', timeout: timeoutMs });
}
