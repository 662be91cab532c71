// The Schedules page in a real browser: the empty state, field errors next to their fields, adding
// a weekend schedule with two timelines in a chosen order and a destination (next runs shown in
// the appliance's zone), editing it to cross midnight, and deleting it after confirmation — each
// step checked in the database too.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { completeFirstRun, openPage, saveScreenshot, useBrowserUi } from '../../helpers/browser.ts';
import { oneCameraShow } from '../../helpers/timelines.ts';

describe('Schedules page (chromium)', () => {
  let reloads = 0;
  const ids = { harbour: 0, pier: 0, dest: 0 };
  // The harness clock: Tuesday 2026-11-24 10:00Z. The first test goes through first run.
  const ui = useBrowserUi({
    serve: {
      schedules: {
        reload: () => void reloads++,
        onAirScheduleId: () => null,
        timeZone: () => 'Europe/London',
      },
    },
    firstRun: 'none',
  });

  before(() => {
    const { store } = ui.served.api;
    ids.harbour = store.timelines.create(oneCameraShow('Harbour')).id;
    ids.pier = store.timelines.create(oneCameraShow('Fuel pier')).id;
    ids.dest = store.destinations.create({
      name: 'Marina YouTube',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
      stream_key: 'abcd-efgh-ijkl-mnop',
    }).id;
  });

  it('adds, edits and deletes a schedule', async () => {
    const { page, context, pageErrors } = await openPage(ui.browser, ui.served.url);
    await completeFirstRun(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'No schedules yet' }).waitFor();
    await page.getByText('Europe/London').first().waitFor();
    await saveScreenshot(page, 'schedules-01-empty');

    // Nothing filled in: the errors stand next to their fields and nothing is saved.
    await page.getByRole('button', { name: 'Add your first schedule' }).click();
    await page.getByRole('heading', { name: 'New schedule' }).waitFor();
    await page.getByRole('button', { name: 'Add schedule' }).last().click();
    await page.getByRole('alert').waitFor();
    const nameField = page.getByLabel('Name');
    assert.equal(await nameField.getAttribute('aria-invalid'), 'true');
    await page.getByText('is required').waitFor();
    await page.getByText('choose at least one timeline').waitFor();
    assert.equal(ui.served.api.store.schedules.list().length, 0);
    await saveScreenshot(page, 'schedules-02-errors');

    await nameField.fill('Weekend mornings');
    await page.getByRole('button', { name: 'Weekends' }).click();
    assert.equal(await page.getByRole('checkbox', { name: 'Saturday' }).isChecked(), true);
    assert.equal(await page.getByRole('checkbox', { name: 'Monday' }).isChecked(), false);
    await page.getByLabel('Starts at').fill('09:00');
    await page.getByLabel('Ends at').fill('12:30');
    await page.getByLabel('Timeline to add').selectOption({ label: 'Harbour' });
    await page.getByRole('button', { name: 'Add timeline' }).click();
    await page.getByLabel('Timeline to add').selectOption({ label: 'Fuel pier' });
    await page.getByRole('button', { name: 'Add timeline' }).click();
    await page.getByRole('button', { name: 'Move Fuel pier up' }).click();
    await page.getByRole('checkbox', { name: 'Marina YouTube' }).check();
    await saveScreenshot(page, 'schedules-03-form');
    await page.getByRole('button', { name: 'Add schedule' }).last().click();
    await page.getByText('Schedule “Weekend mornings” added.').waitFor();

    const [saved] = ui.served.api.store.schedules.list();
    assert.deepEqual(saved && [saved.days, saved.start_time, saved.end_time], [
      ['sat', 'sun'],
      '09:00',
      '12:30',
    ]);
    assert.deepEqual(saved!.timeline_ids, [ids.pier, ids.harbour], 'the order chosen');
    assert.deepEqual(saved!.destination_ids, [ids.dest]);
    assert.equal(saved!.enabled, true);
    const row = page.getByRole('row', { name: /Weekend mornings/ });
    await row.getByText('Weekends').waitFor();
    // Next runs in London time: Saturday 28 and Sunday 29 November.
    const runs = await row.locator('.next-runs li').allInnerTexts();
    assert.equal(runs.length, 3, runs.join(' | '));
    assert.match(runs[0]!, /^(?=.*Sat)(?=.*Nov)(?=.*28).*09:00 – 12:30$/);
    assert.match(runs[1]!, /^(?=.*Sun)(?=.*Nov)(?=.*29).*09:00 – 12:30$/);
    await saveScreenshot(page, 'schedules-04-list');

    // Edit: cross midnight and switch it off.
    await page.getByRole('button', { name: 'Edit Weekend mornings' }).click();
    await page.getByRole('heading', { name: 'Edit “Weekend mornings”' }).waitFor();
    await page.getByLabel('Starts at').fill('22:00');
    await page.getByLabel('Ends at').fill('02:00');
    await page.getByText('Ends the next day.').waitFor();
    await page.getByRole('checkbox', { name: 'Enabled (starts shows by itself)' }).uncheck();
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Schedule “Weekend mornings” saved.').waitFor();
    await row.getByText('22:00–02:00 (next day)').waitFor();
    await row.getByText('Off', { exact: true }).waitFor();
    await row.getByText('No upcoming runs').waitFor();
    const edited = ui.served.api.store.schedules.get(saved!.id);
    assert.deepEqual([edited.start_time, edited.end_time, edited.enabled], ['22:00', '02:00', false]);

    // Delete, after confirming.
    await page.getByRole('button', { name: 'Delete Weekend mornings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this schedule?' });
    await dialog.waitFor();
    await saveScreenshot(page, 'schedules-05-delete');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(ui.served.api.store.schedules.list().length, 1, 'Cancel keeps it');
    await page.getByRole('button', { name: 'Delete Weekend mornings' }).click();
    await dialog.getByRole('button', { name: 'Delete schedule' }).click();
    await page.getByText('Schedule “Weekend mornings” deleted.').waitFor();
    assert.equal(ui.served.api.store.schedules.list().length, 0);
    assert.equal(reloads, 3, 'the scheduler was told of each change');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
