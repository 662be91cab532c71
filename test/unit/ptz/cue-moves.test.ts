// PTZ cue moves: the pure plan (move frame = cue frame − settle; a camera on air is not moved
// until it leaves the picture; loops) and the executor with a fake clock and a fake ONVIF client
// (moves issued at the planned frame, one connection per camera, each cue occurrence moved once,
// failure → alert and the cue still plays, no retry storm against a dead camera).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertInput } from '../../../src/alerts/alert-center.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { AppError } from '../../../src/errors/registry.ts';
import { PtzCueMover, type PtzCameraPlan } from '../../../src/ptz/cue-mover.ts';
import { presetMoves } from '../../../src/ptz/cue-plan.ts';
import type { OnvifConnectOptions, PtzClient } from '../../../src/ptz/onvif.ts';
import { compileTimeline } from '../../../src/timeline/resolver.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { mustValidate } from '../../helpers/timelines.ts';

const FPS = 10;

interface Cue {
  camera: number;
  start: number;
  duration: number;
  preset?: string | number;
  transition?: 'cut' | 'fade';
}

function timeline(cues: Cue[], o: { duration?: number; loop?: boolean } = {}) {
  return compileTimeline(
    mustValidate({
      timeline: {
        name: 'ptz',
        duration: o.duration ?? 30,
        fps: FPS,
        resolution: '320x180',
        ...(o.loop ? { loop: true } : {}),
        tracks: {
          video: {
            track_id: 'v',
            type: 'video',
            cues: cues.map((c, i) => ({
              id: `c${i + 1}`,
              start_time: c.start,
              duration: c.duration,
              action: 'show_camera',
              params: {
                camera_id: c.camera,
                ...(c.preset !== undefined ? { preset_id: c.preset } : {}),
                transition: c.transition ?? 'cut',
                ...(c.transition === 'fade' ? { transition_duration: 1 } : {}),
              },
            })),
          },
        },
      },
    }).timeline,
  );
}

const settle3 = () => 3 * FPS;

describe('PTZ cue plan (pure)', () => {
  it('a preset cue is due settle seconds before its frame; cues without a preset need nothing', () => {
    const compiled = timeline([
      { camera: 1, start: 0, duration: 6 },
      { camera: 2, start: 6, duration: 6, preset: 'dock' },
    ]);
    assert.deepEqual(presetMoves(compiled, 0, 100, settle3), [
      {
        key: 'c2@60',
        cameraId: 2,
        cueId: 'c2',
        presetId: 'dock',
        onAirFrame: 60,
        moveAtFrame: 30,
        seen: false,
      },
    ]);
    assert.deepEqual(presetMoves(compiled, 0, 20, settle3), [], 'beyond the horizon');
    assert.equal(presetMoves(compiled, 61, 100, settle3)[0]?.key, 'c2@60', 'still listed while on air');
    assert.deepEqual(presetMoves(compiled, 120, 100, settle3), [], 'after its end, nothing');
  });

  it('the same camera on air before: the move waits until it leaves the picture (fades included)', () => {
    const backToBack = timeline([
      { camera: 1, start: 0, duration: 6, preset: 'a' },
      { camera: 1, start: 6, duration: 6, preset: 'b' },
    ]);
    const [first, second] = presetMoves(backToBack, 0, 200, settle3);
    assert.equal(first!.moveAtFrame, -30, 'the first cue: as soon as possible');
    assert.deepEqual(
      { at: second!.moveAtFrame, seen: second!.seen },
      { at: 60, seen: true },
      'back to back: at the cue frame, and viewers see it',
    );

    const shortGap = timeline([
      { camera: 1, start: 0, duration: 5, preset: 'a' },
      { camera: 2, start: 5, duration: 1, transition: 'fade' },
      { camera: 1, start: 6, duration: 6, preset: 'b' },
    ]);
    const moves = presetMoves(shortGap, 0, 200, settle3);
    const b = moves.find((m) => m.presetId === 'b')!;
    assert.equal(b.moveAtFrame, 60, 'camera 1 fades out until frame 5 s + 1 s of fade = the cue itself');
    assert.equal(b.seen, true);

    const longGap = timeline([
      { camera: 1, start: 0, duration: 4, preset: 'a' },
      { camera: 2, start: 4, duration: 4 },
      { camera: 1, start: 8, duration: 4, preset: 'b' },
    ]);
    const later = presetMoves(longGap, 0, 200, settle3).find((m) => m.presetId === 'b')!;
    assert.deepEqual({ at: later.moveAtFrame, seen: later.seen }, { at: 50, seen: false });
  });

  it('a looping timeline repeats its moves, one per occurrence', () => {
    const compiled = timeline(
      [
        { camera: 1, start: 0, duration: 5, preset: 'a' },
        { camera: 2, start: 5, duration: 5 },
      ],
      { duration: 10, loop: true },
    );
    const keys = (frame: number) =>
      presetMoves(compiled, frame, 50, settle3).map((m) => `${m.key}:${m.moveAtFrame}`);
    assert.deepEqual(keys(70), ['c1@100:70'], 'the next pass: 3 s before it');
    assert.deepEqual(keys(170), ['c1@200:170'], 'and the one after');
    assert.deepEqual(keys(120), ['c1@100:70'], 'on air in its pass: still listed (already due)');
  });
});

