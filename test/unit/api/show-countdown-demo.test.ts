// Show control with the demo on air (the real runner, a stand-in engine, so the live state
// carries no show details): a GO LIVE countdown keeps the demo on air until it ends, and
// cancelling it leaves the demo live (not "idle" while its picture still streams).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ShowControl } from '../../../src/app/show-control.ts';
import type { EngineFactory } from '../../../src/app/show-engine.ts';
import { ShowRunner } from '../../../src/app/show-runner.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { openStore } from '../../../src/store/store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { IdleShowEngine } from '../../helpers/playout-fakes.ts';
import { tempDir } from '../../helpers/temp.ts';
import { oneCameraShow } from '../../helpers/timelines.ts';

const log = createLogger('test');

describe('show control: a countdown over the demo show', () => {
  const dir = tempDir('vistter-countdown-demo-');
  const store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
  after(() => {
    store.close();
    dir.cleanup();
  });

  it('keeps the demo live during the countdown and after it is cancelled', async () => {
    const clock = new FakeClock();
    const engines: EngineFactory = async () => async () => new IdleShowEngine();
    const runner = new ShowRunner({
      store,
      mediaRoot: dir.path,
      clock,
      logger: log,
      owner: { pid: 4_100_002, startTicks: 1, bootId: 'boot-test' },
      engines,
    });
    const shows = new ShowControl({
      store,
      runner,
      dataDir: dir.path,
      clock,
      logger: log,
      preflight: async () => ({ ok: true, checks: [] }),
    });
    const demoId = store.timelines.create(oneCameraShow('Demo')).id;
    const showId = store.timelines.create(oneCameraShow('Evening')).id;
    const demo = await runner.start({
      timelineId: demoId,
      destinationIds: [],
      previewDir: join(dir.path, 'preview'),
    });
    shows.adopt(demo, { demo: true });
    assert.equal(shows.liveState().state, 'live');

    const counting = await shows.goLive({ timelineId: showId, countdownSeconds: 10 });
    assert.equal(counting.state.state, 'countdown');
    assert.equal(shows.current, demo, 'the demo plays on during the countdown');

    const cancelled = await shows.stop();
    assert.equal(cancelled.state, 'live', 'the demo is still on air');
    assert.equal(cancelled.lastOutcome, 'countdown cancelled');
    clock.advance(20_000);
    assert.equal(shows.current, demo, 'nothing replaced the demo');
    await shows.shutdown();
  });
});
