// Schedule routes against a real SQLite file: create / read / replace / delete, next runs in the
// appliance's zone (the fake clock's instant), field paths on bad bodies and unknown references,
// and the scheduler told of every change.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createApiHarness, rowCount, type ApiHarness } from '../../helpers/api.ts';
import { oneCameraShow } from '../../helpers/timelines.ts';

describe('schedule routes (real SQLite file)', () => {
  let api: ApiHarness;
  let reloads = 0;
  let onAir: number | null = null;
  const ids = { t1: 0, t2: 0, dest: 0 };
  const body = (fields: Record<string, unknown> = {}) => ({
    name: 'Weekend mornings',
    days: ['sat', 'sun'],
    start_time: '09:00',
    end_time: '12:30',
    timeline_ids: [ids.t1, ids.t2],
    destination_ids: [ids.dest],
    ...fields,
  });

  before(async () => {
    // The harness clock: Tuesday 2026-11-24 10:00Z (10:00 in London).
    api = await createApiHarness({
      schedules: {
        reload: () => void reloads++,
        onAirScheduleId: () => onAir,
        timeZone: () => 'Europe/London',
      },
    });
    await api.signIn();
    ids.t1 = api.store.timelines.create(oneCameraShow('Harbour')).id;
    ids.t2 = api.store.timelines.create(oneCameraShow('Fuel pier')).id;
    ids.dest = api.store.destinations.create({
      name: 'Local',
      platform: 'custom',
      server_url: 'rtmp://127.0.0.1/live',
      stream_key: 'k',
    }).id;
  });
  after(() => api.close());
  beforeEach(() => {
    api.store.db.exec('DELETE FROM schedules');
    reloads = 0;
    onAir = null;
  });

  it('creates a schedule and answers it with its next runs in the appliance zone', async () => {
    const created = await api.call('POST', '/api/schedules', body());
    assert.equal(created.statusCode, 201, created.body);
    const schedule = created.json();
    assert.equal(schedule.enabled, true, 'enabled by default');
    assert.deepEqual(schedule.timeline_ids, [ids.t1, ids.t2]);
    assert.equal(schedule.time_zone, 'Europe/London');
    assert.equal(schedule.on_air, false);
    assert.equal(schedule.last_event, null);
    assert.deepEqual(
      schedule.next_runs.map(
        (r: { start: string; end: string; day: string }) => `${r.day} ${r.start} ${r.end}`,
      ),
      [
        'sat 2026-11-28T09:00:00.000Z 2026-11-28T12:30:00.000Z',
        'sun 2026-11-29T09:00:00.000Z 2026-11-29T12:30:00.000Z',
        'sat 2026-12-05T09:00:00.000Z 2026-12-05T12:30:00.000Z',
      ],
    );
    assert.equal(reloads, 1, 'the scheduler was told');

    const listed = await api.call('GET', '/api/schedules');
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(
      listed.json().map((s: { name: string }) => s.name),
      ['Weekend mornings'],
    );
    const one = await api.call('GET', `/api/schedules/${schedule.id}`);
    assert.equal(one.json().name, 'Weekend mornings');
  });

  it('next-runs: the window on now comes first, marked', async () => {
    const created = (
      await api.call('POST', '/api/schedules', body({ days: ['tue'], start_time: '09:30' }))
    ).json();
    onAir = created.id;
    const runs = await api.call('GET', `/api/schedules/${created.id}/next-runs?count=2`);
    assert.equal(runs.statusCode, 200, runs.body);
    const answer = runs.json();
    assert.equal(answer.time_zone, 'Europe/London');
    assert.deepEqual(
      answer.runs.map((r: { start: string; onAirNow: boolean }) => [r.start, r.onAirNow]),
      [
        ['2026-11-24T09:30:00.000Z', true],
        ['2026-12-01T09:30:00.000Z', false],
      ],
    );
    assert.equal((await api.call('GET', `/api/schedules/${created.id}`)).json().on_air, true);
    const bad = await api.call('GET', `/api/schedules/${created.id}/next-runs?count=0`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().issues[0].path, 'query.count');
  });

  it('refuses bad bodies with each field path, and saves nothing', async () => {
    const response = await api.call('POST', '/api/schedules', {
      name: '',
      days: ['sat', 'someday'],
      start_time: '25:00',
      end_time: '9:00',
      timeline_ids: [],
      colour: 'red',
    });
    assert.equal(response.statusCode, 400);
    const error = response.json();
    assert.equal(error.code, 'VALIDATION_FAILED');
    const paths = error.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['colour', 'days[1]', 'end_time', 'name', 'start_time', 'timeline_ids']);
    assert.ok(error.remediation);
    assert.equal(rowCount(api, 'schedules'), 0);
    assert.equal(reloads, 0);
  });

  it('sun edges: refused without a position, field paths on a bad offset, next runs and polar days', async () => {
    api.store.settings.set('appliance.position', null);
    const sunBody = body({
      days: ['tue', 'wed'],
      start_time: { sun: 'sunrise', offset_minutes: 15 },
      end_time: { sun: 'sunset', offset_minutes: -10 },
    });
    const refused = await api.call('POST', '/api/schedules', sunBody);
    assert.equal(refused.statusCode, 400, refused.body);
    assert.deepEqual(
      refused.json().issues.map((i: { path: string; message: string }) => i.path),
      ['start_time', 'end_time'],
    );
    assert.match(refused.json().issues[0].message, /position is not set.*Settings/);
    assert.equal(rowCount(api, 'schedules'), 0);

    const badOffset = await api.call(
      'POST',
      '/api/schedules',
      body({ start_time: { sun: 'sunrise', offset_minutes: 240 } }),
    );
    assert.deepEqual(badOffset.json().issues, [
      { path: 'start_time.offset_minutes', message: 'must be at most 180 minutes' },
    ]);

    api.store.settings.set('appliance.position', { latitude: 51.4769, longitude: -0.0005 });
    const created = await api.call('POST', '/api/schedules', sunBody);
    assert.equal(created.statusCode, 201, created.body);
    const schedule = created.json();
    assert.deepEqual(schedule.start_time, { sun: 'sunrise', offset_minutes: 15 });
    assert.deepEqual(schedule.end_time, { sun: 'sunset', offset_minutes: -10 });
    // Today, Tue 2026-11-24 at Greenwich: sunrise about 07:34 GMT, sunset about 16:00 GMT (almanac).
    const [first] = schedule.next_runs as Array<{ start: string; end: string; date: string }>;
    assert.equal(first!.date, '2026-11-24');
    const minutes = (iso: string) => (Date.parse(iso) - Date.parse('2026-11-24T00:00:00Z')) / 60_000;
    assert.ok(Math.abs(minutes(first!.start) - (7 * 60 + 34 + 15)) <= 3, first!.start);
    assert.ok(Math.abs(minutes(first!.end) - (16 * 60 - 10)) <= 3, first!.end);
    assert.deepEqual(schedule.sun_skips, []);

    // Tromsø: its polar night begins on 27 November, so of the next three due days the sun still
    // rises on the 24th and 25th, and not on 1 December; the list says so.
    api.store.settings.set('appliance.position', { latitude: 69.6492, longitude: 18.9553 });
    const polar = (await api.call('GET', `/api/schedules/${schedule.id}`)).json();
    assert.deepEqual(
      polar.next_runs.slice(0, 2).map((run: { date: string }) => run.date),
      ['2026-11-24', '2026-11-25'],
    );
    assert.deepEqual(
      polar.sun_skips.map((skip: { date: string; reason: string }) => `${skip.date} ${skip.reason}`),
      ['2026-12-01 no_sunrise'],
    );
    // The position removed afterwards: the schedule is kept, and its days say why they do not run.
    api.store.settings.set('appliance.position', null);
    const unplaced = (await api.call('GET', `/api/schedules/${schedule.id}`)).json();
    assert.deepEqual(unplaced.next_runs, []);
    assert.deepEqual(
      unplaced.sun_skips.map((skip: { reason: string }) => skip.reason),
      ['no_position', 'no_position', 'no_position'],
    );
  });

  it('refuses unknown timelines and destinations at their position', async () => {
    const response = await api.call(
      'POST',
      '/api/schedules',
      body({ timeline_ids: [ids.t1, 999], destination_ids: [998] }),
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json().issues, [
      { path: 'timeline_ids[1]', message: 'there is no timeline 999' },
      { path: 'destination_ids[0]', message: 'there is no destination 998' },
    ]);
    assert.equal(rowCount(api, 'schedules'), 0);
  });

  it('refuses a duplicate name as a conflict on name', async () => {
    await api.call('POST', '/api/schedules', body());
    const again = await api.call('POST', '/api/schedules', body());
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'CONFLICT');
    assert.equal(again.json().issues[0].path, 'name');
  });

  it('replaces (PUT) and deletes; unknown ids answer SCHEDULE_NOT_FOUND', async () => {
    const created = (await api.call('POST', '/api/schedules', body())).json();
    const replaced = await api.call(
      'PUT',
      `/api/schedules/${created.id}`,
      body({
        name: 'Nights',
        days: ['fri'],
        start_time: '22:00',
        end_time: '02:00',
        enabled: false,
        timeline_ids: [ids.t2],
      }),
    );
    assert.equal(replaced.statusCode, 200, replaced.body);
    const saved = replaced.json();
    assert.equal(saved.name, 'Nights');
    assert.equal(saved.enabled, false);
    assert.deepEqual(saved.timeline_ids, [ids.t2]);
    assert.deepEqual(saved.next_runs, [], 'a disabled schedule has no next runs');
    assert.equal(reloads, 2);

    const missing = await api.call('PUT', '/api/schedules/999', body({ name: 'x' }));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'SCHEDULE_NOT_FOUND');

    const deleted = await api.call('DELETE', `/api/schedules/${created.id}`);
    assert.equal(deleted.statusCode, 204);
    assert.equal(rowCount(api, 'schedules'), 0);
    assert.equal(reloads, 3);
    const gone = await api.call('GET', `/api/schedules/${created.id}`);
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().code, 'SCHEDULE_NOT_FOUND');
  });

  it('lists what the scheduler did, newest first', async () => {
    const created = (await api.call('POST', '/api/schedules', body())).json();
    const window = {
      scheduleId: created.id,
      windowStart: Date.parse('2026-11-28T09:00:00Z'),
      windowEnd: Date.parse('2026-11-28T12:30:00Z'),
    };
    api.store.schedules.record({ ...window, kind: 'started', detail: 'timeline 1 of 2' });
    api.store.schedules.record({ ...window, kind: 'stopped', detail: 'the window ended' });
    const events = await api.call('GET', `/api/schedules/${created.id}/events`);
    assert.equal(events.statusCode, 200);
    assert.deepEqual(
      events.json().map((e: { kind: string }) => e.kind),
      ['stopped', 'started'],
    );
    assert.equal((await api.call('GET', `/api/schedules/${created.id}`)).json().last_event.kind, 'stopped');
  });

  it('names the time zone the times are in', async () => {
    const response = await api.call('GET', '/api/schedules/time-zone');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { time_zone: 'Europe/London' });
  });

  it('needs a signed-in user', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/schedules' });
    assert.equal(response.statusCode, 401);
  });
});
