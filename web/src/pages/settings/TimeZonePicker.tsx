// The time zone as a searchable list of IANA zones: a search box narrows the list, each zone shows
// its offset from UTC and its time now; the saved zone is selected when the page opens.
import { useEffect, useId, useMemo, useState } from 'react';
import { describeZone, filterZones, zoneLocalTime, zoneOffset, zonesNow } from './time-zones.ts';

/** The browser's IANA list, with UTC (which the list leaves out). */
function browserZones(): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

/** A Date that changes each minute, so the times shown stay true. */
function useMinute(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), 60_000 - (Date.now() % 60_000));
    return () => window.clearInterval(timer);
  }, [now]);
  return now;
}

export function TimeZonePicker({
  value,
  onChange,
  error,
}: {
  /** The chosen zone; null: the appliance's system zone. */
  value: string | null;
  onChange: (zone: string | null) => void;
  error?: string | undefined;
}) {
  const id = useId();
  const [search, setSearch] = useState('');
  const now = useMinute();
  const zones = useMemo(() => browserZones(), []);
  const atNow = useMemo(() => zonesNow(zones, now), [zones, now]);
  const offsetOf = (zone: string): string => atNow.get(zone)?.offset ?? '';
  const shown = filterZones(zones, search, offsetOf, value);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const describe = (zone: string): string =>
    describeZone(zone, atNow.get(zone) ?? { offset: zoneOffset(zone, now), time: zoneLocalTime(zone, now) });

  return (
    <div className={`field zone-picker${error ? ' field-invalid' : ''}`}>
      <label htmlFor={`${id}-search`}>Find a time zone</label>
      <input
        id={`${id}-search`}
        type="search"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
        placeholder="A city or region, e.g. Berlin, New York, +05:30"
        autoComplete="off"
        spellCheck={false}
      />
      <label htmlFor={`${id}-zone`}>Time zone</label>
      <select
        id={`${id}-zone`}
        size={8}
        value={value ?? ''}
        onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-chosen`}
      >
        <option value="">The appliance’s system zone</option>
        {shown.map((zone) => (
          <option key={zone} value={zone}>
            {describe(zone)}
          </option>
        ))}
      </select>
      <small id={`${id}-chosen`} className={error ? 'field-error' : 'hint'} data-testid="zone-chosen">
        {error
          ? error
          : value
            ? `Chosen: ${describe(value)}. Schedules start and stop in this zone.`
            : `Chosen: the appliance’s system zone (this browser is in ${browserZone}). Schedules start and stop in it.`}
      </small>
      {search && shown.length === (value ? 1 : 0) ? (
        <small className="hint">No time zone matches “{search}”.</small>
      ) : null}
    </div>
  );
}
