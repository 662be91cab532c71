// Renders one overlay cue to an RGBA bitmap with a real 2D graphics library (@napi-rs/canvas, Skia):
// anti-aliased text with proper font metrics, rounded boxes, smoothly scaled images.
// Rendering happens once per change (see cache.ts), never per frame.
//
// Sizes are in program pixels. A font_size (and a logo's natural size × scale) is taken at the
// program's actual resolution: font_size 48 is 48 px tall on a 1080p program and also 48 px
// tall on a 320×180 one (where it is much bigger relative to the frame). A timeline designed at
// 1080p and played at a lower resolution should scale its sizes by (program height / 1080).
// Without a font_size the size follows the program height: DEFAULT_FONT_FRACTION (4.5 %) of
// it, at least MIN_DEFAULT_FONT_PX, so a timeline without sizes looks the same at every resolution.
// `scale` multiplies everything an overlay draws (font sizes, boxes, images).
//
// Placement. Named positions keep a safe-area margin of SAFE_AREA_FRACTION (5 %) of the frame
// width (left/right) and height (top/bottom); `center` centres. Explicit {x, y} are the overlay's
// top-left corner in program pixels. The result is then aligned to the 4:2:0 chroma grid: the
// position is rounded to even numbers, the size padded up to even numbers with transparent
// pixels, and the bitmap clipped to the frame (so it may be smaller than drawn, or 0×0 when it
// lies entirely outside the frame).
//
// Opacity and fade_in/out are *not* baked in: the resolver computes the per-frame opacity
// (params.opacity × fade) and the compositor applies it.
import { createCanvas, GlobalFonts, Image, ImageData, loadImage as decodeImage } from '@napi-rs/canvas';
import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import { existsSync } from 'node:fs';
import { readImageHeader } from '../../assets/image-header.ts';
import type { OverlayParams, Position } from '../../timeline/schema.ts';
import {
  sharedPictureFitter,
  SMALL_PICTURE_PIXELS,
  type FitSize,
  type FittedPicture,
} from './picture-fit.ts';

export const SAFE_AREA_FRACTION = 0.05;
export const DEFAULT_FONT_FRACTION = 0.045;
export const MIN_DEFAULT_FONT_PX = 10;
/** The smallest a font is shrunk to when text does not fit the frame. */
export const MIN_FONT_PX = 6;
/** Lower-third bar: dark, slightly translucent, with an accent strip on its left edge. */
export const LOWER_THIRD_BACKGROUND = '#101820E6';
export const LOWER_THIRD_ACCENT = '#F5A623';
/** What a {field} with no value in the data renders as. */
export const MISSING_VALUE = '—';
/**
 * The most characters (code points) an overlay draws; longer text ends in "…". Text is measured
 * and drawn synchronously on the playout's event loop: 600 KB of polled text once made 77 ticks late.
 */
export const MAX_OVERLAY_TEXT_CHARS = 200;
/** The most lines an overlay draws (the last one kept ends in "…"). */
export const MAX_OVERLAY_TEXT_LINES = 8;
const ELLIPSIS = '…';

export const DEFAULT_POSITIONS: Record<OverlayParams['type'], Position> = {
  text: 'top_left',
  dynamic_text: 'bottom_right',
  lower_third: 'bottom_left',
  logo: 'top_right',
  image: 'center',
};

export interface ImageRef {
  image_url?: string;
  asset_id?: number;
}

/**
 * Returns a decoded image, or encoded bytes (PNG, JPEG, WebP, …) to decode. Bytes are handed over:
 * a large picture's are moved to the picture thread, so return fresh bytes at every call.
 */
export type ImageLoader = (ref: ImageRef) => Promise<Image | Uint8Array>;

export interface RenderContext {
  programWidth: number;
  programHeight: number;
  loadImage: ImageLoader;
  /** Wall-clock time for {time} and {date}; default: now. */
  now?: Date;
  /** IANA time zone for {time} and {date} (e.g. "Europe/Oslo"); default: the machine's local zone. */
  timeZone?: string;
  /** Polled JSON for dynamic_text {field} placeholders. */
  data?: Record<string, unknown>;
  /**
   * An operator's live edit: replaces `text` (text, lower_third title) or `template` (dynamic_text,
   * still expanded). Ignored for logo and image.
   */
  textOverride?: string;
  /**
   * Decodes and scales a large picture to its drawn size off the main thread (picture-fit.ts);
   * default: the process's shared fitter.
   */
  fitPicture?: PictureFitting;
}

