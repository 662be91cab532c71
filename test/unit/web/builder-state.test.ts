// The timeline builder's editing state (web/src/pages/timelines/builder/state.ts): each change is
// a pure function of the model (its input stays untouched), and the undo history merges typing in
// one field into one step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromDocument, type Cue, type Model } from '../../../web/src/pages/timelines/builder/model.ts';
import {
  addCue,
  historyReducer,
  removeCue,
  setCueTimes,
  setParams,
  setRepeat,
  setSettings,
  startHistory,
  UNDO_LIMIT,
  updateCue,
  updateOverlayTrack,
  type History,
} from '../../../web/src/pages/timelines/builder/state.ts';
import { deepFreeze, storedDocument } from './builder-fixtures.ts';

/** The stored document's model, frozen: a change that mutates it throws. */
function frozenModel(): Model {
  return deepFreeze(fromDocument(storedDocument()));
}

function cueById(model: Model, id: string): Cue {
  const cue = [...model.video.cues, ...model.overlays.flatMap((track) => track.cues)].find(
    (c) => c.id === id,
  );
  assert.ok(cue, `no cue ${id}`);
  return cue;
}

describe('builder state: changes', () => {
  it('sets, changes and removes a cue’s repeat, leaving its times and words alone', () => {
    const model = frozenModel();
    const uid = cueById(model, 'lower_third_1').uid;
    const repeated = setRepeat(uid, { every: 600 })(model);
    assert.deepEqual(cueById(repeated, 'lower_third_1').repeat, { every: 600 });
    const until = setRepeat(uid, { every: 300, until: 900 })(repeated);
    assert.deepEqual(cueById(until, 'lower_third_1').repeat, { every: 300, until: 900 });
    const off = setRepeat(uid, undefined)(until);
    assert.equal('repeat' in cueById(off, 'lower_third_1'), false, 'no repeat key left behind');
    assert.deepEqual(cueById(off, 'lower_third_1'), cueById(model, 'lower_third_1'));
  });

  it('moves and resizes one cue, leaving the others and the input as they were', () => {
    const model = frozenModel();
    const uid = cueById(model, 'cam2_1').uid;
    const next = setCueTimes(uid, 31, 20)(model);
    assert.deepEqual([cueById(next, 'cam2_1').start, cueById(next, 'cam2_1').duration], [31, 20]);
    assert.equal(cueById(model, 'cam2_1').start, 30);
    assert.equal(next.video.cues[0], model.video.cues[0], 'an untouched cue is the same object');
    assert.equal(next.overlays[0]!.cues[0], model.overlays[0]!.cues[0]);
  });

  it('sets parameters, and removes the ones set to undefined', () => {
    const model = frozenModel();
    const uid = cueById(model, 'cam2_1').uid;
    const next = setParams(uid, { transition: 'cut', transition_duration: undefined, preset_id: 'Close' })(
      model,
    );
    assert.deepEqual(cueById(next, 'cam2_1').params, { camera_id: 2, preset_id: 'Close', transition: 'cut' });
    assert.equal('transition_duration' in cueById(next, 'cam2_1').params, false);
  });

  it('renames a cue through updateCue, on whichever track it is', () => {
    const model = frozenModel();
    const uid = cueById(model, 'logo_1').uid;
    const next = updateCue(uid, (cue) => ({ ...cue, id: 'brand' }))(model);
    assert.equal(next.overlays[1]!.cues[0]!.id, 'brand');
    assert.equal(next.overlays[1]!.cues[0]!.uid, uid);
  });

  it('changes nothing for a uid the model does not have', () => {
    const model = frozenModel();
    assert.deepEqual(setCueTimes('nope', 1, 1)(model), model);
    assert.deepEqual(removeCue('nope')(model), model);
  });

  it('removes a cue from its track only', () => {
    const model = frozenModel();
    const next = removeCue(cueById(model, 'cam1_1').uid)(model);
    assert.deepEqual(
      next.video.cues.map((c) => c.id),
      ['cam2_1', 'clip_1'],
    );
    assert.equal(next.overlays[0]!.cues.length, 1);
  });

  it('adds a cue to the named track, in order of start', () => {
    const model = frozenModel();
    const track = model.overlays[0]!;
    const cue: Cue = {
      uid: 'new-cue',
      id: 'text_1',
      start: 1,
      duration: 3,
      action: 'show_overlay',
      params: { type: 'text', text: 'Hello' },
    };
    const next = addCue(track.uid, cue)(model);
    assert.deepEqual(
      next.overlays[0]!.cues.map((c) => c.id),
      ['text_1', 'lower_third_1'],
    );
    assert.equal(next.overlays[1]!.cues.length, 1);
    assert.equal(next.video.cues.length, 3);
  });

  it('changes an overlay track’s settings and the timeline’s settings', () => {
    const model = frozenModel();
    const uid = model.overlays[1]!.uid;
    const next = updateOverlayTrack(uid, { layer: 5, enabled: true })(model);
    assert.deepEqual([next.overlays[1]!.layer, next.overlays[1]!.enabled], [5, true]);
    assert.equal(next.overlays[0], model.overlays[0]);
    const renamed = setSettings({ name: 'Evening show', fps: 30 })(model);
    assert.deepEqual(renamed.settings, { ...model.settings, name: 'Evening show', fps: 30 });
  });
});

