// The pre-flight encoder check with this machine's capacity (issue 13): a real migrated SQLite
// store and the real capacity service, the measurement itself faked with the engine's own pure
// judge. The check says where the show starts and why, lists each level tried with its reason,
// warns with what to do when the show starts below the operator's settings, reuses a recent
// measurement, and never measures a hardware encoder or beside a show on air.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CapacityService, type CapacityCheckRunner } from '../../../src/app/capacity.ts';
import { runPreflight, type PreflightCheck, type RunPreflightInput } from '../../../src/app/preflight.ts';
import { createLogger } from '../../../src/core/logger.ts';
import {
  chooseLevel,
  judgeTrial,
  type CapacityCheckOptions,
  type LevelVerdict,
} from '../../../src/engine/quality/capacity.ts';
import { describeLevel, type QualityLevel } from '../../../src/engine/quality/ladder.ts';
import type { TrialOutcome } from '../../../src/engine/quality/trial.ts';
import type { EncoderDetection } from '../../../src/ffmpeg/hardware.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const software: EncoderDetection = {
  encoder: 'libx264',
  tried: [{ encoder: 'libx264', ok: true, reason: 'test encode succeeded', durationMs: 90 }],
};
const hardware: EncoderDetection = {
  encoder: 'h264_v4l2m2m',
  tried: [{ encoder: 'h264_v4l2m2m', ok: true, reason: 'test encode succeeded', durationMs: 210 }],
};

/** A trial of a level: every part fed at 1.15× real time; `rate` is what each kept. */
function trial(rate: number, cores: number): TrialOutcome {
  return {
    ok: true,
    measurement: {
      frames: Math.round(rate * 60),
      programSeconds: rate * 2,
      wallSeconds: 2,
      cpuSeconds: cores * 2,
      idleSeconds: 0.1,
      rate,
    },
  };
}

function verdict(ladder: readonly QualityLevel[], index: number, fits: boolean): LevelVerdict {
  const outcomes = fits
    ? { encoder: trial(1.16, 0.6), decoders: [trial(1.15, 0.17)] }
    : { encoder: trial(0.5, 1.6), decoders: [trial(1.1, 0.2)] };
  return judgeTrial(index, ladder[index]!, outcomes, { pace: 1.15, keep: 0.97 }, 2);
}

/** A machine on which `fits` is the highest level that fits ('none': not even the lowest). */
function fakeCheck(fits: () => number | 'none', calls: CapacityCheckOptions[]): CapacityCheckRunner {
  return async (options) => {
    calls.push(options);
    const { ladder } = options;
    const at = fits();
    const last = ladder.length - 1;
    const tried =
      at === 0
        ? [verdict(ladder, 0, true)]
        : at === 'none'
          ? [verdict(ladder, 0, false), verdict(ladder, last, false)]
          : [verdict(ladder, 0, false), verdict(ladder, at, true)];
    const choice = chooseLevel(ladder, tried);
    return {
      chosenIndex: choice.index,
      chosen: ladder[choice.index]!,
      description: describeLevel(ladder[choice.index]!),
      summary: choice.summary,
      tried,
      decoder: { coresAtCeiling: 0.22, measured: true },
      freeCores: 1.5,
      durationMs: 12_000,
    };
  };
}

const cam = (id: string, camera: number, start: number, duration: number) => ({
  id,
  start_time: start,
  duration,
  action: 'show_camera',
  params: { camera_id: camera },
});

const doc = (resolution: string, cues: unknown[], fps = 30) => ({
  timeline: {
    name: 'Marina',
    duration: 60,
    fps,
    resolution,
    loop: false,
    tracks: { video: { track_id: 'v', type: 'video', cues }, overlays: [] },
  },
});

