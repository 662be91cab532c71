// Schedule planning (pure): given a schedule's weekly windows in local wall time, a time zone and
// an instant, which window is on now and which come next. No clock, no store: the zone math uses
// Intl.DateTimeFormat only.
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

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

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

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** True for a time zone name Intl knows ("Europe/London", "UTC"). */
export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The machine's zone (honours TZ). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The wall clock in `zone` at an instant. */
export function localParts(zone: string, instant: number): Required<LocalDateTime> {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts['year']!,
    month: parts['month']!,
    day: parts['day']!,
    hour: parts['hour']!,
    minute: parts['minute']!,
    second: parts['second']!,
  };
}

function wallAsUtc(local: LocalDateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
}

/** How far the zone's wall clock is ahead of UTC at an instant (whole seconds). */
export function zoneOffsetMs(zone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallAsUtc(localParts(zone, whole)) - whole;
}

/**
 * The instant a local wall time happens in `zone`: its first occurrence if it happens twice,
 * or the moment the clocks jump if it is skipped.
 */
export function localToInstant(zone: string, local: LocalDateTime): number {
  const wall = wallAsUtc(local);
  // Offsets in force half a day either side cover any one change.
  const offsets = [
    ...new Set([zoneOffsetMs(zone, wall - DAY_MS / 2), zoneOffsetMs(zone, wall + DAY_MS / 2)]),
  ];
  const matches = offsets
    .map((offset) => wall - offset)
    .filter((instant) => wallAsUtc(localParts(zone, instant)) === wall)
    .sort((a, b) => a - b);
  if (matches.length > 0) return matches[0]!;
  // Skipped: the jump lies between the two readings; find it to the second.
  const candidates = offsets.map((offset) => wall - offset).sort((a, b) => a - b);
  let lo = candidates[0]!;
  let hi = candidates.at(-1)!;
  const before = zoneOffsetMs(zone, lo);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (zoneOffsetMs(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** "HH:MM" or "HH:MM:SS" → its parts; null when not a valid 24-hour time. */
export function parseTime(text: string): { hour: number; minute: number; second: number } | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(text);
  return match ? { hour: Number(match[1]), minute: Number(match[2]), second: Number(match[3] ?? 0) } : null;
}

function weekdayOf(year: number, month: number, day: number): Weekday {
  // getUTCDay: 0 = Sunday.
  return WEEKDAYS[(new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7]!;
}

function addDays(date: { year: number; month: number; day: number }, days: number) {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

function isoDate(date: { year: number; month: number; day: number }): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
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
