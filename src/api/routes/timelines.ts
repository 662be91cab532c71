// Timelines: the library (list, read, create, replace, delete, clone), validation without saving,
// and import/export of the JSON document as a file. An invalid timeline is refused whole
// (TIMELINE_INVALID with every problem's JSON path) and nothing is saved. References to cameras
// or assets this appliance does not have are warnings, not refusals: a timeline brought from
// another appliance is saved and its cameras are set up afterwards. The audio bed's playlist is
// the exception: an entry that is not an uploaded audio file is refused.
import multipart from '@fastify/multipart';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';
import { AppError, type FieldIssue } from '../../errors/registry.ts';
import type { Store } from '../../store/store.ts';
import { diskMediaLibrary, findMissingMedia } from '../../timeline/media-paths.ts';
import { findBedAssetProblems, findUnknownReferences } from '../../timeline/references.ts';
import { TimelineDocumentSchema, type TimelineDocument } from '../../timeline/schema.ts';
import { validateTimelineDocument, type TimelineIssue } from '../../timeline/validate.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, zodValidatorCompiler, type ApiInstance } from '../http.ts';

/** The largest timeline file accepted (a week of cues is far below this). */
const TIMELINE_FILE_LIMIT = 2 * 1024 * 1024;
const NAME_MAX = 100;

const TimelineSummaryView = z.object({
  id: z.number(),
  doc_id: z.string().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  duration: z.number(),
  fps: z.number(),
  resolution: z.string(),
  loop: z.boolean(),
  overlay_tracks: z.number(),
  cues: z.number(),
  created_at: z.string(),
  modified_at: z.string(),
});
const Issue = z.object({ path: z.string(), message: z.string() });
const Checked = z.object({
  valid: z.boolean().meta({ description: 'True when the timeline can be saved.' }),
  issues: z.array(
    Issue.extend({
      severity: z.enum(['error', 'warning']).meta({
        description:
          'error: refused; warning: saved, but check it (gaps, unknown cameras or assets, media paths that find no file)',
      }),
    }),
  ),
});
const Saved = TimelineSummaryView.extend({
  warnings: z.array(Issue).meta({
    description: 'Gaps shown as the slate, unknown cameras or assets, media paths that find no file.',
  }),
});
const CloneBody = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(NAME_MAX, { error: `must be at most ${NAME_MAX} characters` })
      .optional(),
  })
  .nullish()
  .meta({ description: 'Optional; without a body the copy is named "<name> (copy)", made unique.' });

function invalid(errors: readonly TimelineIssue[]): AppError {
  const count = errors.length;
  return new AppError(
    'TIMELINE_INVALID',
    `the timeline has ${count} problem${count === 1 ? '' : 's'}`,
    errors,
  );
}

/** The body of create and replace: the timeline document, refused as TIMELINE_INVALID (422) with
 *  the validator's plain-language issues rather than the generic VALIDATION_FAILED. */
function timelineBodyCompiler<S>(route: Parameters<FastifySchemaCompiler<S>>[0]) {
  if (route.httpPart !== 'body')
    return zodValidatorCompiler(route as Parameters<FastifySchemaCompiler<z.ZodType>>[0]);
  return (data: unknown) => {
    const result = validateTimelineDocument(data);
    return result.ok ? { value: result.document } : { error: invalid(result.errors) };
  };
}

/** Problems that do not stop a save: the validator's warnings, unknown cameras or assets, and
 *  media paths that will not find a file when the show starts. */
function warningsFor(
  store: Store,
  dataDir: string,
  document: TimelineDocument,
  ruleWarnings: readonly TimelineIssue[],
) {
  const assets = store.assets.list();
  const known = {
    cameraIds: new Set(store.cameras.list().map((camera) => camera.id)),
    assetIds: new Set(assets.map((asset) => asset.id)),
  };
  return [
    ...ruleWarnings,
    ...findUnknownReferences(document.timeline, known),
    ...findMissingMedia(document.timeline, diskMediaLibrary(dataDir, assets)),
  ];
}

