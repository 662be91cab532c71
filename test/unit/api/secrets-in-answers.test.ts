// The API never answers with a secret typed into a server URL or the webhook URL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';

const INLINE_KEY = 'inline-secret-key-42';
const PASSPHRASE = 'longpassphrase1';
const WEBHOOK_TOKEN = 'tok_9f8e7d6c5b4a3210';
const SECRETS = [INLINE_KEY, PASSPHRASE, WEBHOOK_TOKEN];

describe('API answers never carry the secrets', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
  });
  after(() => api.close());

  it('destinations and the webhook setting', async () => {
    const answers = [
      await api.call('POST', '/api/destinations', {
        name: 'Own',
        platform: 'custom',
        server_url: `rtmp://restream.example.net/live/${INLINE_KEY}`,
      }),
      await api.call('POST', '/api/destinations', {
        name: 'SRT',
        platform: 'custom',
        server_url: `srt://relay.example.net:9000?passphrase=${PASSPHRASE}`,
      }),
      await api.call('PUT', '/api/settings/alerts.webhook', {
        value: { url: `https://hooks.example.com/vistter?token=${WEBHOOK_TOKEN}`, enabled: true },
      }),
    ];
    for (const answer of answers) assert.ok(answer.statusCode < 300, answer.body);
    const own = answers[0]!.json() as {
      server_url: string;
      has_stream_key: boolean;
      stream_key_masked: string;
    };
    assert.equal(own.server_url, 'rtmp://restream.example.net/live');
    assert.equal(own.has_stream_key, true);
    assert.equal(own.stream_key_masked, '••••••••y-42');
    answers.push(await api.call('GET', '/api/destinations'), await api.call('GET', '/api/settings'));
    for (const answer of answers) {
      for (const secret of SECRETS) assert.equal(answer.body.includes(secret), false, answer.body);
    }
  });
});
