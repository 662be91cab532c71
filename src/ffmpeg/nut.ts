// NUT writer: the program as one stream of timestamped raw frames for the encoder's `-f nut -i pipe:0`.
// Pure: returns header bytes only; the caller writes each frame header followed by its payload
// (no copy of the 3 MB frame). One stream 0 = rawvideo yuv420p ('I420'), stream 1 = pcm_s16le ('PSD\x10').
//
// Facts this is built on (FFmpeg 5.1.9 libavformat/nutdec.c, nut.c, nutenc.c, doc/nut.texi; NUT spec):
// - The demuxer adds every syncpoint it reads to a tree it never prunes (ff_nut_add_sp), so a stream
//   that lives for weeks must not carry periodic syncpoints. Version 4 with main_flags NUT_PIPE (2) is
//   FFmpeg's mode without syncpoints (its own muxer's `-syncpoints none` writes exactly one, before the
//   first frame). The demuxer still needs that one syncpoint to finish reading the header.
// - Without NUT_PIPE the demuxer rejects any frame more than max_distance (≤ 65536) bytes after the
//   last syncpoint. With NUT_PIPE that check and the "size > 2·max_distance" check are skipped, but
//   |pts − last_pts| > max_pts_distance still needs FLAG_CHECKSUM; every frame here carries one, so
//   gaps of any length are legal. The frame header checksum is skipped (not verified) by 5.1's demuxer;
//   it is computed correctly anyway.
// - Every frame codes its full pts (coded_pts = pts + 2^msb_pts_shift, shift 0): no dependence on
//   last_pts, so nothing drifts over weeks; pts up to 2^62 in the stream's own time base.
// - Checksums: CRC-32, polynomial 0x04C11DB7, MSB first, initial value 0, no final xor, stored big-endian.
//   Packet bodies (main, stream, info, syncpoint headers) are verified by the demuxer; it rejects a packet
//   whose checksum does not match.
// - A wrong payload size is fatal on a pipe: the demuxer misreads payload as frame headers ("Packet too
//   small"), finds no startcode to resync on, and output stops (ffmpeg exits 69 at EOF). Restart the encoder.
// - NUT rules the caller keeps (not checked here across streams): pts of a frame ≥ dts (= pts for raw) of
//   every earlier frame of either stream, in seconds; the spec calls ≤ 4096 samples one raw audio frame
//   (ffmpeg 5.1 accepts larger ones). The muxer version 4 is "experimental" in ffmpeg's own muxer; its
//   demuxer reads it without any -strict flag.
//
// Using it in the encoder (measured with Debian's ffmpeg 5.1.9, test/process/ffmpeg/nut.test.ts):
// - Input: `-f nut -i pipe:0`, nothing else. Never an input `-r`: 5.1 then renumbers frames CFR
//   (cfr_next_pts), which squeezes the gaps again. Both streams on one pipe: no A/V pipe deadlock.
// - The encoder's time base is 1/(the input's r_frame_rate). With videoTimeBase 1/fps ffmpeg falls back
//   to 1/time_base; with 1/1000 or 1/90000 it guesses from the first seconds, and a start at 15 fps (load)
//   made it 15 fps for good, silently dropping every other frame. Pass videoFrameRate (or output `-r fps`).
// - `-copyts`: FLV video pts = program time exactly (ms, rounded), video dts starts 2 frames earlier
//   (B-frames), first AAC packet 21 ms earlier (1024 priming samples). FLV's 31-bit ms wrap at 24.8 days
//   of program time then happens in the encoder's output. Without -copyts the output starts near 0.
// - Gaps pass through with the FLV default fps_mode (vfr): no copies, no squeezing; x264 force-cfr=1 does
//   not change timestamps. `-fps_mode passthrough` is the same when the rate is right, and squeezes frames
//   onto equal pts when it is not.
// - Keyframes: in 5.1 `t` of -force_key_frames counts from the first frame, so gte(t,n_forced*2) works
//   at a start of 3600 s but bursts (a keyframe per frame) after a video stall of over 2 s;
//   `expr:if(isnan(prev_forced_t),1,gte(t,prev_forced_t+1.99))` does not (fps < 100).

