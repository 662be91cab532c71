// GET /api/health/history on a real SQLite file: the samples of the last minutes (default 60)
// as the store holds them, the window measured from the appliance's clock, the query checked with
// its field path, and open to a viewer but not to a stranger.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HealthHistory } from '../../../src/domain/health-history.ts';
import type { HealthSampleRecord } from '../../../src/store/repositories/health-samples.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';

const sample = (at: number, fps: number): HealthSampleRecord => ({
  at,
  onAir: true,
  executionId: 4,
  bitrateKbps: 2500,
  fps,
  droppedFrames: 0,
  systemCpuPercent: 35,
  reconnects: 0,
});

describe('health history route (real SQLite file)', () => {
  let api: ApiHarness;
  let now: number;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
    now = api.clock.wallNow();
    // 2 h of history at one sample a minute, the newest at "now".
    for (let minutesAgo = 120; minutesAgo >= 0; minutesAgo--)
      api.store.healthSamples.insert(sample(now - minutesAgo * 60_000, 30 - (minutesAgo % 3)));
    api.store.healthSamples.insert({
      ...sample(now - 30_000, 0),
      onAir: false,
      fps: null,
      executionId: null,
    });
  });
  after(() => api.close());

  it('answers the last 60 minutes by default, oldest first, gap markers included', async () => {
    const response = await api.call('GET', '/api/health/history');
    assert.equal(response.statusCode, 200, response.body);
    const history = response.json() as HealthHistory;
    assert.equal(history.intervalSeconds, 10);
    assert.equal(history.to, new Date(now).toISOString());
    assert.equal(history.from, new Date(now - 3_600_000).toISOString());
    assert.equal(history.samples.length, 61, '59 minutes ago … now, and the gap marker');
    assert.equal(history.samples[0]!.at, new Date(now - 59 * 60_000).toISOString());
    assert.equal(history.samples.at(-1)!.at, new Date(now).toISOString());
    const marker = history.samples.find((s) => !s.onAir);
    assert.equal(marker?.at, new Date(now - 30_000).toISOString());
    assert.equal(marker?.fps, null);
  });

  it('answers another window, and refuses one out of range naming query.minutes', async () => {
    const short = (await api.call('GET', '/api/health/history?minutes=5')).json() as HealthHistory;
    assert.deepEqual(
      short.samples.filter((s) => s.onAir).map((s) => s.fps),
      [30 - (4 % 3), 30 - (3 % 3), 30 - (2 % 3), 30 - (1 % 3), 30],
    );
    for (const bad of ['0', '1441', 'soon', '2.5']) {
      const response = await api.call('GET', `/api/health/history?minutes=${bad}`);
      assert.equal(response.statusCode, 400, `minutes=${bad}`);
      assert.equal(response.json().code, 'VALIDATION_FAILED');
      assert.ok(
        response.json().issues.some((issue: { path: string }) => issue.path === 'query.minutes'),
        response.body,
      );
    }
  });

  it('is a viewer’s to read, and nobody’s without signing in', async () => {
    const created = await api.call('POST', '/api/auth/users', {
      username: 'watcher',
      password: 'a viewer password',
      role: 'viewer',
    });
    assert.equal(created.statusCode, 201, created.body);
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'watcher', password: 'a viewer password' },
    });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const asViewer = await api.app.inject({ method: 'GET', url: '/api/health/history', headers: { cookie } });
    assert.equal(asViewer.statusCode, 200, asViewer.body);
    const stranger = await api.app.inject({ method: 'GET', url: '/api/health/history' });
    assert.equal(stranger.statusCode, 401);
  });
});
