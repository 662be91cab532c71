import type { z } from 'zod';
import type { FieldIssue } from '../errors/registry.ts';
import { formatPath } from '../timeline/validate.ts';

/** zod issues as `{ path, message }` pairs (the shape every boundary reports). */
export function toFieldIssues(error: z.ZodError, prefix: PropertyKey[] = []): FieldIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: formatPath([...prefix, ...issue.path, key]),
          message: `unknown field "${key}"`,
        }))
      : [{ path: formatPath([...prefix, ...issue.path]), message: issue.message }],
  );
}
