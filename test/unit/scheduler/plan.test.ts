// Schedule planning at fixed instants: windows opening and closing, crossing midnight, chosen
// weekdays, and the daylight-saving changes of two zones (Europe/London, America/New_York) —
// the skipped hour starts at the jump, the repeated hour is taken once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isValidTimeZone,
  localParts,
  localToInstant,
  WEEKDAYS,
  type Weekday,
} from '../../../src/core/calendar.ts';
import { activeRun, planSchedules, upcomingRuns, type WindowRule } from '../../../src/scheduler/plan.ts';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const EVERY_DAY: Weekday[] = [...WEEKDAYS];

function rule(start: string, end: string, days: Weekday[] = EVERY_DAY, id = 1, enabled = true): WindowRule {
  return { id, enabled, days, start, end };
}

describe('local wall time ↔ instants', () => {
  it('reads the wall clock in a zone', () => {
    // 2026-07-01 12:00 UTC is 13:00 BST and 08:00 EDT.
    assert.deepEqual(localParts(LONDON, at('2026-07-01T12:00:00Z')), {
      year: 2026,
      month: 7,
      day: 1,
      hour: 13,
      minute: 0,
      second: 0,
    });
    assert.equal(localParts(NEW_YORK, at('2026-07-01T12:00:00Z')).hour, 8);
    assert.equal(localParts(NEW_YORK, at('2026-01-15T00:30:00Z')).day, 14, 'still the day before');
  });

  it('an ordinary time maps to one instant (winter and summer offsets)', () => {
    assert.equal(
      iso(localToInstant(LONDON, { year: 2026, month: 1, day: 10, hour: 9, minute: 0 })),
      '2026-01-10T09:00:00.000Z',
    );
    assert.equal(
      iso(localToInstant(LONDON, { year: 2026, month: 7, day: 10, hour: 9, minute: 0 })),
      '2026-07-10T08:00:00.000Z',
    );
    assert.equal(
      iso(localToInstant(NEW_YORK, { year: 2026, month: 1, day: 10, hour: 9, minute: 0 })),
      '2026-01-10T14:00:00.000Z',
    );
    assert.equal(
      iso(localToInstant(NEW_YORK, { year: 2026, month: 7, day: 10, hour: 9, minute: 0 })),
      '2026-07-10T13:00:00.000Z',
    );
  });

  it('a skipped time (spring forward) is the moment the clocks jump', () => {
    // London 2026-03-29: 01:00 GMT → 02:00 BST (01:00Z).
    assert.equal(
      iso(localToInstant(LONDON, { year: 2026, month: 3, day: 29, hour: 1, minute: 30 })),
      '2026-03-29T01:00:00.000Z',
    );
    assert.equal(
      iso(localToInstant(LONDON, { year: 2026, month: 3, day: 29, hour: 1, minute: 0 })),
      '2026-03-29T01:00:00.000Z',
    );
    assert.equal(
      iso(localToInstant(LONDON, { year: 2026, month: 3, day: 29, hour: 2, minute: 0 })),
      '2026-03-29T01:00:00.000Z',
    );
    // New York 2026-03-08: 02:00 EST → 03:00 EDT (07:00Z).
    assert.equal(
      iso(localToInstant(NEW_YORK, { year: 2026, month: 3, day: 8, hour: 2, minute: 30 })),
      '2026-03-08T07:00:00.000Z',
    );
    assert.equal(
      iso(localToInstant(NEW_YORK, { year: 2026, month: 3, day: 8, hour: 3, minute: 0 })),
      '2026-03-08T07:00:00.000Z',
    );
    assert.equal(
      iso(localToInstant(NEW_YORK, { year: 2026, month: 3, day: 8, hour: 1, minute: 59 })),
      '2026-03-08T06:59:00.000Z',
    );
  });

  it('a repeated time (fall back) is its first occurrence', () => {
    // London 2026-10-25: 02:00 BST → 01:00 GMT; 01:30 happens at 00:30Z and 01:30Z.
    assert.equal(
      iso(localToInstant(LONDON, { year: 2026, month: 10, day: 25, hour: 1, minute: 30 })),
      '2026-10-25T00:30:00.000Z',
    );
    // New York 2026-11-01: 02:00 EDT → 01:00 EST; 01:30 happens at 05:30Z and 06:30Z.
    assert.equal(
      iso(localToInstant(NEW_YORK, { year: 2026, month: 11, day: 1, hour: 1, minute: 30 })),
      '2026-11-01T05:30:00.000Z',
    );
    assert.equal(
      iso(localToInstant(NEW_YORK, { year: 2026, month: 11, day: 1, hour: 2, minute: 0 })),
      '2026-11-01T07:00:00.000Z',
    );
  });

  it('knows valid zone names', () => {
    assert.equal(isValidTimeZone(LONDON), true);
    assert.equal(isValidTimeZone('UTC'), true);
    assert.equal(isValidTimeZone('Mars/Olympus'), false);
    assert.equal(isValidTimeZone(''), false);
  });
});

