// Chaos, destinations (issue 4 d): one destination's RTMP server stops for 15 s and comes back.
// That destination must publish again within 5 s of its return (the fast-return probe, not the
// backoff, decides when), and the other destination's recording must have no timestamp gap larger
// than one frame interval. Then a silent stall: a server that accepts TCP and never reads a byte
// is detected by the output's own watchdog and retried with backoff while the other destination,
// fed by the same hub, carries on untouched.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { Engine } from '../../../src/engine/index.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import {
  FlvOutput,
  type OutputFailureEvent,
  type OutputStateChange,
  type OutputStatus,
} from '../../../src/engine/outputs.ts';
import { publisherArgs } from '../../../src/ffmpeg/argv.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import { audioPresence, maxTimestampGap, probeFile, videoFrameTimes } from '../../helpers/media-probe.ts';
import { delay, spawnGroup, stopGroup, waitFor } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const FPS = 30;
const OUTAGE_MS = 15_000;
const log = createLogger('e2e-destinations');

/** Polls nginx's stats until `app/key` is published and more than `minBytes` have arrived. */
async function waitForBytes(
  server: RtmpServer,
  app: string,
  key: string,
  timeoutMs: number,
  minBytes = 0,
): Promise<void> {
  await waitFor(
    async () => {
      try {
        return (await server.streams()).some(
          (s) => s.app === app && s.name === key && s.publishing && s.bytesIn > minBytes,
        );
      } catch {
        return false; // nginx still starting
      }
    },
    { timeoutMs, intervalMs: 50, what: `${minBytes} bytes on ${app}/${key}` },
  );
}

/** Headers are ~0.5 kB: this much means media is flowing (0.6 s at 400 kbit/s). */
const MEDIA_BYTES = 32 * 1024;

function outputStatus(engine: Engine, id: string): OutputStatus {
  const status = engine.status().outputs.find((o) => o.id === id);
  assert.ok(status, `output ${id}`);
  return status;
}

