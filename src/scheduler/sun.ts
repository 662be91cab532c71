// Sunrise and sunset (pure, no network): the low-precision solar position of Meeus' "Astronomical
// Algorithms" as NOAA publishes it (mean longitude and anomaly, equation of centre, obliquity,
// equation of time), evaluated at the event itself (two refinements), so it agrees with almanac
// tables to about a minute outside the polar circles. The "standard" sunrise: the Sun's upper limb
// on the horizon with refraction, a centre altitude of −0.833°.

export interface Position {
  /** Degrees, north positive (−90..90). */
  latitude: number;
  /** Degrees, east positive (−180..180). */
  longitude: number;
}

export type SunDay =
  | { kind: 'rises_and_sets'; sunrise: number; sunset: number }
  /** Polar day: the Sun stays above the horizon the whole day. */
  | { kind: 'always_up' }
  /** Polar night: the Sun stays below the horizon the whole day. */
  | { kind: 'always_down' };

export type SunEvent = 'sunrise' | 'sunset';

const DAY_MS = 86_400_000;
const J2000_MS = Date.UTC(2000, 0, 1, 12); // JD 2451545.0
const STANDARD_ALTITUDE = -0.833;
const rad = (degrees: number) => (degrees * Math.PI) / 180;
const deg = (radians: number) => (radians * 180) / Math.PI;

/** The Sun's declination (degrees) and the equation of time (minutes) at an instant. */
function solarPosition(instant: number): { declination: number; equationOfTime: number } {
  const t = (instant - J2000_MS) / DAY_MS / 36525; // Julian centuries since J2000
  const meanLongitude = (((280.46646 + t * (36000.76983 + t * 0.0003032)) % 360) + 360) % 360;
  const meanAnomaly = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const m = rad(meanAnomaly);
  const centre =
    Math.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
    Math.sin(2 * m) * (0.019993 - 0.000101 * t) +
    Math.sin(3 * m) * 0.000289;
  const omega = 125.04 - 1934.136 * t;
  const apparentLongitude = meanLongitude + centre - 0.00569 - 0.00478 * Math.sin(rad(omega));
  const meanObliquity = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60;
  const obliquity = meanObliquity + 0.00256 * Math.cos(rad(omega));
  const declination = deg(Math.asin(Math.sin(rad(obliquity)) * Math.sin(rad(apparentLongitude))));
  const y = Math.tan(rad(obliquity / 2)) ** 2;
  const l0 = rad(meanLongitude);
  const equationOfTime =
    4 *
    deg(
      y * Math.sin(2 * l0) -
        2 * eccentricity * Math.sin(m) +
        4 * eccentricity * y * Math.sin(m) * Math.cos(2 * l0) -
        0.5 * y * y * Math.sin(4 * l0) -
        1.25 * eccentricity * eccentricity * Math.sin(2 * m),
    );
  return { declination, equationOfTime };
}

/** cos of the hour angle at which the Sun's centre is at the standard altitude (may be outside −1..1). */
function cosHourAngle(latitude: number, declination: number): number {
  return (
    (Math.sin(rad(STANDARD_ALTITUDE)) - Math.sin(rad(latitude)) * Math.sin(rad(declination))) /
    (Math.cos(rad(latitude)) * Math.cos(rad(declination)))
  );
}

/** Solar noon near `around` at a longitude (the instant the Sun crosses the meridian). */
function solarNoon(around: number, longitude: number): number {
  const midnight = Math.floor(around / DAY_MS) * DAY_MS;
  let noon = midnight + DAY_MS / 2 - (longitude / 360) * DAY_MS;
  for (let pass = 0; pass < 2; pass++)
    noon = midnight + DAY_MS / 2 - (longitude / 360) * DAY_MS - solarPosition(noon).equationOfTime * 60_000;
  return noon;
}

/**
 * The sunrise and sunset around the solar noon of one calendar date at a position (instants, ms
 * since the epoch): the date is the one of the place's own solar day, which is the local date for
 * any zone that roughly follows its longitude.
 */
export function sunDay(date: { year: number; month: number; day: number }, position: Position): SunDay {
  const midnightUtc = Date.UTC(date.year, date.month - 1, date.day);
  const noon = solarNoon(midnightUtc + DAY_MS / 2 - (position.longitude / 360) * DAY_MS, position.longitude);
  const atNoon = cosHourAngle(position.latitude, solarPosition(noon).declination);
  if (atNoon > 1) return { kind: 'always_down' };
  if (atNoon < -1) return { kind: 'always_up' };
  const event = (sign: -1 | 1): number | null => {
    let instant = noon + (sign * deg(Math.acos(atNoon)) * DAY_MS) / 360;
    // The declination and the equation of time move a little between noon and the event.
    for (let pass = 0; pass < 2; pass++) {
      const { declination, equationOfTime } = solarPosition(instant);
      const cos = cosHourAngle(position.latitude, declination);
      if (cos > 1 || cos < -1) return null;
      const transit = noon + (solarPosition(noon).equationOfTime - equationOfTime) * 60_000;
      instant = transit + (sign * deg(Math.acos(cos)) * DAY_MS) / 360;
    }
    return instant;
  };
  const sunrise = event(-1);
  const sunset = event(1);
  // Just at the edge of a polar day or night the refined event may vanish: take noon's verdict.
  if (sunrise === null || sunset === null)
    return atNoon > 0 ? { kind: 'always_down' } : { kind: 'always_up' };
  return { kind: 'rises_and_sets', sunrise, sunset };
}

/** One event's instant on a date, or null when the Sun does not rise (or set) that day. */
export function sunEventOn(
  date: { year: number; month: number; day: number },
  position: Position,
  event: SunEvent,
): number | null {
  const day = sunDay(date, position);
  return day.kind === 'rises_and_sets' ? day[event] : null;
}
