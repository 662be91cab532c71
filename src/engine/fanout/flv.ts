// Streaming FLV reader and writer (pure: no I/O, no clock).
//
// The encoder writes FLV to stdout; the fan-out reads it tag by tag so it can keep a GOP cache
// and hand every consumer whole tags. `FlvParser` accepts chunks of any size (down to 1 byte)
// and reports each complete unit (the file header, then tags) as soon as its last byte arrives.
//
// Layout (Adobe FLV spec v10.1, annex E):
//   header  'F' 'L' 'V' version:u8 flags:u8 (0x04 audio, 0x01 video) dataOffset:u32be (= 9)
//           then PreviousTagSize0:u32be (= 0)
//   tag     type:u8 (8 audio, 9 video, 18 script; 0x20 = encrypted, 0xc0 reserved)
//           dataSize:u24be timestamp:u24be timestampExtended:u8 (bits 31..24) streamId:u24be (= 0)
//           data[dataSize]  PreviousTagSize:u32be (= 11 + dataSize)
//
// Corrupt input raises `FlvParseError` naming the absolute byte offset of the problem; the parser
// then stays failed (every later push rethrows) until `reset()`.
//
// Timestamps: the serializer writes whatever timestamp it is given. The fan-out keeps the
// encoder's timestamps when it forwards tags (a restarted publisher is a fresh ffmpeg reading
// stdin, which rebases its output itself); see gop-cache.ts for the one place it rewrites them.

export const FLV_HEADER_SIZE = 9;
export const FLV_TAG_HEADER_SIZE = 11;
export const FLV_PREVIOUS_TAG_SIZE = 4;
/** Largest body a tag can carry (24-bit size field). */
export const FLV_MAX_TAG_DATA_SIZE = 0xffffff;

export const TAG_AUDIO = 8;
export const TAG_VIDEO = 9;
export const TAG_SCRIPT = 18;
export type FlvTagType = typeof TAG_AUDIO | typeof TAG_VIDEO | typeof TAG_SCRIPT;

const VIDEO_FRAME_KEY = 1;
const VIDEO_FRAME_INFO = 5;
const VIDEO_CODEC_AVC = 7;
const AVC_SEQUENCE_HEADER = 0;
const AVC_END_OF_SEQUENCE = 2;
const SOUND_FORMAT_AAC = 10;
const AAC_SEQUENCE_HEADER = 0;
const AMF0_STRING = 0x02;

/** What a tag is, as far as the fan-out cares. */
export type FlvTagKind =
  | 'avc-sequence-header' // video, codec 7, AVCPacketType 0 (SPS/PPS)
  | 'avc-end-of-sequence' // video, codec 7, AVCPacketType 2
  | 'video' // any other video tag (see `keyframe`)
  | 'aac-sequence-header' // audio, sound format 10, AACPacketType 0 (AudioSpecificConfig)
  | 'audio' // any other audio tag
  | 'metadata' // script data whose name is onMetaData
  | 'script'; // any other script data

export interface FlvHeader {
  readonly kind: 'header';
  readonly version: number;
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
  /** Offset of the first PreviousTagSize0 field as written in the header (normally 9). */
  readonly dataOffset: number;
  /** Normalised header bytes: 9-byte header with dataOffset 9, followed by PreviousTagSize0. */
  readonly raw: Buffer;
}

export interface FlvTag {
  readonly kind: FlvTagKind;
  readonly tagType: FlvTagType;
  /** Milliseconds, 32-bit (24-bit field + extension byte as bits 31..24). */
  readonly timestamp: number;
  readonly streamId: number;
  /** Tag body (a view into `raw`). */
  readonly data: Buffer;
  /** The whole encoded tag: 11-byte tag header + body + PreviousTagSize. */
  readonly raw: Buffer;
  /** A video frame a decoder can start from (frame type 1, not a sequence header). */
  readonly keyframe: boolean;
  /** Byte offset of the tag in the parsed stream; -1 for tags built with `createTag`. */
  readonly offset: number;
}

export type FlvPacket = FlvHeader | FlvTag;

export interface FlvTagInput {
  tagType: FlvTagType;
  timestamp: number;
  data: Uint8Array;
  streamId?: number;
}

export interface FlvHeaderInput {
  hasAudio?: boolean;
  hasVideo?: boolean;
  version?: number;
}

