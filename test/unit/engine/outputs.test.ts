// FlvOutput's retry policy with a fake process host, a fake clock and a fake TCP probe: states,
// backoff sequence, the 'failing' / 'recovered' events, the healthy reset, stall detection from
// -progress, the fast return after an outage, restart(), recording parts, and no secrets anywhere.
// A real FanoutHub carries synthetic FLV so "the hub has input" is real.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PassThrough } from 'node:stream';
import { setImmediate as flushIo } from 'node:timers/promises';
import { createLogger } from '../../../src/core/logger.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import {
  FlvOutput,
  type FlvOutputOptions,
  type OutputFailingEvent,
  type OutputFailureEvent,
  type OutputRecoveredEvent,
  type OutputStateChange,
} from '../../../src/engine/outputs.ts';
import type { ProbeTarget } from '../../../src/engine/destinations/probe.ts';
import { publisherArgs } from '../../../src/ffmpeg/argv.ts';
import { Supervisor, killAllSupervised } from '../../../src/process/supervisor.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { FakeHost, type FakeChild } from '../process/fake-host.ts';
import { syntheticStream, videoTag } from '../fanout/fixtures.ts';

const SECRET = 'KEY-5ecr3t';
const URL = `rtmp://127.0.0.1:41935/live/${SECRET}`;

const REFUSED = [
  '[tcp @ 0x55d0c0ffee00] [error] Connection to tcp://127.0.0.1:41935?tcp_nodelay=0 failed: Connection refused',
  '[rtmp @ 0x55d0c0ffee00] [error] Cannot open connection tcp://127.0.0.1:41935?tcp_nodelay=0',
  `[error] ${URL}: Connection refused`,
];
const BROKEN_PIPE = [
  '[error] av_interleaved_write_frame(): Broken pipe',
  `[error] Error writing trailer of ${URL}: Broken pipe`,
];
const REJECTED = [
  '[rtmp @ 0x559cb2b69680] [error] Server error: Already publishing',
  `[error] ${URL}: Operation not permitted`,
];

interface Harness {
  clock: FakeClock;
  host: FakeHost;
  hub: FanoutHub;
  out: FlvOutput;
  states: OutputStateChange[];
  failures: OutputFailureEvent[];
  failing: OutputFailingEvent[];
  recovered: OutputRecoveredEvent[];
  /** Monotonic times of probe calls. */
  probes: number[];
  /** What the fake server answers a probe. */
  serverUp: boolean;
  /** Bytes the current run has "sent" (its next -progress total_size). */
  size: number;
  /** Its output position, in µs. */
  outUs: number;
  tagId: number;
}

function harness(options: Partial<FlvOutputOptions> = {}, hub?: FanoutHub, clock?: FakeClock): Harness {
  const c = clock ?? new FakeClock();
  const host = new FakeHost();
  const h = {
    clock: c,
    host,
    hub: hub ?? new FanoutHub({ clock: c }),
    states: [],
    failures: [],
    failing: [],
    recovered: [],
    probes: [],
    serverUp: false,
    size: 0,
    outUs: 0,
    tagId: 1,
  } as unknown as Harness;
  h.out = new FlvOutput({
    id: 'yt',
    kind: 'destination',
    name: 'YouTube',
    args: publisherArgs({ url: URL, platform: 'custom' }),
    hub: h.hub,
    clock: c,
    logger: createLogger('test'),
    host,
    random: () => 0.5, // no jitter: exact delays
    probe: (_target: ProbeTarget) => {
      h.probes.push(c.now());
      return Promise.resolve(h.serverUp);
    },
    ...options,
  });
  h.out.on('state', (e) => h.states.push(e));
  h.out.on('failure', (e) => h.failures.push(e));
  h.out.on('failing', (e) => h.failing.push(e));
  h.out.on('recovered', (e) => h.recovered.push(e));
  if (!hub) h.hub.push(syntheticStream({ gops: 1, framesPerGop: 1 }).bytes);
  return h;
}

afterEach(() => {
  killAllSupervised(); // fake host: nothing real is signalled
});

/** The fake OS confirms the newest spawn; its stdin is drained like a real ffmpeg's. */
function spawned(h: Harness): FakeChild {
  const child = h.host.last;
  child.spawned();
  (child.stdio[0] as PassThrough).resume();
  h.size = 0;
  h.outUs = 0;
  return child;
}

