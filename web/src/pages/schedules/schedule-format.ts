// How the Schedules page words days and runs (in the appliance's zone, not the browser's).
import type { ScheduleRun, ScheduleSunSkip, WindowEdge } from '../../../../src/domain/schedule.ts';

export const DAY_LABELS = [
  { id: 'mon', short: 'Mon', long: 'Monday' },
  { id: 'tue', short: 'Tue', long: 'Tuesday' },
  { id: 'wed', short: 'Wed', long: 'Wednesday' },
  { id: 'thu', short: 'Thu', long: 'Thursday' },
  { id: 'fri', short: 'Fri', long: 'Friday' },
  { id: 'sat', short: 'Sat', long: 'Saturday' },
  { id: 'sun', short: 'Sun', long: 'Sunday' },
] as const;
export type DayId = (typeof DAY_LABELS)[number]['id'];

/** "Sat 28 Nov, 09:00 – 12:30" (the end's date added when it is another day). */
export function formatRun(run: ScheduleRun, zone: string): string {
  const day = new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  const time = new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const start = new Date(run.start);
  const end = new Date(run.end);
  const sameDay = day.format(start) === day.format(end);
  return `${day.format(start)}, ${time.format(start)} – ${sameDay ? '' : `${day.format(end)}, `}${time.format(end)}`;
}

/** "07:30", "Sunrise", "Sunrise + 15 min", "Sunset − 30 min". */
export function describeEdge(edge: WindowEdge): string {
  if (typeof edge === 'string') return edge;
  const name = edge.sun === 'sunrise' ? 'Sunrise' : 'Sunset';
  if (edge.offset_minutes === 0) return name;
  return `${name} ${edge.offset_minutes > 0 ? '+' : '−'} ${Math.abs(edge.offset_minutes)} min`;
}

/** "Mon 1 Dec: no sunrise, does not run" — a due day a polar night or the midnight sun leaves out. */
export function formatSunSkip(skip: ScheduleSunSkip): string {
  const [year, month, day] = skip.date.split('-').map(Number);
  const date = new Intl.DateTimeFormat(undefined, {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  }).format(new Date(Date.UTC(year!, month! - 1, day!)));
  const why =
    skip.reason === 'no_position'
      ? 'the appliance position is not set (Settings)'
      : `no ${skip.reason === 'no_sunrise' ? 'sunrise' : 'sunset'}`;
  return `${date}: ${why}, does not run`;
}
