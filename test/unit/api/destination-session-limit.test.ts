// The per-destination platform session limit through the API: null follows the platform
// (Facebook 8 h, Twitch 48 h, none for YouTube), 0 turns it off, other values override it, and
// values the appliance cannot honour sensibly are refused at their field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useSignedInApi } from '../../helpers/api.ts';

describe('destination max_session_hours (real SQLite file)', () => {
  const suite = useSignedInApi('DELETE FROM destinations');

  it('defaults to the platform, can be overridden or turned off, and is stored', async () => {
    const fb = await suite.api.call('POST', '/api/destinations', {
      name: 'FB',
      platform: 'facebook',
      stream_key: 'fb-key',
    });
    assert.equal(fb.statusCode, 201, fb.body);
    assert.equal(fb.json().max_session_hours, null);
    assert.equal(fb.json().session_limit_hours, 8);
    const yt = await suite.api.call('POST', '/api/destinations', { name: 'YT', platform: 'youtube' });
    assert.equal(yt.json().session_limit_hours, null, 'YouTube: no limit by default');
    const custom = await suite.api.call('POST', '/api/destinations', {
      name: 'Custom',
      platform: 'custom',
      server_url: 'rtmp://127.0.0.1/live',
      max_session_hours: 12,
    });
    assert.equal(custom.statusCode, 201, custom.body);
    assert.equal(custom.json().session_limit_hours, 12);

    const id = fb.json().id as number;
    const off = await suite.api.call('PATCH', `/api/destinations/${id}`, { max_session_hours: 0 });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json().max_session_hours, 0);
    assert.equal(off.json().session_limit_hours, null);
    assert.equal(suite.api.store.destinations.get(id).max_session_hours, 0);
    const shorter = await suite.api.call('PATCH', `/api/destinations/${id}`, { max_session_hours: 4 });
    assert.equal(shorter.json().session_limit_hours, 4);
    const back = await suite.api.call('PATCH', `/api/destinations/${id}`, { max_session_hours: null });
    assert.equal(back.json().session_limit_hours, 8, 'null follows the platform again');
  });

  it('refuses a limit too short to be meant, or negative, at its field', async () => {
    for (const value of [0.1, -1, 1000]) {
      const response = await suite.api.call('POST', '/api/destinations', {
        name: `bad ${value}`,
        platform: 'twitch',
        max_session_hours: value,
      });
      assert.equal(response.statusCode, 400, `${value}: ${response.body}`);
      assert.deepEqual(
        response.json().issues.map((i: { path: string }) => i.path),
        ['max_session_hours'],
      );
    }
  });
});
