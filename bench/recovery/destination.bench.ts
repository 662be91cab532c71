// Destination recovery (issue 4, chaos d): a 320x180 show on one generated camera goes to two
// nginx-rtmp servers; destination 2's server is stopped for 15 s and started again, twice. The
// figure is the time from the server's return (the moment it is started again) to the first new
// bytes the server receives from us, polled from nginx's rtmp_stat every 50 ms; target ≤ 5 s.
// Destination 1's recording must show no timestamp gap larger than one frame interval.
//
//   npx tsx bench/recovery/destination.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type CameraFeed } from '../../src/engine/index.ts';
import type { OutputStatus } from '../../src/engine/outputs.ts';
import { maxTimestampGap, videoFrameTimes } from '../../test/helpers/media-probe.ts';
import { waitFor } from '../../test/helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../test/helpers/rtmp-server.ts';
import { emit, figure, sleep } from '../lib/report.ts';
import { benchLogger, cameraTimeline, withCleanup } from '../pipeline/common.ts';

const BENCH = 'destination recovery';
const FPS = 30;
const OUTAGES = 2;
const OUTAGE_MS = 15_000;
const TARGET_S = 5;

/** Headers are ~0.5 kB: this much means media is flowing (0.6 s at 400 kbit/s). */
const MEDIA_BYTES = 32 * 1024;

async function bytesArrived(server: RtmpServer, app: string, key: string, minBytes = 0): Promise<boolean> {
  try {
    return (await server.streams()).some(
      (s) => s.app === app && s.name === key && s.publishing && s.bytesIn > minBytes,
    );
  } catch {
    return false; // nginx not answering yet
  }
}

const dir = mkdtempSync(join(tmpdir(), 'vistter-bench-dest-'));
await withCleanup(async (defer) => {
  defer(async () => rmSync(dir, { recursive: true, force: true }));
  const [one, two] = await Promise.all([
    startRtmpServer({ apps: ['live'] }),
    startRtmpServer({ apps: ['dest2'] }),
  ]);
  defer(() => one.destroy());
  defer(() => two.destroy());

  const timeline = cameraTimeline({
    name: 'bench destination recovery',
    duration: 600,
    fps: FPS,
    resolution: '320x180',
    cues: [{ camera: 1, start: 0, duration: 600 }],
  });
  const cameras = new Map<number, CameraFeed>([
    [1, { kind: 'generated', name: 'bars', pattern: 'testsrc2', label: '1' }],
  ]);
  const engine = await Engine.create(
    {
      timeline,
      cameras,
      destinations: [
        { id: 'd1', name: 'destination 1', platform: 'custom', url: one.url('live', 'a') },
        { id: 'd2', name: 'destination 2', platform: 'custom', url: two.url('dest2', 'b') },
      ],
      mediaRoot: dir,
      encoder: { preset: 'veryfast', bitrateKbps: 400 },
    },
    { logger: benchLogger },
  );
  const d2 = (): OutputStatus => engine.status().outputs.find((o) => o.id === 'd2')!;

  const recoveries: number[] = [];
  const mediaAgain: number[] = [];
  const noticed: number[] = [];
  engine.start();
  try {
    await waitFor(
      async () => (await bytesArrived(one, 'live', 'a')) && (await bytesArrived(two, 'dest2', 'b')),
      { timeoutMs: 20_000, intervalMs: 100, what: 'both destinations receiving' },
    );
    await sleep(3000);
    for (let i = 0; i < OUTAGES; i++) {
      const down = Date.now();
      await two.stop();
      await waitFor(() => d2().state !== 'live', {
        timeoutMs: OUTAGE_MS,
        intervalMs: 20,
        what: 'the outage noticed',
      });
      noticed.push((Date.now() - down) / 1000);
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));
      const back = Date.now(); // start() resolves once the port accepts: count from before it
      await two.start();
      await waitFor(() => bytesArrived(two, 'dest2', 'b'), {
        timeoutMs: 90_000,
        intervalMs: 50,
        what: 'bytes on the returned server',
      });
      const seconds = (Date.now() - back) / 1000;
      recoveries.push(seconds);
      await waitFor(() => bytesArrived(two, 'dest2', 'b', MEDIA_BYTES), {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'media on the returned server',
      });
      mediaAgain.push((Date.now() - back) / 1000);
      const s = d2();
      console.log(
        `outage ${i + 1}: noticed after ${noticed.at(-1)!.toFixed(2)} s, first bytes ${seconds.toFixed(2)} s and` +
          ` ${MEDIA_BYTES / 1024} kB ${mediaAgain.at(-1)!.toFixed(2)} s after the return` +
          ` (${s.restarts} restarts so far, last error: ${s.lastError?.kind ?? 'none'})`,
      );
      await sleep(5000);
    }
  } finally {
    await engine.stop();
  }
  await one.waitForNoPublisher('live', 'a');
  const files = one.recordings('live');
  const times = files.length === 1 ? await videoFrameTimes(files[0]!) : [];
  const gapMs = times.length > 1 ? maxTimestampGap(times) * 1000 : null;
  console.log(
    `destination 1: ${files.length} publish(es), ${times.length} frames, largest gap ${gapMs?.toFixed(1) ?? 'n/a'} ms`,
  );

  const worst = recoveries.length === OUTAGES ? Math.max(...recoveries) : null;
  emit([
    figure(
      BENCH,
      'destination recovery time',
      worst,
      's',
      { op: '<=', limit: TARGET_S },
      `worst of ${OUTAGES} outages of ${OUTAGE_MS / 1000} s; each: ${recoveries.map((s) => s.toFixed(2)).join(', ')} s`,
    ),
    figure(
      BENCH,
      'destination media flowing again',
      mediaAgain.length === OUTAGES ? Math.max(...mediaAgain) : null,
      's',
      { op: '<=', limit: TARGET_S },
      `${MEDIA_BYTES / 1024} kB at the server after its return, worst of ${OUTAGES}`,
    ),
    figure(BENCH, 'outage noticed after', noticed.length > 0 ? Math.max(...noticed) : null, 's'),
    figure(
      BENCH,
      'other destination: largest timestamp gap',
      gapMs,
      'ms',
      { op: '<=', limit: Math.ceil((1000 / FPS) * 10) / 10 + 1 },
      files.length === 1 ? undefined : `${files.length} publishes (expected 1)`,
    ),
  ]);
});
