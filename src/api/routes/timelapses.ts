// The daily time-lapses (issue 17): the list (day, length, frames, size, made at) with today's
// snapshots and the encode under way, each video (Range supported, so a browser can seek), "make
// today's so far" and removal. The settings themselves go through PUT /api/settings/timelapse.settings.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { systemTimeZone } from '../../core/calendar.ts';
import { systemClock } from '../../core/clock.ts';
import { createLogger } from '../../core/logger.ts';
import { TIMELAPSE_DAY, TIMELAPSE_SETTING, timelapseSettings } from '../../domain/timelapse.ts';
import { AppError } from '../../errors/registry.ts';
import { TimelapseService } from '../../timelapse/service.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiInstance } from '../http.ts';
import { parseRange } from './assets.ts';

const DayParams = z.strictObject({
  day: z.string().regex(TIMELAPSE_DAY, { error: 'must be a day like 2026-12-06' }),
});

function notFound(day: string): AppError {
  return new AppError('TIMELAPSE_NOT_FOUND', `there is no time-lapse of ${day}`);
}

/**
 * The service main.ts runs, or (an API built without one, as in tests) one over the data folder
 * that takes no snapshots and never waits: it lists, makes on demand and removes.
 */
function timelapsesOf(deps: ApiDeps): TimelapseService {
  return (
    deps.timelapses ??
    new TimelapseService({
      dataDir: deps.dataDir,
      recordingsFolder: join(deps.dataDir, 'recordings'),
      clock: deps.clock ?? systemClock,
      logger: deps.logger ?? createLogger('timelapse'),
      timeZone: () => deps.schedules?.timeZone() ?? systemTimeZone(),
      settings: () => timelapseSettings(deps.store.settings.get<unknown>(TIMELAPSE_SETTING, null)),
      picture: () => null,
      pressure: () => null,
    })
  );
}

export function registerTimelapseRoutes(app: ApiInstance, deps: ApiDeps): void {
  const timelapses = timelapsesOf(deps);
  app.get(
    '/api/timelapses',
    {
      schema: {
        tags: ['timelapse'],
        summary: 'The daily time-lapses, today’s snapshots and the encode under way',
      },
    },
    async () => {
      const day = timelapses.today();
      const collector = timelapses.collector.status();
      // The job first: a job read as done has its video and sidecar in place for the list after it.
      const job = timelapses.job();
      return {
        items: await timelapses.list(),
        today: { day, snapshots: await timelapses.snapshotCount(day), skippedBusy: collector.skippedBusy },
        job,
        settings: timelapseSettings(deps.store.settings.get<unknown>(TIMELAPSE_SETTING, null)),
      };
    },
  );

  app.get(
    '/api/timelapses/:day/video',
    {
      schema: {
        tags: ['timelapse'],
        summary: 'A day’s time-lapse (MP4; Range supported)',
        params: DayParams,
      },
    },
    async (request, reply) => {
      const { day } = request.params;
      const path = await timelapses.videoPath(day);
      if (path === null) throw notFound(day);
      let handle;
      try {
        handle = await open(path, 'r');
      } catch {
        throw notFound(day);
      }
      try {
        const { size } = await handle.stat();
        const range = parseRange(request.headers.range, size);
        void reply
          .type('video/mp4')
          .header('cache-control', 'no-cache')
          .header('accept-ranges', 'bytes')
          .header('content-disposition', `inline; filename="timelapse-${day}.mp4"`);
        if (range)
          void reply
            .code(206)
            .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
            .header('content-length', range.end - range.start + 1);
        else void reply.header('content-length', size);
        return reply.send(handle.createReadStream(range ? { start: range.start, end: range.end } : {}));
      } catch (error) {
        await handle.close();
        throw error;
      }
    },
  );

  app.post(
    '/api/timelapses/make-now',
    { schema: { tags: ['timelapse'], summary: 'Make today’s time-lapse so far (answers at once; see job)' } },
    async (_request, reply) => {
      const job = await timelapses.makeNow();
      return reply.code(202).send({ job });
    },
  );

  app.delete(
    '/api/timelapses/:day',
    { schema: { tags: ['timelapse'], summary: 'Remove a day’s time-lapse', params: DayParams } },
    async (request, reply) => {
      await timelapses.remove(request.params.day);
      return reply.code(204).send();
    },
  );
}
