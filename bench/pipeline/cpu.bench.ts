// Pipeline CPU vs. plain ffmpeg (issue #13 item 6), on realistic camera content: one RTSP camera
// looping a pre-encoded clip (testsrc2 with moving detail and temporal sensor noise, H.264 High at
// 4 Mbit/s, 2 s keyframes, AAC) at 1920×1080@30 and at 1280×720@30, in the same run. Per size:
// a plain ffmpeg (camera → libx264 with the engine's own encoder options and preset → AAC → FLV →
// local nginx-rtmp), then the engine (decoder → playout → encoder → one RTMP publisher) on a
// one-cue timeline of the camera's size and rate, at the same x264 preset.
// CPU = CPU seconds of the process tree over a steady-state window / wall seconds of it, 100 % =
// one core. A baseline under half a core is not realistic content: the run is marked invalid.
//
//   npx tsx bench/pipeline/cpu.bench.ts [--window 30] [--preset veryfast] [--sizes 1080,720]
//   npx tsx bench/pipeline/cpu.bench.ts 10          (a bare number is the window)
import type { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Engine } from '../../src/engine/index.ts';
import { FFMPEG_BIN, profileSettings } from '../../src/ffmpeg/argv.ts';
import { startCameraSim } from '../../test/helpers/camera-sim.ts';
import { spawnGroup, stopGroup, tail, waitFor } from '../../test/helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../test/helpers/rtmp-server.ts';
import { benchClip } from '../lib/clips.ts';
import { processArgv, RoleCpu, treeCpu, type ProcessRole, type TreeSample } from '../lib/procfs.ts';
import { emit, figure, sleep, type Figure } from '../lib/report.ts';
import {
  benchLogger,
  cameraTimeline,
  engineEncoderOutputArgs,
  plainFfmpegArgs,
  urlCameras,
  withCleanup,
} from './common.ts';

const { values: options, positionals } = parseArgs({
  options: {
    window: { type: 'string' },
    preset: { type: 'string', default: 'veryfast' },
    sizes: { type: 'string', default: '1080,720' },
  },
  allowPositionals: true,
});
const WINDOW_SECONDS = Number(options.window ?? positionals[0] ?? 30);
const PRESET = options.preset;
const WARMUP_MS = 3000;
const FPS = 30;
const BITRATE_KBPS = profileSettings('reliability').bitrateKbps;
/** Below half a core the "camera" is too easy to encode for the ratio to mean anything. */
const MIN_BASELINE_PERCENT = 50;
/** A side that encodes under this share of real time did less than the job (above its inverse:
 *  it was catching up a backlog, more than the job). */
const MIN_REAL_TIME = 0.97;
const BENCH = 'pipeline CPU';

interface Size {
  label: string;
  width: number;
  height: number;
  /** Target for pipeline ÷ ffmpeg CPU at this size (issue #13). */
  maxRatio: number;
}
const SIZES: Record<string, Size> = {
  '1080': { label: '1080p30', width: 1920, height: 1080, maxRatio: 1.15 },
  '720': { label: '720p30', width: 1280, height: 720, maxRatio: 1.1 },
};
const sizes = options.sizes.split(',').map((key) => {
  const size = SIZES[key.trim()];
  if (!size) throw new Error(`unknown size ${key}: use ${Object.keys(SIZES).join(', ')}`);
  return size;
});
if (!Number.isFinite(WINDOW_SECONDS) || WINDOW_SECONDS <= 0) throw new Error('--window: seconds > 0');

/** The breakdown's rows, in this order; other roles (if any) follow. */
const ROLES: readonly ProcessRole[] = ['encoder', 'camera decoder', 'Node', 'slate', 'publisher'];

interface Window {
  cpuPercent: number;
  byRole: Map<ProcessRole, number>;
  wallSec: number;
  /** kbit/s that reached nginx in the window. */
  deliveredKbps: number | null;
  /** Why this window does not measure the full job in real time (then its figure is off). */
  problems: string[];
}

const load = (): string => loadavg()[0]!.toFixed(2);

async function streamBytes(rtmp: RtmpServer, key: string): Promise<number | null> {
  const stream = (await rtmp.streams()).find((s) => s.app === 'live' && s.name === key);
  return stream?.bytesIn ?? null;
}

