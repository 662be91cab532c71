import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateTimelineDocument } from '../../src/timeline/validate.ts';
import type { Timeline, TimelineDocument } from '../../src/timeline/schema.ts';

export const SPEC_EXAMPLE_PATH = fileURLToPath(
  new URL('../fixtures/timelines/spec-example.json', import.meta.url),
);

/** The spec's example timeline as raw JSON (a fresh copy each call, safe to mutate). */
export function specExampleJson(): {
  timeline: Record<string, unknown> & { tracks: Record<string, unknown> };
} {
  return JSON.parse(readFileSync(SPEC_EXAMPLE_PATH, 'utf8'));
}

/** Validates a document or fails the test with the errors. */
export function mustValidate(input: unknown): TimelineDocument {
  const result = validateTimelineDocument(input);
  if (!result.ok)
    throw new Error(`expected a valid timeline, got: ${JSON.stringify(result.errors, null, 2)}`);
  return result.document;
}

export function specExample(): Timeline {
  return mustValidate(specExampleJson()).timeline;
}

export { seededRandom } from './random.ts';

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
