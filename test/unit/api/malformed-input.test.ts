// Issue 14 item 3: every malformed input is the client's error (4xx) naming where it is, never a
// 500. Table-driven against the real Fastify app and a real SQLite file: each row is an input a
// user or script could send; each answer must be 4xx and name the field's path.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import { frameworkErrorHandler } from '../../../src/api/http.ts';
import { createApiHarness, rowCount, type ApiHarness } from '../../helpers/api.ts';
import { TimelineDocumentSchema } from '../../../src/timeline/schema.ts';
import { specExampleJson } from '../../helpers/timelines.ts';

interface Answer {
  code: string;
  message: string;
  issues: Array<{ path: string; message: string; severity?: string }>;
}

type PathPart = string | number;

/** `timeline.tracks.video.cues[1].params.media_url` → ['timeline', 'tracks', 'video', 'cues', 1, …]. */
function partsOf(path: string): PathPart[] {
  const parts: PathPart[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    parts.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
  }
  return parts;
}

const DELETE = Symbol('delete');

/** The spec's example with one field set (or removed). */
function specWith(path: string, value: unknown): unknown {
  const doc = specExampleJson() as unknown as Record<PathPart, unknown>;
  const parts = partsOf(path);
  let node = doc;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<PathPart, unknown>;
  const last = parts[parts.length - 1]!;
  if (value === DELETE) Reflect.deleteProperty(node, last);
  else node[last] = value;
  return doc;
}

const TEXT_OVERLAY = 'timeline.tracks.overlays[1].cues[0].params';
const DYNAMIC_TEXT = { type: 'dynamic_text', template: 'Wind {wind}' };

/**
 * Malformed timeline fields: [the field's JSON path, the value sent, the path the answer must name
 * (default: the field's own)].
 */
