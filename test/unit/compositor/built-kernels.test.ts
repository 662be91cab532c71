// The compiled runtime reads the kernels from the .wasm file the build writes (no wabt at run
// time). Kernels loaded from such a file give the reference kernels' bytes, and a missing or
// broken file is refused with a message that says what to do (pickKernels then falls back).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickKernels } from '../../../src/engine/compositor/index.ts';
import { buildChromaAlpha, frameSize, yuvaSize } from '../../../src/engine/compositor/layout.ts';
import { createReferenceKernels } from '../../../src/engine/compositor/reference.ts';
import {
  createWasmKernels,
  KERNELS_WASM_FILE,
  type WasmKernels,
} from '../../../src/engine/compositor/wasm.ts';
import { compileKernelsWat } from '../../../src/engine/compositor/wat-compile.ts';
import { firstDiff, int, randomize, rng } from './helpers.ts';

const ref = createReferenceKernels();
let dir: string;
let builtFile: string;
let built: WasmKernels;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vistter-kernels-'));
  builtFile = join(dir, KERNELS_WASM_FILE);
  writeFileSync(builtFile, await compileKernelsWat());
  built = await createWasmKernels({ capacityBytes: 8 * 1024 * 1024, wasmFile: builtFile });
});

after(() => rmSync(dir, { recursive: true, force: true }));

function same(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const i = firstDiff(actual, expected);
  assert.equal(i, -1, `${what}: first difference at byte ${i}: got ${actual[i]}, want ${expected[i]}`);
}

describe('kernels loaded from the built .wasm file', () => {
  it('are the WASM SIMD kernels', () => {
    assert.equal(built.name, 'wasm-simd');
  });

  it('crossfade and fade to black give the reference bytes (lengths around multiples of 16)', () => {
    const rand = rng(7);
    for (const [w, h] of [
      [2, 2],
      [18, 10],
      [34, 34],
      [320, 180],
    ] as const) {
      const n = frameSize(w, h);
      for (const weight of [0, 1, 128, 255, 256, int(rand, 0, 256)]) {
        const a = randomize(new Uint8Array(n), rand);
        const b = randomize(new Uint8Array(n), rand);
        const want = new Uint8Array(n);
        const got = built.allocFrame(w, h);
        ref.crossfade(want, a, b, weight);
        built.crossfade(got, a, b, weight);
        same(got, want, `crossfade ${w}x${h} w=${weight}`);
        ref.fadeToBlack(want, a, weight);
        built.fadeToBlack(got, a, weight);
        same(got, want, `fadeToBlack ${w}x${h} w=${weight}`);
        built.free(got);
      }
    }
  });

  it('blending an overlay, clipped at the frame edge, gives the reference bytes', () => {
    const rand = rng(11);
    const [fw, fh, ow, oh] = [64, 36, 22, 14];
    for (const [x, y] of [
      [0, 0],
      [10, 8],
      [52, 28],
      [-8, -6],
    ] as const) {
      for (const opacity of [0, 77, 256]) {
        const frame = randomize(new Uint8Array(frameSize(fw, fh)), rand);
        const overlay = randomize(new Uint8Array(yuvaSize(ow, oh)), rand);
        buildChromaAlpha(overlay, ow, oh);
        const want = Uint8Array.from(frame);
        const got = Uint8Array.from(frame);
        ref.blendOverlay(want, fw, fh, overlay, ow, oh, x, y, opacity);
        built.blendOverlay(got, fw, fh, overlay, ow, oh, x, y, opacity);
        same(got, want, `blendOverlay at ${x},${y} opacity ${opacity}`);
      }
    }
  });

  it('a missing file is refused with what to do, and pickKernels falls back to the reference', async () => {
    const missing = join(dir, 'absent', KERNELS_WASM_FILE);
    await assert.rejects(createWasmKernels({ wasmFile: missing }), (err: Error) => {
      assert.match(err.message, /kernel binary .*absent.* is missing: build the appliance \(npm run build\)/);
      return true;
    });
    const heard: unknown[] = [];
    const kernels = await pickKernels({ wasmFile: missing, onFallback: (err) => heard.push(err) });
    assert.equal(kernels.name, 'reference');
    assert.equal(heard.length, 1);
  });

  it('a file that is not a WASM module is refused', async () => {
    const broken = join(dir, 'broken.wasm');
    writeFileSync(broken, 'not a module');
    await assert.rejects(createWasmKernels({ wasmFile: broken }));
  });
});
