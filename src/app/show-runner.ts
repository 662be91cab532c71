// Runs a show from the store and keeps its execution row true: a new run creates the row
// ('running'), saves the position every few seconds, and ends it 'completed' (a non-looping
// timeline ended), 'stopped' (operator stop) or 'error' (the show could not run), with metrics.
// After a crash the same row is resumed at the position the wall clock says the show is at.
//
// Secrets: camera passwords and stream keys are read from the store at every (re)start, go into
// the engine's plan only, and are never logged or written to the row.
import { systemClock, type Clock } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import { toFieldIssues } from '../domain/issues.ts';
import { ENCODER_PRESET_SETTING } from '../domain/settings.ts';
import type { CameraFeed, DestinationTarget, EngineAlerts } from '../engine/index.ts';
import { AppError } from '../errors/registry.ts';
import { machineEncoder, type EncoderProbe } from '../ffmpeg/machine-encoder.ts';
import { processIdentity } from '../process/child-registry.ts';
import { PtzCueMover } from '../ptz/cue-mover.ts';
import { connectOnvif, type PtzConnect } from '../ptz/onvif.ts';
import type { Execution, ExecutionOwner } from '../store/repositories/records.ts';
import type { RecordingLimits } from '../recordings/limits.ts';
import type { Store } from '../store/store.ts';
import { compileTimeline } from '../timeline/resolver.ts';
import { GOOGLE_ENDPOINTS } from '../config.ts';
import { QuotaLedger } from '../platforms/youtube/quota.ts';
import {
  managedDestinations,
  ShowBroadcasts,
  type YouTubeShowConfig,
} from '../platforms/youtube/show-broadcasts.ts';
import type { Timeline } from '../timeline/schema.ts';
import {
  NO_METRICS,
  readMetrics,
  recordPathForSegment,
  ShowRequestSchema,
  StoredPlanSchema,
  type ExecutionMetrics,
  type ShowPlanRecord,
  type ShowRequest,
  type StoredPlan,
} from './execution-plan.ts';
import { anchorFor, formatPosition, resumePosition, type ResumeDecision } from './resume-position.ts';
import type { CapacityShow, StartLevel } from './capacity.ts';
import { RunningShow } from './running-show.ts';
import { showResumedAlert, sessionRestartedAlert, type ShowAlert } from './show-alert-messages.ts';
import { ShowAlerts } from './show-alerts.ts';
import { realEngines, type EngineFactory } from './show-engine.ts';
import {
  bindShowMedia,
  destinationTargets,
  enginePlan,
  ptzCameraPlans,
  withChosenPreset,
  showCameras,
  standbyBackupOf,
  type SessionRestartHandler,
  type ShowCameras,
} from './show-plan.ts';

export interface ShowRunnerDeps {
  store: Store;
  /** Persisted, notified alerts (default: the engine only logs). */
  alerts?: EngineAlerts;
  /** Root for timeline media paths and relative asset paths (the data folder). */
  mediaRoot: string;
  /** Recordings' quota, file length and free space kept (the configuration's); default: the
   *  defaults. */
  recordingLimits?: RecordingLimits;
  clock?: Clock;
  logger?: Logger;
  /** Default: the real engine, with `detectEncoder`'s encoder. */
  engines?: EngineFactory;
  /** The machine's H.264 encoder (default: the process's one memoised probe). */
  detectEncoder?: EncoderProbe;
  /** This process (written into the row, so a restart can tell a dead run from a live one). */
  owner?: ExecutionOwner;
  /** How often the position is saved. Default 2000 ms. */
  checkpointMs?: number;
  /** PTZ cue moves: the ONVIF client (default: the real one) and the settle time of cameras
   *  without their own (default 3 s). */
  ptz?: { connect?: PtzConnect; defaultSettleSeconds?: number; timeoutMs?: number };
  /**
   * Where a show starts on its quality ladder (CapacityService.startLevelForShow in
   * src/app/capacity.ts: this machine's measured capacity). Default: at the operator's settings.
   */
  startLevel?: (show: CapacityShow) => Promise<StartLevel>;
  /** Issue 17: Google's endpoints for destinations whose YouTube broadcasts the appliance runs
   *  (default: Google's; tests: the local stand-in, and a shorter watch). */
  youtube?: YouTubeShowConfig;
}

