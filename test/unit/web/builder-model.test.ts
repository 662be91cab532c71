// The timeline builder's pure model (web/src/pages/timelines/builder/model.ts): document ↔ model,
// time text, placing and snapping cues, and placing the appliance's issues on cues, tracks and
// settings. The documents it writes are checked with the appliance's own validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateTimelineDocument } from '../../../src/timeline/validate.ts';
import {
  allTracks,
  cueEnd,
  emptyModel,
  fieldLabel,
  findCue,
  formatTime,
  fromDocument,
  issueAt,
  parseTime,
  placeCue,
  placeIssues,
  roundTime,
  cueWidth,
  MIN_CUE_PIXELS,
  repeatGhosts,
  snapCorrection,
  snapMove,
  snapMoveTo,
  snapPoint,
  snapTargets,
  toDocument,
  uniqueCueId,
  type Cue,
  type Issue,
  type Model,
} from '../../../web/src/pages/timelines/builder/model.ts';
import { updateCue } from '../../../web/src/pages/timelines/builder/state.ts';
import { storedDocument } from './builder-fixtures.ts';

function uidOf(model: Model, cueId: string): string {
  const cue = allTracks(model)
    .flatMap((track): Cue[] => track.cues)
    .find((c) => c.id === cueId);
  assert.ok(cue, `no cue ${cueId}`);
  return cue.uid;
}

describe('builder model: document and model', () => {
  it('gives back the stored document unchanged after a round trip through the model', () => {
    const document = storedDocument();
    assert.deepEqual(toDocument(fromDocument(document)), document);
  });

  it('keys every cue and overlay track with its own uid, the video track with "video"', () => {
    const model = fromDocument(storedDocument());
    const uids = [
      ...model.overlays.map((t) => t.uid),
      ...allTracks(model).flatMap((t) => t.cues.map((c) => c.uid)),
    ];
    assert.equal(new Set(uids).size, uids.length);
    assert.equal(model.video.uid, 'video');
    assert.equal(model.overlays[1]!.enabled, false);
    assert.deepEqual(model.settings, {
      docId: 'morning',
      name: 'Morning show',
      description: 'Harbour in the morning',
      duration: 120,
      fps: 25,
      resolution: '1280x720',
      loop: true,
      testPattern: '/media/logo.png',
      backupCameraId: 1,
    });
  });

  it('fills the defaults a document may leave out', () => {
    const model = fromDocument({
      timeline: { name: 'Bare', duration: 60, tracks: { video: { track_id: 'v', type: 'video', cues: [] } } },
    });
    assert.equal(model.settings.fps, 30);
    assert.equal(model.settings.resolution, '1920x1080');
    assert.equal(model.settings.loop, false);
    assert.deepEqual(model.overlays, []);
  });

  it('writes no undefined values, no empty fallback, and times to the millisecond', () => {
    const model = emptyModel();
    model.video.cues.push({
      uid: 'c1',
      id: 'cam1_1',
      start: 0.1 + 0.2,
      duration: 10.00049,
      action: 'show_camera',
      params: { camera_id: 1, preset_id: undefined, transition: 'cut' },
    });
    const written = toDocument(model);
    const json = JSON.parse(JSON.stringify(written)) as unknown;
    assert.deepEqual(json, written, 'nothing undefined is dropped by JSON');
    assert.equal('fallback' in written.timeline, false);
    const cue = written.timeline.tracks.video.cues[0]!;
    assert.equal(cue.start_time, 0.3);
    assert.equal(cue.duration, 10);
    assert.deepEqual(cue.params, { camera_id: 1, transition: 'cut' });
  });

  it('starts a new timeline the appliance accepts as it is', () => {
    const result = validateTimelineDocument(toDocument(emptyModel()));
    assert.equal(result.ok, true, JSON.stringify(result));
  });

  it('writes a document with every kind of cue that the appliance accepts', () => {
    const result = validateTimelineDocument(toDocument(fromDocument(storedDocument())));
    assert.equal(result.ok, true, JSON.stringify(result));
  });

  it('finds a cue and its track by uid', () => {
    const model = fromDocument(storedDocument());
    const uid = uidOf(model, 'logo_1');
    const found = findCue(model, uid);
    assert.equal(found?.cue.id, 'logo_1');
    assert.equal(found?.track.uid, model.overlays[1]!.uid);
    assert.equal(findCue(model, null), null);
    assert.equal(findCue(model, 'no-such-uid'), null);
  });

  it('names a new cue after a base not used yet, in the characters a cue id allows', () => {
    const model = fromDocument(storedDocument());
    assert.equal(uniqueCueId(model, 'cam1'), 'cam1_2');
    assert.equal(uniqueCueId(model, 'lower_third'), 'lower_third_2');
    assert.equal(uniqueCueId(model, 'promo'), 'promo_1');
    assert.equal(uniqueCueId(model, ' Big  sign! '), 'Big_sign_1');
    assert.equal(uniqueCueId(model, '!!!'), 'cue_1');
  });
});

