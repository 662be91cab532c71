import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateTimelineDocument } from '../../src/timeline/validate.ts';
import type { Timeline, TimelineDocument } from '../../src/timeline/schema.ts';

export const SPEC_EXAMPLE_PATH = fileURLToPath(
  new URL('../fixtures/timelines/spec-example.json', import.meta.url),
);

/** The spec's example timeline as raw JSON (a fresh copy each call, safe to mutate). */
export function specExampleJson(): {
  timeline: Record<string, unknown> & { tracks: Record<string, unknown> };
} {
  return JSON.parse(readFileSync(SPEC_EXAMPLE_PATH, 'utf8'));
}

/** Validates a document or fails the test with the errors. */
export function mustValidate(input: unknown): TimelineDocument {
  const result = validateTimelineDocument(input);
  if (!result.ok)
    throw new Error(`expected a valid timeline, got: ${JSON.stringify(result.errors, null, 2)}`);
  return result.document;
}

export function specExample(): Timeline {
  return mustValidate(specExampleJson()).timeline;
}

export { seededRandom } from './random.ts';

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface CueSpec {
  camera: number;
  start: number;
  duration: number;
  transition?: 'cut' | 'dissolve' | 'fade';
  transitionSeconds?: number;
}

/** A validated timeline of show_camera cues (ids cue1, cue2 …), optionally with a slate image
 *  and overlay tracks given as raw JSON. */
export function cameraTimeline(o: {
  name: string;
  duration: number;
  resolution: string;
  fps: number;
  cues: readonly CueSpec[];
  loop?: boolean;
  /** The slate / test pattern image (timeline.fallback.test_pattern). */
  testPattern?: string;
  overlays?: readonly Record<string, unknown>[];
}): Timeline {
  return mustValidate({
    timeline: {
      name: o.name,
      duration: o.duration,
      fps: o.fps,
      resolution: o.resolution,
      ...(o.loop !== undefined ? { loop: o.loop } : {}),
      ...(o.testPattern !== undefined ? { fallback: { test_pattern: o.testPattern } } : {}),
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
        ...(o.overlays ? { overlays: o.overlays } : {}),
      },
    },
  }).timeline;
}

/** An overlay track (raw JSON, for cameraTimeline's `overlays`) of show_overlay cues. */
export function overlayTrack(
  trackId: string,
  layer: number,
  ...cues: ReadonlyArray<{
    id: string;
    start_time: number;
    duration: number;
    params: Record<string, unknown>;
  }>
): Record<string, unknown> {
  return {
    track_id: trackId,
    type: 'overlay',
    layer,
    cues: cues.map((cue) => ({ ...cue, action: 'show_overlay' })),
  };
}

/** A stored-timeline document of one camera (camera 1) for the whole timeline: what show control,
 *  schedule and route tests need when the picture itself does not matter. */
export function oneCameraShow(name: string, o: { duration?: number; loop?: boolean } = {}) {
  const duration = o.duration ?? 60;
  return {
    timeline: cameraTimeline({
      name,
      duration,
      fps: 30,
      resolution: '320x180',
      loop: o.loop ?? true,
      cues: [{ camera: 1, start: 0, duration }],
    }),
  };
}