describe('chaos: a destination server goes away for 15 s', () => {
  const dir = tempDir('vistter-chaos-dest-');
  let one: RtmpServer | undefined;
  let two: RtmpServer | undefined;
  after(async () => {
    await stopAllSupervised();
    await Promise.all([one?.destroy(), two?.destroy()]);
    dir.cleanup();
  });

  it('publishes again within 5 s of its return; the other destination has no gap', async () => {
    [one, two] = await Promise.all([
      startRtmpServer({ apps: ['live'] }),
      startRtmpServer({ apps: ['dest2'] }),
    ]);
    const timeline = cameraTimeline({
      name: 'destination chaos',
      duration: 120,
      fps: FPS,
      resolution: '320x180',
      cues: [{ camera: 1, start: 0, duration: 120 }],
    });
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map([
          [1, { kind: 'generated' as const, name: 'test', pattern: 'testsrc2' as const, label: '1' }],
        ]),
        destinations: [
          { id: 'd1', name: 'destination 1', platform: 'custom', url: one.url('live', 'a') },
          { id: 'd2', name: 'destination 2', platform: 'custom', url: two.url('dest2', 'b') },
        ],
        mediaRoot: dir.path,
        encoder: { preset: 'veryfast', bitrateKbps: 400 },
      },
      { logger: log },
    );
    let republishMs: number;
    let mediaMs: number;
    let duringOutage: OutputStatus | undefined;
    let afterReturn: OutputStatus | undefined;
    engine.start();
    try {
      await Promise.all([waitForBytes(one, 'live', 'a', 20_000), waitForBytes(two, 'dest2', 'b', 20_000)]);
      await waitFor(() => outputStatus(engine, 'd2').state === 'live', { timeoutMs: 5000, what: 'd2 live' });
      await delay(3000);
      await two.stop();
      await delay(OUTAGE_MS);
      duringOutage = outputStatus(engine, 'd2');
      const returned = Date.now(); // start() returns once the port accepts: count from before it
      await two.start();
      await waitForBytes(two, 'dest2', 'b', 20_000);
      republishMs = Date.now() - returned;
      await waitForBytes(two, 'dest2', 'b', 20_000, MEDIA_BYTES);
      mediaMs = Date.now() - returned;
      await delay(4000); // a few GOPs in the new publish
      afterReturn = outputStatus(engine, 'd2');
      const d1 = outputStatus(engine, 'd1');
      assert.equal(d1.state, 'live', 'destination 1 stayed live');
      assert.equal(d1.restarts, 0, 'destination 1 was never restarted');
    } finally {
      await engine.stop();
    }
    console.log(
      `destination 2 published again ${republishMs} ms after its server returned (media flowing after ${mediaMs} ms)`,
    );

    // Destination 2: retried through the outage with a plain-words error, then live again.
    assert.ok(duringOutage);
    assert.ok(
      duringOutage.state === 'retrying' || duringOutage.state === 'failing',
      `during the outage: ${duringOutage.state}`,
    );
    assert.ok(
      duringOutage.lastError?.kind === 'unreachable' || duringOutage.lastError?.kind === 'connection_lost',
      JSON.stringify(duringOutage.lastError),
    );
    assert.ok(!JSON.stringify(duringOutage).includes('rtmp://'), 'no URL in the status');
    assert.ok(republishMs <= 5000, `published again ${republishMs} ms after the server returned (≤ 5000)`);
    assert.ok(mediaMs <= 5000, `media flowing again ${mediaMs} ms after the server returned (≤ 5000)`);
    assert.equal(afterReturn?.state, 'live');
    assert.ok((afterReturn?.restarts ?? 0) >= 1);

    // Destination 1: one publish covering everything, no gap larger than one frame interval.
    await one.waitForNoPublisher('live', 'a');
    const files1 = one.recordings('live');
    assert.equal(files1.length, 1, `destination 1 published once: ${files1.join(', ')}`);
    const times = await videoFrameTimes(files1[0]!);
    const gap = maxTimestampGap(times);
    assert.ok(gap <= 1 / FPS + 0.0011, `destination 1: largest video gap ${gap.toFixed(4)} s`);
    const span = times.at(-1)! - times[0]!;
    assert.ok(
      span >= 3 + OUTAGE_MS / 1000 + 4,
      `destination 1 recorded through the outage: ${span.toFixed(2)} s`,
    );
    const audio = await audioPresence(files1[0]!);
    assert.ok(audio.ok, `destination 1 audio: ${JSON.stringify(audio)}`);

    // Destination 2: the publish after the return is a proper stream.
    await two.waitForNoPublisher('dest2', 'b');
    const files2 = two.recordings('dest2');
    assert.ok(files2.length >= 2, `destination 2 published again: ${files2.join(', ')}`);
    const probe = await probeFile(files2.at(-1)!);
    assert.equal(probe.video?.codec, 'h264');
    assert.equal(probe.audio?.codec, 'aac');
    assert.ok(probe.durationSec >= 3, `new publish lasted ${probe.durationSec} s`);
  });
});

