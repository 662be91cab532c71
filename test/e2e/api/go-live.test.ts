// End to end through the API, as an operator would: the appliance (src/main.ts) starts with its
// demo show; cameras (simulated RTSP), a destination (local nginx-rtmp) and a timeline are
// configured over HTTP; pre-flight; GO LIVE; overrides (pin camera 2, emergency test pattern,
// clear overlays) while the WebSocket reports each change; stop. Then what arrived at the RTMP
// server is decoded frame by frame: one publish, no timestamp gap, audio throughout, and the
// sources on air in the order the operator asked for.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type WebSocket from 'ws';
import { LiveMessageSchema, type LiveState } from '../../../src/domain/live.ts';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import {
  audioPresence,
  decodeAllFrames,
  identifySource,
  maxTimestampGap,
  rgbToYuv601,
  videoFrameTimes,
  type PaletteEntry,
} from '../../helpers/media-probe.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';
import { makeStill, regionMeans } from '../engine/helpers.ts';

const W = 320;
const H = 180;
const FPS = 30;
const SLATE_RGB = 0x606060;
const BOX_RGB = 0x2040e0;
const BOX = { x: 20, y: 20, w: 60, h: 40 };
/** Where the camera's own colour is measured (away from the overlay box). */
const CAMERA_AREA = { x: 160, y: 80, w: 120, h: 80 };
/** GO LIVE → the program at the destination: an operator waits up to 10 s (the demo stops, then
 *  the encoder and the publisher start: about 2 s on a quiet machine, seconds more on a busy one). */
const GO_LIVE_WITHIN_MS = 10_000;

