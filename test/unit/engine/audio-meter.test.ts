import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AudioMeter, METER_FLOOR_DB, toDbfs, type AudioLevels } from '../../../src/engine/audio-meter.ts';

const RATE = 48_000;

/** Interleaved s16le stereo: each channel a sine (or silence) of the given peak level in dBFS. */
function stereoSine(
  frames: number,
  left: { hz: number; peakDb: number } | null,
  right: { hz: number; peakDb: number } | null,
  startFrame = 0,
): Buffer {
  const pcm = Buffer.alloc(frames * 4);
  const sample = (tone: { hz: number; peakDb: number } | null, n: number): number =>
    tone === null
      ? 0
      : Math.round(32768 * 10 ** (tone.peakDb / 20) * Math.sin((2 * Math.PI * tone.hz * n) / RATE));
  for (let i = 0; i < frames; i++) {
    pcm.writeInt16LE(Math.max(-32768, Math.min(32767, sample(left, startFrame + i))), i * 4);
    pcm.writeInt16LE(Math.max(-32768, Math.min(32767, sample(right, startFrame + i))), i * 4 + 2);
  }
  return pcm;
}

/** Pushes `frames` of the signal in ticks of the given lengths (cycled), as the playout does. */
function pushInTicks(
  meter: AudioMeter,
  frames: number,
  tickFrames: readonly number[],
  make: (count: number, start: number) => Buffer,
): void {
  let done = 0;
  for (let i = 0; done < frames; i++) {
    const count = Math.min(tickFrames[i % tickFrames.length]!, frames - done);
    meter.push(make(count, done));
    done += count;
  }
}

function reading(meter: AudioMeter): AudioLevels {
  const levels = meter.latest();
  assert.ok(levels, 'the meter has a reading');
  return levels;
}

