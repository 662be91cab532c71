// The scheduler: starts a schedule's show at its window's start through show control (the same
// GO LIVE path as the operator), plays its timelines in order (looping within the window), and
// stops it at the window's end. It only ever stops a show it started: an operator's show is never
// interrupted (the schedule's window is skipped while it is on air, with an info alert, and the
// scheduled show starts when the air is free again within the window). The operator stopping a
// scheduled show holds that schedule until its window ends.
//
// Restarts: the execution row names the schedule and window that started it. At boot a scheduled
// show resumed by crash recovery is taken back (or stopped if its window ended meanwhile), and a
// window that is on now with nothing on air is started, continuing with the timeline that played.
//
// Every start, stop, skip and failure is logged and recorded in schedule_events.
import type { AlertSink } from '../alerts/index.ts';
import type { ShowControl } from '../app/show-control.ts';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import { isAppError } from '../errors/registry.ts';
import {
  schedulePreflightFailedAlert,
  scheduleSkippedAlert,
  scheduleStartFailedAlert,
} from '../errors/alert-messages.ts';
import type { Schedule } from '../store/repositories/schedules.ts';
import type { Store } from '../store/store.ts';
import type { NewScheduleEvent } from '../store/repositories/schedules.ts';
import { POSITION_SETTING, positionSetting } from '../domain/settings.ts';
import { activeRun, planSchedules, type Run, type WindowRule } from './plan.ts';
import type { Position } from './sun.ts';

/** What the scheduler needs of show control. */
export type SchedulerShows = Pick<ShowControl, 'current' | 'goLive' | 'stop'>;

export interface SchedulerDeps {
  store: Store;
  shows: SchedulerShows;
  /** The appliance's time zone (read at every decision: a changed setting applies at once). */
  timeZone: () => string;
  alerts?: AlertSink;
  clock?: Clock;
  logger?: Logger;
  /** After a failed start, the next try (default 60 s). */
  retryMs?: number;
  /** Longest sleep between looks at the schedules (default 30 s): picks up a freed air and clock steps. */
  maxSleepMs?: number;
  /**
   * Told a few minutes before a window opens which timelines it plays, so what is slow to learn
   * (how this machine fares with them: the capacity check) is ready when it starts. Best effort.
   */
  prepare?: (timelineIds: readonly number[]) => void;
  /** How long before a window `prepare` is called (default 3 min). */
  prepareAheadMs?: number;
}

interface OnAir {
  scheduleId: number;
  name: string;
  windowStart: number;
  windowEnd: number;
  item: number;
  executionId: number;
}

/** The schedule as planning sees it; `position` places its sun edges (null: none configured). */
export function toRule(schedule: Schedule, position: Position | null): WindowRule {
  return {
    id: schedule.id,
    enabled: schedule.enabled,
    days: schedule.days,
    start: schedule.start_time,
    end: schedule.end_time,
    position,
  };
}

/** The appliance's position setting (read at every decision, like the time zone). */
export function storedPosition(store: Pick<Store, 'settings'>): Position | null {
  return positionSetting(store.settings.get<unknown>(POSITION_SETTING, null));
}

export class Scheduler {
  private readonly deps: SchedulerDeps;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly retryMs: number;
  private readonly maxSleepMs: number;
  private onAir: OnAir | null = null;
  /** Executions the scheduler is stopping itself (their end is not the operator's). */
  private readonly stopping = new Set<number>();
  /** Schedules held until an instant: stopped by the operator, or a failed start waiting to retry. */
  private readonly holdUntil = new Map<number, number>();
  /** Windows already reported as skipped ("id@start"). */
  private readonly skipped = new Set<string>();
  /** Windows already prepared for ("schedule@start"). */
  private readonly prepared = new Set<string>();
  private timer: TimerHandle | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(deps: SchedulerDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? createLogger('scheduler');
    this.retryMs = deps.retryMs ?? 60_000;
    this.maxSleepMs = deps.maxSleepMs ?? 30_000;
  }

  /** At boot, after crash recovery: takes back a scheduled show on air, then looks at the schedules. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      this.restoreHolds();
      await this.adoptCurrent();
      await this.decide();
    });
  }

  /** The schedules changed (API): decide again now. */
  reload(): Promise<void> {
    return this.enqueue(() => this.decide());
  }

  /** The schedule whose show is on air, if any. */
  onAirScheduleId(): number | null {
    return this.onAir?.scheduleId ?? null;
  }

