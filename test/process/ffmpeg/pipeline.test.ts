// End to end with real ffmpeg: decoder argv → raw frames on fd 1 + PCM on fd 3; encoder argv fed
// from Node → FLV with H.264 + AAC and keyframes exactly every 2 s; FLV consumers remux it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AUDIO_SAMPLE_RATE,
  hlsPreviewArgs,
  programEncoderArgs,
  mediaDecoderArgs,
  recorderArgs,
  slateDecoderArgs,
  yuv420pFrameBytes,
} from '../../../src/ffmpeg/argv.ts';
import { NutWriter } from '../../../src/ffmpeg/nut.ts';
import { probe } from '../../../src/ffmpeg/probe.ts';
import { StderrLineSplitter, parseStatsLine, summarizeErrors } from '../../../src/ffmpeg/progress.ts';
import { collect, end, sinePcm, spawnFfmpeg, tempDir, testFrame, write } from './helpers.ts';

const W = 320;
const H = 180;
const FPS = 30;
const FRAME = yuv420pFrameBytes(W, H);
const PCM_PER_SECOND = AUDIO_SAMPLE_RATE * 4;

let tmp: ReturnType<typeof tempDir>;
let flvPath = '';

before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

describe('decoders', () => {
  it('slate: exactly 1 s of raw frames on fd 1 and PCM on fd 3, read concurrently', async () => {
    const p = spawnFfmpeg(
      slateDecoderArgs({ width: W, height: H, fps: FPS, durationSeconds: 1, realtime: false }),
    );
    p.stdin.end();
    const [video, audio, code] = await Promise.all([collect(p.stdout), collect(p.fd3), p.exited]);
    assert.equal(code, 0, p.stderr());
    assert.equal(FRAME, 86400);
    assert.equal(video.length, 30 * FRAME);
    assert.equal(audio.length, PCM_PER_SECOND);
    // anullsrc: silence
    assert.ok(audio.every((b) => b === 0));
    // smptehdbars: not a flat frame
    assert.ok(new Set(video.subarray(0, W * H)).size > 4);
    // the stderr parser understands its stats line
    const lines = new StderrLineSplitter().push(p.stderr() + '\n');
    const last = lines
      .map(parseStatsLine)
      .filter((s) => s !== null)
      .at(-1);
    assert.equal(last?.final, true);
    assert.equal(last?.frame, 30);
    assert.equal(summarizeErrors(lines), null);
  });

  it('slate with text and tone, paced in real time', async () => {
    const started = performance.now();
    const p = spawnFfmpeg(
      slateDecoderArgs({
        width: W,
        height: H,
        fps: FPS,
        durationSeconds: 0.5,
        audio: 'tone',
        text: "10:30 — it's [live]",
      }),
    );
    p.stdin.end();
    const [video, audio, code] = await Promise.all([collect(p.stdout), collect(p.fd3), p.exited]);
    assert.equal(code, 0, p.stderr());
    assert.equal(video.length, 15 * FRAME);
    assert.equal(audio.length, PCM_PER_SECOND / 2);
    assert.ok(
      audio.some((b) => b !== 0),
      'tone is not silent',
    );
    assert.ok(performance.now() - started >= 400, '-re paces the output');
  });

  it('media: a 4:3 video with audio is letterboxed to the program size, audio to fd 3', async () => {
    const src = join(tmp.dir, 'four-three.mp4');
    const gen = spawnFfmpeg([
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=white:size=160x120:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100',
      '-t',
      '1',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      src,
    ]);
    gen.stdin.end();
    assert.equal(await gen.exited, 0, gen.stderr());

    const p = spawnFfmpeg(
      mediaDecoderArgs({
        path: src,
        kind: 'video',
        loop: false,
        width: W,
        height: H,
        fps: FPS,
        realtime: false,
      }),
    );
    p.stdin.end();
    const [video, audio, code] = await Promise.all([collect(p.stdout), collect(p.fd3), p.exited]);
    assert.equal(code, 0, p.stderr());
    assert.equal(video.length % FRAME, 0);
    const frames = video.length / FRAME;
    assert.ok(frames >= 29 && frames <= 31, `${frames} frames for 1 s at 30 fps`);
    // 160x120 → 240x180 centred: black bars 40 px left and right, white in the middle
    const row = video.subarray(90 * W, 91 * W);
    assert.ok(row[10]! < 32 && row[W - 10]! < 32, 'pillarbox bars are black');
    assert.ok(row[W / 2]! > 220, 'picture is white');
    // 44.1 kHz mono source → 48 kHz stereo, about one second
    assert.ok(Math.abs(audio.length - PCM_PER_SECOND) < PCM_PER_SECOND * 0.1, `${audio.length} PCM bytes`);
  });

  it('media: a still image looped at the program fps', async () => {
    const png = join(tmp.dir, 'still.png');
    const gen = spawnFfmpeg([
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360',
      '-frames:v',
      '1',
      png,
    ]);
    gen.stdin.end();
    assert.equal(await gen.exited, 0, gen.stderr());
    const args = mediaDecoderArgs({
      path: png,
      kind: 'image',
      loop: true,
      width: W,
      height: H,
      fps: FPS,
      realtime: false,
    });
    const p = spawnFfmpeg([...args.slice(0, -1), '-frames:v', '10', args.at(-1)!]);
    p.stdin.end();
    const [video, code] = await Promise.all([collect(p.stdout), p.exited]);
    assert.equal(code, 0, p.stderr());
    assert.equal(video.length, 10 * FRAME);
    assert.ok(video.subarray(0, FRAME).equals(video.subarray(9 * FRAME, 10 * FRAME)), 'a still is still');
  });
});

