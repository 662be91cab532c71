// testCamera / snapshotJpeg with injected runners: what they start, how they read the answer, and
// that a failure is a result (test) or a registry error (snapshot) without the credentials.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cameraTestArgs } from '../../../src/cameras/argv.ts';
import {
  isJpeg,
  ioTimeoutFor,
  snapshotJpeg,
  testCamera,
  type BinaryRunResult,
  type BinaryRunner,
} from '../../../src/cameras/probe.ts';
import { isAppError } from '../../../src/errors/registry.ts';
import type { RunResult, Runner } from '../../../src/ffmpeg/run.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const fixtures = join(import.meta.dirname, '../../fixtures/cameras');
const simJson = readFileSync(join(fixtures, 'ffprobe-sim-320x180-h264-aac.json'), 'utf8');
const stderr401 = readFileSync(join(fixtures, 'stderr/ffprobe-rtsp-401.txt'), 'utf8');
const URL_WITH_SECRET = 'rtsp://admin:wrong-pass@127.0.0.1:45391/cam1';

function result(r: Partial<RunResult>): RunResult {
  return { code: 0, signal: null, stdout: '', stderr: '', timedOut: false, ...r };
}

/** A runner that records its call and takes `ms` of fake time. */
function fakeRunner(clock: FakeClock, ms: number, r: Partial<RunResult>) {
  const calls: Array<{ bin: string; args: readonly string[]; timeoutMs: number }> = [];
  const run: Runner = async (bin, args, timeoutMs) => {
    calls.push({ bin, args, timeoutMs });
    clock.advance(ms);
    return result(r);
  };
  return { run, calls };
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

function binaryRunner(r: Partial<BinaryRunResult>): BinaryRunner & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  const run = (async (bin: string, args: readonly string[], timeoutMs: number) => {
    calls.push([bin, args, timeoutMs]);
    return {
      code: 0,
      signal: null,
      stdout: Buffer.alloc(0),
      stderr: '',
      timedOut: false,
      overflow: false,
      ...r,
    };
  }) as BinaryRunner & { calls: unknown[][] };
  run.calls = calls;
  return run;
}

describe('testCamera', () => {
  it('reads codec, size, fps and audio; latency from the injected clock; 8 s budget by default', async () => {
    const clock = new FakeClock();
    const { run, calls } = fakeRunner(clock, 137, { stdout: simJson });
    const r = await testCamera('rtsp://127.0.0.1:8554/cam1', { run, clock });
    assert.deepEqual(r, {
      ok: true,
      video: { codec: 'h264', width: 320, height: 180, fps: 30 },
      audio: { codec: 'aac' },
      latencyMs: 137,
    });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.bin, 'ffprobe');
    assert.equal(calls[0]!.timeoutMs, 8000);
    // The argv itself is pinned in argv.test.ts; here: half the budget as socket timeout, TCP.
    assert.deepEqual(calls[0]!.args, cameraTestArgs('rtsp://127.0.0.1:8554/cam1', { ioTimeoutSeconds: 4 }));
  });

  it('a camera without audio, and one announcing no frame rate', async () => {
    const clock = new FakeClock();
    const json = JSON.stringify({
      streams: [
        {
          codec_type: 'video',
          codec_name: 'hevc',
          width: 1920,
          height: 1080,
          avg_frame_rate: '0/0',
          r_frame_rate: '0/0',
        },
      ],
    });
    const r = await testCamera('rtsp://cam/1', { run: fakeRunner(clock, 5, { stdout: json }).run, clock });
    assert.deepEqual(r, {
      ok: true,
      video: { codec: 'hevc', width: 1920, height: 1080, fps: null },
      audio: null,
      latencyMs: 5,
    });
  });

  it('audio only, or a video stream without a size, is CAMERA_NO_VIDEO', async () => {
    const clock = new FakeClock();
    for (const streams of [
      [{ codec_type: 'audio', codec_name: 'aac' }],
      [{ codec_type: 'video', codec_name: 'h264', width: 0, height: 0 }],
    ]) {
      const run = fakeRunner(clock, 5, { stdout: JSON.stringify({ streams }) }).run;
      const r = await testCamera('rtsp://cam/1', { run, clock });
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.code, 'CAMERA_NO_VIDEO');
    }
  });

  it('a refusal is a result with the code and a sentence, never the credentials', async () => {
    const clock = new FakeClock();
    const run = fakeRunner(clock, 50, { code: 1, stderr: stderr401, stdout: '{\n\n}\n' }).run;
    const r = await testCamera(URL_WITH_SECRET, { run, clock });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.code, 'CAMERA_AUTH_FAILED');
    assert.equal(r.reason, 'The camera refused the user name or password.');
    assert.doesNotMatch(JSON.stringify(r), /wrong-pass|admin/);
  });

  it('our timeout: the budget is passed to the runner and a kill is CAMERA_UNREACHABLE', async () => {
    const clock = new FakeClock();
    const { run, calls } = fakeRunner(clock, 3000, { code: null, signal: 'SIGKILL', timedOut: true });
    const r = await testCamera('rtsp://cam/1', { run, clock, timeoutMs: 3000 });
    assert.equal(calls[0]!.timeoutMs, 3000);
    assert.equal(calls[0]!.args[calls[0]!.args.indexOf('-timeout') + 1], '1000000');
    assert.deepEqual(r.ok ? null : [r.code, r.reason], [
      'CAMERA_UNREACHABLE',
      'The camera did not answer within 3 seconds.',
    ]);
  });

  it('garbage on stdout is a failed test, not a crash', async () => {
    const clock = new FakeClock();
    const r = await testCamera('rtsp://cam/1', {
      run: fakeRunner(clock, 1, { stdout: 'not json' }).run,
      clock,
    });
    assert.equal(r.ok, false);
  });

  it('ioTimeoutFor: half the budget in whole seconds, at least 1', () => {
    assert.equal(ioTimeoutFor(8000), 4);
    assert.equal(ioTimeoutFor(3000), 1);
    assert.equal(ioTimeoutFor(500), 1);
  });
});

