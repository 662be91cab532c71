// The Cameras page in a real browser against a simulated RTSP camera (with a login) and a
// simulated ONVIF PTZ camera: add through the form (the password is stored sealed and never comes
// back to the page), test the connection (good, wrong port, wrong password), the picture, field
// errors, delete refused while in use, and PTZ presets (capture, go to, import, delete).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import { connectOnvif } from '../../../src/ptz/onvif.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { openPage, recordApiBodies, saveScreenshot, signInAs, useBrowserUi } from '../../helpers/browser.ts';
import { startOnvifSim, type OnvifSim } from '../../helpers/onvif-sim.ts';
import { waitFor } from '../../helpers/proc.ts';
import { specExampleJson } from '../../helpers/timelines.ts';

const CAMERA_USER = 'viewer';
const CAMERA_PASSWORD = 'sim-Secret-4711';
const ONVIF_PASSWORD = 'onvif-Secret-0815';

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The decoded width of an <img> (0 while it has no picture). */
function naturalWidth(image: Locator): Promise<number> {
  return image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth);
}

describe('Cameras page (chromium, simulated RTSP and ONVIF cameras)', () => {
  const ui = useBrowserUi({
    serve: { ptz: { connect: (options) => connectOnvif({ ...options, timeoutMs: 3000 }) } },
    firstRun: 'browser',
  });
  let sim: CameraSim;
  let onvif: OnvifSim;

  before(async () => {
    [sim, onvif] = await Promise.all([
      startCameraSim({ cameras: [{ name: 'dock' }], auth: { user: CAMERA_USER, password: CAMERA_PASSWORD } }),
      startOnvifSim({ username: 'admin', password: ONVIF_PASSWORD }),
    ]);
  });
  after(async () => {
    await sim?.stop();
    await onvif?.close();
  });

  it('adds a camera through the form: field error first, test before saving, the password never comes back', async () => {
    const { page, context, pageErrors } = await openPage(ui.browser, ui.served.url);
    const bodies = recordApiBodies(page);
    await signInAs(page);
    await page.goto('/cameras');
    await page.getByRole('heading', { name: 'No cameras yet' }).waitFor();
    await saveScreenshot(page, 'cameras-01-empty');
    await page.getByRole('button', { name: 'Add your first camera' }).click();

    // A bad address is refused next to its field; nothing is stored.
    await page.getByLabel('Name', { exact: true }).fill('Dock');
    await page.getByLabel('Stream address').fill('192.168.1.20/stream1');
    await page.getByRole('button', { name: 'Save camera' }).click();
    const address = page.getByLabel('Stream address');
    await page.getByText(/must be a camera stream URL/).waitFor();
    assert.equal(await address.getAttribute('aria-invalid'), 'true');
    const describedBy = await address.getAttribute('aria-describedby');
    assert.match(
      await page.locator(`[id="${describedBy}"]`).innerText(),
      /must be a camera stream URL .*rtsp:\/\/192\.168\.1\.20/,
    );
    assert.equal(ui.served.api.store.cameras.list().length, 0);
    await saveScreenshot(page, 'cameras-02-field-error');

    // Test the typed-in settings before saving.
    await address.fill(sim.url('dock', { withAuth: false }));
    await page.getByLabel('User name').fill(CAMERA_USER);
    await page.getByLabel('Password', { exact: true }).fill(CAMERA_PASSWORD);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const connected = page.getByRole('status').filter({ hasText: 'Connected.' });
    await connected.waitFor();
    assert.match(await connected.innerText(), /H264 320×180/);

    await page.getByRole('button', { name: 'Save camera' }).click();
    await page.getByText('Camera “Dock” added.').waitFor();
    const [stored] = ui.served.api.store.cameras.list();
    assert.ok(stored);
    assert.equal(stored.name, 'Dock');
    assert.equal(stored.username, CAMERA_USER);
    assert.equal(stored.has_password, true);
    assert.equal(stored.stream_url, sim.url('dock', { withAuth: false }));
    assert.equal(new URL(ui.served.api.store.cameras.connection(stored.id).url).password, CAMERA_PASSWORD);

    // The editor now shows the camera as stored: the password only as "Set", and a live picture.
    await page.getByRole('heading', { name: 'Edit “Dock”' }).waitFor();
    const passwordGroup = page.getByRole('group', { name: 'Password', exact: true });
    await passwordGroup.getByText('Set', { exact: true }).waitFor();
    const picture = page.getByRole('img', { name: 'Current picture from Dock' });
    await picture.waitFor();
    // Polled from here, not by a string run in the page: its content security policy forbids that.
    await waitFor(async () => (await naturalWidth(picture)) > 0, { what: 'the picture from Dock' });
    assert.equal(await naturalWidth(picture), 320);
    // The saved camera is tested with its stored password; the list shows the result.
    await page.getByRole('button', { name: 'Test connection' }).click();
    await connected.waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Dock' });
    await row.getByText('Connected', { exact: true }).waitFor();
    // "Refresh picture" fetches a new frame: a new image replaces the first one.
    const first = await picture.getAttribute('src');
    await page.getByRole('button', { name: 'Refresh picture' }).click();
    await waitFor(
      async () => (await picture.getAttribute('src')) !== first && (await naturalWidth(picture)) > 0,
      { what: 'a new picture from Dock' },
    );
    assert.equal(await naturalWidth(picture), 320);
    await saveScreenshot(page, 'cameras-03-editor');

    // The secret is in no answer the page saw and nowhere in the page.
    assert.ok(bodies.length > 5, `answers seen: ${bodies.length}`);
    for (const body of bodies)
      assert.ok(!body.includes(CAMERA_PASSWORD), `answer leaks the password: ${body}`);
    assert.ok(!(await page.content()).includes(CAMERA_PASSWORD));
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('says in plain words why a test fails: nothing at that port, a wrong password', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/cameras');
    await page.getByRole('button', { name: 'Add camera' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Nowhere');
    await page.getByLabel('Stream address').fill(`rtsp://127.0.0.1:${await closedPort()}/dock`);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const refused = await alert.innerText();
    assert.match(refused, /nothing answers at this address and port/);
    assert.match(refused, /Check the camera’s power, network cable and address/);
    await saveScreenshot(page, 'cameras-04-test-unreachable');

    await page.getByLabel('Stream address').fill(sim.url('dock', { withAuth: false }));
    await page.getByLabel('User name').fill(CAMERA_USER);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused the user name or password' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /Check the camera’s user name and password/);
    assert.equal(ui.served.api.store.cameras.list().length, 1, 'testing stores nothing');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('refuses to delete a camera a timeline uses (and says what to do), deletes one nobody uses', async () => {
    const spare = ui.served.api.store.cameras.create({ name: 'Spare', stream_url: 'rtsp://10.0.0.9/s' });
    const used = ui.served.api.store.cameras.create({ name: 'Harbour', stream_url: 'rtsp://10.0.0.8/s' });
    const text = JSON.stringify(specExampleJson())
      .replace('"camera_id":1', `"camera_id":${used.id}`)
      .replace('"camera_id":2', `"camera_id":${used.id}`)
      .replace('"backup_camera_id":3', `"backup_camera_id":${used.id}`);
    await ui.served.api.signIn();
    const timeline = await ui.served.api.call('POST', '/api/timelines', JSON.parse(text) as unknown);
    assert.equal(timeline.statusCode, 201, timeline.body);

    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/cameras');
    await page.getByRole('button', { name: 'Delete Harbour' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete camera “Harbour”?' });
    await dialog.getByRole('button', { name: 'Delete camera' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /is used by timeline \d+/);
    assert.match(await refusal.innerText(), /Remove the camera from the timelines listed/);
    await saveScreenshot(page, 'cameras-05-delete-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.ok(ui.served.api.store.cameras.list().some((camera) => camera.id === used.id));

    await page.getByRole('button', { name: 'Delete Spare' }).click();
    await page
      .getByRole('dialog', { name: 'Delete camera “Spare”?' })
      .getByRole('button', { name: 'Delete camera' })
      .click();
    await page.getByText('Camera “Spare” deleted.').waitFor();
    assert.ok(!ui.served.api.store.cameras.list().some((camera) => camera.id === spare.id));
    assert.equal(await page.getByRole('row').filter({ hasText: 'Spare' }).count(), 0);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('sets up a PTZ camera and its presets over ONVIF: capture, go to, import, delete, errors', async () => {
    const { page, context, pageErrors } = await openPage(ui.browser, ui.served.url);
    const bodies = recordApiBodies(page);
    await signInAs(page);
    await page.goto('/cameras');
    await page.getByRole('button', { name: 'Add camera' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Pier PTZ');
    await page.getByLabel('Stream address').fill(sim.url('dock', { withAuth: false }));
    await page.getByLabel('User name', { exact: true }).fill(CAMERA_USER);
    await page.getByLabel('Password', { exact: true }).fill(CAMERA_PASSWORD);
    await page.getByLabel('Camera type').selectOption('ptz');
    await page.getByLabel('ONVIF address').fill(onvif.url);
    await page.getByLabel('ONVIF user name').fill('admin');
    await page.getByLabel('ONVIF password', { exact: true }).fill(ONVIF_PASSWORD);
    await page.getByRole('button', { name: 'Save camera' }).click();
    await page.getByText('Camera “Pier PTZ” added.').waitFor();
    const camera = ui.served.api.store.cameras.list().find((c) => c.name === 'Pier PTZ');
    assert.ok(camera);
    assert.equal(camera.camera_type, 'ptz');
    assert.equal(camera.onvif_url, onvif.url);
    assert.equal(camera.has_onvif_password, true);

    const presets = page.getByRole('region', { name: 'PTZ presets' });
    await presets.getByText('No presets yet.').waitFor();
    // A name a timeline could not refer to is refused next to the field.
    await presets.getByLabel('New preset name').fill('dock wide');
    await presets.getByRole('button', { name: 'Capture current position' }).click();
    await presets.getByText(/may only contain letters, digits/).waitFor();

    onvif.moveTo({ pan: 0.25, tilt: -0.5, zoom: 0.1 });
    await presets.getByLabel('New preset name').fill('dock_wide');
    await presets.getByRole('button', { name: 'Capture current position' }).click();
    await presets.getByText('Preset “dock_wide” saved').waitFor();
    const [captured] = ui.served.api.store.cameras.presets(camera.id);
    assert.ok(captured?.preset_token);
    assert.equal(onvif.presets.get(captured.preset_token)?.name, 'dock_wide');
    await presets.getByRole('cell', { name: 'pan 0.25, tilt -0.50, zoom 0.10' }).waitFor();

    // Elsewhere now; "Go to" sends the camera back to the captured preset.
    onvif.moveTo({ pan: -1, tilt: 1, zoom: 1 });
    await presets.getByRole('button', { name: 'Go to preset dock_wide' }).click();
    await presets.getByText('The camera is moving to “dock_wide”.').waitFor();
    const gotos = onvif.received('GotoPreset');
    assert.equal(gotos.length, 1);
    assert.equal(gotos[0]!.params['PresetToken'], captured.preset_token);
    assert.deepEqual(onvif.position, { pan: 0.25, tilt: -0.5, zoom: 0.1 });

    // The camera's own presets are imported by name.
    onvif.presets.set('p_boats', { token: 'p_boats', name: 'Boats', pan: 0.5, tilt: 0, zoom: 0 });
    await presets.getByRole('button', { name: 'Import presets from the camera' }).click();
    await presets
      .getByText(/1 preset imported from the camera\. Skipped: “dock_wide” \(already stored\)/)
      .waitFor();
    await presets.getByRole('button', { name: 'Go to preset Boats' }).waitFor();
    await saveScreenshot(page, 'cameras-06-ptz-presets');

    // The camera refusing is shown with what to do.
    onvif.failOn(
      'GotoPreset',
      { kind: 'fault', subcode: 'ter:NotAuthorized', reason: 'Sender not Authorized' },
      1,
    );
    await presets.getByRole('button', { name: 'Go to preset Boats' }).click();
    const refusal = presets.getByRole('alert');
    await refusal.waitFor();
    assert.match(
      await refusal.innerText(),
      /Check the camera is on and its ONVIF user may control PTZ|user name and password/,
    );
    await saveScreenshot(page, 'cameras-07-ptz-error');

    await presets.getByRole('button', { name: 'Delete preset Boats' }).click();
    await page
      .getByRole('dialog', { name: 'Delete preset “Boats”?' })
      .getByRole('button', { name: 'Delete preset' })
      .click();
    await presets.getByText('Preset “Boats” removed.').waitFor();
    assert.deepEqual(
      ui.served.api.store.cameras.presets(camera.id).map((preset) => preset.name),
      ['dock_wide'],
    );
    for (const body of bodies)
      assert.ok(!body.includes(ONVIF_PASSWORD), `answer leaks the password: ${body}`);
    assert.ok(!(await page.content()).includes(ONVIF_PASSWORD));
    // The refused move answered 502, which chromium logs; nothing else went wrong.
    assert.deepEqual(
      pageErrors.filter((error) => !/status of 502/.test(error)),
      [],
    );
    await context.close();
  });
});
