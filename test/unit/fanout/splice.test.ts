import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  TAG_AUDIO,
  TAG_SCRIPT,
  TAG_VIDEO,
  createTag,
  encodeHeader,
  parseFlv,
} from '../../../src/engine/fanout/flv.ts';
import type { FlvTag } from '../../../src/engine/fanout/flv.ts';
import { ProgramSplicer, type SplicedOutput } from '../../../src/engine/fanout/splice.ts';
import {
  AAC_SEQUENCE_HEADER_BODY,
  AVC_SEQUENCE_HEADER_BODY,
  audioTag,
  metadataBody,
  mediaId,
  videoTag,
} from './fixtures.ts';

const FRAME_MS = 1000 / 30;

/** One encoder run's output: header, metadata, sequence headers, then frames on the program
 *  clock from `fromMs` with a keyframe every `gop` frames (the first frame is a keyframe) and
 *  one audio tag per frame, `audioLeadMs` ahead of its frame. */
function run(options: {
  fromMs: number;
  frames: number;
  firstId: number;
  gop?: number;
  audioLeadMs?: number;
  avc?: Buffer;
}): { control: FlvTag[]; media: FlvTag[] } {
  const { fromMs, frames, firstId, gop = 60, audioLeadMs = 0 } = options;
  const control = [
    createTag({ tagType: TAG_SCRIPT, timestamp: fromMs, data: metadataBody() }),
    createTag({ tagType: TAG_VIDEO, timestamp: fromMs, data: options.avc ?? AVC_SEQUENCE_HEADER_BODY }),
    createTag({ tagType: TAG_AUDIO, timestamp: fromMs, data: AAC_SEQUENCE_HEADER_BODY }),
  ];
  const media: FlvTag[] = [];
  const firstFrame = Math.round(fromMs / FRAME_MS);
  for (let i = 0; i < frames; i++) {
    const ts = Math.round((firstFrame + i) * FRAME_MS);
    media.push(videoTag(firstId + 2 * i, ts, i % gop === 0));
    media.push(audioTag(firstId + 2 * i + 1, ts + audioLeadMs));
  }
  // ffmpeg's muxer interleaves by decode timestamp: an audio tag ahead of its frame comes later.
  media.sort((x, y) => x.timestamp - y.timestamp);
  return { control, media };
}

function collector() {
  const out: SplicedOutput[] = [];
  const splicer = new ProgramSplicer((o) => out.push(o));
  const header = parseFlv(encodeHeader()).header;
  const feed = (input: number, tags: FlvTag[]) => {
    splicer.packet(input, header);
    for (const tag of tags) splicer.packet(input, tag);
  };
  const media = () =>
    out.flatMap((o) => (o.kind === 'tag' && (o.tag.kind === 'video' || o.tag.kind === 'audio') ? [o] : []));
  return { splicer, out, feed, media };
}

function assertRising(times: number[]): void {
  for (let i = 1; i < times.length; i++)
    assert.ok(times[i]! >= times[i - 1]!, `decode timestamps go back at ${i}: ${times[i - 1]} → ${times[i]}`);
}

