// Snapshot JPEGs on a worker thread (the TypeScript worker under tsx, as in the compiled build its
// .js sibling): the JPEG has the box's size and the picture's colour, the caller's buffer is
// copied (changing it afterwards changes nothing), and an idle worker does not keep the process alive.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { createLogger } from '../../../src/core/logger.ts';
import { JpegThread } from '../../../src/preview/jpeg-thread.ts';

/** A yuv420p picture of one colour (limited range). */
function solid(width: number, height: number, y: number, u: number, v: number) {
  const data = new Uint8Array((width * height * 3) / 2);
  data.fill(y, 0, width * height);
  data.fill(u, width * height, width * height * 1.25);
  data.fill(v, width * height * 1.25);
  return { width, height, data };
}

async function meanColour(jpeg: Buffer): Promise<{ width: number; height: number; rgb: number[] }> {
  const image = await loadImage(jpeg);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < pixels.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += pixels[i + c]!;
  const count = pixels.length / 4;
  return { width: image.width, height: image.height, rgb: sum.map((s) => Math.round(s / count)) };
}

describe('snapshot JPEG thread', () => {
  it('makes a JPEG of the box size and the picture’s colour off the main thread, from a copy', async () => {
    const thread = new JpegThread(createLogger('test'), 85);
    // Limited-range green: Y 145, U 54, V 34 is about rgb(0, 255, 0).
    const picture = solid(640, 360, 145, 54, 34);
    const pending = thread.convert(picture, { width: 320, height: 180 });
    picture.data.fill(16); // the engine reuses its buffer: the snapshot is already copied
    const jpeg = await pending;
    assert.equal(thread.usesWorker(), true, 'made on the worker thread, not the fallback');
    const seen = await meanColour(jpeg);
    assert.equal(seen.width, 320);
    assert.equal(seen.height, 180);
    assert.ok(seen.rgb[1]! > 200 && seen.rgb[0]! < 60 && seen.rgb[2]! < 60, `green: ${seen.rgb.join(', ')}`);
    const second = await meanColour(
      await thread.convert(solid(64, 36, 16, 128, 128), { width: 64, height: 36 }),
    );
    assert.ok(
      second.rgb.every((c) => c < 20),
      `black: ${second.rgb.join(', ')}`,
    );
    thread.close();
  });

  it('lets a process end once no JPEG is owed, without close()', async () => {
    const threadModule = fileURLToPath(new URL('../../../src/preview/jpeg-thread.ts', import.meta.url));
    const loggerModule = fileURLToPath(new URL('../../../src/core/logger.ts', import.meta.url));
    const script = `
      const { JpegThread } = await import(${JSON.stringify(threadModule)});
      const { createLogger } = await import(${JSON.stringify(loggerModule)});
      const thread = new JpegThread(createLogger('child'), 80);
      const data = new Uint8Array((64 * 36 * 3) / 2).fill(120);
      const jpeg = await thread.convert({ width: 64, height: 36, data }, { width: 32, height: 18 });
      console.log('jpeg', jpeg.length, thread.usesWorker());`;
    // A thread that held the process would run into the timeout (minutes) and fail here.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { timeout: 60_000 },
    );
    assert.match(stdout, /^jpeg \d+ true$/m, 'the JPEG came from the worker, then the process ended');
  });
});