async function progress(h: Harness, grow: number): Promise<void> {
  h.size += grow;
  // Each report moves the output position on by the stats period, as ffmpeg's does.
  if (grow > 0) h.outUs += 500_000;
  h.host.last.write(1, `total_size=${h.size}\nout_time_us=${h.outUs}\nprogress=continue\n`);
  await flushIo();
}

/** Spawned, connected (header written), then one growing report: live. */
async function goLive(h: Harness): Promise<FakeChild> {
  const child = spawned(h);
  await progress(h, 277);
  await progress(h, 5000);
  assert.equal(h.out.state, 'live');
  return child;
}

async function fail(h: Harness, lines: readonly string[], child = h.host.last): Promise<void> {
  child.write(2, lines.join('\n') + '\n');
  await flushIo();
  child.exit(1);
  await flushIo();
}

/** Moves time in 100 ms steps: the encoder pushes a frame each step (unless input: false) and a
 *  sending run reports growth every 500 ms. */
async function advance(
  h: Harness,
  ms: number,
  o: { input?: boolean; sending?: boolean } = {},
): Promise<void> {
  const input = o.input ?? true;
  for (let t = 0; t < ms; t += 100) {
    if (input) h.hub.push(videoTag(h.tagId++, h.tagId * 33, h.tagId % 60 === 0).raw);
    if (o.sending && t % 500 === 0 && !h.host.last.exited) await progress(h, 20_000);
    h.clock.advance(Math.min(100, ms - t));
    await flushIo();
  }
}

function retryInMs(h: Harness): number | null {
  const at = h.out.status().nextRetryAt;
  return at === null ? null : at - h.clock.wallNow();
}

/** One failed attempt with a refused connection, then waiting out its backoff. */
async function refusedAttempt(h: Harness): Promise<number> {
  spawned(h);
  await fail(h, REFUSED);
  const delay = retryInMs(h)!;
  await advance(h, delay);
  return delay;
}

describe('FlvOutput: states and status', () => {
  it('connecting → live when total_size grows; bytes, bitrate and since in the status', async () => {
    const h = harness();
    h.out.start();
    assert.equal(h.out.state, 'connecting');
    spawned(h);
    await progress(h, 277);
    assert.equal(h.out.state, 'connecting', 'the FLV header alone is not proof of sending');
    await progress(h, 4000);
    assert.equal(h.out.state, 'live');
    await advance(h, 8000, { sending: true });
    const s = h.out.status();
    assert.equal(s.state, 'live');
    assert.equal(s.process, 'running');
    assert.equal(s.consecutiveFailures, 0);
    assert.equal(s.lastError, null);
    assert.equal(s.nextRetryAt, null);
    assert.equal(s.bytesSent, h.size);
    assert.equal(s.sessionBytes, h.size);
    assert.equal(s.bitrateKbps, 320, '20 kB per 0.5 s');
    assert.ok(s.consumer && s.consumer.bytesWritten > 0, 'the hub feeds its stdin');
    assert.equal(s.since, h.clock.wallNow() - 8000);
    assert.deepEqual(
      h.states.map((e) => e.to),
      ['connecting', 'live'],
    );
  });

  it('msSinceGrowth: null before the bytes grow, then the engine clock since they last grew', async () => {
    const h = harness();
    h.out.start();
    assert.equal(h.out.status().msSinceGrowth, null, 'no run yet');
    spawned(h);
    await progress(h, 277);
    assert.equal(h.out.status().msSinceGrowth, null, 'the FLV header alone is not growth');
    await progress(h, 4000);
    assert.equal(h.out.status().msSinceGrowth, 0);
    await advance(h, 3000, { sending: true });
    assert.ok(h.out.status().msSinceGrowth! <= 500, 'growth every 500 ms');
    await advance(h, 6000); // the destination accepts nothing
    assert.equal(h.out.state, 'live', 'still "live" to the supervisor');
    assert.ok(h.out.status().msSinceGrowth! >= 6000, `${h.out.status().msSinceGrowth} ms`);
  });

  it('the argv asks for -progress on fd 1 and the child gets a stdout pipe', () => {
    const h = harness();
    h.out.start();
    const spec = h.host.last.spec;
    assert.deepEqual(spec.stdio, ['pipe', 'pipe', 'pipe']);
    assert.ok(spec.args.join(' ').includes('-progress pipe:1'));
  });
});

