// The timeline builder's whole-cue edits (web/src/pages/timelines/builder/edits.ts): copy/paste
// and duplicate (placement, fresh ids, the original untouched), moving an overlay cue to another
// or a new track, the overlap fixes, and the builder's own check for words never typed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateTimelineDocument } from '../../../src/timeline/validate.ts';
import {
  copyCue,
  duplicateCue,
  localIssues,
  mergeIssues,
  moveCueToNewTrack,
  moveCueToTrack,
  newOverlayTrack,
  overlappedBy,
  pasteCue,
  placeAfterPrevious,
} from '../../../web/src/pages/timelines/builder/edits.ts';
import {
  allTracks,
  fromDocument,
  toDocument,
  type Cue,
  type Model,
} from '../../../web/src/pages/timelines/builder/model.ts';
import { setParams, setRepeat } from '../../../web/src/pages/timelines/builder/state.ts';
import { deepFreeze, storedDocument } from './builder-fixtures.ts';

function load(): Model {
  return fromDocument(storedDocument());
}
function byId(model: Model, id: string): Cue {
  const cue = allTracks(model)
    .flatMap((track): Cue[] => track.cues)
    .find((c) => c.id === id);
  assert.ok(cue, `no cue ${id}`);
  return cue;
}
function times(cues: readonly Cue[]): Array<[string, number, number]> {
  return cues.map((cue) => [cue.id, cue.start, cue.duration]);
}
function allIds(model: Model): string[] {
  return allTracks(model).flatMap((track) => (track.cues as Cue[]).map((cue) => cue.id));
}
function allUids(model: Model): string[] {
  return allTracks(model).flatMap((track) => (track.cues as Cue[]).map((cue) => cue.uid));
}

describe('builder edits: copy, paste, duplicate', () => {
  it('duplicates a cue right after it on its own track, with a fresh uid and id', () => {
    const model = load();
    const original = byId(model, 'lower_third_1'); // 5–15 s on "Titles"
    const placed = duplicateCue(model, original.uid);
    assert.ok(placed);
    assert.equal(placed.trackUid, model.overlays[0]!.uid);
    assert.deepEqual([placed.cue.start, placed.cue.duration], [15, 10]);
    assert.equal(placed.cue.id, 'lower_third_2');
    assert.notEqual(placed.cue.uid, original.uid);
    assert.deepEqual(placed.cue.params, original.params);
    assert.deepEqual(times(placed.model.overlays[0]!.cues), [
      ['lower_third_1', 5, 10],
      ['lower_third_2', 15, 10],
    ]);
    assert.equal(new Set(allIds(placed.model)).size, allIds(placed.model).length, 'ids stay unique');
    assert.equal(new Set(allUids(placed.model)).size, allUids(placed.model).length, 'uids stay unique');
    assert.equal(load().overlays[0]!.cues.length, 1, 'a new model: the old one is not changed');
    assert.equal(validateTimelineDocument(toDocument(placed.model)).ok, true);
  });

  it('duplicates a video cue after the next cue when its own end is taken, shortened to the end', () => {
    const model = load(); // cam1_1 0–30, cam2_1 30–70.5, clip_1 70.5–90.5 of 120 s
    const placed = duplicateCue(model, byId(model, 'cam1_1').uid);
    assert.ok(placed);
    assert.deepEqual([placed.cue.id, placed.cue.start, placed.cue.duration], ['cam1_2', 90.5, 29.5]);
    assert.equal(placed.cue.action, 'show_camera');
  });

  it('has no room to duplicate a cue that fills its track to the end', () => {
    const model = load();
    assert.equal(duplicateCue(model, byId(model, 'logo_1').uid), null, 'logo_1 runs 0–120 s');
    assert.equal(duplicateCue(model, 'no-such-uid'), null);
  });

  it('pastes at the playhead on the chosen overlay track, and a camera always on the video track', () => {
    const model = load();
    const copied = copyCue(byId(model, 'lower_third_1'));
    assert.equal('uid' in copied, false);
    const titles = model.overlays[0]!.uid;
    const onTitles = pasteCue(model, copied, titles, 40);
    assert.ok(onTitles);
    assert.deepEqual([onTitles.trackUid, onTitles.cue.start, onTitles.cue.id], [titles, 40, 'lower_third_2']);
    // Pasted twice: two more ids, never a clash.
    const again = pasteCue(onTitles.model, copied, titles, 60);
    assert.equal(again?.cue.id, 'lower_third_3');
    // A camera asked onto an overlay track goes to the video track; inside a cue it starts at its end.
    const camera = pasteCue(model, copyCue(byId(model, 'cam1_1')), titles, 95);
    assert.deepEqual([camera?.trackUid, camera?.cue.start, camera?.cue.duration], ['video', 95, 25]);
    const inside = pasteCue(model, copyCue(byId(model, 'cam1_1')), null, 10);
    assert.equal(inside?.cue.start, 90.5, 'the video track is full from 0 to 90.5 s');
  });

  it('keeps the copy as it was when copied, and changes nothing when there is no room', () => {
    const model = load();
    const lower = byId(model, 'lower_third_1');
    const copied = copyCue(lower);
    const edited = setParams(lower.uid, { text: 'Changed later' })(model);
    const pasted = pasteCue(edited, copied, edited.overlays[0]!.uid, 50);
    const cue = pasted?.cue;
    const text = cue?.action === 'show_overlay' && cue.params.type === 'lower_third' ? cue.params.text : null;
    assert.equal(text, 'Good morning');
    assert.equal(pasteCue(model, copied, model.overlays[1]!.uid, 30), null, 'the logo fills that track');
  });

  it('copies a repeat with the cue', () => {
    const base = load();
    const model = setRepeat(byId(base, 'lower_third_1').uid, { every: 40 })(base);
    const placed = duplicateCue(model, byId(model, 'lower_third_1').uid);
    assert.deepEqual(placed?.cue.repeat, { every: 40 });
  });
});

