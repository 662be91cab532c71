// Four simulated 1080p30 RTSP cameras for 60 s (issue #3): a timeline cycling through them with
// 1 s dissolves, one RTMP destination. The cameras send realistic content (issue #13): each loops
// the benchmarks' pre-encoded clip (moving detail and sensor noise, 4 Mbit/s, 2 s keyframes, AAC),
// so decoding them costs what real cameras cost and serving them costs the simulator almost
// nothing. Figures: late ticks (playout stats), tick jitter p99 (lateness of each tick vs. its due
// time, timed in the engine's onTick), max RSS of the node process (sampled each second) and the
// children's total RSS.
//
//   npx tsx bench/pipeline/four-cameras.bench.ts [seconds]
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Engine } from '../../src/engine/index.ts';
import { startCameraSim } from '../../test/helpers/camera-sim.ts';
import { startRtmpServer } from '../../test/helpers/rtmp-server.ts';
import { benchClip } from '../lib/clips.ts';
import { childrenRssMb, RoleCpu, treeCpu } from '../lib/procfs.ts';
import { emit, figure, percentile, sleep } from '../lib/report.ts';
import { benchLogger, cameraTimeline, urlCameras, withCleanup, type CueSpec } from './common.ts';

const SECONDS = Number(process.argv[2] ?? 60);
const FPS = 30;
const CUE_SECONDS = 10;
const BENCH = '4 cameras 1080p30';

