// The capacity service on a real SQLite settings store, with the measurement itself faked (its
// verdicts made by the engine's own pure judge): what a show's ceiling is, one stored result per
// ceiling that a restart reuses, 24 h freshness for pre-flight, any age for the runner, a hardware
// encoder never measured, one measurement at a time, and a background measurement stopped for an
// operator's (never stored).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import {
  ApplianceCpuTally,
  CAPACITY_SETTING,
  CapacityCheckStopped,
  descendantsOf,
  parseParentPid,
  CapacityService,
  camerasAtOnce,
  ceilingKey,
  ceilingOf,
  ladderOf,
  type CapacityCheckRunner,
  type CapacityShow,
  type ProcessEntry,
} from '../../../src/app/capacity.ts';
import { createLogger } from '../../../src/core/logger.ts';
import {
  chooseLevel,
  judgeTrial,
  type CapacityCheckOptions,
  type CapacityResult,
  type LevelVerdict,
} from '../../../src/engine/quality/capacity.ts';
import type { TrialOutcome } from '../../../src/engine/quality/trial.ts';
import { buildLadder, describeLevel, type QualityLevel } from '../../../src/engine/quality/ladder.ts';
import type { EncoderDetection } from '../../../src/ffmpeg/hardware.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { TimelineBodySchema, type Timeline } from '../../../src/timeline/schema.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const log = createLogger('test');
const HOUR = 3_600_000;

type Raw = Record<string, unknown>;
const cam = (id: string, camera: number, start: number, duration = 10): Raw => ({
  id,
  start_time: start,
  duration,
  action: 'show_camera',
  params: { camera_id: camera },
});

function timeline(o: { cues: Raw[]; resolution?: string; fps?: number; loop?: boolean }): Timeline {
  return TimelineBodySchema.parse({
    name: 'Marina',
    duration: 60,
    fps: o.fps ?? 30,
    resolution: o.resolution ?? '1920x1080',
    loop: o.loop ?? false,
    tracks: { video: { track_id: 'v', type: 'video', cues: o.cues }, overlays: [] },
  });
}

const oneCamera = timeline({ cues: [cam('a', 1, 0, 60)] });
const software: EncoderDetection = { encoder: 'libx264', tried: [] };
const hardware: EncoderDetection = { encoder: 'h264_v4l2m2m', tried: [] };

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

/** A verdict the engine's judge makes from a measurement that fits (or not). */
function verdictFor(ladder: readonly QualityLevel[], index: number, fits: boolean): LevelVerdict {
  const outcomes = fits
    ? { encoder: trial(1.16, 0.6), decoders: [trial(1.15, 0.17)] }
    : { encoder: trial(0.5, 1.6), decoders: [trial(1.1, 0.2)] };
  return judgeTrial(index, ladder[index]!, outcomes, { pace: 1.15, keep: 0.97 }, 2);
}

/** What the real check would return for a machine on which `fitsFrom` is the highest level that fits. */
function resultFor(ladder: readonly QualityLevel[], fitsFrom: number): CapacityResult {
  const tried =
    fitsFrom === 0
      ? [verdictFor(ladder, 0, true)]
      : [verdictFor(ladder, 0, false), verdictFor(ladder, fitsFrom, true)];
  const choice = chooseLevel(ladder, tried);
  return {
    chosenIndex: choice.index,
    chosen: ladder[choice.index]!,
    description: describeLevel(ladder[choice.index]!),
    summary: choice.summary,
    tried,
    decoder: { coresAtCeiling: 0.22, measured: true },
    freeCores: 1.5,
    durationMs: 9000,
  };
}

interface FakeCheck {
  run: CapacityCheckRunner;
  calls: CapacityCheckOptions[];
  /** Where the fake machine fits, per ceiling preset+size (default: the ceiling). */
  fits: Map<string, number>;
  /** When set, a check waits for this before answering (or for its abort). */
  gate: Promise<void> | null;
}