export type ResumeResult =
  | { kind: 'resumed'; show: RunningShow; decision: Extract<ResumeDecision, { kind: 'resume' }> }
  | { kind: 'completed'; execution: Execution; note: string }
  | { kind: 'error'; execution: Execution; message: string };

export class ShowRunner {
  private readonly store: Store;
  private readonly mediaRoot: string;
  private readonly recordingLimits: RecordingLimits | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly engines: EngineFactory;
  private readonly owner: ExecutionOwner;
  private readonly checkpointMs: number;
  private readonly alerts: EngineAlerts | undefined;
  private readonly ptz: NonNullable<ShowRunnerDeps['ptz']>;
  private readonly startLevel: ShowRunnerDeps['startLevel'];
  private readonly youtube: YouTubeShowConfig;
  /** The YouTube API quota is the Google project's: one ledger for every show. */
  private readonly youtubeLedger: QuotaLedger;

  constructor(deps: ShowRunnerDeps) {
    this.alerts = deps.alerts;
    this.startLevel = deps.startLevel;
    this.ptz = deps.ptz ?? {};
    this.store = deps.store;
    this.mediaRoot = deps.mediaRoot;
    this.recordingLimits = deps.recordingLimits;
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? createLogger('shows');
    this.engines = deps.engines ?? realEngines(deps.detectEncoder ?? machineEncoder, this.log);
    this.owner = deps.owner ?? processIdentity() ?? { pid: process.pid, startTicks: 0, bootId: 'unknown' };
    this.checkpointMs = deps.checkpointMs ?? 2000;
    this.youtube = deps.youtube ?? GOOGLE_ENDPOINTS;
    this.youtubeLedger = new QuotaLedger(this.clock);
  }

  /**
   * Starts a show. Bad input (unknown timeline or destination, a disabled destination, a missing
   * stream key) throws an AppError naming it and writes no row; a show that then cannot run ends
   * its row 'error' and throws.
   */
  async start(input: ShowRequest): Promise<RunningShow> {
    const parsed = ShowRequestSchema.safeParse(input);
    if (!parsed.success)
      throw new AppError('VALIDATION_FAILED', 'the show request is not valid', toFieldIssues(parsed.error));
    const request = withChosenPreset(
      parsed.data,
      this.store.settings.get<unknown>(ENCODER_PRESET_SETTING, null),
    );
    const timeline = this.mediaBound(this.store.timelines.export(request.timelineId).timeline, request);
    const managed = managedDestinations(this.store, request.destinationIds);
    const destinations = destinationTargets(
      this.store,
      request.destinationIds.filter((id) => !managed.some((destination) => destination.id === id)),
      'strict',
      this.sessionRestarted,
    );
    if (destinations.targets.length + managed.length === 0 && !request.previewDir && !request.recordPath)
      throw new AppError('VALIDATION_FAILED', 'the show needs somewhere to go', [
        { path: 'destinationIds', message: 'give a destination, a preview folder or a recording file' },
      ]);
    const cameras = showCameras(this.store, request, timeline);
    const warnings = [...cameras.warnings];
    const { broadcasts: youtube } = await this.youtubeBroadcasts(managed, 'strict');

    const plan: StoredPlan = { version: 1, ...request };
    const execution = this.store.executions.startShow({
      timelineId: request.timelineId,
      plan,
      owner: this.owner,
      anchorMs: this.clock.wallNow(),
      startedAt: new Date(this.clock.wallNow()).toISOString(),
      executedBy: request.executedBy ?? null,
    });
    const log = this.log.child({ execution: execution.id });
    log.info(
      { timelineId: request.timelineId, destinations: destinations.targets.map((d) => d.name) },
      `starting "${timeline.name}"`,
    );
    for (const warning of warnings) log.warn(warning);
    return this.launch({
      execution,
      request,
      timeline,
      targets: destinations.targets,
      cameras: cameras.feeds,
      youtube,
      log,
      base: NO_METRICS,
      segment: 0,
      frameAt: () => 0,
      warnings,
    });
  }

