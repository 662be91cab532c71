// Program time (pure). The program is counted in ticks at the timeline's frame rate F from the
// program's epoch: tick N lasts 1/F s and starts at N/F s. Every timestamp the encoder gets is
// derived from N, so program time is wall-clock time whatever the load: a tick dropped on the way
// in leaves a gap of the right length, never squeezes the rest together.
//
// A program format may take only every d-th tick (decimation d: 30 fps → 15 fps is d = 2); each
// encoder run has one format. Keyframes fall on a grid of program time (every KEYFRAME_SECONDS),
// the same for every run, so a new run can take over from the old one at a keyframe both share.

/** What the playout composites and an encoder run encodes. */
export interface ProgramFormat {
  readonly width: number;
  readonly height: number;
  /** Every d-th tick of the timeline's rate: 1 = full rate, 2 = half. */
  readonly decimation: number;
}

export function formatKey(format: ProgramFormat): string {
  return `${format.width}x${format.height}/${format.decimation}`;
}

export function sameFormat(a: ProgramFormat, b: ProgramFormat): boolean {
  return a.width === b.width && a.height === b.height && a.decimation === b.decimation;
}

/** Frames per second a format delivers at a timeline rate. */
export function formatFps(format: ProgramFormat, fps: number): number {
  return fps / format.decimation;
}

/** Program milliseconds at the start of tick N. */
export function tickMs(tick: number, fps: number): number {
  return (tick * 1000) / fps;
}

/** The tick (at the timeline's rate) a program time in ms falls in. */
export function tickAt(ms: number, fps: number): number {
  return Math.floor((ms * fps) / 1000 + 1e-9);
}

export const AUDIO_RATE = 48000;

/** Index of the first audio sample of tick N: exact over any number of ticks. */
export function sampleAt(tick: number, fps: number): number {
  return Math.floor((tick * AUDIO_RATE) / fps);
}

/** Seconds between keyframes on the program-time grid (the platforms' 2 s). */
export const KEYFRAME_SECONDS = 2;

/** Ticks in one keyframe period: the grid's buckets start at its multiples (fps is whole). */
export function keyframeTicks(fps: number, seconds = KEYFRAME_SECONDS): number {
  return Math.round(seconds * fps);
}

/**
 * The first tick at or after `from` that starts a keyframe period: where a new encoder run can
 * start so that its first frame (always a keyframe) is a keyframe of the run it replaces too.
 * Periods start at multiples of 2·fps, so every decimation (1 or 2) takes that tick.
 */
export function nextKeyframeTick(from: number, fps: number, seconds = KEYFRAME_SECONDS): number {
  const period = keyframeTicks(fps, seconds);
  return Math.ceil(from / period) * period;
}
