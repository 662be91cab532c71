// The instrument the pressure test and bench read a viewer's clock with: it must see the program's
// pace, fail a program that runs slow or stalls, and not fail one whose viewer reported late once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { programRates, type ClockSample } from '../../helpers/stream-readers.ts';

/** A viewer reporting every 500 ms for `seconds`; `streamAt` maps wall ms to program ms. */
function viewer(seconds: number, streamAt: (atMs: number) => number, lateBy = (_atMs: number) => 0) {
  const samples: ClockSample[] = [];
  for (let at = 0; at <= seconds * 1000; at += 500)
    samples.push({ at: at + lateBy(at), streamMs: 1 + streamAt(at) });
  return samples;
}

const worst = (rates: number[]) => Math.max(...rates.map((rate) => Math.abs(rate - 1)));

describe('programRates', () => {
  it('reads a program on the wall clock as 1, skipping the first seconds', () => {
    const rates = programRates(viewer(60, (at) => at));
    assert.ok(rates.length >= 80, `${rates.length} windows`);
    assert.ok(worst(rates) < 1e-9, `${worst(rates)}`);
  });

  it('reads no window for a viewer that received nothing', () => {
    assert.deepEqual(programRates([]), []);
    assert.deepEqual(programRates(viewer(60, () => -1)), []);
  });

  it('reads a program that runs 2 % slow as 0.98 in every window', () => {
    const rates = programRates(viewer(60, (at) => at * 0.98));
    for (const rate of rates) assert.ok(Math.abs(rate - 0.98) < 1e-9, `${rate}`);
  });

  it('fails a program that stalls for 300 ms and never catches up', () => {
    const rates = programRates(viewer(60, (at) => (at < 30_000 ? at : at - Math.min(300, at - 30_000))));
    assert.ok(worst(rates) > 0.01, `${worst(rates)}`);
  });

  it('holds within 1 % when the viewer reports one sample 100 ms late', () => {
    const samples = viewer(
      60,
      (at) => at,
      (at) => (at === 30_000 ? 100 : 0),
    );
    assert.ok(worst(programRates(samples)) < 0.005, `${worst(programRates(samples))}`);
    // What two samples alone would read in the window ending on the late one:
    const start = samples.find((s) => s.at === 20_000)!;
    const late = samples.find((s) => s.at === 30_100)!;
    assert.ok((late.streamMs - start.streamMs) / (late.at - start.at) < 0.991);
  });
});