  /**
   * Takes over a 'running' row left by a process that died: the same row, at the position the
   * wall clock says the show is at now. A non-looping show whose end has passed is marked
   * 'completed' with a note; a show that can no longer run (timeline deleted, …) ends 'error'.
   */
  async resume(execution: Execution): Promise<ResumeResult> {
    if (execution.status !== 'running')
      throw new AppError(
        'VALIDATION_FAILED',
        `execution ${execution.id} is ${execution.status}, not running`,
      );
    const log = this.log.child({ execution: execution.id });
    const fail = (message: string): ResumeResult => {
      log.error({ reason: message }, 'cannot resume the interrupted show');
      const ended = this.store.executions.finish(execution.id, 'error', {
        error: `interrupted and not resumed: ${message}`,
      });
      return { kind: 'error', execution: ended, message };
    };

    const stored = StoredPlanSchema.safeParse(execution.plan);
    if (!stored.success) return fail('no readable show plan is stored in the row');
    const { version: _version, ...request } = stored.data;
    if (execution.timeline_id === null) return fail(`timeline ${request.timelineId} was deleted`);

    let timeline: Timeline;
    let targets: DestinationTarget[];
    let cameras: ShowCameras;
    let managed: ReturnType<typeof managedDestinations>;
    const warnings: string[] = [];
    try {
      timeline = this.mediaBound(this.store.timelines.export(execution.timeline_id).timeline, request);
      managed = managedDestinations(this.store, request.destinationIds);
      const destinations = destinationTargets(
        this.store,
        request.destinationIds.filter((id) => !managed.some((destination) => destination.id === id)),
        'lenient',
        this.sessionRestarted,
      );
      targets = destinations.targets;
      warnings.push(...destinations.warnings);
      cameras = showCameras(this.store, request, timeline);
      warnings.push(...cameras.warnings);
    } catch (error) {
      return fail(messageOf(error));
    }
    if (targets.length + managed.length === 0 && !request.previewDir && !request.recordPath)
      return fail(`none of its destinations can be used (${warnings.join('; ')})`);

    const compiled = compileTimeline(timeline);
    const decide = (nowMs: number) =>
      resumePosition({
        fps: compiled.fps,
        durationFrames: compiled.durationFrames,
        loop: compiled.loop,
        anchorMs: execution.anchor_ms,
        nowMs,
        checkpointFrame: execution.checkpoint_frame,
      });
    const complete = (decision: Extract<ResumeDecision, { kind: 'ended' }>): ResumeResult => {
      const endedAt = decision.endedAtMs === null ? 'earlier' : new Date(decision.endedAtMs).toISOString();
      const note = `the show ended (${endedAt}) while the appliance was down; not resumed`;
      log.info({ timelineId: execution.timeline_id }, note);
      const ended = this.store.executions.finish(execution.id, 'completed', { note });
      return { kind: 'completed', execution: ended, note };
    };
    // A show that already ended needs no engine (whose preparation might fail for other reasons).
    const early = decide(this.clock.wallNow());
    if (early.kind === 'ended') return complete(early);

    // Prepare the slow parts first: the start frame is fixed only just before the show plays.
    let create: Awaited<ReturnType<EngineFactory>>;
    try {
      create = await this.engines();
    } catch (error) {
      return fail(`the engine could not be prepared: ${messageOf(error)}`);
    }
    const quality = await this.qualityStart(timeline, request, cameras.feeds, log);
    const youtube = await this.youtubeBroadcasts(managed, 'lenient');
    warnings.push(...youtube.warnings);
    const nowMs = this.clock.wallNow();
    const decision = decide(nowMs);
    if (decision.kind === 'ended') return complete(decision);

    const anchorMs =
      decision.basis === 'checkpoint' ? anchorFor(decision.frame, compiled.fps, nowMs) : undefined;
    const resumed = this.store.executions.resume(execution.id, {
      owner: this.owner,
      frame: decision.frame,
      at: new Date(nowMs).toISOString(),
      ...(anchorMs !== undefined ? { anchorMs } : {}),
    });
    const downSeconds =
      execution.checkpoint_at === null
        ? null
        : Math.round((nowMs - Date.parse(execution.checkpoint_at)) / 1000);
    log.warn(
      {
        timelineId: execution.timeline_id,
        frame: decision.frame,
        timelineFrame: decision.timelineFrame,
        iteration: decision.iteration,
        basis: decision.basis,
        resumeCount: resumed.resume_count,
        lastCheckpointSecondsAgo: downSeconds,
      },
      `resuming interrupted show "${timeline.name}" (execution ${execution.id}) at ` +
        `${formatPosition(decision.timelineFrame, compiled.fps)} of ${formatPosition(compiled.durationFrames, compiled.fps)}` +
        `${compiled.loop ? `, loop ${decision.iteration + 1}` : ''}; resume #${resumed.resume_count}` +
        (decision.basis === 'checkpoint'
          ? ' (wall clock behind the last checkpoint: continuing from it)'
          : ''),
    );
    for (const warning of warnings) log.warn(warning);
    try {
      const show = await this.launch({
        execution: resumed,
        request,
        timeline,
        targets,
        cameras: cameras.feeds,
        youtube: youtube.broadcasts,
        log,
        base: readMetrics(execution.metrics),
        segment: resumed.resume_count,
        frameAt: () => decision.frame,
        create,
        quality,
        warnings,
        resumedAlert: showResumedAlert(execution, timeline.name, {
          position: formatPosition(decision.timelineFrame, compiled.fps),
          downSeconds,
          resumedAtMs: nowMs,
        }),
      });
      return { kind: 'resumed', show, decision };
    } catch (error) {
      return { kind: 'error', execution: this.store.executions.get(execution.id), message: messageOf(error) };
    }
  }

