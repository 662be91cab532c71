// For a describe block that drives the control room in chromium against the real appliance: one
// simulated RTSP camera and a local nginx-rtmp, configured through the API as an operator would
// (the camera, a destination, the show's timeline), and a page open on the appliance; all stopped
// after the block (the appliance's log is printed when a test failed).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Timeline } from '../../src/timeline/schema.ts';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from './appliance.ts';
import { launchBrowser, openPage, type UiPage } from './browser.ts';
import { startCameraSim, type CameraSim } from './camera-sim.ts';
import { startRtmpServer, type RtmpServer } from './rtmp-server.ts';
import { tempDir } from './temp.ts';

export interface ControlRoomRigOptions {
  width: number;
  height: number;
  fps: number;
  /** The simulated camera's colour (0xRRGGBB). */
  cameraColor: number;
  /** The destination's stream key at nginx (app "live"). */
  streamKey: string;
  /** The show's timeline, given the stored camera's id. */
  timeline: (cameraId: number) => Timeline;
  /** More set-up through the API once the camera, destination and timeline exist. */
  more?: (api: ApplianceClient) => Promise<void>;
}

export interface ControlRoomRig {
  readonly sim: CameraSim;
  readonly rtmp: RtmpServer;
  readonly appliance: Appliance;
  readonly ui: UiPage;
  readonly cameraId: number;
}

export function useControlRoomRig(prefix: string, options: ControlRoomRigOptions): ControlRoomRig {
  const dir = tempDir(prefix);
  const dataDir = join(dir.path, 'data');
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  let appliance: Appliance | undefined;
  let browser: Browser | undefined;
  let ui: UiPage | undefined;
  let cameraId = -1;

  before(async () => {
    [sim, rtmp, browser] = await Promise.all([
      startCameraSim({
        cameras: [{ name: 'dock', color: options.cameraColor }],
        width: options.width,
        height: options.height,
        fps: options.fps,
      }),
      startRtmpServer({ apps: ['live'] }),
      launchBrowser(),
    ]);
    appliance = await startAppliance(applianceEnv(dataDir));
    const api = new ApplianceClient(appliance.url);
    await api.setup();
    const camera = await api.request('POST', '/api/cameras', { name: 'Dock', stream_url: sim.urls[0] });
    assert.equal(camera.status, 201, JSON.stringify(camera.body));
    cameraId = Number(camera.body.id);
    const destination = await api.request('POST', '/api/destinations', {
      name: 'Local nginx',
      platform: 'custom',
      server_url: `rtmp://127.0.0.1:${rtmp.port}/live`,
      stream_key: options.streamKey,
    });
    assert.equal(destination.status, 201, JSON.stringify(destination.body));
    const created = await api.request('POST', '/api/timelines', { timeline: options.timeline(cameraId) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await options.more?.(api);
    ui = await openPage(browser, appliance.url);
  });

  after(async () => {
    if (ui && appliance && process.exitCode) console.error(appliance.output().slice(-4000));
    await ui?.context.close();
    await browser?.close();
    await appliance?.stop();
    await Promise.all([sim?.stop(), rtmp?.destroy()]);
    dir.cleanup();
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the control room rig has no ${what} (before() did not run)`);
    return value;
  };
  return {
    get sim() {
      return ready(sim, 'camera simulator');
    },
    get rtmp() {
      return ready(rtmp, 'RTMP server');
    },
    get appliance() {
      return ready(appliance, 'appliance');
    },
    get ui() {
      return ready(ui, 'page');
    },
    get cameraId() {
      return cameraId;
    },
  };
}
