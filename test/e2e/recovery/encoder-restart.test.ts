// Chaos, encoder (issue 4 e): SIGKILL the encoder mid-show. The output must resume at the
// destination within 3 s, as a new session with proper headers, while the timeline clock and the
// camera decoders carry on untouched.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine, type EngineAlerts } from '../../../src/engine/engine.ts';
import { identifySource, probeFile, sampleFrameMeans } from '../../helpers/media-probe.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { useCameraAndRtmp } from '../../helpers/engine-rig.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const FPS = 30;

describe('chaos: the encoder is killed mid-show', () => {
  const rig = useCameraAndRtmp('vistter-chaos-encoder-');
  const { dir } = rig;

  it('resumes the output within 3 s; the clock and the cameras carry on', async () => {
    const { sim, rtmp } = await rig.start();
    const timeline = cameraTimeline({
      name: 'encoder chaos',
      duration: 60,
      fps: FPS,
      resolution: '320x180',
      cues: [{ camera: 1, start: 0, duration: 60 }],
    });
    const raised: string[] = [];
    const alerts: EngineAlerts = { raise: (a) => raised.push(a.key), clear: () => undefined };
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map([[1, { kind: 'url' as const, name: 'cam', url: sim.urls[0]! }]]),
        destinations: [{ id: 'd1', name: 'nginx', platform: 'custom', url: rtmp.url('live', 'show') }],
        mediaRoot: dir.path,
        encoder: { preset: 'veryfast', bitrateKbps: 800 },
      },
      { logger: createLogger('chaos'), alerts },
    );
    const recordings = () => rtmp.recordings('live');
    let resumedMs: number;
    let before: ReturnType<Engine['status']>;
    let afterKill: ReturnType<Engine['status']>;
    let killedAt: number;
    engine.start();
    try {
      await rtmp.waitForPublisher('live', 'show', 20_000);
      await waitFor(() => engine.status().onAir?.source.kind === 'camera', { what: 'the camera on air' });
      await delay(3000);
      before = engine.status();
      const pid = engine.encoderPid;
      assert.ok(pid, 'the encoder runs');
      killedAt = Date.now();
      process.kill(-pid, 'SIGKILL');
      // Resumed = a new publish at the destination with video in it.
      await waitFor(
        () => {
          const files = recordings();
          return files.length >= 2 && statSync(files.at(-1)!).size > 20_000;
        },
        { timeoutMs: 10_000, intervalMs: 20, what: 'a new publish with video after the encoder restart' },
      );
      resumedMs = Date.now() - killedAt;
      await delay(3000);
      afterKill = engine.status();
    } finally {
      await engine.stop();
    }
    await rtmp.waitForNoPublisher('live', 'show');
    console.log(`output resumed ${resumedMs} ms after the encoder was killed`);
    assert.ok(resumedMs < 3000, `output resumed after ${resumedMs} ms`);

    // The timeline clock never stopped: ticks kept their real-time pace through the restart.
    const elapsed = (Date.now() - killedAt) / 1000;
    assert.ok(
      afterKill.playout.ticks - before.playout.ticks >= (elapsed - 2) * FPS,
      `ticks went on: ${afterKill.playout.ticks - before.playout.ticks}`,
    );
    assert.equal(afterKill.encoder.restarts, 1, 'one encoder restart');
    // The camera decoder was not touched.
    const restartsOf = (s: typeof before) => s.sources.find((x) => x.key === 'camera:1')?.restarts;
    assert.equal(restartsOf(afterKill), restartsOf(before), 'the camera decoder kept running');
    assert.deepEqual(raised, ['encoder:restarted']);

    // The new session is a complete stream (headers, video and audio) showing the camera.
    const last = recordings().at(-1)!;
    const probe = await probeFile(last);
    assert.equal(probe.video?.codec, 'h264');
    assert.equal(probe.audio?.codec, 'aac');
    const [means] = await sampleFrameMeans(last, [1]);
    assert.equal(identifySource(means!, sim.palette).name, 'cam1');
  });
});