describe('builder model: time text', () => {
  it('formats seconds as m:ss or h:mm:ss, with tenths only when there are some', () => {
    assert.equal(formatTime(0), '0:00');
    assert.equal(formatTime(75.5), '1:15.5');
    assert.equal(formatTime(75.5, false), '1:15');
    assert.equal(formatTime(3725), '1:02:05');
    assert.equal(formatTime(-12), '-0:12');
  });

  it('carries a tenth that rounds up into the next second and minute', () => {
    assert.equal(formatTime(59.96), '1:00');
    assert.equal(formatTime(3599.97), '1:00:00');
  });

  it('reads seconds, m:ss, h:mm:ss and a trailing s; anything else is not a time', () => {
    assert.equal(parseTime('90'), 90);
    assert.equal(parseTime(' 12.5s '), 12.5);
    assert.equal(parseTime('1:30'), 90);
    assert.equal(parseTime('1:02:03.5'), 3723.5);
    for (const text of ['', 's', 'abc', '1:2:3:4', '-5', '1:30x', '1,5'])
      assert.equal(parseTime(text), null, text);
  });

  it('reads back every time it writes', () => {
    for (const seconds of [0, 0.5, 9.9, 59.9, 60, 61.2, 599.9, 3600, 3723.5, 86399.9])
      assert.equal(roundTime(parseTime(formatTime(seconds)) ?? NaN), seconds, String(seconds));
  });

  it('keeps times to the millisecond', () => {
    assert.equal(roundTime(0.1 + 0.2), 0.3);
    assert.equal(roundTime(12.3456), 12.346);
    assert.equal(cueEnd({ start: 0.1, duration: 0.2 }), 0.3);
  });
});

describe('builder model: placing a dropped cue', () => {
  const lane = [
    { start: 10, duration: 10 },
    { start: 40, duration: 5 },
  ];

  it('keeps the drop point and the wanted length where there is room', () => {
    assert.deepEqual(placeCue(lane, 20, 15, 100), { start: 20, duration: 15 });
    assert.deepEqual(placeCue([], 0, 30, 100), { start: 0, duration: 30 });
  });

  it('starts a drop inside a cue where that cue ends', () => {
    assert.deepEqual(placeCue(lane, 12, 5, 100), { start: 20, duration: 5 });
  });

  it('shortens the cue to end where the next cue starts, or at the timeline end', () => {
    assert.deepEqual(placeCue(lane, 25, 30, 100), { start: 25, duration: 15 });
    assert.deepEqual(placeCue(lane, 90, 30, 100), { start: 90, duration: 10 });
  });

  it('starts a drop before the timeline at 0', () => {
    assert.deepEqual(placeCue(lane, -3, 5, 100), { start: 0, duration: 5 });
  });

  it('refuses a place with less than half a second of room', () => {
    assert.equal(
      placeCue(
        [
          { start: 10, duration: 10 },
          { start: 20.4, duration: 5 },
        ],
        20,
        5,
        100,
      ),
      null,
    );
    assert.equal(placeCue([], 99.7, 5, 100), null);
  });

  it('does not depend on the order of the lane', () => {
    assert.deepEqual(placeCue([...lane].reverse(), 12, 30, 100), placeCue(lane, 12, 30, 100));
  });
});

