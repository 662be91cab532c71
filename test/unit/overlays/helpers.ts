// Shared helpers for the overlay tests: fixture images drawn with canvas, pixel queries on a
// rendered overlay in program coordinates, and PNG artifacts (overlay over a test background)
// written to test-artifacts/overlays/ for a human to look at.
import { createCanvas } from '@napi-rs/canvas';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OverlayParamsSchema, type OverlayParams } from '../../../src/timeline/schema.ts';
import type { ImageLoader, ImageRef, RenderedOverlay } from '../../../src/engine/overlays/render.ts';

export const ARTIFACT_DIR = join(process.cwd(), 'test-artifacts', 'overlays');

/** Parses overlay params through the real schema (fills the defaults the renderer relies on). */
export function overlay(input: Record<string, unknown>): OverlayParams {
  return OverlayParamsSchema.parse(input);
}

/** A PNG logo: a filled circle in `color` with a white ring, on a transparent background. */
export async function logoPng(width: number, height: number, color = '#E53935'): Promise<Buffer> {
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = color;
  g.beginPath();
  g.roundRect(0, 0, width, height, Math.min(width, height) * 0.2);
  g.fill();
  g.fillStyle = '#FFFFFF';
  g.font = `bold ${Math.round(height * 0.45)}px DejaVu Sans`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText('VS', width / 2, height / 2);
  return canvas.encode('png');
}

/** A lower-third template: a horizontal gradient fading to transparent on the right. */
export async function templatePng(width: number, height: number): Promise<Buffer> {
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  const gradient = g.createLinearGradient(0, 0, width, 0);
  gradient.addColorStop(0, 'rgba(0, 70, 140, 0.95)');
  gradient.addColorStop(0.7, 'rgba(0, 110, 200, 0.85)');
  gradient.addColorStop(1, 'rgba(0, 110, 200, 0)');
  g.fillStyle = gradient;
  g.fillRect(0, 0, width, height);
  g.fillStyle = '#FFD54F';
  g.fillRect(
    0,
    height - Math.max(2, Math.round(height * 0.06)),
    width * 0.7,
    Math.max(2, Math.round(height * 0.06)),
  );
  return canvas.encode('png');
}

/** An image loader serving fixed bytes by image_url or asset_id; counts its calls. */
export function fixtureLoader(images: Record<string, Buffer>): ImageLoader & { calls: ImageRef[] } {
  const calls: ImageRef[] = [];
  const loader = async (ref: ImageRef) => {
    calls.push(ref);
    const key = ref.image_url ?? `asset:${ref.asset_id}`;
    const bytes = images[key];
    if (!bytes) throw new Error(`no such image: ${key}`);
    // A copy, as a real loader reads afresh: a large picture's bytes are moved to the picture thread.
    return Buffer.from(bytes);
  };
  return Object.assign(loader, { calls });
}

/** RGBA at program coordinates (x, y), or transparent black outside the overlay. */
export function pixelAt(o: RenderedOverlay, x: number, y: number): [number, number, number, number] {
  const col = x - o.left;
  const row = y - o.top;
  if (col < 0 || row < 0 || col >= o.width || row >= o.height) return [0, 0, 0, 0];
  const i = (row * o.width + col) * 4;
  return [o.rgba[i]!, o.rgba[i + 1]!, o.rgba[i + 2]!, o.rgba[i + 3]!];
}

/** Bounding box (program coordinates, inclusive) of pixels matching `test`, or null. */
export function boundsWhere(
  o: RenderedOverlay,
  test: (r: number, g: number, b: number, a: number) => boolean,
): { x0: number; y0: number; x1: number; y1: number; count: number } | null {
  let box: { x0: number; y0: number; x1: number; y1: number; count: number } | null = null;
  for (let row = 0; row < o.height; row++) {
    for (let col = 0; col < o.width; col++) {
      const i = (row * o.width + col) * 4;
      if (!test(o.rgba[i]!, o.rgba[i + 1]!, o.rgba[i + 2]!, o.rgba[i + 3]!)) continue;
      const x = o.left + col;
      const y = o.top + row;
      if (!box) box = { x0: x, y0: y, x1: x, y1: y, count: 0 };
      box.x0 = Math.min(box.x0, x);
      box.y0 = Math.min(box.y0, y);
      box.x1 = Math.max(box.x1, x);
      box.y1 = Math.max(box.y1, y);
      box.count++;
    }
  }
  return box;
}

/**
 * Writes `name`.png: the overlays composited over a busy program-sized test background (sky,
 * water, a bright patch), the way a viewer would see them. Also writes `name`-alpha.png, the
 * first overlay alone on a checkerboard, to judge its edges.
 */
export async function saveArtifact(
  name: string,
  programWidth: number,
  programHeight: number,
  overlays: RenderedOverlay[],
): Promise<void> {
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  const canvas = createCanvas(programWidth, programHeight);
  const g = canvas.getContext('2d');
  const sky = g.createLinearGradient(0, 0, 0, programHeight);
  sky.addColorStop(0, '#6FA8DC');
  sky.addColorStop(0.55, '#CFE2F3');
  sky.addColorStop(0.56, '#2E5E7E');
  sky.addColorStop(1, '#16324A');
  g.fillStyle = sky;
  g.fillRect(0, 0, programWidth, programHeight);
  g.fillStyle = '#F4F1E8';
  g.fillRect(programWidth * 0.05, programHeight * 0.62, programWidth * 0.5, programHeight * 0.3);
  for (const o of overlays) {
    if (o.width === 0) continue;
    const layer = createCanvas(o.width, o.height);
    const lg = layer.getContext('2d');
    const data = lg.createImageData(o.width, o.height);
    data.data.set(o.rgba);
    lg.putImageData(data, 0, 0);
    g.drawImage(layer, o.left, o.top);
  }
  writeFileSync(join(ARTIFACT_DIR, `${name}.png`), await canvas.encode('png'));

  const first = overlays[0];
  if (!first || first.width === 0) return;
  const zoom = Math.max(1, Math.floor(480 / Math.max(first.width, first.height)));
  const check = createCanvas(first.width * zoom, first.height * zoom);
  const cg = check.getContext('2d');
  const cell = 4 * zoom;
  for (let y = 0; y < check.height; y += cell) {
    for (let x = 0; x < check.width; x += cell) {
      cg.fillStyle = ((x + y) / cell) % 2 === 0 ? '#BBBBBB' : '#777777';
      cg.fillRect(x, y, cell, cell);
    }
  }
  const layer = createCanvas(first.width, first.height);
  const lg = layer.getContext('2d');
  const data = lg.createImageData(first.width, first.height);
  data.data.set(first.rgba);
  lg.putImageData(data, 0, 0);
  cg.imageSmoothingEnabled = false;
  cg.drawImage(layer, 0, 0, check.width, check.height);
  writeFileSync(join(ARTIFACT_DIR, `${name}-alpha.png`), await check.encode('png'));
}
