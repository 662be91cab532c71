// The scheduler with a fake clock, the real show control and show runner (a fake engine: no
// ffmpeg), on a real SQLite file: it starts a show at its window's start and stops it at the end,
// plays a list of timelines in order, starts a window that is on at boot (also after a restart in
// its middle), never interrupts nor stops the operator's show, holds a schedule the operator
// stopped, and follows the local wall clock across a daylight-saving change; windows that follow the
// sun start and end at the computed sunrise and sunset, and skip a polar night.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryAlertSink } from '../../../src/alerts/index.ts';
import { ShowControl } from '../../../src/app/show-control.ts';
import type { EngineFactory, ShowEngine } from '../../../src/app/show-engine.ts';
import { ShowRunner } from '../../../src/app/show-runner.ts';
import { createLogger } from '../../../src/core/logger.ts';
import type { ShowPlan } from '../../../src/engine/index.ts';
import { Scheduler } from '../../../src/scheduler/service.ts';
import { sunEventOn } from '../../../src/scheduler/sun.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';
import { oneCameraShow } from '../../helpers/timelines.ts';

const FPS = 30;
const log = createLogger('test');
const OWNER = { pid: 4_100_001, startTicks: 1, bootId: 'boot-test' };

/** Plays in step with the fake clock; a non-looping timeline ends by itself at its duration. */
class FakeEngine implements ShowEngine {
  private startedAt = 0;
  private timer: { cancel(): void } | null = null;
  constructor(
    private readonly plan: ShowPlan,
    private readonly onEnded: () => void,
    private readonly clock: FakeClock,
  ) {}
  start(): void {
    this.startedAt = this.clock.now();
    if (!this.plan.timeline.loop)
      this.timer = this.clock.setTimeout(() => this.onEnded(), this.plan.timeline.duration * 1000);
  }
  async stop(): Promise<void> {
    this.timer?.cancel();
  }
  status() {
    const ticks = Math.floor(((this.clock.now() - this.startedAt) * FPS) / 1000);
    return {
      frame: ticks,
      playout: { ticks, lateTicks: 0, maxLatenessMs: 0, substitutedFrames: 0 },
      encoder: { restarts: 0, framesDropped: 0 },
      outputs: [],
    };
  }
}

/** One appliance process: show control, runner and scheduler over the shared store and clock. */
function appliance(
  store: Store,
  clock: FakeClock,
  dataDir: string,
  zone: string,
  prepare?: (timelineIds: readonly number[]) => void,
) {
  const engines: EngineFactory = async () => async (plan, hooks) =>
    new FakeEngine(plan, hooks.onEnded, clock);
  const runner = new ShowRunner({ store, mediaRoot: dataDir, clock, logger: log, owner: OWNER, engines });
  const shows = new ShowControl({
    store,
    runner,
    dataDir,
    clock,
    logger: log,
    preflight: async () => ({ ok: true, checks: [] }),
  });
  const alerts = new MemoryAlertSink();
  const scheduler = new Scheduler({
    store,
    shows,
    clock,
    alerts,
    logger: log,
    timeZone: () => zone,
    ...(prepare ? { prepare } : {}),
  });
  return { runner, shows, alerts, scheduler };
}

