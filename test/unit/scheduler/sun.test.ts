// The sun calculator against published almanac tables (sunrise and sunset to the minute, standard
// −0.833° altitude), allowing 2 minutes: Greenwich and Sydney at both solstices, and Tromsø's
// polar day and polar night.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sunDay, sunEventOn, type Position } from '../../../src/scheduler/sun.ts';

const GREENWICH: Position = { latitude: 51.4769, longitude: -0.0005 };
const SYDNEY: Position = { latitude: -33.8688, longitude: 151.2093 };
const TROMSO: Position = { latitude: 69.6492, longitude: 18.9553 };
const TOLERANCE_MS = 2 * 60_000;

function assertNear(actual: number | null, expectedIso: string, what: string): void {
  assert.ok(actual !== null, `${what}: expected ${expectedIso}, got none`);
  const off = Math.abs(actual - Date.parse(expectedIso));
  assert.ok(
    off <= TOLERANCE_MS,
    `${what}: ${new Date(actual).toISOString()} is ${off / 1000} s from ${expectedIso}`,
  );
}

describe('sunrise and sunset (published almanac tables, within 2 minutes)', () => {
  it('Greenwich at midsummer: 04:43 and 21:21 BST', () => {
    const day = { year: 2026, month: 6, day: 21 };
    assertNear(sunEventOn(day, GREENWICH, 'sunrise'), '2026-06-21T03:43:00Z', 'sunrise');
    assertNear(sunEventOn(day, GREENWICH, 'sunset'), '2026-06-21T20:21:00Z', 'sunset');
  });

  it('Greenwich at midwinter: 08:04 and 15:54 GMT', () => {
    const day = { year: 2026, month: 12, day: 21 };
    assertNear(sunEventOn(day, GREENWICH, 'sunrise'), '2026-12-21T08:04:00Z', 'sunrise');
    assertNear(sunEventOn(day, GREENWICH, 'sunset'), '2026-12-21T15:54:00Z', 'sunset');
  });

  it('Sydney in its summer (05:41 and 20:05 AEDT) and its winter (07:00 and 16:54 AEST)', () => {
    const summer = { year: 2026, month: 12, day: 21 };
    assertNear(sunEventOn(summer, SYDNEY, 'sunrise'), '2026-12-20T18:41:00Z', 'summer sunrise');
    assertNear(sunEventOn(summer, SYDNEY, 'sunset'), '2026-12-21T09:05:00Z', 'summer sunset');
    const winter = { year: 2026, month: 6, day: 21 };
    assertNear(sunEventOn(winter, SYDNEY, 'sunrise'), '2026-06-20T21:00:00Z', 'winter sunrise');
    assertNear(sunEventOn(winter, SYDNEY, 'sunset'), '2026-06-21T06:54:00Z', 'winter sunset');
  });

  it('Tromsø: the midnight sun at midsummer, the polar night at midwinter', () => {
    assert.deepEqual(sunDay({ year: 2026, month: 6, day: 21 }, TROMSO), { kind: 'always_up' });
    assert.deepEqual(sunDay({ year: 2026, month: 12, day: 21 }, TROMSO), { kind: 'always_down' });
    assert.equal(sunEventOn({ year: 2026, month: 12, day: 21 }, TROMSO, 'sunrise'), null);
    // In March the Sun rises and sets there as anywhere.
    assert.equal(sunDay({ year: 2026, month: 3, day: 20 }, TROMSO).kind, 'rises_and_sets');
  });
});
