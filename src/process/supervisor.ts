// The one process supervisor every long-lived child goes through (DESIGN.md §3.4): its state
// machine. The OS seam it spawns and signals through is host.ts, the set of live children and the
// process-group observer (the crash registry's feed) are registry.ts; children that finish by
// themselves are short runs (run.ts).
//
// One Supervisor owns ONE child process at a time and keeps it running for as long as its owner
// wants it to (desired state `run`), restarting it with capped exponential backoff when it exits
// unexpectedly or stalls. Actual state is an explicit state machine:
//
//   idle ──start──► starting ──spawned──► running ──exit──► backoff ──timer/retryNow──► starting …
//                      │                     │  stall/restartNow/stop              │
//                      │                     ▼                                      │ stop
//                      └──────────────► stopping ──exit──► stopped / starting       ▼
//                                                          / backoff / failed    stopped
//
// The child runs in its own process group (detached: true) and is only ever signalled through that
// group (kill(-pid)), never by name. stop(): stopSignal (SIGINT) to the group, SIGKILL to the group
// after stopTimeoutMs. Stall: no data for stallTimeoutMs → SIGKILL the group and count a failure
// (a stalled RTSP ffmpeg ignores SIGTERM and hangs forever). When the group leader exits, the
// group is swept with SIGKILL so no grandchild outlives it; the run ends (exit event, next state)
// once the child's pipes have closed, so the owner has every byte and the exit info the last
// stderr lines (pipes held open by something outside the group are cut after stopTimeoutMs).
//
// Events ('state', 'spawn', 'exit', 'stall', 'stderr') are delivered after each transition is
// complete and in order, even when a listener calls back into the supervisor.
//
// All timers go through the injected Clock. Logs carry the label and the caller's
// redactedDescription, never the argv (it may contain camera passwords or stream keys), and never
// the child's stderr (ffmpeg echoes input URLs with credentials): stderr lines are only emitted.
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { backoffDelay, resolveBackoff, type BackoffOptions } from './backoff.ts';
import {
  nodeProcessHost,
  type ChildStream,
  type ProcessHost,
  type SpawnSpec,
  type SpawnedChild,
} from './host.ts';
import { readLines } from './lines.ts';
import {
  enlistSupervised,
  groupEnded,
  groupStarted,
  releaseSupervised,
  type SupervisedChild,
} from './registry.ts';

// The seam and the registry live in their own modules; their names are re-exported here for the
// supervisor's importers.
export {
  nodeProcessHost,
  type ChildCallbacks,
  type ChildStream,
  type ProcessHost,
  type SpawnSpec,
  type SpawnedChild,
  type StdioMode,
} from './host.ts';
export {
  killAllSupervised,
  liveSupervised,
  observeProcessGroups,
  stopAllSupervised,
  type ProcessGroupObserver,
} from './registry.ts';

// ───────────────────────────── types ─────────────────────────────

export type SupervisorState = 'idle' | 'starting' | 'running' | 'stopping' | 'backoff' | 'failed' | 'stopped';
export type DesiredState = 'run' | 'stop';

/** When a child that exited on its own (not stopped, not stalled) is restarted. */
export type RestartPolicy = 'always' | 'on-failure' | 'never';

