// The daily time-lapse's settings (one stored value, "timelapse.settings"): off by default, so a
// venue that never asked for it spends no disk or CPU on it. Shared by the API, the collector and
// the web UI's settings card.
import { z } from 'zod';
import { parseTime } from '../core/calendar.ts';

export const TIMELAPSE_SETTING = 'timelapse.settings';

export const TIMELAPSE_SIZES = ['640x360', '1280x720', '1920x1080'] as const;
export type TimelapseSize = (typeof TIMELAPSE_SIZES)[number];

/** Seconds between snapshots; 1 s is allowed for a quick look (and the tests' compressed day). */
export const TIMELAPSE_INTERVAL_RANGE = { min: 1, max: 600 } as const;
export const TIMELAPSE_FPS_RANGE = { min: 5, max: 60 } as const;

const clockTime = z
  .string({ error: 'must be a time like 07:30' })
  .refine((text) => /^\d{2}:\d{2}$/.test(text) && parseTime(text) !== null, {
    error: 'must be a time like 07:30',
  });

export const TimelapseSettingsSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }),
  interval_seconds: z
    .number({ error: 'must be a number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(TIMELAPSE_INTERVAL_RANGE.min, {
      error: `must be from ${TIMELAPSE_INTERVAL_RANGE.min} to ${TIMELAPSE_INTERVAL_RANGE.max} seconds`,
    })
    .max(TIMELAPSE_INTERVAL_RANGE.max, {
      error: `must be from ${TIMELAPSE_INTERVAL_RANGE.min} to ${TIMELAPSE_INTERVAL_RANGE.max} seconds`,
    }),
  fps: z
    .number({ error: 'must be a number of frames per second' })
    .int({ error: 'must be a whole number of frames per second' })
    .min(TIMELAPSE_FPS_RANGE.min, {
      error: `must be from ${TIMELAPSE_FPS_RANGE.min} to ${TIMELAPSE_FPS_RANGE.max} frames per second`,
    })
    .max(TIMELAPSE_FPS_RANGE.max, {
      error: `must be from ${TIMELAPSE_FPS_RANGE.min} to ${TIMELAPSE_FPS_RANGE.max} frames per second`,
    }),
  size: z.enum(TIMELAPSE_SIZES, { error: `must be one of ${TIMELAPSE_SIZES.join(', ')}` }),
  /** null: every minute a show is on air; otherwise only between these local times (on air). */
  hours: z.strictObject({ from: clockTime, to: clockTime }).nullable(),
});
export type TimelapseSettings = z.output<typeof TimelapseSettingsSchema>;

export const DEFAULT_TIMELAPSE_SETTINGS: TimelapseSettings = {
  enabled: false,
  interval_seconds: 60,
  fps: 30,
  size: '1280x720',
  hours: null,
};

/** The settings in effect: the stored ones, or the defaults when none (or broken ones) are stored. */
export function timelapseSettings(stored: unknown): TimelapseSettings {
  const parsed = TimelapseSettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : DEFAULT_TIMELAPSE_SETTINGS;
}

export function timelapseSize(size: TimelapseSize): { width: number; height: number } {
  const [width, height] = size.split('x').map(Number);
  return { width: width!, height: height! };
}

/** "2026-12-06": a day of snapshots, in the appliance's time zone. */
export const TIMELAPSE_DAY = /^\d{4}-\d{2}-\d{2}$/;

// What GET /api/timelapses answers (src/api/routes/timelapses.ts), for the API and the page.

export interface TimelapseItem {
  day: string;
  /** Length of the video; null when its sidecar is missing. */
  seconds: number | null;
  frames: number | null;
  fps: number | null;
  /** The video's picture size; null when its sidecar is missing. */
  width: number | null;
  height: number | null;
  bytes: number;
  /** When it was made (ISO). */
  madeAt: string;
  /** Made from the whole day (false: "so far", made on demand before the day ended). */
  complete: boolean;
}

export type TimelapseJobState = 'idle' | 'waiting' | 'encoding' | 'paused' | 'done' | 'failed';

export interface TimelapseJob {
  /** Which encode since the start this is (1, 2, …; 0 before the first): a page that asked for
   *  one knows its answer from an older one. */
  run: number;
  state: TimelapseJobState;
  day: string | null;
  framesDone: number;
  framesTotal: number;
  /** What is happening or happened, in words. */
  message: string | null;
}

export interface TimelapseOverview {
  items: TimelapseItem[];
  today: { day: string; snapshots: number; skippedBusy: number };
  job: TimelapseJob;
  settings: TimelapseSettings;
}
