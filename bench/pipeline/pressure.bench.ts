// The show under CPU pressure (issue 13): four 1080p30 cameras with realistic content (moving
// detail and sensor noise, looped by the RTSP simulator) and two CPU-bound processes beside the
// appliance, as on a Raspberry Pi 5 encoding in software. What GO LIVE does: the capacity check
// measures the busy machine, the show starts where it fits, and degraded mode judges the show by
// its own symptoms from there. Figures (target in brackets):
//   - publishes per destination (1), program seconds ÷ wall seconds per 10 s window at a viewer
//     (1.00 ± 0.01), the largest decode-timestamp step at the destination (≤ 1.5 frame intervals);
//   - the level held over the last 60 s with the fps and size delivered, each step taken and why,
//     late / skipped / dropped ticks;
//   - a control run pinned one level above the one held: it must show the overload, so the level
//     held is not a needless retreat.
//
//   npx tsx bench/pipeline/pressure.bench.ts [--seconds 120] [--control 60]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Engine, type EngineStatus } from '../../src/engine/index.ts';
import { runCapacityCheck } from '../../src/engine/quality/capacity.ts';
import { buildLadder, describeLevel } from '../../src/engine/quality/ladder.ts';
import { startCameraSim } from '../../test/helpers/camera-sim.ts';
import { startCpuLoad } from '../../test/helpers/cpu-load.ts';
import { readPackets } from '../../test/helpers/media-probe.ts';
import { startRtmpServer, type RtmpServer } from '../../test/helpers/rtmp-server.ts';
import { programRates, startStreamClock } from '../../test/helpers/stream-readers.ts';
import { benchClip } from '../lib/clips.ts';
import { emit, figure, sleep, type Figure } from '../lib/report.ts';
import { benchLogger, cameraTimeline, urlCameras, withCleanup } from './common.ts';

const { values: options } = parseArgs({
  options: { seconds: { type: 'string', default: '120' }, control: { type: 'string', default: '60' } },
});
const SHOW_SECONDS = Number(options.seconds);
const CONTROL_SECONDS = Number(options.control);
const FPS = 30;
const CAMERAS = 4;
const BITRATE_KBPS = 4500;
const BENCH = 'pressure';
const DESTINATIONS = ['a', 'b'];

const timeline = cameraTimeline({
  name: 'pressure bench',
  duration: 3600,
  fps: FPS,
  resolution: '1920x1080',
  // Each camera 10 s, then a 1 s dissolve to the next, round and round.
  cues: Array.from({ length: 360 }, (_, i) => ({
    camera: (i % CAMERAS) + 1,
    start: i * 10,
    duration: 10,
    ...(i > 0 ? { transition: 'dissolve' as const, transitionSeconds: 1 } : {}),
  })),
  overlays: [
    {
      track_id: 'sponsor',
      type: 'overlay',
      layer: 1,
      cues: [
        {
          id: 'sponsor',
          start_time: 0,
          duration: 3600,
          action: 'show_overlay',
          params: { type: 'text', text: 'Marina Sponsor', position: 'top_left', background: '#000000AA' },
        },
      ],
    },
    {
      track_id: 'clock',
      type: 'overlay',
      layer: 2,
      cues: [
        {
          id: 'clock',
          start_time: 0,
          duration: 3600,
          action: 'show_overlay',
          params: { type: 'dynamic_text', template: '{time}', position: 'bottom_right' },
        },
      ],
    },
  ],
});

interface RunResult {
  publishes: Record<string, number>;
  ratios: number[];
  largestStepMs: number;
  frameIntervalMs: number;
  deliveredFps: number;
  size: string;
  levelsLast60: string[];
  changes: string[];
  status: EngineStatus;
  ticks: number;
}

