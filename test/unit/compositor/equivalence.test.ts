// The WASM SIMD kernels must produce exactly the reference kernels' bytes: many random inputs,
// lengths around every multiple of 16, clipped overlays, and both buffer kinds (WASM-owned, passed
// in place, and foreign Uint8Arrays, staged by copy).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceKernels } from '../../../src/engine/compositor/reference.ts';
import { createWasmKernels, type WasmKernels } from '../../../src/engine/compositor/wasm.ts';
import { buildChromaAlpha, frameSize, yuvaSize } from '../../../src/engine/compositor/layout.ts';
import { firstDiff, int, randomize, rng } from './helpers.ts';

const ref = createReferenceKernels();
let wasm: WasmKernels;

before(async () => {
  wasm = await createWasmKernels({ capacityBytes: 64 * 1024 * 1024 });
});

after(() => {
  assert.equal(wasm.allocatedBytes() >= 0, true);
});

const WEIGHTS = [0, 1, 2, 127, 128, 129, 254, 255, 256];

/** A WASM-owned copy of buf. */
function owned(buf: Uint8Array): Uint8Array {
  const v = wasm.alloc(buf.length);
  v.set(buf);
  return v;
}

function same(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const i = firstDiff(actual, expected);
  assert.equal(i, -1, `${what}: first difference at byte ${i}: got ${actual[i]}, want ${expected[i]}`);
}

// Even frame sizes whose planes are not multiples of 16 (and some that are).
const FRAME_SIZES: [number, number][] = [
  [2, 2],
  [4, 2],
  [2, 6],
  [6, 4],
  [8, 8],
  [10, 6],
  [16, 16],
  [18, 10],
  [30, 2],
  [32, 18],
  [34, 34],
  [46, 22],
  [64, 36],
  [98, 50],
  [320, 180],
];

