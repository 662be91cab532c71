// Platform session limits (issue 7 item 3): a destination with a (here: 5 s) session limit is
// restarted as a planned new session at a keyframe, while the encoder (same PID), the other
// destination and the show carry on. nginx-rtmp records one file per publish, so what arrived is
// checked file by file: destination A gets two publishes, the second beginning with a keyframe and
// carrying audio; destination B one uninterrupted publish.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine } from '../../../src/engine/index.ts';
import type { OutputSessionRestartEvent } from '../../../src/engine/outputs.ts';
import { probeFile, readPackets, maxTimestampGap, videoFrameTimes } from '../../helpers/media-probe.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { useCameraAndRtmp } from '../../helpers/engine-rig.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

describe('platform session limit: a planned new session for one destination', () => {
  const rig = useCameraAndRtmp('vistter-session-limit-');
  const { dir } = rig;

  it('A: two publishes (the second from a keyframe, with audio); B: one; the encoder untouched', async () => {
    const { sim, rtmp } = await rig.start();
    const timeline = cameraTimeline({
      name: 'session limit',
      duration: 60,
      fps: 30,
      resolution: '320x180',
      cues: [{ camera: 1, start: 0, duration: 60 }],
    });
    const restarts: OutputSessionRestartEvent[] = [];
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map([[1, { kind: 'url' as const, name: 'cam', url: sim.urls[0]! }]]),
        destinations: [
          {
            id: 'dest:1',
            name: 'A (limited)',
            platform: 'custom',
            url: rtmp.url('live', 'a'),
            session: { maxMs: 5000, onRestart: (event) => restarts.push(event) },
          },
          { id: 'dest:2', name: 'B', platform: 'custom', url: rtmp.url('live', 'b') },
        ],
        mediaRoot: dir.path,
        encoder: { preset: 'veryfast', bitrateKbps: 600 },
      },
      { logger: createLogger('session-limit') },
    );
    const filesOf = (key: string) =>
      rtmp.recordings('live').filter((file) => basename(file).startsWith(`${key}-`));
    let pidBefore: number | null;
    let pidAfter: number | null;
    engine.start();
    try {
      await Promise.all([
        rtmp.waitForPublisher('live', 'a', 20_000),
        rtmp.waitForPublisher('live', 'b', 20_000),
      ]);
      pidBefore = engine.encoderPid;
      assert.ok(pidBefore, 'the encoder runs');
      await waitFor(() => restarts.length >= 1 && filesOf('a').length >= 2, {
        timeoutMs: 20_000,
        intervalMs: 100,
        what: 'a second publish of A after its session limit',
      });
      await delay(3000); // the new session carries on for a while
      pidAfter = engine.encoderPid;
    } finally {
      await engine.stop();
    }
    await Promise.all([rtmp.waitForNoPublisher('live', 'a'), rtmp.waitForNoPublisher('live', 'b')]);
    const status = engine.status();

    assert.equal(pidAfter, pidBefore, 'the encoder process is the same throughout');
    assert.equal(status.encoder.restarts, 0, 'the encoder never restarted');
    assert.equal(restarts[0]!.cut, 'keyframe', 'the session was cut at a keyframe');
    assert.ok(restarts[0]!.sessionMs >= 5000, `the first session lasted ${restarts[0]!.sessionMs} ms`);
    const outputs = new Map(status.outputs.map((o) => [o.id, o]));
    assert.equal(outputs.get('dest:1')?.restarts, 0, 'a planned restart is not a failure');
    assert.equal(outputs.get('dest:2')?.restarts, 0, 'B never failed');

    const a = filesOf('a');
    const b = filesOf('b');
    assert.equal(b.length, 1, `B published once: ${b.join(', ')}`);
    assert.ok(a.length >= 2, `A published again: ${a.join(', ')}`);

    // The second session of A is a complete stream: H.264 from a keyframe, and AAC audio.
    const second = a[1]!;
    const probe = await probeFile(second);
    assert.equal(probe.video?.codec, 'h264');
    assert.equal(probe.audio?.codec, 'aac');
    const packets = await readPackets(second, 'v');
    assert.ok(packets.length > 30, `the second session has video (${packets.length} packets)`);
    assert.equal(packets[0]!.key, true, 'the second session starts with a keyframe');
    const audio = await readPackets(second, 'a');
    assert.ok(audio.length > 20, `the second session has audio (${audio.length} packets)`);

    // B saw no interruption: one file, its video timestamps without a hole, as long as the show.
    const bTimes = await videoFrameTimes(b[0]!);
    const gap = maxTimestampGap(bTimes);
    assert.ok(gap < 0.2, `B's largest gap between frames is ${gap} s`);
    const firstA = await probeFile(a[0]!);
    const bProbe = await probeFile(b[0]!);
    assert.ok(
      bProbe.durationSec > firstA.durationSec + 2,
      `B (${bProbe.durationSec} s) outlasts A's first session (${firstA.durationSec} s)`,
    );
  });
});
