// A repeated cue is one cue in the document and several on the clock. These pure helpers are the one
// rule for where the copies fall, shared by validation, the resolver and the builder's ghosts.
import type { Repeat } from './schema.ts';

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