async function measureWindow(
  root: number,
  exclude: number[],
  rtmp: RtmpServer,
  key: string,
): Promise<Window> {
  const bytes0 = await streamBytes(rtmp, key);
  const a = treeCpu(root, exclude);
  const roles = new RoleCpu(root, exclude);
  const t0 = performance.now();
  const end = t0 + WINDOW_SECONDS * 1000;
  for (let now = t0; now < end; now = performance.now()) {
    await sleep(Math.min(1000, end - now));
    roles.sample();
  }
  const b = treeCpu(root, exclude);
  const wallSec = (performance.now() - t0) / 1000;
  const byRole = roles.result();
  const bytes1 = await streamBytes(rtmp, key);
  printProcesses(a, b, wallSec);
  for (const [role, sec] of byRole) byRole.set(role, (sec / wallSec) * 100);
  return {
    cpuPercent: ((b.cpuSec - a.cpuSec) / wallSec) * 100,
    byRole,
    wallSec,
    deliveredKbps: bytes0 !== null && bytes1 !== null ? ((bytes1 - bytes0) * 8) / 1000 / wallSec : null,
    problems: [],
  };
}

function printProcesses(a: TreeSample, b: TreeSample, wallSec: number): void {
  const before = new Map(a.processes.map((p) => [p.pid, p.cpuSec]));
  for (const p of b.processes) {
    const used = p.cpuSec - (before.get(p.pid) ?? 0);
    console.log(`    ${p.label}: ${((used / wallSec) * 100).toFixed(1)} %`);
  }
}

/** Frames ffmpeg has encoded, from its -progress output. */
function progressFrames(child: ChildProcess): () => number {
  let frames = 0;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = /^frame=(\d+)/.exec(line);
    if (m) frames = Number(m[1]);
  });
  return () => frames;
}

interface SizeResult {
  size: Size;
  baseline: Window | null;
  pipeline: Window | null;
  /** The engine's encoder ran with exactly the baseline's output options. */
  sameEncoderOptions: boolean | null;
}

async function measureBaseline(size: Size, url: string, rtmp: RtmpServer): Promise<Window | null> {
  const key = `baseline-${size.label}`;
  const args = plainFfmpegArgs(url, rtmp.url('live', key), {
    width: size.width,
    height: size.height,
    fps: FPS,
    preset: PRESET,
    bitrateKbps: BITRATE_KBPS,
    progress: true,
  });
  console.log(`baseline: ffmpeg ${args.join(' ')}`);
  const child = spawnGroup(FFMPEG_BIN, args);
  const stderr = tail(child.stderr);
  const frames = progressFrames(child);
  try {
    await rtmp.waitForPublisher('live', key, 20_000);
    await sleep(WARMUP_MS);
    console.log(`  window starts, load average ${load()}`);
    const frames0 = frames();
    const w = await measureWindow(child.pid!, [], rtmp, key);
    const fps = (frames() - frames0) / w.wallSec;
    console.log(
      `  ${size.label} plain ffmpeg: ${w.cpuPercent.toFixed(1)} % of a core over ${w.wallSec.toFixed(1)} s, ` +
        `${fps.toFixed(1)} fps encoded, ${w.deliveredKbps?.toFixed(0) ?? '?'} kbit/s at nginx, load average ${load()}`,
    );
    if (fps < FPS * MIN_REAL_TIME || fps > FPS / MIN_REAL_TIME)
      w.problems.push(
        `plain ffmpeg encoded ${fps.toFixed(1)} fps, not ${FPS}` +
          (fps > FPS ? ' (catching up a backlog)' : ' (falling behind)'),
      );
    return w;
  } catch (error) {
    console.log(`  baseline failed: ${(error as Error).message}\n${stderr()}`);
    return null;
  } finally {
    await stopGroup(child, 'SIGINT', 3000);
  }
}

