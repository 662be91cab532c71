// "New looping show" (web/src/pages/timelines/quick-show/generate.ts): the operator's choices
// become a timeline the appliance's own schema and validation accept, with the sources adding up
// to the show's length, lower thirds as repeated cues and the clock in a corner.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandRepeats } from '../../../src/timeline/repeat.ts';
import { validateTimelineDocument } from '../../../src/timeline/validate.ts';
import {
  planSources,
  quickShowTimeline,
  type QuickShowChoices,
  type QuickSource,
} from '../../../web/src/pages/timelines/quick-show/generate.ts';

const camera1: QuickSource = { kind: 'camera', cameraId: 1, name: 'Harbour' };
const camera2: QuickSource = { kind: 'camera', cameraId: 2, name: 'Pier' };

function choices(overrides: Partial<QuickShowChoices> = {}): QuickShowChoices {
  return {
    name: 'Looping show',
    lengthMinutes: 30,
    loop: true,
    rows: [
      { source: camera1, minutes: null },
      { source: camera2, minutes: null },
      { source: camera1, minutes: null },
    ],
    transition: 'dissolve',
    transitionSeconds: 1,
    lowerThirds: [{ title: 'Welcome to the Marina', subtitle: '', showSeconds: 30, everyMinutes: 10 }],
    clock: true,
    logoAssetId: null,
    ...overrides,
  };
}

function made(c: QuickShowChoices) {
  const result = quickShowTimeline(c);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  const validation = validateTimelineDocument({ timeline: result.timeline });
  assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.errors));
  return validation.document.timeline;
}

