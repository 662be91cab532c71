import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { probe, ProbeError } from '../../../src/ffmpeg/probe.ts';
import { spawnFfmpeg, tempDir } from './helpers.ts';

let tmp: ReturnType<typeof tempDir>;
let file = '';

before(async () => {
  tmp = tempDir();
  file = join(tmp.dir, 'sample.mp4');
  const p = spawnFfmpeg([
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
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '2',
    '-c:v',
    'libx264',
    '-g',
    '30',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-ac',
    '2',
    file,
  ]);
  p.stdin.end();
  assert.equal(await p.exited, 0, p.stderr());
});
after(() => tmp.cleanup());

describe('probe (real ffprobe)', () => {
  it('streams and format of a generated file', async () => {
    const r = await probe(file);
    assert.equal(r.width, 320);
    assert.equal(r.height, 180);
    assert.equal(r.fps, 30);
    assert.equal(r.videoCodec, 'h264');
    assert.equal(r.audioCodec, 'aac');
    assert.equal(r.hasAudio, true);
    assert.equal(r.audio?.sampleRate, 48000);
    assert.equal(r.audio?.channels, 2);
    assert.equal(r.video?.pixFmt, 'yuv420p');
    assert.ok(r.formatName?.includes('mp4'));
    assert.ok(Math.abs(r.durationSeconds! - 2) < 0.1, `duration ${r.durationSeconds}`);
    assert.equal(r.frames, undefined);
    assert.equal(r.packets, undefined);
  });

  it('video frames with -read_intervals: keyframes every 30 frames', async () => {
    const r = await probe(file, { showFrames: true, selectStreams: 'v', readIntervals: '%+#45' });
    const frames = r.frames!;
    assert.equal(frames.length, 45);
    assert.ok(frames.every((f) => f.mediaType === 'video'));
    const keys = frames.filter((f) => f.keyFrame).map((f) => f.ptsTime);
    assert.deepEqual(keys, [0, 1]);
    assert.equal(frames[0]!.pictType, 'I');
    // -select_streams also limits the stream list
    assert.equal(r.hasAudio, false);
  });

  it('packets', async () => {
    const r = await probe(file, { showPackets: true, readIntervals: '%+0.5' });
    const v = r.packets!.filter((p) => p.codecType === 'video');
    const a = r.packets!.filter((p) => p.codecType === 'audio');
    assert.ok(v.length >= 14 && a.length >= 20, `${v.length} video, ${a.length} audio packets`);
    assert.equal(v[0]!.keyframe, true);
    assert.ok(v[0]!.size! > 0);
  });

  it('a missing file is a ProbeError of kind no_such_file', async () => {
    await assert.rejects(probe(join(tmp.dir, 'nope.mp4')), (e: unknown) => {
      assert.ok(e instanceof ProbeError);
      assert.equal(e.kind, 'no_such_file');
      return true;
    });
  });

  it('a server that never answers: socket timeout, and the hard timeout kills ffprobe', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const started = performance.now();
      await assert.rejects(
        probe(`http://127.0.0.1:${port}/live.m3u8`, { ioTimeoutSeconds: 1, timeoutMs: 10_000 }),
        (e: unknown) => e instanceof ProbeError && e.kind === 'timeout',
      );
      assert.ok(performance.now() - started < 5000);
      const started2 = performance.now();
      await assert.rejects(
        probe(`http://127.0.0.1:${port}/live.m3u8`, { ioTimeoutSeconds: 30, timeoutMs: 500 }),
        (e: unknown) => e instanceof ProbeError && e.kind === 'timeout' && /within 500 ms/.test(e.message),
      );
      assert.ok(performance.now() - started2 < 3000);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('secrets in a failing URL are redacted from the error', async () => {
    await assert.rejects(
      probe('rtmp://user:hunter2@127.0.0.1:1/live/STREAMKEY', { timeoutMs: 5000 }),
      (e: unknown) => {
        assert.ok(e instanceof ProbeError);
        assert.equal(e.kind, 'connection_refused');
        assert.ok(!e.message.includes('hunter2') && !e.message.includes('STREAMKEY'), e.message);
        assert.ok(!e.stderr.includes('hunter2') && !e.stderr.includes('STREAMKEY'), e.stderr);
        return true;
      },
    );
  });
});
