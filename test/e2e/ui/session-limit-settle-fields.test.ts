// The two settings of issue 7 in the browser: a destination's "Max session hours" (empty = the
// platform's limit, shown in the hint; a value the appliance refuses is named at the field) and a
// PTZ camera's "PTZ settle time". What the database holds afterwards is checked too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { saveScreenshot, useBrowserUi } from '../../helpers/browser.ts';

describe('UI: max session hours (destination) and PTZ settle time (camera)', () => {
  const ui = useBrowserUi();

  it('destination: the platform limit in the hint, a refused value at its field, then saved', async () => {
    const store = ui.served.api.store;
    const fb = store.destinations.create({
      name: 'Marina Facebook',
      platform: 'facebook',
      server_url: 'rtmps://live-api-s.facebook.com:443/rtmp/',
      stream_key: 'FB-secret-key',
    });
    const { page, context } = await ui.signedInPage();
    try {
      await page.goto('/destinations');
      await page.getByRole('button', { name: 'Edit Marina Facebook' }).click();
      const field = page.getByLabel('Max session hours');
      assert.equal(await field.inputValue(), '', 'empty: the platform’s own limit');
      assert.match(
        await page.getByText(/Empty: Facebook Live’s own limit, 8 hours/).innerText(),
        /new session/,
      );
      assert.match(
        await page.getByRole('note').innerText(),
        /ends a live video after 8 hours; the appliance starts a new session shortly before that/,
      );
      await field.fill('0.1');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('must be 0 (no limit) or between 0.25 and 720 hours').waitFor();
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      await saveScreenshot(page, 'destination-max-session-hours-error');
      assert.equal(store.destinations.get(fb.id).max_session_hours, null, 'nothing saved');

      await field.fill('4');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('button', { name: 'Edit Marina Facebook' }).waitFor();
      assert.equal(store.destinations.get(fb.id).max_session_hours, 4);
      await page.getByRole('button', { name: 'Edit Marina Facebook' }).click();
      assert.equal(await page.getByLabel('Max session hours').inputValue(), '4');
      await saveScreenshot(page, 'destination-max-session-hours');
    } finally {
      await context.close();
    }
  });

  it('PTZ camera: settle time shown with its default, saved', async () => {
    const store = ui.served.api.store;
    const camera = store.cameras.create({
      name: 'Dock PTZ',
      stream_url: 'rtsp://127.0.0.1:8554/dock',
      camera_type: 'ptz',
      onvif_url: 'http://127.0.0.1:8080/onvif/device_service',
    });
    const { page, context } = await ui.signedInPage();
    try {
      await page.goto('/cameras');
      await page.getByRole('button', { name: 'Edit Dock PTZ' }).click();
      const field = page.getByLabel('PTZ settle time (seconds)');
      assert.equal(await field.inputValue(), '');
      assert.equal(await field.getAttribute('placeholder'), '3');
      await field.fill('75');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('must be at most 60 seconds').waitFor();
      assert.equal(store.cameras.get(camera.id).ptz_settle_seconds, null);
      await saveScreenshot(page, 'camera-ptz-settle-time-error');
      await field.fill('5');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('must be at most 60 seconds').waitFor({ state: 'detached' });
      assert.equal(store.cameras.get(camera.id).ptz_settle_seconds, 5);
      assert.equal(await page.getByLabel('PTZ settle time (seconds)').inputValue(), '5');
      await saveScreenshot(page, 'camera-ptz-settle-time');
    } finally {
      await context.close();
    }
  });
});
