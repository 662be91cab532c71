// Encoder runs come and go, destinations never notice (issue 13, "How it is checked"): during one
// show the encoder is SIGKILLed twice and degraded mode reconfigures it twice (a faster preset,
// then half the frame rate at a smaller size). At the destination: one publish, timestamps that
// never go back, no step over 1.5 frame intervals except one per crash of at most 1.5 s, audio
// throughout, and the new size arriving in-band; the local recording stays one file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine, type EngineAlerts } from '../../../src/engine/index.ts';
import { identifySource, readPackets, sampleFrameMeans } from '../../helpers/media-probe.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { useCameraAndRtmp } from '../../helpers/engine-rig.ts';
import { cameraTimeline } from '../../helpers/timelines.ts';

const run = promisify(execFile);
const FPS = 30;

/** Decode-timestamp steps larger than 1.5 × the frame interval where they are (ms): the interval
 *  is the typical step just before or just after (the frame rate may change right there). */
function irregularSteps(times: readonly number[]): { at: number; stepMs: number }[] {
  const steps = times.slice(1).map((t, i) => t - times[i]!);
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
  const out: { at: number; stepMs: number }[] = [];
  steps.forEach((step, i) => {
    const before = median(steps.slice(Math.max(0, i - 9), i));
    const after = median(steps.slice(i + 1, i + 10));
    const interval = Math.max(before, after);
    if (interval > 0 && step > 1.5 * interval + 1) out.push({ at: times[i]!, stepMs: step });
  });
  return out;
}

