import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addSegment,
  NO_METRICS,
  readMetrics,
  recordPathForSegment,
} from '../../../src/app/execution-plan.ts';
import { anchorFor, formatPosition, resumePosition } from '../../../src/app/resume-position.ts';

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const base = { fps: 30, durationFrames: 1800, anchorMs: T0, checkpointFrame: null };

describe('resume position', () => {
  it('a non-looping show resumes where the wall clock says it is', () => {
    const d = resumePosition({ ...base, loop: false, nowMs: T0 + 42_500 });
    assert.deepEqual(d, { kind: 'resume', frame: 1275, timelineFrame: 1275, iteration: 0, basis: 'wall' });
  });

  it('is exact on frame boundaries and floors between them', () => {
    // 1/30 s is not a whole number of ms: frame 1 is due at 33.33 ms.
    assert.equal(frameAt(33), 0);
    assert.equal(frameAt(34), 1);
    assert.equal(frameAt(1000), 30);
    assert.equal(frameAt(999), 29);
    function frameAt(ms: number): number {
      const d = resumePosition({ ...base, loop: false, nowMs: T0 + ms });
      assert.equal(d.kind, 'resume');
      return d.kind === 'resume' ? d.frame : -1;
    }
  });

  it('a looping show keeps counting: position is modulo the duration, iteration from the anchor', () => {
    // 60 s timeline; 2 h 3 min 10 s later: 123 loops and 10 s.
    const d = resumePosition({ ...base, loop: true, nowMs: T0 + (2 * 3600 + 3 * 60 + 10) * 1000 });
    assert.equal(d.kind, 'resume');
    if (d.kind !== 'resume') return;
    assert.equal(d.frame, (7390 * 30) | 0);
    assert.equal(d.timelineFrame, 300);
    assert.equal(d.iteration, 123);
    assert.equal(d.frame, d.iteration * 1800 + d.timelineFrame);
  });

  it('a looping show exactly at a wrap is at frame 0 of the next loop', () => {
    const d = resumePosition({ ...base, loop: true, nowMs: T0 + 120_000 });
    assert.deepEqual(d, { kind: 'resume', frame: 3600, timelineFrame: 0, iteration: 2, basis: 'wall' });
  });

  it('a non-looping show whose end has passed is ended, with the time it ended', () => {
    const d = resumePosition({ ...base, loop: false, nowMs: T0 + 60_000 });
    assert.deepEqual(d, { kind: 'ended', endedAtMs: T0 + 60_000 });
    const later = resumePosition({ ...base, loop: false, nowMs: T0 + 86_400_000 });
    assert.deepEqual(later, { kind: 'ended', endedAtMs: T0 + 60_000 });
    // One frame before the end still resumes (on the last frame).
    const last = resumePosition({ ...base, loop: false, nowMs: T0 + 59_990 });
    assert.equal(last.kind === 'resume' && last.frame, 1799);
  });

  it('a wall clock behind the last checkpoint continues from the checkpoint instead of repeating', () => {
    // Booted with an old time (no real-time clock): "now" is before what was already played.
    const d = resumePosition({ ...base, loop: false, nowMs: T0 + 5_000, checkpointFrame: 900 });
    assert.deepEqual(d, {
      kind: 'resume',
      frame: 900,
      timelineFrame: 900,
      iteration: 0,
      basis: 'checkpoint',
    });
    const before = resumePosition({ ...base, loop: true, nowMs: T0 - 3_600_000, checkpointFrame: 2000 });
    assert.deepEqual(before, {
      kind: 'resume',
      frame: 2000,
      timelineFrame: 200,
      iteration: 1,
      basis: 'checkpoint',
    });
  });

  it('with no anchor it uses the checkpoint, or the start', () => {
    assert.deepEqual(
      resumePosition({ ...base, anchorMs: null, loop: false, nowMs: T0, checkpointFrame: 60 }),
      {
        kind: 'resume',
        frame: 60,
        timelineFrame: 60,
        iteration: 0,
        basis: 'checkpoint',
      },
    );
    assert.deepEqual(
      resumePosition({ ...base, anchorMs: null, loop: false, nowMs: T0, checkpointFrame: null }),
      {
        kind: 'resume',
        frame: 0,
        timelineFrame: 0,
        iteration: 0,
        basis: 'checkpoint',
      },
    );
    assert.deepEqual(
      resumePosition({ ...base, anchorMs: null, loop: false, nowMs: T0, checkpointFrame: 1800 }),
      { kind: 'ended', endedAtMs: null },
    );
  });

  it('works at fractional-free odd rates (25 fps, 7 s)', () => {
    const d = resumePosition({
      fps: 25,
      durationFrames: 175,
      loop: true,
      anchorMs: T0,
      nowMs: T0 + 7_040,
      checkpointFrame: null,
    });
    assert.deepEqual(d, { kind: 'resume', frame: 176, timelineFrame: 1, iteration: 1, basis: 'wall' });
  });

  it('rejects a broken timeline', () => {
    assert.throws(() => resumePosition({ ...base, durationFrames: 0, loop: true, nowMs: T0 }), RangeError);
    assert.throws(() => resumePosition({ ...base, fps: 0, loop: true, nowMs: T0 }), RangeError);
  });

  it('anchorFor is the inverse of the wall-clock position', () => {
    const now = T0 + 123_456;
    const anchor = anchorFor(4321, 30, now);
    const d = resumePosition({ ...base, anchorMs: anchor, loop: true, nowMs: now });
    assert.equal(d.kind === 'resume' && d.frame, 4321);
  });

  it('formats positions for people', () => {
    assert.equal(formatPosition(0, 30), '0:00.0');
    assert.equal(formatPosition(1275, 30), '0:42.5');
    assert.equal(formatPosition(30 * 3723 + 3, 30), '1:02:03.1');
  });
});

