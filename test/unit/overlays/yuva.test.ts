import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  matrixForHeight,
  rgbaToYuva,
  yuvaBytes,
  yuvaPlanes,
  yuvaToRgba,
  yuvCoefficients,
  type YuvMatrix,
} from '../../../src/engine/overlays/yuva.ts';
import { renderOverlay } from '../../../src/engine/overlays/render.ts';
import {
  buildChromaAlpha,
  composite,
  createReferenceKernels,
  yuvaLayout,
} from '../../../src/engine/compositor/index.ts';
import { overlay } from './helpers.ts';

const MATRICES: YuvMatrix[] = ['bt709', 'bt601'];

/** A w × h image filled with one RGBA colour. */
function solid(w: number, h: number, rgba: [number, number, number, number]): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) out.set(rgba, i * 4);
  return out;
}

function planesOf(rgba: Uint8Array, w: number, h: number, m: YuvMatrix) {
  const p = rgbaToYuva(rgba, w, h, m);
  return { y: [...p.y], u: [...p.u], v: [...p.v], a: [...p.a], ca: [...p.ca] };
}

describe('rgbaToYuva: exact bytes', () => {
  it('picks BT.709 for ≥ 720 lines and BT.601 below', () => {
    assert.equal(matrixForHeight(1080), 'bt709');
    assert.equal(matrixForHeight(720), 'bt709');
    assert.equal(matrixForHeight(576), 'bt601');
    assert.equal(matrixForHeight(180), 'bt601');
  });

  it('coefficient rows sum exactly (219/255 for luma, 0 for chroma)', () => {
    for (const m of MATRICES) {
      const c = yuvCoefficients(m);
      assert.equal(c.yr + c.yg + c.yb, Math.round((219 / 255) * 65536));
      assert.equal(c.ur + c.ug + c.ub, 0);
      assert.equal(c.vr + c.vg + c.vb, 0);
    }
  });

  it('opaque white and black are limited-range 235/16 with neutral chroma', () => {
    for (const m of MATRICES) {
      assert.deepEqual(planesOf(solid(2, 2, [255, 255, 255, 255]), 2, 2, m), {
        y: [235, 235, 235, 235],
        u: [128],
        v: [128],
        a: [255, 255, 255, 255],
        ca: [255],
      });
      assert.deepEqual(planesOf(solid(2, 2, [0, 0, 0, 255]), 2, 2, m), {
        y: [16, 16, 16, 16],
        u: [128],
        v: [128],
        a: [255, 255, 255, 255],
        ca: [255],
      });
    }
  });

  it('50 % alpha red keeps the straight colour and alpha 128', () => {
    // Standard 8-bit values for red: BT.709 (63, 102, 240), BT.601 (81, 90, 240).
    assert.deepEqual(planesOf(solid(2, 2, [255, 0, 0, 128]), 2, 2, 'bt709'), {
      y: [63, 63, 63, 63],
      u: [102],
      v: [240],
      a: [128, 128, 128, 128],
      ca: [128],
    });
    assert.deepEqual(planesOf(solid(2, 2, [255, 0, 0, 128]), 2, 2, 'bt601'), {
      y: [81, 81, 81, 81],
      u: [90],
      v: [240],
      a: [128, 128, 128, 128],
      ca: [128],
    });
  });

  it('primaries match the standard 8-bit tables', () => {
    const expect: Record<YuvMatrix, Record<string, [number, number, number]>> = {
      bt709: { green: [173, 42, 26], blue: [32, 240, 118] },
      bt601: { green: [145, 54, 34], blue: [41, 240, 110] },
    };
    for (const m of MATRICES) {
      const g = planesOf(solid(2, 2, [0, 255, 0, 255]), 2, 2, m);
      const b = planesOf(solid(2, 2, [0, 0, 255, 255]), 2, 2, m);
      assert.deepEqual([g.y[0], g.u[0], g.v[0]], expect[m].green, `${m} green`);
      assert.deepEqual([b.y[0], b.u[0], b.v[0]], expect[m].blue, `${m} blue`);
    }
  });

  it('every grey has exactly neutral chroma and a monotonic luma from 16 to 235', () => {
    for (const m of MATRICES) {
      const rgba = new Uint8Array(512 * 2 * 4);
      for (let v = 0; v < 256; v++) {
        for (const [col, row] of [
          [2 * v, 0],
          [2 * v + 1, 0],
          [2 * v, 1],
          [2 * v + 1, 1],
        ] as const) {
          rgba.set([v, v, v, 255], (row * 512 + col) * 4);
        }
      }
      const p = rgbaToYuva(rgba, 512, 2, m);
      assert.ok(p.u.every((c) => c === 128) && p.v.every((c) => c === 128), `${m} neutral chroma`);
      assert.equal(p.y[0], 16);
      assert.equal(p.y[511], 235);
      for (let v = 1; v < 256; v++) assert.ok(p.y[2 * v]! >= p.y[2 * v - 2]!, `${m} monotonic at ${v}`);
    }
  });

  it('chroma of a 2×2 block is weighted by alpha (premultiplied average)', () => {
    // One opaque red pixel, three fully transparent "black" ones (as canvas leaves them).
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(planesOf(rgba, 2, 2, 'bt601'), {
      y: [81, 16, 16, 16],
      u: [90],
      v: [240],
      a: [255, 0, 0, 0],
      ca: [64],
    });

    // Opaque red next to 50 % blue: red weighs twice as much as blue.
    const mixed = new Uint8Array([255, 0, 0, 255, 0, 0, 255, 128, 255, 0, 0, 255, 0, 0, 255, 128]);
    const p = planesOf(mixed, 2, 2, 'bt601');
    const c = yuvCoefficients('bt601');
    // Cb of red ≈ −37.8 and of blue = +112 (×255/65536 in fixed point); weights 2·255 and 2·128.
    const redU = (c.ur * 255) / 65536;
    const blueU = (c.ub * 255) / 65536;
    const expectU = 128 + Math.round((2 * 255 * redU + 2 * 128 * blueU) / (2 * 255 + 2 * 128));
    assert.equal(expectU, 140);
    assert.equal(p.u[0], expectU);
    // A plain (unweighted) average would give 128 + round((−37.8 + 112) / 2) = 165.
    assert.notEqual(p.u[0], 165);
    assert.equal(p.ca[0], (255 + 128 + 255 + 128 + 2) >> 2);

    // All transparent: neutral chroma, alpha 0.
    assert.deepEqual(planesOf(new Uint8Array(16), 2, 2, 'bt709'), {
      y: [16, 16, 16, 16],
      u: [128],
      v: [128],
      a: [0, 0, 0, 0],
      ca: [0],
    });
  });

  it('rejects odd sizes and wrong lengths', () => {
    assert.throws(() => rgbaToYuva(new Uint8Array(3 * 2 * 4), 3, 2, 'bt601'), /even/);
    assert.throws(() => rgbaToYuva(new Uint8Array(10), 2, 2, 'bt601'), /RGBA bytes/);
  });
});

