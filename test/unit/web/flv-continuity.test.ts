// The browser preview's FLV continuity (web/src/pages/control-room/flv-continuity.ts): whole
// units whatever the chunking, timestamps from 0, a restart's step back or leap forward joined
// one frame after the last picture, an audio-only gap left alone, and the arrival clock's delay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlvParser, createTag, type FlvTag } from '../../../src/engine/fanout/flv.ts';
import { ArrivalClock, FlvContinuity } from '../../../web/src/pages/control-room/flv-continuity.ts';
import {
  AAC_SEQUENCE_HEADER_BODY,
  AVC_SEQUENCE_HEADER_BODY,
  audioTag,
  mediaId,
  randomChunks,
  syntheticStream,
  videoTag,
} from '../fanout/fixtures.ts';

/** Runs bytes through the continuity and parses what comes out. */
function through(continuity: FlvContinuity, chunks: Buffer[]): { tags: FlvTag[]; restarts: number } {
  const parser = new FlvParser();
  const tags: FlvTag[] = [];
  let restarts = 0;
  for (const chunk of chunks) {
    const out = continuity.push(chunk);
    if (out.restarted) restarts++;
    for (const packet of parser.push(Buffer.from(out.bytes))) if (packet.kind !== 'header') tags.push(packet);
  }
  return { tags, restarts };
}

const times = (tags: FlvTag[], kind: 'video' | 'audio') =>
  tags.filter((tag) => tag.kind === kind).map((tag) => tag.timestamp);

describe('FlvContinuity', () => {
  it('passes whole units in order whatever the chunking, starting the clock at 0', () => {
    const stream = syntheticStream({ gops: 3, framesPerGop: 5, startMs: 40_000 });
    const continuity = new FlvContinuity();
    const { tags, restarts } = through(continuity, randomChunks(stream.bytes, 7, 50));
    assert.equal(restarts, 0);
    assert.deepEqual(
      tags.map((tag) => tag.kind),
      stream.tags.map((tag) => tag.kind),
    );
    assert.deepEqual(
      tags.filter((t) => t.kind === 'video' || t.kind === 'audio').map(mediaId),
      stream.media.map(mediaId),
    );
    assert.deepEqual(
      times(tags, 'video'),
      stream.media.filter((t) => t.kind === 'video').map((t) => t.timestamp - 40_000),
    );
  });

  it('joins a restart from timestamp 0 one frame after the last picture, both tracks alike', () => {
    const before = syntheticStream({ gops: 1, framesPerGop: 30, startMs: 60_000 });
    const restart = [
      createTag({ tagType: 9, timestamp: 0, data: AVC_SEQUENCE_HEADER_BODY }),
      createTag({ tagType: 8, timestamp: 0, data: AAC_SEQUENCE_HEADER_BODY }),
      videoTag(500, 0, true),
      audioTag(501, 5),
      videoTag(502, 33, false),
      audioTag(503, 26),
    ];
    const continuity = new FlvContinuity();
    const { tags, restarts } = through(continuity, [before.bytes, ...restart.map((tag) => tag.raw)]);
    assert.equal(restarts, 1);
    const video = times(tags, 'video');
    const lastOld = video[29]!;
    assert.equal(lastOld, 967, 'the old run played from 0 to its last frame');
    const joined = lastOld + (lastOld - video[28]!); // one frame on
    assert.deepEqual(video.slice(30), [joined, joined + 33], 'the new run continues one frame later');
    assert.deepEqual(times(tags, 'audio').slice(-2), [joined + 5, joined + 26], 'audio keeps its place');
    const sequence = tags.filter((tag) => tag.kind === 'avc-sequence-header').at(-1);
    assert.equal(sequence?.timestamp, lastOld, 'the new sequence header keeps its place, never back in time');
  });

  it('closes a leap over an outage (both tracks) but leaves an audio-only gap alone', () => {
    const first = syntheticStream({ gops: 1, framesPerGop: 30 });
    const leap = syntheticStream({
      gops: 1,
      framesPerGop: 3,
      startMs: 2500,
      firstId: 100,
      withPreamble: false,
    });
    const continuity = new FlvContinuity();
    const { tags, restarts } = through(continuity, [first.bytes, leap.bytes]);
    assert.equal(restarts, 1);
    const joined = 967 + 34; // one frame (the last step) after the last picture
    assert.deepEqual(times(tags, 'video').slice(29), [967, joined, joined + 33, joined + 67]);

    // Audio missing for 1.5 s while the picture goes on: the picture's clock is the truth.
    const steady = new FlvContinuity();
    const start = syntheticStream({ gops: 1, framesPerGop: 2 }).bytes;
    const video = Array.from({ length: 60 }, (_, i) => videoTag(i, 100 + i * 33, i === 0).raw);
    const lateAudio = audioTag(999, 2050).raw;
    const result = through(steady, [start, ...video, lateAudio]);
    assert.equal(result.restarts, 0);
    assert.equal(times(result.tags, 'audio').at(-1), 2050);
  });
});

describe('ArrivalClock', () => {
  it('measures the picture on screen against the earliest arrivals, afresh after a step', () => {
    const clock = new ArrivalClock(10_000);
    // Program time t arrives at 1_000_000 + t, some tags late by up to 80 ms.
    for (let t = 0; t <= 5000; t += 33) clock.add(t, 1_000_000 + t + (t % 99 === 0 ? 80 : 0));
    assert.equal(clock.origin(), 1_000_000);
    // Newest 4983 ms, 400 ms buffered ahead of the playhead, looked at 20 ms after it arrived.
    assert.equal(clock.delayMs(1_000_000 + 4983 + 20, 4983, 400), 420);
    // After a restart the relation is new: the old origin must not linger.
    clock.add(5016, 1_000_000 + 5016 + 1500, true);
    assert.equal(clock.origin(), 1_001_500);
  });
});
