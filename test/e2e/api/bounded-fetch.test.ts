// Issue 14: a data server cannot take the appliance down through the builder's preview. A real
// HTTP server on 127.0.0.1 answers a dynamic_text's data_url with 200 MB (fast, and slowly),
// never, a byte at a time, or a 600 KB value; a logo URL serves a real 10000 × 10000 PNG. Through
// POST /api/timelines/preview-frame (the real app, as the route tests build it) each answer is a
// frame with a clear notice (or capped text), this process's memory stays within 100 MB of where
// it was, and /api/health answers within 200 ms while the preview waits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCanvas } from '@napi-rs/canvas';
import type { LightMyRequestResponse } from 'fastify';
import type { CameraMedia } from '../../../src/cameras/probe.ts';
import { PREVIEW_DATA_TIMEOUT_MS } from '../../../src/preview/pictures.ts';
import { createApiHarness, healthWaitMs, type ApiHarness } from '../../helpers/api.ts';
import { blackPng } from '../../helpers/big-png.ts';
import { startHostileServer, type HostileServer } from '../../helpers/hostile-server.ts';

/** What a user tolerates for the health answer while the appliance is busy. */
const HEALTH_DEADLINE_MS = 200;
const RSS_BUDGET_BYTES = 100 * 1024 * 1024;

async function greenJpeg(): Promise<Buffer> {
  const canvas = createCanvas(320, 180);
  const g = canvas.getContext('2d');
  g.fillStyle = '#10c020';
  g.fillRect(0, 0, 320, 180);
  return canvas.encode('jpeg', 90);
}

function documentWith(cameraId: number, overlay: Record<string, unknown>) {
  return {
    timeline: {
      name: 'Bounded data',
      duration: 60,
      fps: 30,
      resolution: '1280x720',
      tracks: {
        video: {
          track_id: 'video',
          type: 'video',
          cues: [
            {
              id: 'cam',
              start_time: 0,
              duration: 60,
              action: 'show_camera',
              params: { camera_id: cameraId },
            },
          ],
        },
        overlays: [
          {
            track_id: 'top',
            type: 'overlay',
            layer: 1,
            cues: [{ id: 'ov', start_time: 0, duration: 60, action: 'show_overlay', params: overlay }],
          },
        ],
      },
    },
  };
}

interface Observed {
  response: LightMyRequestResponse;
  notices: string[];
  overlays: string;
  healthMs: number[];
  rssGrowth: number;
}

