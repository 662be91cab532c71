// Connecting a YouTube channel through the API, against the local Google stand-in (real HTTP on
// 127.0.0.1): the appliance polls Google itself on its (fake) clock at the interval Google gave,
// slower after slow_down; the owner approves, denies or lets the code run out; cancel, list and
// disconnect. No answer and no log line carries a token or the device code.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { listedRole } from '../../../src/api/auth/roles.ts';
import { YouTubeConnector, type ConnectAttemptView } from '../../../src/app/youtube-connect.ts';
import { openStore } from '../../../src/store/store.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';
import { YouTubeApiSim } from '../../helpers/youtube-api-sim.ts';

const INTERVAL_S = 5;

/** Lets the appliance's real HTTP calls to the stand-in finish. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('connecting a YouTube channel through the API', () => {
  const sim = new YouTubeApiSim({ interval: INTERVAL_S });
  const logLines: string[] = [];
  let api: ApiHarness;

  const tokenPolls = (): number => sim.requests.filter((request) => request === 'POST /token').length;

  /** Moves the fake clock by ms and waits for the polls it fires to be answered and acted on. */
  async function advance(ms: number): Promise<void> {
    const before = tokenPolls();
    api.clock.advance(ms);
    await until(() => api.clock.pendingTimers() > 0 || tokenPolls() > before, 'the poll to be sent');
    // A poll sent is done once the next one is scheduled or the attempt has ended.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  async function attempt(id: string): Promise<ConnectAttemptView> {
    const response = await api.call('GET', `/api/youtube/connect/${id}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json<ConnectAttemptView>();
  }

  async function settled(id: string): Promise<ConnectAttemptView> {
    let view = await attempt(id);
    const deadline = Date.now() + 10_000;
    while (api.clock.pendingTimers() === 0 && view.state === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      view = await attempt(id);
    }
    return view;
  }

  async function startConnecting(): Promise<ConnectAttemptView> {
    const response = await api.call('POST', '/api/youtube/connect', {});
    assert.equal(response.statusCode, 201, response.body);
    return response.json<ConnectAttemptView>();
  }

  before(async () => {
    await sim.start();
    const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
    api = await createApiHarness({ logger, youtubeEndpoints: sim.endpoints });
    await api.signIn();
  });
  after(async () => {
    await api.close();
    await sim.stop();
  });
  beforeEach(() => {
    api.store.settings.set('youtube.oauth_client', {
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    });
  });

  it('refuses to start without the Google client, saying where to enter it', async () => {
    api.store.settings.set('youtube.oauth_client', null);
    const response = await api.call('POST', '/api/youtube/connect', {});
    assert.equal(response.statusCode, 409);
    const body = response.json<{ code: string; remediation: string }>();
    assert.equal(body.code, 'YOUTUBE_CLIENT_NOT_SET');
    assert.match(body.remediation, /TV and limited-input devices/);
  });

  it('validates the body with field paths', async () => {
    const response = await api.call('POST', '/api/youtube/connect', { label: 'x'.repeat(101), extra: 1 });
    assert.equal(response.statusCode, 400);
    const issues = response.json<{ issues: { path: string }[] }>().issues.map((issue) => issue.path);
    assert.ok(issues.includes('label'), issues.join(', '));
  });

  it('polls at the interval, slower after slow_down, and connects once the owner approves', async () => {
    const started = await startConnecting();
    assert.equal(started.state, 'pending');
    assert.match(started.userCode, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(started.verificationUrl, 'https://www.google.com/device');
    assert.equal(started.expiresInSeconds, 1800);
    assert.equal(started.intervalSeconds, INTERVAL_S);

    const polls = tokenPolls();
    api.clock.advance(INTERVAL_S * 1000 - 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(tokenPolls(), polls, 'no poll before the interval Google asked');

    sim.slowDownNext = 1;
    await advance(1);
    assert.equal(tokenPolls(), polls + 1);
    const slowed = await settled(started.id);
    assert.equal(slowed.state, 'pending');
    assert.equal(slowed.intervalSeconds, INTERVAL_S + 5, 'slow_down adds 5 s for good');

    api.clock.advance(INTERVAL_S * 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(tokenPolls(), polls + 1, 'after slow_down the old interval is too soon');
    await advance(5000);
    assert.equal(tokenPolls(), polls + 2);
    assert.equal((await settled(started.id)).state, 'pending');

    sim.approve(started.userCode);
    await advance((INTERVAL_S + 5) * 1000);
    await until(() => api.store.youtubeConnections.list().length > 0, 'the connection to be stored');
    const connected = await attempt(started.id);
    assert.equal(connected.state, 'connected');
    assert.ok(connected.connection);
    assert.equal(connected.connection.label, 'Harbour Marina Live', 'the channel’s own name (channels.list)');
    assert.equal(api.clock.pendingTimers(), 0, 'polling stops once connected');

    const list = await api.call('GET', '/api/youtube/connections');
    assert.equal(list.statusCode, 200);
    const connections = list.json<{ id: number; revokedAt: number | null }[]>();
    assert.ok(connections.some((c) => c.id === connected.connection!.id && c.revokedAt === null));
    // The tokens are in the store (sealed), never in an answer.
    const tokens = api.store.youtubeConnections.tokens(connected.connection.id);
    for (const secret of [tokens.refreshToken, tokens.accessToken ?? 'none', sim.clientSecret]) {
      assert.ok(!list.body.includes(secret), 'the list carries no token');
      assert.ok(!JSON.stringify(connected).includes(secret), 'the progress carries no token');
      assert.ok(!logLines.some((line) => line.includes(secret)), 'no log line carries a token');
    }
  });

  it('says "denied" in words when the owner refuses', async () => {
    const started = await startConnecting();
    sim.approve(started.userCode, false);
    await advance(INTERVAL_S * 1000);
    const view = await settled(started.id);
    assert.equal(view.state, 'denied');
    assert.match(view.message ?? '', /denied/);
    assert.match(view.remediation ?? '', /Start connecting again/);
    assert.equal(api.clock.pendingTimers(), 0);
  });

  it('says "expired" when Google says the code ran out, and when the clock passes its expiry', async () => {
    const first = await startConnecting();
    sim.expireDeviceCodes();
    await advance(INTERVAL_S * 1000);
    const expired = await settled(first.id);
    assert.equal(expired.state, 'expired');
    assert.match(expired.message ?? '', /ran out/);

    const second = await startConnecting();
    // The clock jumps to the code's end while a poll is out; the next poll is not sent.
    const polls = tokenPolls();
    api.clock.advance(1800 * 1000);
    await until(() => tokenPolls() === polls + 1 && api.clock.pendingTimers() === 1, 'the poll');
    api.clock.advance(INTERVAL_S * 1000);
    const late = await attempt(second.id);
    assert.equal(late.state, 'expired');
    assert.equal(late.expiresInSeconds, 0);
    assert.match(late.message ?? '', /ran out/);
    assert.equal(tokenPolls(), polls + 1, 'no poll after the code ran out');
  });

  it('cancels: polling stops and a later approval connects nothing', async () => {
    const before = api.store.youtubeConnections.list().length;
    const started = await startConnecting();
    const cancelled = await api.call('DELETE', `/api/youtube/connect/${started.id}`);
    assert.equal(cancelled.statusCode, 200);
    assert.equal(cancelled.json<ConnectAttemptView>().state, 'cancelled');
    assert.equal(api.clock.pendingTimers(), 0);
    sim.approve(started.userCode);
    const polls = tokenPolls();
    api.clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(tokenPolls(), polls);
    assert.equal(api.store.youtubeConnections.list().length, before);

    const unknown = await api.call('GET', '/api/youtube/connect/nope');
    assert.equal(unknown.statusCode, 409);
  });

  it('disconnects: Google forgets the grant, the connection is marked revoked and says so', async () => {
    const started = await startConnecting();
    sim.approve(started.userCode);
    await advance(INTERVAL_S * 1000);
    await until(() => api.store.youtubeConnections.list().length > 0, 'the connection');
    const { connection } = await settled(started.id);
    assert.ok(connection);
    const refreshToken = api.store.youtubeConnections.tokens(connection.id).refreshToken;

    const response = await api.call('POST', `/api/youtube/connections/${connection.id}/disconnect`);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<{ revokedAtGoogle: boolean; connection: { revokedAt: number | null } }>();
    assert.equal(body.revokedAtGoogle, true);
    assert.notEqual(body.connection.revokedAt, null);
    assert.ok(sim.requests.includes('POST /revoke'));
    assert.ok(!response.body.includes(refreshToken));
    // Google no longer accepts the refresh token.
    const refresh = await fetch(`${sim.baseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: sim.clientId,
        client_secret: sim.clientSecret,
        refresh_token: refreshToken,
        grant_type: 'refresh_token',
      }).toString(),
    });
    assert.equal(refresh.status, 400);
  });

  it('connecting a disconnected channel again renews the same connection in place; another channel is a new one', async () => {
    const connections = api.store.youtubeConnections;
    const connectAndApprove = async (body: object): Promise<ConnectAttemptView> => {
      const response = await api.call('POST', '/api/youtube/connect', body);
      assert.equal(response.statusCode, 201, response.body);
      const started = response.json<ConnectAttemptView>();
      sim.approve(started.userCode);
      await advance(INTERVAL_S * 1000);
      await until(() => api.clock.pendingTimers() === 0, 'the attempt to end');
      let view = await settled(started.id);
      const deadline = Date.now() + 10_000;
      while (view.state === 'pending' && Date.now() < deadline) view = await attempt(started.id);
      assert.equal(view.state, 'connected', JSON.stringify(view));
      return view;
    };
    const first = await connectAndApprove({});
    const id = first.connection!.id;
    connections.markRevoked(id, Date.now(), 'Google refused the refresh token');
    const count = connections.list().length;

    // "Connect the channel again" on that connection: new tokens, same id, no longer revoked.
    const again = await connectAndApprove({ reconnect: id });
    assert.equal(again.reconnected, true);
    assert.equal(again.connection?.id, id);
    assert.equal(connections.get(id).revokedAt, null);
    assert.equal(connections.list().length, count, 'no new connection');
    assert.ok(connections.tokens(id).accessToken, 'the new tokens are stored');

    // Disconnected, then "Connect a channel" with the same channel: the disconnected one is renewed.
    for (const other of connections.list()) connections.markRevoked(other.id, Date.now(), 'disconnected');
    const plain = await connectAndApprove({});
    assert.equal(plain.reconnected, false, 'two disconnected ones of that name: which is unclear, a new one');
    connections.markRevoked(plain.connection!.id, Date.now(), 'disconnected');
    for (const other of connections.list()) if (other.id !== id) connections.delete(other.id);
    const renewed = await connectAndApprove({});
    assert.equal(renewed.reconnected, true);
    assert.equal(renewed.connection?.id, id);

    // The operator asked to reconnect "Other channel" but signed in with another: a new connection.
    const otherId = connections.create(
      'Other channel',
      { refreshToken: 'rt-other', accessToken: null, accessExpiresAt: null, scope: 'youtube' },
      Date.now(),
    );
    connections.markRevoked(otherId, Date.now(), 'Google refused the refresh token');
    const elsewhere = await connectAndApprove({ reconnect: otherId });
    assert.equal(elsewhere.reconnected, false);
    assert.notEqual(elsewhere.connection?.id, otherId);
    assert.notEqual(connections.get(otherId).revokedAt, null, 'the other channel still needs reconnecting');

    const unknown = await api.call('POST', '/api/youtube/connect', { reconnect: 99_999 });
    assert.equal(unknown.statusCode, 409);
    assert.equal(unknown.json<{ code: string }>().code, 'YOUTUBE_NOT_CONNECTED');
    const invalid = await api.call('POST', '/api/youtube/connect', { reconnect: 'x' });
    assert.equal(invalid.statusCode, 400);
    assert.ok(
      invalid.json<{ issues: { path: string }[] }>().issues.some((issue) => issue.path === 'reconnect'),
    );
  });

  it('needs admin for connecting; the list is readable by a viewer; nothing without signing in', async () => {
    assert.equal(listedRole('POST', '/api/youtube/connect'), 'admin');
    assert.equal(listedRole('GET', '/api/youtube/connect/:attemptId'), 'admin');
    assert.equal(listedRole('POST', '/api/youtube/connections/:id/disconnect'), 'admin');
    assert.equal(listedRole('GET', '/api/youtube/connections'), 'viewer');
    const anonymous = await api.app.inject({ method: 'GET', url: '/api/youtube/connections' });
    assert.equal(anonymous.statusCode, 401);
  });
});

