// One show on air: starts its engine, saves its position in the execution row every few seconds
// (re-anchoring the schedule when the wall clock steps), carries the operator's live controls to
// the engine, and ends the row exactly once with its metrics.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import { AppError } from '../errors/registry.ts';
import type { Execution } from '../store/repositories/records.ts';
import type { Store } from '../store/store.ts';
import { compileTimeline } from '../timeline/resolver.ts';
import type { Timeline } from '../timeline/schema.ts';
import type { StartLevel } from './capacity.ts';
import {
  addSegment,
  type ExecutionMetrics,
  type SegmentStats,
  type ShowPlanRecord,
} from './execution-plan.ts';
import { anchorFor } from './resume-position.ts';
import type { LiveControls, ShowEngine } from './show-engine.ts';
import type { ShowAlerts } from './show-alerts.ts';
import type { ShowCameras } from './show-plan.ts';
import type { ShowBroadcasts } from '../platforms/youtube/show-broadcasts.ts';

export type ShowOutcomeStatus = 'completed' | 'stopped' | 'error';

export interface ShowOutcome {
  status: ShowOutcomeStatus;
  execution: Execution;
}

/** How far the playout may be from the wall-clock schedule before the anchor is moved: the
 *  wall clock stepped (NTP correcting a board without a real-time clock). */
const REANCHOR_AFTER_SECONDS = 2;

export interface RunningShowOptions {
  engine: ShowEngine;
  store: Store;
  clock: Clock;
  log: Logger;
  execution: Execution;
  timeline: Timeline;
  request: ShowPlanRecord;
  startFrame: number;
  base: ExecutionMetrics;
  segments: number;
  checkpointMs: number;
  warnings: string[];
  recordPath?: string;
  startQuality?: StartLevel;
  /** The show's own alerts, cleared when it ends. */
  alerts?: ShowAlerts;
  /** The cameras as the store has them now (after a change while on air). */
  cameras?: () => ShowCameras;
  /** Issue 17: the YouTube broadcasts of managed destinations (completed when the show ends). */
  youtube?: ShowBroadcasts;
}

/** One show on air: checkpoints its row, and ends it exactly once. */
export class RunningShow {
  readonly executionId: number;
  readonly startFrame: number;
  readonly timeline: Timeline;
  /** What was asked for (ids and options; no secrets). */
  readonly request: ShowPlanRecord;
  readonly fps: number;
  readonly durationFrames: number;
  /** Problems that did not stop the show (a camera not configured, a destination left out). */
  readonly warnings: readonly string[];
  readonly recordPath: string | undefined;
  /** Where it started on its quality ladder and why (null: not asked, at the operator's settings). */
  readonly startQuality: StartLevel | null;
  /** Settles when the show has ended and its row is final. */
  readonly finished: Promise<ShowOutcome>;

  private readonly options: RunningShowOptions;
  private anchorMs: number;
  private readonly startedAtMs: number;
  private timer: { cancel(): void } | null = null;
  /** Paused, or moved by the operator since the last checkpoint: the schedule is re-anchored
   *  without the "wall clock moved" warning. */
  private held = false;
  private moved = false;
  /** A fresh show's program starts when its first picture is there (pre-roll), not at begin(). */
  private prerolled = false;
  private fresh = false;
  private ending: Promise<ShowOutcome> | null = null;
  private settle: (outcome: ShowOutcome) => void = () => undefined;

