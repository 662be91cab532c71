// For the website outputs' tests: solid-colour program pictures (yuv420p, as the engine hands them
// out) and what a JPEG holds (its size and mean colour), read back with the canvas decoder.
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { ProgramPicture } from '../../src/engine/index.ts';

/** A yuv420p picture of one colour (BT.709 limited range, like the program). */
export function solidPicture(
  width: number,
  height: number,
  rgb: readonly [number, number, number],
): ProgramPicture {
  const [r, g, b] = rgb.map((c) => c / 255) as [number, number, number];
  const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const y = Math.round(16 + 219 * luma);
  const u = Math.round(128 + 224 * ((b - luma) / 1.8556));
  const v = Math.round(128 + 224 * ((r - luma) / 1.5748));
  const data = new Uint8Array((width * height * 3) / 2);
  data.fill(y, 0, width * height);
  data.fill(u, width * height, width * height * 1.25);
  data.fill(v, width * height * 1.25);
  return { width, height, data };
}

export interface JpegLook {
  width: number;
  height: number;
  /** Mean red, green, blue (0–255). */
  mean: [number, number, number];
}

export function isJpeg(bytes: Uint8Array): boolean {
  return (
    bytes.length > 4 &&
    bytes[0] === 0xff &&
    bytes[1] === 0xd8 &&
    bytes[bytes.length - 2] === 0xff &&
    bytes[bytes.length - 1] === 0xd9
  );
}

/** Decodes a JPEG and measures it. */
export async function lookAtJpeg(bytes: Uint8Array): Promise<JpegLook> {
  const image = await loadImage(Buffer.from(bytes));
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const { data } = context.getImageData(0, 0, image.width, image.height);
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) {
    sum[0]! += data[i]!;
    sum[1]! += data[i + 1]!;
    sum[2]! += data[i + 2]!;
  }
  const pixels = data.length / 4;
  return {
    width: image.width,
    height: image.height,
    mean: [sum[0]! / pixels, sum[1]! / pixels, sum[2]! / pixels],
  };
}

/** Euclidean distance between two mean colours. */
export function colourDistance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
}
