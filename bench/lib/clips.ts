// Realistic camera content for the benchmarks: pre-encoded clips (moving detail, sensor noise,
// 4 Mbit/s, 2 s keyframes) that the camera simulator loops over RTSP without encoding anything
// live. Made once and cached in bench/.cache/ (git-ignored), keyed by their parameters.
import { fileURLToPath } from 'node:url';
import { cameraClip, cameraClipName, type CameraClipOptions } from '../../test/helpers/camera-sim.ts';

export const CLIP_CACHE_DIR = fileURLToPath(new URL('../.cache/', import.meta.url));

/** The clip for one camera at this size and rate (default 64 s at 4 Mbit/s), made if missing. */
export async function benchClip(options: CameraClipOptions): Promise<string> {
  const t0 = performance.now();
  const name = cameraClipName(options);
  const path = await cameraClip(options, CLIP_CACHE_DIR);
  const seconds = (performance.now() - t0) / 1000;
  if (seconds > 1) console.log(`made camera clip ${name} in ${seconds.toFixed(0)} s (cached for later runs)`);
  return path;
}
