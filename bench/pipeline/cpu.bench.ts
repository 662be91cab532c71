// Pipeline CPU vs. plain ffmpeg (issue #3): one 1080p30 RTSP camera → engine (decode, playout,
// encode libx264 veryfast, one RTMP destination) against one ffmpeg doing the same decode +
// encode + publish, measured in the same run on the same camera and RTMP server.
// CPU = CPU seconds of the process tree over a steady-state window / wall seconds of that window.
//
//   npx tsx bench/pipeline/cpu.bench.ts [seconds]
import type { ChildProcess } from 'node:child_process';
import { Engine } from '../../src/engine/engine.ts';
import { FFMPEG_BIN } from '../../src/ffmpeg/argv.ts';
import { startCameraSim } from '../../test/helpers/camera-sim.ts';
import { spawnGroup, stopGroup, tail, waitFor } from '../../test/helpers/proc.ts';
import { startRtmpServer } from '../../test/helpers/rtmp-server.ts';
import { treeCpu } from '../lib/procfs.ts';
import { emit, figure, sleep } from '../lib/report.ts';
import { benchLogger, cameraTimeline, plainFfmpegArgs, urlCameras, withCleanup } from './common.ts';

const SECONDS = Number(process.argv[2] ?? 30);
const WARMUP_MS = 3000;
const BENCH = 'pipeline CPU';

async function measureWindow(root: number, exclude: number[]): Promise<{ cpuPercent: number; pids: number }> {
  const a = treeCpu(root, exclude);
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const b = treeCpu(root, exclude);
  const wall = (performance.now() - t0) / 1000;
  for (const [name, cpu] of b.perProcess) {
    const used = cpu - (a.perProcess.get(name) ?? 0);
    console.log(`    ${name}: ${((used / wall) * 100).toFixed(1)} %`);
  }
  return { cpuPercent: ((b.cpuSec - a.cpuSec) / wall) * 100, pids: b.pids.length };
}

await withCleanup(async (defer) => {
  const sim = await startCameraSim({ cameras: 1, width: 1920, height: 1080, fps: 30 });
  defer(() => sim.stop());
  const rtmp = await startRtmpServer({ record: false });
  defer(() => rtmp.destroy());
  const url = sim.urls[0]!;

  // 1. Baseline: one plain ffmpeg, same camera, same x264 settings, same kind of destination.
  const baselineArgs = plainFfmpegArgs(url, rtmp.url('live', 'baseline'));
  console.log(`baseline: ffmpeg ${baselineArgs.join(' ')}`);
  const baseline: ChildProcess = spawnGroup(FFMPEG_BIN, baselineArgs);
  const baselineErr = tail(baseline.stderr);
  let baselineCpu: number | null = null;
  try {
    await rtmp.waitForPublisher('live', 'baseline', 20_000);
    await sleep(WARMUP_MS);
    const m = await measureWindow(baseline.pid!, []);
    baselineCpu = m.cpuPercent;
    console.log(`baseline ffmpeg: ${baselineCpu.toFixed(1)} % CPU over ${SECONDS} s`);
  } catch (error) {
    console.log(`baseline failed: ${(error as Error).message}\n${baselineErr()}`);
  } finally {
    await stopGroup(baseline, 'SIGINT', 3000);
  }

  // 2. The pipeline: the engine in this process, its decoder, encoder and publisher as children.
  const timeline = cameraTimeline({
    name: 'bench cpu',
    duration: SECONDS + 60,
    fps: 30,
    resolution: '1920x1080',
    cues: [{ camera: 1, start: 0, duration: SECONDS + 60 }],
  });
  const engine = await Engine.create(
    {
      timeline,
      cameras: urlCameras([url]),
      destinations: [{ id: 'd1', name: 'local nginx', platform: 'custom', url: rtmp.url('live', 'program') }],
      mediaRoot: process.cwd(),
      encoder: { preset: 'veryfast', bitrateKbps: 4500 },
    },
    { logger: benchLogger },
  );
  let pipelineCpu: number | null = null;
  engine.start();
  try {
    await rtmp.waitForPublisher('live', 'program', 20_000);
    await waitFor(() => (engine.status().sources.find((s) => s.key === 'camera:1')?.frames ?? 0) > 30, {
      timeoutMs: 20_000,
      what: 'camera frames',
    });
    await sleep(WARMUP_MS);
    const before = engine.status().playout.lateTicks;
    const compositeBefore = engine.status().playout.compositeMsTotal;
    const m = await measureWindow(process.pid, [sim.pid, rtmp.pid]);
    const compositeMs = engine.status().playout.compositeMsTotal - compositeBefore;
    console.log(
      `    of which composite() in the playout: ${(compositeMs / (SECONDS * 10)).toFixed(1)} % (wall time)`,
    );
    pipelineCpu = m.cpuPercent;
    const lateTicks = engine.status().playout.lateTicks - before;
    console.log(
      `pipeline (node + ${m.pids - 1} child processes): ${pipelineCpu.toFixed(1)} % CPU over ${SECONDS} s, ` +
        `${lateTicks} late ticks in the window`,
    );
  } catch (error) {
    console.log(`pipeline failed: ${(error as Error).message}`);
  } finally {
    await engine.stop();
  }

  const ratio = baselineCpu !== null && pipelineCpu !== null ? pipelineCpu / baselineCpu : null;
  emit([
    figure(BENCH, 'plain ffmpeg CPU (1 core = 100 %)', baselineCpu, '%'),
    figure(BENCH, 'pipeline CPU (node + children)', pipelineCpu, '%'),
    figure(BENCH, 'pipeline / ffmpeg CPU ratio', ratio, '', { op: '<=', limit: 1.15 }),
  ]);
});
