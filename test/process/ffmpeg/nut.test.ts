// Real ffmpeg/ffprobe (Debian 5.1) read what NutWriter writes: exact timestamps and sizes, pixels and
// samples byte for byte, thousands of frames on a pipe after one syncpoint, pts past 2^33, and the encoder
// recipe (H.264/AAC in FLV) that keeps program time, gaps and 2 s keyframes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { FFPROBE_BIN } from '../../../src/ffmpeg/argv.ts';
import { NutWriter } from '../../../src/ffmpeg/nut.ts';
import type { NutWriterOptions } from '../../../src/ffmpeg/nut.ts';
import { killGroup } from '../../../src/process/spawn.ts';
import { collect, spawnFfmpeg, write } from './helpers.ts';

const SYNCPOINT_STARTCODE = Buffer.from('4e4be4adeeca4569', 'hex');
const SAMPLES_PER_TICK = 1600; // 48 kHz at 30 fps

interface Frame {
  readonly pts: bigint;
  readonly payload: Buffer;
}

/** What a test wrote: the stream's bytes and, per stream, the frames in it. */
interface Written {
  readonly bytes: Buffer;
  readonly video: Frame[];
  readonly audio: Frame[];
}

/**
 * A program of `ticks` ticks at 30 fps starting at `startTick`: one video frame per tick unless the tick is
 * dropped, then 1600 samples of audio per tick, always (audio continuous, video with gaps).
 */
function program(
  options: NutWriterOptions,
  startTick: number,
  ticks: number,
  dropped: (tick: number) => boolean,
): Written {
  const w = new NutWriter(options);
  const parts = [w.header()];
  const tb = w.videoTimeBase;
  const videoPtsPerTick = BigInt(tb.den) / (30n * BigInt(tb.num));
  assert.equal(videoPtsPerTick * 30n * BigInt(tb.num), BigInt(tb.den), 'a tick is a whole number of pts');
  const video: Frame[] = [];
  const audio: Frame[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    if (!dropped(tick)) {
      const payload = stripedFrame(options.width, options.height, tick);
      const pts = BigInt(startTick + tick) * videoPtsPerTick;
      parts.push(w.videoFrameHeader(pts, payload.length), payload);
      video.push({ pts, payload });
    }
    const payload = tonePcm(tick);
    const pts = BigInt(startTick + tick) * BigInt(SAMPLES_PER_TICK);
    parts.push(w.audioFrameHeader(pts, payload.length), payload);
    audio.push({ pts, payload });
  }
  return { bytes: Buffer.concat(parts), video, audio };
}

/** A frame that says which tick it is: 8 vertical stripes, stripe k white if bit k of the tick is set. */
function stripedFrame(width: number, height: number, tick: number): Buffer {
  const frame = Buffer.alloc((width * height * 3) / 2, 128);
  const stripe = width / 8;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) frame[y * width + x] = (tick >> Math.floor(x / stripe)) & 1 ? 235 : 16;
  }
  return frame;
}

/** Reads the tick back from a decoded grey frame (see stripedFrame). */
function tickOf(gray: Buffer, width: number, height: number): number {
  let tick = 0;
  const stripe = width / 8;
  for (let bit = 0; bit < 8; bit++) {
    if (gray[(height >> 1) * width + bit * stripe + (stripe >> 1)]! > 128) tick |= 1 << bit;
  }
  return tick;
}

/** 1600 stereo s16le samples of a 440 Hz tone whose phase continues from tick to tick. */
function tonePcm(tick: number): Buffer {
  const pcm = Buffer.alloc(SAMPLES_PER_TICK * 4);
  for (let i = 0; i < SAMPLES_PER_TICK; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (tick * SAMPLES_PER_TICK + i)) / 48000));
    pcm.writeInt16LE(v, i * 4);
    pcm.writeInt16LE(v, i * 4 + 2);
  }
  return pcm;
}

function countSyncpoints(buf: Buffer): number {
  let count = 0;
  for (let at = buf.indexOf(SYNCPOINT_STARTCODE); at >= 0; at = buf.indexOf(SYNCPOINT_STARTCODE, at + 1))
    count++;
  return count;
}