  constructor(options: RunningShowOptions) {
    this.options = options;
    this.executionId = options.execution.id;
    this.startFrame = options.startFrame;
    this.timeline = options.timeline;
    this.request = options.request;
    const compiled = compileTimeline(options.timeline);
    this.fps = compiled.fps;
    this.durationFrames = compiled.durationFrames;
    this.warnings = options.warnings;
    this.recordPath = options.recordPath;
    this.startQuality = options.startQuality ?? null;
    this.anchorMs = options.execution.anchor_ms ?? options.clock.wallNow();
    this.startedAtMs = Date.parse(options.execution.started_at);
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  /** Starts the engine and the checkpoints. A fresh show's anchor is the moment it starts. */
  begin(fresh: boolean): void {
    const { engine, clock } = this.options;
    engine.start();
    this.fresh = fresh;
    if (fresh) this.anchorMs = anchorFor(this.startFrame, this.fps, clock.wallNow());
    this.checkpoint();
    this.schedule();
  }

  /** The YouTube broadcasts of its managed destinations, as YouTube last reported them. */
  youtubeStates(): ReturnType<ShowBroadcasts['states']> {
    return this.options.youtube?.states() ?? [];
  }

  /** Issue 17: a YouTube channel was connected again; its broadcasts pick up the new tokens now. */
  youtubeReconnected(connectionId: number): void {
    this.options.youtube?.reconnected(connectionId);
  }

  /** Camera settings changed in the store: the show on air takes its cameras and backups again. */
  camerasChanged(): void {
    const { engine, log } = this.options;
    if (this.ending || !this.options.cameras || !engine.updateCameras) return;
    try {
      const { feeds, warnings } = this.options.cameras();
      for (const warning of warnings) log.warn(warning);
      engine.updateCameras(feeds);
      log.info({ cameras: [...feeds.keys()] }, 'camera settings changed: the show on air uses them now');
    } catch (error) {
      log.error({ err: messageOf(error) }, 'could not apply the camera change to the show on air');
    }
  }

  /** The engine's status (position, outputs, health). */
  status(): ReturnType<ShowEngine['status']> {
    return this.options.engine.status();
  }

  /** The engine's live controls and telemetry (null with a stand-in engine that only plays). */
  get engine(): LiveControls | null {
    return this.options.engine.live ?? null;
  }

  /** Holds the timeline clock; the row's schedule follows (a crash resumes where it was held). */
  pause(): void {
    this.liveEngine().pause();
    this.held = true;
    this.checkpoint();
  }

  resume(): void {
    this.liveEngine().resume();
    this.held = false;
    this.moved = true;
    this.checkpoint();
  }

  jumpTo(seconds: number): void {
    this.liveEngine().jumpTo(seconds);
    this.moved = true;
    this.checkpoint();
  }

  private liveEngine(): LiveControls {
    const engine = this.engine;
    if (!engine) throw new AppError('SHOW_NOT_LIVE', 'this show has no live controls');
    return engine;
  }

  /** Operator stop: the row ends 'stopped'. */
  stop(): Promise<ShowOutcome> {
    return this.end('stopped');
  }

  /** Ends the show once: stops the engine, writes the final metrics and status. */
  end(status: ShowOutcomeStatus, error?: string): Promise<ShowOutcome> {
    this.ending ??= (async () => {
      const { engine, store, log, clock } = this.options;
      this.timer?.cancel();
      this.timer = null;
      try {
        await engine.stop();
      } catch (stopError) {
        log.error({ err: messageOf(stopError) }, 'the engine did not stop cleanly');
      }
      await this.options.youtube?.stop(); // bounded in time
      const cleared = this.options.alerts?.clearAll() ?? 0;
      if (cleared > 0) log.info({ cleared }, 'the show’s open alerts ended with it');
      const snapshot = engine.status();
      const metrics = this.metrics(snapshot, clock.wallNow());
      let execution: Execution;
      try {
        store.executions.checkpoint(this.executionId, { frame: snapshot.frame, metrics: { ...metrics } });
        execution = store.executions.finish(this.executionId, status, {
          metrics: { ...metrics },
          ...(error ? { error } : {}),
        });
      } catch (writeError) {
        log.error({ err: messageOf(writeError) }, 'could not write the end of the show');
        execution = store.executions.get(this.executionId);
      }
      log.info({ status, metrics }, `show "${this.timeline.name}" ${status}`);
      const outcome = { status, execution };
      this.settle(outcome);
      return outcome;
    })();
    return this.ending;
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => {
      if (this.ending) return;
      this.checkpoint();
      this.schedule();
    }, this.options.checkpointMs);
  }

  private checkpoint(): void {
    const { engine, store, clock, log } = this.options;
    const status = engine.status();
    const nowMs = clock.wallNow();
    const frame = status.frame;
    const prerollMs = status.playout.prerollMs;
    if (!this.prerolled && prerollMs !== null) {
      // The clock started once the first picture was there: a fresh show's schedule starts then
      // (a resumed one skipped the pre-roll's seconds and keeps its schedule).
      this.prerolled = true;
      if (this.fresh && prerollMs !== undefined) this.anchorMs += prerollMs;
    }
    // The playout clock is monotonic; the anchor is wall clock. A gap between them means the wall
    // clock stepped: move the anchor, so a resume after a crash lands where the show really is.
    const byWall = ((nowMs - this.anchorMs) * this.fps) / 1000;
    let anchorMs: number | undefined;
    if (!this.prerolled) {
      // Still waiting for the first picture: the position has not started to move.
    } else if (this.held || this.moved) {
      anchorMs = anchorFor(frame, this.fps, nowMs);
      this.anchorMs = anchorMs;
      this.moved = false;
    } else if (Math.abs(byWall - frame) > REANCHOR_AFTER_SECONDS * this.fps) {
      anchorMs = anchorFor(frame, this.fps, nowMs);
      log.warn(
        { frame, byWallFrame: Math.round(byWall), stepSeconds: Math.round((byWall - frame) / this.fps) },
        'the wall clock moved against the show; re-anchored its schedule',
      );
      this.anchorMs = anchorMs;
    }
    try {
      const saved = store.executions.checkpoint(this.executionId, {
        frame,
        at: new Date(nowMs).toISOString(),
        anchorMs: anchorMs ?? this.anchorMs,
        metrics: { ...this.metrics(status, nowMs) },
      });
      if (!saved) log.warn('the execution row is no longer running; position not saved');
    } catch (error) {
      // A full disk must not take the show off air: it only weakens crash resume.
      log.error({ err: messageOf(error) }, 'could not save the show position');
    }
  }

  private metrics(status: SegmentStats, nowMs: number): ExecutionMetrics {
    return addSegment(this.options.base, status, {
      fps: this.fps,
      startedAtMs: this.startedAtMs,
      nowMs,
      segments: this.options.segments,
    });
  }
}
