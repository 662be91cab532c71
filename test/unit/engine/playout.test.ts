import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { createReferenceKernels } from '../../../src/engine/compositor/index.ts';
import { Playout, samplesForTick } from '../../../src/engine/playout.ts';
import { compileTimeline } from '../../../src/timeline/resolver.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { CaptureSink, FakeSources } from '../../helpers/playout-fakes.ts';
import { mustValidate } from '../../helpers/timelines.ts';

const W = 16;
const H = 16;
const FRAME = (W * H * 3) / 2;

const timeline = mustValidate({
  timeline: {
    name: 'unit',
    duration: 2,
    fps: 10,
    resolution: `${W}x${H}`,
    tracks: {
      video: {
        track_id: 'v',
        type: 'video',
        cues: [
          { id: 'one', start_time: 0, duration: 1, action: 'show_camera', params: { camera_id: 1 } },
          {
            id: 'two',
            start_time: 1,
            duration: 0.8,
            action: 'show_camera',
            params: { camera_id: 2, transition: 'dissolve', transition_duration: 0.4 },
          },
        ],
      },
    },
  },
}).timeline;

function setup(startFrame = 0, prerollMs = 0, catchUpPreroll = false) {
  const clock = new FakeClock();
  const sources = new FakeSources(clock, W, H);
  const sink = new CaptureSink(W, H);
  let ended = false;
  const playout = new Playout({
    timeline: compileTimeline(timeline),
    clock,
    kernels: createReferenceKernels(),
    pool: sources,
    overlays: null,
    sink,
    logger: createLogger('test'),
    prerollMs, // 0 unless the test is about pre-roll
    catchUpPreroll,
    startFrame,
    onEnded: () => (ended = true),
  });
  return { clock, sources, sink, playout, isEnded: () => ended };
}

const lumaOf = (frame: Buffer) => frame[0];