export class FlvParseError extends Error {
  /** Absolute byte offset (from the first byte pushed) where the problem was found. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`FLV: ${message} at byte offset ${offset}`);
    this.name = 'FlvParseError';
    this.offset = offset;
  }
}

// ---------------------------------------------------------------------------------------------
// Classification

/** Classifies a tag body. Pure; used by the parser and by `createTag`. */
export function classifyTag(tagType: FlvTagType, data: Uint8Array): { kind: FlvTagKind; keyframe: boolean } {
  if (tagType === TAG_VIDEO) {
    if (data.length === 0) return { kind: 'video', keyframe: false };
    const frameType = data[0]! >> 4;
    const codecId = data[0]! & 0x0f;
    // Frame type 5 is a video info/command frame: no AVCPacketType follows, never a picture.
    if (frameType === VIDEO_FRAME_INFO) return { kind: 'video', keyframe: false };
    if (codecId === VIDEO_CODEC_AVC && data.length >= 2) {
      if (data[1] === AVC_SEQUENCE_HEADER) return { kind: 'avc-sequence-header', keyframe: false };
      if (data[1] === AVC_END_OF_SEQUENCE) return { kind: 'avc-end-of-sequence', keyframe: false };
    }
    return { kind: 'video', keyframe: frameType === VIDEO_FRAME_KEY };
  }
  if (tagType === TAG_AUDIO) {
    if (data.length >= 2 && data[0]! >> 4 === SOUND_FORMAT_AAC && data[1] === AAC_SEQUENCE_HEADER) {
      return { kind: 'aac-sequence-header', keyframe: false };
    }
    return { kind: 'audio', keyframe: false };
  }
  return { kind: isOnMetaData(data) ? 'metadata' : 'script', keyframe: false };
}

function readAmf0String(data: Uint8Array, at: number): { value: string; end: number } | undefined {
  if (data.length < at + 3 || data[at] !== AMF0_STRING) return undefined;
  const length = (data[at + 1]! << 8) | data[at + 2]!;
  const end = at + 3 + length;
  if (data.length < end) return undefined;
  return { value: Buffer.from(data.buffer, data.byteOffset + at + 3, length).toString('latin1'), end };
}

/** True when a script tag body starts with the AMF0 string onMetaData (optionally after @setDataFrame). */
export function isOnMetaData(data: Uint8Array): boolean {
  const first = readAmf0String(data, 0);
  if (!first) return false;
  if (first.value === 'onMetaData') return true;
  if (first.value !== '@setDataFrame') return false;
  return readAmf0String(data, first.end)?.value === 'onMetaData';
}

// ---------------------------------------------------------------------------------------------
// Serializer

/** 9-byte FLV header (dataOffset 9) followed by PreviousTagSize0 = 0: 13 bytes. */
export function encodeHeader(input: FlvHeaderInput = {}): Buffer {
  const { hasAudio = true, hasVideo = true, version = 1 } = input;
  const out = Buffer.alloc(FLV_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE);
  out.write('FLV', 0, 'latin1');
  out[3] = version & 0xff;
  out[4] = (hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0);
  out.writeUInt32BE(FLV_HEADER_SIZE, 5);
  // bytes 9..12: PreviousTagSize0 = 0 (already zero)
  return out;
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isInteger(timestamp) || timestamp < 0 || timestamp > 0xffffffff) {
    throw new RangeError(`FLV timestamp must be an integer in [0, 2^32), got ${timestamp}`);
  }
}

/** One complete tag: 11-byte tag header + body + PreviousTagSize (11 + body length). */
export function encodeTag(input: FlvTagInput): Buffer {
  const { tagType, timestamp, data, streamId = 0 } = input;
  checkTimestamp(timestamp);
  if (data.length > FLV_MAX_TAG_DATA_SIZE) {
    throw new RangeError(`FLV tag body too large: ${data.length} bytes (max ${FLV_MAX_TAG_DATA_SIZE})`);
  }
  const out = Buffer.allocUnsafe(FLV_TAG_HEADER_SIZE + data.length + FLV_PREVIOUS_TAG_SIZE);
  out[0] = tagType;
  out.writeUIntBE(data.length, 1, 3);
  out.writeUIntBE(timestamp & 0xffffff, 4, 3);
  out[7] = (timestamp >>> 24) & 0xff;
  out.writeUIntBE(streamId & 0xffffff, 8, 3);
  out.set(data, FLV_TAG_HEADER_SIZE);
  out.writeUInt32BE(FLV_TAG_HEADER_SIZE + data.length, FLV_TAG_HEADER_SIZE + data.length);
  return out;
}

function tagFromRaw(raw: Buffer, offset: number): FlvTag {
  const tagType = raw[0]! as FlvTagType;
  const size = raw.readUIntBE(1, 3);
  const timestamp = (raw.readUIntBE(4, 3) | (raw[7]! << 24)) >>> 0;
  const streamId = raw.readUIntBE(8, 3);
  const data = raw.subarray(FLV_TAG_HEADER_SIZE, FLV_TAG_HEADER_SIZE + size);
  const { kind, keyframe } = classifyTag(tagType, data);
  return { kind, tagType, timestamp, streamId, data, raw, keyframe, offset };
}

