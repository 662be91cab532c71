// Issue 14: a 40-megapixel overlay picture cannot delay the playout. The real engine (a simulated
// RTSP camera, its decoder ffmpeg, the encoder, an HLS preview as output) plays a 640×360 show at
// 30 fps with two 8000×5000 pictures full of noise: a logo fetched by URL from an HTTP server on
// 127.0.0.1 (blue, a 12 MB JPEG) and a lower third whose template is a library asset (green, a
// 75 MB PNG). Both go on air mid-show and the lower third's text is edited three times (each edit
// renders it again). Drawing such a picture scaled on the main thread held the event loop 60–90 ms
// per render: this test saw 2 late ticks (3 under VISTTER_TEST_CPU_LOAD=2) before the picture
// thread (src/engine/overlays/picture-fit.ts) took that work.
//
// The playout writes a tick it ran too late for as a repeat of the next one (the engine's late
// ticks): here, a frame number skipped between two ticks it reports. The machine is shared, so a
// tick can be late because the kernel ran other processes. A late tick is the overlays' doing when
// the playout's own thread was on the CPU for more than a tick interval since the tick before (its
// thread CPU time from /proc: the picture thread's time is not the playout's). Those must be 0;
// the wall-clock count is reported beside them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine, type ProgramPicture } from '../../../src/engine/index.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline, overlayTrack } from '../../helpers/timelines.ts';
import { regionMeans, withTimeout, type Rect } from './helpers.ts';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 30;
const TICK_MS = 1000 / FPS;
const SHOW_SECONDS = 16;
const ASSET_ID = 7;
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** CPU time (ms) of this process's main thread, where the playout runs. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ; // utime, stime
}

/** An 8000×5000 picture of `colour` with strong per-pixel noise (slow to decode and to scale). */
function makeBigPicture(path: string, colour: string, extraArgs: string[]): void {
  const made = spawnSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-y', '-f', 'lavfi'],
      ...['-i', `color=c=${colour}:s=8000x5000,noise=alls=20:allf=t`],
      ...['-frames:v', '1', ...extraArgs, path],
    ],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
}

function meansAt(picture: ProgramPicture, rect: Rect): { y: number; u: number; v: number } {
  return regionMeans(picture.data, picture.width, picture.height, rect);
}