// ── the executor ──

class FakePtz implements PtzClient {
  readonly calls: Array<{ op: string; token?: string; at: number; frame: number }> = [];
  failWith: Error | null = null;
  constructor(
    private readonly clock: FakeClock,
    private readonly frame: () => number,
  ) {}
  presets = () => Promise.resolve([]);
  gotoPreset(token: string): Promise<void> {
    this.calls.push({ op: 'goto', token, at: this.clock.now(), frame: this.frame() });
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve();
  }
  moveTo(): Promise<void> {
    this.calls.push({ op: 'moveTo', at: this.clock.now(), frame: this.frame() });
    return Promise.resolve();
  }
  capturePreset = () => Promise.resolve({ token: 'x' });
  removePreset = () => Promise.resolve();
  status = () => Promise.resolve({ pan: 0, tilt: 0, zoom: 0, moving: false });
}

function plan(id: number, o: Partial<PtzCameraPlan> = {}): PtzCameraPlan {
  return {
    id,
    label: `camera ${id}`,
    onvif: { url: `http://127.0.0.1:9/${id}` },
    problem: null,
    settleSeconds: 3,
    presets: new Map([
      ['dock', { name: 'dock', token: 'T-dock' }],
      ['wide', { name: 'wide', token: 'T-wide' }],
      ['7', { name: 'seven', position: { pan: 0.5, tilt: 0 } }],
    ]),
    ...o,
  };
}

function rig(cues: Cue[], plans: PtzCameraPlan[], o: { duration?: number; loop?: boolean } = {}) {
  const clock = new FakeClock();
  let frame = 0;
  const client = new FakePtz(clock, () => frame);
  const connects: OnvifConnectOptions[] = [];
  let connectError: Error | null = null;
  const alerts: AlertInput[] = [];
  const cleared: string[] = [];
  const mover = new PtzCueMover({
    timeline: timeline(cues, o),
    cameras: new Map(plans.map((p) => [p.id, p])),
    connect: (options) => {
      connects.push(options);
      return connectError ? Promise.reject(connectError) : Promise.resolve(client);
    },
    clock,
    logger: createLogger('test'),
    alerts: { raise: (a) => alerts.push(a), clear: (k) => cleared.push(k) },
  });
  return {
    clock,
    client,
    connects,
    alerts,
    cleared,
    mover,
    failConnect: (error: Error | null) => (connectError = error),
    /** Plays frames up to `to` (exclusive), 100 ms each, letting the camera calls settle. */
    async play(to: number) {
      for (; frame < to; frame++) {
        mover.onFrame(frame);
        await mover.idle();
        clock.advance(1000 / FPS);
      }
    },
  };
}