describe('chaos: a destination that accepts the connection and never reads', () => {
  const dir = tempDir('vistter-chaos-stall-');
  let rtmp: RtmpServer | undefined;
  let silent: Server | undefined;
  let encoder: ChildProcess | undefined;
  const sockets: Socket[] = [];
  after(async () => {
    await stopAllSupervised();
    if (encoder) await stopGroup(encoder, 'SIGKILL');
    for (const socket of sockets) socket.destroy();
    silent?.close();
    await rtmp?.destroy();
    dir.cleanup();
  });

  it('is detected as stalled and retried with backoff; the other destination is undisturbed', async () => {
    rtmp = await startRtmpServer({ apps: ['live'] });
    // Publishers hold their connection until they are killed; the output's fast-return probe
    // connects and closes at once. Both are counted, apart.
    const connections: { at: number; closedAt: number | null }[] = [];
    silent = createServer((socket) => {
      const connection = { at: Date.now(), closedAt: null as number | null };
      connections.push(connection);
      socket.pause(); // never read: the RTMP handshake never gets an answer
      socket.on('error', () => undefined);
      socket.on('close', () => (connection.closedAt = Date.now()));
      sockets.push(socket);
    });
    const lifetime = (c: { at: number; closedAt: number | null }): number =>
      (c.closedAt ?? Date.now()) - c.at;
    const publishers = (): number[] => connections.filter((c) => lifetime(c) >= 1000).map((c) => c.at);
    const probes = (): number => connections.filter((c) => c.closedAt !== null && lifetime(c) < 1000).length;
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;

    // The program: a real H.264/AAC FLV stream into the hub, as the engine's encoder writes it.
    const hub = new FanoutHub({ clock: systemClock });
    encoder = spawnGroup('ffmpeg', [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${FPS}`],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...[
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-g',
        String(2 * FPS),
        '-b:v',
        '400k',
        '-pix_fmt',
        'yuv420p',
      ],
      ...['-c:a', 'aac', '-b:a', '64k', '-f', 'flv', 'pipe:1'],
    ]);
    encoder.stdout!.on('data', (chunk: Buffer) => hub.push(chunk));
    encoder.stderr!.resume();

    const common = { hub, clock: systemClock, logger: log, stallTimeoutMs: 3000 };
    const good = new FlvOutput({
      id: 'good',
      kind: 'destination',
      name: 'nginx',
      args: publisherArgs({ url: rtmp.url('live', 'good'), platform: 'custom' }),
      ...common,
    });
    const stuck = new FlvOutput({
      id: 'stuck',
      kind: 'destination',
      name: 'silent server',
      args: publisherArgs({ url: `rtmp://127.0.0.1:${silentPort}/live/KEY`, platform: 'custom' }),
      ...common,
    });
    const stuckStates: OutputStateChange[] = [];
    stuck.on('state', (change) => stuckStates.push(change));
    const failures: OutputFailureEvent[] = [];
    stuck.on('failure', (event) => failures.push(event));
    const started = Date.now();
    good.start();
    stuck.start();
    let final: OutputStatus;
    try {
      await waitForBytes(rtmp, 'live', 'good', 15_000);
      // Stall after 3 s, retry after 2 s, stall after 3 s, retry after 4 s, stall after 3 s: the
      // third failure comes ~15 s in.
      await waitFor(() => failures.length >= 3, { timeoutMs: 30_000, intervalMs: 100, what: 'three stalls' });
      final = stuck.status();
      assert.equal(good.status().state, 'live');
      assert.equal(good.status().restarts, 0);
    } finally {
      // As Engine.stop(): the encoder finishes its stream (B-frames flushed), the hub ends, then
      // each output sends what it has and exits.
      const closed = new Promise((resolve) => encoder!.once('close', resolve));
      process.kill(-encoder.pid!, 'SIGINT');
      await Promise.race([closed, delay(5000)]);
      hub.end();
      await Promise.all([good.stop(), stuck.stop()]);
    }
    const stalledAt = failures.map((f) => ((f.at - started) / 1000).toFixed(1));
    console.log(
      `silent server: stalls detected at ${stalledAt.join(', ')} s; ${publishers().length} publisher connections, ${probes()} probes`,
    );
    assert.equal(final.lastError?.kind, 'stalled', JSON.stringify(final.lastError));
    assert.equal(final.lastError?.code, 'DESTINATION_STALLED');
    assert.ok(final.restarts >= 3, `restarts ${final.restarts}`);
    assert.ok(failures.every((f) => f.error.kind === 'stalled'));
    assert.ok(publishers().length >= 3, 'every attempt connected to the silent server');
    assert.ok(probes() >= 2, 'the server was probed while waiting');
    assert.ok(stuckStates.some((s) => s.to === 'retrying'));
    assert.ok(!stuckStates.some((s) => s.to === 'live'), 'never live: nothing was accepted');
    // Backoff, not a tight loop: the probe connects at once, yet each retry waits out its backoff
    // (2 s, then 4 s, -20 % jitter at most) before its 3 s stall: a server that accepts TCP but
    // never answers is not "back".
    const gaps = failures.slice(1).map((f, i) => f.at - failures[i]!.at);
    assert.ok(gaps[0]! >= 3000 + 1600 - 50, `first retry after a stall: ${gaps[0]} ms`);
    assert.ok(gaps[1]! >= 3000 + 3200 - 50, `second retry after a stall: ${gaps[1]} ms`);

    await rtmp.waitForNoPublisher('live', 'good');
    const files = rtmp.recordings('live');
    assert.equal(files.length, 1, `the good destination published once: ${files.join(', ')}`);
    const times = await videoFrameTimes(files[0]!);
    const gap = maxTimestampGap(times);
    assert.ok(gap <= 1 / FPS + 0.0011, `good destination: largest video gap ${gap.toFixed(4)} s`);
    assert.ok(times.at(-1)! - times[0]! >= 10, 'recorded through the stalls');
  });
});