export interface SupervisorOptions {
  /** Short stable name for logs and events, e.g. 'decoder:cam-2'. */
  label: string;
  /** The child to run; a function is re-evaluated before every (re)start. */
  spawn: SpawnSpec | (() => SpawnSpec);
  /** What logs say the process is, e.g. 'ffmpeg rtsp decoder for cam-2'. Never put secrets here.
   *  Default: the command's basename and the argument count (never the arguments). */
  redactedDescription?: string;
  clock?: Clock;
  /** First signal on stop()/restartNow(). Default SIGINT (ffmpeg finalises its output on it). */
  stopSignal?: NodeJS.Signals;
  /** SIGKILL the group this long after stopSignal if the child is still there. Default 2000. */
  stopTimeoutMs?: number;
  /** No data for this long while running → SIGKILL the group and treat as a failure.
   *  Undefined or 0: no stall detection. Data means markAlive() or a chunk on `watchFd`. */
  stallTimeoutMs?: number;
  /** Deadline for the FIRST data after spawn (RTSP connect + first keyframe can be slow).
   *  Default: stallTimeoutMs. */
  startupTimeoutMs?: number;
  /** Let the supervisor itself count every chunk on this fd as data (e.g. 1 for raw video). */
  watchFd?: number;
  /** Default 'always': an appliance's children are meant to run forever, even on exit code 0. */
  restart?: RestartPolicy;
  backoff?: BackoffOptions;
  /** A run that stayed up (and, with stall detection, kept delivering data) this long resets the
   *  attempt counter, so the next failure waits baseMs again. Default 30000. */
  healthyAfterMs?: number;
  /** Consecutive failed runs tolerated before giving up (state `failed`). Default Infinity. */
  maxRestarts?: number;
  /** Random source for backoff jitter. Default Math.random. */
  random?: () => number;
  /** How many recent stderr lines ExitInfo carries. Default 20. */
  stderrTailLines?: number;
  /** OS seam; tests inject a fake. Default: real child processes in their own process group. */
  host?: ProcessHost;
  logger?: Logger;
}

/** Why a run ended. */
export type ExitCause =
  | 'requested' // stop() ended it
  | 'restart' // restartNow() ended it
  | 'stalled' // no data for stallTimeoutMs; SIGKILLed
  | 'exited' // it exited by itself with code 0
  | 'crashed' // it exited by itself with a non-zero code or an unrequested signal
  | 'spawn-error'; // it never started (ENOENT, EACCES, …)

/** The streams and identity of one run of the child. Attach listeners synchronously in 'spawn'. */
export interface SupervisedRun {
  readonly runId: number;
  readonly pid: number;
  /** stdio[i] is fd i: stdin (Writable), stdout/stderr and extra pipes (Readable), or null. */
  readonly stdio: readonly ChildStream[];
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** The piped fd as a Readable; throws if that fd is not a pipe. */
  readable(fd: number): Readable;
  /** The piped fd as a Writable; throws if that fd is not a pipe. */
  writable(fd: number): Writable;
}

export interface StateChange {
  label: string;
  from: SupervisorState;
  to: SupervisorState;
  desired: DesiredState;
  reason: string;
  /** Consecutive failures so far (0 after a healthy run or an explicit start/restartNow). */
  attempt: number;
  runId: number | null;
  /** When entering `backoff`: how long until the next start. */
  delayMs?: number;
}

export interface ExitInfo {
  label: string;
  runId: number;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  cause: ExitCause;
  /** Monotonic ms from spawn to exit. */
  runMs: number;
  /** The spawn error, for cause 'spawn-error'. */
  error?: Error;
  /** The last stderr lines (unredacted: the owner decides what may be shown). */
  stderrTail: readonly string[];
}

export interface StallInfo {
  label: string;
  runId: number;
  pid: number;
  /** ms since the last data (or since spawn if none ever came). */
  silentMs: number;
  sawData: boolean;
}

export interface SupervisorStatus {
  label: string;
  description: string;
  state: SupervisorState;
  desired: DesiredState;
  attempt: number;
  pid: number | null;
  runId: number | null;
  /** Monotonic ms when the current state was entered. */
  since: number;
  lastExit: ExitInfo | null;
}

export interface SupervisorEvents {
  state: [change: StateChange];
  spawn: [run: SupervisedRun];
  exit: [info: ExitInfo];
  stall: [info: StallInfo];
  stderr: [line: string, runId: number];
}

// ───────────────────────────── supervisor ─────────────────────────────

interface Run {
  id: number;
  pid: number | undefined;
  child: SpawnedChild | null;
  spawnedAt: number;
  lastAliveAt: number | null;
  /** Set when we end the run ourselves; otherwise derived from the exit. */
  cause: ExitCause | null;
  /** Set when the leader exited (or never started). */
  exitStatus: { code: number | null; signal: NodeJS.Signals | null; at: number } | null;
  /** All stdio pipes closed. */
  closed: boolean;
  /** Exit handled, state moved on. */
  finished: boolean;
  stallTimer: TimerHandle | null;
  killTimer: TimerHandle | null;
  closeTimer: TimerHandle | null;
  stderrTail: string[];
  spawnError: Error | undefined;
  goneWaiters: (() => void)[];
}

