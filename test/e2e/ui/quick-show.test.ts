// The quick path in a real browser against the real appliance: with two simulated RTSP cameras
// added through the API, the reference show — camera 1 for 10 min, camera 2 for 10 min with a
// dissolve, camera 1 again, a lower third "Welcome to the Marina" for 30 s every 10 minutes and
// the clock in a corner, 30 minutes looping — is made through "New looping show" only. Every
// operator action is counted (a click, a field typed into, a key chord); the path must take at
// most 12 of them and at most 2 minutes at 8 s each. What was saved is read back through the API
// and validated, and the builder opens it. The walkthrough is written to
// test-artifacts/ui/walkthrough-quick-path.md with its screenshots (quick-01-*.png …).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { a11yViolations } from '../../helpers/a11y.ts';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import {
  launchBrowser,
  openPage,
  saveScreenshot,
  SCREENSHOTS,
  signInAs,
  type UiPage,
} from '../../helpers/browser.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { tempDir } from '../../helpers/temp.ts';
import type { TimelineDocument } from '../../../src/timeline/schema.ts';
import { validateTimelineDocument } from '../../../src/timeline/validate.ts';

const MAX_ACTIONS = 12;
const SECONDS_PER_ACTION = 8;
const MAX_SECONDS = 120;

/** Counts operator actions, each with what it was and the screenshot taken after it (if any). */
class ActionCounter {
  readonly steps: Array<{ kind: 'click' | 'type' | 'key'; what: string; screenshot: string | null }> = [];
  constructor(private readonly page: Page) {}
  get count(): number {
    return this.steps.length;
  }
  async click(what: string, doIt: () => Promise<void>, shot?: string): Promise<void> {
    await this.record('click', what, doIt, shot);
  }
  async type(what: string, doIt: () => Promise<void>, shot?: string): Promise<void> {
    await this.record('type', what, doIt, shot);
  }
  private async record(
    kind: 'click' | 'type' | 'key',
    what: string,
    doIt: () => Promise<void>,
    shot?: string,
  ): Promise<void> {
    await doIt();
    const screenshot = shot ? await saveScreenshot(this.page, shot) : null;
    this.steps.push({ kind, what, screenshot });
  }
}