const TIMELINE_CASES: Array<[field: string, value: unknown, expectedPath?: string]> = [
  // The inputs from the issue: each answered 500 INTERNAL_ERROR before.
  ['timeline.resolution', 'abc'],
  ['timeline.resolution', '0x0'],
  ['timeline.resolution', '100000x100000'],
  ['timeline.resolution', '1920x1080p'],
  ['timeline.resolution', '1921x1080'],
  ['timeline.resolution', '1920X1080'],
  ['timeline.resolution', ' 1920x1080'],
  ['timeline.resolution', '99999999999999999999x1080'],
  ['timeline.resolution', 'x'],
  ['timeline.resolution', ''],
  ['timeline.resolution', 1920],
  ['timeline.resolution', null],
  ['timeline.resolution', ['1920', '1080']],
  ['timeline.fps', 0],
  ['timeline.fps', 61],
  ['timeline.fps', 29.97],
  ['timeline.fps', '30'],
  ['timeline.fps', -30],
  ['timeline.fps', 1e308],
  ['timeline.fps', null],
  ['timeline.duration', 0],
  ['timeline.duration', -1],
  ['timeline.duration', 'one hour'],
  ['timeline.duration', 1e308],
  ['timeline.duration', DELETE],
  ['timeline.name', ''],
  ['timeline.name', '   '],
  ['timeline.name', 42],
  ['timeline.name', 'n'.repeat(101)],
  ['timeline.id', 'has spaces'],
  ['timeline.loop', 'yes'],
  ['timeline.description', { text: 'x' }],
  ['timeline.colour', 'blue'],
  ['timeline.tracks', null],
  ['timeline.tracks', []],
  ['timeline.tracks.video', DELETE],
  ['timeline.tracks.video.track_id', ''],
  ['timeline.tracks.video.track_id', 'two words'],
  ['timeline.tracks.video.track_id', 7],
  ['timeline.tracks.video.type', 'overlay'],
  ['timeline.tracks.video.cues', 'none'],
  ['timeline.tracks.video.cues', { 0: {} }],
  ['timeline.tracks.video.cues[0]', null],
  ['timeline.tracks.video.cues[0].id', ''],
  ['timeline.tracks.video.cues[0].start_time', -1],
  ['timeline.tracks.video.cues[0].start_time', 'soon'],
  ['timeline.tracks.video.cues[0].duration', 0],
  ['timeline.tracks.video.cues[0].duration', -5],
  ['timeline.tracks.video.cues[0].duration', '60s'],
  ['timeline.tracks.video.cues[0].action', 'show_slides'],
  ['timeline.tracks.video.cues[0].action', 5],
  ['timeline.tracks.video.cues[0].action', 'show_overlay'],
  ['timeline.tracks.video.cues[0].params', 'camera 1'],
  ['timeline.tracks.video.cues[0].params.camera_id', 0],
  ['timeline.tracks.video.cues[0].params.camera_id', 'cam1'],
  ['timeline.tracks.video.cues[0].params.camera_id', 1.5],
  ['timeline.tracks.video.cues[0].params.camera_id', DELETE],
  ['timeline.tracks.video.cues[0].params.transition', 'wipe'],
  ['timeline.tracks.video.cues[0].params.transition_duration', 2],
  ['timeline.tracks.video.cues[1].params.transition_duration', -1],
  ['timeline.tracks.video.cues[1].params.transition_duration', 61],
  ['timeline.tracks.video.cues[1].params.transition_duration', 'slow'],
  ['timeline.tracks.video.cues[0].params.preset_id', { name: 'wide' }],
  ['timeline.tracks.video.cues[0].params.preset_id', 'wide shot!'],
  ['timeline.tracks.video.cues[0].params.zoom', 2],
  ['timeline.tracks.video.cues[1].params.media_url', 'relative/path.png'],
  ['timeline.tracks.video.cues[1].params.media_url', 'ftp://example.com/x.png'],
  ['timeline.tracks.video.cues[1].params.media_url', ''],
  ['timeline.tracks.video.cues[1].params.media_url', 5],
  ['timeline.tracks.video.cues[1].params.asset_id', 3, 'timeline.tracks.video.cues[1].params'],
  ['timeline.tracks.video.cues[1].params.media_url', DELETE, 'timeline.tracks.video.cues[1].params'],
  ['timeline.tracks.video.cues[1].params.asset_id', 'logo'],
  ['timeline.tracks.video.cues[1].params.media_type', 'audio'],
  ['timeline.tracks.video.cues[1].params.loop', 'forever'],
  ['timeline.tracks.overlays', { layer: 1 }],
  ['timeline.tracks.overlays[0].layer', 0],
  ['timeline.tracks.overlays[0].layer', 101],
  ['timeline.tracks.overlays[0].layer', 'top'],
  // Taken by overlays[1]: the second of the two is named, with where the first is.
  ['timeline.tracks.overlays[0].layer', 2, 'timeline.tracks.overlays[1].layer'],
  ['timeline.tracks.overlays[0].enabled', 'on'],
  ['timeline.tracks.overlays[0].type', 'video'],
  ['timeline.tracks.overlays[0].cues[0].action', 'show_camera'],
  // Ends past the timeline's end: the duration is named.
  ['timeline.tracks.overlays[0].cues[0].start_time', 3590, 'timeline.tracks.overlays[0].cues[0].duration'],
  ['timeline.tracks.overlays[0].cues[0].params.type', 'banner'],
  ['timeline.tracks.overlays[0].cues[0].params.position', 'middle'],
  [
    'timeline.tracks.overlays[0].cues[0].params.position',
    { x: -1, y: 0 },
    'timeline.tracks.overlays[0].cues[0].params.position.x',
  ],
  ['timeline.tracks.overlays[0].cues[0].params.position', { x: 1.5, y: 0 }],
  ['timeline.tracks.overlays[0].cues[0].params.position', { x: 10 }],
  ['timeline.tracks.overlays[0].cues[0].params.fade_in', -1],
  ['timeline.tracks.overlays[0].cues[0].params.fade_in', 20],
  ['timeline.tracks.overlays[0].cues[0].params.subtitle', ''],
  ['timeline.tracks.overlays[0].cues[0].params.text', ''],
  ['timeline.tracks.overlays[0].cues[0].params.text', 't'.repeat(501)],
  ['timeline.tracks.overlays[0].cues[1].params.image_url', 'logo.png'],
  [
    'timeline.tracks.overlays[0].cues[1].params.image_url',
    DELETE,
    'timeline.tracks.overlays[0].cues[1].params',
  ],
  ['timeline.tracks.overlays[0].cues[1].params.opacity', 2],
  ['timeline.tracks.overlays[0].cues[1].params.opacity', -0.1],
  ['timeline.tracks.overlays[0].cues[1].params.scale', 0],
  ['timeline.tracks.overlays[0].cues[1].params.scale', 11],
  ['timeline.tracks.overlays[0].cues[1].params.text', 'a logo has no text'],
  [`${TEXT_OVERLAY}.color`, 'red'],
  [`${TEXT_OVERLAY}.color`, '#12345'],
  [`${TEXT_OVERLAY}.color`, '#GGGGGG'],
  [`${TEXT_OVERLAY}.background`, 'blue'],
  [`${TEXT_OVERLAY}.font_size`, 5],
  [`${TEXT_OVERLAY}.font_size`, 401],
  [`${TEXT_OVERLAY}.font_size`, 12.5],
  [`${TEXT_OVERLAY}.font_size`, '24px'],
  [TEXT_OVERLAY, { ...DYNAMIC_TEXT, data_url: 'ftp://example.com/wind.json' }, `${TEXT_OVERLAY}.data_url`],
  [TEXT_OVERLAY, { ...DYNAMIC_TEXT, data_url: 'not a url' }, `${TEXT_OVERLAY}.data_url`],
  [TEXT_OVERLAY, { ...DYNAMIC_TEXT, poll_interval: 0 }, `${TEXT_OVERLAY}.poll_interval`],
  [TEXT_OVERLAY, { ...DYNAMIC_TEXT, poll_interval: 'often' }, `${TEXT_OVERLAY}.poll_interval`],
  [TEXT_OVERLAY, { ...DYNAMIC_TEXT, template: '' }, `${TEXT_OVERLAY}.template`],
  ['timeline.fallback', 'slate'],
  ['timeline.fallback.backup_camera_id', 'three'],
  ['timeline.fallback.backup_camera_id', -3],
  ['timeline.fallback.test_pattern', 'slate.png'],
  ['timeline.fallback.colour', 'black'],
];

