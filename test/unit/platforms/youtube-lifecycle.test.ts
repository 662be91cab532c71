// The YouTube broadcast lifecycle as a state machine: a fake clock and an in-memory YouTube (the
// real HTTP stand-in is exercised by test/process/youtube and the e2e test).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import type { YouTubeBroadcastSettings } from '../../../src/domain/schemas.ts';
import type { AlertInput } from '../../../src/errors/alert-sink.ts';
import {
  YouTubeApiError,
  liveStatusOf,
  type BroadcastSettings,
  type LifeCycleStatus,
  type LiveBroadcast,
  type LiveStream,
} from '../../../src/platforms/youtube/client.ts';
import {
  ARCHIVE_RENEW_AFTER_MS,
  BIND_WITHIN_MS,
  BroadcastLifecycle,
  GO_LIVE_WITHIN_MS,
  POLL_INTERVAL_MS,
  type LiveApi,
} from '../../../src/platforms/youtube/lifecycle.ts';
import type { SavedStreams } from '../../../src/platforms/youtube/saved-streams.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

type ApiError = YouTubeApiError;

/** An in-memory YouTube: broadcasts, one kind of stream, refusals on demand. */
class FakeYouTube implements LiveApi {
  readonly calls: string[] = [];
  readonly broadcasts = new Map<
    string,
    { status: LifeCycleStatus; streamId: string | null; settings: BroadcastSettings }
  >();
  readonly streams = new Map<string, LiveStream>();
  streamActive = false;
  /** Transitions to live refused (the stream is not seen). */
  refuseLive = false;
  /** Every call fails with this until cleared. */
  failing: ApiError | null = null;
  /** Only broadcast inserts fail with this. */
  failInserts: ApiError | null = null;
  /** The next binds fail with this error (a 503 or no answer), this many times. */
  bindFailures = { left: 0, error: null as ApiError | null };
  /** transition() never answers. */
  hangTransitions = false;
  pausedUntilMs: number | null = null;
  private next = 1;
  readonly ledger = { pausedUntil: (): number | null => this.pausedUntilMs };

  constructor(private readonly clock: FakeClock) {}

  private gate(call: string): void {
    this.calls.push(call);
    if (this.pausedUntilMs !== null && this.clock.wallNow() < this.pausedUntilMs)
      throw new YouTubeApiError('YOUTUBE_QUOTA_EXCEEDED', 'quota spent', 'quotaExceeded', 403);
    if (this.failing) throw this.failing;
  }

