// The Schedules page in a real browser: the empty state, field errors next to their fields, adding
// a weekend schedule with two timelines in a chosen order and a destination (next runs shown in
// the appliance's zone), editing it to cross midnight, and deleting it after confirmation — each
// step checked in the database too. Then a schedule that follows the sun: refused until the
// appliance position is set (Settings, Position card, errors in words), added with sunrise + 15 min
// to sunset − 10 min, its next runs at the computed minutes, and a polar-night day shown as not
// running.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sunEventOn } from '../../../src/scheduler/sun.ts';
import { a11yViolations } from '../../helpers/a11y.ts';
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

  it('a schedule that follows the sun: position first, then next runs at sunrise and sunset', async () => {
    const { store } = ui.served.api;
    const { page, context, pageErrors } = await ui.signedInPage();
    const nav = page.getByRole('navigation', { name: 'Main' });
    const addSunSchedule = async () => {
      await page
        .getByRole('button', { name: /Add (your first )?schedule/ })
        .first()
        .click();
      await page.getByRole('heading', { name: 'New schedule' }).waitFor();
      await page.getByLabel('Name').fill('Harbour daylight');
      await page.getByLabel('Start: clock or sun').selectOption({ label: 'Sunrise' });
      await page.getByLabel('Starts at: minutes after sunrise (negative: before)').fill('15');
      await page.getByLabel('End: clock or sun').selectOption({ label: 'Sunset' });
      await page.getByLabel('Ends at: minutes after sunset (negative: before)').fill('-10');
      await page.getByText('the window does not run that day').waitFor();
      await page.getByLabel('Timeline to add').selectOption({ label: 'Harbour' });
      await page.getByRole('button', { name: 'Add timeline' }).click();
      await page.getByRole('button', { name: 'Add schedule' }).last().click();
    };

    // No position yet: the schedule is refused, and the message says where to set it.
    await nav.getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    await addSunSchedule();
    await page
      .getByText(/appliance position is not set/)
      .first()
      .waitFor();
    assert.equal(store.schedules.list().length, 0);

    // Settings: the Position card, with its mistakes in words.
    await nav.getByRole('link', { name: 'Settings' }).click();
    const card = page.getByRole('region', { name: 'Position' });
    await card.waitFor();
    await card.getByLabel('Latitude').fill('95');
    await card.getByLabel('Longitude').fill('east');
    await card.getByRole('button', { name: 'Save position' }).click();
    await card.getByText('Longitude must be a number of degrees like -0.01').waitFor();
    await card.getByLabel('Longitude').fill('-0.0005');
    await card.getByRole('button', { name: 'Save position' }).click();
    await card.getByText('must be between -90 and 90 degrees (north positive, south negative)').waitFor();
    assert.equal(await card.getByLabel('Latitude').getAttribute('aria-invalid'), 'true');
    await card.getByLabel('Latitude').fill('51.4769');
    await card.getByLabel('Place name (optional)').fill('Greenwich');
    await card.getByRole('button', { name: 'Save position' }).click();
    await card.getByText('Saved: the appliance position.').waitFor();
    assert.deepEqual(store.settings.get('appliance.position', null), {
      latitude: 51.4769,
      longitude: -0.0005,
      place_name: 'Greenwich',
    });
    await card.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'schedules-1x-sun-position');
    assert.deepEqual(await a11yViolations(page), [], 'Settings with the Position card');

    // Now the same schedule is taken.
    await nav.getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    await addSunSchedule();
    await page.getByText('Schedule “Harbour daylight” added.').waitFor();
    const [saved] = store.schedules.list();
    assert.deepEqual(
      [saved!.start_time, saved!.end_time],
      [
        { sun: 'sunrise', offset_minutes: 15 },
        { sun: 'sunset', offset_minutes: -10 },
      ],
    );
    const row = page.getByRole('row', { name: /Harbour daylight/ });
    await row.getByText('Sunrise + 15 min – Sunset − 10 min').waitFor();
    // Today (Tue 24 Nov, the harness clock 10:00Z) and the next two days, at the computed minutes.
    const greenwich = { latitude: 51.4769, longitude: -0.0005 };
    const hhmm = (instant: number) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(new Date(instant));
    const runs = await row.locator('.next-runs li').allInnerTexts();
    assert.equal(runs.length, 3, runs.join(' | '));
    [24, 25, 26].forEach((day, index) => {
      const date = { year: 2026, month: 11, day };
      const start = hhmm(sunEventOn(date, greenwich, 'sunrise')! + 15 * 60_000);
      const end = hhmm(sunEventOn(date, greenwich, 'sunset')! - 10 * 60_000);
      assert.ok(runs[index]!.includes(String(day)), runs[index]);
      assert.ok(runs[index]!.endsWith(`${start} – ${end}`), `${runs[index]} vs ${start} – ${end}`);
    });
    // About 07:49 – 15:52 today, by the almanac's 07:34 sunrise and 16:02 sunset.
    assert.match(runs[0]!, /07:(4[7-9]|5[01]) – 15:(49|5\d)$/);

    // Tromsø, whose polar night begins on 27 November: a Tuesday and Wednesday schedule runs
    // this week, and on Tuesday 1 December says it does not run.
    store.settings.set('appliance.position', { latitude: 69.6492, longitude: 18.9553, place_name: 'Tromsø' });
    store.schedules.create({
      name: 'Polar mornings',
      days: ['tue', 'wed'],
      start_time: { sun: 'sunrise', offset_minutes: 0 },
      end_time: { sun: 'sunset', offset_minutes: 0 },
      timeline_ids: [ids.pier],
    });
    await page.reload();
    const polar = page.getByRole('row', { name: /Polar mornings/ });
    await polar.getByText('Sunrise – Sunset').waitFor();
    const polarRuns = await polar.locator('.next-runs li').allInnerTexts();
    assert.equal(polarRuns.length, 3, polarRuns.join(' | '));
    assert.match(polarRuns[2]!, /^(?=.*Tue)(?=.*Dec)(?=.*\b1\b).*: no sunrise, does not run$/);
    await polar.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'schedules-1x-sun');
    await page.getByRole('button', { name: 'Edit Harbour daylight' }).click();
    await page.getByRole('heading', { name: 'Edit “Harbour daylight”' }).waitFor();
    assert.equal(
      await page.getByLabel('Starts at: minutes after sunrise (negative: before)').inputValue(),
      '15',
    );
    assert.deepEqual(await a11yViolations(page), [], 'Schedules with the sun-based form open');
    await saveScreenshot(page, 'schedules-1x-sun-form');
    store.settings.set('appliance.position', null);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