describe('engine end to end: 40-megapixel overlay pictures make no tick late', () => {
  const dir = tempDir('vistter-e2e-big-image-');
  let sim: CameraSim | undefined;
  let server: Server | undefined;
  let logoRequests = 0;
  let logoUrl = '';

  before(async () => {
    makeBigPicture(join(dir.path, 'logo.jpg'), '0x1E40E5', ['-q:v', '5']);
    makeBigPicture(join(dir.path, 'template.png'), '0x20C040', ['-pix_fmt', 'rgb24']);
    const logo = readFileSync(join(dir.path, 'logo.jpg'));
    assert.ok(logo.length < 16 * 1024 * 1024, `the logo fits the URL limit: ${logo.length} bytes`);
    server = createServer((_req, res) => {
      logoRequests++;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': logo.length });
      res.end(logo);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    logoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logo.jpg`;
    sim = await startCameraSim({ cameras: 1, width: WIDTH, height: HEIGHT, fps: FPS });
  });

  after(async () => {
    await stopAllSupervised();
    await sim?.stop();
    await new Promise((resolve) => server?.close(resolve));
    dir.cleanup();
  });

  it('both pictures go on air, the text is edited three times, and no tick is late', async (t) => {
    const camera = sim!.cameras[0]!;
    const timeline = cameraTimeline({
      name: 'Big pictures',
      duration: SHOW_SECONDS,
      fps: FPS,
      resolution: `${WIDTH}x${HEIGHT}`,
      cues: [{ camera: 1, start: 0, duration: SHOW_SECONDS }],
      overlays: [
        overlayTrack('logos', 1, {
          id: 'logo',
          start_time: 4,
          duration: SHOW_SECONDS - 4,
          params: { type: 'logo', image_url: logoUrl, position: 'top_right', scale: 0.02 },
        }),
        overlayTrack('names', 2, {
          id: 'name',
          start_time: 6,
          duration: SHOW_SECONDS - 6,
          params: {
            type: 'lower_third',
            text: 'Harbour live',
            asset_id: ASSET_ID,
            position: 'bottom_left',
            font_size: 20,
          },
        }),
      ],
    });

    const ticks: Array<{ second: number; late: number; busyMs: number }> = [];
    let lastFrame: number | null = null;
    let cpuAtLastTick = mainThreadCpuMs();
    let onAirBoth = false;
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map([[1, { kind: 'url' as const, name: camera.name, url: camera.url }]]),
        destinations: [],
        previewDir: join(dir.path, 'hls'),
        mediaRoot: dir.path,
        assetPath: (id) => (id === ASSET_ID ? join(dir.path, 'template.png') : null),
        encoder: { preset: 'veryfast' },
      },
      {
        logger: createLogger('e2e'),
        onTick: (state, latenessMs) => {
          const cpu = mainThreadCpuMs();
          // Frames passed over since the tick before were written late, as repeats of this one.
          const missed = lastFrame === null ? 0 : Math.max(0, state.frame - lastFrame - 1);
          lastFrame = state.frame;
          const late = missed + (latenessMs > TICK_MS ? 1 : 0);
          ticks.push({ second: state.frame / FPS, late, busyMs: cpu - cpuAtLastTick });
          cpuAtLastTick = cpu;
          onAirBoth = state.overlays.length === 2;
        },
      },
    );
    const logoRect: Rect = { x: WIDTH - 32 - 160 + 8, y: 18 + 8, w: 144, h: 84 };
    let before: ProgramPicture | null;
    try {
      engine.start();
      const waitUntil = async (second: number): Promise<void> => {
        await withTimeout(
          (async () => {
            while ((ticks.at(-1)?.second ?? 0) < second) await new Promise((r) => setTimeout(r, 50));
          })(),
          60_000,
          `program second ${second}`,
        );
      };
      await waitUntil(3);
      const picture = engine.programPicture();
      before = picture && { ...picture, data: picture.data.slice() };
      for (const [second, text] of [
        [9, 'Anna Berg, harbour master'],
        [10.5, 'Live from the pier'],
        [12, 'Harbour live, day two'],
      ] as const) {
        await waitUntil(second);
        await engine.setOverlayText('name', text);
      }
      await waitUntil(14);
      assert.ok(onAirBoth, 'both overlays are on air');
      const status = engine.status();
      const onAir = engine.programPicture();
      assert.ok(before && onAir, 'program pictures');
      const camBefore = meansAt(before, logoRect);
      const logoThere = meansAt(onAir, logoRect);
      t.diagnostic(`logo area before ${JSON.stringify(camBefore)}, on air ${JSON.stringify(logoThere)}`);
      // The blue logo: chroma U well above neutral, V below; the camera's colour was elsewhere.
      assert.ok(
        logoThere.u > 170 && logoThere.v < 120,
        `the blue logo is drawn: ${JSON.stringify(logoThere)}`,
      );
      assert.ok(Math.abs(camBefore.u - logoThere.u) > 30, 'the logo changed the picture');
      // The green lower third at the bottom left (its template fills the bar; the text is white).
      const nameRect: Rect = { x: 32 + 8, y: HEIGHT - 18 - 40, w: 100, h: 30 };
      const nameBefore = meansAt(before, nameRect);
      const nameThere = meansAt(onAir, nameRect);
      t.diagnostic(
        `lower third area before ${JSON.stringify(nameBefore)}, on air ${JSON.stringify(nameThere)}`,
      );
      assert.ok(
        nameThere.v < 110 && nameThere.u < 115,
        `the green lower third is drawn: ${JSON.stringify(nameThere)}`,
      );
      assert.ok(Math.abs(nameBefore.v - nameThere.v) > 40, 'the lower third changed the picture');
      assert.equal(engine.overlayText('name'), 'Harbour live, day two');
      assert.ok(logoRequests >= 1, 'the logo was fetched by URL');

      const watched = ticks.filter((tick) => tick.second >= 2);
      const sum = (list: typeof watched): number => list.reduce((total, tick) => total + tick.late, 0);
      const report = {
        ticks: watched.length,
        late: sum(watched),
        lateWhileBusy: sum(watched.filter((tick) => tick.busyMs > TICK_MS)),
        maxBusyMs: Math.round(Math.max(...watched.map((tick) => tick.busyMs))),
        engineLateTicksWholeShow: status.playout.lateTicks,
      };
      t.diagnostic(`ticks ${JSON.stringify(report)}`);
      assert.ok(watched.length > 10 * FPS, `ticks watched: ${watched.length}`);
      assert.equal(report.lateWhileBusy, 0, `late ticks: ${JSON.stringify(report)}`);
    } finally {
      await engine.stop();
    }
  });
});
