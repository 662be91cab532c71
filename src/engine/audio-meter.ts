// Program audio levels: peak and RMS per channel in dBFS, measured on the PCM the playout hands
// the encoder (s16le, interleaved). Pure: no clock, no I/O; the playout pushes each tick's PCM and
// the telemetry reads the latest reading whenever it likes.
//
// Conventions (stated because meters disagree):
// - 0 dBFS is a sample magnitude of 32768 (the s16 range). A full-scale positive sample (32767)
//   reads -0.0003 dBFS, i.e. 0.0 on screen.
// - Peak is the largest sample magnitude in the window (sample peak, not true peak).
// - RMS follows AES17: it is referred to a full-scale sine, so a sine reads the same RMS as its
//   peak (an ffmpeg `sine` tone made 20 dB below full scale reads -20 on both). A square wave
//   reads up to +3 dB RMS above its peak.
// - Below the floor (-90 dBFS) a level is silence: null.
// - The window is 100 ms, slid in 50 ms hops: a new reading every 50 ms of audio.
//
// push() allocates nothing: the hop and window sums live in arrays made once.

/** Below this a level is reported as silence (null). */
export const METER_FLOOR_DB = -90;
const FULL_SCALE = 32768;
/** AES17: the RMS of a full-scale sine is 1/√2 of full scale and reads 0 dBFS. */
const SINE_RMS_CORRECTION = Math.SQRT2;

export interface ChannelLevel {
  /** Sample peak in dBFS; null below the floor (silence). */
  peakDb: number | null;
  /** RMS in dBFS (AES17, sine-referred); null below the floor. */
  rmsDb: number | null;
  /** A sample at full scale (±32767/−32768) in the window: the program is likely clipping. */
  clipped: boolean;
}

export interface AudioLevels {
  /** Counts readings since the meter started: a new value means a new window. */
  seq: number;
  /** Program samples (per channel) measured up to the end of this reading's window. */
  sampleTime: number;
  channels: ChannelLevel[];
}

export interface AudioMeterOptions {
  sampleRate?: number;
  channels?: number;
  windowMs?: number;
  hopMs?: number;
}

export function toDbfs(ratio: number): number | null {
  if (!(ratio > 0)) return null;
  const db = 20 * Math.log10(ratio);
  return db < METER_FLOOR_DB ? null : db;
}

export class AudioMeter {
  readonly channels: number;
  readonly hopSamples: number;
  readonly hopsPerWindow: number;
  /** Per hop in the ring, per channel: the largest magnitude and the sum of squares. */
  private readonly hopPeak: Int32Array;
  private readonly hopSumSq: Float64Array;
  private readonly hopCount: Int32Array;
  /** The hop being filled (index into the ring) and how many frames it has. */
  private hop = 0;
  private hopFill = 0;
  private readonly livePeak: Int32Array;
  private readonly liveSumSq: Float64Array;
  /** The latest reading, as plain numbers (turned into an object only when read). */
  private readonly readPeak: Int32Array;
  private readonly readSumSq: Float64Array;
  private readCount = 0;
  private seq = 0;
  private readSampleTime = 0;

  constructor(options: AudioMeterOptions = {}) {
    const sampleRate = options.sampleRate ?? 48_000;
    this.channels = options.channels ?? 2;
    const hopMs = options.hopMs ?? 50;
    const windowMs = options.windowMs ?? 100;
    this.hopSamples = Math.max(1, Math.round((sampleRate * hopMs) / 1000));
    this.hopsPerWindow = Math.max(1, Math.round(windowMs / hopMs));
    this.hopPeak = new Int32Array(this.hopsPerWindow * this.channels);
    this.hopSumSq = new Float64Array(this.hopsPerWindow * this.channels);
    this.hopCount = new Int32Array(this.hopsPerWindow);
    this.livePeak = new Int32Array(this.channels);
    this.liveSumSq = new Float64Array(this.channels);
    this.readPeak = new Int32Array(this.channels);
    this.readSumSq = new Float64Array(this.channels);
  }

  /** Measures interleaved s16le PCM; a trailing partial frame (never sent by the playout) is ignored. */
  push(pcm: Uint8Array): void {
    const channels = this.channels;
    const frameBytes = channels * 2;
    const frames = Math.floor(pcm.length / frameBytes);
    const livePeak = this.livePeak;
    const liveSumSq = this.liveSumSq;
    let offset = 0;
    for (let frame = 0; frame < frames; frame++) {
      for (let channel = 0; channel < channels; channel++) {
        // s16le: the sign comes from shifting the high byte to the top of an int32 and back.
        const sample = ((pcm[offset]! | (pcm[offset + 1]! << 8)) << 16) >> 16;
        offset += 2;
        const magnitude = sample < 0 ? -sample : sample;
        if (magnitude > livePeak[channel]!) livePeak[channel] = magnitude;
        liveSumSq[channel]! += sample * sample;
      }
      if (++this.hopFill === this.hopSamples) this.closeHop();
    }
  }

  /** The latest complete window, or null before the first one. */
  latest(): AudioLevels | null {
    if (this.seq === 0) return null;
    const channels: ChannelLevel[] = [];
    for (let channel = 0; channel < this.channels; channel++) {
      const peak = this.readPeak[channel]!;
      const rms = Math.sqrt(this.readSumSq[channel]! / this.readCount);
      channels.push({
        peakDb: toDbfs(peak / FULL_SCALE),
        rmsDb: toDbfs((rms / FULL_SCALE) * SINE_RMS_CORRECTION),
        clipped: peak >= FULL_SCALE - 1,
      });
    }
    return { seq: this.seq, sampleTime: this.readSampleTime, channels };
  }

  private closeHop(): void {
    const channels = this.channels;
    const base = this.hop * channels;
    for (let channel = 0; channel < channels; channel++) {
      this.hopPeak[base + channel] = this.livePeak[channel]!;
      this.hopSumSq[base + channel] = this.liveSumSq[channel]!;
      this.livePeak[channel] = 0;
      this.liveSumSq[channel] = 0;
    }
    this.hopCount[this.hop] = this.hopFill;
    this.hopFill = 0;
    this.hop = (this.hop + 1) % this.hopsPerWindow;
    // The reading covers the ring's hops (fewer at the very start, before the ring is full).
    let count = 0;
    for (let channel = 0; channel < channels; channel++) {
      this.readPeak[channel] = 0;
      this.readSumSq[channel] = 0;
    }
    for (let hop = 0; hop < this.hopsPerWindow; hop++) {
      count += this.hopCount[hop]!;
      for (let channel = 0; channel < channels; channel++) {
        const at = hop * channels + channel;
        if (this.hopPeak[at]! > this.readPeak[channel]!) this.readPeak[channel] = this.hopPeak[at]!;
        this.readSumSq[channel]! += this.hopSumSq[at]!;
      }
    }
    this.readCount = count;
    this.seq++;
    this.readSampleTime += this.hopSamples;
  }
}