describe('disconnecting a channel a show on air broadcasts on', () => {
  it('is refused with 409, naming the destination, and allowed once it is off air', async () => {
    const folder = tempDir('vistter-youtube-');
    const store = openStore({ dataDir: folder.path, secretKey: randomBytes(32) });
    const sim = new YouTubeApiSim();
    await sim.start();
    try {
      const connectionId = store.youtubeConnections.create(
        'Harbour channel',
        { refreshToken: 'not-at-google', accessToken: null, accessExpiresAt: null, scope: 'youtube' },
        Date.now(),
      );
      const destination = store.destinations.create({
        name: 'Harbour on YouTube',
        platform: 'youtube',
        server_url: 'rtmp://a.rtmp.youtube.com/live2',
        stream_key: null,
        youtube: {
          connection_id: connectionId,
          title: 'Harbour live',
          description: '',
          privacy: 'unlisted',
          latency: 'normal',
          dvr: true,
          auto_start: false,
          keep_archive: false,
        },
      });
      let onAir = true;
      const connector = new YouTubeConnector({
        store,
        endpoints: sim.endpoints,
        clock: new FakeClock(),
        destinationOnAir: (id) => onAir && id === destination.id,
      });
      assert.deepEqual(connector.connection(connectionId).destinationIds, [destination.id]);
      await assert.rejects(connector.disconnect(connectionId), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'YOUTUBE_CONNECTION_ON_AIR');
        assert.match(error.message, new RegExp(`destination ${destination.id}`));
        return true;
      });
      assert.equal(store.youtubeConnections.get(connectionId).revokedAt, null);

      onAir = false;
      // Google does not know this token: disconnecting still marks it revoked here, and says so.
      const result = await connector.disconnect(connectionId);
      assert.notEqual(result.connection.revokedAt, null);
      assert.equal(result.revokedAtGoogle, true, 'invalid_token at Google counts as already forgotten');
    } finally {
      store.close();
      await sim.stop();
      folder.cleanup();
    }
  });
});
