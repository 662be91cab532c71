import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FlvParseError, FlvParser, TAG_AUDIO, TAG_VIDEO, createTag } from '../../../src/engine/fanout/flv.ts';
import type { FlvTag } from '../../../src/engine/fanout/flv.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import {
  AVC_SEQUENCE_HEADER_BODY,
  CollectingWritable,
  StuckWritable,
  mediaId,
  randomChunks,
  syntheticStream,
} from './fixtures.ts';

/** Parses a consumer's output strictly (throws on any corruption). */
function parseOutput(bytes: Buffer): FlvTag[] {
  const parser = new FlvParser();
  const tags: FlvTag[] = [];
  parser.pushEach(bytes, (packet) => {
    if (packet.kind !== 'header') tags.push(packet);
  });
  parser.end();
  return tags;
}

function feed(hub: FanoutHub, bytes: Buffer, seed = 1): void {
  for (const chunk of randomChunks(bytes, seed, 500)) hub.push(chunk);
}

/** Asserts media runs are contiguous in input order and every jump lands on a keyframe. */
function assertResumesAtKeyframes(received: FlvTag[], input: FlvTag[]): { jumps: number; missing: number[] } {
  const position = new Map(input.map((tag, i) => [mediaId(tag), i]));
  const media = received.filter((tag) => tag.kind === 'video' || tag.kind === 'audio');
  assert.ok(media.length > 0, 'no media received');
  assert.equal(media[0]!.keyframe, true, 'first media tag is a keyframe');
  let jumps = 0;
  const missing: number[] = [];
  for (let i = 1; i < media.length; i++) {
    const previous = position.get(mediaId(media[i - 1]!))!;
    const current = position.get(mediaId(media[i]!))!;
    assert.ok(current > previous, `order preserved (${previous} then ${current})`);
    if (current !== previous + 1) {
      jumps++;
      for (let p = previous + 1; p < current; p++) missing.push(p);
      assert.equal(media[i]!.keyframe, true, `resumed mid-GOP at media index ${current}`);
    }
  }
  return { jumps, missing };
}

