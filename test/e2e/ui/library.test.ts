// The timeline library in a real browser: the empty state, timelines made through the API listed
// with their figures, search as you type, clone, export (the file is the stored document), import
// of a broken file (the problem's JSON path shown, nothing stored) and of a good one, delete with
// confirmation, and delete refused while the timeline is on air.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ApiShowControl } from '../../../src/api/deps.ts';
import { LiveStateSchema, type LiveState } from '../../../src/domain/live.ts';
import { downloadVia, saveScreenshot, useBrowserUi } from '../../helpers/browser.ts';
import { tempDir } from '../../helpers/temp.ts';

/** A timeline document (raw JSON, as a file holds it) with a camera cue per entry. */
function timelineJson(
  name: string,
  cameras: number[],
  options: { loop?: boolean; description?: string } = {},
) {
  const length = 20;
  return {
    timeline: {
      name,
      ...(options.description ? { description: options.description } : {}),
      duration: cameras.length * length,
      fps: 30,
      resolution: '1280x720',
      loop: options.loop ?? false,
      tracks: {
        video: {
          track_id: 'video_main',
          type: 'video',
          cues: cameras.map((camera, index) => ({
            id: `cue${index + 1}`,
            start_time: index * length,
            duration: length,
            action: 'show_camera',
            params: { camera_id: camera, transition: 'cut' },
          })),
        },
        overlays: [],
      },
    },
  };
}

/** The on-air state of a show playing one timeline (what /api/live pushes), or idle. */
function liveStateFor(timeline: { id: number; name: string } | null): LiveState {
  const at = new Date().toISOString();
  return LiveStateSchema.parse({
    at,
    state: timeline ? 'live' : 'idle',
    countdown: null,
    show: timeline && {
      executionId: 1,
      timelineId: timeline.id,
      timelineName: timeline.name,
      demo: false,
      startedAt: at,
      position: { seconds: 5, durationSeconds: 80, iteration: 0, loop: false },
      paused: false,
      camera: { scheduled: null, onAir: null, note: null },
      overlays: [],
      outputs: [],
      overrides: { emergency: false, pinnedCameraId: null, forcedCameraId: null, hiddenOverlayCues: [] },
      degradeLevel: 0,
      quality: {
        level: 0,
        levels: 1,
        ladder: [],
        description: '',
        summary: '',
        reason: null,
        held: false,
        bitrateKbps: 0,
        degraded: false,
        switching: false,
        symptoms: [],
        warnings: [],
        nextStepUpInSeconds: null,
        lastChange: null,
        overlayCostPercent: null,
      },
      encoder: 'libx264',
      previewUrl: null,
      broadcast: {
        tone: 'preview',
        delivering: 0,
        down: 0,
        connecting: 0,
        destinations: 0,
        sentence: 'ON AIR · preview only, no destination',
        notDelivering: [],
      },
      onAirBecause: 'timeline',
    },
    metrics: null,
    health: null,
    alerts: [],
    lastOutcome: null,
  });
}