/** A time base or rate as a fraction; both parts positive integers. */
export interface Rational {
  readonly num: number;
  readonly den: number;
}

export interface NutWriterOptions {
  readonly width: number;
  readonly height: number;
  /** Time base of video pts, e.g. {1, 30}, {1001, 30000} or {1, 1000}. Reduced if not in lowest terms. */
  readonly videoTimeBase: Rational;
  /**
   * Nominal frame rate, stored as the stream's r_frame_rate (a NUT info packet). ffmpeg then takes it as
   * the output frame rate (and so the encoder's time base) instead of guessing one from the first frames.
   */
  readonly videoFrameRate?: Rational;
  /** Audio sample rate in Hz; audio pts count samples (time base 1/sampleRate). */
  readonly audioSampleRate: number;
  readonly audioChannels: number;
}

export const NUT_VIDEO_STREAM = 0;
export const NUT_AUDIO_STREAM = 1;

const FILE_ID = Buffer.from('nut/multimedia container\0', 'latin1');
const MAIN_STARTCODE = 0x4e4d7a561f5f04adn;
const STREAM_STARTCODE = 0x4e5311405bf2f9dbn;
const SYNCPOINT_STARTCODE = 0x4e4be4adeeca4569n;
const INFO_STARTCODE = 0x4e49ab68b596ba78n;

const NUT_VERSION = 4; // main_flags exist from version 4 on
const NUT_MINOR_VERSION = 0;
const MAIN_FLAG_PIPE = 2;
/** Spec: SHOULD be ≤ 32768. Not enforced by the demuxer in pipe mode; kept at the muxer's value. */
const MAX_DISTANCE = 32767;
/** Every coded pts is a full pts: coded_pts = pts + (1 << 0). */
const MSB_PTS_SHIFT = 0;

const FLAG_KEY = 1;
const FLAG_CODED_PTS = 8;
const FLAG_SIZE_MSB = 32;
const FLAG_CHECKSUM = 64;
const FLAG_INVALID = 8192;
/** Raw frames: each one a keyframe, full pts and size in the header, header checksum always. */
const FRAME_FLAGS = FLAG_KEY | FLAG_CODED_PTS | FLAG_SIZE_MSB | FLAG_CHECKSUM;
/** Frame codes (0x00 and 0xFF stay invalid as the spec recommends; 'N' is always invalid). */
const VIDEO_FRAME_CODE = 1;
const AUDIO_FRAME_CODE = 2;

const STREAM_CLASS_VIDEO = 0;
const STREAM_CLASS_AUDIO = 1;
const FOURCC_YUV420P = Buffer.from('I420', 'latin1');
const FOURCC_PCM_S16LE = Buffer.from([0x50, 0x53, 0x44, 16]); // 'P' 'S' 'D' 16
const BYTES_PER_SAMPLE = 2;

const MAX_VARUINT = (1n << 64n) - 1n; // ffmpeg reads v into a uint64
const MAX_PTS = 1n << 62n;
const MAX_TIME_BASE_PART = 2 ** 31 - 1; // spec and demuxer: num, den < 2^31

// ---------------------------------------------------------------------------------------------
// primitives

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let bit = 0; bit < 8; bit++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** NUT's CRC-32: polynomial 0x04C11DB7, MSB first, initial value 0 (or `crc` to continue), no xor out. */
export function nutCrc32(bytes: Uint8Array, crc = 0): number {
  let c = crc >>> 0;
  for (const byte of bytes) c = ((c << 8) ^ CRC_TABLE[((c >>> 24) ^ byte) & 0xff]!) >>> 0;
  return c;
}