async function runShow(
  label: string,
  urls: string[],
  rtmp: RtmpServer,
  seconds: number,
  degrade: { startLevel: number } | { pinnedLevel: number },
): Promise<RunResult> {
  const before = new Map(
    DESTINATIONS.map((d) => [d, rtmp.recordings('live').filter((f) => f.includes(`/${label}${d}-`)).length]),
  );
  const engine = await Engine.create(
    {
      timeline,
      cameras: urlCameras(urls),
      destinations: DESTINATIONS.map((d) => ({
        id: d,
        name: `nginx ${d}`,
        platform: 'custom' as const,
        url: rtmp.url('live', `${label}${d}`),
      })),
      mediaRoot: process.cwd(),
      encoder: { bitrateKbps: BITRATE_KBPS },
      degrade,
    },
    { logger: benchLogger },
  );
  const levels: { at: number; level: string }[] = [];
  const clock = startStreamClock(rtmp.url('live', `${label}${DESTINATIONS[0]}`));
  let status: EngineStatus;
  const t0 = Date.now();
  engine.start();
  try {
    for (const d of DESTINATIONS) await rtmp.waitForPublisher('live', `${label}${d}`, 30_000);
    while (Date.now() - t0 < seconds * 1000) {
      await sleep(1000);
      const s = engine.status();
      levels.push({
        at: Date.now(),
        level: `${s.quality.levelDescription}, ${s.quality.bitrateKbps} kbit/s`,
      });
    }
    status = engine.status();
  } finally {
    await clock.stop();
    await engine.stop();
  }
  for (const d of DESTINATIONS) await rtmp.waitForNoPublisher('live', `${label}${d}`);
  const publishes: Record<string, number> = {};
  for (const d of DESTINATIONS)
    publishes[d] =
      rtmp.recordings('live').filter((f) => f.includes(`/${label}${d}-`)).length - (before.get(d) ?? 0);
  const file = rtmp
    .recordings('live')
    .filter((f) => f.includes(`/${label}${DESTINATIONS[0]}-`))
    .at(-1)!;
  const video = (await readPackets(file, 'v')).map((p) => p.dts * 1000);
  const steps = video.slice(1).map((t, i) => t - video[i]!);
  const interval = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)] ?? NaN;
  const lastMinute = video.filter((t) => t >= video.at(-1)! - 60_000);
  const end = Date.now();
  return {
    publishes,
    ratios: programRates(clock.samples()),
    largestStepMs: Math.max(...steps),
    frameIntervalMs: interval,
    deliveredFps: (lastMinute.length - 1) / ((lastMinute.at(-1)! - lastMinute[0]!) / 1000),
    size: `${status.quality.format.width}×${status.quality.format.height}`,
    levelsLast60: [...new Set(levels.filter((l) => l.at >= end - 60_000).map((l) => l.level))],
    changes: status.quality.changes.map((c) => c.sentence),
    status,
    ticks: status.playout.ticks,
  };
}

