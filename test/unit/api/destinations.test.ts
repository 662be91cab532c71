import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLATFORMS } from '../../../src/ffmpeg/platforms.ts';
import { databaseBytes, rowCount, useSignedInApi, type ApiHarness } from '../../helpers/api.ts';

const KEY = 'abcd-efgh-ijkl-9x2k';
const OTHER_KEY = 'zzzz-yyyy-xxxx-7q1w';
const MAIN_YOUTUBE = { name: 'Main', platform: 'youtube', stream_key: KEY };

function storedRow(api: ApiHarness, id: number) {
  return api.store.db.prepare('SELECT * FROM destinations WHERE id = ?').get(id) as {
    server_url: string;
    stream_key_enc: string | null;
    platform: string;
  };
}

describe('destination routes (real SQLite file)', () => {
  const suite = useSignedInApi('DELETE FROM destinations');

  it('lists the platform presets: label, servers, schemes, limits, whether a key is needed', async () => {
    const response = await suite.api.call('GET', '/api/platforms');
    assert.equal(response.statusCode, 200);
    const presets = response.json();
    assert.deepEqual(
      presets.map((p: { id: string }) => p.id),
      ['youtube', 'facebook', 'twitch', 'custom'],
    );
    const facebook = presets.find((p: { id: string }) => p.id === 'facebook');
    assert.deepEqual(facebook, {
      id: 'facebook',
      label: 'Facebook Live',
      servers: ['rtmps://live-api-s.facebook.com:443/rtmp/'],
      schemes: ['rtmps'],
      keyRequired: true,
      maxDurationHours: 8,
      maxBitrateKbps: 4000,
      keyframeSeconds: 2,
    });
    const custom = presets.find((p: { id: string }) => p.id === 'custom');
    assert.deepEqual(custom.servers, []);
    assert.equal(custom.keyRequired, false);
  });

  it('creates with the preset’s default server; the key is sealed, masked on every read, never logged', async () => {
    suite.logLines.length = 0;
    const created = await suite.api.call('POST', '/api/destinations', {
      name: 'YouTube main',
      platform: 'youtube',
      stream_key: KEY,
    });
    assert.equal(created.statusCode, 201, created.body);
    const destination = created.json();
    assert.equal(destination.server_url, PLATFORMS.youtube.servers[0]);
    assert.equal(destination.has_stream_key, true);
    assert.equal(destination.stream_key_masked, '••••••••9x2k');
    assert.equal('stream_key' in destination, false);

    const row = storedRow(suite.api, destination.id);
    assert.equal(row.server_url, 'rtmp://a.rtmp.youtube.com/live2');
    assert.match(row.stream_key_enc ?? '', /^v1:/);
    assert.equal(databaseBytes(suite.api).includes(KEY), false, 'the key is not on disk in clear');
    assert.equal(suite.api.store.destinations.streamKey(destination.id), KEY, 'the publisher gets it back');

    const twitch = await suite.api.call('POST', '/api/destinations', { name: 'Twitch', platform: 'twitch' });
    assert.equal(twitch.json().server_url, 'rtmp://live.twitch.tv/app');
    assert.equal(twitch.json().has_stream_key, false);
    assert.equal(twitch.json().stream_key_masked, null);

    const duplicate = await suite.api.call('POST', '/api/destinations', {
      name: 'YouTube main',
      platform: 'youtube',
      stream_key: OTHER_KEY,
    });
    assert.equal(duplicate.statusCode, 409);
    assert.equal(duplicate.json().code, 'CONFLICT');
    assert.deepEqual(duplicate.json().issues, [{ path: 'name', message: 'is already used' }]);

    const responses = [
      created,
      duplicate,
      await suite.api.call('GET', '/api/destinations'),
      await suite.api.call('GET', `/api/destinations/${destination.id}`),
      await suite.api.call('PATCH', `/api/destinations/${destination.id}`, { enabled: false }),
    ];
    for (const response of responses) {
      assert.equal(response.body.includes(KEY), false, response.body);
      assert.equal(response.body.includes(OTHER_KEY), false, response.body);
      assert.equal(response.body.includes(KEY.slice(0, -4)), false, 'at most the last 4 characters');
    }
    assert.equal(responses[2]!.json().length, 2);
    assert.equal(responses[4]!.json().enabled, false);
    assert.ok(suite.logLines.length > 0, 'the refusal was logged');
    const log = suite.logLines.join('');
    assert.equal(log.includes(KEY) || log.includes(OTHER_KEY), false, 'no key in the log');
  });

  it('PATCH without stream_key keeps the key; a new one replaces it; null removes it', async () => {
    const { id } = (
      await suite.api.call('POST', '/api/destinations', { name: 'FB', platform: 'facebook', stream_key: KEY })
    ).json();
    assert.equal(storedRow(suite.api, id).server_url, 'rtmps://live-api-s.facebook.com:443/rtmp/');
    const sealedBefore = storedRow(suite.api, id).stream_key_enc;

    const renamed = await suite.api.call('PATCH', `/api/destinations/${id}`, { name: 'Facebook page' });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json().name, 'Facebook page');
    assert.equal(renamed.json().stream_key_masked, '••••••••9x2k');
    assert.equal(storedRow(suite.api, id).stream_key_enc, sealedBefore, 'the sealed key is untouched');

    const rekeyed = await suite.api.call('PATCH', `/api/destinations/${id}`, { stream_key: OTHER_KEY });
    assert.equal(rekeyed.json().stream_key_masked, '••••••••7q1w');
    assert.equal(rekeyed.body.includes(OTHER_KEY), false);
    assert.equal(suite.api.store.destinations.streamKey(id), OTHER_KEY);

    const removed = await suite.api.call('PATCH', `/api/destinations/${id}`, { stream_key: null });
    assert.equal(removed.json().has_stream_key, false);
    assert.equal(storedRow(suite.api, id).stream_key_enc, null);
  });

  it('broadcast settings must name a connected channel, at its field path', async () => {
    const broadcast = { connection_id: 99, title: 'Harbour live' };
    const refused = await suite.api.call('POST', '/api/destinations', {
      ...MAIN_YOUTUBE,
      youtube: broadcast,
    });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(
      refused.json().issues.map((issue: { path: string }) => issue.path),
      ['youtube.connection_id'],
    );
    assert.match(refused.body, /no connected YouTube channel 99: connect the channel first/);
    const connectionId = suite.api.store.youtubeConnections.create(
      'Harbour channel',
      { refreshToken: 'r-token', accessToken: null, accessExpiresAt: null, scope: 'youtube' },
      Date.now(),
    );
    const created = await suite.api.call('POST', '/api/destinations', {
      ...MAIN_YOUTUBE,
      youtube: { ...broadcast, connection_id: connectionId },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().youtube.connection_id, connectionId);
    const patched = await suite.api.call('PATCH', `/api/destinations/${created.json().id}`, {
      youtube: { ...broadcast, connection_id: connectionId + 1 },
    });
    assert.equal(patched.statusCode, 400);
    assert.equal(suite.api.store.destinations.get(created.json().id).youtube?.connection_id, connectionId);
  });

  it('switching platform moves a destination on the old preset server to the new default', async () => {
    const { id } = (await suite.api.call('POST', '/api/destinations', MAIN_YOUTUBE)).json();
    const switched = await suite.api.call('PATCH', `/api/destinations/${id}`, { platform: 'facebook' });
    assert.equal(switched.statusCode, 200, switched.body);
    assert.equal(switched.json().server_url, PLATFORMS.facebook.servers[0]);
    assert.equal(storedRow(suite.api, id).platform, 'facebook');
    // A server the operator chose is not replaced behind their back: RTMP to Facebook is refused.
    const custom = (
      await suite.api.call('POST', '/api/destinations', {
        name: 'Own server',
        platform: 'custom',
        server_url: 'rtmp://ingest.example.net/live',
      })
    ).json();
    const refused = await suite.api.call('PATCH', `/api/destinations/${custom.id}`, { platform: 'facebook' });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().issues[0].path, 'server_url');
    assert.equal(storedRow(suite.api, custom.id).platform, 'custom');
  });

  it('a key typed into a custom server URL moves to the sealed key field; other URL secrets are shown masked, and the masked form is not accepted back', async () => {
    const created = await suite.api.call('POST', '/api/destinations', {
      name: 'Restreamer',
      platform: 'custom',
      server_url: 'rtmp://restream.example.net/live/inline-secret-key',
    });
    assert.equal(created.statusCode, 201, created.body);
    const { id, server_url, stream_key_masked } = created.json();
    assert.equal(server_url, 'rtmp://restream.example.net/live');
    assert.equal(stream_key_masked, '••••••••-key');
    const read = await suite.api.call('GET', '/api/destinations');
    assert.equal(read.body.includes('inline-secret-key'), false);
    assert.equal(databaseBytes(suite.api).includes('inline-secret-key'), false);
    assert.equal(
      suite.api.store.destinations.streamKey(id),
      'inline-secret-key',
      'the publisher gets it back',
    );
    const srtUrl = 'srt://relay.example.net:9000?streamid=publish/x&passphrase=longpassphrase1';
    const srt = await suite.api.call('POST', '/api/destinations', {
      name: 'SRT',
      platform: 'custom',
      server_url: srtUrl,
    });
    const masked = srt.json().server_url;
    assert.equal(masked, 'srt://relay.example.net:9000?streamid=****&passphrase=****');
    assert.equal(databaseBytes(suite.api).includes('longpassphrase1'), false);

    const echoed = await suite.api.call('PATCH', `/api/destinations/${srt.json().id}`, {
      server_url: masked,
    });
    assert.equal(echoed.statusCode, 400);
    assert.equal(echoed.json().issues[0].path, 'server_url');
    assert.equal(suite.api.store.destinations.get(srt.json().id).server_url, srtUrl);
  });

  it('refuses bad input with a stable code and the field path, writing nothing', async () => {
    const { id } = (await suite.api.call('POST', '/api/destinations', MAIN_YOUTUBE)).json();
    const before = rowCount(suite.api, 'destinations');
    const cases: Array<{ method: 'POST' | 'PATCH'; url: string; body: unknown; path: string }> = [
      {
        method: 'POST',
        url: '/api/destinations',
        body: { name: 'FB', platform: 'facebook', server_url: 'rtmp://live-api-s.facebook.com/rtmp/' },
        path: 'server_url',
      },
      {
        method: 'POST',
        url: '/api/destinations',
        body: { name: 'YT SRT', platform: 'youtube', server_url: 'srt://a.rtmp.youtube.com:9000' },
        path: 'server_url',
      },
      {
        method: 'POST',
        url: '/api/destinations',
        body: { name: 'Custom', platform: 'custom' },
        path: 'server_url',
      },
      {
        method: 'POST',
        url: '/api/destinations',
        body: { name: 'HTTP', platform: 'custom', server_url: 'http://example.net/live' },
        path: 'server_url',
      },
      {
        method: 'POST',
        url: '/api/destinations',
        body: { name: 'Spaces', platform: 'twitch', stream_key: 'live_123 456_secretpart' },
        path: 'stream_key',
      },
      {
        method: 'POST',
        url: '/api/destinations',
        body: { name: 'Long key', platform: 'twitch', stream_key: 'k'.repeat(501) },
        path: 'stream_key',
      },
      {
        method: 'POST',
        url: '/api/destinations',
        body: { name: 'Vimeo', platform: 'vimeo' },
        path: 'platform',
      },
      { method: 'POST', url: '/api/destinations', body: { platform: 'youtube' }, path: 'name' },
      {
        method: 'POST',
        url: '/api/destinations',
        body: { name: 'n'.repeat(101), platform: 'youtube' },
        path: 'name',
      },
      {
        method: 'POST',
        url: '/api/destinations',
        body: { name: 'Typo', platform: 'youtube', streamkey: 'secretpart-typo' },
        path: 'streamkey',
      },
      {
        method: 'PATCH',
        url: `/api/destinations/${id}`,
        body: { platform: 'facebook', server_url: 'rtmp://x.example/a' },
        path: 'server_url',
      },
      { method: 'PATCH', url: `/api/destinations/${id}`, body: { enabled: 'yes' }, path: 'enabled' },
      { method: 'PATCH', url: '/api/destinations/0', body: {}, path: 'params.id' },
    ];
    for (const c of cases) {
      const response = await suite.api.call(c.method, c.url, c.body);
      const label = `${c.method} ${JSON.stringify(c.body).slice(0, 80)}`;
      assert.equal(response.statusCode, 400, `${label}: ${response.body}`);
      assert.equal(response.json().code, 'VALIDATION_FAILED', label);
      assert.ok(
        response.json().issues.some((issue: { path: string }) => issue.path === c.path),
        `${label}: ${JSON.stringify(response.json().issues)}`,
      );
      assert.equal(response.body.includes('secretpart'), false, 'a key is never echoed');
    }
    assert.equal(rowCount(suite.api, 'destinations'), before, 'nothing was written');
    const unchanged = storedRow(suite.api, id);
    assert.equal(unchanged.platform, 'youtube');
    assert.equal(unchanged.server_url, PLATFORMS.youtube.servers[0]);
    assert.equal(suite.api.store.destinations.streamKey(id), KEY);
  });

  it('an unknown destination is 404 DESTINATION_NOT_FOUND; delete answers 204 and removes the row', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'Ghost' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await suite.api.call(method, '/api/destinations/777', body);
      assert.equal(response.statusCode, 404, method);
      assert.equal(response.json().code, 'DESTINATION_NOT_FOUND');
    }
    const { id } = (
      await suite.api.call('POST', '/api/destinations', { name: 'Gone', platform: 'twitch' })
    ).json();
    const deleted = await suite.api.call('DELETE', `/api/destinations/${id}`);
    assert.equal(deleted.statusCode, 204);
    assert.equal(rowCount(suite.api, 'destinations'), 0);
    assert.equal((await suite.api.call('GET', `/api/destinations/${id}`)).statusCode, 404);
  });

  it('appears in the API reference with the key write-only', async () => {
    const paths = (await suite.api.call('GET', '/api/docs/json')).json().paths;
    assert.ok(paths['/api/platforms'].get);
    assert.deepEqual(Object.keys(paths['/api/destinations/{id}']).sort(), ['delete', 'get', 'patch']);
    const body = paths['/api/destinations'].post.requestBody.content['application/json'].schema;
    assert.ok(body.properties.stream_key);
    assert.deepEqual(body.required.sort(), ['name', 'platform']);
    const read = paths['/api/destinations/{id}'].get.responses['200'].content['application/json'].schema;
    assert.equal(read.properties.stream_key, undefined);
    assert.ok(read.properties.stream_key_masked);
  });
});
