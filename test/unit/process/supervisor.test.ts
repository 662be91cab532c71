import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as flushIo } from 'node:timers/promises';
import { createRootLogger } from '../../../src/core/logger.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { FakeHost } from './fake-host.ts';
import {
  Supervisor,
  killAllSupervised,
  liveSupervised,
  nodeProcessHost,
  type ExitInfo,
  type StallInfo,
  type StateChange,
  type SupervisedRun,
  type SupervisorOptions,
} from '../../../src/process/supervisor.ts';

interface Harness {
  clock: FakeClock;
  host: FakeHost;
  sup: Supervisor;
  states: StateChange[];
  exits: ExitInfo[];
  runs: SupervisedRun[];
  stalls: StallInfo[];
  lines: string[];
  path: () => string[];
}

const created: Harness[] = [];

function harness(options: Partial<SupervisorOptions> = {}): Harness {
  const clock = new FakeClock();
  const host = new FakeHost();
  const sup = new Supervisor({
    label: 'test:child',
    spawn: { command: '/usr/bin/ffmpeg', args: ['-i', 'rtsp://user:secret@cam/stream'] },
    clock,
    host,
    random: () => 0.5, // no jitter offset: delays are exact
    ...options,
  });
  const h: Harness = {
    clock,
    host,
    sup,
    states: [],
    exits: [],
    runs: [],
    stalls: [],
    lines: [],
    path: () => h.states.map((change) => change.to),
  };
  created.push(h);
  sup.on('state', (change) => h.states.push(change));
  sup.on('exit', (info) => h.exits.push(info));
  sup.on('spawn', (run) => h.runs.push(run));
  sup.on('stall', (info) => h.stalls.push(info));
  sup.on('stderr', (line) => h.lines.push(line));
  return h;
}

/** start() and let the fake OS confirm the spawn. */
function startRunning(h: Harness): void {
  h.sup.start();
  h.host.last.spawned();
  assert.equal(h.sup.state, 'running');
}

afterEach(() => {
  // Leave no supervisor registered for the next test (fake host: nothing real is signalled).
  for (const h of created.splice(0)) {
    h.sup.kill('SIGKILL', 'test cleanup');
    for (const child of h.host.children) {
      if (child.pid === undefined) continue;
      if (child.exited)
        child.closePipes(); // a no-op unless a test left them draining
      else child.exit(null, 'SIGKILL');
    }
  }
});

