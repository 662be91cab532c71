// The builder's editing state: the model plus undo/redo. Every change is a pure function of the
// model; typing in one field (same `merge` key) is one undo step, not one per key. Pure:
// use-editor.ts holds it in React.
import type { AudioTrack, Cue, Model, OverlayTrack, Track } from './model.ts';
import type { Repeat } from '../../../../../src/timeline/schema.ts';

export interface History {
  model: Model;
  past: Model[];
  future: Model[];
  lastMerge: string | null;
}

export type HistoryAction =
  | { type: 'edit'; change: (model: Model) => Model; merge: string | null }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'reset'; model: Model };

/** How many undo steps are kept (the oldest are forgotten). */
export const UNDO_LIMIT = 200;

export function startHistory(model: Model): History {
  return { model, past: [], future: [], lastMerge: null };
}

export function historyReducer(state: History, action: HistoryAction): History {
  switch (action.type) {
    case 'edit': {
      const next = action.change(state.model);
      if (next === state.model) return state;
      const merging = action.merge !== null && action.merge === state.lastMerge;
      return {
        model: next,
        past: merging ? state.past : [...state.past.slice(-UNDO_LIMIT), state.model],
        future: [],
        lastMerge: action.merge,
      };
    }
    case 'undo': {
      const previous = state.past[state.past.length - 1];
      if (!previous) return state;
      return {
        model: previous,
        past: state.past.slice(0, -1),
        future: [state.model, ...state.future],
        lastMerge: null,
      };
    }
    case 'redo': {
      const [next, ...rest] = state.future;
      if (!next) return state;
      return { model: next, past: [...state.past, state.model], future: rest, lastMerge: null };
    }
    case 'reset':
      return startHistory(action.model);
  }
}

// ---------------------------------------------------------------------------------------------
// changes (pure)

function mapTracks(model: Model, fn: (track: Track) => Track): Model {
  return {
    ...model,
    video: fn(model.video) as Model['video'],
    overlays: model.overlays.map((track) => fn(track) as OverlayTrack),
    audio: fn(model.audio) as AudioTrack,
  };
}

export function updateCue(uid: string, patch: (cue: Cue) => Cue): (model: Model) => Model {
  return (model) =>
    mapTracks(model, (track) => {
      const cues = track.cues as Cue[];
      const index = cues.findIndex((cue) => cue.uid === uid);
      if (index < 0) return track;
      const next = [...cues];
      next[index] = patch(cues[index]!);
      return { ...track, cues: next } as Track;
    });
}

export function setCueTimes(uid: string, start: number, duration: number): (model: Model) => Model {
  return updateCue(uid, (cue) => ({ ...cue, start, duration }));
}

/** Sets (or, with undefined, removes) a cue's repeat; the copies follow the cue in every edit. */
export function setRepeat(uid: string, repeat: Repeat | undefined): (model: Model) => Model {
  return updateCue(uid, (cue) => {
    const { repeat: _old, ...rest } = cue;
    return (repeat ? { ...rest, repeat } : rest) as Cue;
  });
}

/** Sets (or, with undefined, removes) parameters of a cue. */
export function setParams(uid: string, patch: Record<string, unknown>): (model: Model) => Model {
  return updateCue(uid, (cue) => {
    const merged = { ...(cue.params as Record<string, unknown>), ...patch };
    const params = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
    return { ...cue, params } as Cue;
  });
}

export function removeCue(uid: string): (model: Model) => Model {
  return (model) =>
    mapTracks(
      model,
      (track) => ({ ...track, cues: (track.cues as Cue[]).filter((cue) => cue.uid !== uid) }) as Track,
    );
}

export function addCue(trackUid: string, cue: Cue): (model: Model) => Model {
  return (model) =>
    mapTracks(model, (track) =>
      track.uid === trackUid
        ? ({ ...track, cues: [...(track.cues as Cue[]), cue].sort((a, b) => a.start - b.start) } as Track)
        : track,
    );
}

export function updateOverlayTrack(uid: string, patch: Partial<OverlayTrack>): (model: Model) => Model {
  return (model) => ({
    ...model,
    overlays: model.overlays.map((track) => (track.uid === uid ? { ...track, ...patch } : track)),
  });
}

export function setSettings(patch: Partial<Model['settings']>): (model: Model) => Model {
  return (model) => ({ ...model, settings: { ...model.settings, ...patch } });
}

/** The audio bed's own settings (on or off, duck or replace the cameras' sound, how far to duck). */
export function updateAudioTrack(
  patch: Partial<Pick<AudioTrack, 'enabled' | 'sourceAudio' | 'duckDb' | 'name'>>,
): (model: Model) => Model {
  return (model) => ({ ...model, audio: { ...model.audio, ...patch } });
}
