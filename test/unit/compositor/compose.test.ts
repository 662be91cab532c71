// composite() on 16×16 frames with exact expected bytes, run with both kernel implementations.
// Every expected value is worked out by hand from the formulas in layout.ts:
//   mix(p, q, w) = (p·(256 − w) + q·w + 128) >> 8;  overlay α = t + (t >> 7), t = (A·op + 128) >> 8.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kernels } from '../../../src/engine/compositor/kernels.ts';
import { composite, type Program, type YuvaImage } from '../../../src/engine/compositor/compose.ts';
import { createReferenceKernels } from '../../../src/engine/compositor/reference.ts';
import { createWasmKernels } from '../../../src/engine/compositor/wasm.ts';
import { buildChromaAlpha, yuvaLayout } from '../../../src/engine/compositor/layout.ts';

const W = 16;
const H = 16;
const Y_SIZE = W * H; // 256
const C_SIZE = Y_SIZE / 4; // 64, chroma plane 8×8

/** A solid 16×16 frame. */
function solid(y: number, u: number, v: number): Uint8Array {
  const f = new Uint8Array(Y_SIZE + 2 * C_SIZE);
  f.fill(y, 0, Y_SIZE);
  f.fill(u, Y_SIZE, Y_SIZE + C_SIZE);
  f.fill(v, Y_SIZE + C_SIZE);
  return f;
}

/** Sets a luma rectangle [x0, x1) × [y0, y1) and the chroma rectangle under it of an expected frame. */
function rect(
  f: Uint8Array,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  y: number,
  u: number,
  v: number,
) {
  for (let r = y0; r < y1; r++) for (let c = x0; c < x1; c++) f[r * W + c] = y;
  for (let r = y0 / 2; r < y1 / 2; r++) {
    for (let c = x0 / 2; c < x1 / 2; c++) {
      f[Y_SIZE + r * (W / 2) + c] = u;
      f[Y_SIZE + C_SIZE + r * (W / 2) + c] = v;
    }
  }
}

/** A solid w×h YUVA image with one alpha everywhere. */
function image(w: number, h: number, y: number, a: number, u: number, v: number): YuvaImage {
  const lay = yuvaLayout(w, h);
  const data = new Uint8Array(lay.size);
  data.fill(y, 0, lay.a);
  data.fill(a, lay.a, lay.u);
  data.fill(u, lay.u, lay.v);
  data.fill(v, lay.v, lay.ca);
  buildChromaAlpha(data, w, h);
  return { width: w, height: h, data };
}

function run(kernels: Kernels, program: Program, start: Uint8Array = solid(0, 0, 0)): Uint8Array {
  const target = { width: W, height: H, data: start.slice() };
  composite(target, program, kernels);
  return target.data;
}

const FROM = solid(100, 50, 200);
const TO = solid(200, 150, 0);

const implementations: [string, () => Promise<Kernels>][] = [
  ['reference', () => Promise.resolve(createReferenceKernels())],
  ['wasm-simd', () => createWasmKernels({ capacityBytes: 1 << 20 })],
];