export class Supervisor extends EventEmitter<SupervisorEvents> implements SupervisedChild {
  readonly label: string;
  readonly description: string;

  private readonly specSource: SpawnSpec | (() => SpawnSpec);
  private readonly clock: Clock;
  private readonly host: ProcessHost;
  private readonly log: Logger;
  private readonly stopSignal: NodeJS.Signals;
  private readonly stopTimeoutMs: number;
  private readonly stallTimeoutMs: number;
  private readonly startupTimeoutMs: number;
  private readonly watchFd: number | undefined;
  private readonly restartPolicy: RestartPolicy;
  private readonly backoffOptions: Required<BackoffOptions>;
  private readonly healthyAfterMs: number;
  private readonly maxRestarts: number;
  private readonly random: () => number;
  private readonly stderrTailLines: number;

  private actual: SupervisorState = 'idle';
  private wanted: DesiredState = 'stop';
  private attemptCount = 0;
  private stateSince: number;
  private run: Run | null = null;
  private nextRunId = 1;
  private backoffTimer: TimerHandle | null = null;
  private lastExitInfo: ExitInfo | null = null;
  private readonly outbox: (() => void)[] = [];
  private flushing = false;
  private depth = 0;

  constructor(options: SupervisorOptions) {
    super();
    this.label = options.label;
    this.specSource = options.spawn;
    this.clock = options.clock ?? systemClock;
    this.host = options.host ?? nodeProcessHost;
    this.stopSignal = options.stopSignal ?? 'SIGINT';
    this.stopTimeoutMs = nonNegative('stopTimeoutMs', options.stopTimeoutMs ?? 2000);
    this.stallTimeoutMs = nonNegative('stallTimeoutMs', options.stallTimeoutMs ?? 0);
    // 0 or unset: the first data is due within the ordinary stall timeout.
    this.startupTimeoutMs =
      nonNegative('startupTimeoutMs', options.startupTimeoutMs ?? 0) || this.stallTimeoutMs;
    this.watchFd = options.watchFd;
    this.restartPolicy = options.restart ?? 'always';
    this.backoffOptions = resolveBackoff(options.backoff);
    this.healthyAfterMs = nonNegative('healthyAfterMs', options.healthyAfterMs ?? 30_000);
    this.maxRestarts = nonNegative('maxRestarts', options.maxRestarts ?? Number.POSITIVE_INFINITY);
    this.random = options.random ?? Math.random;
    this.stderrTailLines = nonNegative('stderrTailLines', options.stderrTailLines ?? 20);
    this.description = options.redactedDescription ?? describe(this.specSource);
    this.log = (options.logger ?? createLogger('process')).child({
      label: this.label,
      process: this.description,
    });
    this.stateSince = this.clock.now();
  }

  // ── observation ──

  get state(): SupervisorState {
    return this.actual;
  }

  get desired(): DesiredState {
    return this.wanted;
  }

  /** Consecutive failed runs (drives the backoff delay). */
  get attempt(): number {
    return this.attemptCount;
  }

  /** Pid (= process group id) of the live child, or null. */
  get pid(): number | null {
    return this.run?.pid ?? null;
  }

  status(): SupervisorStatus {
    return {
      label: this.label,
      description: this.description,
      state: this.actual,
      desired: this.wanted,
      attempt: this.attemptCount,
      pid: this.pid,
      runId: this.run?.id ?? null,
      since: this.stateSince,
      lastExit: this.lastExitInfo,
    };
  }

  // ── commands ──

  /** Desired state → run. Starts the child unless it is already up or waiting to restart. */
  start(reason = 'start requested'): void {
    this.atomic(() => this.applyStart(reason));
  }

  /**
   * Desired state → stop. Sends stopSignal to the group, SIGKILL after stopTimeoutMs. Resolves
   * when the child (if any) has exited; never rejects.
   */
  stop(reason = 'stop requested'): Promise<void> {
    return this.atomic(() => {
      this.applyStop(reason);
      return this.whenGone();
    });
  }

