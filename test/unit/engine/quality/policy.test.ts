import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBitrateLadder, buildLadder } from '../../../../src/engine/quality/ladder.ts';
import {
  QualityPolicy,
  type QualityChange,
  type QualityDecision,
  type QualityPolicyOptions,
} from '../../../../src/engine/quality/policy.ts';

const FPS = 30;
const MIN = 60;

/** What happened in one second of the show (the sample at second t covers (t − 1, t]). */
interface SecondLoad {
  late?: number;
  dropped?: number;
  speed?: number | null;
  backlog?: number;
  throttled?: boolean | null;
  cpu?: number | null;
  /** Destination id → queue fullness in %. */
  queues?: Record<string, number>;
}

const NAMES: Record<string, string> = { yt: 'YouTube', fb: 'Facebook' };

/** A show fed to the policy one sample per second, counters kept like the engine keeps them. */
class Show {
  readonly policy: QualityPolicy;
  t = 0;
  private ticks = 0;
  private late = 0;
  private dropped = 0;
  readonly changes: (QualityChange & { second: number })[] = [];
  last: QualityDecision;

  constructor(options: Partial<QualityPolicyOptions> = {}) {
    this.policy = new QualityPolicy({
      ladder: buildLadder({ preset: 'fast', fps: 30, width: 1920, height: 1080 }),
      bitrateLadderKbps: buildBitrateLadder(4500),
      ...options,
    });
    this.last = this.feed({});
  }

  /** Runs `seconds` more seconds; `load(t)` describes second t (absolute). */
  run(seconds: number, load: (t: number) => SecondLoad = () => ({})): this {
    for (let i = 0; i < seconds; i++) {
      this.t += 1;
      this.last = this.feed(load(this.t));
    }
    return this;
  }

  /** Runs until the next change (at most `limit` seconds) and returns it. */
  untilChange(
    load: (t: number) => SecondLoad = () => ({}),
    limit = 4 * 3600,
  ): QualityChange & { second: number } {
    const before = this.changes.length;
    for (let i = 0; i < limit && this.changes.length === before; i++) this.run(1, load);
    assert.ok(this.changes.length > before, `no change within ${limit} s (t = ${this.t})`);
    return this.changes.at(-1)!;
  }

  changesAt(): [number, QualityChange['direction'], QualityChange['kind'], number][] {
    return this.changes.map((c) => [c.second, c.direction, c.kind, c.to.index]);
  }

  private feed(l: SecondLoad): QualityDecision {
    if (this.t > 0) this.ticks += FPS;
    this.late += l.late ?? 0;
    this.dropped += l.dropped ?? 0;
    const decision = this.policy.observe({
      at: this.t * 1000,
      ticks: this.ticks,
      lateTicks: this.late,
      droppedTicks: this.dropped,
      encoderSpeed: l.speed === undefined ? 1.0 : l.speed,
      encoderBacklogFrames: l.backlog ?? 0,
      destinations: Object.entries(l.queues ?? { yt: 0, fb: 0 }).map(([id, percent]) => ({
        id,
        name: NAMES[id],
        queueBytes: percent * 10_000,
        queuePercent: percent,
      })),
      throttled: l.throttled === undefined ? false : l.throttled,
      systemCpuPercent: l.cpu === undefined ? 50 : l.cpu,
    });
    if (decision.change) this.changes.push({ ...decision.change, second: this.t });
    return decision;
  }
}

const lateAlways = (): SecondLoad => ({ late: 1 }); // 1 of 30 ticks: 3.3 %, over the 2 % line
const calm = (): SecondLoad => ({});