  /** Appliance shutdown: no more decisions; the show it stops is started again at the next boot. */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /** Settles when the decisions queued so far are done (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.closed) return;
      try {
        await work();
      } catch (error) {
        this.log.error({ err: messageOf(error) }, 'the scheduler failed to decide; trying again shortly');
      }
      if (!this.closed) this.arm();
    });
    this.queue = next;
    return next;
  }

  private position(): Position | null {
    return storedPosition(this.deps.store);
  }

  private now(): number {
    return this.clock.wallNow();
  }

  private record(event: NewScheduleEvent): void {
    try {
      this.deps.store.schedules.record({ at: this.now(), ...event });
    } catch (error) {
      this.log.error({ err: messageOf(error) }, 'could not record a schedule event');
    }
  }

  /** Operator stops survive a restart: the newest event of each schedule tells. */
  private restoreHolds(): void {
    const now = this.now();
    for (const schedule of this.deps.store.schedules.list()) {
      const [last] = this.deps.store.schedules.events({ scheduleId: schedule.id, limit: 1 });
      const until = last ? Date.parse(last.window_end) : 0;
      if (last?.kind === 'operator_stopped' && until > now) this.holdUntil.set(schedule.id, until);
    }
  }

  /** A show resumed at boot that a schedule had started: keep it if its window is on, else stop it. */
  private async adoptCurrent(): Promise<void> {
    const current = this.deps.shows.current;
    if (!current) return;
    const tag = this.deps.store.schedules.executionTag(current.executionId);
    if (!tag) return;
    const schedule = this.schedule(tag.scheduleId);
    const run = schedule
      ? activeRun(toRule(schedule, this.position()), this.deps.timeZone(), this.now())
      : null;
    if (schedule && run) {
      this.onAir = {
        scheduleId: schedule.id,
        name: schedule.name,
        windowStart: run.start,
        windowEnd: run.end,
        item: tag.item,
        executionId: current.executionId,
      };
      this.watch(current);
      this.record({
        scheduleId: schedule.id,
        kind: 'resumed',
        windowStart: run.start,
        windowEnd: run.end,
        executionId: current.executionId,
        timelineId: current.request.timelineId,
        detail: 'on air again after a restart',
      });
      this.log.info(
        { schedule: schedule.id, execution: current.executionId },
        `scheduled show of "${schedule.name}" resumed after a restart`,
      );
      return;
    }
    const windowStart = Date.parse(tag.windowStart);
    this.stopping.add(current.executionId);
    const detail = schedule
      ? 'its window ended while the appliance was down'
      : 'its schedule was deleted while the appliance was down';
    if (schedule)
      this.record({
        scheduleId: schedule.id,
        kind: 'stopped',
        windowStart,
        windowEnd: this.now(),
        executionId: current.executionId,
        timelineId: current.request.timelineId,
        detail,
      });
    this.log.info({ execution: current.executionId }, `stopping the resumed scheduled show: ${detail}`);
    await this.stopShow(current.executionId);
  }

  private schedule(id: number): Schedule | null {
    try {
      return this.deps.store.schedules.get(id);
    } catch (error) {
      if (isAppError(error)) return null;
      throw error;
    }
  }

