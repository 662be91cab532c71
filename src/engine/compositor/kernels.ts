// The pixel kernels of the compositor, behind one interface with two implementations:
// the plain TypeScript reference (reference.ts) and WASM SIMD (wasm.ts). Both produce identical
// bytes; the formulas are in layout.ts. Frames are yuv420p, overlays YUVA (layout.ts).
//
// Buffers: the WASM kernels work in place on buffers that live in their WebAssembly memory
// (allocFrame / allocYuva / alloc). Any other Uint8Array works too, but costs a copy in and out
// per call (see wasm.ts). The reference kernels take any Uint8Array and their alloc* are plain
// `new Uint8Array`. `out` may be the same buffer as an input; partly overlapping buffers are not
// supported.

export type KernelsName = 'wasm-simd' | 'reference';

export interface Kernels {
  readonly name: KernelsName;

  /** A zeroed yuv420p frame buffer (width·height·3/2 bytes) the kernels work on without copying. */
  allocFrame(width: number, height: number): Uint8Array;
  /** A zeroed YUVA overlay buffer (width·height·11/4 bytes, layout.ts). */
  allocYuva(width: number, height: number): Uint8Array;
  /** A zeroed buffer of any size. */
  alloc(bytes: number): Uint8Array;
  /** Returns a buffer from alloc* to the pool (no-op for the reference kernels). Do not use it after. */
  free(buf: Uint8Array): void;

  /** out = mix(a, b, weight): weight 0 gives a, 256 gives b (integer 0…256). */
  crossfade(out: Uint8Array, a: Uint8Array, b: Uint8Array, weight: number): void;
  /** out = mix(src, black, weight): weight 0 leaves src, 256 gives black (Y 16, U/V 128). */
  fadeToBlack(out: Uint8Array, src: Uint8Array, weight: number): void;
  /**
   * Fade through black, progress 0…1: the first half fades `from` out to black, the second fades
   * `to` in. With w2 = round(progress·512): w2 ≤ 256 → fadeToBlack(from, w2), else
   * fadeToBlack(to, 512 − w2). Progress 0 is `from`, 0.5 black, 1 `to`.
   */
  fadeThroughBlack(out: Uint8Array, from: Uint8Array, to: Uint8Array, progress: number): void;
  /**
   * Alpha-blends a YUVA overlay of ow×oh onto a yuv420p frame in place, top-left at (x, y)
   * (even; may be negative or run off the frame: it is clipped). Only the covered rectangle is
   * touched. opacity is an integer 0…256 (256 = the image's own alpha).
   */
  blendOverlay(
    frame: Uint8Array,
    frameW: number,
    frameH: number,
    overlay: Uint8Array,
    ow: number,
    oh: number,
    x: number,
    y: number,
    opacity: number,
  ): void;
  /** Fills a frame with one colour (Y, U, V bytes); fill(f, 16, 128, 128) is black. */
  fill(frame: Uint8Array, y: number, u: number, v: number): void;
  /** dst = src (same length). */
  copy(dst: Uint8Array, src: Uint8Array): void;
}

/** The split of a fade-through-black progress into one fadeToBlack step (see Kernels). */
export function fadeThroughBlackStep(progress: number): { useTo: boolean; weight: number } {
  const p = progress > 0 ? Math.min(progress, 1) : 0;
  const w2 = Math.floor(p * 512 + 0.5);
  return w2 <= 256 ? { useTo: false, weight: w2 } : { useTo: true, weight: 512 - w2 };
}
