// A destination the show on air streams to cannot be deleted (409 with what to do, the row kept);
// once the show stops, it can. Real show control and runner with a stand-in engine; GO LIVE goes
// through the API, so the execution row also records who started the show.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ShowControl } from '../../../src/app/show-control.ts';
import { ShowRunner } from '../../../src/app/show-runner.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { IdleShowEngine } from '../../helpers/playout-fakes.ts';
import { oneCameraShow } from '../../helpers/timelines.ts';

describe('DELETE /api/destinations/:id while the show streams to it', () => {
  let api: ApiHarness;
  let shows: ShowControl;
  before(async () => {
    api = await createApiHarness(({ store, clock, dataDir }) => {
      const logger = createLogger('test');
      const runner = new ShowRunner({
        store,
        mediaRoot: dataDir,
        clock,
        logger,
        owner: { pid: 4_100_003, startTicks: 1, bootId: 'boot-test' },
        engines: async () => async () => new IdleShowEngine(),
      });
      shows = new ShowControl({
        store,
        runner,
        dataDir,
        clock,
        logger,
        preflight: async () => ({ ok: true, checks: [] }),
      });
      return { shows };
    });
    await api.signIn();
  });
  after(async () => {
    await shows.shutdown();
    await api.close();
  });

  it('refuses while on air, naming it, and deletes it after the stop', async () => {
    const { store } = api;
    const streamed = store.destinations.create({
      name: 'Venue relay',
      platform: 'custom',
      server_url: 'rtmp://127.0.0.1:9/live',
      stream_key: 'program',
    });
    const idle = store.destinations.create({
      name: 'Spare',
      platform: 'custom',
      server_url: 'rtmp://127.0.0.1:9/spare',
      stream_key: 'spare',
    });
    store.cameras.create({ name: 'Dock', stream_url: 'rtsp://127.0.0.1:9/dock' });
    const timelineId = store.timelines.create(oneCameraShow('Evening')).id;
    const live = await api.call('POST', '/api/show/go-live', { timelineId, destinationIds: [streamed.id] });
    assert.equal(live.statusCode, 202, live.body);
    assert.equal(shows.liveState().state, 'live');
    const [execution] = store.executions.list();
    assert.equal(execution!.executed_by, store.users.list()[0]!.id, 'the execution names who went live');

    const refused = await api.call('DELETE', `/api/destinations/${streamed.id}`);
    assert.equal(refused.statusCode, 409, refused.body);
    const body = refused.json() as { code: string; message: string; remediation: string };
    assert.equal(body.code, 'DESTINATION_ON_AIR');
    assert.match(body.message, /Venue relay/);
    assert.match(body.remediation, /Stop the show/);
    assert.equal(store.destinations.list().length, 2, 'nothing deleted');

    // One the show does not use goes at once.
    assert.equal((await api.call('DELETE', `/api/destinations/${idle.id}`)).statusCode, 204);

    await shows.stop();
    assert.equal((await api.call('DELETE', `/api/destinations/${streamed.id}`)).statusCode, 204);
    assert.equal(store.destinations.list().length, 0);
  });
});
