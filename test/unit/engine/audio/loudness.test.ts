// The BS.1770 meter against the standard's own figures and EBU Tech 3341's test signals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoudnessMeter } from '../../../../src/engine/audio/loudness.ts';

const RATE = 48_000;

/** Interleaved stereo floats: a sine per channel at a peak level in dBFS (null: silence). */
function sine(seconds: number, hz: number, left: number | null, right: number | null): Float32Array {
  const frames = Math.round(seconds * RATE);
  const out = new Float32Array(frames * 2);
  const l = left === null ? 0 : 10 ** (left / 20);
  const r = right === null ? 0 : 10 ** (right / 20);
  for (let n = 0; n < frames; n++) {
    const s = Math.sin((2 * Math.PI * hz * n) / RATE);
    out[n * 2] = l * s;
    out[n * 2 + 1] = r * s;
  }
  return out;
}

/** Feeds the signal in 1600-frame ticks (the playout's size at 30 fps). */
function feed(meter: LoudnessMeter, samples: Float32Array): void {
  const frames = samples.length / 2;
  for (let at = 0; at < frames; at += 1600) meter.push(samples, Math.min(1600, frames - at), at);
}

describe('BS.1770 loudness meter', () => {
  it('a full-scale 1 kHz sine in one channel reads −3.01 LUFS (BS.1770-4, §2.1 note)', () => {
    const meter = new LoudnessMeter();
    feed(meter, sine(5, 1000, 0, null));
    const reading = meter.reading();
    for (const value of [reading.momentary, reading.shortTerm, reading.integrated]) {
      assert.ok(value !== null);
      assert.ok(Math.abs(value - -3.01) < 0.05, `read ${value}`);
    }
  });

  it('a stereo 997 Hz sine at −20 dBFS reads −20 LUFS; at −23 dBFS −23 LUFS (EBU 3341 case 1)', () => {
    for (const level of [-20, -23]) {
      const meter = new LoudnessMeter();
      feed(meter, sine(20, 997, level, level));
      const integrated = meter.integrated();
      assert.ok(integrated !== null && Math.abs(integrated - level) <= 0.1, `${level}: read ${integrated}`);
      assert.ok(Math.abs(meter.shortTerm! - level) <= 0.1, `short-term ${meter.shortTerm}`);
    }
  });

  it('K-weighting: 100 Hz reads lower and 4 kHz higher than 1 kHz at the same level', () => {
    const at = (hz: number): number => {
      const meter = new LoudnessMeter();
      feed(meter, sine(3, hz, -20, -20));
      return meter.shortTerm!;
    };
    const low = at(100);
    const mid = at(1000);
    const high = at(4000);
    // The shelf adds about +4 dB at high frequencies; the RLB high-pass takes about 1.8 dB off 100 Hz.
    assert.ok(high - mid > 3 && high - mid < 4.5, `4 kHz − 1 kHz = ${high - mid}`);
    assert.ok(mid - low > 1.5 && mid - low < 2.2, `1 kHz − 100 Hz = ${mid - low}`);
  });

  it('gating: −36 / −23 / −36 dBFS for 10 / 60 / 10 s integrates to −23 LUFS (EBU 3341 case 3)', () => {
    const meter = new LoudnessMeter();
    feed(meter, sine(10, 1000, -36, -36));
    feed(meter, sine(60, 1000, -23, -23));
    feed(meter, sine(10, 1000, -36, -36));
    const integrated = meter.integrated()!;
    assert.ok(Math.abs(integrated - -23) <= 0.1, `read ${integrated}`);
  });

  it('silence below the absolute gate reads nothing and does not pull the integrated value', () => {
    const meter = new LoudnessMeter();
    feed(meter, sine(2, 1000, null, null));
    assert.equal(meter.reading().momentary, null);
    assert.equal(meter.integrated(), null);
    feed(meter, sine(10, 1000, -23, -23));
    feed(meter, sine(20, 1000, null, null));
    // The 400 ms windows straddling the edges count too (above the relative gate): a little under.
    const integrated = meter.integrated()!;
    assert.ok(integrated < -23 && integrated > -23.5, `read ${integrated}`);
    assert.equal(meter.shortTerm, null);
  });
});
