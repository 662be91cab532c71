// The formulas, layouts, argument checks and the WASM memory pool.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  alphaWeight,
  buildChromaAlpha,
  frameSize,
  mix,
  toWeight256,
  yuvaLayout,
  yuvaSize,
} from '../../../src/engine/compositor/layout.ts';
import { fadeThroughBlackStep } from '../../../src/engine/compositor/kernels.ts';
import { createReferenceKernels } from '../../../src/engine/compositor/reference.ts';
import { createWasmKernels } from '../../../src/engine/compositor/wasm.ts';
import { pickKernels } from '../../../src/engine/compositor/index.ts';

describe('formulas', () => {
  it('mix is exact at the ends and rounds half up in between', () => {
    for (let p = 0; p < 256; p += 17) {
      for (let q = 0; q < 256; q += 15) {
        assert.equal(mix(p, q, 0), p);
        assert.equal(mix(p, q, 256), q);
      }
    }
    assert.equal(mix(0, 255, 128), 128); // 32768 >> 8
    assert.equal(mix(0, 1, 128), 1); // (128 + 128) >> 8: 0.5 rounds up
    assert.equal(mix(255, 255, 77), 255);
    assert.equal(mix(0, 0, 200), 0);
  });

  it('the largest intermediate fits in 16 unsigned bits (what the SIMD lanes rely on)', () => {
    let max = 0;
    for (let w = 0; w <= 256; w++) max = Math.max(max, 255 * (256 - w) + 255 * w + 128);
    assert.equal(max, 65408);
    assert.ok(max < 65536);
  });

  it('alphaWeight maps alpha 255 at full opacity to 256, 0 to 0, and is monotonic', () => {
    assert.equal(alphaWeight(255, 256), 256);
    assert.equal(alphaWeight(0, 256), 0);
    assert.equal(alphaWeight(255, 0), 0);
    assert.equal(alphaWeight(128, 256), 129);
    assert.equal(alphaWeight(127, 256), 127);
    assert.equal(alphaWeight(255, 128), 129);
    for (let op = 0; op <= 256; op += 32) {
      let prev = -1;
      for (let a = 0; a < 256; a++) {
        const w = alphaWeight(a, op);
        assert.ok(w >= prev && w <= 256);
        prev = w;
      }
    }
  });

  it('toWeight256 rounds halves up and clamps', () => {
    assert.equal(toWeight256(0), 0);
    assert.equal(toWeight256(1), 256);
    assert.equal(toWeight256(0.5), 128);
    assert.equal(toWeight256(1 / 512), 1); // 0.5 → 1
    assert.equal(toWeight256(0.0019), 0);
    assert.equal(toWeight256(-1), 0);
    assert.equal(toWeight256(2), 256);
    assert.equal(toWeight256(Number.NaN), 0);
  });

  it('fadeThroughBlackStep: from out in the first half, to in over the second', () => {
    assert.deepEqual(fadeThroughBlackStep(0), { useTo: false, weight: 0 });
    assert.deepEqual(fadeThroughBlackStep(0.25), { useTo: false, weight: 128 });
    assert.deepEqual(fadeThroughBlackStep(0.5), { useTo: false, weight: 256 });
    assert.deepEqual(fadeThroughBlackStep(0.75), { useTo: true, weight: 128 });
    assert.deepEqual(fadeThroughBlackStep(1), { useTo: true, weight: 0 });
    assert.deepEqual(fadeThroughBlackStep(5), { useTo: true, weight: 0 });
  });
});

describe('layouts', () => {
  it('frame and YUVA sizes and offsets', () => {
    assert.equal(frameSize(16, 16), 384);
    assert.equal(frameSize(1920, 1080), 3110400);
    assert.deepEqual(yuvaLayout(4, 2), { a: 8, u: 16, v: 18, ca: 20, size: 22 });
    assert.equal(yuvaSize(600, 120), 600 * 120 * 2 + 3 * 300 * 60);
    assert.throws(() => frameSize(15, 16), RangeError);
    assert.throws(() => yuvaSize(4, 3), RangeError);
    assert.throws(() => frameSize(0, 2), RangeError);
  });

  it('buildChromaAlpha averages each 2×2 block of luma alpha, rounding half up', () => {
    // 4×2 image: A rows [0, 255, 10, 11] and [1, 2, 12, 13].
    const lay = yuvaLayout(4, 2);
    const img = new Uint8Array(lay.size);
    img.set([0, 255, 10, 11, 1, 2, 12, 13], lay.a);
    buildChromaAlpha(img, 4, 2);
    // (0 + 255 + 1 + 2 + 2) >> 2 = 65; (10 + 11 + 12 + 13 + 2) >> 2 = 12
    assert.deepEqual([...img.subarray(lay.ca)], [65, 12]);
    assert.throws(() => buildChromaAlpha(new Uint8Array(10), 4, 2), RangeError);
  });
});

