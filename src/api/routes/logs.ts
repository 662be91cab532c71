// The appliance's recent log lines for the Log page: the in-memory ring the logger keeps
// (src/core/recent-logs.ts), filtered by level, component and text, newest first. Lines were
// redacted as they were written, so stream keys and passwords are not in them.
import { z } from 'zod';
import { recentLogLines } from '../../core/logger.ts';
import { LOG_LINE_LEVELS, type RecentLogLines } from '../../core/recent-logs.ts';
import type { ApiInstance } from '../http.ts';

const LogQuerySchema = z.strictObject({
  level: z.enum(LOG_LINE_LEVELS, { error: `must be one of ${LOG_LINE_LEVELS.join(', ')}` }).optional(),
  q: z.string().max(200, { error: 'must be at most 200 characters' }).optional(),
  component: z.string().max(100, { error: 'must be at most 100 characters' }).optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(2000, { error: 'must be at most 2000' })
    .default(500),
});

export function registerLogRoutes(app: ApiInstance, recent: RecentLogLines = recentLogLines): void {
  app.get(
    '/api/logs',
    {
      schema: {
        tags: ['logs'],
        summary: 'The appliance’s recent log lines, newest first (level = this level and worse)',
        querystring: LogQuerySchema,
      },
    },
    async (request) => {
      const { level, q, component, limit } = request.query;
      return recent.query({
        level,
        text: q,
        component: component === '' ? undefined : component,
        limit,
      });
    },
  );
}
