// Schedules: the one schema for a schedule as the API takes it and the store keeps it, and the
// shapes the API answers with (shared with the web UI).
import { z } from 'zod';
import { parseTime, WEEKDAYS } from '../core/calendar.ts';

const time = z
  .string()
  .refine((text) => parseTime(text) !== null, { error: 'must be a 24-hour time like 07:30 (or 07:30:15)' });

export const SUN_EVENTS = ['sunrise', 'sunset'] as const;
export type SunEventName = (typeof SUN_EVENTS)[number];
export const MAX_SUN_OFFSET_MINUTES = 180;

/** A window edge at the day's sunrise or sunset at the appliance's position, moved by an offset. */
export const SunTimeSchema = z.strictObject({
  sun: z.enum(SUN_EVENTS, { error: 'must be sunrise or sunset' }),
  offset_minutes: z
    .number({ error: 'must be a number of minutes' })
    .int({ error: 'must be a whole number of minutes' })
    .min(-MAX_SUN_OFFSET_MINUTES, { error: `must be at least -${MAX_SUN_OFFSET_MINUTES} minutes` })
    .max(MAX_SUN_OFFSET_MINUTES, { error: `must be at most ${MAX_SUN_OFFSET_MINUTES} minutes` })
    .default(0),
});
export type SunTime = z.output<typeof SunTimeSchema>;

/** A clock time, or a sunrise/sunset with an offset; the mistake is reported at the field it is in. */
const windowEdge = z.union([time, SunTimeSchema], {
  error: 'must be a 24-hour time like 07:30, or {"sun": "sunrise" or "sunset", "offset_minutes": -180..180}',
});
export type WindowEdge = z.output<typeof windowEdge>;

/** True for an edge that follows the sun. */
export function isSunTime(edge: WindowEdge): edge is SunTime {
  return typeof edge === 'object';
}

export const ScheduleInputSchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'is required' }).max(100),
  enabled: z.boolean().default(true),
  days: z
    .array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` }))
    .min(1, { error: 'choose at least one day' })
    .refine((days) => new Set(days).size === days.length, { error: 'lists a day twice' }),
  /** Local wall time in the appliance's time zone, or sunrise/sunset ± minutes at its position. */
  start_time: windowEdge,
  /** At or before start_time: the window ends the next day (equal: a whole day). */
  end_time: windowEdge,
  /** Played in this order, looping within the window. */
  timeline_ids: z
    .array(z.number().int().positive({ error: 'must be a timeline number' }))
    .min(1, { error: 'choose at least one timeline' })
    .max(20),
  destination_ids: z
    .array(z.number().int().positive({ error: 'must be a destination number' }))
    .max(10)
    .refine((ids) => new Set(ids).size === ids.length, { error: 'lists a destination twice' })
    .default([]),
});
export type ScheduleInput = z.input<typeof ScheduleInputSchema>;
export type ScheduleValues = z.output<typeof ScheduleInputSchema>;

export const SCHEDULE_EVENT_KINDS = [
  'started',
  'next_timeline',
  'stopped',
  'completed',
  'skipped',
  'failed',
  'operator_stopped',
  'resumed',
] as const;
export type ScheduleEventKind = (typeof SCHEDULE_EVENT_KINDS)[number];

export const ScheduleRunView = z.object({
  start: z.string().meta({ description: 'ISO instant' }),
  end: z.string(),
  date: z.string().meta({ description: 'Local date the window starts on' }),
  day: z.enum(WEEKDAYS),
  onAirNow: z.boolean().meta({ description: 'The window is on now' }),
});
export type ScheduleRun = z.infer<typeof ScheduleRunView>;

/** A day the schedule is due but does not run: its sunrise or sunset does not happen (or the
 *  appliance position, which places them, is not set). */
export const ScheduleSunSkipView = z.object({
  date: z.string(),
  day: z.enum(WEEKDAYS),
  reason: z
    .enum(['no_sunrise', 'no_sunset', 'no_position'])
    .meta({ description: 'Polar night, midnight sun, or the appliance position is not set' }),
});
export type ScheduleSunSkip = z.infer<typeof ScheduleSunSkipView>;

export const ScheduleEventView = z.object({
  id: z.number(),
  schedule_id: z.number().nullable(),
  at: z.string(),
  kind: z.enum(SCHEDULE_EVENT_KINDS),
  window_start: z.string(),
  window_end: z.string(),
  execution_id: z.number().nullable(),
  timeline_id: z.number().nullable(),
  detail: z.string().nullable(),
});
export type ScheduleEvent = z.infer<typeof ScheduleEventView>;

export const ScheduleView = z.object({
  id: z.number(),
  name: z.string(),
  enabled: z.boolean(),
  days: z.array(z.enum(WEEKDAYS)),
  start_time: z.union([z.string(), SunTimeSchema]),
  end_time: z.union([z.string(), SunTimeSchema]),
  timeline_ids: z.array(z.number()),
  destination_ids: z.array(z.number()),
  created_at: z.string(),
  modified_at: z.string(),
  time_zone: z.string().meta({ description: 'The appliance zone the times are in' }),
  next_runs: z.array(ScheduleRunView),
  /** Due days among the next runs' span that do not run: no sunrise or sunset there that day. */
  sun_skips: z.array(ScheduleSunSkipView),
  last_event: ScheduleEventView.nullable(),
  on_air: z.boolean().meta({ description: 'Its show is on air now' }),
});
export type ScheduleDetails = z.infer<typeof ScheduleView>;
