import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { copyName, exportFileName, findJsonError } from '../../../src/api/routes/timelines.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { mustValidate, seededRandom, specExampleJson } from '../../helpers/timelines.ts';

type Json = ReturnType<typeof specExampleJson>;

function counts(api: ApiHarness): { timelines: number; tracks: number; cues: number } {
  const n = (table: string) => api.store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  return { timelines: n('timelines'), tracks: n('timeline_tracks'), cues: n('timeline_cues') };
}

/** A small valid timeline: one camera cue per entry, back to back. */
function smallTimeline(name: string, cameraIds: number[] = [1]): Json {
  return {
    timeline: {
      name,
      duration: 10 * cameraIds.length,
      fps: 30,
      resolution: '1280x720',
      tracks: {
        video: {
          track_id: 'v',
          type: 'video',
          cues: cameraIds.map((camera, index) => ({
            id: `c${index + 1}`,
            start_time: index * 10,
            duration: 10,
            action: 'show_camera',
            params: { camera_id: camera },
          })),
        },
      },
    },
  };
}

function multipart(field: string, filename: string, content: string) {
  const boundary = '----vistterTestBoundary7MA4YWxkTrZu0gW';
  return {
    body:
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
      `Content-Type: application/json\r\n\r\n${content}\r\n--${boundary}--\r\n`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('timeline routes (real SQLite file)', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
  });
  after(() => api.close());
  beforeEach(() => {
    api.store.db.exec('DELETE FROM timeline_executions; DELETE FROM timelines; DELETE FROM cameras;');
  });

  it('creates from the JSON document, stores it in the spec tables, reads back the canonical document', async () => {
    const created = await api.call('POST', '/api/timelines', specExampleJson());
    assert.equal(created.statusCode, 201, created.body);
    const saved = created.json();
    assert.equal(saved.name, 'Daily Marina Stream');
    assert.equal(saved.doc_id, 'timeline_001');
    assert.equal(saved.overlay_tracks, 2);
    assert.equal(saved.cues, 6);
    assert.deepEqual(counts(api), { timelines: 1, tracks: 3, cues: 6 });
    // No camera exists on this appliance yet: saved, with the references named.
    assert.deepEqual(
      saved.warnings.filter((w: { path: string }) => w.path.endsWith('camera_id')),
      [
        {
          path: 'timeline.tracks.video.cues[0].params.camera_id',
          message: 'camera 1 is not configured on this appliance',
        },
        {
          path: 'timeline.tracks.video.cues[2].params.camera_id',
          message: 'camera 2 is not configured on this appliance',
        },
        {
          path: 'timeline.fallback.backup_camera_id',
          message: 'camera 3 is not configured on this appliance',
        },
      ],
    );
    assert.ok(saved.warnings.some((w: { message: string }) => w.message.includes('slate')));

    const one = await api.call('GET', `/api/timelines/${saved.id}`);
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().id, saved.id);
    assert.deepEqual(one.json().document, mustValidate(specExampleJson()));
    const list = await api.call('GET', '/api/timelines');
    assert.deepEqual(
      list.json().map((t: { id: number; name: string; cues: number }) => [t.id, t.name, t.cues]),
      [[saved.id, 'Daily Marina Stream', 6]],
    );
  });

  it('an invalid timeline answers 422 TIMELINE_INVALID with every problem’s JSON path, and saves nothing', async () => {
    await api.call('POST', '/api/timelines', smallTimeline('Existing'));
    const before = counts(api);
    const doc = specExampleJson();
    const video = doc.timeline.tracks['video'] as { cues: Array<Record<string, unknown>> };
    video.cues[1]!['start_time'] = 30; // overlaps cue_v1 (0–60 s)
    (video.cues[0]!['params'] as Record<string, unknown>)['camera'] = 1; // unknown field
    doc.timeline['fps'] = 0;
    const response = await api.call('POST', '/api/timelines', doc);
    assert.equal(response.statusCode, 422, response.body);
    const error = response.json();
    assert.equal(error.code, 'TIMELINE_INVALID');
    assert.deepEqual(error.issues.map((i: { path: string }) => i.path).sort(), [
      'timeline.fps',
      'timeline.tracks.video.cues[0].params.camera',
    ]);
    assert.ok(error.remediation.includes('nothing was saved'));

    // Schema-valid but overlapping: the rule checks name the cue.
    const overlapping = specExampleJson();
    (overlapping.timeline.tracks['video'] as { cues: Array<Record<string, unknown>> }).cues[1]![
      'start_time'
    ] = 30;
    const overlap = await api.call('POST', '/api/timelines', overlapping);
    assert.equal(overlap.statusCode, 422);
    assert.deepEqual(
      overlap.json().issues.map((i: { path: string }) => i.path),
      ['timeline.tracks.video.cues[1].start_time'],
    );

    for (const body of [[], '"just text"', { timeline: null }, { timeline: { name: 'x'.repeat(101) } }]) {
      const refused = await api.call('POST', '/api/timelines', body, { 'content-type': 'application/json' });
      assert.equal(refused.statusCode, 422, JSON.stringify(body));
      assert.ok(refused.json().issues.length > 0);
    }
    const huge = await api.call('POST', '/api/timelines', smallTimeline('y'.repeat(5000)));
    assert.equal(huge.statusCode, 422);
    assert.deepEqual(huge.json().issues, [
      { path: 'timeline.name', message: 'must be at most 100 characters' },
    ]);
    const malformed = await api.call('POST', '/api/timelines', '{"timeline": {', {
      'content-type': 'application/json',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().code, 'JSON_MALFORMED');
    assert.deepEqual(counts(api), before, 'nothing was written');
  });

  it('PUT replaces all or nothing: invalid input or a failure half-way leaves the old version whole', async () => {
    const { id } = (await api.call('POST', '/api/timelines', specExampleJson())).json();
    const original = (await api.call('GET', `/api/timelines/${id}/export`)).body;

    const next = smallTimeline('Evening', [1, 2]);
    const replaced = await api.call('PUT', `/api/timelines/${id}`, next);
    assert.equal(replaced.statusCode, 200, replaced.body);
    assert.equal(replaced.json().id, id);
    assert.equal(replaced.json().name, 'Evening');
    assert.deepEqual(counts(api), { timelines: 1, tracks: 1, cues: 2 });
    assert.deepEqual((await api.call('GET', `/api/timelines/${id}`)).json().document, mustValidate(next));

    assert.equal((await api.call('PUT', `/api/timelines/${id}`, specExampleJson())).statusCode, 200);
    const invalid = smallTimeline('Broken');
    (invalid.timeline.tracks['video'] as { cues: Array<Record<string, unknown>> }).cues[0]!['duration'] = -5;
    const refused = await api.call('PUT', `/api/timelines/${id}`, invalid);
    assert.equal(refused.statusCode, 422);
    assert.deepEqual(refused.json().issues, [
      { path: 'timeline.tracks.video.cues[0].duration', message: 'must be greater than 0' },
    ]);
    assert.equal((await api.call('GET', `/api/timelines/${id}/export`)).body, original);

    // The database refuses the last cue mid-write: the transaction rolls back whole.
    api.store.db.exec(`CREATE TEMP TRIGGER refuse_cue BEFORE INSERT ON timeline_cues WHEN NEW.cue_key = 'c2'
      BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END`);
    try {
      const failed = await api.call('PUT', `/api/timelines/${id}`, smallTimeline('Half', [1, 2]));
      assert.equal(failed.statusCode, 500);
      assert.equal(failed.json().code, 'INTERNAL_ERROR');
      const created = await api.call('POST', '/api/timelines', smallTimeline('Half', [1, 2]));
      assert.equal(created.statusCode, 500);
    } finally {
      api.store.db.exec('DROP TRIGGER refuse_cue');
    }
    assert.equal((await api.call('GET', `/api/timelines/${id}/export`)).body, original);
    assert.deepEqual(counts(api), { timelines: 1, tracks: 3, cues: 6 });

    const missing = await api.call('PUT', '/api/timelines/9999', smallTimeline('Ghost'));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'TIMELINE_NOT_FOUND');
    assert.equal(counts(api).timelines, 1, 'a PUT to an unknown id creates nothing');
  });

  it('delete removes the timeline with its tracks and cues, but not while a show plays it', async () => {
    const { id } = (await api.call('POST', '/api/timelines', specExampleJson())).json();
    const other = (await api.call('POST', '/api/timelines', smallTimeline('Other'))).json();
    const execution = api.store.executions.start(id);
    const onAir = await api.call('DELETE', `/api/timelines/${id}`);
    assert.equal(onAir.statusCode, 409);
    assert.equal(onAir.json().code, 'TIMELINE_ON_AIR');
    assert.match(onAir.json().message, /Daily Marina Stream/);
    assert.deepEqual(counts(api), { timelines: 2, tracks: 4, cues: 7 });

    api.store.executions.finish(execution.id, 'stopped');
    const deleted = await api.call('DELETE', `/api/timelines/${id}`);
    assert.equal(deleted.statusCode, 204);
    assert.deepEqual(counts(api), { timelines: 1, tracks: 1, cues: 1 });
    assert.equal(api.store.executions.get(execution.id).timeline_id, null, 'the history stays');
    assert.equal((await api.call('GET', `/api/timelines/${id}`)).statusCode, 404);
    assert.equal((await api.call('DELETE', `/api/timelines/${id}`)).json().code, 'TIMELINE_NOT_FOUND');
    assert.equal((await api.call('GET', `/api/timelines/${other.id}`)).statusCode, 200);
  });

  it('clone makes a unique "(copy)" name, or takes the one given; the copy has no document id', async () => {
    const { id } = (await api.call('POST', '/api/timelines', specExampleJson())).json();
    const first = await api.call('POST', `/api/timelines/${id}/clone`);
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().name, 'Daily Marina Stream (copy)');
    assert.equal(first.json().doc_id, null);
    const second = await api.call('POST', `/api/timelines/${id}/clone`, {});
    assert.equal(second.json().name, 'Daily Marina Stream (copy 2)');
    const named = await api.call('POST', `/api/timelines/${id}/clone`, { name: '  Sunday  ' });
    assert.equal(named.json().name, 'Sunday');

    const source = (await api.call('GET', `/api/timelines/${id}`)).json().document;
    const copy = (await api.call('GET', `/api/timelines/${first.json().id}`)).json().document;
    const { id: _docId, name: _name, ...sourceRest } = source.timeline;
    const { name: _copyName, ...copyRest } = copy.timeline;
    assert.deepEqual(copyRest, sourceRest);

    const long = (await api.call('POST', '/api/timelines', smallTimeline('L'.repeat(100)))).json();
    const longCopy = await api.call('POST', `/api/timelines/${long.id}/clone`);
    assert.equal(longCopy.statusCode, 201);
    assert.equal(longCopy.json().name.length, 100);
    assert.ok(longCopy.json().name.endsWith(' (copy)'));

    const before = counts(api);
    for (const [url, body, status, path] of [
      [`/api/timelines/${id}/clone`, { name: '' }, 400, 'name'],
      [`/api/timelines/${id}/clone`, { name: 'n'.repeat(101) }, 400, 'name'],
      [`/api/timelines/${id}/clone`, { title: 'x' }, 400, 'title'],
      ['/api/timelines/31337/clone', undefined, 404, null],
    ] as const) {
      const response = await api.call('POST', url, body);
      assert.equal(response.statusCode, status, response.body);
      if (path) assert.equal(response.json().issues[0].path, path);
    }
    assert.deepEqual(counts(api), before);
  });

  it('validate checks without saving: errors and warnings with JSON paths, unknown cameras and assets', async () => {
    const camera = (
      await api.call('POST', '/api/cameras', { name: 'Pier', stream_url: 'rtsp://10.0.0.5/s' })
    ).json();
    const doc = smallTimeline('Check me', [camera.id, 999]);
    doc.timeline.tracks['overlays'] = [
      {
        track_id: 'o',
        type: 'overlay',
        layer: 1,
        cues: [
          {
            id: 'logo',
            start_time: 0,
            duration: 5,
            action: 'show_overlay',
            params: { type: 'logo', asset_id: 4040 },
          },
        ],
      },
    ];
    const before = counts(api);
    const ok = await api.call('POST', '/api/timelines/validate', doc);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), {
      valid: true,
      issues: [
        {
          path: 'timeline.tracks.video.cues[1].params.camera_id',
          message: 'camera 999 is not configured on this appliance',
          severity: 'warning',
        },
        {
          path: 'timeline.tracks.overlays[0].cues[0].params.asset_id',
          message: 'asset 4040 is not in the library',
          severity: 'warning',
        },
      ],
    });

    (doc.timeline.tracks['video'] as { cues: Array<Record<string, unknown>> }).cues[1]!['start_time'] = 5;
    const bad = await api.call('POST', '/api/timelines/validate', doc);
    assert.equal(bad.statusCode, 200);
    assert.equal(bad.json().valid, false);
    assert.deepEqual(bad.json().issues[0], {
      path: 'timeline.tracks.video.cues[1].start_time',
      message: bad.json().issues[0].message,
      severity: 'error',
    });
    assert.match(bad.json().issues[0].message, /may not overlap/);

    const malformed = await api.call(
      'POST',
      '/api/timelines/validate',
      '{\n  "timeline": {\n    "name": x\n',
      {
        'content-type': 'application/json',
      },
    );
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().code, 'JSON_MALFORMED');
    assert.match(malformed.json().message, /line 3, column 13/);
    assert.deepEqual(counts(api), before, 'validate saves nothing');
  });

  it('export is a JSON file download with a safe name; import of it (body or upload) is identical', async () => {
    const doc = specExampleJson();
    doc.timeline['name'] = 'Marina "Live" / Night: 1\r\nX-Evil: yes';
    const created = await api.call('POST', '/api/timelines', doc);
    assert.equal(created.statusCode, 201, created.body);
    const { id } = created.json();

    const exported = await api.call('GET', `/api/timelines/${id}/export`);
    assert.equal(exported.statusCode, 200);
    assert.match(exported.headers['content-type'] as string, /^application\/json/);
    const disposition = exported.headers['content-disposition'] as string;
    assert.equal(
      disposition,
      `attachment; filename="marina-live-night-1-x-evil-yes.json"; filename*=UTF-8''${encodeURIComponent('Marina Live Night 1 X-Evil yes.json')}`,
    );
    assert.equal(exported.headers['x-evil'], undefined);
    assert.deepEqual(JSON.parse(exported.body), mustValidate(doc));

    const imported = await api.call('POST', '/api/timelines/import', exported.body, {
      'content-type': 'application/json',
    });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.notEqual(imported.json().id, id);
    const again = await api.call('GET', `/api/timelines/${imported.json().id}/export`);
    assert.equal(again.body, exported.body, 'export → import → export is byte-identical');
    assert.equal(again.headers['content-disposition'], disposition);

    const upload = multipart('file', 'marina.json', exported.body);
    const uploaded = await api.call('POST', '/api/timelines/import', upload.body, upload.headers);
    assert.equal(uploaded.statusCode, 201, uploaded.body);
    assert.equal((await api.call('GET', `/api/timelines/${uploaded.json().id}/export`)).body, exported.body);

    const asFile = await api.call('POST', '/api/timelines/import', `\uFEFF${exported.body}`, {
      'content-type': 'application/octet-stream',
    });
    assert.equal(asFile.statusCode, 201, asFile.body);
    const asObject = await api.call('POST', '/api/timelines/import', JSON.parse(exported.body));
    assert.equal(asObject.statusCode, 201, asObject.body);
    assert.equal(counts(api).timelines, 5);
    const noName = (await api.call('POST', '/api/timelines', smallTimeline('???'))).json();
    const fallback = await api.call('GET', `/api/timelines/${noName.id}/export`);
    assert.match(
      fallback.headers['content-disposition'] as string,
      new RegExp(`filename="timeline-${noName.id}.json"`),
    );
    assert.equal((await api.call('GET', '/api/timelines/4711/export')).statusCode, 404);
  });

  it('import refuses malformed JSON (with where), invalid timelines and empty uploads, saving nothing', async () => {
    const before = counts(api);
    const text = JSON.stringify(specExampleJson(), null, 2).replace('"fps": 30,', '"fps": 30');
    const malformed = await api.call('POST', '/api/timelines/import', text, {
      'content-type': 'application/json',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().code, 'JSON_MALFORMED');
    assert.match(malformed.json().message, /line 7, column 5: expected ',' or '}' after a property value/);
    assert.equal(malformed.json().issues[0].path, '(document)');

    const truncatedUpload = multipart(
      'file',
      't.json',
      JSON.stringify(specExampleJson(), null, 2).slice(0, 200),
    );
    const truncated = await api.call(
      'POST',
      '/api/timelines/import',
      truncatedUpload.body,
      truncatedUpload.headers,
    );
    assert.equal(truncated.statusCode, 400);
    assert.equal(truncated.json().code, 'JSON_MALFORMED');
    assert.match(
      truncated.json().message,
      /at line \d+, column \d+: the text ends before the JSON is complete/,
    );

    const invalid = smallTimeline('Bad');
    invalid.timeline['resolution'] = '1921x1080';
    const refused = await api.call('POST', '/api/timelines/import', JSON.stringify(invalid), {
      'content-type': 'text/plain',
    });
    assert.equal(refused.statusCode, 422);
    assert.deepEqual(refused.json().issues, [
      { path: 'timeline.resolution', message: 'width and height must be even, from 16x16 up to 3840x2160' },
    ]);

    const empty = await api.call('POST', '/api/timelines/import', '', { 'content-type': 'application/json' });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().code, 'JSON_MALFORMED');
    const boundary = 'x-boundary';
    const noFile = await api.call(
      'POST',
      '/api/timelines/import',
      `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}--\r\n`,
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
    );
    assert.equal(noFile.statusCode, 400);
    assert.deepEqual(
      noFile.json().issues.map((i: { path: string }) => i.path),
      ['file'],
    );

    const tooBig = multipart('file', 'big.json', ' '.repeat(2 * 1024 * 1024 + 10));
    const big = await api.call('POST', '/api/timelines/import', tooBig.body, tooBig.headers);
    assert.equal(big.statusCode, 413, big.body);
    assert.equal(big.json().code, 'PAYLOAD_TOO_LARGE');

    const anonymous = await api.app.inject({
      method: 'POST',
      url: '/api/timelines/import',
      payload: JSON.stringify(smallTimeline('Sneaky')),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(anonymous.statusCode, 401);
    assert.deepEqual(counts(api), before, 'nothing was written');
  });

  it('every timeline route is in the API reference', async () => {
    const paths = (await api.call('GET', '/api/docs/json')).json().paths;
    const expected: Record<string, string[]> = {
      '/api/timelines': ['get', 'post'],
      '/api/timelines/{id}': ['delete', 'get', 'put'],
      '/api/timelines/{id}/clone': ['post'],
      '/api/timelines/{id}/export': ['get'],
      '/api/timelines/validate': ['post'],
      '/api/timelines/import': ['post'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      assert.deepEqual(Object.keys(paths[path] ?? {}).sort(), methods, path);
      for (const method of methods) assert.deepEqual(paths[path][method].tags, ['timelines'], path);
    }
    const body = paths['/api/timelines'].post.requestBody.content['application/json'].schema;
    assert.ok(body.properties.timeline.properties.tracks, 'the document schema is documented');
    assert.ok(paths['/api/timelines/import'].post.requestBody.content['multipart/form-data']);
  });
});

describe('timeline file helpers (pure)', () => {
  it('findJsonError agrees with JSON.parse on thousands of damaged files and names the place', () => {
    const random = seededRandom(20261124);
    const sources = [
      JSON.stringify(specExampleJson(), null, 2),
      JSON.stringify(specExampleJson()),
      '{"a":[1,-2.5e+3,true,false,null,"\\u00e9\\n",{}],"b":[]}',
      '  [ ]  ',
    ];
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', 'x', '1', '-', '.', 'e', ' ', '\n', 'n', 't'];
    let broken = 0;
    for (const source of sources) {
      assert.equal(findJsonError(source), null, source.slice(0, 40));
      for (let n = 0; n < 1500; n++) {
        const at = Math.floor(random() * source.length);
        const kind = random();
        const char = alphabet[Math.floor(random() * alphabet.length)]!;
        const text =
          kind < 0.4
            ? source.slice(0, at) + source.slice(at + 1)
            : kind < 0.8
              ? source.slice(0, at) + char + source.slice(at)
              : source.slice(0, at);
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        const found = findJsonError(text);
        assert.equal(
          found === null,
          parses,
          `disagrees on ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))}`,
        );
        if (found) {
          broken++;
          assert.ok(found.offset >= 0 && found.offset <= text.length);
        }
      }
    }
    assert.ok(broken > 3000, `most mutations break the JSON (${broken})`);
    assert.deepEqual(findJsonError('{"a": 1,\n "b": nope}'), {
      offset: 15,
      problem:
        'unexpected word: text must be in "double quotes" (true, false and null are the only bare words)',
    });
    assert.equal(findJsonError('{"a": [1, 2}')?.offset, 11);
    assert.match(findJsonError('{"a": [1, 2')!.problem, /ends before the JSON is complete/);
    assert.equal(findJsonError('['.repeat(200_000))?.offset, 200_000, 'deep nesting does not overflow');
  });

  it('copyName picks the first free "(copy n)" within 100 characters', () => {
    assert.equal(copyName('Show', new Set()), 'Show (copy)');
    assert.equal(copyName('Show', new Set(['Show (copy)', 'Show (copy 2)'])), 'Show (copy 3)');
    const long = 'a'.repeat(100);
    assert.equal(copyName(long, new Set()), `${'a'.repeat(93)} (copy)`);
    assert.equal(copyName(long, new Set([`${'a'.repeat(93)} (copy)`])), `${'a'.repeat(91)} (copy 2)`);
    assert.equal(copyName(`${'b'.repeat(92)}🌊`, new Set()), `${'b'.repeat(92)} (copy)`, 'no half emoji');
  });

  it('exportFileName keeps only safe characters', () => {
    assert.deepEqual(exportFileName('../../etc/passwd', 3), {
      ascii: 'etc-passwd.json',
      utf8: 'etc passwd.json',
    });
    assert.deepEqual(exportFileName('Café Tide', 4), { ascii: 'cafe-tide.json', utf8: 'Café Tide.json' });
    assert.deepEqual(exportFileName('日本', 5), { ascii: 'timeline-5.json', utf8: '日本.json' });
    const emoji = exportFileName(`${'x'.repeat(79)}🌊🌊 \ud800`, 6);
    assert.equal(emoji.utf8, `${'x'.repeat(79)}🌊.json`, 'cut between code points');
    assert.doesNotThrow(() => encodeURIComponent(exportFileName('a\ud800b', 7).utf8));
  });
});