describe('playout clock', () => {
  it('writes exactly one frame and one tick of audio per frame interval, in real time', () => {
    const { clock, sources, sink, playout } = setup();
    sources.put('camera:1', 60, 7);
    playout.start();
    clock.advance(0);
    assert.equal(sink.video.length, 1, 'frame 0 is written at start');
    clock.advance(99);
    assert.equal(sink.video.length, 1);
    clock.advance(1);
    assert.equal(sink.video.length, 2, 'frame 1 is due at 100 ms');
    sources.put('camera:1', 60, 7); // keep the source fresh
    clock.advance(400);
    assert.equal(sink.video.length, 6);
    assert.equal(sink.audio.length, sink.video.length);
    assert.ok(sink.video.every((f) => f.length === FRAME));
    assert.deepEqual(
      sink.audio.map((a) => a.length),
      Array(6).fill(4800 * 4),
    );
    assert.equal(sink.audio[0]![0], 7, 'audio comes from the on-air source');
    assert.equal(playout.snapshot().lateTicks, 0);
  });

  it('a brief stall: the missed ticks are filled with the next picture at their own times', () => {
    const { clock, sources, sink, playout } = setup();
    sources.put('camera:1', 60, 7);
    playout.start();
    clock.advance(0);
    sources.put('camera:1', 60, 7);
    clock.stall(450); // the event loop is held up: ticks 1..4 fall due meanwhile
    clock.advance(0);
    assert.deepEqual(sink.ticks, [0, 1, 2, 3, 4], 'no hole in the program');
    assert.deepEqual(sink.firstSamples, [0, 4800, 9600, 14400, 19200]);
    assert.deepEqual(
      sink.audio.map((pcm) => pcm.length / 4),
      [4800, 4 * 4800, 0, 0, 0],
      'the audio of ticks 1..4 goes with tick 1',
    );
    assert.equal(playout.snapshot().repeatedTicks, 3);
    assert.equal(playout.snapshot().skippedTicks, 0);
    assert.equal(playout.frame, 5);
  });

  it('a long stall: the missed ticks are skipped — a gap of the right length, audio continuous', () => {
    const { clock, sources, sink, playout } = setup();
    sources.put('camera:1', 60, 7);
    playout.start();
    clock.advance(0);
    sources.put('camera:1', 60, 7);
    clock.stall(1050); // ticks 1..10 fall due
    clock.advance(0);
    assert.deepEqual(sink.ticks, [0, 10], 'tick 10 is written, 1..9 are skipped, never squeezed in');
    assert.equal(playout.snapshot().skippedTicks, 9);
    assert.equal(playout.frame, 11, 'the program moved on with the wall clock');
    assert.deepEqual(sink.firstSamples, [0, 4800], 'the audio of ticks 1..10 comes with tick 10');
    assert.equal(sink.audio[1]!.length, 10 * 4800 * 4);
    clock.advance(100);
    assert.deepEqual(sink.ticks, [0, 10, 11]);
  });

  it('shows each cue’s source, dissolves between them, and ends with the timeline', () => {
    const { clock, sources, sink, playout, isEnded } = setup();
    playout.start();
    for (let ms = 0; ms <= 2100; ms += 100) {
      sources.put('camera:1', 60);
      sources.put('camera:2', 200);
      sources.put('slate', 16);
      clock.advance(ms === 0 ? 0 : 100);
    }
    const lumas = sink.video.map(lumaOf);
    // Frames 0-9 camera 1; 10-13 dissolve 1/4, 2/4, 3/4, 4/4; 14-17 camera 2; 18-19 gap → slate.
    assert.deepEqual(lumas.slice(0, 10), Array(10).fill(60));
    assert.deepEqual(lumas.slice(10, 14), [95, 130, 165, 200]);
    assert.deepEqual(lumas.slice(14, 18), Array(4).fill(200));
    assert.deepEqual(lumas.slice(18), [16, 16]);
    assert.equal(sink.video.length, 20, 'a 2 s timeline at 10 fps is 20 frames');
    assert.equal(isEnded(), true);
  });

  it('never waits for a source: a stale frame is replaced by the slate (a still, never stale)', () => {
    const { clock, sources, sink, playout } = setup();
    sources.put('camera:1', 60);
    sources.put('slate', 30);
    playout.start();
    clock.advance(0);
    clock.advance(1100); // camera 1 stops delivering: older than 1 s by frame 11
    const lumas = sink.video.map(lumaOf);
    assert.equal(lumas[0], 60);
    assert.equal(lumas[9], 60);
    // Frame 10 (1 s) starts the dissolve to camera 2, which never delivered: the slate stands in.
    assert.equal(lumas[10], (60 * 192 + 30 * 64 + 128) >> 8);
    assert.equal(lumas[11], 30, 'camera 1 stale and camera 2 missing: the slate');
    assert.equal(sink.video.length, 12, 'a frame was still written every tick');
    assert.ok(playout.snapshot().substitutedFrames > 0);
  });

  it('shows black when not even the slate has a frame', () => {
    const { clock, sink, playout } = setup();
    playout.start();
    clock.advance(200);
    assert.deepEqual(sink.video.map(lumaOf), [16, 16, 16]);
  });

  it('starts decoders ahead of their cue from the lookahead', () => {
    const { clock, sources, playout } = setup();
    playout.start();
    clock.advance(0);
    assert.deepEqual(
      new Set(sources.wanted[0]),
      new Set(['slate', 'camera:1', 'camera:2']),
      'camera 2 (cue at 1 s) is wanted from the start',
    );
  });

  it('resumes mid-show from a start frame', () => {
    const { clock, sources, sink, playout } = setup(14);
    sources.put('camera:2', 200);
    playout.start();
    clock.advance(0);
    assert.equal(lumaOf(sink.video[0]!), 200);
    assert.equal(playout.frame, 15);
  });

  it('splits 48 kHz audio exactly across ticks at any frame rate', () => {
    for (const fps of [1, 7, 24, 25, 30, 60]) {
      let total = 0;
      for (let frame = 0; frame < fps * 3; frame++) total += samplesForTick(frame, fps);
      assert.equal(total, 3 * 48000, `fps ${fps}`);
    }
  });

  it('pre-roll: the clock starts on the first cue’s picture, not before', () => {
    const { clock, sources, sink, playout } = setup(0, 5000);
    sources.put('slate', 16);
    playout.start();
    clock.advance(1000);
    assert.equal(sink.video.length, 0, 'nothing is written while the camera connects');
    sources.put('camera:1', 60);
    clock.advance(30);
    assert.equal(sink.video.length, 1);
    assert.equal(lumaOf(sink.video[0]!), 60, 'the first frame is the first cue’s camera');
    assert.equal(playout.snapshot().firstPicture, 'source');
    assert.ok(playout.snapshot().prerollMs! >= 1000 && playout.snapshot().prerollMs! <= 1025);
  });

  it('pre-roll: a camera that never sends starts the show on the slate after 5 s, never on black', () => {
    const { clock, sources, sink, playout } = setup(0, 5000);
    playout.start();
    clock.advance(200);
    sources.put('slate', 16);
    clock.advance(4700);
    assert.equal(sink.video.length, 0);
    clock.advance(150);
    assert.deepEqual(sink.video.map(lumaOf), [16], 'the slate stands in');
    assert.equal(playout.snapshot().firstPicture, 'slate');
    assert.equal(playout.snapshot().prerollMs, 5000);
  });

  it('pre-roll of a resumed show: its seconds are skipped, the position stays on the wall clock', () => {
    const { clock, sources, sink, playout } = setup(4, 5000, true);
    playout.start();
    clock.advance(700);
    sources.put('camera:1', 60);
    clock.advance(30);
    assert.equal(sink.video.length, 1);
    // Frame 4 was due at the start; 725 ms of pre-roll later the show is at frame 4 + 7.
    assert.equal(playout.frame, 4 + Math.round((725 * 10) / 1000) + 1);
  });
});
