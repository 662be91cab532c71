import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import type { EncoderSettings } from '../../../src/engine/encoder.ts';
import { sameFormat, type ProgramFormat } from '../../../src/engine/program-clock.ts';
import { QualityControl } from '../../../src/engine/quality-control.ts';
import { buildBitrateLadder, buildLadder } from '../../../src/engine/quality/ladder.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const FPS = 30;

/** Moves the fake clock on in small steps, letting promises settle between them. */
async function pass(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    clock.advance(50);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
const ladder = buildLadder({ preset: 'fast', fps: FPS, width: 1920, height: 1080 });
const bitrates = buildBitrateLadder(4500);

/** An encoder that makes each move after `moveMs` (or gives up on the next `failures` moves). */
function setup(options: { failures?: number } = {}) {
  const clock = new FakeClock();
  let failures = options.failures ?? 0;
  let format: ProgramFormat = { width: 1920, height: 1080, decimation: 1 };
  let settings: EncoderSettings = {
    profile: 'reliability',
    videoEncoder: 'libx264',
    preset: 'fast',
    bitrateKbps: 4500,
  };
  const moves: string[] = [];
  let ticks = 0;
  const encoder = {
    get currentFormat() {
      return format;
    },
    get currentSettings() {
      return settings;
    },
    stats: () => ({
      state: 'running' as const,
      restarts: 0,
      reconfigurations: 0,
      framesWritten: ticks,
      framesDropped: 0,
      backlogBytes: 0,
      bytesOut: 0,
      lagMs: 0,
      switching: false,
    }),
    reconfigure: (next: EncoderSettings, nextFormat: ProgramFormat) =>
      new Promise<'switched' | 'abandoned'>((resolve) => {
        clock.setTimeout(() => {
          if (failures > 0) {
            failures--;
            moves.push('abandoned');
            resolve('abandoned');
            return;
          }
          settings = next;
          format = nextFormat;
          moves.push(
            `${next.preset} ${next.bitrateKbps}k ${nextFormat.width}x${nextFormat.height}/${nextFormat.decimation}`,
          );
          resolve('switched');
        }, 2000);
      }),
  };
  const control = new QualityControl({
    policy: { ladder, bitrateLadderKbps: bitrates },
    fps: FPS,
    baseSettings: settings,
    encoder,
    playout: {
      prepareFormat: () => undefined,
      formatReady: (f) => sameFormat(f, format) || true,
      nextTick: 0,
      snapshot: () => ({ ticks, lateTicks: 0, skippedTicks: 0 }),
    },
    programMs: () => (ticks * 1000) / FPS,
    destinations: () => [],
    systemCpuPercent: () => 100,
    throttled: () => null,
    clock,
    logger: createLogger('test'),
    alerts: undefined,
  });
  /** Seconds of a calm show (30 ticks a second, the encoder keeping up). */
  const calm = (seconds: number) => {
    for (let s = 0; s < seconds; s++) {
      ticks += FPS;
      clock.advance(1000);
      control.sample();
    }
  };
  return { clock, control, moves, calm };
}

describe('quality control', () => {
  it('holds a level, tells what is on air, and a release carries on from there', async () => {
    const { clock, control, moves, calm } = setup();
    calm(3);
    assert.equal(control.status().level, 0);
    const held = control.hold(3);
    await pass(clock, 2500);
    assert.equal(await held, 'done');
    assert.deepEqual(moves, ['superfast 4500k 1920x1080/2']);
    const status = control.status();
    assert.equal(status.level, 3, 'the level on air');
    assert.equal(status.held, 3);
    assert.equal(status.levelDescription, 'superfast, 15 fps, 1920×1080');
    assert.equal(status.cpu.nextStepUpInMs, null, 'no step up while held');
    assert.equal(status.ladder[0], 'fast, 30 fps, 1920×1080');

    assert.equal(await control.hold(null), 'done');
    assert.equal(control.status().held, null);
    assert.equal(control.status().level, 3, 'released where it is: no move');
    assert.deepEqual(moves, ['superfast 4500k 1920x1080/2']);
    // Calm minutes later degraded mode steps up from there (5 min calm), not from the ceiling.
    calm(299);
    assert.equal(moves.length, 1);
    calm(2);
    await pass(clock, 2500);
    assert.deepEqual(moves.at(-1), 'superfast 4500k 1920x1080/1');
  });

  it('a move the encoder gives up is tried again, then reported as not made', async () => {
    const { clock, control, moves } = setup({ failures: 1 });
    const first = control.hold(1);
    await pass(clock, 2000 + 5000 + 2500); // given up, the retry waits 5 s, and is made
    assert.equal(await first, 'done');
    assert.deepEqual(moves, ['abandoned', 'veryfast 4500k 1920x1080/1']);

    const { clock: clock2, control: control2, moves: moves2 } = setup({ failures: 3 });
    const never = control2.hold(2);
    await pass(clock2, 3 * 2000 + 2 * 5000 + 1000);
    assert.equal(await never, 'abandoned');
    assert.deepEqual(moves2, ['abandoned', 'abandoned', 'abandoned']);
    assert.equal(control2.status().level, 0, 'the program stays where it was');
  });

  it('a show that stops starts no move: not the retry of one given up, nor a new one', async () => {
    const { clock, control, moves } = setup({ failures: 1 });
    const held = control.hold(1);
    await pass(clock, 2500); // the encoder gave the move up; the retry waits 5 s
    assert.deepEqual(moves, ['abandoned']);
    control.stop();
    await pass(clock, 10_000);
    assert.equal(await held, 'abandoned');
    assert.deepEqual(moves, ['abandoned'], 'no new encoder run for a stopped show');
    const after = control.hold(2);
    await pass(clock, 3000);
    assert.equal(await after, 'abandoned');
    assert.deepEqual(moves, ['abandoned']);
  });

  it('rejects a level off the ladder', async () => {
    const { control } = setup();
    await assert.rejects(control.hold(ladder.length), RangeError);
  });
});
