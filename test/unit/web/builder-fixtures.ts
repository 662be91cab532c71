// Shared inputs of the timeline builder's unit tests: a catalog as the appliance lists it, a
// stored document with every kind of cue, and a deep freeze to prove that changes copy.
import type { Catalog } from '../../../web/src/pages/timelines/builder/catalog.ts';
import type { TimelineInput } from '../../../src/timeline/schema.ts';

export function catalog(): Catalog {
  return {
    cameras: [
      { id: 1, name: 'Dock', enabled: true },
      { id: 2, name: 'Harbour PTZ', enabled: true },
    ],
    presets: new Map([
      [1, []],
      [2, [{ id: 7, camera_id: 2, name: 'Wide' }]],
    ]),
    assets: [
      { id: 10, asset_type: 'video', filename: 'promo.mp4', file_path: 'media/promo.mp4' },
      { id: 11, asset_type: 'image', filename: 'logo.png', file_path: 'media/logo.png' },
      { id: 12, asset_type: 'audio', filename: 'jingle.mp3', file_path: 'media/jingle.mp3' },
    ],
    loading: false,
    error: null,
  };
}

/** A stored document in the form the builder writes back: no undefined values, defaults filled in. */
export function storedDocument(): { timeline: TimelineInput } {
  return {
    timeline: {
      id: 'morning',
      name: 'Morning show',
      description: 'Harbour in the morning',
      duration: 120,
      fps: 25,
      resolution: '1280x720',
      loop: true,
      tracks: {
        video: {
          track_id: 'video',
          type: 'video',
          name: 'Video',
          cues: [
            {
              id: 'cam1_1',
              start_time: 0,
              duration: 30,
              action: 'show_camera',
              params: { camera_id: 1, transition: 'cut' },
            },
            {
              id: 'cam2_1',
              start_time: 30,
              duration: 40.5,
              action: 'show_camera',
              params: { camera_id: 2, preset_id: 'Wide', transition: 'dissolve', transition_duration: 1.5 },
            },
            {
              id: 'clip_1',
              start_time: 70.5,
              duration: 20,
              action: 'show_media',
              params: {
                asset_id: 10,
                media_type: 'video',
                loop: true,
                transition: 'fade',
                transition_duration: 1,
              },
            },
          ],
        },
        overlays: [
          {
            track_id: 'overlays_1',
            type: 'overlay',
            name: 'Titles',
            layer: 1,
            enabled: true,
            cues: [
              {
                id: 'lower_third_1',
                start_time: 5,
                duration: 10,
                action: 'show_overlay',
                params: { type: 'lower_third', text: 'Good morning', subtitle: 'From the harbour' },
              },
            ],
          },
          {
            track_id: 'overlays_2',
            type: 'overlay',
            layer: 2,
            enabled: false,
            cues: [
              {
                id: 'logo_1',
                start_time: 0,
                duration: 120,
                action: 'show_overlay',
                params: { type: 'logo', asset_id: 11, position: 'top_right', opacity: 0.8 },
              },
            ],
          },
        ],
      },
      fallback: { backup_camera_id: 1, test_pattern: '/media/logo.png' },
    },
  };
}

/** Freezes a value and everything in it: a change that mutates its input throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