for (const [name, factory] of implementations) {
  describe(`composite() with the ${name} kernels`, () => {
    let k: Kernels;
    before(async () => {
      k = await factory();
    });

    it('black: Y 16, U and V 128', () => {
      assert.deepEqual(
        run(k, { video: { kind: 'black' }, overlays: [] }, solid(9, 9, 9)),
        solid(16, 128, 128),
      );
    });

    it('single: copies the frame; a missing frame shows black', () => {
      const pattern = Uint8Array.from({ length: Y_SIZE + 2 * C_SIZE }, (_, i) => (i * 7) & 255);
      assert.deepEqual(run(k, { video: { kind: 'single', frame: pattern }, overlays: [] }), pattern);
      assert.deepEqual(run(k, { video: { kind: 'single', frame: null }, overlays: [] }), solid(16, 128, 128));
    });

    it('dissolve: exact mix at 0, 0.25, 0.5, 1', () => {
      const d = (progress: number) =>
        run(k, { video: { kind: 'dissolve', from: FROM, to: TO, progress }, overlays: [] });
      assert.deepEqual(d(0), FROM);
      // w = 64: Y (100·192 + 200·64 + 128) >> 8 = 125; U (50·192 + 150·64 + 128) >> 8 = 75; V (200·192 + 128) >> 8 = 150
      assert.deepEqual(d(0.25), solid(125, 75, 150));
      // w = 128: Y 38528 >> 8 = 150; U 25728 >> 8 = 100; V 25728 >> 8 = 100
      assert.deepEqual(d(0.5), solid(150, 100, 100));
      assert.deepEqual(d(1), TO);
      // Progress outside 0…1 is clamped.
      assert.deepEqual(d(-3), FROM);
      assert.deepEqual(d(7), TO);
    });

    it('dissolve with a missing side fades to/from black', () => {
      // from only, w = 64: Y (100·192 + 16·64 + 128) >> 8 = 79; U (50·192 + 128·64 + 128) >> 8 = 70; V (200·192 + 128·64 + 128) >> 8 = 182
      assert.deepEqual(
        run(k, { video: { kind: 'dissolve', from: FROM, to: null, progress: 0.25 }, overlays: [] }),
        solid(79, 70, 182),
      );
      // to only at 0.75 is fadeToBlack(to, 64): Y (200·192 + 16·64 + 128) >> 8 = 154; U (150·192 + 128·64 + 128) >> 8 = 145; V (128·64 + 128) >> 8 = 32
      assert.deepEqual(
        run(k, { video: { kind: 'dissolve', from: null, to: TO, progress: 0.75 }, overlays: [] }),
        solid(154, 145, 32),
      );
      assert.deepEqual(
        run(k, { video: { kind: 'dissolve', from: null, to: null, progress: 0.5 }, overlays: [] }),
        solid(16, 128, 128),
      );
    });

    it('fade: through black, old source out then new source in', () => {
      const f = (progress: number) =>
        run(k, { video: { kind: 'fade', from: FROM, to: TO, progress }, overlays: [] });
      assert.deepEqual(f(0), FROM);
      // w2 = 128 → fadeToBlack(from, 128): Y (100·128 + 16·128 + 128) >> 8 = 58; U 22912 >> 8 = 89; V 42112 >> 8 = 164
      assert.deepEqual(f(0.25), solid(58, 89, 164));
      assert.deepEqual(f(0.5), solid(16, 128, 128));
      // w2 = 384 → fadeToBlack(to, 128): Y 27776 >> 8 = 108; U 35712 >> 8 = 139; V 16512 >> 8 = 64
      assert.deepEqual(f(0.75), solid(108, 139, 64));
      assert.deepEqual(f(1), TO);
      // A missing second source: black for the second half.
      assert.deepEqual(
        run(k, { video: { kind: 'fade', from: FROM, to: null, progress: 0.75 }, overlays: [] }),
        solid(16, 128, 128),
      );
    });

    it('overlay: opaque at full opacity replaces exactly its rectangle (luma and chroma)', () => {
      const got = run(k, {
        video: { kind: 'single', frame: FROM },
        overlays: [{ image: image(4, 4, 235, 255, 16, 240), x: 2, y: 4, opacity: 1 }],
      });
      const want = FROM.slice();
      rect(want, 2, 4, 6, 8, 235, 16, 240);
      assert.deepEqual(got, want);
    });

    it('overlay: half opacity gives α = 129', () => {
      // op = 128: t = (255·128 + 128) >> 8 = 128, α = 129.
      // Y (100·127 + 235·129 + 128) >> 8 = 168; U (50·127 + 16·129 + 128) >> 8 = 33; V (200·127 + 240·129 + 128) >> 8 = 220
      const got = run(k, {
        video: { kind: 'single', frame: FROM },
        overlays: [{ image: image(4, 4, 235, 255, 16, 240), x: 2, y: 4, opacity: 0.5 }],
      });
      const want = FROM.slice();
      rect(want, 2, 4, 6, 8, 168, 33, 220);
      assert.deepEqual(got, want);
    });

    it('overlay: per-pixel alpha, chroma uses the averaged chroma alpha', () => {
      // 2×2 image, only its top-left luma alpha is 255: chroma alpha (255 + 0 + 0 + 0 + 2) >> 2 = 64.
      const img = image(2, 2, 200, 0, 0, 255);
      img.data[4] = 255; // A plane starts at 4
      buildChromaAlpha(img.data, 2, 2);
      assert.equal(img.data[4 * 2 + 2], 64);
      const got = run(k, {
        video: { kind: 'single', frame: FROM },
        overlays: [{ image: img, x: 8, y: 8, opacity: 1 }],
      });
      const want = FROM.slice();
      want[8 * W + 8] = 200; // α 256
      // chroma α 64: U (50·192 + 0·64 + 128) >> 8 = 38; V (200·192 + 255·64 + 128) >> 8 = 214
      want[Y_SIZE + 4 * 8 + 4] = 38;
      want[Y_SIZE + C_SIZE + 4 * 8 + 4] = 214;
      assert.deepEqual(got, want);
    });

    it('overlay: clipped at every edge, off-frame is a no-op', () => {
      // 4×4 image, Y = 10·row + col + 1, U = 60 + 10·row + col, V = 0, opaque.
      const img = image(4, 4, 0, 255, 0, 0);
      for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) img.data[r * 4 + c] = 10 * r + c + 1;
      for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) img.data[32 + r * 2 + c] = 60 + 10 * r + c;
      const place = (x: number, y: number) =>
        run(k, { video: { kind: 'single', frame: FROM }, overlays: [{ image: img, x, y, opacity: 1 }] });

      // Top-left: only the overlay's bottom-right 2×2 lands on frame (0…1, 0…1).
      let want = FROM.slice();
      want[0] = 23;
      want[1] = 24;
      want[W] = 33;
      want[W + 1] = 34;
      want[Y_SIZE] = 71; // overlay chroma (1, 1)
      want[Y_SIZE + C_SIZE] = 0;
      assert.deepEqual(place(-2, -2), want);

      // Bottom-right: the overlay's top-left 2×2 lands on frame (14…15, 14…15).
      want = FROM.slice();
      want[14 * W + 14] = 1;
      want[14 * W + 15] = 2;
      want[15 * W + 14] = 11;
      want[15 * W + 15] = 12;
      want[Y_SIZE + 7 * 8 + 7] = 60;
      want[Y_SIZE + C_SIZE + 7 * 8 + 7] = 0;
      assert.deepEqual(place(14, 14), want);

      // Right edge, full height: columns 0…1 of the overlay at frame x 14…15, rows 6…9.
      want = FROM.slice();
      for (let r = 0; r < 4; r++) {
        want[(6 + r) * W + 14] = 10 * r + 1;
        want[(6 + r) * W + 15] = 10 * r + 2;
      }
      for (let r = 0; r < 2; r++) {
        want[Y_SIZE + (3 + r) * 8 + 7] = 60 + 10 * r;
        want[Y_SIZE + C_SIZE + (3 + r) * 8 + 7] = 0;
      }
      assert.deepEqual(place(14, 6), want);

      for (const [x, y] of [
        [16, 0],
        [0, 16],
        [-4, 0],
        [0, -4],
        [-100, 100],
      ] as const) {
        assert.deepEqual(place(x, y), FROM, `overlay at (${x}, ${y})`);
      }
    });

    it('overlays stack bottom first; opacity 0 is skipped; odd positions round down to even', () => {
      const bottom = { image: image(4, 4, 235, 255, 128, 128), x: 0, y: 0, opacity: 1 };
      const top = { image: image(4, 4, 16, 255, 128, 128), x: 0, y: 0, opacity: 0.5 };
      // top over bottom, α 129: Y (235·127 + 16·129 + 128) >> 8 = 125
      let want = FROM.slice();
      rect(want, 0, 0, 4, 4, 125, 128, 128);
      assert.deepEqual(run(k, { video: { kind: 'single', frame: FROM }, overlays: [bottom, top] }), want);
      // The other order: the opaque one on top wins.
      want = FROM.slice();
      rect(want, 0, 0, 4, 4, 235, 128, 128);
      assert.deepEqual(run(k, { video: { kind: 'single', frame: FROM }, overlays: [top, bottom] }), want);
      // Opacity 0 (and a tiny one that rounds to 0) leave the frame alone.
      assert.deepEqual(
        run(k, {
          video: { kind: 'single', frame: FROM },
          overlays: [
            { ...bottom, opacity: 0 },
            { ...bottom, opacity: 0.001 },
          ],
        }),
        FROM,
      );
      // (3, 5) is placed at (2, 4).
      want = FROM.slice();
      rect(want, 2, 4, 6, 8, 235, 128, 128);
      assert.deepEqual(
        run(k, { video: { kind: 'single', frame: FROM }, overlays: [{ ...bottom, x: 3, y: 5 }] }),
        want,
      );
    });

    it('the target may be one of the sources', () => {
      const data = FROM.slice();
      composite(
        { width: W, height: H, data },
        { video: { kind: 'dissolve', from: data, to: TO, progress: 0.5 }, overlays: [] },
        k,
      );
      assert.deepEqual(data, solid(150, 100, 100));
      composite({ width: W, height: H, data }, { video: { kind: 'single', frame: data }, overlays: [] }, k);
      assert.deepEqual(data, solid(150, 100, 100));
    });

    it('rejects frames of the wrong size', () => {
      const small = new Uint8Array(6 * 4 * 4);
      assert.throws(() => run(k, { video: { kind: 'single', frame: small }, overlays: [] }), RangeError);
      assert.throws(
        () => composite({ width: W, height: H, data: small }, { video: { kind: 'black' }, overlays: [] }, k),
        RangeError,
      );
    });
  });
}
