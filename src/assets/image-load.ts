// Loading an image that is about to be decoded (an overlay's logo, a media still, the slate's test
// pattern): its header is checked against the pixel limit first (image-header.ts), so nothing
// decodes a picture that would take hundreds of megabytes. Images by URL go through the bounded
// reader (size cap and time limit for the whole read).
import { open } from 'node:fs/promises';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../errors/registry.ts';
import { fetchBounded, IMAGE_MAX_BYTES, redactUrl, type BoundedFetch } from '../net/bounded-fetch.ts';
import {
  checkImageBytes,
  IMAGE_HEADER_BYTES,
  pictureTooLarge,
  readImageHeader,
  withinPixelLimits,
  type ImageFormat,
  type ImageSize,
} from './image-header.ts';

/** An image by URL must arrive whole within this long. */
export const IMAGE_FETCH_TIMEOUT_MS = 10_000;
/** The most of a file read to find its header (a JPEG's frame header after large metadata). */
const MAX_HEADER_SEARCH_BYTES = 4 * 1024 * 1024;

async function readAt(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export type FileImageHeader =
  | ({ kind: 'size'; format: ImageFormat } & ImageSize)
  | { kind: 'unknown' }
  | { kind: 'damaged'; format: ImageFormat };

/** The header of an image file, reading only as much of it as the header needs. */
export async function readImageFileHeader(path: string): Promise<FileImageHeader> {
  let length = IMAGE_HEADER_BYTES;
  for (;;) {
    const bytes = await readAt(path, length);
    const header = readImageHeader(bytes);
    if (header.kind !== 'more') return header;
    // The file ends before the header does, or the header is implausibly far in.
    if (bytes.length < length || header.bytes > MAX_HEADER_SEARCH_BYTES) {
      return { kind: 'damaged', format: header.format };
    }
    length = Math.max(header.bytes, length * 2);
    length = Math.min(length, MAX_HEADER_SEARCH_BYTES);
  }
}

/**
 * An image file's bytes, after its header passed the pixel limit. Throws IMAGE_TOO_LARGE,
 * IMAGE_UNSUPPORTED or IMAGE_UNREADABLE (see checkImageBytes); a missing file is the fs error.
 */
export async function readImageFile(path: string, subject: string): Promise<Buffer> {
  const header = await readImageFileHeader(path);
  if (header.kind === 'size' && !withinPixelLimits(header)) throw pictureTooLarge(subject, header);
  const handle = await open(path, 'r');
  let bytes: Buffer;
  try {
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  checkImageBytes(bytes, subject);
  return bytes;
}

export interface LoadImageFromUrlOptions {
  clock: Clock;
  fetch?: BoundedFetch;
  /** Default IMAGE_MAX_BYTES. */
  maxBytes?: number;
  /** Default IMAGE_FETCH_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * An image by URL: at most 16 MB, whole within 10 s, and within the pixel limit. Every failure is
 * an AppError whose message names the address without its credentials or query: FETCH_TOO_LARGE,
 * FETCH_TIMEOUT, FETCH_FAILED, IMAGE_TOO_LARGE, IMAGE_UNSUPPORTED, IMAGE_UNREADABLE.
 */
export async function loadImageFromUrl(url: string, options: LoadImageFromUrlOptions): Promise<Uint8Array> {
  const subject = `the image at ${redactUrl(url)}`;
  let bytes: Uint8Array;
  try {
    bytes = await fetchBounded(url, {
      maxBytes: options.maxBytes ?? IMAGE_MAX_BYTES,
      timeoutMs: options.timeoutMs ?? IMAGE_FETCH_TIMEOUT_MS,
      clock: options.clock,
      accept: 'image/png, image/jpeg, image/gif, image/webp',
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  } catch (error) {
    if (error instanceof AppError) {
      throw new AppError(error.code, `${subject} could not be loaded: ${error.message}`, error.issues, {
        cause: error,
      });
    }
    throw error;
  }
  checkImageBytes(bytes, subject);
  return bytes;
}
