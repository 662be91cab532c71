// The builder's preview frame: POST /api/timelines/preview-frame renders what the program shows
// at a moment of an unsaved timeline. The camera is faked (a solid-colour JPEG made here, or a
// refusal); the slate, the overlays and the compositor are the real ones. Pixels are checked on
// the decoded JPEG: the camera colour, the lower third's bar, the slate's bars.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { CameraMedia } from '../../../src/cameras/probe.ts';
import { AppError } from '../../../src/errors/registry.ts';
import { videoFrameArgs } from '../../../src/preview/pictures.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';

async function solidJpeg(color: string, width = 320, height = 180): Promise<Buffer> {
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = color;
  g.fillRect(0, 0, width, height);
  return canvas.encode('jpeg', 95);
}

interface Decoded {
  width: number;
  height: number;
  /** Mean RGB over a rectangle given in fractions of the frame. */
  mean(x0: number, y0: number, x1: number, y1: number): [number, number, number];
}

async function decode(jpeg: Buffer): Promise<Decoded> {
  const image = await loadImage(jpeg);
  const canvas = createCanvas(image.width, image.height);
  const g = canvas.getContext('2d');
  g.drawImage(image, 0, 0);
  const { data } = g.getImageData(0, 0, image.width, image.height);
  return {
    width: image.width,
    height: image.height,
    mean(x0, y0, x1, y1) {
      const sum = [0, 0, 0];
      let n = 0;
      for (let y = Math.floor(y0 * image.height); y < Math.floor(y1 * image.height); y++)
        for (let x = Math.floor(x0 * image.width); x < Math.floor(x1 * image.width); x++) {
          const p = (y * image.width + x) * 4;
          sum[0]! += data[p]!;
          sum[1]! += data[p + 1]!;
          sum[2]! += data[p + 2]!;
          n++;
        }
      return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
    },
  };
}

function documentWith(cameraId: number, overrides: Record<string, unknown> = {}) {
  return {
    timeline: {
      name: 'Preview test',
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
              duration: 30,
              action: 'show_camera',
              params: { camera_id: cameraId },
            },
          ],
        },
        overlays: [
          {
            track_id: 'names',
            type: 'overlay',
            layer: 1,
            cues: [
              {
                id: 'name',
                start_time: 5,
                duration: 10,
                action: 'show_overlay',
                params: { type: 'lower_third', text: 'Harbour live', position: 'bottom_left' },
              },
            ],
          },
        ],
      },
      ...overrides,
    },
  };
}

