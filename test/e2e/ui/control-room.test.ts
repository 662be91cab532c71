// The control room in a real browser against the real appliance (src/main.ts): a simulated RTSP
// camera and a local nginx-rtmp are configured through the API (the builder is tested on its
// own); then, as an operator: sign in → the demo show is on air → GO LIVE → the pre-flight
// checklist → start immediately → LIVE, the timeline and the camera on air → the preview plays
// → the emergency test pattern on and off → stop (confirmed) → off air. Finally what nginx-rtmp
// recorded is probed: the program really reached the destination.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { saveScreenshot, signInAs } from '../../helpers/browser.ts';
import { useControlRoomRig } from '../../helpers/control-room-rig.ts';
import { previewCentreColour, videoState } from '../../helpers/control-room-ui.ts';
import { probeFile } from '../../helpers/media-probe.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const W = 320;
const H = 180;
const FPS = 15;
const TIMELINE = 'Marina afternoon';
const BROKEN = 'Gate camera show';

describe('control room (chromium, real appliance)', () => {
  const rig = useControlRoomRig('vistter-e2e-ui-control-', {
    width: W,
    height: H,
    fps: FPS,
    cameraColor: 0xd02020,
    streamKey: 'program',
    timeline: (cameraId) =>
      cameraTimeline({
        name: TIMELINE,
        duration: 600,
        fps: FPS,
        resolution: `${W}x${H}`,
        loop: true,
        cues: [
          { camera: cameraId, start: 0, duration: 120 },
          { camera: cameraId, start: 120, duration: 480 },
        ],
        overlays: [
          {
            track_id: 'o1',
            type: 'overlay',
            layer: 1,
            cues: [
              {
                id: 'title',
                start_time: 0,
                duration: 600,
                action: 'show_overlay',
                params: { type: 'text', text: 'Welcome aboard', font_size: 12, position: { x: 10, y: 150 } },
              },
            ],
          },
        ],
      }),
    // A show whose camera does not answer (nothing listens on port 9): its pre-flight fails.
    more: async (api) => {
      const dead = await api.request('POST', '/api/cameras', {
        name: 'Gate',
        stream_url: 'rtsp://127.0.0.1:9/gate',
      });
      assert.equal(dead.status, 201, JSON.stringify(dead.body));
      const broken = await api.request('POST', '/api/timelines', {
        timeline: cameraTimeline({
          name: BROKEN,
          duration: 60,
          fps: FPS,
          resolution: `${W}x${H}`,
          cues: [{ camera: Number(dead.body.id), start: 0, duration: 60 }],
        }),
      });
      assert.equal(broken.status, 201, JSON.stringify(broken.body));
    },
  });

  it('signs in and shows the demo show with its preview and the GO LIVE panel', async () => {
    const { page } = rig.ui;
    await signInAs(page);
    await page.getByRole('heading', { name: 'Control room' }).waitFor();
    await page.getByText('Demo show running — GO LIVE replaces it').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('live-badge').innerText(), 'DEMO');
    await page.getByLabel('Timeline', { exact: true }).selectOption({ label: TIMELINE });
    const destination = page.getByRole('checkbox', { name: /Local nginx/ });
    assert.equal(await destination.isChecked(), true, 'enabled destinations are chosen by default');
    await page.getByRole('button', { name: 'Pause preview' }).waitFor({ timeout: 20_000 });
    await saveScreenshot(page, 'control-room-01-demo');
  });

  it('GO LIVE runs the pre-flight checklist, then starts immediately', async () => {
    const { page } = rig.ui;
    await page.getByRole('button', { name: 'GO LIVE', exact: true }).click();
    await page.getByRole('progressbar', { name: 'Pre-flight checks in progress' }).waitFor();
    const checklist = page.getByRole('list', { name: 'Pre-flight checklist' });
    await checklist.waitFor({ timeout: 30_000 });
    const statuses = await checklist
      .locator(':scope > li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-status')));
    assert.ok(statuses.length >= 5, `checks: ${statuses.join(', ')}`);
    assert.ok(!statuses.includes('fail'), `no check failed: ${statuses.join(', ')}`);
    await checklist.getByText('Cameras online (1/1)').waitFor();
    await page.getByText('All checks passed').waitFor();
    await saveScreenshot(page, 'control-room-02-preflight');

    // A countdown is shown and can be cancelled: the demo stays on air, the checklist stays.
    await page.getByLabel('Countdown (seconds)').fill('30');
    await page.getByRole('button', { name: 'Start after the countdown' }).click();
    const timer = page.getByRole('timer');
    await timer.waitFor();
    assert.match(await timer.innerText(), /^\d+ s$/);
    assert.equal(await page.getByTestId('show-state').innerText(), 'Countdown');
    await saveScreenshot(page, 'control-room-02b-countdown');
    await page.getByRole('button', { name: 'Cancel the countdown' }).click();
    await page.getByText('The countdown was cancelled.').waitFor();
    await page.getByText('Demo show running — GO LIVE replaces it').waitFor();
    assert.equal(await page.getByTestId('live-badge').innerText(), 'DEMO');

    await page.getByRole('button', { name: 'Start immediately' }).click();
    await page.getByTestId('show-state').filter({ hasText: 'LIVE' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('live-badge').innerText(), 'LIVE');
    assert.equal(await page.getByTestId('timeline-name').innerText(), TIMELINE);
    await page
      .getByTestId('on-air')
      .filter({ hasText: `Camera ${rig.cameraId} (Dock)` })
      .waitFor();
    // The destination reports live with a tick.
    await page.locator('[data-testid="output"][data-state="live"]', { hasText: 'Local nginx' }).waitFor({
      timeout: 20_000,
    });
    await page.getByText('Welcome aboard').first().waitFor();
  });

  it('plays the program preview (the video advances) with the playhead under it', async () => {
    const { page } = rig.ui;
    const first = await waitFor(
      async () => {
        const state = await videoState(page);
        return state.readyState >= 2 && state.currentTime > 0 ? state : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the preview to play' },
    );
    await waitFor(
      async () => ((await videoState(page)).currentTime > first.currentTime + 1 ? true : undefined),
      { timeoutMs: 20_000, intervalMs: 250, what: 'the preview to advance' },
    );
    // The picture is the show's camera (red), not the demo that played in the preview before.
    const colour = await waitFor(
      async () => {
        const c = await previewCentreColour(page);
        return c && c.r > 150 && c.g < 90 && c.b < 90 ? c : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the red camera in the preview' },
    );
    assert.ok(colour.r > 150);
    const state = await videoState(page);
    assert.ok(state.readyState >= 2, `readyState ${state.readyState}`);
    assert.equal(state.paused, false);
    const bar = page.getByRole('progressbar', { name: 'Timeline position' });
    assert.equal(await bar.getAttribute('aria-valuemax'), '600');
    assert.match((await bar.getAttribute('aria-valuetext')) ?? '', / of 10:00$/);
    await page.getByRole('button', { name: 'Pause timeline' }).waitFor();
    await saveScreenshot(page, 'control-room-03-live');
  });

  it('the emergency override puts the test pattern on air and says so; turning it off brings the camera back', async () => {
    const { page } = rig.ui;
    await page.getByRole('button', { name: 'Emergency: show the test pattern' }).click();
    await page.getByTestId('on-air').filter({ hasText: 'Test pattern' }).waitFor();
    await page.getByText('EMERGENCY — the test pattern is on air').waitFor();
    await page.getByTestId('camera-note').filter({ hasText: 'Emergency test pattern on air' }).waitFor();
    const toggle = page.getByRole('button', { name: 'Turn off the emergency test pattern' });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    await saveScreenshot(page, 'control-room-04-override');

    await toggle.click();
    await page
      .getByTestId('on-air')
      .filter({ hasText: `Camera ${rig.cameraId} (Dock)` })
      .waitFor();
    await page.getByRole('button', { name: 'Emergency: show the test pattern' }).waitFor();
  });

  it('the other live controls: pause and resume, live overlay text, clear and restore overlays, force a camera', async () => {
    const { page } = rig.ui;
    const status = page.getByTestId('status-panel');
    const bar = page.getByRole('progressbar', { name: 'Timeline position' });
    const position = async () => Number(await bar.getAttribute('aria-valuenow'));

    // Pause holds the timeline (the stream goes on); resume moves it on again.
    await page.getByRole('button', { name: 'Pause timeline' }).click();
    await status.getByText('Timeline paused').waitFor();
    const held = await position();
    await delay(2500);
    assert.equal(await position(), held, 'the position stays while paused');
    await page.getByRole('button', { name: 'Resume timeline' }).click();
    await status.getByText('Timeline paused').waitFor({ state: 'detached' });
    await waitFor(async () => ((await position()) > held ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 250,
      what: 'the position to move on after resume',
    });

    // The text overlay's words changed live, then back to the timeline's.
    const editor = page.getByLabel('Text overlay “title”');
    await editor.fill('Fuel dock open till 7');
    await page.getByRole('button', { name: 'Update text' }).click();
    await status.getByText('“Fuel dock open till 7”').waitFor();
    await page.getByText('Changed live').waitFor();
    await page.getByRole('button', { name: 'Back to the timeline’s text' }).click();
    await status.getByText('“Welcome aboard”').waitFor();

    // Clear the overlays, see it is in effect, restore them.
    await page.getByRole('button', { name: 'Clear all overlays' }).click();
    await page.getByText(/1 overlay cleared/).waitFor();
    await page.getByRole('button', { name: 'Restore overlays' }).click();
    await page.getByText(/1 overlay cleared/).waitFor({ state: 'detached' });
    await status.getByText('“Welcome aboard”').waitFor();

    // Force a camera until the next cue: the override says so.
    await page
      .getByLabel('Force camera (until the next cue)')
      .selectOption({ label: `Camera ${rig.cameraId} (Dock)` });
    await page.getByRole('button', { name: 'Force on air' }).click();
    await page
      .getByRole('list', { name: 'Overrides in effect' })
      .locator('li[data-kind="force"]', {
        hasText: `Camera ${rig.cameraId} (Dock) forced by you until the next cue`,
      })
      .waitFor();
  });

  it('stop asks first, then the show goes off air and nginx-rtmp holds what it received', async () => {
    const { page } = rig.ui;
    await page.getByRole('button', { name: 'Stop the show' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop the show?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Keep streaming' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(
      await page.getByTestId('live-badge').innerText(),
      'LIVE',
      'still live after "Keep streaming"',
    );

    await page.getByRole('button', { name: 'Stop the show' }).click();
    await dialog.getByRole('button', { name: 'Stop the show' }).click();
    await page.getByTestId('show-state').filter({ hasText: 'Off air' }).waitFor({ timeout: 30_000 });
    await page.getByText('The last show was stopped.').waitFor();
    await page.getByText('Preview not running').waitFor();
    await rig.rtmp.waitForNoPublisher('live', 'program');

    const files = rig.rtmp.recordings('live').filter((file) => file.includes('program'));
    assert.equal(files.length, 1, `one publish: ${files.join(', ')}`);
    const probe = await probeFile(files[0]!);
    assert.ok(probe.video, JSON.stringify(probe));
    assert.equal(probe.video.codec, 'h264');
    assert.equal(probe.video.width, W);
    assert.equal(probe.video.height, H);
    assert.ok(probe.audio, 'audio too');
    assert.ok(probe.durationSec > 3, `recorded ${probe.durationSec} s`);
  });

  it('a failed pre-flight refuses GO LIVE; "Start anyway" asks first', async () => {
    const { page, pageErrors } = rig.ui;
    await page.getByLabel('Timeline', { exact: true }).selectOption({ label: BROKEN });
    await page.getByRole('checkbox', { name: /Local nginx/ }).uncheck();
    await page.getByText('No destination chosen: the show goes on air as a preview only').waitFor();
    await page.getByRole('button', { name: 'GO LIVE', exact: true }).click();
    const checklist = page.getByRole('list', { name: 'Pre-flight checklist' });
    await checklist.waitFor({ timeout: 30_000 });
    const cameras = checklist.locator('li[data-status="fail"]', { hasText: 'Cameras' });
    await cameras.waitFor();
    assert.match(await cameras.innerText(), /Gate/, 'the failing camera is named');
    const refusal = page.getByRole('alert').filter({ hasText: 'GO LIVE refused' });
    await refusal.waitFor();
    assert.equal(await page.getByRole('button', { name: 'Start immediately' }).count(), 0);
    await saveScreenshot(page, 'control-room-05-preflight-failed');

    await page.getByRole('button', { name: 'Start anyway…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start although checks failed?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.getByTestId('show-state').innerText(), 'Off air', 'nothing was started');
    assert.deepEqual(pageErrors, []);
  });

  it('says when the connection to the appliance is lost', async () => {
    await rig.appliance.stop();
    await rig.ui.page.getByText('Connection lost — reconnecting').waitFor();
  });
});
