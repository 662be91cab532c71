// RGBA → YUVA conversion for overlay bitmaps: pure, exact integer math, no canvas.
//
// The compositor blends a YUVA image onto yuv420p program frames:
//   luma:   Y_out = (Y·a  + Y_bg·(255 − a)  + 127) / 255      per luma sample
//   chroma: U_out = (U·ca + U_bg·(255 − ca) + 127) / 255      per 2×2 block (same for V)
// so Y, U and V here are *straight* (not premultiplied) values and `a` / `ca` say how much of
// them to use.
//
// Premultiplication. The input is canvas `getImageData` output: non-premultiplied RGBA. Luma is
// per pixel, so the straight colour converts directly. Chroma covers a 2×2 block whose four
// pixels may have different alphas (the anti-aliased edge of a glyph: one opaque white pixel,
// three transparent ones whose RGB is meaningless 0,0,0). Averaging the straight colours would
// pull edge chroma towards the colour of invisible pixels; instead each pixel is weighted by its
// alpha (i.e. the premultiplied colours are averaged) and the sum is divided by the total alpha:
//   U = Σ aᵢ·Uᵢ / Σ aᵢ,  ca = round(Σ aᵢ / 4)
// Blending U with ca then contributes Σ aᵢ·Uᵢ / 4 — exactly the average of the four pixels'
// premultiplied chroma, which is what blending each pixel separately and averaging would give.
// A block with Σ aᵢ = 0 gets neutral chroma (128) and ca = 0.
//
// Matrices (limited/"TV" range: Y 16…235, U/V 16…240):
//   'bt709' for programs ≥ 720 lines (HD), 'bt601' for smaller (SD), see matrixForHeight().
// Coefficients are fixed point with 16 fraction bits, derived from Kr/Kb and adjusted so that the
// luma row sums to exactly 219/255 and each chroma row to exactly 0: white → Y 235, black → Y 16,
// and every grey → U = V = 128 exactly.

export type YuvMatrix = 'bt709' | 'bt601';

/**
 * The compositor's YUVA layout (src/engine/compositor/layout.ts), one contiguous buffer:
 *   Y  w × h at 0 · A  w × h at w·h · U, V, Ac (w/2) × (h/2) at 2·w·h, 2·w·h + c, 2·w·h + 2c
 * (c = w·h/4), w·h·11/4 bytes in all. The plane fields are views into `data`.
 */
export interface YuvaPlanes {
  /** All five planes, in the order Y, A, U, V, Ac (what the compositor's kernels take). */
  data: Uint8Array;
  /** Luma, width × height. */
  y: Uint8Array;
  /** Luma alpha, width × height, 0 = transparent, 255 = opaque. */
  a: Uint8Array;
  /** Cb, (width/2) × (height/2). */
  u: Uint8Array;
  /** Cr, (width/2) × (height/2). */
  v: Uint8Array;
  /** Chroma alpha, (width/2) × (height/2): rounded average of the 2×2 luma alphas it covers. */
  ca: Uint8Array;
}

/**
 * An overlay ready for the compositor: even size, placed at an even position on the program
 * frame. `{ width, height, data }` is the compositor's YuvaImage; `left`/`top` are its x/y.
 */
export interface YuvaImage {
  width: number;
  height: number;
  /** Column of the image's left edge on the program frame (even). */
  left: number;
  /** Row of the image's top edge on the program frame (even). */
  top: number;
  matrix: YuvMatrix;
  data: Uint8Array;
  planes: YuvaPlanes;
}

/** Bytes of a width × height YUVA image (w·h·11/4). */
export function yuvaBytes(width: number, height: number): number {
  return (width * height * 11) / 4;
}

/** Views of the five planes inside one YUVA buffer (layout above). */
export function yuvaPlanes(data: Uint8Array, width: number, height: number): YuvaPlanes {
  const l = width * height;
  const c = l / 4;
  if (data.length < 2 * l + 3 * c) {
    throw new RangeError(`YUVA buffer of ${data.length} bytes is smaller than ${width}x${height} needs`);
  }
  return {
    data: data.length === 2 * l + 3 * c ? data : data.subarray(0, 2 * l + 3 * c),
    y: data.subarray(0, l),
    a: data.subarray(l, 2 * l),
    u: data.subarray(2 * l, 2 * l + c),
    v: data.subarray(2 * l + c, 2 * l + 2 * c),
    ca: data.subarray(2 * l + 2 * c, 2 * l + 3 * c),
  };
}

/** BT.709 for HD (≥ 720 lines), BT.601 below: what encoders and players assume by default. */
export function matrixForHeight(height: number): YuvMatrix {
  return height >= 720 ? 'bt709' : 'bt601';
}

const SHIFT = 16;
const ONE = 1 << SHIFT;
const HALF = ONE >> 1;

interface Coefficients {
  yr: number;
  yg: number;
  yb: number;
  ur: number;
  ug: number;
  ub: number;
  vr: number;
  vg: number;
  vb: number;
}

