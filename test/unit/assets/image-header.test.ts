// The pixel size read from an image's header (no decoding), on headers built byte by byte as the
// format specifications lay them out; real files made by ffmpeg are checked in
// test/process/assets/image-limits.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkImageBytes,
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_SIDE,
  pictureTooLarge,
  PIXEL_LIMIT_TEXT,
  readImageHeader,
  withinPixelLimits,
} from '../../../src/assets/image-header.ts';
import { ERRORS, isAppError } from '../../../src/errors/registry.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function be32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

function pngHeader(width: number, height: number, chunk = 'IHDR'): Uint8Array {
  return Uint8Array.from([
    ...PNG_SIGNATURE,
    ...be32(13),
    ...ascii(chunk),
    ...be32(width),
    ...be32(height),
    8,
    2,
    0,
    0,
    0,
  ]);
}

function gifHeader(width: number, height: number): Uint8Array {
  return Uint8Array.from([...ascii('GIF89a'), width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0]);
}

function riff(chunk: string, payload: number[]): Uint8Array {
  return Uint8Array.from([
    ...ascii('RIFF'),
    0,
    0,
    0,
    0,
    ...ascii('WEBP'),
    ...ascii(chunk),
    0,
    0,
    0,
    0,
    ...payload,
  ]);
}

/** A JPEG's segments up to its frame header: SOI, APP0, one APPn of `padding` bytes, then SOFn. */
function jpegHeader(
  width: number,
  height: number,
  options: { sof?: number; padding?: number } = {},
): Uint8Array {
  const padding = options.padding ?? 10;
  const app1 = [
    0xff,
    0xe1,
    ((padding + 2) >> 8) & 0xff,
    (padding + 2) & 0xff,
    ...new Array<number>(padding).fill(0),
  ];
  const sof = [0xff, options.sof ?? 0xc0, 0, 17, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3];
  return Uint8Array.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0,
    16,
    ...ascii('JFIF'),
    0,
    1,
    1,
    0,
    0,
    1,
    0,
    1,
    0,
    0,
    ...app1,
    ...sof,
  ]);
}

describe('readImageHeader', () => {
  it('PNG: the IHDR chunk', () => {
    assert.deepEqual(readImageHeader(pngHeader(10000, 10000)), {
      kind: 'size',
      format: 'png',
      width: 10000,
      height: 10000,
    });
    assert.deepEqual(readImageHeader(pngHeader(3_000_000_000, 1)), {
      kind: 'size',
      format: 'png',
      width: 3_000_000_000,
      height: 1,
    });
    assert.deepEqual(readImageHeader(pngHeader(640, 360).subarray(0, 20)), {
      kind: 'more',
      format: 'png',
      bytes: 24,
    });
    assert.deepEqual(readImageHeader(pngHeader(640, 360, 'tEXt')), { kind: 'damaged', format: 'png' });
    assert.deepEqual(readImageHeader(pngHeader(0, 360)), { kind: 'damaged', format: 'png' });
  });

  it('GIF: the logical screen', () => {
    assert.deepEqual(readImageHeader(gifHeader(65535, 2)), {
      kind: 'size',
      format: 'gif',
      width: 65535,
      height: 2,
    });
    assert.deepEqual(readImageHeader(gifHeader(1, 1).subarray(0, 8)), {
      kind: 'more',
      format: 'gif',
      bytes: 10,
    });
  });

  it('WebP: lossy, lossless and extended', () => {
    const lossy = riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x40, 0x1f, 0x10, 0x27]);
    assert.deepEqual(readImageHeader(lossy), { kind: 'size', format: 'webp', width: 8000, height: 10000 });
    // 14 bits of width − 1 then 14 bits of height − 1: 16384 × 2.
    const bits = (16383 | (1 << 14)) >>> 0;
    const lossless = riff('VP8L', [
      0x2f,
      bits & 0xff,
      (bits >> 8) & 0xff,
      (bits >> 16) & 0xff,
      bits >>> 24,
      0,
      0,
      0,
      0,
      0,
    ]);
    assert.deepEqual(readImageHeader(lossless), { kind: 'size', format: 'webp', width: 16384, height: 2 });
    // 24-bit canvas size − 1: 100000 × 3.
    const w = 99999;
    const extended = riff('VP8X', [0x10, 0, 0, 0, w & 0xff, (w >> 8) & 0xff, w >> 16, 2, 0, 0]);
    assert.deepEqual(readImageHeader(extended), { kind: 'size', format: 'webp', width: 100000, height: 3 });
    assert.deepEqual(readImageHeader(riff('VP8 ', [0, 0, 0, 1, 2, 3, 0, 0, 0, 0])), {
      kind: 'damaged',
      format: 'webp',
    });
    assert.deepEqual(readImageHeader(riff('ABCD', new Array<number>(10).fill(0))), {
      kind: 'damaged',
      format: 'webp',
    });
    assert.deepEqual(readImageHeader(lossy.subarray(0, 20)), { kind: 'more', format: 'webp', bytes: 30 });
  });

  it('JPEG: walks the segments to the first frame header (baseline or progressive)', () => {
    assert.deepEqual(readImageHeader(jpegHeader(10000, 10000)), {
      kind: 'size',
      format: 'jpeg',
      width: 10000,
      height: 10000,
    });
    assert.deepEqual(readImageHeader(jpegHeader(641, 361, { sof: 0xc2 })), {
      kind: 'size',
      format: 'jpeg',
      width: 641,
      height: 361,
    });
    // The frame header after 60 000 bytes of metadata: a reader with only the start is told how far to read.
    const late = jpegHeader(320, 200, { padding: 60_000 });
    const partial = readImageHeader(late.subarray(0, 100));
    assert.equal(partial.kind, 'more');
    assert.ok(
      partial.kind === 'more' && partial.bytes > 60_000 && partial.bytes <= late.length,
      JSON.stringify(partial),
    );
    assert.deepEqual(readImageHeader(late), { kind: 'size', format: 'jpeg', width: 320, height: 200 });
  });

  it('JPEG: fill bytes are skipped; a DHT is no frame header; a scan before any frame is damaged', () => {
    const header = jpegHeader(100, 50);
    const withFill = Uint8Array.from([...header.subarray(0, 20), 0xff, ...header.subarray(20)]);
    assert.deepEqual(readImageHeader(withFill), { kind: 'size', format: 'jpeg', width: 100, height: 50 });
    const dht = [0xff, 0xc4, 0, 4, 0, 0];
    const withDht = Uint8Array.from([0xff, 0xd8, ...dht, ...jpegHeader(100, 50).subarray(2)]);
    assert.deepEqual(readImageHeader(withDht), { kind: 'size', format: 'jpeg', width: 100, height: 50 });
    assert.deepEqual(readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0])), {
      kind: 'damaged',
      format: 'jpeg',
    });
    assert.deepEqual(readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 1])), {
      kind: 'damaged',
      format: 'jpeg',
    });
  });

  it('other formats are unknown', () => {
    assert.deepEqual(readImageHeader(Uint8Array.from(ascii('<svg width="100000" height="100000">'))), {
      kind: 'unknown',
    });
    assert.deepEqual(readImageHeader(Uint8Array.from(ascii('BM'))), { kind: 'unknown' });
    assert.deepEqual(readImageHeader(new Uint8Array(0)), { kind: 'unknown' });
  });
});