function fakeCheck(): FakeCheck {
  const fake: FakeCheck = {
    calls: [],
    fits: new Map(),
    gate: null,
    run: async (options, signal) => {
      fake.calls.push(options);
      const ladder = options.ladder;
      options.onProgress?.({
        step: 1,
        of: 4,
        message: `Measuring this machine: testing ${describeLevel(ladder[0]!)} (1/4)`,
        level: ladder[0]!,
      });
      if (fake.gate) {
        const gate = fake.gate;
        await new Promise<void>((resolve) => {
          void gate.then(resolve);
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      return resultFor(ladder, fake.fits.get(describeLevel(ladder[0]!)) ?? 0);
    },
  };
  return fake;
}

describe('capacity: what a show asks of the machine (pure)', () => {
  it('counts the sources decoding at once: the cue on air, the next, and their backups', () => {
    assert.equal(camerasAtOnce(oneCamera), 1);
    const alternating = timeline({ cues: [cam('a', 1, 0), cam('b', 2, 10), cam('c', 1, 20)] });
    assert.equal(camerasAtOnce(alternating), 2);
    assert.equal(
      camerasAtOnce(alternating, (id) => (id === 1 ? 3 : null)),
      3,
      'camera 1’s backup stands by',
    );
    assert.equal(
      camerasAtOnce(alternating, (id) => (id === 1 ? 2 : undefined)),
      2,
      'a backup already counted',
    );
    // Three cameras in turn: never more than two at once, unless the loop brings the first back.
    const three = timeline({ cues: [cam('a', 1, 0), cam('b', 2, 10), cam('c', 3, 20)] });
    assert.equal(camerasAtOnce(three), 2);
    const media = timeline({
      cues: [
        cam('a', 1, 0),
        { id: 'm', start_time: 10, duration: 10, action: 'show_media', params: { media_url: '/intro.mp4' } },
      ],
    });
    assert.equal(camerasAtOnce(media), 2, 'a media cue is decoded too');
    assert.equal(camerasAtOnce(timeline({ cues: [] })), 0, 'the slate alone decodes nothing');
  });

  it('the ceiling is the timeline’s size and rate with the profile’s preset and bitrate, or the show’s own', () => {
    const show: CapacityShow = { timeline: oneCamera };
    assert.deepEqual(ceilingOf(show, 'libx264'), {
      width: 1920,
      height: 1080,
      fps: 30,
      preset: 'fast',
      profile: 'reliability',
      bitrateKbps: 4500,
      encoder: 'libx264',
      cameras: 1,
    });
    const own = ceilingOf(
      { timeline: oneCamera, encoder: { preset: 'veryfast', bitrateKbps: 2500 } },
      'libx264',
    );
    assert.deepEqual([own.preset, own.bitrateKbps, own.profile], ['veryfast', 2500, 'reliability']);
    const quality = ceilingOf({ timeline: oneCamera, encoder: { profile: 'quality' } }, 'libx264');
    assert.deepEqual([quality.preset, quality.bitrateKbps], ['medium', 6000]);
    // Each of these is measured on its own.
    const keys = new Set(
      [ceilingOf(show, 'libx264'), own, quality, ceilingOf(show, 'h264_vaapi')].map(ceilingKey),
    );
    assert.equal(keys.size, 4);
  });

  it('the ladder is the engine’s: built from the ceiling with the encoder', () => {
    const ceiling = ceilingOf({ timeline: oneCamera }, 'libx264');
    assert.deepEqual(
      ladderOf(ceiling),
      buildLadder({ preset: 'fast', fps: 30, width: 1920, height: 1080 }, { encoder: 'libx264' }),
    );
    assert.equal(ladderOf(ceiling)[0]!.preset, 'fast', 'index 0 is the operator’s ceiling');
    assert.ok(
      ladderOf(ceilingOf({ timeline: oneCamera }, 'h264_v4l2m2m')).every((level) => level.preset === 'fast'),
      'a hardware encoder has no preset steps',
    );
  });
});

describe('capacity: the appliance’s own CPU counts as free (the new show replaces what is on air)', () => {
  it('reads the parent pid of /proc/<pid>/stat, whatever the command name holds', () => {
    assert.equal(parseParentPid('4242 (ffmpeg) S 17 4242 4242 0 -1 4194560 …'), 17);
    assert.equal(parseParentPid('4243 (a) b (c)) R 99 1 1'), 99);
    assert.equal(parseParentPid('garbage'), null);
  });

  it('finds every descendant of the appliance, leaving out the tests and theirs', () => {
    const table = new Map<number, ProcessEntry>([
      [100, { ppid: 1, cpuSeconds: 0 }], // the appliance
      [200, { ppid: 100, cpuSeconds: 0 }], // the show's encoder
      [201, { ppid: 100, cpuSeconds: 0 }], // a decoder
      [300, { ppid: 201, cpuSeconds: 0 }], // its child
      [400, { ppid: 100, cpuSeconds: 0 }], // the capacity test
      [401, { ppid: 400, cpuSeconds: 0 }],
      [500, { ppid: 1, cpuSeconds: 0 }], // another program
    ]);
    assert.deepEqual(descendantsOf(100, table, new Set([400])).sort(), [200, 201, 300]);
  });

  it('tallies what the appliance used since the check began: ended processes keep theirs, new ones count from their start', () => {
    let table = new Map<number, ProcessEntry>([
      [200, { ppid: 100, cpuSeconds: 50 }],
      [201, { ppid: 100, cpuSeconds: 10 }],
      [400, { ppid: 100, cpuSeconds: 0 }],
      [500, { ppid: 1, cpuSeconds: 900 }],
    ]);
    let own = 2_000_000; // µs of the appliance's own process
    const tally = new ApplianceCpuTally(
      () => table,
      100,
      (since) => ({ user: own - (since?.user ?? 0), system: 0 }),
    );
    const tests = new Set([400]);
    assert.equal(tally.read(tests), 0, 'what was used before the check does not count');
    table = new Map([
      [200, { ppid: 100, cpuSeconds: 50.5 }],
      [201, { ppid: 100, cpuSeconds: 10.25 }],
      [202, { ppid: 100, cpuSeconds: 0.25 }], // started meanwhile
      [400, { ppid: 100, cpuSeconds: 3 }], // the test: not the appliance's show
      [500, { ppid: 1, cpuSeconds: 905 }], // another program: busy, not free
    ]);
    own += 200_000;
    assert.equal(tally.read(tests), 0.5 + 0.25 + 0.25 + 0.2);
    table = new Map([[200, { ppid: 100, cpuSeconds: 51 }]]); // 201 and 202 ended
    assert.equal(tally.read(tests), 1.2 + 0.5, 'a counter that never goes back');
  });
});

describe('capacity service (real SQLite settings)', () => {
  const dir = tempDir('vistter-capacity-');
  let store: Store;
  let clock: FakeClock;
  let check: FakeCheck;
  let n = 0;
  let dataDir = '';
  const service = (detection: EncoderDetection = software) =>
    new CapacityService({
      settings: store.settings,
      detectEncoder: async () => detection,
      clock,
      logger: log,
      runCheck: check.run,
    });
  const show: CapacityShow = { timeline: oneCamera };
  const ceiling = ceilingOf(show, 'libx264');

  beforeEach(() => {
    store?.close();
    n++;
    dataDir = join(dir.path, `d${n}`);
    store = openStore({ dataDir, secretKey: randomBytes(32) });
    clock = new FakeClock(Date.parse('2026-12-08T09:00:00Z'));
    check = fakeCheck();
  });
  after(() => {
    store?.close();
    dir.cleanup();
  });

  it('measures a ceiling it has no result for, stores it, and starts shows where it fits', async () => {
    check.fits.set('fast, 30 fps, 1920×1080', 1);
    const capacity = service();
    assert.equal(capacity.startLevelFor(ceiling), 0, 'never measured: at the ceiling');
    const seen: (string | null)[] = [];
    capacity.onMeasuring(() => seen.push(capacity.measuring()?.message ?? null));

    const answer = await capacity.answer(show, 'libx264', { measure: true });
    assert.equal(answer.kind, 'measured');
    assert.ok(answer.kind === 'measured');
    assert.equal(answer.measuredNow, true);
    assert.equal(answer.startLevel, 1);
    assert.equal(answer.result.description, 'veryfast, 30 fps, 1920×1080');
    assert.deepEqual(
      answer.result.tried.map((t) => [t.index, t.accepted]),
      [
        [0, false],
        [1, true],
      ],
    );
    assert.match(
      answer.result.tried[0]!.reason,
      /^fast, 30 fps, 1920×1080 needs [\d.]+ cores to keep 1\.15× real time and got [\d.]+ .*: too much$/,
    );
    assert.equal(answer.result.measuredAt, '2026-12-08T09:00:00.000Z');
    // The check got the show's ladder and what decides its cost.
    assert.equal(check.calls.length, 1);
    const call = check.calls[0]!;
    assert.deepEqual(call.ladder, ladderOf(ceiling));
    assert.deepEqual([call.cameras, call.bitrateKbps, call.profile], [1, 4500, 'reliability']);
    // The control room saw it measuring, then not.
    assert.deepEqual(seen, ['Measuring this machine: testing fast, 30 fps, 1920×1080 (1/4)', null]);
    assert.equal(capacity.measuring(), null);

    assert.equal(capacity.startLevelFor(ceiling), 1);
    const start = await capacity.startLevelForShow(show);
    assert.equal(start.level, 1);
    assert.equal(start.description, 'veryfast, 30 fps, 1920×1080');
    assert.match(
      start.reason!,
      /^this machine's capacity check \(just now\) found your settings too much for it \(they need [\d.]+ cores to keep ahead of real time and got [\d.]+ here\)$/,
    );
  });

  it('a restart reuses the stored result for 24 h in pre-flight; after that pre-flight measures again', async () => {
    check.fits.set('fast, 30 fps, 1920×1080', 2);
    await service().answer(show, 'libx264', { measure: true });
    // The appliance restarts: a new service on the same database file.
    store.close();
    store = openStore({ dataDir, secretKey: randomBytes(32) });
    const capacity = service();
    clock.advance(5 * HOUR);
    const reused = await capacity.answer(show, 'libx264', { measure: true });
    assert.ok(reused.kind === 'measured');
    assert.deepEqual([reused.measuredNow, reused.ageMs, reused.startLevel], [false, 5 * HOUR, 2]);
    assert.equal(check.calls.length, 1, 'not measured again');

    clock.advance(20 * HOUR);
    check.fits.set('fast, 30 fps, 1920×1080', 0);
    // The runner still starts at the old result until pre-flight measures again.
    assert.equal((await capacity.startLevelForShow(show)).level, 2);
    const fresh = await capacity.answer(show, 'libx264', { measure: true });
    assert.ok(fresh.kind === 'measured');
    assert.deepEqual([fresh.measuredNow, fresh.startLevel], [true, 0]);
    assert.equal(check.calls.length, 2);
    assert.deepEqual(await capacity.startLevelForShow(show), {
      level: 0,
      description: 'fast, 30 fps, 1920×1080',
      reason: null,
    });
  });

  it('a hardware encoder is never measured: the show starts at the ceiling', async () => {
    const capacity = service(hardware);
    const answer = await capacity.answer(show, 'h264_v4l2m2m', { measure: true });
    assert.equal(answer.kind, 'hardware');
    assert.equal(answer.startLevel, 0);
    assert.equal((await capacity.startLevelForShow(show)).level, 0);
    assert.equal(check.calls.length, 0);
  });

  it('measure: false only reads what is stored (a show is on air)', async () => {
    const capacity = service();
    const none = await capacity.answer(show, 'libx264', { measure: false, why: 'a show is on air' });
    assert.deepEqual([none.kind, none.startLevel], ['unmeasured', 0]);
    assert.ok(none.kind === 'unmeasured');
    assert.deepEqual([none.result, none.why], [null, 'a show is on air']);
    check.fits.set('fast, 30 fps, 1920×1080', 3);
    await capacity.answer(show, 'libx264', { measure: true });
    clock.advance(30 * HOUR);
    const old = await capacity.answer(show, 'libx264', { measure: false });
    assert.ok(old.kind === 'unmeasured');
    assert.equal(old.startLevel, 3, 'the stale result still says where it starts');
    assert.equal(check.calls.length, 1);
  });

  it('one measurement at a time: the same ceiling is joined, another waits its turn', async () => {
    let release!: () => void;
    check.gate = new Promise((resolve) => (release = resolve));
    const capacity = service();
    const other: CapacityShow = {
      timeline: timeline({ cues: [cam('a', 1, 0, 60)], resolution: '1280x720' }),
    };
    const a = capacity.answer(show, 'libx264', { measure: true });
    const b = capacity.answer(show, 'libx264', { measure: true });
    const c = capacity.answer(other, 'libx264', { measure: true });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(check.calls.length, 1, 'the second ceiling waits');
    assert.equal(
      capacity.measuring()?.message,
      'Measuring this machine: testing fast, 30 fps, 1920×1080 (1/4)',
    );
    release();
    const [first, second, third] = await Promise.all([a, b, c]);
    assert.ok(first.kind === 'measured' && second.kind === 'measured' && third.kind === 'measured');
    assert.equal(first.result, second.result, 'one measurement answered both');
    assert.equal(third.result.description, 'fast, 30 fps, 1280×720');
    assert.deepEqual(
      check.calls.map((call) => describeLevel(call.ladder[0]!)),
      ['fast, 30 fps, 1920×1080', 'fast, 30 fps, 1280×720'],
    );
  });

  it('an operator’s measurement stops a background one, which is not stored', async () => {
    check.gate = new Promise(() => undefined); // a measurement runs until stopped
    const capacity = service();
    const demo: CapacityShow = {
      timeline: timeline({ cues: [cam('a', 1, 0, 60)], resolution: '1280x720' }),
      encoder: { preset: 'veryfast', bitrateKbps: 2500 },
    };
    const background = capacity.answer(demo, 'libx264', { measure: true, priority: 'background' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(check.calls.length, 1);
    check.gate = null;
    const operator = await capacity.answer(show, 'libx264', { measure: true });
    await assert.rejects(background, CapacityCheckStopped);
    assert.ok(operator.kind === 'measured' && operator.measuredNow);
    const stored = store.settings.get<Record<string, unknown>>(CAPACITY_SETTING, {});
    assert.deepEqual(Object.keys(stored), [ceilingKey(ceiling)], 'only the operator’s result is kept');
    assert.equal(capacity.startLevelFor(ceilingOf(demo, 'libx264')), 0);
  });

  it('stopBackground ends a background measurement when a show goes on air', async () => {
    check.gate = new Promise(() => undefined);
    const capacity = service();
    const background = capacity.answer(show, 'libx264', { measure: true, priority: 'background' });
    await new Promise((resolve) => setImmediate(resolve));
    capacity.stopBackground();
    await assert.rejects(background, CapacityCheckStopped);
    assert.equal(capacity.known(ceiling), null);
    assert.equal(capacity.measuring(), null);
  });

  it('a damaged or outdated stored result is measured again', async () => {
    const key = ceilingKey(ceiling);
    store.settings.set(CAPACITY_SETTING, { [key]: { key, chosen: 'nonsense' } });
    const capacity = service();
    assert.equal(capacity.known(ceiling), null);
    await capacity.answer(show, 'libx264', { measure: true });
    assert.equal(check.calls.length, 1);
    // A level no longer on the ladder (the ladder's rules changed) is not trusted.
    const stored = store.settings.get<Record<string, Record<string, unknown>>>(CAPACITY_SETTING, {});
    stored[key]!['chosen'] = { preset: 'ultrafast', fps: 30, width: 1920, height: 1080 };
    store.settings.set(CAPACITY_SETTING, stored);
    assert.equal(capacity.known(ceiling), null);
    assert.equal(capacity.startLevelFor(ceiling), 0);
  });

  it('a check that fails says so to its caller and stores nothing', async () => {
    const capacity = new CapacityService({
      settings: store.settings,
      detectEncoder: async () => software,
      clock,
      logger: log,
      runCheck: async () => {
        throw new Error('spawn ffmpeg ENOENT');
      },
    });
    await assert.rejects(capacity.answer(show, 'libx264', { measure: true }), /spawn ffmpeg ENOENT/);
    assert.equal(capacity.known(ceiling), null);
  });
});
