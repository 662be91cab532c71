// Pixel layouts and the integer formulas shared by both kernel implementations.
//
// Frame (yuv420p, planar, width and height even), one buffer per frame:
//   Y  width × height            at 0
//   U  (width/2) × (height/2)    at width·height
//   V  (width/2) × (height/2)    at width·height·5/4
//   total width·height·3/2 bytes. The planes are found from the length alone: Y = len·2/3,
//   U = V = len/6 (every kernel that takes no dimensions relies on this).
//
// Overlay image ("YUVA", width ow and height oh even), one buffer:
//   Y   ow × oh                  at 0
//   A   ow × oh                  at ow·oh            (luma alpha, 0 = transparent, 255 = opaque)
//   U   (ow/2) × (oh/2)          at 2·ow·oh
//   V   (ow/2) × (oh/2)          at 2·ow·oh + c      (c = ow·oh/4)
//   Ac  (ow/2) × (oh/2)          at 2·ow·oh + 2c     (chroma alpha: see buildChromaAlpha)
//   total 2·ow·oh + 3c = ow·oh·11/4 bytes.
//
// THE BLEND FORMULA (the one integer rule every kernel uses, in the reference and in WASM):
//
//   mix(p, q, w) = (p·(256 − w) + q·w + 128) >> 8        p, q bytes, w integer 0…256
//
// mix(p, q, 0) = p and mix(p, q, 256) = q exactly; every intermediate fits in 16 unsigned bits
// (≤ 255·256 + 128 = 65408), which is what lets the SIMD kernel work in u16 lanes.
//   crossfade:    out = mix(a, b, w)
//   fadeToBlack:  out = mix(src, K, w), K = 16 for Y and 128 for U, V (limited-range black)
//   blendOverlay: out = mix(dst, src, α) with α from the alpha byte A and the opacity op (0…256):
//                   t = (A·op + 128) >> 8        (0…255; equals A when op = 256)
//                   α = t + (t >> 7)             (maps 0…255 onto 0…256: 255 → 256, fully opaque)
// A float fraction (progress, opacity 0…1) becomes a weight by toWeight256.

export const BLACK_Y = 16;
export const BLACK_C = 128;

/** The blend formula above, for scalar code and tests. */
export function mix(p: number, q: number, w: number): number {
  return (p * (256 - w) + q * w + 128) >> 8;
}

/** Effective 0…256 weight of an alpha byte at an integer opacity 0…256 (formula above). */
export function alphaWeight(a: number, opacity: number): number {
  const t = (a * opacity + 128) >> 8;
  return t + (t >> 7);
}

/** A fraction 0…1 as an integer weight 0…256: round(x·256), halves up; NaN and below 0 give 0. */
export function toWeight256(fraction: number): number {
  if (!(fraction > 0)) return 0;
  if (fraction >= 1) return 256;
  return Math.floor(fraction * 256 + 0.5);
}

function checkDims(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`${what} size ${width}x${height} must be positive integers`);
  }
  if (width % 2 !== 0 || height % 2 !== 0) {
    throw new RangeError(`${what} size ${width}x${height} must be even (4:2:0 chroma)`);
  }
}

/** Bytes of a yuv420p frame. */
export function frameSize(width: number, height: number): number {
  checkDims(width, height, 'frame');
  return (width * height * 3) / 2;
}

export interface YuvaLayout {
  /** Byte offsets of the planes (Y at 0) and the total size. */
  readonly a: number;
  readonly u: number;
  readonly v: number;
  readonly ca: number;
  readonly size: number;
}

export function yuvaLayout(width: number, height: number): YuvaLayout {
  checkDims(width, height, 'overlay');
  const l = width * height;
  const c = l / 4;
  return { a: l, u: 2 * l, v: 2 * l + c, ca: 2 * l + 2 * c, size: 2 * l + 3 * c };
}

/** Bytes of a YUVA overlay image. */
export function yuvaSize(width: number, height: number): number {
  return yuvaLayout(width, height).size;
}

/**
 * Fills the chroma alpha plane of a YUVA image from its luma alpha plane: each chroma alpha is the
 * rounded average of the 2×2 luma alphas it covers, (a0 + a1 + a2 + a3 + 2) >> 2.
 * Call it after writing (or changing) the A plane.
 */
export function buildChromaAlpha(yuva: Uint8Array, width: number, height: number): void {
  const lay = yuvaLayout(width, height);
  if (yuva.length < lay.size) {
    throw new RangeError(`YUVA buffer of ${yuva.length} bytes is smaller than ${width}x${height} needs`);
  }
  const cw = width / 2;
  const ch = height / 2;
  for (let j = 0; j < ch; j++) {
    const r0 = lay.a + 2 * j * width;
    const r1 = r0 + width;
    const o = lay.ca + j * cw;
    for (let i = 0; i < cw; i++) {
      const x = 2 * i;
      yuva[o + i] = (yuva[r0 + x]! + yuva[r0 + x + 1]! + yuva[r1 + x]! + yuva[r1 + x + 1]! + 2) >> 2;
    }
  }
}

// ---- argument checks shared by both implementations (same errors from both) ----

export function checkWeight(weight: number, what = 'weight'): void {
  if (!Number.isInteger(weight) || weight < 0 || weight > 256) {
    throw new RangeError(`${what} ${weight} must be an integer 0…256`);
  }
}

export function checkFrameBuffer(buf: Uint8Array, what: string): void {
  if (buf.length === 0 || buf.length % 6 !== 0) {
    throw new RangeError(`${what}: ${buf.length} bytes is not a yuv420p frame (a multiple of 6)`);
  }
}

export function checkSameLength(what: string, first: Uint8Array, ...rest: Uint8Array[]): void {
  for (const b of rest) {
    if (b.length !== first.length) {
      throw new RangeError(`${what}: buffers differ in length (${first.length} vs ${b.length})`);
    }
  }
}

/** The part of an overlay that lands on the frame, in luma pixels (all even), or null if none. */
export interface OverlayClip {
  /** First frame column/row covered and the covered width/height. */
  readonly fx: number;
  readonly fy: number;
  readonly w: number;
  readonly h: number;
  /** First overlay column/row shown. */
  readonly ox: number;
  readonly oy: number;
}

export function clipOverlay(
  frame: Uint8Array,
  frameW: number,
  frameH: number,
  overlay: Uint8Array,
  ow: number,
  oh: number,
  x: number,
  y: number,
  opacity: number,
): OverlayClip | null {
  const fsize = frameSize(frameW, frameH);
  if (frame.length !== fsize) {
    throw new RangeError(`frame of ${frame.length} bytes is not ${frameW}x${frameH} yuv420p (${fsize})`);
  }
  const osize = yuvaSize(ow, oh);
  if (overlay.length < osize) {
    throw new RangeError(`overlay of ${overlay.length} bytes is smaller than ${ow}x${oh} YUVA (${osize})`);
  }
  if (!Number.isInteger(x) || !Number.isInteger(y) || x % 2 !== 0 || y % 2 !== 0) {
    throw new RangeError(`overlay position (${x}, ${y}) must be even integers`);
  }
  checkWeight(opacity, 'opacity');
  const fx = Math.max(0, x);
  const fy = Math.max(0, y);
  const fx1 = Math.min(frameW, x + ow);
  const fy1 = Math.min(frameH, y + oh);
  if (opacity === 0 || fx1 <= fx || fy1 <= fy) return null;
  return { fx, fy, w: fx1 - fx, h: fy1 - fy, ox: fx - x, oy: fy - y };
}
