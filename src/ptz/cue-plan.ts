// PTZ cue moves, the pure part: from the compiled timeline and the program position, which
// camera must be sent to which preset, and from which frame on. No clock, no network.
//
// Rules (README "PTZ presets on cues"):
// - A show_camera cue with a preset_id needs its camera at that preset when it goes on air. The
//   move is due `settle` frames before the cue's first frame (the camera's settle time), so the
//   camera has arrived and stopped before viewers see it.
// - A camera still visible before that (on air in the cue before, or fading out under the next
//   cue's transition) is not moved while it is visible: its move is due the frame it leaves the
//   picture. Back to back on the same camera with another preset, that is the new cue's first
//   frame: viewers then see the camera travel at the start of the cue (there is no hidden moment).
// - Each occurrence of a cue (a looping timeline repeats them) is one move, keyed by cue id and
//   its absolute on-air frame, so the executor never moves a camera twice for the same cue.
import type { CompiledTimeline } from '../timeline/resolver.ts';

export interface PresetMove {
  /** Unique per cue occurrence: `${cueId}@${onAirFrame}`. */
  key: string;
  cameraId: number;
  cueId: string;
  presetId: string | number;
  /** Absolute program frame at which the cue goes on air. */
  onAirFrame: number;
  /** From this frame on the camera may be moved (≤ onAirFrame). */
  moveAtFrame: number;
  /** The camera is in the picture until the cue: viewers see the move (no settle time left). */
  seen: boolean;
}

interface Occurrence {
  cueId: string;
  cameraId: number | null;
  presetId: string | number | null;
  start: number;
  end: number;
  transitionFrames: number;
}

/** Video cues as absolute frames over the timeline passes that touch [from, to]. */
function occurrences(compiled: CompiledTimeline, from: number, to: number): Occurrence[] {
  const duration = compiled.durationFrames;
  const firstPass = compiled.loop ? Math.max(0, Math.floor(from / duration)) : 0;
  const lastPass = compiled.loop ? Math.floor(to / duration) : 0;
  const out: Occurrence[] = [];
  for (let pass = firstPass; pass <= lastPass; pass++) {
    const origin = pass * duration;
    for (const cue of compiled.video) {
      out.push({
        cueId: cue.id,
        cameraId: cue.source.kind === 'camera' ? cue.source.cameraId : null,
        presetId: cue.presetId,
        start: origin + cue.start,
        end: origin + cue.end,
        transitionFrames: cue.transitionFrames,
      });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The preset moves for cues that are on air now or go on air within `horizonFrames` of `frame`,
 * soonest due first. `settleFrames` gives each camera's settle time in frames.
 */
export function presetMoves(
  compiled: CompiledTimeline,
  frame: number,
  horizonFrames: number,
  settleFrames: (cameraId: number) => number,
): PresetMove[] {
  if (!compiled.loop && frame >= compiled.durationFrames) return [];
  // Look one pass back as well: a camera may be visible from the previous pass's last cue.
  const lookBack = compiled.durationFrames;
  const all = occurrences(compiled, Math.max(0, frame - lookBack), frame + horizonFrames);
  // The frame each occurrence leaves the picture: its end, or later when the next cue fades in.
  const visibleUntil = all.map((occurrence, index) => {
    const next = all[index + 1];
    return next && next.start === occurrence.end ? occurrence.end + next.transitionFrames : occurrence.end;
  });
  const moves: PresetMove[] = [];
  all.forEach((occurrence, index) => {
    const { cameraId, presetId } = occurrence;
    if (cameraId === null || presetId === null) return;
    if (occurrence.end <= frame || occurrence.start > frame + horizonFrames) return;
    const wanted = occurrence.start - Math.max(0, Math.round(settleFrames(cameraId)));
    // The last moment the same camera is in the picture before this cue.
    let busyUntil = Number.NEGATIVE_INFINITY;
    for (let i = index - 1; i >= 0; i--) {
      if (all[i]!.cameraId === cameraId) {
        busyUntil = Math.min(visibleUntil[i]!, occurrence.start);
        break;
      }
    }
    const moveAtFrame = Math.max(wanted, busyUntil);
    moves.push({
      key: `${occurrence.cueId}@${occurrence.start}`,
      cameraId,
      cueId: occurrence.cueId,
      presetId,
      onAirFrame: occurrence.start,
      moveAtFrame: Math.min(moveAtFrame, occurrence.start),
      seen: busyUntil >= occurrence.start,
    });
  });
  return moves.sort((a, b) => a.moveAtFrame - b.moveAtFrame || a.onAirFrame - b.onAirFrame);
}
