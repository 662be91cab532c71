// The show runner starts every show where this machine's capacity check says it fits: GO LIVE
// (a fresh start) and a crash resume both put `degrade.startLevel` in the engine's plan, while the
// operator's settings stay the ceiling (the plan's timeline and encoder options are unchanged).
// A real SQLite file, the real capacity service with a stored result, a stand-in engine.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import {
  CAPACITY_SETTING,
  CapacityService,
  ceilingKey,
  ceilingOf,
  ladderOf,
} from '../../../src/app/capacity.ts';
import { resumeInterruptedShows } from '../../../src/app/crash-resume.ts';
import type { EngineFactory, ShowEngine } from '../../../src/app/show-engine.ts';
import { ShowRunner } from '../../../src/app/show-runner.ts';
import { createLogger } from '../../../src/core/logger.ts';
import type { ShowPlan } from '../../../src/engine/index.ts';
import { describeLevel } from '../../../src/engine/quality/ladder.ts';
import type { ExecutionOwner } from '../../../src/store/repositories/records.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import type { Timeline } from '../../../src/timeline/schema.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { IdleShowEngine } from '../../helpers/playout-fakes.ts';
import { tempDir } from '../../helpers/temp.ts';

const log = createLogger('test');
const OWNER_A: ExecutionOwner = { pid: 4_200_001, startTicks: 1, bootId: 'boot-c' };
const OWNER_B: ExecutionOwner = { pid: 4_200_002, startTicks: 2, bootId: 'boot-c' };

function timelineDoc() {
  return {
    timeline: {
      name: 'Harbour 1080p',
      duration: 60,
      fps: 30,
      resolution: '1920x1080',
      loop: true,
      tracks: {
        video: {
          track_id: 'v',
          type: 'video',
          cues: [{ id: 'a', start_time: 0, duration: 60, action: 'show_camera', params: { camera_id: 1 } }],
        },
        overlays: [],
      },
    },
  };
}

describe('show runner: the start level from this machine’s capacity', () => {
  const dir = tempDir('vistter-runner-capacity-');
  let store: Store;
  let clock: FakeClock;
  let plans: ShowPlan[];
  let n = 0;
  let timelineId = 0;
  let timeline: Timeline;
  const engines: EngineFactory = async () => async (plan) => {
    plans.push(plan);
    return new IdleShowEngine() as ShowEngine;
  };
  const capacity = () =>
    new CapacityService({
      settings: store.settings,
      detectEncoder: async () => ({ encoder: 'libx264', tried: [] }),
      clock,
      logger: log,
      runCheck: async () => {
        throw new Error('the runner never measures');
      },
    });
  const runner = (owner: ExecutionOwner, withCapacity = true) =>
    new ShowRunner({
      store,
      mediaRoot: dir.path,
      clock,
      logger: log,
      owner,
      engines,
      ...(withCapacity ? { startLevel: (show) => capacity().startLevelForShow(show) } : {}),
    });

  /** Stores what a pre-flight measurement found: `index` is where this machine fits. */
  function storeMeasured(index: number): void {
    const ceiling = ceilingOf({ timeline }, 'libx264');
    const ladder = ladderOf(ceiling);
    const key = ceilingKey(ceiling);
    store.settings.set(CAPACITY_SETTING, {
      [key]: {
        key,
        measuredAt: new Date(clock.wallNow()).toISOString(),
        chosen: ladder[index],
        description: describeLevel(ladder[index]!),
        summary: 'Starting at …',
        tried: [
          {
            index: 0,
            description: describeLevel(ladder[0]!),
            accepted: false,
            reason: '…: too much',
            neededCores: 1.6,
            gotCores: 0.84,
          },
          {
            index,
            description: describeLevel(ladder[index]!),
            accepted: true,
            reason: '…: it fits',
            neededCores: 0.7,
            gotCores: 0.84,
          },
        ],
        decoder: { coresAtCeiling: 0.22, measured: true },
        freeCores: 1.2,
        durationMs: 15_000,
      },
    });
  }

  beforeEach(() => {
    store?.close();
    n++;
    store = openStore({ dataDir: join(dir.path, `d${n}`), secretKey: randomBytes(32) });
    clock = new FakeClock(Date.UTC(2026, 11, 8, 9));
    plans = [];
    timelineId = store.timelines.create(timelineDoc()).id;
    timeline = store.timelines.export(timelineId).timeline;
    store.cameras.create({ name: 'Dock', stream_url: 'rtsp://10.0.0.1/s1' });
  });
  after(() => {
    store?.close();
    dir.cleanup();
  });

  it('GO LIVE starts at the measured level; the ceiling stays the operator’s settings', async () => {
    storeMeasured(2);
    const show = await runner(OWNER_A).start({ timelineId, previewDir: join(dir.path, 'preview') });
    assert.deepEqual(plans[0]!.degrade, { startLevel: 2 });
    assert.equal(plans[0]!.timeline.resolution, '1920x1080', 'the ceiling is unchanged');
    assert.equal(plans[0]!.encoder, undefined, 'the profile’s preset stays the ceiling’s');
    assert.equal(show.startQuality?.level, 2);
    assert.equal(show.startQuality?.description, 'superfast, 30 fps, 1920×1080');
    assert.equal(
      show.startQuality?.reason,
      "this machine's capacity check (just now) found your settings too much for it (they need 1.60 cores to keep ahead of real time and got 0.84 here)",
    );
    await show.stop();
  });

  it('a crash resume starts at the measured level too', async () => {
    const first = await runner(OWNER_A).start({ timelineId, previewDir: join(dir.path, 'preview') });
    assert.equal(plans[0]!.degrade, undefined, 'nothing measured yet: at the ceiling');
    // The process dies; meanwhile a measurement was stored (a pre-flight of the same show).
    storeMeasured(3);
    clock.advance(5000);
    const boot = await resumeInterruptedShows(store, runner(OWNER_B), { logger: log, isAlive: () => false });
    assert.equal(boot.resumed?.executionId, first.executionId);
    assert.deepEqual(plans[1]!.degrade, { startLevel: 3 });
    assert.ok((plans[1]!.startFrame ?? 0) > 0, 'resumed mid-show');
    await boot.resumed?.stop();
  });

  it('without the service, or when it cannot tell, the show starts at the operator’s settings', async () => {
    storeMeasured(2);
    const plain = await runner(OWNER_A, false).start({ timelineId, previewDir: join(dir.path, 'preview') });
    assert.equal(plans[0]!.degrade, undefined);
    assert.equal(plain.startQuality, null);
    await plain.stop();
    const failing = new ShowRunner({
      store,
      mediaRoot: dir.path,
      clock,
      logger: log,
      owner: OWNER_A,
      engines,
      startLevel: async () => {
        throw new Error('the encoder probe failed');
      },
    });
    const show = await failing.start({ timelineId, previewDir: join(dir.path, 'preview') });
    assert.equal(plans[1]!.degrade, undefined, 'the show still starts');
    await show.stop();
  });
});
