// FlvOutput's platform session limit with a fake process host and a fake clock: a run that has
// lasted session.maxMs is restarted at the next video keyframe (never mid-GOP), as a planned
// restart (not a failure); without a keyframe it is cut after 10 s anyway; each new session gets a
// limit of its own; outputs without a limit are never restarted.
import assert from 'node:assert/strict';
import type { PassThrough } from 'node:stream';
import { setImmediate as flushIo } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import { FlvOutput, type OutputSessionRestartEvent, type SessionLimit } from '../../../src/engine/outputs.ts';
import { publisherArgs } from '../../../src/ffmpeg/argv.ts';
import { killAllSupervised } from '../../../src/process/supervisor.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { FakeHost, type FakeChild } from '../process/fake-host.ts';
import { syntheticStream, videoTag } from '../fanout/fixtures.ts';

interface Harness {
  clock: FakeClock;
  host: FakeHost;
  hub: FanoutHub;
  out: FlvOutput;
  events: OutputSessionRestartEvent[];
  told: OutputSessionRestartEvent[];
  tag: number;
  size: number;
}

function harness(session?: Omit<SessionLimit, 'onRestart'>): Harness {
  const clock = new FakeClock();
  const host = new FakeHost();
  const hub = new FanoutHub({ clock });
  const h: Harness = { clock, host, hub, events: [], told: [], tag: 1, size: 0 } as unknown as Harness;
  h.out = new FlvOutput({
    id: 'dest:1',
    kind: 'destination',
    name: 'Facebook',
    args: publisherArgs({ url: 'rtmp://127.0.0.1:41935/live/KEY', platform: 'custom' }),
    hub,
    clock,
    logger: createLogger('test'),
    host,
    random: () => 0.5,
    probeTarget: null,
    ...(session ? { session: { ...session, onRestart: (event) => h.told.push(event) } } : {}),
  });
  h.out.on('session-restart', (event) => h.events.push(event));
  hub.push(syntheticStream({ gops: 1, framesPerGop: 1 }).bytes);
  return h;
}

afterEach(() => killAllSupervised());

async function goLive(h: Harness): Promise<FakeChild> {
  const child = h.host.last;
  child.spawned();
  (child.stdio[0] as PassThrough).resume();
  h.size = 0;
  for (const grow of [277, 5000]) {
    h.size += grow;
    child.write(1, `total_size=${h.size}\nout_time_us=0\nprogress=continue\n`);
    await flushIo();
  }
  assert.equal(h.out.state, 'live');
  return child;
}

/** 100 ms steps; the encoder pushes a (non-key) video frame each step, and a running session
 *  reports growth every 500 ms (as ffmpeg's -progress does), so it never counts as stalled. */
async function advance(h: Harness, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    h.hub.push(videoTag(h.tag++, h.tag * 33, false).raw);
    const child = h.host.last;
    if (t % 500 === 0 && !child.exited) {
      h.size += 20_000;
      child.write(1, `total_size=${h.size}\nout_time_us=0\nprogress=continue\n`);
      await flushIo();
    }
    h.clock.advance(100);
    await flushIo();
  }
}