describe('WASM SIMD kernels = reference kernels, byte for byte', () => {
  it('crossfade: every length 1…100 and frame sizes, all edge weights and random ones', () => {
    const rand = rng(1);
    const lengths = [
      ...Array.from({ length: 100 }, (_, i) => i + 1),
      ...FRAME_SIZES.map(([w, h]) => frameSize(w, h)),
    ];
    for (const n of lengths) {
      const weights = [...WEIGHTS, int(rand, 0, 256), int(rand, 0, 256)];
      for (const w of weights) {
        const a = randomize(new Uint8Array(n), rand);
        const b = randomize(new Uint8Array(n), rand);
        const want = new Uint8Array(n);
        ref.crossfade(want, a, b, w);
        // In place, WASM-owned.
        const oa = owned(a);
        const ob = owned(b);
        const oo = wasm.alloc(n);
        wasm.crossfade(oo, oa, ob, w);
        same(oo, want, `crossfade n=${n} w=${w} (owned)`);
        // Foreign buffers (staged).
        const fo = new Uint8Array(n);
        wasm.crossfade(fo, a, b, w);
        same(fo, want, `crossfade n=${n} w=${w} (foreign)`);
        // out aliasing an input, both kinds.
        wasm.crossfade(oa, oa, ob, w);
        same(oa, want, `crossfade n=${n} w=${w} (out = a, owned)`);
        const fb = b.slice();
        wasm.crossfade(fb, a, fb, w);
        same(fb, want, `crossfade n=${n} w=${w} (out = b, foreign)`);
        wasm.free(oa);
        wasm.free(ob);
        wasm.free(oo);
      }
    }
  });

  it('crossfade on a subarray view at an odd offset inside WASM memory', () => {
    const rand = rng(2);
    const block = wasm.alloc(200);
    randomize(block, rand);
    const a = block.subarray(1, 60);
    const b = block.subarray(61, 120);
    const out = block.subarray(121, 180);
    const want = new Uint8Array(59);
    ref.crossfade(want, a, b, 77);
    wasm.crossfade(out, a, b, 77);
    same(out, want, 'crossfade unaligned');
    wasm.free(block);
  });

  it('fadeToBlack and fadeThroughBlack: frame sizes, all edge weights, random progress', () => {
    const rand = rng(3);
    for (const [fw, fh] of FRAME_SIZES) {
      const n = frameSize(fw, fh);
      for (const w of [...WEIGHTS, int(rand, 0, 256)]) {
        const src = randomize(new Uint8Array(n), rand);
        const want = new Uint8Array(n);
        ref.fadeToBlack(want, src, w);
        const os = owned(src);
        const oo = wasm.alloc(n);
        wasm.fadeToBlack(oo, os, w);
        same(oo, want, `fadeToBlack ${fw}x${fh} w=${w} (owned)`);
        const fo = new Uint8Array(n);
        wasm.fadeToBlack(fo, src, w);
        same(fo, want, `fadeToBlack ${fw}x${fh} w=${w} (foreign)`);
        wasm.fadeToBlack(os, os, w);
        same(os, want, `fadeToBlack ${fw}x${fh} w=${w} (in place)`);
        wasm.free(os);
        wasm.free(oo);
      }
      for (const p of [0, 0.001, 0.25, 0.499, 0.5, 0.501, 0.75, 0.999, 1, rand(), rand()]) {
        const from = randomize(new Uint8Array(n), rand);
        const to = randomize(new Uint8Array(n), rand);
        const want = new Uint8Array(n);
        ref.fadeThroughBlack(want, from, to, p);
        const got = wasm.alloc(n);
        const of = owned(from);
        const ot = owned(to);
        wasm.fadeThroughBlack(got, of, ot, p);
        same(got, want, `fadeThroughBlack ${fw}x${fh} p=${p}`);
        wasm.free(got);
        wasm.free(of);
        wasm.free(ot);
      }
    }
  });

  it('blendOverlay: random frames, overlays, positions (clipped on every edge) and opacities', () => {
    const rand = rng(4);
    let cases = 0;
    for (let iter = 0; iter < 600; iter++) {
      const [fw, fh] = FRAME_SIZES[int(rand, 0, FRAME_SIZES.length - 1)]!;
      const ow = 2 * int(rand, 1, iter % 5 === 0 ? 60 : 24);
      const oh = 2 * int(rand, 1, 20);
      // Positions from well off the top-left to well off the bottom-right, always even.
      const x = 2 * int(rand, Math.floor(-ow / 2) - 2, fw / 2 + 2);
      const y = 2 * int(rand, Math.floor(-oh / 2) - 2, fh / 2 + 2);
      const opacity = rand() < 0.5 ? WEIGHTS[int(rand, 0, WEIGHTS.length - 1)]! : int(rand, 0, 256);
      const frame = randomize(new Uint8Array(frameSize(fw, fh)), rand);
      const yuva = randomize(new Uint8Array(yuvaSize(ow, oh)), rand);
      buildChromaAlpha(yuva, ow, oh);
      const want = frame.slice();
      ref.blendOverlay(want, fw, fh, yuva, ow, oh, x, y, opacity);
      const of = owned(frame);
      const oy = owned(yuva);
      wasm.blendOverlay(of, fw, fh, oy, ow, oh, x, y, opacity);
      const what = `blendOverlay frame ${fw}x${fh} overlay ${ow}x${oh} at (${x},${y}) op=${opacity}`;
      same(of, want, `${what} (owned)`);
      const ff = frame.slice();
      wasm.blendOverlay(ff, fw, fh, yuva, ow, oh, x, y, opacity);
      same(ff, want, `${what} (foreign)`);
      wasm.free(of);
      wasm.free(oy);
      cases++;
    }
    assert.equal(cases, 600);
  });

  it('blendOverlay touches only the covered rectangle', () => {
    const rand = rng(5);
    const fw = 34;
    const fh = 18;
    const ow = 22;
    const oh = 10;
    const frame = randomize(new Uint8Array(frameSize(fw, fh)), rand);
    const yuva = randomize(new Uint8Array(yuvaSize(ow, oh)), rand);
    yuva.fill(255, ow * oh, 2 * ow * oh); // opaque luma alpha
    buildChromaAlpha(yuva, ow, oh);
    for (const k of [ref, wasm]) {
      const f = frame.slice();
      k.blendOverlay(f, fw, fh, yuva, ow, oh, 20, -4, 256); // clipped right and top: covers x 20…33, y 0…5
      for (let r = 0; r < fh; r++) {
        for (let c = 0; c < fw; c++) {
          const i = r * fw + c;
          const inside = c >= 20 && r < 6;
          const want = inside ? yuva[(r + 4) * ow + (c - 20)]! : frame[i]!;
          assert.equal(f[i], want, `${k.name} Y at (${c},${r})`);
        }
      }
      const cw = fw / 2;
      for (const [plane, oplane] of [
        [fw * fh, 2 * ow * oh],
        [fw * fh * 1.25, 2 * ow * oh + (ow * oh) / 4],
      ] as const) {
        for (let r = 0; r < fh / 2; r++) {
          for (let c = 0; c < cw; c++) {
            const i = plane + r * cw + c;
            const inside = c >= 10 && r < 3;
            const want = inside ? yuva[oplane + (r + 2) * (ow / 2) + (c - 10)]! : frame[i]!;
            assert.equal(f[i], want, `${k.name} chroma at plane ${plane} (${c},${r})`);
          }
        }
      }
    }
  });

  it('fill and copy', () => {
    const rand = rng(6);
    for (const [fw, fh] of FRAME_SIZES) {
      const n = frameSize(fw, fh);
      const y = int(rand, 0, 255);
      const u = int(rand, 0, 255);
      const v = int(rand, 0, 255);
      const want = new Uint8Array(n);
      ref.fill(want, y, u, v);
      const o = wasm.allocFrame(fw, fh);
      randomize(o, rand);
      wasm.fill(o, y, u, v);
      same(o, want, `fill ${fw}x${fh} (owned)`);
      const f = randomize(new Uint8Array(n), rand);
      wasm.fill(f, y, u, v);
      same(f, want, `fill ${fw}x${fh} (foreign)`);
      const src = randomize(new Uint8Array(n), rand);
      const os = owned(src);
      wasm.copy(o, os);
      same(o, src, `copy ${fw}x${fh} (owned)`);
      const fd = new Uint8Array(n);
      wasm.copy(fd, os);
      same(fd, src, `copy ${fw}x${fh} (to foreign)`);
      wasm.free(o);
      wasm.free(os);
    }
  });

  it('a full 1920x1080 frame: crossfade, fade and three overlays', () => {
    const rand = rng(7);
    const fw = 1920;
    const fh = 1080;
    const a = randomize(wasm.allocFrame(fw, fh), rand);
    const b = randomize(wasm.allocFrame(fw, fh), rand);
    const out = wasm.allocFrame(fw, fh);
    const want = new Uint8Array(out.length);
    ref.crossfade(want, a, b, 93);
    wasm.crossfade(out, a, b, 93);
    same(out, want, 'crossfade 1080p');
    ref.fadeThroughBlack(want, a, b, 0.3);
    wasm.fadeThroughBlack(out, a, b, 0.3);
    same(out, want, 'fadeThroughBlack 1080p');
    for (const [ow, oh, x, y] of [
      [600, 120, 100, 900],
      [200, 200, 1700, 20],
      [400, 80, 1600, 1040],
    ] as const) {
      const img = randomize(wasm.allocYuva(ow, oh), rand);
      buildChromaAlpha(img, ow, oh);
      ref.blendOverlay(want, fw, fh, img, ow, oh, x, y, 200);
      wasm.blendOverlay(out, fw, fh, img, ow, oh, x, y, 200);
      same(out, want, `overlay ${ow}x${oh} 1080p`);
      wasm.free(img);
    }
    wasm.free(a);
    wasm.free(b);
    wasm.free(out);
  });
});
