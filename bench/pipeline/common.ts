// Shared set-up for the pipeline benchmarks: timelines, an engine on simulated cameras, cleanup.
import { createLogger } from '../../src/core/logger.ts';
import type { CameraFeed } from '../../src/engine/engine.ts';
import { stopAllSupervised } from '../../src/process/supervisor.ts';
import type { Timeline } from '../../src/timeline/schema.ts';
import { validateTimelineDocument } from '../../src/timeline/validate.ts';

export const benchLogger = createLogger('bench');

export interface CueSpec {
  camera: number;
  start: number;
  duration: number;
  transition?: 'cut' | 'dissolve' | 'fade';
  transitionSeconds?: number;
}

/** A validated timeline of show_camera cues. */
export function cameraTimeline(o: {
  name: string;
  duration: number;
  resolution: string;
  fps: number;
  cues: readonly CueSpec[];
  loop?: boolean;
}): Timeline {
  const result = validateTimelineDocument({
    timeline: {
      name: o.name,
      duration: o.duration,
      fps: o.fps,
      resolution: o.resolution,
      ...(o.loop !== undefined ? { loop: o.loop } : {}),
      tracks: {
        video: {
          track_id: 'v',
          type: 'video',
          cues: o.cues.map((c, i) => ({
            id: `cue${i + 1}`,
            start_time: c.start,
            duration: c.duration,
            action: 'show_camera',
            params: {
              camera_id: c.camera,
              transition: c.transition ?? 'cut',
              ...(c.transitionSeconds !== undefined ? { transition_duration: c.transitionSeconds } : {}),
            },
          })),
        },
      },
    },
  });
  if (!result.ok) throw new Error(`bench timeline invalid: ${JSON.stringify(result.errors)}`);
  return result.document.timeline;
}

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