export interface PictureFitting {
  fit(bytes: Uint8Array, target: FitSize): Promise<FittedPicture>;
}

export interface RenderedOverlay {
  /** Column of the left edge on the program frame (even, ≥ 0). */
  left: number;
  /** Row of the top edge on the program frame (even, ≥ 0). */
  top: number;
  /** Even; 0 when the overlay lies entirely outside the frame. */
  width: number;
  /** Even; 0 when the overlay lies entirely outside the frame. */
  height: number;
  /** Non-premultiplied RGBA, width × height × 4 bytes, row-major (canvas getImageData layout). */
  rgba: Uint8ClampedArray;
  /** The text drawn (after override and template expansion), or null for logo and image. */
  text: string | null;
}

// ---------------------------------------------------------------------------------------------
// Fonts

const FONT_FAMILY = 'VistterSans';
const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
let fontsRegistered = false;

/** Registers DejaVu Sans (regular + bold) as FONT_FAMILY once; falls back to the system sans-serif. */
function fontFamily(): string {
  if (!fontsRegistered) {
    fontsRegistered = true;
    const regular = `${FONT_DIR}/DejaVuSans.ttf`;
    const bold = `${FONT_DIR}/DejaVuSans-Bold.ttf`;
    if (existsSync(regular)) GlobalFonts.registerFromPath(regular, FONT_FAMILY);
    if (existsSync(bold)) GlobalFonts.registerFromPath(bold, FONT_FAMILY);
  }
  return GlobalFonts.has(FONT_FAMILY) ? `${FONT_FAMILY}, sans-serif` : 'sans-serif';
}

function font(sizePx: number, bold = false): string {
  return `${bold ? 'bold ' : ''}${sizePx}px ${fontFamily()}`;
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for tests and for the web preview)

export function defaultFontSize(programHeight: number): number {
  return Math.max(MIN_DEFAULT_FONT_PX, Math.round(programHeight * DEFAULT_FONT_FRACTION));
}

/** Safe-area margins in pixels, rounded to even numbers so named positions land on the chroma grid. */
export function safeMargins(programWidth: number, programHeight: number): { x: number; y: number } {
  return {
    x: 2 * Math.round((programWidth * SAFE_AREA_FRACTION) / 2),
    y: 2 * Math.round((programHeight * SAFE_AREA_FRACTION) / 2),
  };
}

function toEven(value: number): number {
  return 2 * Math.round(value / 2);
}

function ceilEven(value: number): number {
  return 2 * Math.ceil(value / 2);
}

/** Top-left corner (even) of a width × height overlay at `position` on the program frame. */
export function placeOverlay(
  position: Position,
  width: number,
  height: number,
  programWidth: number,
  programHeight: number,
): { x: number; y: number } {
  const m = safeMargins(programWidth, programHeight);
  switch (position) {
    case 'top_left':
      return { x: m.x, y: m.y };
    case 'top_right':
      return { x: toEven(programWidth - m.x - width), y: m.y };
    case 'bottom_left':
      return { x: m.x, y: toEven(programHeight - m.y - height) };
    case 'bottom_right':
      return { x: toEven(programWidth - m.x - width), y: toEven(programHeight - m.y - height) };
    case 'center':
      return { x: toEven((programWidth - width) / 2), y: toEven((programHeight - height) / 2) };
    default:
      return { x: toEven(position.x), y: toEven(position.y) };
  }
}

/** A schema colour (#RRGGBB, #RRGGBBAA, transparent) as a CSS rgba() string, or null for transparent. */
export function cssColor(color: string): string | null {
  if (color === 'transparent') return null;
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/i.exec(color);
  if (!match) throw new Error(`not a colour: ${color}`);
  const [r, g, b] = [match[1]!, match[2]!, match[3]!].map((hex) => parseInt(hex, 16));
  const alpha = match[4] === undefined ? 1 : parseInt(match[4], 16) / 255;
  if (alpha === 0) return null;
  return `rgba(${r}, ${g}, ${b}, ${Number(alpha.toFixed(4))})`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** HH:MM (24 h) and YYYY-MM-DD of `now` in `timeZone` (undefined = local). */
export function clockParts(now: Date, timeZone?: string): { time: string; date: string } {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(now)) parts[part.type] = part.value;
  const hour = Number(parts['hour']) % 24;
  return {
    time: `${pad2(hour)}:${parts['minute']}`,
    date: `${parts['year']}-${parts['month']}-${parts['day']}`,
  };
}