describe('builder edits: tracks', () => {
  it('moves an overlay cue to another overlay track, keeping its times', () => {
    const model = load();
    const lower = byId(model, 'lower_third_1');
    const moved = moveCueToTrack(model, lower.uid, model.overlays[1]!.uid);
    assert.deepEqual(times(moved.overlays[0]!.cues), []);
    assert.deepEqual(times(moved.overlays[1]!.cues), [
      ['logo_1', 0, 120],
      ['lower_third_1', 5, 10],
    ]);
    assert.equal(moveCueToTrack(model, lower.uid, model.overlays[0]!.uid), model, 'its own track: no change');
    assert.equal(moveCueToTrack(model, byId(model, 'cam1_1').uid, model.overlays[0]!.uid), model);
  });

  it('makes a new overlay track on top with a track id not used yet', () => {
    const model = load();
    const track = newOverlayTrack(model);
    assert.deepEqual(
      [track.layer, track.track_id, track.name, track.cues],
      [3, 'overlays_3', 'Overlays 3', []],
    );
    const clash = { ...model, overlays: [...model.overlays, { ...track, layer: 1, track_id: 'overlays_3' }] };
    assert.equal(newOverlayTrack(clash).track_id, 'overlays_4');
  });
});

describe('builder edits: overlaps and their fixes', () => {
  const withClock = (): Model => {
    // A clock for the whole show on the lower third's track: it overlaps from 5 s.
    const model = load();
    const clock: Cue = {
      uid: 'clock',
      id: 'dynamic_text_1',
      start: 0,
      duration: 120,
      action: 'show_overlay',
      params: { type: 'dynamic_text', template: '{time}', position: 'top_right' },
    };
    return {
      ...model,
      overlays: [{ ...model.overlays[0]!, cues: [clock, ...model.overlays[0]!.cues] }, model.overlays[1]!],
    };
  };

  it('finds the cue another starts inside, including a repeat of it', () => {
    const model = withClock();
    const lower = byId(model, 'lower_third_1');
    assert.equal(overlappedBy(model, lower.uid)?.id, 'dynamic_text_1');
    assert.equal(overlappedBy(model, 'clock'), null, 'the clock starts first');
    assert.equal(overlappedBy(load(), byId(load(), 'cam2_1').uid), null, 'back to back is no overlap');
    const base = load();
    const repeated = setRepeat(byId(base, 'lower_third_1').uid, { every: 50 })(base); // copies at 55 and 105 s
    const text: Cue = {
      uid: 'text',
      id: 'text_1',
      start: 58,
      duration: 4,
      action: 'show_overlay',
      params: { type: 'text', text: 'Hi' },
    };
    const crowded = {
      ...repeated,
      overlays: [
        { ...repeated.overlays[0]!, cues: [...repeated.overlays[0]!.cues, text] },
        repeated.overlays[1]!,
      ],
    };
    assert.equal(overlappedBy(crowded, 'text')?.id, 'lower_third_1', 'inside the copy at 55–65 s');
  });

  it('moves the overlapping overlay cue to a new track on top, and the appliance accepts the result', () => {
    const model = withClock();
    assert.equal(validateTimelineDocument(toDocument(model)).ok, false);
    const fixed = moveCueToNewTrack(model, byId(model, 'lower_third_1').uid);
    assert.ok(fixed);
    assert.equal(fixed.model.overlays.length, 3);
    const top = fixed.model.overlays.find((track) => track.uid === fixed.trackUid)!;
    assert.deepEqual([top.layer, times(top.cues)], [3, [['lower_third_1', 5, 10]]]);
    assert.deepEqual(times(fixed.model.overlays[0]!.cues), [['dynamic_text_1', 0, 120]]);
    const result = validateTimelineDocument(toDocument(fixed.model));
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(moveCueToNewTrack(model, byId(model, 'cam1_1').uid), null, 'video cues have one track');
  });

  it('places an overlapping video cue after the one it starts inside, within the end', () => {
    const model = load();
    const clip = byId(model, 'clip_1');
    const overlapping = {
      ...model,
      video: {
        ...model.video,
        cues: model.video.cues.map((c) => (c.uid === clip.uid ? { ...c, start: 60 } : c)),
      },
    };
    const fixed = placeAfterPrevious(overlapping, clip.uid);
    assert.deepEqual(times(fixed.video.cues), [
      ['cam1_1', 0, 30],
      ['cam2_1', 30, 40.5],
      ['clip_1', 70.5, 20],
    ]);
    const late = {
      ...model,
      video: {
        ...model.video,
        cues: model.video.cues.map((c) => (c.uid === clip.uid ? { ...c, start: 60, duration: 55 } : c)),
      },
    };
    assert.deepEqual(times(placeAfterPrevious(late, clip.uid).video.cues).at(-1), ['clip_1', 70.5, 49.5]);
    assert.equal(placeAfterPrevious(model, clip.uid), model, 'no overlap: no change');
  });
});