describe('quality policy: what counts as an overload', () => {
  it('steps down once late ticks have lasted the whole 10 s window, not before', () => {
    const show = new Show();
    show.run(9, lateAlways);
    assert.equal(show.changes.length, 0);
    show.run(1, lateAlways);
    assert.deepEqual(show.changesAt(), [[10, 'down', 'cpu', 1]]);
    const change = show.changes[0]!;
    assert.equal(change.from.description, 'fast, 30 fps, 1920×1080');
    assert.equal(change.to.description, 'veryfast, 30 fps, 1920×1080');
    assert.deepEqual(change.because, ['3.3 % of frames were produced late for 10 s']);
    assert.equal(
      change.sentence,
      'Quality stepped down from fast, 30 fps, 1920×1080 to veryfast, 30 fps, 1920×1080: the machine cannot ' +
        'keep up (3.3 % of frames were produced late for 10 s).',
    );
  });

  it('in the middle of a show, an overload that starts at second 101 is acted on at 110, not earlier', () => {
    const show = new Show();
    show.run(100, calm);
    show.run(9, lateAlways);
    assert.deepEqual(show.changes, [], 'six or nine bad seconds are most of a window, but not a whole one');
    show.run(1, lateAlways);
    assert.deepEqual(show.changesAt(), [[110, 'down', 'cpu', 1]]);
  });

  it('a burst of late ticks does not count, however bad, nor one that has just ended', () => {
    const show = new Show();
    // 5 s with every tick late, then calm.
    show.run(60, (t) => (t > 20 && t <= 25 ? { late: 30 } : {}));
    // 8 bad seconds of 10 that ended before the window's last second.
    show.run(60, (t) => (t > 80 && t <= 88 ? { late: 30 } : {}));
    assert.deepEqual(show.changes, []);
    // Late in every other second: half the seconds are not most of them.
    show.run(60, (t) => (t % 2 === 0 ? { late: 1 } : {}));
    assert.deepEqual(show.changes, []);
  });

  it('an intermittent overload (2 of every 3 seconds) is sustained', () => {
    const show = new Show();
    show.run(200, (t) => (t % 3 === 0 ? {} : { late: 2 }));
    // Seconds 1 and 10 are bad (not multiples of 3) and 7 of 10 are: the first full window steps down.
    assert.deepEqual(show.changesAt()[0], [10, 'down', 'cpu', 1]);
  });

  it('dropped ticks, a slow encoder, a growing encoder backlog and heat throttling are CPU overloads', () => {
    const dropped = new Show().untilChange(() => ({ dropped: 2 }));
    assert.deepEqual([dropped.second, dropped.kind], [10, 'cpu']);
    assert.deepEqual(dropped.because, ['6.7 % of frames were dropped before the encoder for 10 s']);

    const slow = new Show().untilChange(() => ({ speed: 0.91 }));
    assert.deepEqual([slow.second, slow.kind], [10, 'cpu']);
    assert.deepEqual(slow.because, ['the encoder ran at 0.91× real time']);

    const backlog = new Show().untilChange((t) => ({ backlog: t, speed: 0.98 }));
    assert.deepEqual([backlog.second, backlog.kind], [10, 'cpu']);
    assert.deepEqual(backlog.because, ["the encoder's backlog grew from 0 to 10 frames"]);

    const hot = new Show().untilChange(() => ({ throttled: true }));
    assert.deepEqual([hot.second, hot.kind], [10, 'cpu']);
    assert.deepEqual(hot.because, ['the CPU was throttled for heat in 10 of the last 10 s']);
  });

  it('a backlog that grows by less than 5 frames, or not in most seconds, is not an overload', () => {
    const small = new Show().run(60, (t) => ({ backlog: Math.min(4, t) }));
    assert.deepEqual(small.changes, []);
    // One jump of 12 frames, then steady: grew in one second only.
    const jump = new Show().run(60, (t) => ({ backlog: t >= 30 ? 12 : 0 }));
    assert.deepEqual(jump.changes, []);
  });

  it('whole-machine CPU alone never steps down; it is shown as a warning', () => {
    const show = new Show();
    show.run(20 * MIN, () => ({ cpu: 100 }));
    assert.deepEqual(show.changes, []);
    assert.deepEqual(show.last.status.warnings, [
      {
        code: 'cpu-busy',
        words: "the machine's CPU is 100 % busy (shown only: the show's own signs decide its quality)",
      },
    ]);
    assert.deepEqual(new Show().run(20, () => ({ cpu: 85 })).last.status.warnings, []);
  });

  it("one destination's queue growing while the encoder keeps up is a network overload: the bitrate steps down", () => {
    const show = new Show();
    const change = show.untilChange((t) => ({ queues: { yt: 4 * t, fb: 1 } }));
    assert.equal(change.second, 10);
    assert.equal(change.kind, 'network');
    assert.equal(change.from.description, '4500 kbit/s');
    assert.equal(change.to.description, '3600 kbit/s');
    assert.deepEqual(change.because, ["destination YouTube's queue grew to 40 %"]);
    assert.equal(show.policy.level, 0, 'the CPU level is untouched');
    assert.equal(show.policy.bitrateStep, 1);
  });

  it('queues that grow while the encoder is slower than real time are a CPU overload, not a network one', () => {
    const show = new Show();
    show.run(60, (t) => ({ queues: { yt: Math.min(90, t), fb: Math.min(90, t) }, speed: 0.9 }));
    assert.deepEqual(show.changesAt(), [[10, 'down', 'cpu', 1]]);
    assert.deepEqual(show.changes[0]!.because, ['the encoder ran at 0.90× real time']);
  });

  it('a queue that is full but not growing, or grows by less than 10 points, is not a network overload', () => {
    const full = new Show().run(60, () => ({ queues: { yt: 95 } }));
    assert.deepEqual(full.changes, []);
    const creeping = new Show().run(60, (t) => ({ queues: { yt: t * 0.05 } }));
    assert.deepEqual(creeping.changes, []);
  });

  it('a queue that creeps up slowly is a network overload once it is over a quarter full', () => {
    // Half a point a second (a link a little too slow): 5 points per window, over 25 % at second 51.
    const show = new Show();
    const change = show.untilChange((t) => ({ queues: { yt: t * 0.5 } }));
    assert.deepEqual([change.second, change.kind], [51, 'network']);
    assert.deepEqual(change.because, ["destination YouTube's queue grew to 26 %"]);
  });
});

