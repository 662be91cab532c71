// Schedule planning (pure): given a schedule's weekly windows in local wall time, a time zone and
// an instant, which window is on now and which come next. No clock, no store: the zone math is
// src/core/calendar.ts.
//
// The rules for daylight-saving changes (a window is defined in local wall time):
// - A start or end time that does not exist that day (the hour skipped when clocks go forward)
//   means the first valid instant after it: the moment the clocks jump.
// - A time that happens twice (the hour repeated when clocks go back) is taken once: its first
//   occurrence. So a window never runs twice on the fall-back day.
// - A window whose start and end both fall in the skipped hour collapses to nothing and does
//   not run that day.
// - End before or equal to start crosses midnight: the window ends on the next day (equal times: a
//   whole day, 23 or 25 hours on a change day).

import {
  addDays,
  isoDate,
  localParts,
  localToInstant,
  parseTime,
  weekdayOf,
  type Weekday,
} from '../core/calendar.ts';

/** What planning needs of a schedule. Times are "HH:MM" (or "HH:MM:SS"), 24-hour, local wall time. */
export interface WindowRule {
  id: number;
  enabled: boolean;
  days: readonly Weekday[];
  start: string;
  end: string;
}

/** One window of one schedule, as instants (ms since the epoch). */
export interface Run {
  scheduleId: number;
  start: number;
  end: number;
  /** The local date the window starts on (YYYY-MM-DD) and its weekday. */
  date: string;
  day: Weekday;
}

/** The window starting on one local date, if the schedule has one that day. */
function windowOn(
  rule: WindowRule,
  zone: string,
  date: { year: number; month: number; day: number },
): Run | null {
  const day = weekdayOf(date.year, date.month, date.day);
  if (!rule.days.includes(day)) return null;
  const start = parseTime(rule.start);
  const end = parseTime(rule.end);
  if (!start || !end) return null;
  const crosses =
    end.hour * 3600 + end.minute * 60 + end.second <= start.hour * 3600 + start.minute * 60 + start.second;
  const startAt = localToInstant(zone, { ...date, ...start });
  const endAt = localToInstant(zone, { ...(crosses ? addDays(date, 1) : date), ...end });
  if (endAt <= startAt) return null; // both ends in the skipped hour
  return { scheduleId: rule.id, start: startAt, end: endAt, date: isoDate(date), day };
}

/** The schedule's windows that have not ended at `now`, in order (the one on now first), at most
 *  `count`, looking at most `horizonDays` ahead. A disabled schedule has none. */
export function upcomingRuns(
  rule: WindowRule,
  zone: string,
  now: number,
  count: number,
  horizonDays = 400,
): Run[] {
  if (!rule.enabled || rule.days.length === 0 || count <= 0) return [];
  const today = localParts(zone, now);
  const runs: Run[] = [];
  // A window that crossed midnight may have started yesterday.
  for (let offset = -1; offset <= horizonDays && runs.length < count; offset++) {
    const run = windowOn(rule, zone, addDays(today, offset));
    if (run && run.end > now) runs.push(run);
  }
  return runs;
}

/** The schedule's window on at `now` (start ≤ now < end), if any. */
export function activeRun(rule: WindowRule, zone: string, now: number): Run | null {
  const [first] = upcomingRuns(rule, zone, now, 1, 1);
  return first && first.start <= now ? first : null;
}

export interface SchedulePlan {
  /** The window that should be on air: of the schedules on now, the one that started first
   *  (then the lowest id). */
  active: Run | null;
  /** Other schedules on now, which give way to `active`. */
  overlapping: Run[];
  /** Upcoming windows of every schedule (not yet started), soonest first, at most `count`. */
  next: Run[];
}

/** Every schedule at once: what should be on air now and what comes next. */
export function planSchedules(
  rules: readonly WindowRule[],
  zone: string,
  now: number,
  count: number,
): SchedulePlan {
  const onNow = rules
    .map((rule) => activeRun(rule, zone, now))
    .filter((run): run is Run => run !== null)
    .sort((a, b) => a.start - b.start || a.scheduleId - b.scheduleId);
  const next = rules
    .flatMap((rule) => upcomingRuns(rule, zone, now, count + 1).filter((run) => run.start > now))
    .sort((a, b) => a.start - b.start || a.scheduleId - b.scheduleId)
    .slice(0, count);
  return { active: onNow[0] ?? null, overlapping: onNow.slice(1), next };
}
