// The ProcessHost seam: how the Supervisor and the short runs (run.ts) start and signal children.
// The real host starts each child without a shell, at the niceness it asks for, as the leader of
// its own process group, and signals only that group. Tests of the state machine inject a fake.
import type { Readable, Writable } from 'node:stream';
import { atNiceness } from './priority.ts';
import { signalGroup, spawnGroupLeader, type StdioEntry } from './spawn.ts';

/** Per-fd stdio mode. 'pipe' on fd ≥ 3 opens an extra pipe (e.g. PCM audio on fd 3). A number
 *  is an open fd of the parent that the child gets as this fd (e.g. a FramePipe's write end). */
export type StdioMode = StdioEntry;
export type ChildStream = Readable | Writable | null | undefined;

/** What to run. Spawned with no shell; argv is data. */
export interface SpawnSpec {
  command: string;
  args: readonly string[];
  /** Full environment for the child; default: the parent's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** One entry per fd; default ['ignore', 'pipe', 'pipe']. */
  stdio?: readonly StdioMode[];
  /** Run at this niceness (absolute; 0…19 without privileges), through nice(1) when it differs
   *  from the spawning thread's, so that every thread of the child has it from the start.
   *  Default 0: a child does not inherit the playout thread's raised priority. */
  nice?: number;
}

export interface SpawnedChild {
  readonly pid: number | undefined;
  readonly stdio: readonly ChildStream[];
}

export interface ChildCallbacks {
  /** The OS started the child. */
  onSpawn(): void;
  /** The group leader exited (and was reaped). Its pipes may still hold unread data. */
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
  /** Every stdio pipe of the child has closed (always after onExit for a child that ran). */
  onClose(): void;
  /** Spawn failure (no pid), or a later error on the child handle. */
  onError(error: Error): void;
}

export interface ProcessHost {
  /** Starts the child in its own process group, without a shell. May throw synchronously. */
  spawn(spec: SpawnSpec, callbacks: ChildCallbacks): SpawnedChild;
  /** Signals the whole process group led by pid. Returns false if the group no longer exists. */
  killGroup(pid: number, signal: NodeJS.Signals): boolean;
}

export const DEFAULT_STDIO: readonly StdioMode[] = ['ignore', 'pipe', 'pipe'];

/** Real children: detached (own session and process group), no shell, killed via the group. */
export const nodeProcessHost: ProcessHost = {
  spawn(spec, callbacks) {
    const [command, args] = atNiceness(spec.command, spec.args, spec.nice);
    const child = spawnGroupLeader(command, args, {
      stdio: spec.stdio ?? DEFAULT_STDIO,
      ...(spec.env !== undefined ? { env: spec.env } : {}),
      ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
    });
    child.once('spawn', () => callbacks.onSpawn());
    child.once('exit', (code, signal) => callbacks.onExit(code, signal));
    child.once('close', () => callbacks.onClose());
    child.on('error', (error) => callbacks.onError(error));
    return { pid: child.pid, stdio: child.stdio as readonly ChildStream[] };
  },
  killGroup: signalGroup,
};
