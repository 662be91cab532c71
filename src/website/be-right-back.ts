// The still the website gets while nothing is on air: a calm slate saying the camera is back soon,
// not the last picture (a stale picture would pass for live on the venue's page).
import { existsSync } from 'node:fs';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import type { JpegSize } from '../preview/picture-jpeg.ts';

const FONT_FAMILY = 'VistterWebsiteSans';
const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

function fontFamily(): string {
  if (!GlobalFonts.has(FONT_FAMILY) && existsSync(FONT_FILE))
    GlobalFonts.registerFromPath(FONT_FILE, FONT_FAMILY);
  return GlobalFonts.has(FONT_FAMILY) ? `${FONT_FAMILY}, sans-serif` : 'sans-serif';
}

/** The "be right back" slate as a JPEG of exactly `size`. */
export async function beRightBackJpeg(size: JpegSize, quality = 80): Promise<Buffer> {
  const canvas = createCanvas(size.width, size.height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#1d2733';
  context.fillRect(0, 0, size.width, size.height);
  context.fillStyle = '#f2f4f7';
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  const family = fontFamily();
  context.font = `${Math.round(size.height / 9)}px ${family}`;
  context.fillText('Be right back', size.width / 2, size.height * 0.45);
  context.fillStyle = '#aab4c0';
  context.font = `${Math.round(size.height / 22)}px ${family}`;
  context.fillText(
    'The live picture returns when the show is on air again.',
    size.width / 2,
    size.height * 0.6,
  );
  return canvas.encode('jpeg', quality);
}