describe('ProgramSplicer', () => {
  it('passes the first run through unchanged, with one header', () => {
    const { splicer, out, feed, media } = collector();
    const a = run({ fromMs: 0, frames: 90, firstId: 1 });
    feed(splicer.open('run 1'), [...a.control, ...a.media]);
    assert.equal(out.filter((o) => o.kind === 'header').length, 1);
    assert.deepEqual(
      media().map((o) => mediaId(o.tag)),
      a.media.map(mediaId),
    );
    assert.deepEqual(
      media().map((o) => o.tag.timestamp),
      a.media.map((t) => t.timestamp),
    );
  });

  it('a planned takeover cuts the old run before the new keyframe: no gap, no overlap, one header', () => {
    const { splicer, out, feed, media } = collector();
    const a = run({ fromMs: 0, frames: 150, firstId: 1, audioLeadMs: 15 });
    const newAvc = Buffer.from(AVC_SEQUENCE_HEADER_BODY);
    newAvc[newAvc.length - 1] = 0x42; // a new size
    const cutMs = Math.round(90 * FRAME_MS); // frame 90: 3000 ms
    const b = run({ fromMs: cutMs, frames: 60, firstId: 10_000, avc: newAvc });
    const inputA = splicer.open('run 1');
    feed(inputA, [...a.control, ...a.media.slice(0, 140)]); // the old run is ahead of the cut
    const inputB = splicer.open('run 2', { startMs: cutMs, planned: true });
    // The old run's output from shortly before the cut waits for the new run's keyframe.
    feed(inputA, a.media.slice(140));
    assert.ok(splicer.stats().heldTags > 0, 'held');
    feed(inputB, [...b.control, ...b.media]);
    assert.equal(splicer.onAirInput, inputB);

    const sent = media();
    const ids = sent.map((o) => mediaId(o.tag));
    const oldIds = a.media.filter((t) => t.timestamp < cutMs).map(mediaId);
    assert.deepEqual(ids, [...oldIds, ...b.media.map(mediaId)], 'old run up to the cut, then the new run');
    assertRising(sent.map((o) => o.time));
    const video = sent.filter((o) => o.tag.kind === 'video').map((o) => o.time);
    const steps = video.slice(1).map((t, i) => t - video[i]!);
    assert.ok(Math.max(...steps) <= 34, `largest video step ${Math.max(...steps)} ms`);
    assert.equal(out.filter((o) => o.kind === 'header').length, 1);
    // The new decoder configuration goes out in-band just before the new keyframe; the AAC one is
    // the same, so it is not repeated; the new onMetaData is for newcomers only.
    const tags = out.flatMap((o) => (o.kind === 'tag' ? [o] : []));
    const avcAt = tags.findIndex((o) => o.tag.kind === 'avc-sequence-header' && o.tag.data.equals(newAvc));
    assert.ok(avcAt > 0, 'new AVC sequence header sent');
    assert.equal(mediaId(tags[avcAt + 1]!.tag), b.media[0] && mediaId(b.media[0]));
    assert.equal(tags.filter((o) => o.tag.kind === 'aac-sequence-header').length, 1);
    assert.equal(splicer.stats().plannedSwitches, 1);
  });

  it('a planned takeover waits for the old run when the new one is ahead', () => {
    const { splicer, feed, media } = collector();
    const a = run({ fromMs: 0, frames: 150, firstId: 1 });
    const cutMs = 3000;
    const b = run({ fromMs: cutMs, frames: 30, firstId: 10_000 });
    const inputA = splicer.open('run 1');
    feed(inputA, [...a.control, ...a.media.slice(0, 80)]);
    const inputB = splicer.open('run 2', { startMs: cutMs, planned: true });
    feed(inputB, [...b.control, ...b.media]); // arrives before the old run reached the cut
    assert.equal(splicer.onAirInput, inputA);
    feed(inputA, a.media.slice(80));
    assert.equal(splicer.onAirInput, inputB);
    const ids = media().map((o) => mediaId(o.tag));
    assert.deepEqual(ids, [
      ...a.media.filter((t) => t.timestamp < cutMs).map(mediaId),
      ...b.media.map(mediaId),
    ]);
  });

  it('after a crash the new run goes on air at its keyframe, stepping forward by the outage', () => {
    const { splicer, feed, media } = collector();
    const a = run({ fromMs: 0, frames: 100, firstId: 1, audioLeadMs: 40 });
    const b = run({ fromMs: 4500, frames: 30, firstId: 10_000 });
    const inputA = splicer.open('run 1');
    feed(inputA, [...a.control, ...a.media]);
    splicer.close(inputA);
    feed(splicer.open('run 2'), [...b.control, ...b.media]);
    const sent = media();
    assertRising(sent.map((o) => o.time));
    const video = sent.filter((o) => o.tag.kind === 'video').map((o) => o.time);
    const steps = video.slice(1).map((t, i) => t - video[i]!);
    assert.equal(Math.max(...steps), 4500 - Math.round(99 * FRAME_MS));
    assert.equal(splicer.stats().recoverySwitches, 1);
  });

  it('rebases a run whose clock starts over, so decode timestamps keep rising', () => {
    const { splicer, feed, media } = collector();
    const a = run({ fromMs: 0, frames: 100, firstId: 1 });
    const b = run({ fromMs: 0, frames: 30, firstId: 10_000 });
    const inputA = splicer.open('run 1');
    feed(inputA, [...a.control, ...a.media]);
    splicer.close(inputA);
    feed(splicer.open('run 2'), [...b.control, ...b.media]);
    const sent = media();
    assertRising(sent.map((o) => o.time));
    assert.equal(sent.length, a.media.length + b.media.length);
  });

  it('an abandoned takeover sends what it held, late but complete', () => {
    const { splicer, feed, media } = collector();
    const a = run({ fromMs: 0, frames: 150, firstId: 1 });
    const inputA = splicer.open('run 1');
    feed(inputA, [...a.control, ...a.media.slice(0, 60)]);
    const inputB = splicer.open('run 2', { startMs: 3000, planned: true });
    feed(inputA, a.media.slice(60));
    splicer.abandon(inputB);
    assert.deepEqual(
      media().map((o) => mediaId(o.tag)),
      a.media.map(mediaId),
    );
    assert.equal(splicer.stats().heldTags, 0);
  });

  it('unwraps ffmpeg’s 31-bit FLV timestamps and writes the program mod 2^32', () => {
    const { splicer, feed, media } = collector();
    const start = 2 ** 31 - 1000;
    const tags: FlvTag[] = [];
    for (let i = 0; i < 60; i++) {
      const program = start + Math.round(i * FRAME_MS);
      tags.push(videoTag(i + 1, program % 2 ** 31, i === 0)); // what ffmpeg writes
    }
    feed(splicer.open('run 1'), tags);
    const sent = media();
    assertRising(sent.map((o) => o.time));
    assert.equal(sent.at(-1)!.time, start + Math.round(59 * FRAME_MS));
    assert.equal(sent.at(-1)!.tag.timestamp, start + Math.round(59 * FRAME_MS)); // < 2^32: as is
    // Past 2^32 the wire timestamp wraps (a publisher's live_flv demuxer takes the discontinuity).
    const { splicer: late, feed: feedLate, media: lateMedia } = collector();
    const near32 = 2 ** 32 - 500;
    const lateTags = Array.from({ length: 30 }, (_, i) =>
      videoTag(i + 1, (near32 + Math.round(i * FRAME_MS)) % 2 ** 31, i === 0),
    );
    feedLate(late.open('run 1', { startMs: near32 }), lateTags);
    const lateSent = lateMedia();
    assertRising(lateSent.map((o) => o.time));
    assert.ok(lateSent.at(-1)!.time > 2 ** 32);
    assert.equal(lateSent.at(-1)!.tag.timestamp, lateSent.at(-1)!.time - 2 ** 32);
  });

  it('a run’s onMetaData at timestamp 0 does not throw off where its clock is', () => {
    const { splicer, feed, media } = collector();
    const start = 2 ** 32 - 20_000; // ffmpeg writes this as start mod 2^31
    const tags = [
      createTag({ tagType: TAG_SCRIPT, timestamp: 0, data: metadataBody() }),
      ...Array.from({ length: 10 }, (_, i) => videoTag(i + 1, (start + i * 33) % 2 ** 31, i === 0)),
    ];
    feed(splicer.open('run 1', { startMs: start }), tags);
    assert.equal(media()[0]!.time, start);
  });
});
