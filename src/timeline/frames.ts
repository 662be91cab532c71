// The one rule for turning cue times (float seconds) into frames.
//
//   frame = round(seconds × fps), halves rounding up.
//
// A cue covers the half-open frame range [round(start × fps), round((start + duration) × fps)).
// Rounding the end point (not the duration) keeps back-to-back cues back to back: a cue ending
// at 59.99 s and one starting at 60 s share a boundary frame instead of leaving a one-frame hole.
// EPSILON absorbs binary floating-point error (0.1 × 30 = 3.0000000000000004, 2.5/30 × 30 = 2.4999…).

const EPSILON = 1e-6;

export function secondsToFrame(seconds: number, fps: number): number {
  return Math.floor(seconds * fps + 0.5 + EPSILON);
}

export function frameToSeconds(frame: number, fps: number): number {
  return frame / fps;
}

export interface FrameSpan {
  /** First frame the cue is on air. */
  start: number;
  /** First frame after the cue (exclusive). */
  end: number;
}

export function cueFrames(startTime: number, duration: number, fps: number): FrameSpan {
  return { start: secondsToFrame(startTime, fps), end: secondsToFrame(startTime + duration, fps) };
}
