// Decoding a picture and scaling it to the size it is drawn at, each (content, size) once: what the
// picture-fit worker runs (picture-fit-worker.ts), and what the main thread runs when that worker
// cannot.
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { createHash } from 'node:crypto';

export interface FitSize {
  width: number;
  height: number;
}

export interface FittedPicture {
  /** The picture's own size as decoded (layout is relative to it). */
  naturalWidth: number;
  naturalHeight: number;
  /** The size drawn at; rgba holds width × height × 4 bytes. */
  width: number;
  height: number;
  /** Non-premultiplied RGBA, row-major (canvas getImageData layout). */
  rgba: Uint8ClampedArray;
}

/** The most fitted pictures kept, and the most bytes of pixels they may hold together. */
export const FIT_CACHE_ENTRIES = 16;
export const FIT_CACHE_BYTES = 64 * 1024 * 1024;

/** Decodes `bytes` (PNG, JPEG, GIF, WebP) and scales it, smoothed, to exactly `target`. */
export async function fitPictureBytes(bytes: Uint8Array, target: FitSize): Promise<FittedPicture> {
  const image = await loadImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const canvas = createCanvas(target.width, target.height);
  const g = canvas.getContext('2d');
  g.imageSmoothingEnabled = true;
  g.imageSmoothingQuality = 'high';
  g.drawImage(image, 0, 0, target.width, target.height);
  const pixels = g.getImageData(0, 0, target.width, target.height);
  return {
    naturalWidth: image.width,
    naturalHeight: image.height,
    width: target.width,
    height: target.height,
    rgba: pixels.data,
  };
}

/**
 * Fitted pictures by content hash and size, least recently used dropped first. Each answer is a
 * copy, the caller's to keep or hand on.
 */
export class FitCache {
  /** Insertion order is use order: the first key is the least recently used. */
  private readonly entries = new Map<string, Promise<FittedPicture>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;
  private misses = 0;

  constructor(
    private readonly maxEntries = FIT_CACHE_ENTRIES,
    private readonly maxBytes = FIT_CACHE_BYTES,
  ) {}

  async fit(bytes: Uint8Array, target: FitSize): Promise<FittedPicture> {
    const hash = createHash('sha256').update(bytes).digest('hex');
    const key = `${hash}:${target.width}x${target.height}`;
    let fitting = this.entries.get(key);
    if (fitting) {
      this.entries.delete(key);
      this.entries.set(key, fitting);
    } else {
      this.misses++;
      const started = fitPictureBytes(bytes, target);
      fitting = started;
      this.entries.set(key, started);
      started.then(
        (fitted) => {
          if (this.entries.get(key) !== started) return;
          this.sizes.set(key, fitted.rgba.byteLength);
          this.bytes += fitted.rgba.byteLength;
          this.evict();
        },
        () => {
          if (this.entries.get(key) === started) this.entries.delete(key);
        },
      );
    }
    const fitted = await fitting;
    return { ...fitted, rgba: fitted.rgba.slice() };
  }

  /** How many pictures were decoded and scaled (not found in the cache). */
  fitCount(): number {
    return this.misses;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      const size = this.sizes.get(key);
      if (size === undefined) continue; // still being fitted
      this.entries.delete(key);
      this.sizes.delete(key);
      this.bytes -= size;
    }
  }
}
