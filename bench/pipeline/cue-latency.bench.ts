// Cue latency (issue #3): the frame at which a change is visible in the output minus the frame it
// was scheduled for; target 0. A short 320x180 show on two simulated RTSP cameras (solid red and
// green) with cuts at known frames is recorded to a local .flv (the recorder attaches before the
// first frame); every recorded frame is decoded, identified by its mean colour and matched to the
// show frame it carries (pts × fps, checked against the frame's position and the tick count).
//
//   npx tsx bench/pipeline/cue-latency.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/index.ts';
import { startCameraSim } from '../../test/helpers/camera-sim.ts';
import {
  decodeAllFrames,
  identifySource,
  videoFrameTimes,
  yuvMeans,
  type PaletteEntry,
} from '../../test/helpers/media-probe.ts';
import { waitFor } from '../../test/helpers/proc.ts';
import { emit, figure } from '../lib/report.ts';
import { benchLogger, cameraTimeline, urlCameras, withCleanup } from './common.ts';

const W = 320;
const H = 180;
const FPS = 30;
const BENCH = 'cue latency';
/** Cuts: [second, camera]. Camera 2 is pre-rolled (decoding) long before its cue. */
const CUTS: readonly [number, number][] = [
  [4, 2],
  [6, 1],
  [7, 2],
];
const DURATION = 9;

const dir = mkdtempSync(join(tmpdir(), 'vistter-bench-cue-'));
await withCleanup(async (defer) => {
  defer(async () => rmSync(dir, { recursive: true, force: true }));
  const sim = await startCameraSim({ cameras: 2, width: W, height: H, fps: FPS });
  defer(() => sim.stop());

  const cues = [{ camera: 1, start: 0, duration: CUTS[0]![0] }];
  CUTS.forEach(([at, camera], i) =>
    cues.push({ camera, start: at, duration: (CUTS[i + 1]?.[0] ?? DURATION) - at }),
  );
  const timeline = cameraTimeline({
    name: 'bench cue latency',
    duration: DURATION,
    fps: FPS,
    resolution: `${W}x${H}`,
    cues,
  });
  const recordPath = join(dir, 'program.flv');
  let ended = false;
  const engine = await Engine.create(
    {
      timeline,
      cameras: urlCameras(sim.urls),
      destinations: [],
      recordPath,
      mediaRoot: dir,
      encoder: { preset: 'veryfast', bitrateKbps: 800 },
    },
    {
      logger: benchLogger,
      onEnded: () => {
        ended = true;
      },
    },
  );
  engine.start();
  try {
    await waitFor(() => ended, {
      timeoutMs: (DURATION + 20) * 1000,
      intervalMs: 100,
      what: 'the show to end',
    });
  } finally {
    await engine.stop();
  }
  const ticks = engine.status().playout.ticks;

  const { frames } = await decodeAllFrames(recordPath, W, H);
  const pts = await videoFrameTimes(recordPath);
  const palette: PaletteEntry[] = sim.palette;
  const names = sim.cameras.map((c) => c.name); // cam1, cam2
  const who = frames.map((f) => identifySource(yuvMeans(f, W, H), palette).name);
  // Show frame of each recorded frame. The recording starts at show frame 0 (the recorder attaches
  // before the first tick), so when it holds exactly one frame per tick, recorded frame i is show
  // frame i. Cross-check with the timestamps relative to the first one (FLV pts start at the
  // H.264 B-frame delay, not 0) and report a mismatch.
  const firstPts = pts[0] ?? 0;
  const byPts = pts.map((t) => Math.round((t - firstPts) * FPS));
  const ptsAgree = byPts.length === frames.length && byPts.every((n, i) => n === i);
  const showFrame = frames.length === ticks ? frames.map((_, i) => i) : byPts;
  console.log(
    `ticks written ${ticks}, frames recorded ${frames.length}, timestamps ${pts.length}` +
      ` (first pts ${firstPts.toFixed(3)} s = ${Math.round(firstPts * FPS)} frames of B-frame delay),` +
      ` timestamps agree with positions: ${ptsAgree}; frame index from ` +
      (frames.length === ticks ? 'position' : 'timestamps'),
  );

  const latencies: number[] = [];
  let from = 0;
  for (const [at, camera] of CUTS) {
    const scheduled = at * FPS;
    const name = names[camera - 1]!;
    // First frame (after the previous change) showing the new camera.
    let index = -1;
    for (let i = from; i < who.length; i++) {
      if (who[i] === name) {
        index = i;
        break;
      }
    }
    if (index < 0) {
      console.log(`cut to ${name} at frame ${scheduled}: never visible`);
      continue;
    }
    const visible = showFrame[index] ?? index;
    const before = who[index - 1] ?? 'none';
    console.log(
      `cut to ${name} scheduled at frame ${scheduled}: first visible at frame ${visible} ` +
        `(previous frame showed ${before ?? 'neither camera'}) → latency ${visible - scheduled} frames`,
    );
    latencies.push(visible - scheduled);
    from = index + 1;
  }
  const worst =
    latencies.length === CUTS.length
      ? latencies.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0)
      : null;
  emit([
    figure(BENCH, `recorded frames vs ticks (${ticks})`, frames.length - ticks, 'frames', {
      op: '==',
      limit: 0,
    }),
    figure(BENCH, `cue latency, worst of ${CUTS.length} cuts`, worst, 'frames', { op: '==', limit: 0 }),
  ]);
});