async function measureEngine(
  size: Size,
  url: string,
  rtmp: RtmpServer,
  exclude: number[],
): Promise<{ window: Window | null; sameEncoderOptions: boolean | null }> {
  const key = `engine-${size.label}`;
  const timeline = cameraTimeline({
    name: `bench cpu ${size.label}`,
    duration: WINDOW_SECONDS + 60,
    fps: FPS,
    resolution: `${size.width}x${size.height}`,
    cues: [{ camera: 1, start: 0, duration: WINDOW_SECONDS + 60 }],
  });
  const engine = await Engine.create(
    {
      timeline,
      cameras: urlCameras([url]),
      destinations: [{ id: 'd1', name: 'local nginx', platform: 'custom', url: rtmp.url('live', key) }],
      mediaRoot: process.cwd(),
      encoder: { videoEncoder: 'libx264', preset: PRESET, bitrateKbps: BITRATE_KBPS },
      // Same settings throughout: a step down would measure a different job than the baseline's.
      degrade: { enabled: false },
    },
    { logger: benchLogger },
  );
  engine.start();
  try {
    await rtmp.waitForPublisher('live', key, 20_000);
    await waitFor(() => (engine.status().sources.find((s) => s.key === 'camera:1')?.frames ?? 0) > 30, {
      timeoutMs: 20_000,
      what: 'camera frames',
    });
    await sleep(WARMUP_MS);
    const sameEncoderOptions = checkEncoderOptions(size);
    const before = engine.status();
    console.log(`  window starts, load average ${load()}`);
    const w = await measureWindow(process.pid, exclude, rtmp, key);
    const after = engine.status();
    const compositeMs = after.playout.compositeMsTotal - before.playout.compositeMsTotal;
    const written = after.encoder.framesWritten - before.encoder.framesWritten;
    const dropped = after.encoder.framesDropped - before.encoder.framesDropped;
    const late = after.playout.lateTicks - before.playout.lateTicks;
    const restarts = after.encoder.restarts - before.encoder.restarts;
    const compositePercent = (compositeMs / 1000 / w.wallSec) * 100;
    console.log(`    of which composite() in the playout: ${compositePercent.toFixed(1)} % (wall time)`);
    console.log(
      `  ${size.label} pipeline: ${w.cpuPercent.toFixed(1)} % of a core over ${w.wallSec.toFixed(1)} s, ` +
        `${(written / w.wallSec).toFixed(1)} fps to the encoder, ${dropped} dropped, ${late} late ticks, ` +
        `${restarts} encoder restarts, ${w.deliveredKbps?.toFixed(0) ?? '?'} kbit/s at nginx, load average ${load()}`,
    );
    if (written < FPS * MIN_REAL_TIME * w.wallSec)
      w.problems.push(`engine wrote ${(written / w.wallSec).toFixed(1)} fps to its encoder, not ${FPS}`);
    if (dropped > 0) w.problems.push(`engine dropped ${dropped} frames before the encoder`);
    if (restarts > 0) w.problems.push(`engine encoder restarted ${restarts} times`);
    return { window: w, sameEncoderOptions };
  } catch (error) {
    console.log(`  pipeline failed: ${(error as Error).message}`);
    return { window: null, sameEncoderOptions: null };
  } finally {
    await engine.stop();
  }
}

/** Compares the running engine encoder's output options with the baseline's (same builder). */
function checkEncoderOptions(size: Size): boolean | null {
  const expected = engineEncoderOutputArgs({
    width: size.width,
    height: size.height,
    fps: FPS,
    preset: PRESET,
    bitrateKbps: BITRATE_KBPS,
  });
  const encoder = treeCpu(process.pid).processes.find((p) => p.role === 'encoder');
  const argv = encoder ? processArgv(encoder.pid) : null;
  if (!argv) {
    console.log('  (engine encoder not found: its options are not checked)');
    return null;
  }
  const from = argv.indexOf('-c:v');
  const actual = argv.slice(from, from + expected.length);
  const same = from >= 0 && actual.join(' ') === expected.join(' ');
  console.log(
    same
      ? `  engine encoder: ${actual.slice(0, 4).join(' ')} … same output options as the baseline`
      : `  WARNING: the engine's encoder options differ from the baseline's:\n    engine:   ${actual.join(' ')}\n    baseline: ${expected.join(' ')}`,
  );
  return same;
}

/** Why a size's comparison is invalid (empty: valid). */
function invalidBecause(r: SizeResult): string[] {
  const why: string[] = [];
  if (!r.baseline) why.push('plain ffmpeg not measured');
  else if (r.baseline.cpuPercent < MIN_BASELINE_PERCENT)
    why.push(
      `plain ffmpeg used ${r.baseline.cpuPercent.toFixed(1)} % of a core, under ${MIN_BASELINE_PERCENT} %: ` +
        'content too easy to encode (or the machine too busy)',
    );
  if (!r.pipeline) why.push('pipeline not measured');
  why.push(...(r.baseline?.problems ?? []), ...(r.pipeline?.problems ?? []));
  if (r.sameEncoderOptions === false) why.push("the engine's encoder options differ from the baseline's");
  return why;
}

