// The time-lapse routes through the API harness (the API's own service over its data folder): the
// list with today's snapshots and the settings in effect (off by default), a refused setting with
// its field path, "make it now" refused in words when there is nothing, the day parameter checked,
// a video served with Range, and who may do what (viewer watches, operator makes, admin removes).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_TIMELAPSE_SETTINGS } from '../../../src/domain/timelapse.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';

describe('time-lapse routes', () => {
  let api: ApiHarness;
  const tokens: Record<string, string> = {};
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
    for (const role of ['viewer', 'operator'] as const) {
      const created = await api.call('POST', '/api/auth/tokens', { name: `${role} script`, role });
      tokens[role] = created.json().token as string;
    }
  });
  after(() => api.close());
  const as = (role: string, method: 'GET' | 'POST' | 'DELETE', url: string) =>
    api.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[role]}` } });

  it('lists nothing at first, with the default settings (off)', async () => {
    const listed = await api.call('GET', '/api/timelapses');
    assert.equal(listed.statusCode, 200);
    const body = listed.json();
    assert.deepEqual(body.items, []);
    assert.equal(body.today.snapshots, 0);
    assert.equal(body.today.day, '2026-11-24');
    assert.equal(body.job.state, 'idle');
    assert.deepEqual(body.settings, DEFAULT_TIMELAPSE_SETTINGS);
    assert.equal(DEFAULT_TIMELAPSE_SETTINGS.enabled, false);
  });

  it('refuses a bad setting with the field’s path, and keeps a good one', async () => {
    const bad = await api.call('PUT', '/api/settings/timelapse.settings', {
      value: { ...DEFAULT_TIMELAPSE_SETTINGS, size: '800x600', hours: { from: '25:00', to: '19:00' } },
    });
    assert.equal(bad.statusCode, 400);
    const paths = bad.json().issues.map((issue: { path: string }) => issue.path);
    assert.deepEqual(paths.sort(), ['value.hours.from', 'value.size']);
    const good = await api.call('PUT', '/api/settings/timelapse.settings', {
      value: { ...DEFAULT_TIMELAPSE_SETTINGS, enabled: true, interval_seconds: 30 },
    });
    assert.equal(good.statusCode, 200);
    assert.equal((await api.call('GET', '/api/timelapses')).json().settings.interval_seconds, 30);
  });

  it('make now with no snapshots is refused in words; the day is checked', async () => {
    const none = await api.call('POST', '/api/timelapses/make-now');
    assert.equal(none.statusCode, 409);
    assert.equal(none.json().code, 'TIMELAPSE_NOTHING_TO_MAKE');
    assert.match(none.json().message, /no snapshots of today \(2026-11-24\)/);
    const bad = await api.call('GET', '/api/timelapses/today/video');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().issues[0].path, 'params.day');
    const missing = await api.call('DELETE', '/api/timelapses/2026-11-20');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'TIMELAPSE_NOT_FOUND');
  });

  it('serves a video whole or in a range; viewer watches, operator makes, only admin removes', async () => {
    const recordings = join(api.dataDir, 'recordings');
    mkdirSync(recordings, { recursive: true });
    writeFileSync(join(recordings, 'timelapse-2026-11-23.mp4'), Buffer.alloc(1000, 7));
    const listed = (await as('viewer', 'GET', '/api/timelapses')).json();
    assert.deepEqual(
      listed.items.map((i: { day: string; bytes: number; frames: number | null }) => [
        i.day,
        i.bytes,
        i.frames,
      ]),
      [['2026-11-23', 1000, null]],
    );
    const whole = await as('viewer', 'GET', '/api/timelapses/2026-11-23/video');
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.headers['content-type'], 'video/mp4');
    assert.equal(whole.rawPayload.length, 1000);
    const part = await api.app.inject({
      method: 'GET',
      url: '/api/timelapses/2026-11-23/video',
      headers: { authorization: `Bearer ${tokens['viewer']}`, range: 'bytes=100-199' },
    });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], 'bytes 100-199/1000');
    assert.equal(part.rawPayload.length, 100);
    assert.equal((await as('viewer', 'POST', '/api/timelapses/make-now')).statusCode, 403);
    assert.equal(
      (await as('operator', 'POST', '/api/timelapses/make-now')).statusCode,
      409,
      'allowed, nothing to make',
    );
    assert.equal((await as('operator', 'DELETE', '/api/timelapses/2026-11-23')).statusCode, 403);
    assert.equal((await api.call('DELETE', '/api/timelapses/2026-11-23')).statusCode, 204);
    assert.deepEqual((await api.call('GET', '/api/timelapses')).json().items, []);
  });
});