  /**
   * The owner has ended the child's input: its coming exit is the stop it asked for, not a failure
   * (logged as an exit, not "unexpectedly", and never restarted). Nothing is signalled; a stop()
   * after a grace still ends a child that lingers.
   */
  expectExit(): void {
    this.atomic(() => {
      if (this.actual !== 'starting' && this.actual !== 'running') return;
      this.wanted = 'stop';
      if (this.run) this.run.cause ??= 'requested';
    });
  }

  /**
   * Restart now, skipping any backoff, and reset the attempt counter (an operator or owner asked).
   * A live child is stopped gracefully first (stopSignal → SIGKILL), then started again at once.
   * `keepAttempts`: the restart is not a verdict on the child's health (e.g. its input changed),
   * so a failure streak in progress keeps its count and its backoff.
   */
  restartNow(reason = 'restart requested', options: { keepAttempts?: boolean } = {}): void {
    this.atomic(() => this.applyRestartNow(reason, options.keepAttempts ?? false));
  }

  /**
   * While waiting out a backoff: start the next attempt now (the owner has evidence it can succeed,
   * e.g. the server it connects to is reachable again). Unlike restartNow() the attempt count is
   * kept, so if this attempt fails too the next delay is longer still. Returns false and does
   * nothing in any other state.
   */
  retryNow(reason = 'retry requested'): boolean {
    return this.atomic(() => {
      if (this.actual !== 'backoff' || this.wanted !== 'run') return false;
      this.cancelBackoff();
      this.spawnRun(reason);
      return true;
    });
  }

  /**
   * The owner judged the current run healthy by its own measure (e.g. a publisher that has been
   * sending for a while): the next failure waits baseMs again. Pair with healthyAfterMs: Infinity
   * when the owner, not the supervisor, decides what healthy means.
   */
  resetAttempts(): void {
    this.attemptCount = 0;
  }

  /** The owner saw data from the child (e.g. a whole frame): resets the stall deadline. */
  markAlive(): void {
    const run = this.run;
    if (run && !run.exitStatus && (this.actual === 'starting' || this.actual === 'running')) {
      run.lastAliveAt = this.clock.now();
    }
  }

  /**
   * Immediately signals the whole group (default SIGKILL) and stops supervising: no restart.
   * Synchronous (for exit hooks). Returns true if a live group was signalled.
   */
  kill(signal: NodeJS.Signals = 'SIGKILL', reason = 'killed'): boolean {
    return this.atomic(() => this.applyKill(signal, reason));
  }

  /** Resolves when no child of this supervisor is alive. */
  whenGone(): Promise<void> {
    const run = this.run;
    if (!run || run.finished) return Promise.resolve();
    return new Promise((resolve) => run.goneWaiters.push(resolve));
  }

  // ── transitions (always inside atomic(): events are delivered once the change is complete) ──

  private applyStart(reason: string): void {
    this.wanted = 'run';
    enlistSupervised(this);
    switch (this.actual) {
      case 'idle':
      case 'stopped':
      case 'failed':
        this.attemptCount = 0;
        this.spawnRun(reason);
        return;
      case 'stopping':
        // The exit handler sees desired `run` and starts again at once.
        if (this.run && this.run.cause === 'requested') this.run.cause = 'restart';
        return;
      case 'starting':
      case 'running':
      case 'backoff':
        return;
    }
  }

  private applyStop(reason: string): void {
    this.wanted = 'stop';
    const run = this.run;
    switch (this.actual) {
      case 'starting':
      case 'running':
        this.beginStop('requested', reason);
        break;
      case 'stopping':
        if (run && run.cause === 'restart') run.cause = 'requested';
        break;
      case 'backoff':
      case 'failed':
      case 'idle':
        this.cancelBackoff();
        if (this.actual !== 'idle') this.transition('stopped', reason);
        this.deactivateIfIdle();
        break;
      case 'stopped':
        break;
    }
  }

