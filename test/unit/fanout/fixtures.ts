// Synthetic FLV streams for the fan-out tests: exact bytes, every media tag identifiable.
import { Writable } from 'node:stream';
import { TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO, createTag, encodeHeader } from '../../../src/engine/fanout/flv.ts';
import type { FlvTag } from '../../../src/engine/fanout/flv.ts';

/** AMF0: string "onMetaData" then an empty ECMA array carrying one number (width). */
export function metadataBody(width = 320): Buffer {
  const name = Buffer.from('onMetaData', 'latin1');
  const key = Buffer.from('width', 'latin1');
  const number = Buffer.alloc(8);
  number.writeDoubleBE(width);
  return Buffer.concat([
    Buffer.from([0x02, 0x00, name.length]),
    name,
    Buffer.from([0x08, 0, 0, 0, 1, 0x00, key.length]),
    key,
    Buffer.from([0x00]),
    number,
    Buffer.from([0x00, 0x00, 0x09]),
  ]);
}

export const AVC_SEQUENCE_HEADER_BODY = Buffer.from([
  0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64, 0x00, 0x1f, 0x01, 0x00,
  0x02, 0x68, 0xee,
]);
export const AAC_SEQUENCE_HEADER_BODY = Buffer.from([0xaf, 0x00, 0x12, 0x10]);

/** Media tag body carrying an id (uint32) so tests can tell which tag arrived. */
function mediaBody(prefix: number[], id: number, size: number): Buffer {
  const body = Buffer.alloc(Math.max(size, prefix.length + 4), 0x5a);
  Buffer.from(prefix).copy(body, 0);
  body.writeUInt32BE(id, prefix.length);
  return body;
}

export function videoTag(id: number, timestamp: number, keyframe: boolean, size = 200): FlvTag {
  const frameByte = keyframe ? 0x17 : 0x27;
  return createTag({ tagType: TAG_VIDEO, timestamp, data: mediaBody([frameByte, 0x01, 0, 0, 0], id, size) });
}

export function audioTag(id: number, timestamp: number, size = 40): FlvTag {
  return createTag({ tagType: TAG_AUDIO, timestamp, data: mediaBody([0xaf, 0x01], id, size) });
}

/** Id written by videoTag/audioTag. */
export function mediaId(tag: FlvTag): number {
  return tag.data.readUInt32BE(tag.tagType === TAG_VIDEO ? 5 : 2);
}

export interface SyntheticStream {
  bytes: Buffer;
  header: Buffer;
  /** Every tag, in stream order (control tags first). */
  tags: FlvTag[];
  /** Media tags only. */
  media: FlvTag[];
  /** Index (into media) of each GOP's keyframe. */
  gopStarts: number[];
}

export interface StreamShape {
  gops: number;
  framesPerGop: number;
  /** Audio tags after each video frame. */
  audioPerFrame?: number;
  videoSize?: number;
  audioSize?: number;
  /** Id of the first media tag (to make later segments distinct). */
  firstId?: number;
  /** Timestamp of the first frame, ms. */
  startMs?: number;
  /** Include header + control tags (default true). */
  withPreamble?: boolean;
}

/** Header, onMetaData, AVC + AAC sequence headers, then GOPs of keyframe + inter frames with audio. */
export function syntheticStream(shape: StreamShape): SyntheticStream {
  const { gops, framesPerGop, audioPerFrame = 1, videoSize = 200, audioSize = 40 } = shape;
  const withPreamble = shape.withPreamble ?? true;
  const header = encodeHeader();
  const tags: FlvTag[] = [];
  if (withPreamble) {
    tags.push(createTag({ tagType: TAG_SCRIPT, timestamp: 0, data: metadataBody() }));
    tags.push(createTag({ tagType: TAG_VIDEO, timestamp: 0, data: AVC_SEQUENCE_HEADER_BODY }));
    tags.push(createTag({ tagType: TAG_AUDIO, timestamp: 0, data: AAC_SEQUENCE_HEADER_BODY }));
  }
  const media: FlvTag[] = [];
  const gopStarts: number[] = [];
  let id = shape.firstId ?? 1;
  let frame = 0;
  const start = shape.startMs ?? 0;
  for (let g = 0; g < gops; g++) {
    for (let f = 0; f < framesPerGop; f++, frame++) {
      const ts = start + Math.round((frame * 1000) / 30);
      if (f === 0) gopStarts.push(media.length);
      media.push(videoTag(id++, ts, f === 0, videoSize));
      for (let a = 0; a < audioPerFrame; a++) media.push(audioTag(id++, ts + a * 10, audioSize));
    }
  }
  tags.push(...media);
  const parts = tags.map((tag) => tag.raw);
  return { bytes: Buffer.concat(withPreamble ? [header, ...parts] : parts), header, tags, media, gopStarts };
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits bytes into chunks of random length in [1, maxChunk]. */
export function randomChunks(bytes: Buffer, seed: number, maxChunk: number): Buffer[] {
  const random = prng(seed);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * maxChunk);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Accepts everything immediately and keeps it. */
export class CollectingWritable extends Writable {
  readonly chunks: Buffer[] = [];

  constructor() {
    super({ highWaterMark: 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    callback();
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/**
 * Accepts the first `acceptFirst` bytes, then never completes a write until release(): a
 * destination that stopped reading. Accepted bytes (writes completed) are in `chunks`.
 */
export class StuckWritable extends Writable {
  readonly chunks: Buffer[] = [];
  private pending: { chunk: Buffer; callback: (error?: Error | null) => void }[] = [];
  private flowing = false;
  private acceptLeft: number;

  constructor(highWaterMark = 1, acceptFirst = 0) {
    super({ highWaterMark });
    this.acceptLeft = acceptFirst;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.flowing || this.acceptLeft >= chunk.length) {
      this.acceptLeft -= chunk.length;
      this.chunks.push(chunk);
      callback();
    } else {
      this.pending.push({ chunk, callback });
    }
  }

  /** From now on accept everything (completing the write held so far). */
  release(): void {
    this.flowing = true;
    for (const { chunk, callback } of this.pending.splice(0)) {
      this.chunks.push(chunk);
      callback();
    }
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
