// The YouTube Live layer against the local stand-in for Google (real HTTP on 127.0.0.1):
// connecting through the device flow, creating, binding and going live, and the documented
// refusals (quota spent, access revoked, a broadcast YouTube ended) as the registry's errors.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Clock, TimerHandle } from '../../../src/core/clock.ts';
import { isAppError } from '../../../src/errors/registry.ts';
import { YouTubeApiError, YouTubeLiveClient } from '../../../src/platforms/youtube/client.ts';
import {
  pollForTokens,
  startDeviceFlow,
  type GrantedTokens,
} from '../../../src/platforms/youtube/device-flow.ts';
import type { OAuthClient } from '../../../src/platforms/youtube/oauth-http.ts';
import { QUOTA_RETRY_MS } from '../../../src/platforms/youtube/quota.ts';
import { saveConnection, TokenKeeper } from '../../../src/platforms/youtube/tokens.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';
import { YouTubeApiSim } from '../../helpers/youtube-api-sim.ts';

/** Fires every timer at once (on the next turn) but moves its time by the delay asked, and
 *  remembers the delays: the device flow's pacing is checked without waiting it out. */
class HurriedClock implements Clock {
  private elapsed = 0;
  readonly delays: number[] = [];
  constructor(private readonly beforeFire: () => void = () => {}) {}
  now(): number {
    return this.elapsed;
  }
  wallNow(): number {
    return Date.now() + this.elapsed;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.delays.push(ms);
    const timer = setTimeout(() => {
      this.elapsed += ms;
      this.beforeFire();
      fn();
    }, 0);
    return { cancel: () => clearTimeout(timer) };
  }
}

async function refusal(promise: Promise<unknown>): Promise<YouTubeApiError | Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('the call was expected to be refused');
}

