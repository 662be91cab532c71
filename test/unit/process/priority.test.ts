// CPU priorities: the playout thread raises its own when permitted; children get an absolute
// niceness through nice(1), whatever the spawning thread's is.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import {
  atNiceness,
  DECODER_NICE,
  PLAYOUT_NICE,
  raiseOwnPriority,
  raisePlayoutPriority,
} from '../../../src/process/priority.ts';

/** The niceness a command runs at, as the child itself reports it. */
function childNice([command, args]: [string, string[]]): number {
  return Number(execFileSync(command, args, { encoding: 'utf8' }).trim());
}

const PRINT_NICE = ['-e', 'print getpriority(0, 0)'];

describe('priorities', () => {
  it('runs a child at the niceness asked for, and not through nice(1) when it is already there', () => {
    const own = getPriority(0);
    assert.deepEqual(atNiceness('perl', PRINT_NICE, own), ['perl', PRINT_NICE]);
    assert.equal(
      childNice(atNiceness('perl', PRINT_NICE, Math.max(own, DECODER_NICE))),
      Math.max(own, DECODER_NICE),
    );
    // Never more favoured than the caller (that would need a privilege nice(1) may not have).
    assert.deepEqual(atNiceness('perl', PRINT_NICE, own - 1), ['perl', PRINT_NICE]);
  });

  it('raises the calling thread when permitted, and children still start at the normal priority', () => {
    const result = raiseOwnPriority();
    assert.equal(result.nice, getPriority(0));
    if (result.error === undefined) {
      assert.ok(result.nice <= PLAYOUT_NICE, `nice ${result.nice}`);
      assert.equal(childNice(atNiceness('perl', PRINT_NICE)), 0);
      assert.equal(childNice(atNiceness('perl', PRINT_NICE, DECODER_NICE)), DECODER_NICE);
    } else {
      assert.match(result.error, /EACCES|EPERM/);
    }
  });

  it('runs the playout thread real-time when permitted; its children are normal tasks', () => {
    const result = raisePlayoutPriority();
    const policy = (args: [string, string[]]): string => execFileSync(args[0], args[1], { encoding: 'utf8' });
    if (result.policy === 'realtime') {
      assert.match(execFileSync('chrt', ['--pid', String(process.pid)], { encoding: 'utf8' }), /SCHED_FIFO/);
      assert.match(policy(atNiceness('sh', ['-c', 'chrt --pid $$'])), /SCHED_OTHER/);
      assert.equal(childNice(atNiceness('perl', PRINT_NICE)), 0);
      assert.equal(childNice(atNiceness('perl', PRINT_NICE, DECODER_NICE)), DECODER_NICE);
    } else {
      assert.ok(result.notRaised?.some((why) => why.startsWith('real time')));
    }
  });
});