describe('argument checks (both implementations)', async () => {
  const all = [createReferenceKernels(), await createWasmKernels({ capacityBytes: 1 << 20 })];
  for (const k of all) {
    it(`${k.name}: rejects bad weights, lengths, positions and colours`, () => {
      const f = new Uint8Array(frameSize(4, 4));
      const g = new Uint8Array(frameSize(4, 4));
      const img = new Uint8Array(yuvaSize(2, 2));
      assert.throws(() => k.crossfade(f, f, g, 257), RangeError);
      assert.throws(() => k.crossfade(f, f, g, 1.5), RangeError);
      assert.throws(() => k.crossfade(f, f, new Uint8Array(3), 1), RangeError);
      assert.throws(() => k.fadeToBlack(new Uint8Array(7), new Uint8Array(7), 1), RangeError);
      assert.throws(() => k.fadeToBlack(f, g, -1), RangeError);
      assert.throws(() => k.blendOverlay(f, 4, 4, img, 2, 2, 1, 0, 256), RangeError);
      assert.throws(() => k.blendOverlay(f, 4, 4, img, 2, 2, 0, 0, 300), RangeError);
      assert.throws(() => k.blendOverlay(f, 4, 6, img, 2, 2, 0, 0, 256), RangeError);
      assert.throws(() => k.blendOverlay(f, 4, 4, img.subarray(1), 2, 2, 0, 0, 256), RangeError);
      assert.throws(() => k.fill(f, 256, 0, 0), RangeError);
      assert.throws(() => k.copy(f, new Uint8Array(5)), RangeError);
    });
  }
});

describe('WASM memory pool', () => {
  it('hands out zeroed, aligned views of its memory and reuses freed space', async () => {
    const k = await createWasmKernels({ capacityBytes: 1 << 20 });
    assert.equal(k.capacityBytes, 1 << 20);
    const a = k.allocFrame(64, 36);
    assert.equal(a.length, frameSize(64, 36));
    assert.ok(k.owns(a));
    assert.equal(a.byteOffset % 64, 0);
    assert.ok(a.every((v) => v === 0));
    a.fill(7);
    const b = k.allocYuva(10, 10);
    assert.equal(b.length, yuvaSize(10, 10));
    assert.ok(b.byteOffset >= a.byteOffset + a.length);
    const offA = a.byteOffset;
    k.free(a);
    const c = k.alloc(100);
    assert.equal(c.byteOffset, offA); // first fit reuses the freed block
    assert.ok(c.every((v) => v === 0)); // and zeroes it
    assert.ok(!k.owns(new Uint8Array(4)));
    k.free(new Uint8Array(4)); // a foreign buffer: ignored
    k.free(c);
    assert.throws(() => k.free(c), /not a live allocation/);
    k.free(b);
    assert.equal(k.allocatedBytes(), 0);
  });

  it('coalesces freed blocks so a large allocation fits again', async () => {
    const k = await createWasmKernels({ capacityBytes: 1 << 20 });
    const blocks = Array.from({ length: 8 }, () => k.alloc(100_000));
    assert.throws(() => k.alloc(300_000), /memory full/);
    // Free in an order that needs coalescing on both sides.
    for (const i of [1, 3, 2, 5, 4, 0, 7, 6]) k.free(blocks[i]!);
    const big = k.alloc(1_000_000);
    assert.equal(big.length, 1_000_000);
    // Views handed out earlier stay attached: the memory never grows.
    assert.equal(blocks[0]!.length, 100_000);
  });

  it('a foreign buffer that does not fit in staging throws and leaves the pool usable', async () => {
    const k = await createWasmKernels({ capacityBytes: 1 << 20 });
    const n = frameSize(720, 400); // 432000: two fit in 1 MiB, the third does not
    const a = new Uint8Array(n);
    const b = new Uint8Array(n);
    const out = new Uint8Array(n);
    assert.throws(() => k.crossfade(out, a, b, 10), /memory full/);
    assert.equal(k.allocatedBytes(), 0); // the staging space went back to the pool
    const small = new Uint8Array(frameSize(16, 16)).fill(200);
    const o = new Uint8Array(small.length);
    k.crossfade(o, small, small, 100);
    assert.ok(o.every((v) => v === 200));
  });
});

describe('pickKernels', () => {
  it('picks WASM SIMD on this Node', async () => {
    const k = await pickKernels({ capacityBytes: 1 << 20 });
    assert.equal(k.name, 'wasm-simd');
  });
});