  private applyRestartNow(reason: string, keepAttempts: boolean): void {
    this.wanted = 'run';
    if (!keepAttempts) this.attemptCount = 0;
    enlistSupervised(this);
    switch (this.actual) {
      case 'idle':
      case 'stopped':
      case 'failed':
        this.spawnRun(reason);
        return;
      case 'backoff':
        this.cancelBackoff();
        this.spawnRun(reason);
        return;
      case 'starting':
      case 'running':
        this.beginStop('restart', reason);
        return;
      case 'stopping':
        if (this.run) this.run.cause = 'restart';
        return;
    }
  }

  private applyKill(signal: NodeJS.Signals, reason: string): boolean {
    this.wanted = 'stop';
    const run = this.run;
    if (!run || run.pid === undefined || run.exitStatus) {
      this.applyStop(reason);
      return false;
    }
    run.cause ??= 'requested';
    if (run.cause === 'restart') run.cause = 'requested';
    this.clearRunTimers(run);
    const signalled = this.signalGroup(run, signal);
    if (!run.finished && this.actual !== 'stopping') this.transition('stopping', reason);
    return signalled;
  }

  private spawnRun(reason: string): void {
    const id = this.nextRunId++;
    const run: Run = {
      id,
      pid: undefined,
      child: null,
      spawnedAt: this.clock.now(),
      lastAliveAt: null,
      cause: null,
      exitStatus: null,
      closed: false,
      finished: false,
      stallTimer: null,
      killTimer: null,
      closeTimer: null,
      stderrTail: [],
      spawnError: undefined,
      goneWaiters: [],
    };
    this.run = run;
    enlistSupervised(this);
    this.transition('starting', reason);

    try {
      const spec = typeof this.specSource === 'function' ? this.specSource() : this.specSource;
      run.child = this.host.spawn(spec, {
        onSpawn: () => this.atomic(() => this.onSpawned(run)),
        onExit: (code, signal) => this.atomic(() => this.onLeaderExit(run, code, signal)),
        onClose: () => this.atomic(() => this.onPipesClosed(run)),
        onError: (error) => this.atomic(() => this.onChildError(run, error)),
      });
    } catch (error) {
      this.onChildError(run, asError(error));
      return;
    }
    if (run.finished) return; // a synchronous error callback already ended it
    run.pid = run.child.pid;
    if (run.pid === undefined) return; // spawn failed; the error callback follows
    groupStarted(run.pid, this.label, this.log);
    this.attachStreams(run);
    this.log.info({ pid: run.pid, runId: id, attempt: this.attemptCount }, 'child spawned');
    this.armStall(run);
    const handle = makeRunHandle(id, run.pid, run.child.stdio);
    this.post(() => this.emit('spawn', handle));
  }

  private onSpawned(run: Run): void {
    if (run !== this.run || run.finished || this.actual !== 'starting') return;
    this.transition('running', 'spawned');
  }

  private onChildError(run: Run, error: Error): void {
    if (run.finished) return;
    if (run.pid === undefined || run.child === null) {
      // Never started: there is no process to wait for.
      run.spawnError = error;
      run.cause = 'spawn-error';
      this.log.error({ runId: run.id, err: error.message }, 'child could not be spawned');
      run.exitStatus = { code: null, signal: null, at: this.clock.now() };
      this.finishRun(run);
      return;
    }
    // Errors after a successful spawn (e.g. a failed kill) do not end the run; its exit does.
    this.log.warn({ runId: run.id, pid: run.pid, err: error.message }, 'child process error');
  }

  /**
   * The leader is gone: sweep its group, then wait for its pipes to drain (so the owner gets the
   * last frames and the exit info the last stderr lines, usually the actual error) before the run
   * counts as finished. Pipes held open by something outside the group are cut after stopTimeoutMs.
   */
  private onLeaderExit(run: Run, code: number | null, signal: NodeJS.Signals | null): void {
    if (run.finished || run.exitStatus) return;
    run.exitStatus = { code, signal, at: this.clock.now() };
    this.clearRunTimers(run);
    // Sweep the group: grandchildren must not outlive the leader. ESRCH (already gone) is fine.
    this.signalGroup(run, 'SIGKILL');
    if (run.closed) {
      this.finishRun(run);
      return;
    }
    run.closeTimer = this.clock.setTimeout(
      () =>
        this.atomic(() => {
          run.closeTimer = null;
          if (run.finished) return;
          this.log.warn({ pid: run.pid, runId: run.id }, 'pipes still open after exit; closing them');
          for (const stream of run.child?.stdio ?? []) stream?.destroy();
          this.finishRun(run);
        }),
      this.stopTimeoutMs,
    );
  }