await withCleanup(async (defer) => {
  const clip = await benchClip({ width: 1920, height: 1080, fps: FPS });
  const sim = await startCameraSim({
    cameras: [1, 2, 3, 4].map((n) => ({ name: `cam${n}`, clip })),
    nice: 19,
  });
  defer(() => sim.stop());
  const rtmp = await startRtmpServer({ record: false });
  defer(() => rtmp.destroy());

  const cues: CueSpec[] = [];
  for (let start = 0, i = 0; start < SECONDS; start += CUE_SECONDS, i++) {
    cues.push({
      camera: (i % 4) + 1,
      start,
      duration: CUE_SECONDS,
      ...(i > 0 ? { transition: 'dissolve' as const, transitionSeconds: 1 } : {}),
    });
  }
  const timeline = cameraTimeline({
    name: 'bench 4 cameras',
    duration: SECONDS,
    fps: FPS,
    resolution: '1920x1080',
    cues,
  });

  // Tick times as seen by onTick (right after the tick's composite and write). Lateness of tick n
  // = its time − (time of tick 0 + n / fps): the playout keeps its own due times on the same clock.
  const tickAt: number[] = [];
  let ended = false;
  const engine = await Engine.create(
    {
      timeline,
      cameras: urlCameras(sim.urls),
      destinations: [{ id: 'd1', name: 'local nginx', platform: 'custom', url: rtmp.url('live', 'program') }],
      mediaRoot: process.cwd(),
      encoder: { preset: 'veryfast' },
    },
    {
      logger: benchLogger,
      onTick: (state) => {
        tickAt[state.frame] = performance.now();
      },
      onEnded: () => {
        ended = true;
      },
    },
  );

  let maxRssMb = 0;
  let maxChildrenRssMb = 0;
  let maxBacklogFrames = 0;
  let samples = 0;
  const frameBytes = (1920 * 1080 * 3) / 2;
  const sampleRss = (): void => {
    const rss = process.memoryUsage().rss / 2 ** 20;
    const children = childrenRssMb(process.pid, [sim.pid, rtmp.pid]);
    const status = engine.status();
    const backlog = status.encoder.backlogBytes / frameBytes;
    maxRssMb = Math.max(maxRssMb, rss);
    maxChildrenRssMb = Math.max(maxChildrenRssMb, children);
    maxBacklogFrames = Math.max(maxBacklogFrames, backlog);
    if (samples++ % 5 === 0) {
      console.log(
        `  t=${String(Math.round((performance.now() - t0) / 1000)).padStart(2)} s  frame ${status.frame}` +
          `  late ${status.playout.lateTicks}  node RSS ${rss.toFixed(0)} MB  children RSS ${children.toFixed(0)} MB` +
          `  encoder stdin backlog ${backlog.toFixed(1)} frames  load ${loadavg()[0]!.toFixed(2)}`,
      );
    }
  };
  const cpu0 = treeCpu(process.pid, [sim.pid, rtmp.pid]).cpuSec;
  const roles = new RoleCpu(process.pid, [sim.pid, rtmp.pid]);
  const simCpu0 = treeCpu(sim.pid).cpuSec;
  const t0 = performance.now();
  engine.start();
  try {
    while (!ended && performance.now() - t0 < (SECONDS + 20) * 1000) {
      sampleRss();
      roles.sample();
      await sleep(1000);
    }
    sampleRss();
  } finally {
    const wall = (performance.now() - t0) / 1000;
    const cpuPercent = ((treeCpu(process.pid, [sim.pid, rtmp.pid]).cpuSec - cpu0) / wall) * 100;
    const byRole = [...roles.result()]
      .sort((a, b) => b[1] - a[1])
      .map(([role, sec]) => `${role} ${((sec / wall) * 100).toFixed(0)} %`);
    const simCpuPercent = ((treeCpu(sim.pid).cpuSec - simCpu0) / wall) * 100;
    const status = engine.status();
    await engine.stop();

    // Jitter: each tick's time minus its due time, with the due times anchored on the earliest
    // tick (the playout's own start instant is not visible through the Engine): 0 = as early as
    // the best tick, so this is lateness beyond the unavoidable timer + composite delay.
    const frameMs = 1000 / FPS;
    const expected = SECONDS * FPS;
    let anchor = Infinity;
    let missing = 0;
    for (let n = 0; n < expected; n++) {
      const at = tickAt[n];
      if (at === undefined) missing++;
      else anchor = Math.min(anchor, at - n * frameMs);
    }
    const lateness: number[] = [];
    const lateFrames: string[] = [];
    for (let n = 0; n < expected; n++) {
      const at = tickAt[n];
      if (at === undefined) continue;
      const late = at - (anchor + n * frameMs);
      lateness.push(late);
      if (late > frameMs) lateFrames.push(`#${n} ${late.toFixed(1)} ms`);
    }
    if (lateFrames.length > 0)
      console.log(`ticks later than one frame: ${lateFrames.slice(0, 20).join(', ')}`);
    const p = status.playout;
    console.log(
      `ticks ${p.ticks} (expected ${SECONDS * FPS}), late ${p.lateTicks}, playout max lateness ` +
        `${p.maxLatenessMs.toFixed(2)} ms, substituted (slate/black) frames ${p.substitutedFrames}, ` +
        `composite mean ${(p.compositeMsTotal / Math.max(1, p.ticks)).toFixed(3)} ms, ` +
        `engine tree CPU ${cpuPercent.toFixed(0)} %, camera simulator CPU ${simCpuPercent.toFixed(0)} % ` +
        `(${cpus().length} cores = ${cpus().length * 100} %), load average ${loadavg()[0]!.toFixed(2)}`,
    );
    console.log(`  engine tree CPU by role: ${byRole.join(', ')}`);
    for (const s of status.sources)
      console.log(`  source ${s.key}: ${s.frames} frames, ${s.restarts} restarts`);
    emit([
      figure(BENCH, 'late ticks (engine stats)', p.lateTicks, '', { op: '==', limit: 0 }),
      figure(BENCH, 'skipped ticks (frames never written)', missing, '', { op: '==', limit: 0 }),
      figure(BENCH, 'tick jitter p99', lateness.length ? percentile(lateness, 99) : null, 'ms', {
        op: '<=',
        limit: 5,
      }),
      figure(BENCH, 'tick jitter max', lateness.length ? Math.max(...lateness) : null, 'ms'),
      figure(BENCH, 'playout max lateness (engine stats)', p.maxLatenessMs, 'ms'),
      figure(BENCH, 'node max RSS', maxRssMb, 'MB', { op: '<=', limit: 250 }),
      figure(BENCH, 'children max total RSS', maxChildrenRssMb, 'MB'),
      figure(BENCH, 'encoder stdin backlog max', maxBacklogFrames, 'frames'),
      figure(BENCH, 'frames substituted by slate', p.substitutedFrames, ''),
    ]);
  }
});
