// The whole operator journey in a real browser against the real appliance, everything through
// the pages: first run → add two cameras (simulated RTSP) and a destination (local nginx-rtmp) →
// build the 30-minute looping reference show (three camera cues, a repeating lower third, a clock) → GO
// LIVE → the LIVE status and the playing preview → an override (pin the other camera) → stop.
// The reference show is built in the builder with duplicate and repeat; each operator action is
// counted (at most 20) and written, with its screenshots, to test-artifacts/ui/walkthrough.md.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { a11yViolations, type A11yViolation } from '../../helpers/a11y.ts';
import { applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import {
  completeFirstRun,
  launchBrowser,
  openPage,
  saveScreenshot,
  SCREENSHOTS,
  type UiPage,
} from '../../helpers/browser.ts';
import { cue, dropOnLane, waitForLabel } from '../../helpers/builder-ui.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { previewCentreColour, videoState } from '../../helpers/control-room-ui.ts';
import { probeFile } from '../../helpers/media-probe.ts';
import { waitFor } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';

const SHOW = 'Harbour all day';
const WHARF = 0xc82828; // red
const DOCK = 0x28b428; // green

/** The parts of a stored timeline the walkthrough checks. */
interface StoredTimeline {
  name: string;
  duration: number;
  loop: boolean;
  tracks: {
    video: {
      cues: Array<{
        start_time: number;
        duration: number;
        params: { camera_id?: number; transition?: string };
      }>;
    };
    overlays: Array<{
      layer: number;
      cues: Array<{
        repeat?: { every: number; until?: number };
        start_time: number;
        duration: number;
        params: { type: string; text?: string; template?: string; position?: unknown };
      }>;
    }>;
  };
}

/** The walkthrough: each operator action of building the show, in order. */
interface Step {
  action: string;
  screenshot: string | null;
}

describe('operator journey (chromium, real appliance, nginx-rtmp)', () => {
  const dir = tempDir('vistter-e2e-ui-journey-');
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  let appliance: Appliance | undefined;
  let browser: Browser | undefined;
  let ui: UiPage | undefined;
  const steps: Step[] = [];
  let builderUrl = '';
  /** Level-A accessibility violations per page, checked with the page's real content. */
  const a11y = new Map<string, A11yViolation[]>();
  const checkA11y = async (page: Page, name: string) => a11y.set(name, await a11yViolations(page));

  /** One operator action of the walkthrough (with a screenshot after it when named). */
  async function step(page: Page, action: string, doIt: () => Promise<void>, shot?: string): Promise<void> {
    await doIt();
    steps.push({ action, screenshot: shot ? await saveScreenshot(page, shot) : null });
  }

  before(async () => {
    [sim, rtmp, browser] = await Promise.all([
      startCameraSim({
        cameras: [
          { name: 'wharf', color: WHARF },
          { name: 'dock', color: DOCK },
        ],
        fps: 15,
      }),
      startRtmpServer({ apps: ['live'] }),
      launchBrowser(),
    ]);
    appliance = await startAppliance(applianceEnv(join(dir.path, 'data')));
    ui = await openPage(browser, appliance.url);
  });

  after(async () => {
    if (appliance && process.exitCode) console.error(appliance.output().slice(-4000));
    await ui?.context.close();
    await browser?.close();
    await appliance?.stop();
    await Promise.all([sim?.stop(), rtmp?.destroy()]);
    dir.cleanup();
  });

  it('first run, then two cameras and a destination added through their pages', async () => {
    const { page } = ui!;
    await completeFirstRun(page);
    await saveScreenshot(page, 'journey-01-control-room-demo');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cameras' }).click();
    await page.getByRole('button', { name: 'Add your first camera' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Wharfside');
    await page.getByLabel('Stream address').fill(sim!.url('wharf'));
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('status').filter({ hasText: 'Connected.' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Save camera' }).click();
    await page.getByText('Camera “Wharfside” added.').waitFor();
    await page.getByRole('button', { name: 'Add camera' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Fuel pier');
    await page.getByLabel('Stream address').fill(sim!.url('dock'));
    await page.getByRole('button', { name: 'Save camera' }).click();
    await page.getByText('Camera “Fuel pier” added.').waitFor();
    await saveScreenshot(page, 'journey-02-cameras');
    await checkA11y(page, 'cameras');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Destinations' }).click();
    await page.getByRole('button', { name: 'Add your first destination' }).click();
    await page.getByRole('radio', { name: 'Custom RTMP/RTMPS/SRT' }).check();
    await page.getByLabel('Name', { exact: true }).fill('Venue relay');
    await page.getByLabel('Server address').fill(`rtmp://127.0.0.1:${rtmp!.port}/live`);
    await page.getByLabel('Stream key', { exact: true }).fill('program');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('Destination “Venue relay” added.').waitFor();
    await saveScreenshot(page, 'journey-03-destinations');
    await checkA11y(page, 'destinations');
  });

  it('builds the reference show in the builder with repeat and duplicate, in at most 20 actions', async () => {
    const { page } = ui!;
    const video = page.getByRole('group', { name: 'Video lane' });
    const overlays = page.getByRole('group', { name: 'Overlays 1 lane' });
    const length = page.getByLabel('Length', { exact: true });
    /** A time typed into a field, ended with Enter (one action: the field typed into). */
    const typeTime = async (text: string) => {
      await length.fill(text);
      await length.press('Enter');
    };

    await step(page, 'Open **Timelines**.', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Timelines' }).click();
    });
    await step(page, 'Press **New timeline**.', async () => {
      await page.getByRole('button', { name: 'New timeline' }).first().click();
      await page.getByRole('heading', { name: 'New timeline' }).waitFor();
    });
    await step(page, `Type the show's name: “${SHOW}”.`, async () => {
      await page.getByLabel('Timeline name').fill(SHOW);
    });
    await step(
      page,
      'Type its length, 30:00 (the timeline settings show while nothing is selected).',
      async () => {
        await page.getByLabel('Timeline length').fill('30:00');
        await page.getByLabel('Timeline length').press('Enter');
        const slider = page.getByRole('slider', { name: 'Playhead' });
        await page.waitForFunction(
          (el) => el?.getAttribute('aria-valuemax') === '1800',
          await slider.elementHandle(),
        );
      },
    );
    await step(page, 'Drag the camera **Wharfside** to the start of the Video lane.', async () => {
      await dropOnLane(
        page,
        page.getByRole('button', { name: 'Add Wharfside Camera 1', exact: true }),
        video,
        1,
      );
      await waitForLabel(cue(page, 'cam1_1'), /^Wharfside, 0:00–0:30/);
    });
    await step(page, 'Type its length: 10:00.', async () => {
      await typeTime('10:00');
      await waitForLabel(cue(page, 'cam1_1'), /0:00–10:00/);
    });
    // The length field still has the focus (where Ctrl+D is the field's): the toolbar's button.
    await step(
      page,
      'Press **Duplicate** (the timeline toolbar): a copy follows it, 10:00–20:00.',
      async () => {
        await page.getByRole('button', { name: 'Duplicate', exact: true }).click();
        await waitForLabel(cue(page, 'cam1_2'), /^Wharfside, 10:00–20:00/);
      },
    );
    await step(page, 'Choose the camera **Fuel pier** for the copy.', async () => {
      await page.getByLabel('Camera', { exact: true }).selectOption({ label: 'Fuel pier' });
      await waitForLabel(cue(page, 'cam1_2'), /^Fuel pier, 10:00–20:00/);
    });
    await step(page, 'Choose **Dissolve** as its transition in.', async () => {
      await page.getByLabel('Transition in').selectOption('dissolve');
      await page.getByTestId('transition-cam1_2').waitFor();
    });
    await step(page, 'Click the first camera cue.', async () => {
      await cue(page, 'cam1_1').click();
    });
    await step(
      page,
      'Press **Ctrl+D**: Wharfside again, 20:00–30:00 (after the Fuel pier cue).',
      async () => {
        await page.keyboard.press('Control+d');
        await waitForLabel(cue(page, 'cam1_3'), /^Wharfside, 20:00–30:00/);
      },
      'walkthrough-11-cameras',
    );
    await step(page, 'Drag **Lower third** to the start of the Overlays lane.', async () => {
      await dropOnLane(page, page.getByRole('button', { name: 'Add Lower third' }), overlays, 1);
      await cue(page, 'lower_third_1').waitFor();
    });
    await step(page, 'Type its title: “Welcome to the Marina”.', async () => {
      await page.getByLabel('Title', { exact: true }).fill('Welcome to the Marina');
    });
    await step(page, 'Type its length: 0:30.', async () => {
      await typeTime('0:30');
      await waitForLabel(cue(page, 'lower_third_1'), /0:00–0:30/);
    });
    await step(
      page,
      'Switch **Repeat** on: every 10 minutes until the end (two ghosts follow it).',
      async () => {
        await page.getByRole('switch', { name: 'Repeat' }).check();
        await waitForLabel(cue(page, 'lower_third_1'), /repeats every 10:00 \(2 copies\)/);
        assert.equal(await page.locator('[data-ghost-of="lower_third_1"]').count(), 2);
      },
      'walkthrough-15-repeat',
    );
    await step(page, 'Press **+ Overlay track**.', async () => {
      await page.getByRole('button', { name: '+ Overlay track' }).click();
    });
    await step(page, 'Drag **Dynamic text** (a clock, {time}, top right) onto the new lane.', async () => {
      await dropOnLane(
        page,
        page.getByRole('button', { name: 'Add Dynamic text' }),
        page.getByRole('group', { name: 'Overlays 2 lane' }),
        1,
      );
      await cue(page, 'dynamic_text_1').waitFor();
    });
    await step(page, 'Type its length: 30:00.', async () => {
      await typeTime('30:00');
      await waitForLabel(cue(page, 'dynamic_text_1'), /0:00–30:00/);
    });
    await step(page, 'Switch **Loop** on.', async () => {
      await page.getByRole('switch', { name: 'Loop' }).check();
    });
    let sentRepeat: unknown;
    await step(
      page,
      'Press **Save**.',
      async () => {
        await page.getByText('No problems').waitFor();
        const posted = page.waitForRequest(
          (request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/timelines',
        );
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        const body = (await posted).postDataJSON() as {
          timeline: { tracks: { overlays: Array<{ cues: Array<{ id: string; repeat?: unknown }> }> } };
        };
        sentRepeat = body.timeline.tracks.overlays
          .flatMap((track) => track.cues)
          .find((c) => c.id === 'lower_third_1')?.repeat;
        await page.waitForURL(/\/timelines\/\d+$/);
        await page.getByText('All changes saved').waitFor();
        await page
          .getByRole('status')
          .filter({ hasText: 'Rendering the preview' })
          .waitFor({ state: 'detached', timeout: 30_000 });
      },
      'walkthrough-20-saved',
    );

    await checkA11y(page, 'timeline builder');
    builderUrl = page.url();

    // What the appliance saved (its API), cue by cue.
    const id = Number(/\/timelines\/(\d+)$/.exec(builderUrl)![1]);
    const cameras = (await (await page.request.get('/api/cameras')).json()) as Array<{
      id: number;
      name: string;
    }>;
    const cameraId = (name: string) => cameras.find((c) => c.name === name)?.id;
    const stored = (await (await page.request.get(`/api/timelines/${id}`)).json()) as {
      document: { timeline: StoredTimeline };
    };
    const { timeline } = stored.document;
    assert.equal(timeline.name, SHOW);
    assert.equal(timeline.duration, 1800);
    assert.equal(timeline.loop, true);
    assert.deepEqual(
      timeline.tracks.video.cues.map((c) => [
        c.start_time,
        c.duration,
        c.params.camera_id,
        c.params.transition,
      ]),
      [
        [0, 600, cameraId('Wharfside'), 'cut'],
        [600, 600, cameraId('Fuel pier'), 'dissolve'],
        [1200, 600, cameraId('Wharfside'), 'cut'],
      ],
    );
    assert.deepEqual(
      timeline.tracks.overlays.map((t) => [
        t.layer,
        t.cues.map((c) => [c.start_time, c.duration, c.params.type, c.params.text ?? c.params.template]),
      ]),
      [
        [1, [[0, 30, 'lower_third', 'Welcome to the Marina']]],
        [2, [[0, 1800, 'dynamic_text', '{time}']]],
      ],
    );
    assert.equal(timeline.tracks.overlays[1]!.cues[0]!.params.position, 'top_right');
    // One lower third with a repeat rule, not three cues (the store keeps the rule from migration 010).
    assert.deepEqual(sentRepeat, { every: 600 });
    assert.deepEqual(timeline.tracks.overlays[0]!.cues[0]!.repeat, { every: 600 });

    // At most 20 actions (one click, drag, key chord or field typed into each).
    assert.ok(steps.length <= 20, `${steps.length} actions`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(
      join(SCREENSHOTS, 'walkthrough.md'),
      [
        `# Walkthrough: the reference show in the builder, in ${steps.length} actions`,
        '',
        'Camera 1 for 10 min, camera 2 for 10 min with a dissolve, camera 1 again, a lower third',
        '“Welcome to the Marina” for 30 s every 10 minutes, the clock in a corner, 30 minutes, looping.',
        'An action is one click, one drag, one key chord or one field typed into (ended with Enter).',
        '',
        'The quick path ("New looping show") builds the same show; its walkthrough is in',
        '[walkthrough-quick-path.md](walkthrough-quick-path.md).',
        '',
        ...steps.map(
          (s, i) =>
            `${i + 1}. ${s.action}${s.screenshot ? ` ![step ${i + 1}](${s.screenshot.split('/').pop()})` : ''}`,
        ),
        '',
      ].join('\n'),
    );
  });

  it('GO LIVE with the new show: LIVE status, the preview plays, pin a camera, stop', async () => {
    const { page, pageErrors } = ui!;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Control room' }).click();
    await page.getByLabel('Timeline', { exact: true }).selectOption({ label: SHOW });
    assert.equal(await page.getByRole('checkbox', { name: /Venue relay/ }).isChecked(), true);
    await page.getByRole('button', { name: 'GO LIVE', exact: true }).click();
    await page.getByText('All checks passed').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Start immediately' }).click();
    await page.getByTestId('show-state').filter({ hasText: 'LIVE' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('timeline-name').innerText(), SHOW);
    await page.getByTestId('on-air').filter({ hasText: 'Wharfside' }).waitFor();
    await page.locator('[data-testid="output"][data-state="live"]', { hasText: 'Venue relay' }).waitFor({
      timeout: 30_000,
    });
    // The clock is on air all show (the lower third only for its first 30 s of each 10 minutes).
    await page.locator('li', { hasText: 'Live text' }).first().waitFor();

    // The preview plays the show: the picture advances and is the first camera (red).
    const first = await waitFor(
      async () => {
        const state = await videoState(page);
        return state.readyState >= 2 && state.currentTime > 0 ? state : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 250, what: 'the preview to play' },
    );
    await waitFor(
      async () => ((await videoState(page)).currentTime > first.currentTime + 1 ? true : undefined),
      { timeoutMs: 20_000, intervalMs: 250, what: 'the preview to advance' },
    );
    await waitFor(
      async () => {
        const c = await previewCentreColour(page);
        return c && c.r > 150 && c.g < 90 ? c : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the Wharfside camera (red) in the preview' },
    );
    await saveScreenshot(page, 'journey-04-live');
    await checkA11y(page, 'control room (live)');

    // Override: pin the other camera; the status and the preview follow; then unpin.
    await page
      .getByLabel('Pin camera (stays on air until unpinned)')
      .selectOption({ label: 'Camera 2 (Fuel pier)' });
    await page.getByRole('button', { name: 'Pin', exact: true }).click();
    await page.getByTestId('on-air').filter({ hasText: 'Fuel pier' }).waitFor();
    await page.getByText('pinned: the timeline’s camera cues are ignored until you unpin').waitFor();
    await waitFor(
      async () => {
        const c = await previewCentreColour(page);
        return c && c.g > 130 && c.r < 90 ? c : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the Fuel pier camera (green) in the preview' },
    );
    await saveScreenshot(page, 'journey-05-pinned');
    await page.getByRole('button', { name: 'Unpin' }).click();
    await page.getByTestId('on-air').filter({ hasText: 'Wharfside' }).waitFor();

    // The builder says when the timeline it edits is the one on air.
    await page.goto(builderUrl);
    await page.getByText('This timeline is on air.').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Control room' }).click();
    await page.getByTestId('show-state').filter({ hasText: 'LIVE' }).waitFor();

    await page.getByRole('button', { name: 'Stop the show' }).click();
    await page
      .getByRole('dialog', { name: 'Stop the show?' })
      .getByRole('button', { name: 'Stop the show' })
      .click();
    await page.getByTestId('show-state').filter({ hasText: 'Off air' }).waitFor({ timeout: 30_000 });
    await saveScreenshot(page, 'journey-06-stopped');
    await rtmp!.waitForNoPublisher('live', 'program');

    // What reached the destination: one publish of the program, H.264 with audio.
    const files = rtmp!.recordings('live').filter((file) => file.includes('program'));
    assert.equal(files.length, 1, `one publish: ${files.join(', ')}`);
    const probe = await probeFile(files[0]!);
    assert.equal(probe.video?.codec, 'h264');
    // The timeline's 1920×1080, or a smaller size of its quality ladder where the capacity check
    // found this machine busy at GO LIVE (it always is under npm run test:loaded).
    assert.ok(
      [1920, 1280, 854, 640].includes(probe.video?.width ?? 0) &&
        Math.abs((probe.video?.height ?? 0) - ((probe.video?.width ?? 0) * 9) / 16) <= 1,
      `program ${probe.video?.width}×${probe.video?.height}`,
    );
    assert.ok(probe.audio, 'audio too');
    assert.ok(probe.durationSec > 3, `recorded ${probe.durationSec} s`);
    assert.deepEqual(pageErrors, []);
  });

  it('every page: controls are labelled and reachable (axe-core, WCAG level A)', async () => {
    const { page } = ui!;
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const [link, heading] of [
      ['Timelines', 'Timelines'],
      ['Media', 'Media'],
      ['Schedules', 'Schedules'],
      ['History', 'History'],
      ['Settings', 'Settings'],
      ['Log', 'Log'],
    ] as const) {
      await nav.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await checkA11y(page, link.toLowerCase());
    }
    // The GO LIVE panel off air, with its checklist open.
    await nav.getByRole('link', { name: 'Control room' }).click();
    await page.getByRole('button', { name: 'GO LIVE', exact: true }).click();
    await page.getByRole('list', { name: 'Pre-flight checklist' }).waitFor({ timeout: 60_000 });
    await checkA11y(page, 'control room (pre-flight)');

    assert.ok(a11y.size >= 10, `pages checked: ${[...a11y.keys()].join(', ')}`);
    const failing = [...a11y].filter(([, violations]) => violations.length > 0);
    assert.deepEqual(failing, [], JSON.stringify(failing, null, 1));
  });
});