  async insertStream(title: string): Promise<LiveStream> {
    this.gate('insertStream');
    const stream: LiveStream = {
      id: `st${this.next++}`,
      snippet: { title },
      cdn: { ingestionInfo: { streamName: 'abcd-efgh', ingestionAddress: 'rtmp://ingest.example/live2/' } },
      status: { streamStatus: 'ready' },
    };
    this.streams.set(stream.id, stream);
    return stream;
  }
  async listStreams(ids: readonly string[]): Promise<LiveStream[]> {
    this.gate('listStreams');
    return ids.flatMap((id) => (this.streams.has(id) ? [this.streams.get(id)!] : []));
  }
  async insertBroadcast(settings: BroadcastSettings): Promise<LiveBroadcast> {
    this.gate('insertBroadcast');
    if (this.failInserts) throw this.failInserts;
    const id = `bc${this.next++}`;
    this.broadcasts.set(id, { status: 'created', streamId: null, settings });
    return this.resource(id);
  }
  async listBroadcasts(filter: { ids: readonly string[] } | { mine: true }): Promise<LiveBroadcast[]> {
    this.gate('listBroadcasts');
    const ids = 'ids' in filter ? filter.ids : [...this.broadcasts.keys()];
    return ids.filter((id) => this.broadcasts.has(id)).map((id) => this.resource(id));
  }
  async bind(broadcastId: string, streamId: string): Promise<LiveBroadcast> {
    this.gate(`bind ${broadcastId} ${streamId}`);
    if (this.bindFailures.left > 0 && this.bindFailures.error) {
      this.bindFailures.left--;
      throw this.bindFailures.error;
    }
    const broadcast = this.broadcasts.get(broadcastId)!;
    broadcast.streamId = streamId;
    broadcast.status = 'ready';
    return this.resource(broadcastId);
  }
  async transition(broadcastId: string, to: 'testing' | 'live' | 'complete'): Promise<LiveBroadcast> {
    this.gate(`transition ${broadcastId} ${to}`);
    if (this.hangTransitions) return new Promise<LiveBroadcast>(() => undefined);
    const broadcast = this.broadcasts.get(broadcastId)!;
    if (to === 'live' && (this.refuseLive || !this.streamActive))
      throw new YouTubeApiError('YOUTUBE_TRANSITION_REFUSED', 'no data', 'errorStreamInactive', 403);
    broadcast.status = to;
    return this.resource(broadcastId);
  }
  async deleteBroadcast(broadcastId: string): Promise<void> {
    this.gate(`delete ${broadcastId}`);
    this.broadcasts.delete(broadcastId);
  }
  async status(broadcastId: string, streamId: string) {
    this.gate('status');
    const stream = this.streams.get(streamId)!;
    stream.status = {
      streamStatus: this.streamActive ? 'active' : 'ready',
      healthStatus: { status: this.streamActive ? 'good' : 'noData' },
    };
    return liveStatusOf(this.resource(broadcastId), stream);
  }
  private resource(id: string): LiveBroadcast {
    const broadcast = this.broadcasts.get(id)!;
    return {
      id,
      snippet: { title: broadcast.settings.title },
      status: { lifeCycleStatus: broadcast.status },
      contentDetails: { ...(broadcast.streamId ? { boundStreamId: broadcast.streamId } : {}) },
    };
  }
}

class MemoryStreams implements SavedStreams {
  readonly rows = new Map<string, string>();
  streamId(destinationId: number, connectionId: number): string | null {
    return this.rows.get(`${destinationId}/${connectionId}`) ?? null;
  }
  save(destinationId: number, connectionId: number, streamId: string): void {
    this.rows.set(`${destinationId}/${connectionId}`, streamId);
  }
}

class RecordingAlerts {
  readonly raised: AlertInput[] = [];
  readonly open = new Map<string, AlertInput>();
  raise(alert: AlertInput): void {
    this.raised.push(alert);
    this.open.set(alert.key, alert);
  }
  clear(key: string): void {
    this.open.delete(key);
  }
}

const SETTINGS: YouTubeBroadcastSettings = {
  connection_id: 1,
  title: 'Harbour live',
  description: 'The harbour, all day',
  privacy: 'unlisted',
  latency: 'low',
  dvr: true,
  auto_start: false,
  keep_archive: false,
};

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) await new Promise((resolve) => setImmediate(resolve));
}

function rig(settings: Partial<YouTubeBroadcastSettings> = {}, streams = new MemoryStreams()) {
  const clock = new FakeClock();
  const api = new FakeYouTube(clock);
  const alerts = new RecordingAlerts();
  const sessions: string[] = [];
  const lifecycle = new BroadcastLifecycle({
    destination: { outputId: 'dest:3', id: 3, name: 'Harbour' },
    connectionId: 1,
    settings: { ...SETTINGS, ...settings },
    api,
    clock,
    streams,
    alerts,
    logger: createLogger('youtube-lifecycle-test'),
  });
  const output = { running: true };
  lifecycle.attachSession({
    newSession: (reason) => {
      if (output.running) sessions.push(reason);
      return output.running;
    },
  });
  /** Moves the fake clock and lets the answers of the fake YouTube arrive. */
  const step = async (ms: number): Promise<void> => {
    // A second at a time: each check schedules the next only once its answers arrived.
    for (let left = ms; left > 0; left -= 1000) {
      clock.advance(Math.min(1000, left));
      await settle();
    }
  };
  return { clock, api, alerts, sessions, lifecycle, step, streams, output };
}