describe('PTZ cue mover (fake clock, fake ONVIF client)', () => {
  it('sends GotoPreset at cue frame − settle, once, over one connection made at the start', async () => {
    const r = rig(
      [
        { camera: 1, start: 0, duration: 6 },
        { camera: 2, start: 6, duration: 6, preset: 'dock' },
        { camera: 1, start: 12, duration: 6 },
        { camera: 2, start: 18, duration: 6, preset: 'wide' },
        { camera: 2, start: 24, duration: 6, preset: 7 },
      ],
      [plan(2)],
    );
    r.mover.start(0);
    await r.mover.idle();
    assert.equal(r.connects.length, 1, 'connected at the start');
    await r.play(300);
    assert.deepEqual(
      r.client.calls.map((c) => [c.op, c.token, c.frame]),
      [
        ['goto', 'T-dock', 30], // 6 s − 3 s
        ['goto', 'T-wide', 150], // 18 s − 3 s
        ['moveTo', undefined, 240], // back to back on camera 2: at the cue itself
      ],
    );
    assert.equal(r.connects.length, 1, 'the connection is reused');
    assert.deepEqual(
      r.mover.moves().map((m) => m.outcome),
      ['moved', 'moved', 'moved'],
    );
    assert.deepEqual(r.alerts, []);
  });

  it('a jump back replays nothing already moved; a paused show holds its move', async () => {
    const r = rig(
      [
        { camera: 1, start: 0, duration: 6 },
        { camera: 2, start: 6, duration: 6, preset: 'dock' },
      ],
      [plan(2)],
    );
    r.mover.start(0);
    await r.play(40);
    assert.equal(r.client.calls.length, 1);
    for (let i = 0; i < 50; i++) r.mover.onFrame(35); // paused at 3.5 s: same frame every tick
    r.mover.onFrame(10); // jumped back
    r.mover.onFrame(45);
    await r.mover.idle();
    assert.equal(r.client.calls.length, 1, 'the same cue is never moved twice');
  });

  it('a SOAP fault: alert with the registry remediation, the show goes on, no retry; the next cue clears it', async () => {
    const r = rig(
      [
        { camera: 2, start: 0, duration: 6 },
        { camera: 1, start: 6, duration: 6 },
        { camera: 2, start: 12, duration: 6, preset: 'dock' },
        { camera: 1, start: 18, duration: 6 },
        { camera: 2, start: 24, duration: 6, preset: 'wide' },
      ],
      [plan(2)],
    );
    r.client.failWith = new AppError(
      'PTZ_FAILED',
      'camera 2 refused to go to preset "T-dock": No such PTZ preset',
    );
    r.mover.start(0);
    await r.play(200);
    assert.equal(r.client.calls.length, 1, 'one attempt, no retry');
    assert.equal(r.alerts.length, 1);
    const alert = r.alerts[0]!;
    assert.equal(alert.key, 'ptz:camera:2');
    assert.equal(alert.code, 'PTZ_FAILED');
    assert.equal(alert.severity, 'warning');
    assert.match(alert.message, /could not be moved to preset "dock" for cue "c3".*went on air/);
    assert.match(alert.remediation, /ONVIF user may control PTZ/);
    r.client.failWith = null;
    await r.play(300);
    assert.deepEqual(
      r.client.calls.map((c) => c.frame),
      [90, 210],
    );
    assert.deepEqual(r.cleared, ['ptz:camera:2'], 'a good move clears the alert');
  });

  it('a camera that does not answer: connects back off (5 s, 10 s …), moves in between are skipped', async () => {
    const cues: Cue[] = [];
    for (let i = 0; i < 20; i++)
      cues.push(
        { camera: 1, start: i * 2, duration: 1 },
        { camera: 2, start: i * 2 + 1, duration: 1, preset: i % 2 ? 'dock' : 'wide' },
      );
    const r = rig(cues, [plan(2, { settleSeconds: 0.5 })], { duration: 40 });
    r.failConnect(new AppError('PTZ_FAILED', 'camera 2 did not answer within 5 s (trying to connect)'));
    r.mover.start(0);
    await r.play(400);
    const outcomes = r.mover.moves().map((m) => m.outcome);
    assert.equal(outcomes.length, 20, 'every cue is looked at once');
    // 40 s of a dead camera: connects at 0 s, then after 5, 10, 20 s back-offs, not once per cue.
    assert.ok(r.connects.length <= 5, `${r.connects.length} connects in 40 s`);
    assert.ok(outcomes.filter((o) => o === 'skipped').length >= 14, outcomes.join());
    assert.equal(r.client.calls.length, 0);
    assert.ok(r.alerts.every((a) => a.key === 'ptz:camera:2' && a.code === 'PTZ_FAILED'));
    assert.match(r.alerts[0]!.message, /did not answer/);
  });

  it('setup problems are raised once: not a PTZ camera, unknown preset', async () => {
    const r = rig(
      [
        { camera: 1, start: 0, duration: 5, preset: 'dock' },
        { camera: 2, start: 5, duration: 5, preset: 'nowhere' },
        { camera: 1, start: 10, duration: 5, preset: 'dock' },
        { camera: 2, start: 15, duration: 5, preset: 'nowhere' },
      ],
      [plan(1, { onvif: null, problem: 'it is not set up as a PTZ camera' }), plan(2)],
    );
    r.mover.start(0);
    await r.play(200);
    assert.equal(r.connects.length, 1, 'only camera 2 is connected');
    assert.deepEqual(
      r.alerts.map((a) => [a.key, a.code]),
      [
        ['ptz:camera:1', 'PTZ_FAILED'],
        ['ptz:camera:2', 'PTZ_FAILED'],
      ],
    );
    assert.match(r.alerts[0]!.remediation, /Set the camera type to PTZ/);
    assert.match(r.alerts[1]!.message, /has no preset "nowhere"/);
    assert.match(r.alerts[1]!.remediation, /capture the preset again/);
    assert.equal(r.client.calls.length, 0);
  });
});
