// Edits that place or move whole cues: copy/paste and duplicate (fresh ids, no overlap), moving
// an overlay cue to another or a new track, the fixes an overlap error offers, and the checks the
// builder makes itself (text a viewer would see must be typed, never a placeholder). Pure.
import {
  allTracks,
  cueEnd,
  newUid,
  placeCue,
  repeatGhosts,
  roundTime,
  uniqueCueId,
  type AudioCue,
  type Cue,
  type Issue,
  type Model,
  type OverlayCue,
  type OverlayTrack,
  type Track,
  type VideoCue,
} from './model.ts';

/** What Ctrl+C keeps: the cue without its identity (a paste makes a new one). */
export type CopiedCue = Omit<Cue, 'uid'>;

export function copyCue(cue: Cue): CopiedCue {
  const { uid: _uid, ...rest } = structuredClone(cue);
  return rest;
}

/** "lower_third_3" → "lower_third": the stem a copy's new id is numbered from. */
function idStem(id: string): string {
  return id.replace(/_\d+$/, '') || id;
}

function withCue(model: Model, trackUid: string, cue: Cue): Model {
  const insert = <C extends Cue>(cues: C[]) => [...cues, cue as C].sort((a, b) => a.start - b.start);
  if (trackUid === model.video.uid)
    return { ...model, video: { ...model.video, cues: insert(model.video.cues) } };
  if (trackUid === model.audio.uid)
    return { ...model, audio: { ...model.audio, cues: insert(model.audio.cues) } };
  return {
    ...model,
    overlays: model.overlays.map((track) =>
      track.uid === trackUid ? { ...track, cues: insert(track.cues) } : track,
    ),
  };
}

/** The track a copied cue may go on: a video cue on the video track, an overlay on an overlay
 *  track, music on the audio bed. */
function trackFor(model: Model, cue: CopiedCue, preferredTrackUid: string | null): Track | null {
  if (cue.action === 'play_audio') return model.audio;
  if (cue.action !== 'show_overlay') return model.video;
  const preferred = model.overlays.find((track) => track.uid === preferredTrackUid);
  return preferred ?? [...model.overlays].sort((a, b) => b.layer - a.layer)[0] ?? null;
}

export interface Placed {
  model: Model;
  cue: Cue;
  trackUid: string;
}

/**
 * Pastes a copied cue at `at` on the preferred track (when it takes that kind of cue; else the
 * one that does), with a fresh uid and id, placed like a drop (after a cue it would land inside,
 * shortened to fit). Null: no room there.
 */
export function pasteCue(
  model: Model,
  copied: CopiedCue,
  preferredTrackUid: string | null,
  at: number,
): Placed | null {
  const track = trackFor(model, copied, preferredTrackUid);
  if (!track) return null;
  const place = placeCue(track.cues, at, copied.duration, model.settings.duration);
  if (!place) return null;
  const cue = {
    ...structuredClone(copied),
    uid: newUid('c'),
    id: uniqueCueId(model, idStem(copied.id)),
    start: place.start,
    duration: place.duration,
  } as Cue;
  return { model: withCue(model, track.uid, cue), cue, trackUid: track.uid };
}

/** A copy of the cue right after it on its own track (starting at its end). Null: no room. */
export function duplicateCue(model: Model, uid: string): Placed | null {
  for (const track of allTracks(model)) {
    const original = (track.cues as Cue[]).find((cue) => cue.uid === uid);
    if (original) return pasteCue(model, copyCue(original), track.uid, cueEnd(original));
  }
  return null;
}

/** Moves an overlay cue to another overlay track, keeping its times. */
export function moveCueToTrack(model: Model, uid: string, trackUid: string): Model {
  const from = model.overlays.find((track) => track.cues.some((cue) => cue.uid === uid));
  const to = model.overlays.find((track) => track.uid === trackUid);
  if (!from || !to || from === to) return model;
  const cue = from.cues.find((c) => c.uid === uid)!;
  return {
    ...model,
    overlays: model.overlays.map((track) =>
      track === from
        ? { ...track, cues: track.cues.filter((c) => c.uid !== uid) }
        : track === to
          ? { ...track, cues: [...track.cues, cue].sort((a, b) => a.start - b.start) }
          : track,
    ),
  };
}

