import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, resolveBackoff, DEFAULT_BACKOFF } from '../../../src/process/backoff.ts';

const middle = (): number => 0.5; // no jitter offset
const lowest = (): number => 0;
const highest = (): number => 1;

describe('backoffDelay', () => {
  it('doubles from 2 s and caps at 60 s with the defaults', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 50].map((attempt) => backoffDelay(attempt, {}, middle));
    assert.deepEqual(delays, [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000]);
  });

  it('spreads each delay by ±jitter around its value', () => {
    assert.equal(backoffDelay(1, {}, lowest), 1600);
    assert.equal(backoffDelay(1, {}, highest), 2400);
    assert.equal(backoffDelay(6, {}, lowest), 48000);
    assert.equal(backoffDelay(6, {}, highest), 72000);
    assert.equal(
      backoffDelay(3, { jitter: 0.5 }, () => 0.25),
      6000,
    );
  });

  it('stays within bounds for many random draws', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let attempt = 1; attempt <= 20; attempt++) {
      const nominal = Math.min(2000 * 2 ** (attempt - 1), 60000);
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, {}, random);
        assert.ok(delay >= nominal * 0.8 && delay <= nominal * 1.2, `attempt ${attempt}: ${delay}`);
      }
    }
  });

  it('is exact with jitter 0 and honours custom base, factor and cap', () => {
    const options = { baseMs: 100, factor: 3, capMs: 1000, jitter: 0 };
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((a) => backoffDelay(a, options, Math.random)),
      [100, 300, 900, 1000, 1000],
    );
    assert.equal(backoffDelay(7, { factor: 1, jitter: 0 }, lowest), 2000);
  });

  it('treats attempts below 1 or not finite as the first attempt, and huge ones as capped', () => {
    assert.equal(backoffDelay(0, {}, middle), 2000);
    assert.equal(backoffDelay(-3, {}, middle), 2000);
    assert.equal(backoffDelay(Number.NaN, {}, middle), 2000);
    assert.equal(backoffDelay(1e6, {}, middle), 60000);
    assert.equal(backoffDelay(2.9, {}, middle), 4000);
  });

  it('clamps a misbehaving random source into [0, 1]', () => {
    assert.equal(
      backoffDelay(1, {}, () => -5),
      1600,
    );
    assert.equal(
      backoffDelay(1, {}, () => 7),
      2400,
    );
  });

  it('rejects invalid options', () => {
    assert.throws(() => backoffDelay(1, { baseMs: -1 }), RangeError);
    assert.throws(() => backoffDelay(1, { factor: 0.5 }), RangeError);
    assert.throws(() => backoffDelay(1, { capMs: 10 }), RangeError);
    assert.throws(() => backoffDelay(1, { jitter: 1.5 }), RangeError);
    assert.throws(() => backoffDelay(1, { baseMs: Number.NaN }), RangeError);
  });

  it('fills defaults, ignoring explicitly undefined fields', () => {
    assert.deepEqual(resolveBackoff({ baseMs: undefined, capMs: 5000 }), { ...DEFAULT_BACKOFF, capMs: 5000 });
  });
});
