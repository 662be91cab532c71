// The pixel size of an image read from its header, before anything decodes it: a 292 KB PNG can
// say 10000 × 10000 and cost 400 MB once decoded (the preview, the overlay renderer and the
// thumbnail ffmpeg all decode whole pictures). Pure: bytes in, a size (or what is missing) out.
//
// Formats are the ones uploads accept (sniff.ts): PNG (IHDR), JPEG (the first SOFn segment),
// GIF (the logical screen) and WebP (VP8, VP8L or VP8X). A JPEG's SOF may sit after large
// EXIF/ICC segments, so a reader that has only the first bytes is told how many it needs.
import { MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from '../domain/picture-limits.ts';
import { AppError } from '../errors/registry.ts';

export { MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE };

/** Bytes worth reading first: enough for every header except a JPEG with large metadata. */
export const IMAGE_HEADER_BYTES = 64 * 1024;

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ImageSize {
  width: number;
  height: number;
}

export type ImageHeader =
  | ({ kind: 'size'; format: ImageFormat } & ImageSize)
  /** The header goes on past the bytes given: read at least `bytes` from the start and ask again. */
  | { kind: 'more'; format: ImageFormat; bytes: number }
  /** Not a PNG, JPEG, GIF or WebP. */
  | { kind: 'unknown' }
  /** The format is recognised but its header holds no usable size. */
  | { kind: 'damaged'; format: ImageFormat };

function ascii(bytes: Uint8Array, at: number, text: string): boolean {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function be16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function be32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

function le16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

function le24(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
}

function sized(format: ImageFormat, width: number, height: number): ImageHeader {
  return width > 0 && height > 0 ? { kind: 'size', format, width, height } : { kind: 'damaged', format };
}

function png(bytes: Uint8Array): ImageHeader {
  // Signature (8), then the first chunk must be IHDR: length (4), type (4), width (4), height (4).
  if (bytes.length < 24) return { kind: 'more', format: 'png', bytes: 24 };
  if (!ascii(bytes, 12, 'IHDR')) return { kind: 'damaged', format: 'png' };
  return sized('png', be32(bytes, 16), be32(bytes, 20));
}

function gif(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 10) return { kind: 'more', format: 'gif', bytes: 10 };
  return sized('gif', le16(bytes, 6), le16(bytes, 8));
}

function webp(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 30) return { kind: 'more', format: 'webp', bytes: 30 };
  if (ascii(bytes, 12, 'VP8 ')) {
    // Lossy: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height.
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a)
      return { kind: 'damaged', format: 'webp' };
    return sized('webp', le16(bytes, 26) & 0x3fff, le16(bytes, 28) & 0x3fff);
  }
  if (ascii(bytes, 12, 'VP8L')) {
    // Lossless: the signature 0x2f, then width − 1 and height − 1 in 14 bits each.
    if (bytes[20] !== 0x2f) return { kind: 'damaged', format: 'webp' };
    const bits = (bytes[21]! | (bytes[22]! << 8) | (bytes[23]! << 16) | (bytes[24]! << 24)) >>> 0;
    return sized('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (ascii(bytes, 12, 'VP8X')) {
    // Extended: flags (1), reserved (3), canvas width − 1 and height − 1 in 24 bits each.
    return sized('webp', le24(bytes, 24) + 1, le24(bytes, 27) + 1);
  }
  return { kind: 'damaged', format: 'webp' };
}

/** Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpeg(bytes: Uint8Array): ImageHeader {
  let at = 2; // after SOI
  for (;;) {
    if (bytes.length < at + 2) return { kind: 'more', format: 'jpeg', bytes: at + 2 };
    if (bytes[at] !== 0xff) return { kind: 'damaged', format: 'jpeg' };
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    // The scan or the end before any frame header: there is no size to read.
    if (marker === 0xda || marker === 0xd9) return { kind: 'damaged', format: 'jpeg' };
    if (bytes.length < at + 4) return { kind: 'more', format: 'jpeg', bytes: at + 4 };
    const length = be16(bytes, at + 2);
    if (length < 2) return { kind: 'damaged', format: 'jpeg' };
    if (isStartOfFrame(marker)) {
      // Length (2), precision (1), height (2), width (2).
      if (bytes.length < at + 9) return { kind: 'more', format: 'jpeg', bytes: at + 9 };
      return sized('jpeg', be16(bytes, at + 7), be16(bytes, at + 5));
    }
    at += 2 + length;
  }
}

/** The size an image's header states, from its first bytes (see ImageHeader for the answers). */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length >= 8 && ascii(bytes, 0, '\x89PNG\r\n\x1a\n')) return png(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpeg(bytes);
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return gif(bytes);
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return webp(bytes);
  return { kind: 'unknown' };
}

/** "100 megapixels", "0.02 megapixels", "40.1 megapixels". */
function megapixels(pixels: number): string {
  const value = pixels / 1_000_000;
  const text = value < 1 ? value.toFixed(2) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} megapixels`;
}

/** The limit in words, as every refusal states it. */
export const PIXEL_LIMIT_TEXT = `${MAX_IMAGE_SIDE} pixels on a side and ${megapixels(MAX_IMAGE_PIXELS)}`;

/** Whether a picture of this size may be decoded. */
export function withinPixelLimits(size: ImageSize): boolean {
  return (
    size.width <= MAX_IMAGE_SIDE &&
    size.height <= MAX_IMAGE_SIDE &&
    size.width * size.height <= MAX_IMAGE_PIXELS
  );
}

/**
 * IMAGE_TOO_LARGE (422) naming the picture's size and the limit, e.g. "the image is 10000 × 10000
 * pixels (100 megapixels): more than the limit of 8192 pixels on a side and 40 megapixels".
 */
export function pictureTooLarge(subject: string, size: ImageSize): AppError {
  return new AppError(
    'IMAGE_TOO_LARGE',
    `${subject} is ${size.width} × ${size.height} pixels (${megapixels(size.width * size.height)}): ` +
      `more than the limit of ${PIXEL_LIMIT_TEXT}`,
  );
}

/**
 * Checks a whole image (all its bytes) before it is decoded: throws IMAGE_TOO_LARGE over the
 * pixel limit, IMAGE_UNSUPPORTED for another format (SVG, BMP, …: their size is not checked) and
 * IMAGE_UNREADABLE when the header is cut off or damaged. `subject` starts the message ("the image
 * at https://…").
 */
export function checkImageBytes(bytes: Uint8Array, subject: string): ImageSize & { format: ImageFormat } {
  const header = readImageHeader(bytes);
  switch (header.kind) {
    case 'size': {
      const size = { width: header.width, height: header.height };
      if (!withinPixelLimits(size)) throw pictureTooLarge(subject, size);
      return { ...size, format: header.format };
    }
    case 'unknown':
      throw new AppError('IMAGE_UNSUPPORTED', `${subject} is not a PNG, JPEG, GIF or WebP image`);
    case 'more':
    case 'damaged':
      throw new AppError(
        'IMAGE_UNREADABLE',
        `${subject} is a damaged or incomplete ${header.format.toUpperCase()} file: its header gives no picture size`,
      );
  }
}
