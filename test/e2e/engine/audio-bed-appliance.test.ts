// End to end through the appliance, as an operator would set it up: a 440 Hz tone made with ffmpeg
// is uploaded as an audio asset (multipart, as the browser sends it), the loudness target is set
// in Settings, a timeline with the asset as its bed goes live to nginx-rtmp over two cameras (one
// silent, one sending a 1 kHz tone). What arrived: the bed is in the spectrum, ducked under the
// camera's tone, and ffmpeg's ebur128 reads the program within 1 LU of the target.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import {
  ANALYSIS_RATE as RATE,
  decodeMono as decodeAudio,
  integratedLoudness,
  makeToneMp3,
  toneLevel,
} from '../../helpers/audio-analysis.ts';
import { mustValidate } from '../../helpers/timelines.ts';

const TARGET_LUFS = -18;
const DUCK_DB = 10;

describe('appliance end to end: an uploaded audio asset as the bed, at the loudness target', () => {
  const dir = tempDir('vistter-e2e-bed-app-');
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  let appliance: Appliance | undefined;
  let samples: Float32Array = new Float32Array(0);
  let recording = '';

  before(async () => {
    const bedFile = join(dir.path, 'harbour bed.mp3');
    const made = makeToneMp3(bedFile, 440, 6);
    [sim, rtmp] = await Promise.all([
      startCameraSim({
        cameras: [
          { name: 'quiet', silent: true },
          { name: 'tone', tone: 1000, toneDbfs: -20 },
        ],
        width: 320,
        height: 180,
        fps: 30,
      }),
      startRtmpServer({ apps: ['live'] }),
      made,
    ]);
    appliance = await startAppliance(applianceEnv(join(dir.path, 'data')));
    const api = new ApplianceClient(appliance.url);
    await api.setup();

    // The upload goes as a browser's would; a token stands in for the session (no CSRF header).
    const token = await api.request('POST', '/api/auth/tokens', { name: 'upload', role: 'admin' });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    const form = new FormData();
    form.append('file', new Blob([readFileSync(bedFile)], { type: 'audio/mpeg' }), 'harbour bed.mp3');
    const uploaded = await fetch(`${appliance.url}/api/assets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${String(token.body.token)}` },
      body: form,
    });
    const asset = (await uploaded.json()) as Record<string, unknown>;
    assert.equal(uploaded.status, 201, JSON.stringify(asset));
    assert.equal(asset.asset_type, 'audio', JSON.stringify(asset));

    const target = await api.request('PUT', '/api/settings/audio.loudness_target', { value: TARGET_LUFS });
    assert.equal(target.status, 200, JSON.stringify(target.body));
    const quiet = await api.request('POST', '/api/cameras', { name: 'Quiet', stream_url: sim.urls[0] });
    const tone = await api.request('POST', '/api/cameras', { name: 'Tone', stream_url: sim.urls[1] });
    assert.equal(quiet.status, 201, JSON.stringify(quiet.body));
    assert.equal(tone.status, 201, JSON.stringify(tone.body));
    const destination = await api.request('POST', '/api/destinations', {
      name: 'Local nginx',
      platform: 'custom',
      server_url: `rtmp://127.0.0.1:${rtmp.port}/live`,
      stream_key: 'bed',
    });
    assert.equal(destination.status, 201, JSON.stringify(destination.body));
    const camera = (id: string, start: number, cameraId: unknown) => ({
      id,
      start_time: start,
      duration: 12,
      action: 'show_camera',
      params: { camera_id: Number(cameraId) },
    });
    const timeline = mustValidate({
      timeline: {
        name: 'Harbour with music',
        duration: 24,
        fps: 30,
        resolution: '320x180',
        loop: true,
        tracks: {
          video: {
            track_id: 'video',
            type: 'video',
            cues: [camera('quiet', 0, quiet.body.id), camera('tone', 12, tone.body.id)],
          },
          audio: {
            track_id: 'bed',
            type: 'audio',
            duck_db: DUCK_DB,
            cues: [
              {
                id: 'music',
                start_time: 0,
                duration: 24,
                action: 'play_audio',
                params: { asset_ids: [Number(asset.id)], fade_in: 0.5, fade_out: 0.5 },
              },
            ],
          },
        },
      },
    }).timeline;
    const created = await api.request('POST', '/api/timelines', { timeline });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const destinationIds = [Number(destination.body.id)];
    const live = await api.request('POST', '/api/show/go-live', {
      timelineId: Number(created.body.id),
      destinationIds,
    });
    assert.equal(live.status, 202, JSON.stringify(live.body));
    await waitFor(
      async () => ((await rtmp!.streams()).find((s) => s.name === 'bed' && s.bytesIn > 0) ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 100, what: 'the program at nginx-rtmp' },
    );
    await delay(26_000); // one pass of the timeline and a little more
    const stopped = await api.request('POST', '/api/show/stop');
    assert.ok(stopped.status < 300, JSON.stringify(stopped.body));
    await rtmp.waitForNoPublisher('live', 'bed', 30_000);
    const files = rtmp.recordings('live').filter((file) => file.includes('bed'));
    assert.equal(files.length, 1, `one recording: ${files.join(', ')}`);
    recording = files[0]!;
    samples = await decodeAudio(recording);
  });

  after(async () => {
    if (appliance && process.exitCode) console.error(appliance.output().slice(-4000));
    await appliance?.stop();
    await rtmp?.destroy();
    await sim?.stop();
    dir.cleanup();
  });

  it('the uploaded bed is on air, ducked under the camera’s tone', () => {
    const seconds = samples.length / RATE;
    // Where the camera's tone starts (the recording begins a moment after the program does).
    let on = -1;
    for (let t = 0; t < seconds - 0.25 && on < 0; t += 0.25)
      if (toneLevel(samples, 1000, t, t + 0.25) > -45) on = t;
    assert.ok(on > 5, `the 1 kHz camera comes on air after the quiet one (at ${on} s of ${seconds} s)`);
    const open = toneLevel(samples, 440, on - 6, on - 1);
    const ducked = toneLevel(samples, 440, on + 1, Math.min(on + 10, seconds - 0.5));
    console.log(
      `440 Hz: ${open.toFixed(1)} dBFS with the camera silent, ${ducked.toFixed(1)} under its tone`,
    );
    assert.ok(open > -40, `the bed is audible (${open} dBFS)`);
    // The loudness gain moves too (slowly, toward the louder mix): the drop is duck_db and a little more.
    const drop = open - ducked;
    assert.ok(
      drop > DUCK_DB - 2 && drop < DUCK_DB + 8,
      `ducked by ${drop.toFixed(1)} dB (duck_db ${DUCK_DB})`,
    );
  });

  it(`the program's integrated loudness is within 1 LU of the target (${TARGET_LUFS} LUFS)`, async () => {
    const seconds = samples.length / RATE;
    const integrated = await integratedLoudness(recording, 3, seconds);
    console.log(`integrated loudness ${integrated} LUFS (target ${TARGET_LUFS})`);
    assert.ok(Math.abs(integrated - TARGET_LUFS) <= 1, `integrated ${integrated} LUFS`);
  });
});
