// Large overlay pictures are fitted to their drawn size on the picture thread (picture-fit.ts):
// the result must look as the main-thread drawing did, with the same layout, each (content, size)
// fitted once, and the main thread taking over when the thread cannot start.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { createRootLogger } from '../../../src/core/logger.ts';
import { PictureFitter, SMALL_PICTURE_PIXELS } from '../../../src/engine/overlays/picture-fit.ts';
import {
  renderOverlay,
  type PictureFitting,
  type RenderedOverlay,
} from '../../../src/engine/overlays/render.ts';
import { fixtureLoader, overlay } from './helpers.ts';

const W = 1280;
const H = 720;

/** A detailed picture: a colour gradient, fine stripes and a solid red disc in the middle. */
async function detailedPng(width: number, height: number): Promise<Buffer> {
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  const gradient = g.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, '#1565C0');
  gradient.addColorStop(1, '#43A047');
  g.fillStyle = gradient;
  g.fillRect(0, 0, width, height);
  g.fillStyle = 'rgba(255, 255, 255, 0.6)';
  for (let x = 0; x < width; x += 7) g.fillRect(x, 0, 2, height);
  g.fillStyle = '#E53935';
  g.beginPath();
  g.arc(width / 2, height / 2, Math.min(width, height) / 4, 0, 2 * Math.PI);
  g.fill();
  return canvas.encode('png');
}

function silentFitter(lines: string[] = []): PictureFitter {
  const log = createRootLogger({ destination: { write: (line: string) => lines.push(line) } });
  return new PictureFitter({ log });
}