  private async decide(): Promise<void> {
    const now = this.now();
    const zone = this.deps.timeZone();
    const schedules = this.deps.store.schedules.list();
    const current = this.deps.shows.current;

    // Its show ended: ended() (queued right behind) decides what follows.
    if (this.onAir && current?.executionId !== this.onAir.executionId) return;
    if (this.onAir) {
      const mine = this.onAir;
      const schedule = schedules.find((s) => s.id === mine.scheduleId);
      const run = schedule ? activeRun(toRule(schedule, this.position()), zone, now) : null;
      if (run && (run.start === mine.windowStart || run.start <= mine.windowEnd)) {
        // Still on, or the next window starts as this one ends (e.g. every day 00:00–00:00): carry on.
        if (run.start !== mine.windowStart) {
          this.log.info(
            { schedule: mine.scheduleId },
            'the next window follows on at once; the show goes on',
          );
          this.deps.store.schedules.tagExecution(mine.executionId, {
            scheduleId: mine.scheduleId,
            windowStart: run.start,
            item: mine.item,
          });
        }
        mine.windowStart = run.start;
        mine.windowEnd = run.end;
        if (schedule) mine.name = schedule.name;
        return;
      }
      const detail = !schedule
        ? 'the schedule was deleted'
        : !schedule.enabled
          ? 'the schedule was disabled'
          : now >= mine.windowEnd
            ? 'the window ended'
            : 'the schedule was changed and its window is not on now';
      this.onAir = null;
      this.stopping.add(mine.executionId);
      if (schedule)
        this.record({
          scheduleId: mine.scheduleId,
          kind: 'stopped',
          windowStart: mine.windowStart,
          windowEnd: mine.windowEnd,
          executionId: mine.executionId,
          detail,
        });
      this.log.info(
        { schedule: mine.scheduleId, execution: mine.executionId },
        `stopping the scheduled show of "${mine.name}": ${detail}`,
      );
      await this.stopShow(mine.executionId);
    }

    const position = this.position();
    const plan = planSchedules(
      schedules.map((schedule) => toRule(schedule, position)),
      zone,
      now,
      1,
    );
    this.prepareNext(plan.next, schedules, now);
    const run = plan.active;
    for (const other of plan.overlapping) {
      const winner = schedules.find((s) => s.id === run?.scheduleId);
      this.skip(other, `schedule "${winner?.name ?? run?.scheduleId}" is on air in the same time`);
    }
    if (!run) return;
    const schedule = schedules.find((s) => s.id === run.scheduleId)!;
    if ((this.holdUntil.get(run.scheduleId) ?? 0) > now) return;
    this.holdUntil.delete(run.scheduleId);
    const onAirNow = this.deps.shows.current;
    if (onAirNow && onAirNow.request.generatedCameras === undefined) {
      this.skip(run, 'a show started by the operator is on air', schedule.name);
      return;
    }
    const last = this.deps.store.schedules.lastExecutionInWindow(run.scheduleId, run.start);
    await this.startShow(schedule, run, last ? last.item % schedule.timeline_ids.length : 0, 'started');
  }

  /** Gets the next window ready a few minutes before it opens (see SchedulerDeps.prepare). */
  private prepareNext(next: readonly Run[], schedules: readonly Schedule[], now: number): void {
    const prepare = this.deps.prepare;
    if (!prepare) return;
    const ahead = this.deps.prepareAheadMs ?? 180_000;
    for (const run of next) {
      const key = `${run.scheduleId}@${run.start}`;
      if (run.start - now > ahead || this.prepared.has(key)) continue;
      this.prepared.add(key);
      const schedule = schedules.find((s) => s.id === run.scheduleId);
      if (!schedule) continue;
      try {
        prepare(schedule.timeline_ids);
      } catch (error) {
        this.log.warn(
          { schedule: run.scheduleId, err: messageOf(error) },
          'preparing the next window failed',
        );
      }
    }
  }

  /** Reports a window that cannot go on air (once per window), with an info alert. */
  private skip(run: Run, why: string, name?: string): void {
    const key = `${run.scheduleId}@${run.start}`;
    if (this.skipped.has(key)) return;
    this.skipped.add(key);
    const label = name ?? this.schedule(run.scheduleId)?.name ?? `schedule ${run.scheduleId}`;
    this.record({
      scheduleId: run.scheduleId,
      kind: 'skipped',
      windowStart: run.start,
      windowEnd: run.end,
      detail: why,
    });
    this.log.info({ schedule: run.scheduleId }, `scheduled show of "${label}" not started: ${why}`);
    this.deps.alerts?.raise({
      key: `schedule:${run.scheduleId}:skipped:${run.start}`,
      source: `schedule:${run.scheduleId}`,
      ...scheduleSkippedAlert({ schedule: label, why }),
    });
  }

