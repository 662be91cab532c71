// Short runs (src/process/run.ts) with real processes: each leads its own process group, is told to
// the process-group observer (the crash registry's feed) while it runs, keeps its time limit on the
// injected clock, is ended by the shutdown hook, and is never signalled once its leader is reaped.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { readProcStat } from '../../../src/process/child-registry.ts';
import { killAllSupervised, observeProcessGroups } from '../../../src/process/registry.ts';
import { runToCompletion, startShortRun } from '../../../src/process/run.ts';
import { nodeProcessHost, type ProcessHost } from '../../../src/process/host.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { waitFor } from '../../helpers/proc.ts';

const LIMITS = { maxStdoutBytes: 1024, killOnOverflow: false, maxStderrChars: 1024 };

describe('short runs', () => {
  after(() => observeProcessGroups(null));

  it('leads its own group, is recorded while it runs and forgotten when it ends', async () => {
    const events: string[] = [];
    observeProcessGroups({
      started: (pgid, label) => events.push(`started ${label} leader=${readProcStat(pgid)?.pgrp === pgid}`),
      ended: (pgid) => events.push(`ended ${pgid}`),
    });
    const result = runToCompletion('sh', ['-c', 'echo out; echo err >&2; exit 3'], 10_000, LIMITS, {
      label: 'test:sh',
    });
    const { code, stdout, stderr, timedOut } = await result;
    observeProcessGroups(null);
    assert.equal(code, 3);
    assert.equal(stdout.toString(), 'out\n');
    assert.equal(stderr, 'err\n');
    assert.equal(timedOut, false);
    assert.equal(events.length, 2);
    assert.equal(events[0], 'started test:sh leader=true');
    assert.match(events[1]!, /^ended \d+$/);
  });

  it('keeps its time limit on the injected clock: SIGKILL to the group when it runs out', async () => {
    const clock = new FakeClock();
    const run = startShortRun(
      { command: 'sleep', args: ['60'], stdio: ['ignore', 'ignore', 'ignore'] },
      { timeoutMs: 5000, clock },
    );
    const pid = run.pid!;
    await waitFor(() => readProcStat(pid)?.pgrp === pid, { what: 'sleep leading its group' });
    clock.advance(4999);
    assert.notEqual(readProcStat(pid), null, 'still running before the limit');
    clock.advance(1);
    const end = await run.ended;
    assert.deepEqual(end, { code: null, signal: 'SIGKILL', timedOut: true });
  });

  it('never signals once its leader has been reaped (its pid may belong to someone else by then)', async () => {
    const signalled: Array<[number, NodeJS.Signals]> = [];
    const host: ProcessHost = {
      spawn: (spec, callbacks) => nodeProcessHost.spawn(spec, callbacks),
      killGroup: (pid, signal) => {
        signalled.push([pid, signal]);
        return nodeProcessHost.killGroup(pid, signal);
      },
    };
    const run = startShortRun({ command: 'true', args: [], stdio: ['ignore', 'ignore', 'ignore'] }, { host });
    const end = await run.ended;
    assert.equal(end.code, 0);
    const afterExit = signalled.length; // the one sweep of the group at the leader's exit
    assert.deepEqual(signalled, [[run.pid, 'SIGKILL']]);
    assert.equal(run.kill(), false);
    assert.equal(signalled.length, afterExit, 'no signal after the end');
  });

  it('is ended by the shutdown hook with the supervised children', async () => {
    const run = startShortRun({ command: 'sleep', args: ['60'], stdio: ['ignore', 'ignore', 'ignore'] });
    await waitFor(() => readProcStat(run.pid!)?.pgrp === run.pid, { what: 'sleep leading its group' });
    assert.ok(killAllSupervised() >= 1);
    const end = await run.ended;
    assert.equal(end.signal, 'SIGKILL');
    assert.equal(end.timedOut, false);
  });

  it('reports a binary that cannot be started', async () => {
    const result = await runToCompletion('/nonexistent/vistter-no-such-binary', [], 10_000, LIMITS);
    assert.equal(result.spawnErrorCode, 'ENOENT');
    assert.match(result.spawnError ?? '', /ENOENT/);
  });
});