/** Documents that are not a timeline at all: [name, body text, path named]. */
const DOCUMENT_CASES: Array<[name: string, text: string, expectedPath: string]> = [
  ['JSON null', 'null', '(document)'],
  ['a list', '[]', '(document)'],
  ['a number', '42', '(document)'],
  ['a string', '"timeline"', '(document)'],
  ['no timeline key', '{}', 'timeline'],
  ['timeline is a list', '{"timeline": []}', 'timeline'],
];

describe('malformed timelines: 4xx with the JSON path on every route that takes one', () => {
  let api: ApiHarness;
  let storedId: number;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
    const created = await api.call('POST', '/api/timelines', specExampleJson());
    assert.equal(created.statusCode, 201, created.body);
    storedId = created.json().id;
  });
  after(() => api.close());

  const refusedWithPath = (answer: { statusCode: number; body: string }, expected: string, what: string) => {
    assert.ok(
      answer.statusCode >= 400 && answer.statusCode < 500,
      `${what}: expected 4xx, got ${answer.statusCode} ${answer.body}`,
    );
    const body = JSON.parse(answer.body) as Answer;
    assert.ok(
      body.issues.some((issue) => issue.path === expected),
      `${what}: no issue at ${expected}: ${JSON.stringify(body.issues)}`,
    );
    return body;
  };

  for (const [field, value, expected = field] of TIMELINE_CASES) {
    const shown = value === DELETE ? '(left out)' : JSON.stringify(value).slice(0, 40);
    it(`${field} = ${shown} → refused at ${expected}`, async () => {
      const doc = specWith(field, value);
      const before = api.store.timelines.export(storedId);

      const created = await api.call('POST', '/api/timelines', doc);
      assert.equal(created.statusCode, 422, created.body);
      assert.equal(refusedWithPath(created, expected, 'create').code, 'TIMELINE_INVALID');

      const replaced = await api.call('PUT', `/api/timelines/${storedId}`, doc);
      assert.equal(replaced.statusCode, 422, replaced.body);
      refusedWithPath(replaced, expected, 'replace');
      // All or nothing: the stored timeline is as it was, and nothing was added.
      assert.deepEqual(api.store.timelines.export(storedId), before);
      assert.equal(rowCount(api, 'timelines'), 1);

      const imported = await api.call('POST', '/api/timelines/import', JSON.stringify(doc), {
        'content-type': 'application/json',
      });
      assert.equal(imported.statusCode, 422, imported.body);
      refusedWithPath(imported, expected, 'import');

      // The builder's preview refuses what the schema refuses; a timeline that only breaks a rule
      // across cues (overlap, past the end) is still drawn, so the operator sees it while fixing it.
      const preview = await api.call('POST', '/api/timelines/preview-frame', { document: doc, at: 0 });
      if (TimelineDocumentSchema.safeParse(doc).success) {
        assert.equal(preview.statusCode, 200, preview.body.slice(0, 300));
        assert.equal(preview.headers['content-type'], 'image/jpeg');
      } else {
        assert.equal(preview.statusCode, 422, preview.body);
        refusedWithPath(preview, expected, 'preview-frame');
      }

      // Validate answers 200 with the verdict: the problem is an error at the same path.
      const validated = await api.call('POST', '/api/timelines/validate', JSON.stringify(doc), {
        'content-type': 'application/json',
      });
      assert.equal(validated.statusCode, 200, validated.body);
      const verdict = validated.json() as { valid: boolean; issues: Answer['issues'] };
      assert.equal(verdict.valid, false);
      assert.ok(
        verdict.issues.some((issue) => issue.path === expected && issue.severity === 'error'),
        `validate: no error at ${expected}: ${JSON.stringify(verdict.issues)}`,
      );
    });
  }

  for (const [name, text, expected] of DOCUMENT_CASES) {
    it(`a document that is ${name} → refused at ${expected}`, async () => {
      refusedWithPath(
        await api.call('POST', '/api/timelines', text, { 'content-type': 'application/json' }),
        expected,
        'create',
      );
      refusedWithPath(
        await api.call('POST', '/api/timelines/import', text, { 'content-type': 'text/plain' }),
        expected,
        'import',
      );
      const validated = await api.call('POST', '/api/timelines/validate', text, {
        'content-type': 'text/plain',
      });
      assert.equal(validated.statusCode, 200, validated.body);
      assert.ok(
        (validated.json() as { issues: Answer['issues'] }).issues.some((i) => i.path === expected),
        validated.body,
      );
    });
  }
});

