// Reading the control room's program preview in the page: the <video> element's playback figures
// and the colour of its current picture (which camera is on air).
import type { Page } from 'playwright-core';

/** Mean colour of the middle of the preview's current picture (the camera, away from overlays). */
export async function previewCentreColour(page: Page): Promise<{ r: number; g: number; b: number } | null> {
  return page.getByLabel('Program video', { exact: true }).evaluate((element) => {
    const video = element as unknown as { videoWidth: number; videoHeight: number };
    if (video.videoWidth === 0) return null;
    const doc = element.ownerDocument;
    // No DOM types in the Node test project: the canvas is described by what is used of it.
    const canvas = doc.createElement('canvas') as unknown as {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        drawImage(image: unknown, x: number, y: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
      } | null;
    };
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(element, 0, 0);
    const x = Math.round(canvas.width * 0.4);
    const y = Math.round(canvas.height * 0.3);
    const { data } = context.getImageData(
      x,
      y,
      Math.round(canvas.width * 0.3),
      Math.round(canvas.height * 0.3),
    );
    let r = 0;
    let g = 0;
    let b = 0;
    for (let i = 0; i < data.length; i += 4) {
      r += data[i]!;
      g += data[i + 1]!;
      b += data[i + 2]!;
    }
    const n = data.length / 4;
    return { r: r / n, g: g / n, b: b / n };
  });
}

export interface VideoFigures {
  currentTime: number;
  readyState: number;
  paused: boolean;
}

/** The preview element's playback figures, read in the page. */
export async function videoState(page: Page): Promise<VideoFigures> {
  return page.getByLabel('Program video', { exact: true }).evaluate((element) => {
    const video = element as unknown as VideoFigures;
    return { currentTime: video.currentTime, readyState: video.readyState, paused: video.paused };
  });
}
