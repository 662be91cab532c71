// The audio bed's rules: cues on the bed may not overlap (one plays at a time, even within fades),
// lie within the timeline, fit their fades; an empty bed warns; the playlist names uploaded audio.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findBedAssetProblems } from '../../../src/timeline/references.ts';
import { validateTimelineDocument, type TimelineIssue } from '../../../src/timeline/validate.ts';
import { mustValidate } from '../../helpers/timelines.ts';

type Raw = Record<string, unknown>;
const music = (id: string, start: number, duration: number, params: Raw = {}): Raw => ({
  id,
  start_time: start,
  duration,
  action: 'play_audio',
  params: { asset_ids: [1], ...params },
});

function doc(bedCues: Raw[] | null, duration = 120) {
  return {
    timeline: {
      name: 'Harbour',
      duration,
      tracks: {
        video: {
          track_id: 'video',
          type: 'video',
          cues: [{ id: 'cam', start_time: 0, duration, action: 'show_camera', params: { camera_id: 1 } }],
        },
        ...(bedCues ? { audio: { track_id: 'bed', type: 'audio', cues: bedCues } } : {}),
      },
    },
  };
}

function errorsOf(bedCues: Raw[], duration?: number): TimelineIssue[] {
  const result = validateTimelineDocument(doc(bedCues, duration));
  assert.equal(result.ok, false, 'expected the timeline to be refused');
  return result.ok ? [] : result.errors;
}

describe('audio bed validation', () => {
  it('accepts a bed of cues one after another, filling the defaults', () => {
    const document = mustValidate(doc([music('a', 0, 60), music('b', 60, 60, { asset_ids: [1, 2] })]));
    const bed = document.timeline.tracks.audio!;
    assert.equal(bed.source_audio, 'duck');
    assert.equal(bed.duck_db, 12);
    assert.deepEqual(bed.cues[1]!.params, {
      asset_ids: [1, 2],
      loop: true,
      volume_db: 0,
      fade_in: 2,
      fade_out: 2,
    });
  });

  it('refuses overlapping bed cues and names both', () => {
    const errors = errorsOf([music('a', 0, 60), music('b', 30, 60)]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.path, 'timeline.tracks.audio.cues[1].start_time');
    assert.match(errors[0]!.message, /cue "b" starts at 30 s, while cue "a" \(0–60 s\) is still on/);
    assert.match(
      errors[0]!.message,
      /one music cue plays at a time: let the first fade out and the next fade in/,
    );
  });

  it('refuses an overlap even within both fades: the engine plays one music cue at a time', () => {
    const withinFades = [music('a', 0, 62, { fade_out: 3 }), music('b', 60, 60, { fade_in: 2 })];
    const errors = errorsOf(withinFades);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.path, 'timeline.tracks.audio.cues[1].start_time');
    const endToEnd = [music('a', 0, 60, { fade_out: 3 }), music('b', 60, 60, { fade_in: 2 })];
    assert.equal(validateTimelineDocument(doc(endToEnd)).ok, true, 'one ends as the next begins');
  });

  it('refuses a bed cue past the end of the timeline', () => {
    const errors = errorsOf([music('a', 100, 30)]);
    assert.equal(errors[0]!.path, 'timeline.tracks.audio.cues[0].duration');
    assert.match(errors[0]!.message, /ends at 130 s, after the timeline's end \(120 s\)/);
  });

  it('refuses fades longer than the cue, with what to do', () => {
    const errors = errorsOf([music('a', 0, 10, { fade_in: 6, fade_out: 5 })]);
    assert.equal(errors[0]!.path, 'timeline.tracks.audio.cues[0].params.fade_in');
    assert.match(errors[0]!.message, /fade_in \+ fade_out \(11 s\) is longer than the cue \(10 s\): shorten/);
  });

  it('refuses a repeat that overlaps its own copies, and a copy that overlaps the next cue', () => {
    const own = errorsOf([{ ...music('a', 0, 30), repeat: { every: 20 } }]);
    assert.equal(own[0]!.path, 'timeline.tracks.audio.cues[0].repeat.every');
    const next = errorsOf([{ ...music('a', 0, 20), repeat: { every: 50 } }, music('b', 60, 30)]);
    assert.match(next[0]!.message, /repeat 1 of cue "a"|cue "b"/);
  });

  it('refuses a cue id already used on another track', () => {
    const errors = errorsOf([music('cam', 0, 30)]);
    assert.equal(errors[0]!.path, 'timeline.tracks.audio.cues[0].id');
    assert.match(errors[0]!.message, /already used at timeline\.tracks\.video\.cues\[0\]\.id/);
  });

  it('refuses an empty playlist and a volume out of range, at their paths', () => {
    const errors = errorsOf([music('a', 0, 30, { asset_ids: [], volume_db: 20 })]);
    const paths = errors.map((e) => e.path);
    assert.ok(paths.includes('timeline.tracks.audio.cues[0].params.asset_ids'), JSON.stringify(errors));
    assert.ok(paths.includes('timeline.tracks.audio.cues[0].params.volume_db'), JSON.stringify(errors));
  });

  it('warns about an empty bed but saves it', () => {
    const result = validateTimelineDocument(doc([]));
    assert.equal(result.ok, true);
    const warning = result.warnings.find((w) => w.path === 'timeline.tracks.audio.cues');
    assert.ok(warning, JSON.stringify(result.warnings));
    assert.match(warning.message, /the audio bed has no cues/);
  });

  it('a timeline without a bed says nothing about one', () => {
    const result = validateTimelineDocument(doc(null));
    assert.equal(result.ok, true);
    assert.equal(result.ok && result.warnings.some((w) => w.path.includes('audio')), false);
  });
});

describe('audio bed assets', () => {
  const assets = [
    { id: 1, asset_type: 'audio' as const },
    { id: 7, asset_type: 'image' as const },
    { id: 8, asset_type: 'video' as const },
  ];
  const timelineWith = (ids: number[]) => mustValidate(doc([music('a', 0, 60, { asset_ids: ids })])).timeline;

  it('accepts uploaded audio', () => {
    assert.deepEqual(findBedAssetProblems(timelineWith([1, 1]), assets), []);
  });

  it('names each entry that is not audio or not in the library, at its place in the playlist', () => {
    const problems = findBedAssetProblems(timelineWith([1, 7, 8, 99]), assets);
    assert.deepEqual(
      problems.map((p) => p.path),
      [1, 2, 3].map((i) => `timeline.tracks.audio.cues[0].params.asset_ids[${i}]`),
    );
    assert.match(problems[0]!.message, /^asset 7 is an image, not audio: choose an uploaded audio file/);
    assert.match(problems[1]!.message, /^asset 8 is a video, not audio/);
    assert.match(problems[2]!.message, /^asset 99 is not in the library: upload the audio file/);
  });

  it('has nothing to say without a bed', () => {
    assert.deepEqual(findBedAssetProblems(mustValidate(doc(null)).timeline, assets), []);
  });
});