/** The largest difference of any channel of any pixel, and the mean difference. */
function difference(a: RenderedOverlay, b: RenderedOverlay): { max: number; mean: number } {
  assert.equal(a.rgba.length, b.rgba.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.rgba.length; i++) {
    const d = Math.abs(a.rgba[i]! - b.rgba[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.rgba.length };
}

function geometry(o: RenderedOverlay): string {
  return `${o.left},${o.top} ${o.width}x${o.height}`;
}

describe('large overlay pictures fitted on the picture thread', () => {
  it('a logo looks as when drawn on the main thread, at the same place and size', async () => {
    const png = await detailedPng(2400, 1500);
    assert.ok(2400 * 1500 > SMALL_PICTURE_PIXELS);
    const params = overlay({ type: 'logo', image_url: '/big.png', scale: 0.1 });
    const fitter = silentFitter();
    try {
      const fitted = await renderOverlay(params, {
        programWidth: W,
        programHeight: H,
        loadImage: fixtureLoader({ '/big.png': png }),
        fitPicture: fitter,
      });
      assert.equal(fitter.fitCount(), 1);
      assert.ok(fitter.usesWorker(), 'the picture thread ran');
      // The old path: a decoded image is drawn and scaled on this thread.
      const decoded = await loadImage(png);
      const drawnHere = await renderOverlay(params, {
        programWidth: W,
        programHeight: H,
        loadImage: async () => decoded,
        fitPicture: fitter,
      });
      assert.equal(fitter.fitCount(), 1, 'a decoded image never goes to the thread');
      assert.equal(geometry(fitted), geometry(drawnHere));
      assert.equal(fitted.width, 240); // 2400 × 0.1: the natural size still drives the layout
      assert.equal(fitted.height, 150);
      const { max, mean } = difference(fitted, drawnHere);
      assert.ok(mean < 0.5, `mean difference ${mean}`);
      assert.ok(max <= 2, `largest difference ${max}`);
    } finally {
      fitter.close();
    }
  });

  it('a lower-third template keeps its layout, and a new text reuses the fitted template', async () => {
    const png = await detailedPng(3000, 800);
    const loader = fixtureLoader({ '/lt.png': png });
    const fitter = silentFitter();
    const decoded = await loadImage(png);
    try {
      for (const [i, text] of ['Anna Berg', 'A much longer name on the bar'].entries()) {
        const params = overlay({ type: 'lower_third', text, image_url: '/lt.png', font_size: 40 });
        const fitted = await renderOverlay(params, {
          programWidth: W,
          programHeight: H,
          loadImage: loader,
          fitPicture: fitter,
        });
        const drawnHere = await renderOverlay(params, {
          programWidth: W,
          programHeight: H,
          loadImage: async () => decoded,
          fitPicture: fitter,
        });
        assert.equal(geometry(fitted), geometry(drawnHere), text);
        const { max, mean } = difference(fitted, drawnHere);
        assert.ok(mean < 0.5, `${text}: mean difference ${mean}`);
        assert.ok(max <= 2, `${text}: largest difference ${max}`);
        // The template's drawn size follows the text: a second size is a second fit.
        assert.equal(fitter.fitCount(), i + 1);
      }
      // The same text again: the fitted template comes from the cache.
      const again = overlay({ type: 'lower_third', text: 'Anna Berg', image_url: '/lt.png', font_size: 40 });
      await renderOverlay(again, {
        programWidth: W,
        programHeight: H,
        loadImage: loader,
        fitPicture: fitter,
      });
      assert.equal(fitter.fitCount(), 2);
    } finally {
      fitter.close();
    }
  });

  it('small pictures, and pictures drawn at least at their natural size, are drawn here', async () => {
    const refusing: PictureFitting = {
      fit: () => Promise.reject(new Error('the thread should not be asked')),
    };
    const small = await detailedPng(1600, 1000);
    const big = await detailedPng(2400, 1500);
    const loader = fixtureLoader({ '/small.png': small, '/big.png': big });
    const ctx = { programWidth: W, programHeight: H, loadImage: loader, fitPicture: refusing };
    const a = await renderOverlay(overlay({ type: 'logo', image_url: '/small.png', scale: 0.1 }), ctx);
    assert.equal(geometry(a), `${W - 64 - 160},36 160x100`);
    const b = await renderOverlay(overlay({ type: 'image', image_url: '/big.png', scale: 1 }), ctx);
    assert.equal(b.width, W); // clipped to the frame
  });

  it('a picture that decodes to another size than its header said is laid out from what decodes', async () => {
    const png = await detailedPng(2400, 1500);
    let asked = 0;
    const misreading: PictureFitting = {
      fit: (_bytes, target) => {
        asked++;
        const rgba = new Uint8ClampedArray(target.width * target.height * 4);
        return Promise.resolve({ naturalWidth: 1500, naturalHeight: 2400, ...target, rgba });
      },
    };
    const params = overlay({ type: 'logo', image_url: '/big.png', scale: 0.1 });
    const loader = fixtureLoader({ '/big.png': png });
    const rendered = await renderOverlay(params, {
      programWidth: W,
      programHeight: H,
      loadImage: loader,
      fitPicture: misreading,
    });
    const decoded = await loadImage(png);
    const drawnHere = await renderOverlay(params, {
      programWidth: W,
      programHeight: H,
      loadImage: async () => decoded,
    });
    assert.equal(asked, 1);
    assert.equal(loader.calls.length, 2, 'loaded again to decode here');
    assert.equal(geometry(rendered), geometry(drawnHere));
    assert.equal(difference(rendered, drawnHere).max, 0, 'the drawing is the main thread’s');
  });

  it('without the thread, pictures are fitted on the main thread and the log says so once', async () => {
    const lines: string[] = [];
    const log = createRootLogger({ destination: { write: (line: string) => lines.push(line) } });
    const broken = new URL(`data:text/javascript,${encodeURIComponent('throw new Error("no thread here")')}`);
    const fitter = new PictureFitter({ log, workerEntry: broken });
    const png = await detailedPng(2400, 1500);
    const loader = fixtureLoader({ '/big.png': png });
    const params = overlay({ type: 'logo', image_url: '/big.png', scale: 0.1 });
    const ctx = { programWidth: W, programHeight: H, loadImage: loader, fitPicture: fitter };
    try {
      const first = await renderOverlay(params, ctx);
      const second = await renderOverlay(overlay({ ...params, scale: 0.05 }), ctx);
      const decoded = await loadImage(png);
      const drawnHere = await renderOverlay(params, { ...ctx, loadImage: async () => decoded });
      assert.equal(geometry(first), geometry(drawnHere));
      assert.ok(difference(first, drawnHere).max <= 2);
      assert.equal(second.width, 120);
      assert.equal(fitter.usesWorker(), false);
      assert.equal(fitter.fitCount(), 2, 'fitted on the main thread, once per size');
      const warnings = lines.filter((line) => line.includes('picture thread could not start'));
      assert.equal(warnings.length, 1, lines.join(''));
      assert.match(warnings[0]!, /no thread here/);
    } finally {
      fitter.close();
    }
  });
});
