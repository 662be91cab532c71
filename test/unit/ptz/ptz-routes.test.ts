import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { connectOnvif } from '../../../src/ptz/onvif.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { startOnvifSim, type OnvifSim } from '../../helpers/onvif-sim.ts';

const PASSWORD = 'cam-secret';
const TIMEOUT_MS = 500;

describe('PTZ routes (real SQLite file, simulated ONVIF camera)', () => {
  let api: ApiHarness;
  let camera: OnvifSim;
  let ptzId: number;

  before(async () => {
    api = await createApiHarness({
      ptz: { connect: (options) => connectOnvif({ ...options, timeoutMs: TIMEOUT_MS }) },
    });
    await api.signIn();
  });
  after(() => api.close());

  // A fresh camera (and camera entry) per test: presets and requests start clean.
  let serial = 0;
  const createPtzCamera = (url: string, password = PASSWORD) =>
    api.store.cameras.create({
      name: `Dock ${++serial}`,
      stream_url: 'rtsp://127.0.0.1:8554/dock',
      camera_type: 'ptz',
      onvif_url: url,
      onvif_username: 'admin',
      onvif_password: password,
    }).id;

  before(async () => {
    camera = await startOnvifSim({ password: PASSWORD });
  });
  after(() => camera.close());
  afterEach(() => {
    camera.clearFailures();
    camera.requests.length = 0;
    camera.presets.clear();
  });
  const setUp = () => {
    camera.presets.set('p_wide', { token: 'p_wide', name: 'Wide', pan: 0.5, tilt: -0.25, zoom: 0.3 });
    camera.moveTo({ pan: 0, tilt: 0, zoom: 0 });
    ptzId = createPtzCamera(camera.url);
  };

  it('stores typed-in presets, lists and deletes them; names are checked', async () => {
    setUp();
    assert.deepEqual((await api.call('GET', `/api/cameras/${ptzId}/presets`)).json(), []);
    const created = await api.call('POST', `/api/cameras/${ptzId}/presets`, {
      name: 'Wide',
      preset_token: 'p_wide',
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json(), {
      id: created.json().id,
      camera_id: ptzId,
      name: 'Wide',
      preset_token: 'p_wide',
      pan: null,
      tilt: null,
      zoom: null,
    });
    const byPosition = await api.call('POST', `/api/cameras/${ptzId}/presets`, {
      name: 'Left',
      pan: -0.5,
      tilt: 0,
    });
    assert.equal(byPosition.statusCode, 201, byPosition.body);
    const listed = (await api.call('GET', `/api/cameras/${ptzId}/presets`)).json() as Array<{ name: string }>;
    assert.deepEqual(
      listed.map((p) => p.name),
      ['Left', 'Wide'],
    );

    const nothing = await api.call('POST', `/api/cameras/${ptzId}/presets`, { name: 'Nowhere' });
    assert.equal(nothing.statusCode, 400);
    assert.deepEqual(
      nothing.json().issues.map((i: { path: string }) => i.path),
      ['preset_token'],
    );
    const badName = await api.call('POST', `/api/cameras/${ptzId}/presets`, {
      name: 'two words',
      preset_token: 'x',
    });
    assert.equal(badName.statusCode, 400);
    assert.deepEqual(
      badName.json().issues.map((i: { path: string }) => i.path),
      ['name'],
    );
    const twice = await api.call('POST', `/api/cameras/${ptzId}/presets`, {
      name: 'Wide',
      preset_token: 'p_other',
    });
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().code, 'CONFLICT');

    const gone = await api.call('DELETE', `/api/cameras/${ptzId}/presets/${created.json().id}`);
    assert.equal(gone.statusCode, 204);
    const again = await api.call('DELETE', `/api/cameras/${ptzId}/presets/${created.json().id}`);
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().code, 'PRESET_NOT_FOUND');
    assert.equal((await api.call('GET', '/api/cameras/9999/presets')).json().code, 'CAMERA_NOT_FOUND');
    assert.equal(camera.requests.length, 0, 'typed-in presets never call the camera');
  });

  it('capture: the camera stores where it points, the token and position are kept', async () => {
    setUp();
    camera.moveTo({ pan: 0.2, tilt: 0.4, zoom: 0.6 });
    const response = await api.call('POST', `/api/cameras/${ptzId}/presets`, {
      name: 'Pulpit',
      capture: true,
    });
    assert.equal(response.statusCode, 201, response.body);
    const preset = response.json();
    assert.deepEqual(camera.presets.get(preset.preset_token), {
      token: preset.preset_token,
      name: 'Pulpit',
      pan: 0.2,
      tilt: 0.4,
      zoom: 0.6,
    });
    assert.deepEqual([preset.name, preset.pan, preset.tilt, preset.zoom], ['Pulpit', 0.2, 0.4, 0.6]);

    const withPan = await api.call('POST', `/api/cameras/${ptzId}/presets`, {
      name: 'X',
      capture: true,
      pan: 0,
    });
    assert.equal(withPan.statusCode, 400);
    assert.deepEqual(withPan.json().issues, [
      { path: 'pan', message: 'is read from the camera when capture is true' },
    ]);

    const setPresets = camera.received('SetPreset').length;
    const taken = await api.call('POST', `/api/cameras/${ptzId}/presets`, { name: 'Pulpit', capture: true });
    assert.equal(taken.statusCode, 409);
    assert.equal(camera.received('SetPreset').length, setPresets, 'a taken name never reaches the camera');
  });

  it('goto moves the camera to the preset; a position-only preset uses AbsoluteMove', async () => {
    setUp();
    const wide = (
      await api.call('POST', `/api/cameras/${ptzId}/presets`, { name: 'Wide', preset_token: 'p_wide' })
    ).json();
    const before = Date.now();
    const response = await api.call('POST', `/api/cameras/${ptzId}/presets/${wide.id}/goto`, { speed: 0.5 });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().via, 'preset_token');
    assert.deepEqual(camera.position, { pan: 0.5, tilt: -0.25, zoom: 0.3 });
    const gotos = camera.received('GotoPreset');
    assert.equal(gotos.length, 1);
    assert.equal(gotos[0]!.params.PresetToken, 'p_wide');
    assert.ok(gotos[0]!.at >= before && gotos[0]!.at <= Date.now());

    const left = (
      await api.call('POST', `/api/cameras/${ptzId}/presets`, {
        name: 'Left',
        pan: -0.5,
        tilt: 0.2,
        zoom: 0.1,
      })
    ).json();
    const moved = await api.call('POST', `/api/cameras/${ptzId}/presets/${left.id}/goto`);
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().via, 'position');
    assert.deepEqual(camera.position, { pan: -0.5, tilt: 0.2, zoom: 0.1 });

    const tooFast = await api.call('POST', `/api/cameras/${ptzId}/presets/${left.id}/goto`, { speed: 2 });
    assert.equal(tooFast.statusCode, 400);
    const missing = await api.call('POST', `/api/cameras/${ptzId}/presets/9999/goto`);
    assert.equal(missing.json().code, 'PRESET_NOT_FOUND');
  });

  it('409 PTZ_NOT_CONFIGURED for a stationary camera or one without ONVIF, before any network', async () => {
    const fixed = api.store.cameras.create({
      name: 'Fixed',
      stream_url: 'rtsp://127.0.0.1:8554/f',
      onvif_url: camera.url,
    });
    const noOnvif = api.store.cameras.create({
      name: 'No ONVIF',
      stream_url: 'rtsp://127.0.0.1:8554/n',
      camera_type: 'ptz',
    });
    for (const id of [fixed.id, noOnvif.id]) {
      const preset = api.store.cameras.addPreset(id, { name: 'Wide', preset_token: 'p_wide' });
      const goto = await api.call('POST', `/api/cameras/${id}/presets/${preset.id}/goto`);
      assert.equal(goto.statusCode, 409);
      assert.equal(goto.json().code, 'PTZ_NOT_CONFIGURED');
      assert.match(goto.json().remediation, /ONVIF address/);
      assert.equal((await api.call('GET', `/api/cameras/${id}/ptz/status`)).statusCode, 409);
      assert.equal((await api.call('POST', `/api/cameras/${id}/ptz/sync`)).statusCode, 409);
    }
    assert.match(
      (await api.call('GET', `/api/cameras/${fixed.id}/ptz/status`)).json().message,
      /camera "Fixed" is not set up as a PTZ camera/,
    );
    assert.equal(camera.requests.length, 0);
  });

  it('502 PTZ_FAILED with the reason when the camera refuses, the password is wrong or it hangs', async () => {
    setUp();
    const stale = api.store.cameras.addPreset(ptzId, { name: 'Stale', preset_token: 'p_reset' });
    const refused = await api.call('POST', `/api/cameras/${ptzId}/presets/${stale.id}/goto`);
    assert.equal(refused.statusCode, 502);
    assert.equal(refused.json().code, 'PTZ_FAILED');
    assert.match(
      refused.json().message,
      /camera "Dock \d+" \(127\.0\.0\.1:\d+\) refused to go to preset "p_reset": No such PTZ preset/,
    );
    assert.match(refused.json().remediation, /capture the preset again/);

    const wrongPassword = 'Not-The-Camera-Password';
    const locked = createPtzCamera(camera.url, wrongPassword);
    const denied = await api.call('GET', `/api/cameras/${locked}/ptz/status`);
    assert.equal(denied.statusCode, 502);
    assert.match(denied.json().message, /refused the ONVIF user name or password/);
    assert.ok(!denied.body.includes(wrongPassword));

    camera.failOn('GetStatus', { kind: 'hang' });
    const started = performance.now();
    const hung = await api.call('GET', `/api/cameras/${ptzId}/ptz/status`);
    assert.ok(performance.now() - started < TIMEOUT_MS + 1000);
    assert.equal(hung.statusCode, 502);
    assert.match(hung.json().message, /did not answer within 0\.5 s/);
  });

  it('status reports where the camera points', async () => {
    setUp();
    camera.moveTo({ pan: -0.3, tilt: 0.7, zoom: 0.25 });
    const response = await api.call('GET', `/api/cameras/${ptzId}/ptz/status`);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { pan: -0.3, tilt: 0.7, zoom: 0.25, moving: false });
  });

  it('sync imports the camera’s presets by name, once; names become timeline-safe', async () => {
    setUp();
    camera.presets.set('p_home', { token: 'p_home', name: 'Home Position', pan: 0, tilt: 0, zoom: 0 });
    camera.presets.set('p_far', { token: 'p_far', name: 'Far', pan: 0.1, tilt: 0.1, zoom: 1 });
    camera.presets.set('p_far2', { token: 'p_far2', name: 'Far', pan: 0.2, tilt: 0.2, zoom: 1 });
    api.store.cameras.addPreset(ptzId, { name: 'Wide', preset_token: 'p_wide' });

    const first = await api.call('POST', `/api/cameras/${ptzId}/ptz/sync`);
    assert.equal(first.statusCode, 200, first.body);
    const body = first.json() as {
      imported: Array<{ name: string; preset_token: string; pan: number | null }>;
      skipped: Array<{ token: string; reason: string }>;
    };
    assert.deepEqual(body.imported.map((p) => [p.name, p.preset_token, p.pan]).sort(), [
      ['Far', 'p_far', 0.1],
      ['Home_Position', 'p_home', 0],
    ]);
    assert.deepEqual(body.skipped.map((s) => [s.token, s.reason]).sort(), [
      ['p_far2', 'the name "Far" is already used by another preset'],
      ['p_wide', 'already stored'],
    ]);

    const second = (await api.call('POST', `/api/cameras/${ptzId}/ptz/sync`)).json();
    assert.deepEqual(second.imported, []);
    const names = (await api.call('GET', `/api/cameras/${ptzId}/presets`))
      .json()
      .map((p: { name: string }) => p.name);
    assert.deepEqual(names, ['Far', 'Home_Position', 'Wide']);
  });
});
