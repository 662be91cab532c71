// The recorder's bounds, with a fake process host, a fake clock and a fake disk: a new part every
// fileMs cut at a keyframe (the old ffmpeg gets the end of its input, not a signal, when it
// finishes in time), a disk below the reserve (or ffmpeg's "No space left on device") stops the
// recording with RECORDING_DISK_FULL and an alert while nothing is retried, and it starts again
// in a new part once the disk is above the warning level.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PassThrough } from 'node:stream';
import { setImmediate as flushIo } from 'node:timers/promises';
import { MemoryAlertSink } from '../../../src/alerts/alert-center.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { FanoutHub } from '../../../src/engine/fanout/hub.ts';
import { FlvOutput } from '../../../src/engine/outputs.ts';
import { killAllSupervised } from '../../../src/process/supervisor.ts';
import type { DiskSpace } from '../../../src/recordings/free-space.ts';
import type { RecordingLimits } from '../../../src/recordings/limits.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { FakeHost, type FakeChild } from '../process/fake-host.ts';
import { syntheticStream, videoTag } from '../fanout/fixtures.ts';

const MB = 1e6;
const LIMITS: RecordingLimits = {
  folder: '/elsewhere', // not the recording's folder: nothing is swept here
  quotaBytes: null,
  maxAgeMs: 0,
  fileMs: 60_000,
  reserveBytes: 10 * MB,
  warnBytes: 30 * MB,
};

interface Rig {
  clock: FakeClock;
  host: FakeHost;
  hub: FanoutHub;
  out: FlvOutput;
  alerts: MemoryAlertSink;
  disk: { freeBytes: number; readable: boolean };
  outUs: number;
  tagId: number;
}

function rig(): Rig {
  const clock = new FakeClock();
  const host = new FakeHost();
  const hub = new FanoutHub({ clock });
  const alerts = new MemoryAlertSink();
  const disk = { freeBytes: 500 * MB, readable: true };
  const out = new FlvOutput({
    id: 'recording',
    kind: 'recording',
    name: 'local recording',
    recordPath: '/rec/show.mp4',
    hub,
    clock,
    logger: createLogger('test'),
    host,
    random: () => 0.5,
    fileExists: () => false,
    recordingLimits: LIMITS,
    alerts,
    readDiskSpace: (path): DiskSpace | null =>
      disk.readable ? { path, totalBytes: 1000 * MB, freeBytes: disk.freeBytes } : null,
  });
  hub.push(syntheticStream({ gops: 1, framesPerGop: 1 }).bytes);
  return { clock, host, hub, out, alerts, disk, outUs: 0, tagId: 1 };
}

afterEach(() => {
  killAllSupervised();
});

async function goLive(r: Rig): Promise<FakeChild> {
  const child = r.host.last;
  child.spawned();
  (child.stdio[0] as PassThrough).resume();
  r.outUs = 0;
  await report(r);
  await report(r);
  assert.equal(r.out.state, 'live');
  return child;
}

async function report(r: Rig): Promise<void> {
  r.outUs += 500_000;
  r.host.last.write(1, `total_size=1000\nout_time_us=${r.outUs}\nprogress=continue\n`);
  await flushIo();
}

/** 100 ms steps: a frame each (a keyframe every 2 s), growth reports every 500 ms while running. */
async function advance(r: Rig, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    const id = r.tagId++;
    r.hub.push(videoTag(id, id * 100, id % 20 === 0).raw);
    if (t % 500 === 0 && !r.host.last.exited && r.out.state === 'live') await report(r);
    r.clock.advance(100);
    await flushIo();
  }
}

const lastPath = (r: Rig): string | undefined => r.host.last.spec.args.at(-1);

function keyframe(r: Rig): void {
  const id = r.tagId++;
  r.hub.push(videoTag(id, id * 100, true).raw);
}

