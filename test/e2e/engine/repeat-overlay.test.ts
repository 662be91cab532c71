// End to end: a lower third written once with `repeat` appears on air at each of its copies. A
// 20 s show (two simulated RTSP cameras, a cut at 10 s) carries one lower third, 2 s long, every
// 6 s from 1 s (copies at 7, 13 and 19 s, the last cut at the end). Everything is read from what
// nginx recorded: the recording is aligned on the camera switch, then the lower third's rectangle
// is compared with the written-out program at the 2nd and 3rd copies and between them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine } from '../../../src/engine/index.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import type { Timeline } from '../../../src/timeline/schema.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import type { YuvMeans } from '../../helpers/media-probe.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { mustValidate } from '../../helpers/timelines.ts';
import {
  alignRecording,
  BALL,
  buildProgramModel,
  decodeAllFrames,
  maxPlaneDiff,
  outsideRange,
  regionMeans,
  withTimeout,
  type Alignment,
  type DecodedVideo,
  type ProgramModel,
  type Rect,
} from './helpers.ts';

const WIDTH = 320;
const HEIGHT = 180;
const FPS = 15;
const TOLERANCE = 12;
/** Program frames at the start that may show the slate while the first camera connects (3.5 s). */
const STARTUP_FRAMES = 53;
const CENTRE: Rect = { x: 0, y: 40, w: WIDTH, h: 100 };

function repeatedLowerThirdShow(): Timeline {
  return mustValidate({
    timeline: {
      name: 'Repeated lower third',
      duration: 20,
      fps: FPS,
      resolution: `${WIDTH}x${HEIGHT}`,
      tracks: {
        video: {
          track_id: 'video',
          type: 'video',
          cues: [
            { id: 'cam1', start_time: 0, duration: 10, action: 'show_camera', params: { camera_id: 1 } },
            { id: 'cam2', start_time: 10, duration: 10, action: 'show_camera', params: { camera_id: 2 } },
          ],
        },
        overlays: [
          {
            track_id: 'lower_thirds',
            type: 'overlay',
            layer: 1,
            cues: [
              {
                id: 'welcome',
                start_time: 1,
                duration: 2,
                repeat: { every: 6 },
                action: 'show_overlay',
                params: { type: 'lower_third', text: 'Welcome to the Marina', position: 'bottom_left' },
              },
            ],
          },
        ],
      },
    },
  }).timeline;
}

describe('engine end to end: a repeated lower third is on air at its copies', () => {
  const dir = tempDir('vistter-e2e-repeat-');
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  let model: ProgramModel;
  let video: DecodedVideo;
  let alignment: Alignment;

  before(async () => {
    const timeline = repeatedLowerThirdShow();
    [sim, rtmp] = await Promise.all([
      startCameraSim({ cameras: 2, width: WIDTH, height: HEIGHT, fps: FPS }),
      startRtmpServer({ apps: ['live'] }),
    ]);
    const colours = new Map<string, YuvMeans>(
      sim.cameras.map((c, i): [string, YuvMeans] => [`camera:${i + 1}`, c.yuv]),
    );
    model = await buildProgramModel(timeline, dir.path, colours);
    let ended!: () => void;
    const endedPromise = new Promise<void>((resolve) => (ended = resolve));
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map(
          sim.cameras.map((c, i) => [i + 1, { kind: 'url' as const, name: c.name, url: c.url }]),
        ),
        destinations: [
          { id: 'd1', name: 'destination', platform: 'custom', url: rtmp.url('live', 'repeat') },
        ],
        mediaRoot: dir.path,
        encoder: { preset: 'veryfast' },
      },
      { logger: createLogger('e2e'), onEnded: () => ended() },
    );
    engine.start();
    try {
      await withTimeout(endedPromise, 45_000, 'the show ending');
    } finally {
      await engine.stop();
    }
    await rtmp.waitForNoPublisher('live', 'repeat');
    const files = rtmp.recordings('live');
    assert.equal(files.length, 1, `one recording: ${files.join(', ')}`);
    video = await decodeAllFrames(files[0]!, WIDTH, HEIGHT);
    alignment = alignRecording(video, model, CENTRE, { fromFrame: STARTUP_FRAMES, tolerance: TOLERANCE });
  });

  after(async () => {
    await stopAllSupervised();
    await rtmp?.destroy();
    await sim?.stop();
    dir.cleanup();
  });

  it('the program has the copies the resolver promises (ids welcome#2, welcome#3, welcome#4)', () => {
    const starts = model.compiled.overlayTracks[0]!.cues.map((cue) => [
      cue.id,
      cue.start / FPS,
      cue.end / FPS,
    ]);
    assert.deepEqual(starts, [
      ['welcome', 1, 3],
      ['welcome#2', 7, 9],
      ['welcome#3', 13, 15],
      ['welcome#4', 19, 20],
    ]);
    assert.ok(alignment.checked > 150, `aligned frames checked: ${alignment.checked}`);
    assert.equal(alignment.misses, 0, `recording off the program at offset ${alignment.offset}`);
  });

  it('shows the lower third during its 2nd and 3rd copies and not between them', () => {
    const rect = model.rect('welcome#2');
    const inner: Rect = { x: rect.x + 2, y: rect.y + 2, w: rect.w - 4, h: rect.h - 4 };
    assert.ok(inner.w > 20 && inner.h > 8, `lower third rectangle ${JSON.stringify(rect)}`);
    const measure = (n: number): YuvMeans => {
      const frame = video.frames[n - alignment.offset];
      assert.ok(frame, `a recorded frame for program frame ${n} (offset ${alignment.offset})`);
      return regionMeans(frame, WIDTH, HEIGHT, inner);
    };
    /** How far frame n is from program frame m's expectation (the camera's white ball may pass behind). */
    const off = (n: number, m: number): number => {
      const e = model.expect(m, inner)!;
      const withBall = model.expect(m, inner, { under: BALL })!;
      return outsideRange(measure(n), e, withBall);
    };
    const close = (n: number): number => Math.min(off(n, n - 1), off(n, n), off(n, n + 1));
    const on = [8 * FPS, 14 * FPS]; // the middle of copies 2 and 3
    const offAir = [5 * FPS, 11 * FPS, 16 * FPS]; // between copies
    for (const n of on) {
      assert.ok(model.state(n).overlays.length === 1, `the program has the lower third at frame ${n}`);
      const visible = model.expect(n, inner)!;
      assert.ok(
        close(n) <= TOLERANCE,
        `frame ${n}: measured ${JSON.stringify(measure(n))}, expected ${JSON.stringify(visible)}`,
      );
    }
    for (const n of offAir) {
      assert.equal(model.state(n).overlays.length, 0, `no overlay in the program at frame ${n}`);
      assert.ok(
        close(n) <= TOLERANCE,
        `frame ${n}: measured ${JSON.stringify(measure(n))}, expected the bare camera`,
      );
    }
    // On and off differ clearly, so the checks above tell one from the other.
    const cameraThere = model.expect(5 * FPS, inner)!;
    const lowerThirdThere = model.expect(8 * FPS, inner)!;
    assert.ok(
      maxPlaneDiff(cameraThere, lowerThirdThere) > 3 * TOLERANCE,
      'the lower third is clearly visible',
    );
    assert.ok(maxPlaneDiff(measure(8 * FPS), cameraThere) > 2 * TOLERANCE, 'copy 2 changed the picture');
  });
});
