// The camera failure classifier on stderr captured from real ffprobe/ffmpeg 5.1 runs against the
// RTSP camera simulator and local servers (test/fixtures/cameras/stderr/, test/fixtures/ffmpeg/stderr/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  classifyCameraFailure,
  scrubCameraText,
  urlSecrets,
  type CameraFailureInput,
} from '../../../src/cameras/classify.ts';
import { ERRORS } from '../../../src/errors/registry.ts';

const fixtures = join(import.meta.dirname, '../../fixtures');
const camera = (name: string) => readFileSync(join(fixtures, 'cameras/stderr', `${name}.txt`), 'utf8');
const ffmpeg = (name: string) => readFileSync(join(fixtures, 'ffmpeg/stderr', `${name}.txt`), 'utf8');

function failure(stderr: string, extra: Partial<CameraFailureInput> = {}) {
  return classifyCameraFailure({
    stderr,
    exitCode: 1,
    timedOut: false,
    elapsedMs: 60,
    timeoutMs: 8000,
    ioTimeoutSeconds: 4,
    ...extra,
  });
}

describe('classifyCameraFailure (captured stderr)', () => {
  const cases: Array<[string, string, string, string | RegExp]> = [
    ['ffprobe-rtsp-401', camera('ffprobe-rtsp-401'), 'CAMERA_AUTH_FAILED', /user name or password/],
    ['snapshot-rtsp-401', camera('snapshot-rtsp-401'), 'CAMERA_AUTH_FAILED', /user name or password/],
    ['ffmpeg rtsp-401', ffmpeg('rtsp-401'), 'CAMERA_AUTH_FAILED', /user name or password/],
    ['http-401', ffmpeg('http-401'), 'CAMERA_AUTH_FAILED', /user name or password/],
    ['http-403', ffmpeg('http-403'), 'CAMERA_AUTH_FAILED', /does not allow this user/],
    ['ffprobe-rtsp-404', camera('ffprobe-rtsp-404'), 'CAMERA_NO_VIDEO', /no stream at this path/],
    ['ffmpeg rtsp-404', ffmpeg('rtsp-404'), 'CAMERA_NO_VIDEO', /no stream at this path/],
    ['http-404', ffmpeg('http-404'), 'CAMERA_NO_VIDEO', /no stream at this path/],
    ['ffprobe-rtsp-refused', camera('ffprobe-rtsp-refused'), 'CAMERA_UNREACHABLE', /refused the connection/],
    [
      'ffmpeg rtsp-refused',
      ffmpeg('rtsp-connection-refused'),
      'CAMERA_UNREACHABLE',
      /refused the connection/,
    ],
    ['ffprobe-dns', camera('ffprobe-dns'), 'CAMERA_UNREACHABLE', /host name could not be found/],
    ['dns-failure', ffmpeg('dns-failure'), 'CAMERA_UNREACHABLE', /host name could not be found/],
    ['http-timeout', ffmpeg('http-timeout'), 'CAMERA_UNREACHABLE', /did not answer within 4 seconds/],
    ['ffprobe-http-5xx', camera('ffprobe-http-5xx'), 'CAMERA_UNREACHABLE', /internal error/],
    ['snapshot-audio-only', camera('snapshot-audio-only'), 'CAMERA_NO_VIDEO', /has no video/],
    ['no-output-stream', ffmpeg('no-output-stream'), 'CAMERA_NO_VIDEO', /has no video/],
  ];
  for (const [name, stderr, code, reason] of cases) {
    it(`${name} → ${code}`, () => {
      const f = failure(stderr);
      assert.equal(f.code, code);
      assert.match(f.reason, reason instanceof RegExp ? reason : new RegExp(reason));
      assert.equal(f.remediation, ERRORS[f.code].remediation);
      assert.ok(f.detail !== null && f.detail.length > 0);
    });
  }

  it('a silent server: "Invalid data" after the socket timeout is an unreachable camera', () => {
    const f = failure(camera('ffprobe-rtsp-silent'), { elapsedMs: 4100 });
    assert.equal(f.code, 'CAMERA_UNREACHABLE');
    assert.match(f.reason, /accepted the connection but did not answer within 4 seconds/);
  });

  it('"Invalid data" at once: something answered, but not with a readable stream', () => {
    const f = failure(camera('ffprobe-rtsp-silent'), { elapsedMs: 50 });
    assert.equal(f.code, 'CAMERA_NO_VIDEO');
    assert.match(f.reason, /not with a video stream/);
    assert.equal(failure(ffmpeg('invalid-data')).code, 'CAMERA_NO_VIDEO');
  });

  it('our own timeout wins over whatever stderr says', () => {
    const f = failure('', { timedOut: true, exitCode: null, elapsedMs: 8000 });
    assert.equal(f.code, 'CAMERA_UNREACHABLE');
    assert.equal(f.reason, 'The camera did not answer within 8 seconds.');
    assert.equal(f.detail, null);
  });

  it('ffmpeg missing, an RTSP server without TCP, and unknown errors', () => {
    const missing = failure('', { spawnError: 'spawn ffprobe ENOENT', exitCode: null });
    assert.equal(missing.code, 'CAMERA_TEST_FAILED');
    assert.match(missing.reason, /could not start ffmpeg/);
    assert.equal(missing.detail, 'spawn ffprobe ENOENT');
    assert.equal(
      failure('[rtsp @ 0x1] [error] method SETUP failed: 461 Unsupported transport\n').code,
      'CAMERA_NO_VIDEO',
    );
    const odd = failure('[error] something new and strange\n');
    assert.equal(odd.code, 'CAMERA_TEST_FAILED');
    assert.equal(odd.detail, 'something new and strange');
  });

  it('a clean exit without a picture is no video', () => {
    const f = failure('', { exitCode: 0, noPicture: true });
    assert.equal(f.code, 'CAMERA_NO_VIDEO');
    assert.match(f.reason, /sent no picture/);
  });

  it('never lets the credentials through, in the reason or the detail', () => {
    const stderr = camera('ffprobe-rtsp-401');
    assert.match(stderr, /admin:wrong-pass@/, 'the captured line does carry them');
    const f = failure(stderr, { secrets: urlSecrets('rtsp://admin:wrong-pass@127.0.0.1:45391/cam1') });
    const text = JSON.stringify(f);
    assert.doesNotMatch(text, /wrong-pass/);
    assert.doesNotMatch(text, /admin/);
    assert.equal(f.detail, 'method DESCRIBE failed: 401 Unauthorized');
    // The line naming the URL, alone: the URL stays, its credentials go.
    const urlLine = stderr.split('\n').find((l) => l.includes('wrong-pass@'))!;
    const g = failure(urlLine, { secrets: ['admin', 'wrong-pass'] });
    assert.equal(
      g.detail,
      'rtsp://127.0.0.1:45391/cam1: Server returned 401 Unauthorized (authorization failed)',
    );
  });
});

describe('scrubCameraText', () => {
  it('removes user:password@ from URLs and masks the secrets wherever they appear', () => {
    assert.equal(
      scrubCameraText('open rtsp://bob:p%40ss@cam:554/s1 failed; password p@ss, again p%40ss', [
        'bob',
        'p@ss',
      ]),
      'open rtsp://cam:554/s1 failed; password ****, again ****',
    );
  });

  it('masks query secrets and leaves very short secrets alone (they would mangle words)', () => {
    assert.equal(scrubCameraText('http://cam/x.m3u8?token=abc123', ['a']), 'http://cam/x.m3u8?token=****');
  });

  it('urlSecrets decodes the user name and password', () => {
    assert.deepEqual(urlSecrets('rtsp://us%20er:p%3Aw@h/'), ['us er', 'p:w']);
    assert.deepEqual(urlSecrets('rtsp://h/'), []);
    assert.deepEqual(urlSecrets('not a url'), []);
  });
});
