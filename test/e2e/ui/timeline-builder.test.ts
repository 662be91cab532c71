// The timeline builder in a real browser: a timeline built with the real mouse (palette items
// dragged onto lanes, a cue resized by its edge and moved), loop on, a problem introduced and
// seen on the cue and next to its field, fixed, saved; then what the database holds and the
// preview frame's pixels (simulated RTSP cameras). Also the keyboard-only path and a 30-minute
// timeline. Screenshots land in test-artifacts/ui/builder-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import {
  box,
  cue,
  cueSpan,
  dragMouse,
  dropOnLane,
  pixelsPerSecond,
  waitForLabel,
  xAt,
} from '../../helpers/builder-ui.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { waitFor } from '../../helpers/proc.ts';
import { formatTime, roundTime } from '../../../web/src/pages/timelines/builder/model.ts';
import { completeFirstRun, openPage, saveScreenshot, useBrowserUi } from '../../helpers/browser.ts';

const WHARF = 0xc82828; // the simulated cameras' colours (red, green)
const DOCK = 0x28b428;

interface Rgb {
  r: number;
  g: number;
  b: number;
}
async function meanRgb(jpeg: Buffer, x0: number, y0: number, x1: number, y1: number): Promise<Rgb> {
  const image = await loadImage(jpeg);
  const canvas = createCanvas(image.width, image.height);
  const g = canvas.getContext('2d');
  g.drawImage(image, 0, 0);
  const { data } = g.getImageData(0, 0, image.width, image.height);
  let r = 0;
  let gg = 0;
  let b = 0;
  let n = 0;
  for (let y = Math.floor(y0 * image.height); y < Math.floor(y1 * image.height); y++)
    for (let x = Math.floor(x0 * image.width); x < Math.floor(x1 * image.width); x++) {
      const p = (y * image.width + x) * 4;
      r += data[p]!;
      gg += data[p + 1]!;
      b += data[p + 2]!;
      n++;
    }
  return { r: r / n, g: gg / n, b: b / n };
}

