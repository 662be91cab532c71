// Golden tests: each builder's argv for representative inputs is compared with
// test/fixtures/ffmpeg/golden/<case>.json. After an intended change, regenerate with
//   UPDATE_GOLDEN=1 node scripts/run-tests.mjs test/unit/ffmpeg/argv.test.ts
// and review the diff of the JSON files: it is the diff of the command lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cameraDecoderArgs,
  keyframeExpression,
  programEncoderArgs,
  audioFileDecoderArgs,
  escapeFilterValue,
  hlsPreviewArgs,
  mediaDecoderArgs,
  profileSettings,
  publisherArgs,
  rate,
  recorderArgs,
  slateDecoderArgs,
  stillPictureArgs,
  urlScheme,
  videoEncoderArgs,
  yuv420pFrameBytes,
  VIDEO_ENCODERS,
} from '../../../src/ffmpeg/argv.ts';

const goldenDir = join(import.meta.dirname, '../../fixtures/ffmpeg/golden');
const update = process.env.UPDATE_GOLDEN === '1';

const cases: Record<string, () => string[]> = {
  'camera-rtsp-1080p30': () =>
    cameraDecoderArgs({
      url: 'rtsp://admin:secret@192.168.1.20:554/Streaming/Channels/101',
      width: 1920,
      height: 1080,
      fps: 30,
      timeoutSeconds: 5,
    }),
  'camera-rtsp-udp': () =>
    cameraDecoderArgs({
      url: 'rtsp://192.168.1.21/stream1',
      width: 1280,
      height: 720,
      fps: 30,
      transport: 'udp',
      timeoutSeconds: 2.5,
    }),
  'camera-rtmp-no-audio': () =>
    cameraDecoderArgs({
      url: 'rtmp://127.0.0.1/live/cam2',
      width: 320,
      height: 180,
      fps: 25,
      timeoutSeconds: 3,
      audio: false,
    }),
  'camera-hls': () =>
    cameraDecoderArgs({
      url: 'https://cams.example.com/beach/index.m3u8',
      width: 1920,
      height: 1080,
      fps: 30,
      timeoutSeconds: 10,
    }),
  'camera-srt': () =>
    cameraDecoderArgs({
      url: 'srt://10.0.0.5:9000?mode=caller',
      width: 1920,
      height: 1080,
      fps: 30,
      timeoutSeconds: 5,
    }),
  'audio-file-bed': () => audioFileDecoderArgs({ path: '/data/assets/bed music.mp3' }),
  'media-image-loop': () =>
    mediaDecoderArgs({
      path: '/data/assets/holding.png',
      kind: 'image',
      loop: true,
      width: 1920,
      height: 1080,
      fps: 30,
      realtime: true,
    }),
  'media-image-once': () =>
    mediaDecoderArgs({
      path: '/data/assets/logo card.jpg',
      kind: 'image',
      loop: false,
      width: 320,
      height: 180,
      fps: 30,
      realtime: false,
    }),
  'media-video-loop-ntsc': () =>
    mediaDecoderArgs({
      path: '/data/assets/promo.mp4',
      kind: 'video',
      loop: true,
      width: 1280,
      height: 720,
      fps: 29.97,
      realtime: true,
    }),
  'media-video-once-silent': () =>
    mediaDecoderArgs({
      path: '/data/assets/timelapse.mov',
      kind: 'video',
      loop: false,
      width: 1920,
      height: 1080,
      fps: 30,
      realtime: true,
      audio: false,
    }),
  'slate-bars-silence': () => slateDecoderArgs({ width: 1920, height: 1080, fps: 30 }),
  'slate-testsrc2-tone-text': () =>
    slateDecoderArgs({
      width: 320,
      height: 180,
      fps: 30,
      pattern: 'testsrc2',
      audio: 'tone',
      text: "Back at 10:30 — we're [live], soon",
      realtime: false,
      durationSeconds: 2,
    }),
  'encoder-libx264-reliability': () =>
    programEncoderArgs({
      width: 1920,
      height: 1080,
      fps: 30,
      profile: 'reliability',
      videoEncoder: 'libx264',
      tickRate: 30,
    }),
  'encoder-libx264-reliability-veryfast': () =>
    programEncoderArgs({
      width: 1280,
      height: 720,
      fps: 25,
      profile: 'reliability',
      videoEncoder: 'libx264',
      preset: 'veryfast',
      bitrateKbps: 3000,
      tickRate: 25,
    }),
  'encoder-libx264-half-rate-from-3600s': () =>
    programEncoderArgs({
      width: 854,
      height: 480,
      fps: 15,
      profile: 'reliability',
      videoEncoder: 'libx264',
      preset: 'superfast',
      bitrateKbps: 3600,
      tickRate: 30,
      keyframeOrigin: 3600,
    }),
  'encoder-libx264-quality': () =>
    programEncoderArgs({
      width: 1920,
      height: 1080,
      fps: 30,
      profile: 'quality',
      videoEncoder: 'libx264',
      tickRate: 30,
    }),
  'encoder-v4l2m2m-reliability': () =>
    programEncoderArgs({
      width: 1920,
      height: 1080,
      fps: 30,
      profile: 'reliability',
      videoEncoder: 'h264_v4l2m2m',
      tickRate: 30,
    }),
  'encoder-vaapi-reliability': () =>
    programEncoderArgs({
      width: 1920,
      height: 1080,
      fps: 30,
      profile: 'reliability',
      videoEncoder: 'h264_vaapi',
      tickRate: 30,
    }),
  'encoder-qsv-quality': () =>
    programEncoderArgs({
      width: 1920,
      height: 1080,
      fps: 30,
      profile: 'quality',
      videoEncoder: 'h264_qsv',
      tickRate: 30,
    }),
  'encoder-nvenc-reliability': () =>
    programEncoderArgs({
      width: 1920,
      height: 1080,
      fps: 30,
      profile: 'reliability',
      videoEncoder: 'h264_nvenc',
      preset: 'veryfast',
      tickRate: 30,
    }),
  'encoder-videotoolbox-reliability': () =>
    programEncoderArgs({
      width: 1280,
      height: 720,
      fps: 60,
      profile: 'reliability',
      videoEncoder: 'h264_videotoolbox',
      bitrateKbps: 3000,
      tickRate: 60,
    }),
  'still-card': () =>
    stillPictureArgs({
      width: 1280,
      height: 720,
      card: { pattern: 'smptehdbars', text: "We'll be right back" },
    }),
  'still-image': () => stillPictureArgs({ width: 1280, height: 720, image: '/data/assets/slate.png' }),
  'publisher-youtube': () =>
    publisherArgs({ url: 'rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop', platform: 'youtube' }),
  'publisher-facebook': () =>
    publisherArgs({ url: 'rtmps://live-api-s.facebook.com:443/rtmp/FB-123-0-AbC', platform: 'facebook' }),
  'publisher-custom-srt': () =>
    publisherArgs({
      url: 'srt://ingest.example.com:9000?streamid=live%2Fvenue',
      platform: 'custom',
      timeoutSeconds: 5,
    }),
  'hls-preview': () => hlsPreviewArgs({ dir: '/var/lib/vistter/preview', segmentSeconds: 2 }),
  'hls-preview-short': () => hlsPreviewArgs({ dir: 'data/preview/', segmentSeconds: 1, listSize: 3 }),
  'recorder-mp4': () => recorderArgs({ path: '/data/recordings/2026-01-01T10-00-00.mp4' }),
  'recorder-flv': () => recorderArgs({ path: '/data/recordings/show.flv' }),
};