describe('pre-flight encoder check with this machine’s capacity', () => {
  const dir = tempDir('vistter-preflight-capacity-');
  let store: Store;
  let clock: FakeClock;
  let calls: CapacityCheckOptions[];
  let fits: number | 'none';
  let capacity: CapacityService;
  const ids = {
    hd: 0,
    hdPair: 0,
    hdDisabledBackup: 0,
    small: 0,
    tiny: 0,
    dock: 0,
    spare: 0,
    old: 0,
    dest: 0,
  };

  before(() => {
    store = openStore({ dataDir: join(dir.path, 'data'), secretKey: randomBytes(32) });
    ids.spare = store.cameras.create({ name: 'Spare', stream_url: 'rtsp://10.0.0.3/s1' }).id;
    ids.old = store.cameras.create({ name: 'Old', stream_url: 'rtsp://10.0.0.4/s1', enabled: false }).id;
    ids.dock = store.cameras.create({
      name: 'Dock',
      stream_url: 'rtsp://10.0.0.1/s1',
      backup_camera_id: ids.spare,
    }).id;
    const pier = store.cameras.create({
      name: 'Pier',
      stream_url: 'rtsp://10.0.0.2/s1',
      backup_camera_id: ids.old,
    }).id;
    ids.hd = store.timelines.create(doc('1920x1080', [cam('a', pier, 0, 60)])).id;
    ids.hdPair = store.timelines.create(doc('1920x1080', [cam('a', ids.dock, 0, 60)])).id;
    ids.hdDisabledBackup = ids.hd;
    ids.small = store.timelines.create(doc('1280x720', [cam('a', pier, 0, 60)])).id;
    ids.tiny = store.timelines.create(doc('320x180', [cam('a', pier, 0, 60)])).id;
    ids.dest = store.destinations.create({
      name: 'Local nginx',
      platform: 'custom',
      server_url: 'rtmp://127.0.0.1/live',
      stream_key: 'program',
    }).id;
  });
  beforeEach(() => {
    clock = new FakeClock(Date.parse('2026-12-08T09:00:00Z'));
    calls = [];
    fits = 0;
    store.settings.set('quality.capacity', {});
    capacity = new CapacityService({
      settings: store.settings,
      detectEncoder: async () => software,
      clock,
      logger: createLogger('test'),
      runCheck: fakeCheck(() => fits, calls),
    });
  });
  after(() => {
    store.close();
    dir.cleanup();
  });

  async function encoderCheck(
    over: Partial<RunPreflightInput> & { measure?: boolean; detection?: EncoderDetection } = {},
  ): Promise<PreflightCheck> {
    const { measure = true, detection = software, ...rest } = over;
    const report = await runPreflight({
      store,
      timelineId: ids.hd,
      destinationIds: [ids.dest],
      mediaRoot: dir.path,
      clock,
      arch: 'arm64',
      probeCamera: async () => ({
        ok: true,
        video: { codec: 'h264', width: 1920, height: 1080, fps: 30 },
        audio: null,
        latencyMs: 50,
      }),
      detectEncoder: async () => detection,
      capacity: (show, encoder) =>
        capacity.answer(show, encoder, {
          measure,
          why: 'a show is on air, and measuring would take CPU from it',
        }),
      ...rest,
    });
    const check = report.checks.find((c) => c.id === 'encoder')!;
    if (check.status === 'ok') assert.equal(check.remediation, null);
    else assert.match(check.remediation ?? '', /[.!]$/, 'a remediation sentence');
    assert.doesNotMatch(check.summary, /\.$/, 'no full stop at the end of a summary');
    return check;
  }

  it('the operator’s settings fit: ok, says where it starts, lists the level tried and the decoder', async () => {
    const check = await encoderCheck();
    assert.equal(check.status, 'ok');
    assert.equal(
      check.summary,
      'Starts at your settings (fast, 30 fps, 1920×1080): this machine has room for them (software (libx264), measured just now)',
    );
    assert.deepEqual(
      check.items.map((item) => [item.name, item.status]),
      [
        ['libx264', 'ok'],
        ['fast, 30 fps, 1920×1080', 'ok'],
        ['Camera decoder', 'ok'],
      ],
    );
    assert.match(
      check.items[1]!.detail,
      /^kept 1\.15× real time \(encoder [\d.]+×, 1 decoder [\d.]+×\) beside the machine's other work: it fits$/,
    );
    assert.equal(check.items[2]!.detail, '0.22 core per source at 1920×1080 (measured)');
    // Measured, not guessed: no ARM warning about 1080p in software.
    assert.doesNotMatch(check.summary, /ARM/);
    assert.equal(calls.length, 1);
  });

  it('the settings do not fit: warn, starts lower, each level with its reason, and what would give full quality', async () => {
    fits = 1;
    const check = await encoderCheck();
    assert.equal(check.status, 'warn');
    assert.equal(
      check.summary,
      'Starts at veryfast, 30 fps, 1920×1080: your settings (fast, 30 fps, 1920×1080) do not fit this machine now (software (libx264), measured just now)',
    );
    assert.match(
      check.remediation!,
      /^This machine cannot encode 1920×1080 at 30 fps with 'fast' with room to spare \(it needs [\d.]+ cores to keep ahead of real time and got [\d.]+ here\); the show starts at veryfast, 30 fps, 1920×1080 and steps up by itself when it can\. For full quality use a 1280×720 timeline or a faster machine\.$/,
    );
    const tried = check.items.filter((item) => item.name !== 'libx264' && item.name !== 'Camera decoder');
    assert.deepEqual(
      tried.map((item) => [item.name, item.status]),
      [
        ['fast, 30 fps, 1920×1080', 'warn'],
        ['veryfast, 30 fps, 1920×1080', 'ok'],
      ],
    );
    assert.match(tried[0]!.detail, /: too much$/);
    assert.match(tried[1]!.detail, /: it fits$/);
  });

  it('nothing fits: starts at the lowest level and says so', async () => {
    fits = 'none';
    const check = await encoderCheck();
    assert.equal(check.status, 'warn');
    assert.equal(
      check.summary,
      'Starts at the lowest level, superfast, 15 fps, 640×360: no level fits this machine now (software (libx264), measured just now)',
    );
    assert.match(
      check.remediation!,
      /no lower level fitted either; the show starts at superfast, 15 fps, 640×360/,
    );
  });

  it('a measurement of the last 24 h is reused; the advice follows the timeline’s size', async () => {
    fits = 2;
    await encoderCheck({ timelineId: ids.small });
    clock.advance(12 * 60_000);
    const again = await encoderCheck({ timelineId: ids.small });
    assert.equal(calls.length, 1, 'not measured again');
    assert.equal(
      again.summary,
      'Starts at superfast, 30 fps, 1280×720: your settings (fast, 30 fps, 1280×720) do not fit this machine now (software (libx264), measured 12 min ago)',
    );
    assert.match(again.remediation!, /For full quality use a 854×480 timeline or a faster machine\.$/);
    // Below 360 lines no smaller size is offered: the frame rate is.
    fits = 3;
    const tiny = await encoderCheck({ timelineId: ids.tiny });
    assert.match(tiny.summary, /^Starts at superfast, 15 fps, 320×180: /);
    assert.match(tiny.remediation!, /For full quality use a 15 fps timeline or a faster machine\.$/);
  });

  it('counts an enabled backup as a source decoding at once, not a disabled one', async () => {
    await encoderCheck({ timelineId: ids.hdPair });
    await encoderCheck({ timelineId: ids.hdDisabledBackup });
    assert.deepEqual(
      calls.map((call) => call.cameras),
      [2, 1],
    );
  });

  it('a hardware encoder is not measured: ok at the operator’s settings', async () => {
    const check = await encoderCheck({ detection: hardware });
    assert.equal(check.status, 'ok');
    assert.equal(
      check.summary,
      'Starts at your settings (30 fps, 1920×1080): H.264 encoder hardware (V4L2 M2M), which leaves the CPU free, so this machine is not measured',
    );
    assert.equal(calls.length, 0);
  });

  it('beside a show on air it is not measured: the stored result stands, else a warning to check again later', async () => {
    const none = await encoderCheck({ measure: false });
    assert.equal(none.status, 'warn');
    assert.equal(
      none.summary,
      'Starts at your settings (fast, 30 fps, 1920×1080): this machine is not measured (a show is on air, and measuring would take CPU from it)',
    );
    assert.match(none.remediation!, /^Run the checks again when nothing is on air/);
    fits = 1;
    await encoderCheck();
    clock.advance(30 * 3_600_000);
    const stale = await encoderCheck({ measure: false });
    assert.match(
      stale.summary,
      /^Starts at veryfast, 30 fps, 1920×1080: .*measured 2026-12-08 09:00 UTC; not measured again: a show is on air/,
    );
    assert.equal(calls.length, 1);
  });

  it('a measurement that fails is a warning, not a failure: the show can still start', async () => {
    capacity = new CapacityService({
      settings: store.settings,
      detectEncoder: async () => software,
      clock,
      logger: createLogger('test'),
      runCheck: async () => {
        throw new Error('ffmpeg was killed');
      },
    });
    const check = await encoderCheck();
    assert.equal(check.status, 'warn');
    assert.equal(
      check.summary,
      'Starts at your settings: this machine could not be measured (ffmpeg was killed)',
    );
  });
});
