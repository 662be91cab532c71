import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FlvParseError,
  FlvParser,
  TAG_AUDIO,
  TAG_SCRIPT,
  TAG_VIDEO,
  classifyTag,
  createTag,
  encodeHeader,
  encodeTag,
  parseFlv,
  withTimestamp,
} from '../../../src/engine/fanout/flv.ts';
import type { FlvPacket } from '../../../src/engine/fanout/flv.ts';
import {
  AAC_SEQUENCE_HEADER_BODY,
  AVC_SEQUENCE_HEADER_BODY,
  metadataBody,
  randomChunks,
  syntheticStream,
} from './fixtures.ts';

function summary(packets: FlvPacket[]): string[] {
  return packets.map((packet) =>
    packet.kind === 'header'
      ? `header v${packet.version} a${Number(packet.hasAudio)} v${Number(packet.hasVideo)}`
      : `${packet.kind}@${packet.offset} t${packet.timestamp} k${Number(packet.keyframe)} ${packet.raw.toString('hex')}`,
  );
}

function parseInChunks(chunks: Buffer[]): FlvPacket[] {
  const parser = new FlvParser();
  const out: FlvPacket[] = [];
  for (const chunk of chunks) out.push(...parser.push(chunk));
  parser.end();
  return out;
}

function fixedChunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

function expectParseError(fn: () => unknown, offset: number, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FlvParseError, `expected FlvParseError, got ${String(error)}`);
    assert.equal(error.offset, offset);
    assert.match(error.message, pattern);
    assert.match(error.message, new RegExp(`at byte offset ${offset}$`));
    return true;
  });
}

describe('FLV serializer', () => {
  it('encodes the header with PreviousTagSize0', () => {
    assert.equal(encodeHeader().toString('hex'), '464c5601050000000900000000');
    assert.equal(encodeHeader({ hasAudio: false }).toString('hex'), '464c5601010000000900000000');
    assert.equal(encodeHeader({ hasVideo: false }).toString('hex'), '464c5601040000000900000000');
  });

  it('encodes a tag: type, 24-bit size, timestamp + extension byte, stream id, body, previous size', () => {
    const bytes = encodeTag({
      tagType: TAG_VIDEO,
      timestamp: 0x12345678,
      data: Buffer.from([0x17, 0x01, 0xaa]),
    });
    assert.equal(bytes.toString('hex'), '09' + '000003' + '345678' + '12' + '000000' + '1701aa' + '0000000e');
    const tag = createTag({
      tagType: TAG_VIDEO,
      timestamp: 0x12345678,
      data: Buffer.from([0x17, 0x01, 0xaa]),
    });
    assert.equal(tag.timestamp, 0x12345678);
    assert.equal(tag.offset, -1);
    assert.deepEqual([...tag.data], [0x17, 0x01, 0xaa]);
  });

  it('round-trips timestamps at the 24/32-bit edges', () => {
    for (const timestamp of [0, 1, 0xffffff, 0x1000000, 0xffffffff]) {
      const { tags } = parseFlv(
        Buffer.concat([
          encodeHeader(),
          encodeTag({ tagType: TAG_AUDIO, timestamp, data: Buffer.from([0xaf, 1]) }),
        ]),
      );
      assert.equal(tags[0]!.timestamp, timestamp);
    }
  });

  it('rejects invalid timestamps and oversized bodies', () => {
    assert.throws(() => encodeTag({ tagType: TAG_AUDIO, timestamp: -1, data: Buffer.alloc(1) }), RangeError);
    assert.throws(
      () => encodeTag({ tagType: TAG_AUDIO, timestamp: 2 ** 32, data: Buffer.alloc(1) }),
      RangeError,
    );
    assert.throws(() => encodeTag({ tagType: TAG_AUDIO, timestamp: 1.5, data: Buffer.alloc(1) }), RangeError);
    assert.throws(
      () => encodeTag({ tagType: TAG_AUDIO, timestamp: 0, data: Buffer.alloc(0x1000000) }),
      RangeError,
    );
  });

  it('withTimestamp re-encodes a copy and leaves the original alone', () => {
    const tag = createTag({ tagType: TAG_SCRIPT, timestamp: 0, data: metadataBody() });
    const moved = withTimestamp(tag, 70_000_000);
    assert.equal(moved.timestamp, 70_000_000);
    assert.equal(moved.kind, 'metadata');
    assert.equal(tag.timestamp, 0);
    assert.ok(moved.data.equals(tag.data), 'moved.data.equals(tag.data)');
    assert.equal(withTimestamp(tag, 0), tag);
  });
});

