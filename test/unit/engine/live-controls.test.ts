import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { createReferenceKernels } from '../../../src/engine/compositor/index.ts';
import { LiveOverrides } from '../../../src/engine/overrides.ts';
import { Playout } from '../../../src/engine/playout.ts';
import { compileTimeline, resolveFrame } from '../../../src/timeline/resolver.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { CaptureSink, FakeSources } from '../../helpers/playout-fakes.ts';
import { mustValidate } from '../../helpers/timelines.ts';

const W = 16;
const H = 16;
const Y = { camera1: 60, camera2: 120, camera3: 200, slate: 30 } as const;

const camera = (id: string, start: number, cameraId: number) => ({
  id,
  start_time: start,
  duration: 1,
  action: 'show_camera',
  params: { camera_id: cameraId },
});
const compiled = compileTimeline(
  mustValidate({
    timeline: {
      name: 'controls',
      duration: 3,
      fps: 10,
      resolution: `${W}x${H}`,
      loop: true,
      tracks: {
        video: {
          track_id: 'v',
          type: 'video',
          cues: [camera('one', 0, 1), camera('two', 1, 2), camera('three', 2, 1)],
        },
        overlays: [
          {
            track_id: 'o',
            type: 'overlay',
            layer: 1,
            cues: [
              {
                id: 'title',
                start_time: 0,
                duration: 1.5,
                action: 'show_overlay',
                params: { type: 'text', text: 'Hi' },
              },
              {
                id: 'later',
                start_time: 2,
                duration: 1,
                action: 'show_overlay',
                params: { type: 'text', text: 'Later' },
              },
            ],
          },
        ],
      },
    },
  }).timeline,
);

function setup() {
  const clock = new FakeClock();
  const sources = new FakeSources(clock, W, H);
  const sink = new CaptureSink(W, H);
  const overrides = new LiveOverrides();
  const playout = new Playout({
    timeline: compiled,
    clock,
    kernels: createReferenceKernels(),
    pool: sources,
    overlays: null,
    sink,
    overrides,
    logger: createLogger('test'),
    prerollMs: 0, // pre-roll has tests of its own
  });
  /** Keeps the live sources fresh and runs n ticks; returns each tick's luma. */
  const run = (ticks: number, live = ['camera:1', 'camera:2']): number[] => {
    const from = sink.video.length;
    for (let i = 0; i < ticks; i++) {
      for (const key of live)
        sources.put(key, key === 'camera:1' ? Y.camera1 : key === 'camera:2' ? Y.camera2 : Y.camera3);
      sources.put('slate', Y.slate);
      clock.advance(100);
    }
    return sink.video.slice(from).map((frame) => frame[0]!);
  };
  return { clock, sources, sink, playout, overrides, run };
}

