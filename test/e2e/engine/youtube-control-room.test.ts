// The control room with a YouTube destination whose broadcasts the appliance runs (issue 17): the
// real appliance (its Google endpoints pointed at the local stand-in), real ffmpeg publishing to
// nginx-rtmp as YouTube's ingestion server, chromium. While the RTMP session is up but YouTube has
// not taken the broadcast live, the LIVE line says so; once live, the card shows the watch link.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { systemClock } from '../../../src/core/clock.ts';
import { pollForTokens, startDeviceFlow } from '../../../src/platforms/youtube/device-flow.ts';
import { saveConnection } from '../../../src/platforms/youtube/tokens.ts';
import { openStore } from '../../../src/store/store.ts';
import { a11yViolations } from '../../helpers/a11y.ts';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import { launchBrowser, openPage, saveScreenshot, signInAs, type UiPage } from '../../helpers/browser.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { YouTubeApiSim } from '../../helpers/youtube-api-sim.ts';

const APP = 'live2';
/** What an operator would wait for the show to be on air, generous under load. */
const ON_AIR_WITHIN_MS = 90_000;

describe('control room: a YouTube broadcast’s status on the LIVE line and its card', () => {
  const dir = tempDir('vistter-e2e-youtube-ui-');
  const dataDir = join(dir.path, 'data');
  let rtmp: RtmpServer | undefined;
  let sim: YouTubeApiSim | undefined;
  let camera: CameraSim | undefined;
  let browser: Browser | undefined;
  let appliance: Appliance | undefined;
  let ui: UiPage | undefined;
  let api: ApplianceClient;
  let timelineId = 0;
  let destinationId = 0;

  before(async () => {
    [rtmp, camera, browser] = await Promise.all([
      startRtmpServer({ apps: [APP] }),
      startCameraSim({ cameras: [{ name: 'dock', color: 0x3070b0 }], width: 320, height: 180, fps: 15 }),
      launchBrowser(),
    ]);
    const nginx = rtmp;
    sim = new YouTubeApiSim({
      interval: 1,
      ingestionAddress: `rtmp://127.0.0.1:${nginx.port}/${APP}`,
      streamActivity: async (name) =>
        (await nginx.streams()).some((s) => s.app === APP && s.name === name && s.publishing),
    });
    await sim.start();
    const env = applianceEnv(dataDir, {
      VISTTER_YOUTUBE_OAUTH_URL: sim.endpoints.oauthBaseUrl,
      VISTTER_YOUTUBE_API_URL: sim.endpoints.apiBaseUrl,
    });

    // The channel connected and the destination set up in the store before the appliance starts
    // (the Destinations UI that does it is another part's).
    const store = openStore({ dataDir, secretKey: Buffer.from(env['VISTTER_SECRET_KEY']!, 'base64') });
    const client = { clientId: sim.clientId, clientSecret: sim.clientSecret };
    store.settings.set('youtube.oauth_client', {
      client_id: client.clientId,
      client_secret: client.clientSecret,
    });
    const authorization = await startDeviceFlow(sim.endpoints, client, systemClock);
    sim.approve(authorization.userCode);
    const granted = await pollForTokens(sim.endpoints, client, authorization, systemClock);
    const connectionId = saveConnection(store.youtubeConnections, 'Harbour channel', granted, systemClock);
    const cameraId = store.cameras.create({ name: 'Dock', stream_url: camera.urls[0]! }).id;
    destinationId = store.destinations.create({
      name: 'Harbour on YouTube',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
      stream_key: null,
      youtube: { connection_id: connectionId, title: 'Harbour live', privacy: 'public' },
    }).id;
    timelineId = store.timelines.create({
      timeline: {
        name: 'Harbour all day',
        duration: 600,
        fps: 15,
        resolution: '320x180',
        loop: true,
        tracks: {
          video: {
            track_id: 'v',
            type: 'video',
            cues: [
              {
                id: 'c1',
                start_time: 0,
                duration: 600,
                action: 'show_camera',
                params: { camera_id: cameraId },
              },
            ],
          },
        },
      },
    }).id;
    store.close();

    appliance = await startAppliance(env);
    api = new ApplianceClient(appliance.url);
    await api.setup();
    ui = await openPage(browser, appliance.url);
  });

  after(async () => {
    if (appliance && process.exitCode) console.error(appliance.output().slice(-4000));
    await ui?.context.close();
    await browser?.close();
    await appliance?.stop();
    await Promise.all([sim?.stop(), camera?.stop(), rtmp?.destroy()]);
    dir.cleanup();
  });

  it('RTMP up but the broadcast not live is not plain LIVE; once live, the card has the watch link', async () => {
    const { page } = ui!;
    await signInAs(page);
    await page.getByRole('heading', { name: 'Control room' }).waitFor();
    // YouTube does not take it live yet (as if it had not seen the data).
    sim!.holdLive = true;
    const goLive = await api.request('POST', '/api/show/go-live', {
      timelineId,
      destinationIds: [destinationId],
    });
    assert.equal(goLive.status, 202, JSON.stringify(goLive.body));

    const stateBadge = page.getByTestId('show-state');
    await stateBadge
      .filter({ hasText: 'LIVE · YouTube broadcast not live yet (ready)' })
      .waitFor({ timeout: ON_AIR_WITHIN_MS });
    const card = page.getByRole('region', { name: 'YouTube broadcasts' });
    await card.getByText('Not live yet (ready)').waitFor();
    await card.getByText(/Stream: active, health good/).waitFor({ timeout: 15_000 });
    const notDelivering = page.getByRole('list', { name: 'Destinations not receiving the stream' });
    assert.match(await notDelivering.innerText(), /Harbour on YouTube.*YouTube broadcast not live yet/s);
    await saveScreenshot(page, 'y1-youtube-1-not-live-yet');

    sim!.holdLive = false;
    await stateBadge.filter({ hasText: /^LIVE$/ }).waitFor({ timeout: 30_000 });
    await card.getByText('Live on YouTube').waitFor();
    const [broadcast] = sim!.allBroadcasts();
    assert.equal(broadcast?.lifeCycleStatus, 'live');
    const watch = card.getByRole('link', { name: `https://youtu.be/${broadcast.id}` });
    assert.equal(await watch.getAttribute('href'), `https://youtu.be/${broadcast.id}`);
    assert.match(await card.innerText(), /Broadcasts this show: 1/);
    await saveScreenshot(page, 'y1-youtube-2-live');
    assert.deepEqual(await a11yViolations(page), []);
    assert.deepEqual(ui!.pageErrors, []);

    const stop = await api.request('POST', '/api/show/stop');
    assert.ok(stop.status < 300, JSON.stringify(stop.body));
    await stateBadge.filter({ hasText: 'Off air' }).waitFor({ timeout: 60_000 });
    assert.equal(sim!.broadcast(broadcast.id)?.lifeCycleStatus, 'complete', 'completed at stop');

    // History has the show's first broadcast, as it has the next ones (an event: under all alerts).
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByLabel('Which alerts').selectOption('all');
    const event = page.getByText(
      `YouTube broadcast "Harbour live" created and live (https://youtu.be/${broadcast.id})`,
    );
    await event.waitFor({ timeout: 15_000 });
    await event.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'g2-3-history-first-broadcast');
    assert.deepEqual(ui!.pageErrors, []);
  });
});