/** Runs ffprobe with the NUT bytes on its stdin (a pipe, as the encoder gets them) and parses its JSON. */
async function ffprobeNut(input: Buffer, show: string[]): Promise<{ json: ProbeJson; stderr: string }> {
  const child = spawn(FFPROBE_BIN, ['-v', 'error', '-f', 'nut', ...show, '-of', 'json', '-i', 'pipe:0'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const timer = setTimeout(() => killGroup(child.pid), 60_000);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  const [stdout, code] = await Promise.all([
    collect(child.stdout),
    new Promise<number | null>((resolve) => child.on('close', resolve)),
  ]);
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  return { json: JSON.parse(stdout.toString('utf8')) as ProbeJson, stderr };
}

interface ProbeJson {
  streams?: Record<string, unknown>[];
  packets?: ProbeEntry[];
  /** With both -show_packets and -show_frames, in file order. */
  packets_and_frames?: ProbeEntry[];
}
interface ProbeEntry {
  type?: 'packet' | 'frame';
  stream_index: number;
  pts: number;
  pts_time: string;
  size?: string;
  pkt_size?: string;
  flags?: string;
}

/** Header and payload as two writes, corked together (what the encoder does with writev). */
async function writeFrame(stdin: Writable, header: Buffer, payload: Buffer): Promise<void> {
  stdin.cork();
  stdin.write(header);
  const flushed = write(stdin, payload);
  stdin.uncork();
  await flushed;
}

/** ffmpeg's [level] lines other than info/verbose, minus the one warning NUT cannot avoid. */
function problems(stderr: string): string[] {
  return stderr
    .split(/[\r\n]+/)
    .filter((line) => /\[(warning|error|fatal|panic)\]/.test(line))
    .filter((line) => !/Guessed Channel Layout/.test(line)); // NUT stores a channel count, not a layout
}

const SMALL: NutWriterOptions = {
  width: 320,
  height: 180,
  videoTimeBase: { num: 1, den: 30 },
  videoFrameRate: { num: 30, den: 1 },
  audioSampleRate: 48000,
  audioChannels: 2,
};
const PROGRAM_START_TICK = 3600 * 30; // program time 3600 s
const GAP = (tick: number): boolean => tick >= 10 && tick < 13;

describe('ffprobe reads the NUT stream', () => {
  it('both streams, exactly the pts and sizes written, the gap in video, audio continuous', async () => {
    const written = program(SMALL, PROGRAM_START_TICK, 36, GAP);
    const { json, stderr } = await ffprobeNut(written.bytes, [
      '-show_streams',
      '-show_packets',
      '-show_frames',
    ]);
    assert.equal(stderr, '', 'no demuxer or decoder complaint');

    const [video, audio] = json.streams ?? [];
    assert.deepEqual(
      {
        codec: video?.codec_name,
        width: video?.width,
        height: video?.height,
        pixFmt: video?.pix_fmt,
        timeBase: video?.time_base,
        rate: video?.r_frame_rate,
      },
      { codec: 'rawvideo', width: 320, height: 180, pixFmt: 'yuv420p', timeBase: '1/30', rate: '30/1' },
    );
    assert.deepEqual(
      {
        codec: audio?.codec_name,
        sampleRate: audio?.sample_rate,
        channels: audio?.channels,
        timeBase: audio?.time_base,
      },
      { codec: 'pcm_s16le', sampleRate: '48000', channels: 2, timeBase: '1/48000' },
    );

    const expected = (frames: Frame[]): [number, number][] =>
      frames.map((f) => [Number(f.pts), f.payload.length]);
    const packets = (json.packets_and_frames ?? []).filter((e) => e.type === 'packet');
    const packetsOf = (stream: number): [number, number][] =>
      packets.filter((p) => p.stream_index === stream).map((p) => [p.pts, Number(p.size)]);
    assert.deepEqual(packetsOf(0), expected(written.video));
    assert.deepEqual(packetsOf(1), expected(written.audio));
    assert.equal(written.video.length, 33, '36 ticks, 3 dropped');
    assert.ok(packets.every((p) => p.flags?.startsWith('K')));
    assert.equal(packets.find((p) => p.stream_index === 0)?.pts_time, '3600.000000');

    const frames = (json.packets_and_frames ?? []).filter((e) => e.type === 'frame');
    const framesOf = (stream: number): [number, number][] =>
      frames.filter((f) => f.stream_index === stream).map((f) => [f.pts, Number(f.pkt_size)]);
    assert.deepEqual(framesOf(0), expected(written.video));
    assert.deepEqual(framesOf(1), expected(written.audio));
  });
});

describe('ffmpeg decodes the NUT stream', () => {
  it('gives back every picture and every sample byte for byte, and no picture for the dropped ticks', async () => {
    const written = program(SMALL, PROGRAM_START_TICK, 36, GAP);
    const p = spawnFfmpeg([
      '-hide_banner',
      '-loglevel',
      'level+warning',
      '-f',
      'nut',
      '-i',
      'pipe:0',
      '-map',
      '0:v',
      '-fps_mode',
      'passthrough', // the rawvideo muxer would otherwise fill the gap with copies
      '-f',
      'rawvideo',
      'pipe:1',
      '-map',
      '0:a',
      '-f',
      's16le',
      'pipe:3',
    ]);
    p.stdin.end(written.bytes);
    const [video, audio, code] = await Promise.all([collect(p.stdout), collect(p.fd3), p.exited]);
    assert.equal(code, 0, p.stderr());
    assert.deepEqual(problems(p.stderr()), []);
    assert.ok(video.equals(Buffer.concat(written.video.map((f) => f.payload))), 'pictures byte-equal');
    assert.ok(audio.equals(Buffer.concat(written.audio.map((f) => f.payload))), 'samples byte-equal');
  });
});

describe('a long run on a pipe after one syncpoint', () => {
  it('6000 ticks (64×36 + 1600 samples each, video gaps) reach ffmpeg without a demuxer error', async () => {
    const options: NutWriterOptions = { ...SMALL, width: 64, height: 36 };
    const writer = new NutWriter(options);
    const ticks = 6000;
    const dropped = (tick: number): boolean => tick % 97 === 50 || (tick >= 3000 && tick < 3045);
    const p = spawnFfmpeg(
      [
        '-hide_banner',
        '-loglevel',
        'level+warning',
        '-f',
        'nut',
        '-i',
        'pipe:0',
        '-map',
        '0',
        '-copyts',
        '-f',
        'framecrc',
        'pipe:1',
      ],
      120_000,
    );
    const output = collect(p.stdout);
    let syncpoints = 0;
    let bytesAfterSyncpoint = 0;
    let videoFrames = 0;
    const header = writer.header();
    syncpoints += countSyncpoints(header);
    await write(p.stdin, header);
    for (let tick = 0; tick < ticks; tick++) {
      const frames: [Buffer, Buffer][] = [];
      if (!dropped(tick)) {
        const picture = Buffer.alloc(writer.videoFrameBytes, 16 + (tick % 200));
        frames.push([writer.videoFrameHeader(tick, picture.length), picture]);
        videoFrames++;
      }
      const pcm = Buffer.alloc(SAMPLES_PER_TICK * 4, tick & 0x3f);
      frames.push([writer.audioFrameHeader(tick * SAMPLES_PER_TICK, pcm.length), pcm]);
      for (const [frameHeader, payload] of frames) {
        syncpoints += countSyncpoints(frameHeader) + countSyncpoints(payload);
        bytesAfterSyncpoint += frameHeader.length + payload.length;
        await writeFrame(p.stdin, frameHeader, payload);
      }
    }
    p.stdin.end();
    const [crcs, code] = await Promise.all([output, p.exited]);
    assert.equal(code, 0, p.stderr());
    assert.deepEqual(problems(p.stderr()), []);
    assert.equal(syncpoints, 1, 'only the header has a syncpoint');
    // The non-pipe demuxer would give up after max_distance (≤ 65536) bytes without a syncpoint.
    assert.ok(bytesAfterSyncpoint > 50_000_000, `${bytesAfterSyncpoint} bytes after the syncpoint`);

    const lines = crcs
      .toString('utf8')
      .split('\n')
      .filter((line) => /^\d+,/.test(line))
      .map((line) => line.split(',').map((field) => field.trim()));
    const videoPts = lines.filter((f) => f[0] === '0').map((f) => Number(f[2]));
    const audioPts = lines.filter((f) => f[0] === '1').map((f) => Number(f[2]));
    assert.equal(videoPts.length, videoFrames);
    assert.equal(audioPts.length, ticks);
    assert.deepEqual(
      videoPts,
      Array.from({ length: ticks }, (_, tick) => tick).filter((tick) => !dropped(tick)),
    );
    assert.equal(audioPts.at(-1), (ticks - 1) * SAMPLES_PER_TICK);
  });
});

describe('pts past 2^33', () => {
  it('video in 1/90000 crosses 2^33, audio sample counts past 2^32: ffprobe reports them exactly', async () => {
    const start = 2n ** 33n - 45_000n; // half a second before 2^33 ticks of 90 kHz
    const options: NutWriterOptions = { ...SMALL, videoTimeBase: { num: 1, den: 90000 } };
    const w = new NutWriter(options);
    const parts = [w.header()];
    const videoPts: bigint[] = [];
    const audioPts: bigint[] = [];
    const audioStart = (start * 48000n) / 90000n; // the same instant in samples (rounded down)
    for (let n = 0n; n < 30n; n++) {
      const picture = stripedFrame(options.width, options.height, Number(n));
      videoPts.push(start + n * 3000n);
      parts.push(w.videoFrameHeader(start + n * 3000n, picture.length), picture);
      const pcm = tonePcm(Number(n));
      audioPts.push(audioStart + n * 1600n);
      parts.push(w.audioFrameHeader(audioStart + n * 1600n, pcm.length), pcm);
    }
    assert.ok(videoPts.some((pts) => pts > 2n ** 33n) && videoPts[0]! < 2n ** 33n);
    assert.ok(audioPts[0]! > 2n ** 32n);

    const { json, stderr } = await ffprobeNut(Buffer.concat(parts), ['-show_packets']);
    assert.equal(stderr, '');
    const packets = json.packets ?? [];
    assert.deepEqual(
      packets.filter((p) => p.stream_index === 0).map((p) => BigInt(p.pts)),
      videoPts,
    );
    assert.deepEqual(
      packets.filter((p) => p.stream_index === 1).map((p) => BigInt(p.pts)),
      audioPts,
    );
    // 2^33 / 90000 s = 95443.717688… s
    const crossing = packets.find((p) => p.stream_index === 0 && BigInt(p.pts) === 2n ** 33n);
    assert.equal(crossing?.pts_time, '95443.717689');
  });
});

describe('the encoder recipe: NUT in, H.264 + AAC in FLV out', () => {
  it('-copyts keeps program time; gaps and a 15 fps start pass through; a keyframe every 2 s', async () => {
    // 6 s at 15 fps (every other tick dropped, as under load at start), 1 s at 30 fps, a 5-tick gap,
    // 30 fps, a 5 s gap (a stall), 3 s at 30 fps. Video pts in 1/90000: ffmpeg would guess 15 fps from the
    // start and drop every other frame for good; the stream's r_frame_rate (videoFrameRate) pins the
    // encoder at 1/30.
    const ticks = 480;
    const dropped = (tick: number): boolean =>
      (tick < 180 && tick % 2 === 1) || (tick >= 210 && tick < 215) || (tick >= 240 && tick < 390);
    const options: NutWriterOptions = { ...SMALL, videoTimeBase: { num: 1, den: 90000 } };
    const written = program(options, PROGRAM_START_TICK, ticks, dropped);
    const p = spawnFfmpeg(
      [
        '-hide_banner',
        '-loglevel',
        'level+warning',
        '-f',
        'nut',
        '-i',
        'pipe:0',
        '-map',
        '0:v',
        '-map',
        '0:a',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-g',
        '600',
        '-sc_threshold',
        '0',
        '-force_key_frames',
        'expr:if(isnan(prev_forced_t),1,gte(t,prev_forced_t+1.99))',
        '-c:a',
        'aac',
        '-copyts',
        '-f',
        'flv',
        'pipe:1',
      ],
      120_000,
    );
    p.stdin.end(written.bytes);
    const [flv, code] = await Promise.all([collect(p.stdout), p.exited]);
    assert.equal(code, 0, p.stderr());
    assert.deepEqual(
      problems(p.stderr()).filter((line) => !/Failed to update header/.test(line)), // FLV on a pipe
      [],
    );

    const tags = flvTags(flv);
    const video = tags.filter((t) => t.type === 'video');
    const audio = tags.filter((t) => t.type === 'audio');
    // Every input frame comes out once, at its program time in ms (ffmpeg rounds to the nearest ms).
    const programMs = written.video.map((f) => Math.round(Number(f.pts) / 90));
    assert.deepEqual(
      video.map((t) => t.ptsMs).sort((a, b) => a - b),
      programMs,
    );
    assert.equal(programMs[0], 3_600_000);
    // B-frames: decoding starts before presentation, but decode timestamps never go back.
    assert.ok(video.every((t, i) => i === 0 || t.dtsMs >= video[i - 1]!.dtsMs));
    // AAC priming: the first audio packet is 1024 samples (21 ms) before the first sample fed.
    assert.equal(audio[0]?.dtsMs, 3_600_000 - 21);
    // Keyframes every 2 s of program time from the first frame; after the stall the first frame is one,
    // and no burst of keyframes follows it (gte(t,n_forced*2) would force one per frame until caught up).
    const keyMs = video.filter((t) => t.key).map((t) => t.ptsMs);
    assert.deepEqual(keyMs, [3_600_000, 3_602_000, 3_604_000, 3_606_000, 3_613_000, 3_615_000]);
    assert.ok(
      keyMs.slice(1).every((ms, i) => ms - keyMs[i]! >= 1990),
      `no two keyframes within 2 s: ${keyMs.join(' ')}`,
    );
    const presented = video.map((t) => t.ptsMs).sort((x, y) => x - y);
    for (const ms of presented) {
      const sinceKey = ms - Math.max(...keyMs.filter((k) => k <= ms));
      assert.ok(sinceKey < 2000, `frame at ${ms} ms is ${sinceKey} ms after the last keyframe`);
    }

    // The pictures, decoded in presentation order, are the input ticks: none doubled, none missing.
    const W = SMALL.width;
    const H = SMALL.height;
    const d = spawnFfmpeg(
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-i',
        'pipe:0',
        '-map',
        '0:v',
        '-fps_mode',
        'passthrough',
      ].concat(['-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']),
      60_000,
    );
    d.stdin.end(flv);
    const [gray, decodeCode] = await Promise.all([collect(d.stdout), d.exited]);
    assert.equal(decodeCode, 0, d.stderr());
    const decodedTicks: number[] = [];
    for (let at = 0; at + W * H <= gray.length; at += W * H)
      decodedTicks.push(tickOf(gray.subarray(at, at + W * H), W, H));
    const writtenTicks = written.video.map((f) => Number(f.pts) / 3000 - PROGRAM_START_TICK);
    assert.deepEqual(
      decodedTicks,
      writtenTicks.map((tick) => tick & 0xff),
    );
  });
});

interface FlvTag {
  type: 'video' | 'audio' | 'script';
  dtsMs: number;
  ptsMs: number;
  key: boolean;
}

/** Audio and video media tags (sequence headers left out) with their timestamps. */
function flvTags(flv: Buffer): FlvTag[] {
  const out: FlvTag[] = [];
  for (let p = flv.readUInt32BE(5) + 4; p + 11 <= flv.length;) {
    const type = flv[p]!;
    const size = flv.readUIntBE(p + 1, 3);
    const dtsMs = (flv.readUIntBE(p + 4, 3) | (flv[p + 7]! << 24)) >>> 0;
    if (type === 9 && flv[p + 12] === 1) {
      out.push({
        type: 'video',
        dtsMs,
        ptsMs: dtsMs + flv.readIntBE(p + 13, 3),
        key: flv[p + 11]! >> 4 === 1,
      });
    } else if (type === 8 && flv[p + 12] === 1) {
      out.push({ type: 'audio', dtsMs, ptsMs: dtsMs, key: true });
    }
    p += 11 + size + 4;
  }
  return out;
}
