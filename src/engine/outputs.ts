// FLV consumers of the fan-out hub, each its own supervised `ffmpeg -c copy` process: one
// publisher per destination, the HLS preview and the recorder. A slow or dead one never blocks
// the encoder or the others (the hub gives each a bounded queue, each has its own supervisor,
// timers and retry state); a restarted one begins with the stream headers and the current GOP.
//
// State of an output (OutputState), as the UI and alerts see it:
//
//   stopped ──start()──► connecting ──output grows──► live
//                            │                          │ exit / stall
//                            │ exit / stall             ▼
//                            └────────────────────► retrying ──output grows──► live
//                                                       │ (attempts wait out the backoff;
//                                                       │  the state stays while they run)
//                                                       ▼ 10th failure in a row
//                                                    failing ──output grows──► live ('recovered')
//   restart(): live → connecting (new session)       any state ──stop()──► stopped
//
// - Live means the output grows beyond its headers: ffmpeg reports total_size through
//   `-progress pipe:1` (the argv builders add it) and a report larger than the previous one is
//   proof that the server accepted media. RTMP "connected" proves nothing, and headers alone
//   neither (a muxer can write them and hold back every media packet). For the recording and the
//   preview the output position (out_time) is the measure: file sizes grow in buffer-sized steps.
// - Stall: no growth for stallTimeoutMs (default 10 s) while the hub has input → SIGKILL the
//   process group and retry; a failure like any other. While the encoder sends nothing (restart,
//   pause) silence is expected and never counts.
// - Retry: capped exponential backoff with jitter, 2, 4, 8, 16, 32, 60, 60 … s ± 20 %. A run that
//   stayed live for healthyAfterMs (30 s) resets the count. From failingAfter (10) consecutive
//   failures on the state is 'failing': the 'failing' event fires once, and retries go on at the
//   cap forever (an unattended appliance does not give up unless told). The first time it is live
//   again, 'recovered' fires; 'failing' and 'recovered' strictly alternate, so a destination that
//   flaps at the cap raises at most one pair per minute.
// - Fast return: after a network-level failure the server's TCP port is probed about once a
//   second during the backoff. A probe that connects after the server was seen down (the failure
//   was "connection refused", "no route", a connect timeout, or an earlier probe failed) retries
//   at once. Other failures (stream rejected, bad key) wait the plain backoff, and a server that
//   accepts TCP but never answers cannot cause a retry loop.
// - restart(): the encoder restarted, a new FLV stream needs a new session with new headers. Not a
//   failure; a streak in progress keeps its count.
// - Session limit (`session.maxMs`, destinations only): platforms end a live video after a while
//   (Facebook 8 h, Twitch 48 h). A run that has lasted maxMs is restarted as a planned new
//   session at the next video keyframe: the old session ends with a complete GOP, the new one
//   begins with the headers and that keyframe. Not a failure (the count is kept); the encoder and
//   the other outputs are not touched. 'session-restart' fires (and session.onRestart is called).
// - A recording never overwrites: a restarted recorder continues in <name>.part2<ext>, .part3, …
//   and its status lists every file. This needs `recordPath` (the argv is then built per run);
//   given fixed `args`, the recorder keeps the old rule (restart: 'never' ends it at its first exit).
// - A recording is bounded (`recordingLimits`, README "Configuration"): it continues in a new part
//   every fileMs, cut at a keyframe (the old ffmpeg is given the end of its input and writes out
//   its file; the next part starts with the headers and that keyframe from the GOP cache), so
//   the quota can remove the oldest hour while the newest is written. The appliance's recordings
//   folder is swept (src/recordings/) at start, at each new part and every 10 minutes. The free
//   space is checked every 5 s: below the warning level a 'disk:low' alert (and the oldest
//   recordings go), below the reserve, or when ffmpeg says the disk is full, the recording stops
//   ('stopped', lastError RECORDING_DISK_FULL, an alert) while the stream goes on, and it starts
//   again in a new part once the disk is above the warning level again.
//
// Public API:
//   new FlvOutput(options: FlvOutputOptions)
//   start(): void                       desired state: running
//   stop(graceMs = 3000): Promise<void> ends its input, lets ffmpeg finish, then stops it
//   restart(reason?): void              new session (encoder restarted); not counted as a failure
//   status(): OutputStatus
//   on('state',     (change: OutputStateChange) => void)
//   on('failure',   (event: OutputFailureEvent) => void)    every failed run
//   on('failing',   (event: OutputFailingEvent) => void)    once per failing streak (alert)
//   on('recovered', (event: OutputRecoveredEvent) => void)  live again after 'failing'
//   on('reconnected', (event: OutputRecoveredEvent) => void) live again after any failure
//   on('session-restart', (event: OutputSessionRestartEvent) => void)  planned, for the limit
// Listeners run synchronously; one that throws is logged and ignored.
//
// Secrets: nothing here logs or reports the argv, the URL or ffmpeg's stderr (it echoes the URL
// with the stream key); errors are fixed sentences (destinations/failure.ts).
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import { recordingDiskFullAlert, recordingDiskLowAlert } from '../errors/alert-messages.ts';
import { FFMPEG_BIN, PROGRESS_PERIOD_SECONDS, recorderArgs } from '../ffmpeg/argv.ts';
import { ProgressBlockParser } from '../ffmpeg/progress.ts';
import { readLines } from '../process/lines.ts';
import type { BackoffOptions } from '../process/backoff.ts';
import { stopAfterEndOfInput } from '../process/graceful.ts';
import { judgeDiskSpace, readDiskSpace, type DiskSpace, type DiskVerdict } from '../recordings/free-space.ts';
import { defaultRecordingLimits, formatBytes, type RecordingLimits } from '../recordings/limits.ts';
import { DISK_LOW_ALERT } from '../recordings/housekeeper.ts';
import { RecordingSweeper } from '../recordings/sweeper.ts';
import {
  Supervisor,
  type ExitInfo,
  type ProcessHost,
  type SpawnSpec,
  type StateChange,
  type SupervisedRun,
  type SupervisorState,
} from '../process/supervisor.ts';
import {
  classifyFailure,
  type OutputErrorKind,
  type OutputFailureCode,
  type OutputKind,
} from './destinations/failure.ts';
import { OutputMeter } from './destinations/meter.ts';
import { probeTargetFromArgs, tcpProbe, type Probe, type ProbeTarget } from './destinations/probe.ts';
import { nextFreePart, recordingPartPath } from './destinations/recording.ts';
import type { EngineAlerts } from './engine-alerts.ts';
import type { FanoutConsumer, FanoutConsumerStats, FanoutHub } from './fanout/hub.ts';