describe('FlvOutput: platform session limit', () => {
  it('restarts the session at the first keyframe after the limit, as a planned restart', async () => {
    const h = harness({ maxMs: 60_000 });
    h.out.start();
    const first = await goLive(h);
    await advance(h, 60_000);
    assert.deepEqual(first.signals, [], 'the limit is reached, but no keyframe yet: the session goes on');
    await advance(h, 1500);
    assert.deepEqual(first.signals, [], 'still mid-GOP');
    const consumerBefore = h.out.status().consumer;
    assert.ok(consumerBefore, 'the old session is still fed');

    h.hub.push(videoTag(h.tag++, h.tag * 33, true).raw);
    assert.deepEqual(first.signals, ['SIGINT'], 'cut at the keyframe');
    assert.equal(h.out.status().consumer, null, 'the old session does not get the keyframe');
    assert.equal(h.events.length, 1);
    assert.equal(h.events[0]!.cut, 'keyframe');
    assert.equal(h.events[0]!.sessionMs, 61_500);
    assert.deepEqual(h.told, h.events, 'session.onRestart is told too');

    first.exit(255);
    await flushIo();
    assert.equal(h.host.children.length, 2, 'a new session at once');
    await goLive(h);
    const status = h.out.status();
    assert.equal(status.restarts, 0, 'not a failure');
    assert.equal(status.consecutiveFailures, 0);
    assert.ok(status.consumer, 'the new session is fed from the hub (headers + the GOP from the keyframe)');
  });

  it('each new session gets the full limit again', async () => {
    const h = harness({ maxMs: 10_000 });
    h.out.start();
    const first = await goLive(h);
    await advance(h, 10_000);
    h.hub.push(videoTag(h.tag++, h.tag * 33, true).raw);
    first.exit(255);
    await flushIo();
    const second = await goLive(h);
    await advance(h, 9_900);
    h.hub.push(videoTag(h.tag++, h.tag * 33, true).raw);
    assert.deepEqual(second.signals, [], 'a keyframe before the new session’s limit changes nothing');
    await advance(h, 200);
    h.hub.push(videoTag(h.tag++, h.tag * 33, true).raw);
    assert.deepEqual(second.signals, ['SIGINT']);
    assert.equal(h.events.length, 2);
  });

  it('without a keyframe within 10 s of the limit, the session is cut anyway', async () => {
    const h = harness({ maxMs: 5_000 });
    h.out.start();
    const first = await goLive(h);
    await advance(h, 5_000 + 9_900);
    assert.deepEqual(first.signals, []);
    await advance(h, 200);
    assert.deepEqual(first.signals, ['SIGINT']);
    assert.equal(h.events[0]!.cut, 'no-keyframe');
  });

  it('a session that fails and restarts starts a new limit; stop() cancels the wait', async () => {
    const h = harness({ maxMs: 5_000 });
    h.out.start();
    const first = await goLive(h);
    await advance(h, 4_000);
    first.exit(1); // a failure: backoff 2 s, then a new session
    await flushIo();
    await advance(h, 2_000);
    const second = await goLive(h);
    await advance(h, 4_000);
    h.hub.push(videoTag(h.tag++, h.tag * 33, true).raw);
    assert.deepEqual(second.signals, [], 'the first session’s limit does not carry over');
    assert.equal(h.events.length, 0);
    await advance(h, 1_100);
    const stopping = h.out.stop(100);
    h.hub.push(videoTag(h.tag++, h.tag * 33, true).raw);
    second.exit(0);
    await stopping;
    assert.equal(h.events.length, 0, 'no restart while stopping');
  });

  it('no limit: never restarted', async () => {
    const h = harness();
    h.out.start();
    const first = await goLive(h);
    await advance(h, 30_000);
    h.hub.push(videoTag(h.tag++, h.tag * 33, true).raw);
    assert.deepEqual(first.signals, []);
    assert.equal(h.events.length, 0);
  });
});

describe('FlvOutput: a new session asked from outside (issue 17: a YouTube broadcast not live)', () => {
  it('attach gives the output; newSession restarts at the next keyframe, once, without a time limit', async () => {
    const given: Array<Pick<FlvOutput, 'newSession'>> = [];
    const h = harness({ maxMs: Infinity, attach: (output) => given.push(output) });
    const control = given[0];
    assert.ok(control, 'the output was given at once');
    assert.equal(control.newSession('before the start'), false, 'no session to renew');
    h.out.start();
    const first = await goLive(h);
    await advance(h, 120_000);
    assert.deepEqual(first.signals, [], 'no limit: nothing happens by itself');
    assert.equal(control.newSession('YouTube broadcast not live after 60 s'), true);
    assert.equal(control.newSession('asked twice'), true, 'already on its way');
    await advance(h, 500);
    assert.deepEqual(first.signals, [], 'mid-GOP: waits for the keyframe');
    h.hub.push(videoTag(h.tag++, h.tag * 33, true).raw);
    assert.deepEqual(first.signals, ['SIGINT'], 'cut at the keyframe');
    assert.equal(h.events.length, 1, 'one new session');
    first.exit(255);
    await flushIo();
    assert.equal(h.host.children.length, 2);
    await goLive(h);
    assert.equal(h.out.status().restarts, 0, 'not a failure');
  });
});
