// History in a real browser: the empty state; shows run (seeded through the store) newest first
// with their timeline, times, length, result and error, and older ones on request; alerts with
// their remediation, filtered (open / all, severity), and Acknowledge recorded in the database.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot, useBrowserUi } from '../../helpers/browser.ts';

describe('history (chromium)', () => {
  const ui = useBrowserUi();
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    ({ page, pageErrors } = await ui.signedInPage());
  });

  it('says what will appear when nothing has happened yet', async () => {
    await page.goto('/history');
    await page.getByText('No show has run yet.').waitFor();
    await page.getByText('Nothing needs your attention.').waitFor();
    await page.getByLabel('Which alerts').selectOption('all');
    await page.getByText('No alerts yet.').waitFor();
    await saveScreenshot(page, 'history-empty');
  });

  it('lists shows run, newest first, with their result and error, and older ones on request', async () => {
    const { store } = ui.served.api;
    const created = await ui.served.api.call('POST', '/api/timelines', {
      timeline: {
        name: 'Marina loop',
        duration: 10,
        fps: 30,
        resolution: '1280x720',
        tracks: {
          video: {
            track_id: 'video_main',
            type: 'video',
            cues: [{ id: 'a', start_time: 0, duration: 10, action: 'show_camera', params: { camera_id: 1 } }],
          },
          overlays: [],
        },
      },
    });
    const timelineId = (created.json() as { id: number }).id;
    const setEnd = store.db.prepare('UPDATE timeline_executions SET completed_at = ? WHERE id = ?');
    // 30 older shows of an hour each, one a day, then a failed one and one still running.
    for (let day = 1; day <= 30; day++) {
      const start = `2026-10-${String(day).padStart(2, '0')}T08:00:00.000Z`;
      const run = store.executions.start(timelineId, null, start);
      store.executions.finish(run.id, 'completed');
      setEnd.run(`2026-10-${String(day).padStart(2, '0')}T09:00:00.000Z`, run.id);
    }
    const failed = store.executions.start(timelineId, null, '2026-11-20T18:00:00.000Z');
    store.executions.finish(failed.id, 'error', { error: 'the encoder stopped: no space left on the disk' });
    setEnd.run('2026-11-20T18:12:30.000Z', failed.id);
    store.executions.start(timelineId, null, new Date(Date.now() - 90_000).toISOString());

    await page.goto('/history');
    const table = page.getByRole('table', { name: 'Shows run' });
    await table.waitFor();
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), 25);
    const first = await rows.nth(0).locator('td').allInnerTexts();
    assert.equal(first[0], 'Marina loop');
    assert.equal(first[2], 'still running');
    assert.equal(first[4], 'On air');
    const second = await rows.nth(1).locator('td').allInnerTexts();
    assert.equal(second[3], '12:30');
    assert.equal(second[4], 'Failed');
    assert.equal(second[5], 'The encoder stopped: no space left on the disk.');
    const third = await rows.nth(2).locator('td').allInnerTexts();
    assert.equal(third[3], '1:00:00');
    assert.equal(third[4], 'Finished');

    await page.getByRole('button', { name: 'Show older shows' }).click();
    await rows.nth(31).waitFor();
    assert.equal(await rows.count(), 32);
    assert.equal(await page.getByRole('button', { name: 'Show older shows' }).count(), 0);
    // The oldest last.
    assert.match((await rows.nth(31).locator('td').allInnerTexts())[1]!, /Oct 1, 2026/);
  });

  it('shows alerts with what to do, filters them, and records an acknowledgement', async () => {
    const { store } = ui.served.api;
    const camera = store.alerts.raise({
      key: 'camera:2:offline',
      severity: 'error',
      code: 'CAMERA_OFFLINE',
      message: 'camera 2 "Dock" is offline — switched to its backup',
      remediation: 'Check the camera’s power and network cable.',
      source: 'camera 2',
    });
    const disk = store.alerts.raise({
      severity: 'warning',
      code: 'DISK_LOW',
      message: 'the disk is 91 % full',
      remediation: 'Delete old recordings or media you no longer use.',
    });
    const cleared = store.alerts.raise({
      key: 'destination:1:failing',
      severity: 'critical',
      code: 'DESTINATION_FAILING',
      message: 'YouTube refused the stream',
      remediation: 'Check the stream key in Destinations.',
    });
    store.alerts.clear('destination:1:failing');

    await page.goto('/history');
    const list = page.getByRole('list', { name: 'Alerts' });
    await list.waitFor();
    const items = list.getByRole('listitem');
    // Open by default: the resolved one is left out.
    await list.getByText('The disk is 91 % full.').waitFor();
    assert.equal(await items.count(), 2);
    assert.equal(await list.getByText('YouTube refused the stream.').count(), 0);
    await list.getByText('Camera 2 "Dock" is offline — switched to its backup.').waitFor();
    await list.getByText('Check the camera’s power and network cable.').waitFor();
    await saveScreenshot(page, 'history-content');

    await page.getByLabel('Severity').selectOption('warning');
    await list.getByText('The disk is 91 % full.').waitFor();
    assert.equal(await items.count(), 1);
    await page.getByLabel('Severity').selectOption('');

    await page.getByLabel('Which alerts').selectOption('all');
    await list.getByText('YouTube refused the stream.').waitFor();
    assert.equal(await items.count(), 3);

    await page.getByRole('button', { name: `Acknowledge: ${camera.message}` }).click();
    await list
      .getByRole('listitem')
      .filter({ hasText: 'Dock' })
      .getByText(/^Acknowledged /)
      .waitFor();
    assert.equal(store.alerts.get(camera.id).acknowledged, true);
    assert.equal(store.alerts.get(disk.id).acknowledged, false);
    assert.equal(store.alerts.get(cleared.id).acknowledged, false);
    await saveScreenshot(page, 'history-acknowledged');
    assert.deepEqual(pageErrors, []);
  });
});