/** Builds (encodes and classifies) a tag, as the parser would have produced it. */
export function createTag(input: FlvTagInput): FlvTag {
  return tagFromRaw(encodeTag(input), -1);
}

/** The same tag with another timestamp (re-encoded; the original is untouched). */
export function withTimestamp(tag: FlvTag, timestamp: number): FlvTag {
  if (tag.timestamp === timestamp) return tag;
  return tagFromRaw(
    encodeTag({ tagType: tag.tagType, timestamp, data: tag.data, streamId: tag.streamId }),
    tag.offset,
  );
}

// ---------------------------------------------------------------------------------------------
// Parser

/** FIFO of byte chunks; reading copies out exactly the bytes asked for (no quadratic concat). */
class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // read position inside chunks[0]
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Copies the first n bytes into target (n <= length) without consuming them. */
  peekInto(target: Buffer, n: number): void {
    let copied = 0;
    let position = this.head;
    for (const chunk of this.chunks) {
      if (copied >= n) break;
      const take = Math.min(n - copied, chunk.length - position);
      chunk.copy(target, copied, position, position + take);
      copied += take;
      position = 0;
    }
  }

  /** Removes and returns the first n bytes (n <= length) as one fresh Buffer. */
  read(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    this.peekInto(out, n);
    this.skip(n);
    return out;
  }

  skip(n: number): void {
    this.length -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      const available = first.length - this.head;
      if (n < available) {
        this.head += n;
        return;
      }
      n -= available;
      this.chunks.shift();
      this.head = 0;
    }
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.length = 0;
  }
}

/** A header announcing more extra bytes than this is treated as corrupt (real files use 9). */
const MAX_HEADER_DATA_OFFSET = 65536;

type ParserState = 'header' | 'header-padding' | 'tags';

export interface FlvParserStats {
  /** Bytes consumed (fully parsed). */
  bytesParsed: number;
  /** Bytes pushed but not yet part of a complete unit. */
  bytesPending: number;
  tags: number;
}

export class FlvParser {
  private readonly queue = new ByteQueue();
  private readonly scratch = Buffer.alloc(FLV_TAG_HEADER_SIZE);
  private state: ParserState = 'header';
  private position = 0; // absolute offset of the first byte still in the queue
  private paddingLeft = 0;
  private tags = 0;
  private failure: FlvParseError | undefined;
  private currentHeader: FlvHeader | undefined;

  /** The file header, once parsed. */
  get header(): FlvHeader | undefined {
    return this.currentHeader;
  }

  get failed(): FlvParseError | undefined {
    return this.failure;
  }

  stats(): FlvParserStats {
    return { bytesParsed: this.position, bytesPending: this.queue.length, tags: this.tags };
  }

  /** Pushes a chunk; returns the units it completed, in stream order. */
  push(chunk: Uint8Array): FlvPacket[] {
    const out: FlvPacket[] = [];
    this.pushEach(chunk, (packet) => out.push(packet));
    return out;
  }

