import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine } from '../../../src/engine/index.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import { tempDir } from '../../helpers/temp.ts';
import { waitFor } from '../../helpers/proc.ts';
import { startTestPublisher } from '../../helpers/stream-readers.ts';
import { startRtmpServer } from '../../helpers/rtmp-server.ts';
import { audioPresence, probeFile, sampleFrameMeans } from '../../helpers/media-probe.ts';
import { mustValidate } from '../../helpers/timelines.ts';

describe('a camera that sends no audio', () => {
  const dir = tempDir();
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    await stopAllSupervised();
    for (const cleanup of cleanups) await cleanup();
    dir.cleanup();
  });

  it('goes on air video-only, with silence in the program', async () => {
    // A live, video-only IP camera: a stream without audio, served by a real RTMP server.
    const rtmp = await startRtmpServer({ record: false });
    cleanups.push(() => rtmp.stop());
    const cameraUrl = rtmp.url('live', 'cam');
    const camera = startTestPublisher(cameraUrl, {
      seconds: 60,
      pattern: 'color=c=0x2040C0',
      audio: false,
      gop: 30,
    });
    cleanups.push(() => camera.stop());
    await rtmp.waitForPublisher('live', 'cam');

    const timeline = mustValidate({
      timeline: {
        name: 'no audio',
        duration: 30,
        fps: 30,
        resolution: '320x180',
        tracks: {
          video: {
            track_id: 'v',
            type: 'video',
            cues: [
              { id: 'cam', start_time: 0, duration: 30, action: 'show_camera', params: { camera_id: 1 } },
            ],
          },
        },
      },
    }).timeline;
    const recordPath = join(dir.path, 'program.flv');
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map([[1, { kind: 'url', name: 'mute camera', url: cameraUrl }]]),
        destinations: [],
        recordPath,
        mediaRoot: dir.path,
        encoder: { preset: 'veryfast' },
      },
      { logger: createLogger('test') },
    );
    engine.start();
    try {
      await waitFor(() => (engine.status().sources.find((s) => s.key === 'camera:1')?.frames ?? 0) > 30, {
        timeoutMs: 20_000,
        what: 'frames from the audio-less camera',
      });
      const camera = engine.status().sources.find((s) => s.key === 'camera:1')!;
      assert.ok(camera.restarts >= 1, 'the first run (with audio) failed and was retried video-only');
      // Let the camera be on air for two seconds of program time.
      const frame = engine.status().frame;
      await waitFor(() => engine.status().frame > frame + 60, {
        timeoutMs: 10_000,
        what: 'two seconds of program',
      });
    } finally {
      await engine.stop();
    }
    const probe = await probeFile(recordPath);
    assert.equal(probe.video?.codec, 'h264');
    assert.equal(probe.audio?.codec, 'aac', 'audio is always present (silence)');
    assert.ok((await audioPresence(recordPath)).present);
    const [last] = await sampleFrameMeans(recordPath, [Math.max(0, (probe.durationSec ?? 1) - 0.5)]);
    // The camera's blue (0x2040C0 ≈ Y 57, U 195, V 109 in BT.601) is on air, not the slate.
    assert.ok(last && Math.abs(last.u - 195) < 20 && Math.abs(last.y - 57) < 20, JSON.stringify(last));
  });
});
