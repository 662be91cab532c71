// End to end smoke at full size: two simulated cameras, a 1080p30 program for 6 s, one
// destination on nginx-rtmp; what arrives is 1920x1080 H.264 + AAC. The level is held at full size
// (degraded mode would move a loaded machine down); on a machine too busy for 1080p30 frames are
// dropped, never squeezed: the recording still spans the show on the wall clock, and every missing
// frame is one the engine counted as dropped.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine } from '../../../src/engine/index.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { audioPresence, probeFile, maxTimestampGap, videoFrameTimes } from '../../helpers/media-probe.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { mustValidate } from '../../helpers/timelines.ts';
import { withTimeout } from './helpers.ts';

describe('engine end to end: 1080p smoke', () => {
  const dir = tempDir('vistter-e2e-1080p-');
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  after(async () => {
    await stopAllSupervised();
    await rtmp?.destroy();
    await sim?.stop();
    dir.cleanup();
  });

  it('delivers 1920x1080 H.264 + AAC from two cameras', async () => {
    [sim, rtmp] = await Promise.all([
      startCameraSim({ cameras: 2, width: 640, height: 360 }),
      startRtmpServer({ apps: ['live'] }),
    ]);
    const timeline = mustValidate({
      timeline: {
        name: '1080p smoke',
        duration: 6,
        fps: 30,
        resolution: '1920x1080',
        tracks: {
          video: {
            track_id: 'v',
            type: 'video',
            cues: [
              { id: 'a', start_time: 0, duration: 3, action: 'show_camera', params: { camera_id: 1 } },
              {
                id: 'b',
                start_time: 3,
                duration: 3,
                action: 'show_camera',
                params: { camera_id: 2, transition: 'dissolve', transition_duration: 0.5 },
              },
            ],
          },
        },
      },
    }).timeline;
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map(
          sim.cameras.map((c, i) => [i + 1, { kind: 'url' as const, name: c.name, url: c.url }]),
        ),
        destinations: [{ id: 'd1', name: 'destination 1', platform: 'custom', url: rtmp.url('live', 'a') }],
        mediaRoot: dir.path,
        encoder: { preset: 'veryfast' },
        degrade: { enabled: false },
      },
      { logger: createLogger('e2e'), onEnded: () => ended() },
    );
    engine.start();
    let status: ReturnType<Engine['status']>;
    try {
      const stream = await rtmp.waitForPublisher('live', 'a', 15_000);
      assert.ok(stream);
      await withTimeout(done, 20_000, 'the show ending');
      status = engine.status();
    } finally {
      await engine.stop();
    }
    await rtmp.waitForNoPublisher('live', 'a');
    const [file] = rtmp.recordings('live');
    assert.ok(file, 'a recording arrived');
    const probe = await probeFile(file);
    assert.equal(probe.video?.codec, 'h264');
    assert.equal(probe.video?.width, 1920);
    assert.equal(probe.video?.height, 1080);
    assert.equal(probe.audio?.codec, 'aac');
    assert.ok(probe.durationSec >= 5, `recorded ${probe.durationSec} s of a 6 s show`);
    const times = await videoFrameTimes(file);
    const gap = maxTimestampGap(times);
    // Frames missing from the recording (beyond one per frame interval) were dropped by the engine,
    // with their timestamps left as gaps: counted, never hidden.
    const missing = times
      .slice(1)
      .map((t, i) => Math.round((t - times[i]!) * 30) - 1)
      .reduce((sum, n) => sum + Math.max(0, n), 0);
    const dropped = status.playout.skippedTicks + status.encoder.framesDropped;
    console.log(
      `1080p smoke: largest gap ${gap.toFixed(4)} s, ${missing} frames missing, ${dropped} dropped`,
    );
    assert.ok(missing <= dropped, `${missing} frames missing but only ${dropped} counted as dropped`);
    if (dropped === 0) assert.ok(gap <= 1 / 30 + 0.0011, `largest video gap ${gap.toFixed(4)} s`);
    assert.ok((await audioPresence(file)).present, 'audio present');
  });
});
