// End to end: the audio bed under real cameras, read back from what nginx-rtmp recorded. An audio
// asset (a 440 Hz tone made here as an MP3, 7 s, looped across file boundaries) is the bed of a
// 30 s show: camera 1 (silent) for 10 s, camera 2 (a 1 kHz tone) for 10 s with the bed ducked
// under it, then camera 2 again for 10 s on a cue whose source_audio is 'replace'.
// - Run 1, loudness control off: the recording's 440 Hz is duck_db lower while the camera's tone
//   plays than while the camera is silent, 1 kHz is there under the 'duck' cue and gone under the
//   'replace' cue (where the bed is back to its full level).
// - Run 2, loudness target −16 LUFS: ffmpeg's ebur128 (the measuring instrument) reads the
//   recording's integrated loudness within 1 LU of it, and the bed is still audible.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import { Engine } from '../../../src/engine/index.ts';
import { stopAllSupervised } from '../../../src/process/supervisor.ts';
import type { Timeline } from '../../../src/timeline/schema.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { startRtmpServer, type RtmpServer } from '../../helpers/rtmp-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { mustValidate } from '../../helpers/timelines.ts';
import { withTimeout } from './helpers.ts';
import {
  ANALYSIS_RATE as RATE,
  decodeMono as decodeAudio,
  integratedLoudness,
  makeToneMp3,
  toneLevel,
} from '../../helpers/audio-analysis.ts';

const DUCK_DB = 12;
const TARGET_LUFS = -16;
const BED_ASSET_ID = 41;

function bedShow(): Timeline {
  const camera = (id: string, start: number, cameraId: number, sourceAudio?: 'replace') => ({
    id,
    start_time: start,
    duration: 10,
    action: 'show_camera',
    params: { camera_id: cameraId, ...(sourceAudio ? { source_audio: sourceAudio } : {}) },
  });
  return mustValidate({
    timeline: {
      name: 'Audio bed',
      duration: 30,
      fps: 15,
      resolution: '320x180',
      tracks: {
        video: {
          track_id: 'video',
          type: 'video',
          cues: [camera('quiet', 0, 1), camera('tone', 10, 2), camera('tone-replaced', 20, 2, 'replace')],
        },
        audio: {
          track_id: 'bed',
          type: 'audio',
          source_audio: 'duck',
          duck_db: DUCK_DB,
          cues: [
            {
              id: 'music',
              start_time: 0,
              duration: 30,
              action: 'play_audio',
              params: { asset_ids: [BED_ASSET_ID], loop: true, volume_db: 0, fade_in: 0.5, fade_out: 0.5 },
            },
          ],
        },
      },
    },
  }).timeline;
}

/** Where the camera's 1 kHz tone is on: its first and last second in the recording. */
function toneSpan(samples: Float32Array): { on: number; off: number } {
  const seconds = Math.floor(samples.length / RATE);
  const present: number[] = [];
  for (let s = 0; s < seconds * 4; s++)
    if (toneLevel(samples, 1000, s / 4, s / 4 + 0.25) > -40) present.push(s / 4);
  assert.ok(present.length > 0, 'the camera tone (1 kHz) is somewhere in the recording');
  return { on: present[0]!, off: present.at(-1)! + 0.25 };
}

