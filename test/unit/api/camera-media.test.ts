// The camera test and snapshot routes with the camera media faked: which URL reaches ffmpeg (with
// the stored or typed credentials), one snapshot at a time per camera, sign-in required.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { urlWithCredentials } from '../../../src/api/routes/camera-media.ts';
import type { CameraMedia, CameraTestResult } from '../../../src/cameras/probe.ts';
import { AppError } from '../../../src/errors/registry.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';

const OK: CameraTestResult = {
  ok: true,
  video: { codec: 'h264', width: 1280, height: 720, fps: 25 },
  audio: null,
  latencyMs: 300,
};
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0xff, 0xd9]);

describe('camera media routes (faked camera access)', () => {
  let api: ApiHarness;
  const tested: string[] = [];
  const snapped: string[] = [];
  let release: (() => void) | null = null;
  let cameraId = 0;

  const media: CameraMedia = {
    async test(url) {
      tested.push(url);
      return OK;
    },
    async snapshot(url) {
      snapped.push(url);
      if (url.includes('broken'))
        throw new AppError('CAMERA_NO_VIDEO', 'The camera answered, but has no stream at this path.');
      await new Promise<void>((resolve) => (release = resolve));
      return JPEG;
    },
  };

  before(async () => {
    api = await createApiHarness({ cameraMedia: media });
    await api.signIn();
    cameraId = api.store.cameras.create({
      name: 'Dock',
      stream_url: 'rtsp://192.168.1.20:554/stream1',
      username: 'viewer',
      password: 'p@ss:word',
    }).id;
  });
  after(async () => {
    await api.close();
  });

  it('needs a signed-in user', async () => {
    const response = await api.app.inject({ method: 'POST', url: `/api/cameras/${cameraId}/test` });
    assert.equal(response.statusCode, 401);
    assert.equal(tested.length, 0);
  });

  it('a saved camera is tested on its URL with the stored credentials; the answer carries none', async () => {
    const response = await api.call('POST', `/api/cameras/${cameraId}/test`);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), OK);
    assert.equal(tested.at(-1), 'rtsp://viewer:p%40ss%3Aword@192.168.1.20:554/stream1');
  });

  it('an unsaved address: typed user name and password win over those in the URL', async () => {
    const response = await api.call('POST', '/api/cameras/test', {
      stream_url: 'rtsp://old:old@10.0.0.9/live',
      username: 'new user',
      password: 'n3w',
    });
    assert.equal(response.statusCode, 200);
    assert.equal(tested.at(-1), 'rtsp://new%20user:n3w@10.0.0.9/live');
    await api.call('POST', '/api/cameras/test', { stream_url: 'rtsp://only:url@10.0.0.9/live' });
    assert.equal(tested.at(-1), 'rtsp://only:url@10.0.0.9/live');
  });

  it('concurrent snapshot requests for one camera share one ffmpeg', async () => {
    const before = snapped.length;
    const pending = [1, 2, 3].map(() => api.call('GET', `/api/cameras/${cameraId}/snapshot.jpg`));
    while (release === null) await new Promise((resolve) => setImmediate(resolve));
    release();
    release = null;
    const responses = await Promise.all(pending);
    assert.equal(snapped.length - before, 1);
    for (const r of responses) {
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['content-type'], 'image/jpeg');
      assert.deepEqual(r.rawPayload, JPEG);
    }
  });

  it('a failed snapshot is the registry error as JSON', async () => {
    const id = api.store.cameras.create({ name: 'Broken', stream_url: 'rtsp://10.0.0.5/broken' }).id;
    const response = await api.call('GET', `/api/cameras/${id}/snapshot.jpg`);
    assert.equal(response.statusCode, 502);
    assert.equal(response.json().code, 'CAMERA_NO_VIDEO');
    assert.equal(response.json().message, 'The camera answered, but has no stream at this path.');
  });

  it('urlWithCredentials', () => {
    assert.equal(urlWithCredentials('rtsp://h/s'), 'rtsp://h/s');
    assert.equal(urlWithCredentials('rtsp://u:p@h/s', null, null), 'rtsp://u:p@h/s');
    assert.equal(urlWithCredentials('rtsp://h:554/s?ch=1', 'a', 'b@c'), 'rtsp://a:b%40c@h:554/s?ch=1');
  });
});
