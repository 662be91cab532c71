// The show holds under CPU pressure (issue 13, "How it is checked"): two CPU-bound processes run
// beside a 1280×720 show for a minute, as on a Raspberry Pi 5 encoding in software. The capacity
// check measures the machine as it is (busy) and the show starts where it fits, as GO LIVE does.
// At both destinations: one publish for the whole show; the largest decode-timestamp step at most
// 1.5 frame intervals; program time within 1 % of the wall clock in every 10 s window (a viewer
// following the stream); no black frame; the first frame is the first cue's camera; the sponsor's
// overlay on air in every frame.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine } from '../../../src/engine/index.ts';
import { runCapacityCheck } from '../../../src/engine/quality/capacity.ts';
import { buildLadder } from '../../../src/engine/quality/ladder.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import { startCameraSim } from '../../helpers/camera-sim.ts';
import { startCpuLoad } from '../../helpers/cpu-load.ts';
import { identifySource, readPackets, yuvMeans } from '../../helpers/media-probe.ts';
import { delay } from '../../helpers/proc.ts';
import { startRtmpServer } from '../../helpers/rtmp-server.ts';
import { programRates, startStreamClock } from '../../helpers/stream-readers.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const FPS = 30;
const SHOW_SECONDS = 60;
/** Frames are checked at this size: whatever size degraded mode chose, one scale fits all. */
const CHECK_W = 160;
const CHECK_H = 90;

