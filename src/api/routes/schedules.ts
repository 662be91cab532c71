// Schedules: CRUD, and the next runs of each in the appliance's time zone. A change is handed to
// the scheduler at once (a schedule edited, disabled or deleted while its show is on air stops it
// when its window is no longer on).
import { z } from 'zod';
import { systemClock } from '../../core/clock.ts';
import {
  isSunTime,
  ScheduleEventView,
  ScheduleInputSchema,
  ScheduleRunView,
  ScheduleView,
  type ScheduleDetails,
  type ScheduleRun,
  type ScheduleSunSkip,
} from '../../domain/schedule.ts';
import { AppError, isAppError, type FieldIssue } from '../../errors/registry.ts';
import { systemTimeZone } from '../../core/calendar.ts';
import { upcomingDays, upcomingRuns, type Run, type SunSkip } from '../../scheduler/plan.ts';
import { storedPosition, toRule } from '../../scheduler/service.ts';
import type { Schedule } from '../../store/repositories/schedules.ts';
import { formatPath } from '../../timeline/validate.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';

const NEXT_RUNS_IN_LIST = 3;
const NextRunsQuery = z.strictObject({
  count: z.coerce.number().int().min(1).max(50).default(10),
});
const EventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

function runView(run: Run, now: number): ScheduleRun {
  return {
    start: new Date(run.start).toISOString(),
    end: new Date(run.end).toISOString(),
    date: run.date,
    day: run.day,
    onAirNow: run.start <= now && now < run.end,
  };
}

function sunSkipView(skip: SunSkip): ScheduleSunSkip {
  return { date: skip.date, day: skip.day, reason: skip.reason };
}

export function registerScheduleRoutes(app: ApiInstance, deps: ApiDeps): void {
  const { store } = deps;
  const zone = () => deps.schedules?.timeZone() ?? systemTimeZone();
  const clock = deps.clock ?? systemClock;
  const now = () => clock.wallNow();
  const changed = () => void deps.schedules?.reload();

  const view = (schedule: Schedule, count = NEXT_RUNS_IN_LIST): ScheduleDetails => {
    const at = now();
    const [last] = store.schedules.events({ scheduleId: schedule.id, limit: 1 });
    const rule = toRule(schedule, storedPosition(store));
    return {
      ...schedule,
      time_zone: zone(),
      next_runs: upcomingRuns(rule, zone(), at, count).map((run) => runView(run, at)),
      // The due days among the next few that do not run: polar night, midnight sun, no position.
      sun_skips: upcomingDays(rule, zone(), at, count).flatMap((day) =>
        'start' in day ? [] : [sunSkipView(day)],
      ),
      last_event: last ?? null,
      on_air: deps.schedules?.onAirScheduleId() === schedule.id,
    };
  };

  /** Every timeline and destination named must exist: each missing one at its own path. */
  const checkReferences = (body: z.output<typeof ScheduleInputSchema>) => {
    const issues: FieldIssue[] = [];
    body.timeline_ids.forEach((id, index) => {
      try {
        store.timelines.get(id);
      } catch (error) {
        if (!isAppError(error)) throw error;
        issues.push({ path: formatPath(['timeline_ids', index]), message: `there is no timeline ${id}` });
      }
    });
    body.destination_ids.forEach((id, index) => {
      try {
        store.destinations.get(id);
      } catch (error) {
        if (!isAppError(error)) throw error;
        issues.push({
          path: formatPath(['destination_ids', index]),
          message: `there is no destination ${id}`,
        });
      }
    });
    // A sun edge needs to know where the sun is: refused now rather than never running.
    if (storedPosition(store) === null)
      for (const field of ['start_time', 'end_time'] as const)
        if (isSunTime(body[field]))
          issues.push({
            path: field,
            message:
              'follows the sun, but the appliance position is not set: enter it in Settings (Position) first',
          });
    if (issues.length > 0) throw new AppError('VALIDATION_FAILED', 'the schedule is not valid', issues);
  };

  app.get(
    '/api/schedules',
    {
      schema: {
        tags: ['schedules'],
        summary: 'All schedules, each with its next runs (appliance time zone)',
        response: { 200: z.array(ScheduleView) },
      },
    },
    async () => store.schedules.list().map((schedule) => view(schedule)),
  );

  app.get(
    '/api/schedules/time-zone',
    {
      schema: {
        tags: ['schedules'],
        summary:
          'The time zone schedule times are in (VISTTER_TZ, the appliance.timezone setting, or the system’s)',
        response: { 200: z.object({ time_zone: z.string() }) },
      },
    },
    async () => ({ time_zone: zone() }),
  );

  app.get(
    '/api/schedules/:id',
    {
      schema: {
        tags: ['schedules'],
        summary: 'One schedule with its next runs',
        params: IdParams,
        response: { 200: ScheduleView },
      },
    },
    async (request) => view(store.schedules.get(request.params.id)),
  );

  app.get(
    '/api/schedules/:id/next-runs',
    {
      schema: {
        tags: ['schedules'],
        summary: 'The next windows of a schedule (the one on now first)',
        params: IdParams,
        querystring: NextRunsQuery,
        response: { 200: z.object({ time_zone: z.string(), runs: z.array(ScheduleRunView) }) },
      },
    },
    async (request) => {
      const schedule = store.schedules.get(request.params.id);
      const at = now();
      return {
        time_zone: zone(),
        runs: upcomingRuns(toRule(schedule, storedPosition(store)), zone(), at, request.query.count).map(
          (run) => runView(run, at),
        ),
      };
    },
  );

  app.get(
    '/api/schedules/:id/events',
    {
      schema: {
        tags: ['schedules'],
        summary: 'What the scheduler did with a schedule, newest first',
        params: IdParams,
        querystring: EventsQuery,
        response: { 200: z.array(ScheduleEventView) },
      },
    },
    async (request) => {
      store.schedules.get(request.params.id);
      return store.schedules.events({ scheduleId: request.params.id, limit: request.query.limit });
    },
  );

  app.post(
    '/api/schedules',
    {
      schema: {
        tags: ['schedules'],
        summary: 'Add a schedule',
        body: ScheduleInputSchema,
        response: { 201: ScheduleView },
      },
    },
    async (request, reply) => {
      checkReferences(request.body);
      const created = store.schedules.create(request.body);
      changed();
      return reply.code(201).send(view(created));
    },
  );

  app.put(
    '/api/schedules/:id',
    {
      schema: {
        tags: ['schedules'],
        summary: 'Replace a schedule',
        params: IdParams,
        body: ScheduleInputSchema,
        response: { 200: ScheduleView },
      },
    },
    async (request) => {
      store.schedules.get(request.params.id);
      checkReferences(request.body);
      const saved = store.schedules.replace(request.params.id, request.body);
      changed();
      return view(saved);
    },
  );

  app.delete(
    '/api/schedules/:id',
    {
      schema: {
        tags: ['schedules'],
        summary: 'Delete a schedule (its show, if on air, stops)',
        params: IdParams,
      },
    },
    async (request, reply) => {
      store.schedules.delete(request.params.id);
      changed();
      return reply.code(204).send();
    },
  );
}
