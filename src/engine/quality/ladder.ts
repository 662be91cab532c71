// The quality ladders degraded mode moves on (pure). Index 0 is the operator's ceiling; each
// further level costs the CPU less. Every step answers one cause:
//   - CPU (the show suffers because the machine cannot do the work): a faster x264 preset, then a
//     lower frame rate, then a smaller size. A lower fps or size is a whole-pipeline setting
//     (decoders, compositor, encoder), so it relieves more than x264 alone.
//   - network (one destination's queue grows while the encoder keeps real time): the bitrate.
// Overlays are not a step: they cost well under 1 % of a core and are the sponsor's logo.

import type { VideoEncoder } from '../../ffmpeg/argv.ts';

export interface QualityLevel {
  /** x264 preset name (mapped or ignored by hardware encoders). */
  preset: string;
  fps: number;
  width: number;
  height: number;
}

/** x264 presets from the fastest to the slowest (x264's own order). */
const X264_PRESETS_FASTEST_FIRST = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
  'placebo',
] as const;

/**
 * The presets degraded mode steps through, slowest first. `faster` is left out: between `fast`
 * and `veryfast` it saves little. `ultrafast` is left out: it turns off CABAC and deblocking, so at
 * the same bitrate the picture falls apart; halving the frame rate buys more for less.
 */
export const RELIEF_PRESETS: readonly string[] = ['fast', 'veryfast', 'superfast'];

export interface LadderOptions {
  /** Default libx264. For a hardware encoder the preset is not a step (it costs the CPU nothing). */
  encoder?: VideoEncoder;
  /** No frame rate below this. Default 12.5 (below it motion looks like a slide show). */
  minFps?: number;
  /** No size below this many lines. Default 360. */
  minHeight?: number;
}

function presetSpeedRank(preset: string): number {
  const rank = (X264_PRESETS_FASTEST_FIRST as readonly string[]).indexOf(preset);
  if (rank < 0) throw new RangeError(`unknown x264 preset ${preset}`);
  // Higher is slower.
  return rank;
}

function assertLevel(level: QualityLevel): void {
  presetSpeedRank(level.preset);
  if (!Number.isFinite(level.fps) || level.fps <= 0)
    throw new RangeError(`fps must be > 0, got ${level.fps}`);
  for (const [name, v] of [
    ['width', level.width],
    ['height', level.height],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0 || v % 2 !== 0) {
      throw new RangeError(`${name} must be a positive even integer, got ${v}`);
    }
  }
}