describe('argv builders: golden files', () => {
  if (update) mkdirSync(goldenDir, { recursive: true });
  for (const [name, build] of Object.entries(cases)) {
    it(name, () => {
      const argv = build();
      const file = join(goldenDir, `${name}.json`);
      if (update || !existsSync(file)) {
        if (!update) assert.fail(`missing golden file ${file}; run with UPDATE_GOLDEN=1`);
        writeFileSync(file, JSON.stringify(argv, null, 2) + '\n');
      }
      const expected: unknown = JSON.parse(readFileSync(file, 'utf8'));
      assert.deepEqual(argv, expected);
      for (const a of argv) assert.equal(typeof a, 'string');
    });
  }
});

/** The value after flag (first occurrence). */
function after(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

describe('argv builders: properties', () => {
  it('frame size of yuv420p', () => {
    assert.equal(yuv420pFrameBytes(320, 180), 320 * 180 * 1.5);
    assert.equal(yuv420pFrameBytes(1920, 1080), 3110400);
  });

  it('urlScheme', () => {
    assert.equal(urlScheme('RTSP://cam/1'), 'rtsp');
    assert.equal(urlScheme('/data/a.mp4'), 'file');
    assert.equal(urlScheme('C:\\media\\a.mp4'), 'file');
  });

  it('NTSC rates are exact rationals', () => {
    assert.equal(rate(29.97), '30000/1001');
    assert.equal(rate(59.94), '60000/1001');
    assert.equal(rate(23.976), '24000/1001');
    assert.equal(rate(30), '30');
    assert.equal(rate(12.5), '12.5');
  });

  it('every decoder writes raw yuv420p to pipe:1 and PCM s16le 48k stereo to pipe:3', () => {
    for (const argv of [
      cameraDecoderArgs({ url: 'rtsp://x/1', width: 320, height: 180, fps: 30, timeoutSeconds: 5 }),
      mediaDecoderArgs({
        path: 'a.mp4',
        kind: 'video',
        loop: true,
        width: 320,
        height: 180,
        fps: 30,
        realtime: true,
      }),
      slateDecoderArgs({ width: 320, height: 180, fps: 30 }),
    ]) {
      const v = argv.indexOf('pipe:1');
      const a = argv.indexOf('pipe:3');
      assert.ok(v > 0 && a > v);
      assert.deepEqual(argv.slice(v - 4, v), ['-f', 'rawvideo', '-pix_fmt', 'yuv420p']);
      assert.deepEqual(argv.slice(a - 6, a), ['-f', 's16le', '-ar', '48000', '-ac', '2']);
    }
  });

  it('keyframes every 2 s (reliability) / 4 s (quality) at any fps', () => {
    for (const fps of [25, 30, 50, 60]) {
      const r = videoEncoderArgs({ fps, profile: 'reliability', videoEncoder: 'libx264' }).codec;
      // The forced program-time grid makes the keyframes; x264's own interval is a safety net.
      assert.equal(after(r, '-g'), String(fps * 4));
      assert.equal(after(r, '-keyint_min'), String(fps * 2));
      assert.equal(after(r, '-sc_threshold'), '0');
      assert.equal(after(r, '-force_key_frames'), keyframeExpression(2));
      const q = videoEncoderArgs({ fps, profile: 'quality', videoEncoder: 'libx264' }).codec;
      assert.equal(after(q, '-g'), String(fps * 8));
      assert.equal(after(q, '-force_key_frames'), keyframeExpression(4));
    }
    assert.equal(
      after(videoEncoderArgs({ fps: 29.97, profile: 'reliability', videoEncoder: 'libx264' }).codec, '-g'),
      '120',
    );
  });

  it('keyframes fall on the program-time grid, measured from the run’s first frame', () => {
    assert.equal(
      keyframeExpression(2),
      'expr:if(isnan(prev_forced_t),1,gte(floor(t/2),floor(prev_forced_t/2)+1))',
    );
    // ffmpeg counts t from the run's first frame: the origin turns it back into program time.
    assert.equal(
      keyframeExpression(2, 3601.5),
      'expr:if(isnan(prev_forced_t),1,gte(floor((t+3601.5)/2),floor((prev_forced_t+3601.5)/2)+1))',
    );
  });

  it('every encoder variant reads the NUT program, keeps its timestamps and forces keyframes', () => {
    for (const videoEncoder of VIDEO_ENCODERS) {
      const argv = programEncoderArgs({
        width: 1920,
        height: 1080,
        fps: 30,
        profile: 'reliability',
        videoEncoder,
        tickRate: 30,
      });
      assert.equal(after(argv, '-c:v'), videoEncoder);
      assert.equal(after(argv, '-b:v'), '4500k');
      assert.equal(after(argv, '-force_key_frames'), keyframeExpression(2));
      assert.equal(after(argv, '-c:a'), 'aac');
      assert.equal(argv.at(-1), 'pipe:1');
      assert.equal(after(argv, '-f'), 'nut', 'one timestamped input: no A/V pipe pair to deadlock');
      assert.equal(after(argv, '-i'), 'pipe:0');
      assert.ok(argv.includes('-copyts'), 'program time kept');
      assert.equal(after(argv, '-fps_mode'), 'passthrough');
      assert.ok(!argv.includes('pipe:3'));
    }
  });

  it('spec profiles', () => {
    assert.deepEqual(profileSettings('reliability'), {
      bitrateKbps: 4500,
      rateControl: 'cbr',
      maxrateKbps: 4500,
      bufsizeKbps: 9000,
      keyframeSeconds: 2,
      preset: 'fast',
      h264Profile: 'main',
      level: '4.1',
      audioBitrateKbps: 128,
    });
    const q = profileSettings('quality');
    assert.equal(q.bitrateKbps, 6000);
    assert.equal(q.bufsizeKbps, 12000);
    assert.equal(q.level, '4.2');
    assert.equal(profileSettings('reliability', 3000).bufsizeKbps, 6000);
  });

  it('rejects invalid input instead of building a bad command', () => {
    const base = { url: 'rtsp://x/1', width: 320, height: 180, fps: 30, timeoutSeconds: 5 };
    assert.throws(() => cameraDecoderArgs({ ...base, width: 321 }), RangeError);
    assert.throws(() => cameraDecoderArgs({ ...base, fps: 0 }), RangeError);
    assert.throws(() => cameraDecoderArgs({ ...base, timeoutSeconds: 0 }), RangeError);
    assert.throws(
      () =>
        programEncoderArgs({
          width: 320,
          height: 180,
          fps: 30,
          profile: 'reliability',
          videoEncoder: 'libx264',
          preset: 'turbo',
          tickRate: 30,
        }),
      RangeError,
    );
    assert.throws(
      () => publisherArgs({ url: 'rtmp://live-api-s.facebook.com/rtmp/k', platform: 'facebook' }),
      /RTMPS only/,
    );
    assert.throws(() => publisherArgs({ url: 'http://example.com/x', platform: 'custom' }), RangeError);
    assert.throws(() => recorderArgs({ path: '/tmp/out.mkv' }), RangeError);
  });

  it('escapes filter values at both levels (text shown verbatim by drawtext)', () => {
    assert.equal(escapeFilterValue('plain text'), 'plain text');
    assert.equal(escapeFilterValue('10:30'), '10\\\\:30');
    assert.equal(escapeFilterValue("it's"), "it\\\\\\'s");
    assert.equal(escapeFilterValue('[a],b;c'), '\\[a\\]\\,b\\;c');
    assert.equal(escapeFilterValue('a\\b'), 'a\\\\\\\\b');
  });
});