export type { OutputErrorKind, OutputKind } from './destinations/failure.ts';
export type { ProbeTarget } from './destinations/probe.ts';

export type OutputState = 'connecting' | 'live' | 'retrying' | 'failing' | 'stopped';

export interface OutputError {
  kind: OutputErrorKind;
  code: OutputFailureCode | 'RECORDING_DISK_FULL';
  /** Plain words; never the URL or stream key. */
  message: string;
  remediation: string;
  /** Wall-clock ms (epoch) of the failure. */
  at: number;
}

export interface RecordingStatus {
  /** The file being written now (or by the next attempt). */
  file: string;
  /** 1 for the configured path; n ≥ 2 after a restart continued in "<name>.part<n><ext>". */
  part: number;
  /** Every file this recording has written to, in order. */
  files: string[];
  /** Says in words that the recording continues in another file; null while it is one file. */
  note: string | null;
}

export interface OutputStatus {
  id: string;
  kind: OutputKind;
  name: string;
  state: OutputState;
  /** Wall-clock ms (epoch) since which it has been in `state`. */
  since: number;
  /** The supervisor's view of the ffmpeg process. */
  process: SupervisorState;
  /** Failed runs in a row (0 after a run stayed live for healthyAfterMs). */
  consecutiveFailures: number;
  /** Every failed run since start() (each one was restarted). */
  restarts: number;
  /** Why the last run failed; null while live (and before any failure). */
  lastError: OutputError | null;
  /** Wall-clock ms (epoch) of the next attempt while waiting out a backoff, else null. The fast
   *  return may retry earlier. */
  nextRetryAt: number | null;
  /** Bytes sent to the server (written, for the recording and preview) by every run. */
  bytesSent: number;
  /** Bytes sent by the current run. */
  sessionBytes: number;
  /** Over the last 5 s; 0 when nothing is being sent; null before it can be measured. */
  bitrateKbps: number | null;
  /** Since the bytes sent last grew in the current run (null: not yet, or no run). */
  msSinceGrowth: number | null;
  recording: RecordingStatus | null;
  consumer: FanoutConsumerStats | null;
}

interface OutputEventBase {
  id: string;
  kind: OutputKind;
  name: string;
  /** Wall-clock ms (epoch). */
  at: number;
}

export interface OutputStateChange extends OutputEventBase {
  from: OutputState;
  to: OutputState;
  reason: string;
}

export interface OutputFailureEvent extends OutputEventBase {
  error: OutputError;
  /** Including this one. */
  consecutiveFailures: number;
}

export interface OutputFailingEvent extends OutputEventBase {
  consecutiveFailures: number;
  lastError: OutputError;
  /** Wall-clock ms (epoch) of the first failure of this streak. */
  failingSince: number;
}

export interface OutputRecoveredEvent extends OutputEventBase {
  /** Consecutive failures before it came back. */
  failures: number;
  /** From the first failure of the streak until live again, in ms. */
  downMs: number;
}

export interface OutputSessionRestartEvent extends OutputEventBase {
  /** How long the ended session ran, in ms. */
  sessionMs: number;
  /** 'keyframe': cut at a keyframe as planned; 'no-keyframe': none came in time, cut anyway. */
  cut: 'keyframe' | 'no-keyframe';
}

/** A platform's limit on one live session. */
export interface SessionLimit {
  /** A run of the publisher is restarted after this long (ms), at the next keyframe. */
  maxMs: number;
  /** Told of each planned restart (e.g. to show it as an info event). */
  onRestart?: (event: OutputSessionRestartEvent) => void;
  /** Given the output once it exists, for planned new sessions asked from outside (the YouTube
   *  broadcast lifecycle: a new broadcast not live in time). maxMs may be Infinity then. */
  attach?: (output: Pick<FlvOutput, 'newSession'>) => void;
}

export interface OutputEvents {
  state: [change: OutputStateChange];
  'session-restart': [event: OutputSessionRestartEvent];
  failure: [event: OutputFailureEvent];
  failing: [event: OutputFailingEvent];
  recovered: [event: OutputRecoveredEvent];
  /** Live again after any failed run (not only after 'failing'): the outage is over. */
  reconnected: [event: OutputRecoveredEvent];
}