/** Every frame of a recording, scaled to CHECK_W × CHECK_H (yuv420p), in presentation order. */
async function smallFrames(path: string): Promise<Buffer[]> {
  const size = (CHECK_W * CHECK_H * 3) / 2;
  const data = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        path,
        '-map',
        '0:v:0',
        '-fps_mode',
        'passthrough',
        '-vf',
        `scale=${CHECK_W}:${CHECK_H}`,
      ].concat(['-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1']),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg ${code}`)),
    );
  });
  const frames: Buffer[] = [];
  for (let at = 0; at + size <= data.length; at += size) frames.push(data.subarray(at, at + size));
  return frames;
}

/** Mean U and V of a region of a small frame (chroma plane coordinates are half of these). */
function regionChroma(
  frame: Buffer,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): { u: number; v: number } {
  const cw = CHECK_W / 2;
  const uPlane = CHECK_W * CHECK_H;
  const vPlane = uPlane + (CHECK_W * CHECK_H) / 4;
  let u = 0;
  let v = 0;
  let n = 0;
  for (let y = y0 / 2; y < y1 / 2; y++)
    for (let x = x0 / 2; x < x1 / 2; x++) {
      u += frame[uPlane + y * cw + x]!;
      v += frame[vPlane + y * cw + x]!;
      n++;
    }
  return { u: u / n, v: v / n };
}

describe('the show under CPU pressure', () => {
  const dir = tempDir('vistter-pressure-');
  after(async () => {
    await stopAllSupervised();
    dir.cleanup();
  });

  it('holds: one publish, no timestamp step over 1.5 frames, program time on the wall clock, overlays on air', async () => {
    const [sim, rtmp] = await Promise.all([
      startCameraSim({ cameras: 2, width: 1280, height: 720 }),
      startRtmpServer({ apps: ['live'] }),
    ]);
    // Two CPU-bound processes beside the show, counting those the test runner already started
    // (VISTTER_TEST_CPU_LOAD, npm run test:loaded): the scenario is two, not two more.
    const more = Math.max(0, 2 - Number(process.env['VISTTER_TEST_CPU_LOAD'] || 0));
    const load = more > 0 ? await startCpuLoad(more) : { stop: async () => undefined };
    let engine: Engine | undefined;
    const clocks: ReturnType<typeof startStreamClock>[] = [];
    try {
      await delay(2000); // the load is the machine's normal state before the show starts
      const timeline = cameraTimeline({
        name: 'pressure',
        duration: 600,
        fps: FPS,
        resolution: '1280x720',
        cues: [
          { camera: 1, start: 0, duration: 30 },
          { camera: 2, start: 30, duration: 570 },
        ],
        overlays: [
          {
            track_id: 'sponsor',
            type: 'overlay',
            layer: 1,
            cues: [
              {
                id: 'sponsor',
                start_time: 0,
                duration: 600,
                action: 'show_overlay',
                params: {
                  type: 'text',
                  text: 'SPONSOR',
                  position: { x: 0, y: 0 },
                  font_size: 64,
                  color: '#FF00FF',
                  background: '#FF00FF',
                },
              },
            ],
          },
        ],
      });
      // What pre-flight does: measure the machine as it is now, start where the show fits.
      const ladder = buildLadder({ preset: 'veryfast', fps: FPS, width: 1280, height: 720 });
      const capacity = await runCapacityCheck({ ladder, cameras: 2, bitrateKbps: 2500 });
      console.log(`capacity: ${capacity.summary}`);
      engine = await Engine.create(
        {
          timeline,
          cameras: new Map([
            [1, { kind: 'url' as const, name: 'cam1', url: sim.urls[0]! }],
            [2, { kind: 'url' as const, name: 'cam2', url: sim.urls[1]! }],
          ]),
          destinations: [
            { id: 'a', name: 'nginx a', platform: 'custom', url: rtmp.url('live', 'a') },
            { id: 'b', name: 'nginx b', platform: 'custom', url: rtmp.url('live', 'b') },
          ],
          mediaRoot: dir.path,
          encoder: { preset: 'veryfast', bitrateKbps: 2500 },
          degrade: { startLevel: capacity.chosenIndex },
        },
        { logger: createLogger('pressure') },
      );
      engine.start();
      await rtmp.waitForPublisher('live', 'a', 20_000);
      await rtmp.waitForPublisher('live', 'b', 20_000);
      clocks.push(startStreamClock(rtmp.url('live', 'a')), startStreamClock(rtmp.url('live', 'b')));
      const levels = new Set<string>();
      for (let s = 0; s < SHOW_SECONDS; s++) {
        await delay(1000);
        levels.add(engine.status().quality.levelDescription);
      }
      const status = engine.status();
      console.log(
        `levels on air: ${[...levels].join(' | ')}; skipped ${status.playout.skippedTicks}, ` +
          `late ${status.playout.lateTicks}, encoder dropped ${status.encoder.framesDropped}; ` +
          `load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
      );
    } finally {
      for (const clock of clocks) await clock.stop();
      await engine?.stop();
      await load.stop();
    }
    await rtmp.waitForNoPublisher('live', 'a');
    await rtmp.waitForNoPublisher('live', 'b');
    try {
      for (const key of ['a', 'b']) {
        const files = rtmp.recordings('live').filter((f) => f.includes(`/${key}-`));
        assert.equal(
          files.length,
          1,
          `destination ${key}: one publish for the whole show (${files.join(', ')})`,
        );
        const file = files[0]!;

        // Timestamps: never back, no step over 1.5 frame intervals of the rate delivered.
        const video = (await readPackets(file, 'v')).map((p) => p.dts * 1000);
        const steps = video.slice(1).map((t, i) => t - video[i]!);
        const interval = [...steps].sort((x, y) => x - y)[Math.floor(steps.length / 2)]!;
        const largest = Math.max(...steps);
        console.log(
          `destination ${key}: ${video.length} frames, frame interval ${interval.toFixed(1)} ms, largest step ${largest.toFixed(1)} ms`,
        );
        assert.ok(Math.min(...steps) >= 0, 'decode timestamps never go back');
        assert.ok(largest <= 1.5 * interval + 1, `largest step ${largest} ms > 1.5 × ${interval} ms`);

        // The pictures: the first is camera 1, none is black, the sponsor's box in every one.
        const frames = await smallFrames(file);
        // Luma and chroma of the lower part of the frame, away from the sponsor's box.
        const lower = (frame: Buffer) => {
          const w = CHECK_W;
          const rows = CHECK_H / 2;
          const band = Buffer.alloc((w * rows * 3) / 2);
          frame.copy(band, 0, w * rows, w * CHECK_H); // Y, lower half
          const cw = w / 2;
          const uAt = w * CHECK_H;
          const vAt = uAt + (w * CHECK_H) / 4;
          frame.copy(band, w * rows, uAt + (cw * rows) / 2, uAt + (w * CHECK_H) / 4);
          frame.copy(band, w * rows + (cw * rows) / 2, vAt + (cw * rows) / 2, vAt + (w * CHECK_H) / 4);
          return yuvMeans(band, w, rows);
        };
        assert.equal(
          identifySource(lower(frames[0]!), sim.palette).name,
          'cam1',
          'the first frame is the first cue’s camera',
        );
        const black = frames.findIndex((frame) => yuvMeans(frame, CHECK_W, CHECK_H).y < 30);
        assert.equal(black, -1, `frame ${black} is black`);
        const missing = frames.findIndex((frame) => {
          const { u, v } = regionChroma(frame, 2, 2, 30, 10);
          return !(u > 180 && v > 180); // magenta: strong blue and red difference
        });
        assert.equal(missing, -1, `the sponsor overlay is missing in frame ${missing}`);
      }

      // Program time at the viewers: within 1 % of the wall clock over every 10 s window.
      for (const clock of clocks) {
        const rates = programRates(clock.samples());
        const worst = Math.max(...rates.map((rate) => Math.abs(rate - 1)));
        console.log(
          `viewer: program time vs wall clock, worst 10 s window off by ${(worst * 100).toFixed(2)} % ` +
            `(${rates.length} windows, ratios ${Math.min(...rates).toFixed(3)}–${Math.max(...rates).toFixed(3)})`,
        );
        assert.ok(rates.length > 60, 'the viewer followed the whole show');
        assert.ok(worst <= 0.01, `program time ran ${(worst * 100).toFixed(2)} % off the wall clock`);
      }
    } finally {
      await Promise.all([sim.stop(), rtmp.destroy()]);
    }
  });
});
