// Degraded mode with a real engine: the machine reports sustained full CPU (an injected reading:
// we cannot overload this machine on demand), so the show steps down one level at a time —
// overlays off, bitrate −20 %, two-thirds size — then back up when the load is gone. The stream
// keeps going throughout, and the operator is told.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine, type EngineAlerts } from '../../../src/engine/engine.ts';
import { probeFile } from '../../helpers/media-probe.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { useCameraAndRtmp } from '../../helpers/engine-rig.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

describe('degraded mode', () => {
  const rig = useCameraAndRtmp('vistter-degrade-');
  const { dir } = rig;

  it('steps down under sustained overload and back up once it is gone, never stopping the stream', async () => {
    const { sim, rtmp } = await rig.start();
    const timeline = cameraTimeline({
      name: 'degrade',
      duration: 120,
      fps: 30,
      resolution: '320x180',
      cues: [{ camera: 1, start: 0, duration: 120 }],
      overlays: [
        {
          track_id: 'o',
          type: 'overlay',
          layer: 1,
          cues: [
            {
              id: 'title',
              start_time: 0,
              duration: 120,
              action: 'show_overlay',
              params: { type: 'text', text: 'Marina live', position: 'top_left', background: '#000000' },
            },
          ],
        },
      ],
    });
    let cpu = 35;
    const alerts: string[] = [];
    const sink: EngineAlerts = {
      raise: (a) => alerts.push(`raise ${a.key}: ${a.message}`),
      clear: (key) => alerts.push(`clear ${key}`),
    };
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map([[1, { kind: 'url' as const, name: 'cam', url: sim.urls[0]! }]]),
        destinations: [{ id: 'd1', name: 'nginx', platform: 'custom', url: rtmp.url('live', 'show') }],
        recordPath: join(dir.path, 'program.flv'),
        mediaRoot: dir.path,
        encoder: { preset: 'veryfast', bitrateKbps: 1000 },
        degrade: { windowMs: 2000, recoverAfterMs: 3000, showWarning: true },
      },
      { logger: createLogger('degrade'), alerts: sink, systemCpuPercent: () => cpu },
    );
    const levels: number[] = [];
    const level = () => engine.status().degrade.level;
    const track = setInterval(() => {
      if (levels.at(-1) !== level()) levels.push(level());
    }, 100);
    let atLevel3: ReturnType<Engine['status']>['degrade'] | undefined;
    engine.start();
    try {
      await rtmp.waitForPublisher('live', 'show', 20_000);
      await delay(3000);
      assert.equal(level(), 0, 'normal load: normal mode');

      cpu = 99;
      await waitFor(() => level() === 3, { timeoutMs: 15_000, what: 'degraded level 3' });
      atLevel3 = engine.status().degrade;
      await rtmp.waitForPublisher('live', 'show', 10_000);
      await delay(2000);

      cpu = 30;
      await waitFor(() => level() === 0, { timeoutMs: 20_000, what: 'back to normal' });
      await rtmp.waitForPublisher('live', 'show', 10_000);
      await delay(3000);
    } finally {
      clearInterval(track);
      await engine.stop();
    }
    await rtmp.waitForNoPublisher('live', 'show');

    assert.deepEqual(levels, [0, 1, 2, 3, 2, 1, 0], 'one level at a time, down and back up');
    assert.deepEqual(atLevel3, {
      level: 3,
      overloads: ['cpu'],
      bitrateKbps: 800,
      outputSize: { width: 212, height: 120 },
    });
    assert.match(alerts[0]!, /^raise engine:degraded: .*level 1 \(overlays off\).*CPU/);
    assert.equal(alerts.at(-1), 'clear engine:degraded');

    // The destination: a session at each encoder change (levels 2, 3 and back), the reduced size
    // while at level 3, and the full size at the end.
    const files = rtmp.recordings('live');
    // (A session cut short by the next change may hold no frame at all: those are skipped.)
    const sizes = await Promise.all(
      files.map((f) =>
        probeFile(f).then(
          (p) => p.video,
          () => null,
        ),
      ),
    );
    const dims = sizes.filter((v) => v !== null && v !== undefined).map((v) => `${v.width}x${v.height}`);
    assert.ok(dims.includes('212x120'), `a session at two-thirds size: ${dims.join(', ')}`);
    assert.equal(dims.at(-1), '320x180', `full size again at the end: ${dims.join(', ')}`);
    assert.ok(files.length >= 4, `the destination reconnected after each encoder change: ${files.length}`);
  });
});
