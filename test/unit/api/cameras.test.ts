import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { databaseBytes, rowCount, useSignedInApi, type ApiHarness } from '../../helpers/api.ts';
import { specExampleJson } from '../../helpers/timelines.ts';

const STREAM_PASSWORD = 'Tr0ub4dor&3-stream';
const ONVIF_PASSWORD = 'onvif-Secret-7781';

function cameraRow(api: ApiHarness, id: number) {
  return api.store.db.prepare('SELECT * FROM cameras WHERE id = ?').get(id) as {
    stream_url: string;
    username: string | null;
    password_enc: string | null;
    onvif_password_enc: string | null;
  };
}

describe('camera routes (real SQLite file)', () => {
  const suite = useSignedInApi('DELETE FROM timelines; DELETE FROM cameras;');

  it('moves credentials typed into the stream URL out of it, seals them, and never shows a password', async () => {
    const created = await suite.api.call('POST', '/api/cameras', {
      name: 'Pier',
      stream_url: `rtsp://admin:${encodeURIComponent(STREAM_PASSWORD)}@10.0.0.5:554/stream1`,
      camera_type: 'ptz',
      onvif_url: 'http://10.0.0.5/onvif/device_service',
      onvif_username: 'operator',
      onvif_password: ONVIF_PASSWORD,
    });
    assert.equal(created.statusCode, 201, created.body);
    const camera = created.json();
    assert.equal(camera.stream_url, 'rtsp://10.0.0.5:554/stream1');
    assert.equal(camera.username, 'admin');
    assert.equal(camera.has_password, true);
    assert.equal(camera.has_onvif_password, true);
    assert.equal(camera.camera_type, 'ptz');
    assert.equal('password' in camera, false);
    assert.equal('onvif_password' in camera, false);

    const row = cameraRow(suite.api, camera.id);
    assert.equal(row.stream_url, 'rtsp://10.0.0.5:554/stream1', 'the URL column holds no credentials');
    assert.equal(row.username, 'admin');
    assert.match(row.password_enc ?? '', /^v1:/);
    assert.match(row.onvif_password_enc ?? '', /^v1:/);
    const onDisk = databaseBytes(suite.api);
    assert.equal(onDisk.includes(STREAM_PASSWORD), false, 'the stream password is not on disk in clear');
    assert.equal(onDisk.includes(encodeURIComponent(STREAM_PASSWORD)), false);
    assert.equal(onDisk.includes(ONVIF_PASSWORD), false, 'the ONVIF password is not on disk in clear');

    // The engine still gets the credentials back.
    const connection = suite.api.store.cameras.connection(camera.id);
    assert.equal(new URL(connection.url).password, encodeURIComponent(STREAM_PASSWORD));
    assert.equal(connection.onvif?.password, ONVIF_PASSWORD);

    const reads = [
      await suite.api.call('GET', '/api/cameras'),
      await suite.api.call('GET', `/api/cameras/${camera.id}`),
      await suite.api.call('PATCH', `/api/cameras/${camera.id}`, { enabled: false }),
    ];
    for (const read of reads) {
      assert.equal(read.statusCode, 200, read.body);
      assert.equal(read.body.includes(STREAM_PASSWORD), false);
      assert.equal(read.body.includes(encodeURIComponent(STREAM_PASSWORD)), false);
      assert.equal(read.body.includes(ONVIF_PASSWORD), false);
    }
    assert.deepEqual(
      reads[0]!.json().map((c: { id: number }) => c.id),
      [camera.id],
    );
    assert.equal(reads[1]!.json().has_password, true);
    assert.equal(reads[2]!.json().enabled, false);
  });

  it('PATCH keeps a password left out, replaces a new one, removes one set to null', async () => {
    const { id } = (
      await suite.api.call('POST', '/api/cameras', {
        name: 'Dock',
        stream_url: 'rtsp://10.0.0.6/live',
        username: 'viewer',
        password: 'first-password',
      })
    ).json();
    const renamed = await suite.api.call('PATCH', `/api/cameras/${id}`, { name: 'Dock east' });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json().name, 'Dock east');
    assert.equal(new URL(suite.api.store.cameras.connection(id).url).password, 'first-password', 'kept');

    const moved = await suite.api.call('PATCH', `/api/cameras/${id}`, {
      stream_url: 'rtsp://root:second%20password@10.0.0.7/live',
    });
    assert.equal(moved.statusCode, 200);
    assert.equal(moved.json().stream_url, 'rtsp://10.0.0.7/live');
    assert.equal(moved.json().username, 'root');
    // (not just "second": the view has ptz_settle_seconds)
    assert.equal(/second( |%20)password/.test(moved.body), false);
    assert.equal(suite.api.store.cameras.connection(id).url, 'rtsp://root:second%20password@10.0.0.7/live');

    const cleared = await suite.api.call('PATCH', `/api/cameras/${id}`, { password: null });
    assert.equal(cleared.json().has_password, false);
    assert.equal(cameraRow(suite.api, id).password_enc, null);
  });

  it('refuses bad input with a stable code and the field path, writing nothing', async () => {
    const { id } = (
      await suite.api.call('POST', '/api/cameras', { name: 'Pier', stream_url: 'rtsp://10.0.0.5/s' })
    ).json();
    const before = rowCount(suite.api, 'cameras');
    const cases: Array<{
      method: 'POST' | 'PATCH';
      url: string;
      body: unknown;
      status: number;
      code: string;
      path: string;
    }> = [
      {
        method: 'POST',
        url: '/api/cameras',
        body: { name: 'Bad URL', stream_url: 'ftp://user:hunter2-secret@10.0.0.5/x' },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'stream_url',
      },
      {
        method: 'POST',
        url: '/api/cameras',
        body: { name: 'No host', stream_url: 'not a url' },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'stream_url',
      },
      {
        method: 'POST',
        url: '/api/cameras',
        body: { name: 'x'.repeat(5000), stream_url: 'rtsp://10.0.0.5/s' },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'name',
      },
      {
        method: 'POST',
        url: '/api/cameras',
        body: { name: '   ', stream_url: 'rtsp://10.0.0.5/s' },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'name',
      },
      {
        method: 'POST',
        url: '/api/cameras',
        body: { name: 'Extra', stream_url: 'rtsp://10.0.0.5/s', colour: 'red' },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'colour',
      },
      {
        method: 'POST',
        url: '/api/cameras',
        body: { name: 'Pier', stream_url: 'rtsp://10.0.0.9/s' },
        status: 409,
        code: 'CONFLICT',
        path: 'name',
      },
      {
        method: 'POST',
        url: '/api/cameras',
        body: { name: 'Backup missing', stream_url: 'rtsp://10.0.0.9/s', backup_camera_id: 999 },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'backup_camera_id',
      },
      {
        method: 'POST',
        url: '/api/cameras',
        body: { name: 'Bad type', stream_url: 'rtsp://10.0.0.9/s', camera_type: 'dome' },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'camera_type',
      },
      {
        method: 'PATCH',
        url: `/api/cameras/${id}`,
        body: { backup_camera_id: id },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'backup_camera_id',
      },
      {
        method: 'PATCH',
        url: `/api/cameras/${id}`,
        body: { backup_camera_id: 999 },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'backup_camera_id',
      },
      {
        method: 'PATCH',
        url: `/api/cameras/${id}`,
        body: { onvif_url: 'rtsp://10.0.0.5/onvif' },
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'onvif_url',
      },
      {
        method: 'PATCH',
        url: '/api/cameras/abc',
        body: {},
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'params.id',
      },
    ];
    for (const c of cases) {
      const response = await suite.api.call(c.method, c.url, c.body);
      const label = `${c.method} ${c.url} ${JSON.stringify(c.body).slice(0, 80)}`;
      assert.equal(response.statusCode, c.status, `${label}: ${response.body}`);
      const error = response.json();
      assert.equal(error.code, c.code, label);
      assert.ok(
        error.issues.some((issue: { path: string }) => issue.path === c.path),
        `${label}: ${JSON.stringify(error.issues)}`,
      );
      assert.ok(error.remediation.length > 10);
      assert.equal(response.body.includes('hunter2-secret'), false, 'a bad URL is not echoed');
    }
    assert.equal(rowCount(suite.api, 'cameras'), before, 'nothing was written');
    const unchanged = (await suite.api.call('GET', `/api/cameras/${id}`)).json();
    assert.equal(unchanged.backup_camera_id, null);
    assert.equal(unchanged.onvif_url, null);
  });

  it('an unknown camera id answers 404 CAMERA_NOT_FOUND for read, change and delete', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'Ghost' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await suite.api.call(method, '/api/cameras/4242', body);
      assert.equal(response.statusCode, 404, method);
      assert.equal(response.json().code, 'CAMERA_NOT_FOUND');
    }
    assert.equal(rowCount(suite.api, 'cameras'), 0);
  });

  it('a backup camera must exist; a camera used as a backup or by a timeline is not deleted', async () => {
    const first = (
      await suite.api.call('POST', '/api/cameras', { name: 'One', stream_url: 'rtsp://10.0.0.1/s' })
    ).json();
    const second = (
      await suite.api.call('POST', '/api/cameras', {
        name: 'Two',
        stream_url: 'rtsp://10.0.0.2/s',
        backup_camera_id: first.id,
      })
    ).json();
    assert.equal(second.backup_camera_id, first.id);

    const asBackup = await suite.api.call('DELETE', `/api/cameras/${first.id}`);
    assert.equal(asBackup.statusCode, 409);
    assert.equal(asBackup.json().code, 'CAMERA_IN_USE');
    assert.deepEqual(asBackup.json().issues, [
      { path: 'backup_camera_id', message: `camera ${second.id} "Two" uses it as its backup` },
    ]);

    // The spec's example shows cameras 1 and 2 and falls back to camera 3: point it at ours.
    const doc = specExampleJson();
    const text = JSON.stringify(doc)
      .replace('"camera_id":1', `"camera_id":${second.id}`)
      .replace('"backup_camera_id":3', `"backup_camera_id":${second.id}`);
    const timeline = await suite.api.call('POST', '/api/timelines', JSON.parse(text));
    assert.equal(timeline.statusCode, 201, timeline.body);
    const { id: timelineId } = timeline.json();

    const inUse = await suite.api.call('DELETE', `/api/cameras/${second.id}`);
    assert.equal(inUse.statusCode, 409);
    const error = inUse.json();
    assert.equal(error.code, 'CAMERA_IN_USE');
    assert.match(error.message, new RegExp(`timeline ${timelineId} "Daily Marina Stream"`));
    assert.deepEqual(error.issues, [
      {
        path: 'timeline.tracks.video.cues[0].params.camera_id',
        message: `timeline ${timelineId} "Daily Marina Stream" shows it in cue "cue_v1"`,
      },
      {
        path: 'timeline.fallback.backup_camera_id',
        message: `timeline ${timelineId} "Daily Marina Stream" uses it as its fallback camera`,
      },
    ]);
    assert.ok(error.remediation.includes('timelines listed'));
    assert.equal(rowCount(suite.api, 'cameras'), 2, 'nothing was deleted');

    assert.equal((await suite.api.call('DELETE', `/api/timelines/${timelineId}`)).statusCode, 204);
    const deleted = await suite.api.call('DELETE', `/api/cameras/${second.id}`);
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    assert.equal((await suite.api.call('GET', `/api/cameras/${second.id}`)).statusCode, 404);
    // Now nothing uses the first camera either.
    assert.equal((await suite.api.call('DELETE', `/api/cameras/${first.id}`)).statusCode, 204);
    assert.equal(rowCount(suite.api, 'cameras'), 0);
  });

  it('needs a signed-in user and appears in the API reference', async () => {
    const anonymous = await suite.api.app.inject({ method: 'GET', url: '/api/cameras' });
    assert.equal(anonymous.statusCode, 401);
    const anonymousPost = await suite.api.app.inject({
      method: 'POST',
      url: '/api/cameras',
      payload: { name: 'Sneaky', stream_url: 'rtsp://10.0.0.5/s' },
    });
    assert.equal(anonymousPost.statusCode, 401);
    assert.equal(rowCount(suite.api, 'cameras'), 0);
    const paths = (await suite.api.call('GET', '/api/docs/json')).json().paths;
    assert.deepEqual(Object.keys(paths['/api/cameras']).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(paths['/api/cameras/{id}']).sort(), ['delete', 'get', 'patch']);
    const post = paths['/api/cameras'].post;
    assert.deepEqual(post.tags, ['cameras']);
    assert.ok(post.requestBody.content['application/json'].schema.properties.stream_url);
    const read = paths['/api/cameras/{id}'].get.responses['200'].content['application/json'].schema;
    assert.ok(read.properties.has_password);
    assert.equal(read.properties.password, undefined);
  });

  it('passwords never reach the log, not even from refused requests', async () => {
    suite.logLines.length = 0;
    await suite.api.call('POST', '/api/cameras', { name: 'Logged', stream_url: 'rtsp://10.0.0.5/s' });
    for (const body of [
      { name: 'Logged', stream_url: 'rtsp://10.0.0.5/s', password: STREAM_PASSWORD },
      { name: 'Other', stream_url: `ftp://admin:${STREAM_PASSWORD}@10.0.0.5/s` },
      { name: 'Other', stream_url: 'rtsp://10.0.0.5/s', onvif_password: ONVIF_PASSWORD, extra: 1 },
    ]) {
      const refused = await suite.api.call('POST', '/api/cameras', body);
      assert.ok(refused.statusCode >= 400 && refused.statusCode < 500, refused.body);
      assert.equal(refused.body.includes(STREAM_PASSWORD) || refused.body.includes(ONVIF_PASSWORD), false);
    }
    assert.ok(suite.logLines.length >= 3, 'refusals are logged (at debug)');
    const log = suite.logLines.join('');
    assert.equal(log.includes(STREAM_PASSWORD), false);
    assert.equal(log.includes(ONVIF_PASSWORD), false);
  });
});