function toBigInt(value: bigint | number, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be an integer, got ${value}`);
  return BigInt(value);
}

/** NUT `v`: unsigned, 7 bits per byte, most significant group first, 0x80 on every byte but the last. */
export function encodeVarUint(value: bigint | number): Buffer {
  const v = toBigInt(value, 'varuint');
  if (v < 0n || v > MAX_VARUINT) throw new RangeError(`varuint out of range [0, 2^64): ${v}`);
  const groups: number[] = [];
  let rest = v;
  do {
    groups.push(Number(rest & 0x7fn));
    rest >>= 7n;
  } while (rest > 0n);
  const out = Buffer.alloc(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const group = groups[groups.length - 1 - i]!;
    out[i] = i < groups.length - 1 ? group | 0x80 : group;
  }
  return out;
}

/** NUT `s`: signed, zigzag onto `v` as 0, 1, −1, 2, −2 … → 0, 1, 2, 3, 4 … */
export function encodeVarInt(value: bigint | number): Buffer {
  const s = toBigInt(value, 'varint');
  return encodeVarUint(s > 0n ? 2n * s - 1n : -2n * s);
}

/** NUT `vb`: length (v) then the bytes. */
function encodeVarBytes(bytes: Buffer): Buffer {
  return Buffer.concat([encodeVarUint(bytes.length), bytes]);
}

function startcodeBytes(startcode: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(startcode);
  return out;
}

function crcBytes(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(nutCrc32(bytes));
  return out;
}

/** startcode, forward_ptr, [header checksum if forward_ptr > 4096], body, body checksum. */
function packet(startcode: bigint, body: Buffer): Buffer {
  const forwardPtr = body.length + 4; // the body checksum counts
  const head = Buffer.concat([startcodeBytes(startcode), encodeVarUint(forwardPtr)]);
  const headChecksum = forwardPtr > 4096 ? crcBytes(head) : Buffer.alloc(0);
  return Buffer.concat([head, headChecksum, body, crcBytes(body)]);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function reduced(r: Rational, what: string): Rational {
  if (!Number.isSafeInteger(r.num) || !Number.isSafeInteger(r.den) || r.num <= 0 || r.den <= 0) {
    throw new RangeError(`${what} must be two positive integers, got ${r.num}/${r.den}`);
  }
  const g = gcd(r.num, r.den);
  return { num: r.num / g, den: r.den / g };
}

function sameRational(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

// ---------------------------------------------------------------------------------------------
// the writer

interface StreamState {
  readonly frameCode: number;
  readonly name: string;
  lastPts: bigint | undefined;
}

/**
 * Writes one NUT stream: `header()` once, then for every frame its header and right after it the payload.
 * One writer per encoder process (pts must rise per stream; it remembers the last one).
 */
export class NutWriter {
  readonly width: number;
  readonly height: number;
  readonly videoTimeBase: Rational;
  readonly audioTimeBase: Rational;
  /** Bytes of one yuv420p picture: the only video payload size accepted. */
  readonly videoFrameBytes: number;
  /** Bytes of one sample for all channels: audio payloads are multiples of it. */
  readonly audioBlockBytes: number;
  private readonly videoFrameRate: Rational | undefined;
  private readonly audioChannels: number;
  private readonly timeBases: readonly Rational[];
  private readonly video: StreamState = { frameCode: VIDEO_FRAME_CODE, name: 'video', lastPts: undefined };
  private readonly audio: StreamState = { frameCode: AUDIO_FRAME_CODE, name: 'audio', lastPts: undefined };

  constructor(options: NutWriterOptions) {
    for (const [name, v] of [
      ['width', options.width],
      ['height', options.height],
    ] as const) {
      if (!Number.isSafeInteger(v) || v <= 0 || v % 2 !== 0) {
        throw new RangeError(`${name} must be a positive even integer (yuv420p), got ${v}`);
      }
    }
    if (!Number.isSafeInteger(options.audioSampleRate) || options.audioSampleRate <= 0) {
      throw new RangeError(`audioSampleRate must be a positive integer, got ${options.audioSampleRate}`);
    }
    if (!Number.isSafeInteger(options.audioChannels) || options.audioChannels <= 0) {
      throw new RangeError(`audioChannels must be a positive integer, got ${options.audioChannels}`);
    }
    this.width = options.width;
    this.height = options.height;
    this.videoTimeBase = reduced(options.videoTimeBase, 'videoTimeBase');
    this.audioTimeBase = { num: 1, den: options.audioSampleRate };
    for (const tb of [this.videoTimeBase, this.audioTimeBase]) {
      if (tb.num > MAX_TIME_BASE_PART || tb.den > MAX_TIME_BASE_PART) {
        throw new RangeError(`time base ${tb.num}/${tb.den}: both parts must be < 2^31`);
      }
    }
    if (options.videoFrameRate !== undefined) {
      const rate = reduced(options.videoFrameRate, 'videoFrameRate');
      // The demuxer ignores rates of 1000 fps or more.
      if (rate.num >= 1000 * rate.den) throw new RangeError(`videoFrameRate must be < 1000 fps`);
      this.videoFrameRate = rate;
    }
    this.audioChannels = options.audioChannels;
    // The spec forbids two identical time bases.
    this.timeBases = sameRational(this.videoTimeBase, this.audioTimeBase)
      ? [this.videoTimeBase]
      : [this.videoTimeBase, this.audioTimeBase];
    this.videoFrameBytes = (this.width * this.height * 3) / 2;
    this.audioBlockBytes = BYTES_PER_SAMPLE * options.audioChannels;
  }

  /** Everything before the first frame: file id, main header, both stream headers, [info], one syncpoint. */
  header(): Buffer {
    const parts = [
      FILE_ID,
      packet(MAIN_STARTCODE, this.mainHeaderBody()),
      packet(STREAM_STARTCODE, this.videoStreamBody()),
      packet(STREAM_STARTCODE, this.audioStreamBody()),
    ];
    if (this.videoFrameRate !== undefined) {
      parts.push(packet(INFO_STARTCODE, this.frameRateInfoBody(this.videoFrameRate)));
    }
    // global_key_pts 0 (≤ every later pts, as the spec requires), back_ptr_div16 0.
    parts.push(packet(SYNCPOINT_STARTCODE, Buffer.concat([encodeVarUint(0), encodeVarUint(0)])));
    return Buffer.concat(parts);
  }

  /** The bytes before one video frame of exactly `videoFrameBytes`; pts in `videoTimeBase` units. */
  videoFrameHeader(pts: bigint | number, payloadBytes: number): Buffer {
    if (payloadBytes !== this.videoFrameBytes) {
      throw new RangeError(
        `video payload must be one ${this.width}x${this.height} yuv420p frame (${this.videoFrameBytes} bytes), got ${payloadBytes}`,
      );
    }
    return this.frameHeader(this.video, pts, payloadBytes);
  }

  /** The bytes before one block of interleaved s16le samples; pts counts samples (1/sampleRate). */
  audioFrameHeader(pts: bigint | number, payloadBytes: number): Buffer {
    if (
      !Number.isSafeInteger(payloadBytes) ||
      payloadBytes <= 0 ||
      payloadBytes % this.audioBlockBytes !== 0
    ) {
      throw new RangeError(
        `audio payload must be a positive multiple of ${this.audioBlockBytes} bytes (whole samples), got ${payloadBytes}`,
      );
    }
    return this.frameHeader(this.audio, pts, payloadBytes);
  }

  private frameHeader(stream: StreamState, ptsIn: bigint | number, payloadBytes: number): Buffer {
    const pts = toBigInt(ptsIn, `${stream.name} pts`);
    if (pts < 0n || pts > MAX_PTS) throw new RangeError(`${stream.name} pts out of range [0, 2^62]: ${pts}`);
    if (stream.lastPts !== undefined && pts <= stream.lastPts) {
      throw new RangeError(`${stream.name} pts must rise: ${pts} after ${stream.lastPts}`);
    }
    const fields = Buffer.concat([
      Buffer.of(stream.frameCode),
      encodeVarUint(pts + (1n << BigInt(MSB_PTS_SHIFT))),
      encodeVarUint(payloadBytes), // data_size_mul is 1: the whole size is data_size_msb
    ]);
    stream.lastPts = pts;
    return Buffer.concat([fields, crcBytes(fields)]);
  }

  private mainHeaderBody(): Buffer {
    const v = encodeVarUint;
    const parts: Buffer[] = [
      v(NUT_VERSION),
      v(NUT_MINOR_VERSION),
      v(2), // stream_count
      v(MAX_DISTANCE),
      v(this.timeBases.length),
    ];
    for (const tb of this.timeBases) parts.push(v(tb.num), v(tb.den));
    // Frame code table: groups of (flags, field count = 6, pts_delta, size_mul, stream, size_lsb,
    // reserved_count, count). Code 0 invalid, 1 video, 2 audio, 3…255 invalid ('N' is skipped by the
    // reader and always invalid).
    const group = (flags: number, stream: number, count: number): Buffer[] => [
      v(flags),
      v(6),
      encodeVarInt(0),
      v(1),
      v(stream),
      v(0),
      v(0),
      v(count),
    ];
    parts.push(
      ...group(FLAG_INVALID, 0, 1),
      ...group(FRAME_FLAGS, NUT_VIDEO_STREAM, 1),
      ...group(FRAME_FLAGS, NUT_AUDIO_STREAM, 1),
      ...group(FLAG_INVALID, 0, 256 - 3 - 1),
    );
    parts.push(v(0)); // header_count_minus1: no elision headers
    parts.push(v(MAIN_FLAG_PIPE));
    return Buffer.concat(parts);
  }

  private streamCommon(streamId: number, streamClass: number, fourcc: Buffer, timeBase: Rational): Buffer[] {
    const v = encodeVarUint;
    const timeBaseId = this.timeBases.findIndex((tb) => sameRational(tb, timeBase));
    return [
      v(streamId),
      v(streamClass),
      encodeVarBytes(fourcc),
      v(timeBaseId),
      v(MSB_PTS_SHIFT),
      // max_pts_distance: one second (the spec's SHOULD-not-exceed). Every frame has a checksum, so
      // larger jumps are legal anyway.
      v(Math.max(1, Math.floor(timeBase.den / timeBase.num))),
      v(0), // decode_delay: raw frames, no reordering
      v(0), // stream_flags: not fixed fps (dropped ticks are gaps)
      encodeVarBytes(Buffer.alloc(0)), // codec_specific_data
    ];
  }

  private videoStreamBody(): Buffer {
    const v = encodeVarUint;
    return Buffer.concat([
      ...this.streamCommon(NUT_VIDEO_STREAM, STREAM_CLASS_VIDEO, FOURCC_YUV420P, this.videoTimeBase),
      v(this.width),
      v(this.height),
      v(0), // sample aspect ratio unknown (0/0): square pixels to ffmpeg
      v(0),
      v(0), // colorspace_type unknown
    ]);
  }

  private audioStreamBody(): Buffer {
    const v = encodeVarUint;
    return Buffer.concat([
      ...this.streamCommon(NUT_AUDIO_STREAM, STREAM_CLASS_AUDIO, FOURCC_PCM_S16LE, this.audioTimeBase),
      v(this.audioTimeBase.den), // samplerate_num
      v(1), // samplerate_denom
      v(this.audioChannels),
    ]);
  }

  private frameRateInfoBody(rate: Rational): Buffer {
    const v = encodeVarUint;
    return Buffer.concat([
      v(NUT_VIDEO_STREAM + 1), // stream_id_plus1
      encodeVarInt(0), // chapter_id: not a chapter
      v(0), // chapter_start (t)
      v(0), // chapter_len
      v(1), // one name/value pair
      encodeVarBytes(Buffer.from('r_frame_rate', 'latin1')),
      encodeVarInt(-1), // value type: UTF-8 string
      encodeVarBytes(Buffer.from(`${rate.num}/${rate.den}`, 'latin1')),
    ]);
  }
}