function figuresFor(r: SizeResult): Figure[] {
  const s = r.size.label;
  const base = r.baseline?.cpuPercent ?? null;
  const pipe = r.pipeline?.cpuPercent ?? null;
  const ratio = base !== null && pipe !== null ? pipe / base : null;
  const ratioFigure = figure(BENCH, `${s} pipeline / ffmpeg CPU ratio`, ratio, '', {
    op: '<=',
    limit: r.size.maxRatio,
  });
  const invalid = invalidBecause(r);
  if (invalid.length > 0) {
    ratioFigure.name += ' — INVALID run';
    ratioFigure.pass = false;
    ratioFigure.note = invalid.join('; ');
  }
  const out: Figure[] = [
    figure(BENCH, `${s} plain ffmpeg CPU (1 core = 100 %)`, base, '%', {
      op: '>=',
      limit: MIN_BASELINE_PERCENT,
    }),
    figure(BENCH, `${s} pipeline CPU (node + children)`, pipe, '%'),
    figure(
      BENCH,
      `${s} engine overhead per camera`,
      base !== null && pipe !== null ? pipe - base : null,
      '%',
    ),
    ratioFigure,
  ];
  if (r.pipeline) {
    const roles = [...ROLES, ...[...r.pipeline.byRole.keys()].filter((role) => !ROLES.includes(role))];
    for (const role of roles)
      out.push(figure(BENCH, `${s} pipeline: ${role}`, r.pipeline.byRole.get(role) ?? 0, '%'));
  }
  return out;
}

await withCleanup(async (defer) => {
  console.log(
    `window ${WINDOW_SECONDS} s after ${WARMUP_MS / 1000} s warm-up, x264 preset ${PRESET}, ` +
      `${BITRATE_KBPS} kbit/s, load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const clips = await Promise.all(
    sizes.map((s) => benchClip({ width: s.width, height: s.height, fps: FPS })),
  );
  const sim = await startCameraSim({
    cameras: sizes.map((s, i) => ({ name: `cam${s.label}`, clip: clips[i]! })),
  });
  defer(() => sim.stop());
  const rtmp = await startRtmpServer({ record: false });
  defer(() => rtmp.destroy());

  const results: SizeResult[] = [];
  for (const [i, size] of sizes.entries()) {
    const url = sim.urls[i]!;
    console.log(`\n--- ${size.label}: camera ${url} loops ${clips[i]!.split('/').pop()}`);
    const leftovers = treeCpu(process.pid, [sim.pid, rtmp.pid]).processes.filter((p) =>
      p.label.includes('ffmpeg'),
    );
    if (leftovers.length > 0)
      console.log(`  WARNING: processes left from the last run: ${leftovers.map((p) => p.label).join(', ')}`);
    const baseline = await measureBaseline(size, url, rtmp);
    const { window: pipeline, sameEncoderOptions } = await measureEngine(size, url, rtmp, [
      sim.pid,
      rtmp.pid,
    ]);
    const result: SizeResult = { size, baseline, pipeline, sameEncoderOptions };
    results.push(result);
    const invalid = invalidBecause(result);
    if (invalid.length > 0) console.log(`\n!!! INVALID ${size.label} RUN: ${invalid.join('; ')} !!!\n`);
  }

  console.log(
    `\nload average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const r of results) {
    const b = r.baseline?.cpuPercent;
    const p = r.pipeline?.cpuPercent;
    if (b === undefined || p === undefined) continue;
    const parts = ROLES.map((role) => `${role} ${(r.pipeline!.byRole.get(role) ?? 0).toFixed(1)}`).join(', ');
    const invalid = invalidBecause(r);
    console.log(
      `${r.size.label}: ffmpeg ${b.toFixed(1)} %, pipeline ${p.toFixed(1)} % (${parts}), ` +
        `overhead ${(p - b).toFixed(1)} % of a core, ratio ${(p / b).toFixed(3)} (target ≤ ${r.size.maxRatio})` +
        (invalid.length > 0 ? `  INVALID: ${invalid.join('; ')}` : ''),
    );
  }
  emit(results.flatMap(figuresFor));
});
