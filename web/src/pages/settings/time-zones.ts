// The time-zone picker's words (pure): each IANA zone with its offset from UTC and its local time
// now, and the search that narrows the list ("berlin", "new york", "+05:30").

/** "UTC+01:00" (UTC itself reads "UTC+00:00"), at the given moment (summer time counts). */
export function zoneOffset(zone: string, now: Date): string {
  const part = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(now)
    .find((p) => p.type === 'timeZoneName')?.value;
  // "GMT+01:00", or plain "GMT" at offset zero.
  const offset = part?.replace(/^GMT/, '') ?? '';
  return `UTC${offset === '' ? '+00:00' : offset}`;
}

/** The zone's wall-clock time, "15:04". */
export function zoneLocalTime(zone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(now);
}

/** "America/New_York" → "America/New York" (how people write it). */
export function zoneName(zone: string): string {
  return zone.replaceAll('_', ' ');
}

export interface ZoneNow {
  offset: string;
  time: string;
}

/** Every zone's offset and local time at one moment (the picker remakes it each minute). */
export function zonesNow(zones: readonly string[], now: Date): Map<string, ZoneNow> {
  return new Map(
    zones.map((zone) => [zone, { offset: zoneOffset(zone, now), time: zoneLocalTime(zone, now) }]),
  );
}

/** One option's text: "Europe/Berlin — UTC+01:00, now 15:04". */
export function describeZone(zone: string, at: ZoneNow): string {
  return `${zoneName(zone)} — ${at.offset}, now ${at.time}`;
}

/**
 * The zones whose name or offset contains every word of the search (any case, spaces for
 * underscores); the current choice stays in the list so the select never loses it.
 */
export function filterZones(
  zones: readonly string[],
  search: string,
  offsetOf: (zone: string) => string,
  current: string | null,
): string[] {
  const words = search.toLowerCase().replaceAll('_', ' ').split(/\s+/).filter(Boolean);
  const found =
    words.length === 0
      ? [...zones]
      : zones.filter((zone) => {
          const text = `${zoneName(zone)} ${offsetOf(zone)}`.toLowerCase();
          return words.every((word) => text.includes(word));
        });
  if (current && !found.includes(current)) found.unshift(current);
  return found;
}