describe('snapshotJpeg', () => {
  it('returns the JPEG ffmpeg wrote, with the snapshot argv and the budget', async () => {
    const run = binaryRunner({ stdout: JPEG });
    const jpeg = await snapshotJpeg('rtsp://cam/1', { runBinary: run, timeoutMs: 5000 });
    assert.deepEqual(jpeg, JPEG);
    const [bin, args, timeoutMs] = run.calls[0]!;
    assert.equal(bin, 'ffmpeg');
    assert.equal(timeoutMs, 5000);
    assert.ok((args as string[]).includes("scale='min(1280,iw)':-2"));
  });

  it('a failure throws the registry error (502) with the reason, without the credentials', async () => {
    const run = binaryRunner({ code: 1, stderr: stderr401 });
    await assert.rejects(snapshotJpeg(URL_WITH_SECRET, { runBinary: run }), (error: unknown) => {
      assert.ok(isAppError(error));
      assert.equal(error.code, 'CAMERA_AUTH_FAILED');
      assert.equal(error.status, 502);
      assert.equal(error.message, 'The camera refused the user name or password.');
      assert.doesNotMatch(JSON.stringify(error.toJSON()), /wrong-pass|admin/);
      return true;
    });
  });

  it('a clean exit without a JPEG is CAMERA_NO_VIDEO; a kill is CAMERA_UNREACHABLE', async () => {
    await assert.rejects(
      snapshotJpeg('rtsp://cam/1', { runBinary: binaryRunner({ stdout: Buffer.from('xx') }) }),
      {
        code: 'CAMERA_NO_VIDEO',
      },
    );
    await assert.rejects(
      snapshotJpeg('rtsp://cam/1', {
        runBinary: binaryRunner({ code: null, timedOut: true, stdout: JPEG.subarray(0, 4) }),
      }),
      { code: 'CAMERA_UNREACHABLE' },
    );
  });

  it('isJpeg: SOI at the start and EOI at the end', () => {
    assert.equal(isJpeg(JPEG), true);
    assert.equal(isJpeg(JPEG.subarray(0, 6)), false);
    assert.equal(isJpeg(Buffer.from([0x89, 0x50, 0x4e, 0x47])), false);
    assert.equal(isJpeg(Buffer.alloc(0)), false);
  });
});
