import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CameraFailover, type FailoverEvent } from '../../../src/engine/failover.ts';
import type { VideoSource } from '../../../src/timeline/resolver.ts';

const cam = (cameraId: number): VideoSource => ({ kind: 'camera', cameraId });

/** Frame ages per camera, driven by "last frame at" times and a current time. */
class Cameras {
  now = 0;
  readonly lastFrame = new Map<number, number | null>();
  readonly decoding = new Set<number>();
  frameAt(id: number, at = this.now) {
    this.decoding.add(id);
    this.lastFrame.set(id, at);
  }
  connecting(id: number) {
    this.decoding.add(id);
    this.lastFrame.set(id, null);
  }
  readonly age = (key: string): number | null | undefined => {
    const id = Number(key.replace('camera:', ''));
    if (!this.decoding.has(id)) return undefined;
    const at = this.lastFrame.get(id);
    return at === null || at === undefined ? null : this.now - at;
  };
}

function setup(backups: Record<number, number> = {}) {
  const events: FailoverEvent[] = [];
  const failover = new CameraFailover(
    (id) => backups[id],
    {},
    (e) => events.push(e),
  );
  const cams = new Cameras();
  const choose = (scheduled: VideoSource) => failover.choose(scheduled, cams.now, cams.age);
  return { failover, cams, events, choose };
}