describe('YouTube broadcast lifecycle', () => {
  it('at GO LIVE: one reusable stream, a broadcast with the settings, bound; the URL is the ingestion address and name', async () => {
    const streams = new MemoryStreams();
    const first = rig({}, streams);
    const url = await first.lifecycle.prepare();
    assert.equal(url, 'rtmp://ingest.example/live2/abcd-efgh');
    assert.deepEqual(first.api.calls, ['insertStream', 'insertBroadcast', 'bind bc2 st1']);
    const made = first.api.broadcasts.get('bc2')!.settings;
    assert.equal(made.title, 'Harbour live');
    assert.equal(made.privacy, 'unlisted');
    assert.equal(made.latency, 'low');
    assert.equal(made.autoStart, false);
    assert.equal(streams.streamId(3, 1), 'st1');

    // The next show finds the stream and reuses it.
    const second = rig({}, streams);
    second.api.streams.set('st1', first.api.streams.get('st1')!);
    await second.lifecycle.prepare();
    assert.deepEqual(second.api.calls, ['listStreams', 'insertBroadcast', 'bind bc1 st1']);
  });

  it('a crash resume carries on the broadcast the interrupted show left on the stream', async () => {
    const streams = new MemoryStreams();
    const before = rig({}, streams);
    before.api.streamActive = true;
    await before.lifecycle.prepare();
    before.lifecycle.start();
    await before.step(5000);
    assert.equal(before.lifecycle.state().live, true);

    // The process died: a new lifecycle on the same YouTube and store.
    const after = rig({}, streams);
    after.api.streams.set('st1', before.api.streams.get('st1')!);
    for (const [id, broadcast] of before.api.broadcasts) after.api.broadcasts.set(id, broadcast);
    after.api.streamActive = true;
    await after.lifecycle.prepare({ adopt: true });
    assert.deepEqual(after.api.calls, ['listStreams', 'listBroadcasts'], 'no new broadcast');
    assert.equal(after.lifecycle.state().broadcastId, 'bc2');
    assert.equal(after.lifecycle.state().live, true);

    // A fresh GO LIVE makes a new one.
    const fresh = rig({}, streams);
    fresh.api.streams.set('st1', before.api.streams.get('st1')!);
    await fresh.lifecycle.prepare();
    assert.ok(fresh.api.calls.includes('insertBroadcast'));
  });

  it('goes live once data flows, not before; the state says so with the watch URL', async () => {
    const { api, lifecycle, step } = rig();
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    assert.equal(lifecycle.state().lifeCycleStatus, 'ready');
    assert.equal(lifecycle.state().live, false);
    assert.ok(!api.calls.some((call) => call.startsWith('transition')), 'no transition without data');
    api.streamActive = true;
    await step(5000);
    const state = lifecycle.state();
    assert.equal(state.lifeCycleStatus, 'live');
    assert.equal(state.live, true);
    assert.equal(state.watchUrl, 'https://youtu.be/bc2');
    assert.equal(state.streamStatus, 'active');
    assert.equal(state.health, 'good');
  });

  it('with auto_start YouTube starts it: the appliance makes no transition', async () => {
    const { api, lifecycle, step } = rig({ auto_start: true });
    await lifecycle.prepare();
    lifecycle.start();
    api.streamActive = true;
    await step(30_000);
    assert.ok(!api.calls.some((call) => call.startsWith('transition')));
    assert.equal(api.broadcasts.get('bc2')!.settings.autoStart, true);
  });

  it('polls at the quota plan’s interval once live', async () => {
    const { api, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    assert.equal(lifecycle.state().live, true);
    const before = api.calls.filter((call) => call === 'status').length;
    await step(10 * POLL_INTERVAL_MS);
    assert.equal(api.calls.filter((call) => call === 'status').length - before, 10);
  });

  it('YouTube ends the broadcast: the next one on the same stream goes live, the RTMP session is not touched, History has it', async () => {
    const { api, alerts, sessions, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    assert.equal(lifecycle.state().broadcastId, 'bc2');
    api.broadcasts.get('bc2')!.status = 'complete';
    await step(POLL_INTERVAL_MS);
    const state = lifecycle.state();
    assert.equal(state.broadcastId, 'bc3');
    assert.equal(state.live, true);
    assert.equal(state.broadcasts, 2);
    assert.equal(api.broadcasts.get('bc3')!.streamId, 'st1', 'bound to the same stream');
    assert.ok(api.calls.includes('transition bc3 live'));
    assert.deepEqual(sessions, [], 'no new RTMP session');
    const event = alerts.raised.find((alert) => alert.code === 'YOUTUBE_BROADCAST_COMPLETE');
    assert.ok(event, 'the new broadcast is in History');
    assert.match(event.message, /YouTube ended the broadcast bc2 .*next broadcast bc3/);
    assert.equal(alerts.open.has(event.key), false, 'cleared once the new broadcast is live');
    await step(GO_LIVE_WITHIN_MS * 2);
    assert.deepEqual(sessions, [], 'still no new RTMP session');
  });

  it('a new broadcast not live within 60 s: a planned new RTMP session, once, and it goes on', async () => {
    const { api, alerts, sessions, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    api.refuseLive = true;
    api.broadcasts.get('bc2')!.status = 'complete';
    await step(POLL_INTERVAL_MS);
    assert.equal(lifecycle.state().broadcastId, 'bc3');
    assert.equal(lifecycle.state().live, false);
    await step(GO_LIVE_WITHIN_MS - 2000);
    assert.equal(sessions.length, 0, 'not before the bound');
    await step(2000);
    assert.equal(sessions.length, 1);
    assert.match(sessions[0]!, /not live after 60 s/);
    const fallback = alerts.raised.find((alert) => alert.code === 'DESTINATION_SESSION_RESTARTED');
    assert.ok(fallback);
    assert.match(fallback.message, /new RTMP session/);
    api.refuseLive = false;
    await step(5000);
    assert.equal(lifecycle.state().live, true);
    await step(GO_LIVE_WITHIN_MS * 2);
    assert.equal(sessions.length, 1, 'once');
  });

  it('not live and no RTMP session runs (the destination is down): no fallback alert, asked again later', async () => {
    const { alerts, sessions, lifecycle, output, step } = rig();
    output.running = false;
    await lifecycle.prepare();
    lifecycle.start();
    await step(GO_LIVE_WITHIN_MS + 1000);
    assert.deepEqual(sessions, []);
    assert.equal(alerts.raised.length, 0);
    output.running = true;
    await step(GO_LIVE_WITHIN_MS);
    assert.equal(sessions.length, 1, 'once a session runs');
    assert.ok(alerts.raised.some((alert) => alert.code === 'DESTINATION_SESSION_RESTARTED'));
  });

  it('quota exceeded: an alert, no calls until the pause ends, cleared when calls work again', async () => {
    const { api, alerts, clock, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    api.pausedUntilMs = clock.wallNow() + POLL_INTERVAL_MS + 30 * 60_000;
    await step(POLL_INTERVAL_MS);
    const key = 'destination:dest:3:youtube:quota';
    const alert = alerts.open.get(key);
    assert.ok(alert, 'quota alert open');
    assert.equal(alert.code, 'YOUTUBE_QUOTA_EXCEEDED');
    assert.match(alert.message, /daily API quota is spent.*RTMP stream continues/);
    assert.match(lifecycle.state().problem ?? '', /quota/);
    const callsDuringPause = api.calls.length;
    await step(29 * 60_000);
    assert.equal(api.calls.length, callsDuringPause, 'backed off: no call while the quota is spent');
    await step(2 * 60_000);
    assert.ok(api.calls.length > callsDuringPause, 'tried again after the pause');
    assert.equal(alerts.open.has(key), false);
    assert.equal(lifecycle.state().problem, null);
  });

  it('YouTube’s limit on new broadcasts: an alert and a growing backoff, then the next broadcast', async () => {
    const { api, alerts, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    api.failInserts = new YouTubeApiError(
      'YOUTUBE_QUOTA_EXCEEDED',
      'limit',
      'userRequestsExceedRateLimit',
      403,
    );
    api.broadcasts.get('bc2')!.status = 'complete';
    await step(POLL_INTERVAL_MS);
    const alert = alerts.open.get('destination:dest:3:youtube:quota');
    assert.ok(alert);
    assert.match(alert.message, /limit on new broadcasts/);
    const inserts = () => api.calls.filter((call) => call === 'insertBroadcast').length;
    const first = inserts();
    await step(60_000);
    assert.equal(inserts(), first + 1, 'again after 1 min');
    await step(60_000);
    assert.equal(inserts(), first + 1, 'then waits 2 min');
    api.failInserts = null;
    await step(60_000);
    assert.equal(lifecycle.state().broadcastId, 'bc3');
    assert.equal(lifecycle.state().live, true);
    assert.equal(alerts.open.has('destination:dest:3:youtube:quota'), false);
  });

  it('the next broadcast refused for another reason: backed off too (each refused insert costs 50 units)', async () => {
    const { api, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    api.failInserts = new YouTubeApiError(
      'YOUTUBE_REQUEST_FAILED',
      'YouTube refused creating the broadcast (HTTP 403, forbidden)',
      'forbidden',
      403,
    );
    api.broadcasts.get('bc2')!.status = 'complete';
    await step(POLL_INTERVAL_MS);
    assert.match(lifecycle.state().problem ?? '', /next broadcast could not be made.*HTTP 403/);
    const inserts = () => api.calls.filter((call) => call === 'insertBroadcast').length;
    const first = inserts();
    await step(60_000 + 2 * 60_000 + 4 * 60_000 + 1000);
    assert.equal(inserts(), first + 3, 'after 1, 2 and 4 minutes, not every minute');
  });

  it('access revoked: an alert saying to reconnect in Destinations', async () => {
    const { api, alerts, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    api.failing = new YouTubeApiError(
      'YOUTUBE_TOKEN_REVOKED',
      'Google no longer accepts the channel’s access',
      null,
      401,
    );
    await step(POLL_INTERVAL_MS);
    const alert = alerts.open.get('destination:dest:3:youtube:access');
    assert.ok(alert);
    assert.equal(alert.code, 'YOUTUBE_TOKEN_REVOKED');
    assert.equal(alert.severity, 'error');
    assert.match(alert.message, /Reconnect the channel in Destinations/);
    assert.match(lifecycle.state().problem ?? '', /reconnect/);
  });

  it('keep_archive: the next broadcast before 12 hours, the old one completed once the new one is live', async () => {
    const { api, lifecycle, step } = rig({ keep_archive: true });
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    await step(ARCHIVE_RENEW_AFTER_MS - POLL_INTERVAL_MS);
    assert.equal(lifecycle.state().broadcastId, 'bc2');
    await step(2 * POLL_INTERVAL_MS);
    assert.equal(lifecycle.state().broadcastId, 'bc3');
    assert.equal(lifecycle.state().live, true);
    assert.equal(api.broadcasts.get('bc2')!.status, 'complete');
    assert.equal(api.broadcasts.get('bc3')!.streamId, 'st1');
  });

  it('at stop: the live broadcast is completed, alerts cleared; a YouTube that does not answer does not hold the stop', async () => {
    const done = rig();
    done.api.streamActive = true;
    await done.lifecycle.prepare();
    done.lifecycle.start();
    await done.step(5000);
    done.api.pausedUntilMs = done.clock.wallNow() + 2 * POLL_INTERVAL_MS;
    await done.step(POLL_INTERVAL_MS);
    assert.equal(done.alerts.open.size, 1);
    done.api.pausedUntilMs = null;
    await done.lifecycle.stop();
    assert.equal(done.api.broadcasts.get('bc2')!.status, 'complete');
    assert.equal(done.alerts.open.size, 0);

    const hung = rig();
    hung.api.streamActive = true;
    await hung.lifecycle.prepare();
    hung.lifecycle.start();
    await hung.step(5000);
    hung.api.hangTransitions = true;
    let stopped = false;
    const stopping = hung.lifecycle.stop(10_000).then(() => (stopped = true));
    await hung.step(9000);
    assert.equal(stopped, false);
    await hung.step(1000);
    await stopping;
    assert.equal(stopped, true);
  });
  it('at stop: a broadcast that never went on air (unbound, or bound without data) is removed, not left upcoming', async () => {
    const unbound = rig();
    unbound.api.streamActive = true;
    await unbound.lifecycle.prepare();
    unbound.lifecycle.start();
    await unbound.step(5000);
    unbound.api.bindFailures = {
      left: 100,
      error: new YouTubeApiError('YOUTUBE_REQUEST_FAILED', 'YouTube did not answer binding', null, 0),
    };
    unbound.api.broadcasts.get('bc2')!.status = 'complete';
    await unbound.step(POLL_INTERVAL_MS);
    assert.equal(unbound.api.broadcasts.get('bc3')!.streamId, null, 'bc3 is made but not bound');
    await unbound.lifecycle.stop();
    assert.ok(unbound.api.calls.includes('delete bc3'));
    assert.equal(unbound.api.broadcasts.has('bc3'), false);
    assert.ok(!unbound.api.calls.includes('delete bc2'), 'the ended broadcast stays in the archive');

    const waiting = rig();
    await waiting.lifecycle.prepare();
    waiting.lifecycle.start();
    await waiting.step(5000);
    assert.equal(waiting.api.broadcasts.get('bc2')!.status, 'ready', 'bound, no data yet');
    await waiting.lifecycle.stop();
    assert.deepEqual(
      waiting.api.calls.filter((call) => call.startsWith('delete') || call.includes('complete')),
      ['delete bc2'],
    );

    const live = rig();
    live.api.streamActive = true;
    await live.lifecycle.prepare();
    live.lifecycle.start();
    await live.step(5000);
    await live.lifecycle.stop();
    assert.equal(live.api.broadcasts.get('bc2')!.status, 'complete', 'a broadcast that was live is kept');
    assert.ok(!live.api.calls.some((call) => call.startsWith('delete')));
  });

  it('the first broadcast is in History too, once live: created and live, with the watch link', async () => {
    const { api, alerts, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    assert.equal(lifecycle.state().live, true);
    const events = alerts.raised.filter((alert) => alert.code === 'YOUTUBE_BROADCAST_LIVE');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.severity, 'info');
    assert.match(
      events[0]!.message,
      /Destination "Harbour": YouTube broadcast "Harbour live" created and live \(https:\/\/youtu\.be\/bc2\)/,
    );
    assert.equal(alerts.open.has(events[0]!.key), false, 'an event for History, not an open alert');
    // The next broadcast keeps its own event (YOUTUBE_BROADCAST_COMPLETE), not a second one of these.
    api.broadcasts.get('bc2')!.status = 'complete';
    await step(POLL_INTERVAL_MS);
    assert.equal(lifecycle.state().broadcastId, 'bc3');
    assert.equal(alerts.raised.filter((alert) => alert.code === 'YOUTUBE_BROADCAST_LIVE').length, 1);
  });

  it('a bind that fails (503) is tried again with a growing backoff on the SAME broadcast, not a new one', async () => {
    const { api, alerts, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    api.bindFailures = {
      left: 3,
      error: new YouTubeApiError(
        'YOUTUBE_REQUEST_FAILED',
        'YouTube refused binding (HTTP 503)',
        'backendError',
        503,
      ),
    };
    api.broadcasts.get('bc2')!.status = 'complete';
    await step(POLL_INTERVAL_MS);
    const binds = () => api.calls.filter((call) => call.startsWith('bind bc3')).length;
    assert.equal(binds(), 1, 'the first bind of the next broadcast failed');
    assert.match(lifecycle.state().problem ?? '', /bc3 is not bound to the stream yet/);
    await step(5000);
    assert.equal(binds(), 2, 'again after 5 s');
    await step(9000);
    assert.equal(binds(), 2, 'then waits 10 s');
    await step(1000);
    assert.equal(binds(), 3);
    await step(20_000);
    assert.equal(binds(), 4, 'bound at the fourth try');
    assert.equal(api.calls.filter((call) => call === 'insertBroadcast').length, 2, 'one insert for bc3');
    assert.equal(api.broadcasts.get('bc3')!.streamId, 'st1');
    await step(5000);
    assert.equal(lifecycle.state().broadcastId, 'bc3');
    assert.equal(lifecycle.state().live, true);
    assert.equal(lifecycle.state().problem, null);
    assert.ok(!alerts.raised.some((alert) => alert.code === 'YOUTUBE_BIND_FAILED'), 'bound within the bound');
  });

  it('a bind still failing after the bound: an alert with a remediation, cleared once bound', async () => {
    const { api, alerts, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    api.bindFailures = {
      left: 100,
      error: new YouTubeApiError('YOUTUBE_REQUEST_FAILED', 'YouTube did not answer binding', null, 0),
    };
    api.broadcasts.get('bc2')!.status = 'complete';
    await step(POLL_INTERVAL_MS);
    await step(BIND_WITHIN_MS - 10_000);
    const key = 'destination:dest:3:youtube:bind';
    assert.equal(alerts.open.has(key), false, 'not before the bound');
    await step(3 * 60_000);
    const alert = alerts.open.get(key);
    assert.ok(alert, 'the bind alert is open');
    assert.equal(alert.code, 'YOUTUBE_BIND_FAILED');
    assert.match(alert.message, /"Harbour live" \(bc3\) could not be bound to the stream for \d+ min/);
    assert.match(alert.remediation, /keeps trying/);
    assert.equal(api.calls.filter((call) => call === 'insertBroadcast').length, 2, 'still no new broadcast');
    api.bindFailures.left = 0;
    await step(10 * 60_000);
    assert.equal(alerts.open.has(key), false, 'cleared once bound');
    assert.equal(api.broadcasts.get('bc3')!.streamId, 'st1');
    assert.equal(lifecycle.state().live, true);
  });

  it('the first bind failing at GO LIVE (token refresh failing): the show goes on, the watch binds it', async () => {
    const { api, alerts, lifecycle, step } = rig();
    api.streamActive = true;
    const refreshFailed = new YouTubeApiError(
      'YOUTUBE_REQUEST_FAILED',
      "refreshing the channel's access failed (HTTP 503)",
      null,
      503,
    );
    api.bindFailures = { left: 2, error: refreshFailed };
    const url = await lifecycle.prepare();
    assert.equal(url, 'rtmp://ingest.example/live2/abcd-efgh', 'the data can flow meanwhile');
    lifecycle.start();
    await step(20_000);
    assert.equal(api.calls.filter((call) => call === 'insertBroadcast').length, 1);
    assert.equal(api.broadcasts.get('bc2')!.streamId, 'st1');
    assert.equal(lifecycle.state().broadcastId, 'bc2');
    assert.equal(lifecycle.state().live, true);
    assert.ok(alerts.raised.some((alert) => alert.code === 'YOUTUBE_BROADCAST_LIVE'));

    // A refusal YouTube means still stops GO LIVE.
    const refused = rig();
    refused.api.bindFailures = {
      left: 1,
      error: new YouTubeApiError('YOUTUBE_REQUEST_FAILED', 'forbidden', 'forbidden', 403),
    };
    await assert.rejects(refused.lifecycle.prepare(), /forbidden/);
  });

  it('the channel connected again: checked at once, the access alert clears without waiting for the next poll', async () => {
    const { api, alerts, lifecycle, step } = rig();
    api.streamActive = true;
    await lifecycle.prepare();
    lifecycle.start();
    await step(5000);
    api.failing = new YouTubeApiError('YOUTUBE_TOKEN_REVOKED', 'revoked', null, 401);
    await step(POLL_INTERVAL_MS);
    const key = 'destination:dest:3:youtube:access';
    assert.ok(alerts.open.has(key));
    api.failing = null;
    const before = api.calls.length;
    lifecycle.accessRestored();
    await step(1000);
    assert.ok(api.calls.length > before, 'a check at once');
    assert.equal(alerts.open.has(key), false);
    assert.equal(lifecycle.state().problem, null);
  });
});