describe('encoder', () => {
  it('3 s of timestamped frames + PCM from Node (NUT) → FLV with H.264 + AAC, keyframes at 0 and 2 s', async () => {
    const seconds = 3;
    const p = spawnFfmpeg(
      programEncoderArgs({
        width: W,
        height: H,
        fps: FPS,
        tickRate: FPS,
        profile: 'reliability',
        videoEncoder: 'libx264',
        preset: 'veryfast',
      }),
    );
    const flv = collect(p.stdout);
    p.fd3.end();
    const nut = new NutWriter({
      width: W,
      height: H,
      videoTimeBase: { num: 1, den: FPS },
      videoFrameRate: { num: FPS, den: 1 },
      audioSampleRate: AUDIO_SAMPLE_RATE,
      audioChannels: 2,
    });
    const samplesPerFrame = AUDIO_SAMPLE_RATE / FPS;
    await write(p.stdin, nut.header());
    // like the playout loop: each tick its audio, then its frame, with their program timestamps
    for (let n = 0; n < seconds * FPS; n++) {
      const pcm = sinePcm(samplesPerFrame, n * samplesPerFrame);
      await write(p.stdin, Buffer.concat([nut.audioFrameHeader(n * samplesPerFrame, pcm.length), pcm]));
      await write(p.stdin, Buffer.concat([nut.videoFrameHeader(n, FRAME), testFrame(W, H, n)]));
    }
    await end(p.stdin);
    const [out, code] = await Promise.all([flv, p.exited]);
    assert.equal(code, 0, p.stderr());
    assert.equal(out.subarray(0, 3).toString('latin1'), 'FLV');
    flvPath = join(tmp.dir, 'program.flv');
    writeFileSync(flvPath, out);

    const r = await probe(flvPath, { showPackets: true });
    assert.equal(r.formatName, 'flv');
    assert.equal(r.videoCodec, 'h264');
    assert.equal(r.video?.profile, 'Main');
    assert.equal(r.video?.level, 41);
    assert.equal(r.width, W);
    assert.equal(r.height, H);
    assert.equal(r.audioCodec, 'aac');
    assert.equal(r.audio?.sampleRate, 48000);
    assert.equal(r.audio?.channels, 2);
    assert.ok(r.hasAudio);
    const video = r.packets!.filter((pk) => pk.codecType === 'video');
    assert.equal(video.length, seconds * FPS);
    const keyTimes = video.filter((pk) => pk.keyframe).map((pk) => pk.ptsTime);
    const t0 = video[0]!.ptsTime!;
    assert.deepEqual(
      keyTimes.map((t) => Math.round((t! - t0) * 1000)),
      [0, 2000],
    );
    const audioPackets = r.packets!.filter((pk) => pk.codecType === 'audio');
    const audioEnd = audioPackets.at(-1)!.ptsTime! + audioPackets.at(-1)!.durationTime!;
    assert.ok(Math.abs(audioEnd - seconds) < 0.1, `audio lasts ${audioEnd} s`);
  });
});

describe('FLV consumers', () => {
  it('recorder: FLV on stdin → fragmented mp4, stream copy', async () => {
    assert.ok(flvPath !== '', 'encoder test ran first');
    const mp4 = join(tmp.dir, 'recording.mp4');
    const p = spawnFfmpeg(recorderArgs({ path: mp4 }));
    createReadStream(flvPath).pipe(p.stdin);
    p.stdout.resume();
    p.fd3.resume();
    assert.equal(await p.exited, 0, p.stderr());
    const r = await probe(mp4);
    assert.equal(r.videoCodec, 'h264');
    assert.equal(r.audioCodec, 'aac');
    assert.ok(Math.abs(r.durationSeconds! - 3) < 0.15, `duration ${r.durationSeconds}`);
  });

  it('HLS preview: FLV on stdin → playlist and segments cut at keyframes', async () => {
    const dir = join(tmp.dir, 'hls');
    mkdirSync(dir);
    const h = spawnFfmpeg(hlsPreviewArgs({ dir, segmentSeconds: 1, listSize: 3 }));
    createReadStream(flvPath).pipe(h.stdin);
    h.stdout.resume();
    h.fd3.resume();
    assert.equal(await h.exited, 0, h.stderr());
    const playlist = readFileSync(join(dir, 'index.m3u8'), 'utf8');
    assert.match(playlist, /#EXTM3U/);
    const segments = playlist.split('\n').filter((l) => l.endsWith('.ts'));
    assert.ok(segments.length >= 2, playlist);
    for (const s of segments) assert.ok(existsSync(join(dir, s)));
    assert.ok(readdirSync(dir).every((f) => !f.endsWith('.tmp')));
  });
});
