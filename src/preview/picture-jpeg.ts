// A program picture (yuv420p, overlays included) as a JPEG of a fixed size, for the website's
// live picture and the time-lapse. The picture is fitted like the decoders fit a camera (scaled,
// aspect ratio kept, black bars), each output pixel averaging the source pixels it covers, so a
// 1080p program shrunk to 640×360 does not shimmer. It costs 30–110 ms for a 1080p picture: on
// air, call it through jpeg-thread.ts, off the event loop the playout shares.
import { createCanvas } from '@napi-rs/canvas';
import type { ProgramPicture } from '../engine/index.ts';

export interface JpegSize {
  width: number;
  height: number;
}

/** The largest still made (the program's own 4K UHD size). */
export const MAX_STILL_SIDE = 3840;

/** Where the fitted picture sits in the output: its size and offset (the rest is black). */
export function fitInside(source: JpegSize, box: JpegSize): JpegSize & { x: number; y: number } {
  const scale = Math.min(box.width / source.width, box.height / source.height);
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  return { width, height, x: Math.floor((box.width - width) / 2), y: Math.floor((box.height - height) / 2) };
}

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
}

/** RGBA pixels of the picture fitted into the box (opaque black around it). */
export function pictureToRgba(picture: ProgramPicture, box: JpegSize): Uint8ClampedArray {
  const { width: sw, height: sh, data } = picture;
  const out = new Uint8ClampedArray(box.width * box.height * 4);
  for (let i = 3; i < out.length; i += 4) out[i] = 255;
  const fit = fitInside({ width: sw, height: sh }, box);
  const chromaWidth = sw >> 1;
  const uPlane = sw * sh;
  const vPlane = uPlane + chromaWidth * (sh >> 1);
  for (let oy = 0; oy < fit.height; oy++) {
    const y0 = Math.floor((oy * sh) / fit.height);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * sh) / fit.height));
    for (let ox = 0; ox < fit.width; ox++) {
      const x0 = Math.floor((ox * sw) / fit.width);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * sw) / fit.width));
      let luma = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) luma += data[y * sw + x]!;
      luma /= (y1 - y0) * (x1 - x0);
      // Chroma at the covered area's centre: it is quarter resolution already.
      const chroma = (((y0 + y1) >> 2) * chromaWidth + ((x0 + x1) >> 2)) | 0;
      const u = data[uPlane + chroma]! - 128;
      const v = data[vPlane + chroma]! - 128;
      // BT.709, limited range (what the program is encoded as) to full-range RGB.
      const c = (luma - 16) * 1.164;
      const at = ((oy + fit.y) * box.width + ox + fit.x) * 4;
      out[at] = clampByte(c + 1.793 * v);
      out[at + 1] = clampByte(c - 0.213 * u - 0.533 * v);
      out[at + 2] = clampByte(c + 2.112 * u);
    }
  }
  return out;
}

/** The picture as a JPEG of exactly `box` (quality 0–100). */
export async function pictureToJpeg(picture: ProgramPicture, box: JpegSize, quality = 80): Promise<Buffer> {
  if (box.width < 1 || box.height < 1 || box.width > MAX_STILL_SIDE || box.height > MAX_STILL_SIDE)
    throw new RangeError(`a still must be 1–${MAX_STILL_SIDE} px a side, not ${box.width}×${box.height}`);
  const rgba = pictureToRgba(picture, box);
  const canvas = createCanvas(box.width, box.height);
  const context = canvas.getContext('2d');
  const image = context.createImageData(box.width, box.height);
  image.data.set(rgba);
  context.putImageData(image, 0, 0);
  return canvas.encode('jpeg', quality);
}
