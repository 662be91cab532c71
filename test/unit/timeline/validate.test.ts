import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  validateTimelineDocument,
  validateTimelineJson,
  type TimelineIssue,
} from '../../../src/timeline/validate.ts';
import { specExampleJson } from '../../helpers/timelines.ts';

type Doc = ReturnType<typeof specExampleJson>;
// Loose accessors for mutating the raw example in tests.
/* eslint-disable @typescript-eslint/no-explicit-any */
const video = (doc: Doc) => (doc.timeline.tracks as any).video.cues as any[];
const overlays = (doc: Doc) => (doc.timeline.tracks as any).overlays as any[];
/* eslint-enable @typescript-eslint/no-explicit-any */

function errorsOf(mutate: (doc: Doc) => void): TimelineIssue[] {
  const doc = specExampleJson();
  mutate(doc);
  const result = validateTimelineDocument(doc);
  assert.equal(result.ok, false, 'expected the timeline to be rejected');
  return result.ok ? [] : result.errors;
}

function assertError(errors: TimelineIssue[], path: string, message: RegExp) {
  const hit = errors.find((e) => e.path === path);
  assert.ok(hit, `no error at ${path}; got ${JSON.stringify(errors)}`);
  assert.match(hit.message, message);
}

describe('timeline validation', () => {
  it('accepts the spec example unchanged, filling defaults', () => {
    const result = validateTimelineDocument(specExampleJson());
    assert.equal(result.ok, true);
    if (!result.ok) return;
    const t = result.document.timeline;
    assert.equal(t.loop, false);
    assert.equal(t.tracks.video.cues[2]!.params.transition, 'fade');
    assert.equal(t.tracks.video.cues[2]!.params.transition_duration, 1);
    assert.equal(t.tracks.video.cues[0]!.params.transition_duration, 0);
    const media = t.tracks.video.cues[1]!;
    assert.equal(media.action === 'show_media' && media.params.media_type, 'image');
    // The example leaves 125 s → 3600 s empty: a warning, not an error.
    assert.deepEqual(
      result.warnings.map((w) => w.path),
      ['timeline.tracks.video.cues[2].duration'],
    );
  });

  it('reports malformed JSON with line and column', () => {
    const result = validateTimelineJson('{\n  "timeline": {\n    "name": "x",,\n  }\n}');
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.errors[0]!.path, '(document)');
    assert.match(result.errors[0]!.message, /not valid JSON at line 3, column \d+/);
  });

  it('names the path of a wrong type', () => {
    const errors = errorsOf((d) => (video(d)[2].start_time = '65'));
    assertError(errors, 'timeline.tracks.video.cues[2].start_time', /must be a number of seconds; got "65"/);
  });

  it('names a missing required field', () => {
    const errors = errorsOf((d) => delete d.timeline['name']);
    assertError(errors, 'timeline.name', /is required/);
  });

  it('rejects an unknown action type with the allowed ones', () => {
    const errors = errorsOf((d) => (video(d)[1].action = 'show_webpage'));
    assertError(
      errors,
      'timeline.tracks.video.cues[1].action',
      /show_camera, show_media.*got "show_webpage"/,
    );
  });

  it('rejects an overlay action on the video track and an unknown overlay type', () => {
    const errors = errorsOf((d) => {
      video(d)[0].action = 'show_overlay';
      overlays(d)[1].cues[0].params.type = 'ticker';
    });
    assertError(errors, 'timeline.tracks.video.cues[0].action', /show_camera, show_media/);
    assertError(
      errors,
      'timeline.tracks.overlays[1].cues[0].params.type',
      /lower_third, logo, text, image, dynamic_text/,
    );
  });

  it('rejects unknown fields (typos)', () => {
    const errors = errorsOf((d) => (overlays(d)[1].cues[0].params.font_colour = '#fff'));
    assertError(errors, 'timeline.tracks.overlays[1].cues[0].params.font_colour', /unknown field/);
  });

  it('rejects overlapping cues on one track, naming both', () => {
    const errors = errorsOf((d) => (video(d)[2].start_time = 62));
    assertError(
      errors,
      'timeline.tracks.video.cues[2].start_time',
      /"cue_v3" starts at 62 s, while cue "cue_v2" \(60–65 s\)/,
    );
  });

  it('allows overlapping cues on different tracks and back-to-back cues on one', () => {
    const doc = specExampleJson();
    overlays(doc)[1].cues[0].start_time = 12; // overlaps o1 on another layer
    overlays(doc)[0].cues.push({
      id: 'o_next',
      start_time: 25,
      duration: 5,
      action: 'show_overlay',
      params: { type: 'text', text: 'back to back' },
    });
    assert.equal(validateTimelineDocument(doc).ok, true);
  });

  it('rejects negative times and cues beyond the duration', () => {
    assertError(
      errorsOf((d) => (video(d)[0].start_time = -1)),
      'timeline.tracks.video.cues[0].start_time',
      /must not be negative/,
    );
    // Cross-field rules run once every field is well-typed.
    const errors = errorsOf((d) => (overlays(d)[0].cues[1].start_time = 3595));
    assertError(
      errors,
      'timeline.tracks.overlays[0].cues[1].duration',
      /ends at 3605 s, after the timeline's end \(3600 s\)/,
    );
  });

  it('rejects zero and sub-frame durations', () => {
    assertError(
      errorsOf((d) => (video(d)[1].duration = 0)),
      'timeline.tracks.video.cues[1].duration',
      /greater than 0/,
    );
    assertError(
      errorsOf((d) => (video(d)[1].duration = 0.01)),
      'timeline.tracks.video.cues[1].duration',
      /shorter than one frame/,
    );
  });

  it('rejects duplicate cue ids, track ids and layers', () => {
    const errors = errorsOf((d) => {
      overlays(d)[1].cues[0].id = 'cue_v1';
      overlays(d)[1].track_id = 'overlay_1';
      overlays(d)[1].layer = 1;
    });
    assertError(
      errors,
      'timeline.tracks.overlays[1].cues[0].id',
      /already used at timeline.tracks.video.cues\[0\].id/,
    );
    assertError(errors, 'timeline.tracks.overlays[1].track_id', /already used/);
    assertError(errors, 'timeline.tracks.overlays[1].layer', /layer 1 is already used/);
  });

  it('rejects transitions and fades longer than their cue', () => {
    const errors = errorsOf((d) => {
      video(d)[1].params.transition_duration = 6;
      overlays(d)[0].cues[0].params.fade_in = 10;
      overlays(d)[0].cues[0].params.fade_out = 10;
    });
    assertError(errors, 'timeline.tracks.video.cues[1].params.transition_duration', /longer than the cue/);
    assertError(errors, 'timeline.tracks.overlays[0].cues[0].params.fade_in', /fade_in \+ fade_out \(20 s\)/);
  });

  it('rejects a cut with a duration, and an unknown transition', () => {
    assertError(
      errorsOf((d) => (video(d)[0].params.transition_duration = 1)),
      'timeline.tracks.video.cues[0].params.transition_duration',
      /a cut has no duration/,
    );
    assertError(
      errorsOf((d) => (video(d)[0].params.transition = 'wipe')),
      'timeline.tracks.video.cues[0].params.transition',
      /cut, fade, dissolve; got "wipe"/,
    );
  });

  it('requires exactly one media reference', () => {
    assertError(
      errorsOf((d) => (video(d)[1].params.asset_id = 4)),
      'timeline.tracks.video.cues[1].params',
      /exactly one of "asset_id" or "media_url"/,
    );
    assertError(
      errorsOf((d) => delete overlays(d)[0].cues[1].params.image_url),
      'timeline.tracks.overlays[0].cues[1].params',
      /exactly one of "image_url" or "asset_id"/,
    );
  });

  it('checks ranges of overlay parameters', () => {
    const errors = errorsOf((d) => {
      const params = overlays(d)[1].cues[0].params;
      params.opacity = 1.5;
      params.color = 'white';
      params.position = { x: -4, y: 10 };
    });
    assertError(errors, 'timeline.tracks.overlays[1].cues[0].params.opacity', /from 0 to 1/);
    assertError(errors, 'timeline.tracks.overlays[1].cues[0].params.color', /#RRGGBB/);
    assertError(errors, 'timeline.tracks.overlays[1].cues[0].params.position.x', /must not be negative/);
  });

  it('validates resolution, fps and camera ids', () => {
    const errors = errorsOf((d) => {
      d.timeline['resolution'] = '1921x1080';
      d.timeline['fps'] = 29.97;
      video(d)[0].params.camera_id = 0;
    });
    assertError(errors, 'timeline.resolution', /even/);
    assertError(errors, 'timeline.fps', /whole number; got 29.97/);
    assertError(errors, 'timeline.tracks.video.cues[0].params.camera_id', /positive camera id/);
  });

  it('accepts every overlay type and explicit positions', () => {
    const doc = specExampleJson();
    overlays(doc).push({
      track_id: 'extras',
      type: 'overlay',
      layer: 5,
      cues: [
        {
          id: 'i',
          start_time: 0,
          duration: 5,
          action: 'show_overlay',
          params: { type: 'image', asset_id: 3, position: { x: 100, y: 40 }, scale: 0.5 },
        },
        {
          id: 'd',
          start_time: 5,
          duration: 5,
          action: 'show_overlay',
          params: {
            type: 'dynamic_text',
            template: 'Water {temp} °C at {time}',
            data_url: 'http://127.0.0.1:8080/sensors.json',
            poll_interval: 60,
            background: '#00000080',
          },
        },
        {
          id: 'l',
          start_time: 10,
          duration: 5,
          action: 'show_overlay',
          params: { type: 'lower_third', text: 'Hello', subtitle: 'World' },
        },
      ],
    });
    const result = validateTimelineDocument(doc);
    assert.equal(result.ok, true, JSON.stringify(!result.ok && result.errors));
  });

  it('warns about gaps in the video track (the slate fills them)', () => {
    const doc = specExampleJson();
    video(doc)[2].start_time = 70;
    const result = validateTimelineDocument(doc);
    assert.equal(result.ok, true);
    assert.match(
      result.warnings.find((w) => w.path === 'timeline.tracks.video.cues[2].start_time')?.message ?? '',
      /gap from 65 s to 70 s/,
    );
  });
});
