// The capacity check with real ffmpeg on this machine: the figures it reports hang together and
// its choice follows its own rule; with two CPU-bound processes beside it, it sees less free CPU
// and does not choose a higher level than on the quieter machine. No timing thresholds: the
// machine is shared, so only the relations between the figures are asserted.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  runCapacityCheck,
  type CapacityProgress,
  type CapacityResult,
} from '../../../src/engine/quality/capacity.ts';
import { buildLadder, describeLevel, type QualityLevel } from '../../../src/engine/quality/ladder.ts';
import { createTrialRunner } from '../../../src/engine/quality/trial.ts';
import { startCpuLoad } from '../../helpers/cpu-load.ts';

function assertConsistent(result: CapacityResult, ladder: readonly QualityLevel[]): void {
  assert.ok(result.chosenIndex >= 0 && result.chosenIndex < ladder.length);
  assert.deepEqual(result.chosen, ladder[result.chosenIndex]);
  assert.equal(result.description, describeLevel(result.chosen));
  assert.ok(result.tried.length >= 1);
  assert.equal(result.tried[0]!.index, 0, 'the ceiling is tested first');
  for (const verdict of result.tried) {
    const f = verdict.figures;
    assert.ok(f, `${verdict.description} was measured: ${verdict.reason}`);
    const m = f.measurement;
    assert.ok(m.cpuSeconds > 0, `${verdict.description}: CPU seconds ${m.cpuSeconds}`);
    assert.ok(m.programSeconds > 0 && m.wallSeconds > 0);
    assert.ok(f.speed > 0 && f.encoderCores > 0 && f.availableCores > 0);
    assert.ok(Math.abs(f.encoderCores - m.cpuSeconds / m.programSeconds) < 1e-9);
    assert.ok(
      Math.abs(f.neededCores - (f.encoderCores + f.decoderCores + f.playoutCores + f.otherCores)) < 1e-9,
    );
    // Its own rule: a show may use 70 % of what is free.
    assert.equal(verdict.accepted, f.neededCores <= 0.7 * f.availableCores, verdict.reason);
    assert.match(verdict.reason, verdict.accepted ? /: it fits$/ : /: too much$/);
  }
  const chosen = result.tried.find((v) => v.index === result.chosenIndex);
  const anyAccepted = result.tried.some((v) => v.accepted);
  if (anyAccepted) {
    assert.equal(chosen?.accepted, true, 'the chosen level was tested and fits');
    // Nothing above it fits: every tested level higher on the ladder was refused.
    for (const v of result.tried.filter((t) => t.index < result.chosenIndex)) assert.equal(v.accepted, false);
  } else {
    assert.equal(result.chosenIndex, ladder.length - 1, 'nothing fits: the lowest level');
  }
  assert.ok(result.decoder.coresAtCeiling > 0);
}

/** Processes whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('capacity check: one test run', () => {
  it('a test that cannot be measured in time is refused and its process group killed', async () => {
    // Paced at real time (-re), it cannot make 60 s of program within the 3 s timeout.
    const marker = 'testsrc2=size=322x182';
    const outcome = await createTrialRunner()({
      bin: 'ffmpeg',
      args: [
        '-hide_banner',
        '-nostdin',
        '-nostats',
        '-progress',
        'pipe:3',
        '-stats_period',
        '0.25',
        '-re',
        '-f',
        'lavfi',
        '-i',
        `${marker}:rate=30`,
        '-f',
        'null',
        '-',
      ],
      warmupMs: 0,
      measureMs: 60_000,
      timeoutMs: 3000,
    });
    assert.deepEqual(outcome, { ok: false, reason: 'the test made no measurable progress within 3 s' });
    assert.deepEqual(processesWith(marker), []);
  });
});

describe('capacity check (real ffmpeg)', () => {
  it('measures a 640×360 ladder and chooses a level that fits by its own rule', async () => {
    const ladder = buildLadder({ preset: 'fast', fps: 30, width: 640, height: 360 });
    const progress: CapacityProgress[] = [];
    const result = await runCapacityCheck({ ladder, onProgress: (p) => progress.push(p) });
    console.log(
      JSON.stringify(
        {
          summary: result.summary,
          tried: result.tried.map((v) => v.reason),
          decoder: result.decoder,
          durationMs: result.durationMs,
        },
        null,
        1,
      ),
    );
    assertConsistent(result, ladder);
    assert.equal(result.decoder.measured, true, result.decoder.reason);
    assert.equal(progress.length, result.tried.length + 1, 'one report per test, the decoder included');
    assert.match(progress[0]!.message, /^Measuring this machine: testing fast, 30 fps, 640×360 \(1\/\d\)$/);
  });

  it('with two CPU-bound processes beside it, sees less free CPU and chooses no higher level', async () => {
    const ladder = buildLadder({ preset: 'fast', fps: 30, width: 1280, height: 720 });
    // The machine is shared: other work comes and goes. Measuring without the load before and
    // after the loaded run keeps a change in that other work from passing for the load's effect.
    const before = await runCapacityCheck({ ladder });
    const load = await startCpuLoad(2);
    let busy: CapacityResult;
    try {
      busy = await runCapacityCheck({ ladder });
    } finally {
      await load.stop();
    }
    const after = await runCapacityCheck({ ladder });
    const show = (r: CapacityResult) => ({
      chosen: r.description,
      freeCores: r.freeCores,
      tried: r.tried.map((v) => v.reason),
    });
    console.log(JSON.stringify({ before: show(before), busy: show(busy), after: show(after) }, null, 1));
    for (const result of [before, busy, after]) assertConsistent(result, ladder);
    const quietFree = Math.max(before.freeCores!, after.freeCores!);
    assert.ok(busy.freeCores! < quietFree, `free cores ${busy.freeCores} under load, ${quietFree} without`);
    const quietBest = Math.min(before.chosenIndex, after.chosenIndex);
    assert.ok(
      busy.chosenIndex >= quietBest,
      `${busy.description} under load, ${describeLevel(ladder[quietBest]!)} without`,
    );
  });
});