  private async startShow(
    schedule: Schedule,
    run: Run,
    item: number,
    kind: 'started' | 'next_timeline',
  ): Promise<void> {
    const timelineId = schedule.timeline_ids[item]!;
    const base = { scheduleId: schedule.id, windowStart: run.start, windowEnd: run.end, timelineId };
    let report: { ok: boolean; checks: ReadonlyArray<{ label: string; status: string }> };
    try {
      // Unattended: a failed check (a camera offline) does not keep the show off air; the engine
      // covers for it (backup camera, slate) and the operator is told.
      ({ preflight: report } = await this.deps.shows.goLive({
        timelineId,
        destinationIds: schedule.destination_ids,
        force: true,
      }));
    } catch (error) {
      if (isAppError(error) && error.code === 'SHOW_ALREADY_LIVE') {
        this.skip(run, 'a show started by the operator is on air', schedule.name);
        return;
      }
      const why = messageOf(error);
      this.holdUntil.set(schedule.id, Math.min(run.end, this.now() + this.retryMs));
      this.record({ ...base, kind: 'failed', detail: why });
      this.log.error(
        { schedule: schedule.id, timelineId, err: why },
        `scheduled show of "${schedule.name}" failed to start`,
      );
      this.deps.alerts?.raise({
        key: `schedule:${schedule.id}:failed`,
        source: `schedule:${schedule.id}`,
        ...scheduleStartFailedAlert({ schedule: schedule.name, timelineId, why, retryMs: this.retryMs }),
      });
      return;
    }
    const show = this.deps.shows.current;
    if (!show) return; // ended at once: the next look decides again
    this.deps.store.schedules.tagExecution(show.executionId, {
      scheduleId: schedule.id,
      windowStart: run.start,
      item,
    });
    this.onAir = {
      scheduleId: schedule.id,
      name: schedule.name,
      windowStart: run.start,
      windowEnd: run.end,
      item,
      executionId: show.executionId,
    };
    this.deps.alerts?.clear(`schedule:${schedule.id}:failed`);
    const failed = report.checks.filter((check) => check.status === 'fail').map((check) => check.label);
    this.record({
      ...base,
      kind,
      executionId: show.executionId,
      detail:
        `timeline ${item + 1} of ${schedule.timeline_ids.length}` +
        (failed.length > 0 ? `; pre-flight failed: ${failed.join(', ')}` : ''),
    });
    this.log.info(
      {
        schedule: schedule.id,
        execution: show.executionId,
        timelineId,
        until: new Date(run.end).toISOString(),
      },
      `scheduled show of "${schedule.name}" on air`,
    );
    if (failed.length > 0)
      this.deps.alerts?.raise({
        key: `schedule:${schedule.id}:preflight`,
        source: `schedule:${schedule.id}`,
        ...schedulePreflightFailedAlert({ schedule: schedule.name, failedChecks: failed }),
      });
    this.watch(show);
  }

  private watch(show: NonNullable<SchedulerShows['current']>): void {
    void show.finished.then((outcome) => this.enqueue(() => this.ended(show.executionId, outcome.status)));
  }

  private async ended(executionId: number, status: 'completed' | 'stopped' | 'error'): Promise<void> {
    if (this.stopping.delete(executionId)) return;
    const mine = this.onAir;
    if (mine?.executionId !== executionId) return;
    this.onAir = null;
    const base = {
      scheduleId: mine.scheduleId,
      windowStart: mine.windowStart,
      windowEnd: mine.windowEnd,
      executionId,
    };
    if (status === 'stopped') {
      this.holdUntil.set(mine.scheduleId, mine.windowEnd);
      this.record({ ...base, kind: 'operator_stopped', detail: 'held until the window ends' });
      this.log.info(
        { schedule: mine.scheduleId },
        `the operator stopped the scheduled show of "${mine.name}"`,
      );
      return;
    }
    if (status === 'error') {
      this.holdUntil.set(mine.scheduleId, Math.min(mine.windowEnd, this.now() + this.retryMs));
      this.record({ ...base, kind: 'failed', detail: 'the show ended with an error; trying again' });
      return;
    }
    // The timeline ended: the next one in the list (from the first after the last), if the window is on.
    const schedule = this.schedule(mine.scheduleId);
    const run = schedule
      ? activeRun(toRule(schedule, this.position()), this.deps.timeZone(), this.now())
      : null;
    if (!schedule || !run || this.deps.shows.current) {
      this.record({ ...base, kind: 'completed', detail: 'the timeline ended' });
      return;
    }
    await this.startShow(schedule, run, (mine.item + 1) % schedule.timeline_ids.length, 'next_timeline');
  }

  private async stopShow(executionId: number): Promise<void> {
    if (this.deps.shows.current?.executionId !== executionId) {
      this.stopping.delete(executionId);
      return;
    }
    try {
      await this.deps.shows.stop();
    } catch (error) {
      if (!isAppError(error) || error.code !== 'SHOW_NOT_LIVE') throw error;
    }
  }

  /** Sleeps until the next window edge (at most maxSleepMs). */
  private arm(): void {
    this.timer?.cancel();
    const now = this.now();
    const zone = this.deps.timeZone();
    const edges: number[] = [now + this.maxSleepMs];
    if (this.onAir) edges.push(this.onAir.windowEnd);
    const schedules = this.deps.store.schedules.list();
    const position = this.position();
    const next = planSchedules(
      schedules.map((schedule) => toRule(schedule, position)),
      zone,
      now,
      1,
    ).next[0];
    if (next) edges.push(next.start);
    for (const until of this.holdUntil.values()) if (until > now) edges.push(until);
    const wake = Math.min(...edges);
    this.timer = this.clock.setTimeout(() => void this.enqueue(() => this.decide()), Math.max(0, wake - now));
  }
}
