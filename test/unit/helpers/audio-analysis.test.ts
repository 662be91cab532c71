// The measuring instrument the audio e2e tests read recordings with: it must read a tone's level
// whatever its phase does, and read less where the tone is missing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYSIS_RATE, toneLevel } from '../../helpers/audio-analysis.ts';

function tone(seconds: number, hz: number, dbfs: number, phaseAt = (_i: number) => 0): Float32Array {
  const out = new Float32Array(Math.round(seconds * ANALYSIS_RATE));
  const amplitude = 10 ** (dbfs / 20);
  for (let i = 0; i < out.length; i++)
    out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / ANALYSIS_RATE + phaseAt(i));
  return out;
}

describe('toneLevel', () => {
  it('reads a steady tone at its level, and nothing at another frequency', () => {
    const samples = tone(4, 1000, -20);
    assert.ok(Math.abs(toneLevel(samples, 1000, 0, 4) + 20) < 0.1);
    assert.ok(toneLevel(samples, 440, 0, 4) < -60);
  });

  it('reads the level through a phase jump (samples dropped mid-span)', () => {
    const jump = ANALYSIS_RATE * 2 + 123;
    const samples = tone(4, 1000, -20, (i) => (i >= jump ? (2 * Math.PI) / 3 : 0));
    assert.ok(Math.abs(toneLevel(samples, 1000, 0, 4) + 20) < 0.5, `${toneLevel(samples, 1000, 0, 4)}`);
  });

  it('reads 3 dB less when the tone is there for half the span', () => {
    const samples = tone(4, 1000, -20);
    samples.fill(0, ANALYSIS_RATE * 2);
    assert.ok(Math.abs(toneLevel(samples, 1000, 0, 4) + 23) < 0.2, `${toneLevel(samples, 1000, 0, 4)}`);
  });
});