describe('timeline builder (chromium)', () => {
  // The first test goes through first run.
  const ui = useBrowserUi({ firstRun: 'none' });
  let sim: CameraSim;
  let wharf = 0;
  let dock = 0;

  before(async () => {
    sim = await startCameraSim({
      cameras: [
        { name: 'wharf', color: WHARF },
        { name: 'dock', color: DOCK },
      ],
    });
    const { store } = ui.served.api;
    wharf = store.cameras.create({ name: 'Wharfside', stream_url: sim.url('wharf') }).id;
    dock = store.cameras.create({ name: 'Fuel pier', stream_url: sim.url('dock') }).id;
    store.cameras.addPreset(wharf, { name: 'harbour_mouth' });
    store.cameras.create({ name: 'Car park', stream_url: 'rtsp://127.0.0.1:9/none' });
  });
  after(() => sim?.stop());

  it('builds a timeline by drag and drop, resizes and moves cues, shows a problem where it is, saves', async () => {
    const { page, context, pageErrors } = await openPage(ui.browser, ui.served.url);
    await completeFirstRun(page);
    await page.goto('/timelines/new');
    await page.getByRole('heading', { name: 'New timeline' }).waitFor();
    await page.getByRole('button', { name: 'Add Wharfside Camera 1', exact: true }).waitFor();
    await page.getByText('No problems').waitFor();
    await saveScreenshot(page, 'builder-01-empty');

    await page.getByLabel('Timeline name').fill('Harbour loop');
    await page.getByLabel('Timeline length').fill('2:00');
    await page.getByLabel('Timeline length').press('Enter');
    const slider = page.getByRole('slider', { name: 'Playhead' });
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-valuemax') === '120',
      await slider.elementHandle(),
    );

    const video = page.getByRole('group', { name: 'Video lane' });
    const overlays = page.getByRole('group', { name: 'Overlays 1 lane' });
    // Two cameras on the video lane, dropped where the pointer lets go (snapped to whole seconds
    // and to the first cue's end).
    await dropOnLane(
      page,
      page.getByRole('button', { name: 'Add Wharfside Camera 1', exact: true }),
      video,
      0.3,
    );
    await cue(page, 'cam1_1').waitFor();
    await dropOnLane(
      page,
      page.getByRole('button', { name: 'Add Fuel pier Camera 2', exact: true }),
      video,
      30.4,
    );
    await cue(page, 'cam2_1').waitFor();
    // A lower third on the overlay lane.
    await dropOnLane(page, page.getByRole('button', { name: 'Add Lower third' }), overlays, 5.2);
    await cue(page, 'lower_third_1').waitFor();
    assert.match((await cue(page, 'cam1_1').getAttribute('aria-label')) ?? '', /Wharfside, 0:00–0:30/);
    assert.match((await cue(page, 'cam2_1').getAttribute('aria-label')) ?? '', /Fuel pier, 0:30–1:00/);
    assert.match((await cue(page, 'lower_third_1').getAttribute('aria-label')) ?? '', /0:05–0:15/);

    // Resize the second camera by its end edge to 1:30.
    const edge = await box(page.getByTestId('resize-end-cam2_1'));
    const laneBox = await box(video);
    await dragMouse(
      page,
      { x: edge.x + edge.width / 2, y: edge.y + edge.height / 2 },
      // The grab point is half a handle inside the cue's end.
      { x: (await xAt(page, video, 90.2)) - edge.width / 2, y: laneBox.y + laneBox.height / 2 },
    );
    await waitForLabel(cue(page, 'cam2_1'), /0:30–1:30/);
    // Move the lower third by 30 s (grab it in its middle).
    const lower = await box(cue(page, 'lower_third_1'));
    const grabX = lower.x + lower.width / 2;
    await dragMouse(
      page,
      { x: grabX, y: lower.y + lower.height / 2 },
      {
        x: grabX + (await xAt(page, overlays, 35)) - (await xAt(page, overlays, 5)),
        y: lower.y + lower.height / 2,
      },
    );
    await waitForLabel(cue(page, 'lower_third_1'), /0:35–0:45/);

    // Loop on.
    const loop = page.getByRole('switch', { name: 'Loop' });
    await loop.check();
    assert.equal(await loop.isChecked(), true);

    // The lower third's words, in the inspector (the dragged cue is selected).
    await page.getByLabel('Title', { exact: true }).fill('Harbour live');
    await page.getByLabel('Subtitle', { exact: true }).fill('Fuel pier, open 7–19');
    await saveScreenshot(page, 'builder-02-cues');

    // A problem: the lower third made longer than the timeline. It shows on the cue, next to the
    // Length field and in the problems list.
    await page.getByLabel('Length', { exact: true }).fill('2:00');
    await page.getByLabel('Length', { exact: true }).press('Enter');
    const lowerCue = cue(page, 'lower_third_1');
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-invalid') === 'true',
      await lowerCue.elementHandle(),
    );
    const lengthField = page.locator('.field', { has: page.getByLabel('Length', { exact: true }) });
    await lengthField.locator('.field-error').getByText("after the timeline's end").waitFor();
    assert.equal(await page.getByLabel('Length', { exact: true }).getAttribute('aria-invalid'), 'true');
    const problem = page
      .getByRole('region', { name: 'Problems' })
      .getByRole('button', { name: /lower_third_1.*length/ });
    await problem.waitFor();
    assert.match(await page.getByRole('region', { name: 'Problems' }).innerText(), /1 problem to fix/);
    await saveScreenshot(page, 'builder-03-error');
    // Clicking the problem selects its cue (after selecting another one).
    await cue(page, 'cam1_1').click();
    await problem.click();
    assert.equal(await lowerCue.getAttribute('aria-pressed'), 'true');

    // Saving now is refused by the appliance, with the same problem.
    await page.keyboard.press('Control+s');
    await page.getByRole('alert').filter({ hasText: 'The timeline has 1 problem' }).waitFor();
    assert.equal(ui.served.api.store.timelines.list().length, 0);

    // Leaving asks first.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Timelines' }).click();
    await page.getByRole('dialog', { name: 'Leave without saving?' }).waitFor();
    await page.getByRole('button', { name: 'Stay here' }).click();
    assert.match(page.url(), /\/timelines\/new$/);

    // Fix it and save with Ctrl+S: the page moves to the new timeline's address.
    await page.getByLabel('Length', { exact: true }).fill('10');
    await page.getByLabel('Length', { exact: true }).press('Enter');
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-invalid') === null,
      await lowerCue.elementHandle(),
    );
    await page.getByText('No problems').waitFor();
    await page.keyboard.press('Control+s');
    await page.waitForURL(/\/timelines\/\d+$/);
    await page.getByText('All changes saved').waitFor();
    const id = Number(/\/timelines\/(\d+)$/.exec(page.url())![1]);

    // What the database holds.
    const { timeline } = ui.served.api.store.timelines.get(id).document;
    assert.equal(timeline.name, 'Harbour loop');
    assert.equal(timeline.duration, 120);
    assert.equal(timeline.loop, true);
    assert.deepEqual(
      timeline.tracks.video.cues.map((c) => [
        c.id,
        c.start_time,
        c.duration,
        c.action,
        'camera_id' in c.params ? c.params.camera_id : null,
      ]),
      [
        ['cam1_1', 0, 30, 'show_camera', wharf],
        ['cam2_1', 30, 60, 'show_camera', dock],
      ],
    );
    assert.equal(timeline.tracks.overlays.length, 1);
    const [track] = timeline.tracks.overlays;
    assert.equal(track!.layer, 1);
    assert.deepEqual(
      track!.cues.map((c) => [c.id, c.start_time, c.duration, c.params.type]),
      [['lower_third_1', 35, 10, 'lower_third']],
    );
    const params = track!.cues[0]!.params;
    assert.equal(params.type === 'lower_third' ? params.text : null, 'Harbour live');

    // The preview at 0:40: the second camera with the lower third over it.
    await slider.focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
    const image = page.getByRole('img', { name: /The program at 0:40: camera/ });
    await image.waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: 'Rendering the preview' })
      .waitFor({ state: 'detached' });
    await saveScreenshot(page, 'builder-04-preview');

    await ui.served.api.signIn();
    const response = await ui.served.api.call('POST', '/api/timelines/preview-frame', {
      document: ui.served.api.store.timelines.get(id).document,
      at: 40,
      width: 640,
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['content-type'], 'image/jpeg');
    const jpeg = response.rawPayload;
    assert.equal(jpeg[0], 0xff);
    assert.equal(jpeg[1], 0xd8);
    assert.equal(decodeURIComponent(String(response.headers['x-preview-video'])), `camera ${dock}`);
    // The camera's green above; the lower third's dark bar bottom left, with its amber accent.
    const sky = await meanRgb(jpeg, 0.3, 0.1, 0.7, 0.4);
    assert.ok(sky.g > 120 && sky.r < 90, `the dock camera's green, got ${JSON.stringify(sky)}`);
    const bar = await meanRgb(jpeg, 0.3, 0.875, 0.36, 0.935);
    assert.ok(bar.g < 70 && bar.r < 70, `the lower third's bar, got ${JSON.stringify(bar)}`);
    const accent = await meanRgb(jpeg, 0.051, 0.875, 0.054, 0.935);
    assert.ok(accent.r > 170 && accent.b < 110, `the amber accent strip, got ${JSON.stringify(accent)}`);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('adds cues with the keyboard only, moves, resizes and removes them, and warns about a camera that does not answer', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/timelines/new');
    await page.getByRole('button', { name: 'Add Wharfside Camera 1', exact: true }).waitFor();

    // Enter on a palette item adds it at the playhead, on the lane it belongs to.
    await page.getByRole('button', { name: 'Add Wharfside Camera 1', exact: true }).focus();
    await page.keyboard.press('Enter');
    await cue(page, 'cam1_1').waitFor();
    assert.match((await cue(page, 'cam1_1').getAttribute('aria-label')) ?? '', /0:00–0:30/);
    const slider = page.getByRole('slider', { name: 'Playhead' });
    await slider.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
    assert.equal(await slider.getAttribute('aria-valuenow'), '30');
    await page.getByRole('button', { name: 'Add Car park Camera 3', exact: true }).focus();
    await page.keyboard.press('Enter');
    await cue(page, 'cam3_1').waitFor();
    await page.getByRole('button', { name: 'Add Text' }).focus();
    await page.keyboard.press('Enter');
    await cue(page, 'text_1').waitFor();
    assert.match((await cue(page, 'text_1').getAttribute('aria-label')) ?? '', /0:30–0:40/);
    // Its words start empty, prompted for (never a placeholder that could go on air).
    const textField = page.getByLabel('Text', { exact: true });
    assert.equal(await textField.inputValue(), '');
    assert.equal(await textField.getAttribute('placeholder'), 'Type the text viewers see');
    await page.getByRole('region', { name: 'Problems' }).getByText('type the text').waitFor();
    await textField.fill('Harbour open');

    // The camera that does not answer: the preview shows the slate with the overlay and says so.
    await page.getByText(/"Car park" did not answer/).waitFor({ timeout: 30_000 });
    await page.getByRole('img', { name: /The program at 0:30/ }).waitFor();
    await saveScreenshot(page, 'builder-05-camera-offline');

    // The selected cue takes the arrows: → moves 1 s, Ctrl+→ lengthens 1 s, Delete removes.
    await cue(page, 'text_1').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Control+ArrowRight');
    assert.match((await cue(page, 'text_1').getAttribute('aria-label')) ?? '', /0:31–0:42/);
    await cue(page, 'cam3_1').focus();
    await page.keyboard.press('Delete');
    await cue(page, 'cam3_1').waitFor({ state: 'detached' });

    // A 30-minute timeline stays readable: Fit shows all of it.
    await page.getByRole('tab', { name: 'Timeline settings' }).click();
    await page.getByLabel('Timeline length').fill('30:00');
    await page.getByLabel('Timeline length').press('Enter');
    await page.getByRole('button', { name: 'Fit' }).click();
    await page.getByText('30:00', { exact: true }).first().waitFor();
    await page.getByLabel('Timeline name').fill('Keyboard show');
    await page.keyboard.press('Control+s');
    await page.waitForURL(/\/timelines\/\d+$/);
    await page.getByRole('img', { name: /The program at 0:30: slate/ }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: 'Rendering the preview' })
      .waitFor({ state: 'detached' });
    await saveScreenshot(page, 'builder-06-long-timeline');
    const id = Number(/\/timelines\/(\d+)$/.exec(page.url())![1]);
    const { timeline } = ui.served.api.store.timelines.get(id).document;
    assert.equal(timeline.duration, 1800);
    assert.deepEqual(
      timeline.tracks.video.cues.map((c) => [c.id, c.start_time, c.duration]),
      [['cam1_1', 0, 30]],
    );
    assert.deepEqual(
      timeline.tracks.overlays[0]!.cues.map((c) => [c.id, c.start_time, c.duration, c.params.type]),
      [['text_1', 31, 11, 'text']],
    );
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
  it('repeats, duplicates, copies and pastes, snaps, moves between tracks and fixes overlaps', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/timelines/new');
    await page.getByRole('button', { name: 'Add Wharfside Camera 1', exact: true }).waitFor();
    await page.getByLabel('Timeline name').fill('Marina repeats');
    await page.getByLabel('Timeline length').fill('30:00');
    await page.getByLabel('Timeline length').press('Enter');
    const slider = page.getByRole('slider', { name: 'Playhead' });
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-valuemax') === '1800',
      await slider.elementHandle(),
    );
    const video = page.getByRole('group', { name: 'Video lane' });
    const overlays = page.getByRole('group', { name: 'Overlays 1 lane' });
    const problems = page.getByRole('region', { name: 'Problems' });
    const pps = await pixelsPerSecond(page, video);
    assert.ok(pps < 1, `a 30-minute timeline fits the screen (${pps} px/s)`);

    // Drops land under the pointer: the cue starts at the pointer's time (no edge within 8 px).
    const dropAt = async (item: string, lane: typeof video, seconds: number, id: string) => {
      await dropOnLane(page, page.getByRole('button', { name: item, exact: true }), lane, seconds);
      await cue(page, id).waitFor();
      const { start } = await cueSpan(cue(page, id));
      assert.ok(Math.abs(start - seconds) <= 1.5 / pps, `${id} dropped at ${seconds} s starts at ${start} s`);
      return start;
    };
    await dropAt('Add Wharfside Camera 1', video, 100, 'cam1_1');
    await dropAt('Add Lower third Name bar, bottom left', overlays, 300, 'lower_third_1');
    const lowerStart = 300; // typed in below, so the repeats fall on whole minutes

    // A short cue on a long timeline: drawn at least 24 px wide, its true length in its title.
    const camBox = await box(cue(page, 'cam1_1'));
    assert.ok(30 * pps < 24 && camBox.width >= 23.5, `30 s is ${30 * pps} px, drawn ${camBox.width} px`);
    assert.match((await cue(page, 'cam1_1').getAttribute('title')) ?? '', /\(0:30 long\)/);
    // Grabbing it in the middle and dragging moves it; it is never shrunk.
    const before = await cueSpan(cue(page, 'cam1_1'));
    const grabX = camBox.x + camBox.width / 2;
    await dragMouse(
      page,
      { x: grabX, y: camBox.y + camBox.height / 2 },
      { x: grabX + 40, y: camBox.y + camBox.height / 2 },
    );
    const after = await cueSpan(cue(page, 'cam1_1'));
    assert.equal(after.end - after.start, 30, 'still 30 s long');
    assert.ok(
      Math.abs(after.start - before.start - 40 / pps) <= 1.5 / pps,
      `moved by 40 px: ${JSON.stringify([before, after])}`,
    );

    // The lower third's words: empty and prompted; the problem says what to do.
    await cue(page, 'lower_third_1').click();
    const title = page.getByLabel('Title', { exact: true });
    assert.equal(await title.inputValue(), '');
    assert.equal(await page.getByLabel('Subtitle', { exact: true }).inputValue(), '');
    await problems.getByText('type the title').waitFor();
    await saveScreenshot(page, 'builder-1x-01-type-the-title');
    await title.fill('Welcome to the Marina');
    await page.getByLabel('Start', { exact: true }).fill('5:00');
    await page.getByLabel('Start', { exact: true }).press('Enter');
    await waitForLabel(cue(page, 'lower_third_1'), /5:00–5:10/);
    await page.getByText('No problems').waitFor();

    // Repeat every 10 minutes until the end: two ghosts (at 15:00 and 25:00) after 5:00.
    await page.getByRole('switch', { name: 'Repeat' }).check();
    const ghosts = page.locator('[data-ghost-of="lower_third_1"]');
    const ghostCount = async (n: number) => {
      try {
        await waitFor(async () => ((await ghosts.count()) === n ? true : undefined), {
          timeoutMs: 10_000,
          intervalMs: 100,
          what: `${n} repeats drawn`,
        });
      } catch (error) {
        await saveScreenshot(page, 'builder-failed');
        const label = await cue(page, 'lower_third_1').getAttribute('aria-label');
        throw new Error(`${await ghosts.count()} drawn; the cue is "${label}"`, { cause: error });
      }
    };
    await ghostCount(2);
    /** Where the ghosts are drawn, in seconds after the cue's own start (to the pixel). */
    const ghostTimes = async () => {
      const own = (await box(cue(page, 'lower_third_1'))).x;
      return Promise.all(
        (await ghosts.all()).map(async (g) => Math.round(((await box(g)).x - own) / pps / 10) * 10),
      );
    };
    assert.deepEqual(await ghostTimes(), [600, 1200]);
    await waitForLabel(cue(page, 'lower_third_1'), /repeats every 10:00 \(2 copies\)/);
    // Every 5 minutes: four copies; until 20:00: two copies (5 and 10 minutes after it) only.
    await page.getByLabel('Every (minutes)').fill('5');
    await ghostCount(4);
    await page.getByLabel('Until (minutes)').fill('20');
    await ghostCount(2);
    assert.deepEqual(await ghostTimes(), [300, 600]);
    await page.getByLabel('Until (minutes)').fill('');
    await ghostCount(4);
    // A ghost is not a cue of its own: clicking it selects the original.
    await cue(page, 'cam1_1').click();
    await ghosts.nth(1).click();
    assert.equal(await cue(page, 'lower_third_1').getAttribute('aria-pressed'), 'true');
    await saveScreenshot(page, 'builder-1x-02-repeat-ghosts');

    // Ctrl+D duplicates right after the original; the Duplicate button does the same.
    await cue(page, 'cam1_1').click();
    const cam1 = await cueSpan(cue(page, 'cam1_1'));
    await page.keyboard.press('Control+d');
    await cue(page, 'cam1_2').waitFor();
    assert.deepEqual(await cueSpan(cue(page, 'cam1_2')), { start: cam1.end, end: roundTime(cam1.end + 30) });
    assert.equal(await cue(page, 'cam1_2').getAttribute('aria-pressed'), 'true', 'the copy is selected');
    await page.getByRole('button', { name: 'Duplicate', exact: true }).click();
    await cue(page, 'cam1_3').waitFor();
    assert.deepEqual(await cueSpan(cue(page, 'cam1_3')), {
      start: roundTime(cam1.end + 30),
      end: roundTime(cam1.end + 60),
    });
    // Not while a text field has focus: there Ctrl+D, C and V are the field's.
    await page.getByLabel('Cue name').focus();
    await page.keyboard.press('Control+d');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    assert.equal(await page.locator('[data-cue-id^="cam1_"]').count(), 3);

    // Ctrl+C / Ctrl+V: a copy at the playhead (20:00), on the copied cue's track, with a fresh id.
    await cue(page, 'cam1_1').click();
    await page.keyboard.press('Control+c');
    await slider.focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 20; i++) await page.keyboard.press('PageUp');
    assert.equal(await slider.getAttribute('aria-valuenow'), '1200');
    await page.keyboard.press('Control+v');
    await cue(page, 'cam1_4').waitFor();
    assert.deepEqual(await cueSpan(cue(page, 'cam1_4')), { start: 1200, end: 1230 });
    await page.getByRole('button', { name: 'Paste', exact: true }).click(); // at 20:00 again: after it
    await cue(page, 'cam1_5').waitFor();
    assert.deepEqual(await cueSpan(cue(page, 'cam1_5')), { start: 1230, end: 1260 });

    // Snapping: cam1_5 dragged to end 3 s before cam1_4 starts (20:00) snaps its end to that
    // edge, and a guide shows where.
    const edge = 1200;
    const moving = await box(cue(page, 'cam1_5'));
    const y = moving.y + moving.height / 2;
    const fromX = moving.x + moving.width / 2;
    const toX = fromX + (await xAt(page, video, edge - 33)) - (await xAt(page, video, 1230));
    await page.mouse.move(fromX, y);
    await page.mouse.down();
    await page.mouse.move(fromX - 6, y, { steps: 2 });
    await page.mouse.move(toX, y, { steps: 12 });
    const guide = page.getByTestId('snap-guide');
    await guide.waitFor();
    await saveScreenshot(page, 'builder-1x-03-snap-guide');
    assert.equal(await guide.innerText(), 'edge');
    const guideX = (await box(guide)).x;
    const edgeX = await xAt(page, video, edge);
    assert.ok(Math.abs(guideX - edgeX) <= 2, `the guide at ${guideX} px, the edge at ${edgeX} px`);
    await page.mouse.up();
    assert.deepEqual(await cueSpan(cue(page, 'cam1_5')), { start: edge - 30, end: edge });
    await guide.waitFor({ state: 'detached' });

    // Moving an overlay cue to another track: dragged down onto its lane, and back with the Track field.
    await page.getByRole('button', { name: '+ Overlay track' }).click();
    const overlays2 = page.getByRole('group', { name: 'Overlays 2 lane' });
    await overlays2.waitFor();
    const lower = await box(cue(page, 'lower_third_1'));
    const target = await box(overlays2);
    await dragMouse(
      page,
      { x: lower.x + lower.width / 2, y: lower.y + lower.height / 2 },
      { x: lower.x + lower.width / 2, y: target.y + target.height / 2 },
    );
    await overlays2.locator('[data-cue-id="lower_third_1"]').waitFor();
    assert.deepEqual(
      await cueSpan(cue(page, 'lower_third_1')),
      { start: lowerStart, end: roundTime(lowerStart + 10) },
      'times kept',
    );
    await page.getByLabel('Track', { exact: true }).selectOption({ label: 'Overlays 1 (layer 1)' });
    await overlays.locator('[data-cue-id="lower_third_1"]').waitFor();

    // An overlap offers its fix: a clock for the whole show on the lower third's track.
    await dropAt('Add Dynamic text Clock, date, live data', overlays, 30, 'dynamic_text_1');
    await page.getByLabel('Length', { exact: true }).fill('29:00');
    await page.getByLabel('Length', { exact: true }).press('Enter');
    const fix = problems.getByRole('button', { name: 'Move to a new track' });
    await fix.waitFor();
    await problems
      .getByText(/may not overlap/)
      .first()
      .waitFor();
    await saveScreenshot(page, 'builder-1x-04-overlap-fix');
    await fix.click();
    await page
      .getByRole('group', { name: 'Overlays 3 lane' })
      .locator('[data-cue-id="lower_third_1"]')
      .waitFor();
    // A video cue started inside another: "Place after the previous cue".
    await cue(page, 'cam1_2').click();
    await page.getByLabel('Start', { exact: true }).fill(String(cam1.start + 10));
    await page.getByLabel('Start', { exact: true }).press('Enter');
    await problems.getByRole('button', { name: 'Place after the previous cue' }).click();
    await waitForLabel(cue(page, 'cam1_2'), new RegExp(`^Wharfside, ${formatTime(cam1.end)}–`));

    // Transitions drawn on the cue: a dissolve is a wedge as long as the transition; a cut, nothing.
    await page.getByRole('button', { name: 'Zoom in' }).click();
    for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByLabel('Transition in').selectOption('dissolve');
    await page.getByLabel('Transition seconds').fill('5');
    const wedge = page.getByTestId('transition-cam1_2');
    await wedge.waitFor();
    const zoomed = await pixelsPerSecond(page, video);
    assert.ok(Math.abs((await box(wedge)).width - 5 * zoomed) <= 2, `the wedge is 5 s at ${zoomed} px/s`);
    assert.equal(await page.getByTestId('transition-cam1_1').count(), 0, 'a cut draws nothing');
    await cue(page, 'cam1_2').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'builder-1x-05-transition-wedge');

    // Saved as one cue with its repeat; the copies have fresh ids; the appliance accepts it all.
    await page.getByText('No problems').waitFor();
    const posted = page.waitForRequest(
      (request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/timelines',
    );
    await page.keyboard.press('Control+s');
    const sent = (await posted).postDataJSON() as { timeline: typeof timeline };
    await page.waitForURL(/\/timelines\/\d+$/);
    const id = Number(/\/timelines\/(\d+)$/.exec(page.url())![1]);
    const { timeline } = ui.served.api.store.timelines.get(id).document;
    assert.deepEqual(
      // Times to the tenth, as the cues' labels show them.
      timeline.tracks.video.cues.map((c) => [c.id, Math.round(c.start_time * 10) / 10, c.duration]),
      [
        ['cam1_1', cam1.start, 30],
        ['cam1_2', cam1.end, 30],
        ['cam1_3', roundTime(cam1.end + 30), 30],
        ['cam1_5', edge - 30, 30],
        ['cam1_4', 1200, 30],
      ].sort((a, b) => (a[1] as number) - (b[1] as number)),
    );
    const byTrack = timeline.tracks.overlays.map((t) => [t.layer, t.cues.map((c) => c.id)]);
    assert.deepEqual(byTrack, [
      [1, ['dynamic_text_1']],
      [2, []],
      [3, ['lower_third_1']],
    ]);
    const repeated = timeline.tracks.overlays[2]!.cues[0]!;
    // The builder sends the repeat as one rule on the cue (the store keeps it from migration 010 on).
    assert.deepEqual(sent.timeline.tracks.overlays[2]!.cues[0]!.repeat, { every: 300 });
    assert.equal(sent.timeline.tracks.overlays.flatMap((t) => t.cues).length, 2, 'no copies written out');
    assert.equal(
      repeated.params.type === 'lower_third' ? repeated.params.text : null,
      'Welcome to the Marina',
    );
    assert.equal(repeated.params.type === 'lower_third' ? repeated.params.subtitle : 'x', undefined);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
