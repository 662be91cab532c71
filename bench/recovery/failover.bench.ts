// Recovery times (issue 4): camera failover (frozen RTSP server → backup on air, measured from
// the camera's last frame) and encoder recovery (encoder SIGKILLed → new pictures reach a viewer
// of the destination again, in the same publish: the fan-out splices the new encoder run in).
// Each is repeated a few times at 640×360@30 and reported worst-case.
//
//   npx tsx bench/recovery/failover.bench.ts [rounds]
import { Engine } from '../../src/engine/index.ts';
import { startCameraSim } from '../../test/helpers/camera-sim.ts';
import { waitFor } from '../../test/helpers/proc.ts';
import { startRtmpServer } from '../../test/helpers/rtmp-server.ts';
import { startStreamClock } from '../../test/helpers/stream-readers.ts';
import { emit, figure, sleep } from '../lib/report.ts';
import { benchLogger, cameraTimeline, withCleanup } from '../pipeline/common.ts';

const ROUNDS = Number(process.argv[2] ?? 3);
const BENCH = 'recovery';

await withCleanup(async (defer) => {
  const [simA, simB, rtmp] = await Promise.all([
    startCameraSim({ cameras: [{ name: 'a' }], width: 640, height: 360, fps: 30 }),
    startCameraSim({ cameras: [{ name: 'b' }], width: 640, height: 360, fps: 30 }),
    startRtmpServer({ apps: ['live'] }),
  ]);
  defer(() => simA.stop());
  defer(() => simB.stop());
  defer(() => rtmp.destroy());
  const timeline = cameraTimeline({
    name: 'bench recovery',
    duration: 600,
    fps: 30,
    resolution: '640x360',
    cues: [{ camera: 1, start: 0, duration: 600 }],
  });
  const engine = await Engine.create(
    {
      timeline,
      cameras: new Map([
        [1, { kind: 'url' as const, name: 'a', url: simA.urls[0]!, backupCameraId: 2 }],
        [2, { kind: 'url' as const, name: 'b', url: simB.urls[0]! }],
      ]),
      destinations: [{ id: 'd1', name: 'nginx', platform: 'custom', url: rtmp.url('live', 'show') }],
      mediaRoot: process.cwd(),
      encoder: { preset: 'veryfast', bitrateKbps: 1500 },
      failover: { reconnectIntervalMs: 2000 },
      degrade: { enabled: false },
    },
    { logger: benchLogger },
  );
  const onAir = (): string => {
    const source = engine.status().onAir?.source;
    return source?.kind === 'camera' ? `camera:${source.cameraId}` : (source?.kind ?? 'none');
  };
  const ageOf = (key: string): number | null =>
    engine.status().sources.find((s) => s.key === key)?.frameAgeMs ?? null;

  const failovers: number[] = [];
  const returns: number[] = [];
  const encoderRecoveries: number[] = [];
  let newPublishes: number | undefined;
  engine.start();
  try {
    await rtmp.waitForPublisher('live', 'show', 20_000);
    await waitFor(() => onAir() === 'camera:1', { timeoutMs: 20_000, what: 'camera 1 on air' });
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(2000);
      simA.freeze();
      // Poll every few ms: the figure is camera 1's frame age at the first tick on the backup.
      let ageAtSwitch: number | null = null;
      await waitFor(
        () => {
          if (onAir() !== 'camera:2') return false;
          ageAtSwitch = ageOf('camera:1');
          return true;
        },
        { timeoutMs: 5000, intervalMs: 2, what: 'the backup on air' },
      );
      failovers.push(ageAtSwitch ?? NaN);
      await sleep(1000);
      const resumed = Date.now();
      simA.resume();
      await waitFor(() => onAir() === 'camera:1', {
        timeoutMs: 30_000,
        intervalMs: 10,
        what: 'camera 1 back',
      });
      returns.push(Date.now() - resumed);
      console.log(
        `  round ${round + 1}: backup after ${Math.round(ageAtSwitch ?? NaN)} ms, camera 1 back after ${returns.at(-1)} ms`,
      );
    }
    // A viewer of the destination: the program is back when its clock moves past the kill.
    const viewer = startStreamClock(rtmp.url('live', 'show'));
    defer(() => viewer.stop());
    await waitFor(() => viewer.samples().length > 2, { timeoutMs: 10_000, what: 'the viewer' });
    const publishesBefore = rtmp.recordings('live').length;
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(3000);
      const killed = Date.now();
      const streamAtKill = viewer.samples().at(-1)!.streamMs;
      process.kill(-engine.encoderPid!, 'SIGKILL');
      await waitFor(
        () => {
          const after = viewer.samples().find((s) => s.at > killed && s.streamMs > streamAtKill + 500);
          return after ? after.at : 0;
        },
        { timeoutMs: 15_000, intervalMs: 10, what: 'new pictures at the viewer' },
      );
      const back = viewer.samples().find((s) => s.at > killed && s.streamMs > streamAtKill + 500)!;
      encoderRecoveries.push(back.at - killed);
      console.log(
        `  encoder round ${round + 1}: pictures back at the viewer after ${encoderRecoveries.at(-1)} ms`,
      );
    }
    newPublishes = rtmp.recordings('live').length - publishesBefore;
  } finally {
    await engine.stop();
  }
  const max = (values: number[]) => (values.length > 0 ? Math.max(...values) : null);
  emit([
    figure(BENCH, 'camera failover: backup on air after the last frame (worst)', max(failovers), 'ms', {
      op: '<=',
      limit: 1034, // 1 s and one frame interval (the switch happens on a tick)
    }),
    figure(BENCH, 'camera return after it resumes (worst)', max(returns), 'ms'),
    figure(
      BENCH,
      'encoder recovery: pictures back at the destination after SIGKILL (worst)',
      max(encoderRecoveries),
      'ms',
      {
        op: '<=',
        limit: 3000,
      },
    ),
    figure(BENCH, 'new publishes at the destination during the encoder kills', newPublishes ?? null, '', {
      op: '==',
      limit: 0,
    }),
  ]);
});