describe('engine end to end: the audio bed', () => {
  const dir = tempDir('vistter-e2e-bed-');
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  let bedFile = '';

  before(async () => {
    bedFile = join(dir.path, 'bed 440.mp3');
    const made = makeToneMp3(bedFile, 440, 7);
    [sim, rtmp] = await Promise.all([
      startCameraSim({
        cameras: [
          { name: 'quiet', silent: true },
          { name: 'tone', tone: 1000, toneDbfs: -20 },
        ],
        width: 320,
        height: 180,
        fps: 15,
      }),
      startRtmpServer({ apps: ['live'] }),
      made,
    ]);
  });

  after(async () => {
    await stopAllSupervised();
    await rtmp?.destroy();
    await sim?.stop();
    dir.cleanup();
  });

  /** Runs the show to its end and returns the recording. */
  async function runShow(key: string, loudnessTargetLufs: number | null): Promise<string> {
    let ended!: () => void;
    const endedPromise = new Promise<void>((resolve) => (ended = resolve));
    const engine = await Engine.create(
      {
        timeline: bedShow(),
        cameras: new Map(
          sim!.cameras.map((c, i) => [i + 1, { kind: 'url' as const, name: c.name, url: c.url }]),
        ),
        destinations: [{ id: 'd1', name: 'destination', platform: 'custom', url: rtmp!.url('live', key) }],
        mediaRoot: dir.path,
        assetPath: (id) => (id === BED_ASSET_ID ? bedFile : null),
        encoder: { preset: 'veryfast' },
        loudnessTargetLufs,
      },
      { logger: createLogger('e2e'), onEnded: () => ended() },
    );
    engine.start();
    try {
      await withTimeout(endedPromise, 90_000, 'the show ending');
    } finally {
      await engine.stop();
    }
    await rtmp!.waitForNoPublisher('live', key);
    const files = rtmp!.recordings('live').filter((file) => file.includes(key));
    assert.equal(files.length, 1, `one recording: ${files.join(', ')}`);
    return files[0]!;
  }

  it('the bed is ducked under the camera’s sound, and replaces it under a replace cue', async () => {
    const recording = await runShow('duck', null);
    const samples = await decodeAudio(recording);
    const { on, off } = toneSpan(samples);
    console.log(`camera tone from ${on} s to ${off} s of the recording (${samples.length / RATE} s)`);
    assert.ok(Math.abs(off - on - 10) < 1, `the 'duck' cue's tone lasts 10 s, not ${off - on}`);
    const bedOpen = toneLevel(samples, 440, on - 7, on - 1);
    const bedDucked = toneLevel(samples, 440, on + 1, off - 1);
    const bedReplacing = toneLevel(samples, 440, off + 1, off + 8);
    const cameraDucking = toneLevel(samples, 1000, on + 1, off - 1);
    const cameraReplaced = toneLevel(samples, 1000, off + 1, off + 8);
    console.log(
      `440 Hz: ${bedOpen.toFixed(1)} dBFS with the camera silent, ${bedDucked.toFixed(1)} under its tone, ` +
        `${bedReplacing.toFixed(1)} under 'replace'; 1 kHz: ${cameraDucking.toFixed(1)} on 'duck', ${cameraReplaced.toFixed(1)} on 'replace'`,
    );
    assert.ok(bedOpen > -26, `the bed is audible (440 Hz at ${bedOpen} dBFS)`);
    assert.ok(
      Math.abs(bedOpen - bedDucked - DUCK_DB) < 2,
      `ducked by ${(bedOpen - bedDucked).toFixed(1)} dB, expected about ${DUCK_DB}`,
    );
    assert.ok(cameraDucking > -26, `the camera's tone is on air under 'duck' (${cameraDucking} dBFS)`);
    assert.ok(cameraReplaced < -60, `no 1 kHz under 'replace' (${cameraReplaced} dBFS)`);
    assert.ok(Math.abs(bedReplacing - bedOpen) < 1.5, `the bed is back at full level under 'replace'`);
    // Continuous: across the file's loops (every 7 s), the cut at 10 s and the cue change at 20 s,
    // no quarter second goes without the bed (ducked it is about duck_db down, still far above this).
    const gaps: number[] = [];
    for (let t = 1; t < 29; t += 0.25)
      if (toneLevel(samples, 440, t, t + 0.25) < bedOpen - DUCK_DB - 10) gaps.push(t);
    assert.deepEqual(gaps, [], 'quarter seconds without the bed');
  });

  it(`holds the program at the loudness target (${TARGET_LUFS} LUFS) within 1 LU`, async () => {
    const recording = await runShow('loudness', TARGET_LUFS);
    const samples = await decodeAudio(recording);
    const seconds = samples.length / RATE;
    // From 3 s in (the gain's first reading and the first fade are behind) to the end.
    const integrated = await integratedLoudness(recording, 3, seconds);
    const bed = toneLevel(samples, 440, 4, 8);
    console.log(
      `integrated loudness ${integrated} LUFS (target ${TARGET_LUFS}); 440 Hz at ${bed.toFixed(1)} dBFS`,
    );
    assert.ok(Math.abs(integrated - TARGET_LUFS) <= 1, `integrated ${integrated} LUFS`);
    assert.ok(bed > -30, 'the bed is audible');
  });
});
