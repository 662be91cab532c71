// The Destinations page in a real browser: pick a platform (the server is filled in and the page
// says where the key is), save with a stream key (stored sealed; the page only ever shows the mask),
// field errors next to their field, the enabled switch, edit keeping the key, delete with confirmation;
// a platform change clears the previous platform's errors. Then, against the real appliance and a
// real nginx-rtmp: "Test" publishes a few seconds of test pattern (the server records them), says in
// plain words why it failed once the server is stopped, and is refused while the show streams to
// the destination; meanwhile the camera list reads "On air".
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { a11yViolations } from '../../helpers/a11y.ts';
import { ApplianceClient } from '../../helpers/appliance.ts';
import { openPage, recordApiBodies, saveScreenshot, signInAs, useBrowserUi } from '../../helpers/browser.ts';
import { useControlRoomRig } from '../../helpers/control-room-rig.ts';
import { probeFile, videoFrameTimes } from '../../helpers/media-probe.ts';
import { waitFor } from '../../helpers/proc.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const STREAM_KEY = 'abcd-efgh-ijkl-9x2k';

describe('Destinations page (chromium)', () => {
  const ui = useBrowserUi({ firstRun: 'browser' });

  it('adds a YouTube destination: the server is filled in, the key is stored and only its mask is shown', async () => {
    const { page, context, pageErrors } = await openPage(ui.browser, ui.served.url);
    const bodies = recordApiBodies(page);
    await signInAs(page);
    await page.goto('/destinations');
    await page.getByRole('heading', { name: 'No destinations yet' }).waitFor();
    await page.getByRole('button', { name: 'Add your first destination' }).click();

    // Picking a platform fills its server and name and says where its key is.
    await page.getByRole('radio', { name: 'Twitch' }).check();
    assert.equal(await page.getByLabel('Server address').inputValue(), 'rtmp://live.twitch.tv/app');
    assert.match(await page.getByRole('note').innerText(), /Twitch Creator Dashboard/);
    await page.getByRole('radio', { name: 'YouTube Live' }).check();
    assert.equal(await page.getByLabel('Server address').inputValue(), 'rtmp://a.rtmp.youtube.com/live2');
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'YouTube Live');
    assert.match(await page.getByRole('note').innerText(), /YouTube Studio.*Stream key/);

    // Without a key, YouTube is refused next to the key field; nothing is stored.
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('is required for YouTube Live').waitFor();
    assert.equal(ui.served.api.store.destinations.list().length, 0);

    await page.getByLabel('Name', { exact: true }).fill('Marina YouTube');
    await page.getByLabel('Stream key', { exact: true }).fill(STREAM_KEY);
    await saveScreenshot(page, 'destinations-01-form');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('Destination “Marina YouTube” added.').waitFor();

    const [stored] = ui.served.api.store.destinations.list();
    assert.ok(stored);
    assert.equal(stored.platform, 'youtube');
    assert.equal(stored.server_url, 'rtmp://a.rtmp.youtube.com/live2');
    assert.equal(ui.served.api.store.destinations.streamKey(stored.id), STREAM_KEY);
    const row = page.getByRole('row').filter({ hasText: 'Marina YouTube' });
    const mask = await row.getByRole('cell').nth(3).innerText();
    assert.match(mask, /^•+9x2k$/);
    await saveScreenshot(page, 'destinations-02-list');

    // Editing shows the mask, keeps the key when it is not replaced.
    await page.getByRole('button', { name: 'Edit Marina YouTube' }).click();
    const keyGroup = page.getByRole('group', { name: 'Stream key' });
    assert.match(await keyGroup.innerText(), /•+9x2k/);
    await page.getByLabel('Name', { exact: true }).fill('Marina live');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Destination “Marina live” saved.').waitFor();
    assert.equal(ui.served.api.store.destinations.get(stored.id).name, 'Marina live');
    assert.equal(ui.served.api.store.destinations.streamKey(stored.id), STREAM_KEY);

    // The enabled switch changes the destination at once.
    const enabled = page.getByRole('switch', { name: 'Marina live enabled' });
    await enabled.uncheck();
    await page
      .getByRole('switch', { name: 'Marina live enabled', checked: false })
      .and(page.locator(':enabled'))
      .waitFor();
    assert.equal(ui.served.api.store.destinations.get(stored.id).enabled, false);

    for (const body of bodies) assert.ok(!body.includes(STREAM_KEY), `answer leaks the key: ${body}`);
    assert.ok(!(await page.content()).includes(STREAM_KEY));
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('shows a bad server address next to its field, then deletes after confirmation', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/destinations');
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByRole('radio', { name: 'Custom RTMP/RTMPS/SRT' }).check();
    assert.equal(await page.getByLabel('Server address').inputValue(), '');
    assert.match(await page.getByRole('note').innerText(), /rtmp:\/\/, rtmps:\/\/ or srt:\/\//);
    await page.getByLabel('Name', { exact: true }).fill('Club server');
    await page.getByLabel('Server address').fill('http://stream.example.com/live');
    await page.getByRole('button', { name: 'Save destination' }).click();
    const server = page.getByLabel('Server address');
    await page.getByText(/must be an RTMP, RTMPS or SRT URL/).waitFor();
    assert.equal(await server.getAttribute('aria-invalid'), 'true');
    assert.match(
      await page.locator(`[id="${await server.getAttribute('aria-describedby')}"]`).innerText(),
      /must be an RTMP, RTMPS or SRT URL/,
    );
    await saveScreenshot(page, 'destinations-03-field-error');

    // A platform's scheme rule is refused next to the field too.
    await page.getByRole('radio', { name: 'Facebook Live' }).check();
    await page.getByLabel('Server address').fill('rtmp://live-api-s.facebook.com/rtmp/');
    await page.getByLabel('Stream key', { exact: true }).fill('FB-1234');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page
      .getByText(/accepts RTMPS only/)
      .first()
      .waitFor();
    assert.equal(ui.served.api.store.destinations.list().length, 1);

    await page.getByLabel('Server address').fill('srt://127.0.0.1:9000');
    await page.getByRole('radio', { name: 'Custom RTMP/RTMPS/SRT' }).check();
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('Destination “Club server” added.').waitFor();
    assert.equal(ui.served.api.store.destinations.list().length, 2);

    await page.getByRole('button', { name: 'Delete Club server' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete destination “Club server”?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(ui.served.api.store.destinations.list().length, 2);
    await page.getByRole('button', { name: 'Delete Club server' }).click();
    await dialog.getByRole('button', { name: 'Delete destination' }).click();
    await page.getByText('Destination “Club server” deleted.').waitFor();
    assert.deepEqual(
      ui.served.api.store.destinations.list().map((d) => d.name),
      ['Marina live'],
    );
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('switching the platform clears the previous platform’s errors: they belong to the fields shown', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/destinations');
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByRole('radio', { name: 'YouTube Live' }).check();
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('is required for YouTube Live').waitFor();
    const key = page.getByLabel('Stream key', { exact: true });
    assert.equal(await key.getAttribute('aria-invalid'), 'true');

    await page.getByRole('radio', { name: 'Custom RTMP/RTMPS/SRT' }).check();
    assert.equal(await page.getByText('is required for YouTube Live').count(), 0);
    assert.equal(await page.getByText('YouTube Live needs a stream key.').count(), 0);
    assert.notEqual(await key.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);

    // A server's refusal goes too when the platform changes.
    await page.getByLabel('Name', { exact: true }).fill('Club server');
    await page.getByLabel('Server address').fill('http://stream.example.com/live');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText(/must be an RTMP, RTMPS or SRT URL/).waitFor();
    await page.getByRole('radio', { name: 'Twitch' }).check();
    assert.equal(await page.getByText(/must be an RTMP, RTMPS or SRT URL/).count(), 0);
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
    await saveScreenshot(page, 'destinations-04-preset-change-clears-errors');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});

const W = 320;
const H = 180;
const FPS = 15;
const YOUTUBE_KEY = 'h7yt-abcd-efgh-ijkl';

describe('Testing a destination against nginx-rtmp, and the camera list on air (chromium, real appliance)', () => {
  const rig = useControlRoomRig('vistter-e2e-ui-desttest-', {
    width: W,
    height: H,
    fps: FPS,
    cameraColor: 0x2060d0,
    streamKey: 'program',
    timeline: (cameraId) =>
      cameraTimeline({
        name: 'Harbour loop',
        duration: 600,
        fps: FPS,
        resolution: `${W}x${H}`,
        loop: true,
        cues: [{ camera: cameraId, start: 0, duration: 600 }],
      }),
  });
  const api = () => {
    const client = new ApplianceClient(rig.appliance.url);
    return client;
  };
  let client: ApplianceClient;

  it('a YouTube-preset destination asks first, then publishes 4 s the server really records', async () => {
    client = api();
    const login = await client.request('POST', '/api/auth/login', {
      username: 'admin',
      password: 'correct horse battery',
    });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    // A YouTube destination whose server is the local nginx: the page treats it as YouTube.
    const youtube = await client.request('POST', '/api/destinations', {
      name: 'Marina YouTube',
      platform: 'youtube',
      server_url: `rtmp://127.0.0.1:${rig.rtmp.port}/live`,
      stream_key: YOUTUBE_KEY,
    });
    assert.equal(youtube.status, 201, JSON.stringify(youtube.body));

    const { page } = rig.ui;
    const bodies = recordApiBodies(page);
    await signInAs(page);
    await page.goto('/destinations');
    await page.getByRole('button', { name: 'Test Marina YouTube' }).click();
    const dialog = page.getByRole('dialog', { name: 'Test “Marina YouTube” on YouTube Live?' });
    await dialog.getByText(/can start a public live broadcast on your channel/).waitFor();
    await saveScreenshot(page, 'destinations-10-test-confirm');
    assert.deepEqual(await a11yViolations(page), [], 'the confirmation dialog');
    // Cancel sends nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(rig.rtmp.recordings('live').filter((f) => basename(f).startsWith(YOUTUBE_KEY)).length, 0);

    await page.getByRole('button', { name: 'Test Marina YouTube' }).click();
    await dialog.getByRole('button', { name: 'Send the test stream' }).click();
    await page.getByText('Testing “Marina YouTube”: sending 4 s of test pattern…').waitFor();
    const publishing = await rig.rtmp.waitForPublisher('live', YOUTUBE_KEY, 15_000);
    assert.ok(publishing.publishing);
    await saveScreenshot(page, 'destinations-11-test-running');
    const result = page
      .getByRole('region', { name: 'Destination tests' })
      .getByText(/Reached 127\.0\.0\.1: published \d+ s \(\d+ frames\) — the server accepted the stream\./);
    await result.waitFor({ timeout: 30_000 });
    const words = await result.innerText();
    const frames = Number(/\((\d+) frames\)/.exec(words)?.[1]);
    assert.ok(frames >= 100 && frames <= 125, `frames reported: ${frames}`);
    await saveScreenshot(page, 'destinations-12-test-reached');
    assert.deepEqual(await a11yViolations(page), [], 'the list with a test result');

    // The server really has them: nginx recorded the stream under the key.
    await rig.rtmp.waitForNoPublisher('live', YOUTUBE_KEY);
    const [recording] = rig.rtmp.recordings('live').filter((f) => basename(f).startsWith(YOUTUBE_KEY));
    assert.ok(recording, 'nginx recorded the test stream');
    const probe = await probeFile(recording);
    assert.equal(probe.video?.width, 320);
    assert.equal(probe.video?.height, 180);
    assert.ok(probe.audio, 'the tone arrived too');
    const received = (await videoFrameTimes(recording)).length;
    assert.ok(received >= 90, `nginx recorded ${received} frames`);
    for (const body of bodies) assert.ok(!body.includes(YOUTUBE_KEY), `an answer holds the key: ${body}`);
    assert.ok(!rig.appliance.output().includes(YOUTUBE_KEY), 'the appliance logged the stream key');

    // The form tests the saved destination too, with the same question first.
    await page.getByRole('button', { name: 'Edit Marina YouTube' }).click();
    const form = page.getByRole('form', { name: 'Destination settings' });
    await form.getByRole('button', { name: 'Test the saved destination' }).click();
    await dialog.getByRole('button', { name: 'Send the test stream' }).click();
    await form
      .getByText(/Reached 127\.0\.0\.1: published \d+ s \(\d+ frames\) — the server accepted the stream\./)
      .waitFor({ timeout: 30_000 });
    await saveScreenshot(page, 'destinations-15-test-in-form');
    assert.deepEqual(await a11yViolations(page), [], 'the form with a test result');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await rig.rtmp.waitForNoPublisher('live', YOUTUBE_KEY);
    assert.equal(rig.rtmp.recordings('live').filter((f) => basename(f).startsWith(YOUTUBE_KEY)).length, 2);
  });

  it('with the server stopped: a plain-words failure and what to do, no confirmation for a custom server', async () => {
    const { page } = rig.ui;
    await rig.rtmp.stop();
    try {
      await page.getByRole('button', { name: 'Test Local nginx' }).click();
      assert.equal(await page.getByRole('dialog').count(), 0);
      const failure = page.getByRole('region', { name: 'Destination tests' }).getByRole('alert').filter({
        hasText: 'Local nginx: Could not publish to 127.0.0.1: The streaming server refused the connection.',
      });
      await failure.waitFor({ timeout: 30_000 });
      assert.match(await failure.innerText(), /that the server is running, .*then test again/);
      await saveScreenshot(page, 'destinations-13-test-refused');
    } finally {
      await rig.rtmp.start();
    }
  });

  it('while the show streams to it, its test is refused; the camera list reads On air', async () => {
    const timelines = await client.request<Array<{ id: number; name: string }>>('GET', '/api/timelines');
    const timelineId = timelines.body.find((t) => t.name === 'Harbour loop')?.id;
    const destinations = await client.request<Array<{ id: number; name: string }>>(
      'GET',
      '/api/destinations',
    );
    const localId = destinations.body.find((d) => d.name === 'Local nginx')?.id;
    assert.ok(timelineId !== undefined && localId !== undefined);
    const goLive = await client.request('POST', '/api/show/go-live', {
      timelineId,
      destinationIds: [localId],
    });
    assert.equal(goLive.status, 202, JSON.stringify(goLive.body));
    try {
      await rig.rtmp.waitForPublisher('live', 'program', 30_000);
      const { page } = rig.ui;
      await page.getByRole('button', { name: 'Test Local nginx' }).click();
      const refusal = page
        .getByRole('region', { name: 'Destination tests' })
        .getByRole('alert')
        .filter({ hasText: 'is receiving the show on air' });
      await refusal.waitFor({ timeout: 15_000 });
      assert.match(await refusal.innerText(), /Test it once the show has stopped/);
      await saveScreenshot(page, 'destinations-14-test-on-air');
      const direct = await client.request('POST', `/api/destinations/${localId}/test`);
      assert.equal(direct.status, 409);
      assert.equal((direct.body as { code?: string }).code, 'DESTINATION_TEST_ON_AIR');
      // The show kept its destination: still one publisher, still growing.
      const before = (await rig.rtmp.streams()).find((s) => s.name === 'program')?.bytesIn ?? 0;
      await waitFor(
        async () =>
          ((await rig.rtmp.streams()).find((s) => s.name === 'program')?.bytesIn ?? 0) > before
            ? true
            : undefined,
        { timeoutMs: 10_000, intervalMs: 200, what: 'the show still publishing' },
      );

      await page.getByRole('link', { name: 'Cameras' }).click();
      const row = page.getByRole('row').filter({ hasText: 'Dock' });
      await row.getByText('On air', { exact: true }).waitFor({ timeout: 30_000 });
      assert.equal(await row.getByText('Not tested').count(), 0);
      // A test on air: the live state stays first, the test's result goes under it.
      await page.getByRole('button', { name: 'Test Dock' }).click();
      await row.getByText(/^Last test: connected, H264 320×180/).waitFor({ timeout: 30_000 });
      await row.getByText('On air', { exact: true }).waitFor();
      await saveScreenshot(page, 'cameras-10-live');
    } finally {
      const stop = await client.request('POST', '/api/show/stop');
      assert.equal(stop.status, 200, JSON.stringify(stop.body));
    }
    // Off air: the list shows the last test again, first.
    const row = rig.ui.page.getByRole('row').filter({ hasText: 'Dock' });
    await row.getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    await row.getByText('On air', { exact: true }).waitFor({ state: 'detached' });
  });
});
