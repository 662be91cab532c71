// Program loudness after ITU-R BS.1770-4 / EBU R 128: the two-stage K-weighting filter (a high
// shelf for the head's effect, then the RLB high-pass), mean square per channel in 100 ms blocks,
// momentary loudness over 400 ms, short-term over 3 s, and the integrated loudness of everything
// measured with the absolute (−70 LUFS) and relative (−10 LU) gates. Pure and allocation-free per
// push: the blocks live in rings, the gated integration in a histogram of 0.1 LU bins.
//
// Loudness = −0.691 + 10·log10(Σ channel mean squares) for stereo (both channel weights 1), samples
// as fractions of full scale; a full-scale 1 kHz sine in one channel reads −3.01 LUFS.

/** The engine's sample rate: the K-filter coefficients below are the standard's for 48 kHz. */
export const LOUDNESS_SAMPLE_RATE = 48_000;
/** Below this a block is silence for the gates (BS.1770's absolute gate). */
export const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = -10;
const BLOCK_SAMPLES = LOUDNESS_SAMPLE_RATE / 10; // 100 ms
const MOMENTARY_BLOCKS = 4;
const SHORT_TERM_BLOCKS = 30;
/** The histogram of 400 ms block loudness for the gated integration: 0.1 LU bins over −70…+10. */
const HISTOGRAM_FLOOR = ABSOLUTE_GATE_LUFS;
const HISTOGRAM_BINS = 800;

// BS.1770-4 table 1 (stage 1, shelving) and table 2 (stage 2, high-pass), 48 kHz.
const SHELF_B = [1.53512485958697, -2.69169618940638, 1.19839281085285] as const;
const SHELF_A = [-1.69065929318241, 0.73248077421585] as const;
const HIGHPASS_B = [1.0, -2.0, 1.0] as const;
const HIGHPASS_A = [-1.99004745483398, 0.99007225036621] as const;

/** Loudness of a summed mean square (null: nothing, or below the absolute gate). */
export function loudnessOf(meanSquareSum: number): number | null {
  if (!(meanSquareSum > 0)) return null;
  const lufs = -0.691 + 10 * Math.log10(meanSquareSum);
  return lufs < ABSOLUTE_GATE_LUFS ? null : lufs;
}

/** One channel's K-weighting: two biquads in direct form I. */
export class KWeighting {
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  private z1 = 0;
  private z2 = 0;

  /** The K-weighted sample (x as a fraction of full scale). */
  step(x: number): number {
    const y =
      SHELF_B[0] * x +
      SHELF_B[1] * this.x1 +
      SHELF_B[2] * this.x2 -
      SHELF_A[0] * this.y1 -
      SHELF_A[1] * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    // The high-pass's input is the shelf's output (y1/y2 are its history).
    const z =
      HIGHPASS_B[0] * y +
      HIGHPASS_B[1] * this.y1 +
      HIGHPASS_B[2] * this.y2 -
      HIGHPASS_A[0] * this.z1 -
      HIGHPASS_A[1] * this.z2;
    this.y2 = this.y1;
    this.y1 = y;
    this.z2 = this.z1;
    this.z1 = z;
    return z;
  }
}

export interface LoudnessReading {
  /** Over the last 400 ms; null below −70 LUFS or before 400 ms of audio. */
  momentary: number | null;
  /** Over the last 3 s (fewer at the start, from 400 ms on); null as above. */
  shortTerm: number | null;
  /** Gated, over everything measured; null before the first block above the gate. */
  integrated: number | null;
}

/** A stereo BS.1770 meter fed with interleaved float samples (fractions of full scale). */
export class LoudnessMeter {
  private readonly left = new KWeighting();
  private readonly right = new KWeighting();
  /** Per 100 ms block: the summed (both channels) mean square. */
  private readonly blocks = new Float64Array(SHORT_TERM_BLOCKS);
  private blockCount = 0;
  private fill = 0;
  private sum = 0;
  private readonly histogram = new Float64Array(HISTOGRAM_BINS);
  private readonly histogramCount = new Float64Array(HISTOGRAM_BINS);
  private momentaryValue: number | null = null;
  private shortTermValue: number | null = null;

  /** Measures `frames` stereo frames of `samples` (interleaved L R) from `offset` frames on. */
  push(samples: Float32Array, frames: number, offset = 0): void {
    let at = offset * 2;
    for (let frame = 0; frame < frames; frame++) {
      const l = this.left.step(samples[at]!);
      const r = this.right.step(samples[at + 1]!);
      at += 2;
      this.sum += l * l + r * r;
      if (++this.fill === BLOCK_SAMPLES) this.closeBlock();
    }
  }

  reading(): LoudnessReading {
    return { momentary: this.momentaryValue, shortTerm: this.shortTermValue, integrated: this.integrated() };
  }

  get momentary(): number | null {
    return this.momentaryValue;
  }

  get shortTerm(): number | null {
    return this.shortTermValue;
  }

  /** The gated integrated loudness (two passes over the histogram: absolute, then relative gate). */
  integrated(): number | null {
    let energy = 0;
    let count = 0;
    for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
      energy += this.histogram[bin]!;
      count += this.histogramCount[bin]!;
    }
    if (count === 0) return null;
    const ungated = loudnessOf(energy / count);
    if (ungated === null) return null;
    const gate = ungated + RELATIVE_GATE_LU;
    const firstBin = Math.max(0, Math.ceil((gate - HISTOGRAM_FLOOR) * 10));
    energy = 0;
    count = 0;
    for (let bin = firstBin; bin < HISTOGRAM_BINS; bin++) {
      energy += this.histogram[bin]!;
      count += this.histogramCount[bin]!;
    }
    return count === 0 ? null : loudnessOf(energy / count);
  }

  private closeBlock(): void {
    this.blocks[this.blockCount % SHORT_TERM_BLOCKS] = this.sum / BLOCK_SAMPLES;
    this.blockCount++;
    this.sum = 0;
    this.fill = 0;
    if (this.blockCount < MOMENTARY_BLOCKS) return;
    const momentarySquare = this.meanOfLast(MOMENTARY_BLOCKS);
    this.momentaryValue = loudnessOf(momentarySquare);
    this.shortTermValue = loudnessOf(this.meanOfLast(Math.min(SHORT_TERM_BLOCKS, this.blockCount)));
    // Gating blocks are 400 ms with 75 % overlap: one ends every 100 ms, i.e. the momentary window.
    if (this.momentaryValue !== null) {
      const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor((this.momentaryValue - HISTOGRAM_FLOOR) * 10));
      this.histogram[bin]! += momentarySquare;
      this.histogramCount[bin]! += 1;
    }
  }

  private meanOfLast(blocks: number): number {
    let total = 0;
    for (let k = 1; k <= blocks; k++)
      total += this.blocks[(this.blockCount - k + SHORT_TERM_BLOCKS * 2) % SHORT_TERM_BLOCKS]!;
    return total / blocks;
  }
}