describe('FlvOutput: backoff', () => {
  it('retries after 2, 4, 8, 16, 32, 60, 60 s; retrying with the time of the next attempt', async () => {
    const h = harness({ probeTarget: null });
    h.out.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = h.host.children.length;
      delays.push(await refusedAttempt(h));
      assert.equal(h.host.children.length, before + 1, `attempt ${i + 2} spawned when its backoff ended`);
    }
    assert.deepEqual(delays, [2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    const s = h.out.status();
    assert.equal(s.state, 'retrying');
    assert.equal(s.consecutiveFailures, 7);
    assert.equal(s.restarts, 7);
    assert.equal(s.lastError?.kind, 'unreachable');
    assert.equal(s.lastError?.code, 'DESTINATION_UNREACHABLE');
    assert.equal(h.failures.length, 7);
    assert.deepEqual(
      h.failures.map((f) => f.consecutiveFailures),
      [1, 2, 3, 4, 5, 6, 7],
    );
  });

  it('jitter spreads each delay by ±20 %', async () => {
    for (const [random, factor] of [
      [0, 0.8],
      [0.999_999, 1.2],
    ] as const) {
      const h = harness({ probeTarget: null, random: () => random });
      h.out.start();
      const delays = [await refusedAttempt(h), await refusedAttempt(h), await refusedAttempt(h)];
      assert.deepEqual(
        delays,
        [2000, 4000, 8000].map((d) => Math.round(d * factor)),
      );
    }
  });

  it("after 10 consecutive failures: 'failing' once, retries go on at the cap, 'recovered' when live", async () => {
    const h = harness({ probeTarget: null });
    h.out.start();
    for (let i = 1; i <= 9; i++) await refusedAttempt(h);
    assert.equal(h.out.state, 'retrying');
    assert.equal(h.failing.length, 0);
    spawned(h);
    await fail(h, REFUSED); // the 10th
    assert.equal(h.out.state, 'failing');
    assert.equal(h.failing.length, 1);
    const event = h.failing[0]!;
    assert.equal(event.consecutiveFailures, 10);
    assert.equal(event.lastError.kind, 'unreachable');
    assert.equal(event.id, 'yt');
    assert.ok(event.failingSince < event.at);
    await advance(h, retryInMs(h)!);
    for (let i = 0; i < 3; i++) {
      const before = h.host.children.length;
      const delay = await refusedAttempt(h);
      assert.equal(delay, 60_000, 'at the cap');
      assert.equal(h.host.children.length, before + 1, 'still retrying: it never gives up');
    }
    assert.equal(h.failing.length, 1, 'raised once per streak');
    assert.equal(h.out.status().consecutiveFailures, 13);
    await goLive(h);
    assert.equal(h.recovered.length, 1);
    assert.equal(h.recovered[0]!.failures, 13);
    assert.equal(h.recovered[0]!.downMs, (2 + 4 + 8 + 16 + 32 + 8 * 60) * 1000);
    assert.equal(h.out.status().consecutiveFailures, 13, 'kept until the run proves healthy');
    // Failing again before it proved healthy: a new streak, raised again (they alternate).
    await fail(h, BROKEN_PIPE);
    assert.equal(h.out.state, 'failing');
    assert.equal(h.failing.length, 2);
    assert.equal(h.out.status().lastError?.kind, 'connection_lost');
  });

  it("'reconnected' ends every outage, even a short one; live shows no old error", async () => {
    const h = harness({ probeTarget: null });
    const reconnected: Array<{ failures: number; downMs: number }> = [];
    h.out.on('reconnected', (e) => reconnected.push(e));
    h.out.start();
    await goLive(h);
    assert.equal(reconnected.length, 0, 'a first connection is no reconnection');
    await fail(h, BROKEN_PIPE);
    assert.equal(h.out.status().lastError?.kind, 'connection_lost');
    await advance(h, retryInMs(h)!);
    await goLive(h);
    assert.equal(reconnected.length, 1);
    assert.equal(reconnected[0]!.failures, 1);
    assert.equal(reconnected[0]!.downMs, 2000);
    assert.equal(h.recovered.length, 0, "'recovered' stays the pair of 'failing'");
    const s = h.out.status();
    assert.equal(s.state, 'live');
    assert.equal(s.lastError, null, 'the old error is not shown beside live');
  });

  it('a run live for 30 s resets the count; a shorter one does not', async () => {
    const h = harness({ probeTarget: null });
    h.out.start();
    for (let i = 0; i < 3; i++) await refusedAttempt(h);
    await goLive(h);
    await advance(h, 10_000, { sending: true });
    await fail(h, BROKEN_PIPE);
    assert.equal(h.out.status().consecutiveFailures, 4);
    assert.equal(retryInMs(h), 16_000);
    await advance(h, 16_000);
    await goLive(h);
    await advance(h, 31_000, { sending: true });
    assert.equal(h.out.status().consecutiveFailures, 0, 'healthy: reset while still live');
    await fail(h, BROKEN_PIPE);
    assert.equal(h.out.status().consecutiveFailures, 1);
    assert.equal(retryInMs(h), 2000, 'the backoff starts over');
  });
});

describe('FlvOutput: stall detection', () => {
  it('live, then no growth for 10 s while the hub has input: SIGKILL, a failure, retried', async () => {
    const h = harness();
    h.out.start();
    const child = await goLive(h);
    await advance(h, 5000, { sending: true });
    await advance(h, 9000); // input keeps coming, nothing is accepted
    assert.deepEqual(child.signals, []);
    await advance(h, 1600);
    assert.deepEqual(child.signals, ['SIGKILL'], 'the group is killed, not asked');
    child.exit(null, 'SIGKILL');
    await flushIo();
    const s = h.out.status();
    assert.equal(s.state, 'retrying');
    assert.equal(s.lastError?.kind, 'stalled');
    assert.equal(s.lastError?.code, 'DESTINATION_STALLED');
    assert.equal(s.restarts, 1);
    const before = h.host.children.length;
    await advance(h, retryInMs(h)!);
    assert.equal(h.host.children.length, before + 1);
  });

  it('no input from the encoder: silence is not a stall', async () => {
    const h = harness();
    h.out.start();
    const child = await goLive(h);
    await advance(h, 2000, { sending: true });
    await advance(h, 40_000, { input: false });
    assert.deepEqual(child.signals, []);
    assert.equal(h.out.state, 'live');
    // Input returns and is accepted again: still the same run.
    await advance(h, 3000, { sending: true });
    assert.deepEqual(child.signals, []);
  });

  it('a connection that never starts sending (server accepts TCP, says nothing) is killed too', async () => {
    const h = harness();
    h.out.start();
    const child = spawned(h);
    await advance(h, 10_600);
    assert.deepEqual(child.signals, ['SIGKILL']);
    child.exit(null, 'SIGKILL');
    await flushIo();
    assert.equal(h.out.status().lastError?.kind, 'stalled');
  });

  it('a stalled destination leaves another output on the same hub alone', async () => {
    const clock = new FakeClock();
    const a = harness({}, undefined, clock);
    const b = harness({ id: 'fb', name: 'Facebook' }, a.hub, clock);
    a.out.start();
    b.out.start();
    const childA = await goLive(a);
    const childB = await goLive(b);
    for (let t = 0; t < 20_000; t += 500) {
      b.size += 20_000;
      childB.write(1, `total_size=${b.size}\nprogress=continue\n`);
      await advance(a, 500); // a accepts nothing
    }
    assert.deepEqual(childA.signals, ['SIGKILL']);
    assert.deepEqual(childB.signals, []);
    assert.equal(b.out.state, 'live');
    assert.equal(b.out.status().restarts, 0);
  });
});

describe('FlvOutput: fast return', () => {
  it('after connection refused, probes about once a second and retries as soon as the server accepts', async () => {
    const h = harness();
    h.out.start();
    for (let i = 0; i < 5; i++) await refusedAttempt(h);
    spawned(h);
    await fail(h, REFUSED); // the 6th: a 60 s backoff
    assert.equal(retryInMs(h), 60_000);
    const probesBefore = h.probes.length;
    const children = h.host.children.length;
    await advance(h, 7300);
    assert.equal(h.host.children.length, children, 'server still down: no retry');
    assert.ok(
      Math.abs(h.probes.length - probesBefore - 7) <= 1,
      `~1 probe per second (${h.probes.length - probesBefore})`,
    );
    h.serverUp = true; // the server returns
    const back = h.clock.now();
    await advance(h, 1000);
    assert.equal(h.host.children.length, children + 1, 'retried within a probe interval of the return');
    assert.ok(h.probes.at(-1)! - back <= 1000);
    assert.equal(h.out.status().nextRetryAt, null);
    await goLive(h);
    assert.equal(h.out.state, 'live');
    const probes = h.probes.length;
    await advance(h, 5000, { sending: true });
    assert.equal(h.probes.length, probes, 'no probing while live');
  });

  it('a rejected stream (wrong key, already publishing) is never probed: plain backoff', async () => {
    const h = harness();
    h.out.start();
    h.serverUp = true;
    for (let i = 0; i < 3; i++) {
      spawned(h);
      await fail(h, REJECTED);
      assert.equal(h.out.status().lastError?.kind, 'rejected');
      const delay = retryInMs(h)!;
      const children = h.host.children.length;
      await advance(h, delay - 100);
      assert.equal(h.host.children.length, children, 'waited out the plain backoff');
      await advance(h, 100);
    }
    assert.equal(h.probes.length, 0);
  });

  it('a lost connection to a server that is still up waits the plain backoff; once seen down, its return retries at once', async () => {
    const h = harness({ backoff: { baseMs: 8000 } });
    h.out.start();
    await goLive(h);
    h.serverUp = true; // e.g. the server dropped us but still accepts connections
    await fail(h, BROKEN_PIPE);
    assert.equal(h.out.status().lastError?.kind, 'connection_lost');
    const children = h.host.children.length;
    await advance(h, 7900);
    assert.ok(h.probes.length >= 7, 'probed');
    assert.equal(h.host.children.length, children, 'no early retry: the server never went away');
    await advance(h, 100);
    assert.equal(h.host.children.length, children + 1, 'the plain backoff');
    // Now a real outage: the live connection breaks and the server is gone.
    await goLive(h);
    await advance(h, 40_000, { sending: true }); // healthy: count reset
    h.serverUp = false;
    await fail(h, BROKEN_PIPE);
    const next = h.host.children.length;
    await advance(h, 3000);
    assert.equal(h.host.children.length, next, 'down: waiting');
    h.serverUp = true;
    await advance(h, 1000);
    assert.equal(h.host.children.length, next + 1, 'back: retried long before the 8 s backoff ended');
  });

  it('a stalled run is not retried early by a server that accepts TCP', async () => {
    const h = harness({ backoff: { baseMs: 8000 } });
    h.out.start();
    const child = spawned(h);
    h.serverUp = true;
    await advance(h, 10_600);
    child.exit(null, 'SIGKILL');
    await flushIo();
    const children = h.host.children.length;
    await advance(h, 7900);
    assert.ok(h.probes.length >= 5);
    assert.equal(h.host.children.length, children);
  });
});

describe('FlvOutput: restart() and stop()', () => {
  it('restart(): a new session at once, not a failure, the count kept', async () => {
    const h = harness({ probeTarget: null });
    h.out.start();
    await refusedAttempt(h);
    const child = await goLive(h);
    assert.equal(h.out.status().consecutiveFailures, 1);
    h.out.restart('encoder restarted');
    assert.deepEqual(child.signals, ['SIGINT']);
    assert.equal(h.out.state, 'connecting');
    assert.equal(h.out.status().consumer, null, 'the old session gets nothing of the new stream');
    child.exit(255);
    await flushIo();
    assert.equal(h.host.children.length, 3, 'started again at once');
    await goLive(h);
    const s = h.out.status();
    assert.equal(s.restarts, 1, 'only the refused attempt counts');
    assert.equal(s.consecutiveFailures, 1);
    assert.equal(h.failures.length, 1);
  });

  it('restart() while waiting out a backoff changes nothing: the next attempt uses the new stream', async () => {
    const h = harness({ probeTarget: null });
    h.out.start();
    spawned(h);
    await fail(h, REFUSED);
    h.out.restart();
    assert.equal(h.host.children.length, 1);
    assert.equal(retryInMs(h), 2000);
  });

  it('stop(): ends the input, stopped, no retry', async () => {
    const h = harness();
    h.out.start();
    const child = await goLive(h);
    const stopping = h.out.stop(3000);
    await flushIo();
    child.exit(0); // ffmpeg finished at end of input
    await flushIo();
    await stopping;
    assert.equal(h.out.state, 'stopped');
    await advance(h, 10_000);
    assert.equal(h.host.children.length, 1);
    assert.equal(h.failures.length, 0);
  });
});

describe('FlvOutput: recording parts', () => {
  it('a restarted recorder continues in name.part2.mp4, never overwriting; the status says so', async () => {
    const files = new Set<string>(['/rec/show.part2.mp4']); // left by an earlier show
    const h = harness({
      id: 'recording',
      kind: 'recording',
      name: 'local recording',
      args: undefined,
      recordPath: '/rec/show.mp4',
      fileExists: (p) => files.has(p),
    });
    h.out.start();
    assert.equal(h.host.last.spec.args.at(-1), '/rec/show.mp4');
    assert.ok(h.host.last.spec.args.includes('-n'), 'ffmpeg itself refuses to overwrite too');
    await goLive(h);
    files.add('/rec/show.mp4');
    assert.deepEqual(h.out.status().recording, {
      file: '/rec/show.mp4',
      part: 1,
      files: ['/rec/show.mp4'],
      note: null,
    });
    await fail(h, ['[error] Error muxing a packet for /rec/show.mp4: Input/output error']);
    assert.equal(h.out.status().lastError?.code, 'OUTPUT_CRASHED');
    await advance(h, retryInMs(h)!);
    assert.equal(h.host.last.spec.args.at(-1), '/rec/show.part3.mp4', 'part 2 exists: skipped');
    await goLive(h);
    const rec = h.out.status().recording!;
    assert.equal(rec.part, 3);
    assert.deepEqual(rec.files, ['/rec/show.mp4', '/rec/show.part3.mp4']);
    assert.match(rec.note ?? '', /continues in \/rec\/show\.part3\.mp4/);
    files.add('/rec/show.part3.mp4');
    const child = h.host.last;
    h.out.restart();
    child.exit(255);
    await flushIo();
    assert.equal(h.host.last.spec.args.at(-1), '/rec/show.part4.mp4', 'restart() starts a new part as well');
  });
});

describe('FlvOutput: secrets', () => {
  it('no URL or stream key in the status, events or error messages', async () => {
    const h = harness();
    h.out.start();
    for (let i = 0; i < 10; i++) await refusedAttempt(h);
    await goLive(h);
    await fail(h, BROKEN_PIPE);
    await advance(h, retryInMs(h)!);
    spawned(h);
    await fail(h, REJECTED);
    const everything = JSON.stringify([h.out.status(), h.states, h.failures, h.failing, h.recovered]);
    assert.ok(!everything.includes(SECRET), 'no stream key');
    assert.ok(!everything.includes('rtmp://'), 'no URL');
    assert.deepEqual([h.failures.length, h.failing.length, h.recovered.length], [12, 2, 1]);
  });
});

describe('Supervisor additions used by the outputs', () => {
  function supervisor(): { sup: Supervisor; host: FakeHost; clock: FakeClock } {
    const clock = new FakeClock();
    const host = new FakeHost();
    const sup = new Supervisor({
      label: 'test:retry',
      spawn: { command: 'ffmpeg', args: [] },
      clock,
      host,
      random: () => 0.5,
      healthyAfterMs: Infinity,
    });
    return { sup, host, clock };
  }

  it('retryNow(): only in backoff, starts at once and keeps the attempt count', () => {
    const { sup, host } = supervisor();
    assert.equal(sup.retryNow(), false, 'idle: nothing to retry');
    sup.start();
    host.last.spawned();
    assert.equal(sup.retryNow(), false, 'running');
    host.last.exit(1); // backoff 2 s
    assert.equal(sup.state, 'backoff');
    assert.equal(sup.retryNow('server is back'), true);
    assert.equal(host.children.length, 2);
    host.last.spawned();
    host.last.exit(1);
    assert.equal(sup.attempt, 2, 'the count went on');
    assert.equal(sup.status().lastExit?.cause, 'crashed');
  });

  it('resetAttempts() and restartNow({ keepAttempts })', () => {
    const { sup, host } = supervisor();
    sup.start();
    host.last.spawned();
    host.last.exit(1);
    sup.retryNow();
    host.last.spawned();
    assert.equal(sup.attempt, 1);
    sup.restartNow('new input', { keepAttempts: true });
    host.last.exit(255);
    assert.equal(sup.attempt, 1);
    assert.equal(host.children.length, 3);
    host.last.spawned();
    sup.resetAttempts();
    host.last.exit(1);
    assert.equal(sup.attempt, 1, 'counted from zero again');
    sup.kill();
  });
});
