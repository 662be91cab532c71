// PTZ cue moves end to end, with real processes: simulated RTSP cameras, a simulated ONVIF camera
// that speaks real SOAP and records when each request arrived, the store, the show runner and the
// real engine recording to a file. Timeline: camera 1 for 0–6 s, then camera 2 at its preset
// "dock" for 6–12 s, camera 2 with a 2 s settle time.
// - The camera receives GotoPreset for "dock" once, about 2 s before the cue frame (the show's
//   anchor + 6 s), never after it.
// - The camera answers the move with a SOAP fault: a PTZ_FAILED alert is raised (with the
//   registry's remediation), camera 2 still goes on air at 6 s, and the recording has no gap.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAlerting, type Alerting } from '../../../src/alerts/index.ts';
import { ShowRunner } from '../../../src/app/show-runner.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { ERRORS } from '../../../src/errors/registry.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import {
  identifySource,
  maxTimestampGap,
  probeFile,
  sampleFrameMeans,
  videoFrameTimes,
} from '../../helpers/media-probe.ts';
import { startOnvifSim, type OnvifSim } from '../../helpers/onvif-sim.ts';
import { tempDir } from '../../helpers/temp.ts';
import { mustValidate } from '../../helpers/timelines.ts';

const CUE_SECONDS = 6;
const SETTLE_SECONDS = 2;
const DURATION = 12;

describe('PTZ: a cue with a preset moves the camera before it goes on air', () => {
  const dir = tempDir('vistter-ptz-cues-');
  let sim: CameraSim | undefined;
  let onvif: OnvifSim | undefined;
  let store: Store | undefined;
  let alerting: Alerting | undefined;
  let runner: ShowRunner;
  let timelineId: number;

  before(async () => {
    [sim, onvif] = await Promise.all([
      startCameraSim({ cameras: 2 }),
      startOnvifSim({ presets: [{ token: 'P-dock', name: 'dock', pan: 0.5, tilt: 0.1, zoom: 0 }] }),
    ]);
    store = openStore({ dataDir: join(dir.path, 'data') });
    store.cameras.create({ name: 'Wharf', stream_url: sim.urls[0]! });
    const ptz = store.cameras.create({
      name: 'Dock PTZ',
      stream_url: sim.urls[1]!,
      camera_type: 'ptz',
      onvif_url: onvif.url,
      onvif_username: onvif.username,
      onvif_password: onvif.password,
      ptz_settle_seconds: SETTLE_SECONDS,
    });
    store.cameras.addPreset(ptz.id, { name: 'dock', preset_token: 'P-dock' });
    timelineId = store.timelines.create(
      mustValidate({
        timeline: {
          name: 'ptz cue',
          duration: DURATION,
          fps: 30,
          resolution: '320x180',
          tracks: {
            video: {
              track_id: 'v',
              type: 'video',
              cues: [
                { id: 'wide', start_time: 0, duration: 6, action: 'show_camera', params: { camera_id: 1 } },
                {
                  id: 'dock',
                  start_time: CUE_SECONDS,
                  duration: 6,
                  action: 'show_camera',
                  params: { camera_id: ptz.id, preset_id: 'dock' },
                },
              ],
            },
          },
        },
      }),
    ).id;
    alerting = createAlerting({ alerts: store.alerts });
    runner = new ShowRunner({
      store,
      mediaRoot: dir.path,
      alerts: alerting.center,
      logger: createLogger('ptz-e2e'),
    });
  });

  after(async () => {
    await stopAllSupervised();
    alerting?.close();
    store?.close();
    await Promise.all([sim?.stop(), onvif?.close()]);
    dir.cleanup();
  });

  /** Plays the show to its end; returns the recording, the anchor (wall ms of frame 0). */
  async function play(name: string): Promise<{ file: string; anchorMs: number }> {
    const file = join(dir.path, `${name}.mp4`);
    const show = await runner.start({ timelineId, recordPath: file, encoder: { preset: 'veryfast' } });
    const outcome = await show.finished;
    assert.equal(outcome.status, 'completed');
    const anchorMs = store!.executions.get(show.executionId).anchor_ms;
    assert.ok(anchorMs !== null, 'the execution row has its anchor');
    return { file, anchorMs };
  }

  async function onAirAt(file: string, seconds: number): Promise<string | null> {
    const [means] = await sampleFrameMeans(file, [seconds]);
    return identifySource(means!, sim!.palette).name;
  }

  it('GotoPreset arrives once, settle seconds before the cue frame', async () => {
    onvif!.requests.length = 0;
    const { file, anchorMs } = await play('moved');
    const gotos = onvif!.received('GotoPreset');
    assert.equal(gotos.length, 1, 'moved once for the cue');
    assert.equal(gotos[0]!.params['PresetToken'], 'P-dock');
    assert.equal(gotos[0]!.outcome, 'ok');
    const cueAt = anchorMs + CUE_SECONDS * 1000;
    const lead = (cueAt - gotos[0]!.at) / 1000;
    console.log(`GotoPreset arrived ${lead.toFixed(2)} s before the cue frame`);
    assert.ok(lead >= SETTLE_SECONDS - 0.4, `arrived ${lead} s before the cue (settle ${SETTLE_SECONDS} s)`);
    assert.ok(lead <= SETTLE_SECONDS + 1, `not long before the plan (${lead} s)`);
    // One connection for the show: its setup requests happened once, before the move.
    assert.equal(onvif!.received('GetProfiles').length, 1);
    assert.ok(onvif!.received('GetProfiles')[0]!.at < gotos[0]!.at);
    assert.deepEqual(
      store!.alerts.open().filter((a) => a.key?.startsWith('ptz:')),
      [],
      'no PTZ alert',
    );
    assert.equal(await onAirAt(file, 3), 'cam1');
    assert.equal(await onAirAt(file, 9), 'cam2');
  });

  it('a SOAP fault on the move: an alert, and camera 2 still goes on air without a gap', async () => {
    onvif!.requests.length = 0;
    onvif!.failOn('GotoPreset', { kind: 'fault', subcode: 'ter:InvalidArgVal', reason: 'Preset busy' });
    const { file } = await play('fault');
    onvif!.clearFailures();
    const gotos = onvif!.received('GotoPreset');
    assert.equal(gotos.length, 1, 'tried once, not retried');
    assert.notEqual(gotos[0]!.outcome, 'ok');

    // Raised while the show ran; the show has ended, and its alerts with it (History keeps them).
    const alert = store!.alerts.list({ limit: 50 }).find((a) => a.key === 'ptz:camera:2');
    assert.ok(alert, 'a PTZ alert was raised');
    assert.ok(alert.cleared_at, 'cleared when the show ended');
    assert.equal(alert.code, 'PTZ_FAILED');
    assert.equal(alert.severity, 'warning');
    assert.match(alert.message, /could not be moved to preset "dock" for cue "dock"/);
    assert.match(alert.message, /Preset busy/);
    assert.equal(alert.remediation, ERRORS.PTZ_FAILED.remediation);

    const probe = await probeFile(file);
    assert.ok(probe.durationSec >= DURATION - 0.5, `the recording lasts ${probe.durationSec} s`);
    const gap = maxTimestampGap(await videoFrameTimes(file));
    assert.ok(gap < 0.1, `largest gap between frames: ${gap} s`);
    assert.equal(await onAirAt(file, 9), 'cam2', 'the cue went on air anyway');
  });
});