describe('windows: start, stop, days, midnight', () => {
  const daily = rule('09:00', '17:00');

  it('is on from the start instant until just before the end', () => {
    assert.equal(activeRun(daily, LONDON, at('2026-01-12T08:59:59.999Z')), null);
    const run = activeRun(daily, LONDON, at('2026-01-12T09:00:00Z'));
    assert.deepEqual(run && { start: iso(run.start), end: iso(run.end), date: run.date, day: run.day }, {
      start: '2026-01-12T09:00:00.000Z',
      end: '2026-01-12T17:00:00.000Z',
      date: '2026-01-12',
      day: 'mon',
    });
    assert.ok(activeRun(daily, LONDON, at('2026-01-12T16:59:59.999Z')));
    assert.equal(activeRun(daily, LONDON, at('2026-01-12T17:00:00Z')), null, 'the end is exclusive');
  });

  it('a disabled schedule or one without days never runs', () => {
    assert.equal(activeRun({ ...daily, enabled: false }, LONDON, at('2026-01-12T10:00:00Z')), null);
    assert.deepEqual(upcomingRuns({ ...daily, enabled: false }, LONDON, at('2026-01-12T10:00:00Z'), 3), []);
    assert.deepEqual(upcomingRuns({ ...daily, days: [] }, LONDON, at('2026-01-12T10:00:00Z'), 3), []);
  });

  it('crossing midnight: 22:00 → 06:00 ends the next morning, also when it started yesterday', () => {
    const night = rule('22:00', '06:00', ['fri']);
    // Friday 2026-01-16 22:00 → Saturday 06:00 (GMT = UTC).
    const saturdayMorning = activeRun(night, LONDON, at('2026-01-17T05:00:00Z'));
    assert.equal(saturdayMorning && iso(saturdayMorning.start), '2026-01-16T22:00:00.000Z');
    assert.equal(saturdayMorning && iso(saturdayMorning.end), '2026-01-17T06:00:00.000Z');
    assert.equal(saturdayMorning?.day, 'fri', 'the window belongs to the day it starts');
    assert.equal(activeRun(night, LONDON, at('2026-01-17T06:00:00Z')), null);
    assert.equal(activeRun(night, LONDON, at('2026-01-16T21:59:00Z')), null);
    assert.equal(activeRun(night, LONDON, at('2026-01-17T22:30:00Z')), null, 'not on Saturday night');
  });

  it('times may give seconds', () => {
    const short = rule('10:00:05', '10:00:15', ['mon']);
    const run = activeRun(short, LONDON, at('2026-01-12T10:00:05Z'));
    assert.equal(run && (run.end - run.start) / 1000, 10);
    assert.equal(activeRun(short, LONDON, at('2026-01-12T10:00:04.999Z')), null);
  });

  it('equal start and end is a whole day', () => {
    const allDay = rule('00:00', '00:00', ['wed']);
    const run = activeRun(allDay, NEW_YORK, at('2026-01-14T12:00:00Z'));
    assert.equal(run && iso(run.start), '2026-01-14T05:00:00.000Z');
    assert.equal(run && iso(run.end), '2026-01-15T05:00:00.000Z');
  });

  it('weekly: only the chosen days, next runs in order', () => {
    const weekend = rule('10:00', '12:00', ['sat', 'sun']);
    // From Wednesday 2026-01-14.
    const runs = upcomingRuns(weekend, LONDON, at('2026-01-14T12:00:00Z'), 4);
    assert.deepEqual(
      runs.map((r) => `${r.day} ${iso(r.start)}`),
      [
        'sat 2026-01-17T10:00:00.000Z',
        'sun 2026-01-18T10:00:00.000Z',
        'sat 2026-01-24T10:00:00.000Z',
        'sun 2026-01-25T10:00:00.000Z',
      ],
    );
    // During Saturday's window, it comes first.
    const during = upcomingRuns(weekend, LONDON, at('2026-01-17T11:00:00Z'), 2);
    assert.equal(iso(during[0]!.start), '2026-01-17T10:00:00.000Z');
  });

  it('several schedules: the first to start is active, the others overlap; next runs merge', () => {
    const morning = rule('08:00', '12:00', EVERY_DAY, 1);
    const late = rule('10:00', '14:00', EVERY_DAY, 2);
    const plan = planSchedules([late, morning], LONDON, at('2026-01-12T11:00:00Z'), 3);
    assert.equal(plan.active?.scheduleId, 1);
    assert.deepEqual(
      plan.overlapping.map((r) => r.scheduleId),
      [2],
    );
    assert.deepEqual(
      plan.next.map((r) => `${r.scheduleId} ${iso(r.start)}`),
      ['1 2026-01-13T08:00:00.000Z', '2 2026-01-13T10:00:00.000Z', '1 2026-01-14T08:00:00.000Z'],
    );
    const after = planSchedules([late, morning], LONDON, at('2026-01-12T13:00:00Z'), 1);
    assert.equal(after.active?.scheduleId, 2, 'the later one is on alone once the first ended');
  });
});