describe('builder model: snapping', () => {
  const options = { enabled: true, pps: 10, targets: [0, 30, 47.5] };

  it('snaps to the nearest edge within 8 pixels', () => {
    assert.equal(snapCorrection(29.5, options), 0.5);
    assert.equal(snapCorrection(48.1, { ...options, pps: 3 }), 47.5 - 48.1);
    assert.equal(snapCorrection(31.9, { ...options, pps: 1 }), 30 - 31.9, '30 is nearer than 47.5');
  });

  it('snaps to whole seconds only when they are at least 4 pixels apart', () => {
    assert.equal(roundTime(snapCorrection(12.3, options)), -0.3);
    assert.equal(snapCorrection(12.3, { ...options, pps: 0.5 }), -12.3, 'to 0, the only target in reach');
    assert.equal(snapCorrection(112.3, { ...options, pps: 3 }), 0);
  });

  it('prefers a neighbour’s edge to the playhead, and the playhead to a whole second', () => {
    // Edge 30 at 0.6 s, playhead 29.8 at 0.4 s, whole second 29 at 0.4 s: the edge wins though farther.
    const snapped = snapPoint(29.4, { ...options, playhead: 29.8 });
    assert.deepEqual([snapped?.at, snapped?.kind, roundTime(snapped?.correction ?? 0)], [30, 'edge', 0.6]);
    // No edge in reach: the playhead, though the whole second 40 is nearer.
    const far = { ...options, playhead: 40.6 };
    assert.equal(snapPoint(40.1, far)?.kind, 'playhead');
    assert.equal(snapPoint(40.1, far)?.at, 40.6);
    assert.equal(snapPoint(40.1, { ...options })?.kind, 'second');
    assert.equal(snapPoint(40.5, { ...options, pps: 20 }), null, 'half way between seconds, 10 px from each');
  });

  it('does nothing when snapping is off', () => {
    assert.equal(snapCorrection(29.5, { ...options, enabled: false }), 0);
    assert.equal(snapMove(29.5, 10, { ...options, enabled: false }), 29.5);
    assert.equal(snapPoint(29.5, { ...options, enabled: false }), null);
  });

  it('snaps a moved cue by the edge nearer a target, an edge before a whole second', () => {
    const far = { enabled: true, pps: 1, targets: [0, 30, 100] };
    assert.equal(snapMove(27, 10, far), 30, 'the start is 3 s away, the end 7 s');
    assert.equal(snapMove(16, 12, far), 18, 'only the end is in reach');
    assert.equal(snapMove(50, 10, far), 50, 'nothing in reach');
    // At 10 px/s: the start is 0.2 s from the second 12, the end 0.5 s from the edge 30.
    const moved = snapMoveTo(11.8, 17.7, options);
    assert.equal(roundTime(moved.start), 12.3);
    assert.equal(moved.snap?.kind, 'edge');
  });

  it('aims at 0, the end and the edges of every other cue and of their repeats', () => {
    const model = fromDocument(storedDocument());
    const moving = uidOf(model, 'lower_third_1'); // 5 s to 15 s
    assert.deepEqual(new Set(snapTargets(model, moving)), new Set([0, 120, 30, 70.5, 90.5]));
    assert.deepEqual(new Set(snapTargets(model, null)), new Set([0, 120, 30, 70.5, 90.5, 5, 15]));
    const repeated = updateCue(uidOf(model, 'lower_third_1'), (cue) => ({
      ...cue,
      repeat: { every: 50 },
    }))(model);
    assert.deepEqual(
      new Set(snapTargets(repeated, null)),
      new Set([0, 120, 30, 70.5, 90.5, 5, 15, 55, 65, 105, 115]),
    );
  });
});

describe('builder model: how cues are drawn', () => {
  it('never draws a cue narrower than 24 px, and a long one at its true length', () => {
    assert.equal(MIN_CUE_PIXELS, 24);
    assert.equal(cueWidth(30, 0.5), 24, '30 s on a 30-minute timeline fit into 900 px is 15 px');
    assert.equal(cueWidth(0.04, 200), 24);
    assert.equal(cueWidth(600, 0.5), 300);
  });

  it('draws a repeat’s copies where repeatStarts puts them, before the end (or "until")', () => {
    const model = fromDocument(storedDocument());
    const lower = model.overlays[0]!.cues[0]!; // 5 s for 10 s
    assert.deepEqual(repeatGhosts(lower, 120), []);
    assert.deepEqual(repeatGhosts({ ...lower, repeat: { every: 30 } }, 120), [35, 65, 95]);
    assert.deepEqual(repeatGhosts({ ...lower, repeat: { every: 30, until: 70 } }, 120), [35, 65]);
    // The reference show: a lower third at 0 every 10 minutes of a 30-minute show.
    assert.deepEqual(repeatGhosts({ ...lower, start: 0, repeat: { every: 600 } }, 1800), [600, 1200]);
  });

  it('keeps a cue’s repeat through the document and back, and writes none when it has none', () => {
    const model = fromDocument(storedDocument());
    const uid = uidOf(model, 'lower_third_1');
    const repeated = updateCue(uid, (cue) => ({ ...cue, repeat: { every: 60, until: 100 } }))(model);
    const document = toDocument(repeated);
    assert.deepEqual(document.timeline.tracks.overlays![0]!.cues[0]!.repeat, { every: 60, until: 100 });
    assert.deepEqual(fromDocument(document).overlays[0]!.cues[0]!.repeat, { every: 60, until: 100 });
    assert.equal('repeat' in document.timeline.tracks.video.cues[0]!, false);
    const result = validateTimelineDocument(document);
    assert.equal(result.ok, true, JSON.stringify(result));
  });
});