describe('recording: a new part every fileMs', () => {
  it('cut at a keyframe, the old part gets the end of its input and may finish; no failure', async () => {
    const r = rig();
    r.out.start();
    const first = await goLive(r);
    assert.equal(lastPath(r), '/rec/show.mp4');
    await advance(r, 60_000); // the file's time is up: it waits for the next keyframe
    const stdin = first.stdio[0] as PassThrough;
    keyframe(r);
    await flushIo();
    assert.equal(stdin.writableEnded, true, 'the first part was given the end of its input');
    assert.deepEqual(first.signals, [], 'no signal while it may finish by itself');
    first.exit(0); // it wrote out its file and ended
    await flushIo();
    assert.equal(r.host.children.length, 2);
    assert.equal(lastPath(r), '/rec/show.part2.mp4');
    await goLive(r);
    const status = r.out.status();
    assert.equal(status.state, 'live');
    assert.equal(status.restarts, 0, 'a new part is not a failure');
    assert.equal(status.lastError, null);
    assert.deepEqual(status.recording?.files, ['/rec/show.mp4', '/rec/show.part2.mp4']);
    assert.match(status.recording?.note ?? '', /new file every 1 min.*continues in \/rec\/show\.part2\.mp4/);
    assert.deepEqual([...r.alerts.openAlerts.keys()], []);
  });

  it('an old part that does not finish in time is told to stop (SIGINT), then the next begins', async () => {
    const r = rig();
    r.out.start();
    const first = await goLive(r);
    await advance(r, 60_000);
    keyframe(r);
    await advance(r, 400);
    assert.deepEqual(first.signals, []);
    await advance(r, 200);
    assert.deepEqual(first.signals, ['SIGINT']);
    first.exit(255, null);
    await flushIo();
    assert.equal(lastPath(r), '/rec/show.part2.mp4');
    assert.equal(r.out.status().restarts, 0);
  });
});

describe('recording: a full disk stops it, the stream is not its concern', () => {
  it('below the reserve: stopped with RECORDING_DISK_FULL and an alert; back above the warning level: a new part', async () => {
    const r = rig();
    r.out.start();
    const first = await goLive(r);
    r.disk.freeBytes = 25 * MB; // below the warning level
    await advance(r, 5000);
    assert.equal(r.out.state, 'live', 'low is a warning, not a stop');
    assert.deepEqual(
      [...r.alerts.openAlerts.values()].map((a) => [a.key, a.code, a.severity]),
      [['disk:low', 'DISK_SPACE_LOW', 'warning']],
    );
    r.disk.freeBytes = 8 * MB; // below the reserve
    await advance(r, 5000);
    assert.equal(r.out.state, 'stopped');
    const error = r.out.status().lastError;
    assert.equal(error?.code, 'RECORDING_DISK_FULL');
    assert.match(error?.message ?? '', /only 8\.0 MB free of 1\.0 GB on the data disk/);
    assert.match(error?.message ?? '', /The stream goes on/);
    const full = r.alerts.openAlerts.get('recording:recording:disk-full');
    assert.equal(full?.code, 'RECORDING_DISK_FULL');
    assert.equal(full?.severity, 'error');
    assert.equal((first.stdio[0] as PassThrough).writableEnded, true, 'it may close its file');
    first.exit(0);
    await advance(r, 30_000);
    assert.equal(r.host.children.length, 1, 'nothing is retried while the disk is full');
    assert.equal(r.out.state, 'stopped');

    r.disk.freeBytes = 20 * MB; // above the reserve, still below the warning level: not yet
    await advance(r, 10_000);
    assert.equal(r.host.children.length, 1);
    r.disk.freeBytes = 40 * MB;
    await advance(r, 5000);
    assert.equal(r.host.children.length, 2);
    assert.equal(lastPath(r), '/rec/show.part2.mp4', 'the part written before is never overwritten');
    await goLive(r);
    assert.deepEqual([...r.alerts.openAlerts.keys()], [], 'both alerts clear once there is room');
  });

  it('ffmpeg says "No space left on device" (the disk cannot be measured): stopped, tried again after a minute', async () => {
    const r = rig();
    r.disk.readable = false;
    r.out.start();
    const child = await goLive(r);
    child.write(2, '[error] av_interleaved_write_frame(): No space left on device\n');
    await flushIo();
    child.exit(1);
    await flushIo();
    assert.equal(r.out.state, 'stopped');
    assert.equal(r.out.status().lastError?.code, 'RECORDING_DISK_FULL');
    assert.equal(r.out.status().restarts, 0);
    await advance(r, 55_000);
    assert.equal(r.host.children.length, 1, 'not retried at once');
    await advance(r, 10_000);
    assert.equal(r.host.children.length, 2, 'a minute later it tries again');
    assert.equal(lastPath(r), '/rec/show.part2.mp4');
  });

  it('already full at start: it does not start, and says why', async () => {
    const r = rig();
    r.disk.freeBytes = 1 * MB;
    r.out.start();
    assert.equal(r.host.children.length, 0);
    assert.equal(r.out.state, 'stopped');
    assert.equal(r.out.status().lastError?.code, 'RECORDING_DISK_FULL');
    await r.out.stop();
    assert.deepEqual([...r.alerts.openAlerts.keys()], [], 'its alerts end with the recording');
  });
});
