import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveOverrides } from '../../../src/engine/overrides.ts';
import { presetMoves } from '../../../src/ptz/cue-plan.ts';
import { expandRepeats, repeatStarts } from '../../../src/timeline/repeat.ts';
import { compileTimeline, lookahead, resolveFrame } from '../../../src/timeline/resolver.ts';
import type { TimelineInput } from '../../../src/timeline/schema.ts';
import { validateTimelineDocument } from '../../../src/timeline/validate.ts';
import { mustValidate } from '../../helpers/timelines.ts';

const lowerThird = { type: 'lower_third', text: 'Welcome', fade_in: 0.5, fade_out: 0.5 } as const;

/** A 60 s looping show: two cameras back to back with a dissolve, one lower third, one logo. */
function show(overlayCues: unknown[], videoCues?: unknown[]): TimelineInput {
  return {
    name: 'Repeat test',
    duration: 60,
    fps: 10,
    resolution: '320x180',
    loop: true,
    tracks: {
      video: {
        track_id: 'video',
        type: 'video',
        cues: (videoCues ?? [
          { id: 'c1', start_time: 0, duration: 30, action: 'show_camera', params: { camera_id: 1 } },
          {
            id: 'c2',
            start_time: 30,
            duration: 30,
            action: 'show_camera',
            params: { camera_id: 2, transition: 'dissolve', transition_duration: 1 },
          },
        ]) as never,
      },
      overlays: [{ track_id: 'lt', type: 'overlay', layer: 1, cues: overlayCues as never }],
    },
  };
}

const validate = (timeline: TimelineInput) => validateTimelineDocument({ timeline });