describe('execution metrics', () => {
  const segment = {
    playout: { ticks: 300, lateTicks: 2, maxLatenessMs: 40.4, substitutedFrames: 5 },
    encoder: { restarts: 1, framesDropped: 3 },
    outputs: [
      { id: 'dest:1', restarts: 2 },
      { id: 'preview', restarts: 0 },
    ],
  };

  it('adds a segment to the totals of the earlier ones', () => {
    const first = addSegment(NO_METRICS, segment, {
      fps: 30,
      startedAtMs: T0,
      nowMs: T0 + 10_000,
      segments: 1,
    });
    assert.deepEqual(first, {
      frames: 300,
      lateTicks: 2,
      maxLatenessMs: 40,
      substitutedFrames: 5,
      droppedFrames: 3,
      encoderRestarts: 1,
      outputRestarts: { 'dest:1': 2, preview: 0 },
      onAirSeconds: 10,
      durationSeconds: 10,
      segments: 1,
    });
    const second = addSegment(readMetrics(JSON.parse(JSON.stringify(first))), segment, {
      fps: 30,
      startedAtMs: T0,
      nowMs: T0 + 25_000,
      segments: 2,
    });
    assert.equal(second.frames, 600);
    assert.deepEqual(second.outputRestarts, { 'dest:1': 4, preview: 0 });
    assert.equal(second.durationSeconds, 25);
    assert.equal(second.onAirSeconds, 20);
    assert.equal(second.segments, 2);
  });

  it('reads stored metrics tolerantly', () => {
    assert.deepEqual(readMetrics(null), NO_METRICS);
    assert.deepEqual(readMetrics({ frames: 'x', lateTicks: 4 }), { ...NO_METRICS, lateTicks: 4 });
  });

  it('names a resumed recording beside the first one', () => {
    assert.equal(recordPathForSegment('/data/rec/show.mp4', 0), '/data/rec/show.mp4');
    assert.equal(recordPathForSegment('/data/rec/show.mp4', 2), '/data/rec/show-resume2.mp4');
    assert.equal(recordPathForSegment('/data/rec.d/show', 1), '/data/rec.d/show-resume1');
    assert.equal(recordPathForSegment('/data/.hidden', 1), '/data/.hidden-resume1');
  });
});