interface RequestCase {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The exact status, when one is right (else any 4xx). */
  status?: number;
  /** The path the answer's issues must name. */
  path: string;
}

const CAMERA = { name: 'Dock', stream_url: 'rtsp://192.168.1.20/stream1' };
const SCHEDULE = {
  name: 'Mornings',
  days: ['mon'],
  start_time: '07:00',
  end_time: '09:00',
  timeline_ids: [1],
};

const REQUEST_CASES: RequestCase[] = [
  // Path parameters that are not an id.
  {
    name: 'camera id that is a word',
    method: 'GET',
    url: '/api/cameras/abc',
    status: 400,
    path: 'params.id',
  },
  { name: 'negative camera id', method: 'GET', url: '/api/cameras/-1', status: 400, path: 'params.id' },
  {
    name: 'fractional timeline id',
    method: 'GET',
    url: '/api/timelines/1.5',
    status: 400,
    path: 'params.id',
  },
  {
    name: 'timeline id past the safe integers',
    method: 'GET',
    url: '/api/timelines/99999999999999999999999',
    status: 400,
    path: 'params.id',
  },
  { name: 'id 0', method: 'DELETE', url: '/api/destinations/0', status: 400, path: 'params.id' },
  {
    name: 'export of a word',
    method: 'GET',
    url: '/api/timelines/first/export',
    status: 400,
    path: 'params.id',
  },
  { name: 'schedule id 1e3', method: 'GET', url: '/api/schedules/1e400', status: 400, path: 'params.id' },
  {
    name: 'preset id that is a word',
    method: 'DELETE',
    url: '/api/cameras/1/presets/wide',
    status: 400,
    path: 'params.presetId',
  },
  {
    name: 'unknown setting',
    method: 'PUT',
    url: '/api/settings/nope',
    body: { value: 1 },
    status: 400,
    path: 'params.key',
  },
  // Query strings.
  {
    name: 'limit that is a word',
    method: 'GET',
    url: '/api/executions?limit=abc',
    status: 400,
    path: 'query.limit',
  },
  { name: 'limit 0', method: 'GET', url: '/api/alerts?limit=0', status: 400, path: 'query.limit' },
  {
    name: 'limit given twice',
    method: 'GET',
    url: '/api/alerts?limit=1&limit=2',
    status: 400,
    path: 'query.limit',
  },
  { name: 'open=maybe', method: 'GET', url: '/api/alerts?open=maybe', status: 400, path: 'query.open' },
  {
    name: 'unknown query key',
    method: 'GET',
    url: '/api/executions?page=2',
    status: 400,
    path: 'query.page',
  },
  { name: 'asset type pdf', method: 'GET', url: '/api/assets?type=pdf', status: 400, path: 'query.type' },
  {
    name: 'next-runs count 1000',
    method: 'GET',
    url: '/api/schedules/1/next-runs?count=1000',
    status: 400,
    path: 'query.count',
  },
  // Camera bodies.
  {
    name: 'camera without a name',
    method: 'POST',
    url: '/api/cameras',
    body: { stream_url: CAMERA.stream_url },
    status: 400,
    path: 'name',
  },
  {
    name: 'camera URL not a URL',
    method: 'POST',
    url: '/api/cameras',
    body: { ...CAMERA, stream_url: 'camera 2' },
    status: 400,
    path: 'stream_url',
  },
  {
    name: 'camera URL ftp',
    method: 'POST',
    url: '/api/cameras',
    body: { ...CAMERA, stream_url: 'ftp://x/y' },
    status: 400,
    path: 'stream_url',
  },
  {
    name: 'camera type',
    method: 'POST',
    url: '/api/cameras',
    body: { ...CAMERA, camera_type: 'dome' },
    status: 400,
    path: 'camera_type',
  },
  {
    name: 'camera enabled "yes"',
    method: 'POST',
    url: '/api/cameras',
    body: { ...CAMERA, enabled: 'yes' },
    status: 400,
    path: 'enabled',
  },
  {
    name: 'camera backup id word',
    method: 'POST',
    url: '/api/cameras',
    body: { ...CAMERA, backup_camera_id: 'two' },
    status: 400,
    path: 'backup_camera_id',
  },
  {
    name: 'camera backup that does not exist',
    method: 'POST',
    url: '/api/cameras',
    body: { ...CAMERA, backup_camera_id: 999 },
    status: 400,
    path: 'backup_camera_id',
  },
  {
    name: 'camera settle seconds',
    method: 'PATCH',
    url: '/api/cameras/1',
    body: { ptz_settle_seconds: 99 },
    status: 400,
    path: 'ptz_settle_seconds',
  },
  {
    name: 'camera unknown field',
    method: 'PATCH',
    url: '/api/cameras/1',
    body: { nmae: 'x' },
    status: 400,
    path: 'nmae',
  },
  {
    name: 'camera body null',
    method: 'POST',
    url: '/api/cameras',
    body: 'null',
    headers: { 'content-type': 'application/json' },
    status: 400,
    path: '(document)',
  },
  {
    name: 'camera body a list',
    method: 'POST',
    url: '/api/cameras',
    body: '[]',
    headers: { 'content-type': 'application/json' },
    status: 400,
    path: '(document)',
  },
  {
    name: 'preset name with spaces',
    method: 'POST',
    url: '/api/cameras/1/presets',
    body: { name: 'wide shot', pan: 0, tilt: 0 },
    status: 400,
    path: 'name',
  },
  {
    name: 'preset pan 5',
    method: 'POST',
    url: '/api/cameras/1/presets',
    body: { name: 'wide', pan: 5, tilt: 0 },
    status: 400,
    path: 'pan',
  },
  {
    name: 'camera test URL',
    method: 'POST',
    url: '/api/cameras/test',
    body: { stream_url: 'nope' },
    status: 400,
    path: 'stream_url',
  },
  {
    name: 'camera URL with a broken %-escape in its password',
    method: 'POST',
    url: '/api/cameras',
    body: { ...CAMERA, stream_url: 'rtsp://admin:50%off@192.168.1.20/stream1' },
    status: 400,
    path: 'stream_url',
  },
  {
    name: 'camera ONVIF URL with a broken %-escape in its user',
    method: 'PATCH',
    url: '/api/cameras/1',
    body: { onvif_url: 'http://%zz@192.168.1.20/onvif/device_service' },
    status: 400,
    path: 'onvif_url',
  },
  // Destination bodies.
  {
    name: 'destination platform',
    method: 'POST',
    url: '/api/destinations',
    body: { name: 'Y', platform: 'myspace' },
    status: 400,
    path: 'platform',
  },
  {
    name: 'destination server http',
    method: 'POST',
    url: '/api/destinations',
    body: { name: 'Y', platform: 'custom', server_url: 'http://x/live' },
    status: 400,
    path: 'server_url',
  },
  {
    name: 'destination server with a broken %-escape in its user',
    method: 'POST',
    url: '/api/destinations',
    body: { name: 'Y', platform: 'custom', server_url: 'rtmp://100%:key@ingest.example/live' },
    status: 400,
    path: 'server_url',
  },
  {
    name: 'destination session hours',
    method: 'POST',
    url: '/api/destinations',
    body: { name: 'Y', platform: 'youtube', max_session_hours: 0.1 },
    status: 400,
    path: 'max_session_hours',
  },
  {
    name: 'destination key a number',
    method: 'POST',
    url: '/api/destinations',
    body: { name: 'Y', platform: 'youtube', stream_key: 1234 },
    status: 400,
    path: 'stream_key',
  },
  {
    name: 'destination patch enabled',
    method: 'PATCH',
    url: '/api/destinations/1',
    body: { enabled: 1 },
    status: 400,
    path: 'enabled',
  },
  // Schedule bodies.
  {
    name: 'schedule time 25:00',
    method: 'POST',
    url: '/api/schedules',
    body: { ...SCHEDULE, start_time: '25:00' },
    status: 400,
    path: 'start_time',
  },
  {
    name: 'schedule day funday',
    method: 'POST',
    url: '/api/schedules',
    body: { ...SCHEDULE, days: ['funday'] },
    status: 400,
    path: 'days[0]',
  },
  {
    name: 'schedule no days',
    method: 'POST',
    url: '/api/schedules',
    body: { ...SCHEDULE, days: [] },
    status: 400,
    path: 'days',
  },
  {
    name: 'schedule timeline id word',
    method: 'POST',
    url: '/api/schedules',
    body: { ...SCHEDULE, timeline_ids: ['one'] },
    status: 400,
    path: 'timeline_ids[0]',
  },
  {
    name: 'schedule timeline missing',
    method: 'POST',
    url: '/api/schedules',
    body: { ...SCHEDULE, timeline_ids: [999] },
    status: 400,
    path: 'timeline_ids[0]',
  },
  {
    name: 'schedule destination twice',
    method: 'POST',
    url: '/api/schedules',
    body: { ...SCHEDULE, destination_ids: [1, 1] },
    status: 400,
    path: 'destination_ids',
  },
  {
    name: 'schedule end time a number',
    method: 'PUT',
    url: '/api/schedules/1',
    body: { ...SCHEDULE, end_time: 900 },
    status: 400,
    path: 'end_time',
  },
  // Settings bodies.
  {
    name: 'time zone Mars',
    method: 'PUT',
    url: '/api/settings/appliance.timezone',
    body: { value: 'Mars/Olympus' },
    status: 400,
    path: 'value',
  },
  {
    name: 'time zone a number',
    method: 'PUT',
    url: '/api/settings/appliance.timezone',
    body: { value: 5 },
    status: 400,
    path: 'value',
  },
  {
    name: 'appliance name empty',
    method: 'PUT',
    url: '/api/settings/appliance.name',
    body: { value: '' },
    status: 400,
    path: 'value',
  },
  {
    name: 'webhook not a URL',
    method: 'PUT',
    url: '/api/settings/alerts.webhook',
    body: { value: { url: 'hook' } },
    status: 400,
    path: 'value.url',
  },
  {
    name: 'settings body without value',
    method: 'PUT',
    url: '/api/settings/appliance.name',
    body: { name: 'x' },
    status: 400,
    path: 'name',
  },
  // Clone.
  {
    name: 'clone name empty',
    method: 'POST',
    url: '/api/timelines/1/clone',
    body: { name: ' ' },
    status: 400,
    path: 'name',
  },
  // Bodies that are not JSON, too large, or of the wrong type.
  {
    name: 'malformed JSON',
    method: 'POST',
    url: '/api/cameras',
    body: '{"name": ',
    headers: { 'content-type': 'application/json' },
    status: 400,
    path: '(body)',
  },
  {
    name: 'empty JSON body',
    method: 'POST',
    url: '/api/cameras',
    body: '',
    headers: { 'content-type': 'application/json' },
    status: 400,
    path: '(body)',
  },
  {
    name: 'a prototype key',
    method: 'POST',
    url: '/api/cameras',
    body: '{"__proto__": {"admin": true}, "name": "x"}',
    headers: { 'content-type': 'application/json' },
    status: 400,
    path: '(body)',
  },
  // Fastify reads text/plain as a string: refused as not an object.
  {
    name: 'text/plain body',
    method: 'POST',
    url: '/api/cameras',
    body: 'name=Dock',
    headers: { 'content-type': 'text/plain' },
    status: 400,
    path: '(document)',
  },
  {
    name: 'XML body',
    method: 'POST',
    url: '/api/cameras',
    body: '<camera/>',
    headers: { 'content-type': 'application/xml' },
    status: 415,
    path: '(body)',
  },
  {
    name: 'form body',
    method: 'POST',
    url: '/api/destinations',
    body: 'name=Y&platform=youtube',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    path: '(body)',
  },
  {
    name: 'body of 3 MB',
    method: 'POST',
    url: '/api/cameras',
    body: JSON.stringify({ ...CAMERA, name: 'n'.repeat(3 * 1024 * 1024) }),
    headers: { 'content-type': 'application/json' },
    status: 413,
    path: '(body)',
  },
  {
    name: 'timeline file of 3 MB',
    method: 'POST',
    url: '/api/timelines/validate',
    body: ' '.repeat(3 * 1024 * 1024),
    headers: { 'content-type': 'text/plain' },
    status: 413,
    path: '(body)',
  },
  {
    name: 'timeline upload cut off',
    method: 'POST',
    url: '/api/timelines/import',
    body: '--b\r\nContent-Disposition: form-data; name="file"; filename="show.json"\r\n\r\n{"timeline"',
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    status: 400,
    path: '(body)',
  },
  {
    name: 'multipart without a boundary',
    method: 'POST',
    url: '/api/timelines/validate',
    body: '{"timeline": {}}',
    headers: { 'content-type': 'multipart/form-data' },
    status: 400,
    path: '(body)',
  },
  {
    name: 'asset upload of nothing but garbage',
    method: 'POST',
    url: '/api/assets',
    body: 'garbage',
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    status: 400,
    path: '(body)',
  },
  {
    name: 'timeline that is not JSON',
    method: 'POST',
    url: '/api/timelines/import',
    body: 'timeline: yes',
    headers: { 'content-type': 'text/plain' },
    status: 400,
    path: '(document)',
  },
];

