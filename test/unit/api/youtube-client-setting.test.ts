// The Google OAuth client for YouTube Live is a setting whose secret is write-only: sealed in the
// database, masked in every answer, and the mask itself is refused when sent back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiHarness, databaseBytes, type ApiHarness } from '../../helpers/api.ts';

const CLIENT_ID = '1234-abcdef.apps.googleusercontent.com';
const CLIENT_SECRET = 'GOCSPX-not-for-your-eyes-42';

describe('the YouTube OAuth client setting', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
  });
  after(() => api.close());

  it('is stored sealed and answered masked', async () => {
    const saved = await api.call('PUT', '/api/settings/youtube.oauth_client', {
      value: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json(), {
      key: 'youtube.oauth_client',
      value: { client_id: CLIENT_ID, client_secret: '****' },
    });
    const listed = await api.call('GET', '/api/settings');
    assert.ok(listed.body.includes(CLIENT_ID));
    assert.equal(listed.body.includes(CLIENT_SECRET), false);
    assert.equal(databaseBytes(api).includes(Buffer.from(CLIENT_SECRET)), false, 'not in the file in clear');
    assert.deepEqual(api.store.settings.get('youtube.oauth_client', null), {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
  });

  it('refuses the mask sent back and a client id that is not Google’s, naming the field', async () => {
    const masked = await api.call('PUT', '/api/settings/youtube.oauth_client', {
      value: { client_id: CLIENT_ID, client_secret: '****' },
    });
    assert.equal(masked.statusCode, 400);
    assert.match(masked.body, /value\.client_secret/);
    const wrongId = await api.call('PUT', '/api/settings/youtube.oauth_client', {
      value: { client_id: 'my-client', client_secret: CLIENT_SECRET },
    });
    assert.equal(wrongId.statusCode, 400);
    assert.match(wrongId.body, /value\.client_id/);
  });
});