describe('chaos: encoder crashes and planned reconfigurations in one show', () => {
  const rig = useCameraAndRtmp('vistter-chaos-encoder-');
  const { dir } = rig;

  it('keeps one session per destination and one recording file; only a crash leaves a step, ≤ 1.5 s', async () => {
    const { sim, rtmp } = await rig.start();
    const timeline = cameraTimeline({
      name: 'encoder chaos',
      duration: 120,
      fps: FPS,
      resolution: '320x180',
      cues: [{ camera: 1, start: 0, duration: 120 }],
    });
    const raised: string[] = [];
    const alerts: EngineAlerts = { raise: (a) => raised.push(a.key), clear: () => undefined };
    const recordPath = join(dir.path, 'program.mp4');
    const engine = await Engine.create(
      {
        timeline,
        cameras: new Map([[1, { kind: 'url' as const, name: 'cam', url: sim.urls[0]! }]]),
        destinations: [{ id: 'd1', name: 'nginx', platform: 'custom', url: rtmp.url('live', 'show') }],
        recordPath,
        mediaRoot: dir.path,
        encoder: { preset: 'veryfast', bitrateKbps: 800 },
        // A ladder with size steps at this small size (the appliance's floor is 360 lines).
        degrade: { minHeight: 90 },
      },
      { logger: createLogger('chaos'), alerts },
    );
    const ladder = engine.status().quality.cpu.length;
    let beforeKill: ReturnType<Engine['status']> | undefined;
    let afterKills: ReturnType<Engine['status']> | undefined;
    let last: ReturnType<Engine['status']> | undefined;
    const killedAt: number[] = [];
    const kill = () => {
      const pid = engine.encoderPid;
      assert.ok(pid, 'the encoder runs');
      killedAt.push(Date.now());
      process.kill(-pid, 'SIGKILL');
    };
    engine.start();
    try {
      await rtmp.waitForPublisher('live', 'show', 20_000);
      await waitFor(() => engine.status().onAir?.source.kind === 'camera', { what: 'the camera on air' });
      await delay(3000);
      await engine.holdQuality(1); // a faster preset: a planned reconfiguration
      await delay(3000);
      beforeKill = engine.status();
      kill();
      await delay(4000);
      kill();
      await delay(4000);
      afterKills = engine.status();
      await engine.holdQuality(ladder - 1); // half the frame rate, the smallest size
      await delay(4000);
      last = engine.status();
    } finally {
      await engine.stop();
    }
    await rtmp.waitForNoPublisher('live', 'show');

    assert.equal(last.encoder.restarts, 2, 'two crashes, each replaced');
    assert.equal(last.encoder.reconfigurations, 2, 'two planned reconfigurations');
    assert.ok(raised.includes('encoder:restarted'), 'the operator is told about the crash');
    const camera = (s: typeof beforeKill) => s!.sources.find((x) => x.key === 'camera:1')?.restarts;
    assert.equal(camera(afterKills), camera(beforeKill), 'the crashes did not touch the camera decoder');

    // One publish at the destination, one local recording file.
    const files = rtmp.recordings('live');
    assert.equal(files.length, 1, `one publish for the whole show: ${files.join(', ')}`);
    const recording = last.outputs.find((o) => o.kind === 'recording')!.recording!;
    assert.deepEqual(recording.files, [recordPath], 'one recording file');
    const destination = last.outputs.find((o) => o.kind === 'destination')!;
    assert.equal(destination.restarts, 0, 'the publisher never restarted');

    // Timestamps at the destination: rising; the only irregular steps are the two crashes.
    const video = (await readPackets(files[0]!, 'v')).map((p) => Math.round(p.dts * 1000));
    for (let i = 1; i < video.length; i++) assert.ok(video[i]! >= video[i - 1]!, `dts back at ${video[i]}`);
    const irregular = irregularSteps(video);
    // Where the encoder runs were spliced, on the destination's clock (its publisher starts at 0).
    const origin = last.splices.firstOutMs!;
    const splices = last.splices.switches.map((s) => ({ ...s, atMs: s.atMs - origin }));
    console.log(`splices: ${JSON.stringify(splices)}; irregular video steps: ${JSON.stringify(irregular)}`);
    // A step runs from `at` to `at + stepMs`; the splice is where the new run's first frame is.
    const near = (step: { at: number; stepMs: number }, atMs: number) =>
      Math.abs(step.at + step.stepMs - atMs) <= 200;
    const crashes = splices.filter((s) => !s.planned);
    const planned = splices.filter((s) => s.planned);
    assert.equal(crashes.length, 2);
    assert.equal(planned.length, 2);
    for (const splice of planned)
      assert.ok(
        !irregular.some((step) => near(step, splice.atMs)),
        `a step at the reconfiguration at ${splice.atMs}`,
      );
    for (const crash of crashes) {
      const step = irregular.find((s) => near(s, crash.atMs));
      assert.ok(
        step && step.stepMs <= 1500,
        `the crash at ${crash.atMs} left one step of ≤ 1.5 s: ${step?.stepMs}`,
      );
    }
    // Any other irregular step is a tick the loaded machine could not deliver, counted as such.
    const others = irregular.filter((step) => !crashes.some((crash) => near(step, crash.atMs)));
    assert.ok(
      others.length <= last.playout.skippedTicks + last.encoder.framesDropped,
      `${others.length} steps not explained by counted drops`,
    );
    const audio = (await readPackets(files[0]!, 'a')).map((p) => p.dts * 1000);
    const audioGaps = audio
      .slice(1)
      .map((t, i) => t - audio[i]!)
      .filter((gap) => gap > 100);
    assert.ok(audioGaps.length <= 2 && audioGaps.every((gap) => gap <= 1500), `audio gaps ${audioGaps}`);
    assert.ok(audio.at(-1)! >= video.at(-1)! - 500, 'audio runs to the end');

    // The smaller size arrived in-band: the last pictures decode at it; the first at full size.
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=width,height',
      '-of',
      'csv=p=0',
      files[0]!,
    ]);
    const sizes = stdout
      .trim()
      .split('\n')
      .map((line) => line.split(',').slice(0, 2).join(','));
    const smallest = `${last.quality.format.width},${last.quality.format.height}`;
    assert.equal(sizes[0], '320,180');
    assert.equal(sizes.at(-1), smallest, `the program ends at ${smallest}`);
    const [means] = await sampleFrameMeans(files[0]!, [1]);
    assert.equal(identifySource(means!, sim.palette).name, 'cam1');
  });
});
