// POST /api/destinations/:id/test with real ffmpeg against servers that misbehave: one that accepts
// the connection and never answers (the test ends at the socket timeout and says so), one test at a
// time per destination (a second is refused while the first runs), a destination that cannot make
// a URL, and a viewer is refused. The stream key never reaches an answer or a log line.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { useSignedInApi } from '../../helpers/api.ts';

const KEY = 'silent-key-7q3z';

describe('POST /api/destinations/:id/test (real ffmpeg)', () => {
  const suite = useSignedInApi('DELETE FROM destinations;');
  let silent: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  before(async () => {
    // Accepts, reads, never writes: an RTMP handshake that never completes.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('a server that never answers: no response, said in words; a second test meanwhile is refused', async () => {
    const { api, logLines } = suite;
    const created = await api.call('POST', '/api/destinations', {
      name: 'Silent box',
      platform: 'custom',
      server_url: `rtmp://127.0.0.1:${port}/live`,
      stream_key: KEY,
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = (created.json() as { id: number }).id;

    const first = api.call('POST', `/api/destinations/${id}/test`);
    // The first is under way once the server has its connection.
    for (let i = 0; i < 200 && sockets.size === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(sockets.size, 1, 'ffmpeg connected to the silent server');
    const second = await api.call('POST', `/api/destinations/${id}/test`);
    assert.equal(second.statusCode, 409, second.body);
    assert.equal((second.json() as { code: string }).code, 'DESTINATION_TEST_RUNNING');

    const answer = await first;
    assert.equal(answer.statusCode, 200, answer.body);
    const outcome = answer.json() as {
      ok: boolean;
      host: string;
      message: string;
      error: { code: string; remediation: string } | null;
    };
    assert.equal(outcome.ok, false);
    assert.equal(outcome.host, '127.0.0.1');
    assert.match(outcome.message, /^Could not publish to 127\.0\.0\.1: /);
    assert.equal(outcome.error?.code, 'DESTINATION_NO_RESPONSE', outcome.message);
    assert.equal(
      outcome.message,
      'Could not publish to 127.0.0.1: The streaming server accepted the connection but did not answer.',
    );
    assert.ok(!answer.body.includes(KEY));
    assert.ok(!logLines.join('\n').includes(KEY), 'a log line holds the stream key');
    assert.ok(
      logLines.some((line) => line.includes('destination test finished')),
      'the test is logged (by host)',
    );
  });

  it('refuses what cannot be tested: no such destination, a YouTube destination without a key, a viewer', async () => {
    const { api } = suite;
    const missing = await api.call('POST', '/api/destinations/999/test');
    assert.equal(missing.statusCode, 404);
    const youtube = await api.call('POST', '/api/destinations', { name: 'No key yet', platform: 'youtube' });
    assert.equal(youtube.statusCode, 201, youtube.body);
    const id = (youtube.json() as { id: number }).id;
    const noKey = await api.call('POST', `/api/destinations/${id}/test`);
    assert.equal(noKey.statusCode, 400, noKey.body);
    const body = noKey.json() as { message: string; issues: Array<{ path: string }> };
    assert.match(body.message, /cannot be tested: YouTube Live: a stream key is required/);
    assert.deepEqual(
      body.issues.map((issue) => issue.path),
      ['stream_key'],
    );

    const viewer = await api.call('POST', '/api/auth/users', {
      username: 'watcher',
      password: 'gulls over the harbour',
      role: 'viewer',
    });
    assert.equal(viewer.statusCode, 201, viewer.body);
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'watcher', password: 'gulls over the harbour' },
    });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = (login.json() as { csrfToken: string }).csrfToken;
    const refused = await api.app.inject({
      method: 'POST',
      url: `/api/destinations/${id}/test`,
      headers: { cookie, 'x-csrf-token': csrf },
    });
    assert.equal(refused.statusCode, 403, refused.body);
  });
});
