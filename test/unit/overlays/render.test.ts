import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  capOverlayText,
  clockParts,
  cssColor,
  defaultFontSize,
  expandTemplate,
  LOWER_THIRD_ACCENT,
  LOWER_THIRD_BACKGROUND,
  MAX_OVERLAY_TEXT_CHARS,
  MAX_OVERLAY_TEXT_LINES,
  placeOverlay,
  renderedToPng,
  renderOverlay,
  resolveText,
  safeMargins,
  uncappedText,
  usesClock,
  type RenderContext,
} from '../../../src/engine/overlays/render.ts';
import { loadImage } from '@napi-rs/canvas';
import {
  boundsWhere,
  fixtureLoader,
  logoPng,
  overlay,
  pixelAt,
  saveArtifact,
  templatePng,
} from './helpers.ts';

const W = 320;
const H = 180;
const noImages = fixtureLoader({});
const ctx320: RenderContext = { programWidth: W, programHeight: H, loadImage: noImages };

function assertEvenGeometry(o: { left: number; top: number; width: number; height: number }): void {
  for (const key of ['left', 'top', 'width', 'height'] as const) {
    assert.equal(o[key] % 2, 0, `${key} ${o[key]} should be even`);
  }
}

const isRed = (r: number, g: number, b: number, a: number) => a >= 250 && r >= 240 && g <= 30 && b <= 30;

describe('layout rules', () => {
  it('default font size is 4.5 % of the program height, at least 10 px', () => {
    assert.equal(defaultFontSize(1080), 49);
    assert.equal(defaultFontSize(720), 32);
    assert.equal(defaultFontSize(180), 10);
  });

  it('safe margins are 5 % rounded to even pixels', () => {
    assert.deepEqual(safeMargins(1920, 1080), { x: 96, y: 54 });
    assert.deepEqual(safeMargins(320, 180), { x: 16, y: 10 });
  });

  it('places named positions inside the safe area, on even pixels', () => {
    assert.deepEqual(placeOverlay('top_left', 40, 20, W, H), { x: 16, y: 10 });
    assert.deepEqual(placeOverlay('top_right', 40, 20, W, H), { x: 264, y: 10 });
    assert.deepEqual(placeOverlay('bottom_left', 40, 20, W, H), { x: 16, y: 150 });
    assert.deepEqual(placeOverlay('bottom_right', 40, 20, W, H), { x: 264, y: 150 });
    assert.deepEqual(placeOverlay('center', 40, 20, W, H), { x: 140, y: 80 });
    assert.deepEqual(placeOverlay({ x: 5, y: 7 }, 40, 20, W, H), { x: 6, y: 8 });
  });

  it('turns schema colours into CSS', () => {
    assert.equal(cssColor('#FF8000'), 'rgba(255, 128, 0, 1)');
    assert.equal(cssColor('#00000080'), 'rgba(0, 0, 0, 0.502)');
    assert.equal(cssColor('transparent'), null);
    assert.equal(cssColor('#12345600'), null);
  });
});