describe('FLV classification', () => {
  const cases: [string, number, number[], string, boolean][] = [
    ['AVC sequence header', TAG_VIDEO, [0x17, 0x00, 0, 0, 0, 1], 'avc-sequence-header', false],
    ['AVC keyframe', TAG_VIDEO, [0x17, 0x01, 0, 0, 0, 9], 'video', true],
    ['AVC inter frame', TAG_VIDEO, [0x27, 0x01, 0, 0, 0, 9], 'video', false],
    ['AVC disposable frame', TAG_VIDEO, [0x37, 0x01, 0, 0, 0, 9], 'video', false],
    ['AVC end of sequence', TAG_VIDEO, [0x17, 0x02, 0, 0, 0], 'avc-end-of-sequence', false],
    ['VP6 keyframe (non-AVC)', TAG_VIDEO, [0x14, 0x00, 0x11], 'video', true],
    ['video info frame', TAG_VIDEO, [0x57, 0x00], 'video', false],
    ['empty video', TAG_VIDEO, [], 'video', false],
    ['AAC sequence header', TAG_AUDIO, [0xaf, 0x00, 0x12, 0x10], 'aac-sequence-header', false],
    ['AAC raw', TAG_AUDIO, [0xaf, 0x01, 0x21], 'audio', false],
    ['MP3 (format 2, byte 1 is 0)', TAG_AUDIO, [0x2f, 0x00, 0xff], 'audio', false],
    ['truncated AAC', TAG_AUDIO, [0xaf], 'audio', false],
  ];
  for (const [name, tagType, body, kind, keyframe] of cases) {
    it(name, () => {
      assert.deepEqual(classifyTag(tagType as 8 | 9 | 18, Buffer.from(body)), { kind, keyframe });
    });
  }

  it('onMetaData, @setDataFrame + onMetaData, and other script data', () => {
    const amf = (...names: string[]): Buffer =>
      Buffer.concat(
        names.map((name) =>
          Buffer.concat([Buffer.from([0x02, 0, name.length]), Buffer.from(name, 'latin1')]),
        ),
      );
    assert.equal(classifyTag(TAG_SCRIPT, metadataBody()).kind, 'metadata');
    assert.equal(classifyTag(TAG_SCRIPT, amf('@setDataFrame', 'onMetaData')).kind, 'metadata');
    assert.equal(classifyTag(TAG_SCRIPT, amf('@setDataFrame', 'onCuePoint')).kind, 'script');
    assert.equal(classifyTag(TAG_SCRIPT, amf('onCuePoint')).kind, 'script');
    assert.equal(classifyTag(TAG_SCRIPT, Buffer.from([0x02, 0x00, 0x0a, 0x6f])).kind, 'script'); // truncated
    assert.equal(classifyTag(TAG_SCRIPT, Buffer.from([0x00, 0, 0, 0, 0, 0, 0, 0, 0])).kind, 'script');
    assert.equal(classifyTag(TAG_SCRIPT, Buffer.alloc(0)).kind, 'script');
  });
});