describe('repeated cues', () => {
  it('places copies every N seconds from the start, up to the end or until', () => {
    assert.deepEqual(repeatStarts({ start_time: 5, repeat: { every: 20 } }, 60), [5, 25, 45]);
    assert.deepEqual(repeatStarts({ start_time: 5, repeat: { every: 20, until: 45 } }, 60), [5, 25]);
    assert.deepEqual(repeatStarts({ start_time: 5, repeat: { every: 20, until: 45.5 } }, 60), [5, 25, 45]);
    assert.deepEqual(repeatStarts({ start_time: 5 }, 60), [5]);
    // Integer steps from the start: a thousand 0.1 s copies, none lost or added to drift.
    assert.equal(repeatStarts({ start_time: 0, repeat: { every: 0.1 } }, 100).length, 1000);
  });

  it('expands into ordinary cues with ids <id>#k, cutting the last copy at the end', () => {
    const timeline = mustValidate({
      timeline: show([
        {
          id: 'lt1',
          start_time: 10,
          duration: 8,
          action: 'show_overlay',
          params: lowerThird,
          repeat: { every: 25 },
        },
      ]),
    }).timeline;
    const cues = expandRepeats(timeline).tracks.overlays[0]!.cues;
    assert.deepEqual(
      cues.map((c) => [c.id, c.start_time, c.duration, 'repeat' in c]),
      [
        ['lt1', 10, 8, false],
        ['lt1#2', 35, 8, false],
      ],
    );
    // 10 + 2×25 = 60 is the end: no third copy.

    const cut = mustValidate({
      timeline: show([
        {
          id: 'lt1',
          start_time: 10,
          duration: 8,
          action: 'show_overlay',
          params: lowerThird,
          repeat: { every: 22 },
        },
      ]),
    }).timeline;
    const cutCues = expandRepeats(cut).tracks.overlays[0]!.cues;
    assert.deepEqual(
      cutCues.map((c) => [c.id, c.start_time, c.duration]),
      [
        ['lt1', 10, 8],
        ['lt1#2', 32, 8],
        ['lt1#3', 54, 6],
      ],
    );
    // The stored document is untouched.
    assert.deepEqual(cut.tracks.overlays[0]!.cues[0]!.repeat, { every: 22 });
  });

  it('refuses a repeat more often than the cue lasts, at repeat.every, in words', () => {
    const result = validate(
      show([
        {
          id: 'lt1',
          start_time: 0,
          duration: 10,
          action: 'show_overlay',
          params: lowerThird,
          repeat: { every: 5 },
        },
      ]),
    );
    assert.equal(result.ok, false);
    const issue = result.errors.find((e) => e.path === 'timeline.tracks.overlays[0].cues[0].repeat.every');
    assert.ok(issue, JSON.stringify(result.errors));
    assert.match(issue.message, /lasts 10 s but repeats every 5 s/);
    assert.match(issue.message, /repeat every 10 s or more/);
  });

  it('refuses until after the timeline end, and notes an until that leaves no copy', () => {
    const late = validate(
      show([
        {
          id: 'lt1',
          start_time: 0,
          duration: 5,
          action: 'show_overlay',
          params: lowerThird,
          repeat: { every: 10, until: 90 },
        },
      ]),
    );
    assert.equal(late.ok, false);
    const issue = late.errors.find((e) => e.path === 'timeline.tracks.overlays[0].cues[0].repeat.until');
    assert.ok(issue);
    assert.match(issue.message, /after the timeline's end \(60 s\)/);

    const none = validate(
      show([
        {
          id: 'lt1',
          start_time: 0,
          duration: 5,
          action: 'show_overlay',
          params: lowerThird,
          repeat: { every: 10, until: 10 },
        },
      ]),
    );
    assert.equal(none.ok, true);
    assert.ok(none.warnings.some((w) => w.path.endsWith('repeat.until') && /never repeats/.test(w.message)));
  });

  it('refuses a copy that overlaps a neighbour, naming both cues, the time and the fix', () => {
    const result = validate(
      show([
        {
          id: 'lt1',
          start_time: 0,
          duration: 5,
          action: 'show_overlay',
          params: lowerThird,
          repeat: { every: 20 },
        },
        {
          id: 'news',
          start_time: 38,
          duration: 5,
          action: 'show_overlay',
          params: { type: 'text', text: 'News' },
        },
      ]),
    );
    assert.equal(result.ok, false);
    assert.equal(result.errors.length, 1, JSON.stringify(result.errors));
    const [issue] = result.errors;
    assert.equal(issue!.path, 'timeline.tracks.overlays[0].cues[0].repeat');
    assert.match(
      issue!.message,
      /repeat 2 of cue "lt1" starts at 40 s, while cue "news" \(38–43 s\) is still on/,
    );
    assert.match(issue!.message, /move one to a new overlay track/);

    const video = validate(
      show(
        [],
        [
          {
            id: 'c1',
            start_time: 0,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 1 },
            repeat: { every: 30 },
          },
          { id: 'c2', start_time: 25, duration: 10, action: 'show_camera', params: { camera_id: 2 } },
        ],
      ),
    );
    assert.equal(video.ok, false);
    assert.match(video.errors[0]!.message, /repeat 1 of cue "c1" starts at 30 s, while cue "c2" \(25–35 s\)/);
    assert.match(video.errors[0]!.message, /shorten or move one/);
  });

  it('resolves a repeated timeline exactly as the same timeline written out by hand', () => {
    const repeated = mustValidate({
      timeline: show(
        [
          {
            id: 'lt1',
            start_time: 10,
            duration: 8,
            action: 'show_overlay',
            params: lowerThird,
            repeat: { every: 22 },
          },
        ],
        [
          { id: 'c1', start_time: 0, duration: 10, action: 'show_camera', params: { camera_id: 1 } },
          {
            id: 'c2',
            start_time: 10,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 2, transition: 'dissolve', transition_duration: 1 },
            repeat: { every: 20 },
          },
          {
            id: 'c3',
            start_time: 20,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 1, transition: 'fade' },
            repeat: { every: 20, until: 41 },
          },
        ],
      ),
    }).timeline;
    const writtenOut = mustValidate({
      timeline: show(
        [
          { id: 'lt1', start_time: 10, duration: 8, action: 'show_overlay', params: lowerThird },
          { id: 'lt1_copy2', start_time: 32, duration: 8, action: 'show_overlay', params: lowerThird },
          { id: 'lt1_copy3', start_time: 54, duration: 6, action: 'show_overlay', params: lowerThird },
        ],
        [
          { id: 'c1', start_time: 0, duration: 10, action: 'show_camera', params: { camera_id: 1 } },
          {
            id: 'c2',
            start_time: 10,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 2, transition: 'dissolve', transition_duration: 1 },
          },
          {
            id: 'c3',
            start_time: 20,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 1, transition: 'fade' },
          },
          {
            id: 'c2_copy2',
            start_time: 30,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 2, transition: 'dissolve', transition_duration: 1 },
          },
          {
            id: 'c3_copy2',
            start_time: 40,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 1, transition: 'fade' },
          },
          {
            id: 'c2_copy3',
            start_time: 50,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 2, transition: 'dissolve', transition_duration: 1 },
          },
        ],
      ),
    }).timeline;
    const a = compileTimeline(repeated);
    const b = compileTimeline(writtenOut);
    // An author may not write `#` in an id, so the hand-written copies say `_copyK` for `#K`.
    const sameIds = <T>(value: T): T =>
      JSON.parse(JSON.stringify(value).replace(/"(\w+)#(\d+)"/g, '"$1_copy$2"')) as T;
    assert.deepEqual(sameIds(a), b);
    // Every frame of three passes (the loop wraps twice), then the lookahead at some of them.
    for (let frame = 0; frame < 3 * 600; frame++) {
      assert.deepEqual(sameIds(resolveFrame(a, frame)), resolveFrame(b, frame), `frame ${frame}`);
    }
    for (const frame of [0, 95, 315, 530, 599, 600, 1190]) {
      assert.deepEqual(sameIds(lookahead(a, frame, 15)), lookahead(b, frame, 15), `lookahead at ${frame}`);
    }
    // At a copy's time the copy is on air, under its own id.
    const at33 = resolveFrame(a, 330);
    assert.equal(at33.video.cueId, 'c2#2');
    assert.deepEqual(
      at33.overlays.map((o) => o.cueId),
      ['lt1#2'],
    );
    // The loop wraps onto the original, dissolving from the last copy's camera.
    const wrapped = resolveFrame(a, 600);
    assert.equal(wrapped.iteration, 1);
    assert.equal(wrapped.video.cueId, 'c1');
    assert.deepEqual(wrapped.overlays, []);
    const intoCopy = resolveFrame(a, 600 + 300);
    assert.equal(intoCopy.video.cueId, 'c2#2');
    assert.deepEqual(intoCopy.video.transition?.from, { kind: 'camera', cameraId: 1 });
  });

  it('gives the PTZ plan one move per copy of a preset cue', () => {
    const timeline = mustValidate({
      timeline: show(
        [],
        [
          {
            id: 'wide',
            start_time: 0,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 1, preset_id: 'wide' },
            repeat: { every: 20 },
          },
          {
            id: 'close',
            start_time: 10,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: 1, preset_id: 'close' },
            repeat: { every: 20 },
          },
        ],
      ),
    }).timeline;
    const moves = presetMoves(compileTimeline(timeline), 0, 599, () => 20);
    assert.deepEqual(
      moves.map((m) => [m.cueId, m.onAirFrame]),
      [
        ['wide', 0],
        ['close', 100],
        ['wide#2', 200],
        ['close#2', 300],
        ['wide#3', 400],
        ['close#3', 500],
      ],
    );
  });

  it('live controls act on a copy: cleared overlays come back at the next copy, a forced camera ends at one', () => {
    const compiled = compileTimeline(
      mustValidate({
        timeline: show(
          [
            {
              id: 'lt1',
              start_time: 2,
              duration: 5,
              action: 'show_overlay',
              params: lowerThird,
              repeat: { every: 20 },
            },
          ],
          [
            {
              id: 'c1',
              start_time: 0,
              duration: 10,
              action: 'show_camera',
              params: { camera_id: 1 },
              repeat: { every: 20 },
            },
            {
              id: 'c2',
              start_time: 10,
              duration: 10,
              action: 'show_camera',
              params: { camera_id: 2 },
              repeat: { every: 20 },
            },
          ],
        ),
      }).timeline,
    );
    const overrides = new LiveOverrides();
    const slate = compiled.slate;
    const onAir = (frame: number) => overrides.apply(resolveFrame(compiled, frame), slate);
    assert.deepEqual(
      onAir(250).overlays.map((o) => o.cueId),
      ['lt1#2'],
    );
    overrides.clearOverlays();
    overrides.force(2);
    assert.deepEqual(onAir(251).overlays, [], 'copy 2 is taken off');
    assert.deepEqual(onAir(251).video, { kind: 'camera', cameraId: 2 }, 'camera 2 forced during c1#2');
    assert.deepEqual(onAir(260).overlays, [], 'and stays off for the rest of copy 2');
    assert.equal(onAir(300).video, null, 'the force ends when c2#2 begins');
    assert.deepEqual(
      onAir(450).overlays.map((o) => o.cueId),
      ['lt1#3'],
      'copy 3 plays as scheduled',
    );
    assert.deepEqual(overrides.snapshot().hiddenOverlayCues, []);
  });
});