describe('builder model: the appliance’s issues', () => {
  const issue = (path: string, severity: Issue['severity'] = 'error'): Issue => ({
    path,
    message: `problem at ${path}`,
    severity,
  });

  it('places a cue’s issue on that cue, with the field inside it', () => {
    const model = fromDocument(storedDocument());
    const [video, overlay] = placeIssues(model, [
      issue('timeline.tracks.video.cues[1].params.preset_id'),
      issue('tracks.overlays[0].cues[0].duration'),
    ]);
    assert.deepEqual(
      [video?.cueUid, video?.trackUid, video?.field],
      [uidOf(model, 'cam2_1'), 'video', 'params.preset_id'],
    );
    assert.deepEqual(
      [overlay?.cueUid, overlay?.trackUid, overlay?.field],
      [uidOf(model, 'lower_third_1'), model.overlays[0]!.uid, 'duration'],
    );
  });

  it('places a track’s own issue on the track, and a setting’s on the timeline', () => {
    const model = fromDocument(storedDocument());
    const [layer, name, document] = placeIssues(model, [
      issue('timeline.tracks.overlays[1].layer'),
      issue('timeline.name'),
      issue('(document)'),
    ]);
    assert.deepEqual([layer?.cueUid, layer?.trackUid, layer?.field], [null, model.overlays[1]!.uid, 'layer']);
    assert.deepEqual([name?.cueUid, name?.trackUid, name?.field], [null, null, 'name']);
    assert.deepEqual([document?.cueUid, document?.trackUid, document?.field], [null, null, null]);
  });

  it('places nothing on a cue or track the model does not have', () => {
    const model = fromDocument(storedDocument());
    const [gone] = placeIssues(model, [issue('timeline.tracks.overlays[5].cues[9].duration')]);
    assert.deepEqual([gone?.cueUid, gone?.trackUid, gone?.field], [null, null, 'duration']);
  });

  it('places the appliance’s own validation errors on the cue that caused them', () => {
    const model = fromDocument(storedDocument());
    const clip = model.video.cues[2]!;
    model.video.cues[2] = { ...clip, duration: 60 }; // now ends after the timeline
    const result = validateTimelineDocument(toDocument(model));
    assert.equal(result.ok, false);
    if (result.ok) return;
    const placed = placeIssues(
      model,
      result.errors.map((e) => ({ ...e, severity: 'error' as const })),
    );
    const onClip = placed.filter((p) => p.cueUid === clip.uid);
    assert.equal(onClip.length, 1, JSON.stringify(placed));
    assert.equal(onClip[0]!.field, 'duration');
    assert.match(onClip[0]!.message, /after the timeline's end/);
  });

  it('gives a field its errors joined, never its warnings, scoped to the cue, track or timeline', () => {
    const model = fromDocument(storedDocument());
    const cueUid = uidOf(model, 'cam1_1');
    const trackUid = model.overlays[0]!.uid;
    const placed = placeIssues(model, [
      issue('timeline.tracks.video.cues[0].duration'),
      { ...issue('timeline.tracks.video.cues[0].duration'), message: 'second problem' },
      issue('timeline.tracks.video.cues[0].params.camera_id', 'warning'),
      issue('timeline.tracks.overlays[0].name'),
      issue('timeline.tracks.overlays[0].cues[0].name'),
      issue('timeline.name'),
    ]);
    assert.equal(
      issueAt(placed, { cueUid, field: 'duration' }),
      'problem at timeline.tracks.video.cues[0].duration; second problem',
    );
    assert.equal(issueAt(placed, { cueUid, field: 'params.camera_id' }), undefined);
    assert.equal(issueAt(placed, { trackUid, field: 'name' }), 'problem at timeline.tracks.overlays[0].name');
    assert.equal(issueAt(placed, { field: 'name' }), 'problem at timeline.name');
    assert.equal(issueAt(placed, { field: 'duration' }), undefined, 'a cue’s duration is not the timeline’s');
  });

  it('words a field path for people', () => {
    assert.equal(fieldLabel(null), '');
    assert.equal(fieldLabel('params.font_size'), 'font size');
    assert.equal(fieldLabel('params'), 'settings');
    assert.equal(fieldLabel('start_time'), 'start time');
  });
});
