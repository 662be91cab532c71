// The plain TypeScript reference kernels: the definition of the right bytes (formulas in
// layout.ts). The WASM SIMD kernels must match these exactly.
import type { Kernels } from './kernels.ts';
import { fadeThroughBlackStep } from './kernels.ts';
import {
  BLACK_C,
  BLACK_Y,
  checkFrameBuffer,
  checkSameLength,
  checkWeight,
  clipOverlay,
  frameSize,
  yuvaLayout,
  yuvaSize,
} from './layout.ts';

function checkByte(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${what} ${v} must be a byte 0…255`);
}

function crossfade(out: Uint8Array, a: Uint8Array, b: Uint8Array, weight: number): void {
  checkSameLength('crossfade', out, a, b);
  checkWeight(weight);
  const wa = 256 - weight;
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = (a[i]! * wa + b[i]! * weight + 128) >> 8;
}

/** out[i] = mix(src[i], k, weight) over [start, end). */
function lerpConst(out: Uint8Array, src: Uint8Array, start: number, end: number, k: number, weight: number) {
  const ws = 256 - weight;
  const c = k * weight + 128;
  for (let i = start; i < end; i++) out[i] = (src[i]! * ws + c) >> 8;
}

function fadeToBlack(out: Uint8Array, src: Uint8Array, weight: number): void {
  checkSameLength('fadeToBlack', out, src);
  checkFrameBuffer(out, 'fadeToBlack');
  checkWeight(weight);
  const ySize = (out.length / 3) * 2;
  lerpConst(out, src, 0, ySize, BLACK_Y, weight);
  lerpConst(out, src, ySize, out.length, BLACK_C, weight);
}

/** Blends one plane's rectangle: dst rows of stride ds, src and alpha rows of stride ss. */
function blendPlane(
  dst: Uint8Array,
  dOff: number,
  ds: number,
  src: Uint8Array,
  sOff: number,
  aOff: number,
  ss: number,
  w: number,
  h: number,
  opacity: number,
): void {
  for (let r = 0; r < h; r++) {
    const d = dOff + r * ds;
    const s = sOff + r * ss;
    const a = aOff + r * ss;
    for (let i = 0; i < w; i++) {
      const t = (src[a + i]! * opacity + 128) >> 8;
      const al = t + (t >> 7);
      dst[d + i] = (dst[d + i]! * (256 - al) + src[s + i]! * al + 128) >> 8;
    }
  }
}

export function createReferenceKernels(): Kernels {
  const kernels: Kernels = {
    name: 'reference',
    allocFrame: (width, height) => new Uint8Array(frameSize(width, height)),
    allocYuva: (width, height) => new Uint8Array(yuvaSize(width, height)),
    alloc: (bytes) => new Uint8Array(bytes),
    free: () => {},
    crossfade,
    fadeToBlack,
    fadeThroughBlack(out, from, to, progress) {
      const step = fadeThroughBlackStep(progress);
      fadeToBlack(out, step.useTo ? to : from, step.weight);
    },
    blendOverlay(frame, frameW, frameH, overlay, ow, oh, x, y, opacity) {
      const c = clipOverlay(frame, frameW, frameH, overlay, ow, oh, x, y, opacity);
      if (c === null) return;
      const lay = yuvaLayout(ow, oh);
      const fl = frameW * frameH;
      const fcw = frameW / 2;
      const fc = fl / 4;
      const ocw = ow / 2;
      // Luma with A.
      const so = c.oy * ow + c.ox;
      blendPlane(frame, c.fy * frameW + c.fx, frameW, overlay, so, lay.a + so, ow, c.w, c.h, opacity);
      // Chroma with Ac (all coordinates even, so halving is exact).
      const fo = (c.fy / 2) * fcw + c.fx / 2;
      const co = (c.oy / 2) * ocw + c.ox / 2;
      const cw = c.w / 2;
      const ch = c.h / 2;
      // U, V and Ac are all ocw wide, so one stride serves the source and its alpha.
      blendPlane(frame, fl + fo, fcw, overlay, lay.u + co, lay.ca + co, ocw, cw, ch, opacity);
      blendPlane(frame, fl + fc + fo, fcw, overlay, lay.v + co, lay.ca + co, ocw, cw, ch, opacity);
    },
    fill(frame, y, u, v) {
      checkFrameBuffer(frame, 'fill');
      checkByte(y, 'fill Y');
      checkByte(u, 'fill U');
      checkByte(v, 'fill V');
      const ySize = (frame.length / 3) * 2;
      const cSize = frame.length / 6;
      frame.fill(y, 0, ySize);
      frame.fill(u, ySize, ySize + cSize);
      frame.fill(v, ySize + cSize);
    },
    copy(dst, src) {
      checkSameLength('copy', dst, src);
      if (dst !== src) dst.set(src);
    },
  };
  return kernels;
}