describe('quality policy: hysteresis', () => {
  it('keeps at least 2 minutes between steps down, and stops at the bottom of the ladder', () => {
    const show = new Show();
    show.run(16 * MIN, lateAlways);
    // The ladder has 7 levels: 6 steps down, 2 minutes apart.
    assert.deepEqual(
      show.changesAt().map(([second]) => second),
      [10, 130, 250, 370, 490, 610],
    );
    assert.equal(show.policy.level, 6);
    assert.equal(show.last.status.levelDescription, 'superfast, 15 fps, 640×360');
    assert.equal(show.last.status.cpu.nextStepDownInMs, null, 'nothing below the bottom');
  });

  it('the 2 minutes are counted from the last step down: a later overload must still last a window', () => {
    const show = new Show();
    show.run(10, lateAlways); // step at 10
    show.run(100, calm); // to 110
    show.run(30, lateAlways); // bad from second 111
    // The overload has lasted a window at 121, but 2 minutes after the first step is 130.
    assert.deepEqual(
      show.changesAt().map(([second]) => second),
      [10, 130],
    );
  });

  it('steps up after 5 calm minutes, one level at a time', () => {
    const show = new Show();
    show.run(130, lateAlways); // steps at 10 and 130
    assert.equal(show.policy.level, 2);
    // Last bad second is 130; calm from then on.
    show.run(20 * MIN, calm);
    assert.deepEqual(show.changesAt().slice(2), [
      [130 + 5 * MIN, 'up', 'cpu', 1],
      [130 + 10 * MIN, 'up', 'cpu', 0],
    ]);
    const up = show.changes[2]!;
    assert.deepEqual(up.because, ['no sign of CPU overload for 5 min']);
    assert.equal(
      up.sentence,
      'Quality stepped up from superfast, 30 fps, 1920×1080 to veryfast, 30 fps, 1920×1080: no sign of CPU overload for 5 min.',
    );
  });

  it('any second with a symptom starts the calm again, even a lone one', () => {
    const show = new Show();
    show.run(10, lateAlways); // step at 10
    show.run(10 * MIN, (t) => (t === 200 ? { late: 1 } : {}));
    assert.deepEqual(show.changesAt(), [
      [10, 'down', 'cpu', 1],
      [200 + 5 * MIN, 'up', 'cpu', 0],
    ]);
  });

  it('busy whole-machine CPU does not hold back a step up', () => {
    const show = new Show();
    show.run(10, lateAlways);
    show.run(6 * MIN, () => ({ cpu: 100 }));
    assert.deepEqual(show.changesAt()[1], [10 + 5 * MIN, 'up', 'cpu', 0]);
  });

  it('a network queue does not hold back the CPU ladder, nor the reverse', () => {
    const show = new Show();
    show.run(10, lateAlways); // CPU step at 10
    // Then YouTube's queue grows and drains over and over; the encoder keeps up.
    show.run(10 * MIN, (t) => ({ queues: { yt: (t % 40) * 3 } }));
    const cpuUp = show.changes.find((c) => c.kind === 'cpu' && c.direction === 'up');
    assert.equal(cpuUp?.second, 10 + 5 * MIN);
  });

  it('an overload that comes back within 10 minutes of a step up doubles the calm wait: 5, 10, 20, 40, 60, 60 min', () => {
    const show = new Show();
    show.run(10, lateAlways); // down at 10 to level 1
    const waits: number[] = [];
    for (let round = 0; round < 6; round++) {
      const up = show.untilChange(calm);
      assert.equal(up.direction, 'up');
      waits.push((up.second - show.changes.at(-2)!.second) / MIN);
      // The overload comes back 3 minutes after the step up.
      show.run(3 * MIN, calm);
      const down = show.untilChange(lateAlways);
      assert.equal(down.direction, 'down');
      assert.equal(down.second, up.second + 3 * MIN + 10, 'a whole window after it came back');
      assert.equal(show.last.status.cpu.calmWaitMs, Math.min(60, 5 * 2 ** (round + 1)) * MIN * 1000);
    }
    assert.deepEqual(waits, [5, 10, 20, 40, 60, 60]);
  });

  it('the wait goes back to 5 minutes once a step up has held for 10 minutes', () => {
    const show = new Show({ startLevel: 2 });
    show.run(5 * MIN, calm);
    assert.deepEqual(show.changesAt(), [[5 * MIN, 'up', 'cpu', 1]]);
    show.run(60, calm);
    show.untilChange(lateAlways); // back to 2, 70 s after the step up: wait 10 min
    const down = show.changes.at(-1)!;
    assert.equal(show.last.status.cpu.calmWaitMs, 10 * MIN * 1000);
    const up = show.untilChange(calm);
    assert.equal(up.second, down.second + 10 * MIN);
    // It holds: 10 minutes after that step up the wait is 5 min again, and since the calm has
    // lasted that long already, the next step up comes at once.
    show.run(10 * MIN - 1, calm);
    assert.equal(show.last.status.cpu.calmWaitMs, 10 * MIN * 1000);
    const next = show.untilChange(calm);
    assert.equal(next.second, up.second + 10 * MIN);
    assert.equal(show.last.status.cpu.calmWaitMs, 5 * MIN * 1000);
    assert.equal(show.policy.level, 0);
  });

  it('an overload more than 10 minutes after a step up does not double the wait', () => {
    const show = new Show({ startLevel: 1 });
    show.run(5 * MIN, calm); // up at 300
    show.run(10 * MIN, calm);
    show.untilChange(lateAlways);
    assert.equal(show.last.status.cpu.calmWaitMs, 5 * MIN * 1000);
  });

  it('the network ladder has its own spacing and calm', () => {
    const show = new Show();
    const growing = (t: number): SecondLoad => ({ queues: { yt: (t % 100) * 1.5 } });
    show.run(290, growing); // grows 15 points in every 10 s, and empties every 100 s
    assert.deepEqual(
      show.changesAt().map(([s, d, k, to]) => [s, d, k, to]),
      [
        [10, 'down', 'network', 1],
        [130, 'down', 'network', 2],
        [250, 'down', 'network', 3],
      ],
    );
    assert.equal(show.last.status.bitrateKbps, 2304);
    // Growing for the last time in second 290.
    show.run(6 * MIN, calm);
    assert.deepEqual(show.changesAt().at(-1), [290 + 5 * MIN, 'up', 'network', 2]);
    assert.equal(show.policy.level, 0, 'the CPU ladder never moved');
  });
});

