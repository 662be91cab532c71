// One still of the program at a moment of a (possibly unsaved) timeline, for the timeline
// builder: the resolver says what is on air at that frame, the video source's picture is fitted
// to the preview size like the decoders fit it (scale, keep the aspect ratio, pad black), the
// overlays are rendered by the engine's renderer at the program's own resolution (so font sizes
// look as they will on air) and scaled down, and the engine's compositor blends them.
// Pictures come from a PreviewPictures (cameras, media files, the slate); a source that cannot
// be shown becomes the slate with a sentence in `notices`, so the overlays are always visible.
// A dynamic_text whose data cannot be read is drawn without it ("—" for its fields) and text cut
// to MAX_OVERLAY_TEXT_CHARS is drawn cut, each with a notice saying so.
import { createCanvas, loadImage, type Image } from '@napi-rs/canvas';
import {
  composite,
  createReferenceKernels,
  type ProgramOverlay,
  type ProgramVideo,
} from '../engine/compositor/index.ts';
import {
  capOverlayText,
  MAX_OVERLAY_TEXT_CHARS,
  MAX_OVERLAY_TEXT_LINES,
  renderOverlay,
  uncappedText,
  type ImageLoader,
} from '../engine/overlays/render.ts';
import { messageOf } from '../core/message-of.ts';
import { isAppError } from '../errors/registry.ts';
import { redactUrl } from '../net/bounded-fetch.ts';
import { matrixForHeight, rgbaToYuva, yuvaToRgba, type YuvMatrix } from '../engine/overlays/yuva.ts';
import { frameToSeconds, secondsToFrame } from '../timeline/frames.ts';
import { compileTimeline, resolveFrame, type VideoSource } from '../timeline/resolver.ts';
import type { OverlayParams, Timeline } from '../timeline/schema.ts';

export const PREVIEW_MIN_WIDTH = 160;
export const PREVIEW_MAX_WIDTH = 1280;
export const PREVIEW_JPEG_QUALITY = 85;

/** Encoded picture bytes (JPEG, PNG, …) or a decoded image. */
export type Picture = Uint8Array | Image;

/** Where the preview's pictures come from (the API wires cameras, the asset library, ffmpeg). */
export interface PreviewPictures {
  /**
   * What a camera or media source shows `elapsedSeconds` into its cue. Throws an Error whose
   * message is a sentence for the operator when it cannot (camera offline, file missing).
   */
  source(
    source: Extract<VideoSource, { kind: 'camera' | 'media' }>,
    elapsedSeconds: number,
  ): Promise<Picture>;
  /** The slate: the timeline's test pattern image, else the built-in one (at this size). */
  slate(testPattern: string | undefined, width: number, height: number): Promise<Picture>;
  /** Images for logo / image / lower-third overlays. */
  loadImage: ImageLoader;
  /**
   * JSON for a dynamic_text's data_url. Throws an Error whose message says why it cannot be read
   * (an AppError such as FETCH_TOO_LARGE or FETCH_TIMEOUT carries its remediation).
   */
  data?(url: string): Promise<Record<string, unknown>>;
}

export interface PreviewFrameOptions {
  timeline: Timeline;
  /** Timeline position in seconds (clamped to the timeline). */
  seconds: number;
  /** Width of the JPEG (even); the height follows the timeline's aspect ratio. */
  width: number;
  /** Wall-clock time for {time} and {date}. */
  now: Date;
  timeZone?: string;
}

export interface PreviewFrame {
  jpeg: Buffer;
  width: number;
  height: number;
  /** The timeline frame shown, and its time in seconds. */
  frame: number;
  seconds: number;
  /** What the video layer shows, in words ("camera 2", "slate", "dissolve camera 1 → camera 2"). */
  video: string;
  /** Cue ids of the overlays drawn, bottom first. */
  overlays: string[];
  /** Sentences about what could not be shown as scheduled (the slate stood in). */
  notices: string[];
}

function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

export function describeSource(source: VideoSource): string {
  switch (source.kind) {
    case 'camera':
      return `camera ${source.cameraId}`;
    case 'media':
      return source.assetId !== undefined
        ? `media asset ${source.assetId}`
        : `media ${source.mediaUrl ?? ''}`;
    case 'slate':
      return 'slate';
    case 'black':
      return 'black';
  }
}