describe('API end to end: configure, pre-flight, GO LIVE, overrides, stop', () => {
  const dir = tempDir('vistter-e2e-api-');
  const dataDir = join(dir.path, 'data');
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  let appliance: Appliance | undefined;
  let socket: WebSocket | undefined;
  const states: Array<{ at: number; state: LiveState }> = [];
  const answers: Record<string, { status: number; body: Record<string, unknown> }> = {};
  let goLiveToFirstBytesMs = -1;
  let palette: PaletteEntry[] = [];
  let executionId = -1;
  let heldPositions: number[] = [];

  const latest = (): LiveState | undefined => states.at(-1)?.state;
  const waitState = (what: string, test: (s: LiveState) => boolean, timeoutMs = 15_000) =>
    waitFor(
      () => {
        const state = latest();
        return state && test(state) ? state : undefined;
      },
      { timeoutMs, what },
    );

  before(async () => {
    try {
      await operate();
    } catch (error) {
      console.error(`appliance output:\n${appliance?.output().slice(-5000) ?? '(not started)'}`);
      throw error;
    }
  });

  async function operate(): Promise<void> {
    await Promise.all([
      makeStill(join(dataDir, 'assets', 'slate.png'), SLATE_RGB, W, H),
      makeStill(join(dataDir, 'assets', 'box.png'), BOX_RGB, BOX.w, BOX.h),
    ]);
    [sim, rtmp] = await Promise.all([
      startCameraSim({
        cameras: [
          { name: 'dock', color: 0xd02020 },
          { name: 'pier', color: 0x20c020 },
        ],
        width: W,
        height: H,
        fps: FPS,
      }),
      startRtmpServer({ apps: ['live'] }),
    ]);
    palette = [...sim.palette, { name: 'slate', ...rgbToYuv601(SLATE_RGB) }];
    appliance = await startAppliance(applianceEnv(dataDir));
    const api = new ApplianceClient(appliance.url);
    await api.setup();

    const camera1 = await api.request('POST', '/api/cameras', { name: 'Dock', stream_url: sim.urls[0] });
    const camera2 = await api.request('POST', '/api/cameras', { name: 'Pier', stream_url: sim.urls[1] });
    assert.equal(camera1.status, 201, JSON.stringify(camera1.body));
    assert.equal(camera2.status, 201, JSON.stringify(camera2.body));
    const destination = await api.request('POST', '/api/destinations', {
      name: 'Local nginx',
      platform: 'custom',
      server_url: `rtmp://127.0.0.1:${rtmp.port}/live`,
      stream_key: 'program',
    });
    assert.equal(destination.status, 201, JSON.stringify(destination.body));
    const timeline = cameraTimeline({
      name: 'API show',
      duration: 600,
      fps: FPS,
      resolution: `${W}x${H}`,
      loop: true,
      testPattern: '/assets/slate.png',
      cues: [{ camera: Number(camera1.body.id), start: 0, duration: 600 }],
      overlays: [
        {
          track_id: 'o1',
          type: 'overlay',
          layer: 1,
          cues: [
            {
              id: 'box',
              start_time: 0,
              duration: 600,
              action: 'show_overlay',
              params: { type: 'image', image_url: '/assets/box.png', position: { x: BOX.x, y: BOX.y } },
            },
          ],
        },
        {
          track_id: 'o2',
          type: 'overlay',
          layer: 2,
          cues: [
            {
              id: 'title',
              start_time: 0,
              duration: 600,
              action: 'show_overlay',
              params: { type: 'text', text: 'Welcome', font_size: 12, position: { x: 10, y: 150 } },
            },
          ],
        },
      ],
    });
    const created = await api.request('POST', '/api/timelines', { timeline });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const timelineId = Number(created.body.id);
    const destinationIds = [Number(destination.body.id)];

    const preflight = await api.request('POST', '/api/show/preflight', { timelineId, destinationIds });
    answers.preflight = preflight;

    socket = await api.live((message) => {
      const parsed = LiveMessageSchema.parse(message); // the boundary's schema: every push must match
      states.push({ at: Date.now(), state: parsed.data });
    });
    await waitState(
      'the demo show reported live',
      (s) => s.state === 'live' && s.show?.demo === true,
      30_000,
    );

    const started = Date.now();
    answers.goLive = await api.request('POST', '/api/show/go-live', { timelineId, destinationIds });
    assert.equal(answers.goLive.status, 202, JSON.stringify(answers.goLive.body));
    await waitFor(
      async () =>
        (await rtmp!.streams()).find((s) => s.name === 'program' && s.bytesIn > 0) ? true : undefined,
      { timeoutMs: 20_000, intervalMs: 50, what: 'first bytes at the RTMP server' },
    );
    goLiveToFirstBytesMs = Date.now() - started;
    await waitState(
      'camera 1 on air, destination live',
      (s) =>
        s.show?.camera.onAir?.cameraId === Number(camera1.body.id) &&
        s.show.outputs.some((o) => o.kind === 'destination' && o.state === 'live'),
    );
    executionId = latest()!.show!.executionId;
    answers.secondGoLive = await api.request('POST', '/api/show/go-live', { timelineId, destinationIds });
    answers.unknownCamera = await api.request('POST', '/api/show/overrides/force-camera', { cameraId: 99 });
    await delay(3000);

    answers.pin = await api.request('POST', '/api/show/overrides/pin-camera', {
      cameraId: Number(camera2.body.id),
    });
    await waitState(
      'camera 2 pinned on air',
      (s) => s.show?.camera.onAir?.cameraId === Number(camera2.body.id),
    );
    await delay(3000);

    answers.emergencyOn = await api.request('POST', '/api/show/overrides/emergency', { on: true });
    await waitState('the test pattern on air', (s) => s.show?.camera.onAir?.kind === 'slate');
    await delay(3000);
    answers.emergencyOff = await api.request('POST', '/api/show/overrides/emergency', { on: false });
    await waitState('camera 2 again', (s) => s.show?.camera.onAir?.cameraId === Number(camera2.body.id));
    await delay(2000);

    answers.text = await api.request('POST', '/api/show/overrides/overlay-text', {
      cueId: 'title',
      text: 'Regatta at 3 pm',
    });
    await waitState('the new overlay text', (s) =>
      s.show!.overlays.some((o) => o.cueId === 'title' && o.text === 'Regatta at 3 pm'),
    );
    answers.imageText = await api.request('POST', '/api/show/overrides/overlay-text', {
      cueId: 'box',
      text: 'x',
    });
    answers.pause = await api.request('POST', '/api/show/pause');
    const held = await waitState('paused', (s) => s.show?.paused === true);
    await delay(1500);
    const stillHeld = latest()!.show!.position.seconds;
    answers.resume = await api.request('POST', '/api/show/resume');
    await waitState('running again', (s) => s.show?.paused === false);
    heldPositions = [held.show!.position.seconds, stillHeld];

    answers.clear = await api.request('POST', '/api/show/overrides/clear-overlays');
    await waitState('no overlays', (s) => s.show?.overlays.length === 0);
    await delay(3000);

    answers.stop = await api.request('POST', '/api/show/stop');
    await waitState('idle after stop', (s) => s.state === 'idle');
    await rtmp.waitForNoPublisher('live', 'program');
  }

  after(async () => {
    socket?.close();
    await appliance?.stop();
    await Promise.all([sim?.stop(), rtmp?.destroy()]);
    dir.cleanup();
  });

  it('pre-flight passed: both cameras online, timeline valid, destination configured', () => {
    const report = answers.preflight!;
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(report.body.ok, true, JSON.stringify(report.body));
    const checks = report.body.checks as Array<{ id: string; status: string; summary: string }>;
    const cameras = checks.find((c) => c.id === 'cameras');
    assert.equal(cameras?.status, 'ok');
    assert.match(cameras!.summary, /1\/1/, 'the one camera the timeline uses');
  });

  it('GO LIVE replaced the demo show and reached the destination quickly', () => {
    console.log(`GO LIVE → first bytes at the RTMP server: ${goLiveToFirstBytesMs} ms`);
    assert.ok(
      goLiveToFirstBytesMs > 0 && goLiveToFirstBytesMs <= GO_LIVE_WITHIN_MS,
      `GO LIVE → first bytes at the destination ${goLiveToFirstBytesMs} ms (≤ ${GO_LIVE_WITHIN_MS})`,
    );
    assert.ok(
      states.some((s) => s.state.show?.demo === true),
      'the demo was on air first',
    );
    assert.ok(
      states.some((s) => s.state.state === 'starting'),
      'the WebSocket showed the start',
    );
  });

  it('refused a second GO LIVE and an unknown camera with stable codes', () => {
    assert.equal(answers.secondGoLive!.status, 409);
    assert.equal(answers.secondGoLive!.body.code, 'SHOW_ALREADY_LIVE');
    assert.equal(answers.unknownCamera!.status, 409);
    assert.equal(answers.unknownCamera!.body.code, 'CAMERA_NOT_IN_SHOW');
    assert.equal(answers.imageText!.status, 404);
    assert.equal(answers.imageText!.body.code, 'OVERLAY_NOT_FOUND');
    for (const name of ['pin', 'emergencyOn', 'emergencyOff', 'text', 'pause', 'resume', 'clear', 'stop'])
      assert.equal(answers[name]!.status, 200, `${name}: ${JSON.stringify(answers[name]!.body)}`);
  });

  it('pause held the timeline position while the stream went on', () => {
    assert.equal(heldPositions.length, 2);
    assert.ok(
      Math.abs(heldPositions[1]! - heldPositions[0]!) <= 0.1,
      `held at ${heldPositions.join(' then ')} s`,
    );
  });

  it('the WebSocket pushed the state at least once a second while live', () => {
    const live = states.filter((s) => s.state.state === 'live' && s.state.show?.demo === false);
    assert.ok(live.length > 0);
    const gaps = live.slice(1).map((s, i) => s.at - live[i]!.at);
    assert.ok(Math.max(...gaps) <= 1300, `largest gap between pushes: ${Math.max(...gaps)} ms`);
    const withMetrics = live.filter((s) => s.state.metrics?.bitrateKbps.current);
    assert.ok(withMetrics.length > 0, 'metrics (bitrate) reported');
  });

  it('the destination got one continuous program: pinned camera 2, the test pattern, camera 2, overlays cleared', async () => {
    const files = rtmp!.recordings('live').filter((f) => f.includes('program'));
    assert.equal(files.length, 1, `one publish for the whole show: ${files.join(', ')}`);
    const file = files[0]!;
    const times = await videoFrameTimes(file);
    const gaps = times
      .slice(1)
      .flatMap((t, i) =>
        t - times[i]! > 1.5 / FPS ? [`${times[i]!.toFixed(3)}+${(t - times[i]!).toFixed(3)}`] : [],
      );
    console.log(`frames ${times.length}, first ${times[0]} s, last ${times.at(-1)} s`);
    assert.ok(maxTimestampGap(times) <= 1.5 / FPS, `gaps over 1.5 frames (at+gap s): ${gaps.join(', ')}`);
    const audio = await audioPresence(file);
    assert.ok(audio.present, 'audio throughout');

    const video = await decodeAllFrames(file, W, H);
    const sources = video.frames.map(
      (frame) => identifySource(regionMeans(frame, W, H, CAMERA_AREA), palette).name ?? '?',
    );
    const runs: Array<{ name: string; frames: number; from: number }> = [];
    sources.forEach((name, index) => {
      const last = runs.at(-1);
      if (last?.name === name) last.frames++;
      else runs.push({ name, frames: 1, from: index });
    });
    const long = runs.filter((r) => r.frames >= 15).map((r) => r.name);
    const collapsed = long.filter((name, i) => name !== long[i - 1]);
    assert.deepEqual(collapsed.slice(-4), ['dock', 'pier', 'slate', 'pier'], JSON.stringify(runs));

    const boxColour = rgbToYuv601(BOX_RGB);
    const boxShown = video.frames.map(
      (frame) =>
        identifySource(regionMeans(frame, W, H, BOX), [{ name: 'box', ...boxColour }]).name === 'box',
    );
    const dockRun = runs.find((r) => r.name === 'dock' && r.frames >= 15)!;
    assert.ok(boxShown[dockRun.from + 5], 'the overlay is on air at first');
    assert.ok(
      boxShown.slice(-30).every((shown) => !shown),
      'and gone after "clear overlays"',
    );
  });

  it('the execution row ended "stopped"', () => {
    const db = new Database(join(dataDir, 'vistterstream.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT status FROM timeline_executions WHERE id = ?').get(executionId) as
        { status: string } | undefined;
      assert.equal(row?.status, 'stopped');
      const demo = db
        .prepare('SELECT status FROM timeline_executions WHERE id < ? ORDER BY id')
        .all(executionId) as {
        status: string;
      }[];
      assert.deepEqual(
        demo.map((r) => r.status),
        ['stopped'],
        'the demo show was stopped for GO LIVE',
      );
    } finally {
      db.close();
    }
  });
});
