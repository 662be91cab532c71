// The show runner's execution rows, against a real SQLite file: start, checkpoints, the three
// ways a run ends, bad input, and crash resume (same row, right position, counted) — with a fake
// engine and a fake clock, so no ffmpeg and no sleeping.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { resumeInterruptedShows } from '../../../src/app/crash-resume.ts';
import type { EngineFactory, EngineHooks, ShowEngine } from '../../../src/app/show-engine.ts';
import { ShowFailedError, ShowRunner } from '../../../src/app/show-runner.ts';
import type { Clock, TimerHandle } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/logger.ts';
import type { ShowPlan } from '../../../src/engine/index.ts';
import { isAppError } from '../../../src/errors/registry.ts';
import type { ExecutionOwner } from '../../../src/store/repositories/records.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const FPS = 30;
const log = createLogger('test');

/** A wall clock that can be stepped (NTP) while the monotonic clock runs on. */
class SteppableClock implements Clock {
  wallOffset = 0;
  constructor(readonly inner: FakeClock) {}
  now(): number {
    return this.inner.now();
  }
  wallNow(): number {
    return this.inner.wallNow() + this.wallOffset;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.inner.setTimeout(fn, ms);
  }
}

/** One process's view of the clock: after die(), none of its timers fire (SIGKILL). */
class ProcessClock implements Clock {
  private dead = false;
  constructor(private readonly inner: Clock) {}
  now(): number {
    return this.inner.now();
  }
  wallNow(): number {
    return this.inner.wallNow();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.inner.setTimeout(() => {
      if (!this.dead) fn();
    }, ms);
  }
  die(): void {
    this.dead = true;
  }
}

/** Plays frames in step with the (fake) monotonic clock, like the playout does. */
class FakeEngine implements ShowEngine {
  started = false;
  stopped = false;
  private startedAt = 0;
  private readonly startFrame: number;
  constructor(
    readonly plan: ShowPlan,
    readonly hooks: EngineHooks,
    private readonly clock: Clock,
  ) {
    this.startFrame = plan.startFrame ?? 0;
  }
  start(): void {
    this.started = true;
    this.startedAt = this.clock.now();
  }
  async stop(): Promise<void> {
    if (!this.stopped) this.ticksAtStop = this.ticks();
    this.stopped = true;
  }
  private ticksAtStop = 0;
  private ticks(): number {
    if (!this.started) return 0;
    if (this.stopped) return this.ticksAtStop;
    return Math.floor(((this.clock.now() - this.startedAt) * FPS) / 1000);
  }
  status() {
    const ticks = this.ticks();
    return {
      frame: this.startFrame + ticks,
      playout: { ticks, lateTicks: 1, maxLatenessMs: 12, substitutedFrames: 0 },
      encoder: { restarts: 0, framesDropped: 0 },
      outputs: this.plan.destinations.map((d) => ({ id: d.id, restarts: 1 })),
    };
  }
}

function fakeEngines(clock: Clock, made: FakeEngine[], fail?: string): EngineFactory {
  return async () => {
    if (fail === 'prepare') throw new Error('the encoder probe failed');
    return async (plan, hooks) => {
      if (fail) throw new Error(fail);
      const engine = new FakeEngine(plan, hooks, clock);
      made.push(engine);
      return engine;
    };
  };
}

function timelineDoc(loop: boolean, duration = 20) {
  return {
    timeline: {
      name: loop ? 'Looping show' : 'One-off show',
      duration,
      fps: FPS,
      resolution: '320x180',
      loop,
      tracks: {
        video: {
          track_id: 'v',
          type: 'video',
          cues: [
            {
              id: 'a',
              start_time: 0,
              duration: duration / 2,
              action: 'show_camera',
              params: { camera_id: 1 },
            },
            {
              id: 'b',
              start_time: duration / 2,
              duration: duration / 2,
              action: 'show_camera',
              params: { camera_id: 2 },
            },
          ],
        },
      },
    },
  };
}

const OWNER_A: ExecutionOwner = { pid: 4_000_001, startTicks: 11, bootId: 'boot-a' };
const OWNER_B: ExecutionOwner = { pid: 4_000_002, startTicks: 22, bootId: 'boot-a' };