async function decode(picture: Picture): Promise<Image> {
  return picture instanceof Uint8Array ? loadImage(Buffer.from(picture)) : picture;
}

/** A picture fitted into width × height (aspect kept, black bars) as yuv420p, as the decoders do. */
export async function pictureToYuv420p(
  picture: Picture,
  width: number,
  height: number,
  matrix: YuvMatrix,
): Promise<Uint8Array> {
  const image = await decode(picture);
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#000000';
  g.fillRect(0, 0, width, height);
  const scale = Math.min(width / image.width, height / image.height);
  const w = image.width * scale;
  const h = image.height * scale;
  g.drawImage(image, (width - w) / 2, (height - h) / 2, w, h);
  const rgba = g.getImageData(0, 0, width, height).data;
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  const planes = rgbaToYuva(rgba, width, height, matrix);
  const frame = new Uint8Array((width * height * 3) / 2);
  frame.set(planes.y, 0);
  frame.set(planes.u, width * height);
  frame.set(planes.v, (width * height * 5) / 4);
  return frame;
}

/** A yuv420p frame as a JPEG. */
export async function yuv420pToJpeg(
  frame: Uint8Array,
  width: number,
  height: number,
  matrix: YuvMatrix,
): Promise<Buffer> {
  const l = width * height;
  const c = l / 4;
  const opaque = new Uint8Array(l).fill(255);
  const rgba = yuvaToRgba(
    {
      data: frame,
      y: frame.subarray(0, l),
      u: frame.subarray(l, l + c),
      v: frame.subarray(l + c, l + 2 * c),
      a: opaque,
      ca: opaque.subarray(0, c),
    },
    width,
    height,
    matrix,
  );
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  const image = g.createImageData(width, height);
  image.data.set(rgba);
  g.putImageData(image, 0, 0);
  return canvas.encode('jpeg', PREVIEW_JPEG_QUALITY);
}

/** An overlay rendered at program size, scaled by `factor` onto the preview's chroma grid. */
function scaleOverlay(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  left: number,
  top: number,
  factor: number,
  matrix: YuvMatrix,
): { image: ProgramOverlay['image']; x: number; y: number } | null {
  const x = Math.floor((left * factor) / 2) * 2;
  const y = Math.floor((top * factor) / 2) * 2;
  const w = even(Math.ceil((left + width) * factor) - x);
  const h = even(Math.ceil((top + height) * factor) - y);
  if (w <= 0 || h <= 0) return null;
  const source = createCanvas(width, height);
  const sg = source.getContext('2d');
  const data = sg.createImageData(width, height);
  data.data.set(rgba);
  sg.putImageData(data, 0, 0);
  const target = createCanvas(w, h);
  const tg = target.getContext('2d');
  tg.imageSmoothingQuality = 'high';
  tg.drawImage(source, left * factor - x, top * factor - y, width * factor, height * factor);
  const planes = rgbaToYuva(tg.getImageData(0, 0, w, h).data, w, h, matrix);
  return { image: { width: w, height: h, data: planes.data }, x, y };
}