describe('pixel limits', () => {
  it('at most 8192 on a side and 40 megapixels', () => {
    assert.equal(MAX_IMAGE_SIDE, 8192);
    assert.equal(MAX_IMAGE_PIXELS, 40_000_000);
    assert.equal(withinPixelLimits({ width: 8192, height: 4882 }), true); // 39.99 MP
    assert.equal(withinPixelLimits({ width: 8192, height: 4883 }), false); // 40.001 MP
    assert.equal(withinPixelLimits({ width: 8193, height: 1 }), false);
    assert.equal(withinPixelLimits({ width: 1, height: 8193 }), false);
    assert.equal(withinPixelLimits({ width: 6400, height: 6400 }), false); // 40.96 MP, both sides fine
    assert.equal(withinPixelLimits({ width: 1920, height: 1080 }), true);
  });

  it('the refusal names the picture’s size and the limit (422 IMAGE_TOO_LARGE)', () => {
    const error = pictureTooLarge('the image', { width: 10000, height: 10000 });
    assert.equal(error.code, 'IMAGE_TOO_LARGE');
    assert.equal(error.status, 422);
    assert.equal(
      error.message,
      'the image is 10000 × 10000 pixels (100 megapixels): more than the limit of 8192 pixels on a side and 40 megapixels',
    );
    assert.match(
      pictureTooLarge('x', { width: 8193, height: 2 }).message,
      /8193 × 2 pixels \(0\.02 megapixels\)/,
    );
    assert.match(pictureTooLarge('x', { width: 6400, height: 6400 }).message, /\(41 megapixels\)/);
    // The remediation states the same limit as the code enforces.
    assert.equal(PIXEL_LIMIT_TEXT, '8192 pixels on a side and 40 megapixels');
    assert.ok(
      ERRORS.IMAGE_TOO_LARGE.remediation.includes(PIXEL_LIMIT_TEXT),
      ERRORS.IMAGE_TOO_LARGE.remediation,
    );
  });

  it('checkImageBytes: too large, another format, a cut-off header', () => {
    assert.deepEqual(checkImageBytes(pngHeader(640, 360), 'the logo'), {
      width: 640,
      height: 360,
      format: 'png',
    });
    const refused = (bytes: Uint8Array) => {
      try {
        checkImageBytes(bytes, 'the logo');
      } catch (error) {
        assert.ok(isAppError(error));
        return [error.code, error.status, error.message];
      }
      return assert.fail('not refused');
    };
    assert.deepEqual(refused(pngHeader(10000, 10000)).slice(0, 2), ['IMAGE_TOO_LARGE', 422]);
    assert.deepEqual(refused(Uint8Array.from(ascii('<svg/>'))), [
      'IMAGE_UNSUPPORTED',
      415,
      'the logo is not a PNG, JPEG, GIF or WebP image',
    ]);
    assert.deepEqual(refused(pngHeader(640, 360).subarray(0, 16)), [
      'IMAGE_UNREADABLE',
      422,
      'the logo is a damaged or incomplete PNG file: its header gives no picture size',
    ]);
  });
});