describe('timeline preview frame route', () => {
  let api: ApiHarness;
  let green = 0;
  let broken = 0;
  const snapshots: string[] = [];
  const media: CameraMedia = {
    test: () => Promise.reject(new Error('not used')),
    async snapshot(url) {
      snapshots.push(url);
      if (url.includes('broken'))
        throw new AppError('CAMERA_UNREACHABLE', 'the camera did not answer at 10.0.0.9:554');
      return solidJpeg('#10c020');
    },
  };

  before(async () => {
    api = await createApiHarness({ cameraMedia: media });
    await api.signIn();
    green = api.store.cameras.create({ name: 'Green cam', stream_url: 'rtsp://10.0.0.8/green' }).id;
    broken = api.store.cameras.create({ name: 'Dock', stream_url: 'rtsp://10.0.0.9/broken' }).id;
  });
  after(() => api.close());

  it('needs a signed-in user', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/timelines/preview-frame',
      payload: { document: documentWith(green), at: 0 },
    });
    assert.equal(response.statusCode, 401);
  });

  it('shows the camera with the lower third on air at that moment, at the asked width', async () => {
    const response = await api.call('POST', '/api/timelines/preview-frame', {
      document: documentWith(green),
      at: 8,
      width: 640,
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['content-type'], 'image/jpeg');
    assert.equal(response.headers['x-preview-frame'], '240');
    assert.equal(decodeURIComponent(String(response.headers['x-preview-video'])), `camera ${green}`);
    assert.equal(decodeURIComponent(String(response.headers['x-preview-overlays'])), 'name');
    assert.deepEqual(JSON.parse(decodeURIComponent(String(response.headers['x-preview-notices']))), []);
    const frame = await decode(response.rawPayload);
    assert.equal(frame.width, 640);
    assert.equal(frame.height, 360);
    // The top of the frame is the camera's green.
    const [r, g, b] = frame.mean(0.3, 0.1, 0.7, 0.4);
    assert.ok(g > 150 && r < 60 && b < 80, `camera area is green, got ${[r, g, b]}`);
    // The lower third's dark bar sits bottom left (inside the 5 % safe area), over the green.
    const bar = frame.mean(0.3, 0.875, 0.37, 0.935);
    assert.ok(bar[1] < 80, `the lower third's bar covers the camera bottom left, got ${bar}`);
    // Its amber accent strip is on the bar's left edge.
    const accent = frame.mean(0.051, 0.875, 0.054, 0.935);
    assert.ok(accent[0] > 180 && accent[2] < 100, `amber accent strip, got ${accent}`);
    // Outside the cue's time the same area is camera again.
    const later = await api.call('POST', '/api/timelines/preview-frame', {
      document: documentWith(green),
      at: 20,
    });
    const clear = (await decode(later.rawPayload)).mean(0.3, 0.875, 0.37, 0.935);
    assert.ok(clear[1] > 150, `no lower third at 20 s, got ${clear}`);
  });

  it('a camera that does not answer gives the slate with the overlays and says why', async () => {
    const response = await api.call('POST', '/api/timelines/preview-frame', {
      document: documentWith(broken),
      at: 6,
    });
    assert.equal(response.statusCode, 200, response.body);
    const notices = JSON.parse(decodeURIComponent(String(response.headers['x-preview-notices']))) as string[];
    assert.equal(notices.length, 1);
    assert.match(
      notices[0]!,
      /camera \d+ "Dock" did not answer: the camera did not answer at 10\.0\.0\.9:554\./i,
    );
    assert.match(notices[0]!, /\. The slate is shown instead\.$/);
    const frame = await decode(response.rawPayload);
    // SMPTE HD bars: the third bar from the left is yellow.
    const yellow = frame.mean(0.25, 0.1, 0.32, 0.5);
    assert.ok(yellow[0] > 150 && yellow[1] > 150 && yellow[2] < 80, `yellow bar, got ${yellow}`);
    const bar = frame.mean(0.3, 0.875, 0.37, 0.935);
    assert.ok(bar[0] < 60 && bar[1] < 60, `the lower third is still drawn, got ${bar}`);
  });

  it('a gap shows the slate; a dissolve blends the two cameras', async () => {
    const gap = await api.call('POST', '/api/timelines/preview-frame', {
      document: documentWith(green),
      at: 45,
    });
    assert.equal(decodeURIComponent(String(gap.headers['x-preview-video'])), 'slate');
    const document = documentWith(green);
    document.timeline.tracks.video.cues.push({
      id: 'dock',
      start_time: 30,
      duration: 30,
      action: 'show_camera',
      params: { camera_id: broken, transition: 'dissolve', transition_duration: 2 } as never,
    });
    const mid = await api.call('POST', '/api/timelines/preview-frame', { document, at: 30.5 });
    assert.equal(
      decodeURIComponent(String(mid.headers['x-preview-video'])),
      `dissolve camera ${green} → camera ${broken}`,
    );
  });

  it('draws a timeline that only breaks a rule, and refuses one the schema refuses with its paths', async () => {
    const overlapping = documentWith(green);
    overlapping.timeline.tracks.video.cues.push({
      id: 'again',
      start_time: 10,
      duration: 10,
      action: 'show_camera',
      params: { camera_id: green },
    });
    const drawn = await api.call('POST', '/api/timelines/preview-frame', { document: overlapping, at: 12 });
    assert.equal(drawn.statusCode, 200);

    const bad = documentWith(green);
    (bad.timeline.tracks.overlays[0]!.cues[0]!.params as Record<string, unknown>)['text'] = '';
    const refused = await api.call('POST', '/api/timelines/preview-frame', { document: bad, at: 0 });
    assert.equal(refused.statusCode, 422);
    const body = refused.json() as { code: string; issues: Array<{ path: string }> };
    assert.equal(body.code, 'TIMELINE_INVALID');
    assert.deepEqual(
      body.issues.map((issue) => issue.path),
      ['timeline.tracks.overlays[0].cues[0].params.text'],
    );
    const badWidth = await api.call('POST', '/api/timelines/preview-frame', {
      document: documentWith(green),
      at: 0,
      width: 99999,
    });
    assert.equal(badWidth.statusCode, 400);
  });
});

describe('preview argv', () => {
  it('a video frame: the pixel limit before the input, a seek or the last half second, one JPEG on stdout', () => {
    const common = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-max_pixels', '40000000'];
    const tail = ['-frames:v', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1'];
    assert.deepEqual(videoFrameArgs('/media/clip.mp4', 12.5), [
      ...common,
      ...['-ss', '12.5', '-i', '/media/clip.mp4'],
      ...tail,
    ]);
    assert.deepEqual(videoFrameArgs('/media/clip.mp4', 'last'), [
      ...common,
      ...['-sseof', '-0.5', '-i', '/media/clip.mp4'],
      ...tail,
    ]);
  });
});