await withCleanup(async (defer) => {
  console.log(
    `load average at start ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
  const clip = await benchClip({ width: 1920, height: 1080, fps: FPS });
  const sim = await startCameraSim({
    cameras: Array.from({ length: CAMERAS }, (_, i) => ({ name: `cam${i + 1}`, clip })),
    width: 1920,
    height: 1080,
    fps: FPS,
    nice: 19, // the cameras stand in for other devices
  });
  defer(() => sim.stop());
  const rtmp = await startRtmpServer({ apps: ['live'] });
  defer(() => rtmp.destroy());
  const load = await startCpuLoad(2);
  defer(() => load.stop());
  await sleep(2000);

  const ladder = buildLadder({ preset: 'fast', fps: FPS, width: 1920, height: 1080 });
  console.log(`ladder: ${ladder.map(describeLevel).join(' → ')}`);
  // Three decoders at a time: the camera on air, the next one pre-rolled, the last one lingering.
  const capacity = await runCapacityCheck({ ladder, cameras: 3, bitrateKbps: BITRATE_KBPS });
  console.log(`capacity check (${(capacity.durationMs / 1000).toFixed(1)} s): ${capacity.summary}`);
  for (const verdict of capacity.tried)
    console.log(`  ${verdict.accepted ? 'fits' : 'too much'}: ${verdict.reason}`);

  console.log(
    `\n--- main run: ${SHOW_SECONDS} s, degraded mode on, starting at ${describeLevel(capacity.chosen)}`,
  );
  const main = await runShow('main', sim.urls, rtmp, SHOW_SECONDS, { startLevel: capacity.chosenIndex });
  const held = main.status.quality.level;
  console.log(`publishes: ${JSON.stringify(main.publishes)}`);
  console.log(`program ÷ wall per 10 s window: ${main.ratios.map((r) => r.toFixed(3)).join(' ')}`);
  console.log(
    `level over the last 60 s: ${main.levelsLast60.join(' | ')}; delivered ${main.deliveredFps.toFixed(2)} fps at ${main.size}`,
  );
  console.log(`steps taken: ${main.changes.length === 0 ? 'none' : main.changes.join('\n  ')}`);
  const s = main.status;
  console.log(
    `ticks ${s.playout.ticks}, late ${s.playout.lateTicks}, skipped ${s.playout.skippedTicks}, ` +
      `dropped before the encoder ${s.encoder.framesDropped}; largest step ${main.largestStepMs.toFixed(1)} ms ` +
      `(frame interval ${main.frameIntervalMs.toFixed(1)} ms)`,
  );

  const figures: Figure[] = [];
  const worst = main.ratios.length > 0 ? Math.max(...main.ratios.map((r) => Math.abs(r - 1))) : null;
  for (const d of DESTINATIONS)
    figures.push(
      figure(BENCH, `publishes at destination ${d}`, main.publishes[d] ?? 0, '', { op: '==', limit: 1 }),
    );
  figures.push(
    figure(BENCH, 'program ÷ wall, worst 10 s window, off by', worst === null ? null : worst * 100, '%', {
      op: '<=',
      limit: 1,
    }),
    figure(BENCH, 'largest timestamp step ÷ frame interval', main.largestStepMs / main.frameIntervalMs, '', {
      op: '<=',
      limit: 1.5,
    }),
    figure(BENCH, 'late ticks', s.playout.lateTicks, ''),
    figure(
      BENCH,
      'ticks dropped (skipped + before the encoder)',
      s.playout.skippedTicks + s.encoder.framesDropped,
      '',
    ),
    figure(BENCH, `level held over the last 60 s (index; ${main.levelsLast60.join(' | ')})`, held, ''),
    figure(BENCH, 'fps delivered over the last 60 s', main.deliveredFps, 'fps'),
    figure(BENCH, 'steps taken', main.changes.length, ''),
  );

  if (held === 0) {
    console.log('\n--- control run: none (the level held is the operator’s ceiling)');
  } else {
    const above = held - 1;
    console.log(
      `\n--- control run: ${CONTROL_SECONDS} s pinned one level higher, at ${describeLevel(ladder[above]!)}`,
    );
    const control = await runShow('control', sim.urls, rtmp, CONTROL_SECONDS, { pinnedLevel: above });
    const c = control.status;
    const dropped = c.playout.skippedTicks + c.encoder.framesDropped;
    const worstControl =
      control.ratios.length > 0 ? Math.max(...control.ratios.map((r) => Math.abs(r - 1))) : null;
    const stepRatio = control.largestStepMs / control.frameIntervalMs;
    const symptoms = control.status.quality.symptoms.map((x) => x.words);
    console.log(
      `control: ticks ${c.playout.ticks}, late ${c.playout.lateTicks}, dropped ${dropped}, largest step ` +
        `${control.largestStepMs.toFixed(1)} ms (${stepRatio.toFixed(2)} frames), encoder lag ` +
        `${c.encoder.lagMs ?? 'n/a'} ms; symptoms: ${symptoms.join('; ') || 'none'}`,
    );
    const overload =
      dropped > 0.01 * c.playout.ticks ||
      stepRatio > 1.5 ||
      (worstControl ?? 0) > 0.01 ||
      symptoms.length > 0;
    figures.push(
      figure(BENCH, 'control run one level higher: ticks dropped', dropped, ''),
      figure(BENCH, 'control run one level higher: largest step ÷ frame interval', stepRatio, ''),
      figure(BENCH, 'control run one level higher shows the overload (1 = yes)', overload ? 1 : 0, '', {
        op: '==',
        limit: 1,
      }),
    );
  }
  console.log(
    `\nload average at end ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
  emit(figures);
});