describe('Supervisor: start and stop', () => {
  it('starts idle with desired stop, then starting → running on spawn', () => {
    const h = harness();
    assert.equal(h.sup.state, 'idle');
    assert.equal(h.sup.desired, 'stop');
    h.sup.start();
    assert.equal(h.sup.state, 'starting');
    assert.equal(h.sup.desired, 'run');
    assert.equal(h.host.children.length, 1);
    assert.deepEqual(h.host.last.spec.args, ['-i', 'rtsp://user:secret@cam/stream']);
    h.host.last.spawned();
    assert.deepEqual(h.path(), ['starting', 'running']);
    assert.equal(h.sup.pid, h.host.last.pid);
    assert.equal(h.runs.length, 1);
    assert.equal(h.runs[0]!.pid, h.host.last.pid);
    assert.deepEqual(liveSupervised(), [{ label: 'test:child', pid: h.host.last.pid! }]);
  });

  it('start() is idempotent while running', () => {
    const h = harness();
    startRunning(h);
    h.sup.start();
    assert.equal(h.host.children.length, 1);
    assert.deepEqual(h.path(), ['starting', 'running']);
  });

  it('stop(): SIGINT to the group, stopping, then stopped when the child exits', async () => {
    const h = harness();
    startRunning(h);
    const child = h.host.last;
    let resolved = false;
    const stopped = h.sup.stop().then(() => (resolved = true));
    assert.equal(h.sup.state, 'stopping');
    assert.equal(h.sup.desired, 'stop');
    assert.deepEqual(child.signals, ['SIGINT']);
    await flushIo();
    assert.equal(resolved, false, 'stop() must wait for the child to be gone');
    child.exit(255, null);
    await stopped;
    assert.equal(h.sup.state, 'stopped');
    assert.deepEqual(h.path(), ['starting', 'running', 'stopping', 'stopped']);
    assert.equal(h.exits[0]!.cause, 'requested');
    assert.equal(h.sup.pid, null);
    assert.deepEqual(liveSupervised(), []);
    // No restart, ever.
    h.clock.advance(10 * 60_000);
    assert.equal(h.host.children.length, 1);
  });

  it('escalates to SIGKILL on the group after stopTimeoutMs', () => {
    const h = harness({ stopTimeoutMs: 1500 });
    startRunning(h);
    const child = h.host.last;
    void h.sup.stop();
    h.clock.advance(1499);
    assert.deepEqual(child.signals, ['SIGINT']);
    h.clock.advance(1);
    assert.deepEqual(child.signals, ['SIGINT', 'SIGKILL']);
    child.exit(null, 'SIGKILL');
    assert.equal(h.sup.state, 'stopped');
    assert.equal(h.exits[0]!.signal, 'SIGKILL');
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it('uses a configurable stop signal and does not escalate when the child obeys', () => {
    const h = harness({ stopSignal: 'SIGTERM' });
    startRunning(h);
    void h.sup.stop();
    h.host.last.exit(0);
    h.clock.advance(60_000);
    assert.deepEqual(h.host.last.signals, ['SIGTERM']);
  });

  it('sweeps the whole group with SIGKILL after the leader exits', () => {
    const h = harness();
    startRunning(h);
    const pid = h.host.last.pid!;
    h.host.last.exit(1);
    assert.deepEqual(h.host.kills.at(-1), { pid, signal: 'SIGKILL' });
  });

  it('stop() when idle, stopped or already stopping resolves without spawning', async () => {
    const h = harness();
    await h.sup.stop();
    assert.equal(h.sup.state, 'idle');
    startRunning(h);
    const first = h.sup.stop();
    const second = h.sup.stop();
    assert.deepEqual(h.host.last.signals, ['SIGINT']);
    h.host.last.exit(0);
    await Promise.all([first, second]);
    await h.sup.stop();
    assert.equal(h.sup.state, 'stopped');
  });

  it('start() while stopping starts again as soon as the old child is gone, without backoff', () => {
    const h = harness();
    startRunning(h);
    void h.sup.stop();
    h.sup.start();
    assert.equal(h.sup.desired, 'run');
    h.host.last.exit(0);
    assert.equal(h.sup.state, 'starting');
    assert.equal(h.host.children.length, 2);
    assert.equal(h.exits[0]!.cause, 'restart');
  });

  it('stop() during starting (before the spawn is confirmed) signals the group', () => {
    const h = harness();
    h.sup.start();
    void h.sup.stop();
    assert.equal(h.sup.state, 'stopping');
    assert.deepEqual(h.host.last.signals, ['SIGINT']);
    h.host.last.spawned(); // late confirmation must not flip it back to running
    assert.equal(h.sup.state, 'stopping');
    h.host.last.exit(null, 'SIGINT');
    assert.equal(h.sup.state, 'stopped');
  });
});

describe('Supervisor: restarts with backoff', () => {
  it('an unexpected exit goes to backoff, then starts again after the delay', () => {
    const h = harness();
    startRunning(h);
    h.host.last.exit(1);
    assert.equal(h.sup.state, 'backoff');
    assert.equal(h.sup.desired, 'run');
    const backoff = h.states.at(-1)!;
    assert.equal(backoff.delayMs, 2000);
    assert.equal(backoff.attempt, 1);
    assert.equal(backoff.reason, 'crashed');
    assert.equal(h.exits[0]!.cause, 'crashed');
    h.clock.advance(1999);
    assert.equal(h.host.children.length, 1);
    h.clock.advance(1);
    assert.equal(h.sup.state, 'starting');
    assert.equal(h.host.children.length, 2);
    h.host.last.spawned();
    assert.deepEqual(h.path(), ['starting', 'running', 'backoff', 'starting', 'running']);
  });

  it('exit code 0 is still unexpected under the default policy (a stalled RTSP ffmpeg exits 0)', () => {
    const h = harness();
    startRunning(h);
    h.host.last.exit(0);
    assert.equal(h.sup.state, 'backoff');
    assert.equal(h.exits[0]!.cause, 'exited');
  });

  it('an exit after the owner ended the input (expectExit) is the requested stop: no restart', () => {
    const h = harness();
    startRunning(h);
    h.sup.expectExit();
    assert.equal(h.host.last.signals.length, 0, 'nothing is signalled');
    h.host.last.exit(0);
    assert.equal(h.exits[0]!.cause, 'requested');
    assert.equal(h.sup.state, 'stopped');
    h.clock.advance(120_000);
    assert.equal(h.host.children.length, 1, 'not started again');
  });

  it('consecutive failures back off 2, 4, 8, 16, 32, 60, 60 s', () => {
    const h = harness();
    h.sup.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      h.host.last.spawned();
      h.clock.advance(100);
      h.host.last.exit(1);
      const change = h.states.at(-1)!;
      assert.equal(change.to, 'backoff');
      delays.push(change.delayMs!);
      h.clock.advance(change.delayMs!);
    }
    assert.deepEqual(delays, [2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    assert.equal(h.sup.attempt, 7);
  });

  it('applies jitter from the injected random source and custom backoff options', () => {
    const h = harness({ random: () => 0, backoff: { baseMs: 1000, jitter: 0.1 } });
    startRunning(h);
    h.host.last.exit(1);
    assert.equal(h.states.at(-1)!.delayMs, 900);
  });

  it('resets the attempt counter after a run that stayed healthy for healthyAfterMs', () => {
    const h = harness({ healthyAfterMs: 10_000 });
    h.sup.start();
    for (let i = 0; i < 3; i++) {
      h.host.last.spawned();
      h.host.last.exit(1);
      h.clock.advance(h.states.at(-1)!.delayMs!);
    }
    assert.equal(h.sup.attempt, 3);
    h.host.last.spawned();
    h.clock.advance(10_000);
    h.host.last.exit(1);
    assert.equal(h.sup.attempt, 1);
    assert.equal(h.states.at(-1)!.delayMs, 2000);
  });

  it('with stall detection, only the time data kept arriving counts as healthy', () => {
    const h = harness({ healthyAfterMs: 10_000, stallTimeoutMs: 60_000 });
    h.sup.start();
    h.host.last.spawned();
    h.host.last.exit(1);
    h.clock.advance(2000);
    h.host.last.spawned();
    h.sup.markAlive();
    h.clock.advance(30_000); // up for 30 s but silent since t=0 of this run
    h.host.last.exit(0);
    assert.equal(h.sup.attempt, 2);
  });

  it('gives up after maxRestarts consecutive failures; start() recovers with a fresh count', () => {
    const h = harness({ maxRestarts: 2 });
    h.sup.start();
    for (let i = 0; i < 2; i++) {
      h.host.last.spawned();
      h.host.last.exit(1);
      assert.equal(h.sup.state, 'backoff');
      h.clock.advance(h.states.at(-1)!.delayMs!);
    }
    h.host.last.spawned();
    h.host.last.exit(1);
    assert.equal(h.sup.state, 'failed');
    assert.equal(h.sup.desired, 'run');
    assert.match(h.states.at(-1)!.reason, /gave up after 2 restarts/);
    h.clock.advance(10 * 60_000);
    assert.equal(h.host.children.length, 3);
    assert.deepEqual(liveSupervised(), []);
    h.sup.start();
    assert.equal(h.sup.state, 'starting');
    assert.equal(h.sup.attempt, 0);
    assert.equal(h.host.children.length, 4);
  });

  it('stop() during backoff cancels the restart', async () => {
    const h = harness();
    startRunning(h);
    h.host.last.exit(1);
    await h.sup.stop();
    assert.equal(h.sup.state, 'stopped');
    h.clock.advance(10 * 60_000);
    assert.equal(h.host.children.length, 1);
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it("restart 'on-failure': a clean exit stops, a crash restarts", () => {
    const h = harness({ restart: 'on-failure' });
    startRunning(h);
    h.host.last.exit(0);
    assert.equal(h.sup.state, 'stopped');
    assert.equal(h.sup.desired, 'stop');
    startRunning(h);
    h.host.last.exit(null, 'SIGSEGV');
    assert.equal(h.sup.state, 'backoff');
  });

  it("restart 'on-failure': a clean exit is logged as done, a crash as a warning", () => {
    const written: Array<{ level: number; msg: string }> = [];
    const logger = createRootLogger({
      level: 'debug',
      destination: { write: (line: string) => void written.push(JSON.parse(line)) },
    });
    const h = harness({ restart: 'on-failure', logger });
    startRunning(h);
    h.host.last.exit(0);
    startRunning(h);
    h.host.last.exit(1);
    const exits = written.filter((line) => line.msg.startsWith('child exited'));
    assert.deepEqual(
      exits.map((line) => [line.level, line.msg]),
      [
        [30, 'child exited'],
        [40, 'child exited unexpectedly'],
      ],
    );
  });

  it("restart 'never': a crash is failed, a clean exit is stopped", () => {
    const h = harness({ restart: 'never' });
    startRunning(h);
    h.host.last.exit(3);
    assert.equal(h.sup.state, 'failed');
    startRunning(h);
    h.host.last.exit(0);
    assert.equal(h.sup.state, 'stopped');
  });
});

describe('Supervisor: draining pipes after the leader exits', () => {
  it('finishes the run only when the pipes have closed, so the last stderr line is in the exit info', async () => {
    const h = harness();
    startRunning(h);
    const child = h.host.last;
    h.clock.advance(500);
    child.exit(1, null, { pipesOpen: true });
    assert.deepEqual(h.host.kills.at(-1), { pid: child.pid!, signal: 'SIGKILL' }, 'group swept at once');
    assert.equal(h.exits.length, 0);
    assert.equal(h.sup.state, 'running');
    child.write(2, 'rtsp://cam: 401 Unauthorized\n');
    await flushIo();
    h.clock.advance(100);
    child.closePipes();
    assert.equal(h.exits.length, 1);
    assert.deepEqual(h.exits[0]!.stderrTail, ['rtsp://cam: 401 Unauthorized']);
    assert.equal(h.exits[0]!.runMs, 500, 'measured to the leader exit, not to the pipe close');
    assert.equal(h.sup.state, 'backoff');
  });

  it('cuts pipes held open by an escaped process after stopTimeoutMs', () => {
    const h = harness({ stopTimeoutMs: 1000 });
    startRunning(h);
    const child = h.host.last;
    child.exit(0, null, { pipesOpen: true });
    h.clock.advance(999);
    assert.equal(h.exits.length, 0);
    h.clock.advance(1);
    assert.equal(h.exits.length, 1);
    assert.ok(child.stdio[1]?.destroyed);
    assert.equal(h.sup.state, 'backoff');
    child.closePipes(); // the late close is ignored
    assert.equal(h.exits.length, 1);
  });

  it('stop() while draining sends nothing more and ends stopped', async () => {
    const h = harness();
    startRunning(h);
    const child = h.host.last;
    child.exit(1, null, { pipesOpen: true });
    const stopped = h.sup.stop();
    assert.equal(h.sup.state, 'stopping');
    assert.deepEqual(child.signals, []);
    child.closePipes();
    await stopped;
    assert.equal(h.sup.state, 'stopped');
  });

  it('restartNow() while draining starts again as soon as the pipes close', () => {
    const h = harness();
    startRunning(h);
    h.host.last.exit(1, null, { pipesOpen: true });
    h.sup.restartNow();
    h.host.last.closePipes();
    assert.equal(h.sup.state, 'starting');
    assert.equal(h.host.children.length, 2);
  });

  it('a stall cannot fire while draining', () => {
    const h = harness({ stallTimeoutMs: 1000 });
    startRunning(h);
    h.host.last.exit(1, null, { pipesOpen: true });
    h.clock.advance(1500);
    assert.equal(h.stalls.length, 0);
  });
});

describe('Supervisor: restartNow', () => {
  it('from running: graceful stop, then an immediate start with no backoff', () => {
    const h = harness();
    startRunning(h);
    h.sup.restartNow('operator asked');
    assert.equal(h.sup.state, 'stopping');
    assert.deepEqual(h.host.last.signals, ['SIGINT']);
    h.host.last.exit(255);
    assert.equal(h.sup.state, 'starting');
    assert.equal(h.host.children.length, 2);
    assert.equal(h.exits[0]!.cause, 'restart');
    assert.equal(h.sup.attempt, 0);
  });

  it('from backoff: skips the remaining delay and resets the counter', () => {
    const h = harness();
    startRunning(h);
    h.host.last.exit(1);
    h.clock.advance(500);
    h.sup.restartNow();
    assert.equal(h.sup.state, 'starting');
    assert.equal(h.sup.attempt, 0);
    assert.equal(h.host.children.length, 2);
    h.clock.advance(10_000); // the cancelled backoff timer must not spawn a third child
    assert.equal(h.host.children.length, 2);
  });

  it('from failed or stopped: starts', async () => {
    const h = harness({ restart: 'never' });
    startRunning(h);
    h.host.last.exit(1);
    assert.equal(h.sup.state, 'failed');
    h.sup.restartNow();
    assert.equal(h.sup.state, 'starting');
    h.host.last.spawned();
    const stopped = h.sup.stop();
    h.host.last.exit(0);
    await stopped;
    h.sup.restartNow();
    assert.equal(h.sup.state, 'starting');
  });

  it('while stopping for a stall: restarts at once instead of backing off', () => {
    const h = harness({ stallTimeoutMs: 1000 });
    startRunning(h);
    h.clock.advance(1000);
    assert.equal(h.sup.state, 'stopping');
    h.sup.restartNow();
    h.host.last.exit(null, 'SIGKILL');
    assert.equal(h.sup.state, 'starting');
  });
});

describe('Supervisor: stall detection', () => {
  it('SIGKILLs the group when no data arrives for stallTimeoutMs and counts a failure', () => {
    const h = harness({ stallTimeoutMs: 5000 });
    startRunning(h);
    const child = h.host.last;
    for (let t = 0; t < 20; t++) {
      h.clock.advance(1000);
      h.sup.markAlive();
    }
    assert.deepEqual(child.signals, []);
    h.clock.advance(4999);
    assert.deepEqual(child.signals, []);
    h.clock.advance(1);
    assert.deepEqual(child.signals, ['SIGKILL'], 'straight to SIGKILL: a stalled reader ignores SIGINT');
    assert.equal(h.sup.state, 'stopping');
    assert.equal(h.sup.desired, 'run');
    assert.equal(h.stalls.length, 1);
    assert.deepEqual(
      { silentMs: h.stalls[0]!.silentMs, sawData: h.stalls[0]!.sawData },
      {
        silentMs: 5000,
        sawData: true,
      },
    );
    child.exit(null, 'SIGKILL');
    assert.equal(h.exits[0]!.cause, 'stalled');
    assert.equal(h.sup.state, 'backoff');
    assert.equal(h.states.at(-1)!.reason, 'killed after stall');
    h.clock.advance(2000);
    assert.equal(h.host.children.length, 2);
  });

  it('a child that never sends data stalls after startupTimeoutMs', () => {
    const h = harness({ stallTimeoutMs: 2000, startupTimeoutMs: 8000 });
    startRunning(h);
    h.clock.advance(7999);
    assert.deepEqual(h.host.last.signals, []);
    h.clock.advance(1);
    assert.deepEqual(h.host.last.signals, ['SIGKILL']);
    assert.equal(h.stalls[0]!.sawData, false);
  });

  it('after the first data, the ordinary stall timeout applies', () => {
    const h = harness({ stallTimeoutMs: 2000, startupTimeoutMs: 8000 });
    startRunning(h);
    h.clock.advance(100);
    h.sup.markAlive();
    h.clock.advance(2000);
    assert.deepEqual(h.host.last.signals, ['SIGKILL']);
  });

  it('counts chunks on watchFd as data', async () => {
    const h = harness({ stallTimeoutMs: 1000, watchFd: 1 });
    startRunning(h);
    for (let i = 0; i < 5; i++) {
      h.clock.advance(900);
      h.host.last.write(1, Buffer.alloc(16));
      await flushIo();
    }
    assert.deepEqual(h.host.last.signals, []);
    h.clock.advance(1000);
    assert.deepEqual(h.host.last.signals, ['SIGKILL']);
  });

  it('does not fire after a stop, and markAlive outside a run is ignored', () => {
    const h = harness({ stallTimeoutMs: 1000 });
    h.sup.markAlive();
    startRunning(h);
    void h.sup.stop();
    h.clock.advance(999);
    h.host.last.exit(0);
    h.clock.advance(60_000);
    assert.equal(h.stalls.length, 0);
    assert.deepEqual(h.host.last.signals, ['SIGINT']);
  });

  it('is off by default', () => {
    const h = harness();
    startRunning(h);
    h.clock.advance(24 * 3600_000);
    assert.equal(h.sup.state, 'running');
  });
});

describe('Supervisor: spawn failures', () => {
  it('an asynchronous spawn error (ENOENT) backs off like a crash', () => {
    const h = harness();
    h.host.failNextSpawn = true;
    h.sup.start();
    assert.equal(h.sup.state, 'starting');
    h.host.last.error(Object.assign(new Error('spawn ffmpeg ENOENT'), { code: 'ENOENT' }));
    assert.equal(h.sup.state, 'backoff');
    assert.equal(h.exits[0]!.cause, 'spawn-error');
    assert.match(h.exits[0]!.error!.message, /ENOENT/);
    assert.equal(h.runs.length, 0, 'no spawn event for a process that never existed');
    assert.equal(h.host.kills.length, 0, 'nothing to signal');
  });

  it('a synchronous spawn throw backs off too', () => {
    const h = harness();
    h.host.throwNextSpawn = new Error('EAGAIN');
    h.sup.start();
    assert.equal(h.sup.state, 'backoff');
    assert.deepEqual(h.path(), ['starting', 'backoff']);
    h.clock.advance(2000);
    assert.equal(h.host.children.length, 1);
  });

  it('errors after a successful spawn do not end the run', () => {
    const h = harness();
    startRunning(h);
    h.host.last.error(new Error('kill EPERM'));
    assert.equal(h.sup.state, 'running');
  });

  it('re-evaluates a spawn function before every start', () => {
    let n = 0;
    const h = harness({ spawn: () => ({ command: 'ffmpeg', args: [`run-${++n}`] }) });
    startRunning(h);
    h.host.last.exit(1);
    h.clock.advance(2000);
    assert.deepEqual(
      h.host.children.map((child) => child.spec.args),
      [['run-1'], ['run-2']],
    );
  });
});

describe('Supervisor: streams and events', () => {
  it('exposes every requested pipe per run, including fd 3', () => {
    const h = harness({
      spawn: { command: 'ffmpeg', args: [], stdio: ['pipe', 'pipe', 'pipe', 'pipe'] },
    });
    startRunning(h);
    const run = h.runs[0]!;
    assert.equal(run.stdio.length, 4);
    assert.ok(run.stdin);
    assert.ok(run.stdout);
    assert.equal(run.readable(3), h.host.last.stdio[3]);
    assert.equal(run.writable(0), h.host.last.stdio[0]);
    const noPipes = harness({ spawn: { command: 'x', args: [], stdio: ['ignore', 'pipe', 'ignore'] } });
    startRunning(noPipes);
    assert.throws(() => noPipes.runs[0]!.readable(3), /not a readable pipe/);
    assert.equal(noPipes.runs[0]!.stderr, null);
  });

  it('emits stderr lines split on \\n and \\r and keeps a tail for the exit info', async () => {
    const h = harness({ stderrTailLines: 2 });
    startRunning(h);
    h.host.last.write(2, 'Input #0, rtsp\nframe=  1 fps=0.0\rframe=  2 fps=');
    h.host.last.write(2, '25\r\n');
    h.host.last.write(2, Buffer.from([0xc3]));
    h.host.last.write(2, Buffer.from([0xa9, 0x0a])); // "é\n" split across chunks
    h.host.last.write(2, 'Connection timed out');
    h.host.last.endStream(2);
    await flushIo();
    assert.deepEqual(h.lines, [
      'Input #0, rtsp',
      'frame=  1 fps=0.0',
      'frame=  2 fps=25',
      'é',
      'Connection timed out',
    ]);
    h.host.last.exit(1);
    assert.deepEqual(h.exits[0]!.stderrTail, ['é', 'Connection timed out']);
  });

  it('a pipe error from a dying child does not throw', () => {
    const h = harness({ spawn: { command: 'x', args: [], stdio: ['pipe', 'pipe', 'pipe'] } });
    startRunning(h);
    h.runs[0]!.stdin!.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    assert.equal(h.sup.state, 'running');
  });

  it('delivers events in order even when a listener calls back into the supervisor', async () => {
    const h = harness();
    h.sup.on('state', (change) => {
      if (change.to === 'backoff') void h.sup.stop('owner gave up');
    });
    startRunning(h);
    h.host.last.exit(1);
    await flushIo();
    assert.deepEqual(h.path(), ['starting', 'running', 'backoff', 'stopped']);
    assert.equal(h.sup.state, 'stopped');
    h.clock.advance(60_000);
    assert.equal(h.host.children.length, 1);
  });

  it('the exit event comes before the state change it causes, both after the change is done', () => {
    const h = harness();
    const seen: string[] = [];
    h.sup.on('exit', () => seen.push(`exit:${h.sup.state}`));
    h.sup.on('state', (change) => seen.push(`state:${change.to}`));
    startRunning(h);
    h.host.last.exit(1);
    assert.deepEqual(seen, ['state:starting', 'state:running', 'exit:backoff', 'state:backoff']);
  });

  it('a throwing listener does not break the state machine', () => {
    const h = harness();
    h.sup.on('spawn', () => {
      throw new Error('listener bug');
    });
    startRunning(h);
    h.host.last.exit(1);
    assert.equal(h.sup.state, 'backoff');
  });

  it('status() reports actual and desired state, pid and the last exit', () => {
    const h = harness();
    startRunning(h);
    h.clock.advance(1234);
    h.host.last.exit(7);
    const status = h.sup.status();
    assert.equal(status.state, 'backoff');
    assert.equal(status.desired, 'run');
    assert.equal(status.pid, null);
    assert.equal(status.lastExit?.code, 7);
    assert.equal(status.lastExit?.runMs, 1234);
    assert.equal(status.since, 1234);
  });

  it('describes the process without its arguments unless told otherwise', () => {
    assert.equal(harness().sup.description, 'ffmpeg (2 args)');
    assert.equal(harness({ redactedDescription: 'decoder cam-2' }).sup.description, 'decoder cam-2');
    assert.equal(
      harness({ spawn: () => ({ command: 'x', args: [] }) }).sup.description,
      'supervised process',
    );
  });

  it('rejects invalid timing options', () => {
    assert.throws(() => harness({ stopTimeoutMs: -1 }), RangeError);
    assert.throws(() => harness({ backoff: { factor: 0 } }), RangeError);
  });
});

describe('killAllSupervised', () => {
  it('SIGKILLs every live group, cancels pending restarts and never restarts them', () => {
    const a = harness({ label: 'a' });
    const b = harness({ label: 'b' });
    const c = harness({ label: 'c' });
    startRunning(a);
    startRunning(b);
    startRunning(c);
    c.host.last.exit(1); // c is waiting in backoff
    assert.equal(c.sup.state, 'backoff');
    assert.deepEqual(
      liveSupervised()
        .map((entry) => entry.label)
        .sort(),
      ['a', 'b'],
    );
    assert.equal(killAllSupervised(), 2);
    assert.deepEqual(a.host.last.signals, ['SIGKILL']);
    assert.deepEqual(b.host.last.signals, ['SIGKILL']);
    assert.equal(c.sup.state, 'stopped');
    a.host.last.exit(null, 'SIGKILL');
    b.host.last.exit(null, 'SIGKILL');
    assert.equal(a.sup.state, 'stopped');
    assert.equal(b.sup.state, 'stopped');
    c.clock.advance(60_000);
    assert.equal(c.host.children.length, 1);
    assert.equal(killAllSupervised(), 0);
  });
});

describe('nodeProcessHost', () => {
  it('refuses to signal group 0, 1 or a non-integer (our own group, or everyone)', () => {
    assert.throws(() => nodeProcessHost.killGroup(0, 'SIGKILL'), RangeError);
    assert.throws(() => nodeProcessHost.killGroup(1, 'SIGKILL'), RangeError);
    assert.throws(() => nodeProcessHost.killGroup(-5, 'SIGKILL'), RangeError);
    assert.throws(() => nodeProcessHost.killGroup(1.5, 'SIGKILL'), RangeError);
  });
});
