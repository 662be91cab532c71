// Network ends with real ffmpeg on 127.0.0.1: a camera decoder reading a live HTTP MPEG-TS feed,
// and a publisher pushing the program FLV to an RTMP listener (ffmpeg -listen 1 as the server).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cameraDecoderArgs, publisherArgs, yuv420pFrameBytes } from '../../../src/ffmpeg/argv.ts';
import { destinationUrl } from '../../../src/ffmpeg/platforms.ts';
import { probe } from '../../../src/ffmpeg/probe.ts';
import { killGroup } from '../../../src/process/spawn.ts';
import { StderrLineSplitter, summarizeErrors } from '../../../src/ffmpeg/progress.ts';
import { collect, spawnFfmpeg, tempDir } from './helpers.ts';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Reads from a stream until `bytes` have arrived. */
function readAtLeast(stream: NodeJS.ReadableStream, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const onData = (d: Buffer): void => {
      chunks.push(d);
      n += d.length;
      if (n >= bytes) {
        stream.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    stream.on('data', onData);
    stream.on('end', () => reject(new Error(`stream ended after ${n} of ${bytes} bytes`)));
  });
}

describe('camera decoder on a live network feed', () => {
  it('HTTP MPEG-TS 640x480@25 → 320x180@30 pillarboxed frames on fd 1, PCM on fd 3', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/cam1.ts`;
    // prettier-ignore
    const cam = spawnFfmpeg([
      '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'color=c=white:size=640x480:rate=25',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-f', 'mpegts', '-listen', '1', url,
    ]);
    cam.stdin.end();
    await sleep(300); // let the camera start listening
    const W = 320;
    const H = 180;
    const FRAME = yuv420pFrameBytes(W, H);
    const dec = spawnFfmpeg(cameraDecoderArgs({ url, width: W, height: H, fps: 30, timeoutSeconds: 3 }));
    dec.stdin.end();
    try {
      const [video, audio] = await Promise.all([
        readAtLeast(dec.stdout, 10 * FRAME),
        readAtLeast(dec.fd3, 19200),
      ]);
      const frame = video.subarray(0, FRAME);
      const row = frame.subarray(90 * W, 91 * W);
      // 640x480 (4:3) in 320x180: 240 px wide picture, 40 px black bars each side
      assert.ok(row[5]! < 32 && row[W - 5]! < 32, 'bars are black');
      assert.ok(row[W / 2]! > 220, 'picture is white');
      assert.ok(audio.length >= 19200);
    } finally {
      killGroup(dec.child.pid);
      killGroup(cam.child.pid);
      await Promise.all([dec.exited, cam.exited]);
    }
  });

  it('a source that accepts and then says nothing: the decoder exits with a timeout error', async () => {
    const sockets: Socket[] = [];
    const server = createServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const started = performance.now();
      const dec = spawnFfmpeg(
        cameraDecoderArgs({
          url: `http://127.0.0.1:${port}/cam.ts`,
          width: 320,
          height: 180,
          fps: 30,
          timeoutSeconds: 1,
        }),
        10_000,
      );
      dec.stdin.end();
      dec.stdout.resume();
      dec.fd3.resume();
      const code = await dec.exited;
      assert.notEqual(code, 0);
      assert.ok(performance.now() - started < 5000);
      const err = summarizeErrors(new StderrLineSplitter().push(dec.stderr() + '\n'));
      assert.equal(err?.kind, 'timeout', dec.stderr());
    } finally {
      for (const sock of sockets) sock.destroy();
      server.close();
    }
  });
});

describe('publisher', () => {
  it('pushes FLV from stdin to an RTMP server with -c copy', async () => {
    // the program: 2 s of H.264 + AAC FLV
    const program = spawnFfmpeg([
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x180:rate=30',
      '-f',
      'lavfi',
      '-i',
      'sine=sample_rate=48000',
      '-t',
      '2',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      '60',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-ac',
      '2',
      '-f',
      'flv',
      'pipe:1',
    ]);
    program.stdin.end();
    const [flv] = await Promise.all([collect(program.stdout), program.exited]);

    const port = await freePort();
    const received = join(tmp.dir, 'received.flv');
    const server = spawnFfmpeg([
      '-hide_banner',
      '-loglevel',
      'error',
      '-listen',
      '1',
      '-timeout',
      '10',
      '-i',
      `rtmp://127.0.0.1:${port}/live`,
      '-c',
      'copy',
      received,
    ]);
    server.stdin.end();
    await sleep(300);
    const url = destinationUrl('custom', `rtmp://127.0.0.1:${port}/live`, 'secret-key');
    const pub = spawnFfmpeg(publisherArgs({ url, platform: 'custom', timeoutSeconds: 5 }));
    pub.stdout.resume();
    pub.fd3.resume();
    pub.stdin.end(flv);
    assert.equal(await pub.exited, 0, pub.stderr());
    assert.equal(await server.exited, 0, server.stderr());
    const r = await probe(received, { showPackets: true, selectStreams: 'v' });
    assert.equal(r.videoCodec, 'h264');
    assert.equal(r.packets?.length, 60);
  });
});