describe('builder edits: words never typed', () => {
  it('asks for the title of a lower third and the text of a text overlay left empty', () => {
    const model = load();
    const lower = byId(model, 'lower_third_1');
    assert.deepEqual(localIssues(model), []);
    const empty = setParams(lower.uid, { text: '  ' })(model);
    assert.deepEqual(localIssues(empty), [
      {
        path: 'timeline.tracks.overlays[0].cues[0].params.text',
        message: 'type the title',
        severity: 'error',
      },
    ]);
  });

  it('puts its own words in place of the appliance’s for the same field, and keeps the rest', () => {
    const local = [{ path: 'a.params.text', message: 'type the title', severity: 'error' as const }];
    const appliance = [
      { path: 'a.params.text', message: 'must not be empty', severity: 'error' as const },
      { path: 'b.duration', message: 'too long', severity: 'error' as const },
    ];
    assert.deepEqual(
      mergeIssues(local, appliance).map((issue) => issue.message),
      ['type the title', 'too long'],
    );
  });
});

describe('builder edits: never in place', () => {
  it('copies what it changes: every edit works on a frozen model', () => {
    const model = deepFreeze(load());
    const lower = byId(model, 'lower_third_1').uid;
    const clip = byId(model, 'clip_1').uid;
    assert.ok(duplicateCue(model, lower));
    assert.ok(pasteCue(model, copyCue(byId(model, 'cam1_1')), null, 95));
    assert.ok(moveCueToNewTrack(model, lower));
    assert.notEqual(moveCueToTrack(model, lower, model.overlays[1]!.uid), model);
    const overlapping = deepFreeze({
      ...model,
      video: {
        ...model.video,
        cues: model.video.cues.map((c) => (c.uid === clip ? { ...c, start: 60 } : c)),
      },
    });
    assert.notEqual(placeAfterPrevious(overlapping, clip), overlapping);
  });
});
