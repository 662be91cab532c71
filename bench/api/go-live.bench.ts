// GO LIVE latency (issue 5): the appliance (src/main.ts, as a user runs it) with one simulated
// 1080p30 RTSP camera online, a destination on a local nginx-rtmp and a 1080p30 timeline, all set
// up through the API. Each round does what the control room does — pre-flight, then GO LIVE —
// and measures from the GO LIVE request to the first video at the destination (nginx's rtmp_stat
// reports bytes in and a video codec), and to the camera itself on air (the telemetry WebSocket).
// Then stop and wait until the destination is idle again. Baseline in the same run: one plain
// ffmpeg transcoding the same camera to the same server, from spawn to its first video there.
//
//   npx tsx bench/api/go-live.bench.ts [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveMessageSchema, type LiveState } from '../../src/domain/live.ts';
import { FFMPEG_BIN } from '../../src/ffmpeg/argv.ts';
import { ApplianceClient, applianceEnv, startAppliance } from '../../test/helpers/appliance.ts';
import { startCameraSim } from '../../test/helpers/camera-sim.ts';
import { spawnGroup, stopGroup, waitFor } from '../../test/helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../test/helpers/rtmp-server.ts';
import { emit, figure, percentile, sleep } from '../lib/report.ts';
import { cameraTimeline, plainFfmpegArgs, withCleanup } from '../pipeline/common.ts';

const BENCH = 'GO LIVE';
const ROUNDS = Number(process.argv[2] ?? 3);
const TARGET_S = 3;

/** Polls rtmp_stat every 20 ms until `key` publishes video; ms since `from`. */
async function firstVideo(rtmp: RtmpServer, key: string, from: number): Promise<number> {
  await waitFor(
    async () => {
      try {
        return (await rtmp.streams()).some(
          (s) => s.name === key && s.bytesIn > 0 && s.videoCodec !== undefined,
        );
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000, intervalMs: 20, what: `video from ${key} at the RTMP server` },
  );
  return performance.now() - from;
}

const dir = mkdtempSync(join(tmpdir(), 'vistter-bench-golive-'));
await withCleanup(async (defer) => {
  defer(async () => rmSync(dir, { recursive: true, force: true }));
  const [sim, rtmp] = await Promise.all([
    startCameraSim({ cameras: 1, width: 1920, height: 1080, fps: 30 }),
    startRtmpServer({ apps: ['live'] }),
  ]);
  defer(() => sim.stop());
  defer(() => rtmp.destroy());

  // Baseline first, while the appliance is not running.
  const baseline: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const key = `baseline${round}`;
    const started = performance.now();
    const child = spawnGroup(FFMPEG_BIN, plainFfmpegArgs(sim.urls[0]!, rtmp.url('live', key)));
    try {
      baseline.push(await firstVideo(rtmp, key, started));
    } finally {
      await stopGroup(child, 'SIGINT', 3000);
    }
    await rtmp.waitForNoPublisher('live', key);
  }

  const appliance = await startAppliance(applianceEnv(join(dir, 'data'), { VISTTER_LOG_LEVEL: 'warn' }));
  defer(() => appliance.stop());
  const api = new ApplianceClient(appliance.url);
  await api.setup();
  const camera = await api.request('POST', '/api/cameras', { name: 'Bench camera', stream_url: sim.urls[0] });
  const destination = await api.request('POST', '/api/destinations', {
    name: 'Bench nginx',
    platform: 'custom',
    server_url: `rtmp://127.0.0.1:${rtmp.port}/live`,
    stream_key: 'program',
  });
  const timeline = await api.request('POST', '/api/timelines', {
    timeline: cameraTimeline({
      name: 'GO LIVE bench',
      duration: 600,
      fps: 30,
      resolution: '1920x1080',
      loop: true,
      cues: [{ camera: Number(camera.body.id), start: 0, duration: 600 }],
    }),
  });
  if (camera.status !== 201 || destination.status !== 201 || timeline.status !== 201)
    throw new Error(`set-up failed: ${JSON.stringify([camera.body, destination.body, timeline.body])}`);
  const show = { timelineId: Number(timeline.body.id), destinationIds: [Number(destination.body.id)] };
  let latest: LiveState | null = null;
  const socket = await api.live((message) => (latest = LiveMessageSchema.parse(message).data));
  defer(async () => socket.close());

  const toVideo: number[] = [];
  const toCamera: number[] = [];
  const preflightMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const checkedAt = performance.now();
    const preflight = await api.request('POST', '/api/show/preflight', show);
    preflightMs.push(performance.now() - checkedAt);
    if (preflight.body.ok !== true) throw new Error(`pre-flight failed: ${JSON.stringify(preflight.body)}`);
    const started = performance.now();
    const answer = await api.request('POST', '/api/show/go-live', show);
    if (answer.status !== 202) throw new Error(`GO LIVE failed: ${JSON.stringify(answer.body)}`);
    toVideo.push(await firstVideo(rtmp, 'program', started));
    await waitFor(() => (latest?.show?.camera.onAir?.kind === 'camera' ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 10,
      what: 'the camera on air',
    });
    toCamera.push(performance.now() - started);
    console.log(
      `round ${round + 1}: pre-flight ${preflightMs.at(-1)!.toFixed(0)} ms; GO LIVE → video at the destination ${toVideo.at(-1)!.toFixed(0)} ms, → camera on air ${toCamera.at(-1)!.toFixed(0)} ms`,
    );
    await sleep(3000);
    await api.request('POST', '/api/show/stop');
    await waitFor(() => (latest?.state === 'idle' ? true : undefined), { timeoutMs: 20_000, what: 'idle' });
    await rtmp.waitForNoPublisher('live', 'program');
    await sleep(1000);
  }

  const worst = (values: number[]) => Math.max(...values) / 1000;
  emit([
    figure(BENCH, 'GO LIVE → first video at the destination, worst of rounds', worst(toVideo), 's', {
      op: '<=',
      limit: TARGET_S,
    }),
    figure(BENCH, 'GO LIVE → first video, median', percentile(toVideo, 50) / 1000, 's'),
    figure(BENCH, 'GO LIVE → the camera itself on air, worst', worst(toCamera), 's'),
    figure(BENCH, 'pre-flight (camera test, destination, encoder), worst', worst(preflightMs), 's'),
    figure(BENCH, 'baseline: plain ffmpeg spawn → first video, worst', worst(baseline), 's'),
  ]);
});