describe('camera failover', () => {
  it('keeps a camera with fresh frames on air, and passes other sources through', () => {
    const { cams, choose, events } = setup({ 1: 2 });
    cams.frameAt(1);
    assert.deepEqual(choose(cam(1)), { source: cam(1), replacing: null });
    assert.deepEqual(choose({ kind: 'slate' }), { source: { kind: 'slate' }, replacing: null });
    cams.now = 1000; // exactly the threshold: still fresh
    assert.deepEqual(choose(cam(1)).source, cam(1));
    assert.deepEqual(events, []);
  });

  it('switches to the backup once the newest frame is older than 1 s, and reports it once', () => {
    const { cams, choose, events } = setup({ 1: 2 });
    cams.frameAt(1);
    cams.frameAt(2);
    choose(cam(1));
    cams.now = 1001;
    cams.frameAt(2); // the backup keeps decoding
    const choice = choose(cam(1));
    assert.deepEqual(choice.source, cam(2));
    assert.deepEqual(choice.replacing, {
      cameraId: 1,
      replacement: { kind: 'backup', cameraId: 2 },
      failed: true,
    });
    cams.now = 1500;
    cams.frameAt(2);
    choose(cam(1));
    assert.deepEqual(events, [
      { type: 'failed', cameraId: 1, reason: 'stalled', replacement: { kind: 'backup', cameraId: 2 } },
    ]);
  });

  it('falls to the slate when the backup fails too, then returns to the camera after 2 s of fresh frames', () => {
    const { cams, choose, events } = setup({ 1: 2 });
    cams.frameAt(1);
    cams.frameAt(2);
    choose(cam(1));
    cams.now = 1100;
    cams.frameAt(2);
    assert.deepEqual(choose(cam(1)).source, cam(2));
    // The backup stalls as well.
    cams.now = 2200;
    const slate = choose(cam(1));
    assert.deepEqual(slate.source, { kind: 'slate' });
    assert.deepEqual(slate.replacing?.replacement, { kind: 'slate' });
    assert.equal(slate.replacing?.failed, true);
    // The camera comes back: not trusted until 2 s of uninterrupted frames.
    for (let t = 3000; t <= 5000; t += 100) {
      cams.now = t;
      cams.frameAt(1);
      const choice = choose(cam(1));
      if (t < 5000) assert.deepEqual(choice.source, { kind: 'slate' }, `still on the slate at ${t} ms`);
      else assert.deepEqual(choice, { source: cam(1), replacing: null }, 'back on air at 2 s');
    }
    assert.deepEqual(
      events.map((e) => e.type),
      ['failed', 'replacement-changed', 'recovered'],
    );
    assert.deepEqual(events[1], { type: 'replacement-changed', cameraId: 1, replacement: { kind: 'slate' } });
    assert.deepEqual(events[2], { type: 'recovered', cameraId: 1, downMs: 5000 - 1100 });
  });

  it('a flickering camera does not return: one stale moment restarts the 2 s', () => {
    const { cams, choose } = setup();
    cams.frameAt(1);
    choose(cam(1));
    cams.now = 1500;
    assert.deepEqual(choose(cam(1)).source, { kind: 'slate' });
    cams.now = 2000;
    cams.frameAt(1);
    choose(cam(1));
    cams.now = 3500; // 1.5 s without a frame: stale again
    choose(cam(1));
    cams.now = 3600;
    cams.frameAt(1);
    choose(cam(1));
    cams.now = 5500; // 1.9 s of fresh frames since 3600
    cams.frameAt(1);
    assert.deepEqual(choose(cam(1)).source, { kind: 'slate' });
    cams.now = 5600;
    cams.frameAt(1);
    assert.deepEqual(choose(cam(1)).source, cam(1));
  });

  it('a camera that never delivers a frame fails after the startup grace, as "no signal"', () => {
    const { cams, choose, events } = setup();
    cams.connecting(1);
    const connecting = choose(cam(1));
    assert.deepEqual(connecting.source, { kind: 'slate' });
    assert.equal(connecting.replacing?.failed, false, 'connecting is not a failure yet');
    cams.now = 10_000;
    choose(cam(1));
    assert.equal(events.length, 0);
    cams.now = 10_001;
    assert.equal(choose(cam(1)).replacing?.failed, true);
    assert.deepEqual(events, [
      { type: 'failed', cameraId: 1, reason: 'no-signal', replacement: { kind: 'slate' } },
    ]);
  });

  it('walks a chain of backups, skipping failed ones, and never loops', () => {
    const { cams, choose } = setup({ 1: 2, 2: 3, 3: 1 });
    cams.frameAt(1);
    cams.frameAt(2);
    cams.frameAt(3);
    choose(cam(1));
    cams.now = 1500;
    cams.frameAt(3);
    assert.deepEqual(choose(cam(1)).source, cam(3), 'camera 2 is stale too, camera 3 is fresh');
    cams.now = 3000;
    assert.deepEqual(choose(cam(1)).source, { kind: 'slate' }, 'every camera of the ring is stale');
  });

  it('names the backups that should stay decoding', () => {
    const { failover } = setup({ 1: 2, 2: 3, 4: 2 });
    assert.deepEqual(failover.standbyFor([cam(1), cam(4), { kind: 'slate' }]), [cam(2), cam(3)]);
  });

  it('a recovered camera clears its failure even when it is no longer scheduled', () => {
    const { cams, choose, events } = setup();
    cams.frameAt(1);
    choose(cam(1));
    cams.now = 1500;
    choose(cam(1)); // failed → slate, reported
    cams.frameAt(5);
    for (let t = 2000; t <= 4000; t += 500) {
      cams.now = t;
      cams.frameAt(1);
      cams.frameAt(5);
      choose(cam(5)); // the timeline has moved on to camera 5
    }
    assert.deepEqual(
      events.map((e) => e.type),
      ['failed', 'recovered'],
    );
  });

  it('a backup that froze with its camera never goes on air, not even for one frame', () => {
    const { cams, choose, events } = setup({ 1: 2 });
    // Both send 30 fps until t = 10 s; the backup's last frame is 10 ms younger.
    for (let t = 0; t <= 10_000; t += 33) {
      cams.now = t;
      cams.frameAt(1);
      cams.frameAt(2, t + 10);
      choose(cam(1));
    }
    const shown: string[] = [];
    for (let t = 10_000; t <= 12_500; t += 33) {
      cams.now = t;
      const choice = choose(cam(1));
      shown.push(choice.source.kind === 'camera' ? `camera ${choice.source.cameraId}` : choice.source.kind);
    }
    assert.ok(!shown.includes('camera 2'), `the frozen backup was shown: ${[...new Set(shown)].join(', ')}`);
    assert.equal(shown.at(-1), 'slate');
    assert.deepEqual(
      events.map((e) => e.type === 'failed' && e.replacement.kind),
      ['slate'],
      'one failure, straight to the slate',
    );
  });

  it('a live backup still stands in at once', () => {
    const { cams, choose } = setup({ 1: 2 });
    for (let t = 0; t <= 12_000; t += 33) {
      cams.now = t;
      if (t <= 10_000) cams.frameAt(1);
      cams.frameAt(2);
      const choice = choose(cam(1));
      if (t >= 11_100) assert.deepEqual(choice.source, cam(2), `at ${t} ms`);
    }
  });
});
