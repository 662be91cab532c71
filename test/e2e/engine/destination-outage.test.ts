// End to end: one destination's RTMP server goes away for 8 s and comes back. The other
// destination's recording must not notice (no timestamp gap, one publish), and the returning
// destination must be published to again.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine } from '../../../src/engine/index.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import {
  audioPresence,
  identifySource,
  maxTimestampGap,
  probeFile,
  sampleFrameMeans,
  videoFrameTimes,
} from '../../helpers/media-probe.ts';
import { delay } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { mustValidate } from '../../helpers/timelines.ts';

const FPS = 30;

describe('engine end to end: a destination that goes away and comes back', () => {
  const dir = tempDir('vistter-e2e-outage-');
  let sim: CameraSim | undefined;
  let one: RtmpServer | undefined;
  let two: RtmpServer | undefined;
  after(async () => {
    await stopAllSupervised();
    await one?.destroy();
    await two?.destroy();
    await sim?.stop();
    dir.cleanup();
  });

  it('keeps destination 1 gapless while destination 2 is down for 8 s, then publishes to 2 again', async () => {
    [sim, one, two] = await Promise.all([
      startCameraSim({ cameras: 2 }),
      startRtmpServer({ apps: ['live'] }),
      startRtmpServer({ apps: ['dest2'] }),
    ]);
    // Cameras 1 and 2 alternate every 2 s, cut.
    const cues = Array.from({ length: 15 }, (_, i) => ({
      id: `v${i}`,
      start_time: 2 * i,
      duration: 2,
      action: 'show_camera',
      params: { camera_id: (i % 2) + 1 },
    }));
    const timeline = mustValidate({
      timeline: {
        name: 'outage',
        duration: 30,
        fps: FPS,
        resolution: '320x180',
        tracks: { video: { track_id: 'v', type: 'video', cues } },
      },
    }).timeline;
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map(
          sim.cameras.map((c, i) => [i + 1, { kind: 'url' as const, name: c.name, url: c.url }]),
        ),
        destinations: [
          { id: 'd1', name: 'destination 1', platform: 'custom', url: one.url('live', 'a') },
          { id: 'd2', name: 'destination 2', platform: 'custom', url: two.url('dest2', 'b') },
        ],
        mediaRoot: dir.path,
        encoder: { preset: 'veryfast' },
      },
      { logger: createLogger('e2e') },
    );
    const downMs = 8000;
    let republishedAfterMs: number;
    let status: string | undefined;
    engine.start();
    try {
      await Promise.all([
        one.waitForPublisher('live', 'a', 15_000),
        two.waitForPublisher('dest2', 'b', 15_000),
      ]);
      await delay(3000);
      await two.stop();
      await delay(downMs);
      const back = Date.now();
      await two.start();
      await two.waitForPublisher('dest2', 'b', 20_000);
      republishedAfterMs = Date.now() - back;
      // Let the new publish run long enough to carry a few GOPs.
      await delay(4000);
      status = JSON.stringify(engine.status().outputs);
    } finally {
      await engine.stop();
    }
    await one.waitForNoPublisher('live', 'a');

    // Destination 1: one uninterrupted publish covering the whole run.
    const files1 = one.recordings('live');
    assert.equal(files1.length, 1, `destination 1 published once: ${files1.join(', ')}`);
    const times = await videoFrameTimes(files1[0]!);
    const gap = maxTimestampGap(times);
    assert.ok(gap <= 1 / FPS + 0.0011, `destination 1: largest video gap ${gap.toFixed(4)} s`);
    const span = times.at(-1)! - times[0]!;
    assert.ok(
      span >= 3 + downMs / 1000 + 2,
      `destination 1 recorded through the outage: ${span.toFixed(2)} s`,
    );
    const audio = await audioPresence(files1[0]!);
    assert.ok(audio.ok, `destination 1 audio: ${JSON.stringify(audio)}`);

    // Destination 2: a recording before the outage and a new one after it, with real program in it.
    const files2 = two.recordings('dest2');
    assert.ok(files2.length >= 2, `destination 2 published again: ${files2.join(', ')}\n${status ?? ''}`);
    const last = files2.at(-1)!;
    const probe = await probeFile(last);
    assert.equal(probe.video?.codec, 'h264');
    assert.equal(probe.audio?.codec, 'aac');
    assert.ok(probe.durationSec >= 2, `new publish lasted ${probe.durationSec} s\n${status ?? ''}`);
    const [frame] = await sampleFrameMeans(last, [0.5]);
    const id = identifySource(frame!, sim.palette);
    assert.ok(
      id.name === 'cam1' || id.name === 'cam2',
      `a camera is on air after the return: ${JSON.stringify(id)}`,
    );
    assert.ok(republishedAfterMs < 15_000, `republished ${republishedAfterMs} ms after the server returned`);
    console.log(`destination 2 republished ${republishedAfterMs} ms after its server came back`);
  });
});
