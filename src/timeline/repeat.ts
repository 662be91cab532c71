// A repeated cue is one cue in the document and several on the clock. These pure helpers are the one
// rule for where the copies fall, shared by validation, the resolver and the builder's ghosts.
import { cueFrames } from './frames.ts';
import type { Repeat, Timeline } from './schema.ts';

/** Ids of the copies: `#` is not allowed in an author's id, so a copy's id never collides with one. */
export const REPEAT_ID_SEPARATOR = '#';

/** Start times of the cue and every copy (the original first) that begin before the end. */
export function repeatStarts(
  cue: { start_time: number; repeat?: Repeat | undefined },
  timelineDuration: number,
): number[] {
  const starts = [cue.start_time];
  const repeat = cue.repeat;
  if (!repeat || !(repeat.every > 0)) return starts;
  const end = Math.min(repeat.until ?? timelineDuration, timelineDuration);
  // Integer steps from the original (not a running sum) so floating error never accumulates.
  for (let k = 1; ; k++) {
    const start = cue.start_time + k * repeat.every;
    if (start >= end - 1e-9) break;
    starts.push(start);
  }
  return starts;
}

/** The id of copy k (k = 0 is the cue itself). */
export function repeatCopyId(cueId: string, k: number): string {
  return k === 0 ? cueId : `${cueId}${REPEAT_ID_SEPARATOR}${k + 1}`;
}

/** One occurrence of a cue on the clock: the cue itself (copy 0) or one of its repeats. */
export interface CueOccurrence<C> {
  cue: C;
  /** 0 for the cue as written, k ≥ 1 for its k-th repeat. */
  copy: number;
}

interface RepeatableCue {
  id: string;
  start_time: number;
  duration: number;
  repeat?: Repeat | undefined;
  params: object;
}

/**
 * The cue and its copies, each as an ordinary cue without `repeat`. A copy that would run past the
 * timeline's end is cut there (its transition and fades shortened to fit), as a written-out cue
 * would have to be.
 */
export function expandCue<C extends RepeatableCue>(cue: C, timelineDuration: number): CueOccurrence<C>[] {
  if (!cue.repeat) return [{ cue, copy: 0 }];
  const { repeat: _repeat, ...plain } = cue;
  return repeatStarts(cue, timelineDuration).map((start, k) => {
    if (k === 0) return { cue: plain as unknown as C, copy: 0 };
    const duration = Math.min(cue.duration, timelineDuration - start);
    const params = duration < cue.duration ? fitParams(cue.params, duration) : cue.params;
    return {
      cue: { ...plain, id: repeatCopyId(cue.id, k), start_time: start, duration, params } as unknown as C,
      copy: k,
    };
  });
}

/** Shortens a cut copy's transition and fades so they still fit inside it. */
function fitParams<P extends object>(params: P, duration: number): P {
  const out: Record<string, unknown> = { ...(params as Record<string, unknown>) };
  if (typeof out.transition_duration === 'number')
    out.transition_duration = Math.min(out.transition_duration, duration);
  if (typeof out.fade_in === 'number' && typeof out.fade_out === 'number') {
    const fadeIn = Math.min(out.fade_in, duration);
    out.fade_in = fadeIn;
    out.fade_out = Math.min(out.fade_out, duration - fadeIn);
  }
  return out as P;
}

/**
 * The timeline as it plays: every repeated cue written out as its copies (ids `<id>#k`). Pure; the
 * stored document keeps `repeat`. Everything that needs cue times (resolver, PTZ plan, checks)
 * reads this form, so a repeated cue behaves on air exactly as if its copies were written by hand.
 */
export function expandRepeats(timeline: Timeline): Timeline {
  const hasRepeat =
    timeline.tracks.video.cues.some((cue) => cue.repeat) ||
    timeline.tracks.overlays.some((track) => track.cues.some((cue) => cue.repeat));
  if (!hasRepeat) return timeline;
  const { duration, fps } = timeline;
  // A copy cut to less than one frame never shows; drop it rather than keep an empty cue.
  const expand = <C extends RepeatableCue>(cue: C): C[] =>
    expandCue(cue, duration)
      .filter(({ copy, cue: c }) => {
        const span = cueFrames(c.start_time, c.duration, fps);
        return copy === 0 || span.end > span.start;
      })
      .map((o) => o.cue);
  return {
    ...timeline,
    tracks: {
      video: {
        ...timeline.tracks.video,
        cues: timeline.tracks.video.cues.flatMap(expand),
      },
      overlays: timeline.tracks.overlays.map((track) => ({
        ...track,
        cues: track.cues.flatMap(expand),
      })),
    },
  };
}
