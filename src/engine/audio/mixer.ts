// The program's audio mix, in the engine (not in ffmpeg's filters, whose look-ahead would stall
// the muxer): per tick, the on-air source's sound (dropped under a 'replace' cue) plus the bed at
// its volume × fade × ducking gain, then the loudness gain toward the target, then a peak limiter
// at −1 dBFS. Every gain is ramped linearly across the tick from its value at the previous tick,
// so nothing steps. Pure: the playout hands it PCM; it allocates only when a tick is longer than
// any before.
import { LoudnessMeter, type LoudnessReading } from './loudness.ts';
import {
  dbToGain,
  DuckingGain,
  LOUDNESS_SILENCE_LUFS,
  LoudnessGain,
  PeakLimiter,
  SourcePresence,
} from './gains.ts';

const FULL_SCALE = 32768;
const SAMPLE_RATE = 48_000;

export interface MixerOptions {
  /** How far the bed drops while the source has sound (dB, ≥ 0). */
  duckDb: number;
  /** Integrated loudness to hold (LUFS); null: no loudness control. */
  loudnessTarget: number | null;
}

export interface TickMix {
  /** Drop the source's own sound (a 'replace' cue while the bed plays). */
  replaceSource: boolean;
  /** The bed's amplitude gain (volume × fade) at the start and at the end of this tick. */
  bedGainFrom: number;
  bedGainTo: number;
}

export interface MixerReading {
  /** The ducking gain now (dB, ≤ 0). */
  duckDb: number;
  /** The loudness gain now (dB); null when the control is off. */
  loudnessGainDb: number | null;
  /** The un-normalised mix's loudness (null parts: not measured yet, silent, or control off). */
  loudness: LoudnessReading | null;
  /** Sample frames the limiter turned down since the start. */
  limitedFrames: number;
}

export class ProgramMixer {
  private readonly duckDb: number;
  private readonly target: number | null;
  private readonly presence = new SourcePresence();
  private readonly ducking = new DuckingGain();
  private readonly loudnessGain = new LoudnessGain();
  private readonly meter: LoudnessMeter | null;
  private readonly limiter = new PeakLimiter();
  private mix = new Float32Array(0);

  constructor(options: MixerOptions) {
    this.duckDb = Math.max(0, options.duckDb);
    this.target = options.loudnessTarget;
    this.meter = this.target === null ? null : new LoudnessMeter();
  }

  reading(): MixerReading {
    return {
      duckDb: this.ducking.gainDb,
      loudnessGainDb: this.target === null ? null : this.loudnessGain.gainDb,
      loudness: this.meter?.reading() ?? null,
      limitedFrames: this.limiter.limitedFrames,
    };
  }

  /**
   * Mixes one tick in place: `pcm` (s16le stereo) holds the source's sound and leaves holding the
   * program's; `bed` (same length, or null: no bed on air) is the bed's samples.
   */
  process(pcm: Buffer, bed: Buffer | null, tick: TickMix): void {
    const frames = Math.floor(pcm.length / 4);
    if (frames === 0) return;
    if (this.mix.length < frames * 2) this.mix = new Float32Array(frames * 2);
    const mix = this.mix;
    const seconds = frames / SAMPLE_RATE;
    const source = samplesOf(pcm, frames);
    const bedSamples = bed ? samplesOf(bed, frames) : null;

    // The source's sound, and its level for the ducking.
    let sumSquares = 0;
    for (let i = 0; i < frames * 2; i++) {
      const sample = tick.replaceSource ? 0 : source[i]! / FULL_SCALE;
      mix[i] = sample;
      sumSquares += sample * sample;
    }
    const duckFrom = this.ducking.gainDb;
    const duckTo = this.ducking.step(
      this.presence.step(sumSquares / (frames * 2), seconds),
      this.duckDb,
      seconds,
    );

    // The bed under it, every gain ramped across the tick.
    if (bedSamples) {
      const from = tick.bedGainFrom * dbToGain(duckFrom);
      const to = tick.bedGainTo * dbToGain(duckTo);
      const slope = (to - from) / frames;
      for (let frame = 0, at = 0; frame < frames; frame++, at += 2) {
        const gain = from + slope * frame;
        if (gain === 0) continue;
        mix[at]! += (bedSamples[at]! / FULL_SCALE) * gain;
        mix[at + 1]! += (bedSamples[at + 1]! / FULL_SCALE) * gain;
      }
    }

    // Loudness: measured before its own gain (feed-forward), so the gain cannot chase itself.
    if (this.meter && this.target !== null) {
      this.meter.push(mix, frames);
      const gainFrom = dbToGain(this.loudnessGain.gainDb);
      const momentary = this.meter.momentary;
      // Silence (or a pause in the sound) holds the gain where it is: it is not pumped up.
      const shortTerm = momentary === null || momentary < LOUDNESS_SILENCE_LUFS ? null : this.meter.shortTerm;
      const gainTo = dbToGain(this.loudnessGain.step(this.target, shortTerm, seconds));
      const slope = (gainTo - gainFrom) / frames;
      for (let frame = 0, at = 0; frame < frames; frame++, at += 2) {
        const gain = gainFrom + slope * frame;
        mix[at]! *= gain;
        mix[at + 1]! *= gain;
      }
    }

    this.limiter.process(mix, frames);
    const out = source;
    for (let i = 0; i < frames * 2; i++) {
      const value = Math.round(mix[i]! * FULL_SCALE);
      out[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
    }
    if (out.buffer !== pcm.buffer) Buffer.from(out.buffer, out.byteOffset, frames * 4).copy(pcm);
  }
}

/** The buffer's samples as an Int16Array over its bytes (a copy only if it is oddly aligned).
 *  s16le read natively: the appliance's CPUs (x86-64, ARM) are little-endian. */
function samplesOf(buffer: Buffer, frames: number): Int16Array {
  if (buffer.byteOffset % 2 === 0) return new Int16Array(buffer.buffer, buffer.byteOffset, frames * 2);
  return new Int16Array(Uint8Array.prototype.slice.call(buffer, 0, frames * 4).buffer);
}
