import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  cameraStreamArgs,
  capacityDecodeArgs,
  capacityEncodeArgs,
  chooseLevel,
  decoderFigure,
  giveUpBehindSeconds,
  judgeTrial,
  maxLevelTests,
  nextLevelToTry,
  runCapacityCheck,
  type CapacityProgress,
  type LevelVerdict,
  type TrialOutcomes,
  type TrialRule,
} from '../../../../src/engine/quality/capacity.ts';
import { buildLadder, describeLevel, type QualityLevel } from '../../../../src/engine/quality/ladder.ts';
import { videoEncoderArgs } from '../../../../src/ffmpeg/argv.ts';
import { DECODER_NICE } from '../../../../src/process/priority.ts';
import {
  parseCgroupCpuMax,
  parseIdleSeconds,
  parseProcessCpuSeconds,
} from '../../../../src/engine/quality/procfs.ts';
import type { TrialMeasurement, TrialOutcome, TrialSpec } from '../../../../src/engine/quality/trial.ts';
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
  it('makes the cameras’ stream: the noisy picture as an IP camera sends it, 2 s keyframes, to FLV', () => {
    assert.deepEqual(
      cameraStreamArgs({
        width: 1920,
        height: 1080,
        fps: 30,
        bitrateKbps: 4000,
        seconds: 2,
        output: '/tmp/x/camera.flv',
        cpuLimitSeconds: 24.2,
      }),
      [
        ...HEAD,
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=1920x1080:rate=30',
        '-vf',
        'noise=alls=12:allf=t+u,format=yuv420p',
        '-frames:v',
        '60',
        '-c:v',
        'libx264',
        '-preset',
        'superfast',
        '-profile:v',
        'high',
        '-bf',
        '0',
        '-b:v',
        '4000k',
        '-maxrate',
        '4000k',
        '-bufsize',
        '4000k',
        '-g',
        '60',
        '-keyint_min',
        '60',
        '-sc_threshold',
        '0',
        '-f',
        'flv',
        '-y',
        '/tmp/x/camera.flv',
      ],
    );
  });

  it('feeds the encoder the noisy picture at the pace, encoded with the engine’s rate control, to the null muxer', () => {
    assert.deepEqual(
      capacityEncodeArgs({
        level: LEVEL_720,
        bitrateKbps: 4500,
        profile: 'reliability',
        pace: 1.15,
        cpuLimitSeconds: 25,
      }),
      [
        ...HEAD,
        '-readrate',
        '1.15',
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
    const ntsc = capacityEncodeArgs({
      level: { ...LEVEL_720, fps: 30000 / 1001 },
      bitrateKbps: 4500,
      profile: 'reliability',
      pace: 1.15,
      cpuLimitSeconds: 25,
    });
    assert.equal(ntsc[ntsc.indexOf('-i') + 1], 'testsrc2=size=1280x720:rate=30000/1001');
  });

  it('decodes the cameras’ stream in a loop at the pace, through the camera decoder’s filter chain, to raw frames', () => {
    assert.deepEqual(
      capacityDecodeArgs({ input: '/tmp/x/camera.flv', level: LEVEL_720, pace: 1.15, cpuLimitSeconds: 25 }),
      [
        ...HEAD,
        '-readrate',
        '1.15',
        '-stream_loop',
        '-1',
        '-i',
        '/tmp/x/camera.flv',
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

const RULE: TrialRule = { pace: 1.15, keep: 0.97 };
const SUPERFAST_15_1080: QualityLevel = { preset: 'superfast', fps: 15, width: 1920, height: 1080 };

/** A part measured over 2 s: `rate` program seconds per wall second, `cores` of CPU. */
function part(rate: number, cores: number, extra: Partial<TrialMeasurement> = {}): TrialOutcome {
  return {
    ok: true,
    measurement: {
      frames: Math.round(rate * 2 * 15),
      programSeconds: rate * 2,
      wallSeconds: 2,
      cpuSeconds: cores * 2,
      idleSeconds: 0.1,
      rate,
      ...extra,
    },
  };
}

describe('capacity check: the trial’s verdict', () => {
  it('fits when every part kept the pace over the window, and says so with the figures', () => {
    const outcomes: TrialOutcomes = {
      encoder: part(1.16, 0.6),
      decoders: [part(1.15, 0.17), part(1.17, 0.17), part(1.152, 0.17)],
    };
    const verdict = judgeTrial(3, SUPERFAST_15_1080, outcomes, RULE, 2);
    assert.equal(verdict.accepted, true);
    assert.equal(
      verdict.reason,
      "superfast, 15 fps, 1920×1080 kept 1.15× real time (encoder 1.16×, 3 decoders ≥ 1.15×) beside the machine's other work: it fits",
    );
    const trial = verdict.trial!;
    assert.ok(Math.abs(trial.usedCores! - 1.11) < 1e-9);
    // CPU seconds per program second × the pace: 0.6 / 1.16 × 1.15 + 3 × 0.17 / rate × 1.15.
    const need = (0.6 / 1.16 + 0.17 / 1.15 + 0.17 / 1.17 + 0.17 / 1.152) * 1.15;
    assert.ok(Math.abs(trial.neededCores! - need) < 1e-9);
    // What the parts got plus the idle CPU the encoder's window saw (0.1 s in 2 s).
    assert.ok(Math.abs(trial.availableCores! - 1.16) < 1e-9);
    // Never more than the cores there are (each part's window is its own, /proc counts in ticks).
    const oneCore = judgeTrial(3, SUPERFAST_15_1080, outcomes, RULE, 1).trial!;
    assert.deepEqual([oneCore.usedCores, oneCore.availableCores], [1, 1]);
  });

  it('a part at 97 % of the pace still keeps it; below, the level is too much, with what it needs and got', () => {
    const atTheEdge = judgeTrial(3, SUPERFAST_15_1080, { encoder: part(1.116, 0.6), decoders: [] }, RULE, 2);
    assert.equal(atTheEdge.accepted, true);
    assert.equal(
      atTheEdge.reason,
      "superfast, 15 fps, 1920×1080 kept 1.15× real time (encoder 1.12×) beside the machine's other work: it fits",
    );
    const slow = judgeTrial(
      2,
      { ...SUPERFAST_15_1080, fps: 30 },
      { encoder: part(0.92, 0.8), decoders: [part(1.15, 0.2)] },
      RULE,
      2,
    );
    assert.equal(slow.accepted, false);
    // 0.8 / 0.92 × 1.15 + 0.2 / 1.15 × 1.15 = 1.20 needed; 1.00 got.
    assert.equal(
      slow.reason,
      "superfast, 30 fps, 1920×1080 needs 1.20 cores to keep 1.15× real time and got 1.00 beside the machine's other work " +
        '(encoder 0.92×, 1 decoder 1.15×): too much',
    );
  });

  it('a part that fell behind was stopped, and the others with it: the encoder alone says what it needs', () => {
    const stopped: TrialOutcome = {
      ok: false,
      reason: 'it was stopped before it was measured: a test beside it ended first',
      stoppedWithGroup: true,
    };
    const verdict = judgeTrial(
      0,
      { preset: 'fast', fps: 30, width: 1920, height: 1080 },
      { encoder: part(0.3, 1.0, { cutShort: 'fell behind' }), decoders: [stopped, stopped, stopped] },
      RULE,
      2,
    );
    assert.equal(verdict.accepted, false);
    assert.equal(
      verdict.reason,
      "fast, 30 fps, 1920×1080 needs 3.83 cores for the encoder alone to keep 1.15× real time and got 1.00 beside the machine's other work " +
        '(encoder 0.30×, 3 decoders not measured): too much',
    );
    assert.equal(verdict.trial!.neededCores, null);
  });

  it('a decoder that falls behind fails the level, and without the encoder’s figures it says only that', () => {
    const verdict = judgeTrial(
      3,
      SUPERFAST_15_1080,
      {
        encoder: { ok: false, reason: 'stopped', stoppedWithGroup: true },
        decoders: [part(0.9, 0.3, { cutShort: 'fell behind' })],
      },
      RULE,
      2,
    );
    assert.equal(verdict.accepted, false);
    assert.equal(
      verdict.reason,
      "superfast, 15 fps, 1920×1080 fell behind 1.15× real time beside the machine's other work (encoder not measured, 1 decoder 0.90×): too much",
    );
  });

  it('a part that could not run makes the level unmeasured', () => {
    const verdict = judgeTrial(
      3,
      SUPERFAST_15_1080,
      { encoder: part(1.15, 0.6), decoders: [{ ok: false, reason: 'the test ended early' }] },
      RULE,
      2,
    );
    assert.deepEqual(
      [verdict.accepted, verdict.reason, verdict.trial],
      [
        false,
        "superfast, 15 fps, 1920×1080 could not be measured: a camera decoder's test failed: the test ended early",
        undefined,
      ],
    );
    const encoder = judgeTrial(
      3,
      SUPERFAST_15_1080,
      { encoder: { ok: false, reason: 'no' }, decoders: [] },
      RULE,
      2,
    );
    assert.equal(encoder.reason, 'superfast, 15 fps, 1920×1080 could not be measured: no');
  });

  it('says when the decoders could not be tested at all', () => {
    const verdict = judgeTrial(
      3,
      SUPERFAST_15_1080,
      { encoder: part(1.15, 0.6), decoders: [], decodersUntested: 'the stream failed' },
      RULE,
      2,
    );
    assert.equal(
      verdict.reason,
      "superfast, 15 fps, 1920×1080 kept 1.15× real time (encoder 1.15×; camera decoders not tested: the stream failed) beside the machine's other work: it fits",
    );
  });

  it('gives a part up once it is behind by what it may lose over the window plus three frames', () => {
    assert.ok(Math.abs(giveUpBehindSeconds(RULE, 2000, 30) - (0.03 * 1.15 * 2 + 0.1)) < 1e-9);
    assert.ok(Math.abs(giveUpBehindSeconds(RULE, 2000, 15) - (0.03 * 1.15 * 2 + 0.2)) < 1e-9);
  });

  it('takes the decoders’ cores per camera from the first trial that measured them over a whole window', () => {
    const ladder = buildLadder({ preset: 'fast', fps: 30, width: 1920, height: 1080 });
    const stopped: TrialOutcome = { ok: false, reason: 'stopped', stoppedWithGroup: true };
    const verdicts = [
      judgeTrial(
        0,
        ladder[0]!,
        {
          encoder: part(0.3, 1, { cutShort: 'fell behind' }),
          decoders: [stopped, part(1.1, 0.5, { cutShort: 'group stopped', wallSeconds: 0.25 })],
        },
        RULE,
        2,
      ),
      judgeTrial(
        3,
        ladder[3]!,
        { encoder: part(1.15, 0.6), decoders: [part(1.15, 0.2), part(1.15, 0.16)] },
        RULE,
        2,
      ),
    ];
    const figure = decoderFigure(verdicts, 0.22, null);
    assert.equal(figure.measured, true);
    assert.ok(
      Math.abs(figure.coresAtCeiling - 0.18 / 1.15) < 1e-9,
      'CPU per program second, whole windows first',
    );
    const cutShort = decoderFigure(verdicts.slice(0, 1), 0.22, null);
    assert.ok(Math.abs(cutShort.coresAtCeiling - 0.5 / 1.1) < 1e-9, 'else a window cut short');
    assert.deepEqual(decoderFigure([], 0.22, null), {
      coresAtCeiling: 0.22,
      measured: false,
      reason: 'no trial ran long enough to measure a camera decoder',
    });
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
  /** The encoder's pace by ladder index on this stand-in machine (fed at 1.15×). */
  const encoderRates = [0.3, 0.8, 1.15, 1.15, 1.15, 1.15, 1.15];

  function fakeMachine(stream: TrialOutcome = part(0, 0)) {
    const specs: TrialSpec[] = [];
    const runTrial = async (spec: TrialSpec): Promise<TrialOutcome> => {
      specs.push(spec);
      if (spec.toCompletion === true) return stream;
      if (spec.args.includes('-stream_loop')) {
        assert.ok(
          existsSync(spec.args[spec.args.indexOf('-i') + 1]!.replace(/camera\.flv$/, '')),
          'its folder exists',
        );
        return part(1.15, 0.2);
      }
      const size = spec.args[spec.args.indexOf('-i') + 1]!;
      const preset = spec.args[spec.args.indexOf('-preset') + 1]!;
      const index = ladder.findIndex(
        (l) => size === `testsrc2=size=${l.width}x${l.height}:rate=${l.fps}` && l.preset === preset,
      );
      assert.ok(index >= 0, `${size} ${preset} is on the ladder`);
      const rate = encoderRates[index]!;
      return part(rate, 0.9, rate < 1 ? { cutShort: 'fell behind' } : {});
    };
    return { specs, runTrial };
  }

  it('makes the cameras’ stream, then runs each trial’s encoder and decoders side by side; reports each level and the choice', async () => {
    const machine = fakeMachine();
    const progress: CapacityProgress[] = [];
    const result = await runCapacityCheck({
      ladder,
      cameras: 3,
      runTrial: machine.runTrial,
      coreLimit: 2,
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(
      progress.map((p) => p.message),
      [
        'Measuring this machine: testing fast, 30 fps, 1920×1080 (1/5)',
        'Measuring this machine: testing fast, 30 fps, 1920×1080 (2/5)',
        'Measuring this machine: testing superfast, 15 fps, 1920×1080 (3/5)',
        'Measuring this machine: testing veryfast, 30 fps, 1920×1080 (4/5)',
        'Measuring this machine: testing superfast, 30 fps, 1920×1080 (5/5)',
      ],
    );
    // The stream first, at the ceiling's size and rate, run to its end.
    const [streamSpec, ...trialSpecs] = machine.specs;
    assert.equal(streamSpec!.toCompletion, true);
    const flv = streamSpec!.args.at(-1)!;
    assert.match(flv, /vistter-capacity-.*\/camera\.flv$/);
    assert.ok(streamSpec!.args.includes('testsrc2=size=1920x1080:rate=30'));
    assert.equal(existsSync(flv.replace(/camera\.flv$/, '')), false, 'the temporary folder is removed');
    // Four trials of four parts each: one group per trial, decoders at the decoders' priority
    // with their frames read, every part paced.
    assert.equal(trialSpecs.length, 16);
    for (let t = 0; t < 4; t++) {
      const [encoder, ...decoders] = trialSpecs.slice(t * 4, t * 4 + 4);
      assert.equal(encoder!.group?.size, 4);
      assert.ok(decoders.every((d) => d.group === encoder!.group));
      assert.ok(encoder!.args.includes('null') && encoder!.nice === undefined);
      for (const d of decoders) {
        assert.equal(d.args[d.args.indexOf('-i') + 1], flv);
        assert.equal(d.nice, DECODER_NICE);
        assert.equal(d.readStdout, true);
      }
      for (const spec of [encoder!, ...decoders]) {
        assert.equal(spec.args[spec.args.indexOf('-readrate') + 1], '1.15');
        assert.equal(spec.pace?.rate, 1.15);
      }
    }
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
    assert.match(
      result.tried[2]!.reason,
      /^veryfast, 30 fps, 1920×1080 needs [\d.]+ cores to keep 1\.15× real time/,
    );
    assert.match(
      result.summary,
      /^Starting at superfast, 30 fps, 1920×1080, the highest level that fits: superfast, 30 fps, 1920×1080 kept 1\.15× real time \(encoder 1\.15×, 3 decoders ≥ 1\.15×\)/,
    );
    assert.equal(result.decoder.measured, true);
    assert.ok(Math.abs(result.decoder.coresAtCeiling - 0.2 / 1.15) < 1e-9, 'CPU seconds per program second');
    assert.deepEqual(result.rule, { pace: 1.15, keep: 0.97 });
    assert.ok(result.freeCores !== null && result.freeCores > 0);
  });

  it('without the cameras’ stream, tests the encoder alone and says the decoders were not tested', async () => {
    const machine = fakeMachine({ ok: false, reason: 'the stream failed' });
    const result = await runCapacityCheck({ ladder, runTrial: machine.runTrial, coreLimit: 2 });
    assert.equal(machine.specs.filter((s) => s.args.includes('-stream_loop')).length, 0);
    assert.deepEqual(result.decoder, { coresAtCeiling: 0.22, measured: false, reason: 'the stream failed' });
    assert.match(result.summary, /\(encoder 1\.15×; camera decoders not tested: the stream failed\)/);
    assert.equal(result.chosenIndex, 2);
  });

  it('starts no trial after its time budget, and says the choice may be low', async () => {
    const clock = new FakeClock();
    const machine = fakeMachine();
    // Each run takes 6 s: the stream, then levels 0, 3 and 1 (at 24 s); no more.
    const slow = async (spec: TrialSpec): Promise<TrialOutcome> => {
      if (spec.group === undefined || spec.args.includes('lavfi')) clock.advance(6000);
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

  it('with no camera to decode, makes no stream and runs the encoder alone', async () => {
    const machine = fakeMachine();
    const progress: string[] = [];
    const result = await runCapacityCheck({
      ladder,
      runTrial: machine.runTrial,
      coreLimit: 2,
      cameras: 0,
      onProgress: (p) => progress.push(p.message),
    });
    assert.equal(progress[0], 'Measuring this machine: testing fast, 30 fps, 1920×1080 (1/4)');
    assert.ok(machine.specs.every((s) => s.toCompletion !== true && !s.args.includes('-stream_loop')));
    assert.equal(machine.specs[0]!.group?.size, 1);
    assert.equal(result.decoder.measured, false);
    assert.equal(result.decoder.reason, 'the show has no camera to decode');
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
