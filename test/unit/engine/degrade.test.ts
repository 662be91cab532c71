import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DegradePolicy, reducedSize, type LoadSample } from '../../../src/engine/degrade.ts';

/** Feeds one sample per second; `load(t)` gives the sample's load at second t. */
function run(
  policy: DegradePolicy,
  seconds: number,
  load: (t: number) => Partial<LoadSample>,
  start = { t: 0, ticks: 0, late: 0, dropped: 0 },
) {
  const levels: number[] = [];
  const changes: { at: number; to: number; because: string[] }[] = [];
  let { ticks, late, dropped } = start;
  for (let t = start.t; t < start.t + seconds; t++) {
    const l = load(t);
    ticks += 30;
    late += l.lateTicks ?? 0;
    dropped += l.droppedTicks ?? 0;
    const d = policy.observe({
      at: t * 1000,
      cpuPercent: l.cpuPercent ?? 40,
      ticks,
      lateTicks: late,
      droppedTicks: dropped,
      outputQueuePercent: l.outputQueuePercent ?? 0,
    });
    levels.push(d.level);
    if (d.change) changes.push({ at: t, to: d.change.to, because: d.change.because });
  }
  return { levels, changes, end: { t: start.t + seconds, ticks, late, dropped } };
}

describe('degraded mode policy', () => {
  it('stays at level 0 under normal load, and a CPU spike is not sustained load', () => {
    const policy = new DegradePolicy();
    const { changes } = run(policy, 60, (t) => ({ cpuPercent: t === 20 ? 100 : 60 }));
    assert.deepEqual(changes, []);
  });

  it('steps down one level per full window of CPU above 90 %, to level 3 at most', () => {
    const policy = new DegradePolicy();
    const { changes, levels } = run(policy, 50, () => ({ cpuPercent: 97 }));
    assert.deepEqual(changes, [
      { at: 10, to: 1, because: ['cpu'] },
      { at: 20, to: 2, because: ['cpu'] },
      { at: 30, to: 3, because: ['cpu'] },
    ]);
    assert.equal(levels.at(-1), 3);
  });

  it('gives one level back after each 30 s without overload', () => {
    const policy = new DegradePolicy();
    const hot = run(policy, 21, () => ({ cpuPercent: 97 }));
    assert.equal(hot.levels.at(-1), 2);
    const calm = run(policy, 70, () => ({ cpuPercent: 50 }), hot.end);
    assert.deepEqual(
      calm.changes.map((c) => [c.at, c.to]),
      [
        [hot.end.t + 30, 1],
        [hot.end.t + 60, 0],
      ],
    );
  });

  it('an overload during recovery restarts the quiet period', () => {
    const policy = new DegradePolicy();
    const hot = run(policy, 11, () => ({ cpuPercent: 97 }));
    assert.equal(hot.levels.at(-1), 1);
    // 25 s quiet, then late ticks for a window, then quiet again.
    const mixed = run(
      policy,
      80,
      (t) => ({ lateTicks: t >= hot.end.t + 25 && t < hot.end.t + 36 ? 5 : 0 }),
      hot.end,
    );
    assert.deepEqual(mixed.changes[0], { at: hot.end.t + 34, to: 2, because: ['late-ticks'] });
    assert.equal(mixed.changes[1]?.to, 1);
    assert.ok(mixed.changes[1]!.at >= hot.end.t + 36 + 30, 'not before 30 quiet seconds');
  });

  it('counts late ticks, dropped ticks and a growing output queue as overload', () => {
    const late = run(new DegradePolicy(), 11, () => ({ lateTicks: 3 }));
    assert.deepEqual(late.changes[0]?.because, ['late-ticks']);
    const dropped = run(new DegradePolicy(), 11, () => ({ droppedTicks: 2 }));
    assert.deepEqual(dropped.changes[0]?.because, ['dropped-ticks']);
    const queue = run(new DegradePolicy(), 11, (t) => ({ outputQueuePercent: t * 4 }));
    assert.deepEqual(queue.changes[0]?.because, ['output-backlog']);
    // A queue that is full but draining is not growing.
    const draining = run(new DegradePolicy(), 20, (t) => ({ outputQueuePercent: 90 - t }));
    assert.deepEqual(draining.changes, []);
    // A burst of late ticks, however bad, is not a sustained overload.
    const burst = run(new DegradePolicy(), 30, (t) => ({ lateTicks: t >= 10 && t < 14 ? 30 : 0 }));
    assert.deepEqual(burst.changes, []);
  });

  it('reduces the output size to two thirds, in even numbers', () => {
    assert.deepEqual(reducedSize(1920, 1080), { width: 1280, height: 720 });
    assert.deepEqual(reducedSize(1280, 720), { width: 852, height: 480 });
    assert.deepEqual(reducedSize(320, 180), { width: 212, height: 120 });
  });
});
