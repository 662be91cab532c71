import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scaleOverlay } from '../../../src/engine/overlays/scale.ts';
import { yuvaBytes, yuvaPlanes, type YuvaImage } from '../../../src/engine/overlays/yuva.ts';

function image(
  width: number,
  height: number,
  left: number,
  top: number,
  fill: (p: ReturnType<typeof yuvaPlanes>) => void,
): YuvaImage {
  const data = new Uint8Array(yuvaBytes(width, height));
  const planes = yuvaPlanes(data, width, height);
  fill(planes);
  return { width, height, left, top, matrix: 'bt709', data, planes };
}

describe('overlays for a smaller program', () => {
  it('shrinks by area averaging and moves to the scaled, even position', () => {
    // Left half white and opaque, right half black and transparent.
    const source = image(12, 6, 30, 18, (p) => {
      for (let y = 0; y < 6; y++)
        for (let x = 0; x < 12; x++) {
          p.y[y * 12 + x] = x < 6 ? 235 : 16;
          p.a[y * 12 + x] = x < 6 ? 255 : 0;
        }
      p.u.fill(128);
      p.v.fill(128);
      for (let y = 0; y < 3; y++) for (let x = 0; x < 6; x++) p.ca[y * 6 + x] = x < 3 ? 255 : 0;
    });
    const half = scaleOverlay(source, 0.5)!;
    assert.equal(half.width, 6);
    assert.equal(half.height, 4); // 3 → the nearest even
    assert.equal(half.left, 16); // 15 → the nearest even
    assert.equal(half.top, 10);
    assert.equal(half.planes.y[0], 235);
    assert.equal(half.planes.a[0], 255);
    assert.equal(half.planes.y[5], 16);
    assert.equal(half.planes.a[5], 0);
    assert.equal(half.planes.u[0], 128);
  });

  it('keeps the image itself at factor 1', () => {
    const source = image(4, 4, 0, 0, () => undefined);
    assert.equal(scaleOverlay(source, 1), source);
  });
});