  private onPipesClosed(run: Run): void {
    run.closed = true;
    if (run.exitStatus) this.finishRun(run);
  }

  private finishRun(run: Run): void {
    if (run.finished || !run.exitStatus) return;
    run.finished = true;
    this.clearRunTimers(run);
    run.closeTimer?.cancel();
    run.closeTimer = null;
    const { code, signal, at: now } = run.exitStatus;
    const cause: ExitCause = run.cause ?? (code === 0 && signal === null ? 'exited' : 'crashed');
    const info: ExitInfo = {
      label: this.label,
      runId: run.id,
      pid: run.pid,
      code,
      signal,
      cause,
      runMs: Math.round(now - run.spawnedAt),
      stderrTail: [...run.stderrTail],
      ...(run.spawnError ? { error: run.spawnError } : {}),
    };
    this.lastExitInfo = info;
    if (run.pid !== undefined) groupEnded(run.pid, this.log);
    if (this.run === run) this.run = null;
    const logFields = { pid: run.pid, runId: run.id, code, signal, cause, runMs: info.runMs };
    // A clean exit is the job done for a child that is restarted only on failure (the slate's one
    // picture): worth no warning.
    const expected =
      cause === 'requested' ||
      cause === 'restart' ||
      (cause === 'exited' && this.restartPolicy === 'on-failure');
    if (expected) this.log.info(logFields, 'child exited');
    else this.log.warn(logFields, 'child exited unexpectedly');
    this.post(() => this.emit('exit', info));
    for (const resolve of run.goneWaiters.splice(0)) resolve();

    this.afterExit(run, cause, now);
  }

  private afterExit(run: Run, cause: ExitCause, now: number): void {
    if (this.wanted === 'stop') {
      this.transition('stopped', exitReason(cause));
      this.deactivateIfIdle();
      return;
    }
    if (cause === 'requested' || cause === 'restart') {
      this.spawnRun(cause === 'restart' ? 'restarting' : 'start requested');
      return;
    }
    if (this.restartPolicy === 'never' || (this.restartPolicy === 'on-failure' && cause === 'exited')) {
      if (cause === 'exited') {
        this.wanted = 'stop';
        this.transition('stopped', 'exited');
      } else {
        this.transition('failed', `${exitReason(cause)}; restart policy ${this.restartPolicy}`);
      }
      this.deactivateIfIdle();
      return;
    }
    // A failure. A run that was healthy long enough starts the count afresh.
    if (cause !== 'spawn-error') {
      const healthyUntil = this.stallTimeoutMs > 0 ? (run.lastAliveAt ?? run.spawnedAt) : now;
      if (healthyUntil - run.spawnedAt >= this.healthyAfterMs) this.attemptCount = 0;
    }
    this.attemptCount += 1;
    if (this.attemptCount > this.maxRestarts) {
      this.log.error({ attempt: this.attemptCount, maxRestarts: this.maxRestarts }, 'giving up');
      this.transition('failed', `${exitReason(cause)}; gave up after ${this.maxRestarts} restarts`);
      this.deactivateIfIdle();
      return;
    }
    const delayMs = backoffDelay(this.attemptCount, this.backoffOptions, this.random);
    this.backoffTimer = this.clock.setTimeout(
      () =>
        this.atomic(() => {
          this.backoffTimer = null;
          if (this.actual === 'backoff' && this.wanted === 'run') this.spawnRun('backoff elapsed');
        }),
      delayMs,
    );
    this.log.info({ attempt: this.attemptCount, delayMs }, 'restarting after backoff');
    this.transition('backoff', exitReason(cause), delayMs);
  }

  private beginStop(cause: 'requested' | 'restart', reason: string): void {
    const run = this.run;
    if (!run || run.finished) return;
    run.cause = cause;
    if (run.exitStatus) {
      // The leader already exited; only its pipes are draining. Nothing left to signal.
      this.transition('stopping', reason);
      return;
    }
    this.clearStallTimer(run);
    if (run.pid !== undefined) {
      this.signalGroup(run, this.stopSignal);
      if (run.finished) return; // a host that reports the exit synchronously
      this.armKillTimer(run);
    }
    this.transition('stopping', reason);
  }

