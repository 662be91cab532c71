// Shared helpers for the engine end-to-end tests: still images made by ffmpeg, whole-recording
// decodes, region means and an independent expectation of what each program frame looks like
// (resolver state + camera palette + overlay bitmaps rendered once, blended here in floating point).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { fadeThroughBlackStep } from '../../../src/engine/compositor/kernels.ts';
import { renderOverlay, type RenderedOverlay } from '../../../src/engine/overlays/render.ts';
import { resolveMediaPath } from '../../../src/engine/index.ts';
import { expandRepeats } from '../../../src/timeline/repeat.ts';
import {
  compileTimeline,
  resolveFrame,
  sourceKey,
  type CompiledTimeline,
  type ProgramState,
  type VideoSource,
} from '../../../src/timeline/resolver.ts';
import type { OverlayParams, Timeline } from '../../../src/timeline/schema.ts';
import { rgbToYuv601, yuvDistance, type DecodedVideo, type YuvMeans } from '../../helpers/media-probe.ts';
export { decodeAllFrames, type DecodedVideo } from '../../helpers/media-probe.ts';

const execFileAsync = promisify(execFile);

export const BLACK: YuvMeans = { y: 16, u: 128, v: 128 };

/** Writes a solid-colour PNG (0xRRGGBB) of the given size with ffmpeg's lavfi colour source. */
export async function makeStill(path: string, rgb: number, width: number, height: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const hex = rgb.toString(16).padStart(6, '0');
  await execFileAsync(
    'ffmpeg',
    [
      '-hide_banner',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `color=c=0x${hex}:s=${width}x${height}`,
      '-frames:v',
      '1',
      path,
    ],
    { timeout: 20_000 },
  );
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Mean Y over the rectangle and mean U/V over its chroma footprint (x, y, w, h even). */
export function regionMeans(frame: Uint8Array, width: number, height: number, r: Rect): YuvMeans {
  let y = 0;
  for (let row = r.y; row < r.y + r.h; row++) {
    for (let col = r.x; col < r.x + r.w; col++) y += frame[row * width + col]!;
  }
  const cw = width / 2;
  const uBase = width * height;
  const vBase = uBase + (cw * height) / 2;
  let u = 0;
  let v = 0;
  for (let row = r.y / 2; row < (r.y + r.h) / 2; row++) {
    for (let col = r.x / 2; col < (r.x + r.w) / 2; col++) {
      u += frame[uBase + row * cw + col]!;
      v += frame[vBase + row * cw + col]!;
    }
  }
  const c = (r.w / 2) * (r.h / 2);
  return { y: y / (r.w * r.h), u: u / c, v: v / c };
}

function mixMeans(a: YuvMeans, b: YuvMeans, w: number): YuvMeans {
  return { y: a.y + (b.y - a.y) * w, u: a.u + (b.u - a.u) * w, v: a.v + (b.v - a.v) * w };
}

/** One overlay rendered once, with its per-pixel colour (BT.601 limited, as the engine uses below 720 lines). */
interface OverlayBitmap {
  rendered: RenderedOverlay;
  yuv: Float32Array; // y,u,v per pixel
  alpha: Float32Array; // 0…1 per pixel
}

export interface ProgramModel {
  compiled: CompiledTimeline;
  /** Colour of each source key ('camera:1', 'media:url:/assets/x.png', 'slate', 'black'). */
  colours: ReadonlyMap<string, YuvMeans>;
  overlays: ReadonlyMap<string, OverlayBitmap>;
  state(frame: number): ProgramState;
  /** Rectangle of an overlay cue on the program frame. */
  rect(cueId: string): Rect;
  /** Expected region means at a program frame; null when a source of unknown colour is involved. */
  expect(
    frame: number,
    region: Rect,
    options?: { reverseLayers?: boolean; under?: YuvMeans },
  ): YuvMeans | null;
  /** Name of the source on air (transitions: 'transition'), for messages. */
  label(frame: number): string;
}

/** Renders every overlay cue of the timeline the way the engine does and builds the frame model. */
export async function buildProgramModel(
  timeline: Timeline,
  mediaRoot: string,
  colours: ReadonlyMap<string, YuvMeans>,
): Promise<ProgramModel> {
  const compiled = compileTimeline(timeline);
  const { width, height } = compiled;
  const overlays = new Map<string, OverlayBitmap>();
  // Repeated cues are drawn under their copies' ids (`<id>#k`), as the engine does.
  for (const track of expandRepeats(timeline).tracks.overlays ?? []) {
    for (const cue of track.cues) {
      const params: OverlayParams = cue.params;
      const rendered = await renderOverlay(params, {
        programWidth: width,
        programHeight: height,
        loadImage: (ref) => {
          const path = resolveMediaPath(mediaRoot, ref.image_url ?? '');
          if (!path) throw new Error(`bad image ${ref.image_url}`);
          return Promise.resolve(new Uint8Array(readFileSync(path)));
        },
      });
      const n = rendered.width * rendered.height;
      const yuv = new Float32Array(n * 3);
      const alpha = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const r = rendered.rgba[i * 4]!;
        const g = rendered.rgba[i * 4 + 1]!;
        const b = rendered.rgba[i * 4 + 2]!;
        const c = rgbToYuv601((r << 16) | (g << 8) | b);
        yuv[i * 3] = c.y;
        yuv[i * 3 + 1] = c.u;
        yuv[i * 3 + 2] = c.v;
        alpha[i] = rendered.rgba[i * 4 + 3]! / 255;
      }
      overlays.set(cue.id, { rendered, yuv, alpha });
    }
  }

  const colourOf = (source: VideoSource): YuvMeans | null =>
    source.kind === 'black' ? BLACK : (colours.get(sourceKey(source)) ?? null);

  const videoColour = (state: ProgramState): YuvMeans | null => {
    const video = state.video;
    const to = colourOf(video.source);
    if (!video.transition) return to;
    const from = colourOf(video.transition.from);
    if (video.transition.type === 'dissolve') {
      return from && to ? mixMeans(from, to, video.transition.progress) : null;
    }
    const step = fadeThroughBlackStep(video.transition.progress);
    const src = step.useTo ? to : from;
    return src ? mixMeans(src, BLACK, step.weight / 256) : null;
  };

  const rect = (cueId: string): Rect => {
    const o = overlays.get(cueId);
    if (!o) throw new Error(`no overlay cue ${cueId}`);
    return { x: o.rendered.left, y: o.rendered.top, w: o.rendered.width, h: o.rendered.height };
  };

  return {
    compiled,
    colours,
    overlays,
    state: (frame) => resolveFrame(compiled, frame),
    rect,
    expect(frame, region, { reverseLayers = false, under } = {}) {
      const state = resolveFrame(compiled, frame);
      const base = under ?? videoColour(state);
      if (!base) return null;
      const layers = reverseLayers ? [...state.overlays].reverse() : state.overlays;
      let sy = 0;
      let su = 0;
      let sv = 0;
      for (let row = region.y; row < region.y + region.h; row++) {
        for (let col = region.x; col < region.x + region.w; col++) {
          let py = base.y;
          let pu = base.u;
          let pv = base.v;
          for (const layer of layers) {
            const o = overlays.get(layer.cueId)!;
            const { left, top, width: ow, height: oh } = o.rendered;
            if (col < left || col >= left + ow || row < top || row >= top + oh) continue;
            const i = (row - top) * ow + (col - left);
            const a = o.alpha[i]! * layer.opacity;
            py += (o.yuv[i * 3]! - py) * a;
            pu += (o.yuv[i * 3 + 1]! - pu) * a;
            pv += (o.yuv[i * 3 + 2]! - pv) * a;
          }
          sy += py;
          su += pu;
          sv += pv;
        }
      }
      const n = region.w * region.h;
      return { y: sy / n, u: su / n, v: sv / n };
    },
    label(frame) {
      const state = resolveFrame(compiled, frame);
      if (state.video.transition) return `transition→${sourceKey(state.video.source)}`;
      return sourceKey(state.video.source);
    },
  };
}

