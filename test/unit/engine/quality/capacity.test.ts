import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  capacityDecodeArgs,
  capacityEncodeArgs,
  chooseLevel,
  judgeLevel,
  levelFigures,
  maxLevelTests,
  nextLevelToTry,
  runCapacityCheck,
  type CapacityProgress,
  type CostModel,
  type LevelVerdict,
} from '../../../../src/engine/quality/capacity.ts';
import { buildLadder, describeLevel, type QualityLevel } from '../../../../src/engine/quality/ladder.ts';
import { videoEncoderArgs } from '../../../../src/ffmpeg/argv.ts';
import {
  parseCgroupCpuMax,
  parseIdleSeconds,
  parseProcessCpuSeconds,
} from '../../../../src/engine/quality/procfs.ts';
import type { TrialSpec, TrialOutcome } from '../../../../src/engine/quality/trial.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';

const LEVEL_720: QualityLevel = { preset: 'veryfast', fps: 30, width: 1280, height: 720 };
// The encoder's own options: whatever the engine's encoder uses (src/ffmpeg/argv.ts has its golden tests).
const CODEC_720_VERYFAST = videoEncoderArgs({
  fps: 30,
  profile: 'reliability',
  videoEncoder: 'libx264',
  bitrateKbps: 4500,
  preset: 'veryfast',
}).codec;
const HEAD = [
  '-hide_banner',
  '-nostdin',
  '-loglevel',
  'level+warning',
  '-nostats',
  '-progress',
  'pipe:3',
  '-stats_period',
  '0.25',
  '-timelimit',
  '25',
];

describe('capacity check: argv (golden)', () => {
  it('encodes a noisy test picture at the level with the engine’s rate control, to the null muxer', () => {
    assert.deepEqual(
      capacityEncodeArgs({
        level: LEVEL_720,
        bitrateKbps: 4500,
        profile: 'reliability',
        output: null,
        cpuLimitSeconds: 24.2,
      }),
      [
        ...HEAD,
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=1280x720:rate=30',
        '-an',
        '-vf',
        'noise=alls=12:allf=t+u,format=yuv420p',
        ...CODEC_720_VERYFAST,
        '-f',
        'null',
        '-',
      ],
    );
    const pair = (flag: string) => CODEC_720_VERYFAST[CODEC_720_VERYFAST.indexOf(flag) + 1];
    assert.deepEqual([pair('-c:v'), pair('-preset'), pair('-b:v')], ['libx264', 'veryfast', '4500k']);
  });

  it('keeps the first test’s stream in an FLV file for the decoder test', () => {
    const args = capacityEncodeArgs({
      level: { ...LEVEL_720, fps: 30000 / 1001 },
      bitrateKbps: 4500,
      profile: 'reliability',
      output: '/tmp/x/test.flv',
      cpuLimitSeconds: 25,
    });
    assert.deepEqual(args.slice(HEAD.length, HEAD.length + 4), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30000/1001',
    ]);
    assert.deepEqual(args.slice(-4), ['-f', 'flv', '-y', '/tmp/x/test.flv']);
  });

  it('decodes that stream in a loop through the camera decoder’s filter chain to raw frames', () => {
    assert.deepEqual(
      capacityDecodeArgs({ input: '/tmp/x/test.flv', level: LEVEL_720, cpuLimitSeconds: 25 }),
      [
        ...HEAD,
        '-stream_loop',
        '-1',
        '-i',
        '/tmp/x/test.flv',
        '-map',
        '0:v:0',
        '-vf',
        'fps=30,scale=1280:720:force_original_aspect_ratio=decrease:force_divisible_by=2,' +
          'pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'yuv420p',
        'pipe:1',
      ],
    );
  });
});

const MODEL: CostModel = {
  headroom: 0.7,
  cameras: 1,
  // 0.15 core at 1080p30
  decoderCoresPerPixelRate: 0.15 / (1920 * 1080 * 30),
  playoutCoresPerStreamAt1080p30: 0.07,
  otherCores: 0.03,
};

