// Where a show that died mid-run should be now (pure: no clock, no store). The show keeps its
// wall-clock schedule: program frame n is due at anchor + n / fps, so after a crash the resumed
// show goes on air where it would have been had it never stopped.

export interface ResumeInput {
  fps: number;
  /** Timeline length in frames. */
  durationFrames: number;
  loop: boolean;
  /** Wall-clock ms of program frame 0; null if never recorded. */
  anchorMs: number | null;
  /** Wall-clock ms now. */
  nowMs: number;
  /** Last program frame saved while it ran (null: none yet). */
  checkpointFrame: number | null;
}

export type ResumeDecision =
  | {
      kind: 'resume';
      /** Program frame to start at (absolute: a looping show keeps counting iterations). */
      frame: number;
      /** Frame within the timeline (frame mod duration for a looping show). */
      timelineFrame: number;
      iteration: number;
      /** 'wall': from the anchor. 'checkpoint': the wall clock is behind what was already played
       *  (it was set back, or a board without a real-time clock booted with an old time), so the
       *  show continues from its last checkpoint instead of repeating itself. */
      basis: 'wall' | 'checkpoint';
    }
  | {
      kind: 'ended';
      /** Wall-clock ms at which the non-looping show ended (or would have). */
      endedAtMs: number | null;
    };

export function resumePosition(input: ResumeInput): ResumeDecision {
  const { fps, durationFrames, loop, anchorMs, nowMs, checkpointFrame } = input;
  if (!(fps > 0) || !Number.isInteger(durationFrames) || durationFrames <= 0)
    throw new RangeError(`bad timeline: ${fps} fps, ${durationFrames} frames`);
  const saved = checkpointFrame !== null && checkpointFrame > 0 ? Math.floor(checkpointFrame) : 0;
  // A thousandth of a frame of slack: an anchor near 1.7e12 ms carries ~1e-4 ms of rounding, and
  // exactly-on-time must land on its own frame.
  const byWall = anchorMs === null ? null : Math.floor(((nowMs - anchorMs) * fps) / 1000 + 1e-3);
  const basis = byWall !== null && byWall >= saved ? 'wall' : 'checkpoint';
  const frame = basis === 'wall' ? byWall! : saved;
  if (!loop && frame >= durationFrames) {
    return { kind: 'ended', endedAtMs: anchorMs === null ? null : anchorMs + (durationFrames * 1000) / fps };
  }
  return {
    kind: 'resume',
    frame,
    timelineFrame: frame % durationFrames,
    iteration: Math.floor(frame / durationFrames),
    basis,
  };
}

/** The anchor for a show that starts now at `frame`. */
export function anchorFor(frame: number, fps: number, nowMs: number): number {
  return nowMs - (frame * 1000) / fps;
}

/** "1:02:03.4" / "2:03.4": a timeline position for logs and the CLI. */
export function formatPosition(frame: number, fps: number): string {
  const tenths = Math.floor((frame * 10) / fps);
  const seconds = Math.floor(tenths / 10);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const ss = `${String(s).padStart(2, '0')}.${tenths % 10}`;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