describe('builder state: undo history', () => {
  const rename = (name: string) => setSettings({ name });
  const edit = (state: History, name: string, merge: string | null = null): History =>
    historyReducer(state, { type: 'edit', change: rename(name), merge });

  it('undoes and redoes each edit, and a new edit forgets what could be redone', () => {
    let state = startHistory(frozenModel());
    state = edit(state, 'A');
    state = edit(state, 'B');
    state = historyReducer(state, { type: 'undo' });
    assert.equal(state.model.settings.name, 'A');
    state = historyReducer(state, { type: 'redo' });
    assert.equal(state.model.settings.name, 'B');
    state = historyReducer(historyReducer(state, { type: 'undo' }), { type: 'undo' });
    assert.equal(state.model.settings.name, 'Morning show');
    state = historyReducer(state, { type: 'redo' });
    state = edit(state, 'C');
    assert.equal(state.future.length, 0);
    assert.equal(historyReducer(state, { type: 'redo' }), state, 'nothing to redo');
  });

  it('makes typing in one field one undo step, and a different field a new one', () => {
    let state = startHistory(frozenModel());
    for (const name of ['E', 'Ev', 'Eve']) state = edit(state, name, 'name');
    assert.equal(state.past.length, 1);
    state = edit(state, 'Eve!', 'description');
    assert.equal(state.past.length, 2);
    state = historyReducer(state, { type: 'undo' });
    assert.equal(state.model.settings.name, 'Eve');
    state = historyReducer(state, { type: 'undo' });
    assert.equal(state.model.settings.name, 'Morning show');
  });

  it('starts a new step when the same field is typed in again after an undo', () => {
    let state = edit(startHistory(frozenModel()), 'A', 'name');
    state = historyReducer(state, { type: 'undo' });
    state = edit(state, 'B', 'name');
    state = edit(state, 'B2', 'name');
    assert.equal(state.past.length, 1);
    assert.equal(historyReducer(state, { type: 'undo' }).model.settings.name, 'Morning show');
  });

  it('keeps the state as it is for a change that changes nothing, and for undo with no past', () => {
    const state = startHistory(frozenModel());
    assert.equal(historyReducer(state, { type: 'edit', change: (m) => m, merge: null }), state);
    assert.equal(historyReducer(state, { type: 'undo' }), state);
  });

  it('forgets the oldest steps beyond its limit', () => {
    let state = startHistory(frozenModel());
    for (let n = 1; n <= UNDO_LIMIT + 50; n++) state = edit(state, `name ${n}`);
    assert.equal(state.past.length, UNDO_LIMIT + 1);
    while (state.past.length > 0) state = historyReducer(state, { type: 'undo' });
    assert.equal(state.model.settings.name, `name ${50 - 1}`);
  });

  it('starts afresh from a reset', () => {
    let state = edit(startHistory(frozenModel()), 'A');
    const other = frozenModel();
    state = historyReducer(state, { type: 'reset', model: other });
    assert.deepEqual(state, startHistory(other));
  });
});