  private armKillTimer(run: Run): void {
    run.killTimer?.cancel();
    run.killTimer = this.clock.setTimeout(() => {
      run.killTimer = null;
      if (run.finished) return;
      this.log.warn(
        { pid: run.pid, signal: this.stopSignal, timeoutMs: this.stopTimeoutMs },
        'still running after stop signal; escalating to SIGKILL',
      );
      this.atomic(() => this.signalGroup(run, 'SIGKILL'));
      this.armKilledWatch(run);
    }, this.stopTimeoutMs);
  }

  /** SIGKILL cannot be ignored; if the exit still does not come the child is stuck in the kernel
   *  (e.g. uninterruptible I/O). Say so loudly; there is nothing more to send. */
  private armKilledWatch(run: Run): void {
    if (run.finished) return;
    run.killTimer?.cancel();
    run.killTimer = this.clock.setTimeout(() => {
      run.killTimer = null;
      if (!run.finished) this.log.error({ pid: run.pid }, 'child has not exited after SIGKILL');
    }, this.stopTimeoutMs);
  }

  private armStall(run: Run): void {
    if (this.stallTimeoutMs <= 0) return;
    const check = (): void => {
      run.stallTimer = null;
      if (run.exitStatus || run !== this.run || (this.actual !== 'starting' && this.actual !== 'running'))
        return;
      const now = this.clock.now();
      const deadline =
        run.lastAliveAt === null
          ? run.spawnedAt + this.startupTimeoutMs
          : run.lastAliveAt + this.stallTimeoutMs;
      if (now < deadline) {
        run.stallTimer = this.clock.setTimeout(check, deadline - now);
        return;
      }
      this.atomic(() => this.onStall(run, now));
    };
    run.stallTimer = this.clock.setTimeout(check, Math.min(this.startupTimeoutMs, this.stallTimeoutMs) || 0);
  }

  private onStall(run: Run, now: number): void {
    const silentMs = Math.round(now - (run.lastAliveAt ?? run.spawnedAt));
    const stall: StallInfo = {
      label: this.label,
      runId: run.id,
      pid: run.pid ?? -1,
      silentMs,
      sawData: run.lastAliveAt !== null,
    };
    this.log.warn(
      { pid: run.pid, runId: run.id, silentMs, sawData: stall.sawData },
      'child stalled; SIGKILL',
    );
    run.cause = 'stalled';
    // A stalled reader ignores polite signals: straight to SIGKILL, with the usual follow-up log.
    this.post(() => this.emit('stall', stall));
    if (run.pid !== undefined) {
      this.signalGroup(run, 'SIGKILL');
      if (run.finished) return;
      this.armKilledWatch(run);
    }
    this.transition('stopping', `stalled: no data for ${silentMs} ms`);
  }

  private attachStreams(run: Run): void {
    const stdio = run.child?.stdio ?? [];
    stdio.forEach((stream, fd) => {
      if (!stream) return;
      // A dying child makes its pipes error (EPIPE on writes, ECONNRESET): never crash the appliance.
      stream.on('error', (error: Error) =>
        this.log.debug({ runId: run.id, fd, err: error.message }, 'child stdio error'),
      );
    });
    if (this.watchFd !== undefined) {
      const watched = stdio[this.watchFd];
      if (watched instanceof Readable) watched.on('data', () => this.markAliveFor(run));
      else
        this.log.warn(
          { fd: this.watchFd },
          'watchFd is not a readable pipe; stall detection relies on markAlive()',
        );
    }
    const stderr = stdio[2];
    if (stderr instanceof Readable) this.readStderr(run, stderr);
  }

  private readStderr(run: Run, stream: Readable): void {
    readLines(
      stream,
      (line) => {
        run.stderrTail.push(line);
        if (run.stderrTail.length > this.stderrTailLines) run.stderrTail.shift();
        if (this.listenerCount('stderr') > 0) this.post(() => this.emit('stderr', line, run.id));
      },
      MAX_STDERR_LINE,
    );
  }

