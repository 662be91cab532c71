// Shared set-up for the pipeline benchmarks: timelines, an engine on simulated cameras, cleanup.
import { createLogger } from '../../src/core/logger.ts';
import type { CameraFeed } from '../../src/engine/engine.ts';
import { videoEncoderArgs } from '../../src/ffmpeg/argv.ts';
import { stopAllSupervised } from '../../src/process/supervisor.ts';

export const benchLogger = createLogger('bench');

// Timelines of camera cues are shared with the tests.
export { cameraTimeline, type CueSpec } from '../../test/helpers/timelines.ts';

export function urlCameras(urls: readonly string[]): Map<number, CameraFeed> {
  return new Map(urls.map((url, i) => [i + 1, { kind: 'url', name: `sim cam ${i + 1}`, url }]));
}

/** Runs `body`, then every cleanup (last first), whatever happened. */
export async function withCleanup<T>(
  body: (defer: (fn: () => Promise<void>) => void) => Promise<T>,
): Promise<T> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    return await body((fn) => cleanups.push(fn));
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error(`cleanup failed: ${(error as Error).message}`);
      }
    }
    await stopAllSupervised();
  }
}

/** The baseline: one plain ffmpeg doing the camera → H.264 (x264 veryfast, the engine's settings)
 *  + AAC → RTMP job the appliance does, with no timeline, compositor or fan-out. */
export function plainFfmpegArgs(cameraUrl: string, rtmpUrl: string): string[] {
  const codec = videoEncoderArgs({
    fps: 30,
    profile: 'reliability',
    videoEncoder: 'libx264',
    preset: 'veryfast',
  }).codec;
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-rtsp_transport',
    'tcp',
    '-i',
    cameraUrl,
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    ...codec,
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ar',
    '48000',
    '-ac',
    '2',
    '-f',
    'flv',
    rtmpUrl,
  ];
}