describe('audio meter', () => {
  it('a sine with a -20 dBFS peak reads -20 peak and -20 RMS (AES17) on both channels', () => {
    const meter = new AudioMeter();
    pushInTicks(meter, RATE, [1600], (count, start) =>
      stereoSine(count, { hz: 440, peakDb: -20 }, { hz: 1000, peakDb: -20 }, start),
    );
    for (const channel of reading(meter).channels) {
      assert.ok(Math.abs(channel.peakDb! - -20) < 0.05, `peak ${channel.peakDb}`);
      assert.ok(Math.abs(channel.rmsDb! - -20) < 0.05, `rms ${channel.rmsDb}`);
      assert.equal(channel.clipped, false);
    }
  });

  it('the channels are measured apart: a tone on the left, silence on the right', () => {
    const meter = new AudioMeter();
    pushInTicks(meter, 9600, [1600], (count, start) =>
      stereoSine(count, { hz: 440, peakDb: -6 }, null, start),
    );
    const [left, right] = reading(meter).channels;
    assert.ok(Math.abs(left!.peakDb! - -6) < 0.05, `left peak ${left!.peakDb}`);
    assert.deepEqual(right, { peakDb: null, rmsDb: null, clipped: false });
  });

  it('silence reads null (below the floor), and so does a level under -90 dBFS', () => {
    const meter = new AudioMeter();
    meter.push(Buffer.alloc(4800 * 4));
    assert.deepEqual(reading(meter).channels, [
      { peakDb: null, rmsDb: null, clipped: false },
      { peakDb: null, rmsDb: null, clipped: false },
    ]);
    assert.equal(toDbfs(10 ** (-91 / 20)), null);
    assert.ok(Math.abs(toDbfs(10 ** (-89 / 20))! - -89) < 1e-9);
    assert.equal(METER_FLOOR_DB, -90);
    // One LSB of dither is about -90.3 dBFS: silence; two LSB are not.
    const lsb = Buffer.alloc(4800 * 4);
    for (let i = 0; i < 4800; i++) lsb.writeInt16LE(i % 2 ? 1 : -1, i * 4);
    meter.push(lsb);
    assert.equal(reading(meter).channels[0]!.peakDb, null);
    for (let i = 0; i < 4800; i++) lsb.writeInt16LE(i % 2 ? 2 : -2, i * 4);
    meter.push(lsb);
    assert.ok(Math.abs(reading(meter).channels[0]!.peakDb! - 20 * Math.log10(2 / 32768)) < 1e-9);
  });

  it('a clipped tone reads 0 dBFS peak, is flagged, and RMS is above the peak (a squared-off wave)', () => {
    const meter = new AudioMeter();
    pushInTicks(meter, 9600, [1600], (count, start) =>
      stereoSine(count, { hz: 440, peakDb: +6 }, { hz: 440, peakDb: -1 }, start),
    );
    const [clipped, clean] = reading(meter).channels;
    assert.ok(Math.abs(clipped!.peakDb!) < 0.01, `clipped peak ${clipped!.peakDb}`);
    assert.equal(clipped!.clipped, true);
    assert.ok(clipped!.rmsDb! > 0, `clipped rms ${clipped!.rmsDb}`);
    assert.equal(clean!.clipped, false);
    // The most negative sample is full scale exactly.
    const meter2 = new AudioMeter();
    const pcm = Buffer.alloc(2400 * 4);
    pcm.writeInt16LE(-32768, 0);
    meter2.push(pcm);
    assert.equal(reading(meter2).channels[0]!.peakDb, 0);
    assert.equal(reading(meter2).channels[0]!.clipped, true);
  });

  it('readings come every 50 ms of audio whatever the tick length (29.97 fps, odd ticks, one sample)', () => {
    for (const ticks of [[1601, 1602, 1601, 1602, 1602], [1], [7, 4799, 13], [48_000]]) {
      const meter = new AudioMeter();
      pushInTicks(meter, RATE, ticks, (count, start) =>
        stereoSine(count, { hz: 997, peakDb: -20 }, { hz: 997, peakDb: -12 }, start),
      );
      const levels = reading(meter);
      assert.equal(levels.seq, 20, `ticks ${ticks.join(',')}`);
      assert.equal(levels.sampleTime, RATE);
      const [left, right] = levels.channels;
      assert.ok(Math.abs(left!.peakDb! - -20) < 0.05 && Math.abs(left!.rmsDb! - -20) < 0.05);
      assert.ok(Math.abs(right!.peakDb! - -12) < 0.05 && Math.abs(right!.rmsDb! - -12) < 0.05);
    }
  });

  it('the window is the last 100 ms: a tone that stopped reads silence two hops later', () => {
    const meter = new AudioMeter();
    meter.push(stereoSine(4800, { hz: 440, peakDb: -20 }, { hz: 440, peakDb: -20 }));
    meter.push(Buffer.alloc(2400 * 4));
    // One hop of silence: the window still holds the tone's last 50 ms; its RMS is 3 dB lower.
    const half = reading(meter).channels[0]!;
    assert.ok(Math.abs(half.peakDb! - -20) < 0.05);
    assert.ok(Math.abs(half.rmsDb! - -23.01) < 0.05, `rms ${half.rmsDb}`);
    meter.push(Buffer.alloc(2400 * 4));
    assert.equal(reading(meter).channels[0]!.peakDb, null);
    assert.equal(reading(meter).seq, 4);
  });

  it('nothing before the first 50 ms; a trailing partial frame is ignored', () => {
    const meter = new AudioMeter();
    meter.push(stereoSine(2399, { hz: 440, peakDb: -20 }, null));
    assert.equal(meter.latest(), null);
    meter.push(Buffer.from([0x10, 0x20, 0x30])); // less than one stereo frame
    assert.equal(meter.latest(), null);
    meter.push(Buffer.alloc(4));
    assert.equal(reading(meter).seq, 1);
  });

  it('any channel count and rate', () => {
    const meter = new AudioMeter({ sampleRate: 44_100, channels: 1, windowMs: 200, hopMs: 100 });
    assert.equal(meter.hopSamples, 4410);
    assert.equal(meter.hopsPerWindow, 2);
    const mono = Buffer.alloc(4410 * 2);
    for (let i = 0; i < 4410; i++)
      mono.writeInt16LE(Math.round(3276.8 * Math.sin((2 * Math.PI * 441 * i) / 44_100)), i * 2);
    meter.push(mono);
    const levels = reading(meter);
    assert.equal(levels.channels.length, 1);
    assert.ok(Math.abs(levels.channels[0]!.peakDb! - -20) < 0.05);
  });
});
