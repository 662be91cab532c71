// Short runs: children that finish by themselves (ffprobe, camera tests and snapshots, thumbnails,
// test encodes, the capacity trials, openssl). Long-lived children belong to the Supervisor; a
// short run goes through the same ProcessHost (no shell, its own process group, the niceness it
// asks for), is announced to the process-group observer (so the crash registry lists it while it
// runs and the next start can end it if the appliance dies meanwhile), is ended by the shutdown
// hook (registry.ts), and keeps its time limit on the injected Clock.
//
// It is only ever signalled through its own group and only until its leader has been reaped: once
// the OS has handed its pid back, a later kill() does nothing, so a reused pid is never hit.
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { nodeProcessHost, type ChildStream, type ProcessHost, type SpawnSpec } from './host.ts';
import { enlistShortRun, groupEnded, groupStarted, releaseShortRun, type LiveChild } from './registry.ts';
import { messageOf } from '../core/message-of.ts';

export interface ShortRunOptions {
  /** Names the run in the crash registry and logs (never secrets). Default `run:<command>`. */
  label?: string;
  /** Whole budget; then the group gets SIGKILL and the end says `timedOut`. Default: none. */
  timeoutMs?: number;
  clock?: Clock;
  /** OS seam; default real children. */
  host?: ProcessHost;
  logger?: Logger;
}

/** How a short run ended. */
export interface ShortRunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The time limit ran out and the group was killed. */
  timedOut: boolean;
  /** It never started (ENOENT for the binary, …). */
  spawnError?: Error;
}

export interface ShortRun {
  readonly label: string;
  /** Pid (= process group id), undefined when it could not be started. */
  readonly pid: number | undefined;
  /** stdio[i] is fd i as spawned ('pipe' → a stream, otherwise null). */
  readonly stdio: readonly ChildStream[];
  /** The piped fd as a Readable, or null. */
  readable(fd: number): Readable | null;
  /** SIGKILL its group while its leader runs; false once it is gone (or never started). */
  kill(): boolean;
  /** Settles once the leader has exited and every pipe has closed (never rejects). */
  readonly ended: Promise<ShortRunEnd>;
}

/** Starts a child that finishes by itself, through the host, recorded while it runs. */
export function startShortRun(spec: SpawnSpec, options: ShortRunOptions = {}): ShortRun {
  const label = options.label ?? `run:${basename(spec.command)}`;
  const clock = options.clock ?? systemClock;
  const host = options.host ?? nodeProcessHost;
  const log = options.logger ?? defaultLogger();
  let pid: number | undefined;
  let stdio: readonly ChildStream[] = [];
  /** Between spawn and the leader's reaping: the only time its group may be signalled. */
  let leaderAlive = false;
  let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | undefined;
  let timedOut = false;
  let timer: TimerHandle | null = null;
  let settle: (end: ShortRunEnd) => void = () => undefined;
  const ended = new Promise<ShortRunEnd>((resolve) => (settle = resolve));

  const signal = (sig: NodeJS.Signals): boolean => {
    if (pid === undefined) return false;
    try {
      return host.killGroup(pid, sig);
    } catch (error) {
      log.error({ label, pid, signal: sig, err: messageOf(error) }, 'could not signal process group');
      return false;
    }
  };
  const run: ShortRun & LiveChild = {
    label,
    get pid() {
      return pid;
    },
    get stdio() {
      return stdio;
    },
    readable(fd) {
      const stream = stdio[fd];
      return stream instanceof Readable ? stream : null;
    },
    kill() {
      return leaderAlive ? signal('SIGKILL') : false;
    },
    ended,
  };
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    timer?.cancel();
    timer = null;
    leaderAlive = false;
    releaseShortRun(run);
    if (pid !== undefined) groupEnded(pid, log);
    settle({
      code: exitStatus?.code ?? null,
      signal: exitStatus?.signal ?? null,
      timedOut,
      ...(spawnError !== undefined ? { spawnError } : {}),
    });
  };

  try {
    const child = host.spawn(spec, {
      onSpawn: () => undefined,
      onExit: (code, sig) => {
        exitStatus = { code, signal: sig };
        // The one signal after the leader is gone: no grandchild may outlive it.
        if (leaderAlive) signal('SIGKILL');
        leaderAlive = false;
      },
      onClose: finish,
      onError: (error) => {
        // A failed kill after a good start does not end the run; its exit does.
        if (pid === undefined) spawnError ??= error;
      },
    });
    pid = child.pid;
    stdio = child.stdio;
  } catch (error) {
    spawnError = error instanceof Error ? error : new Error(String(error));
    finish();
    return run;
  }
  if (pid === undefined) return run; // the error and close callbacks follow
  leaderAlive = exitStatus === null;
  for (const stream of stdio) stream?.on('error', () => undefined); // EPIPE from a dying child
  enlistShortRun(run);
  groupStarted(pid, label, log);
  if (options.timeoutMs !== undefined) {
    timer = clock.setTimeout(() => {
      timer = null;
      if (!leaderAlive) return;
      timedOut = true;
      log.warn({ label, pid, timeoutMs: options.timeoutMs }, 'short run overran its time limit; SIGKILL');
      signal('SIGKILL');
    }, options.timeoutMs);
  }
  return run;
}

/** What a run to completion gave: stdout as bytes, stderr as text. */
export interface BinaryRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  /** spawn itself failed (e.g. ENOENT for the binary): its message. */
  spawnError?: string;
  /** …and its errno code ('ENOENT', 'EACCES'). */
  spawnErrorCode?: string;
  /** stdout passed maxStdoutBytes and the process group was killed (always false without killOnOverflow). */
  overflow: boolean;
}

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

/**
 * Runs a command to its end (a short run), collecting stdout as bytes and stderr as text within
 * `limits`. On timeout the group (and only it) gets SIGKILL: ffmpeg ignores a single SIGTERM when
 * stuck on a network read (DESIGN.md §2).
 */
export async function runToCompletion(
  bin: string,
  args: readonly string[],
  timeoutMs: number,
  limits: RunLimits,
  options: Omit<ShortRunOptions, 'timeoutMs'> & { nice?: number } = {},
): Promise<BinaryRunResult> {
  const { nice, ...runOptions } = options;
  const run = startShortRun(
    { command: bin, args, stdio: ['ignore', 'pipe', 'pipe'], ...(nice !== undefined ? { nice } : {}) },
    { ...runOptions, timeoutMs },
  );
  const out: Buffer[] = [];
  let outBytes = 0;
  let stderr = '';
  let overflow = false;
  run.readable(1)?.on('data', (d: Buffer) => {
    const kept = outBytes;
    outBytes += d.length;
    if (limits.killOnOverflow && outBytes > limits.maxStdoutBytes) {
      if (!overflow) run.kill();
      overflow = true;
    } else if (kept < limits.maxStdoutBytes) out.push(d);
  });
  run
    .readable(2)
    ?.setEncoding('utf8')
    .on('data', (d: string) => {
      if (stderr.length < limits.maxStderrChars) stderr += d;
    });
  const end = await run.ended;
  const code = (end.spawnError as NodeJS.ErrnoException | undefined)?.code;
  return {
    code: end.code,
    signal: end.signal,
    stdout: Buffer.concat(out),
    stderr,
    timedOut: end.timedOut,
    overflow,
    ...(end.spawnError !== undefined ? { spawnError: end.spawnError.message } : {}),
    ...(code !== undefined ? { spawnErrorCode: code } : {}),
  };
}

let sharedLogger: Logger | null = null;
function defaultLogger(): Logger {
  sharedLogger ??= createLogger('process');
  return sharedLogger;
}