describe('YouTube Live API against the local Google stand-in', () => {
  const sim = new YouTubeApiSim({ interval: 1 });
  const folder = tempDir('vistter-youtube-');
  let store: Store;
  let client: OAuthClient;

  before(async () => {
    await sim.start();
    store = openStore({ dataDir: folder.path, secretKey: randomBytes(32) });
    client = { clientId: sim.clientId, clientSecret: sim.clientSecret };
  });
  after(async () => {
    store.close();
    await sim.stop();
    folder.cleanup();
  });

  /** Connects a channel: the operator approves once the appliance has polled twice. */
  async function connect(): Promise<{ granted: GrantedTokens; delays: number[]; userCode: string }> {
    const tokenPollsBefore = sim.requests.filter((request) => request === 'POST /token').length;
    const setup = new HurriedClock();
    const authorization = await startDeviceFlow(sim.endpoints, client, setup);
    const clock = new HurriedClock(() => {
      const polls = sim.requests.filter((request) => request === 'POST /token').length - tokenPollsBefore;
      if (polls >= 2) sim.approve(authorization.userCode);
    });
    const granted = await pollForTokens(sim.endpoints, client, authorization, clock);
    return { granted, delays: clock.delays, userCode: authorization.userCode };
  }

  it('connects through the device flow: a code to show, polls at the interval, slower after slow_down', async () => {
    sim.slowDownNext = 1;
    const { granted, delays, userCode } = await connect();
    assert.match(userCode, /^[A-Z]{4}-[A-Z]{4}$/);
    // slow_down, then pending (the operator approves), then the tokens: 1 s, then 1 + 5 s twice.
    assert.deepEqual(delays, [1000, 6000, 6000]);
    assert.ok(granted.refreshToken.length > 10);
    assert.equal(granted.scope, 'https://www.googleapis.com/auth/youtube');

    const id = saveConnection(store.youtubeConnections, 'Venue channel', granted, new FakeClock(Date.now()));
    const raw = store.db
      .prepare('SELECT refresh_token_enc, access_token_enc FROM youtube_connections WHERE id = ?')
      .get(id) as {
      refresh_token_enc: string;
      access_token_enc: string;
    };
    assert.ok(
      !raw.refresh_token_enc.includes(granted.refreshToken),
      'the refresh token is not stored in clear',
    );
    assert.ok(!raw.access_token_enc.includes(granted.accessToken), 'the access token is not stored in clear');
    assert.equal(store.youtubeConnections.tokens(id).refreshToken, granted.refreshToken);
  });

  it('says in words when the owner denies access or the code runs out', async () => {
    const denied = await startDeviceFlow(sim.endpoints, client, new HurriedClock());
    sim.approve(denied.userCode, false);
    const refusedAccess = await refusal(pollForTokens(sim.endpoints, client, denied, new HurriedClock()));
    assert.ok(isAppError(refusedAccess));
    assert.equal(refusedAccess.code, 'YOUTUBE_CONNECT_FAILED');
    assert.match(refusedAccess.message, /denied/);

    const late = await startDeviceFlow(sim.endpoints, client, new HurriedClock());
    sim.expireDeviceCodes();
    const expired = await refusal(pollForTokens(sim.endpoints, client, late, new HurriedClock()));
    assert.ok(isAppError(expired));
    assert.equal(expired.code, 'YOUTUBE_CONNECT_FAILED');
    assert.match(expired.message, /ran out/);

    const wrongClient = await refusal(
      startDeviceFlow(
        sim.endpoints,
        { clientId: 'other.apps.googleusercontent.com', clientSecret: 'x' },
        new HurriedClock(),
      ),
    );
    assert.ok(isAppError(wrongClient));
    assert.equal(wrongClient.code, 'YOUTUBE_CLIENT_NOT_SET');
  });

  it('creates a stream and a broadcast, binds them, goes live once data flows, and reads the status', async () => {
    const { granted } = await connect();
    const clock = new FakeClock(Date.now());
    const id = saveConnection(store.youtubeConnections, 'Venue channel', granted, clock);
    const keeper = new TokenKeeper(id, {
      connections: store.youtubeConnections,
      endpoints: sim.endpoints,
      client,
      clock,
    });
    const api = new YouTubeLiveClient({ apiBaseUrl: sim.endpoints.apiBaseUrl, tokens: keeper, clock });
    sim.resetQuota();

    const stream = await api.insertStream('Harbour camera');
    assert.match(stream.cdn.ingestionInfo.streamName, /^[a-z]{4}(-[a-z]{4}){3}$/);
    assert.equal(stream.cdn.ingestionInfo.ingestionAddress, 'rtmp://a.rtmp.youtube.com/live2');
    const broadcast = await api.insertBroadcast({
      title: 'Harbour live',
      description: 'The harbour, all day',
      privacy: 'unlisted',
      latency: 'low',
      dvr: true,
      autoStart: false,
      scheduledStart: clock.wallNow(),
    });
    assert.equal(broadcast.status.lifeCycleStatus, 'created');
    assert.equal(sim.broadcast(broadcast.id)?.enableAutoStop, false, 'enableAutoStop is off');
    assert.equal(sim.broadcast(broadcast.id)?.latencyPreference, 'low');

    const bound = await api.bind(broadcast.id, stream.id);
    assert.equal(bound.contentDetails?.boundStreamId, stream.id);
    assert.equal(bound.status.lifeCycleStatus, 'ready');

    // No data yet: YouTube refuses to go live, and the client says why.
    const tooEarly = await refusal(api.transition(broadcast.id, 'live'));
    assert.ok(tooEarly instanceof YouTubeApiError);
    assert.equal(tooEarly.code, 'YOUTUBE_TRANSITION_REFUSED');
    assert.equal(tooEarly.reason, 'errorStreamInactive');

    sim.setStreamStatus(stream.id, 'active', 'good');
    const live = await api.transition(broadcast.id, 'live');
    assert.equal(live.status.lifeCycleStatus, 'live');
    // Asking again is no failure (redundantTransition).
    assert.equal((await api.transition(broadcast.id, 'live')).status.lifeCycleStatus, 'live');

    const status = await api.status(broadcast.id, stream.id);
    assert.deepEqual(status, {
      lifeCycleStatus: 'live',
      streamStatus: 'active',
      health: 'good',
      ended: false,
    });
    assert.equal(api.ledger.unitsToday, sim.quotaUsed, 'the ledger counts what Google counts');

    // An access token that lapsed early: refreshed once, the call goes through.
    sim.expireAccessTokens();
    assert.equal((await api.status(broadcast.id, stream.id)).lifeCycleStatus, 'live');
    // An access token near its end is refreshed before the call.
    const refreshesBefore = sim.requests.filter((request) => request === 'POST /token').length;
    clock.advance(3600 * 1000);
    await api.status(broadcast.id, stream.id);
    assert.equal(sim.requests.filter((request) => request === 'POST /token').length, refreshesBefore + 1);

    // YouTube ends the broadcast: the poll reports it, going live again is refused as ended, and a
    // new broadcast on the same stream goes live.
    sim.completeBroadcast(broadcast.id);
    const ended = await api.status(broadcast.id, stream.id);
    assert.equal(ended.ended, true);
    assert.equal(ended.lifeCycleStatus, 'complete');
    const again = await refusal(api.transition(broadcast.id, 'live'));
    assert.ok(again instanceof YouTubeApiError);
    assert.equal(again.code, 'YOUTUBE_BROADCAST_COMPLETE');
    assert.match(again.remediation, /new broadcast/);
    const next = await api.insertBroadcast({
      title: 'Harbour live (2)',
      privacy: 'unlisted',
      latency: 'low',
      dvr: true,
      autoStart: false,
      scheduledStart: clock.wallNow(),
    });
    await api.bind(next.id, stream.id);
    assert.equal((await api.transition(next.id, 'live')).status.lifeCycleStatus, 'live');

    // One made but never used is removed (what the show does at stop); removing it twice is fine.
    const unused = await api.insertBroadcast({
      title: 'Harbour live (3)',
      privacy: 'unlisted',
      latency: 'low',
      dvr: true,
      autoStart: false,
      scheduledStart: clock.wallNow(),
    });
    await api.deleteBroadcast(unused.id);
    assert.equal(sim.broadcast(unused.id), undefined);
    assert.deepEqual(await api.listBroadcasts({ ids: [unused.id] }), []);
    await api.deleteBroadcast(unused.id);
  });

  it('quota spent: the mapped error, calls held back, then tried again later', async () => {
    const { granted } = await connect();
    const clock = new FakeClock(Date.now());
    const id = saveConnection(store.youtubeConnections, 'Quota channel', granted, clock);
    const keeper = new TokenKeeper(id, {
      connections: store.youtubeConnections,
      endpoints: sim.endpoints,
      client,
      clock,
    });
    const api = new YouTubeLiveClient({ apiBaseUrl: sim.endpoints.apiBaseUrl, tokens: keeper, clock });
    sim.resetQuota();
    const stream = await api.insertStream('Quota camera');

    sim.exhaustQuota();
    const spent = await refusal(api.listStreams([stream.id]));
    assert.ok(spent instanceof YouTubeApiError);
    assert.equal(spent.code, 'YOUTUBE_QUOTA_EXCEEDED');
    assert.equal(spent.reason, 'quotaExceeded');
    assert.match(spent.remediation, /backs off/);

    const requestsBefore = sim.requests.length;
    const held = await refusal(api.listStreams([stream.id]));
    assert.ok(held instanceof YouTubeApiError);
    assert.equal(held.code, 'YOUTUBE_QUOTA_EXCEEDED');
    assert.equal(sim.requests.length, requestsBefore, 'no request reaches Google while backing off');

    sim.resetQuota();
    clock.advance(QUOTA_RETRY_MS);
    assert.equal((await api.listStreams([stream.id])).length, 1);
  });

  it('access revoked by the owner: the mapped error says to reconnect, and the connection is marked', async () => {
    const { granted } = await connect();
    const clock = new FakeClock(Date.now());
    const id = saveConnection(store.youtubeConnections, 'Revoked channel', granted, clock);
    const keeper = new TokenKeeper(id, {
      connections: store.youtubeConnections,
      endpoints: sim.endpoints,
      client,
      clock,
    });
    const api = new YouTubeLiveClient({ apiBaseUrl: sim.endpoints.apiBaseUrl, tokens: keeper, clock });
    sim.resetQuota();
    await api.insertStream('Revoked camera');

    sim.revokeAllTokens();
    const revoked = await refusal(api.listBroadcasts({ mine: true }));
    assert.ok(isAppError(revoked));
    assert.equal(revoked.code, 'YOUTUBE_TOKEN_REVOKED');
    assert.match(revoked.remediation, /Reconnect the channel in Destinations/);
    assert.notEqual(store.youtubeConnections.get(id).revokedAt, null);
    const afterwards = await refusal(api.listBroadcasts({ mine: true }));
    assert.ok(isAppError(afterwards));
    assert.equal(afterwards.code, 'YOUTUBE_TOKEN_REVOKED');
  });

  it('disconnecting tells Google to forget the grant', async () => {
    const { granted } = await connect();
    const clock = new FakeClock(Date.now());
    const id = saveConnection(store.youtubeConnections, 'Leaving channel', granted, clock);
    const keeper = new TokenKeeper(id, {
      connections: store.youtubeConnections,
      endpoints: sim.endpoints,
      client,
      clock,
    });
    await keeper.revoke();
    assert.equal(store.youtubeConnections.get(id).revokedReason, 'disconnected by the operator');
    // Google no longer honours the refresh token.
    const answer = await fetch(`${sim.endpoints.oauthBaseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        refresh_token: granted.refreshToken,
        grant_type: 'refresh_token',
      }).toString(),
    });
    assert.equal(answer.status, 400);
    assert.equal(((await answer.json()) as { error: string }).error, 'invalid_grant');
  });
});