export interface FlvOutputOptions {
  id: string;
  kind: OutputKind;
  /** Safe to log: never the URL or stream key. */
  name: string;
  /** The ffmpeg argv (publisherArgs, hlsPreviewArgs, recorderArgs). Optional with recordPath. */
  args?: readonly string[];
  /** kind 'recording': the file to record to. The argv is built here (recorderArgs) so that a
   *  restarted recorder continues in "<name>.part2<ext>", … instead of failing or overwriting. */
  recordPath?: string;
  hub: FanoutHub;
  clock: Clock;
  logger: Logger;
  /** Default 'always'. 'never' ends the output at its first exit (the old recorder behaviour). */
  restart?: 'always' | 'never';
  /** No output growth for this long while the hub has input → SIGKILL and retry. Default 10000;
   *  0 disables. Needs "-progress pipe:1" in the argv (the builders add it). */
  stallTimeoutMs?: number;
  /** A run live this long resets the failure count. Default 30000. */
  healthyAfterMs?: number;
  /** Consecutive failures from which the output is 'failing'. Default 10. */
  failingAfter?: number;
  /** Default 2 s × 2 up to 60 s, ± 20 %. */
  backoff?: BackoffOptions;
  /** Where the fast-return probe connects. Default for a destination: host and port of the
   *  rtmp(s) URL at the end of its argv; null (or SRT) disables the probe. */
  probeTarget?: ProbeTarget | null;
  /** Default 1000. */
  probeIntervalMs?: number;
  /** Default: a real TCP connect. */
  probe?: Probe;
  /** Restart the session before the platform ends it (destinations). None by default. */
  session?: SessionLimit;
  /** kind 'recording': how long one file runs, the quota and the free space to keep. Default:
   *  the defaults (defaultRecordingLimits); null: none (one endless file, no disk checks). */
  recordingLimits?: RecordingLimits | null;
  /** Where a recording stopped for lack of disk space, and a disk running low, are reported. */
  alerts?: EngineAlerts;
  /** Test seams: process host, jitter source, file existence check (recording parts) and the free
   *  space of a folder (statfs). */
  host?: ProcessHost;
  random?: () => number;
  fileExists?: (path: string) => boolean;
  readDiskSpace?: (path: string) => DiskSpace | null;
}

const TICK_MS = 500;
/** The hub counts as idle (no input: silence is expected) after this long without a push. */
const HUB_IDLE_MS = 2000;
/** A live run counts as healthy at healthyAfterMs only if it grew this recently. */
const GROWTH_FRESH_MS = 4 * PROGRESS_PERIOD_SECONDS * 1000;
/** A session over its limit waits at most this long for a keyframe (2 s GOPs) before it is cut. */
const SESSION_KEYFRAME_WAIT_MS = 10_000;
/** How often a recording reads the free space on its disk (one statfs call). */
const DISK_CHECK_MS = 5000;
/** A recording sweeps its folder this often, besides at its start and at each new part. */
const SWEEP_INTERVAL_MS = 10 * 60_000;
/** While the disk is low, a sweep at most this often. */
const LOW_DISK_SWEEP_MS = 30_000;
/** Stopped for disk space and the space cannot be read: try again after this long. */
const DISK_UNKNOWN_RETRY_MS = 60_000;
/** At a new part the old ffmpeg may take this long to write out its end by itself (within the
 *  2 s GOP the next part starts from), then it is told to stop. */
const ROLL_GRACE_MS = 500;
/** ffmpeg's words for a disk that is full. */
const DISK_FULL = /No space left on device|Disk quota exceeded/i;

interface RunState {
  runId: number;
  live: boolean;
  lastGrowthAt: number | null;
  healthyTimer: TimerHandle | null;
  /** Without -progress: the consumer's acknowledged bytes stand in as the growth measure. */
  lastWritten: number;
  silentMs: number | undefined;
  file: string | null;
  /** Monotonic ms of the spawn: the session's start. */
  startedAt: number;
  /** The session limit's timer, the wait for a keyframe, and its deadline. */
  sessionTimer: TimerHandle | null;
  cancelKeyframeWait: (() => void) | null;
  keyframeDeadline: TimerHandle | null;
}

export class FlvOutput extends EventEmitter<OutputEvents> {
  private readonly supervisor: Supervisor;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly meter: OutputMeter;
  private readonly progressEnabled: boolean;
  private readonly failingAfter: number;
  private readonly healthyAfterMs: number;
  private readonly probeTarget: ProbeTarget | null;
  private readonly probeIntervalMs: number;
  private readonly probe: Probe;
  private readonly fileExists: (path: string) => boolean;

  private consumer: FanoutConsumer | null = null;
  private run: RunState | null = null;
  private stateValue: OutputState = 'stopped';
  private stateSince: number;
  private started = false;
  private stopping = false;
  private inputEnded = false;
  private failures = 0;
  private restarts = 0;
  private lastError: OutputError | null = null;
  private nextRetryAt: number | null = null;
  /** Monotonic ms of the first failure of the current streak. */
  private streakStartedAt: number | null = null;
  private failingRaised = false;
  private tickTimer: TimerHandle | null = null;
  private probeTimer: TimerHandle | null = null;
  private probeEpoch = 0;
  private probeInFlight = false;
  private serverSeenDown = false;
  /** Set by a network-level failure: probe the server during the backoff that follows. */
  private pendingProbe = false;
  private part = 0;
  private readonly files: string[] = [];
  private readonly recordingLimits: RecordingLimits | null;
  private readonly sweeper: RecordingSweeper | null;
  private readonly readSpace: (path: string) => DiskSpace | null;
  private diskTimer: TimerHandle | null = null;
  /** Monotonic ms the recording stopped for lack of disk space; null while it may record. */
  private diskStoppedAt: number | null = null;
  private diskLowRaised = false;
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  /** Between a new part's cut and the spawn of its ffmpeg. */
  private rolling = false;
  private rollTimer: TimerHandle | null = null;
  /** Why the current part began: a new file on schedule, or a restart. */
  private partBegan: 'file' | 'restart' = 'restart';