describe('quality policy: start, pin and status', () => {
  it('starts where the capacity check chose and steps up toward the ceiling after 5 calm minutes', () => {
    const show = new Show({ startLevel: 3 });
    assert.equal(show.last.status.levelDescription, 'superfast, 15 fps, 1920×1080');
    assert.equal(show.last.status.cpu.nextStepUpInMs, 5 * MIN * 1000);
    show.run(5 * MIN, calm);
    assert.deepEqual(show.changesAt(), [[5 * MIN, 'up', 'cpu', 2]]);
  });

  it('a pinned level never moves, whatever the show suffers, and still shows the symptoms', () => {
    const show = new Show({ pinnedLevel: 1 });
    show.run(30 * MIN, (t) => ({ ...lateAlways(), queues: { yt: t % 90 } }));
    assert.deepEqual(show.changes, []);
    assert.equal(show.policy.level, 1);
    assert.equal(show.last.status.pinned, true);
    assert.equal(show.last.status.cpu.nextStepDownInMs, null);
    assert.equal(show.last.status.cpu.nextStepUpInMs, null);
    assert.deepEqual(
      show.last.status.symptoms.map((s) => [s.code, s.sustained]),
      [['late-ticks', true]],
    );
  });

  it('shows the level, the active symptoms and the time to the next allowed step', () => {
    const show = new Show();
    show.run(4, lateAlways);
    let status = show.last.status;
    assert.equal(status.level, 0);
    assert.equal(status.levelDescription, 'fast, 30 fps, 1920×1080');
    assert.deepEqual(status.symptoms, [
      {
        code: 'late-ticks',
        kind: 'cpu',
        words: '3.3 % of frames were produced late for 4 s',
        sustained: false,
      },
    ]);
    assert.equal(status.cpu.nextStepDownInMs, 0);
    assert.equal(status.cpu.nextStepUpInMs, null, 'at the ceiling');
    show.run(6, lateAlways); // step down at 10
    status = show.last.status;
    assert.equal(status.level, 1);
    assert.deepEqual(status.symptoms, [], 'the new level has no window yet');
    assert.equal(status.cpu.nextStepDownInMs, 120_000);
    assert.equal(status.cpu.nextStepUpInMs, 300_000);
    show.run(30, calm);
    status = show.last.status;
    assert.equal(status.cpu.nextStepDownInMs, 90_000);
    assert.equal(status.cpu.nextStepUpInMs, 270_000);
    assert.equal(status.network.description, '4500 kbit/s');
    assert.equal(status.network.nextStepUpInMs, null);
  });

  it('refuses a start level off the ladder and time that goes backwards', () => {
    assert.throws(() => new Show({ startLevel: 7 }), /not on the ladder/);
    const show = new Show();
    assert.throws(
      () =>
        show.policy.observe({
          at: 0,
          ticks: 0,
          lateTicks: 0,
          droppedTicks: 0,
          encoderSpeed: null,
          encoderBacklogFrames: 0,
          destinations: [],
          throttled: null,
          systemCpuPercent: null,
        }),
      /forward/,
    );
  });
});