  private async launch(args: LaunchArgs): Promise<RunningShow> {
    const { execution, request, timeline, log } = args;
    let show: RunningShow | null = null;
    let endedEarly = false;
    let ptz: PtzCueMover | null = null;
    try {
      const create = args.create ?? (await this.engines());
      // Before the start frame is fixed: telling may wait for the encoder probe.
      const quality =
        args.quality !== undefined
          ? args.quality
          : await this.qualityStart(timeline, request, args.cameras, log);
      const startFrame = args.frameAt();
      // The show's alerts end with it (cleared when it stops).
      const alerts = this.alerts ? new ShowAlerts(this.alerts) : undefined;
      // Cameras head for their first presets while the engine starts.
      ptz = this.ptzMover(timeline, request, log, alerts);
      ptz?.start(startFrame);
      const recordPath = request.recordPath
        ? recordPathForSegment(request.recordPath, args.segment)
        : undefined;
      const plan = enginePlan({
        store: this.store,
        request,
        dataDir: this.mediaRoot,
        timeline,
        cameras: args.cameras,
        targets: [...args.targets, ...args.youtube.targets()],
        ...(this.recordingLimits ? { recordingLimits: this.recordingLimits } : {}),
        ...(recordPath ? { recordPath } : {}),
        startFrame,
        resumed: args.segment > 0,
        startLevel: quality?.level ?? null,
      });
      const mover = ptz;
      const engine = await create(plan, {
        logger: log.child({ component: 'engine' }),
        ...(alerts ? { alerts } : {}),
        ...(mover ? { onTick: (frame: number) => mover.onFrame(frame) } : {}),
        onEnded: () => {
          if (show) void show.end('completed');
          else endedEarly = true;
        },
      });
      show = new RunningShow({
        engine,
        store: this.store,
        clock: this.clock,
        log,
        execution,
        timeline,
        request,
        startFrame,
        base: args.base,
        segments: args.segment + 1,
        checkpointMs: this.checkpointMs,
        warnings: args.warnings,
        ...(recordPath ? { recordPath } : {}),
        ...(quality ? { startQuality: quality } : {}),
        ...(alerts ? { alerts } : {}),
        // Camera settings changed while on air: the same rules as at the start, read again.
        cameras: () => showCameras(this.store, request, timeline),
        youtube: args.youtube,
      });
      show.begin(args.segment === 0);
      args.youtube.start(alerts);
      if (args.resumedAlert) alerts?.raise(args.resumedAlert);
      if (mover) void show.finished.then(() => mover.close());
      if (endedEarly) void show.end('completed');
      return show;
    } catch (error) {
      ptz?.close();
      void args.youtube.stop();
      const message = messageOf(error);
      log.error({ err: message }, 'the show could not run');
      this.store.executions.finish(execution.id, 'error', { error: `the show could not run: ${message}` });
      throw new ShowFailedError(execution.id, message, { cause: error });
    }
  }

