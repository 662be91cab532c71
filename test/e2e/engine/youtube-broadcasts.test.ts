// End to end (issue 17): a show on air to a YouTube destination whose broadcasts the appliance
// runs, against the local Google stand-in, with real ffmpeg publishing to a real nginx-rtmp that
// plays YouTube's ingestion server (the stand-in reads nginx's rtmp_stat to know whether data
// reaches a stream). YouTube ends the broadcast → the next one is made, bound to the same stream
// and live, and nginx shows the same publishing session; a broadcast that will not go live → a
// planned new RTMP session; quota spent → an alert, backoff, the stream continues; access revoked
// → an alert saying to reconnect, and reconnecting the channel through the API (device flow against
// the stand-in) clears it at once with the same RTMP session; binds failing (503, no answer) are
// retried on the same broadcast. The show's first broadcast is in History as well as the next ones.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAlerting, type Alerting } from '../../../src/alerts/index.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/logger.ts';
import type { RunningShow } from '../../../src/app/running-show.ts';
import { ShowControl } from '../../../src/app/show-control.ts';
import { ShowRunner } from '../../../src/app/show-runner.ts';
import type { ConnectAttemptView } from '../../../src/app/youtube-connect.ts';
import { pollForTokens, startDeviceFlow } from '../../../src/platforms/youtube/device-flow.ts';
import { saveConnection } from '../../../src/platforms/youtube/tokens.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import type { Store } from '../../../src/store/store.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { YouTubeApiSim } from '../../helpers/youtube-api-sim.ts';

const APP = 'live2';
/** The watch's pace here (the appliance's: 60 s polls, 60 s to go live). */
const POLL_MS = 1500;
const GO_LIVE_WITHIN_MS = 12_000;
/** What a user would tolerate for a broadcast to be on air, generous under load. */
const ON_AIR_DEADLINE_MS = 90_000;

