// Sessions now last weeks: FLV and RTMP timestamps are 32-bit milliseconds, and ffmpeg writes
// only 31 bits (they wrap after 24.8 days). This show starts its program clock 20 s before
// 2^32 ms (the encoder's 31-bit output wraps there, and the fan-out's 32-bit FLV to the publisher
// too) and its destination's session clock 12 s before 2^31 ms (where the RTMP timestamps the
// publisher sends wrap). The destination must not notice: one publish, a viewer that keeps
// receiving pictures through both wraps, no restarted process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine } from '../../../src/engine/index.ts';
import { readPackets } from '../../helpers/media-probe.ts';
import { delay } from '../../helpers/proc.ts';
import { useCameraAndRtmp } from '../../helpers/engine-rig.ts';
import { startFrameCounter } from '../../helpers/stream-readers.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const FPS = 30;

describe('timestamps that wrap', () => {
  const rig = useCameraAndRtmp('vistter-wrap-');

  it('a destination survives the program clock passing 2^32 ms and its session clock passing 2^31 ms', async () => {
    const { sim, rtmp } = await rig.start();
    const timeline = cameraTimeline({
      name: 'wrap',
      duration: 120,
      fps: FPS,
      resolution: '320x180',
      cues: [{ camera: 1, start: 0, duration: 120 }],
    });
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map([[1, { kind: 'url' as const, name: 'cam', url: sim.urls[0]! }]]),
        destinations: [
          {
            id: 'd1',
            name: 'nginx',
            platform: 'custom',
            url: rtmp.url('live', 'show'),
            sessionClockOriginMs: 2 ** 31 - 12_000,
          },
        ],
        mediaRoot: rig.dir.path,
        encoder: { preset: 'veryfast', bitrateKbps: 600 },
        programOriginMs: 2 ** 32 - 20_000,
      },
      { logger: createLogger('wrap') },
    );
    engine.start();
    let viewer: ReturnType<typeof startFrameCounter> | undefined;
    const seen: { at: number; frames: number; programMs: number }[] = [];
    let status: ReturnType<Engine['status']> | undefined;
    try {
      await rtmp.waitForPublisher('live', 'show', 20_000);
      viewer = startFrameCounter(rtmp.url('live', 'show'));
      await viewer.waitForFrames(30, 15_000);
      for (let i = 0; i < 24; i++) {
        await delay(1000);
        seen.push({ at: Date.now(), frames: viewer.frames(), programMs: engine.status().programMs ?? 0 });
      }
      status = engine.status();
    } finally {
      await viewer?.stop();
      await engine.stop();
    }
    await rtmp.waitForNoPublisher('live', 'show');
    console.log(
      `viewer frames per second: ${seen
        .slice(1)
        .map((s, i) => s.frames - seen[i]!.frames)
        .join(' ')}`,
    );

    const passed = seen.map((s) => s.programMs - 2 ** 32);
    assert.ok(passed[0]! < 0 && passed.at(-1)! > 0, `the program clock passed 2^32 ms: ${passed.join(' ')}`);
    assert.equal(rtmp.recordings('live').length, 1, 'one publish for the whole show');
    const destination = status.outputs.find((o) => o.kind === 'destination')!;
    assert.equal(destination.restarts, 0, 'the publisher never restarted');
    assert.equal(status.encoder.restarts, 0, 'the encoder never restarted');
    // The viewer kept receiving pictures every second, across both wraps.
    for (let i = 1; i < seen.length; i++) {
      const got = seen[i]!.frames - seen[i - 1]!.frames;
      assert.ok(got >= FPS / 2, `second ${i}: the viewer got ${got} frames`);
    }
    // What nginx recorded: every frame of the publish (its own clock wrapped once: count them).
    const video = await readPackets(rtmp.recordings('live')[0]!, 'v');
    const seconds = (seen.at(-1)!.at - seen[0]!.at) / 1000;
    assert.ok(
      video.length >= seconds * FPS * 0.9,
      `${video.length} frames recorded for ${seconds} s and more`,
    );
  });
});