describe('quick show generator', () => {
  it('makes the reference show: camera 1, camera 2, camera 1 for 10 min each with dissolves', () => {
    const timeline = made(choices());
    assert.equal(timeline.duration, 1800);
    assert.equal(timeline.loop, true);
    assert.deepEqual(
      timeline.tracks.video.cues.map((cue) => [
        cue.action === 'show_camera' ? cue.params.camera_id : null,
        cue.start_time,
        cue.duration,
        cue.params.transition,
        cue.params.transition_duration,
      ]),
      [
        [1, 0, 600, 'dissolve', 1],
        [2, 600, 600, 'dissolve', 1],
        [1, 1200, 600, 'dissolve', 1],
      ],
    );
    const [lowerThirds, clock] = timeline.tracks.overlays;
    assert.equal(lowerThirds?.cues.length, 1, 'one cue with a repeat, not copies');
    const lowerThird = lowerThirds.cues[0]!;
    assert.deepEqual(lowerThird.repeat, { every: 600 });
    assert.equal(lowerThird.duration, 30);
    assert.equal(lowerThird.params.type === 'lower_third' && lowerThird.params.text, 'Welcome to the Marina');
    assert.deepEqual(
      expandRepeats(timeline).tracks.overlays[0]!.cues.map((cue) => cue.start_time),
      [0, 600, 1200],
    );
    assert.equal(clock?.cues.length, 1);
    const clockCue = clock.cues[0]!;
    assert.deepEqual([clockCue.start_time, clockCue.duration], [0, 1800]);
    assert.ok(clockCue.params.type === 'dynamic_text');
    assert.deepEqual([clockCue.params.template, clockCue.params.position], ['{time}', 'top_right']);
  });

  it('splits evenly in whole seconds, the first sources taking the odd seconds', () => {
    const plan = planSources(choices({ lengthMinutes: 10.05 })); // 603 s over 3: 201 each
    assert.deepEqual(plan.ok && plan.seconds, [201, 201, 201]);
    const odd = planSources(choices({ lengthMinutes: 7 })); // 420 s over 3 rows → 140 each
    assert.deepEqual(odd.ok && odd.seconds, [140, 140, 140]);
    const four = planSources(
      choices({ lengthMinutes: 11, rows: [1, 2, 3, 4].map(() => ({ source: camera1, minutes: null })) }),
    ); // 660 s over 4 → 165 each
    assert.deepEqual(four.ok && four.seconds, [165, 165, 165, 165]);
    const remainder = planSources(
      choices({
        lengthMinutes: 1,
        rows: [1, 2, 3, 4, 5, 6, 7].map(() => ({ source: camera2, minutes: null })),
      }),
    );
    assert.equal(remainder.ok, false, '7 even sources in 1 min leave less than a minute each');
    const sevenInTen = planSources(
      choices({
        lengthMinutes: 10,
        rows: [1, 2, 3, 4, 5, 6, 7].map(() => ({ source: camera1, minutes: null })),
      }),
    ); // 600 s over 7 = 85 r 5
    assert.deepEqual(sevenInTen.ok && sevenInTen.seconds, [86, 86, 86, 86, 86, 85, 85]);
    const uneven = planSources(choices({ lengthMinutes: 25.05 })); // 1503 s over 3 → 501 each
    assert.deepEqual(uneven.ok && uneven.seconds, [501, 501, 501]);
    const withOdd = planSources(
      choices({
        lengthMinutes: 20,
        rows: [
          { source: camera1, minutes: 3 },
          { source: camera2, minutes: null },
          { source: camera1, minutes: null },
          { source: camera2, minutes: null },
        ],
      }),
    ); // 1200 − 180 = 1020 over 3 = 340
    assert.deepEqual(withOdd.ok && withOdd.seconds, [180, 340, 340, 340]);
    const odd2 = planSources(
      choices({
        lengthMinutes: 20,
        rows: [
          { source: camera1, minutes: 2.5 },
          { source: camera2, minutes: null },
          { source: camera1, minutes: null },
          { source: camera2, minutes: null },
        ],
      }),
    ); // 1200 − 150 = 1050 over 3 = 350
    assert.deepEqual(odd2.ok && odd2.seconds, [150, 350, 350, 350]);
    const remainders = planSources(
      choices({
        lengthMinutes: 20,
        rows: [
          { source: camera1, minutes: 2.99 },
          { source: camera2, minutes: null },
          { source: camera1, minutes: null },
          { source: camera2, minutes: null },
        ],
      }),
    ); // 1200 − 179 = 1021 over 3 = 340 r 1
    assert.deepEqual(remainders.ok && remainders.seconds, [179, 341, 340, 340]);
    for (const plan of [withOdd, odd2, remainders]) {
      assert.ok(plan.ok);
      assert.equal(
        plan.seconds.reduce((a, b) => a + b, 0),
        1200,
        'durations sum to the length',
      );
    }
  });

  it('says by how much fixed minutes miss the length', () => {
    const short = planSources(
      choices({
        rows: [
          { source: camera1, minutes: 10 },
          { source: camera2, minutes: 15 },
        ],
      }),
    );
    assert.equal(short.ok, false);
    assert.match(
      !short.ok ? short.problems[0]!.message : '',
      /add up to 25 min, 5 min short of the 30 min show/,
    );
    const long = planSources(
      choices({
        rows: [
          { source: camera1, minutes: 20 },
          { source: camera2, minutes: 15 },
        ],
      }),
    );
    assert.match(
      !long.ok ? long.problems[0]!.message : '',
      /add up to 35 min, 5 min more than the 30 min show/,
    );
    const noRoom = planSources(
      choices({
        rows: [
          { source: camera1, minutes: 30 },
          { source: camera2, minutes: null },
        ],
      }),
    );
    assert.match(!noRoom.ok ? noRoom.problems[0]!.message : '', /shorten a source by 1 min/);
  });

  it('names the field of each problem', () => {
    const result = quickShowTimeline(
      choices({
        name: ' ',
        rows: [],
        lowerThirds: [{ title: '', subtitle: '', showSeconds: 30, everyMinutes: 0.25 }],
      }),
    );
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.problems.map((p) => p.field), [
      'name',
      'sources',
      'lowerThird.0.title',
      'lowerThird.0.every',
    ]);
  });

  it('writes a cut without a duration, media rows, a logo, and no overlays when none are chosen', () => {
    const timeline = made(
      choices({
        transition: 'cut',
        rows: [
          { source: camera1, minutes: null },
          { source: { kind: 'media', assetId: 7, mediaType: 'video', name: 'Promo.mp4' }, minutes: 2 },
        ],
        lowerThirds: [],
        clock: false,
        logoAssetId: 3,
        loop: false,
      }),
    );
    assert.equal(timeline.loop, false);
    const [first, second] = timeline.tracks.video.cues;
    assert.deepEqual(
      [first?.duration, first?.params.transition, first?.params.transition_duration],
      [1680, 'cut', 0],
    );
    assert.equal(second?.action, 'show_media');
    assert.deepEqual(
      second?.action === 'show_media' && [
        second.params.asset_id,
        second.params.media_type,
        second.start_time,
      ],
      [7, 'video', 1680],
    );
    assert.deepEqual(
      timeline.tracks.overlays.map((track) => [track.track_id, track.cues[0]?.params.type]),
      [['logo', 'logo']],
    );
  });

  it('staggers a second lower third after the first and repeats each on its own clock', () => {
    const timeline = made(
      choices({
        lowerThirds: [
          { title: 'Welcome', subtitle: 'Marina cam', showSeconds: 30, everyMinutes: 10 },
          { title: 'Boat rides at 3 pm', subtitle: '', showSeconds: 20, everyMinutes: 10 },
        ],
      }),
    );
    const cues = timeline.tracks.overlays[0]!.cues;
    assert.deepEqual(
      cues.map((cue) => [cue.start_time, cue.duration, cue.repeat?.every]),
      [
        [0, 30, 600],
        [35, 20, 600],
      ],
    );
    assert.equal(cues[0]!.params.type === 'lower_third' && cues[0]!.params.subtitle, 'Marina cam');
  });
});
