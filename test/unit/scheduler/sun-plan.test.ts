// Planning windows that follow the sun (pure): edges at sunrise/sunset ± minutes at a position,
// an overnight sunset→sunrise window, the days a polar night or midnight sun leaves out, and no
// window at all without a position.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEEKDAYS } from '../../../src/core/calendar.ts';
import { upcomingDays, upcomingRuns, type WindowRule } from '../../../src/scheduler/plan.ts';
import { sunEventOn } from '../../../src/scheduler/sun.ts';

const GREENWICH = { latitude: 51.4769, longitude: -0.0005 };
const TROMSO = { latitude: 69.6492, longitude: 18.9553 };
const sunrise = (offset_minutes = 0) => ({ sun: 'sunrise' as const, offset_minutes });
const sunset = (offset_minutes = 0) => ({ sun: 'sunset' as const, offset_minutes });

function rule(
  start: WindowRule['start'],
  end: WindowRule['end'],
  position: WindowRule['position'],
): WindowRule {
  return { id: 1, enabled: true, days: [...WEEKDAYS], start, end, position };
}

describe('sun-based windows', () => {
  it('edges are the day’s sunrise and sunset moved by their offsets', () => {
    const [run] = upcomingRuns(
      rule(sunrise(-30), sunset(45), GREENWICH),
      'Europe/London',
      Date.parse('2026-03-07T00:00:00Z'),
      1,
    );
    const day = { year: 2026, month: 3, day: 7 };
    assert.equal(run!.date, '2026-03-07');
    assert.equal(run!.start, sunEventOn(day, GREENWICH, 'sunrise')! - 30 * 60_000);
    assert.equal(run!.end, sunEventOn(day, GREENWICH, 'sunset')! + 45 * 60_000);
  });

  it('sunset to sunrise runs overnight, ending at the next morning’s sunrise', () => {
    const [run] = upcomingRuns(
      rule(sunset(), sunrise(), GREENWICH),
      'Europe/London',
      Date.parse('2026-03-07T12:00:00Z'),
      1,
    );
    assert.equal(run!.date, '2026-03-07');
    assert.equal(run!.end, sunEventOn({ year: 2026, month: 3, day: 8 }, GREENWICH, 'sunrise'));
  });

  it('mixes a clock time with a sun edge: 22:00 until sunrise ends the next morning', () => {
    const [run] = upcomingRuns(
      rule('22:00', sunrise(10), GREENWICH),
      'Europe/London',
      Date.parse('2026-07-01T12:00:00Z'),
      1,
    );
    assert.equal(new Date(run!.start).toISOString(), '2026-07-01T21:00:00.000Z');
    assert.equal(run!.end, sunEventOn({ year: 2026, month: 7, day: 2 }, GREENWICH, 'sunrise')! + 10 * 60_000);
  });

  it('the polar night has no sunrise: those days are skipped and say why', () => {
    const now = Date.parse('2026-12-20T12:00:00Z');
    const days = upcomingDays(rule(sunrise(), '14:00', TROMSO), 'Europe/Oslo', now, 3);
    assert.deepEqual(
      days.map((day) => ('start' in day ? day.date : `${day.date} ${day.reason}`)),
      ['2026-12-20 no_sunrise', '2026-12-21 no_sunrise', '2026-12-22 no_sunrise'],
    );
    const [next] = upcomingRuns(rule(sunrise(), '14:00', TROMSO), 'Europe/Oslo', now, 1);
    assert.ok(next && next.date >= '2027-01-10', `the first window after the polar night: ${next?.date}`);
  });

  it('the midnight sun has no sunset: a window ending at sunset does not run', () => {
    const days = upcomingDays(
      rule('08:00', sunset(), TROMSO),
      'Europe/Oslo',
      Date.parse('2026-06-21T00:00:00Z'),
      2,
    );
    assert.deepEqual(
      days.map((day) => ('reason' in day ? day.reason : 'run')),
      ['no_sunset', 'no_sunset'],
    );
  });

  it('without a position a sun-based window never runs', () => {
    assert.deepEqual(
      upcomingRuns(rule(sunrise(), '12:00', null), 'UTC', Date.parse('2026-03-07T00:00:00Z'), 1),
      [],
    );
  });
});
