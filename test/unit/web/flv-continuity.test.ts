// The browser preview's FLV continuity (web/src/pages/control-room/flv-continuity.ts): whole
// units whatever the chunking, timestamps from 0, a restart's step back or leap forward joined
// one frame after the last picture, an audio-only gap left alone, and the delay behind the output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlvParser, createTag, type FlvTag } from '../../../src/engine/fanout/flv.ts';
import { FanoutClock, FlvContinuity } from '../../../web/src/pages/control-room/flv-continuity.ts';
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

describe('FanoutClock', () => {
  it('measures the picture on screen against when it entered the fan-out, across clocks and a restart', () => {
    const clock = new FanoutClock();
    // The appliance's clock is 7 s ahead of the browser's; messages take 2–40 ms to arrive.
    const skew = 7000;
    for (let i = 0; i < 90; i++) {
      const input = 50_000 + i * 33;
      const enteredAt = 1_000_000 + i * 33; // browser time
      clock.noteEntered(input, enteredAt + skew, enteredAt + 2 + (i % 5) * 10);
      clock.notePassed(input - 50_000, input);
    }
    // Picture 60 (output 1980) is on screen 400 ms after it entered the fan-out.
    assert.equal(clock.delayMs(1_000_000 + 60 * 33 + 400, 1980), 398, 'less the quickest delivery (2 ms)');
    // Between pictures: the newest one at or before the screen's time.
    assert.equal(clock.delayMs(1_000_000 + 60 * 33 + 400, 1990), 398);
    // A restart under the old fan-out: timestamps from 0 again, joined on in the output.
    clock.noteEntered(0, 1_003_500 + skew, 1_003_502);
    clock.notePassed(3000, 0);
    assert.equal(clock.delayMs(1_003_500 + 600, 3000), 598);
    assert.equal(clock.delayMs(0, -1), null, 'nothing before the first picture');
  });
});