/** The simulated cameras' bouncing ball (videotestsrc pattern=ball, white). */
export const BALL: YuvMeans = { y: 235, u: 128, v: 128 };

/**
 * How far `measured` lies outside the per-plane range spanned by `a` and `b` (0 inside): with `a`
 * the program over the camera's background and `b` over its white ball, a region partly covered by
 * the ball (seen through a translucent overlay) stays in range.
 */
export function outsideRange(measured: YuvMeans, a: YuvMeans, b: YuvMeans): number {
  const plane = (m: number, p: number, q: number): number =>
    Math.max(0, Math.min(p, q) - m, m - Math.max(p, q));
  return Math.max(plane(measured.y, a.y, b.y), plane(measured.u, a.u, b.u), plane(measured.v, a.v, b.v));
}

/** Largest per-plane difference between two means. */
export function maxPlaneDiff(a: YuvMeans, b: YuvMeans): number {
  return Math.max(Math.abs(a.y - b.y), Math.abs(a.u - b.u), Math.abs(a.v - b.v));
}

export interface Alignment {
  /** Program frame = recorded frame index + offset. */
  offset: number;
  /** Frames (after the start-up window) that matched no expectation within ±1 frame. */
  misses: number;
  checked: number;
}

/**
 * Finds the program frame of the recording's first frame: the offset at which the recorded
 * centre region matches the expected program best (±1 frame). A recording starts wherever its
 * publisher connected (t = 0 is not program frame 0), so every check aligns through this.
 */
export function alignRecording(
  video: DecodedVideo,
  model: ProgramModel,
  region: Rect,
  {
    fromFrame,
    maxOffset = 240,
    tolerance = 12,
  }: { fromFrame: number; maxOffset?: number; tolerance?: number },
): Alignment {
  const measured = video.frames.map((f) => regionMeans(f, video.width, video.height, region));
  const total = model.compiled.durationFrames;
  const expected: (YuvMeans | null)[] = [];
  for (let n = 0; n < total; n++) expected.push(model.expect(n, region));
  let best: Alignment = { offset: 0, misses: Infinity, checked: 0 };
  for (let offset = 0; offset <= maxOffset; offset++) {
    let misses = 0;
    let checked = 0;
    for (let i = 0; i < measured.length; i++) {
      const n = i + offset;
      if (n < fromFrame || n >= total - 1) continue;
      const candidates = [expected[n - 1], expected[n], expected[n + 1]].filter(
        (e): e is YuvMeans => e !== null && e !== undefined,
      );
      if (candidates.length === 0) continue;
      checked++;
      if (!candidates.some((e) => maxPlaneDiff(e, measured[i]!) <= tolerance)) misses++;
      if (misses >= best.misses) break;
    }
    if (misses < best.misses || (misses === best.misses && checked > best.checked)) {
      best = { offset, misses, checked };
    }
  }
  return best;
}

export { yuvDistance };

/** Resolves with `promise`, or rejects after `ms`; the timer never keeps the process alive. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
