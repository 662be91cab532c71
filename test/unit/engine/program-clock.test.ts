import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatKey,
  keyframeTicks,
  nextKeyframeTick,
  sampleAt,
  tickAt,
  tickMs,
} from '../../../src/engine/program-clock.ts';

describe('program clock', () => {
  it('ticks are program time at the timeline rate, and ms map back to the tick they fall in', () => {
    assert.equal(tickMs(90, 30), 3000);
    assert.equal(tickAt(3000, 30), 90);
    assert.equal(tickAt(3033.3, 30), 90);
    assert.equal(tickAt(3033.34, 30), 91);
    // The epoch of a test that starts 10 s before the 31-bit FLV wrap.
    assert.equal(tickAt(2 ** 31 - 10_000, 30), Math.floor(((2 ** 31 - 10_000) * 30) / 1000));
  });

  it('audio samples per tick add up exactly, from any tick on', () => {
    for (const fps of [24, 25, 30, 60, 7]) {
      const from = 1_000_003;
      assert.equal(sampleAt(from + fps * 10, fps) - sampleAt(from, fps), 480_000, `fps ${fps}`);
    }
  });

  it('keyframe periods start at multiples of 2·fps: a new run starts on one, at any decimation', () => {
    assert.equal(keyframeTicks(30), 60);
    assert.equal(nextKeyframeTick(0, 30), 0);
    assert.equal(nextKeyframeTick(1, 30), 60);
    assert.equal(nextKeyframeTick(60, 30), 60);
    assert.equal(nextKeyframeTick(107_374_183, 30) % 60, 0);
    for (const fps of [15, 24, 25, 29, 30, 60]) {
      const tick = nextKeyframeTick(12_345, fps);
      assert.ok(tick >= 12_345 && tick < 12_345 + 2 * fps, `fps ${fps}`);
      assert.equal(tick % 2, 0, 'a half-rate format takes it too');
    }
  });

  it('names formats by size and rate', () => {
    assert.equal(formatKey({ width: 1280, height: 720, decimation: 2 }), '1280x720/2');
  });
});
