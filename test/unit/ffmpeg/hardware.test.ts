import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  candidateEncoders,
  detectH264Encoder,
  failureReason,
  parseEncoderList,
  testEncodeArgs,
} from '../../../src/ffmpeg/hardware.ts';
import type { RunResult, Runner } from '../../../src/ffmpeg/run.ts';

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../fixtures/ffmpeg/stderr', `${name}.txt`), 'utf8');

const ENCODERS = `Encoders:
 V..... = Video
 ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)
 V..... h264_v4l2m2m         V4L2 mem2mem H.264 encoder wrapper (codec h264)
 V....D h264_vaapi           H.264/AVC (VAAPI) (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)
`;

function ok(stdout = ''): RunResult {
  return { code: 0, signal: null, stdout, stderr: '', timedOut: false };
}

/** A fake ffmpeg: `-encoders` lists ENCODERS; test encodes succeed for `working` only. */
function fakeRunner(working: string[], calls: string[][]): Runner {
  return async (_bin, args) => {
    calls.push([...args]);
    if (args.includes('-encoders')) return ok(ENCODERS);
    const enc = args[args.indexOf('-c:v') + 1]!;
    if (working.includes(enc)) return ok();
    return { code: 1, signal: null, stdout: '', stderr: fixture('hw-nvenc'), timedOut: false };
  };
}

describe('hardware encoder detection: selection logic', () => {
  it('candidates per platform', () => {
    assert.deepEqual(candidateEncoders('linux'), ['h264_v4l2m2m', 'h264_vaapi', 'h264_qsv', 'h264_nvenc']);
    assert.deepEqual(candidateEncoders('darwin'), ['h264_videotoolbox']);
    assert.deepEqual(candidateEncoders('freebsd'), []);
  });

  it('first working candidate wins; unbuilt ones are skipped without a test encode', async () => {
    const calls: string[][] = [];
    const d = await detectH264Encoder({
      platform: 'linux',
      run: fakeRunner(['h264_vaapi', 'libx264'], calls),
    });
    assert.equal(d.encoder, 'h264_vaapi');
    assert.deepEqual(
      d.tried.map((t) => [t.encoder, t.ok, t.reason]),
      [
        ['h264_v4l2m2m', false, 'Cannot load libcuda.so.1 (exit code 1)'],
        ['h264_vaapi', true, 'test encode succeeded'],
      ],
    );
    const d2 = await detectH264Encoder({
      candidates: ['h264_qsv', 'h264_nvenc'],
      run: fakeRunner(['libx264'], []),
    });
    assert.equal(d2.encoder, 'libx264');
    assert.deepEqual(
      d2.tried.map((t) => [t.encoder, t.reason]),
      [
        ['h264_qsv', 'not built into this ffmpeg'],
        ['h264_nvenc', 'Cannot load libcuda.so.1 (exit code 1)'],
        ['libx264', 'test encode succeeded'],
      ],
    );
  });

  it('libx264 is reported even when it fails too', async () => {
    const d = await detectH264Encoder({ platform: 'darwin', run: fakeRunner([], []) });
    assert.equal(d.encoder, 'libx264');
    assert.deepEqual(
      d.tried.map((t) => [t.encoder, t.ok]),
      [
        ['h264_videotoolbox', false],
        ['libx264', false],
      ],
    );
  });

  it('failure reasons', () => {
    const base = { code: 1, signal: null, stdout: '', timedOut: false };
    assert.equal(
      failureReason({ ...base, stderr: fixture('hw-vaapi') }, 1000),
      'No VA display found for device /dev/dri/renderD128. (exit code 1)',
    );
    assert.equal(
      failureReason({ ...base, stderr: fixture('hw-v4l2m2m') }, 1000),
      'Could not find a valid device (exit code 1)',
    );
    assert.equal(
      failureReason({ ...base, stderr: '', timedOut: true }, 1000),
      'test encode did not finish within 1000 ms',
    );
    assert.equal(
      failureReason({ ...base, stderr: '', spawnError: 'spawn ffmpeg ENOENT' }, 1000),
      'could not run ffmpeg: spawn ffmpeg ENOENT',
    );
    assert.equal(
      failureReason({ ...base, code: null, signal: 'SIGSEGV', stderr: '' }, 1000),
      'signal SIGSEGV',
    );
  });

  it('parseEncoderList', () => {
    const names = parseEncoderList(ENCODERS);
    assert.ok(names.has('libx264') && names.has('h264_v4l2m2m') && names.has('aac'));
    assert.ok(!names.has('h264_qsv') && !names.has('Video'));
  });

  it('the test encode uses the program encoder options, one frame to the null muxer', () => {
    const a = testEncodeArgs('h264_vaapi');
    assert.deepEqual(a.slice(a.indexOf('-vaapi_device'), a.indexOf('-vaapi_device') + 2), [
      '-vaapi_device',
      '/dev/dri/renderD128',
    ]);
    assert.equal(a[a.indexOf('-vf') + 1], 'format=nv12,hwupload');
    assert.equal(a[a.indexOf('-frames:v') + 1], '1');
    assert.equal(a[a.indexOf('-b:v') + 1], '4500k');
    assert.deepEqual(a.slice(-3), ['-f', 'null', '-']);
  });
});