describe('quick path: "New looping show" builds the reference show (chromium, real appliance)', () => {
  const dir = tempDir('vistter-e2e-ui-quick-show-');
  let sim: CameraSim | undefined;
  let appliance: Appliance | undefined;
  let browser: Browser | undefined;
  let ui: UiPage | undefined;
  let api: ApplianceClient | undefined;
  let counter: ActionCounter | undefined;
  let savedId = -1;
  const cameraIds: number[] = [];

  before(async () => {
    [sim, browser] = await Promise.all([
      startCameraSim({
        cameras: [
          { name: 'harbour', color: 0x2864c8 },
          { name: 'pier', color: 0xc8a028 },
        ],
        fps: 10,
      }),
      launchBrowser(),
    ]);
    appliance = await startAppliance(applianceEnv(join(dir.path, 'data')));
    api = new ApplianceClient(appliance.url);
    await api.setup();
    ui = await openPage(browser, appliance.url);
    await signInAs(ui.page);
  });

  after(async () => {
    if (appliance && process.exitCode) console.error(appliance.output().slice(-4000));
    await ui?.context.close();
    await browser?.close();
    await appliance?.stop();
    await sim?.stop();
    dir.cleanup();
  });

  it('without cameras, the page says so and links to adding one', async () => {
    const { page } = ui!;
    await page.goto('/timelines/quick-show');
    await page.getByText('There are no cameras on this appliance yet.').waitFor();
    const link = page.getByRole('link', { name: 'Add a camera' });
    assert.equal(await link.getAttribute('href'), '/cameras');
    await page.getByRole('button', { name: 'Create show' }).click();
    await page.getByText('Choose at least one camera or video to show.').waitFor();
    await saveScreenshot(page, 'quick-00-no-cameras');
    assert.deepEqual(await a11yViolations(page), []);

    // Then the two cameras are added, as an installer would have done on the Cameras page.
    for (const [name, url] of [
      ['Harbour', sim!.urls[0]!],
      ['Pier', sim!.urls[1]!],
    ] as const) {
      const camera = await api!.request('POST', '/api/cameras', { name, stream_url: url });
      assert.equal(camera.status, 201, JSON.stringify(camera.body));
      cameraIds.push(Number(camera.body.id));
    }
  });

  it('builds the reference show through the quick path in at most 12 actions', async () => {
    const { page } = ui!;
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    counter = new ActionCounter(page);
    const c = counter;

    await c.click(
      'Open **Timelines** in the menu',
      async () => {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Timelines' }).click();
        await page.getByRole('button', { name: 'New looping show' }).first().waitFor();
      },
      'quick-01-library',
    );
    await c.click(
      'Press **New looping show**',
      async () => {
        await page.getByRole('button', { name: 'New looping show' }).first().click();
        await page.getByRole('heading', { name: 'New looping show' }).waitFor();
        // Both cameras are already in the running order, each on an even share of 30 min.
        await page.getByText('15 min (even share)').first().waitFor();
      },
      'quick-02-form',
    );
    await c.type('Type the show name **Marina loop**', () =>
      page.getByLabel('Name', { exact: true }).fill('Marina loop'),
    );
    await c.click(
      'Press **Add again** on Harbour, so the order is Harbour, Pier, Harbour',
      async () => {
        await page.getByRole('button', { name: 'Add again: Harbour, at the end' }).click();
        await page.getByText('10 min (even share)').nth(2).waitFor();
      },
      'quick-03-camera-1-again',
    );
    await c.click('Press **Add a lower third** (30 s every 10 minutes is the default)', () =>
      page.getByRole('button', { name: 'Add a lower third' }).click(),
    );
    await c.type(
      'Type its title **Welcome to the Marina** (the cursor is already there)',
      async () => {
        const title = page.getByLabel('Lower third title');
        assert.ok(
          await title.evaluate((element) => element.ownerDocument.activeElement === element),
          'the new title field has the focus',
        );
        await title.fill('Welcome to the Marina');
      },
      'quick-04-lower-third',
    );
    // Dissolve (1 s), the clock in the top right corner, 30 minutes and looping are the defaults.
    assert.ok(await page.getByRole('radio', { name: 'Dissolve' }).isChecked());
    assert.ok(await page.getByRole('checkbox', { name: 'Clock in the top right corner' }).isChecked());
    assert.ok(await page.getByRole('checkbox', { name: /^Loop/ }).isChecked());
    assert.equal(await page.getByLabel('Length in minutes').inputValue(), '30');
    assert.deepEqual(await a11yViolations(page), [], 'the filled form is level-A clean');

    await c.click(
      'Press **Create show**: the builder opens with the show, ready for GO LIVE',
      async () => {
        await page.getByRole('button', { name: 'Create show' }).click();
        await page.waitForURL(/\/timelines\/\d+$/);
        await page.getByRole('heading', { name: 'Timeline', exact: true }).waitFor();
      },
      'quick-05-builder',
    );
    savedId = Number(/\/timelines\/(\d+)$/.exec(page.url())![1]);
    assert.equal(await page.getByLabel('Timeline name').inputValue(), 'Marina loop');

    const seconds = c.count * SECONDS_PER_ACTION;
    assert.ok(c.count <= MAX_ACTIONS, `${c.count} actions, at most ${MAX_ACTIONS}`);
    assert.ok(
      seconds <= MAX_SECONDS,
      `${seconds} s at ${SECONDS_PER_ACTION} s an action, at most ${MAX_SECONDS}`,
    );
  });

  it('saved the reference show: three camera cues with dissolves, a repeated lower third, the clock', async () => {
    assert.ok(savedId > 0, 'the show was created');
    const stored = await api!.request<{ document: TimelineDocument }>('GET', `/api/timelines/${savedId}`);
    assert.equal(stored.status, 200);
    const { timeline } = stored.body.document;
    assert.deepEqual([timeline.name, timeline.duration, timeline.loop], ['Marina loop', 1800, true]);
    assert.deepEqual(
      timeline.tracks.video.cues.map((cue) => [
        cue.action === 'show_camera' ? cue.params.camera_id : null,
        cue.start_time,
        cue.duration,
        cue.params.transition,
        cue.params.transition_duration,
      ]),
      [
        [cameraIds[0], 0, 600, 'dissolve', 1],
        [cameraIds[1], 600, 600, 'dissolve', 1],
        [cameraIds[0], 1200, 600, 'dissolve', 1],
      ],
    );
    const lowerThird = timeline.tracks.overlays
      .flatMap((track) => track.cues)
      .find((cue) => cue.params.type === 'lower_third');
    assert.ok(lowerThird);
    assert.equal(lowerThird.params.type === 'lower_third' && lowerThird.params.text, 'Welcome to the Marina');
    assert.equal(lowerThird.duration, 30);
    assert.deepEqual(lowerThird.repeat, { every: 600 });
    const clock = timeline.tracks.overlays
      .flatMap((track) => track.cues)
      .find((cue) => cue.params.type === 'dynamic_text');
    assert.ok(clock && clock.params.type === 'dynamic_text');
    assert.equal(clock.params.template, '{time}');
    assert.equal(clock.params.position, 'top_right');
    assert.deepEqual([clock.start_time, clock.duration], [0, 1800]);
    const validation = validateTimelineDocument(stored.body.document);
    assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.errors));
    assert.deepEqual(validation.warnings, [], 'no gaps: the sources fill the 30 minutes');
  });

  it('says in words when the minutes do not add up, and fits a phone', async () => {
    const { page } = ui!;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/timelines/quick-show');
    await page.getByText('15 min (even share)').first().waitFor();
    await page.getByLabel('Minutes for Harbour (source 1)').fill('20');
    await page.getByLabel('Minutes for Pier (source 2)').fill('15');
    const problem = page
      .getByRole('alert')
      .filter({ hasText: 'The sources add up to 35 min, 5 min more than the 30 min show' });
    await problem.waitFor();
    await saveScreenshot(page, 'quick-06-phone-minutes-problem');
    const width = await page.locator('html').evaluate((element) => element.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width} px wide)`);
    assert.deepEqual(await a11yViolations(page), []);
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  after(() => {
    if (!counter || counter.count === 0) return;
    const c = counter;
    mkdirSync(SCREENSHOTS, { recursive: true });
    const lines = [
      '# Walkthrough: the quick path ("New looping show")',
      '',
      'Written by test/e2e/ui/quick-show.test.ts against the real appliance with two simulated cameras',
      '(Harbour, Pier). The reference show: camera 1 for 10 min, camera 2 for 10 min with a dissolve,',
      'camera 1 again, a lower third "Welcome to the Marina" for 30 s every 10 minutes, the clock in a',
      'corner, 30 minutes looping. Each numbered step is one operator action (a click, a field typed into).',
      '',
      ...c.steps.map(
        (step, index) =>
          `${index + 1}. ${step.what} (${step.kind})${step.screenshot ? ` — ![step ${index + 1}](${basename(step.screenshot)})` : ''}`,
      ),
      '',
      `**${c.count} actions** (limit ${MAX_ACTIONS}); at ${SECONDS_PER_ACTION} s each about ${c.count * SECONDS_PER_ACTION} s (limit ${MAX_SECONDS} s).`,
      '',
      'Defaults that made it short: every camera is in the running order once, the length is 30 minutes',
      'split evenly, the transition is a 1 s dissolve, the show loops, the clock is on, a new lower third',
      'shows for 30 s every 10 minutes and its title field takes the focus.',
      '',
      'Also shown: with no cameras the page links to adding one (quick-00-no-cameras.png); minutes that do',
      'not add up are said in words, here on a phone-width screen (quick-06-phone-minutes-problem.png).',
      '',
    ];
    writeFileSync(join(SCREENSHOTS, 'walkthrough-quick-path.md'), lines.join('\n'));
  });
});