describe('capacity check: figures and the rule', () => {
  it('needed = encoder CPU per program second + decoders + playout + other; free = own CPU + idle per wall second', () => {
    const level: QualityLevel = { preset: 'fast', fps: 30, width: 1920, height: 1080 };
    // 2 s of program in 2.5 s of wall time, 3.2 CPU seconds, 0.3 s idle left on the machine.
    const f = levelFigures(
      level,
      { frames: 60, programSeconds: 2, wallSeconds: 2.5, cpuSeconds: 3.2, idleSeconds: 0.3 },
      MODEL,
      2,
    );
    assert.equal(f.encoderCores, 1.6);
    assert.ok(Math.abs(f.decoderCores - 0.15) < 1e-9);
    assert.ok(Math.abs(f.playoutCores - 0.14) < 1e-9);
    assert.ok(Math.abs(f.neededCores - 1.92) < 1e-9);
    assert.ok(Math.abs(f.availableCores - 1.4) < 1e-9);
    assert.ok(Math.abs(f.allowedCores - 0.98) < 1e-9);
    assert.equal(f.speed, 0.8);
    const verdict = judgeLevel(0, level, f, MODEL);
    assert.equal(verdict.accepted, false);
    assert.equal(
      verdict.reason,
      'fast, 30 fps, 1920×1080 needs 1.92 cores (encoder 1.60, 1 camera decoder 0.15, playout 0.14, other 0.03); ' +
        '1.40 are free and a show may use 70 % of them (0.98): too much',
    );
  });

  it('caps what is free at the cores this process may use, and scales decoders and playout with pixels and cameras', () => {
    const level: QualityLevel = { preset: 'superfast', fps: 15, width: 1280, height: 720 };
    const model = { ...MODEL, cameras: 3 };
    const f = levelFigures(
      level,
      { frames: 30, programSeconds: 2, wallSeconds: 1, cpuSeconds: 0.4, idleSeconds: 5 },
      model,
      2,
    );
    assert.equal(f.availableCores, 2);
    // 1280×720×15 is 2/9 of 1080p30's pixels per second.
    assert.ok(Math.abs(f.decoderCores - 3 * 0.15 * (2 / 9)) < 1e-9);
    assert.ok(Math.abs(f.playoutCores - 4 * 0.07 * (2 / 9)) < 1e-9);
    assert.equal(f.speed, 2);
    const verdict = judgeLevel(4, level, f, model);
    assert.equal(verdict.accepted, true);
    assert.match(verdict.reason, /3 camera decoders 0\.10.*: it fits$/);
  });
});

function verdict(index: number, accepted: boolean, ladder: readonly QualityLevel[]): LevelVerdict {
  return {
    index,
    level: ladder[index]!,
    description: describeLevel(ladder[index]!),
    accepted,
    reason: `r${index}`,
  };
}

/** Runs the search against a machine where the levels from `fitsFrom` down fit. */
function search(length: number, fitsFrom: number): number[] {
  const ladder = buildLadder({ preset: 'fast', fps: 30, width: 1920, height: 1080 }).slice(0, length);
  const verdicts: LevelVerdict[] = [];
  for (let i = nextLevelToTry(length, verdicts); i !== null; i = nextLevelToTry(length, verdicts)) {
    verdicts.push(verdict(i, i >= fitsFrom, ladder));
  }
  return verdicts.map((v) => v.index);
}

describe('capacity check: the search', () => {
  it('tests the ceiling first and stops there when it fits', () => {
    assert.deepEqual(search(7, 0), [0]);
  });

  it('otherwise searches below it by halves for the highest level that fits', () => {
    assert.deepEqual(search(7, 1), [0, 3, 1]);
    assert.deepEqual(search(7, 2), [0, 3, 1, 2]);
    assert.deepEqual(search(7, 3), [0, 3, 1, 2]);
    assert.deepEqual(search(7, 4), [0, 3, 5, 4]);
    assert.deepEqual(search(7, 6), [0, 3, 5, 6]);
    assert.deepEqual(search(7, 7), [0, 3, 5, 6], 'nothing fits');
    for (let fits = 0; fits <= 7; fits++) assert.ok(search(7, fits).length <= maxLevelTests(7));
    assert.equal(maxLevelTests(7), 4);
    assert.equal(maxLevelTests(4), 3);
    assert.equal(maxLevelTests(1), 1);
  });

  it('chooses the highest level that fits, or the lowest when none does, and says why', () => {
    const ladder = buildLadder({ preset: 'fast', fps: 30, width: 1920, height: 1080 });
    const fits = chooseLevel(ladder, [
      verdict(0, false, ladder),
      verdict(3, true, ladder),
      verdict(1, false, ladder),
      verdict(2, true, ladder),
    ]);
    assert.deepEqual(fits, {
      index: 2,
      summary: 'Starting at superfast, 30 fps, 1920×1080, the highest level that fits: r2.',
    });
    assert.equal(
      chooseLevel(ladder, [verdict(0, true, ladder)]).summary,
      'Starting at fast, 30 fps, 1920×1080, the ceiling fits: r0.',
    );
    const none = chooseLevel(
      ladder,
      [0, 3, 5, 6].map((i) => verdict(i, false, ladder)),
    );
    assert.equal(none.index, 6);
    assert.equal(
      none.summary,
      'Starting at the lowest level, superfast, 15 fps, 640×360: no level fits the machine now (r6); ' +
        "on air the show's own signs will judge it.",
    );
  });
});

