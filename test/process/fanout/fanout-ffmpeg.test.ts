// Process test: real encoder FLV through the parser and the hub into real `ffmpeg -c copy`
// publishers, verified with ffprobe.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FlvParser } from '../../../src/engine/fanout/flv.ts';
import type { FlvHeader, FlvTag } from '../../../src/engine/fanout/flv.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import { randomChunks } from '../../unit/fanout/fixtures.ts';

const execFileAsync = promisify(execFile);

/** Runs ffmpeg to completion and returns its stdout. */
async function ffmpegToBuffer(args: string[]): Promise<Buffer> {
  const { stdout } = await execFileAsync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  return stdout;
}

interface ProbedPacket {
  stream: 'video' | 'audio';
  ptsTime: number;
  key: boolean;
}

async function probePackets(file: string): Promise<ProbedPacket[]> {
  const { stdout } = await execFileAsync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'packet=codec_type,pts_time,flags', '-of', 'json', file],
    { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
  );
  const json = JSON.parse(stdout) as { packets?: { codec_type: string; pts_time: string; flags: string }[] };
  return (json.packets ?? []).map((packet) => ({
    stream: packet.codec_type === 'video' ? 'video' : 'audio',
    ptsTime: Number(packet.pts_time),
    key: packet.flags.startsWith('K'),
  }));
}

/**
 * Decodes every frame of the file; returns ffmpeg's error output (empty when clean) and the
 * number of decoded video frames. framecrc keeps the decoded timestamps as they are (the null
 * muxer's constant-frame-rate conversion warns about rounding collisions that are not errors).
 */
