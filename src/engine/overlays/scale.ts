// Overlays for a smaller program (degraded mode's reduced sizes): the bitmap rendered for the
// timeline's size, shrunk by area averaging and placed at the scaled position. Done once per
// render and size (the playout caches it), never per frame; overlays stay on air at every size.
import { yuvaBytes, yuvaPlanes, type YuvaImage } from './yuva.ts';

/** The nearest even number (4:2:0 needs even sizes and positions). */
function nearestEven(v: number): number {
  return Math.round(v / 2) * 2;
}

/** Area-average resample of one plane (w × h → dw × dh, dw ≤ w, dh ≤ h). */
function shrinkPlane(src: Uint8Array, w: number, h: number, dst: Uint8Array, dw: number, dh: number): void {
  const sx = w / dw;
  const sy = h / dh;
  for (let y = 0; y < dh; y++) {
    const y0 = y * sy;
    const y1 = y0 + sy;
    for (let x = 0; x < dw; x++) {
      const x0 = x * sx;
      const x1 = x0 + sx;
      let sum = 0;
      let area = 0;
      for (let yy = Math.floor(y0); yy < Math.min(h, Math.ceil(y1)); yy++) {
        const wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
        const row = yy * w;
        for (let xx = Math.floor(x0); xx < Math.min(w, Math.ceil(x1)); xx++) {
          const weight = wy * (Math.min(xx + 1, x1) - Math.max(xx, x0));
          sum += src[row + xx]! * weight;
          area += weight;
        }
      }
      dst[y * dw + x] = area > 0 ? Math.round(sum / area) : 0;
    }
  }
}

/**
 * The overlay for a program `factor` times the size it was rendered for (0 < factor ≤ 1).
 * Null when it shrinks to nothing.
 */
export function scaleOverlay(image: YuvaImage, factor: number): YuvaImage | null {
  if (factor === 1) return image;
  const width = Math.max(2, nearestEven(image.width * factor));
  const height = Math.max(2, nearestEven(image.height * factor));
  if (image.width === 0 || image.height === 0) return null;
  const data = new Uint8Array(yuvaBytes(width, height));
  const planes = yuvaPlanes(data, width, height);
  const src = image.planes;
  shrinkPlane(src.y, image.width, image.height, planes.y, width, height);
  shrinkPlane(src.a, image.width, image.height, planes.a, width, height);
  const cw = image.width / 2;
  const ch = image.height / 2;
  shrinkPlane(src.u, cw, ch, planes.u, width / 2, height / 2);
  shrinkPlane(src.v, cw, ch, planes.v, width / 2, height / 2);
  shrinkPlane(src.ca, cw, ch, planes.ca, width / 2, height / 2);
  return {
    width,
    height,
    left: nearestEven(image.left * factor),
    top: nearestEven(image.top * factor),
    matrix: image.matrix,
    data,
    planes,
  };
}