describe('timeline library (chromium)', () => {
  // Show control is not needed here beyond its telemetry: a stand-in pushes the on-air state.
  let onAir: { id: number; name: string } | null = null;
  const changed = new Set<() => void>();
  const shows = {
    liveState: () => liveStateFor(onAir),
    onChange: (listener: () => void) => {
      changed.add(listener);
      return () => changed.delete(listener);
    },
    metrics: () => null,
  } as unknown as ApiShowControl;
  const setOnAir = (timeline: { id: number; name: string } | null): void => {
    onAir = timeline;
    for (const listener of changed) listener();
  };

  const ui = useBrowserUi({ serve: { shows } });
  let page: Page;
  let pageErrors: string[];
  let files: ReturnType<typeof tempDir>;
  const names = () =>
    ui.served.api.store.timelines
      .list()
      .map((t) => t.name)
      .sort();
  const rows = () => page.getByRole('table', { name: 'Timelines' }).locator('tbody tr');

  before(async () => {
    files = tempDir('vistter-library-');
    ({ page, pageErrors } = await ui.signedInPage());
  });
  after(() => files?.cleanup());

  async function create(document: unknown): Promise<number> {
    const response = await ui.served.api.call('POST', '/api/timelines', document);
    assert.equal(response.statusCode, 201, response.body);
    return (response.json() as { id: number }).id;
  }

  it('tells a newcomer what to do when there are no timelines', async () => {
    await page.goto('/timelines');
    await page.getByRole('heading', { name: 'No timelines yet' }).waitFor();
    await page.getByText(/A timeline is the plan of a show/).waitFor();
    await saveScreenshot(page, 'library-empty');
    await page.getByRole('button', { name: 'New timeline' }).first().click();
    await page.waitForURL('**/timelines/new');
  });

  it('lists timelines with their figures and filters them as you type', async () => {
    await create(
      timelineJson('Marina morning', [1, 2, 1], { loop: true, description: 'Sunrise over the docks' }),
    );
    await create(timelineJson('Harbour evening', [3]));
    await create(timelineJson('Marina weekend', [1, 2, 3, 4]));
    await page.goto('/timelines');
    await page.getByRole('table', { name: 'Timelines' }).waitFor();
    assert.equal(await rows().count(), 3);

    const morning = rows().filter({ hasText: 'Marina morning' });
    const cells = await morning.locator('td').allInnerTexts();
    assert.equal(cells[1], '1:00'); // three 20 s cues
    assert.equal(cells[2], 'Yes');
    assert.equal(cells[3], '3');
    // Two different cameras (1 and 2), read from the document after the list shows.
    await rows().locator('td:nth-child(5)', { hasText: '…' }).first().waitFor({ state: 'detached' });
    assert.equal(await morning.locator('td').nth(4).innerText(), '2');
    assert.equal(await rows().filter({ hasText: 'Marina weekend' }).locator('td').nth(4).innerText(), '4');
    await saveScreenshot(page, 'library-list');

    const search = page.getByLabel('Search timelines');
    await search.pressSequentially('marina');
    await page.getByText('2 of 3 shown').waitFor();
    assert.deepEqual((await rows().locator('td:first-child a').allInnerTexts()).sort(), [
      'Marina morning',
      'Marina weekend',
    ]);
    await search.fill('sunrise'); // the description counts too
    await page.getByText('1 of 3 shown').waitFor();
    await search.fill('nothing like this');
    await page.getByText('No timeline matches').waitFor();
    await search.fill('');
    await page.getByText('3 timelines').waitFor();
  });

  it('marks the timeline that is on air', async () => {
    await page.goto('/timelines');
    const weekend = ui.served.api.store.timelines.list().find((t) => t.name === 'Marina weekend')!;
    const row = rows().filter({ hasText: 'Marina weekend' });
    await row.waitFor();
    assert.equal(await page.getByText('ON AIR', { exact: true }).count(), 0);
    setOnAir(weekend);
    await row.getByText('ON AIR', { exact: true }).waitFor();
    await saveScreenshot(page, 'library-on-air');
    assert.equal(await page.getByText('ON AIR', { exact: true }).count(), 1);
    setOnAir(null);
    await row.getByText('ON AIR', { exact: true }).waitFor({ state: 'hidden' });
  });

  it('opens a timeline in the builder', async () => {
    await page.goto('/timelines');
    const id = ui.served.api.store.timelines.list().find((t) => t.name === 'Harbour evening')!.id;
    await page.getByRole('button', { name: 'Open Harbour evening' }).click();
    await page.waitForURL(`**/timelines/${id}`);
  });

  it('clones a timeline under a new name', async () => {
    await page.goto('/timelines');
    await page.getByRole('button', { name: 'Clone Harbour evening' }).click();
    await page.getByText('Copied “Harbour evening” as “Harbour evening (copy)”.').waitFor();
    await rows().filter({ hasText: 'Harbour evening (copy)' }).waitFor();
    assert.ok(names().includes('Harbour evening (copy)'));
  });

  it('exports a timeline as a file holding the stored document', async () => {
    await page.goto('/timelines');
    const id = ui.served.api.store.timelines.list().find((t) => t.name === 'Marina morning')!.id;
    const saved = join(files.path, 'exported.json');
    const link = page.getByRole('link', { name: 'Export Marina morning' });
    // The readable name (filename*), not the ASCII fallback.
    assert.equal(await downloadVia(page, link, saved), 'Marina morning.json');
    assert.deepEqual(JSON.parse(readFileSync(saved, 'utf8')), ui.served.api.store.timelines.export(id));
  });

  it('refuses a broken file with the path of each problem and stores nothing', async () => {
    await page.goto('/timelines');
    await page.getByRole('table', { name: 'Timelines' }).waitFor();
    const before = names();
    const broken = timelineJson('Broken show', [1, 2]);
    broken.timeline.tracks.video.cues[1]!.duration = -5;
    const brokenPath = join(files.path, 'broken.json');
    writeFileSync(brokenPath, JSON.stringify(broken, null, 2));
    await page.getByLabel('Timeline file to import').setInputFiles(brokenPath);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /The timeline has 1 problem/);
    const problems = page.getByRole('list', { name: 'Problems found' });
    assert.match(await problems.innerText(), /timeline\.tracks\.video\.cues\[1\]\.duration/);
    await saveScreenshot(page, 'library-import-refused');
    assert.deepEqual(names(), before);

    // Malformed JSON names its line and column.
    const malformedPath = join(files.path, 'malformed.json');
    writeFileSync(malformedPath, '{\n  "timeline": {\n    "name": oops\n  }\n}\n');
    await page.getByLabel('Timeline file to import').setInputFiles(malformedPath);
    await page
      .getByText(/line 3, column 13/)
      .first()
      .waitFor();
    assert.deepEqual(names(), before);
  });

  it('imports a good file', async () => {
    await page.goto('/timelines');
    const goodPath = join(files.path, 'good.json');
    writeFileSync(goodPath, JSON.stringify(timelineJson('Imported show', [7], { loop: true })));
    await page.getByLabel('Timeline file to import').setInputFiles(goodPath);
    // Camera 7 is not set up on this appliance: saved, with the warning shown.
    await page.getByText('Imported “Imported show” from good.json.').waitFor();
    await page.getByText('Saved, but check these before going live:').waitFor();
    await rows().filter({ hasText: 'Imported show' }).waitFor();
    assert.ok(names().includes('Imported show'));
    await saveScreenshot(page, 'library-imported');
  });

  it('deletes only after confirmation, and refuses while the timeline is on air', async () => {
    await page.goto('/timelines');
    const id = ui.served.api.store.timelines.list().find((t) => t.name === 'Harbour evening (copy)')!.id;

    // Cancel keeps it.
    await page.getByRole('button', { name: 'Delete Harbour evening (copy)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “Harbour evening (copy)”?' });
    await dialog.waitFor();
    await saveScreenshot(page, 'library-delete-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.ok(names().includes('Harbour evening (copy)'));

    // On air: refused with the appliance's message and what to do.
    const run = ui.served.api.store.executions.start(id);
    await page.getByRole('button', { name: 'Delete Harbour evening (copy)' }).click();
    await dialog.getByRole('button', { name: 'Delete timeline' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /is playing in a show/);
    await saveScreenshot(page, 'library-delete-refused');
    assert.ok(names().includes('Harbour evening (copy)'));
    ui.served.api.store.executions.finish(run.id, 'stopped');

    await dialog.getByRole('button', { name: 'Delete timeline' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Deleted “Harbour evening (copy)”.').waitFor();
    assert.equal(await rows().filter({ hasText: 'Harbour evening (copy)' }).count(), 0);
    assert.ok(!names().includes('Harbour evening (copy)'));
    assert.ok(names().includes('Harbour evening'));
  });

  it('raised no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