describe('template expansion', () => {
  const now = new Date('2026-03-14T13:05:30Z');

  it('expands {time} and {date} in the given time zone', () => {
    assert.deepEqual(clockParts(now, 'UTC'), { time: '13:05', date: '2026-03-14' });
    assert.deepEqual(clockParts(now, 'America/New_York'), { time: '09:05', date: '2026-03-14' });
    assert.deepEqual(clockParts(now, 'Asia/Kolkata'), { time: '18:35', date: '2026-03-14' });
    // Across midnight the date follows the zone, not UTC.
    assert.deepEqual(clockParts(new Date('2026-03-14T02:30:00Z'), 'America/Los_Angeles'), {
      time: '19:30',
      date: '2026-03-13',
    });
    // Midnight is 00, never 24.
    assert.equal(clockParts(new Date('2026-01-01T00:00:00Z'), 'UTC').time, '00:00');
  });

  it('expands data fields and dotted paths; unknown fields render as —', () => {
    const data = {
      temp: 21.5,
      wind: { speed: 7, dir: 'NW' },
      tides: [{ at: '14:10' }],
      open: true,
      nothing: null,
    };
    const text = expandTemplate('{date} {time} · {temp}°C {wind.speed} kn {wind.dir} · tide {tides.0.at}', {
      now,
      timeZone: 'Europe/Oslo',
      data,
    });
    assert.equal(text, '2026-03-14 14:05 · 21.5°C 7 kn NW · tide 14:10');
    assert.equal(
      expandTemplate('{missing} {wind.gust} {wind} {nothing} {open}', { now, timeZone: 'UTC', data }),
      '— — — — yes',
    );
    assert.equal(expandTemplate('no data: {temp}', { now, timeZone: 'UTC' }), 'no data: —');
    assert.equal(expandTemplate('{ not a field } {}', { now, timeZone: 'UTC' }), '{ not a field } {}');
  });

  it('knows which templates depend on the clock', () => {
    assert.equal(usesClock('Now {time}'), true);
    assert.equal(usesClock('{date}'), true);
    assert.equal(usesClock('{temp} {timer}'), false);
  });

  it('applies the operator override before expansion', () => {
    const params = overlay({ type: 'dynamic_text', template: '{time}' });
    assert.equal(
      resolveText(params, { now, timeZone: 'UTC', textOverride: 'Back at {time}' }),
      'Back at 13:05',
    );
    assert.equal(resolveText(overlay({ type: 'text', text: 'a' }), { textOverride: 'b' }), 'b');
  });
});

describe('text cap', () => {
  it('keeps text up to 200 characters and 8 lines; cuts longer text with "…"', () => {
    assert.equal(MAX_OVERLAY_TEXT_CHARS, 200);
    assert.equal(MAX_OVERLAY_TEXT_LINES, 8);
    const exact = 'a'.repeat(200);
    assert.equal(capOverlayText(exact), exact);
    assert.equal(capOverlayText('a'.repeat(201)), `${'a'.repeat(199)}…`);
    assert.equal(capOverlayText('b'.repeat(600_000)), `${'b'.repeat(199)}…`);
    // Code points, not UTF-16 units: an emoji is one character and is never split.
    const boats = '⛵🚤'.repeat(150);
    const cut = capOverlayText(boats);
    assert.equal([...cut].length, 200);
    assert.ok(cut.endsWith('🚤…') || cut.endsWith('⛵…'), cut.slice(-4));
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut), 'no half of a surrogate pair');
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    assert.equal(capOverlayText(lines.slice(0, 8).join('\n')), lines.slice(0, 8).join('\n'));
    assert.equal(capOverlayText(lines.join('\r\n')), `${lines.slice(0, 8).join('\r\n')}…`);
  });

  it('a long data value or operator text is capped before it is drawn', async () => {
    const params = overlay({ type: 'dynamic_text', template: 'Wind: {text}', data_url: 'http://x.test/' });
    const data = { text: 'x'.repeat(600_000) };
    assert.equal(resolveText(params, { data }), `Wind: ${'x'.repeat(193)}…`);
    // Values are shortened on expansion: a template repeating a long field never builds a long string.
    const repeated = overlay({
      type: 'dynamic_text',
      template: '{text}'.repeat(50),
      data_url: 'http://x.test/',
    });
    assert.ok(uncappedText(repeated, { data })!.length <= 50 * 2 * (MAX_OVERLAY_TEXT_CHARS + 1));
    const rendered = await renderOverlay(params, { ...ctx320, data });
    assert.equal([...rendered.text!].length, MAX_OVERLAY_TEXT_CHARS);
    assert.ok(rendered.width <= W && rendered.height <= H);
    const lower = overlay({ type: 'lower_third', text: 'T', subtitle: 's'.repeat(500) });
    const drawn = await renderOverlay(lower, { ...ctx320, textOverride: 'y'.repeat(5000) });
    assert.equal(drawn.text, `${'y'.repeat(199)}…`);
  });
});