/** Lets the queued async work (GO LIVE, a show's end) run. */
async function settle(scheduler: Scheduler): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await scheduler.idle();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('scheduler service', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let clock: FakeClock;
  let running: Array<ReturnType<typeof appliance>> = [];
  const ids = { loop: 0, a: 0, b: 0 };

  const boot = async (zone = 'Europe/London', prepare?: (timelineIds: readonly number[]) => void) => {
    const app = appliance(store, clock, dir.path, zone, prepare);
    running.push(app);
    await app.scheduler.start();
    await settle(app.scheduler);
    return app;
  };
  const advance = async (app: ReturnType<typeof appliance>, ms: number, step = 1000) => {
    // In steps, so each async decision runs before the next timer is due.
    for (let left = ms; left > 0; left -= step) {
      clock.advance(Math.min(step, left));
      await settle(app.scheduler);
    }
  };
  const events = (scheduleId: number) =>
    store.schedules
      .events({ scheduleId })
      .reverse()
      .map((e) => e.kind);
  const executions = () =>
    store.db
      .prepare(
        'SELECT id, timeline_id, status, started_at, schedule_id, schedule_window, schedule_item FROM timeline_executions ORDER BY id',
      )
      .all() as Array<{
      id: number;
      timeline_id: number;
      status: string;
      started_at: string;
      schedule_id: number | null;
      schedule_window: string | null;
      schedule_item: number | null;
    }>;
  const schedule = (fields: Record<string, unknown> = {}) =>
    store.schedules.create({
      name: 'Harbour mornings',
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start_time: '10:00',
      end_time: '10:10',
      timeline_ids: [ids.loop],
      ...fields,
    });

  beforeEach(() => {
    dir = tempDir('vistter-scheduler-');
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
    // Monday 2026-01-12, 09:59 in London (GMT = UTC).
    clock = new FakeClock(Date.parse('2026-01-12T09:59:00Z'));
    running = [];
    ids.loop = store.timelines.create(oneCameraShow('Looping harbour', { loop: true, duration: 60 })).id;
    ids.a = store.timelines.create(oneCameraShow('Part A', { loop: false, duration: 20 })).id;
    ids.b = store.timelines.create(oneCameraShow('Part B', { loop: false, duration: 30 })).id;
  });

  afterEach(async () => {
    for (const app of running) {
      app.scheduler.close();
      await app.shows.shutdown();
    }
    store.close();
    dir.cleanup();
  });

  it('starts the show at the window start and stops it at the end', async () => {
    const { id } = schedule();
    const app = await boot();
    assert.equal(app.shows.current, null, 'nothing before 10:00');
    await advance(app, 59_000);
    assert.equal(app.shows.current, null, 'still nothing at 09:59:59');
    await advance(app, 1000);
    const show = app.shows.current;
    assert.ok(show, 'on air at 10:00');
    assert.equal(app.scheduler.onAirScheduleId(), id);
    const [row] = executions();
    assert.equal(row!.started_at, '2026-01-12T10:00:00.000Z');
    assert.equal(row!.schedule_id, id);
    assert.equal(row!.schedule_window, '2026-01-12T10:00:00.000Z');
    assert.equal(row!.status, 'running');

    await advance(app, 10 * 60_000 - 1000);
    assert.ok(app.shows.current, 'still on at 10:09:59');
    await advance(app, 1000);
    assert.equal(app.shows.current, null, 'stopped at 10:10');
    assert.equal(executions()[0]!.status, 'stopped');
    assert.deepEqual(events(id), ['started', 'stopped']);
    assert.match(store.schedules.events({ scheduleId: id })[0]!.detail ?? '', /window ended/);
  });

  it('plays the timelines in order and loops the list within the window', async () => {
    const { id } = schedule({ timeline_ids: [ids.a, ids.b] });
    const app = await boot();
    await advance(app, 60_000); // 10:00: A (20 s)
    await advance(app, 20_000); // 10:00:20: B (30 s)
    await advance(app, 30_000); // 10:00:50: A again
    const rows = executions();
    assert.deepEqual(
      rows.map((r) => [r.timeline_id, r.status, r.schedule_item]),
      [
        [ids.a, 'completed', 0],
        [ids.b, 'completed', 1],
        [ids.a, 'running', 0],
      ],
    );
    assert.deepEqual(events(id), ['started', 'next_timeline', 'next_timeline']);
    assert.ok(rows.every((r) => r.schedule_id === id));
  });

  it('a restart in the middle of a window starts the show at once, with the timeline that played', async () => {
    const { id } = schedule({ timeline_ids: [ids.a, ids.b] });
    const first = await boot();
    await advance(first, 80_000); // A, then B on air since 10:00:20
    assert.equal(first.shows.current?.request.timelineId, ids.b);
    // The appliance is restarted (a clean stop: the row ends "stopped").
    first.scheduler.close();
    await first.shows.shutdown();
    await advance(first, 60_000);

    const second = await boot();
    const show = second.shows.current;
    assert.ok(show, 'on air again at boot');
    assert.equal(show.request.timelineId, ids.b, 'continues with the timeline that was on air');
    assert.equal(second.scheduler.onAirScheduleId(), id);
    const last = executions().at(-1)!;
    assert.equal(last.schedule_item, 1);
    assert.equal(last.schedule_window, '2026-01-12T10:00:00.000Z');
    await advance(second, 10 * 60_000);
    assert.equal(second.shows.current, null, 'and stops at the window end');
  });

  it('takes back a scheduled show that crash recovery resumed, or stops it if its window ended', async () => {
    const { id } = schedule();
    const first = await boot();
    await advance(first, 60_000);
    const executionId = first.shows.current!.executionId;
    first.scheduler.close(); // the process "dies" with the show running (its row stays running)

    // Crash resume puts the same row back on air; the scheduler recognises it as its own.
    const second = appliance(store, clock, dir.path, 'Europe/London');
    running.push(second);
    const resumed = await second.runner.resume(store.executions.get(executionId));
    assert.equal(resumed.kind, 'resumed');
    if (resumed.kind === 'resumed') second.shows.adopt(resumed.show, { demo: false });
    await second.scheduler.start();
    await settle(second.scheduler);
    assert.equal(second.scheduler.onAirScheduleId(), id);
    assert.equal(second.shows.current?.executionId, executionId, 'the same execution, not a new one');
    assert.deepEqual(events(id), ['started', 'resumed']);

    // Down past the window's end: the resumed show is stopped at once.
    second.scheduler.close();
    const third = appliance(store, clock, dir.path, 'Europe/London');
    running.push(third);
    clock.advance(15 * 60_000);
    const again = await third.runner.resume(store.executions.get(executionId));
    if (again.kind === 'resumed') third.shows.adopt(again.show, { demo: false });
    await third.scheduler.start();
    await settle(third.scheduler);
    assert.equal(third.shows.current, null);
    assert.equal(store.executions.get(executionId).status, 'stopped');
    assert.equal(events(id).at(-1), 'stopped');
  });

  it("never interrupts the operator's show: skips with an info alert, starts when the air is free", async () => {
    const { id } = schedule();
    const app = await boot();
    await app.shows.goLive({ timelineId: ids.loop, destinationIds: [] });
    const manual = app.shows.current!.executionId;
    await advance(app, 60_000); // 10:00
    assert.equal(app.shows.current?.executionId, manual, 'the manual show stays on air');
    assert.deepEqual(events(id), ['skipped']);
    const alert = app.alerts.calls.find((c) => c.op === 'raise');
    assert.equal(alert?.op === 'raise' && alert.alert.severity, 'info');
    assert.equal(alert?.op === 'raise' && alert.alert.code, 'SCHEDULE_SKIPPED');
    await advance(app, 60_000);
    assert.deepEqual(events(id), ['skipped'], 'reported once per window');

    await app.shows.stop(); // the operator ends it at 10:01
    await settle(app.scheduler);
    await advance(app, 30_000);
    const show = app.shows.current;
    assert.ok(show && show.executionId !== manual, 'the scheduled show starts in the rest of its window');
    assert.equal(executions().find((r) => r.id === manual)!.schedule_id, null);
    assert.equal(executions().find((r) => r.id === manual)!.status, 'stopped');
  });

  it("does not stop the operator's show at the window end", async () => {
    const { id } = schedule({ start_time: '09:00', end_time: '10:00' });
    const app = await boot();
    // The scheduled show is on (09:00–10:00); the operator replaces nothing: stop it and go live.
    await app.shows.stop();
    await settle(app.scheduler);
    await app.shows.goLive({ timelineId: ids.loop, destinationIds: [] });
    const manual = app.shows.current!.executionId;
    await advance(app, 2 * 60_000);
    assert.equal(app.shows.current?.executionId, manual, 'still on after 10:00');
    assert.deepEqual(events(id), ['started', 'operator_stopped']);
  });

  it('the operator stopping a scheduled show holds the schedule until its window ends, also over a restart', async () => {
    const { id } = schedule();
    const app = await boot();
    await advance(app, 60_000);
    assert.ok(app.shows.current);
    await app.shows.stop();
    await settle(app.scheduler);
    await advance(app, 60_000);
    assert.equal(app.shows.current, null, 'not started again');
    app.scheduler.close();
    const restarted = await boot();
    await advance(restarted, 60_000);
    assert.equal(restarted.shows.current, null, 'not after a restart either');
    assert.deepEqual(events(id), ['started', 'operator_stopped']);
    // The next day's window runs as usual.
    await advance(restarted, 24 * 3_600_000 - 2 * 60_000, 60_000);
    assert.ok(restarted.shows.current, 'on air the next day');
    assert.equal(events(id).at(-1), 'started');
  });

  it('disabling or deleting the schedule stops its show', async () => {
    const { id } = schedule();
    const app = await boot();
    await advance(app, 60_000);
    const current = store.schedules.get(id);
    store.schedules.replace(id, {
      name: current.name,
      enabled: false,
      days: current.days,
      start_time: current.start_time,
      end_time: current.end_time,
      timeline_ids: current.timeline_ids,
      destination_ids: [],
    });
    await app.scheduler.reload();
    await settle(app.scheduler);
    assert.equal(app.shows.current, null);
    assert.match(store.schedules.events({ scheduleId: id })[0]!.detail ?? '', /disabled/);
  });

  it('a failed start is recorded, alerted and tried again', async () => {
    const { id } = schedule({ destination_ids: [999] });
    const app = await boot();
    await advance(app, 60_000);
    assert.equal(app.shows.current, null);
    assert.deepEqual(events(id), ['failed']);
    assert.ok(app.alerts.isOpen(`schedule:${id}:failed`));
    await advance(app, 60_000);
    assert.deepEqual(events(id), ['failed', 'failed'], 'tried again a minute later');
  });

  it('spring forward (London): a 01:30 start begins at the jump, 02:00 BST, and ends at 03:00 BST', async () => {
    // Sunday 2026-03-29: 01:00 GMT → 02:00 BST at 01:00Z.
    clock = new FakeClock(Date.parse('2026-03-29T00:50:00Z'));
    const { id } = schedule({ start_time: '01:30', end_time: '03:00', days: ['sun'] });
    const app = await boot();
    await advance(app, 9 * 60_000);
    assert.equal(app.shows.current, null, 'nothing at 00:59 GMT');
    await advance(app, 60_000);
    assert.ok(app.shows.current, 'on air at the jump');
    assert.equal(executions()[0]!.started_at, '2026-03-29T01:00:00.000Z');
    await advance(app, 60 * 60_000);
    assert.equal(app.shows.current, null, 'off at 03:00 BST (02:00Z)');
    assert.deepEqual(events(id), ['started', 'stopped']);
    const [stopped] = store.schedules.events({ scheduleId: id });
    assert.equal(stopped!.window_end, '2026-03-29T02:00:00.000Z');
  });

  it('fall back (New York): a window in the repeated hour runs once', async () => {
    // Sunday 2026-11-01: 02:00 EDT → 01:00 EST at 06:00Z; 01:15–01:45 is taken at its first pass.
    clock = new FakeClock(Date.parse('2026-11-01T05:10:00Z'));
    const { id } = schedule({ start_time: '01:15', end_time: '01:45', days: ['sun'] });
    const app = await boot('America/New_York');
    await advance(app, 5 * 60_000);
    assert.ok(app.shows.current, 'on at 01:15 EDT');
    await advance(app, 30 * 60_000);
    assert.equal(app.shows.current, null, 'off at 01:45 EDT');
    await advance(app, 60 * 60_000); // through 01:15–01:45 EST
    assert.equal(app.shows.current, null, 'not again in the repeated hour');
    assert.deepEqual(events(id), ['started', 'stopped']);
  });
  it('gets a window ready a few minutes ahead: its timelines are measured before it opens', async () => {
    const prepared: { at: string; ids: readonly number[] }[] = [];
    clock = new FakeClock(Date.parse('2026-01-12T09:50:00Z'));
    const app = await boot('Europe/London', (timelineIds) =>
      prepared.push({ at: new Date(clock.wallNow()).toISOString(), ids: timelineIds }),
    );
    schedule({ timeline_ids: [ids.a, ids.b] });
    await advance(app, 6 * 60_000, 10_000); // 09:56
    assert.equal(prepared.length, 0, 'not yet: more than 3 minutes ahead');
    await advance(app, 60_000, 10_000); // 09:57
    assert.equal(prepared.length, 1);
    assert.deepEqual(prepared[0]!.ids, [ids.a, ids.b]);
    assert.ok(
      prepared[0]!.at >= '2026-01-12T09:56:30' && prepared[0]!.at <= '2026-01-12T09:57:00Z',
      prepared[0]!.at,
    );
    await advance(app, 2 * 60_000, 10_000);
    assert.equal(prepared.length, 1, 'once per window');
  });

  describe('windows that follow the sun', () => {
    const GREENWICH = { latitude: 51.4769, longitude: -0.0005, place_name: 'Greenwich' };
    const TROMSO = { latitude: 69.6492, longitude: 18.9553, place_name: 'Tromsø' };
    const near = (actualIso: string, expected: number, what: string) =>
      assert.ok(
        Math.abs(Date.parse(actualIso) - expected) <= 1000,
        `${what}: ${actualIso} vs ${new Date(expected).toISOString()}`,
      );

    it('a sunrise+15 window at Greenwich on 2026-06-21 starts at the computed minute (about 04:58 BST)', async () => {
      store.settings.set('appliance.position', GREENWICH);
      const expected = sunEventOn({ year: 2026, month: 6, day: 21 }, GREENWICH, 'sunrise')! + 15 * 60_000;
      // Almanac sunrise 04:43 BST (03:43Z): the window opens about 03:58Z.
      assert.ok(Math.abs(expected - Date.parse('2026-06-21T03:58:00Z')) <= 2 * 60_000);
      clock = new FakeClock(Date.parse('2026-06-21T03:40:00Z'));
      const { id } = schedule({ start_time: { sun: 'sunrise', offset_minutes: 15 }, end_time: '09:00' });
      const app = await boot();
      const lead = expected - clock.wallNow() - 5000;
      await advance(app, lead, 60_000);
      assert.equal(app.shows.current, null, 'not yet 5 s before');
      await advance(app, 10_000);
      assert.ok(app.shows.current, 'on air at sunrise + 15 min');
      near(executions()[0]!.started_at, expected, 'started');
      near(executions()[0]!.schedule_window!, expected, 'window start');
      assert.deepEqual(events(id), ['started']);
    });

    it('a window ending at sunset stops at the computed sunset', async () => {
      store.settings.set('appliance.position', GREENWICH);
      const sunset = sunEventOn({ year: 2026, month: 6, day: 21 }, GREENWICH, 'sunset')!;
      clock = new FakeClock(Date.parse('2026-06-21T20:00:00Z'));
      const { id } = schedule({ start_time: '12:00', end_time: { sun: 'sunset', offset_minutes: 0 } });
      const app = await boot();
      assert.ok(app.shows.current, 'on at boot: the window opened at noon');
      await advance(app, sunset - clock.wallNow() - 5000, 60_000);
      assert.ok(app.shows.current, 'still on 5 s before sunset');
      await advance(app, 10_000);
      assert.equal(app.shows.current, null, 'off at sunset');
      assert.deepEqual(events(id), ['started', 'stopped']);
      const [stopped] = store.schedules.events({ scheduleId: id });
      near(stopped!.window_end, sunset, 'window end');
    });

    it('a sunrise window does not run on a day without sunrise (Tromsø in the polar night)', async () => {
      store.settings.set('appliance.position', TROMSO);
      clock = new FakeClock(Date.parse('2026-12-20T23:00:00Z'));
      const { id } = schedule({
        start_time: { sun: 'sunrise', offset_minutes: 0 },
        end_time: { sun: 'sunset', offset_minutes: 0 },
      });
      const app = await boot('Europe/Oslo');
      await advance(app, 24 * 3600_000, 600_000);
      assert.equal(app.shows.current, null);
      assert.deepEqual(events(id), [], 'nothing started, nothing failed');
    });
  });
});