  /** Where the show starts on its quality ladder; a failure to tell starts it at the ceiling. */
  private async qualityStart(
    timeline: Timeline,
    request: ShowPlanRecord,
    cameras: ReadonlyMap<number, CameraFeed>,
    log: Logger,
  ): Promise<StartLevel | null> {
    if (!this.startLevel) return null;
    try {
      const quality = await this.startLevel({
        timeline,
        ...(request.encoder ? { encoder: request.encoder } : {}),
        // Only a backup the engine has can stand by.
        backupOf: standbyBackupOf(cameras),
      });
      if (quality.level > 0)
        log.info({ level: quality.level }, `starting at ${quality.description}: ${quality.reason ?? ''}`);
      return quality;
    } catch (error) {
      log.warn(
        { err: messageOf(error) },
        'could not tell where the show starts on this machine; starting at the operator’s settings',
      );
      return null;
    }
  }

  /**
   * The PTZ cue mover for a timeline with preset cues (null without any, and for the demo's
   * generated cameras). Camera settings and presets are read from the store now; a camera that
   * cannot be moved is reported by the mover and its cues go on air as they are.
   */
  private ptzMover(
    timeline: Timeline,
    request: ShowPlanRecord,
    log: Logger,
    alerts: EngineAlerts | undefined,
  ): PtzCueMover | null {
    if (request.generatedCameras) return null;
    const cameras = ptzCameraPlans(this.store, timeline, this.ptz);
    if (!cameras) return null;
    return new PtzCueMover({
      timeline: compileTimeline(timeline),
      cameras,
      connect: this.ptz.connect ?? connectOnvif,
      clock: this.clock,
      logger: log.child({ component: 'ptz' }),
      ...(alerts ? { alerts } : {}),
    });
  }

  /** The YouTube broadcasts of the show's managed destinations (issue 17). */
  private youtubeBroadcasts(
    managed: ReturnType<typeof managedDestinations>,
    mode: 'strict' | 'lenient',
  ): ReturnType<typeof ShowBroadcasts.prepare> {
    return ShowBroadcasts.prepare(
      {
        store: this.store,
        youtube: this.youtube,
        ledger: this.youtubeLedger,
        clock: this.clock,
        logger: this.log,
      },
      managed,
      mode,
    );
  }

  /** A planned new session for a platform's time limit: logged and shown as an info event. */
  private readonly sessionRestarted: SessionRestartHandler = (destination, hours, event) => {
    const alert = sessionRestartedAlert(destination, hours, event.sessionMs);
    this.log.info({ destination: destination.id, sessionMs: event.sessionMs, cut: event.cut }, alert.message);
    this.alerts?.raise(alert);
  };

  /** The timeline with its media bound to the library (the request may name another media root). */
  private mediaBound(timeline: Timeline, request: ShowPlanRecord): Timeline {
    return bindShowMedia(this.store, timeline, request.mediaRoot ?? this.mediaRoot);
  }
}

interface LaunchArgs {
  execution: Execution;
  request: ShowPlanRecord;
  timeline: Timeline;
  targets: DestinationTarget[];
  cameras: Map<number, CameraFeed>;
  /** Issue 17: the YouTube broadcasts of managed destinations (their targets join `targets`). */
  youtube: ShowBroadcasts;
  log: Logger;
  base: ExecutionMetrics;
  /** 0 for the first start, then the resume count. */
  segment: number;
  frameAt: () => number;
  create?: Awaited<ReturnType<EngineFactory>>;
  /** Where it starts on its quality ladder, when already asked (a resume asks before fixing its frame). */
  quality?: StartLevel | null;
  warnings: string[];
  /** Raised once the show is on air again (a crash resume: how long it was off air). */
  resumedAlert?: ShowAlert;
}

/** The show could not run (its row ended 'error'). */
export class ShowFailedError extends Error {
  override readonly name = 'ShowFailedError';
  constructor(
    readonly executionId: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
