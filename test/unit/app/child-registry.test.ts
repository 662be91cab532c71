// The on-disk child registry and the boot-time cleanup, with real processes (sleep) in their own
// process groups: only groups recorded by a dead owner, with the same start time, are killed.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import {
  bootId,
  ChildRegistry,
  isProcessAlive,
  processIdentity,
  readProcStat,
  reapOrphanedChildren,
} from '../../../src/process/child-registry.ts';
import { observeProcessGroups, Supervisor } from '../../../src/process/supervisor.ts';
import { spawnGroup, stopGroup, waitFor, waitForExit } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';

const log = createLogger('test');

describe('child registry', () => {
  const dir = tempDir('vistter-children-');
  const spawned: ChildProcess[] = [];
  const sleeper = (): ChildProcess => {
    const child = spawnGroup('sleep', ['60'], { stdio: 'ignore' });
    spawned.push(child);
    return child;
  };
  after(async () => {
    observeProcessGroups(null);
    for (const child of spawned) await stopGroup(child, 'SIGKILL');
    dir.cleanup();
  });

  it('identifies processes by pid, start time and boot', () => {
    const self = processIdentity();
    assert.ok(self);
    assert.equal(self.pid, process.pid);
    assert.equal(self.bootId, bootId());
    assert.ok(isProcessAlive(self));
    assert.equal(isProcessAlive({ ...self, startTicks: self.startTicks + 1 }), false, 'a reused pid');
    assert.equal(isProcessAlive({ ...self, bootId: 'another-boot' }), false);
    assert.equal(processIdentity(2 ** 22 + 7), null);
  });

  it('keeps the list of live groups in a file, atomically, and removes it on a clean shutdown', () => {
    const registry = new ChildRegistry(join(dir.path, 'a'), { logger: log });
    const child = sleeper();
    registry.record(child.pid!, 'decoder:camera:1');
    const file = JSON.parse(readFileSync(registry.path, 'utf8')) as {
      owner: { pid: number };
      groups: Array<{ pgid: number; startTicks: number; label: string }>;
    };
    assert.equal(file.owner.pid, process.pid);
    assert.deepEqual(file.groups, [
      { pgid: child.pid, startTicks: readProcStat(child.pid!)!.startTicks, label: 'decoder:camera:1' },
    ]);
    registry.forget(child.pid!);
    assert.deepEqual(JSON.parse(readFileSync(registry.path, 'utf8')).groups, []);
    registry.record(2 ** 22 + 7, 'gone'); // a pid that does not exist is not recorded
    assert.equal(registry.recorded.length, 0);
    registry.close();
    assert.equal(existsSync(registry.path), false);
  });

  it('at boot kills only the groups a dead owner left, with the recorded start time, and never a live owner’s', async () => {
    const runDir = join(dir.path, 'b');
    const orphan = sleeper();
    const reusedPid = sleeper(); // recorded with another start time: a pid reused by someone else
    const otherBoot = sleeper();
    const liveOwned = sleeper();
    const ticks = (child: ChildProcess) => readProcStat(child.pid!)!.startTicks;
    const deadOwner = { pid: 2 ** 22 + 11, startTicks: 5, bootId: bootId() };
    const write = (name: string, body: unknown) => writeFileSync(join(runDir, name), JSON.stringify(body));
    mkdirSync(runDir, { recursive: true });
    write(`children-${deadOwner.pid}.json`, {
      owner: deadOwner,
      groups: [
        { pgid: orphan.pid, startTicks: ticks(orphan), label: 'encoder' },
        { pgid: reusedPid.pid, startTicks: ticks(reusedPid) + 1, label: 'publisher' },
        { pgid: 1, startTicks: 0, label: 'never init' },
      ],
    });
    write('children-123.json', {
      owner: { pid: 123, startTicks: 1, bootId: 'an-earlier-boot' },
      groups: [{ pgid: otherBoot.pid, startTicks: ticks(otherBoot), label: 'old boot' }],
    });
    // A live owner: the sleeper itself stands in for another appliance process.
    const live = processIdentity(liveOwned.pid!)!;
    write(`children-${live.pid}.json`, {
      owner: live,
      groups: [{ pgid: liveOwned.pid, startTicks: ticks(liveOwned), label: 'someone else’s' }],
    });
    write('children-77.json', '{ not json');

    const report = await reapOrphanedChildren(runDir, { logger: log });
    assert.deepEqual(
      report.killed.map((g) => [g.pgid, g.label]),
      [[orphan.pid, 'encoder']],
    );
    assert.ok(await waitForExit(orphan, 3000), 'the orphaned group was killed');
    assert.equal(orphan.signalCode, 'SIGKILL');
    for (const survivor of [reusedPid, otherBoot, liveOwned])
      assert.equal(survivor.exitCode === null && survivor.signalCode === null, true, 'left alone');
    assert.deepEqual(report.liveOwners, [live.pid]);
    assert.ok(existsSync(join(runDir, `children-${live.pid}.json`)), 'a live owner keeps its file');
    assert.equal(existsSync(join(runDir, `children-${deadOwner.pid}.json`)), false);
    assert.equal(existsSync(join(runDir, 'children-123.json')), false);
    assert.equal(existsSync(join(runDir, 'children-77.json')), false, 'an unreadable file is dropped');
  });

  it('the supervisor reports each group it starts and sees end', async () => {
    const events: string[] = [];
    observeProcessGroups({
      started: (pgid, label) => events.push(`started ${label} ${pgid === readProcStat(pgid)?.pgrp}`),
      ended: () => events.push('ended'),
    });
    const supervisor = new Supervisor({
      label: 'test:sleep',
      spawn: { command: 'sleep', args: ['60'], stdio: ['ignore', 'ignore', 'ignore'] },
      restart: 'never',
      stopSignal: 'SIGTERM',
    });
    supervisor.start();
    await waitFor(() => supervisor.state === 'running', { what: 'sleep running' });
    await supervisor.stop();
    observeProcessGroups(null);
    assert.deepEqual(events, ['started test:sleep true', 'ended']);
  });

  it('an observer that throws never breaks supervision', async () => {
    observeProcessGroups({
      started: () => {
        throw new Error('disk full');
      },
      ended: () => {
        throw new Error('disk full');
      },
    });
    const supervisor = new Supervisor({
      label: 'test:sleep2',
      spawn: { command: 'sleep', args: ['60'], stdio: ['ignore', 'ignore', 'ignore'] },
      restart: 'never',
      stopSignal: 'SIGTERM',
    });
    supervisor.start();
    await waitFor(() => supervisor.state === 'running', { what: 'sleep running' });
    await supervisor.stop();
    observeProcessGroups(null);
    assert.equal(supervisor.state, 'stopped');
  });
});