describe('FlvParser', () => {
  const stream = syntheticStream({ gops: 3, framesPerGop: 5, audioPerFrame: 2, videoSize: 300 });
  const whole = summary(parseInChunks([stream.bytes]));

  it('parses the header and every tag, classifying them', () => {
    const packets = parseInChunks([stream.bytes]);
    assert.equal(packets.length, 1 + stream.tags.length);
    const header = packets[0]!;
    assert.equal(header.kind, 'header');
    assert.ok(
      header.kind === 'header' && header.hasAudio && header.hasVideo && header.dataOffset === 9,
      "header.kind === 'header' && header.hasAudio && header.hasVideo && header.dataOffset === 9",
    );
    const kinds = packets.slice(1, 5).map((packet) => packet.kind);
    assert.deepEqual(kinds, ['metadata', 'avc-sequence-header', 'aac-sequence-header', 'video']);
    const tags = packets.slice(1).filter((packet) => packet.kind !== 'header');
    assert.equal(tags.filter((tag) => tag.keyframe).length, 3);
    tags.forEach((tag, i) =>
      assert.ok(tag.raw.equals(stream.tags[i]!.raw), 'tag.raw.equals(stream.tags[i]!.raw)'),
    );
    assert.equal(tags[0]!.offset, 13);
    assert.equal(tags[1]!.offset, 13 + stream.tags[0]!.raw.length);
    assert.ok(
      tags.find((tag) => tag.kind === 'avc-sequence-header')!.data.equals(AVC_SEQUENCE_HEADER_BODY),
      "tags.find((tag) => tag.kind === 'avc-sequence-header')!.data.equals(AVC_SEQUENCE_HEADER_BODY)",
    );
    assert.ok(
      tags.find((tag) => tag.kind === 'aac-sequence-header')!.data.equals(AAC_SEQUENCE_HEADER_BODY),
      "tags.find((tag) => tag.kind === 'aac-sequence-header')!.data.equals(AAC_SEQUENCE_HEADER_BODY)",
    );
  });

  it('gives the same result for every fixed chunk size, including 1 byte', () => {
    for (let size = 1; size <= 40; size++) {
      assert.deepEqual(summary(parseInChunks(fixedChunks(stream.bytes, size))), whole, `chunk size ${size}`);
    }
    for (const size of [300, 317, 1000, stream.bytes.length - 1]) {
      assert.deepEqual(summary(parseInChunks(fixedChunks(stream.bytes, size))), whole, `chunk size ${size}`);
    }
  });

  it('gives the same result for random chunkings', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const chunks = randomChunks(stream.bytes, seed, seed % 2 === 0 ? 8 : 700);
      assert.deepEqual(summary(parseInChunks(chunks)), whole, `seed ${seed}`);
    }
  });

  it('reports each unit as soon as its last byte arrives', () => {
    const parser = new FlvParser();
    const headerEnd = 13;
    const firstTagEnd = headerEnd + stream.tags[0]!.raw.length;
    assert.deepEqual(parser.push(stream.bytes.subarray(0, headerEnd - 1)), []);
    assert.equal(parser.push(stream.bytes.subarray(headerEnd - 1, headerEnd))[0]?.kind, 'header');
    assert.deepEqual(parser.push(stream.bytes.subarray(headerEnd, firstTagEnd - 1)), []);
    assert.equal(parser.push(stream.bytes.subarray(firstTagEnd - 1, firstTagEnd))[0]?.kind, 'metadata');
    assert.deepEqual(parser.stats(), { bytesParsed: firstTagEnd, bytesPending: 0, tags: 1 });
  });

  it('does not keep references to the pushed chunks (copies tag bytes)', () => {
    const copy = Buffer.from(stream.bytes);
    const packets = new FlvParser().push(copy);
    copy.fill(0);
    assert.deepEqual(summary(packets), whole.slice(0, packets.length));
  });

  it('skips extra header bytes announced by a larger data offset', () => {
    const header = Buffer.from('464c5601050000000c' + 'aabbcc' + '00000000', 'hex');
    const tag = encodeTag({ tagType: TAG_AUDIO, timestamp: 5, data: Buffer.from([0xaf, 1, 2]) });
    for (const size of [1, 2, 5, 100]) {
      const packets = parseInChunks(fixedChunks(Buffer.concat([header, tag]), size));
      assert.equal(packets.length, 2);
      assert.ok(
        packets[0]!.kind === 'header' && packets[0]!.dataOffset === 12,
        "packets[0]!.kind === 'header' && packets[0]!.dataOffset === 12",
      );
      assert.ok(
        packets[1]!.kind === 'audio' && packets[1]!.offset === 16,
        "packets[1]!.kind === 'audio' && packets[1]!.offset === 16",
      );
    }
  });

  it('accepts Uint8Array chunks', () => {
    const packets = new FlvParser().push(new Uint8Array(stream.bytes));
    assert.equal(packets.length, 1 + stream.tags.length);
  });
});