describe('live controls in the playout', () => {
  it('pause holds the timeline position while the output goes on; resume continues from there', () => {
    const { playout, run } = setup();
    playout.start();
    run(5);
    assert.equal(playout.frame, 6, 'ticks 0..5 written');
    playout.pause();
    assert.equal(playout.frame, 5, 'held at once: the next status already says frame 5');
    const held = run(20);
    assert.equal(held.length, 20, 'one frame per tick while paused');
    assert.ok(
      held.every((y) => y === Y.camera1),
      'camera 1 stays on air: cue "two" (frame 10) never comes',
    );
    assert.equal(playout.frame, 5, 'the frame on air when paused is the one held');
    assert.equal(playout.snapshot().paused, true);
    playout.resume();
    const after = run(6);
    assert.deepEqual(
      after,
      [...Array(4).fill(Y.camera1), ...Array(2).fill(Y.camera2)],
      'frames 6..9 then cue two at 10',
    );
  });

  it('a jump while paused holds the new time; resume moves on from it', () => {
    const { playout, run } = setup();
    playout.start();
    run(3);
    playout.pause();
    playout.seek(15); // 1.5 s: inside cue "two"
    assert.deepEqual(run(3), [Y.camera2, Y.camera2, Y.camera2]);
    assert.equal(playout.frame, 15);
    playout.resume();
    run(2);
    assert.equal(playout.frame, 18, 'frames 16 and 17 went on air');
  });

  it('a jump moves the program to the new time at the next tick', () => {
    const { playout, run } = setup();
    playout.start();
    run(3);
    playout.seek(15); // 1.5 s: inside cue "two"
    const after = run(3);
    assert.deepEqual(after, [Y.camera2, Y.camera2, Y.camera2]);
    assert.equal(playout.frame, 18, '15, 16, 17 written');
  });

  it('the emergency test pattern covers everything until switched off', () => {
    const { playout, overrides, run } = setup();
    playout.start();
    run(2);
    overrides.setEmergency(true);
    assert.ok(run(15).every((y) => y === Y.slate));
    overrides.setEmergency(false);
    assert.deepEqual(run(1), [Y.camera2], 'back to the timeline where it is now (frame 18, cue two)');
  });

  it('a pinned camera stays on air across cues until unpinned', () => {
    const { playout, overrides, run } = setup();
    playout.start();
    run(1);
    overrides.pin(2);
    playout.overridesChanged();
    assert.ok(
      run(25).every((y) => y === Y.camera2),
      'cue one and cue three are camera 1, but camera 2 is pinned',
    );
    overrides.pin(null);
    assert.deepEqual(run(1), [Y.camera1], 'frame 26 is cue "three" (camera 1)');
  });

  it('a forced camera holds only until the next cue begins', () => {
    const { playout, overrides, run } = setup();
    playout.start();
    run(3); // frames 0..3 written (frame 0 at start); next is frame 4 of cue one
    overrides.force(2);
    const forced = run(6); // frames 4..9 (cue one) then 10 (cue two: camera 2 anyway)
    assert.ok(forced.every((y) => y === Y.camera2));
    const next = run(10); // frames 10..19 are cue two (camera 2), then cue three is camera 1 again
    assert.ok(next.every((y) => y === Y.camera2));
    assert.deepEqual(run(1), [Y.camera1], 'the override ended at cue two: cue three shows camera 1');
    assert.equal(overrides.snapshot().forcedCameraId, null);
  });

  it('a forced camera that is not decoding yet goes on air when its first frame arrives, not before', () => {
    const { playout, overrides, sources, run } = setup();
    playout.start();
    run(1);
    overrides.force(3);
    playout.overridesChanged();
    assert.ok(sources.wanted.at(-1)?.includes('camera:3'), 'its decoder is started at once');
    assert.ok(
      run(5).every((y) => y === Y.camera1),
      'camera 1 stays on air while camera 3 connects',
    );
    assert.deepEqual(run(2, ['camera:1', 'camera:2', 'camera:3']), [Y.camera3, Y.camera3]);
  });
});

