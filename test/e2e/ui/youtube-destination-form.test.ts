// The destination form with "Manage broadcasts through the YouTube API" on, in a real browser: the
// server address and stream key come from YouTube then, so their fields give way to a read-only
// "Set by YouTube" line; the destination saves without them (even with a wrong address typed before
// the box was ticked) and passes the GO LIVE pre-flight without a stream key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../../src/core/clock.ts';
import { runPreflight } from '../../../src/app/preflight.ts';
import { a11yViolations } from '../../helpers/a11y.ts';
import { saveScreenshot, useBrowserUi } from '../../helpers/browser.ts';
import { YouTubeApiSim } from '../../helpers/youtube-api-sim.ts';

describe('destination form: YouTube-managed broadcasts need no address nor key (chromium)', () => {
  const sim = new YouTubeApiSim({ interval: 1 });
  before(() => sim.start());
  after(() => sim.stop());
  const ui = useBrowserUi({ serve: () => ({ youtubeEndpoints: sim.endpoints, clock: systemClock }) });

  it('hides the address and key, says YouTube sets them, saves without them and passes pre-flight', async () => {
    const { store } = ui.served.api;
    store.settings.set('youtube.oauth_client', { client_id: sim.clientId, client_secret: sim.clientSecret });
    const connectionId = store.youtubeConnections.create(
      'Harbour channel',
      { refreshToken: 'rt-harbour', accessToken: null, accessExpiresAt: null, scope: 'youtube' },
      Date.now(),
    );
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/destinations');
    await page.getByRole('button', { name: 'Add your first destination' }).click();
    await page.getByRole('radio', { name: 'YouTube Live' }).check();
    await page.getByLabel('Name', { exact: true }).fill('Harbour YouTube');
    const server = page.getByLabel('Server address', { exact: true });
    const key = page.getByLabel('Stream key', { exact: true });
    await server.waitFor();
    assert.equal(await key.count(), 1, 'a plain YouTube destination asks for the key');
    // A wrong address typed before choosing the API must not block saving afterwards.
    await server.fill('http://not-an-ingest');

    await page.getByRole('checkbox', { name: 'Manage broadcasts through the YouTube API' }).check();
    const setByYouTube = page.getByRole('group', { name: 'Server address and stream key' });
    await setByYouTube.getByText('Set by YouTube').waitFor();
    assert.match(await setByYouTube.innerText(), /ingestion address and stream key of the stream/);
    assert.equal(await server.count(), 0, 'no server address field');
    assert.equal(await key.count(), 0, 'no stream key field');
    await page.getByLabel('Channel', { exact: true }).selectOption(String(connectionId));
    await page.getByLabel('Broadcast title').fill('Harbour live');
    assert.deepEqual(await a11yViolations(page), []);
    await saveScreenshot(page, 'g2-1-youtube-api-form');

    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('Destination “Harbour YouTube” added.').waitFor();
    const [saved] = store.destinations.list();
    assert.ok(saved);
    assert.equal(saved.stream_key_masked, null);
    assert.equal(
      saved.server_url,
      'rtmp://a.rtmp.youtube.com/live2',
      "the platform's address, not the typed one",
    );
    assert.equal(saved.youtube?.connection_id, connectionId);
    // The list says the same: no server address of its own.
    const row = page.getByRole('row').filter({ hasText: 'Harbour YouTube' });
    await row.getByText('Set by YouTube').waitFor();
    assert.equal(await row.getByText('rtmp://a.rtmp.youtube.com/live2').count(), 0);

    // GO LIVE's pre-flight takes it without a stream key.
    const camera = store.cameras.create({ name: 'Dock', stream_url: 'rtsp://10.0.0.1/s1' }).id;
    const timelineId = store.timelines.create({
      timeline: {
        name: 'Harbour',
        duration: 30,
        resolution: '1280x720',
        loop: false,
        tracks: {
          video: {
            track_id: 'video',
            type: 'video',
            cues: [
              { id: 'c1', start_time: 0, duration: 30, action: 'show_camera', params: { camera_id: camera } },
            ],
          },
          overlays: [],
        },
      },
    }).id;
    const report = await runPreflight({
      store,
      timelineId,
      destinationIds: [saved.id],
      mediaRoot: ui.served.api.dataDir,
      clock: systemClock,
      arch: 'x64',
      probeCamera: async () => ({
        ok: true,
        video: { codec: 'h264', width: 1280, height: 720, fps: 30 },
        audio: null,
        latencyMs: 50,
      }),
      detectEncoder: async () => ({ encoder: 'libx264', tried: [] }),
    });
    const destinations = report.checks.find((check) => check.id === 'destinations');
    assert.equal(destinations?.status, 'ok', JSON.stringify(destinations));

    // Editing it: still no fields; ticked off, the address and key come back.
    await page.getByRole('button', { name: 'Edit Harbour YouTube' }).click();
    await setByYouTube.waitFor();
    assert.equal(await server.count(), 0);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Destination “Harbour YouTube” saved.').waitFor();
    await page.getByRole('button', { name: 'Edit Harbour YouTube' }).click();
    await page.getByRole('checkbox', { name: 'Manage broadcasts through the YouTube API' }).uncheck();
    await server.waitFor();
    assert.equal(await key.count(), 1);
    assert.equal(await setByYouTube.count(), 0);
    await saveScreenshot(page, 'g2-2-plain-key-form');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