describe('capacity check: running it (tests stand in for ffmpeg)', () => {
  const ladder = buildLadder({ preset: 'fast', fps: 30, width: 1920, height: 1080 });
  /** A machine with 2 free cores where x264 needs these cores at real time, by ladder index. */
  const encoderCores = [1.9, 1.3, 1.0, 0.5, 0.25, 0.12, 0.07];

  function fakeMachine(
    decoder: TrialOutcome | 'none' = {
      ok: true,
      measurement: { frames: 300, programSeconds: 10, wallSeconds: 1, cpuSeconds: 1.5, idleSeconds: 0.5 },
    },
  ) {
    const specs: TrialSpec[] = [];
    const runTrial = async (spec: TrialSpec): Promise<TrialOutcome> => {
      specs.push(spec);
      if (spec.args.includes('-stream_loop')) {
        assert.ok(
          existsSync(spec.args[spec.args.indexOf('-i') + 1]!.replace(/test\.flv$/, '')),
          'its folder exists',
        );
        return decoder === 'none' ? { ok: false, reason: 'no' } : decoder;
      }
      const size = spec.args[spec.args.indexOf('-i') + 1]!;
      const preset = spec.args[spec.args.indexOf('-preset') + 1]!;
      const index = ladder.findIndex(
        (l) => size === `testsrc2=size=${l.width}x${l.height}:rate=${l.fps}` && l.preset === preset,
      );
      assert.ok(index >= 0, `${size} ${preset} is on the ladder`);
      const cpu = encoderCores[index]! * 2;
      return {
        ok: true,
        measurement: { frames: 60, programSeconds: 2, wallSeconds: 2, cpuSeconds: cpu, idleSeconds: 4 - cpu },
      };
    };
    return { specs, runTrial };
  }

  it('measures the ceiling, a decoder from its stream, then searches; reports each level and the choice', async () => {
    const machine = fakeMachine();
    const progress: CapacityProgress[] = [];
    const result = await runCapacityCheck({
      ladder,
      runTrial: machine.runTrial,
      coreLimit: 2,
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(
      progress.map((p) => p.message),
      [
        'Measuring this machine: testing fast, 30 fps, 1920×1080 (1/5)',
        'Measuring this machine: decoding a camera at 1920×1080 (2/5)',
        'Measuring this machine: testing superfast, 15 fps, 1920×1080 (3/5)',
        'Measuring this machine: testing veryfast, 30 fps, 1920×1080 (4/5)',
        'Measuring this machine: testing superfast, 30 fps, 1920×1080 (5/5)',
      ],
    );
    // The first test writes the stream the decoder test reads.
    const flv = machine.specs[0]!.args.at(-1)!;
    assert.match(flv, /vistter-capacity-.*\/test\.flv$/);
    assert.equal(machine.specs[1]!.args[machine.specs[1]!.args.indexOf('-i') + 1], flv);
    assert.equal(machine.specs[2]!.args.at(-1), '-', 'later tests use the null muxer');
    assert.equal(existsSync(flv), false, 'the temporary folder is removed');
    // Decoder: 1.5 CPU s for 10 program s.
    assert.deepEqual(result.decoder, { coresAtCeiling: 0.15, measured: true });
    // Needed = encoder + 0.15 × pixels + playout 0.14 × pixels + 0.03; allowed 0.7 × 2 = 1.4.
    assert.deepEqual(
      result.tried.map((v) => [v.index, v.accepted]),
      [
        [0, false],
        [3, true],
        [1, false],
        [2, true],
      ],
    );
    assert.equal(result.chosenIndex, 2);
    assert.equal(result.description, 'superfast, 30 fps, 1920×1080');
    assert.equal(
      result.tried[2]!.reason,
      'veryfast, 30 fps, 1920×1080 needs 1.62 cores (encoder 1.30, 1 camera decoder 0.15, playout 0.14, other 0.03); ' +
        '2.00 are free and a show may use 70 % of them (1.40): too much',
    );
    assert.match(
      result.summary,
      /^Starting at superfast, 30 fps, 1920×1080, the highest level that fits: .*needs 1\.32 cores/,
    );
    assert.equal(result.freeCores, 2);
  });

  it('falls back to the documented decoder figure when the decoder test fails, and refuses a level it cannot measure', async () => {
    const machine = fakeMachine('none');
    const failing = async (spec: TrialSpec): Promise<TrialOutcome> =>
      spec.args.includes('testsrc2=size=1920x1080:rate=15')
        ? { ok: false, reason: 'the test ended early' }
        : machine.runTrial(spec);
    const result = await runCapacityCheck({ ladder, runTrial: failing, coreLimit: 2 });
    assert.deepEqual(result.decoder, { coresAtCeiling: 0.22, measured: false, reason: 'no' });
    assert.deepEqual(result.tried[1], {
      index: 3,
      level: ladder[3],
      description: 'superfast, 15 fps, 1920×1080',
      accepted: false,
      reason: 'superfast, 15 fps, 1920×1080 could not be measured: the test ended early',
    });
    assert.equal(result.chosenIndex, 4);
  });

  it('starts no test after its time budget, and says the choice may be low', async () => {
    const clock = new FakeClock();
    const machine = fakeMachine();
    // Each test takes 6 s: ceiling, decoder, level 3, level 1 (at 18 s); at 24 s no more.
    const slow = async (spec: TrialSpec): Promise<TrialOutcome> => {
      clock.advance(6000);
      return machine.runTrial(spec);
    };
    const result = await runCapacityCheck({ ladder, runTrial: slow, coreLimit: 2, clock, budgetMs: 20_000 });
    assert.deepEqual(
      result.tried.map((v) => [v.index, v.accepted]),
      [
        [0, false],
        [3, true],
        [1, false],
      ],
    );
    assert.equal(result.chosenIndex, 3);
    assert.match(
      result.summary,
      /^Starting at superfast, 15 fps, 1920×1080, the highest level found to fit before the check ran out of time: /,
    );
    assert.equal(result.durationMs, 24_000);
  });

  it('with no camera to decode, runs no decoder test', async () => {
    const machine = fakeMachine();
    const result = await runCapacityCheck({ ladder, runTrial: machine.runTrial, coreLimit: 2, cameras: 0 });
    assert.equal(machine.specs.filter((s) => s.args.includes('-stream_loop')).length, 0);
    assert.equal(result.decoder.measured, false);
    assert.equal(machine.specs[0]!.args.at(-1), '-');
  });
});

describe('capacity check: /proc readers', () => {
  it('reads utime + stime + cutime + cstime of a process, whatever its name holds', () => {
    const stat =
      '4242 (ffmpeg (x) 1) R 1 4242 4242 0 -1 4194304 9000 0 0 0 250 30 7 3 20 0 5 0 123456 500000000 20000 ' +
      '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
    assert.equal(parseProcessCpuSeconds(stat), 2.9);
    assert.equal(parseProcessCpuSeconds('garbage'), null);
  });

  it("reads the machine's idle + iowait seconds and a cgroup's core quota", () => {
    assert.equal(parseIdleSeconds('cpu  39607 0 5187 86168 373 0 90 33 0 0\ncpu0 1 2 3 4 5\n'), 865.41);
    assert.equal(parseIdleSeconds('intr 1 2 3'), null);
    assert.equal(parseCgroupCpuMax('max 100000\n'), null);
    assert.equal(parseCgroupCpuMax('150000 100000\n'), 1.5);
  });
});
