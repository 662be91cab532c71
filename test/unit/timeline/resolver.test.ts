import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secondsToFrame } from '../../../src/timeline/frames.ts';
import {
  compileTimeline,
  lookahead,
  resolve,
  resolveFrame,
  type ProgramState,
} from '../../../src/timeline/resolver.ts';
import type { Timeline } from '../../../src/timeline/schema.ts';
import {
  mustValidate,
  seededRandom,
  shuffled,
  specExample,
  specExampleJson,
} from '../../helpers/timelines.ts';

const camera = (cameraId: number) => ({ kind: 'camera', cameraId }) as const;
const slide = {
  kind: 'media',
  mediaUrl: '/assets/transition_slide.png',
  mediaType: 'image',
  loop: true,
} as const;
const slate = { kind: 'slate', testPattern: '/assets/technical_difficulties.png' } as const;

interface Expectation {
  t: number;
  source: unknown;
  cueId: string | null;
  secondsLeft?: number;
  transition?: { type: string; from: unknown; progress: number } | null;
  overlays: Array<{ cueId: string; layer: number; opacity: number; secondsLeft?: number }>;
}

// The spec's example at 30 fps: v1 camera 1 [0,60) cut; v2 slide [60,65) fade 1 s; v3 camera 2 [65,125)
// fade 1 s; then a gap (slate) to 3600. Overlays: o1 lower third [10,25) fades 0.5 s, layer 1;
// o2 logo [70,80) opacity 0.8, layer 1; o3 text [30,50), layer 2.
const table: Expectation[] = [
  { t: 0, source: camera(1), cueId: 'cue_v1', secondsLeft: 60, transition: null, overlays: [] },
  {
    t: 10,
    source: camera(1),
    cueId: 'cue_v1',
    overlays: [{ cueId: 'cue_o1', layer: 1, opacity: 1 / 15, secondsLeft: 15 }],
  },
  { t: 10.5, source: camera(1), cueId: 'cue_v1', overlays: [{ cueId: 'cue_o1', layer: 1, opacity: 1 }] },
  { t: 25, source: camera(1), cueId: 'cue_v1', overlays: [] },
  {
    t: 30,
    source: camera(1),
    cueId: 'cue_v1',
    overlays: [{ cueId: 'cue_o3', layer: 2, opacity: 1, secondsLeft: 20 }],
  },
  { t: 50, source: camera(1), cueId: 'cue_v1', overlays: [] },
  { t: 59.9, source: camera(1), cueId: 'cue_v1', secondsLeft: 0.1, transition: null, overlays: [] },
  {
    t: 60,
    source: slide,
    cueId: 'cue_v2',
    secondsLeft: 5,
    transition: { type: 'fade', from: camera(1), progress: 1 / 30 },
    overlays: [],
  },
  { t: 61, source: slide, cueId: 'cue_v2', secondsLeft: 4, transition: null, overlays: [] },
  {
    t: 65,
    source: camera(2),
    cueId: 'cue_v3',
    secondsLeft: 60,
    transition: { type: 'fade', from: slide, progress: 1 / 30 },
    overlays: [],
  },
  {
    t: 70,
    source: camera(2),
    cueId: 'cue_v3',
    transition: null,
    overlays: [{ cueId: 'cue_o2', layer: 1, opacity: 0.8, secondsLeft: 10 }],
  },
  { t: 80, source: camera(2), cueId: 'cue_v3', overlays: [] },
  { t: 3599.97, source: slate, cueId: null, transition: null, overlays: [] },
];

function check(state: ProgramState, expected: Expectation) {
  const label = `t=${expected.t}`;
  assert.equal(state.ended, false, label);
  assert.deepEqual(state.video.source, expected.source, label);
  assert.equal(state.video.cueId, expected.cueId, label);
  if (expected.secondsLeft !== undefined) {
    assert.ok(
      Math.abs(state.video.secondsLeft - expected.secondsLeft) < 1e-9,
      `${label}: ${state.video.secondsLeft}`,
    );
  }
  if (expected.transition !== undefined) {
    if (expected.transition === null) assert.equal(state.video.transition, null, label);
    else {
      assert.ok(state.video.transition, `${label}: expected a transition`);
      assert.equal(state.video.transition.type, expected.transition.type, label);
      assert.deepEqual(state.video.transition.from, expected.transition.from, label);
      assert.ok(Math.abs(state.video.transition.progress - expected.transition.progress) < 1e-9, label);
    }
  }
  assert.deepEqual(
    state.overlays.map((o) => [o.cueId, o.layer]),
    expected.overlays.map((o) => [o.cueId, o.layer]),
    label,
  );
  expected.overlays.forEach((o, i) => {
    const got = state.overlays[i]!;
    assert.ok(Math.abs(got.opacity - o.opacity) < 1e-9, `${label} ${o.cueId} opacity ${got.opacity}`);
    if (o.secondsLeft !== undefined) assert.ok(Math.abs(got.secondsLeft - o.secondsLeft) < 1e-9, label);
  });
}