async function decode(file: string): Promise<{ errors: string; videoFrames: number }> {
  const { stdout, stderr } = await execFileAsync(
    'ffmpeg',
    ['-v', 'error', '-err_detect', 'crccheck+bitstream+buffer', '-i', file, '-f', 'framecrc', '-'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  const videoFrames = stdout.split('\n').filter((line) => line.startsWith('0,')).length;
  return { errors: stderr.trim(), videoFrames };
}

/** A publisher-like process: `ffmpeg -f flv -i pipe:0 -c copy out.flv`. */
function spawnCopy(out: string): {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
} {
  const child = spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-f', 'flv', '-i', 'pipe:0', '-c', 'copy', '-y', out],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return { child, exited, stderr: () => stderr };
}

function tagsOf(bytes: Buffer, chunks: Buffer[]): { header: FlvHeader | undefined; tags: FlvTag[] } {
  const parser = new FlvParser();
  const tags: FlvTag[] = [];
  for (const chunk of chunks) {
    parser.pushEach(chunk, (packet) => {
      if (packet.kind !== 'header') tags.push(packet);
    });
  }
  parser.end();
  assert.equal(parser.stats().bytesParsed, bytes.length);
  return { header: parser.header, tags };
}

describe('fan-out with real ffmpeg', () => {
  let flv: Buffer;
  let dir: string;
  const spawned: ChildProcess[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vistter-fanout-'));
    flv = await ffmpegToBuffer([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30'],
      ...['-f', 'lavfi', '-i', 'sine', '-t', '6'],
      ...['-c:v', 'libx264', '-g', '60', '-c:a', 'aac', '-f', 'flv', 'pipe:1'],
    ]);
  });

  after(() => {
    for (const child of spawned)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!process.env['KEEP_FANOUT_OUT']) rmSync(dir, { recursive: true, force: true });
    else console.log('kept', dir);
  });

  it('parses the encoder output in random chunk sizes: sequence headers, keyframe every 60 frames', () => {
    const reference = tagsOf(flv, [flv]);
    const summary = (tags: FlvTag[]): string[] =>
      tags.map((tag) => `${tag.kind}:${tag.timestamp}:${tag.keyframe}`);
    for (const [seed, maxChunk] of [
      [1, 7],
      [2, 100],
      [3, 1500],
      [4, 65536],
    ] as const) {
      const chunked = tagsOf(flv, randomChunks(flv, seed, maxChunk));
      assert.deepEqual(summary(chunked.tags), summary(reference.tags), `seed ${seed}`);
    }

    const { header, tags } = reference;
    assert.ok(header?.hasAudio && header.hasVideo, 'header announces audio and video');
    assert.equal(tags[0]!.kind, 'metadata');
    const firstMedia = tags.findIndex((tag) => tag.kind === 'video' || tag.kind === 'audio');
    const before = tags.slice(0, firstMedia).map((tag) => tag.kind);
    assert.ok(before.includes('avc-sequence-header'), 'AVC sequence header before media');
    assert.ok(before.includes('aac-sequence-header'), 'AAC sequence header before media');
    assert.equal(tags.filter((tag) => tag.kind === 'avc-sequence-header').length, 1);
    assert.equal(tags.filter((tag) => tag.kind === 'aac-sequence-header').length, 1);

    const video = tags.filter((tag) => tag.kind === 'video');
    assert.equal(video.length, 180);
    const keyIndexes = video.flatMap((tag, i) => (tag.keyframe ? [i] : []));
    assert.deepEqual(keyIndexes, [0, 60, 120]);
    assert.deepEqual(
      keyIndexes.map((i) => video[i]!.timestamp),
      [0, 2000, 4000],
    );
    assert.ok(tags.filter((tag) => tag.kind === 'audio').length > 200, 'audio present throughout');
  });

  it('a publisher attached mid-stream starts with a keyframe and decodes cleanly; a dead one never blocks it', async () => {
    const chunks = randomChunks(flv, 42, 4096);
    // Attach the late publisher once the input is inside the 2nd GOP (video frame ~75).
    const parser = new FlvParser();
    let frames = 0;
    let attachAt = -1;
    chunks.forEach((chunk, i) =>
      parser.pushEach(chunk, (packet) => {
        if (packet.kind === 'video') frames++;
        if (attachAt < 0 && frames >= 75) attachAt = i + 1;
      }),
    );
    assert.ok(attachAt > 0, 'found an attach point');

    const hub = new FanoutHub();
    const fullOut = join(dir, 'full.flv');
    const lateOut = join(dir, 'late.flv');
    const full = spawnCopy(fullOut);
    spawned.push(full.child);
    hub.attach(full.child.stdin!, { name: 'full' });
    // A destination that never reads: its pipe fills, it must drop GOPs, nobody else notices.
    const dead = spawn('sleep', ['60'], { stdio: ['pipe', 'ignore', 'ignore'] });
    spawned.push(dead);
    const deadConsumer = hub.attach(dead.stdin, { name: 'dead', maxQueueBytes: 32 * 1024 });

    let late: ReturnType<typeof spawnCopy> | undefined;
    chunks.forEach((chunk, i) => {
      if (i === attachAt) {
        late = spawnCopy(lateOut);
        spawned.push(late.child);
        hub.attach(late.child.stdin!, { name: 'late' });
        assert.equal(hub.cache.hasGop, true);
      }
      hub.push(chunk);
    });
    const stats = hub.stats();
    hub.end();
    assert.equal(stats.cache.keyframes, 3);
    const deadStats = deadConsumer.stats();
    assert.ok(deadStats.droppedGops >= 1, `dead consumer dropped ${deadStats.droppedGops} GOPs`);
    assert.ok(deadStats.bytesQueued <= 32 * 1024, 'dead consumer queue bounded');
    assert.notEqual(deadStats.blockedSince, null);
    for (const consumer of stats.consumers.filter((c) => c.name !== 'dead')) {
      assert.equal(consumer.droppedGops, 0, `${consumer.name} dropped nothing`);
    }

    assert.equal(await full.exited, 0, full.stderr());
    assert.equal(await late!.exited, 0, late!.stderr());
    dead.kill('SIGKILL');

    const fullPackets = await probePackets(fullOut);
    const fullVideo = fullPackets.filter((packet) => packet.stream === 'video');
    assert.equal(fullVideo.length, 180);
    assert.equal(fullVideo[0]!.key, true);

    const latePackets = await probePackets(lateOut);
    const lateVideo = latePackets.filter((packet) => packet.stream === 'video');
    assert.equal(latePackets[0]!.stream, 'video', 'the keyframe is the first packet of the output');
    assert.equal(lateVideo[0]!.key, true, 'late output starts with a keyframe');
    assert.equal(lateVideo.length, 120, 'the cached GOP (frames 60..119) and everything after it');
    assert.deepEqual(
      lateVideo.flatMap((packet, i) => (packet.key ? [i] : [])),
      [0, 60],
    );
    assert.ok(latePackets.filter((packet) => packet.stream === 'audio').length > 100, 'audio present');

    assert.deepEqual(await decode(fullOut), { errors: '', videoFrames: 180 });
    assert.deepEqual(await decode(lateOut), { errors: '', videoFrames: 120 });
  });
});