describe('renderOverlay', () => {
  it('text: pixels of the requested colour near the top-left safe corner', async () => {
    const o = await renderOverlay(
      overlay({ type: 'text', text: 'Marina Live', color: '#FF0000', font_size: 20 }),
      ctx320,
    );
    assertEvenGeometry(o);
    assert.equal(o.text, 'Marina Live');
    assert.equal(o.rgba.length, o.width * o.height * 4);
    assert.deepEqual([o.left, o.top], [16, 10]);
    const red = boundsWhere(o, isRed);
    assert.ok(red, 'has opaque red glyph pixels');
    assert.ok(red.count > 100, `enough red pixels (${red.count})`);
    assert.ok(red.x0 >= 16 && red.x0 <= 24, `text starts near the left margin (${red.x0})`);
    assert.ok(red.y0 >= 10 && red.y0 <= 20, `text starts near the top margin (${red.y0})`);
    // Glyph height ≈ cap height of a 20 px font.
    assert.ok(red.y1 - red.y0 >= 12 && red.y1 - red.y0 <= 22, `glyph height ${red.y1 - red.y0}`);
    // Anti-aliased: partially transparent edge pixels exist.
    assert.ok(
      boundsWhere(o, (_r, _g, _b, a) => a > 20 && a < 235),
      'has anti-aliased edges',
    );
    // Without a background, the frame around the text stays transparent.
    assert.equal(pixelAt(o, o.left, o.top)[3], 0);
    await saveArtifact('text-320x180', W, H, [o]);
  });

  it('text with a background box: padded box of the background colour', async () => {
    const o = await renderOverlay(
      overlay({ type: 'text', text: 'Harbour Cam', background: '#0000FF', color: '#FFFFFF', font_size: 16 }),
      ctx320,
    );
    assertEvenGeometry(o);
    // Left padding (inside the rounded corners): opaque pure blue.
    assert.deepEqual(pixelAt(o, o.left + 3, o.top + Math.floor(o.height / 2)), [0, 0, 255, 255]);
    // White text inside, not touching the box edge (padding on every side).
    const white = boundsWhere(o, (r, g, b, a) => a === 255 && r > 240 && g > 240 && b > 240);
    assert.ok(white);
    assert.ok(white.x0 - o.left >= 6, `left padding ${white.x0 - o.left}`);
    assert.ok(o.left + o.width - 1 - white.x1 >= 6, 'right padding');
    assert.ok(white.y0 - o.top >= 3, `top padding ${white.y0 - o.top}`);
    assert.ok(o.top + o.height - 1 - white.y1 >= 3, 'bottom padding');
    // Rounded corner: the very corner pixel is (partly) transparent.
    assert.ok(pixelAt(o, o.left, o.top)[3] < 255);
    await saveArtifact('text-box-320x180', W, H, [o]);
  });

  it('translucent background keeps its alpha and colour (non-premultiplied)', async () => {
    const o = await renderOverlay(
      overlay({ type: 'text', text: 'x', background: '#00FF0080', font_size: 20 }),
      ctx320,
    );
    const [r, g, b, a] = pixelAt(o, o.left + 3, o.top + Math.floor(o.height / 2));
    assert.deepEqual([r, g, b], [0, 255, 0]);
    assert.ok(Math.abs(a - 128) <= 1, `alpha ${a}`);
  });

  it('text lands in each named corner', async () => {
    const m = safeMargins(W, H);
    for (const position of ['top_left', 'top_right', 'bottom_left', 'bottom_right', 'center'] as const) {
      const o = await renderOverlay(
        overlay({ type: 'text', text: 'Cam 2', background: '#000000', position }),
        ctx320,
      );
      assertEvenGeometry(o);
      const right = o.left + o.width;
      const bottom = o.top + o.height;
      if (position.endsWith('left')) assert.equal(o.left, m.x, position);
      if (position.endsWith('right')) assert.ok(right <= W - m.x && right >= W - m.x - 1, position);
      if (position.startsWith('top')) assert.equal(o.top, m.y, position);
      if (position.startsWith('bottom')) assert.ok(bottom <= H - m.y && bottom >= H - m.y - 1, position);
      if (position === 'center') {
        assert.ok(Math.abs(o.left + o.width / 2 - W / 2) <= 1);
        assert.ok(Math.abs(o.top + o.height / 2 - H / 2) <= 1);
      }
    }
  });

  it('explicit positions round to even pixels and clip to the frame', async () => {
    const inside = await renderOverlay(
      overlay({ type: 'text', text: 'Hi', position: { x: 5, y: 7 } }),
      ctx320,
    );
    assert.deepEqual([inside.left, inside.top], [6, 8]);
    assertEvenGeometry(inside);

    const full = await renderOverlay(
      overlay({ type: 'text', text: 'Clipped text', position: { x: 0, y: 0 } }),
      ctx320,
    );
    const clipped = await renderOverlay(
      overlay({ type: 'text', text: 'Clipped text', position: { x: 300, y: 170 } }),
      ctx320,
    );
    assertEvenGeometry(clipped);
    assert.deepEqual([clipped.left, clipped.top, clipped.width, clipped.height], [300, 170, 20, 10]);
    assert.ok(full.width > 20 && full.height > 10);
    // The clipped bitmap is the top-left corner of the full one.
    for (let row = 0; row < 10; row++) {
      const a = full.rgba.subarray(row * full.width * 4, (row * full.width + 20) * 4);
      const b = clipped.rgba.subarray(row * 20 * 4, (row + 1) * 20 * 4);
      assert.deepEqual(b, a);
    }

    const outside = await renderOverlay(
      overlay({ type: 'text', text: 'Gone', position: { x: 400, y: 10 } }),
      ctx320,
    );
    assert.deepEqual([outside.width, outside.height, outside.rgba.length], [0, 0, 0]);
  });

  it('font size is in program pixels; scale multiplies it', async () => {
    const tall = (o: Awaited<ReturnType<typeof renderOverlay>>) => {
      const box = boundsWhere(o, (_r, _g, _b, a) => a > 128);
      assert.ok(box);
      return box.y1 - box.y0;
    };
    const small = await renderOverlay(
      overlay({ type: 'text', text: 'H', color: '#FFFFFF', font_size: 20 }),
      ctx320,
    );
    const doubled = await renderOverlay(
      overlay({ type: 'text', text: 'H', color: '#FFFFFF', font_size: 20, scale: 2 }),
      ctx320,
    );
    const hd = await renderOverlay(overlay({ type: 'text', text: 'H', color: '#FFFFFF', font_size: 20 }), {
      ...ctx320,
      programWidth: 1920,
      programHeight: 1080,
    });
    assert.ok(Math.abs(tall(doubled) - 2 * tall(small)) <= 3, `${tall(doubled)} vs 2×${tall(small)}`);
    assert.ok(Math.abs(tall(hd) - tall(small)) <= 1, 'same pixel size at any resolution');
  });

  it('default font size follows the program height', async () => {
    const text = overlay({ type: 'text', text: 'H', background: '#000000' });
    const small = await renderOverlay(text, ctx320);
    const hd = await renderOverlay(text, { ...ctx320, programWidth: 1280, programHeight: 720 });
    const ratio = hd.height / small.height;
    assert.ok(ratio > 2.8 && ratio < 3.6, `box height ratio ${ratio}`);
  });

  it('shrinks text that would not fit inside the safe area', async () => {
    const o = await renderOverlay(
      overlay({
        type: 'text',
        text: 'A very long headline that would never fit on a small frame',
        font_size: 30,
        background: '#000000',
      }),
      ctx320,
    );
    assert.ok(o.width <= W - 2 * 16, `width ${o.width}`);
    assert.equal(o.left, 16);
  });

  it('multi-line text stacks lines', async () => {
    const one = await renderOverlay(overlay({ type: 'text', text: 'Line', background: '#000000' }), ctx320);
    const two = await renderOverlay(
      overlay({ type: 'text', text: 'Line\nLine', background: '#000000' }),
      ctx320,
    );
    assert.ok(two.height > one.height * 1.5);
  });

  it('logo: loaded PNG at natural size × scale, in the top-right corner', async () => {
    const loader = fixtureLoader({ '/assets/overlays/logos/main_logo.png': await logoPng(64, 40) });
    const params = overlay({ type: 'logo', image_url: '/assets/overlays/logos/main_logo.png', scale: 0.5 });
    const o = await renderOverlay(params, { ...ctx320, loadImage: loader });
    assert.deepEqual(loader.calls, [{ image_url: '/assets/overlays/logos/main_logo.png' }]);
    assert.deepEqual([o.width, o.height], [32, 20]);
    assert.deepEqual([o.left, o.top], [W - 16 - 32, 10]);
    assert.equal(o.text, null);
    // The logo's red fill is opaque in the middle-left; the rounded corner is transparent.
    const [r, g, b, a] = pixelAt(o, o.left + 4, o.top + 10);
    assert.ok(a === 255 && r > 200 && g < 80 && b < 80, `logo fill ${[r, g, b, a]}`);
    assert.equal(pixelAt(o, o.left, o.top)[3], 0);
    await saveArtifact('logo-320x180', W, H, [o]);
  });

  it('image: asset by id, odd sizes padded to even, decoded Image accepted', async () => {
    const png = await logoPng(33, 21, '#1E88E5');
    const byId = await renderOverlay(overlay({ type: 'image', asset_id: 7 }), {
      ...ctx320,
      loadImage: fixtureLoader({ 'asset:7': png }),
    });
    assert.deepEqual([byId.width, byId.height], [34, 22]);
    assertEvenGeometry(byId);
    // Padding column/row is transparent.
    assert.equal(pixelAt(byId, byId.left + 33, byId.top + 5)[3], 0);
    // Centered.
    assert.deepEqual([byId.left, byId.top], [144, 80]); // (320−34)/2 = 143 → 144, (180−22)/2 = 79 → 80

    const decoded = await loadImage(await logoPng(40, 40));
    const scaled = await renderOverlay(
      overlay({ type: 'image', image_url: 'https://example.com/a.png', scale: 1.5 }),
      {
        ...ctx320,
        loadImage: async () => decoded,
      },
    );
    assert.deepEqual([scaled.width, scaled.height], [60, 60]);
  });

  it('image that fails to load rejects', async () => {
    await assert.rejects(renderOverlay(overlay({ type: 'logo', asset_id: 99 }), ctx320), /no such image/);
    await assert.rejects(
      renderOverlay(overlay({ type: 'image', asset_id: 1 }), {
        ...ctx320,
        loadImage: async () => Buffer.from('not an image'),
      }),
    );
  });

  it('lower third: a bar of about a third of the width, bottom-left, with title and subtitle', async () => {
    const o = await renderOverlay(
      overlay({ type: 'lower_third', text: 'Jane Doe', subtitle: 'Harbour Master' }),
      ctx320,
    );
    assertEvenGeometry(o);
    assert.equal(o.left, 16);
    assert.ok(o.top + o.height <= H - 10 && o.top + o.height >= H - 11);
    assert.ok(o.width >= Math.round(W / 3) && o.width <= W / 2, `bar width ${o.width}`);
    // Accent strip at the left edge, bar colour (LOWER_THIRD_BACKGROUND) to the right of the text.
    const accent = pixelAt(o, o.left + 1, o.top + Math.floor(o.height / 2));
    assert.deepEqual(accent, [
      parseInt(LOWER_THIRD_ACCENT.slice(1, 3), 16),
      parseInt(LOWER_THIRD_ACCENT.slice(3, 5), 16),
      parseInt(LOWER_THIRD_ACCENT.slice(5, 7), 16),
      255,
    ]);
    const bar = pixelAt(o, o.left + o.width - 2, o.top + 2);
    assert.deepEqual(
      bar,
      [1, 3, 5, 7].map((i) => parseInt(LOWER_THIRD_BACKGROUND.slice(i, i + 2), 16)),
    );
    // Title (white, bold) above the subtitle.
    const white = boundsWhere(o, (r, g, b, a) => a > 200 && r > 200 && g > 200 && b > 200);
    assert.ok(white);
    assert.ok(white.y1 - white.y0 > 12, 'two lines of text');
    await saveArtifact('lower-third-320x180', W, H, [o]);
  });

  it('lower third: background override, and a template image behind the text', async () => {
    const red = await renderOverlay(
      overlay({ type: 'lower_third', text: 'Score', background: '#C62828', color: '#FFFFFF' }),
      ctx320,
    );
    assert.deepEqual(pixelAt(red, red.left + red.width - 2, red.top + 2), [0xc6, 0x28, 0x28, 255]);

    const loader = fixtureLoader({
      '/assets/overlays/lower_thirds/branded.png': await templatePng(600, 120),
    });
    const templated = await renderOverlay(
      overlay({
        type: 'lower_third',
        text: 'Dock 4 · Arrivals',
        subtitle: 'Next ferry 14:10',
        image_url: '/assets/overlays/lower_thirds/branded.png',
      }),
      { ...ctx320, loadImage: loader },
    );
    assert.equal(loader.calls.length, 1);
    // The template's blue fill shows at its left edge (no accent strip drawn over it).
    const [r, g, b, a] = pixelAt(templated, templated.left + 1, templated.top + 3);
    assert.ok(b > 120 && r < 30 && a > 200, `template pixel ${[r, g, b, a]}`);
    // Aspect ratio kept when the text fits (600×120 → 5:1).
    assert.ok(
      Math.abs(templated.width / templated.height - 5) < 0.6,
      `${templated.width}x${templated.height}`,
    );
    await saveArtifact('lower-third-template-320x180', W, H, [templated]);
  });

  it('dynamic_text: template with fixed date, time zone and data', async () => {
    const o = await renderOverlay(
      overlay({
        type: 'dynamic_text',
        template: '{time}  {temp}°C  wind {wind.speed} kn',
        background: '#00000099',
      }),
      {
        ...ctx320,
        now: new Date('2026-07-01T10:42:00Z'),
        timeZone: 'Europe/Oslo',
        data: { temp: 18, wind: { speed: 12 } },
      },
    );
    assert.equal(o.text, '12:42  18°C  wind 12 kn');
    assertEvenGeometry(o);
    // Default position bottom-right.
    assert.ok(o.left + o.width <= W - 16 && o.top + o.height <= H - 10);
    assert.ok(o.left + o.width >= W - 17 && o.top + o.height >= H - 11);
    await saveArtifact('dynamic-text-320x180', W, H, [o]);
  });

  it('rejects an unknown time zone and an odd program size', async () => {
    await assert.rejects(
      renderOverlay(overlay({ type: 'dynamic_text', template: '{time}' }), {
        ...ctx320,
        timeZone: 'Mars/Base',
      }),
      RangeError,
    );
    await assert.rejects(
      renderOverlay(overlay({ type: 'text', text: 'x' }), { ...ctx320, programWidth: 321 }),
      RangeError,
    );
  });

  it('encodes a PNG and writes a full 720p scene for review', async () => {
    const hd = { programWidth: 1280, programHeight: 720 };
    const loader = fixtureLoader({ '/logo.png': await logoPng(160, 100) });
    const ctx: RenderContext = {
      ...hd,
      loadImage: loader,
      now: new Date('2026-07-01T10:42:00Z'),
      timeZone: 'Europe/Oslo',
      data: { temp: 18 },
    };
    const scene = await Promise.all([
      renderOverlay(
        overlay({ type: 'lower_third', text: 'Vistter Marina', subtitle: 'Live from dock 4' }),
        ctx,
      ),
      renderOverlay(overlay({ type: 'logo', image_url: '/logo.png', scale: 0.8 }), ctx),
      renderOverlay(overlay({ type: 'text', text: 'LIVE', background: '#D32F2F', font_size: 28 }), ctx),
      renderOverlay(overlay({ type: 'dynamic_text', template: '{date}  {time}  {temp}°C' }), ctx),
    ]);
    const png = await renderedToPng(scene[0]!);
    assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    const decoded = await loadImage(png);
    assert.deepEqual([decoded.width, decoded.height], [scene[0]!.width, scene[0]!.height]);
    await saveArtifact('scene-1280x720', hd.programWidth, hd.programHeight, scene);
    const small = await Promise.all([
      renderOverlay(overlay({ type: 'lower_third', text: 'Vistter Marina', subtitle: 'Live from dock 4' }), {
        ...ctx,
        programWidth: W,
        programHeight: H,
      }),
      renderOverlay(overlay({ type: 'logo', image_url: '/logo.png', scale: 0.25 }), {
        ...ctx,
        programWidth: W,
        programHeight: H,
      }),
      renderOverlay(overlay({ type: 'text', text: 'LIVE', background: '#D32F2F' }), {
        ...ctx,
        programWidth: W,
        programHeight: H,
      }),
      renderOverlay(overlay({ type: 'dynamic_text', template: '{date}  {time}  {temp}°C' }), {
        ...ctx,
        programWidth: W,
        programHeight: H,
      }),
    ]);
    await saveArtifact('scene-320x180', W, H, small);
  });
});