describe('resolver on the spec example', () => {
  const timeline = specExample();
  for (const expected of table) {
    it(`at t = ${expected.t} s (frame ${secondsToFrame(expected.t, 30)})`, () => {
      check(resolve(timeline, secondsToFrame(expected.t, 30)), expected);
    });
  }

  it('rounds float cue times to frames (t = 3599.97 is frame 107999, the last one)', () => {
    assert.equal(secondsToFrame(3599.97, 30), 107999);
    assert.equal(secondsToFrame(0.1, 30), 3);
    assert.equal(secondsToFrame(1 / 60, 30), 1); // half a frame rounds up
    assert.equal(secondsToFrame(0.0166, 30), 0);
    const state = resolve(timeline, 107999);
    assert.equal(state.video.framesLeft, 1);
    assert.equal(state.timelineFrame, 107999);
  });

  it('ends at t = 3600 when not looping', () => {
    const state = resolve(timeline, 108000);
    assert.equal(state.ended, true);
    assert.equal(state.video.cueId, null);
    assert.deepEqual(state.overlays, []);
  });

  it('fades an overlay in and out frame by frame', () => {
    const opacityAt = (frame: number) => resolve(timeline, frame).overlays[0]?.opacity ?? 0;
    assert.equal(opacityAt(299), 0);
    assert.equal(opacityAt(300), 1 / 15);
    assert.equal(opacityAt(313), 14 / 15);
    assert.equal(opacityAt(314), 1);
    assert.equal(opacityAt(734), 1);
    assert.equal(opacityAt(735), 15 / 15);
    assert.equal(opacityAt(736), 14 / 15);
    assert.equal(opacityAt(749), 1 / 15);
    assert.equal(opacityAt(750), 0);
  });

  it('completes a 30-frame transition on its 30th frame', () => {
    const at = (frame: number) => resolve(timeline, frame).video.transition;
    assert.equal(at(1799), null);
    assert.equal(at(1800)?.frame, 0);
    assert.equal(at(1828)?.progress, 29 / 30);
    assert.equal(at(1829)?.progress, 1);
    assert.equal(at(1830), null);
  });

  it('rejects a negative or fractional frame', () => {
    assert.throws(() => resolve(timeline, -1), RangeError);
    assert.throws(() => resolve(timeline, 1.5), RangeError);
  });
});

function loopingShow(): Timeline {
  return mustValidate({
    timeline: {
      name: 'Loop',
      duration: 10,
      fps: 10,
      resolution: '320x180',
      loop: true,
      tracks: {
        video: {
          track_id: 'v',
          type: 'video',
          cues: [
            {
              id: 'a',
              start_time: 0,
              duration: 5,
              action: 'show_camera',
              params: { camera_id: 1, transition: 'dissolve', transition_duration: 0.5 },
            },
            {
              id: 'b',
              start_time: 5,
              duration: 5,
              action: 'show_camera',
              params: { camera_id: 2, transition: 'cut' },
            },
          ],
        },
        overlays: [
          {
            track_id: 'o',
            type: 'overlay',
            layer: 1,
            cues: [
              {
                id: 'logo',
                start_time: 8,
                duration: 2,
                action: 'show_overlay',
                params: { type: 'text', text: 'hi' },
              },
            ],
          },
        ],
      },
    },
  }).timeline;
}

