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
//
// An edge may follow the sun instead: the day's sunrise or sunset at the appliance's position
// (src/scheduler/sun.ts), moved by an offset. Those are instants, so daylight-saving changes do not
// touch them; a window whose end comes at or before its start ends at the next day's edge. A day
// the sun does not rise (polar night) or set (polar day) has no sunrise or sunset: a window with
// such an edge does not run that day, and the plan says so (a SunSkip). Without a configured
// position a sun-based window never runs.

import {
  addDays,
  isoDate,
  localParts,
  localToInstant,
  parseTime,
  weekdayOf,
  type Weekday,
} from '../core/calendar.ts';
import { sunEventOn, type Position } from './sun.ts';

/** A window edge: "HH:MM" (or "HH:MM:SS"), 24-hour local wall time, or sunrise/sunset ± minutes. */
export type Edge = string | { sun: 'sunrise' | 'sunset'; offset_minutes: number };

/** What planning needs of a schedule. */
export interface WindowRule {
  id: number;
  enabled: boolean;
  days: readonly Weekday[];
  start: Edge;
  end: Edge;
  /** Where the appliance is, for sun edges (null: not configured). */
  position?: Position | null;
}

/** Why a due day has no window. */
export type SunSkipReason = 'no_sunrise' | 'no_sunset' | 'no_position';

/** A day the schedule is due whose window does not run: a sun edge that does not happen. */
export interface SunSkip {
  scheduleId: number;
  date: string;
  day: Weekday;
  reason: SunSkipReason;
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

type CalendarDate = { year: number; month: number; day: number };

/** A sun edge's instant on a date, or why it has none. */
function sunEdgeOn(
  edge: Exclude<Edge, string>,
  position: Position | null | undefined,
  date: CalendarDate,
): number | SunSkipReason {
  if (!position) return 'no_position';
  const at = sunEventOn(date, position, edge.sun);
  if (at === null) return edge.sun === 'sunrise' ? 'no_sunrise' : 'no_sunset';
  return at + edge.offset_minutes * 60_000;
}

/** A window with a sun edge: instants throughout; an end at or before the start is the next day's. */
function sunWindowOn(rule: WindowRule, zone: string, date: CalendarDate, day: Weekday): Run | SunSkip | null {
  const edgeOn = (edge: Edge, on: CalendarDate): number | SunSkipReason | null => {
    if (typeof edge !== 'string') return sunEdgeOn(edge, rule.position, on);
    const time = parseTime(edge);
    return time ? localToInstant(zone, { ...on, ...time }) : null;
  };
  const skip = (reason: SunSkipReason): SunSkip => ({
    scheduleId: rule.id,
    date: isoDate(date),
    day,
    reason,
  });
  const startAt = edgeOn(rule.start, date);
  if (startAt === null) return null;
  if (typeof startAt === 'string') return skip(startAt);
  let endAt = edgeOn(rule.end, date);
  if (endAt === null) return null;
  if (typeof endAt === 'string') return skip(endAt);
  if (endAt <= startAt) {
    endAt = edgeOn(rule.end, addDays(date, 1));
    if (endAt === null) return null;
    if (typeof endAt === 'string') return skip(endAt);
    if (endAt <= startAt) return null; // a large negative offset: no room left
  }
  return { scheduleId: rule.id, start: startAt, end: endAt, date: isoDate(date), day };
}

function isRun(outcome: Run | SunSkip): outcome is Run {
  return 'start' in outcome;
}

/** The window starting on one local date, if the schedule has one that day (or why not). */
function windowOn(rule: WindowRule, zone: string, date: CalendarDate): Run | SunSkip | null {
  const day = weekdayOf(date.year, date.month, date.day);
  if (!rule.days.includes(day)) return null;
  if (typeof rule.start !== 'string' || typeof rule.end !== 'string')
    return sunWindowOn(rule, zone, date, day);
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
  return upcoming(rule, zone, now, count, horizonDays, false).filter(isRun);
}

/** Like upcomingRuns, with the due days from today on that do not run (sun edges) in between: at
 *  most `count` entries in all (what the schedule list shows as its next dates). */
export function upcomingDays(
  rule: WindowRule,
  zone: string,
  now: number,
  count: number,
  horizonDays = 400,
): Array<Run | SunSkip> {
  return upcoming(rule, zone, now, count, horizonDays, true);
}

function upcoming(
  rule: WindowRule,
  zone: string,
  now: number,
  count: number,
  horizonDays: number,
  withSkips: boolean,
): Array<Run | SunSkip> {
  if (!rule.enabled || rule.days.length === 0 || count <= 0) return [];
  const today = localParts(zone, now);
  const found: Array<Run | SunSkip> = [];
  // A window that crossed midnight may have started yesterday.
  for (let offset = -1; offset <= horizonDays && found.length < count; offset++) {
    const outcome = windowOn(rule, zone, addDays(today, offset));
    if (!outcome) continue;
    if (isRun(outcome)) {
      if (outcome.end > now) found.push(outcome);
    } else if (withSkips && offset >= 0) found.push(outcome);
  }
  return found;
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
