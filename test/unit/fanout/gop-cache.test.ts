import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FlvParser,
  TAG_AUDIO,
  TAG_SCRIPT,
  TAG_VIDEO,
  createTag,
  parseFlv,
} from '../../../src/engine/fanout/flv.ts';
import type { FlvHeader, FlvTag } from '../../../src/engine/fanout/flv.ts';
import { GopCache } from '../../../src/engine/fanout/gop-cache.ts';
import {
  AVC_SEQUENCE_HEADER_BODY,
  audioTag,
  mediaId,
  metadataBody,
  syntheticStream,
  videoTag,
} from './fixtures.ts';

function header(): FlvHeader {
  const packet = new FlvParser().push(syntheticStream({ gops: 0, framesPerGop: 0 }).header)[0]!;
  assert.equal(packet.kind, 'header');
  return packet;
}

function feed(cache: GopCache, tags: readonly FlvTag[]): void {
  for (const tag of tags) cache.add(tag);
}

describe('GopCache', () => {
  it('is empty before the header', () => {
    const cache = new GopCache();
    assert.equal(cache.snapshot().length, 0);
    assert.deepEqual(cache.snapshotParts(), []);
    assert.equal(cache.hasGop, false);
  });

  it('snapshot = header, metadata, AVC + AAC sequence headers, then the current GOP', () => {
    const stream = syntheticStream({ gops: 3, framesPerGop: 4, audioPerFrame: 2 });
    const cache = new GopCache();
    cache.add(header());
    feed(cache, stream.tags);
    // Two more frames into a 4th GOP.
    const extra = [videoTag(1000, 500, true), audioTag(1001, 500), videoTag(1002, 533, false)];
    feed(cache, extra);

    const parts = cache.snapshotParts();
    assert.deepEqual(
      parts.map((part) => part.role),
      ['header', 'metadata', 'avc-sequence-header', 'aac-sequence-header', 'gop', 'gop', 'gop'],
    );
    const { header: parsedHeader, tags } = parseFlv(cache.snapshot());
    assert.ok(
      parsedHeader.hasAudio && parsedHeader.hasVideo,
      'parsedHeader.hasAudio && parsedHeader.hasVideo',
    );
    assert.deepEqual(
      tags.map((tag) => tag.kind),
      ['metadata', 'avc-sequence-header', 'aac-sequence-header', 'video', 'audio', 'video'],
    );
    assert.deepEqual(tags.slice(3).map(mediaId), [1000, 1001, 1002]);
    assert.equal(tags[3]!.keyframe, true);
    // Control tags are re-stamped to the keyframe time; the GOP keeps the encoder's timestamps.
    assert.deepEqual(
      tags.map((tag) => tag.timestamp),
      [500, 500, 500, 500, 500, 533],
    );
    // Bodies of the control tags are the latest ones, unchanged.
    assert.ok(
      tags[1]!.data.equals(AVC_SEQUENCE_HEADER_BODY),
      'tags[1]!.data.equals(AVC_SEQUENCE_HEADER_BODY)',
    );
    assert.deepEqual(cache.stats(), {
      hasHeader: true,
      hasGop: true,
      gopTags: 3,
      gopBytes: extra.reduce((sum, tag) => sum + tag.raw.length, 0),
      gopStartTimestamp: 500,
      keyframes: 4,
      gopOverflows: 0,
    });
  });

  it('holds no GOP before the first keyframe (media before it is not cached)', () => {
    const cache = new GopCache();
    cache.add(header());
    feed(cache, syntheticStream({ gops: 0, framesPerGop: 0 }).tags);
    feed(cache, [audioTag(1, 0), videoTag(2, 0, false), audioTag(3, 10)]);
    assert.equal(cache.hasGop, false);
    const { tags } = parseFlv(cache.snapshot());
    assert.deepEqual(
      tags.map((tag) => `${tag.kind}@${tag.timestamp}`),
      ['metadata@0', 'avc-sequence-header@0', 'aac-sequence-header@0'],
    );
    cache.add(videoTag(4, 40, true));
    assert.equal(cache.hasGop, true);
    assert.deepEqual(cache.gop.map(mediaId), [4]);
  });

  it('keeps only the latest metadata and sequence headers', () => {
    const cache = new GopCache();
    cache.add(header());
    cache.add(createTag({ tagType: TAG_SCRIPT, timestamp: 0, data: metadataBody(320) }));
    cache.add(createTag({ tagType: TAG_SCRIPT, timestamp: 0, data: metadataBody(640) }));
    cache.add(createTag({ tagType: TAG_SCRIPT, timestamp: 0, data: Buffer.from([2, 0, 2, 0x6f, 0x6e]) })); // "on"
    assert.ok(
      cache.metadata!.data.equals(metadataBody(640)),
      'cache.metadata!.data.equals(metadataBody(640))',
    );
    const { tags } = parseFlv(cache.snapshot());
    assert.equal(tags.length, 1);
    assert.equal(tags[0]!.data.readDoubleBE(tags[0]!.data.length - 11), 640);
  });

  it('a changed sequence header invalidates the cached GOP; an identical one does not', () => {
    const cache = new GopCache();
    cache.add(header());
    feed(cache, syntheticStream({ gops: 1, framesPerGop: 3 }).tags);
    assert.equal(cache.gop.length, 6);
    cache.add(createTag({ tagType: TAG_VIDEO, timestamp: 90, data: AVC_SEQUENCE_HEADER_BODY }));
    assert.equal(cache.gop.length, 6, 'same SPS/PPS repeated');
    const changed = Buffer.from(AVC_SEQUENCE_HEADER_BODY);
    changed[changed.length - 1] = 0xef;
    cache.add(createTag({ tagType: TAG_VIDEO, timestamp: 100, data: changed }));
    assert.equal(cache.hasGop, false);
    cache.add(audioTag(50, 100));
    assert.equal(cache.hasGop, false);
    cache.add(createTag({ tagType: TAG_AUDIO, timestamp: 100, data: Buffer.from([0xaf, 0, 0x11, 0x90]) }));
    cache.add(videoTag(51, 133, true));
    assert.deepEqual(cache.gop.map(mediaId), [51]);
    const snapshotTags = parseFlv(cache.snapshot()).tags;
    assert.ok(snapshotTags[1]!.data.equals(changed), 'snapshotTags[1]!.data.equals(changed)');
    assert.deepEqual([...snapshotTags[2]!.data], [0xaf, 0, 0x11, 0x90]);
  });

  it('is bounded in bytes: an oversized GOP is dropped until the next keyframe', () => {
    const tagSize = videoTag(0, 0, false, 100).raw.length; // 115 bytes per video tag
    const cache = new GopCache({ maxGopBytes: tagSize * 3 });
    cache.add(header());
    cache.add(videoTag(1, 0, true, 100));
    cache.add(videoTag(2, 33, false, 100));
    cache.add(videoTag(3, 66, false, 100));
    assert.equal(cache.stats().gopBytes, tagSize * 3);
    cache.add(videoTag(4, 100, false, 100)); // would exceed
    assert.equal(cache.hasGop, false);
    assert.equal(cache.stats().gopOverflows, 1);
    cache.add(videoTag(5, 133, false, 100));
    assert.equal(cache.hasGop, false, 'the rest of that GOP is not cached either');
    cache.add(videoTag(6, 166, true, 100));
    assert.deepEqual(cache.gop.map(mediaId), [6]);
    // A single keyframe larger than the bound is never cached.
    cache.add(videoTag(7, 200, true, tagSize * 4));
    assert.equal(cache.hasGop, false);
    assert.equal(cache.stats().gopOverflows, 2);
    assert.throws(() => new GopCache({ maxGopBytes: 0 }), RangeError);
  });

  it('a new FLV header clears everything', () => {
    const cache = new GopCache();
    cache.add(header());
    feed(cache, syntheticStream({ gops: 1, framesPerGop: 2 }).tags);
    cache.add(header());
    assert.equal(cache.hasGop, false);
    assert.equal(cache.metadata, undefined);
    assert.equal(cache.snapshot().length, 13);
  });
});
