import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildBitrateLadder,
  buildLadder,
  describeBitrate,
  describeLevel,
  reliefFrameRates,
  reliefSizes,
} from '../../../../src/engine/quality/ladder.ts';

const described = (ceiling: Parameters<typeof buildLadder>[0], options?: Parameters<typeof buildLadder>[1]) =>
  buildLadder(ceiling, options).map(describeLevel);

describe('quality ladder', () => {
  it('steps a 1080p30 fast ceiling through faster presets, then half the frame rate, then smaller sizes', () => {
    assert.deepEqual(described({ preset: 'fast', fps: 30, width: 1920, height: 1080 }), [
      'fast, 30 fps, 1920×1080',
      'veryfast, 30 fps, 1920×1080',
      'superfast, 30 fps, 1920×1080',
      'superfast, 15 fps, 1920×1080',
      'superfast, 15 fps, 1280×720',
      'superfast, 15 fps, 854×480',
      'superfast, 15 fps, 640×360',
    ]);
  });

  it('never offers a preset slower than the ceiling, and a medium ceiling passes through fast', () => {
    assert.deepEqual(described({ preset: 'medium', fps: 30, width: 1280, height: 720 }), [
      'medium, 30 fps, 1280×720',
      'fast, 30 fps, 1280×720',
      'veryfast, 30 fps, 1280×720',
      'superfast, 30 fps, 1280×720',
      'superfast, 15 fps, 1280×720',
      'superfast, 15 fps, 854×480',
      'superfast, 15 fps, 640×360',
    ]);
    assert.deepEqual(described({ preset: 'veryfast', fps: 30, width: 640, height: 360 }), [
      'veryfast, 30 fps, 640×360',
      'superfast, 30 fps, 640×360',
      'superfast, 15 fps, 640×360',
    ]);
    // ultrafast is faster than every relief preset: no preset step at all.
    assert.deepEqual(described({ preset: 'ultrafast', fps: 25, width: 640, height: 360 }), [
      'ultrafast, 25 fps, 640×360',
      'ultrafast, 12.5 fps, 640×360',
    ]);
  });

  it('has no preset steps for a hardware encoder', () => {
    assert.deepEqual(
      described({ preset: 'fast', fps: 30, width: 1280, height: 720 }, { encoder: 'h264_v4l2m2m' }),
      ['fast, 30 fps, 1280×720', 'fast, 15 fps, 1280×720', 'fast, 15 fps, 854×480', 'fast, 15 fps, 640×360'],
    );
  });

  it('halves the frame rate while it stays at 12.5 fps or more', () => {
    assert.deepEqual(reliefFrameRates(60), [30, 15]);
    assert.deepEqual(reliefFrameRates(50), [25, 12.5]);
    assert.deepEqual(reliefFrameRates(30), [15]);
    assert.deepEqual(reliefFrameRates(25), [12.5]);
    assert.deepEqual(reliefFrameRates(24), []);
    assert.deepEqual(reliefFrameRates(30000 / 1001), [15000 / 1001]);
    assert.equal(
      describeLevel({ preset: 'fast', fps: 15000 / 1001, width: 640, height: 360 }),
      'fast, 14.985 fps, 640×360',
    );
  });

  it('shrinks by about two thirds, even sizes, 16:9 kept, never below 360 lines', () => {
    assert.deepEqual(reliefSizes({ width: 3840, height: 2160 }), [
      { width: 2560, height: 1440 },
      { width: 1706, height: 960 },
      { width: 1138, height: 640 },
      { width: 758, height: 426 },
      { width: 640, height: 360 },
    ]);
    assert.deepEqual(reliefSizes({ width: 854, height: 480 }), [{ width: 640, height: 360 }]);
    assert.deepEqual(reliefSizes({ width: 640, height: 360 }), []);
    assert.deepEqual(reliefSizes({ width: 320, height: 180 }), []);
  });

  it('keeps the aspect of a ceiling that is not 16:9', () => {
    // 4:3
    assert.deepEqual(reliefSizes({ width: 1440, height: 1080 }), [
      { width: 960, height: 720 },
      { width: 640, height: 480 },
      { width: 480, height: 360 },
    ]);
    // 16:10
    assert.deepEqual(reliefSizes({ width: 1920, height: 1200 }), [
      { width: 1280, height: 800 },
      { width: 854, height: 534 },
      { width: 576, height: 360 },
    ]);
    for (const size of reliefSizes({ width: 1080, height: 1920 })) {
      assert.equal(size.width % 2, 0);
      assert.equal(size.height % 2, 0);
      assert.ok(Math.abs(size.width / size.height - 1080 / 1920) < 0.01, JSON.stringify(size));
    }
  });

  it('refuses an unknown preset or an odd size', () => {
    assert.throws(() => buildLadder({ preset: 'quick', fps: 30, width: 1280, height: 720 }), /preset/);
    assert.throws(() => buildLadder({ preset: 'fast', fps: 30, width: 1279, height: 720 }), /width/);
  });
});

describe('bitrate ladder', () => {
  it('steps down 20 % at a time, three steps at most', () => {
    assert.deepEqual(buildBitrateLadder(4500), [4500, 3600, 2880, 2304]);
    assert.equal(describeBitrate(3600), '3600 kbit/s');
  });

  it('never goes below half the ceiling', () => {
    assert.deepEqual(buildBitrateLadder(4500, { stepShare: 0.3 }), [4500, 3150, 2250]);
    assert.deepEqual(buildBitrateLadder(6000, { maxSteps: 10 }), [6000, 4800, 3840, 3072, 3000]);
    assert.deepEqual(buildBitrateLadder(1000, { maxSteps: 0 }), [1000]);
  });
});