  /**
   * Pushes a chunk and calls onPacket for each completed unit as it is found. Units completed
   * before a corruption are delivered before the FlvParseError is thrown.
   */
  pushEach(chunk: Uint8Array, onPacket: (packet: FlvPacket) => void): void {
    if (this.failure) throw this.failure;
    this.queue.push(
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length),
    );
    for (;;) {
      const packet = this.next();
      if (!packet) return;
      onPacket(packet);
    }
  }

  /** Declares end of input: throws if a unit was cut short. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.state === 'header' && this.queue.length === 0 && this.position === 0) {
      throw this.fail('stream ended before the FLV header', 0);
    }
    if (this.queue.length > 0 || this.state !== 'tags') {
      const what = this.state === 'tags' ? 'tag' : 'FLV header';
      throw this.fail(`stream ended inside a ${what} (${this.queue.length} bytes left over)`, this.position);
    }
  }

  /** Forgets everything: the next byte pushed must start a new FLV header. */
  reset(): void {
    this.queue.clear();
    this.state = 'header';
    this.position = 0;
    this.paddingLeft = 0;
    this.tags = 0;
    this.failure = undefined;
    this.currentHeader = undefined;
  }

  private fail(message: string, offset: number): FlvParseError {
    this.failure = new FlvParseError(message, offset);
    return this.failure;
  }

  private consume(n: number): Buffer {
    const bytes = this.queue.read(n);
    this.position += n;
    return bytes;
  }

  private next(): FlvPacket | undefined {
    for (;;) {
      if (this.state === 'header') {
        // Check the signature byte by byte so garbage fails fast, even in 1-byte chunks.
        const seen = Math.min(this.queue.length, 3);
        if (seen > 0) {
          this.queue.peekInto(this.scratch, seen);
          for (let i = 0; i < seen; i++) {
            if (this.scratch[i] !== 'FLV'.charCodeAt(i)) {
              throw this.fail(
                `bad signature (expected "FLV", byte ${i} is 0x${this.scratch[i]!.toString(16).padStart(2, '0')})`,
                this.position + i,
              );
            }
          }
        }
        if (this.queue.length < FLV_HEADER_SIZE) return undefined;
        const start = this.position;
        const bytes = this.consume(FLV_HEADER_SIZE);
        const dataOffset = bytes.readUInt32BE(5);
        if (dataOffset < FLV_HEADER_SIZE || dataOffset > MAX_HEADER_DATA_OFFSET) {
          throw this.fail(
            `header data offset ${dataOffset} is outside [${FLV_HEADER_SIZE}, ${MAX_HEADER_DATA_OFFSET}]`,
            start + 5,
          );
        }
        this.currentHeader = {
          kind: 'header',
          version: bytes[3]!,
          hasAudio: (bytes[4]! & 0x04) !== 0,
          hasVideo: (bytes[4]! & 0x01) !== 0,
          dataOffset,
          raw: encodeHeader({
            hasAudio: (bytes[4]! & 0x04) !== 0,
            hasVideo: (bytes[4]! & 0x01) !== 0,
            version: bytes[3]!,
          }),
        };
        this.paddingLeft = dataOffset - FLV_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE;
        this.state = 'header-padding';
        continue;
      }
      if (this.state === 'header-padding') {
        // Skip any extra header bytes, then read PreviousTagSize0, which must be 0.
        const skip = Math.min(this.paddingLeft - FLV_PREVIOUS_TAG_SIZE, this.queue.length);
        if (skip > 0) {
          this.consume(skip);
          this.paddingLeft -= skip;
        }
        if (this.paddingLeft > FLV_PREVIOUS_TAG_SIZE || this.queue.length < FLV_PREVIOUS_TAG_SIZE) {
          return undefined;
        }
        const at = this.position;
        const previous = this.consume(FLV_PREVIOUS_TAG_SIZE).readUInt32BE(0);
        if (previous !== 0) throw this.fail(`PreviousTagSize0 is ${previous}, expected 0`, at);
        this.paddingLeft = 0;
        this.state = 'tags';
        return this.currentHeader;
      }
      // state === 'tags'
      if (this.queue.length === 0) return undefined;
      const seen = Math.min(this.queue.length, FLV_TAG_HEADER_SIZE);
      this.queue.peekInto(this.scratch, seen);
      const typeByte = this.scratch[0]!;
      const tagType = typeByte & 0x1f;
      if ((typeByte & 0xc0) !== 0) {
        throw this.fail(`tag reserved bits set (type byte 0x${typeByte.toString(16)})`, this.position);
      }
      if ((typeByte & 0x20) !== 0) {
        throw this.fail('encrypted (filtered) tags are not supported', this.position);
      }
      if (tagType !== TAG_AUDIO && tagType !== TAG_VIDEO && tagType !== TAG_SCRIPT) {
        throw this.fail(`unknown tag type ${tagType}`, this.position);
      }
      if (seen < FLV_TAG_HEADER_SIZE) return undefined;
      const streamId = this.scratch.readUIntBE(8, 3);
      if (streamId !== 0) throw this.fail(`tag stream id is ${streamId}, expected 0`, this.position + 8);
      const size = this.scratch.readUIntBE(1, 3);
      const total = FLV_TAG_HEADER_SIZE + size + FLV_PREVIOUS_TAG_SIZE;
      if (this.queue.length < total) return undefined;
      const start = this.position;
      const raw = this.consume(total);
      const previous = raw.readUInt32BE(FLV_TAG_HEADER_SIZE + size);
      if (previous !== FLV_TAG_HEADER_SIZE + size) {
        throw this.fail(
          `previous tag size mismatch: tag at ${start} has data size ${size} so expected ` +
            `${FLV_TAG_HEADER_SIZE + size}, found ${previous}`,
          start + FLV_TAG_HEADER_SIZE + size,
        );
      }
      this.tags++;
      return tagFromRaw(raw, start);
    }
  }
}

/** Parses a complete FLV byte string (convenience for tests and tools). */
export function parseFlv(bytes: Uint8Array): { header: FlvHeader; tags: FlvTag[] } {
  const parser = new FlvParser();
  const tags: FlvTag[] = [];
  parser.pushEach(bytes, (packet) => {
    if (packet.kind !== 'header') tags.push(packet);
  });
  parser.end();
  return { header: parser.header!, tags };
}
