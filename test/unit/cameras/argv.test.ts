// Golden argv of the camera checks: what ffprobe/ffmpeg are started with is pinned here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cameraTestArgs, snapshotArgs } from '../../../src/cameras/argv.ts';

/** The input part both commands share: RTSP over TCP, a 4 s socket timeout, the 2 s analysis. */
function rtspInput(url: string): string[] {
  return ['-rtsp_transport', 'tcp', '-timeout', '4000000', '-analyzeduration', '2000000', '-i', url];
}

describe('cameraTestArgs', () => {
  it('RTSP: over TCP with a socket timeout and the engine’s 2 s analysis budget', () => {
    assert.deepEqual(cameraTestArgs('rtsp://admin:pw@192.168.1.20:554/stream1', { ioTimeoutSeconds: 4 }), [
      '-hide_banner',
      '-loglevel',
      'level+error',
      '-of',
      'json',
      '-show_streams',
      ...rtspInput('rtsp://admin:pw@192.168.1.20:554/stream1'),
    ]);
  });

  it('HTTP/HLS: the generic read timeout; UDP and a shorter analysis when asked', () => {
    assert.deepEqual(cameraTestArgs('http://cam.local/live.m3u8', { ioTimeoutSeconds: 3 }).slice(6), [
      '-rw_timeout',
      '3000000',
      '-analyzeduration',
      '2000000',
      '-i',
      'http://cam.local/live.m3u8',
    ]);
    assert.deepEqual(
      cameraTestArgs('rtsp://cam/1', { ioTimeoutSeconds: 1, transport: 'udp', analyzeSeconds: 0.5 }).slice(6),
      ['-rtsp_transport', 'udp', '-timeout', '1000000', '-analyzeduration', '500000', '-i', 'rtsp://cam/1'],
    );
  });

  it('refuses a non-positive timeout or analysis budget', () => {
    assert.throws(() => cameraTestArgs('rtsp://cam/1', { ioTimeoutSeconds: 0 }), RangeError);
    assert.throws(
      () => cameraTestArgs('rtsp://cam/1', { ioTimeoutSeconds: 1, analyzeSeconds: 0 }),
      RangeError,
    );
  });
});

describe('snapshotArgs', () => {
  it('one frame of the first video stream, at most 1280 wide, as JPEG on stdout', () => {
    assert.deepEqual(snapshotArgs('rtsp://127.0.0.1:8554/cam1', { ioTimeoutSeconds: 4 }), [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'level+error',
      ...rtspInput('rtsp://127.0.0.1:8554/cam1'),
      '-map',
      '0:v:0',
      '-an',
      '-frames:v',
      '1',
      '-vf',
      "scale='min(1280,iw)':-2",
      '-c:v',
      'mjpeg',
      '-q:v',
      '3',
      '-f',
      'image2pipe',
      'pipe:1',
    ]);
  });

  it('a smaller width and quality', () => {
    const args = snapshotArgs('rtsp://cam/1', { ioTimeoutSeconds: 2, maxWidth: 640, quality: 5 });
    assert.equal(args[args.indexOf('-vf') + 1], "scale='min(640,iw)':-2");
    assert.equal(args[args.indexOf('-q:v') + 1], '5');
  });

  it('refuses an odd or tiny width and an out-of-range quality', () => {
    assert.throws(() => snapshotArgs('rtsp://cam/1', { ioTimeoutSeconds: 2, maxWidth: 641 }), RangeError);
    assert.throws(() => snapshotArgs('rtsp://cam/1', { ioTimeoutSeconds: 2, maxWidth: 8 }), RangeError);
    assert.throws(() => snapshotArgs('rtsp://cam/1', { ioTimeoutSeconds: 2, quality: 1 }), RangeError);
  });
});