/** The nearest even number (H.264 with 4:2:0 chroma needs even sizes). */
function nearestEven(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/**
 * The frame rates below the ceiling's: each one exactly half the one before, while it stays at or
 * above `minFps`. A half keeps every other frame, so the cadence stays even (30 → 20 would show
 * frames for 1, 2, 1, 2 … ticks: judder), every rate still divides the timeline's rate evenly
 * (cues and transitions timed on the timeline land on whole frames, a camera's fps filter drops
 * frames evenly) and the 2 s keyframe interval stays a whole number of frames. 29.97 halves to
 * 14.985 exactly; 24 has no step (12 would be below 12.5).
 */
export function reliefFrameRates(ceilingFps: number, minFps = 12.5): number[] {
  const out: number[] = [];
  for (let fps = ceilingFps / 2; fps >= minFps; fps /= 2) out.push(fps);
  return out;
}

/** Is this (nearly) 16:9? 854×480 and 1366×768 are 16:9 sizes rounded to even widths. */
function isSixteenByNine(width: number, height: number): boolean {
  return Math.abs(width / height - 16 / 9) < 0.01;
}

/**
 * The sizes below the ceiling's: each about two thirds of the height before (less than half the
 * pixels, a step the viewer sees as one), even dimensions, at least `minHeight` lines (the last
 * step stops at minHeight if two thirds would go below it). 16:9 ceilings get the standard 16:9
 * sizes (1280×720, 854×480, 640×360); others keep their own aspect ratio.
 */
export function reliefSizes(
  ceiling: { width: number; height: number },
  minHeight = 360,
): { width: number; height: number }[] {
  const aspect = isSixteenByNine(ceiling.width, ceiling.height) ? 16 / 9 : ceiling.width / ceiling.height;
  const out: { width: number; height: number }[] = [];
  let height = ceiling.height;
  while (height > minHeight) {
    const twoThirds = nearestEven((height * 2) / 3);
    height = Math.max(twoThirds, nearestEven(minHeight));
    out.push({ width: nearestEven(height * aspect), height });
  }
  return out;
}

/**
 * The CPU ladder from the operator's ceiling (index 0) down: faster presets (never one slower than
 * the ceiling's), then lower frame rates at the fastest preset, then smaller sizes at the lowest
 * frame rate. For 1920×1080 at 30 fps and `fast`:
 *   fast 30 1080p → veryfast 30 1080p → superfast 30 1080p → superfast 15 1080p
 *   → superfast 15 720p → superfast 15 480p → superfast 15 360p.
 */
export function buildLadder(ceiling: QualityLevel, options: LadderOptions = {}): QualityLevel[] {
  assertLevel(ceiling);
  const encoder = options.encoder ?? 'libx264';
  const ladder: QualityLevel[] = [{ ...ceiling }];
  let current = ladder[0]!;
  const push = (change: Partial<QualityLevel>): void => {
    current = { ...current, ...change };
    ladder.push(current);
  };
  if (encoder === 'libx264') {
    const ceilingRank = presetSpeedRank(ceiling.preset);
    for (const preset of RELIEF_PRESETS) {
      if (presetSpeedRank(preset) < ceilingRank) push({ preset });
    }
  }
  for (const fps of reliefFrameRates(ceiling.fps, options.minFps ?? 12.5)) push({ fps });
  for (const size of reliefSizes(ceiling, options.minHeight ?? 360)) push(size);
  return ladder;
}

/** A frame rate in words: "30", "12.5", "14.985". */
export function formatFps(fps: number): string {
  return String(Number(fps.toFixed(3)));
}

/** A level as operators read it: "veryfast, 30 fps, 1280×720". */
export function describeLevel(level: QualityLevel): string {
  return `${level.preset}, ${formatFps(level.fps)} fps, ${level.width}×${level.height}`;
}

/** Pixels per second the level moves through the pipeline (decode, composite, encode). */
export function pixelRate(level: QualityLevel): number {
  return level.width * level.height * level.fps;
}

export interface BitrateLadderOptions {
  /** Each step is this share below the one before. Default 0.2 (−20 %). */
  stepShare?: number;
  /** Default 3. */
  maxSteps?: number;
  /** Never below this share of the ceiling. Default 0.5. */
  floorShare?: number;
}

/**
 * The network ladder in kbit/s, ceiling first: −20 % per step (of the step before: each step
 * relieves the link by the same proportion), at most 3 steps, never below half the ceiling.
 * 4500 → 3600 → 2880 → 2304.
 */
export function buildBitrateLadder(ceilingKbps: number, options: BitrateLadderOptions = {}): number[] {
  if (!Number.isFinite(ceilingKbps) || ceilingKbps <= 0) {
    throw new RangeError(`bitrate must be > 0, got ${ceilingKbps}`);
  }
  const stepShare = options.stepShare ?? 0.2;
  const maxSteps = options.maxSteps ?? 3;
  const floor = Math.round(ceilingKbps * (options.floorShare ?? 0.5));
  const out = [Math.round(ceilingKbps)];
  while (out.length <= maxSteps) {
    const next = Math.max(floor, Math.round(out.at(-1)! * (1 - stepShare)));
    if (next >= out.at(-1)!) break;
    out.push(next);
  }
  return out;
}

/** "3600 kbit/s". */
export function describeBitrate(kbps: number): string {
  return `${Math.round(kbps)} kbit/s`;
}