function summaryOf(store: Store, id: number) {
  const summary = store.timelines.list().find((timeline) => timeline.id === id);
  if (!summary) throw new AppError('TIMELINE_NOT_FOUND', `there is no timeline ${id}`);
  return summary;
}

/** The audio bed's playlist must name uploaded audio: anything else is refused before saving. */
function refuseBadBedAssets(store: Store, document: TimelineDocument): void {
  const problems = findBedAssetProblems(document.timeline, store.assets.list());
  if (problems.length > 0) throw invalid(problems);
}

function save(store: Store, dataDir: string, document: TimelineDocument) {
  refuseBadBedAssets(store, document);
  const { id, warnings } = store.timelines.create(document);
  return { ...summaryOf(store, id), warnings: warningsFor(store, dataDir, document, warnings) };
}

/** "<name> (copy)", then "(copy 2)", … the first not in use, cut to fit the name limit. */
export function copyName(name: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? ' (copy)' : ` (copy ${n})`;
    // Cut by UTF-16 units (the limit's unit), never through a surrogate pair.
    const base = name
      .slice(0, NAME_MAX - suffix.length)
      .replace(/[\uD800-\uDBFF]$/, '')
      .trimEnd();
    const candidate = `${base}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A download name from the timeline's name: letters, digits, - and _ only (ASCII), for the
 *  plain filename; the readable name goes in filename* (RFC 6266). */
export function exportFileName(name: string, id: number): { ascii: string; utf8: string } {
  const ascii =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .slice(0, 80)
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '') || `timeline-${id}`;
  // Whole code points only (a lone surrogate would make encodeURIComponent throw).
  const readable =
    Array.from(
      name
        .replace(/[\p{Cc}\p{Cf}\p{Cs}/\\:*?"<>|]+/gu, ' ')
        .replace(/\s+/g, ' ')
        .replace(/^[.\s]+/, '')
        .trim(),
    )
      .slice(0, 80)
      .join('')
      .trim() || `timeline-${id}`;
  return { ascii: `${ascii}.json`, utf8: `${readable}.json` };
}

const JSON_END = 'the text ends before the JSON is complete (a missing } or ] or ")';

/**
 * Where JSON text first breaks the grammar, and what is wrong there. Node 20's JSON.parse names
 * no position for most mistakes (an unquoted word, a stray comma), so the text is scanned here.
 * Iterative, so a deeply nested file cannot overflow the stack. Null when the text is valid.
 */
export function findJsonError(text: string): { offset: number; problem: string } | null {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (problem: string) => ({ offset: i, problem: i >= text.length ? JSON_END : problem });
  const scanString = (): string | null => {
    i++; // the opening quote
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return null;
      }
      if (code < 0x20) return 'a line break or control character inside a "string" (close the quote)';
      if (code === 0x5c) {
        const escape = text[i + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return 'a \\u escape needs 4 hex digits';
          i += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) i += 2;
        else return 'an unknown \\ escape in a string (write \\\\ for a backslash)';
      } else i++;
    }
    return JSON_END;
  };
  /** Open containers: '{' or '['. */
  const stack: string[] = [];
  // States: a value is expected; or a value just ended (then , ] } or the end follow).
  let expectValue = true;
  for (;;) {
    skipSpace();
    if (expectValue) {
      const c = text[i];
      if (c === undefined) return fail(JSON_END);
      if (c === '{') {
        i++;
        skipSpace();
        if (text[i] === '}') {
          i++;
          expectValue = false;
          continue;
        }
        stack.push('{');
        if (text[i] !== '"') return fail('expected a "quoted" property name');
        const problem = scanString();
        if (problem) return fail(problem);
        skipSpace();
        if (text[i] !== ':') return fail("expected ':' after the property name");
        i++;
        continue;
      }
      if (c === '[') {
        i++;
        skipSpace();
        if (text[i] === ']') {
          i++;
          expectValue = false;
          continue;
        }
        stack.push('[');
        continue;
      }
      if (c === '"') {
        const problem = scanString();
        if (problem) return fail(problem);
      } else {
        const literal = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(
          text.slice(i, i + 400),
        );
        const next = literal ? text[i + literal[0].length] : undefined;
        if (!literal || (next !== undefined && /[\w.]/.test(next)))
          return fail(
            /[A-Za-z_]/.test(c)
              ? 'unexpected word: text must be in "double quotes" (true, false and null are the only bare words)'
              : `unexpected character ${JSON.stringify(c)}: expected a value`,
          );
        i += literal[0].length;
      }
      expectValue = false;
      continue;
    }
    const open = stack[stack.length - 1];
    if (open === undefined) return i < text.length ? fail('unexpected text after the end of the JSON') : null;
    const c = text[i];
    if (c === ',') {
      i++;
      skipSpace();
      if (open === '{') {
        if (text[i] !== '"') return fail('expected a "quoted" property name (no comma before a closing })');
        const problem = scanString();
        if (problem) return fail(problem);
        skipSpace();
        if (text[i] !== ':') return fail("expected ':' after the property name");
        i++;
      } else if (text[i] === ']') return fail('expected a value (no comma before a closing ])');
      expectValue = true;
      continue;
    }
    if ((open === '{' && c === '}') || (open === '[' && c === ']')) {
      i++;
      stack.pop();
      continue;
    }
    return fail(
      open === '{' ? "expected ',' or '}' after a property value" : "expected ',' or ']' after a value",
    );
  }
}

/** The text of a timeline file, parsed; malformed JSON is JSON_MALFORMED with its line and column. */
function parseTimelineText(text: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '')
    throw new AppError('JSON_MALFORMED', 'the timeline file is empty', [
      { path: '(document)', message: 'is empty' },
    ]);
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const found = findJsonError(body);
    let message = `not valid JSON (${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'})`;
    if (found) {
      const before = body.slice(0, found.offset);
      const line = before.split('\n').length;
      const column = found.offset - before.lastIndexOf('\n');
      message = `not valid JSON at line ${line}, column ${column}: ${found.problem}`;
    }
    throw new AppError('JSON_MALFORMED', `the timeline file is ${message}`, [
      { path: '(document)', message },
    ]);
  }
}

export function registerTimelineRoutes(app: ApiInstance, deps: ApiDeps): void {
  const { store, dataDir } = deps;

  app.get(
    '/api/timelines',
    {
      schema: {
        tags: ['timelines'],
        summary: 'The timeline library (summaries, by name)',
        response: { 200: z.array(TimelineSummaryView) },
      },
    },
    async () => store.timelines.list(),
  );

  app.get(
    '/api/timelines/:id',
    {
      schema: {
        tags: ['timelines'],
        summary:
          'One timeline: { id, created_at, modified_at, document } (the JSON document, defaults filled in)',
        params: IdParams,
      },
    },
    async (request) => store.timelines.get(request.params.id),
  );

  app.post(
    '/api/timelines',
    {
      schema: {
        tags: ['timelines'],
        summary: 'Create a timeline from its JSON document (422 TIMELINE_INVALID lists every problem)',
        body: TimelineDocumentSchema,
        response: { 201: Saved },
      },
      validatorCompiler: timelineBodyCompiler,
    },
    async (request, reply) => reply.code(201).send(save(store, dataDir, request.body)),
  );

  app.put(
    '/api/timelines/:id',
    {
      schema: {
        tags: ['timelines'],
        summary: 'Replace a timeline with a new version of its document (all or nothing)',
        params: IdParams,
        body: TimelineDocumentSchema,
        response: { 200: Saved },
      },
      validatorCompiler: timelineBodyCompiler,
    },
    async (request) => {
      const { id } = request.params;
      refuseBadBedAssets(store, request.body);
      const { warnings } = store.timelines.replace(id, request.body);
      return { ...summaryOf(store, id), warnings: warningsFor(store, dataDir, request.body, warnings) };
    },
  );

  app.delete(
    '/api/timelines/:id',
    {
      schema: {
        tags: ['timelines'],
        summary: 'Delete a timeline (refused while a show plays it)',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { name } = summaryOf(store, id);
      if (store.executions.running().some((execution) => execution.timeline_id === id))
        throw new AppError('TIMELINE_ON_AIR', `timeline ${id} "${name}" is playing in a show`);
      store.timelines.delete(id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/timelines/:id/clone',
    {
      schema: {
        tags: ['timelines'],
        summary: 'Copy a timeline ({ "name": … } optional; default "<name> (copy)", made unique)',
        params: IdParams,
        body: CloneBody,
        response: { 201: TimelineSummaryView },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const source = summaryOf(store, id);
      const name =
        request.body?.name ?? copyName(source.name, new Set(store.timelines.list().map((t) => t.name)));
      return reply.code(201).send(summaryOf(store, store.timelines.clone(id, name)));
    },
  );

  app.get(
    '/api/timelines/:id/export',
    {
      schema: {
        tags: ['timelines'],
        summary: 'Download the timeline as a JSON file (import it here or on another appliance)',
        params: IdParams,
        produces: ['application/json'],
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const document = store.timelines.export(id);
      const file = exportFileName(document.timeline.name, id);
      return reply
        .header(
          'content-disposition',
          `attachment; filename="${file.ascii}"; filename*=UTF-8''${encodeURIComponent(file.utf8)}`,
        )
        .header('x-content-type-options', 'nosniff')
        .type('application/json; charset=utf-8')
        .send(`${JSON.stringify(document, null, 2)}\n`);
    },
  );

  // Validate and import take the document as text (a file's bytes, or JSON) or as a multipart
  // upload, so malformed JSON can be reported with its line and column.
  void app.register(async (scope) => {
    if (!scope.hasContentTypeParser('multipart/form-data')) {
      await scope.register(multipart, {
        limits: { fileSize: TIMELINE_FILE_LIMIT, files: 1, fields: 10, parts: 11 },
        throwFileSizeLimit: true,
      });
    }
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: TIMELINE_FILE_LIMIT },
      (_request, body, done) => done(null, body),
    );

    const readDocument = async (request: FastifyRequest): Promise<unknown> => {
      if (!request.isMultipart())
        return parseTimelineText(typeof request.body === 'string' ? request.body : '');
      const file = await request.file();
      if (!file)
        throw new AppError('VALIDATION_FAILED', 'no file was uploaded', [
          { path: 'file', message: 'upload the timeline JSON file in the form field "file"' },
        ]);
      return parseTimelineText((await file.toBuffer()).toString('utf8'));
    };

    const documentBody = {
      consumes: ['application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data'],
      // The parser above hands over the text as it came (a multipart upload is read in the handler).
      body: z
        .string()
        .nullish()
        .meta({ description: 'The timeline JSON document, as sent or as the uploaded file "file".' }),
    };

    scope.post(
      '/api/timelines/validate',
      {
        schema: {
          tags: ['timelines'],
          summary: 'Check a timeline document without saving it: every problem with its JSON path',
          ...documentBody,
          response: { 200: Checked },
        },
      },
      async (request) => {
        const result = validateTimelineDocument(await readDocument(request));
        const tagged = (issues: readonly FieldIssue[], severity: 'error' | 'warning') =>
          issues.map((issue) => ({ ...issue, severity }));
        if (!result.ok)
          return {
            valid: false,
            issues: [...tagged(result.errors, 'error'), ...tagged(result.warnings, 'warning')],
          };
        const warnings = tagged(warningsFor(store, dataDir, result.document, result.warnings), 'warning');
        const bed = findBedAssetProblems(result.document.timeline, store.assets.list());
        return { valid: bed.length === 0, issues: [...tagged(bed, 'error'), ...warnings] };
      },
    );

    scope.post(
      '/api/timelines/import',
      {
        schema: {
          tags: ['timelines'],
          summary: 'Import a timeline file (as the body, or a multipart upload in the field "file")',
          ...documentBody,
          response: { 201: Saved },
        },
      },
      async (request, reply) => {
        const result = validateTimelineDocument(await readDocument(request));
        if (!result.ok) throw invalid(result.errors);
        return reply.code(201).send(save(store, dataDir, result.document));
      },
    );
  });
}