describe('YouTube broadcasts on air (local Google stand-in, real ffmpeg and nginx-rtmp)', () => {
  const dir = tempDir('vistter-e2e-youtube-');
  let rtmp: RtmpServer;
  let sim: YouTubeApiSim;
  let store: Store;
  let api: ApiHarness;
  /** The API's show control: the show started here is handed to it, as a crash resume is. */
  let control: ShowControl;
  let connectionId: number;
  let alerting: Alerting;
  let destinationId: number;
  let timelineId: number;
  let show: RunningShow | null = null;

  /** Whether nginx has a publisher on the stream name now. */
  const publishing = async (name: string): Promise<boolean> =>
    (await rtmp.streams()).some((stream) => stream.app === APP && stream.name === name && stream.publishing);

  const runner = (): ShowRunner =>
    new ShowRunner({
      store,
      mediaRoot: dir.path,
      alerts: alerting.center,
      logger: createLogger('youtube-e2e'),
      youtube: { ...sim.endpoints, pollIntervalMs: POLL_MS, goLiveWithinMs: GO_LIVE_WITHIN_MS },
    });

  const goLive = (on: ShowRunner): Promise<RunningShow> =>
    on.start({
      timelineId,
      destinationIds: [destinationId],
      generatedCameras: [{ id: 1, name: 'Harbour', pattern: 'testsrc2', label: 'Harbour' }],
      encoder: { preset: 'ultrafast' },
    });

  const liveBroadcast = (id: string) =>
    waitFor(() => sim.broadcast(id)?.lifeCycleStatus === 'live', {
      timeoutMs: ON_AIR_DEADLINE_MS,
      intervalMs: 200,
      what: `broadcast ${id} live`,
    });

  /** nginx's id of the client publishing the stream now (null: none): the same id is the same
   *  RTMP session. */
  const publisherId = async (streamName: string): Promise<string | null> => {
    const xml = await (await fetch(`http://127.0.0.1:${rtmp.statPort}/stat`)).text();
    for (const block of xml.split('<stream>').slice(1)) {
      if (/<name>([^<]*)<\/name>/.exec(block)?.[1] !== streamName) continue;
      for (const client of block.split('<client>').slice(1))
        if (/<publishing\s*\/>/.test(client)) return /<id>(\d+)<\/id>/.exec(client)?.[1] ?? null;
    }
    return null;
  };

  const openAlert = (code: string) => store.alerts.open().find((alert) => alert.code === code);

  before(async () => {
    rtmp = await startRtmpServer({ apps: [APP] });
    sim = new YouTubeApiSim({
      interval: 1,
      ingestionAddress: `rtmp://127.0.0.1:${rtmp.port}/${APP}`,
      streamActivity: publishing,
      channelTitle: 'Harbour channel',
    });
    await sim.start();
    // The appliance's API (real routes, real store) for reconnecting the channel while on air.
    api = await createApiHarness((parts) => {
      store = parts.store;
      alerting = createAlerting({ alerts: store.alerts });
      control = new ShowControl({
        store: parts.store,
        runner: runner(),
        dataDir: parts.dataDir,
        clock: systemClock,
        preflight: async () => ({ ok: true, checks: [] }),
      });
      return { youtubeEndpoints: sim.endpoints, clock: systemClock, shows: control };
    });
    await api.signIn();
    store.settings.set('youtube.oauth_client', { client_id: sim.clientId, client_secret: sim.clientSecret });

    // Connect the channel as the device flow does (y2's routes do the same through the UI).
    const client = { clientId: sim.clientId, clientSecret: sim.clientSecret };
    const authorization = await startDeviceFlow(sim.endpoints, client, systemClock);
    sim.approve(authorization.userCode);
    const granted = await pollForTokens(sim.endpoints, client, authorization, systemClock);
    connectionId = saveConnection(store.youtubeConnections, 'Harbour channel', granted, systemClock);

    destinationId = store.destinations.create({
      name: 'Harbour on YouTube',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
      stream_key: null,
      youtube: {
        connection_id: connectionId,
        title: 'Harbour live',
        description: 'The harbour camera',
        privacy: 'unlisted',
        latency: 'low',
        dvr: true,
        auto_start: false,
        keep_archive: false,
      },
    }).id;
    timelineId = store.timelines.create({
      timeline: {
        name: 'Harbour all day',
        duration: 60,
        fps: 15,
        resolution: '320x180',
        loop: true,
        tracks: {
          video: {
            track_id: 'v',
            type: 'video',
            cues: [
              { id: 'c1', start_time: 0, duration: 60, action: 'show_camera', params: { camera_id: 1 } },
            ],
          },
        },
      },
    }).id;
  });

  after(async () => {
    await show?.stop().catch(() => undefined);
    await stopAllSupervised();
    alerting?.close();
    await api?.close();
    await sim?.stop();
    await rtmp?.destroy();
    dir.cleanup();
  });

  it('creates, binds and goes live; YouTube ends it → the next broadcast on the same stream, same RTMP session; quota spent → alert, backoff, stream continues', async () => {
    show = await goLive(runner());
    const [stream] = sim.allStreams();
    assert.ok(stream, 'a stream was made');
    const [first] = sim.allBroadcasts();
    assert.ok(first, 'a broadcast was made');
    assert.equal(first.title, 'Harbour live');
    assert.equal(first.privacyStatus, 'unlisted');
    assert.equal(first.latencyPreference, 'low');
    assert.equal(first.enableAutoStop, false);
    assert.equal(first.enableAutoStart, false);
    assert.equal(first.boundStreamId, stream.id);

    await rtmp.waitForPublisher(APP, stream.streamName, ON_AIR_DEADLINE_MS);
    await liveBroadcast(first.id);
    await waitFor(() => show!.youtubeStates()[0]?.live, { timeoutMs: 10_000, what: 'live state says live' });
    const state = show.youtubeStates()[0]!;
    assert.equal(state.watchUrl, `https://youtu.be/${first.id}`);
    assert.equal(state.streamStatus, 'active');
    const session = await publisherId(stream.streamName);
    assert.ok(session !== null, 'nginx shows the publisher');
    const firstEvent = await waitFor(
      () => store.alerts.list({ limit: 50 }).find((alert) => alert.code === 'YOUTUBE_BROADCAST_LIVE'),
      { timeoutMs: 10_000, what: 'the first broadcast in History' },
    );
    assert.match(
      firstEvent.message,
      new RegExp(`YouTube broadcast "Harbour live" created and live \\(https://youtu\\.be/${first.id}\\)`),
    );

    // YouTube ends the broadcast while RTMP stays up; binding the next one fails twice (503).
    const bytesBefore = (await rtmp.streams()).find((s) => s.name === stream.streamName)!.bytesIn;
    sim.failBinds(2, 'unavailable');
    sim.completeBroadcast(first.id);
    // Inserted, then bound: wait for both (the bind is a second call).
    const second = await waitFor(
      () => {
        const next = sim.allBroadcasts()[1];
        return next?.boundStreamId ? next : null;
      },
      {
        timeoutMs: 60_000,
        what: 'the next broadcast',
      },
    );
    assert.equal(second.boundStreamId, stream.id, 'bound to the same stream');
    assert.equal(sim.bindFailuresLeft, 0, 'bound after the failed binds');
    assert.equal(sim.allBroadcasts().length, 2, 'the failed bind was tried again, no other broadcast made');
    await liveBroadcast(second.id);
    await delay(3000);
    const afterRenewal = (await rtmp.streams()).find((s) => s.name === stream.streamName);
    assert.ok(afterRenewal?.publishing, 'still publishing');
    assert.ok(afterRenewal.bytesIn > bytesBefore, 'data kept flowing');
    assert.equal(await publisherId(stream.streamName), session, 'the same RTMP session: no reconnect');
    assert.equal(sim.allStreams().length, 1, 'no new stream');
    const history = store.alerts
      .list({ limit: 50 })
      .find((alert) => alert.code === 'YOUTUBE_BROADCAST_COMPLETE');
    assert.ok(history, 'History has the new broadcast');
    assert.match(history.message, new RegExp(`ended the broadcast ${first.id}.*next broadcast ${second.id}`));
    await waitFor(
      () => show!.youtubeStates()[0]?.broadcastId === second.id && show!.youtubeStates()[0]!.live,
      {
        timeoutMs: 10_000,
        what: 'the live state on the new broadcast',
      },
    );

    // Quota spent: an alert, calls held back, the stream goes on.
    sim.exhaustQuota();
    const quota = await waitFor(() => openAlert('YOUTUBE_QUOTA_EXCEEDED'), {
      timeoutMs: 20_000,
      what: 'the quota alert',
    });
    assert.match(quota.message, /quota is spent.*RTMP stream continues/);
    const apiCalls = () => sim.requests.filter((request) => request.includes('/youtube/v3/')).length;
    const callsAtAlert = apiCalls();
    const bytesAtAlert = (await rtmp.streams()).find((s) => s.name === stream.streamName)!.bytesIn;
    await delay(4 * POLL_MS);
    assert.equal(apiCalls(), callsAtAlert, 'backed off: no API call during the pause');
    const stillThere = (await rtmp.streams()).find((s) => s.name === stream.streamName);
    assert.ok(stillThere?.publishing && stillThere.bytesIn > bytesAtAlert, 'the stream continues');
    assert.equal(await publisherId(stream.streamName), session, 'still the same RTMP session');
    assert.match(show.youtubeStates()[0]!.problem ?? '', /quota/);

    const outcome = await show.stop();
    show = null;
    assert.equal(outcome.status, 'stopped');
    assert.equal(openAlert('YOUTUBE_QUOTA_EXCEEDED'), undefined, 'cleared when the show stops');
  });

  it('reuses the stream; a broadcast that will not go live → a planned new RTMP session; access revoked → an alert to reconnect', async () => {
    // A show the first test left running (it failed midway) must not outlive the suite.
    await show?.stop().catch(() => undefined);
    show = null;
    sim.resetQuota();
    const streamInserts = () =>
      sim.requests.filter((request) => request === 'POST /youtube/v3/liveStreams').length;
    const insertsBefore = streamInserts();
    show = await goLive(runner()); // a new runner: the first one's quota pause is its own
    assert.equal(streamInserts(), insertsBefore, 'the saved stream is reused');
    const [stream] = sim.allStreams();
    const current = sim.allBroadcasts().at(-1)!;
    assert.equal(current.boundStreamId, stream!.id);
    await liveBroadcast(current.id);
    const sessionBefore = await publisherId(stream!.streamName);
    assert.ok(sessionBefore !== null);

    // The next broadcast cannot go live (as if YouTube did not see the data): a new RTMP session.
    // Its first bind gets no answer at all (a network failure): tried again, on the same broadcast.
    sim.holdLive = true;
    sim.failBinds(1, 'no-answer');
    const broadcastsBefore = sim.allBroadcasts().length;
    sim.completeBroadcast(current.id);
    const next = await waitFor(
      () => {
        const latest = sim.allBroadcasts().at(-1);
        return latest && latest.id !== current.id && latest.boundStreamId !== null ? latest : null;
      },
      { timeoutMs: 30_000, what: 'the next broadcast' },
    );
    assert.equal(next.boundStreamId, stream!.id);
    assert.equal(sim.bindFailuresLeft, 0);
    assert.equal(sim.allBroadcasts().length, broadcastsBefore + 1, 'one new broadcast, bound after a retry');
    const newSession = await waitFor(
      async () => {
        const id = await publisherId(stream!.streamName);
        return id !== null && id !== sessionBefore ? id : null;
      },
      { timeoutMs: GO_LIVE_WITHIN_MS + 40_000, intervalMs: 200, what: 'a new RTMP session' },
    );
    const fallback = store.alerts
      .list({ limit: 50 })
      .find((alert) => alert.code === 'DESTINATION_SESSION_RESTARTED');
    assert.ok(fallback, 'History has the fallback');
    assert.match(fallback.message, new RegExp(`broadcast ${next.id} was not live .*new RTMP session`));
    sim.holdLive = false;
    await liveBroadcast(next.id);

    // The owner removes the appliance's access: an alert saying to reconnect; the stream goes on.
    sim.revokeAllTokens();
    const revoked = await waitFor(() => openAlert('YOUTUBE_TOKEN_REVOKED'), {
      timeoutMs: 20_000,
      what: 'the access alert',
    });
    assert.match(revoked.message, /Reconnect the channel in Destinations/);
    assert.match(revoked.remediation, /Reconnect the channel in Destinations/);
    await delay(3000);
    assert.equal(await publisherId(stream!.streamName), newSession, 'the stream continues, no reconnect');
    assert.equal(store.youtubeConnections.get(connectionId).revokedAt !== null, true, 'needs reconnecting');

    // The operator connects the channel again through the API (device flow against the stand-in).
    control.adopt(show, { demo: false });
    const started = await api.call('POST', '/api/youtube/connect', { reconnect: connectionId });
    assert.equal(started.statusCode, 201, started.body);
    const attempt = started.json<ConnectAttemptView>();
    const checkedBefore = show.youtubeStates()[0]!.checkedAt;
    sim.approve(attempt.userCode);
    const connected = await waitFor(
      async () => {
        const view = (await api.call('GET', `/api/youtube/connect/${attempt.id}`)).json<ConnectAttemptView>();
        return view.state === 'connected' ? view : null;
      },
      { timeoutMs: 20_000, what: 'the channel connected again' },
    );
    assert.equal(connected.reconnected, true);
    assert.equal(connected.connection?.id, connectionId, 'the same connection, new tokens');
    assert.equal(store.youtubeConnections.get(connectionId).revokedAt, null);
    // At once, not at the next poll: the alert clears and the lifecycle's call works again.
    await waitFor(() => openAlert('YOUTUBE_TOKEN_REVOKED') === undefined, {
      timeoutMs: 10_000,
      what: 'the access alert cleared',
    });
    await waitFor(
      () => {
        const state = show!.youtubeStates()[0]!;
        return state.problem === null && state.checkedAt !== checkedBefore;
      },
      { timeoutMs: 10_000, what: 'a successful check with the new tokens' },
    );
    assert.equal(show.youtubeStates()[0]!.live, true);
    assert.equal(await publisherId(stream!.streamName), newSession, 'still the same RTMP session');
    const history = store.alerts.list({ limit: 50 }).find((alert) => alert.code === 'YOUTUBE_TOKEN_REVOKED');
    assert.ok(history?.cleared_at, 'History has the revoked access, cleared by the reconnect');
    await show.stop();
    show = null;
  });
});
