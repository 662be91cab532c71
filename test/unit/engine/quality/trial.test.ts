// The pure parts of a measured test run: when its window starts and ends (TrialMeter), how tests
// run side by side share one window (TrialGroup), and the pace fitted to its progress reports.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fittedRate,
  TrialGroup,
  TrialMeter,
  type ProgressPoint,
} from '../../../../src/engine/quality/trial.ts';

/** A report every 250 ms from `fromMs`, program time advancing at `rate` from `program0`. */
function reports(fromMs: number, count: number, rate: number, program0 = 0.5): ProgressPoint[] {
  return Array.from({ length: count }, (_, i) => {
    const at = fromMs + i * 250;
    return { at, programTime: program0 + (rate * (at - fromMs)) / 1000, frame: Math.round(at / 33) };
  });
}

describe('TrialMeter: one test’s window', () => {
  it('starts at the first report after the warm-up with output, and ends measureMs later', () => {
    const meter = new TrialMeter({ warmupMs: 500, measureMs: 1000 }, 0, null);
    assert.deepEqual(meter.report({ at: 250, programTime: 0, frame: 5 }), { kind: 'wait' }, 'no output yet');
    assert.deepEqual(meter.report({ at: 400, programTime: 0.2, frame: 12 }), { kind: 'wait' }, 'warming up');
    const steps = reports(600, 6, 1).map((point) => meter.report(point).kind);
    assert.deepEqual(steps, ['start', 'wait', 'wait', 'wait', 'end', 'wait']);
    assert.equal(meter.start?.at, 600);
    assert.equal(meter.points.length, 5, 'the window’s reports, its start and end included');
  });

  it('ends early when it falls further behind its pace than it may', () => {
    const meter = new TrialMeter(
      { warmupMs: 0, measureMs: 2000, pace: { rate: 1.15, giveUpBehindSeconds: 0.2 } },
      0,
      null,
    );
    // Fed at 1.15×, it makes 0.8×: 0.35 s behind per second, past 0.2 s after 0.75 s.
    const steps = reports(100, 5, 0.8).map((point) => meter.report(point));
    assert.deepEqual(steps, [
      { kind: 'start' },
      { kind: 'wait' },
      { kind: 'wait' },
      { kind: 'end', cutShort: 'fell behind' },
      { kind: 'wait' },
    ]);
  });

  it('keeping the pace, whole frames at a time, is not falling behind', () => {
    const meter = new TrialMeter(
      { warmupMs: 0, measureMs: 2000, pace: { rate: 1.15, giveUpBehindSeconds: 0.269 } },
      0,
      null,
    );
    // 15 fps: program time moves in 1/15 s steps, reports come when they come.
    const steps = reports(0, 9, 1.15).map((point) =>
      meter.report({ ...point, programTime: Math.floor(point.programTime * 15) / 15 }),
    );
    assert.equal(steps.at(-1)?.kind, 'end');
    assert.ok(steps.every((step) => step.kind !== 'end' || step.cutShort === undefined));
  });

  it('in a group, waits until every member’s output flows', () => {
    const group = new TrialGroup(2);
    const a = new TrialMeter({ warmupMs: 500, measureMs: 1000 }, 0, group);
    const b = new TrialMeter({ warmupMs: 500, measureMs: 1000 }, 0, group);
    assert.equal(a.report({ at: 600, programTime: 0.5, frame: 18 }).kind, 'wait', 'b has no output yet');
    assert.equal(group.open, false);
    assert.equal(b.report({ at: 1500, programTime: 0.1, frame: 40 }).kind, 'start', 'the last one opens it');
    assert.equal(group.open, true);
    assert.equal(a.report({ at: 1600, programTime: 1.6, frame: 48 }).kind, 'start');
  });
});

describe('TrialGroup', () => {
  it('stops once every member is done', () => {
    const group = new TrialGroup(3);
    let stops = 0;
    group.onStop(() => (stops += 1));
    group.done(false);
    group.done(false);
    assert.equal(stops, 0);
    group.done(false);
    assert.equal(stops, 1);
    assert.equal(group.stopped, true);
    group.onStop(() => (stops += 10));
    assert.equal(stops, 11, 'a listener added after the stop is called at once');
  });

  it('stops at once when a member ends the window for all', () => {
    const group = new TrialGroup(4);
    let stops = 0;
    group.onStop(() => (stops += 1));
    group.done(true);
    assert.equal(stops, 1);
    group.done(false);
    assert.equal(stops, 1, 'only once');
  });

  it('needs a member', () => {
    assert.throws(() => new TrialGroup(0), RangeError);
  });
});

describe('fittedRate', () => {
  it('is the slope of program time over wall time (per second), and needs three reports', () => {
    assert.ok(Math.abs(fittedRate(reports(0, 9, 1.15))! - 1.15) < 1e-9);
    // Program time in whole frames (15 fps) moves it by less than one frame over the 2 s.
    const frames = reports(0, 9, 1.15).map((p) => ({
      ...p,
      programTime: Math.floor(p.programTime * 15) / 15,
    }));
    assert.ok(Math.abs(fittedRate(frames)! - 1.15) < 1 / 15 / 2);
    assert.equal(fittedRate(reports(0, 2, 1)), null);
  });
});