function lookup(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function formatValue(value: unknown): string {
  // Twice the cap in UTF-16 units is more code points than are drawn: a long value (or one
  // repeated in the template) never builds a long string.
  if (typeof value === 'string') return value.slice(0, 2 * (MAX_OVERLAY_TEXT_CHARS + 1));
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : MISSING_VALUE;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return MISSING_VALUE;
}

/**
 * Expands a dynamic_text template: {time} → HH:MM and {date} → YYYY-MM-DD in `timeZone`
 * (reserved names), {field} or {a.b.0} → a value from `data` (strings as is, numbers in plain
 * notation, booleans as yes/no). A field that is missing, null, or an object/array renders as "—".
 * Anything else in braces (spaces, punctuation) is left as written.
 */
export function expandTemplate(
  template: string,
  options: { now: Date; timeZone?: string; data?: Record<string, unknown> },
): string {
  let clock: { time: string; date: string } | undefined;
  return template.replace(/\{([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\}/g, (_match, path: string) => {
    if (path === 'time' || path === 'date') {
      clock ??= clockParts(options.now, options.timeZone);
      return clock[path];
    }
    return formatValue(lookup(options.data, path));
  });
}

/** Whether a template's expansion depends on the wall clock ({time} or {date}). */
export function usesClock(template: string): boolean {
  return /\{(time|date)\}/.test(template);
}

/** The text an overlay draws before template expansion, with the operator's override applied. */
export function sourceText(params: OverlayParams, textOverride?: string): string | null {
  switch (params.type) {
    case 'text':
    case 'lower_third':
      return textOverride ?? params.text;
    case 'dynamic_text':
      return textOverride ?? params.template;
    default:
      return null;
  }
}

/**
 * Text cut to MAX_OVERLAY_TEXT_LINES lines and MAX_OVERLAY_TEXT_CHARS code points (a cut ends in
 * "…"); shorter text is returned as is. Never walks more of a long string than it keeps.
 */
export function capOverlayText(text: string): string {
  let kept = '';
  let chars = 0;
  let lines = 1;
  for (const char of text) {
    if (char === '\n' && ++lines > MAX_OVERLAY_TEXT_LINES) return `${kept.replace(/\r$/, '')}${ELLIPSIS}`;
    if (++chars > MAX_OVERLAY_TEXT_CHARS) return `${[...kept].slice(0, -1).join('')}${ELLIPSIS}`;
    kept += char;
  }
  return text;
}

/** The text with template expanded and override applied, before capOverlayText (null for images). */
export function uncappedText(
  params: OverlayParams,
  ctx: Pick<RenderContext, 'now' | 'timeZone' | 'data' | 'textOverride'>,
): string | null {
  const text = sourceText(params, ctx.textOverride);
  if (text === null || params.type !== 'dynamic_text') return text;
  return expandTemplate(text, {
    now: ctx.now ?? new Date(),
    ...(ctx.timeZone !== undefined ? { timeZone: ctx.timeZone } : {}),
    ...(ctx.data !== undefined ? { data: ctx.data } : {}),
  });
}

/** The text an overlay will draw (override applied, template expanded, capped), or null for images. */
export function resolveText(
  params: OverlayParams,
  ctx: Pick<RenderContext, 'now' | 'timeZone' | 'data' | 'textOverride'>,
): string | null {
  const text = uncappedText(params, ctx);
  return text === null ? null : capOverlayText(text);
}

// ---------------------------------------------------------------------------------------------
// Drawing

type Bitmap = Image | Canvas;

interface Drawn {
  /**
   * Draws the overlay with its top-left corner at (0, 0) on a context of at least width × height;
   * `picture` is its image (logo, image, lower-third template) ready at pictureSize.
   */
  draw: (ctx: SKRSContext2D, picture: Bitmap | null) => void;
  width: number;
  height: number;
  /** The size the overlay's picture is drawn at (absent without a picture). */
  pictureSize?: FitSize;
}

/** An overlay's picture: its natural size drives the layout; its pixels are made for the drawn size. */
interface Picture {
  width: number;
  height: number;
  /** Null when the picture decoded to another size than its header said (the layout is wrong). */
  at(size: FitSize): Promise<Bitmap | null>;
}

const measureCanvas = createCanvas(1, 1);

interface TextMetricsBox {
  width: number;
  ascent: number;
  descent: number;
}

function measure(text: string, cssFont: string): TextMetricsBox {
  const ctx = measureCanvas.getContext('2d');
  ctx.font = cssFont;
  const metrics = ctx.measureText(text);
  return {
    width: metrics.width,
    // Font (not glyph) metrics: a line's box is the same height whatever letters it holds.
    ascent: metrics.fontBoundingBoxAscent,
    descent: metrics.fontBoundingBoxDescent,
  };
}

function roundedRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, Math.min(r, w / 2, h / 2));
  ctx.fill();
}

function textShadow(ctx: SKRSContext2D, fontPx: number): void {
  ctx.shadowColor = 'rgba(0, 0, 0, 0.8)';
  ctx.shadowBlur = Math.max(1.5, fontPx * 0.12);
  ctx.shadowOffsetX = Math.max(1, Math.round(fontPx * 0.05));
  ctx.shadowOffsetY = Math.max(1, Math.round(fontPx * 0.05));
}

function clearShadow(ctx: SKRSContext2D): void {
  ctx.shadowColor = 'rgba(0, 0, 0, 0)';
  ctx.shadowBlur = 0;
  ctx.shadowOffsetX = 0;
  ctx.shadowOffsetY = 0;
}

/** Text (one or more lines) with an optional rounded background box; a soft shadow without one. */
function layoutText(
  text: string,
  style: { fontPx: number; color: string; background: string | undefined },
  maxWidth: number,
): Drawn {
  const lines = text.split(/\r?\n/);
  const box = style.background === undefined ? null : cssColor(style.background);
  let fontPx = style.fontPx;
  for (;;) {
    const cssFont = font(fontPx);
    const metrics = lines.map((line) => measure(line, cssFont));
    const ascent = Math.max(...metrics.map((m) => m.ascent));
    const descent = Math.max(...metrics.map((m) => m.descent));
    const lineHeight = Math.ceil(Math.max(ascent + descent, fontPx * 1.2));
    // With a box: comfortable padding. Without: just room for the shadow.
    const padX = box ? Math.round(fontPx * 0.5) : Math.ceil(fontPx * 0.2) + 1;
    const padY = box ? Math.round(fontPx * 0.3) : Math.ceil(fontPx * 0.2) + 1;
    const textWidth = Math.max(...metrics.map((m) => m.width));
    const width = Math.ceil(textWidth + 2 * padX);
    if (width > maxWidth && fontPx > MIN_FONT_PX) {
      fontPx = Math.max(MIN_FONT_PX, Math.floor((fontPx * maxWidth) / width));
      continue;
    }
    const height = lineHeight * lines.length + 2 * padY;
    const textColor = cssColor(style.color);
    return {
      width,
      height,
      draw(ctx) {
        if (box) {
          ctx.fillStyle = box;
          roundedRect(ctx, 0, 0, width, height, Math.round(fontPx * 0.25));
        } else {
          textShadow(ctx, fontPx);
        }
        if (textColor) {
          ctx.font = cssFont;
          ctx.fillStyle = textColor;
          ctx.textBaseline = 'alphabetic';
          ctx.textAlign = 'left';
          const baselineOffset = (lineHeight - (ascent + descent)) / 2 + ascent;
          lines.forEach((line, i) => ctx.fillText(line, padX, padY + i * lineHeight + baselineOffset));
        }
        clearShadow(ctx);
      },
    };
  }
}

function decode(bytes: Uint8Array): Promise<Image> {
  return decodeImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function decodedPicture(image: Image): Picture {
  return { width: image.width, height: image.height, at: () => Promise.resolve(image) };
}

function bitmapOf(fitted: FittedPicture): Canvas {
  const canvas = createCanvas(fitted.width, fitted.height);
  // putImageData copies: the fitted pixels stay as the cache keeps them.
  canvas.getContext('2d').putImageData(new ImageData(fitted.rgba, fitted.width, fitted.height), 0, 0);
  return canvas;
}

/**
 * The picture in `load()`. A large one is not decoded here: its header gives the layout size and
 * `fitter` makes pixels at the drawn size off the main thread. A small one, or one drawn at least
 * at its natural size, is decoded and scaled here, as drawImage does.
 */
async function openPicture(
  load: () => Promise<Image | Uint8Array>,
  fitter: PictureFitting,
): Promise<Picture> {
  const loaded = await load();
  if (loaded instanceof Image) return decodedPicture(loaded);
  const header = readImageHeader(loaded);
  if (header.kind !== 'size' || header.width * header.height <= SMALL_PICTURE_PIXELS) {
    return decodedPicture(await decode(loaded));
  }
  const natural = { width: header.width, height: header.height };
  return {
    ...natural,
    async at(size) {
      if (size.width * size.height >= natural.width * natural.height) return decode(loaded);
      const fitted = await fitter.fit(loaded, size); // the bytes are the fitter's now
      const sameSize = fitted.naturalWidth === natural.width && fitted.naturalHeight === natural.height;
      return sameSize ? bitmapOf(fitted) : null;
    },
  };
}

function layoutImage(image: FitSize, scale: number): Drawn {
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  return {
    width,
    height,
    pictureSize: { width, height },
    draw(ctx, picture) {
      if (!picture) return;
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(picture, 0, 0, width, height);
    },
  };
}

function layoutLowerThird(
  title: string,
  subtitle: string | undefined,
  style: {
    fontPx: number;
    color: string;
    background: string | undefined;
    template: FitSize | null;
    minWidth: number;
    maxWidth: number;
  },
): Drawn {
  let titlePx = style.fontPx;
  for (;;) {
    const subPx = Math.max(MIN_FONT_PX, Math.round(titlePx * 0.72));
    const titleFont = font(titlePx, true);
    const subFont = font(subPx);
    const t = measure(title, titleFont);
    const s = subtitle === undefined ? null : measure(subtitle, subFont);
    const padX = Math.round(titlePx * 0.6);
    const padY = Math.round(titlePx * 0.4);
    const gap = Math.round(titlePx * 0.15);
    const accent = style.template ? 0 : Math.max(2, ceilEven(titlePx * 0.18));
    const textWidth = Math.max(t.width, s?.width ?? 0);
    const needed = Math.ceil(accent + 2 * padX + textWidth);
    if (needed > style.maxWidth && titlePx > MIN_FONT_PX) {
      titlePx = Math.max(MIN_FONT_PX, Math.floor((titlePx * style.maxWidth) / needed));
      continue;
    }
    const titleLine = Math.ceil(t.ascent + t.descent);
    const subLine = s ? Math.ceil(s.ascent + s.descent) : 0;
    const textHeight = titleLine + (s ? gap + subLine : 0);
    const template = style.template;
    // A template keeps its aspect ratio: widen it rather than stretch it to hold the text.
    const templateWidth = template
      ? Math.ceil(((textHeight + 2 * padY) * template.width) / template.height)
      : 0;
    const width = Math.min(style.maxWidth, Math.max(style.minWidth, needed, templateWidth));
    const templateHeight = template ? Math.round((width * template.height) / template.width) : 0;
    const height = Math.max(textHeight + 2 * padY, templateHeight);
    const top = Math.round((height - textHeight) / 2);
    const barColor =
      style.background !== undefined
        ? cssColor(style.background)
        : template
          ? null
          : cssColor(LOWER_THIRD_BACKGROUND);
    const textColor = cssColor(style.color);
    return {
      width,
      height,
      ...(template ? { pictureSize: { width, height } } : {}),
      draw(ctx, picture) {
        if (barColor) {
          ctx.fillStyle = barColor;
          ctx.fillRect(0, 0, width, height);
        }
        if (template) {
          if (picture) {
            ctx.imageSmoothingEnabled = true;
            ctx.imageSmoothingQuality = 'high';
            ctx.drawImage(picture, 0, 0, width, height);
          }
        } else {
          ctx.fillStyle = LOWER_THIRD_ACCENT;
          ctx.fillRect(0, 0, accent, height);
        }
        if (!barColor && !template) textShadow(ctx, titlePx);
        if (textColor) {
          ctx.fillStyle = textColor;
          ctx.textBaseline = 'alphabetic';
          ctx.textAlign = 'left';
          ctx.font = titleFont;
          ctx.fillText(title, accent + padX, top + t.ascent);
          if (s && subtitle !== undefined) {
            ctx.font = subFont;
            ctx.globalAlpha = 0.85;
            ctx.fillText(subtitle, accent + padX, top + titleLine + gap + s.ascent);
            ctx.globalAlpha = 1;
          }
        }
        clearShadow(ctx);
      },
    };
  }
}

/**
 * Renders an overlay to RGBA at its place on the program frame. Throws when an image cannot be
 * loaded or decoded, or the time zone is unknown.
 */
export async function renderOverlay(params: OverlayParams, ctx: RenderContext): Promise<RenderedOverlay> {
  const W = ctx.programWidth;
  const H = ctx.programHeight;
  if (!(W > 0 && H > 0 && W % 2 === 0 && H % 2 === 0)) {
    throw new RangeError(`program size must be even and positive, got ${W}x${H}`);
  }
  const margins = safeMargins(W, H);
  const position = params.position ?? DEFAULT_POSITIONS[params.type];
  const named = typeof position === 'string';
  // Named positions keep text inside the safe area; explicit positions may use the full frame.
  const maxWidth = named ? W - 2 * margins.x : W;
  const text = resolveText(params, ctx);
  const fitter = ctx.fitPicture ?? sharedPictureFitter();
  let drawn: Drawn;
  let picture: Picture | null = null;

  switch (params.type) {
    case 'text':
    case 'dynamic_text': {
      const fontPx = Math.max(
        MIN_FONT_PX,
        Math.round((params.font_size ?? defaultFontSize(H)) * params.scale),
      );
      drawn = layoutText(
        text ?? '',
        { fontPx, color: params.color, background: params.background },
        maxWidth,
      );
      break;
    }
    case 'lower_third': {
      const hasTemplate = params.image_url !== undefined || params.asset_id !== undefined;
      picture = hasTemplate ? await openPicture(() => ctx.loadImage(imageRef(params)), fitter) : null;
      const fontPx = Math.max(
        MIN_FONT_PX,
        Math.round((params.font_size ?? defaultFontSize(H)) * params.scale),
      );
      const subtitle = params.subtitle === undefined ? undefined : capOverlayText(params.subtitle);
      drawn = layoutLowerThird(text ?? '', subtitle, {
        fontPx,
        color: params.color,
        background: params.background,
        template: picture,
        minWidth: Math.min(maxWidth, Math.round((W / 3) * params.scale)),
        maxWidth,
      });
      break;
    }
    case 'logo':
    case 'image': {
      picture = await openPicture(() => ctx.loadImage(imageRef(params)), fitter);
      drawn = layoutImage(picture, params.scale);
      break;
    }
  }

  const width = ceilEven(drawn.width);
  const height = ceilEven(drawn.height);
  const { x, y } = placeOverlay(position, width, height, W, H);
  const left = Math.min(W, Math.max(0, x));
  const top = Math.min(H, Math.max(0, y));
  const right = Math.max(left, Math.min(W, x + width));
  const bottom = Math.max(top, Math.min(H, y + height));
  const clippedWidth = right - left;
  const clippedHeight = bottom - top;
  if (clippedWidth === 0 || clippedHeight === 0) {
    return { left, top, width: 0, height: 0, rgba: new Uint8ClampedArray(0), text };
  }
  const bitmap = picture && drawn.pictureSize ? await picture.at(drawn.pictureSize) : null;
  if (picture && drawn.pictureSize && bitmap === null) {
    // Its header told another size than it decodes to: laid out again from the decoded picture.
    const decodeHere: ImageLoader = async (ref) => {
      const loaded = await ctx.loadImage(ref);
      return loaded instanceof Image ? loaded : decode(loaded);
    };
    return renderOverlay(params, { ...ctx, loadImage: decodeHere });
  }
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  drawn.draw(g, bitmap);
  const image = g.getImageData(left - x, top - y, clippedWidth, clippedHeight);
  return { left, top, width: clippedWidth, height: clippedHeight, rgba: image.data, text };
}

function imageRef(params: { image_url?: string | undefined; asset_id?: number | undefined }): ImageRef {
  const ref: ImageRef = {};
  if (params.image_url !== undefined) ref.image_url = params.image_url;
  if (params.asset_id !== undefined) ref.asset_id = params.asset_id;
  return ref;
}

/** Encodes a rendered overlay as PNG (for the web preview and test artifacts). */
export async function renderedToPng(overlay: RenderedOverlay): Promise<Buffer> {
  const canvas = createCanvas(Math.max(1, overlay.width), Math.max(1, overlay.height));
  if (overlay.width > 0 && overlay.height > 0) {
    const g = canvas.getContext('2d');
    const image = g.createImageData(overlay.width, overlay.height);
    image.data.set(overlay.rgba);
    g.putImageData(image, 0, 0);
  }
  return canvas.encode('png');
}