  private markAliveFor(run: Run): void {
    if (run === this.run) this.markAlive();
  }

  private signalGroup(run: Run, signal: NodeJS.Signals): boolean {
    if (run.pid === undefined) return false;
    try {
      const delivered = this.host.killGroup(run.pid, signal);
      this.log.debug({ pid: run.pid, signal, delivered }, 'signalled process group');
      return delivered;
    } catch (error) {
      this.log.error({ pid: run.pid, signal, err: asError(error).message }, 'could not signal process group');
      return false;
    }
  }

  private clearStallTimer(run: Run): void {
    run.stallTimer?.cancel();
    run.stallTimer = null;
  }

  private clearRunTimers(run: Run): void {
    this.clearStallTimer(run);
    run.killTimer?.cancel();
    run.killTimer = null;
  }

  private cancelBackoff(): void {
    this.backoffTimer?.cancel();
    this.backoffTimer = null;
  }

  private deactivateIfIdle(): void {
    if (this.run === null && this.backoffTimer === null && this.actual !== 'starting')
      releaseSupervised(this);
  }

  private transition(to: SupervisorState, reason: string, delayMs?: number): void {
    const from = this.actual;
    this.actual = to;
    this.stateSince = this.clock.now();
    const change: StateChange = {
      label: this.label,
      from,
      to,
      desired: this.wanted,
      reason,
      attempt: this.attemptCount,
      runId: this.run?.id ?? null,
      ...(delayMs !== undefined ? { delayMs } : {}),
    };
    this.log.debug({ from, to, desired: this.wanted, reason }, 'state');
    this.post(() => this.emit('state', change));
  }

  /**
   * Events are delivered in the order the state changed, after the change is complete, even when a
   * listener calls back into the supervisor. A throwing listener is logged, not propagated.
   */
  private post(deliver: () => void): void {
    this.outbox.push(deliver);
    if (this.depth === 0) this.flush();
  }

  /** Runs a transition; events it posts are delivered when the outermost one completes. */
  private atomic<T>(change: () => T): T {
    this.depth++;
    try {
      return change();
    } finally {
      this.depth--;
      if (this.depth === 0) this.flush();
    }
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let next = this.outbox.shift(); next; next = this.outbox.shift()) {
        try {
          next();
        } catch (error) {
          this.log.error({ err: asError(error).message }, 'supervisor event listener threw');
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

const MAX_STDERR_LINE = 64 * 1024;

function makeRunHandle(runId: number, pid: number, stdio: readonly ChildStream[]): SupervisedRun {
  const readableAt = (fd: number): Readable | null => {
    const stream = stdio[fd];
    return stream instanceof Readable ? stream : null;
  };
  const writableAt = (fd: number): Writable | null => {
    const stream = stdio[fd];
    return stream instanceof Writable ? stream : null;
  };
  return {
    runId,
    pid,
    stdio,
    stdin: writableAt(0),
    stdout: readableAt(1),
    stderr: readableAt(2),
    readable(fd) {
      const stream = readableAt(fd);
      if (!stream) throw new Error(`fd ${fd} of run ${runId} is not a readable pipe`);
      return stream;
    },
    writable(fd) {
      const stream = writableAt(fd);
      if (!stream) throw new Error(`fd ${fd} of run ${runId} is not a writable pipe`);
      return stream;
    },
  };
}

function describe(source: SpawnSpec | (() => SpawnSpec)): string {
  if (typeof source === 'function') return 'supervised process';
  return `${basename(source.command)} (${source.args.length} args)`;
}

function exitReason(cause: ExitCause): string {
  switch (cause) {
    case 'requested':
      return 'stopped on request';
    case 'restart':
      return 'stopped for restart';
    case 'stalled':
      return 'killed after stall';
    case 'exited':
      return 'exited by itself';
    case 'crashed':
      return 'crashed';
    case 'spawn-error':
      return 'could not spawn';
  }
}

function nonNegative(name: string, value: number): number {
  if (Number.isNaN(value) || value < 0) throw new RangeError(`${name} must be >= 0, got ${value}`);
  return value;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
