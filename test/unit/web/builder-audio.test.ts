// The builder's audio bed: the document's audio track survives load and save, music from the
// palette goes on the Audio lane (to the end of the timeline), the appliance's issues about the
// bed land on its cues, and the overlap fix and paste work on the bed as on the video track.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimelineInput } from '../../../src/timeline/schema.ts';
import { validateTimelineDocument } from '../../../src/timeline/validate.ts';
import { accepts } from '../../../web/src/pages/timelines/builder/catalog.ts';
import { cueFromItem, cueTitle } from '../../../web/src/pages/timelines/builder/cues.ts';
import { copyCue, pasteCue, placeAfterPrevious } from '../../../web/src/pages/timelines/builder/edits.ts';
import {
  emptyModel,
  fromDocument,
  placeIssues,
  toDocument,
  type Model,
} from '../../../web/src/pages/timelines/builder/model.ts';
import { updateAudioTrack } from '../../../web/src/pages/timelines/builder/state.ts';
import { catalog, storedDocument } from './builder-fixtures.ts';

function withBed(): { timeline: TimelineInput } {
  const document = storedDocument();
  document.timeline.tracks.audio = {
    track_id: 'audio',
    type: 'audio',
    name: 'Audio',
    enabled: true,
    source_audio: 'replace',
    duck_db: 9,
    cues: [
      {
        id: 'music_1',
        start_time: 0,
        duration: 60,
        action: 'play_audio',
        params: { asset_ids: [12, 12], loop: false, volume_db: -6, fade_in: 1, fade_out: 3 },
      },
    ],
  };
  const video = document.timeline.tracks.video.cues[0]!;
  if (video.action === 'show_camera') video.params.source_audio = 'duck';
  return document;
}

const audioItem = { kind: 'audio', assetId: 12, label: 'jingle.mp3' } as const;

describe('builder audio bed', () => {
  it('writes back the bed and a video cue’s own choice as they were loaded', () => {
    const document = withBed();
    const written = toDocument(fromDocument(document));
    assert.deepEqual(written.timeline.tracks.audio, document.timeline.tracks.audio);
    assert.deepEqual(
      written.timeline.tracks.video.cues[0]!.params,
      document.timeline.tracks.video.cues[0]!.params,
    );
    assert.equal(validateTimelineDocument(written).ok, true);
  });

  it('writes no audio track while the bed has no music, whatever its settings', () => {
    const model = updateAudioTrack({ sourceAudio: 'replace' })(emptyModel());
    assert.equal('audio' in toDocument(model).timeline.tracks, false);
  });

  it('takes audio only on the Audio lane, and nothing else there', () => {
    assert.equal(accepts(audioItem, 'audio'), true);
    assert.equal(accepts(audioItem, 'video'), false);
    assert.equal(accepts(audioItem, 'overlay'), false);
    assert.equal(accepts({ kind: 'camera', cameraId: 1, label: 'Dock' }, 'audio'), false);
  });

  it('makes a music cue from an audio file, running to the end of the timeline', () => {
    const model = fromDocument(storedDocument()); // 120 s long
    const cue = cueFromItem(audioItem, model.audio, 20, model, catalog());
    assert.ok(cue && cue.action === 'play_audio');
    assert.deepEqual([cue.start, cue.duration, cue.params.asset_ids], [20, 100, [12]]);
    assert.equal(cueTitle(cue, catalog()), '♪ jingle.mp3');
  });

  it('places the appliance’s issues about the bed on its cue and track', () => {
    const model = fromDocument(withBed());
    const [onCue, onTrack] = placeIssues(model, [
      { path: 'timeline.tracks.audio.cues[0].params.asset_ids[1]', message: 'x', severity: 'error' },
      { path: 'timeline.tracks.audio.duck_db', message: 'y', severity: 'error' },
    ]);
    assert.equal(onCue!.cueUid, model.audio.cues[0]!.uid);
    assert.equal(onCue!.field, 'params.asset_ids[1]');
    assert.deepEqual([onTrack!.trackUid, onTrack!.cueUid, onTrack!.field], ['audio', null, 'duck_db']);
  });

  it('pastes music on the bed and fixes an overlap by placing it after the previous cue', () => {
    const model: Model = fromDocument(withBed());
    const copied = copyCue(model.audio.cues[0]!);
    const pasted = pasteCue(model, copied, model.video.uid, 30);
    assert.ok(pasted);
    assert.equal(pasted.trackUid, 'audio');
    assert.equal(pasted.cue.start, 60); // it would land inside music_1: after it
    const overlapping = {
      ...pasted.model,
      audio: {
        ...pasted.model.audio,
        cues: pasted.model.audio.cues.map((c) => (c.uid === pasted.cue.uid ? { ...c, start: 40 } : c)),
      },
    };
    const fixed = placeAfterPrevious(overlapping, pasted.cue.uid);
    assert.equal(fixed.audio.cues.find((c) => c.uid === pasted.cue.uid)!.start, 60);
  });
});