describe('FanoutHub', () => {
  it('consumers attached before the input get exactly the input bytes', async () => {
    const stream = syntheticStream({ gops: 4, framesPerGop: 6, audioPerFrame: 2 });
    const hub = new FanoutHub();
    const a = new CollectingWritable();
    const b = new CollectingWritable();
    hub.attach(a, { name: 'a' });
    hub.attach(b, { name: 'b' });
    feed(hub, stream.bytes);
    assert.ok(a.bytes.equals(stream.bytes), 'a.bytes.equals(stream.bytes)');
    assert.ok(b.bytes.equals(stream.bytes), 'b.bytes.equals(stream.bytes)');
    await nextTurn(); // write callbacks (acknowledgements) run on a later tick
    const stats = hub.stats();
    assert.equal(stats.bytesIn, stream.bytes.length);
    assert.equal(stats.tagsIn, stream.tags.length);
    assert.deepEqual(
      stats.consumers.map((c) => [c.name, c.bytesSent, c.bytesWritten, c.bytesQueued, c.droppedGops]),
      [
        ['a', stream.bytes.length, stream.bytes.length, 0, 0],
        ['b', stream.bytes.length, stream.bytes.length, 0, 0],
      ],
    );
  });

  it('a consumer attached mid-GOP gets header, metadata, sequence headers, the current GOP, then live', () => {
    const first = syntheticStream({ gops: 2, framesPerGop: 5, audioPerFrame: 1 });
    const second = syntheticStream({
      gops: 2,
      framesPerGop: 5,
      firstId: 500,
      startMs: 400,
      withPreamble: false,
    });
    // Cut inside the 2nd GOP of `first`: 3 media tags into it.
    const cutTag = 3 + first.gopStarts[1]! + 3;
    const cut = 13 + first.tags.slice(0, cutTag).reduce((sum, tag) => sum + tag.raw.length, 0);
    const hub = new FanoutHub();
    feed(hub, first.bytes.subarray(0, cut));
    const late = new CollectingWritable();
    const consumer = hub.attach(late, { name: 'late' });
    assert.equal(consumer.stats().awaitingKeyframe, false);
    feed(hub, first.bytes.subarray(cut));
    feed(hub, second.bytes);

    const tags = parseOutput(late.bytes);
    assert.deepEqual(
      tags.slice(0, 4).map((tag) => tag.kind),
      ['metadata', 'avc-sequence-header', 'aac-sequence-header', 'video'],
    );
    const expected = [...first.media.slice(first.gopStarts[1]), ...second.media].map(mediaId);
    assert.deepEqual(tags.slice(3).map(mediaId), expected);
    assert.equal(tags[3]!.keyframe, true);
  });

  it('a consumer attached while the cache has no GOP waits for the next keyframe', () => {
    const stream = syntheticStream({ gops: 3, framesPerGop: 4 });
    const hub = new FanoutHub();
    const preamble = 13 + stream.tags.slice(0, 3).reduce((sum, tag) => sum + tag.raw.length, 0);
    feed(hub, stream.bytes.subarray(0, preamble));
    const early = new CollectingWritable();
    hub.attach(early);
    feed(hub, stream.bytes.subarray(preamble));
    assert.ok(early.bytes.equals(stream.bytes), 'early.bytes.equals(stream.bytes)');

    // Same, but the cache has no GOP because it outgrew maxGopBytes.
    const small = new FanoutHub({ maxGopBytes: 300 });
    const cut = preamble + stream.media.slice(0, 4).reduce((sum, tag) => sum + tag.raw.length, 0);
    feed(small, stream.bytes.subarray(0, cut));
    assert.equal(small.cache.hasGop, false);
    const late = new CollectingWritable();
    const consumer = small.attach(late);
    assert.equal(consumer.stats().awaitingKeyframe, true);
    feed(small, stream.bytes.subarray(cut));
    const tags = parseOutput(late.bytes);
    assert.deepEqual(tags.slice(3).map(mediaId), stream.media.slice(stream.gopStarts[1]).map(mediaId));
    assert.equal(consumer.stats().droppedGops, 0, 'waiting to sync is not a drop');
  });

  it('a consumer that never drains drops whole GOPs; the other gets everything; resumes at a keyframe', async () => {
    const clock = new FakeClock();
    const stream = syntheticStream({ gops: 12, framesPerGop: 10, audioPerFrame: 1, videoSize: 400 });
    const gopBytes = stream.media.slice(0, 20).reduce((sum, tag) => sum + tag.raw.length, 0);
    const hub = new FanoutHub({ clock, maxQueueBytes: Math.floor(gopBytes * 1.5) });
    const fast = new CollectingWritable();
    // Takes the preamble and part of the first GOP, then stops reading.
    const slow = new StuckWritable(
      1,
      13 + stream.tags.slice(0, 3 + 7).reduce((sum, tag) => sum + tag.raw.length, 0),
    );
    const slowConsumer = hub.attach(slow, { name: 'slow' });
    hub.attach(fast, { name: 'fast' });

    const half =
      13 + stream.tags.slice(0, 3 + stream.gopStarts[6]!).reduce((sum, tag) => sum + tag.raw.length, 0);
    feed(hub, stream.bytes.subarray(0, half));
    await nextTurn();
    clock.advance(7000);

    let stats = slowConsumer.stats();
    assert.ok(stats.droppedGops >= 3, `dropped ${stats.droppedGops} GOPs`);
    assert.ok(stats.droppedBytes > 0, 'stats.droppedBytes > 0');
    assert.ok(stats.bytesQueued <= stats.maxQueueBytes, 'stats.bytesQueued <= stats.maxQueueBytes');
    assert.ok(stats.queueFullnessPercent <= 100, 'stats.queueFullnessPercent <= 100');
    assert.ok(stats.bytesWritten > 0, 'accepted a little at first');
    assert.equal(stats.lastWriteAt, 0);
    assert.equal(stats.blockedSince, 0);
    assert.equal(stats.stalledMs, 7000, 'silent stall visible to the owner');
    assert.equal(hub.stats().consumers.find((c) => c.name === 'fast')!.stalledMs, 0);

    // The destination recovers.
    slow.release();
    await nextTurn();
    feed(hub, stream.bytes.subarray(half), 2);
    await nextTurn();
    stats = slowConsumer.stats();
    assert.equal(stats.bytesQueued, 0);
    assert.equal(stats.stalledMs, 0);
    assert.equal(stats.blockedSince, null);
    assert.equal(stats.lastWriteAt, 7000);
    assert.equal(stats.bytesWritten, stats.bytesSent);

    assert.ok(fast.bytes.equals(stream.bytes), 'the healthy consumer got every byte');
    const received = parseOutput(slow.bytes);
    assert.deepEqual(
      received.slice(0, 3).map((tag) => tag.kind),
      ['metadata', 'avc-sequence-header', 'aac-sequence-header'],
    );
    const { jumps, missing } = assertResumesAtKeyframes(received, stream.media);
    assert.ok(jumps >= 1, 'a gap in the slow output');
    assert.equal(missing.length, stats.droppedTags);
    // Whole GOPs are missing: the jump target is a GOP start and at least one GOP is absent entirely.
    const gopOf = (index: number): number => stream.gopStarts.filter((start) => start <= index).length - 1;
    const missingGops = new Set(missing.map(gopOf));
    const wholeMissing = [...missingGops].filter((gop) => {
      const start = stream.gopStarts[gop]!;
      const end = stream.gopStarts[gop + 1] ?? stream.media.length;
      return missing.filter((index) => index >= start && index < end).length === end - start;
    });
    assert.ok(wholeMissing.length >= 1, 'at least one GOP dropped as a whole');
    assert.equal(stats.droppedGops, missingGops.size);
    // After recovery the slow one ends with the same tail as the input.
    assert.equal(mediaId(received.at(-1)!), mediaId(stream.media.at(-1)!));
  });

  it('a stuck consumer never holds up the hub: memory stays bounded while input flows', () => {
    const stream = syntheticStream({ gops: 50, framesPerGop: 30, audioPerFrame: 1 });
    const hub = new FanoutHub({ maxQueueBytes: 20_000 });
    const consumers = [hub.attach(new StuckWritable(), { name: 'dead' })];
    const fast = new CollectingWritable();
    hub.attach(fast);
    feed(hub, stream.bytes);
    const dead = consumers[0]!.stats();
    assert.ok(dead.bytesQueued <= 20_000, 'dead.bytesQueued <= 20_000');
    assert.ok(dead.bytesSent < 1_000, 'only the first write reached the stuck writable');
    // The queue still holds the newest GOP(s); every older one was dropped.
    assert.ok(dead.droppedGops >= 45 && dead.droppedGops < 50, `dropped ${dead.droppedGops}`);
    assert.ok(dead.overflows >= 1, 'dead.overflows >= 1');
    assert.ok(fast.bytes.equals(stream.bytes), 'fast.bytes.equals(stream.bytes)');
  });

  it('control tags are never dropped, even when the queue is full', async () => {
    const stream = syntheticStream({ gops: 4, framesPerGop: 10 });
    const hub = new FanoutHub({ maxQueueBytes: 9_000 }); // a GOP is 2,700 bytes
    const slow = new StuckWritable();
    hub.attach(slow);
    feed(hub, stream.bytes);
    const more = syntheticStream({
      gops: 2,
      framesPerGop: 10,
      firstId: 900,
      startMs: 2000,
      withPreamble: false,
    });
    // New decoder configurations mid-stream (a new size, another AAC config): they go out in-band.
    const avc = Buffer.from(AVC_SEQUENCE_HEADER_BODY);
    avc[avc.length - 1] = 0xef;
    const newConfig = [
      createTag({ tagType: TAG_VIDEO, timestamp: 2000, data: avc }),
      createTag({ tagType: TAG_AUDIO, timestamp: 2000, data: Buffer.from([0xaf, 0x00, 0x11, 0x90]) }),
    ];
    feed(hub, Buffer.concat([...newConfig.map((tag) => tag.raw), more.bytes]));
    const dropped = hub.stats().consumers[0]!.droppedGops;
    assert.ok(dropped >= 4, `dropped ${dropped} GOPs`);
    slow.release();
    await nextTurn();
    const tags = parseOutput(slow.bytes);
    assert.equal(tags.filter((tag) => tag.kind === 'avc-sequence-header').length, 2);
    assert.equal(tags.filter((tag) => tag.kind === 'aac-sequence-header').length, 2);
    assert.equal(tags.filter((tag) => tag.kind === 'metadata').length, 1);
    assertResumesAtKeyframes(tags, [...stream.media, ...more.media]);
  });

  it('detach, a failing Writable and a closed Writable leave the others untouched', async () => {
    const stream = syntheticStream({ gops: 3, framesPerGop: 5 });
    const hub = new FanoutHub();
    const healthy = new CollectingWritable();
    const errors: Error[] = [];
    const failing = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE (simulated)'));
      },
    });
    const closing = new CollectingWritable();
    const detached = new CollectingWritable();
    hub.attach(healthy);
    const failingConsumer = hub.attach(failing, { name: 'failing', onError: (error) => errors.push(error) });
    const closingConsumer = hub.attach(closing, { name: 'closing' });
    const detachedConsumer = hub.attach(detached, { name: 'detached', endOnDetach: true });

    const half = Math.floor(stream.bytes.length / 2);
    feed(hub, stream.bytes.subarray(0, half));
    detachedConsumer.detach();
    closing.destroy();
    await nextTurn();
    feed(hub, stream.bytes.subarray(half));
    await nextTurn();

    assert.ok(healthy.bytes.equals(stream.bytes), 'healthy.bytes.equals(stream.bytes)');
    assert.equal(failingConsumer.state, 'failed');
    assert.equal(failingConsumer.stats().error, 'EPIPE (simulated)');
    assert.equal(errors.length, 1);
    assert.equal(closingConsumer.state, 'closed');
    assert.equal(detachedConsumer.state, 'detached');
    assert.equal(detached.writableEnded, true);
    assert.ok(
      detached.bytes.length > 0 && detached.bytes.length < stream.bytes.length,
      'detached.bytes.length > 0 && detached.bytes.length < stream.bytes.length',
    );
    assert.deepEqual(
      hub.list().map((consumer) => consumer.state),
      ['active'],
    );
  });

  it('end() flushes every queue and then ends the Writables', async () => {
    const stream = syntheticStream({ gops: 2, framesPerGop: 5 });
    const hub = new FanoutHub();
    const slow = new StuckWritable(1);
    const fast = new CollectingWritable();
    const slowConsumer = hub.attach(slow);
    hub.attach(fast);
    feed(hub, stream.bytes);
    hub.end();
    assert.equal(fast.writableEnded, true);
    assert.equal(slowConsumer.state, 'ending', 'still flushing its queue');
    slow.release();
    await nextTurn();
    assert.equal(slowConsumer.state, 'ended');
    assert.ok(slow.bytes.equals(stream.bytes), 'slow.bytes.equals(stream.bytes)');
    assert.equal(slow.writableFinished, true);
    // Finished Writables close (autoDestroy); ended consumers then leave the hub's list.
    assert.deepEqual(hub.list(), []);
    assert.equal(slowConsumer.state, 'ended');
  });

  it('a consumer attached after end() gets the snapshot and is ended', () => {
    const stream = syntheticStream({ gops: 2, framesPerGop: 5 });
    const hub = new FanoutHub();
    feed(hub, stream.bytes);
    hub.end();
    const late = new CollectingWritable();
    hub.attach(late);
    assert.equal(late.writableEnded, true);
    assert.deepEqual(
      parseOutput(late.bytes).slice(3).map(mediaId),
      stream.media.slice(stream.gopStarts[1]).map(mediaId),
    );
  });

  it('corrupt input throws FlvParseError after delivering the good tags', () => {
    const stream = syntheticStream({ gops: 2, framesPerGop: 5 });
    const bytes = Buffer.from(stream.bytes);
    const badAt = 13 + stream.tags.slice(0, 5).reduce((sum, tag) => sum + tag.raw.length, 0);
    bytes[badAt] = 0x13;
    const hub = new FanoutHub();
    const out = new CollectingWritable();
    hub.attach(out);
    assert.throws(
      () => hub.push(bytes),
      (error: unknown) => error instanceof FlvParseError && error.offset === badAt,
    );
    assert.ok(out.bytes.equals(bytes.subarray(0, badAt)), 'out.bytes.equals(bytes.subarray(0, badAt))');
    assert.match(hub.stats().inputFailed ?? '', /unknown tag type 19 at byte offset/);
  });

  it('a corrupt run is closed after its good tags; the next run carries the program on', () => {
    const first = syntheticStream({ gops: 2, framesPerGop: 5 });
    const bytes = Buffer.from(first.bytes);
    const badAt = 13 + first.tags.slice(0, 5).reduce((sum, tag) => sum + tag.raw.length, 0);
    bytes[badAt] = 0x13;
    const hub = new FanoutHub();
    const out = new CollectingWritable();
    hub.attach(out);
    const errors: Error[] = [];
    const run1 = hub.openInput({ name: 'run 1', onError: (error) => errors.push(error) });
    run1.push(bytes);
    run1.push(Buffer.alloc(1)); // a closed input ignores what still comes
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof FlvParseError && errors[0].offset === badAt, String(errors[0]));

    // The next run restarts its clock at 0: it is rebased to continue after what went out.
    const second = syntheticStream({ gops: 2, framesPerGop: 5, firstId: 100 });
    hub.openInput({ name: 'run 2' }).push(second.bytes);
    const tags = parseOutput(out.bytes);
    const media = tags.filter((tag) => tag.kind === 'video' || tag.kind === 'audio');
    assert.deepEqual(
      media.map(mediaId),
      [...first.media.slice(0, 2).map(mediaId), ...second.media.map(mediaId)],
      'the first run up to the corruption, then all of the second',
    );
    const times = media.map((tag) => tag.timestamp);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, `timestamps rise: ${times}`);
    assert.equal(tags.filter((tag) => tag.kind === 'metadata').length, 1, 'one onMetaData');
  });

  it('a consumer whose snapshot alone exceeds its queue waits for the next keyframe', () => {
    const stream = syntheticStream({ gops: 3, framesPerGop: 10, videoSize: 400 });
    const hub = new FanoutHub();
    const cut =
      13 + stream.tags.slice(0, 3 + stream.gopStarts[1]! + 8).reduce((sum, tag) => sum + tag.raw.length, 0);
    feed(hub, stream.bytes.subarray(0, cut));
    const small = new StuckWritable();
    const consumer = hub.attach(small, { maxQueueBytes: 2_000 });
    const stats = consumer.stats();
    assert.equal(stats.awaitingKeyframe, true);
    assert.equal(stats.droppedGops, 1);
    assert.ok(stats.bytesQueued <= 2_000, 'stats.bytesQueued <= 2_000');
  });
});
