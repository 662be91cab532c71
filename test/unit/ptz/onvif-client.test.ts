import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { AppError } from '../../../src/errors/registry.ts';
import { connectOnvif } from '../../../src/ptz/onvif.ts';
import { childOf } from '../../fixtures/onvif/xml.ts';
import { startOnvifSim, type OnvifSim, type OnvifSimOptions } from '../../helpers/onvif-sim.ts';

const PASSWORD = 'cam-secret';
const DOCK = { token: 'p_dock', name: 'Dock', pan: 0.5, tilt: -0.25, zoom: 0.3 };
const STAGE = { token: 'p_stage', name: 'Stage', pan: -0.75, tilt: 0.1, zoom: 0.8 };

let sims: OnvifSim[] = [];
async function sim(options: OnvifSimOptions = {}): Promise<OnvifSim> {
  const started = await startOnvifSim({ password: PASSWORD, presets: [DOCK, STAGE], ...options });
  sims.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

/** Runs `work`, expects a PTZ_FAILED AppError, returns it. */
async function ptzFailure(work: () => Promise<unknown>): Promise<AppError> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, got ${String(error)}`);
    assert.equal(error.code, 'PTZ_FAILED');
    return error;
  }
  return assert.fail('it should have failed');
}

describe('ONVIF PTZ client against the simulated camera', () => {
  it('connects with a WS-Security digest the camera accepts and lists its presets', async () => {
    const camera = await sim();
    const client = await connectOnvif({
      url: camera.url,
      username: 'admin',
      password: PASSWORD,
      timeoutMs: 2000,
    });
    const presets = await client.presets();
    assert.deepEqual(
      presets.sort((a, b) => a.name.localeCompare(b.name)),
      [
        { token: 'p_dock', name: 'Dock', position: { pan: 0.5, tilt: -0.25, zoom: 0.3 } },
        { token: 'p_stage', name: 'Stage', position: { pan: -0.75, tilt: 0.1, zoom: 0.8 } },
      ],
    );
    const [clock, ...rest] = camera.requests;
    assert.equal(clock?.action, 'GetSystemDateAndTime', 'the camera clock first, unauthenticated');
    assert.ok(rest.length >= 3);
    for (const request of rest) {
      assert.equal(request.outcome, 'ok', request.action);
      assert.equal(request.user, 'admin', `${request.action} was authenticated`);
    }
    assert.deepEqual(camera.received('GetPresets')[0]?.params, { ProfileToken: 'profile_1' });
  });

  it('goes to a preset: the camera receives GotoPreset (with the speed) and points there', async () => {
    const camera = await sim({ position: { pan: 0, tilt: 0, zoom: 0 } });
    const client = await connectOnvif({ url: camera.url, username: 'admin', password: PASSWORD });
    const before = Date.now();
    await client.gotoPreset('p_stage', 0.5);
    const after = Date.now();
    assert.deepEqual(camera.position, { pan: -0.75, tilt: 0.1, zoom: 0.8 });
    const [goto, ...others] = camera.received('GotoPreset');
    assert.equal(others.length, 0);
    assert.equal(goto?.params.PresetToken, 'p_stage');
    assert.ok(goto.at >= before && goto.at <= after, 'received while the call was in flight');
    assert.deepEqual(childOf(childOf(goto.body!, 'Speed'), 'PanTilt')?.attrs, { x: '0.5', y: '0.5' });
    assert.deepEqual(await client.status(), { pan: -0.75, tilt: 0.1, zoom: 0.8, moving: false });
  });

  it('status reports a move in progress, then the arrival', async () => {
    let now = Date.now();
    const camera = await sim({
      moveDurationMs: 4000,
      now: () => now,
      position: { pan: 0, tilt: 0, zoom: 0 },
    });
    const client = await connectOnvif({ url: camera.url, username: 'admin', password: PASSWORD });
    await client.gotoPreset('p_dock');
    now += 2000;
    const halfway = await client.status();
    assert.equal(halfway.moving, true);
    assert.ok(Math.abs(halfway.pan - 0.25) < 1e-9, `halfway pan ${halfway.pan}`);
    now += 2000;
    assert.deepEqual(await client.status(), { pan: 0.5, tilt: -0.25, zoom: 0.3, moving: false });
  });

  it('captures the current position as a new preset, and overwrites one by token', async () => {
    const camera = await sim();
    const client = await connectOnvif({ url: camera.url, username: 'admin', password: PASSWORD });
    camera.moveTo({ pan: 0.2, tilt: 0.3, zoom: 0.4 });
    const { token } = await client.capturePreset('Pulpit');
    assert.ok(!['p_dock', 'p_stage'].includes(token), `a new token, got ${token}`);
    assert.deepEqual(camera.presets.get(token), { token, name: 'Pulpit', pan: 0.2, tilt: 0.3, zoom: 0.4 });
    assert.equal(camera.received('SetPreset')[0]?.params.PresetName, 'Pulpit');

    camera.moveTo({ pan: -0.1, tilt: -0.2, zoom: 0 });
    assert.deepEqual(await client.capturePreset('Dock', 'p_dock'), { token: 'p_dock' });
    assert.deepEqual(camera.presets.get('p_dock'), {
      token: 'p_dock',
      name: 'Dock',
      pan: -0.1,
      tilt: -0.2,
      zoom: 0,
    });
    assert.equal(camera.presets.size, 3);

    await client.removePreset(token);
    assert.equal(camera.presets.has(token), false);
  });

  it('moves to a position (AbsoluteMove); without zoom only pan and tilt are sent', async () => {
    const camera = await sim({ position: { pan: 0, tilt: 0, zoom: 0.6 } });
    const client = await connectOnvif({ url: camera.url, username: 'admin', password: PASSWORD });
    await client.moveTo({ pan: 0.4, tilt: -0.4 });
    assert.deepEqual(camera.position, { pan: 0.4, tilt: -0.4, zoom: 0.6 });
    await client.moveTo({ pan: 0.1, tilt: 0.2, zoom: 0.9 });
    assert.deepEqual(camera.position, { pan: 0.1, tilt: 0.2, zoom: 0.9 });
  });

  it('tokens and names with XML characters reach the camera intact', async () => {
    const camera = await sim({ presets: [{ token: 'a&b<c>', name: 'R&D', pan: 0.9, tilt: 0.9, zoom: 0.9 }] });
    const client = await connectOnvif({ url: camera.url, username: 'admin', password: PASSWORD });
    assert.deepEqual(
      (await client.presets()).map((p) => [p.token, p.name]),
      [['a&b<c>', 'R&D']],
    );
    await client.gotoPreset('a&b<c>');
    assert.deepEqual(camera.position, { pan: 0.9, tilt: 0.9, zoom: 0.9 });
    const { token } = await client.capturePreset('Tom & Jerry');
    assert.equal(camera.presets.get(token)?.name, 'Tom & Jerry');
  });

  it('a camera built before GetServices is reached through GetCapabilities', async () => {
    const camera = await sim({ getServices: false });
    const client = await connectOnvif({ url: camera.url, username: 'admin', password: PASSWORD });
    await client.gotoPreset('p_dock');
    assert.deepEqual(camera.position, { pan: 0.5, tilt: -0.25, zoom: 0.3 });
    assert.equal(camera.received('GetCapabilities').length, 1);
  });

  it('a wrong password is PTZ_FAILED saying so, without the password anywhere', async () => {
    const camera = await sim();
    const wrong = 'Hunter2-wrong-pass';
    const error = await ptzFailure(() =>
      connectOnvif({ url: camera.url, username: 'admin', password: wrong, label: 'camera "Dock"' }),
    );
    assert.match(
      error.message,
      /^camera "Dock" \(127\.0\.0\.1:\d+\) refused the ONVIF user name or password$/,
    );
    const everything = JSON.stringify({ ...error.toJSON(), cause: String((error.cause as Error).message) });
    assert.ok(!everything.includes(wrong), everything);
    assert.ok(
      camera.requests.some((r) => r.outcome === 'ter:NotAuthorized'),
      'the camera refused it',
    );
  });

  it('no credentials for a camera that needs them says none is set', async () => {
    const camera = await sim();
    const error = await ptzFailure(() => connectOnvif({ url: camera.url }));
    assert.match(error.message, /asks for an ONVIF user name and password, and none is set/);
  });

  it('a hanging camera fails with a timeout within the deadline', async () => {
    const camera = await sim();
    camera.failOn('*', { kind: 'hang' });
    const started = performance.now();
    const error = await ptzFailure(() =>
      connectOnvif({ url: camera.url, username: 'admin', password: PASSWORD, timeoutMs: 400 }),
    );
    const elapsed = performance.now() - started;
    assert.match(error.message, /did not answer within 0\.4 s \(trying to connect\)/);
    assert.ok(elapsed >= 390 && elapsed < 1500, `failed after ${Math.round(elapsed)} ms`);
    assert.equal(camera.requests[0]?.outcome, 'hang');
  });

  it('a camera that hangs on GotoPreset after connecting times out that call', async () => {
    const camera = await sim();
    const client = await connectOnvif({
      url: camera.url,
      username: 'admin',
      password: PASSWORD,
      timeoutMs: 400,
    });
    camera.failOn('GotoPreset', { kind: 'hang' });
    const started = performance.now();
    const error = await ptzFailure(() => client.gotoPreset('p_dock'));
    assert.ok(performance.now() - started < 1500);
    assert.match(error.message, /did not answer within 0\.4 s \(trying to go to preset "p_dock"\)/);
  });

  it('an unknown preset and a camera fault are PTZ_FAILED with the camera’s reason', async () => {
    const camera = await sim();
    const client = await connectOnvif({ url: camera.url, username: 'admin', password: PASSWORD });
    const unknown = await ptzFailure(() => client.gotoPreset('p_gone'));
    assert.match(unknown.message, /refused to go to preset "p_gone": No such PTZ preset$/);
    camera.failOn('SetPreset', { kind: 'fault', reason: 'PTZ is locked by another user' }, 1);
    const locked = await ptzFailure(() => client.capturePreset('Busy'));
    assert.match(locked.message, /refused to store preset "Busy": PTZ is locked by another user$/);
  });

  it('a camera without PTZ, an address that is not ONVIF, and one nobody listens on', async () => {
    const fixed = await sim({ ptz: false });
    const noPtz = await ptzFailure(() =>
      connectOnvif({ url: fixed.url, username: 'admin', password: PASSWORD }),
    );
    assert.match(noPtz.message, /has no PTZ control over ONVIF$/);

    const web = await sim();
    web.failOn('*', { kind: 'http', status: 404, body: '<html><body>Not found</body></html>' });
    const notOnvif = await ptzFailure(() =>
      connectOnvif({ url: web.url, username: 'admin', password: PASSWORD }),
    );
    assert.match(notOnvif.message, /does not answer like an ONVIF device; check the ONVIF address/);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await ptzFailure(() =>
      connectOnvif({
        url: `http://127.0.0.1:${port}/onvif/device_service`,
        username: 'admin',
        password: PASSWORD,
      }),
    );
    assert.equal(
      refused.message,
      `the camera at 127.0.0.1:${port} cannot be reached: it refused the connection. Check it is powered and on the network, and its ONVIF address and port`,
    );
  });
});
