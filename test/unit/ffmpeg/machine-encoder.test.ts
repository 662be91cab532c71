// The one memoised encoder probe: the detection runs once, and every caller (at once or later)
// gets the same answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EncoderDetection } from '../../../src/ffmpeg/hardware.ts';
import { memoiseEncoderProbe } from '../../../src/ffmpeg/machine-encoder.ts';

describe('memoiseEncoderProbe', () => {
  it('probes once for callers at the same time and after it answered', async () => {
    let probes = 0;
    let answer: (detection: EncoderDetection) => void = () => undefined;
    const probe = memoiseEncoderProbe(() => {
      probes++;
      return new Promise((resolve) => (answer = resolve));
    });
    const first = probe();
    const second = probe();
    assert.equal(probes, 1, 'a second caller while the probe runs waits for the same probe');
    const detection: EncoderDetection = {
      encoder: 'h264_vaapi',
      tried: [{ encoder: 'h264_vaapi', ok: true, reason: 'test encode succeeded', durationMs: 40 }],
    };
    answer(detection);
    assert.equal(await first, detection);
    assert.equal(await second, detection);
    assert.equal(await probe(), detection);
    assert.equal(probes, 1);
  });

  it('keeps each memo to its own probe', async () => {
    const software = memoiseEncoderProbe(async () => ({ encoder: 'libx264', tried: [] }));
    const hardware = memoiseEncoderProbe(async () => ({ encoder: 'h264_nvenc', tried: [] }));
    assert.equal((await software()).encoder, 'libx264');
    assert.equal((await hardware()).encoder, 'h264_nvenc');
  });
});