describe('LiveOverrides (pure)', () => {
  const at = (frame: number) => resolveFrame(compiled, frame);

  it('clear overlays hides the overlays on air now; later cues and the next loop show them again', () => {
    const overrides = new LiveOverrides();
    assert.deepEqual(
      overrides.apply(at(5), compiled.slate).overlays.map((o) => o.cueId),
      ['title'],
    );
    overrides.clearOverlays();
    assert.deepEqual(overrides.apply(at(6), compiled.slate).overlays, []);
    assert.deepEqual(overrides.snapshot().hiddenOverlayCues, ['title']);
    assert.deepEqual(overrides.apply(at(16), compiled.slate).overlays, [], 'title has ended');
    assert.deepEqual(overrides.snapshot().hiddenOverlayCues, []);
    assert.deepEqual(
      overrides.apply(at(20), compiled.slate).overlays.map((o) => o.cueId),
      ['later'],
    );
    assert.deepEqual(
      overrides.apply(at(31), compiled.slate).overlays.map((o) => o.cueId),
      ['title'],
      'next loop',
    );
  });

  it('restore brings cleared overlays back at once; precedence is emergency > pin > force (a force waits under a pin)', () => {
    const overrides = new LiveOverrides();
    overrides.apply(at(5), compiled.slate);
    overrides.clearOverlays();
    overrides.restoreOverlays();
    assert.deepEqual(
      overrides.apply(at(6), compiled.slate).overlays.map((o) => o.cueId),
      ['title'],
    );
    assert.equal(overrides.apply(at(6), compiled.slate).video, null, 'no override: the timeline decides');
    overrides.force(3);
    assert.deepEqual(overrides.apply(at(7), compiled.slate).video, { kind: 'camera', cameraId: 3 });
    overrides.pin(2);
    assert.deepEqual(overrides.apply(at(8), compiled.slate).video, { kind: 'camera', cameraId: 2 });
    overrides.force(3);
    assert.deepEqual(
      overrides.apply(at(8), compiled.slate).video,
      { kind: 'camera', cameraId: 2 },
      'waits under the pin',
    );
    overrides.setEmergency(true);
    assert.deepEqual(overrides.apply(at(9), compiled.slate).video, compiled.slate);
    assert.deepEqual(overrides.wantedCameras().sort(), [2, 3]);
  });

  it('pinning ends an earlier force: Unpin returns to the timeline, never to a stale force', () => {
    const overrides = new LiveOverrides();
    overrides.apply(at(2), compiled.slate);
    overrides.force(3);
    overrides.pin(2);
    assert.equal(overrides.snapshot().forcedCameraId, null, 'the pin replaced the force');
    overrides.pin(null);
    assert.equal(
      overrides.apply(at(4), compiled.slate).video,
      null,
      'still cue one, yet the timeline decides',
    );
    assert.deepEqual(overrides.wantedCameras(), []);
  });

  it('a force made while pinned waits under the pin, goes on air at Unpin within its cue, and ends with the cue', () => {
    const overrides = new LiveOverrides();
    overrides.apply(at(2), compiled.slate);
    overrides.pin(2);
    overrides.force(3);
    assert.deepEqual(overrides.snapshot(), {
      emergency: false,
      pinnedCameraId: 2,
      forcedCameraId: 3,
      hiddenOverlayCues: [],
    });
    overrides.pin(null);
    assert.deepEqual(overrides.apply(at(5), compiled.slate).video, { kind: 'camera', cameraId: 3 });
    assert.equal(overrides.apply(at(11), compiled.slate).video, null, 'cue two began: the force ended');
    assert.equal(overrides.snapshot().forcedCameraId, null);
  });

  it('a force waiting under a pin ends with its cue even while pinned', () => {
    const overrides = new LiveOverrides();
    overrides.apply(at(2), compiled.slate);
    overrides.pin(2);
    overrides.force(3);
    overrides.apply(at(12), compiled.slate);
    overrides.pin(null);
    assert.equal(overrides.apply(at(13), compiled.slate).video, null);
    assert.equal(overrides.snapshot().forcedCameraId, null);
  });

  it('cancel force ends it at once; the timeline decides again', () => {
    const overrides = new LiveOverrides();
    overrides.apply(at(2), compiled.slate);
    overrides.force(3);
    assert.deepEqual(overrides.apply(at(3), compiled.slate).video, { kind: 'camera', cameraId: 3 });
    overrides.cancelForce();
    assert.equal(overrides.apply(at(4), compiled.slate).video, null);
    assert.equal(overrides.snapshot().forcedCameraId, null);
  });

  it('return to the timeline ends every override at once', () => {
    const overrides = new LiveOverrides();
    overrides.apply(at(2), compiled.slate);
    overrides.clearOverlays();
    overrides.pin(2);
    overrides.force(3);
    overrides.setEmergency(true);
    overrides.returnToTimeline();
    assert.deepEqual(overrides.snapshot(), {
      emergency: false,
      pinnedCameraId: null,
      forcedCameraId: null,
      hiddenOverlayCues: [],
    });
    const program = overrides.apply(at(3), compiled.slate);
    assert.equal(program.video, null);
    assert.deepEqual(
      program.overlays.map((o) => o.cueId),
      ['title'],
    );
  });
});