describe('malformed requests: 4xx naming where the problem is', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
    // Ids 1 exist, so each row is refused for its input, not for a missing record.
    assert.equal((await api.call('POST', '/api/timelines', specExampleJson())).statusCode, 201);
    assert.equal((await api.call('POST', '/api/cameras', CAMERA)).statusCode, 201);
    const destination = await api.call('POST', '/api/destinations', {
      name: 'YouTube',
      platform: 'youtube',
      stream_key: 'abcd-efgh',
    });
    assert.equal(destination.statusCode, 201, destination.body);
    assert.equal((await api.call('POST', '/api/schedules', SCHEDULE)).statusCode, 201);
  });
  after(() => api.close());

  for (const row of REQUEST_CASES) {
    it(`${row.name}: ${row.method} ${row.url.slice(0, 60)} → ${row.status ?? '4xx'} naming ${row.path}`, async () => {
      const answer = await api.call(row.method, row.url, row.body, row.headers);
      assert.ok(
        answer.statusCode >= 400 && answer.statusCode < 500,
        `expected 4xx, got ${answer.statusCode} ${answer.body.slice(0, 300)}`,
      );
      if (row.status !== undefined) assert.equal(answer.statusCode, row.status, answer.body.slice(0, 300));
      const body = answer.json() as Answer;
      assert.notEqual(body.code, 'INTERNAL_ERROR');
      assert.ok(
        body.issues.some((issue) => issue.path === row.path),
        `no issue at ${row.path}: ${answer.body.slice(0, 300)}`,
      );
    });
  }
});

describe('a URL Fastify cannot decode', () => {
  it('frameworkErrorHandler answers in the one error shape, naming the URL', async () => {
    // buildApp passes it as Fastify's frameworkErrors; built here on its own so it is tested as is.
    const app = Fastify({ frameworkErrors: frameworkErrorHandler(pino({ level: 'silent' })) });
    app.get('/api/cameras/:id', async () => ({ ok: true }));
    try {
      const answer = await app.inject({ method: 'GET', url: '/api/cameras/%E0%A4%A' });
      assert.equal(answer.statusCode, 400);
      const body = answer.json() as Answer & { remediation: string };
      assert.equal(body.code, 'VALIDATION_FAILED');
      assert.match(body.message, /is not a valid url component/);
      assert.equal(body.remediation.length > 0, true);
      assert.deepEqual(
        body.issues.map((issue) => issue.path),
        ['(url)'],
      );
    } finally {
      await app.close();
    }
  });

  it('the appliance answers it with 400 (not 500)', async () => {
    const api = await createApiHarness();
    try {
      await api.signIn();
      const answer = await api.call('GET', '/api/cameras/%zz');
      assert.equal(answer.statusCode, 400, answer.body);
    } finally {
      await api.close();
    }
  });
});
