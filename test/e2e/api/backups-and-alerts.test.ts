// The spec's backup camera and alerts that say the real cause, through the API as an operator
// would: the appliance (src/main.ts), simulated RTSP cameras that need a password, a real
// nginx-rtmp destination. Camera 1 has no backup of its own; the timeline's
// fallback.backup_camera_id (camera 2) stands in when it freezes. A backup set on camera 1 while
// on air takes over at once; a wrong password set while on air is named in the alert (in the
// camera test's words, without the password); a destination outage is an alert in History that
// ends when it sends again; stopping the show clears what it left open.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type WebSocket from 'ws';
import { LiveMessageSchema, type LiveState } from '../../../src/domain/live.ts';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { waitFor } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const AUTH = { user: 'viewer', password: 'harbour-secret' };
const WRONG_PASSWORD = 'not-the-password-7731';
/** What an operator tolerates for a change to show on a busy appliance (failover itself is ~1 s). */
const WITHIN_MS = 20_000;

interface AlertRow {
  id: number;
  key: string | null;
  code: string;
  severity: string;
  message: string;
  remediation: string;
  source: string | null;
  cleared_at: string | null;
}

describe('backup cameras and alerts on air (API end to end)', () => {
  const dir = tempDir('vistter-e2e-backups-');
  const dataDir = join(dir.path, 'data');
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  let appliance: Appliance | undefined;
  let socket: WebSocket | undefined;
  let api: ApplianceClient;
  const states: LiveState[] = [];
  const seen: Record<string, unknown> = {};
  const ids = { dock: 0, pier: 0, bay: 0, destination: 0 };

  const waitState = (what: string, test: (s: LiveState) => boolean) =>
    waitFor(
      () => {
        const state = states.at(-1);
        return state && test(state) ? state : undefined;
      },
      { timeoutMs: WITHIN_MS, what },
    );
  const alerts = async (query = ''): Promise<AlertRow[]> => {
    const answer = await api.request<AlertRow[]>('GET', `/api/alerts?limit=200${query}`);
    assert.equal(answer.status, 200);
    return answer.body;
  };
  const waitAlert = (what: string, test: (a: AlertRow) => boolean, query = '&open=true') =>
    waitFor(async () => (await alerts(query)).find(test), { timeoutMs: WITHIN_MS, what });
  const onAir = (s: LiveState) => s.show?.camera.onAir;

  before(async () => {
    try {
      await operate();
    } catch (error) {
      console.error(`appliance output:\n${appliance?.output().slice(-6000) ?? '(not started)'}`);
      throw error;
    }
  });

  async function operate(): Promise<void> {
    const [cameras, server] = await Promise.all([
      startCameraSim({
        cameras: [
          { name: 'dock', color: 0xd02020 },
          { name: 'pier', color: 0x20c020 },
          { name: 'bay', color: 0x2020d0 },
        ],
        auth: AUTH,
      }),
      startRtmpServer({ apps: ['live'] }),
    ]);
    sim = cameras;
    rtmp = server;
    appliance = await startAppliance(applianceEnv(dataDir));
    api = new ApplianceClient(appliance.url);
    await api.setup();
    for (const name of ['dock', 'pier', 'bay'] as const) {
      const created = await api.request('POST', '/api/cameras', {
        name,
        stream_url: cameras.url(name, { withAuth: false }),
        username: AUTH.user,
        password: AUTH.password,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ids[name] = Number(created.body.id);
    }
    const destination = await api.request('POST', '/api/destinations', {
      name: 'Local nginx',
      platform: 'custom',
      server_url: `rtmp://127.0.0.1:${server.port}/live`,
      stream_key: 'program',
    });
    assert.equal(destination.status, 201, JSON.stringify(destination.body));
    ids.destination = Number(destination.body.id);
    const timeline = {
      ...cameraTimeline({
        name: 'Backup show',
        duration: 600,
        fps: 30,
        resolution: '320x180',
        loop: true,
        cues: [{ camera: ids.dock, start: 0, duration: 600 }],
      }),
      fallback: { backup_camera_id: ids.pier },
    };
    const created = await api.request('POST', '/api/timelines', { timeline });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const request = { timelineId: Number(created.body.id), destinationIds: [ids.destination] };

    seen.preflight = (await api.request('POST', '/api/show/preflight', request)).body;
    socket = await api.live((message) => states.push(LiveMessageSchema.parse(message).data));
    const goLive = await api.request('POST', '/api/show/go-live', request);
    assert.equal(goLive.status, 202, JSON.stringify(goLive.body));
    await waitState(
      'camera 1 on air, destination live',
      (s) =>
        onAir(s)?.cameraId === ids.dock &&
        s.show!.outputs.some((o) => o.kind === 'destination' && o.state === 'live'),
    );

    // 1. Camera 1 freezes: the timeline's backup (camera 2) goes on air.
    await cameras.freezeCamera('dock');
    await waitState(
      'camera 2 on air for camera 1 (the timeline’s backup)',
      (s) => onAir(s)?.cameraId === ids.pier,
    );
    seen.frozenAlert = await waitAlert('camera 1 alert', (a) => a.key === `camera:${ids.dock}:offline`);

    // 2. A backup set on camera 1 while on air takes over at once.
    const patched = await api.request('PATCH', `/api/cameras/${ids.dock}`, { backup_camera_id: ids.bay });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    await waitState('camera 3 on air: the backup just set', (s) => onAir(s)?.cameraId === ids.bay);

    // 3. A wrong password set on camera 1 while on air: its decoder is started anew with it and the
    //    alert says what the camera said.
    const wrong = await api.request('PATCH', `/api/cameras/${ids.dock}`, { password: WRONG_PASSWORD });
    assert.equal(wrong.status, 200, JSON.stringify(wrong.body));
    await cameras.resumeCamera('dock');
    seen.authAlert = await waitAlert(
      'the camera alert names the refused password',
      (a) => a.key === `camera:${ids.dock}:offline` && a.code === 'CAMERA_AUTH_FAILED',
    );

    // 4. The right password again: camera 1 returns and its alert clears.
    await api.request('PATCH', `/api/cameras/${ids.dock}`, { password: AUTH.password });
    await waitState('camera 1 back on air', (s) => onAir(s)?.cameraId === ids.dock);
    seen.cameraAlertCleared = await waitAlert(
      'camera 1 alert cleared',
      (a) => a.key === `camera:${ids.dock}:offline` && a.cleared_at !== null,
      '',
    );

    // 5. The destination's server goes away for 3 s: an outage in History, over when it sends again.
    await server.restart(3000);
    seen.destinationAlert = await waitAlert(
      'the destination outage alert',
      (a) =>
        a.source === `destination:dest:${ids.destination}` || a.source === `destination:${ids.destination}`,
      '',
    );
    const back = await waitState('destination live again', (s) =>
      s.show!.outputs.some((o) => o.kind === 'destination' && o.state === 'live' && o.lastError === null),
    );
    seen.destinationBack = back.show!.outputs.find((o) => o.kind === 'destination');
    seen.destinationAlertCleared = await waitAlert(
      'the outage alert cleared',
      (a) => a.code.startsWith('DESTINATION_') && a.cleared_at !== null,
      '',
    );

    // 6. Camera 1 freezes again and the show stops while its alert is open: the alert ends with it.
    await cameras.freezeCamera('dock');
    await waitAlert('camera 1 off air again', (a) => a.key === `camera:${ids.dock}:offline`);
    const stop = await api.request('POST', '/api/show/stop');
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    await waitState('idle after stop', (s) => s.state === 'idle');
    seen.openAfterStop = await alerts('&open=true');
  }

  after(async () => {
    socket?.close();
    await appliance?.stop();
    await Promise.all([sim?.stop(), rtmp?.destroy()]);
    dir.cleanup();
  });

  it('pre-flight lists the timeline’s backup camera for camera 1 and tests it', () => {
    const report = seen.preflight as {
      checks: Array<{ id: string; status: string; items?: Array<{ name: string; status: string }> }>;
    };
    const backups = report.checks.find((c) => c.id === 'backup_cameras');
    assert.equal(backups?.status, 'ok', JSON.stringify(backups));
    const item = backups!.items?.find((i) => i.name.includes('the timeline’s fallback'));
    assert.ok(item, JSON.stringify(backups));
    assert.match(item.name, /pier/);
    assert.equal(item.status, 'ok');
  });

  it('the frozen camera went to the timeline’s backup, and the alert says so', () => {
    const alert = seen.frozenAlert as AlertRow;
    assert.match(alert.message, /switched to backup Camera \d+ \(pier\)/);
    assert.equal(alert.severity, 'warning');
  });

  it('the wrong password is named in the camera test’s words, and never shown', () => {
    const alert = seen.authAlert as AlertRow;
    console.log(`camera alert: ${alert.message} | ${alert.remediation}`);
    assert.match(alert.message, /refused the user name or password/);
    assert.match(alert.remediation, /.+/);
    const text = JSON.stringify(alert);
    assert.ok(!text.includes(WRONG_PASSWORD) && !text.includes(AUTH.password), text);
  });

  it('a destination outage is in History and ended when the destination sent again', () => {
    const alert = seen.destinationAlertCleared as AlertRow;
    console.log(`destination alert: ${alert.message} | cleared ${alert.cleared_at}`);
    assert.match(alert.message, /Local nginx/);
    assert.ok(alert.cleared_at);
    const back = seen.destinationBack as { state: string; lastError: unknown };
    assert.equal(back.state, 'live');
    assert.equal(back.lastError, null, 'live with no old error');
  });

  it('stopping the show cleared the alerts it left open', () => {
    const open = seen.openAfterStop as AlertRow[];
    const left = open.filter((a) => a.source?.startsWith('camera:') || a.source?.startsWith('destination:'));
    assert.deepEqual(left, []);
  });
});
