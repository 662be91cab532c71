// The NUT writer byte for byte: varints, CRC, a tiny header and frame headers (16×16), large pts.
// That ffmpeg reads what these bytes say is shown in test/process/ffmpeg/nut.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NutWriter, encodeVarInt, encodeVarUint, nutCrc32 } from '../../../src/ffmpeg/nut.ts';
import type { NutWriterOptions } from '../../../src/ffmpeg/nut.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** Hex with spaces and comments allowed: the golden bytes below are annotated field by field. */
const bytes = (annotated: string): Buffer =>
  Buffer.from(
    annotated
      .split('\n')
      .map((line) => line.replace(/#.*$/, ''))
      .join('')
      .replace(/\s+/g, ''),
    'hex',
  );

const TINY: NutWriterOptions = {
  width: 16,
  height: 16,
  videoTimeBase: { num: 1, den: 30 },
  audioSampleRate: 48000,
  audioChannels: 2,
};
const TINY_VIDEO_BYTES = (16 * 16 * 3) / 2;

describe('varuint (NUT v)', () => {
  const cases: [bigint | number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8100'],
    [300, '822c'],
    [16383, 'ff7f'],
    [16384, '818000'],
    [2 ** 32 - 1, '8fffffff7f'],
    [2 ** 32, '9080808000'],
    [Number.MAX_SAFE_INTEGER, '8fffffffffffff7f'],
    [(1n << 63n) - 1n, 'ffffffffffffffff7f'],
    [(1n << 64n) - 1n, '81ffffffffffffffff7f'],
  ];
  for (const [value, expected] of cases) {
    it(`${value} → ${expected}`, () => assert.equal(hex(encodeVarUint(value)), expected));
  }

  it('a number and the same bigint encode alike', () => {
    assert.equal(hex(encodeVarUint(2 ** 40 + 3)), hex(encodeVarUint((1n << 40n) + 3n)));
  });

  it('rejects what a uint64 reader cannot hold, negatives and non-integers', () => {
    assert.throws(() => encodeVarUint(1n << 64n), RangeError);
    assert.throws(() => encodeVarUint(-1), RangeError);
    assert.throws(() => encodeVarUint(0.5), RangeError);
    assert.throws(() => encodeVarUint(2 ** 53), RangeError); // not a safe integer: pass a bigint
  });
});

describe('varint (NUT s)', () => {
  const cases: [bigint | number, string][] = [
    [0, '00'],
    [1, '01'],
    [-1, '02'],
    [2, '03'],
    [-2, '04'],
    [63, '7d'],
    [-63, '7e'],
    [64, '7f'],
    [-64, '8100'],
    [-(1n << 40n), 'c08080808000'],
  ];
  for (const [value, expected] of cases) {
    it(`${value} → ${expected}`, () => assert.equal(hex(encodeVarInt(value)), expected));
  }

  it('zigzag: −2^40 is 2^41 as v', () => {
    assert.equal(hex(encodeVarInt(-(1n << 40n))), hex(encodeVarUint(1n << 41n)));
    assert.equal(hex(encodeVarInt(1n << 40n)), hex(encodeVarUint((1n << 41n) - 1n)));
  });
});

describe('NUT CRC-32 (0x04C11DB7, MSB first, init 0, no xor out)', () => {
  it('check value of "123456789"', () => {
    assert.equal(nutCrc32(Buffer.from('123456789', 'latin1')), 0x89a1897f);
  });

  it('one byte 0x01 gives the polynomial; nothing and zeros give 0', () => {
    assert.equal(nutCrc32(Buffer.of(0x01)), 0x04c11db7);
    assert.equal(nutCrc32(Buffer.alloc(0)), 0);
    assert.equal(nutCrc32(Buffer.alloc(7)), 0);
  });

  it('matches the checksum ffmpeg 5.1 wrote after a stream header it muxed (16×16 I420)', () => {
    const body = bytes('00 00 04 49343230 00 0e 83e000 00 00 00 10 10 01 01 00');
    assert.equal(nutCrc32(body), 0xdd18411d);
  });

  it('data followed by its big-endian CRC checks to 0 (what the demuxer tests)', () => {
    const data = Buffer.from('program frame header', 'latin1');
    const withCrc = Buffer.concat([data, Buffer.alloc(4)]);
    withCrc.writeUInt32BE(nutCrc32(data), data.length);
    assert.equal(nutCrc32(withCrc), 0);
  });

  it('continues from a previous value', () => {
    const all = Buffer.from('syncpoint-free stream', 'latin1');
    assert.equal(nutCrc32(all.subarray(5), nutCrc32(all.subarray(0, 5))), nutCrc32(all));
  });
});

describe('NutWriter header (16×16, video 1/30, audio 48 kHz stereo)', () => {
  const golden = bytes(`
    6e75742f6d756c74696d6564696120636f6e7461696e657200  # "nut/multimedia container\\0"
    4e4d7a561f5f04ad 36                    # main startcode, forward_ptr 54
      04 00 02 81ff7f                      # version 4, minor 0, 2 streams, max_distance 32767
      02 01 1e 01 82f700                   # 2 time bases: 1/30, 1/48000
      c000 06 00 01 00 00 00 01            # code 0: FLAG_INVALID
      69 06 00 01 00 00 00 01              # code 1: KEY|CODED_PTS|SIZE_MSB|CHECKSUM, stream 0, mul 1
      69 06 00 01 01 00 00 01              # code 2: same, stream 1
      c000 06 00 01 00 00 00 817c          # codes 3…255 ('N' skipped): invalid, count 252
      00 02                                # no elision headers; main_flags PIPE
      bf7b2319                             # checksum
    4e5311405bf2f9db 16                    # stream startcode, forward_ptr 22
      00 00 04 49343230                    # stream 0, video, fourcc "I420"
      00 00 1e 00 00 00                    # time base 0, msb_pts_shift 0, max_pts_distance 30, no delay/flags/extradata
      10 10 00 00 00                       # 16×16, aspect unknown, colorspace unknown
      fbd4f273
    4e5311405bf2f9db 18                    # stream startcode, forward_ptr 24
      01 01 04 50534410                    # stream 1, audio, fourcc "PSD" 16
      01 00 82f700 00 00 00                # time base 1, shift 0, max_pts_distance 48000
      82f700 01 02                         # 48000/1 Hz, 2 channels
      61c1ac3b
    4e4be4adeeca4569 06 00 00 00000000     # syncpoint: global_key_pts 0, back_ptr 0, checksum
  `);

  it('is byte for byte the annotated header', () => {
    assert.equal(hex(new NutWriter(TINY).header()), hex(golden));
  });

  it('every packet: forward_ptr spans body + checksum and the checksum verifies', () => {
    const header = new NutWriter({ ...TINY, videoFrameRate: { num: 30, den: 1 } }).header();
    const packets = readPackets(header.subarray(25));
    assert.deepEqual(
      packets.map((p) => p.startcode >> 48n),
      [0x4e4dn, 0x4e53n, 0x4e53n, 0x4e49n, 0x4e4bn], // NM NS NS NI NK
    );
    for (const p of packets)
      assert.equal(nutCrc32(p.bodyWithChecksum), 0, `packet ${p.startcode.toString(16)}`);
  });

  it('exactly one syncpoint, at the end', () => {
    const header = new NutWriter(TINY).header();
    assert.equal(countSyncpoints(header), 1);
    assert.equal(hex(header.subarray(-15, -7)), '4e4be4adeeca4569');
  });

  it('videoFrameRate adds an r_frame_rate info packet for stream 0 before the syncpoint', () => {
    const header = new NutWriter({ ...TINY, videoFrameRate: { num: 60000, den: 2002 } }).header();
    const info = readPackets(header.subarray(25)).find((p) => p.startcode >> 48n === 0x4e49n);
    assert.ok(info);
    assert.equal(
      hex(info.bodyWithChecksum.subarray(0, -4)),
      hex(bytes('01 00 00 00 01 0c 725f6672616d655f72617465 02 0a 33303030302f31303031')),
      'stream_id+1 1, chapter 0, start 0, len 0, 1 pair: "r_frame_rate" = UTF-8 "30000/1001" (reduced)',
    );
  });

  it('a time base not in lowest terms is reduced (2/60 writes as 1/30)', () => {
    assert.equal(
      hex(new NutWriter({ ...TINY, videoTimeBase: { num: 2, den: 60 } }).header()),
      hex(new NutWriter(TINY).header()),
    );
  });

  it('video and audio sharing 1/48000 store it once (the spec forbids two identical time bases)', () => {
    const header = new NutWriter({ ...TINY, videoTimeBase: { num: 1, den: 48000 } }).header();
    const main = readPackets(header.subarray(25))[0]!;
    assert.equal(hex(main.bodyWithChecksum.subarray(0, 11)), '0400' + '0281ff7f' + '01' + '0182f700');
  });

  it('refuses sizes and rates the format or yuv420p cannot carry', () => {
    assert.throws(() => new NutWriter({ ...TINY, width: 15 }), RangeError);
    assert.throws(() => new NutWriter({ ...TINY, height: 0 }), RangeError);
    assert.throws(() => new NutWriter({ ...TINY, videoTimeBase: { num: 0, den: 30 } }), RangeError);
    assert.throws(() => new NutWriter({ ...TINY, videoTimeBase: { num: 1, den: 2 ** 31 } }), RangeError);
    assert.throws(() => new NutWriter({ ...TINY, videoFrameRate: { num: 1000, den: 1 } }), RangeError);
    assert.throws(() => new NutWriter({ ...TINY, audioChannels: 0 }), RangeError);
  });
});

describe('NutWriter frame headers', () => {
  it('video at pts 0: code 1, coded_pts 1, size 384, header checksum', () => {
    const w = new NutWriter(TINY);
    assert.equal(TINY_VIDEO_BYTES, 384);
    assert.equal(w.videoFrameBytes, 384);
    assert.equal(hex(w.videoFrameHeader(0, 384)), '01' + '01' + '8300' + '2dd2b17b');
  });

  it('audio at pts 0 (1600 samples, 6400 bytes): code 2', () => {
    assert.equal(hex(new NutWriter(TINY).audioFrameHeader(0, 6400)), '02' + '01' + 'b200' + 'af4e6ffc');
  });

  it('the header checksum covers frame_code up to the checksum', () => {
    const h = new NutWriter(TINY).videoFrameHeader(12345, 384);
    assert.equal(h.readUInt32BE(h.length - 4), nutCrc32(h.subarray(0, -4)));
    assert.equal(nutCrc32(h), 0);
  });

  it('a 1080p frame size (3 110 400 bytes) codes in 4 bytes', () => {
    const w = new NutWriter({ ...TINY, width: 1920, height: 1080 });
    const h = w.videoFrameHeader(0, 3_110_400);
    assert.equal(hex(h.subarray(0, -4)), '01' + '01' + '81bdec00');
  });

  it('pts far beyond 2^32: 2^33 video, 2^40 audio samples, bigint up to 2^62', () => {
    const w = new NutWriter(TINY);
    assert.equal(hex(w.videoFrameHeader(2 ** 33, 384).subarray(0, -4)), '01' + 'a080808001' + '8300');
    assert.equal(hex(w.audioFrameHeader(1n << 40n, 6400).subarray(0, -4)), '02' + 'a08080808001' + 'b200');
    const w2 = new NutWriter(TINY);
    const top = w2.videoFrameHeader(1n << 62n, 384);
    assert.equal(hex(top.subarray(1, -6)), hex(encodeVarUint((1n << 62n) + 1n)));
    assert.throws(() => new NutWriter(TINY).videoFrameHeader((1n << 62n) + 1n, 384), RangeError);
  });

  it('weeks of 30 fps in pts stay exact (3 weeks at 1/30, in samples at 48 kHz)', () => {
    const w = new NutWriter(TINY);
    const threeWeeksFrames = 30 * 86400 * 21;
    const threeWeeksSamples = 48000n * 86400n * 21n;
    assert.equal(
      hex(w.videoFrameHeader(threeWeeksFrames, 384).subarray(1, -6)),
      hex(encodeVarUint(threeWeeksFrames + 1)),
    );
    assert.equal(
      hex(w.audioFrameHeader(threeWeeksSamples, 6400).subarray(1, -6)),
      hex(encodeVarUint(threeWeeksSamples + 1n)),
    );
  });

  it('gaps are fine, going back or standing still is refused (per stream)', () => {
    const w = new NutWriter(TINY);
    w.videoFrameHeader(10, 384);
    w.videoFrameHeader(15, 384); // dropped ticks 11…14
    assert.throws(() => w.videoFrameHeader(15, 384), /video pts must rise/);
    assert.throws(() => w.videoFrameHeader(3, 384), /video pts must rise/);
    w.audioFrameHeader(0, 6400); // the audio stream has its own order
    assert.throws(() => w.audioFrameHeader(0, 6400), /audio pts must rise/);
  });

  it('payload sizes must be what the stream header promises', () => {
    const w = new NutWriter(TINY);
    assert.throws(() => w.videoFrameHeader(0, 383), /384 bytes/);
    assert.throws(() => w.audioFrameHeader(0, 6402), /multiple of 4/);
    assert.throws(() => w.audioFrameHeader(0, 0), /multiple of 4/);
    assert.throws(() => w.videoFrameHeader(-1, 384), RangeError);
    assert.throws(() => w.videoFrameHeader(1.5, 384), RangeError);
  });

  it('a frame header never starts with N and holds no startcode', () => {
    const w = new NutWriter(TINY);
    for (let n = 0; n < 2000; n++) {
      const v = w.videoFrameHeader(n * 997, 384);
      const a = w.audioFrameHeader(n * 1600, 6400);
      assert.notEqual(v[0], 0x4e);
      assert.notEqual(a[0], 0x4e);
      assert.equal(countSyncpoints(Buffer.concat([v, a])), 0);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// a minimal reader for the tests' own checks

interface RawPacket {
  startcode: bigint;
  bodyWithChecksum: Buffer;
}

function readVarUint(buf: Buffer, at: number): { value: bigint; next: number } {
  let value = 0n;
  for (let p = at; p < buf.length; p++) {
    value = (value << 7n) | BigInt(buf[p]! & 0x7f);
    if ((buf[p]! & 0x80) === 0) return { value, next: p + 1 };
  }
  throw new Error('truncated varuint');
}

/** Startcode-framed packets from `buf` (which must start at a startcode and hold no frames). */
function readPackets(buf: Buffer): RawPacket[] {
  const out: RawPacket[] = [];
  let p = 0;
  while (p < buf.length) {
    const startcode = buf.readBigUInt64BE(p);
    const { value: forwardPtr, next } = readVarUint(buf, p + 8);
    assert.ok(forwardPtr <= 4096n, 'no header checksum expected in these small packets');
    const end = next + Number(forwardPtr);
    assert.ok(end <= buf.length, 'forward_ptr points past the end');
    out.push({ startcode, bodyWithChecksum: buf.subarray(next, end) });
    p = end;
  }
  return out;
}

function countSyncpoints(buf: Buffer): number {
  const code = Buffer.from('4e4be4adeeca4569', 'hex');
  let count = 0;
  for (let at = buf.indexOf(code); at >= 0; at = buf.indexOf(code, at + 1)) count++;
  return count;
}
