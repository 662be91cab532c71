import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { fitInside, pictureToJpeg, pictureToRgba } from '../../../src/preview/picture-jpeg.ts';

/** A yuv420p picture: the left half pure red, the right half pure blue (BT.709 limited range). */
function redBlue(width: number, height: number) {
  const data = new Uint8Array((width * height * 3) / 2);
  const chromaWidth = width / 2;
  const u = width * height;
  const v = u + (chromaWidth * height) / 2;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = x < width / 2 ? 63 : 32;
  for (let y = 0; y < height / 2; y++)
    for (let x = 0; x < chromaWidth; x++) {
      const left = x < chromaWidth / 2;
      data[u + y * chromaWidth + x] = left ? 102 : 240;
      data[v + y * chromaWidth + x] = left ? 240 : 118;
    }
  return { width, height, data };
}

function pixel(rgba: Uint8ClampedArray, width: number, x: number, y: number): number[] {
  const at = (y * width + x) * 4;
  return [rgba[at]!, rgba[at + 1]!, rgba[at + 2]!];
}

describe('a program picture as a fixed-size still', () => {
  it('fits the picture inside the box with its aspect ratio, bars centred', () => {
    assert.deepEqual(fitInside({ width: 1920, height: 1080 }, { width: 640, height: 360 }), {
      width: 640,
      height: 360,
      x: 0,
      y: 0,
    });
    assert.deepEqual(fitInside({ width: 1920, height: 1080 }, { width: 640, height: 480 }), {
      width: 640,
      height: 360,
      x: 0,
      y: 60,
    });
  });

  it('keeps the colours and where they are, black in the bars', () => {
    const rgba = pictureToRgba(redBlue(320, 180), { width: 160, height: 120 });
    const [r1, g1, b1] = pixel(rgba, 160, 20, 60);
    assert.ok(r1! > 230 && g1! < 30 && b1! < 30, `left is red: ${r1},${g1},${b1}`);
    const [r2, g2, b2] = pixel(rgba, 160, 140, 60);
    assert.ok(b2! > 230 && r2! < 30 && g2! < 40, `right is blue: ${r2},${g2},${b2}`);
    assert.deepEqual(pixel(rgba, 160, 80, 5), [0, 0, 0], 'the bar above is black');
  });

  it('encodes a JPEG of exactly the asked size that decodes to the same picture', async () => {
    const jpeg = await pictureToJpeg(redBlue(640, 360), { width: 320, height: 180 }, 85);
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    const image = await loadImage(jpeg);
    assert.equal(image.width, 320);
    assert.equal(image.height, 180);
    const canvas = createCanvas(320, 180);
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const [r, , b] = context.getImageData(40, 90, 1, 1).data;
    assert.ok(r! > 200 && b! < 60, 'left still red after JPEG');
    await assert.rejects(pictureToJpeg(redBlue(64, 36), { width: 0, height: 10 }), RangeError);
  });
});
