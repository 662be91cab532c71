import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kilobitsPerSecond, RateMeter } from '../../../src/health/rates.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

describe('RateMeter', () => {
  it('turns a cumulative byte counter into kb/s', () => {
    const clock = new FakeClock();
    const meter = new RateMeter();
    assert.equal(meter.perSecond(), null);
    let bytes = 0;
    meter.push(clock.now(), bytes);
    assert.equal(meter.perSecond(), null, 'one sample is not a rate');
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      bytes += 562_500; // 4500 kb/s
      meter.push(clock.now(), bytes);
    }
    assert.equal(meter.perSecond(), 562_500);
    assert.equal(kilobitsPerSecond(meter.perSecond()), 4500);
    assert.equal(kilobitsPerSecond(null), null);
  });

  it('reports the recent window, not the average since the start', () => {
    const clock = new FakeClock();
    const meter = new RateMeter(10_000);
    let frames = 0;
    for (let s = 0; s <= 60; s++) {
      meter.push(clock.now(), frames);
      frames += s < 50 ? 1 : 30; // quiet for 50 s, then 30 per second
      clock.advance(1000);
    }
    assert.equal(meter.perSecond(), 30);
    assert.equal(meter.increase(), 300);
  });

  it('a counter that goes down (a restarted process) starts a new window instead of a negative rate', () => {
    const meter = new RateMeter();
    meter.push(0, 1000);
    meter.push(1000, 2000);
    meter.push(2000, 10);
    assert.equal(meter.perSecond(), null);
    meter.push(3000, 110);
    assert.equal(meter.perSecond(), 100);
  });

  it('keeps a bounded number of samples however often it is fed', () => {
    const meter = new RateMeter(10_000, 50);
    for (let t = 0; t < 100_000; t++) meter.push(t, t * 2);
    assert.equal(meter.perSecond(), 2000);
    const kept = (meter as unknown as { samples: unknown[] }).samples.length;
    assert.ok(kept <= 50, `kept ${kept} samples`);
  });
});
