import type { z } from 'zod';
import { toFieldIssues } from '../../domain/issues.ts';
import { AppError } from '../../errors/registry.ts';
import type { Db } from '../database.ts';

/** Validates input against a schema or throws VALIDATION_FAILED naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new AppError('VALIDATION_FAILED', `the ${what} is not valid`, toFieldIssues(result.error));
  return result.data;
}

/** Runs work in one transaction; a duplicate name becomes a CONFLICT on the `name` field. */
export function writeNamed<T>(db: Db, name: string, work: () => T): T {
  try {
    return db.transaction(work)();
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new AppError('CONFLICT', `the name "${name}" is already used`, [
        { path: 'name', message: 'is already used' },
      ]);
    }
    throw error;
  }
}
