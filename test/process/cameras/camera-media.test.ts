// Camera test and snapshot against real simulated IP cameras (GStreamer RTSP server on 127.0.0.1),
// directly and through the HTTP API: the right size and frame rate, the right code for a wrong
// path, a wrong password, a closed port and a silent server, and a real JPEG.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { isJpeg, runBinaryProcess, snapshotJpeg, testCamera } from '../../../src/cameras/probe.ts';
import { isAppError } from '../../../src/errors/registry.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { probeFile, rgbToYuv601, yuvDistance, yuvMeans, type YuvMeans } from '../../helpers/media-probe.ts';
import { freePort } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';

const AUTH = { user: 'admin', password: 'Harbour-Secret-77' };
const RED = 0xc82828;
const BLUE = 0x283cc8;

/** Mean Y/U/V of a JPEG, decoded small (no -ss: the image2 demuxer skips some stills with it). */
async function jpegMeans(file: string): Promise<YuvMeans> {
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      'scale=64:36:flags=area,format=yuv420p',
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    { encoding: 'buffer', timeout: 20_000, killSignal: 'SIGKILL' },
  );
  return yuvMeans(stdout, 64, 36);
}

describe('camera test and snapshot with simulated RTSP cameras', () => {
  const dir = tempDir('vistter-camera-media-');
  let plain: CameraSim | undefined;
  let secured: CameraSim | undefined;
  let closedPort = 0;
  let silent: Server | undefined;
  const silentSockets: Socket[] = [];
  let silentPort = 0;

  before(async () => {
    [plain, secured, closedPort] = await Promise.all([
      startCameraSim({ cameras: [{ name: 'cam1', color: RED }], width: 320, height: 180, fps: 30 }),
      // A 1080p camera behind a password: the snapshot must come back scaled to 1280 wide.
      startCameraSim({
        cameras: [{ name: 'main', color: BLUE }],
        width: 1920,
        height: 1080,
        fps: 10,
        auth: AUTH,
      }),
      freePort(),
    ]);
    // Accepts TCP connections and never says a word (a hung camera).
    silent = createServer((socket) => {
      silentSockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });

  after(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
    await Promise.all([plain?.stop(), secured?.stop()]);
    dir.cleanup();
  });

  describe('testCamera', () => {
    it('a working camera: codec, size, fps and audio', async () => {
      const r = await testCamera(plain!.url('cam1'));
      assert.equal(r.ok, true, JSON.stringify(r));
      if (!r.ok) return;
      assert.deepEqual(r.video, { codec: 'h264', width: 320, height: 180, fps: 30 });
      assert.deepEqual(r.audio, { codec: 'aac' });
      assert.ok(r.latencyMs > 0 && r.latencyMs < 8000, `latency ${r.latencyMs}`);
    });

    it('with the right password: 1920×1080 at 10 fps', async () => {
      const r = await testCamera(secured!.url('main'));
      assert.equal(r.ok, true, JSON.stringify(r));
      if (r.ok) assert.deepEqual(r.video, { codec: 'h264', width: 1920, height: 1080, fps: 10 });
    });

    it('a wrong path: CAMERA_NO_VIDEO, fast', async () => {
      const started = performance.now();
      const r = await testCamera(`rtsp://127.0.0.1:${plain!.port}/no-such-stream`);
      assert.equal(r.ok ? 'ok' : r.code, 'CAMERA_NO_VIDEO');
      assert.ok(!r.ok && /no stream at this path/.test(r.reason));
      assert.ok(performance.now() - started < 2000);
    });

    it('a wrong or missing password: CAMERA_AUTH_FAILED, and the password is nowhere in the answer', async () => {
      const wrong = `rtsp://admin:${encodeURIComponent('Not-The-Password-1')}@127.0.0.1:${secured!.port}/main`;
      const r = await testCamera(wrong);
      assert.equal(r.ok ? 'ok' : r.code, 'CAMERA_AUTH_FAILED');
      assert.doesNotMatch(JSON.stringify(r), /Not-The-Password-1/);
      const none = await testCamera(secured!.url('main', { withAuth: false }));
      assert.equal(none.ok ? 'ok' : none.code, 'CAMERA_AUTH_FAILED');
    });

    it('a closed port: CAMERA_UNREACHABLE within a second', async () => {
      const started = performance.now();
      const r = await testCamera(`rtsp://127.0.0.1:${closedPort}/cam1`);
      const ms = performance.now() - started;
      assert.equal(r.ok ? 'ok' : r.code, 'CAMERA_UNREACHABLE');
      assert.ok(!r.ok && /refused the connection/.test(r.reason));
      assert.ok(ms < 1000, `took ${Math.round(ms)} ms`);
    });

    it('a silent server: CAMERA_UNREACHABLE within the budget', async () => {
      const started = performance.now();
      const r = await testCamera(`rtsp://127.0.0.1:${silentPort}/cam1`, { timeoutMs: 3000 });
      const ms = performance.now() - started;
      assert.equal(r.ok ? 'ok' : r.code, 'CAMERA_UNREACHABLE', JSON.stringify(r));
      assert.ok(ms < 3500, `took ${Math.round(ms)} ms`);
    });
  });

  describe('snapshotJpeg', () => {
    it('a JPEG of the camera’s picture at its own size', async () => {
      const jpeg = await snapshotJpeg(plain!.url('cam1'));
      assert.ok(isJpeg(jpeg), 'SOI … EOI');
      assert.ok(jpeg.length > 500 && jpeg.length < 200_000, `${jpeg.length} bytes`);
      const file = join(dir.path, 'cam1.jpg');
      writeFileSync(file, jpeg);
      const info = await probeFile(file);
      assert.equal(info.video?.codec, 'mjpeg');
      assert.deepEqual([info.video?.width, info.video?.height], [320, 180]);
      const means = await jpegMeans(file);
      assert.ok(yuvDistance(means, rgbToYuv601(RED)) < 25, `colour ${JSON.stringify(means)}`);
    });

    it('a 1080p camera comes back 1280×720', async () => {
      const jpeg = await snapshotJpeg(secured!.url('main'));
      const file = join(dir.path, 'main.jpg');
      writeFileSync(file, jpeg);
      const info = await probeFile(file);
      assert.deepEqual([info.video?.width, info.video?.height], [1280, 720]);
      const means = await jpegMeans(file);
      assert.ok(yuvDistance(means, rgbToYuv601(BLUE)) < 25, `colour ${JSON.stringify(means)}`);
    });

    it('failures throw the classified registry error without the credentials', async () => {
      const wrong = `rtsp://admin:Not-The-Password-2@127.0.0.1:${secured!.port}/main`;
      await assert.rejects(snapshotJpeg(wrong), (error: unknown) => {
        assert.ok(isAppError(error));
        assert.equal(error.code, 'CAMERA_AUTH_FAILED');
        assert.doesNotMatch(JSON.stringify(error.toJSON()) + error.stack, /Not-The-Password-2/);
        return true;
      });
      await assert.rejects(snapshotJpeg(`rtsp://127.0.0.1:${closedPort}/x`), { code: 'CAMERA_UNREACHABLE' });
      await assert.rejects(snapshotJpeg(`rtsp://127.0.0.1:${plain!.port}/nope`), { code: 'CAMERA_NO_VIDEO' });
    });

    it('runBinaryProcess kills the process group when the budget runs out', async () => {
      const started = performance.now();
      const r = await runBinaryProcess(
        'ffmpeg',
        [
          '-hide_banner',
          '-nostdin',
          '-re',
          '-f',
          'lavfi',
          '-i',
          'testsrc2=size=64x36:rate=5',
          '-f',
          'null',
          '-',
        ],
        400,
      );
      assert.equal(r.timedOut, true);
      assert.equal(r.signal, 'SIGKILL');
      assert.ok(performance.now() - started < 2000);
    });
  });

  describe('through the API', () => {
    let api: ApiHarness;
    let good = 0;
    let wrongPath = 0;
    let offline = 0;

    before(async () => {
      api = await createApiHarness();
      await api.signIn();
      const create = (body: Record<string, unknown>) => api.store.cameras.create(body).id;
      good = create({
        name: 'Main',
        stream_url: secured!.url('main', { withAuth: false }),
        username: AUTH.user,
        password: AUTH.password,
      });
      wrongPath = create({ name: 'Typo', stream_url: `rtsp://127.0.0.1:${plain!.port}/cam9` });
      offline = create({ name: 'Unplugged', stream_url: `rtsp://127.0.0.1:${closedPort}/cam1` });
    });
    after(async () => {
      await api.close();
    });

    it('POST /api/cameras/:id/test answers 200 with the result either way; an unknown camera is 404', async () => {
      const ok = await api.call('POST', `/api/cameras/${good}/test`);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().video, { codec: 'h264', width: 1920, height: 1080, fps: 10 });
      assert.doesNotMatch(ok.body, new RegExp(AUTH.password));

      const typo = await api.call('POST', `/api/cameras/${wrongPath}/test`);
      assert.equal(typo.statusCode, 200);
      assert.equal(typo.json().ok, false);
      assert.equal(typo.json().code, 'CAMERA_NO_VIDEO');
      assert.equal(typeof typo.json().reason, 'string');

      const off = await api.call('POST', `/api/cameras/${offline}/test`);
      assert.deepEqual([off.statusCode, off.json().code], [200, 'CAMERA_UNREACHABLE']);

      const unknown = await api.call('POST', '/api/cameras/9999/test');
      assert.deepEqual([unknown.statusCode, unknown.json().code], [404, 'CAMERA_NOT_FOUND']);
    });

    it('POST /api/cameras/test tests an address before it is saved; the body is validated', async () => {
      const ok = await api.call('POST', '/api/cameras/test', {
        stream_url: secured!.url('main', { withAuth: false }),
        username: AUTH.user,
        password: AUTH.password,
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().ok, true);
      const wrong = await api.call('POST', '/api/cameras/test', {
        stream_url: secured!.url('main', { withAuth: false }),
        username: AUTH.user,
        password: 'Not-The-Password-3',
      });
      assert.deepEqual([wrong.statusCode, wrong.json().code], [200, 'CAMERA_AUTH_FAILED']);
      assert.doesNotMatch(wrong.body, /Not-The-Password-3/);
      const bad = await api.call('POST', '/api/cameras/test', { stream_url: 'ftp://cam/x', extra: 1 });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'VALIDATION_FAILED');
      assert.deepEqual((bad.json().issues as { path: string }[]).map((i) => i.path).sort(), [
        'extra',
        'stream_url',
      ]);
    });

    it('GET /api/cameras/:id/snapshot.jpg: image/jpeg, or a 502 with the reason', async () => {
      const [a, b] = await Promise.all([
        api.call('GET', `/api/cameras/${good}/snapshot.jpg`),
        api.call('GET', `/api/cameras/${good}/snapshot.jpg`),
      ]);
      for (const snap of [a!, b!]) {
        assert.equal(snap.statusCode, 200, snap.body);
        assert.equal(snap.headers['content-type'], 'image/jpeg');
        assert.equal(snap.headers['cache-control'], 'no-store');
        assert.ok(isJpeg(snap.rawPayload));
      }
      const off = await api.call('GET', `/api/cameras/${offline}/snapshot.jpg`);
      assert.equal(off.statusCode, 502);
      assert.match(String(off.headers['content-type']), /application\/json/);
      const body = off.json() as { code: string; message: string; remediation: string };
      assert.equal(body.code, 'CAMERA_UNREACHABLE');
      assert.match(body.message, /refused the connection/);
      assert.match(body.remediation, /power, network cable/);
      const missing = await api.call('GET', '/api/cameras/9999/snapshot.jpg');
      assert.equal(missing.statusCode, 404);
    });
  });
});
