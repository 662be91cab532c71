import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encoderArgs } from '../../../src/ffmpeg/argv.ts';

const base = { width: 1920, height: 1080, fps: 30, profile: 'reliability', videoEncoder: 'libx264' } as const;
const vf = (argv: string[]): string | undefined => argv[argv.indexOf('-vf') + 1];

describe('encoder output size (degraded mode)', () => {
  it('reads the program at its size and scales only the encoded output', () => {
    const argv = encoderArgs({ ...base, outputWidth: 1280, outputHeight: 720 });
    assert.equal(argv[argv.indexOf('-s') + 1], '1920x1080', 'the raw input keeps the program size');
    assert.equal(vf(argv), 'scale=1280:720');
  });

  it('has no filter at the program size, and puts the scale before a hardware upload', () => {
    assert.equal(encoderArgs(base).includes('-vf'), false);
    const vaapi = encoderArgs({ ...base, videoEncoder: 'h264_vaapi', outputWidth: 1280, outputHeight: 720 });
    assert.match(vf(vaapi) ?? '', /^scale=1280:720,.*hwupload/);
  });

  it('rejects an odd output size', () => {
    assert.throws(() => encoderArgs({ ...base, outputWidth: 1279, outputHeight: 720 }), RangeError);
  });
});
