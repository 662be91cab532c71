// Issue 14: a 40-megapixel logo cannot stall the API through the builder's preview. A real HTTP
// server on 127.0.0.1 serves an 8000×5000 JPEG full of noise (blue); POST
// /api/timelines/preview-frame (the real app, as the route tests build it) draws it as a logo
// while /api/health is asked every 20 ms: each answer within 200 ms, and the logo is in the frame.
// Drawing it scaled on the main thread held the event loop: health then waited up to 97–117 ms at
// each preview (here, on a shared machine); with the picture thread
// (src/engine/overlays/picture-fit.ts) about 20 ms the first time and 1 ms once it is fitted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { CameraMedia } from '../../../src/cameras/probe.ts';
import { createApiHarness, healthWaitMs, type ApiHarness } from '../../helpers/api.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cameraTimeline, overlayTrack } from '../../helpers/timelines.ts';

/** What a user tolerates for the health answer while the appliance is busy. */
const HEALTH_DEADLINE_MS = 200;

async function greyJpeg(): Promise<Buffer> {
  const canvas = createCanvas(320, 180);
  const g = canvas.getContext('2d');
  g.fillStyle = '#808080';
  g.fillRect(0, 0, 320, 180);
  return canvas.encode('jpeg', 90);
}

function documentWith(cameraId: number, logoUrl: string) {
  return {
    timeline: cameraTimeline({
      name: 'Big logo',
      duration: 60,
      fps: 30,
      resolution: '1280x720',
      cues: [{ camera: cameraId, start: 0, duration: 60 }],
      overlays: [
        overlayTrack('top', 1, {
          id: 'ov',
          start_time: 0,
          duration: 60,
          // 8000 × 0.04 = 320 × 200 at the top right of the 1280×720 program.
          params: { type: 'logo', image_url: logoUrl, position: 'top_right', scale: 0.04 },
        }),
      ],
    }),
  };
}

describe('the builder preview with a 40-megapixel logo by URL (real HTTP server, real app)', () => {
  const dir = tempDir('vistter-e2e-preview-big-');
  let api: ApiHarness;
  let server: Server;
  let logoUrl = '';
  let cameraId = 0;
  const media: CameraMedia = {
    test: () => Promise.reject(new Error('not used')),
    snapshot: () => greyJpeg(),
  };

  before(async () => {
    const path = join(dir.path, 'logo.jpg');
    const made = spawnSync(
      'ffmpeg',
      [
        ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x1E40E5:s=8000x5000,noise=alls=20:allf=t'],
        ...['-frames:v', '1', '-q:v', '5', path],
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const logo = readFileSync(path);
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': logo.length });
      res.end(logo);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    logoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logo.jpg`;
    api = await createApiHarness({ cameraMedia: media });
    await api.signIn();
    cameraId = api.store.cameras.create({ name: 'Dock', stream_url: 'rtsp://10.0.0.8/dock' }).id;
  });
  after(async () => {
    await api.close();
    await new Promise((resolve) => server.close(resolve));
    dir.cleanup();
  });

  for (const round of ['first', 'second (the fitted logo is reused)']) {
    it(`${round} preview: the logo is drawn and /api/health answers within ${HEALTH_DEADLINE_MS} ms meanwhile`, async (t) => {
      let done = false;
      const started = performance.now();
      const request = api
        .call('POST', '/api/timelines/preview-frame', { document: documentWith(cameraId, logoUrl), at: 5 })
        .finally(() => (done = true));
      const healthMs: number[] = [];
      const probing = (async () => {
        do healthMs.push(await healthWaitMs(api, 20));
        while (!done);
      })();
      const response = await request;
      await probing;
      const previewMs = performance.now() - started;
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(decodeURIComponent(String(response.headers['x-preview-overlays'])), 'ov');
      const slowest = Math.max(...healthMs);
      t.diagnostic(
        `preview ${previewMs.toFixed(0)} ms; ${healthMs.length} health answers, slowest ${slowest.toFixed(0)} ms`,
      );
      assert.ok(healthMs.length >= 1, 'health was asked while the preview was drawn');
      assert.ok(slowest < HEALTH_DEADLINE_MS, `/api/health took ${slowest.toFixed(0)} ms`);

      // The 640×360 JPEG: the logo's middle is blue, the camera beside it grey.
      const frame = await loadImage(response.rawPayload);
      const canvas = createCanvas(frame.width, frame.height);
      const g = canvas.getContext('2d');
      g.drawImage(frame, 0, 0);
      const at = (x: number, y: number) => [...g.getImageData(x, y, 1, 1).data];
      const [r, , b] = at(Math.round(frame.width * 0.825), Math.round(frame.height * 0.19));
      assert.ok(b! > 180 && r! < 90, `the logo is blue in the frame: ${at(528, 68).join(',')}`);
      const [gr, gg, gb] = at(Math.round(frame.width * 0.3), Math.round(frame.height * 0.6));
      assert.ok(Math.abs(gr! - gb!) < 20 && Math.abs(gr! - gg!) < 20, 'the camera is grey elsewhere');
    });
  }
});