describe('resolver looping', () => {
  const timeline = loopingShow();

  it('dissolves from black at the very start of the show', () => {
    const state = resolve(timeline, 0);
    assert.deepEqual(state.video.transition?.from, { kind: 'black' });
    assert.equal(state.video.transition?.progress, 1 / 5);
  });

  it('wraps frame n into [0, D) and dissolves from the last source on the wrap', () => {
    const state = resolve(timeline, 100);
    assert.equal(state.timelineFrame, 0);
    assert.equal(state.iteration, 1);
    assert.deepEqual(state.video.source, camera(1));
    assert.deepEqual(state.video.transition?.from, camera(2));
    const later = resolve(timeline, 1234);
    assert.equal(later.timelineFrame, 34);
    assert.equal(later.iteration, 12);
    assert.deepEqual(later.video.source, camera(1));
    assert.equal(later.ended, false);
  });

  it('looks ahead across the wrap', () => {
    const compiled = compileTimeline(timeline);
    const needed = lookahead(compiled, 95, 1);
    assert.deepEqual(
      needed.sources.map((s) => [s.key, s.inFrames]),
      [
        ['camera:2', 0],
        ['camera:1', 5],
      ],
    );
    assert.deepEqual(
      needed.overlays.map((o) => [o.cueId, o.inFrames]),
      [['logo', 0]],
    );
    // After the wrap the overlay comes again in the next pass: 80 + 100 − 95 = 85 frames.
    assert.deepEqual(
      lookahead(compiled, 95 + 10, 8).overlays.map((o) => [o.cueId, o.inFrames]),
      [['logo', 75]],
    );
  });
});

describe('resolver lookahead on the spec example', () => {
  const compiled = compileTimeline(specExample());

  it('lists the source on air and the next one with its pre-roll distance', () => {
    const needed = lookahead(compiled, 1700, 5);
    assert.deepEqual(
      needed.sources.map((s) => [s.key, s.inFrames, s.cueId]),
      [
        ['camera:1', 0, 'cue_v1'],
        ['media:url:/assets/transition_slide.png', 100, 'cue_v2'],
      ],
    );
  });

  it('carries the PTZ preset of an upcoming camera cue', () => {
    const next = lookahead(compiled, 1900, 2).sources.find((s) => s.key === 'camera:2');
    assert.deepEqual(next && [next.presetId, next.inFrames, next.onAirFrame], ['close_up', 50, 1950]);
  });

  it('includes the slate for an upcoming gap, and nothing past the end of a non-looping show', () => {
    const needed = lookahead(compiled, 3740, 10);
    assert.deepEqual(
      needed.sources.map((s) => [s.key, s.inFrames]),
      [
        ['camera:2', 0],
        ['slate', 10],
      ],
    );
    assert.deepEqual(
      lookahead(compiled, 107990, 60).sources.map((s) => s.key),
      ['slate'],
    );
  });
});

describe('resolver order independence', () => {
  // The same timeline with tracks and cues shuffled must resolve identically at every tested frame.
  const frames = [
    ...table.map((e) => secondsToFrame(e.t, 30)),
    ...Array.from({ length: 600 }, (_, i) => i * 7),
    299,
    300,
    749,
    750,
    1799,
    1829,
    1830,
    107999,
    108000,
  ];
  const reference = specExample();
  // Overlapping overlays on both layers make z-order observable.
  const raw = specExampleJson() as unknown as {
    timeline: {
      tracks: { video: { cues: unknown[] }; overlays: Array<{ cues: Array<{ start_time: number }> }> };
    };
  };
  raw.timeline.tracks.overlays[1]!.cues[0]!.start_time = 12;
  const withOverlap = mustValidate(raw).timeline;

  for (const base of [reference, withOverlap]) {
    for (const seed of [1, 2, 3, 4, 5]) {
      it(`seed ${seed}${base === withOverlap ? ' (overlapping layers)' : ''}`, () => {
        const random = seededRandom(seed);
        const copy: Timeline = structuredClone(base);
        copy.tracks.video.cues = shuffled(copy.tracks.video.cues, random);
        copy.tracks.overlays = shuffled(copy.tracks.overlays, random).map((track) => ({
          ...track,
          cues: shuffled(track.cues, random),
        }));
        const a = compileTimeline(base);
        const b = compileTimeline(copy);
        for (const frame of frames)
          assert.deepEqual(resolveFrame(b, frame), resolveFrame(a, frame), `frame ${frame}`);
      });
    }
  }

  it('draws overlays bottom layer first', () => {
    const state = resolve(withOverlap, secondsToFrame(13, 30));
    assert.deepEqual(
      state.overlays.map((o) => [o.layer, o.cueId]),
      [
        [1, 'cue_o1'],
        [2, 'cue_o3'],
      ],
    );
  });
});
