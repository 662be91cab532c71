// Schedules: the one schema for a schedule as the API takes it and the store keeps it, and the
// shapes the API answers with (shared with the web UI).
import { z } from 'zod';
import { parseTime, WEEKDAYS } from '../core/calendar.ts';

const time = z
  .string()
  .refine((text) => parseTime(text) !== null, { error: 'must be a 24-hour time like 07:30 (or 07:30:15)' });

export const ScheduleInputSchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'is required' }).max(100),
  enabled: z.boolean().default(true),
  days: z
    .array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` }))
    .min(1, { error: 'choose at least one day' })
    .refine((days) => new Set(days).size === days.length, { error: 'lists a day twice' }),
  /** Local wall time in the appliance's time zone. */
  start_time: time,
  /** At or before start_time: the window ends the next day (equal: a whole day). */
  end_time: time,
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
  start_time: z.string(),
  end_time: z.string(),
  timeline_ids: z.array(z.number()),
  destination_ids: z.array(z.number()),
  created_at: z.string(),
  modified_at: z.string(),
  time_zone: z.string().meta({ description: 'The appliance zone the times are in' }),
  next_runs: z.array(ScheduleRunView),
  last_event: ScheduleEventView.nullable(),
  on_air: z.boolean().meta({ description: 'Its show is on air now' }),
});
export type ScheduleDetails = z.infer<typeof ScheduleView>;