/** An empty overlay track above the others (the next layer, a track id not used yet). */
export function newOverlayTrack(model: Model): OverlayTrack {
  const layer = Math.max(0, ...model.overlays.map((track) => track.layer)) + 1;
  const ids = new Set(model.overlays.map((track) => track.track_id));
  let n = layer;
  while (ids.has(`overlays_${n}`)) n++;
  return {
    uid: newUid('t'),
    kind: 'overlay',
    track_id: `overlays_${n}`,
    name: `Overlays ${layer}`,
    layer,
    enabled: true,
    cues: [],
  };
}

/** The overlap fix for an overlay cue: a new track above the others, with the cue on it. */
export function moveCueToNewTrack(model: Model, uid: string): { model: Model; trackUid: string } | null {
  if (!model.overlays.some((track) => track.cues.some((cue) => cue.uid === uid))) return null;
  const track = newOverlayTrack(model);
  const added = { ...model, overlays: [...model.overlays, track] };
  return { model: moveCueToTrack(added, uid, track.uid), trackUid: track.uid };
}

/** Every span a cue is on air (itself and its repeats). */
function spans(cue: Cue, timelineDuration: number): Array<{ start: number; end: number }> {
  return [cue.start, ...repeatGhosts(cue, timelineDuration)].map((start) => ({
    start,
    end: roundTime(start + cue.duration),
  }));
}

/**
 * The cue on the same track that this one starts inside (it, or one of its repeats, began
 * earlier and is still on): what an overlap error is about. Null: no overlap at its start.
 */
export function overlappedBy(model: Model, uid: string): Cue | null {
  for (const track of allTracks(model)) {
    const cues = track.cues as Cue[];
    const cue = cues.find((c) => c.uid === uid);
    if (!cue) continue;
    const mine = spans(cue, model.settings.duration);
    for (const other of cues) {
      if (other.uid === uid) continue;
      const theirs = spans(other, model.settings.duration);
      if (mine.some((m) => theirs.some((t) => t.start <= m.start && m.start < t.end))) return other;
    }
    return null;
  }
  return null;
}

/** The overlap fix for a video or music cue: it starts where the cue it overlaps ends (its
 *  length kept, within the end). */
export function placeAfterPrevious(model: Model, uid: string): Model {
  const previous = overlappedBy(model, uid);
  if (!previous) return model;
  const start = cueEnd(previous);
  const moved = <C extends VideoCue | AudioCue>(cues: C[]): C[] =>
    cues
      .map((cue): C => {
        if (cue.uid !== uid) return cue;
        const duration = roundTime(Math.min(cue.duration, model.settings.duration - start));
        return { ...cue, start, duration: duration > 0 ? duration : cue.duration };
      })
      .sort((a, b) => a.start - b.start);
  if (model.video.cues.some((cue) => cue.uid === uid))
    return { ...model, video: { ...model.video, cues: moved(model.video.cues) } };
  if (model.audio.cues.some((cue) => cue.uid === uid))
    return { ...model, audio: { ...model.audio, cues: moved(model.audio.cues) } };
  return model;
}

// ---------------------------------------------------------------------------------------------
// the builder's own checks

const EMPTY_TEXT: Partial<Record<OverlayCue['params']['type'], { field: string; message: string }>> = {
  lower_third: { field: 'text', message: 'type the title' },
  text: { field: 'text', message: 'type the text' },
  dynamic_text: { field: 'template', message: 'type the text, e.g. {time}' },
};

/** Errors the builder finds itself: words a viewer would see that were never typed. */
export function localIssues(model: Model): Issue[] {
  const issues: Issue[] = [];
  model.overlays.forEach((track, t) =>
    track.cues.forEach((cue, c) => {
      const rule = EMPTY_TEXT[cue.params.type];
      if (!rule) return;
      const value = (cue.params as Record<string, unknown>)[rule.field];
      if (typeof value !== 'string' || value.trim() === '')
        issues.push({
          path: `timeline.tracks.overlays[${t}].cues[${c}].params.${rule.field}`,
          message: rule.message,
          severity: 'error',
        });
    }),
  );
  return issues;
}

/** The appliance's issues with the builder's own: where both speak of one field, the builder's words. */
export function mergeIssues(local: readonly Issue[], appliance: readonly Issue[]): Issue[] {
  const paths = new Set(local.map((issue) => issue.path));
  return [...local, ...appliance.filter((issue) => !paths.has(issue.path))];
}
