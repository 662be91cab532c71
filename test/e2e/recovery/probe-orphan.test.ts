// Chaos: the appliance is SIGKILLed while a camera test's ffprobe runs. The camera here accepts the
// RTSP connection and answers one byte at a time, never a whole line, so ffprobe hangs on it for
// good (its socket timeout never fires) and outlives the appliance as an orphan. The probe is a
// short run, so the appliance's crash registry (<data>/run/children-<pid>.json) lists its process
// group while it runs; the next start on the same data folder must end that group, by its pid and
// start time, and nothing else: a process group of the test's own, unknown to the appliance,
// lives on.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readProcStat, reapOrphanedChildren } from '../../../src/process/child-registry.ts';
import { applianceEnv, ApplianceClient, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import { delay, spawnGroup, stopGroup, waitFor, waitForExit } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';

interface RecordedGroup {
  pgid: number;
  startTicks: number;
  label: string;
}

/** The process with this pid and start time exists and is not a zombie. */
function aliveAs(group: { pgid: number; startTicks: number }): boolean {
  const stat = readProcStat(group.pgid);
  return stat !== null && stat.startTicks === group.startTicks && stat.state !== 'Z';
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

describe('chaos: SIGKILL during a camera probe, then start again', () => {
  const dir = tempDir('vistter-e2e-probe-orphan-');
  const dataDir = join(dir.path, 'data');
  const runDir = join(dataDir, 'run');
  // One environment for both starts: the same data folder and the same secret key.
  const env = applianceEnv(dataDir);
  const appliances: Appliance[] = [];
  const sockets: Socket[] = [];
  const trickles: NodeJS.Timeout[] = [];
  let camera: Server | undefined;
  let bystander: ChildProcess | undefined;

  after(async () => {
    for (const appliance of appliances) await appliance.stop(5000);
    for (const timer of trickles) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (camera ? camera.close(() => resolve()) : resolve()));
    if (bystander) await stopGroup(bystander, 'SIGKILL');
    // Whatever a failed run left: the same clean-up the appliance does at its start.
    await reapOrphanedChildren(runDir);
    dir.cleanup();
  });

  it('the next start kills the orphaned probe’s process group, and only it', async () => {
    // A camera that accepts and never finishes a reply: one byte every half second, no newline.
    camera = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      trickles.push(setInterval(() => socket.write('R'), 500));
    });
    await new Promise<void>((resolve) => camera!.listen(0, '127.0.0.1', resolve));
    const cameraPort = (camera.address() as { port: number }).port;
    // A process group of the test's own: the appliance never started it and must not touch it.
    bystander = spawnGroup('sleep', ['300'], { stdio: 'ignore' });
    const bystanderGroup = { pgid: bystander.pid!, startTicks: readProcStat(bystander.pid!)!.startTicks };

    // ── first run: start a camera test against the hanging camera ──
    const first = await startAppliance(env);
    appliances.push(first);
    const firstPid = first.child.pid!;
    const client = new ApplianceClient(first.url);
    await client.setup();
    const pendingTest = client
      .request('POST', '/api/cameras/test', { stream_url: `rtsp://127.0.0.1:${cameraPort}/stream` })
      .then(
        (answer) => `answered ${answer.status}`,
        (error: unknown) => `no answer (${(error as Error).message})`,
      );
    const registryFile = join(runDir, `children-${firstPid}.json`);
    const probe = await waitFor(
      () => {
        if (!existsSync(registryFile)) return undefined;
        const groups = (JSON.parse(readFileSync(registryFile, 'utf8')) as { groups: RecordedGroup[] }).groups;
        const group = groups.find((g) => g.label === 'camera-test');
        return group && commandLine(group.pgid).includes('ffprobe') ? group : undefined;
      },
      { timeoutMs: 6000, intervalMs: 25, what: `the camera test's ffprobe in ${registryFile}` },
    );
    assert.equal(readProcStat(probe.pgid)?.pgrp, probe.pgid, 'the probe leads its own process group');
    assert.ok(
      commandLine(probe.pgid).includes(`127.0.0.1:${cameraPort}`),
      'it is probing the hanging camera',
    );

    // ── SIGKILL the appliance's node process: no clean-up of its own can run ──
    process.kill(firstPid, 'SIGKILL');
    assert.ok(await waitForExit(first.child, 5000), 'the appliance died');
    assert.equal(first.child.signalCode, 'SIGKILL');
    assert.match(await pendingTest, /^no answer/, 'the camera test never answered');
    // Past the appliance's own 8 s budget for the test: nobody is left to enforce it.
    await delay(9000);
    assert.ok(aliveAs(probe), 'the probe outlived the appliance (an orphan)');
    assert.ok(existsSync(registryFile), 'the dead run’s list is still on disk');

    // ── start again on the same data folder ──
    const second = await startAppliance(env);
    appliances.push(second);
    await waitFor(() => !aliveAs(probe), {
      timeoutMs: 5000,
      what: `the orphaned probe (pgid ${probe.pgid}) gone`,
    });
    const reported = /ended (\d+) process group\(s\) left behind by a crashed run \(([^)]*)\)/.exec(
      second.output(),
    );
    assert.ok(reported, `the start says what it ended:\n${second.output().slice(-3000)}`);
    assert.equal(reported[1], '1', 'exactly one group was ended');
    assert.equal(reported[2], `camera-test pgid ${probe.pgid}`);
    assert.equal(existsSync(registryFile), false, 'the dead run’s list was removed');
    assert.ok(aliveAs(bystanderGroup), 'a process group the appliance never started is left alone');
    assert.ok(aliveAs({ pgid: second.child.pid!, startTicks: readProcStat(second.child.pid!)!.startTicks }));
    const health = await fetch(`${second.url}/api/health`);
    assert.equal(health.status, 200, 'the new run serves');
  });
});
