// The health graphs' history: GET /api/health/history?minutes=60 answers the 10 s samples of the
// last minutes (up to a day), oldest first. Rows survive a restart (they live in the database).
import { z } from 'zod';
import { systemClock } from '../../core/clock.ts';
import { HEALTH_SAMPLE_INTERVAL_MS, HealthHistorySchema } from '../../domain/health-history.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiInstance } from '../http.ts';

const HistoryQuery = z.strictObject({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
});

export function registerHealthHistoryRoute(app: ApiInstance, deps: ApiDeps): void {
  const clock = deps.clock ?? systemClock;
  const now = () => clock.wallNow();
  app.get(
    '/api/health/history',
    {
      schema: {
        tags: ['monitoring'],
        summary:
          'Bitrate, fps, dropped frames, CPU and reconnects every 10 s over the last minutes (kept a day)',
        querystring: HistoryQuery,
        response: { 200: HealthHistorySchema },
      },
    },
    async (request) => {
      const to = now();
      const from = to - request.query.minutes * 60_000;
      return {
        intervalSeconds: HEALTH_SAMPLE_INTERVAL_MS / 1000,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        samples: deps.store.healthSamples
          .between(from, to)
          .map((sample) => ({ ...sample, at: new Date(sample.at).toISOString() })),
      };
    },
  );
}
