// The capacity check with real ffmpeg on this machine: test runs side by side end together, a run
// that cannot be measured in time is killed, the figures a check reports hang together and its
// choice follows its own rule; with two CPU-bound processes beside it, it does not choose a higher
// level than on the quieter machine. No timing thresholds: the machine is shared, so only the
// relations between the figures are asserted.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  runCapacityCheck,
  type CapacityProgress,
  type CapacityResult,
} from '../../../src/engine/quality/capacity.ts';
import { buildLadder, describeLevel, type QualityLevel } from '../../../src/engine/quality/ladder.ts';
import { createTrialRunner, TrialGroup } from '../../../src/engine/quality/trial.ts';
import { startCpuLoad } from '../../helpers/cpu-load.ts';

function assertConsistent(result: CapacityResult, ladder: readonly QualityLevel[]): void {
  assert.ok(result.chosenIndex >= 0 && result.chosenIndex < ladder.length);
  assert.deepEqual(result.chosen, ladder[result.chosenIndex]);
  assert.equal(result.description, describeLevel(result.chosen));
  assert.ok(result.tried.length >= 1);
  assert.equal(result.tried[0]!.index, 0, 'the ceiling is tested first');
  const rule = result.rule!;
  for (const verdict of result.tried) {
    const trial = verdict.trial;
    assert.ok(trial, `${verdict.description} was measured: ${verdict.reason}`);
    const parts = [trial.encoder, ...trial.decoders];
    assert.ok(trial.encoder.rate !== null && trial.encoder.rate > 0, verdict.reason);
    for (const p of parts) {
      if (p.rate === null) continue;
      assert.equal(p.kept, p.cutShort !== 'fell behind' && p.rate >= rule.pace * rule.keep, verdict.reason);
      assert.ok(p.cores !== null && p.cores > 0, `it used CPU: ${verdict.reason}`);
    }
    // Its own rule: it fits when every part kept the pace.
    assert.equal(
      verdict.accepted,
      parts.every((p) => p.kept),
      verdict.reason,
    );
    assert.match(verdict.reason, verdict.accepted ? /: it fits$/ : /: too much$/);
  }
  const chosen = result.tried.find((v) => v.index === result.chosenIndex);
  if (result.tried.some((v) => v.accepted)) {
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

const PROGRESS = ['-hide_banner', '-nostdin', '-nostats', '-progress', 'pipe:3', '-stats_period', '0.25'];

describe('capacity check: test runs', () => {
  it('a test that cannot be measured in time is refused and its process group killed', async () => {
    // Paced at real time (-re), it cannot make 60 s of program within the 3 s timeout.
    const marker = 'testsrc2=size=322x182';
    const outcome = await createTrialRunner()({
      bin: 'ffmpeg',
      args: [...PROGRESS, '-re', '-f', 'lavfi', '-i', `${marker}:rate=30`, '-f', 'null', '-'],
      warmupMs: 0,
      measureMs: 60_000,
      timeoutMs: 3000,
    });
    assert.deepEqual(outcome, { ok: false, reason: 'the test made no measurable progress within 3 s' });
    assert.deepEqual(processesWith(marker), []);
  });

  it('side by side: one that falls behind its pace ends the window for both, and both are killed', async () => {
    const run = createTrialRunner();
    const group = new TrialGroup(2);
    // Fed at real time but said to need twice that: it falls 1 s behind per second.
    const slow = 'testsrc2=size=324x184';
    const steady = 'testsrc2=size=326x186';
    const common = { warmupMs: 300, measureMs: 5000, timeoutMs: 15_000, group };
    const [behind, beside] = await Promise.all([
      run({
        ...common,
        bin: 'ffmpeg',
        args: [...PROGRESS, '-re', '-f', 'lavfi', '-i', `${slow}:rate=30`, '-f', 'null', '-'],
        pace: { rate: 2, giveUpBehindSeconds: 0.5 },
      }),
      run({
        ...common,
        bin: 'ffmpeg',
        args: [...PROGRESS, '-re', '-f', 'lavfi', '-i', `${steady}:rate=30`, '-f', 'rawvideo', 'pipe:1'],
        pace: { rate: 1, giveUpBehindSeconds: 0.5 },
        readStdout: true,
      }),
    ]);
    assert.ok(behind.ok, JSON.stringify(behind));
    assert.equal(behind.measurement.cutShort, 'fell behind');
    assert.ok(behind.measurement.programSeconds > 0);
    assert.ok(
      behind.measurement.programSeconds < 2 * behind.measurement.wallSeconds - 0.5,
      `it was behind: ${JSON.stringify(behind.measurement)}`,
    );
    // The one beside it kept what it had measured until then, or had not started its window yet.
    if (beside.ok) assert.equal(beside.measurement.cutShort, 'group stopped');
    else assert.equal(beside.stoppedWithGroup, true, beside.reason);
    assert.equal(group.stopped, true);
    assert.deepEqual([...processesWith(slow), ...processesWith(steady)], []);
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
    assert.equal(
      progress.length,
      result.tried.length + 1,
      'one report per trial and one for the cameras’ stream',
    );
    assert.match(progress[0]!.message, /^Measuring this machine: testing fast, 30 fps, 640×360 \(1\/\d\)$/);
    assert.deepEqual(processesWith('vistter-capacity-'), [], 'no test left running');
  });

  it('with two CPU-bound processes beside it, chooses no higher level than without them', async () => {
    const ladder = buildLadder({ preset: 'fast', fps: 30, width: 1280, height: 720 });
    // The machine is shared: other work comes and goes. Measuring without the load before and
    // after the loaded run keeps a change in that other work from passing for the load's effect.
    const before = await runCapacityCheck({ ladder, cameras: 2 });
    const load = await startCpuLoad(2);
    let busy: CapacityResult;
    try {
      busy = await runCapacityCheck({ ladder, cameras: 2 });
    } finally {
      await load.stop();
    }
    const after = await runCapacityCheck({ ladder, cameras: 2 });
    const show = (r: CapacityResult) => ({
      chosen: r.description,
      freeCores: r.freeCores,
      durationMs: r.durationMs,
      tried: r.tried.map((v) => v.reason),
    });
    console.log(JSON.stringify({ before: show(before), busy: show(busy), after: show(after) }, null, 1));
    for (const result of [before, busy, after]) assertConsistent(result, ladder);
    const quietBest = Math.min(before.chosenIndex, after.chosenIndex);
    assert.ok(
      busy.chosenIndex >= quietBest,
      `${busy.description} under load, ${describeLevel(ladder[quietBest]!)} without`,
    );
    const quietFree = Math.max(before.freeCores!, after.freeCores!);
    assert.ok(busy.freeCores! < quietFree, `free cores ${busy.freeCores} under load, ${quietFree} without`);
  });
});