describe('daylight-saving changes', () => {
  it('London spring forward: 01:30 → 03:00 starts at the jump (02:00 BST) and lasts one hour', () => {
    const run = upcomingRuns(rule('01:30', '03:00'), LONDON, at('2026-03-28T12:00:00Z'), 1)[0]!;
    assert.equal(iso(run.start), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(run.end), '2026-03-29T02:00:00.000Z');
    assert.equal(activeRun(rule('01:30', '03:00'), LONDON, at('2026-03-29T00:59:00Z')), null);
  });

  it('London spring forward: an overnight window is an hour shorter', () => {
    const run = activeRun(rule('22:00', '06:00', ['sat']), LONDON, at('2026-03-29T03:00:00Z'))!;
    assert.equal(iso(run.start), '2026-03-28T22:00:00.000Z');
    assert.equal(iso(run.end), '2026-03-29T05:00:00.000Z');
    assert.equal((run.end - run.start) / 3_600_000, 7);
  });

  it('London fall back: a window in the repeated hour runs once, at its first occurrence', () => {
    const runs = upcomingRuns(rule('01:10', '01:50'), LONDON, at('2026-10-24T12:00:00Z'), 2);
    assert.equal(iso(runs[0]!.start), '2026-10-25T00:10:00.000Z');
    assert.equal(iso(runs[0]!.end), '2026-10-25T00:50:00.000Z');
    assert.equal(
      activeRun(rule('01:10', '01:50'), LONDON, at('2026-10-25T01:20:00Z')),
      null,
      'not again at 01:20 GMT',
    );
    assert.equal(iso(runs[1]!.start), '2026-10-26T01:10:00.000Z', 'next day as usual');
  });

  it('London fall back: an overnight window is an hour longer', () => {
    const run = activeRun(rule('22:00', '06:00', ['sat']), LONDON, at('2026-10-25T03:00:00Z'))!;
    assert.equal(iso(run.start), '2026-10-24T21:00:00.000Z');
    assert.equal(iso(run.end), '2026-10-25T06:00:00.000Z');
    assert.equal((run.end - run.start) / 3_600_000, 9);
  });

  it('New York spring forward: 02:30 start begins at 03:00 EDT; a window inside the gap does not run', () => {
    const run = upcomingRuns(rule('02:30', '04:00'), NEW_YORK, at('2026-03-07T12:00:00Z'), 1)[0]!;
    assert.equal(run.date, '2026-03-08');
    assert.equal(iso(run.start), '2026-03-08T07:00:00.000Z');
    assert.equal(iso(run.end), '2026-03-08T08:00:00.000Z');
    const gapOnly = upcomingRuns(rule('02:10', '02:50'), NEW_YORK, at('2026-03-07T12:00:00Z'), 2);
    assert.deepEqual(
      gapOnly.map((r) => r.date),
      ['2026-03-09', '2026-03-10'],
      'the 8th is skipped',
    );
  });

  it('New York fall back: 01:00 → 02:00 is taken once (the first pass), a 2-hour window lasts 3', () => {
    const once = upcomingRuns(rule('01:00', '01:59'), NEW_YORK, at('2026-10-31T12:00:00Z'), 1)[0]!;
    assert.equal(iso(once.start), '2026-11-01T05:00:00.000Z');
    assert.equal(iso(once.end), '2026-11-01T05:59:00.000Z');
    assert.equal(activeRun(rule('01:00', '01:59'), NEW_YORK, at('2026-11-01T06:30:00Z')), null);
    const longer = upcomingRuns(rule('00:30', '02:30'), NEW_YORK, at('2026-10-31T12:00:00Z'), 1)[0]!;
    assert.equal((longer.end - longer.start) / 3_600_000, 3);
  });

  it('a daily window keeps its wall-clock time across the change (UTC shifts by an hour)', () => {
    const runs = upcomingRuns(rule('09:00', '10:00'), NEW_YORK, at('2026-03-07T00:00:00Z'), 3);
    assert.deepEqual(
      runs.map((r) => iso(r.start)),
      ['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z'],
    );
    for (const run of runs) assert.equal(localParts(NEW_YORK, run.start).hour, 9);
  });
});
