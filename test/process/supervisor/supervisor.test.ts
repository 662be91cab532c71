// The supervisor with real child processes: signals, process groups, pipes, stalls and restarts.
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { killAllSupervised, liveSupervised } from '../../../src/process/supervisor.ts';
import { cleanupAll, groupExists, isAlive, supervise, until } from './helpers.ts';

// Every child is killed by its group after each test, so a failing test cannot leak into the next.
afterEach(cleanupAll);
after(cleanupAll);

const sh = (script: string): { command: string; args: string[] } => ({ command: 'sh', args: ['-c', script] });

describe('Supervisor with real processes', () => {
  it('runs a child in its own process group, reads its stdout and stops it with SIGINT', async () => {
    const rec = supervise({ label: 'echo', spawn: sh('echo hi; sleep 30') });
    rec.sup.start();
    await until(() => rec.sup.state === 'running', 'running');
    const pid = rec.sup.pid!;
    assert.ok(pid > 1);
    assert.ok(groupExists(pid), 'the child leads its own process group');
    await until(() => rec.stdout.get(1) === 'hi\n', 'stdout "hi"');
    assert.deepEqual(liveSupervised(), [{ label: 'echo', pid }]);

    await rec.sup.stop();
    assert.equal(rec.sup.state, 'stopped');
    assert.deepEqual(rec.path(), ['starting', 'running', 'stopping', 'stopped']);
    assert.equal(rec.exits.length, 1);
    assert.equal(rec.exits[0]!.cause, 'requested');
    assert.equal(rec.exits[0]!.signal, 'SIGINT');
    await until(() => !groupExists(pid), 'group gone');
    assert.deepEqual(liveSupervised(), []);
  });

  it('stops a plain `sleep` without escalating', async () => {
    const rec = supervise({
      label: 'sleep',
      spawn: { command: 'sleep', args: ['30'] },
      stopTimeoutMs: 10_000,
    });
    rec.sup.start();
    await until(() => rec.sup.state === 'running', 'running');
    await rec.sup.stop();
    assert.equal(rec.exits[0]!.signal, 'SIGINT');
  });

  it('escalates to SIGKILL on the group when the child ignores SIGINT', async () => {
    const rec = supervise({
      label: 'stubborn',
      spawn: sh('trap "" INT; echo ready; while :; do sleep 1; done'),
      stopTimeoutMs: 300,
    });
    rec.sup.start();
    await until(() => rec.stdout.get(1) === 'ready\n', 'trap installed');
    const pid = rec.sup.pid!;
    await rec.sup.stop();
    assert.equal(rec.exits[0]!.signal, 'SIGKILL', 'SIGINT was ignored; only SIGKILL ended it');
    assert.equal(rec.exits[0]!.cause, 'requested');
    assert.equal(rec.sup.state, 'stopped');
    await until(() => !groupExists(pid), 'group gone (the ignoring sleep too)');
  });

  it('kills the whole group on stop, grandchildren included', async () => {
    // A background job of a non-interactive shell ignores SIGINT: only the group SIGKILL ends it.
    const rec = supervise({ label: 'family', spawn: sh('sleep 30 & echo $!; sleep 30') });
    rec.sup.start();
    await until(() => /^\d+\n$/.test(rec.stdout.get(1) ?? ''), 'grandchild pid');
    const grandchild = Number(rec.stdout.get(1));
    const pid = rec.sup.pid!;
    assert.ok(isAlive(grandchild));
    await rec.sup.stop();
    await until(() => !isAlive(grandchild), 'grandchild gone');
    await until(() => !groupExists(pid), 'group gone');
  });

  it('kills orphaned grandchildren when the leader crashes', async () => {
    const rec = supervise({ label: 'orphan', spawn: sh('sleep 30 & echo $!; exit 3'), restart: 'never' });
    rec.sup.start();
    await until(() => rec.sup.state === 'failed', 'failed');
    const grandchild = Number(rec.stdout.get(1));
    assert.ok(grandchild > 1);
    assert.equal(rec.exits[0]!.code, 3);
    assert.equal(rec.exits[0]!.cause, 'crashed');
    await until(() => !isAlive(grandchild), 'grandchild gone');
  });

  it('detects a child that stops writing, SIGKILLs it and restarts it', async () => {
    // Writes a few lines, then hangs like a stalled RTSP reader (and ignores polite signals).
    const rec = supervise({
      label: 'staller',
      spawn: sh('trap "" INT TERM; for i in 1 2 3; do echo tick; sleep 0.05; done; sleep 30'),
      watchFd: 1,
      stallTimeoutMs: 400,
      startupTimeoutMs: 5000,
      stopTimeoutMs: 200,
      backoff: { baseMs: 50, capMs: 50, jitter: 0 },
    });
    rec.sup.start();
    await until(() => rec.exits.length >= 1, 'the stalled child to be killed');
    assert.equal(rec.stalls.length, 1);
    assert.equal(rec.stalls[0]!.sawData, true);
    assert.equal(rec.exits[0]!.cause, 'stalled');
    assert.equal(rec.exits[0]!.signal, 'SIGKILL');
    assert.equal(rec.stdout.get(rec.exits[0]!.runId), 'tick\ntick\ntick\n');
    await until(() => rec.runs.length >= 2 && rec.sup.state === 'running', 'restart');
    assert.deepEqual(rec.path().slice(0, 5), ['starting', 'running', 'stopping', 'backoff', 'starting']);
    assert.match(rec.states[2]!.reason, /^stalled: no data for \d+ ms$/);
    await rec.sup.stop();
  });

  it('detects a stall through markAlive() from the owner', async () => {
    const rec = supervise({
      label: 'owner-watched',
      spawn: sh('echo frame; sleep 30'),
      stallTimeoutMs: 300,
      maxRestarts: 0,
    });
    rec.sup.on('spawn', (run) => run.stdout?.on('data', () => rec.sup.markAlive()));
    rec.sup.start();
    await until(() => rec.sup.state === 'failed', 'failed after the stall');
    assert.equal(rec.stalls.length, 1);
    assert.equal(rec.stalls[0]!.sawData, true);
    assert.equal(rec.exits[0]!.cause, 'stalled');
  });

  it('restarts a crashing child with growing backoff, then gives up', async () => {
    const rec = supervise({
      label: 'crasher',
      spawn: sh('echo up; echo "fatal: no such camera" >&2; exit 3'),
      backoff: { baseMs: 40, factor: 2, capMs: 100, jitter: 0 },
      maxRestarts: 3,
    });
    rec.sup.start();
    await until(() => rec.sup.state === 'failed', 'failed');
    assert.equal(rec.exits.length, 4);
    assert.ok(rec.exits.every((exit) => exit.code === 3 && exit.cause === 'crashed'));
    assert.deepEqual(
      rec.states.filter((change) => change.to === 'backoff').map((change) => change.delayMs),
      [40, 80, 100],
    );
    assert.equal(rec.runs.length, 4);
    assert.deepEqual(new Set(rec.stdout.values()), new Set(['up\n']));
    assert.deepEqual(rec.exits[3]!.stderrTail, ['fatal: no such camera']);
    assert.ok(rec.stderr.includes('fatal: no such camera'));
    assert.equal(rec.sup.desired, 'run');
  });

  it('reports a missing executable as a spawn error and backs off', async () => {
    const rec = supervise({
      label: 'missing',
      spawn: { command: '/nonexistent/ffmpeg', args: [] },
      backoff: { baseMs: 20, capMs: 20, jitter: 0 },
      maxRestarts: 1,
    });
    rec.sup.start();
    await until(() => rec.sup.state === 'failed', 'failed');
    assert.equal(rec.exits.length, 2);
    assert.equal(rec.exits[0]!.cause, 'spawn-error');
    assert.equal((rec.exits[0]!.error as NodeJS.ErrnoException).code, 'ENOENT');
    assert.equal(rec.runs.length, 0);
  });

  it('restartNow() replaces a running child at once', async () => {
    const rec = supervise({ label: 'restartable', spawn: sh('echo "pid $$"; sleep 30') });
    rec.sup.start();
    await until(() => rec.sup.state === 'running', 'running');
    const first = rec.sup.pid!;
    rec.sup.restartNow('operator');
    await until(() => rec.runs.length === 2 && rec.sup.state === 'running', 'second run');
    assert.notEqual(rec.sup.pid, first);
    assert.equal(rec.exits[0]!.cause, 'restart');
    await until(() => rec.stdout.get(2) === `pid ${rec.sup.pid}\n`, 'second run output');
    await rec.sup.stop();
  });

  it('passes env and extra pipes (fd 3) through, with no shell in between', async () => {
    const rec = supervise({
      label: 'pipes',
      spawn: {
        command: 'sh',
        args: ['-c', 'echo "$GREETING"; echo audio >&3; printf "%s" "$1"; sleep 30', 'sh', '$(not expanded)'],
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GREETING: 'video' },
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      },
    });
    let fd3 = '';
    rec.sup.on('spawn', (run) => run.readable(3).on('data', (chunk: Buffer) => (fd3 += chunk.toString())));
    rec.sup.start();
    await until(() => fd3 === 'audio\n', 'fd 3 data');
    await until(() => rec.stdout.get(1) === 'video\n$(not expanded)', 'stdout data');
    assert.ok(rec.runs[0]!.stdin);
    await rec.sup.stop();
  });

  it('killAllSupervised() SIGKILLs every live group and nothing restarts', async () => {
    const a = supervise({ label: 'a', spawn: { command: 'sleep', args: ['30'] } });
    const b = supervise({ label: 'b', spawn: sh('sleep 30 & sleep 30') });
    a.sup.start();
    b.sup.start();
    await until(() => a.sup.state === 'running' && b.sup.state === 'running', 'both running');
    const pids = [a.sup.pid!, b.sup.pid!];
    assert.equal(killAllSupervised(), 2);
    await Promise.all([a.sup.whenGone(), b.sup.whenGone()]);
    assert.equal(a.exits[0]!.signal, 'SIGKILL');
    assert.equal(b.exits[0]!.signal, 'SIGKILL');
    assert.equal(a.sup.state, 'stopped');
    assert.equal(b.sup.state, 'stopped');
    for (const pid of pids) await until(() => !groupExists(pid), `group ${pid} gone`);
    assert.deepEqual(liveSupervised(), []);
  });
});