describe('show runner: execution rows', () => {
  const dir = tempDir('vistter-runner-');
  let store: Store;
  let fake: FakeClock;
  let clock: SteppableClock;
  let engines: FakeEngine[];
  let n = 0;
  const ids = { loop: 0, once: 0, cam1: 0, cam2: 0, dest: 0, youtube: 0, disabled: 0 };

  let processClock: ProcessClock;
  /** The appliance process dies: nothing it scheduled runs any more. */
  const crash = () => processClock.die();
  const runner = (owner: ExecutionOwner, fail?: string) =>
    new ShowRunner({
      store,
      mediaRoot: dir.path,
      clock: (processClock = new ProcessClock(clock)),
      logger: log,
      owner,
      engines: fakeEngines(clock, engines, fail),
      checkpointMs: 2000,
    });

  beforeEach(() => {
    store?.close();
    n++;
    store = openStore({ dataDir: join(dir.path, `d${n}`), secretKey: randomBytes(32) });
    fake = new FakeClock(Date.UTC(2026, 4, 1, 12));
    clock = new SteppableClock(fake);
    engines = [];
    ids.loop = store.timelines.create(timelineDoc(true)).id;
    ids.once = store.timelines.create(timelineDoc(false)).id;
    ids.cam2 = store.cameras.create({ name: 'Fuel pier', stream_url: 'rtsp://10.0.0.6/s' }).id;
    ids.cam1 = store.cameras.create({
      name: 'Wharf',
      stream_url: 'rtsp://admin:hunter2@10.0.0.5/stream1',
      backup_camera_id: ids.cam2,
    }).id;
    ids.dest = store.destinations.create({
      name: 'Local nginx',
      platform: 'custom',
      server_url: 'rtmp://127.0.0.1:1935/live',
      stream_key: 'sekret-key-123',
    }).id;
    ids.youtube = store.destinations.create({
      name: 'YouTube',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
    }).id;
    ids.disabled = store.destinations.create({
      name: 'Off',
      platform: 'custom',
      server_url: 'rtmp://127.0.0.1/live',
      enabled: false,
    }).id;
  });
  after(() => {
    store?.close();
    dir.cleanup();
  });

  it('starts a row, gives the engine cameras with credentials and backups and keyed URLs, and keeps secrets out of the row', async () => {
    const show = await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest] });
    const engine = engines[0]!;
    assert.ok(engine.started);
    // Timeline camera ids 1 and 2 are the store's ids: the cameras were created cam2 first.
    assert.deepEqual(engine.plan.cameras.get(ids.cam1), {
      kind: 'url',
      name: 'Wharf',
      url: 'rtsp://admin:hunter2@10.0.0.5/stream1',
      backupCameraId: ids.cam2,
    });
    assert.deepEqual(engine.plan.destinations, [
      {
        id: `dest:${ids.dest}`,
        name: `Local nginx (destination ${ids.dest})`,
        platform: 'custom',
        url: 'rtmp://127.0.0.1:1935/live/sekret-key-123',
      },
    ]);
    assert.equal(engine.plan.startFrame, undefined, 'a new show starts at frame 0');

    const row = store.executions.get(show.executionId);
    assert.equal(row.status, 'running');
    assert.equal(row.timeline_id, ids.loop);
    assert.deepEqual(row.owner, OWNER_A);
    assert.equal(row.resume_count, 0);
    assert.equal(row.anchor_ms, clock.wallNow());
    assert.deepEqual(row.plan, { version: 1, timelineId: ids.loop, destinationIds: [ids.dest] });
    const raw = JSON.stringify(store.db.prepare('SELECT * FROM timeline_executions').all());
    assert.ok(!raw.includes('sekret') && !raw.includes('hunter2'), 'no secret in the row');
    await show.stop();
  });

  it('saves the position every 2 s and ends "stopped" with metrics on an operator stop', async () => {
    const show = await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest] });
    fake.advance(4100);
    let row = store.executions.get(show.executionId);
    assert.equal(row.checkpoint_frame, 120, 'checkpoint at 4.0 s');
    assert.equal(row.checkpoint_at, new Date(clock.wallNow() - 100).toISOString());
    assert.equal((row.metrics as { frames: number }).frames, 120, 'running totals are saved too');
    fake.advance(900);
    const outcome = await show.stop();
    assert.equal(outcome.status, 'stopped');
    row = store.executions.get(show.executionId);
    assert.equal(row.status, 'stopped');
    assert.ok(row.completed_at);
    assert.equal(row.error_message, null);
    assert.equal(row.checkpoint_frame, 150);
    assert.deepEqual(row.metrics, {
      frames: 150,
      lateTicks: 1,
      maxLatenessMs: 12,
      substitutedFrames: 0,
      droppedFrames: 0,
      encoderRestarts: 0,
      outputRestarts: { [`dest:${ids.dest}`]: 1 },
      onAirSeconds: 5,
      durationSeconds: 5,
      segments: 1,
    });
    assert.equal(engines[0]!.stopped, true);
    assert.equal(fake.pendingTimers(), 0, 'no checkpoint timer left');
    assert.equal((await show.stop()).status, 'stopped', 'a second stop changes nothing');
  });

  it('ends "completed" when a non-looping timeline ends', async () => {
    const show = await runner(OWNER_A).start({ timelineId: ids.once, previewDir: join(dir.path, 'p') });
    fake.advance(20_000);
    engines[0]!.hooks.onEnded();
    const outcome = await show.finished;
    assert.equal(outcome.status, 'completed');
    assert.equal(store.executions.get(show.executionId).status, 'completed');
    assert.equal(outcome.execution.metrics?.['frames'], 600);
  });

  it('rejects bad input naming the id or field, and writes no row', async () => {
    const r = runner(OWNER_A);
    const cases: Array<[Parameters<ShowRunner['start']>[0], string, RegExp, string?]> = [
      [{ timelineId: 999, destinationIds: [ids.dest] }, 'TIMELINE_NOT_FOUND', /timeline 999/],
      [
        { timelineId: ids.loop, destinationIds: [ids.dest, 77] },
        'DESTINATION_NOT_FOUND',
        /destination 77/,
        'destinationIds[1]',
      ],
      [
        { timelineId: ids.loop, destinationIds: [ids.disabled] },
        'VALIDATION_FAILED',
        /destination \d+ \("Off"\) is disabled/,
      ],
      [
        { timelineId: ids.loop, destinationIds: [ids.youtube] },
        'VALIDATION_FAILED',
        /YouTube.*stream key is required/,
        `destinations[${ids.youtube}].stream_key`,
      ],
      [
        { timelineId: ids.loop, destinationIds: [] },
        'VALIDATION_FAILED',
        /somewhere to go/,
        'destinationIds',
      ],
      [{ timelineId: -1 }, 'VALIDATION_FAILED', /not valid/, 'timelineId'],
    ];
    for (const [request, code, message, path] of cases) {
      await assert.rejects(r.start(request), (error: unknown) => {
        assert.ok(isAppError(error), String(error));
        assert.equal(error.code, code);
        assert.match(error.message, message);
        if (path)
          assert.ok(
            error.issues.some((i) => i.path === path),
            JSON.stringify(error.issues),
          );
        return true;
      });
    }
    assert.equal(store.executions.list().length, 0);
  });

  it('ends "error" with the message when the show cannot run', async () => {
    await assert.rejects(
      runner(OWNER_A, 'ffmpeg is not installed').start({ timelineId: ids.loop, destinationIds: [ids.dest] }),
      ShowFailedError,
    );
    const [row] = store.executions.list();
    assert.equal(row?.status, 'error');
    assert.match(row?.error_message ?? '', /could not run: ffmpeg is not installed/);
  });

  it('resumes a show whose process died: the same row, at the wall-clock position, counted', async () => {
    const first = await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest] });
    const anchor = store.executions.get(first.executionId).anchor_ms!;
    fake.advance(7000); // checkpoints at 2, 4, 6 s
    // The process dies here (nothing more is written). The appliance is back 13.5 s later.
    crash();
    engines.length = 0;
    fake.advance(13_500);
    const boot = await resumeInterruptedShows(store, runner(OWNER_B), { logger: log, isAlive: () => false });
    assert.equal(boot.results.length, 1);
    const show = boot.resumed;
    assert.ok(show);
    assert.equal(show.executionId, first.executionId);
    // 20.5 s after the start: frame 615 of a 600-frame loop.
    assert.equal(show.startFrame, 615);
    assert.equal(engines[0]!.plan.startFrame, 615);
    assert.equal(show.startFrame, Math.floor(((clock.wallNow() - anchor) * FPS) / 1000));
    assert.deepEqual(
      engines[0]!.plan.destinations.map((d) => d.url),
      ['rtmp://127.0.0.1:1935/live/sekret-key-123'],
    );

    let row = store.executions.get(first.executionId);
    assert.equal(row.status, 'running');
    assert.equal(row.resume_count, 1);
    assert.equal(row.resume_frame, 615);
    assert.deepEqual(row.owner, OWNER_B);
    assert.equal(row.anchor_ms, anchor, 'the schedule is kept');
    assert.equal(store.executions.list().length, 1, 'no new row');

    fake.advance(3000);
    await show.stop();
    row = store.executions.get(first.executionId);
    assert.equal(row.status, 'stopped');
    assert.equal(row.resume_count, 1);
    const metrics = row.metrics as Record<string, unknown>;
    assert.equal(
      metrics['frames'],
      180 + 90,
      'frames up to the last checkpoint before the crash, plus the resumed run',
    );
    assert.equal(metrics['segments'], 2);
    assert.deepEqual(metrics['outputRestarts'], { [`dest:${ids.dest}`]: 2 });
    assert.equal(metrics['durationSeconds'], 23.5);
  });

  it('a resumed run records to a new file beside the first', async () => {
    const record = join(dir.path, 'rec', 'show.mp4');
    await runner(OWNER_A).start({ timelineId: ids.loop, recordPath: record });
    fake.advance(3000);
    crash();
    const boot = await resumeInterruptedShows(store, runner(OWNER_B), { logger: log, isAlive: () => false });
    assert.equal(engines[0]!.plan.recordPath, record);
    assert.equal(engines[1]!.plan.recordPath, join(dir.path, 'rec', 'show-resume1.mp4'));
    await boot.resumed?.stop();
  });

  it('marks a non-looping show whose end passed while down "completed" with a note', async () => {
    const first = await runner(OWNER_A).start({ timelineId: ids.once, destinationIds: [ids.dest] });
    fake.advance(5000);
    crash();
    fake.advance(60_000); // down for a minute: the 20 s show ended meanwhile
    // Even an engine that could not be prepared does not matter for a show that is over.
    const boot = await resumeInterruptedShows(store, runner(OWNER_B, 'prepare'), {
      logger: log,
      isAlive: () => false,
    });
    assert.equal(boot.resumed, null);
    assert.equal(boot.results[0]?.outcome, 'completed');
    const row = store.executions.get(first.executionId);
    assert.equal(row.status, 'completed');
    assert.match(row.note ?? '', /ended \(2026-05-01T12:00:20\.000Z\) while the appliance was down/);
    assert.equal(row.resume_count, 0);
    assert.equal((row.metrics as { frames: number }).frames, 120, 'the last saved totals are kept');
    assert.equal(engines.length, 1, 'no engine was started for it');
  });

  it('leaves a row alone while its owner process is alive', async () => {
    const first = await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest] });
    const boot = await resumeInterruptedShows(store, runner(OWNER_B), {
      logger: log,
      isAlive: (owner) => owner.pid === OWNER_A.pid,
    });
    assert.equal(boot.resumed, null);
    assert.deepEqual(
      boot.liveElsewhere.map((e) => e.id),
      [first.executionId],
    );
    assert.deepEqual(store.executions.get(first.executionId).owner, OWNER_A);
    await first.stop();
  });

  it('resumes nothing while another process has a show on air', async () => {
    const dead = await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest] });
    crash();
    const live = await runner(OWNER_B).start({ timelineId: ids.once, destinationIds: [ids.dest] });
    const boot = await resumeInterruptedShows(store, runner({ ...OWNER_B, pid: 4_000_003 }), {
      logger: log,
      isAlive: (owner) => owner.pid === OWNER_B.pid,
    });
    assert.equal(boot.resumed, null);
    const row = store.executions.get(dead.executionId);
    assert.equal(row.status, 'error');
    assert.match(
      row.error_message ?? '',
      new RegExp(`execution ${live.executionId} is on air in another process`),
    );
    assert.equal(store.executions.get(live.executionId).status, 'running');
    await live.stop();
  });

  it('resumes only the newest interrupted show; older ones end "error"', async () => {
    const older = await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest] });
    const newer = await runner(OWNER_A).start({ timelineId: ids.once, destinationIds: [ids.dest] });
    fake.advance(1000);
    crash();
    const boot = await resumeInterruptedShows(store, runner(OWNER_B), { logger: log, isAlive: () => false });
    assert.equal(boot.resumed?.executionId, newer.executionId);
    const row = store.executions.get(older.executionId);
    assert.equal(row.status, 'error');
    assert.match(
      row.error_message ?? '',
      new RegExp(`resumed the newer show \\(execution ${newer.executionId}\\)`),
    );
    await boot.resumed?.stop();
  });

  it('ends "error" when the engine cannot be prepared for a resume', async () => {
    const first = await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest] });
    crash();
    const boot = await resumeInterruptedShows(store, runner(OWNER_B, 'prepare'), {
      logger: log,
      isAlive: () => false,
    });
    assert.equal(boot.resumed, null);
    const row = store.executions.get(first.executionId);
    assert.equal(row.status, 'error');
    assert.match(
      row.error_message ?? '',
      /not resumed: the engine could not be prepared: the encoder probe failed/,
    );
  });

  it('ends "error" when an interrupted show can no longer run (its timeline was deleted)', async () => {
    const first = await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest] });
    crash();
    store.timelines.delete(ids.loop);
    const boot = await resumeInterruptedShows(store, runner(OWNER_B), { logger: log, isAlive: () => false });
    assert.equal(boot.resumed, null);
    const row = store.executions.get(first.executionId);
    assert.equal(row.status, 'error');
    assert.match(row.error_message ?? '', /interrupted and not resumed: timeline \d+ was deleted/);
  });

  it('leaves out a destination deleted while the appliance was down, and says so', async () => {
    const spare = store.destinations.create({
      name: 'Spare',
      platform: 'custom',
      server_url: 'rtmp://127.0.0.1/spare',
    }).id;
    await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest, spare] });
    crash();
    store.destinations.delete(spare);
    const boot = await resumeInterruptedShows(store, runner(OWNER_B), { logger: log, isAlive: () => false });
    assert.ok(boot.resumed);
    assert.deepEqual(
      engines[1]!.plan.destinations.map((d) => d.id),
      [`dest:${ids.dest}`],
    );
    assert.ok(boot.resumed.warnings.some((w) => w.includes(`there is no destination ${spare}`)));
    await boot.resumed.stop();
  });

  it('re-anchors when the wall clock steps, so a later resume lands where the show really is', async () => {
    const show = await runner(OWNER_A).start({ timelineId: ids.loop, destinationIds: [ids.dest] });
    fake.advance(3000);
    clock.wallOffset = 3_600_000; // NTP corrects the clock by an hour mid-show
    fake.advance(2000); // next checkpoint at 4 s sees the step
    const row = store.executions.get(show.executionId);
    assert.equal(row.checkpoint_frame, 120);
    const expectedAnchor = clock.wallNow() - 1000 - (120 * 1000) / FPS;
    assert.ok(Math.abs(row.anchor_ms! - expectedAnchor) < 1, `anchor ${row.anchor_ms} vs ${expectedAnchor}`);
    fake.advance(1000);
    crash();
    const boot = await resumeInterruptedShows(store, runner(OWNER_B), { logger: log, isAlive: () => false });
    assert.equal(boot.resumed?.startFrame, 180, '6 s into the show, not an hour');
    await boot.resumed?.stop();
  });

  it('a database file stays intact and migrated (integrity check)', () => {
    const path = store.path;
    store.close();
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.ok((db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]).includes(3));
    db.close();
    store = openStore({ dataDir: join(dir.path, `d${n}`), secretKey: randomBytes(32) });
  });
});
