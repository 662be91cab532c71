// The engine's mixer with synthetic PCM: ducking's attack and release, fades, 'replace', the
// loudness gain reaching the target (and holding still in silence), and the limiter's ceiling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import {
  DUCK_ATTACK_SECONDS,
  DUCK_RELEASE_SECONDS,
  fadeFactor,
  LIMITER_CEILING_DBFS,
} from '../../../../src/engine/audio/gains.ts';
import { LoudnessMeter } from '../../../../src/engine/audio/loudness.ts';
import { ProgramMixer } from '../../../../src/engine/audio/mixer.ts';

const RATE = 48_000;
const TICK = 1600; // 30 fps

/** A tick of interleaved s16le stereo sine at a peak level (null: silence), phase-continuous. */
function tone(hz: number, peakDb: number | null, tick: number): Buffer {
  const pcm = Buffer.alloc(TICK * 4);
  if (peakDb === null) return pcm;
  const amplitude = 32767 * 10 ** (peakDb / 20);
  for (let i = 0; i < TICK; i++) {
    const v = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (tick * TICK + i)) / RATE));
    pcm.writeInt16LE(v, i * 4);
    pcm.writeInt16LE(v, i * 4 + 2);
  }
  return pcm;
}

function toFloats(pcm: Buffer): Float32Array {
  const out = new Float32Array(pcm.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = pcm.readInt16LE(i * 2) / 32768;
  return out;
}

const OPEN = { replaceSource: false, bedGainFrom: 1, bedGainTo: 1 };

describe('audio bed mixer: ducking', () => {
  it('drops the bed by duck_db in about 0.3 s when the source has sound, back in about 1.5 s', () => {
    const mixer = new ProgramMixer({ duckDb: 12, loudnessTarget: null });
    const curve: number[] = [];
    const sourceOn = (tick: number): boolean => tick >= 30 && tick < 120; // 1 s … 4 s
    for (let tick = 0; tick < 240; tick++) {
      mixer.process(tone(1000, sourceOn(tick) ? -20 : null, tick), tone(440, -20, tick), OPEN);
      curve.push(mixer.reading().duckDb);
    }
    const seconds = (tick: number): number => (tick + 1) / 30;
    const fullyDown = curve.findIndex((db) => db <= -12 + 1e-9);
    const backUp = curve.findIndex((db, tick) => tick > 120 && db >= -1e-9);
    console.log(
      `ducked at ${seconds(fullyDown)} s (source from 1 s), open again at ${seconds(backUp)} s (source off at 4 s)`,
    );
    assert.deepEqual(curve.slice(0, 30), new Array(30).fill(0), 'no ducking while the source is silent');
    const attack = seconds(fullyDown) - 1;
    assert.ok(
      attack >= DUCK_ATTACK_SECONDS - 0.05 && attack <= DUCK_ATTACK_SECONDS + 0.2,
      `attack ${attack} s`,
    );
    const release = seconds(backUp) - 4;
    assert.ok(
      release >= DUCK_RELEASE_SECONDS - 0.05 && release <= DUCK_RELEASE_SECONDS + 0.3,
      `release ${release} s`,
    );
    // Smooth: no tick moves the gain more than the attack's rate allows.
    for (let tick = 1; tick < curve.length; tick++)
      assert.ok(
        Math.abs(curve[tick]! - curve[tick - 1]!) <= 12 / DUCK_ATTACK_SECONDS / 30 + 1e-9,
        `tick ${tick}`,
      );
  });

  it('the bed under a source tone is duck_db lower than with the source silent, with no click', () => {
    const bedLevel = (sourceDb: number | null): { rms: number; maxStep: number } => {
      const mixer = new ProgramMixer({ duckDb: 12, loudnessTarget: null });
      let sum = 0;
      let count = 0;
      let maxStep = 0;
      let previous = 0;
      for (let tick = 0; tick < 90; tick++) {
        // The 'source' is a DC-free tone at 1 kHz; the bed a 440 Hz tone. Subtract the source to see the bed.
        const source = tone(1000, sourceDb, tick);
        const pcm = Buffer.from(source);
        mixer.process(pcm, tone(440, -20, tick), OPEN);
        const mix = toFloats(pcm);
        const src = toFloats(source);
        for (let i = 0; i < mix.length; i += 2) {
          const bed = mix[i]! - src[i]!;
          if (tick >= 60) {
            sum += bed * bed;
            count++;
          }
          maxStep = Math.max(maxStep, Math.abs(bed - previous));
          previous = bed;
        }
      }
      return { rms: 10 * Math.log10(sum / count), maxStep };
    };
    const open = bedLevel(null);
    const ducked = bedLevel(-20);
    assert.ok(Math.abs(open.rms - ducked.rms - 12) < 0.3, `ducked by ${open.rms - ducked.rms} dB`);
    // A 440 Hz sine at −20 dBFS moves at most 2π·440/48000·0.1 ≈ 0.0058 per sample: no jump beyond it.
    assert.ok(ducked.maxStep < 0.0065, `largest step ${ducked.maxStep}`);
  });

  it("'replace' drops the source's sound; a silent bed cue (gain 0) leaves only silence", () => {
    const mixer = new ProgramMixer({ duckDb: 12, loudnessTarget: null });
    const pcm = tone(1000, -6, 0);
    mixer.process(pcm, tone(440, -20, 0), { replaceSource: true, bedGainFrom: 0, bedGainTo: 0 });
    assert.ok(pcm.every((byte) => byte === 0));
  });
});

describe('audio bed mixer: fades', () => {
  it('fade in and out are linear ramps over their seconds at the cue edges', () => {
    assert.equal(fadeFactor(0, 60, 2, 3), 0);
    assert.equal(fadeFactor(1, 60, 2, 3), 0.5);
    assert.equal(fadeFactor(2, 60, 2, 3), 1);
    assert.equal(fadeFactor(30, 60, 2, 3), 1);
    assert.equal(fadeFactor(58.5, 60, 2, 3), 0.5);
    assert.equal(fadeFactor(60, 60, 2, 3), 0);
    assert.equal(fadeFactor(5, 60, 0, 0), 1);
  });

  it('a fade is applied as a ramp across the tick (the bed grows sample by sample)', () => {
    const mixer = new ProgramMixer({ duckDb: 12, loudnessTarget: null });
    const bed = Buffer.alloc(TICK * 4);
    for (let i = 0; i < TICK * 2; i++) bed.writeInt16LE(16384, i * 2); // a constant half scale
    const pcm = Buffer.alloc(TICK * 4);
    mixer.process(pcm, bed, { replaceSource: false, bedGainFrom: 0, bedGainTo: 0.5 });
    const first = pcm.readInt16LE(0);
    const middle = pcm.readInt16LE((TICK / 2) * 4);
    const last = pcm.readInt16LE((TICK - 1) * 4);
    assert.equal(first, 0);
    assert.ok(Math.abs(middle - 16384 * 0.25) < 20, `middle ${middle}`);
    assert.ok(Math.abs(last - 16384 * 0.5) < 20, `last ${last}`);
  });
});

describe('audio bed mixer: loudness and limiter', () => {
  it('holds the program at the target within 0.5 LU, and holds its gain through silence', () => {
    const mixer = new ProgramMixer({ duckDb: 12, loudnessTarget: -14 });
    const out = new LoudnessMeter();
    for (let tick = 0; tick < 600; tick++) {
      const pcm = tone(1000, -24, tick);
      mixer.process(pcm, null, OPEN);
      if (tick >= 300) out.push(toFloats(pcm), TICK);
    }
    const integrated = out.integrated()!;
    assert.ok(Math.abs(integrated - -14) <= 0.5, `integrated ${integrated} LUFS`);
    const gain = mixer.reading().loudnessGainDb!;
    assert.ok(Math.abs(gain - 10) < 0.5, `gain ${gain} dB`);
    for (let tick = 600; tick < 900; tick++) mixer.process(tone(1000, null, tick), null, OPEN);
    // It may move while the sound fades out of the 400 ms window, then it holds (not up to +12).
    const held = mixer.reading().loudnessGainDb!;
    assert.ok(held - gain < 1, `gain went from ${gain} to ${held} dB in silence`);
    for (let tick = 900; tick < 1200; tick++) mixer.process(tone(1000, null, tick), null, OPEN);
    assert.equal(mixer.reading().loudnessGainDb, held, 'silence does not pump the gain up');
  });

  it('bounds the gain (+12 dB at most) so a faint source is not raised into noise', () => {
    const mixer = new ProgramMixer({ duckDb: 12, loudnessTarget: -14 });
    for (let tick = 0; tick < 300; tick++) mixer.process(tone(1000, -45, tick), null, OPEN);
    assert.equal(mixer.reading().loudnessGainDb, 12);
  });

  it('the limiter keeps every sample under −1 dBFS', () => {
    const mixer = new ProgramMixer({ duckDb: 0, loudnessTarget: -8 });
    const ceiling = 32768 * 10 ** (LIMITER_CEILING_DBFS / 20);
    let peak = 0;
    for (let tick = 0; tick < 150; tick++) {
      const pcm = tone(200, -2, tick);
      mixer.process(pcm, tone(440, -3, tick), OPEN);
      for (let i = 0; i < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
    }
    assert.ok(peak <= Math.ceil(ceiling), `peak ${peak} > ${ceiling}`);
    assert.ok(mixer.reading().limitedFrames > 0);
  });

  it('per-tick cost (logged, not asserted)', () => {
    const mixer = new ProgramMixer({ duckDb: 12, loudnessTarget: -14 });
    const ticks = Array.from(
      { length: 30 },
      (_, tick) => [tone(1000, -20, tick), tone(440, -20, tick)] as const,
    );
    for (let tick = 0; tick < 300; tick++)
      mixer.process(Buffer.from(ticks[tick % 30]![0]), ticks[tick % 30]![1], OPEN);
    const runs = 3000;
    const began = performance.now();
    for (let tick = 0; tick < runs; tick++)
      mixer.process(Buffer.from(ticks[tick % 30]![0]), ticks[tick % 30]![1], OPEN);
    const microseconds = ((performance.now() - began) * 1000) / runs;
    console.log(`mixer (bed + ducking + loudness + limiter): ${microseconds.toFixed(1)} µs per 30 fps tick`);
    assert.ok(Number.isFinite(microseconds));
  });
});
