// Issue 14: a dynamic_text's data source cannot delay the playout. The real overlay renderer (its
// DataPoller on the global fetch, the real Skia text renderer at 1280×720, the system clock) polls
// a real HTTP server on 127.0.0.1 that sends 200 MB fast or slowly, never answers, sends a byte at
// a time, or a 600 KB value, while a 30 fps loop ticks beside it the way the playout does, reading
// the overlay's bitmap every tick. A tick later than one frame interval is late (the playout's rule);
// the data source must cause none. (A 600 KB value once made 77 ticks late, up to 7.7 s.)
//
// The machine is shared (other tests' ffmpeg, benchmarks: a load of 9 on 2 cores was seen), so a
// tick can also be late because the kernel ran other processes. A late tick is the data source's
// doing when this process itself was busy for a frame interval before it: its CPU time since the
// previous tick (process.cpuUsage) was longer than one tick. Those must be 0; the wall-clock count
// is reported beside them. (The old code fails this: 17.5 s of CPU on one tick for 600 KB.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../../src/core/clock.ts';
import { OverlayRenderer, type OverlayRendererOptions } from '../../../src/engine/overlays/cache.ts';
import { MAX_OVERLAY_TEXT_CHARS, renderOverlay } from '../../../src/engine/overlays/render.ts';
import { OverlayParamsSchema } from '../../../src/timeline/schema.ts';
import { startHostileServer, type HostileServer } from '../../helpers/hostile-server.ts';

const FPS = 30;
const TICK_MS = 1000 / FPS;

const silent = {
  warn: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  error: () => undefined,
} as unknown as NonNullable<OverlayRendererOptions['logger']>;

interface TickReport {
  ticks: number;
  /** Later than one tick interval on the wall clock. */
  late: number;
  /** Late, with this process busy (on the CPU) for more than a tick interval since the tick before. */
  lateWhileBusy: number;
  maxLatenessMs: number;
  maxBusyMs: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Ticks at 30 fps for `durationMs`, each on its own due time; a tick passed over is skipped. */
function tickFor(durationMs: number, onTick: () => void): Promise<TickReport> {
  const start = performance.now();
  const report: TickReport = { ticks: 0, late: 0, lateWhileBusy: 0, maxLatenessMs: 0, maxBusyMs: 0 };
  let next = 0;
  let cpuAtLastTick = cpuMs();
  return new Promise((resolve) => {
    const step = () => {
      const now = performance.now();
      const cpu = cpuMs();
      const busy = cpu - cpuAtLastTick;
      cpuAtLastTick = cpu;
      const lateness = now - (start + next * TICK_MS);
      report.ticks++;
      if (lateness > TICK_MS) {
        report.late++;
        if (busy > TICK_MS) report.lateWhileBusy++;
      }
      report.maxLatenessMs = Math.max(report.maxLatenessMs, lateness);
      report.maxBusyMs = Math.max(report.maxBusyMs, busy);
      onTick();
      next = Math.floor((now - start) / TICK_MS) + 1;
      if (now - start >= durationMs) return resolve(report);
      setTimeout(step, Math.max(0, start + next * TICK_MS - performance.now()));
    };
    setTimeout(step, 0);
  });
}

describe('overlay data sources beside a ticking playout (real HTTP, real renderer)', () => {
  let server: HostileServer;
  before(async () => {
    server = await startHostileServer();
    // Fonts and Skia warm up on the first render: not what is measured here.
    await renderOverlay(OverlayParamsSchema.parse({ type: 'text', text: 'warm-up' }), {
      programWidth: 1280,
      programHeight: 720,
      loadImage: () => Promise.reject(new Error('no images here')),
    });
  });
  after(() => server.close());

  it('the tick loop sees a stalled event loop (the measure can fail)', async () => {
    const stall = setTimeout(() => {
      const until = performance.now() + 150;
      while (performance.now() < until); // a render that blocks for 150 ms
    }, 200);
    const report = await tickFor(500, () => undefined);
    clearTimeout(stall);
    assert.ok(report.lateWhileBusy >= 1, JSON.stringify(report));
  });

  const cases: Array<{ path: string; what: string; error: RegExp | null }> = [
    { path: '/huge-fast', what: '200 MB as fast as it goes', error: /larger than the limit of 64 kB/ },
    { path: '/huge-slow', what: '200 MB slowly', error: /larger than the limit of 64 kB/ },
    { path: '/never', what: 'no answer ever', error: /no complete answer within 1 s/ },
    { path: '/dribble', what: 'a byte every 50 ms', error: /no complete answer within 1 s/ },
    { path: '/big-json', what: 'a 600 KB value', error: /larger than the limit of 64 kB/ },
    { path: '/long-json', what: 'a 60 kB value (drawn capped)', error: null },
  ];

  for (const { path, what, error } of cases) {
    it(`${what}: it makes no tick late over 3.5 s of polling every second`, async (t) => {
      const renderer = new OverlayRenderer({
        programWidth: 1280,
        programHeight: 720,
        clock: systemClock,
        timeZone: 'UTC',
        loadImage: () => Promise.reject(new Error('no images here')),
        logger: silent,
      });
      try {
        const params = OverlayParamsSchema.parse({
          type: 'dynamic_text',
          template: 'Sea: {text}',
          data_url: `${server.base}${path}`,
          poll_interval: 1,
          font_size: 48,
        });
        const requestsBefore = server.requests.get(path) ?? 0;
        await renderer.sync([{ cueId: 'sea', params }]);
        let drawn = 0;
        const report = await tickFor(3500, () => {
          if (renderer.get('sea')) drawn++; // what the compositor reads each tick
        });
        t.diagnostic(`ticks ${JSON.stringify(report)}`);
        assert.equal(report.lateWhileBusy, 0, `late ticks: ${JSON.stringify(report)}`);
        assert.equal(drawn, report.ticks, 'a bitmap was ready on every tick');
        assert.ok(
          (server.requests.get(path) ?? 0) - requestsBefore >= 2,
          'the source was polled again and again',
        );
        const source = renderer.health().dataSources[0]!;
        if (error) {
          assert.match(source.lastError ?? '', error);
          assert.equal(source.hasData, false);
          assert.equal(renderer.get('sea')!.rendered.text, 'Sea: —');
        } else {
          assert.equal(source.ok, true);
          const text = renderer.get('sea')!.rendered.text!;
          assert.equal([...text].length, MAX_OVERLAY_TEXT_CHARS);
          assert.ok(text.startsWith('Sea: www') && text.endsWith('…'), text.slice(0, 12));
        }
      } finally {
        renderer.close();
      }
    });
  }
});