describe('rgbaToYuva: layout and round trip', () => {
  it('writes the compositor layout (Y, A, U, V, Ac) into one buffer, or into a given one', () => {
    const w = 6;
    const h = 4;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++)
      rgba.set([(i * 37) % 256, (i * 91) % 256, (i * 53) % 256, (i * 29) % 256], i * 4);
    const out = new Uint8Array(yuvaBytes(w, h) + 8);
    const p = rgbaToYuva(rgba, w, h, 'bt601', out);
    const lay = yuvaLayout(w, h);
    assert.equal(yuvaBytes(w, h), lay.size);
    assert.equal(p.data.buffer, out.buffer);
    assert.equal(p.data.length, lay.size);
    assert.equal(p.a.byteOffset, lay.a);
    assert.equal(p.u.byteOffset, lay.u);
    assert.equal(p.v.byteOffset, lay.v);
    assert.equal(p.ca.byteOffset, lay.ca);
    // Our chroma alpha is exactly what the compositor would build from A.
    const copy = p.data.slice();
    buildChromaAlpha(copy, w, h);
    assert.deepEqual(copy, p.data);
    assert.deepEqual(yuvaPlanes(p.data, w, h).ca, p.ca);
  });

  it('opaque colours survive a round trip within 2 levels', () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 256;
    for (const m of MATRICES) {
      const w = 32;
      const h = 32;
      const rgba = new Uint8Array(w * h * 4);
      // Colour constant over each 2×2 block, so 4:2:0 subsampling loses nothing.
      for (let by = 0; by < h; by += 2) {
        for (let bx = 0; bx < w; bx += 2) {
          const colour = [rand(), rand(), rand(), 255];
          for (const [dx, dy] of [
            [0, 0],
            [1, 0],
            [0, 1],
            [1, 1],
          ] as const) {
            rgba.set(colour, ((by + dy) * w + bx + dx) * 4);
          }
        }
      }
      const back = yuvaToRgba(rgbaToYuva(rgba, w, h, m), w, h, m);
      let worst = 0;
      for (let i = 0; i < rgba.length; i++) worst = Math.max(worst, Math.abs(back[i]! - rgba[i]!));
      assert.ok(worst <= 2, `${m}: worst error ${worst}`);
    }
  });

  it('a rendered overlay composites onto a frame with the expected colour', async () => {
    const W = 320;
    const H = 180;
    const rendered = await renderOverlay(
      overlay({ type: 'text', text: 'ON AIR', background: '#FF0000', color: '#FFFFFF', font_size: 20 }),
      { programWidth: W, programHeight: H, loadImage: async () => Buffer.alloc(0) },
    );
    const m = matrixForHeight(H);
    const planes = rgbaToYuva(rendered.rgba, rendered.width, rendered.height, m);
    const k = createReferenceKernels();
    const frame = { width: W, height: H, data: k.allocFrame(W, H) };
    composite(
      frame,
      {
        video: { kind: 'black' },
        overlays: [
          {
            image: { width: rendered.width, height: rendered.height, data: planes.data },
            x: rendered.left,
            y: rendered.top,
            opacity: 1,
          },
        ],
      },
      k,
    );
    // Inside the box's left padding: BT.601 red (81, 90, 240); outside: black (16, 128, 128).
    const px = rendered.left + 4;
    const py = rendered.top + rendered.height / 2;
    const yAt = (x: number, y: number) => frame.data[y * W + x];
    const uAt = (x: number, y: number) => frame.data[W * H + (y >> 1) * (W / 2) + (x >> 1)];
    const vAt = (x: number, y: number) => frame.data[W * H + (W * H) / 4 + (y >> 1) * (W / 2) + (x >> 1)];
    assert.deepEqual([yAt(px, py), uAt(px, py), vAt(px, py)], [81, 90, 240]);
    assert.deepEqual([yAt(2, 2), uAt(2, 2), vAt(2, 2)], [16, 128, 128]);
  });
});