  constructor(private readonly options: FlvOutputOptions) {
    super();
    this.clock = options.clock;
    this.log = options.logger.child({ output: options.id, outputKind: options.kind });
    // A destination is live when the socket takes bytes; a file output when its position advances.
    this.meter = new OutputMeter({ growthBy: options.kind === 'destination' ? 'bytes' : 'time' });
    this.stateSince = this.clock.now();
    this.failingAfter = options.failingAfter ?? 10;
    this.healthyAfterMs = options.healthyAfterMs ?? 30_000;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.probe = options.probe ?? tcpProbe;
    this.fileExists = options.fileExists ?? existsSync;
    this.readSpace = options.readDiskSpace ?? readDiskSpace;
    if (options.recordPath !== undefined)
      recorderArgs({ path: options.recordPath }); // validates the extension now
    else if (options.args === undefined)
      throw new TypeError(`output ${options.id}: args or recordPath is required`);
    this.recordingLimits =
      options.recordPath === undefined
        ? null
        : options.recordingLimits === undefined
          ? defaultRecordingLimits()
          : options.recordingLimits;
    // Only the appliance's recordings folder is swept: a recording made elsewhere (a path given to
    // `show start --record`) is never a reason to remove other files.
    this.sweeper =
      this.recordingLimits !== null &&
      options.recordPath !== undefined &&
      resolve(dirname(options.recordPath)) === resolve(this.recordingLimits.folder)
        ? new RecordingSweeper({
            limits: this.recordingLimits,
            clock: this.clock,
            logger: this.log,
            readSpace: this.readSpace,
          })
        : null;
    const fixedArgs = options.args ?? [];
    this.progressEnabled = options.recordPath !== undefined || progressRequested(fixedArgs);
    this.probeTarget =
      options.probeTarget !== undefined
        ? options.probeTarget
        : options.kind === 'destination'
          ? probeTargetFromArgs(fixedArgs)
          : null;
    const stallTimeoutMs = this.progressEnabled ? (options.stallTimeoutMs ?? 10_000) : 0;

    this.supervisor = new Supervisor({
      label: `${options.kind}:${options.id}`,
      redactedDescription: `ffmpeg ${options.kind} "${options.name}"`,
      spawn: () => this.spawnSpec(),
      clock: options.clock,
      restart: options.restart ?? 'always',
      backoff: { baseMs: 2000, factor: 2, capMs: 60_000, jitter: 0.2, ...options.backoff },
      // This output decides what healthy means (live long enough) and resets the count itself.
      healthyAfterMs: Infinity,
      stallTimeoutMs,
      logger: options.logger,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.random !== undefined ? { random: options.random } : {}),
    });
    this.supervisor.on('spawn', (run) => this.onSpawn(run));
    this.supervisor.on('stall', (info) => {
      if (this.run?.runId === info.runId) this.run.silentMs = info.silentMs;
    });
    this.supervisor.on('exit', (info) => this.onExit(info));
    this.supervisor.on('state', (change) => this.onSupervisorState(change));
    options.session?.attach?.(this);
  }

  /**
   * A planned new session asked from outside (the session-limit path: at the next keyframe, cut
   * anyway after 10 s; 'session-restart' fires). Nothing happens without a running session.
   * Returns whether a new session is on its way.
   */
  newSession(reason: string): boolean {
    const run = this.run;
    if (this.options.kind !== 'destination' || !run || !this.started || this.stopping) return false;
    if (run.cancelKeyframeWait !== null) return true; // already on its way
    this.log.info({ reason }, 'a new session is asked for: it starts at the next keyframe');
    run.sessionTimer?.cancel();
    this.sessionLimitReached(run);
    return true;
  }

  get id(): string {
    return this.options.id;
  }

  get state(): OutputState {
    return this.stateValue;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.inputEnded = false;
    this.failures = 0;
    this.streakStartedAt = null;
    this.failingRaised = false;
    this.setState('connecting', 'started');
    this.scheduleTick();
    if (this.recordingLimits !== null) {
      this.scheduleDiskCheck();
      void this.sweep('recording started');
      const disk = this.diskVerdict();
      if (disk?.level === 'full') {
        this.stopForDisk(disk);
        return;
      }
    }
    this.supervisor.start();
  }

  /**
   * Ends the stream and lets ffmpeg send or write what it has read before it exits (a signal
   * would cut the last frames off); after graceMs it is stopped regardless.
   */
  async stop(graceMs = 3000): Promise<void> {
    this.stopping = true;
    this.started = false;
    this.tickTimer?.cancel();
    this.tickTimer = null;
    this.stopProbing();
    this.endDiskWatch();
    this.consumer?.detach(); // ends its stdin
    await stopAfterEndOfInput(this.supervisor, this.clock, graceMs);
    this.nextRetryAt = null;
    this.setState('stopped', 'stopped');
  }

  /**
   * A new encoder stream begins (new FLV header, timestamps from zero): the session must start
   * over. A running ffmpeg is ended and started again at once; one waiting out a backoff simply
   * starts on the new stream when its time comes. Not a failure: the count is kept as it is.
   */
  restart(reason = 'new encoder stream'): void {
    if (!this.started || this.stopping) return;
    const process = this.supervisor.state;
    if (process !== 'starting' && process !== 'running') return;
    this.clearRun();
    // Detach now: the old session must not receive the new stream's tags.
    this.consumer?.detach();
    this.consumer = null;
    if (this.stateValue === 'live') this.setState('connecting', reason);
    this.supervisor.restartNow(reason, { keepAttempts: true });
  }

  status(): OutputStatus {
    const now = this.clock.now();
    return {
      id: this.options.id,
      kind: this.options.kind,
      name: this.options.name,
      state: this.stateValue,
      since: this.toWall(this.stateSince),
      process: this.supervisor.state,
      consecutiveFailures: this.failures,
      restarts: this.restarts,
      lastError: this.lastError,
      nextRetryAt: this.nextRetryAt === null ? null : this.toWall(this.nextRetryAt),
      bytesSent: this.meter.totalBytes,
      sessionBytes: this.run ? this.meter.sessionBytes : 0,
      bitrateKbps: this.run ? this.meter.bitrateKbps(now) : this.started ? 0 : null,
      msSinceGrowth:
        this.run && this.run.lastGrowthAt !== null ? Math.max(0, now - this.run.lastGrowthAt) : null,
      recording: this.recordingStatus(),
      consumer: this.consumer?.stats() ?? null,
    };
  }

  // ── process events ──

  private spawnSpec(): SpawnSpec {
    let args: readonly string[];
    if (this.options.recordPath !== undefined) {
      // Each run writes a file of its own: the first free part after the last one used.
      this.part = nextFreePart(this.options.recordPath, this.part + 1, this.fileExists);
      this.partBegan = this.rolling ? 'file' : 'restart';
      args = recorderArgs({ path: recordingPartPath(this.options.recordPath, this.part) });
    } else {
      args = this.options.args ?? [];
    }
    return { command: FFMPEG_BIN, args, stdio: ['pipe', 'pipe', 'pipe'] };
  }

  private onSpawn(run: SupervisedRun): void {
    this.clearRun();
    this.rolling = false;
    this.rollTimer?.cancel();
    this.rollTimer = null;
    this.meter.beginRun();
    const state: RunState = {
      runId: run.runId,
      live: false,
      lastGrowthAt: null,
      healthyTimer: null,
      lastWritten: 0,
      silentMs: undefined,
      file:
        this.options.recordPath !== undefined ? recordingPartPath(this.options.recordPath, this.part) : null,
      startedAt: this.clock.now(),
      sessionTimer: null,
      cancelKeyframeWait: null,
      keyframeDeadline: null,
    };
    this.run = state;
    const limit = this.options.session;
    if (limit && limit.maxMs > 0 && Number.isFinite(limit.maxMs))
      state.sessionTimer = this.clock.setTimeout(() => this.sessionLimitReached(state), limit.maxMs);
    const fileMs = this.recordingLimits?.fileMs ?? 0;
    if (fileMs > 0 && Number.isFinite(fileMs))
      state.sessionTimer = this.clock.setTimeout(() => this.fileLimitReached(state), fileMs);
    const stdin = run.writable(0);
    stdin.on('error', () => undefined);
    // Ending stdin on detach lets ffmpeg finish the file or session cleanly.
    this.consumer = this.options.hub.attach(stdin, {
      name: `${this.options.kind}:${this.options.id}`,
      endOnDetach: true,
    });
    run.stderr?.resume(); // the supervisor keeps the tail for classification
    const stdout = run.stdout;
    if (!stdout) return;
    const parser = new ProgressBlockParser();
    readLines(stdout, (line) => {
      const progress = parser.push(line);
      if (progress && this.run === state) this.onProgress(state, progress);
    });
  }

  private onProgress(run: RunState, progress: Parameters<OutputMeter['update']>[0]): void {
    const now = this.clock.now();
    const fallback = progress.sizeBytes === undefined ? this.consumer?.stats().bytesWritten : undefined;
    if (this.meter.update(progress, now, fallback)) this.onGrowth(run, now);
  }

  private onGrowth(run: RunState, now: number): void {
    run.lastGrowthAt = now;
    this.supervisor.markAlive();
    if (run.live) return;
    run.live = true;
    if (run.file !== null && !this.files.includes(run.file)) this.files.push(run.file);
    this.nextRetryAt = null;
    // Live again: the error is history (the status must not show an old error beside "live").
    const wasDown = this.lastError !== null;
    this.lastError = null;
    this.setState('live', this.failures > 0 ? 'sending again' : 'sending');
    if (wasDown) {
      const downMs = this.streakStartedAt === null ? 0 : Math.round(now - this.streakStartedAt);
      this.emitSafe('reconnected', { ...this.eventBase(), failures: this.failures, downMs });
    }
    if (this.failingRaised) {
      this.failingRaised = false;
      const downMs = this.streakStartedAt === null ? 0 : Math.round(now - this.streakStartedAt);
      this.log.info({ failures: this.failures, downMs }, 'output recovered');
      this.emitSafe('recovered', { ...this.eventBase(), failures: this.failures, downMs });
    }
    this.armHealthy(run, this.healthyAfterMs);
  }

  private armHealthy(run: RunState, delayMs: number): void {
    run.healthyTimer?.cancel();
    run.healthyTimer = this.clock.setTimeout(() => {
      run.healthyTimer = null;
      if (this.run !== run || !run.live) return;
      const now = this.clock.now();
      const growing = run.lastGrowthAt !== null && now - run.lastGrowthAt <= GROWTH_FRESH_MS;
      if (!growing && !this.hubIdle(now)) {
        this.armHealthy(run, TICK_MS); // not sending right now: judge again shortly
        return;
      }
      if (this.failures > 0)
        this.log.info({ failures: this.failures }, 'output healthy again; failure count reset');
      this.failures = 0;
      this.streakStartedAt = null;
      this.supervisor.resetAttempts();
    }, delayMs);
  }

  private onExit(info: ExitInfo): void {
    const run = this.run?.runId === info.runId ? this.run : null;
    const consumerState = this.consumer?.state;
    this.consumer?.detach();
    this.consumer = null;
    this.clearRun();
    if (info.cause === 'requested' || info.cause === 'restart' || this.stopping) return;
    if (this.diskStoppedAt !== null) return;
    if (this.rolling) {
      this.rollTimer?.cancel();
      this.rollTimer = null;
      if (info.cause === 'exited') {
        // It wrote out its part and ended at the end of its input, as asked: the next part now.
        this.supervisor.restartNow('next recording file', { keepAttempts: true });
        return;
      }
      this.rolling = false;
    }
    if (this.recordingLimits !== null) {
      const disk = this.diskVerdict();
      const full = disk?.level === 'full' ? disk : null;
      if (full !== null || info.stderrTail.some((line) => DISK_FULL.test(line))) {
        this.stopForDisk(full);
        return;
      }
    }
    if (consumerState === 'ending' || consumerState === 'ended') {
      // The hub's input ended (end of show) and ffmpeg finished: done, not a failure.
      this.inputEnded = true;
      void this.supervisor.stop('input ended');
      return;
    }
    const classified = classifyFailure({
      output: this.options.kind,
      cause: info.cause,
      stderrTail: info.stderrTail,
      wasLive: run?.live ?? false,
      ...(run?.silentMs !== undefined ? { silentMs: run.silentMs } : {}),
    });
    const now = this.clock.now();
    const error: OutputError = {
      kind: classified.kind,
      code: classified.code,
      message: classified.message,
      remediation: classified.remediation,
      at: this.clock.wallNow(),
    };
    this.lastError = error;
    this.restarts++;
    this.failures = Math.max(this.failures + 1, this.supervisor.attempt);
    this.streakStartedAt ??= now;
    this.serverSeenDown = classified.serverDown;
    this.pendingProbe = classified.probe;
    this.log.warn(
      {
        kind: error.kind,
        code: error.code,
        cause: info.cause,
        exitCode: info.code,
        signal: info.signal,
        runMs: info.runMs,
        consecutiveFailures: this.failures,
      },
      `${this.options.kind} failed: ${error.message}`,
    );
    this.emitSafe('failure', { ...this.eventBase(), error, consecutiveFailures: this.failures });
  }

  private onSupervisorState(change: StateChange): void {
    if (this.stopping || this.inputEnded) {
      if (change.to === 'stopped' || change.to === 'failed') this.setState('stopped', change.reason);
      return;
    }
    // Stopped for disk space, or between two parts: this output says what its state is.
    if (this.diskStoppedAt !== null || (this.rolling && change.to === 'backoff')) return;
    switch (change.to) {
      case 'backoff': {
        this.failures = change.attempt;
        this.nextRetryAt = this.clock.now() + (change.delayMs ?? 0);
        const failing = this.failures >= this.failingAfter;
        this.setState(failing ? 'failing' : 'retrying', change.reason);
        if (failing && !this.failingRaised && this.lastError) {
          this.failingRaised = true;
          const failingSince = this.toWall(this.streakStartedAt ?? this.clock.now());
          this.log.error(
            { consecutiveFailures: this.failures, kind: this.lastError.kind, code: this.lastError.code },
            `${this.options.kind} failing: ${this.lastError.message}`,
          );
          this.emitSafe('failing', {
            ...this.eventBase(),
            consecutiveFailures: this.failures,
            lastError: this.lastError,
            failingSince,
          });
        }
        if (this.pendingProbe && this.probeTarget !== null) this.startProbing();
        this.pendingProbe = false;
        return;
      }
      case 'starting':
        if (change.from === 'backoff') {
          this.nextRetryAt = null;
          this.stopProbing();
        }
        return;
      case 'stopped':
      case 'failed':
        this.nextRetryAt = null;
        this.stopProbing();
        this.setState('stopped', change.reason);
        return;
      default:
        return;
    }
  }

  // ── periodic checks ──

  private scheduleTick(): void {
    this.tickTimer = this.clock.setTimeout(() => {
      this.tickTimer = null;
      if (!this.started) return;
      this.tick();
      this.scheduleTick();
    }, TICK_MS);
  }

  private tick(): void {
    const run = this.run;
    const process = this.supervisor.state;
    if (!run || (process !== 'starting' && process !== 'running')) return;
    const now = this.clock.now();
    // Without input there is nothing to send: silence is not a stall.
    if (this.hubIdle(now)) this.supervisor.markAlive();
    if (!this.progressEnabled) {
      const written = this.consumer?.stats().bytesWritten ?? 0;
      if (written > run.lastWritten) {
        run.lastWritten = written;
        this.onGrowth(run, now);
      }
    }
  }

  private hubIdle(now: number): boolean {
    const last = this.options.hub.stats().lastInputAt;
    return last === null || now - last > HUB_IDLE_MS;
  }

  // ── fast return ──

  private startProbing(): void {
    this.stopProbing();
    const epoch = ++this.probeEpoch;
    const target = this.probeTarget;
    if (target === null) return;
    const attempt = (): void => {
      this.probeTimer = this.clock.setTimeout(() => {
        this.probeTimer = null;
        if (epoch !== this.probeEpoch || this.supervisor.state !== 'backoff') return;
        attempt(); // about once per interval, whatever the previous probe is doing
        if (this.probeInFlight) return;
        this.probeInFlight = true;
        void this.probe(target, this.probeIntervalMs).then(
          (accepted) => this.onProbe(epoch, accepted),
          () => this.onProbe(epoch, false),
        );
      }, this.probeIntervalMs);
    };
    attempt();
  }

  private onProbe(epoch: number, accepted: boolean): void {
    this.probeInFlight = false;
    if (epoch !== this.probeEpoch || this.supervisor.state !== 'backoff' || !this.started) return;
    if (!accepted) {
      this.serverSeenDown = true;
      return;
    }
    if (!this.serverSeenDown) return; // it never went away: keep the plain backoff
    this.log.info('destination accepts connections again; retrying now');
    this.stopProbing();
    this.supervisor.retryNow('destination reachable again');
  }

  private stopProbing(): void {
    this.probeEpoch++;
    this.probeTimer?.cancel();
    this.probeTimer = null;
  }

  // ── helpers ──

  private clearRun(): void {
    const run = this.run;
    if (run) {
      run.healthyTimer?.cancel();
      run.sessionTimer?.cancel();
      run.keyframeDeadline?.cancel();
      run.cancelKeyframeWait?.();
    }
    this.run = null;
  }

  // ── session limit ──

  private sessionLimitReached(run: RunState): void {
    run.sessionTimer = null;
    if (this.run !== run || !this.started || this.stopping) return;
    this.log.info(
      { sessionMs: Math.round(this.clock.now() - run.startedAt) },
      'session limit reached: a new session starts at the next keyframe',
    );
    run.cancelKeyframeWait = this.options.hub.onNextKeyframe(() => this.restartSession(run, 'keyframe'));
    run.keyframeDeadline = this.clock.setTimeout(
      () => this.restartSession(run, 'no-keyframe'),
      SESSION_KEYFRAME_WAIT_MS,
    );
  }

  private restartSession(run: RunState, cut: OutputSessionRestartEvent['cut']): void {
    run.cancelKeyframeWait?.();
    run.cancelKeyframeWait = null;
    run.keyframeDeadline?.cancel();
    run.keyframeDeadline = null;
    if (this.run !== run || !this.started || this.stopping) return;
    const sessionMs = Math.round(this.clock.now() - run.startedAt);
    this.log.info({ sessionMs, cut }, 'platform session limit: starting a new session');
    this.restart('platform session limit');
    const event: OutputSessionRestartEvent = { ...this.eventBase(), sessionMs, cut };
    this.emitSafe('session-restart', event);
    try {
      this.options.session?.onRestart?.(event);
    } catch (error) {
      this.log.error({ err: messageOf(error) }, 'session restart listener threw');
    }
  }

  // ── recording: new parts, quota, free space ──

  private fileLimitReached(run: RunState): void {
    run.sessionTimer = null;
    if (this.run !== run || !this.started || this.stopping) return;
    run.cancelKeyframeWait = this.options.hub.onNextKeyframe(() => this.rollFile(run, 'keyframe'));
    run.keyframeDeadline = this.clock.setTimeout(
      () => this.rollFile(run, 'no-keyframe'),
      SESSION_KEYFRAME_WAIT_MS,
    );
  }

  /** Cuts the recording at this keyframe: the old part ends with a complete GOP, the next one
   *  starts with the headers and this keyframe (the hub's GOP cache). Not a failure. */
  private rollFile(run: RunState, cut: 'keyframe' | 'no-keyframe'): void {
    run.cancelKeyframeWait?.();
    run.cancelKeyframeWait = null;
    run.keyframeDeadline?.cancel();
    run.keyframeDeadline = null;
    if (this.run !== run || !this.started || this.stopping || this.diskStoppedAt !== null) return;
    this.log.info({ file: run.file, cut }, 'recording: this part is complete, the next one begins');
    this.rolling = true;
    this.clearRun();
    // End of input rather than a signal: ffmpeg writes out everything it was given, then exits.
    this.consumer?.detach();
    this.consumer = null;
    this.rollTimer = this.clock.setTimeout(() => {
      this.rollTimer = null;
      if (this.rolling) this.supervisor.restartNow('next recording file', { keepAttempts: true });
    }, ROLL_GRACE_MS);
    void this.sweep('a recording part is complete');
  }

  private scheduleDiskCheck(): void {
    this.diskTimer = this.clock.setTimeout(() => {
      this.diskTimer = null;
      if (!this.started || this.stopping) return;
      this.checkDisk();
      this.scheduleDiskCheck();
    }, DISK_CHECK_MS);
  }

  private checkDisk(): void {
    const disk = this.diskVerdict();
    const now = this.clock.now();
    const sinceSweep = now - this.lastSweepAt;
    if (
      disk !== null && disk.level !== 'ok' ? sinceSweep >= LOW_DISK_SWEEP_MS : sinceSweep >= SWEEP_INTERVAL_MS
    )
      void this.sweep(disk !== null && disk.level !== 'ok' ? 'the disk is running low' : 'periodic check');
    this.reportLowDisk(disk);
    if (this.diskStoppedAt !== null) {
      const unknownLongEnough = disk === null && now - this.diskStoppedAt >= DISK_UNKNOWN_RETRY_MS;
      if (disk?.level === 'ok' || unknownLongEnough) this.resumeAfterDisk(disk);
      return;
    }
    if (disk?.level === 'full') this.stopForDisk(disk);
  }

  /** The recording's disk judged against the limits; null when it cannot be read. */
  private diskVerdict(): DiskVerdict | null {
    const path = this.options.recordPath;
    if (path === undefined || this.recordingLimits === null) return null;
    const space = this.readSpace(dirname(path));
    return space === null ? null : judgeDiskSpace(space, this.recordingLimits);
  }

  private reportLowDisk(disk: DiskVerdict | null): void {
    if (disk === null) return;
    if (disk.level === 'ok') {
      if (this.diskLowRaised) this.options.alerts?.clear(DISK_LOW_ALERT);
      this.diskLowRaised = false;
      return;
    }
    if (this.diskLowRaised) return;
    this.diskLowRaised = true;
    this.log.warn({ freeBytes: disk.freeBytes, warnBytes: disk.warnBytes }, 'the disk is running low');
    this.options.alerts?.raise({
      key: DISK_LOW_ALERT,
      source: 'disk',
      ...recordingDiskLowAlert({ words: disk.words, reserve: formatBytes(disk.reserveBytes) }),
    });
  }

  /** Stops the recording (not the show): the database and the system keep their room. */
  private stopForDisk(disk: DiskVerdict | null): void {
    if (this.diskStoppedAt !== null) return;
    this.diskStoppedAt = this.clock.now();
    this.rolling = false;
    this.rollTimer?.cancel();
    this.rollTimer = null;
    this.clearRun();
    // End of input: ffmpeg closes the file properly with what it has (the reserve leaves room).
    this.consumer?.detach();
    this.consumer = null;
    void stopAfterEndOfInput(this.supervisor, this.clock);
    this.stopProbing();
    this.nextRetryAt = null;
    const alert = recordingDiskFullAlert(
      disk !== null
        ? {
            words: disk.words,
            reserve: formatBytes(disk.reserveBytes),
            resumeAt: formatBytes(disk.warnBytes),
          }
        : null,
    );
    this.lastError = {
      kind: 'disk_error',
      code: 'RECORDING_DISK_FULL',
      message: alert.message,
      remediation: alert.remediation,
      at: this.clock.wallNow(),
    };
    this.log.error({ freeBytes: disk?.freeBytes, reserveBytes: disk?.reserveBytes }, alert.message);
    this.setState('stopped', 'the disk is full');
    this.options.alerts?.raise({
      key: this.diskFullAlertKey(),
      source: `recording:${this.options.id}`,
      ...alert,
    });
  }

  private resumeAfterDisk(disk: DiskVerdict | null): void {
    const process = this.supervisor.state;
    if (process !== 'stopped' && process !== 'idle') return; // still closing its file
    this.diskStoppedAt = null;
    this.options.alerts?.clear(this.diskFullAlertKey());
    this.log.info({ freeBytes: disk?.freeBytes }, 'disk space is free again: the recording continues');
    this.setState('connecting', 'disk space free again');
    this.supervisor.start('disk space free again');
  }

  private endDiskWatch(): void {
    this.diskTimer?.cancel();
    this.diskTimer = null;
    this.rollTimer?.cancel();
    this.rollTimer = null;
    this.rolling = false;
    // The recording's own alert ends with it; a low disk stays low after the show (whoever reads
    // the disk next with room to spare clears that alert).
    if (this.diskStoppedAt !== null) this.options.alerts?.clear(this.diskFullAlertKey());
    this.diskStoppedAt = null;
    this.diskLowRaised = false;
  }

  private diskFullAlertKey(): string {
    return `recording:${this.options.id}:disk-full`;
  }

  private async sweep(why: string): Promise<void> {
    const sweeper = this.sweeper;
    const path = this.options.recordPath;
    if (sweeper === null || path === undefined) return;
    this.lastSweepAt = this.clock.now();
    // The part being written and the next one (a part may be starting while this runs).
    const part = Math.max(1, this.part);
    const inUse = [recordingPartPath(path, part), recordingPartPath(path, part + 1)];
    try {
      await sweeper.sweep(inUse, why);
    } catch (error) {
      this.log.warn({ err: messageOf(error) }, 'recordings sweep failed');
    }
  }

  private setState(to: OutputState, reason: string): void {
    const from = this.stateValue;
    if (from === to) return;
    this.stateValue = to;
    this.stateSince = this.clock.now();
    this.log.info({ from, to, reason }, 'output state');
    this.emitSafe('state', { ...this.eventBase(), from, to, reason });
  }

  private recordingStatus(): RecordingStatus | null {
    const path = this.options.recordPath;
    if (path === undefined) return null;
    const part = Math.max(1, this.part);
    const file = recordingPartPath(path, part);
    const files = [...this.files];
    const minutes = Math.round((this.recordingLimits?.fileMs ?? 0) / 60_000);
    const note =
      files.length <= 1 && part <= 1
        ? null
        : this.partBegan === 'file'
          ? `A new file every ${minutes} min: the recording continues in ${file} (part ${part}).`
          : `The recorder restarted; the recording continues in ${file} (part ${part}).`;
    return { file, part, files, note };
  }

  private eventBase(): OutputEventBase {
    return {
      id: this.options.id,
      kind: this.options.kind,
      name: this.options.name,
      at: this.clock.wallNow(),
    };
  }

  private toWall(monotonic: number): number {
    return Math.round(this.clock.wallNow() + (monotonic - this.clock.now()));
  }

  private emitSafe<K extends keyof OutputEvents>(event: K, ...args: OutputEvents[K]): void {
    try {
      (this.emit as (name: K, ...rest: OutputEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.log.error({ event, err: messageOf(error) }, 'output listener threw');
    }
  }
}

/** The argv asks ffmpeg for -progress reports on fd 1. */
function progressRequested(args: readonly string[]): boolean {
  const i = args.indexOf('-progress');
  return i >= 0 && args[i + 1] === 'pipe:1';
}
