// Every field of a timeline, given every kind of wrong value, is a validation problem at that
// field's JSON path (or next to it), never an exception: an exception is what became a 500 in the
// API and a stack trace in the CLI ("resolution": "abc" did both).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimelineDocumentSchema } from '../../../src/timeline/schema.ts';
import { validateTimelineDocument } from '../../../src/timeline/validate.ts';
import { specExampleJson } from '../../helpers/timelines.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type PathPart = string | number;

const WRONG_VALUES: Json[] = [
  null,
  true,
  -1,
  0,
  1.5,
  1e308,
  -1e308,
  '',
  ' ',
  'abc',
  '0x0',
  '1920x1080p',
  'x'.repeat(5000),
  '\u0000',
  '../../etc/passwd',
  '#zzz',
  [],
  [1, 'a'],
  {},
  { x: 1 },
];

/** Every node of a JSON value with its path (the root excluded). */
function nodesOf(value: Json, path: PathPart[] = []): PathPart[][] {
  const out: PathPart[][] = path.length > 0 ? [path] : [];
  if (Array.isArray(value)) value.forEach((item, index) => out.push(...nodesOf(item, [...path, index])));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) out.push(...nodesOf(item, [...path, key]));
  return out;
}

function withValue(doc: Json, path: PathPart[], value: Json): Json {
  const copy = structuredClone(doc) as Record<PathPart, Json>;
  let node = copy;
  for (const part of path.slice(0, -1)) node = node[part] as Record<PathPart, Json>;
  node[path[path.length - 1]!] = value;
  return copy;
}

function format(path: PathPart[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

/** The spec's example plus a dynamic_text overlay, so its fields are covered too. */
function documentUnderTest(): Json {
  const doc = specExampleJson() as unknown as { timeline: { tracks: { overlays: Json[] } } };
  doc.timeline.tracks.overlays.push({
    track_id: 'overlay_3',
    type: 'overlay',
    layer: 3,
    cues: [
      {
        id: 'cue_o4',
        start_time: 100,
        duration: 20,
        action: 'show_overlay',
        params: {
          type: 'dynamic_text',
          template: 'Wind {wind} kn at {time}',
          data_url: 'http://127.0.0.1:9/weather.json',
          poll_interval: 30,
          position: { x: 40, y: 40 },
          color: '#FFCC00',
          background: '#00000080',
        },
      },
    ],
  });
  return doc as unknown as Json;
}

describe('every timeline field, every kind of wrong value', () => {
  const doc = documentUnderTest();
  const paths = nodesOf(doc);

  it('the document under test is valid as it is', () => {
    assert.equal(validateTimelineDocument(doc).ok, true);
    assert.ok(paths.length > 80, `only ${paths.length} fields`);
  });

  it('no value throws; each refusal names the field, a field inside it, or the object holding it', () => {
    let refused = 0;
    for (const path of paths) {
      const where = format(path);
      for (const value of WRONG_VALUES) {
        const input = withValue(doc, path, value);
        let result: ReturnType<typeof validateTimelineDocument>;
        try {
          result = validateTimelineDocument(input);
        } catch (error) {
          assert.fail(`${where} = ${JSON.stringify(value).slice(0, 30)} threw: ${String(error)}`);
        }
        if (result.ok) continue;
        refused++;
        for (const error of result.errors) assert.ok(error.message.length > 0, JSON.stringify(error));
        // Rules across fields (a shorter timeline, cues that now overlap) rightly name other cues.
        if (TimelineDocumentSchema.safeParse(input).success) continue;
        const related = result.errors.some(
          (error) =>
            error.path === where ||
            error.path.startsWith(`${where}.`) ||
            error.path.startsWith(`${where}[`) ||
            where.startsWith(`${error.path}.`) ||
            where.startsWith(`${error.path}[`),
        );
        assert.ok(
          related,
          `${where} = ${JSON.stringify(value).slice(0, 30)}: errors elsewhere: ${JSON.stringify(result.errors)}`,
        );
      }
    }
    // Most wrong values are refused (a name may be 'abc', a template may be '#zzz').
    assert.ok(refused > (paths.length * WRONG_VALUES.length) / 2, `only ${refused} refused`);
  });
});
