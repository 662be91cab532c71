// The capacity check stopped part-way, with real ffmpeg: an operator's pre-flight must not wait
// for a background measurement's test to run its course. Stopping fires the running test's
// deadline (which kills its process group) and refuses the tests after it, so the check returns
// at once, leaves no ffmpeg behind, and the service stores nothing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { realCapacityCheck } from '../../../src/app/capacity.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { buildLadder } from '../../../src/engine/quality/ladder.ts';

/** Our child processes named ffmpeg, from /proc (their parent is this process). */
function ffmpegChildren(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'ffmpeg' && ppid === process.pid) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('capacity check stopped part-way (real ffmpeg)', () => {
  it('kills the test under way, starts no other, and answers', async () => {
    const ladder = buildLadder({ preset: 'fast', fps: 30, width: 640, height: 360 });
    const controller = new AbortController();
    const progress: string[] = [];
    let runningAtAbort: number[] = [];
    const result = await realCapacityCheck(
      {
        ladder,
        cameras: 1,
        logger: createLogger('test'),
        onProgress: (p) => {
          progress.push(p.message);
          // Stop once the first test's ffmpeg is running.
          setTimeout(() => {
            runningAtAbort = ffmpegChildren();
            controller.abort();
          }, 300);
        },
      },
      controller.signal,
    );
    assert.equal(progress[0], 'Measuring this machine: testing fast, 30 fps, 640×360 (1/4)');
    assert.ok(runningAtAbort.length >= 1, 'the first test was running when it was stopped');
    assert.ok(
      result.tried.every((verdict) => !verdict.accepted),
      'no level is judged from a stopped test',
    );
    assert.ok(
      result.tried.slice(1).every((verdict) => /the measurement was stopped/.test(verdict.reason)),
      result.tried.map((verdict) => verdict.reason).join(' | '),
    );
    assert.equal(result.decoder.measured, false, 'the decoder test did not run either');
    assert.deepEqual(ffmpegChildren(), [], 'no test left running');
  });
});