describe('bounded fetches through the preview frame (real HTTP servers, real app)', () => {
  let api: ApiHarness;
  let server: HostileServer;
  let cameraId = 0;
  const media: CameraMedia = {
    test: () => Promise.reject(new Error('not used')),
    snapshot: () => greenJpeg(),
  };

  before(async () => {
    server = await startHostileServer({ image: await blackPng(10000, 10000) });
    api = await createApiHarness({ cameraMedia: media });
    await api.signIn();
    cameraId = api.store.cameras.create({ name: 'Dock', stream_url: 'rtsp://10.0.0.8/dock' }).id;
  });
  after(async () => {
    await api.close();
    await server.close();
  });

  /**
   * Asks for a preview frame with `overlay`, checking /api/health every 20 ms while it is drawn
   * and sampling this process's RSS; `meanwhile` runs once the data server has the request (a
   * test advances the fake clock there to reach a time limit).
   */
  async function preview(
    overlay: Record<string, unknown>,
    path: string,
    meanwhile?: () => Promise<void>,
  ): Promise<Observed> {
    globalThis.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const arrived = server.nextRequest(path);
    let done = false;
    const request = api
      .call('POST', '/api/timelines/preview-frame', { document: documentWith(cameraId, overlay), at: 5 })
      .finally(() => (done = true));
    const healthMs: number[] = [];
    const probing = (async () => {
      healthMs.push(await healthWaitMs(api, 0));
      while (!done) healthMs.push(await healthWaitMs(api, 20));
    })();
    await arrived;
    await meanwhile?.();
    const response = await request;
    await probing;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(response.statusCode, 200, response.body);
    return {
      response,
      notices: JSON.parse(decodeURIComponent(String(response.headers['x-preview-notices']))) as string[],
      overlays: decodeURIComponent(String(response.headers['x-preview-overlays'])),
      healthMs,
      rssGrowth: peak - baseline,
    };
  }

  function assertResponsive(observed: Observed): void {
    assert.ok(observed.healthMs.length >= 1, 'health was asked while the preview was drawn');
    const slowest = Math.max(...observed.healthMs);
    assert.ok(
      slowest < HEALTH_DEADLINE_MS,
      `/api/health took ${slowest.toFixed(0)} ms (${observed.healthMs.length} asks)`,
    );
    assert.ok(
      observed.rssGrowth < RSS_BUDGET_BYTES,
      `RSS grew by ${(observed.rssGrowth / 1024 / 1024).toFixed(0)} MB`,
    );
  }

  const dynamicText = (path: string) => ({
    type: 'dynamic_text',
    template: 'Sea: {text}',
    data_url: `${server.base}${path}?token=secret`,
    poll_interval: 30,
  });

  it('a good data source: the text is drawn and nothing is said', async () => {
    const observed = await preview(dynamicText('/calm-json'), '/calm-json');
    assert.deepEqual(observed.notices, []);
    assert.equal(observed.overlays, 'ov');
  });

  for (const path of ['/huge-fast', '/huge-slow']) {
    it(`200 MB ${path === '/huge-fast' ? 'as fast as it goes' : 'slowly'}: a notice names the 64 kB limit; the server was cut off`, async () => {
      const observed = await preview(dynamicText(path), path);
      assertResponsive(observed);
      assert.equal(observed.notices.length, 1, JSON.stringify(observed.notices));
      assert.match(
        observed.notices[0]!,
        new RegExp(
          `^Overlay "ov" is drawn without its data from ${server.base}${path}\\?token=\\*{4}: the answer is larger than the limit of 64 kB\\. Point it at a smaller answer`,
        ),
      );
      assert.ok(!observed.notices[0]!.includes('secret'), 'the token in the query is never shown');
      assert.equal(observed.overlays, 'ov', 'the overlay is still drawn (its fields as "—")');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const written = server.written.get(path) ?? 0;
      assert.ok(
        written < 16 * 1024 * 1024,
        `the server wrote ${(written / 1024 / 1024).toFixed(1)} MB of 200`,
      );
    });
  }

  for (const path of ['/never', '/dribble']) {
    it(`a server that ${path === '/never' ? 'never answers' : 'sends a byte every 50 ms'}: the time limit ends the wait; health answers meanwhile`, async () => {
      const observed = await preview(dynamicText(path), path, async () => {
        // The preview waits for the data: health is asked a few times before its time limit.
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 60));
        api.clock.advance(PREVIEW_DATA_TIMEOUT_MS);
      });
      assertResponsive(observed);
      assert.ok(observed.healthMs.length >= 3, `${observed.healthMs.length} health answers while waiting`);
      assert.deepEqual(observed.notices, [
        `Overlay "ov" is drawn without its data from ${server.base}${path}?token=****: no complete answer within 3 s. ` +
          'Check the server at that address is up and answers quickly (open it in a browser on the venue’s network); the last good value stays on air meanwhile.',
      ]);
    });
  }

  it('a 600 KB JSON value is refused at the 64 kB limit', async () => {
    const observed = await preview(dynamicText('/big-json'), '/big-json');
    assertResponsive(observed);
    assert.match(
      observed.notices[0] ?? '',
      /\/big-json\?token=\*{4}: the answer is larger than the limit of 64 kB\./,
    );
  });

  it('a 60 kB value under the limit is drawn capped to 200 characters, and the notice says so', async () => {
    const observed = await preview(dynamicText('/long-json'), '/long-json');
    assertResponsive(observed);
    assert.equal(observed.overlays, 'ov');
    assert.deepEqual(observed.notices, [
      'Overlay "ov" has more text than an overlay draws: it shows the first 200 characters (at most 8 lines), ending in "…".',
    ]);
  });

  it('a 10000 × 10000 PNG as a logo URL is refused by its header, as an upload is', async () => {
    const observed = await preview(
      { type: 'logo', image_url: `${server.base}/image.png`, position: 'top_right' },
      '/image.png',
    );
    assertResponsive(observed);
    assert.equal(observed.overlays, '', 'no logo drawn');
    assert.deepEqual(observed.notices, [
      `Overlay "ov" cannot be drawn: the image at ${server.base}/image.png is 10000 × 10000 pixels (100 megapixels): ` +
        'more than the limit of 8192 pixels on a side and 40 megapixels. Scale the picture down to at most 8192 pixels ' +
        'on a side and 40 megapixels (the program’s own size, such as 1920×1080, is plenty), then use it again.',
    ]);
  });

  it('an image URL that sends 200 MB is cut off at 16 MB', async () => {
    const observed = await preview({ type: 'logo', image_url: `${server.base}/huge-fast` }, '/huge-fast');
    assertResponsive(observed);
    assert.match(
      observed.notices[0] ?? '',
      /the image at http:\/\/127\.0\.0\.1:\d+\/huge-fast could not be loaded: the answer is larger than the limit of 16 MB\./,
    );
  });
});