function coefficients(kr: number, kb: number): Coefficients {
  const yScale = 219 / 255;
  const cScale = 224 / 255;
  const yr = Math.round(kr * yScale * ONE);
  const yb = Math.round(kb * yScale * ONE);
  const yg = Math.round(yScale * ONE) - yr - yb; // Kg·219/255, the remainder: rows sum exactly
  // Cb = (B − Y) / (2(1 − Kb)), Cr = (R − Y) / (2(1 − Kr)), both scaled to ±112.
  const ub = Math.round(0.5 * cScale * ONE);
  const ur = Math.round((-kr / (2 * (1 - kb))) * cScale * ONE);
  const ug = -ub - ur;
  const vr = Math.round(0.5 * cScale * ONE);
  const vb = Math.round((-kb / (2 * (1 - kr))) * cScale * ONE);
  const vg = -vr - vb;
  return { yr, yg, yb, ur, ug, ub, vr, vg, vb };
}

const MATRICES: Record<YuvMatrix, Coefficients> = {
  bt709: coefficients(0.2126, 0.0722),
  bt601: coefficients(0.299, 0.114),
};

/** The fixed-point coefficients in use (16 fraction bits), for documentation and tests. */
export function yuvCoefficients(matrix: YuvMatrix): Readonly<Coefficients> {
  return MATRICES[matrix];
}

/** Rounds num/den (den > 0) to the nearest integer, halves up; exact for |num| < 2^53. */
function divRound(num: number, den: number): number {
  return Math.floor((2 * num + den) / (2 * den));
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/**
 * Converts non-premultiplied RGBA (width × height × 4 bytes, row-major) to YUVA 4:2:0 planes.
 * Width and height must be even (the overlay is positioned and sized on the chroma grid).
 * Writes into `out` when given (e.g. a buffer from the compositor kernels' allocYuva, at least
 * yuvaBytes(width, height) long), else into a new buffer.
 */
export function rgbaToYuva(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  matrix: YuvMatrix,
  out?: Uint8Array,
): YuvaPlanes {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`invalid size ${width}x${height}`);
  }
  if (width % 2 !== 0 || height % 2 !== 0) {
    throw new RangeError(`YUVA images need an even width and height, got ${width}x${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new RangeError(
      `expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`,
    );
  }
  const c = MATRICES[matrix];
  const cw = width / 2;
  const ch = height / 2;
  const planes = yuvaPlanes(out ?? new Uint8Array(yuvaBytes(width, height)), width, height);
  const { y, a, u, v, ca } = planes;

  for (let row = 0; row < height; row++) {
    let p = row * width * 4;
    let q = row * width;
    for (let col = 0; col < width; col++, p += 4, q++) {
      const r = rgba[p]!;
      const g = rgba[p + 1]!;
      const b = rgba[p + 2]!;
      y[q] = 16 + ((c.yr * r + c.yg * g + c.yb * b + HALF) >> SHIFT);
      a[q] = rgba[p + 3]!;
    }
  }

  for (let crow = 0; crow < ch; crow++) {
    for (let ccol = 0; ccol < cw; ccol++) {
      let sumA = 0;
      let sumR = 0;
      let sumG = 0;
      let sumB = 0;
      for (let dy = 0; dy < 2; dy++) {
        let p = ((2 * crow + dy) * width + 2 * ccol) * 4;
        for (let dx = 0; dx < 2; dx++, p += 4) {
          const alpha = rgba[p + 3]!;
          sumA += alpha;
          sumR += alpha * rgba[p]!;
          sumG += alpha * rgba[p + 1]!;
          sumB += alpha * rgba[p + 2]!;
        }
      }
      const k = crow * cw + ccol;
      ca[k] = (sumA + 2) >> 2;
      if (sumA === 0) {
        u[k] = 128;
        v[k] = 128;
        continue;
      }
      // Σ aᵢ·Uᵢ / Σ aᵢ with Uᵢ = (ur·R + ug·G + ub·B) / 2^16; at most ~2^38, exact in a double.
      const den = sumA * ONE;
      u[k] = clamp(128 + divRound(c.ur * sumR + c.ug * sumG + c.ub * sumB, den), 16, 240);
      v[k] = clamp(128 + divRound(c.vr * sumR + c.vg * sumG + c.vb * sumB, den), 16, 240);
    }
  }
  return planes;
}

/**
 * Converts YUVA back to non-premultiplied RGBA (for previews and round-trip checks). Chroma is
 * replicated over its 2×2 block. Not exact: 4:2:0 loses chroma detail and 8-bit YUV loses a
 * little colour precision.
 */
export function yuvaToRgba(
  planes: YuvaPlanes,
  width: number,
  height: number,
  matrix: YuvMatrix,
): Uint8ClampedArray {
  const kr = matrix === 'bt709' ? 0.2126 : 0.299;
  const kb = matrix === 'bt709' ? 0.0722 : 0.114;
  const kg = 1 - kr - kb;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const q = row * width + col;
      const k = (row >> 1) * (width >> 1) + (col >> 1);
      const luma = ((planes.y[q]! - 16) * 255) / 219;
      const cb = ((planes.u[k]! - 128) * 255) / 224;
      const cr = ((planes.v[k]! - 128) * 255) / 224;
      const r = luma + 2 * (1 - kr) * cr;
      const b = luma + 2 * (1 - kb) * cb;
      const g = (luma - kr * r - kb * b) / kg;
      out[q * 4] = Math.round(r);
      out[q * 4 + 1] = Math.round(g);
      out[q * 4 + 2] = Math.round(b);
      out[q * 4 + 3] = planes.a[q]!;
    }
  }
  return out;
}