describe('FlvParser errors name the byte offset', () => {
  const stream = syntheticStream({ gops: 1, framesPerGop: 3 });

  it('bad signature at offset 0', () => {
    expectParseError(() => new FlvParser().push(Buffer.from('GIF89a')), 0, /bad signature/);
  });

  it('bad signature detected as soon as the wrong byte arrives (1-byte chunks)', () => {
    const parser = new FlvParser();
    parser.push(Buffer.from('F'));
    parser.push(Buffer.from('L'));
    expectParseError(() => parser.push(Buffer.from('X')), 2, /bad signature.*byte 2 is 0x58/);
  });

  it('header data offset out of range', () => {
    const bytes = Buffer.from('464c56010500000005', 'hex');
    expectParseError(() => new FlvParser().push(bytes), 5, /data offset 5/);
  });

  it('non-zero PreviousTagSize0', () => {
    const bytes = Buffer.from('464c5601050000000900000007', 'hex');
    expectParseError(() => new FlvParser().push(bytes), 9, /PreviousTagSize0 is 7/);
  });

  it('previous tag size mismatch', () => {
    const bytes = Buffer.from(stream.bytes);
    const second = 13 + stream.tags[0]!.raw.length; // offset of the second tag
    const sizeField = second + stream.tags[1]!.raw.length - 4;
    bytes.writeUInt32BE(12345, sizeField);
    for (const size of [1, 7, bytes.length]) {
      const parser = new FlvParser();
      const seen: FlvPacket[] = [];
      expectParseError(
        () => {
          for (const chunk of fixedChunks(bytes, size)) parser.pushEach(chunk, (packet) => seen.push(packet));
        },
        sizeField,
        new RegExp(`previous tag size mismatch: tag at ${second} .* found 12345`),
      );
      // Units before the corruption were delivered.
      assert.deepEqual(
        seen.map((packet) => packet.kind),
        ['header', 'metadata'],
      );
    }
  });

  it('size field corrupted (the body runs into the next tag)', () => {
    const bytes = Buffer.from(stream.bytes);
    const second = 13 + stream.tags[0]!.raw.length;
    bytes.writeUIntBE(stream.tags[1]!.data.length + 4, second + 1, 3); // claims 4 more bytes
    const error = (() => {
      try {
        new FlvParser().push(bytes);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof FlvParseError, 'error instanceof FlvParseError');
    assert.match(error.message, /previous tag size mismatch/);
    assert.equal(error.offset, second + 11 + stream.tags[1]!.data.length + 4);
  });

  it('unknown tag type', () => {
    const bytes = Buffer.from(stream.bytes);
    bytes[13] = 0x07;
    expectParseError(() => new FlvParser().push(bytes), 13, /unknown tag type 7/);
  });

  it('reserved bits, encrypted tags and non-zero stream id', () => {
    const reserved = Buffer.from(stream.bytes);
    reserved[13] = 0x40 | TAG_SCRIPT;
    expectParseError(() => new FlvParser().push(reserved), 13, /reserved bits/);
    const encrypted = Buffer.from(stream.bytes);
    encrypted[13] = 0x20 | TAG_SCRIPT;
    expectParseError(() => new FlvParser().push(encrypted), 13, /encrypted/);
    const streamId = Buffer.from(stream.bytes);
    streamId[13 + 10] = 1;
    expectParseError(() => new FlvParser().push(streamId), 21, /stream id is 1/);
  });

  it('truncated input is reported by end()', () => {
    const parser = new FlvParser();
    parser.push(stream.bytes.subarray(0, stream.bytes.length - 3));
    const lastTag = stream.bytes.length - stream.tags.at(-1)!.raw.length;
    expectParseError(() => parser.end(), lastTag, /stream ended inside a tag \(\d+ bytes left over\)/);
    expectParseError(() => new FlvParser().end(), 0, /before the FLV header/);
    const headerOnly = new FlvParser();
    headerOnly.push(stream.bytes.subarray(0, 5));
    expectParseError(() => headerOnly.end(), 0, /inside a FLV header/);
  });

  it('stays failed until reset()', () => {
    const parser = new FlvParser();
    assert.throws(() => parser.push(Buffer.from('nope')), FlvParseError);
    assert.ok(parser.failed, 'parser.failed');
    assert.throws(() => parser.push(stream.bytes), /bad signature/);
    parser.reset();
    assert.equal(parser.push(stream.bytes).length, 1 + stream.tags.length);
    parser.end();
  });
});
