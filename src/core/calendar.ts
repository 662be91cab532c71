// Calendar and time-zone arithmetic (pure): local wall time in a named zone, the instant a local
// time happens (daylight-saving gaps and repeats resolved), weekdays and dates. No clock: every
// function takes its instant. Intl.DateTimeFormat only. On the ground floor: the configuration,
// the store's schedule rows, the domain schemas, the API and the scheduler all use it.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

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

/** The weekday of a date in the proleptic Gregorian calendar. */
export function weekdayOf(year: number, month: number, day: number): Weekday {
  // getUTCDay: 0 = Sunday.
  return WEEKDAYS[(new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7]!;
}

/** The date `days` later (earlier when negative). */
export function addDays(date: { year: number; month: number; day: number }, days: number) {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** YYYY-MM-DD. */
export function isoDate(date: { year: number; month: number; day: number }): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}