/** Renders the program at `seconds` of the timeline as a JPEG of `width` pixels. */
export async function renderPreviewFrame(
  options: PreviewFrameOptions,
  pictures: PreviewPictures,
): Promise<PreviewFrame> {
  const compiled = compileTimeline(options.timeline);
  const frame = Math.min(
    compiled.durationFrames - 1,
    Math.max(0, secondsToFrame(Math.max(0, options.seconds), compiled.fps)),
  );
  const state = resolveFrame(compiled, frame);
  const width = even(Math.min(PREVIEW_MAX_WIDTH, Math.max(PREVIEW_MIN_WIDTH, options.width)));
  const height = even((width * compiled.height) / compiled.width);
  // The program's matrix, so colours match what the overlays were designed against.
  const matrix = matrixForHeight(compiled.height);
  const notices: string[] = [];

  const slate = async (): Promise<Uint8Array | null> => {
    const testPattern = compiled.slate.kind === 'slate' ? compiled.slate.testPattern : undefined;
    try {
      return await pictureToYuv420p(await pictures.slate(testPattern, width, height), width, height, matrix);
    } catch (error) {
      if (testPattern === undefined) throw error;
      notices.push(`The slate image ${testPattern} cannot be shown: ${reasonOf(error)}.`);
      return pictureToYuv420p(await pictures.slate(undefined, width, height), width, height, matrix);
    }
  };
  const frameOf = async (source: VideoSource, elapsedFrames: number): Promise<Uint8Array | null> => {
    if (source.kind === 'black') return null;
    if (source.kind === 'slate') return slate();
    try {
      const picture = await pictures.source(source, frameToSeconds(elapsedFrames, compiled.fps));
      return await pictureToYuv420p(picture, width, height, matrix);
    } catch (error) {
      notices.push(`${capitalize(reasonOf(error))}. The slate is shown instead.`);
      return slate();
    }
  };

  const { video } = state;
  let programVideo: ProgramVideo;
  let described = describeSource(video.source);
  if (video.transition) {
    const cueStart = frame - video.elapsedFrames;
    const [from, to] = await Promise.all([
      // What was on air on the frame before the cue, at that frame.
      frameOf(video.transition.from, Math.max(0, cueStart - 1)),
      frameOf(video.source, video.elapsedFrames),
    ]);
    programVideo = { kind: video.transition.type, from, to, progress: video.transition.progress };
    described = `${video.transition.type} ${describeSource(video.transition.from)} → ${described}`;
  } else {
    programVideo = { kind: 'single', frame: await frameOf(video.source, video.elapsedFrames) };
  }

  const factor = width / compiled.width;
  const overlays: ProgramOverlay[] = [];
  const drawn: string[] = [];
  for (const active of state.overlays) {
    try {
      const data = await overlayData(active.cueId, active.params, pictures, notices);
      const context = {
        programWidth: compiled.width,
        programHeight: compiled.height,
        loadImage: pictures.loadImage,
        now: options.now,
        ...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
        ...(data !== undefined ? { data } : {}),
      };
      const cut = textCutNotice(active.cueId, uncappedText(active.params, context));
      if (cut) notices.push(cut);
      const rendered = await renderOverlay(active.params, context);
      if (rendered.width === 0 || rendered.height === 0) continue;
      const scaled = scaleOverlay(
        rendered.rgba,
        rendered.width,
        rendered.height,
        rendered.left,
        rendered.top,
        factor,
        matrix,
      );
      if (!scaled) continue;
      overlays.push({ ...scaled, opacity: active.opacity });
      drawn.push(active.cueId);
    } catch (error) {
      notices.push(`Overlay "${active.cueId}" cannot be drawn: ${reasonOf(error)}.${remedy(error)}`);
    }
  }

  const target = new Uint8Array((width * height * 3) / 2);
  composite({ width, height, data: target }, { video: programVideo, overlays }, createReferenceKernels());
  return {
    jpeg: await yuv420pToJpeg(target, width, height, matrix),
    width,
    height,
    frame,
    seconds: frameToSeconds(frame, compiled.fps),
    video: described,
    overlays: drawn,
    notices,
  };
}

/** A dynamic_text's data, or undefined (with a notice saying why) when it cannot be read. */
async function overlayData(
  cueId: string,
  params: OverlayParams,
  pictures: PreviewPictures,
  notices: string[],
): Promise<Record<string, unknown> | undefined> {
  if (params.type !== 'dynamic_text' || params.data_url === undefined || !pictures.data) return undefined;
  try {
    return await pictures.data(params.data_url);
  } catch (error) {
    notices.push(
      `Overlay "${cueId}" is drawn without its data from ${redactUrl(params.data_url)}: ${reasonOf(error)}.${remedy(error)}`,
    );
    return undefined;
  }
}

/** The sentence for text longer than an overlay draws, or null. */
function textCutNotice(cueId: string, text: string | null): string | null {
  if (text === null || capOverlayText(text) === text) return null;
  return (
    `Overlay "${cueId}" has more text than an overlay draws: it shows the first ` +
    `${MAX_OVERLAY_TEXT_CHARS} characters (at most ${MAX_OVERLAY_TEXT_LINES} lines), ending in "…".`
  );
}

/** " " + the registry's remediation for an AppError; "" for any other error. */
function remedy(error: unknown): string {
  return isAppError(error) ? ` ${error.remediation}` : '';
}

/** The error's message without its full stop: it goes inside a sentence here. */
function reasonOf(error: unknown): string {
  return messageOf(error).replace(/[.\s]+$/, '');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
