// Degraded mode judged by the show's own symptoms (pure: samples in, a level out; time comes in
// the samples). The engine calls observe() once a second.
//
// What counts as overload (each threshold is an option, defaults in brackets):
//   CPU: in a second, more than 2 % of the ticks written late [lateShare] or dropped before the
//        encoder, the encoder slower than real time [minEncoderSpeed 0.97], or the CPU throttled
//        for heat; or, over the window, the encoder's backlog growing [encoderBacklogGrowthFrames].
//   network: one destination's queue growing over the window — by 10 points of its bound
//        [queueGrowthPercent], or at all once it is over a quarter full [queueHighPercent] (a link
//        slightly too slow fills the queue slowly but surely) — while the encoder keeps real time
//        (if it does not, the queues grow because of the CPU).
//   Whole-machine CPU is shown, and warns above 90 % [busyCpuPercent], but never steps down on its
//   own: on a Raspberry Pi 5 encoding in software a busy CPU is the normal state.
//
// A symptom counts as an overload when it lasted the whole window [windowMs 10 s]: present in the
// window's first second, in its last second and in most of its seconds [sustainedShare] — so a
// burst, however bad, is not an overload, and neither is one that has just ended. A window starts
// afresh at each change of its ladder: a new level is judged on its own seconds.
//
// Steps:
//   down: one ladder step when its kind is overloaded, at least 2 minutes after the previous step
//         down of that kind [stepDownSpacingMs] (each step needs time to show its effect).
//   up:   one step after 5 calm minutes [calmMs]: not one second with a symptom of that kind (a
//         destination's backlog does not keep the CPU ladder from recovering, nor the reverse).
//         A step down less than 10 minutes after a step up [returnWindowMs] means the step up
//         brought the overload back: the calm wait doubles (5 → 10 → 20 → 40 → 60 min,
//         [maxCalmMs]). The wait goes back to 5 minutes when a step up holds for 10 minutes: that
//         level fits again, so the retreat that doubled the wait is no longer needed. (A reset
//         after calm time at the lower level would undo the doubling at the moment it applies.)
// At most one change per observe(): CPU before network, down before up. Overlays are never
// dropped: they cost well under 1 % of a core.

import { describeBitrate, describeLevel, type QualityLevel } from './ladder.ts';

export interface DestinationQueueSample {
  id: string;
  /** What operators call it ("YouTube"); default the id. */
  name?: string;
  /** Bytes waiting in the fan-out's queue for this destination's publisher. */
  queueBytes: number;
  /** The same as a share of the queue's bound, 0–100. */
  queuePercent: number;
}

/** One reading of the show, once a second. Counters are cumulative since the show started. */
export interface QualitySample {
  /** Monotonic ms. */
  at: number;
  ticks: number;
  /** Ticks written more than one frame late. */
  lateTicks: number;
  /** Ticks skipped before the encoder (playout late or the encoder's backlog full). */
  droppedTicks: number;
  /** Encoder output media time ÷ wall time over the last seconds; null when unknown. */
  encoderSpeed: number | null;
  /** Frames written to the encoder and not yet taken by it (now, not cumulative). */
  encoderBacklogFrames: number;
  destinations: readonly DestinationQueueSample[];
  /** CPU throttled for heat (e.g. a Raspberry Pi 5 without a fan); null when unknown. */
  throttled: boolean | null;
  /** Whole-machine CPU use, 0–100; null when unknown. */
  systemCpuPercent: number | null;
}

export type QualityKind = 'cpu' | 'network';

export type SymptomCode =
  'late-ticks' | 'dropped-ticks' | 'encoder-slow' | 'encoder-backlog' | 'throttled' | 'destination-backlog';

export interface Symptom {
  code: SymptomCode;
  kind: QualityKind;
  /** Plain words with the figure: "3 % of frames were produced late for 10 s". */
  words: string;
  /** It lasted the window (it is what a step down answers), not a passing sign. */
  sustained: boolean;
  /** destination-backlog only. */
  destinationId?: string;
}

export interface LevelRef {
  index: number;
  /** "veryfast, 30 fps, 1280×720" or "3600 kbit/s". */
  description: string;
}

export interface QualityChange {
  kind: QualityKind;
  direction: 'down' | 'up';
  /** The sample's time. */
  at: number;
  from: LevelRef;
  to: LevelRef;
  /** Why, in plain words: the symptoms (down) or the calm (up). */
  because: string[];
  /** Down: the symptoms it answers. Up: empty. */
  symptoms: Symptom[];
  /** One sentence for the control room, the alerts and the history. */
  sentence: string;
}

export interface QualityWarning {
  code: 'cpu-busy';
  words: string;
}

export interface LadderStatus {
  index: number;
  description: string;
  /** Steps on this ladder (the highest index is length − 1). */
  length: number;
  /** ms until a step down is allowed (0: now, if an overload lasts the window); null: at the bottom or pinned. */
  nextStepDownInMs: number | null;
  /** ms of calm still needed before a step up; null: at the top or pinned. */
  nextStepUpInMs: number | null;
  /** The calm a step up needs now (5 min, doubled after a step up that failed). */
  calmWaitMs: number;
}

export interface QualityStatus {
  /** Time of the last sample (null before the first). */
  at: number | null;
  pinned: boolean;
  /** CPU ladder index and what it means. */
  level: number;
  levelDescription: string;
  bitrateStep: number;
  bitrateKbps: number;
  cpu: LadderStatus;
  network: LadderStatus;
  /** Symptoms seen over the current window (sustained or not). */
  symptoms: Symptom[];
  /** Shown, never a reason to step down. */
  warnings: QualityWarning[];
}

export interface QualityDecision {
  level: number;
  bitrateStep: number;
  change: QualityChange | null;
  status: QualityStatus;
}

export interface QualityPolicyOptions {
  /** The CPU ladder (buildLadder), index 0 the operator's ceiling. */
  ladder: readonly QualityLevel[];
  /** The bitrate ladder in kbit/s (buildBitrateLadder), index 0 the ceiling. */
  bitrateLadderKbps: readonly number[];
  /** Where the show starts on the CPU ladder (the capacity check's choice). Default 0. */
  startLevel?: number;
  /** Hold this CPU level (and the full bitrate) whatever happens, e.g. in a benchmark. Default null. */
  pinnedLevel?: number | null;
  /** How long an overload must last. Default 10 000 ms. */
  windowMs?: number;
  /** A second is late (or dropping) when more than this share of its ticks was. Default 0.02. */
  lateShare?: number;
  /** "Most seconds": more than this share of the window's seconds. Default 0.5. */
  sustainedShare?: number;
  /** Below this the encoder is slower than real time. Default 0.97. */
  minEncoderSpeed?: number;
  /** The encoder's backlog grew by at least this much over the window. Default 5 frames. */
  encoderBacklogGrowthFrames?: number;
  /** A destination's queue grew by at least this many points (of its bound) over the window. Default 10. */
  queueGrowthPercent?: number;
  /** A queue fuller than this that grew over the window (by any amount) counts too. Default 25. */
  queueHighPercent?: number;
  /** Minimum time between two steps down of one ladder. Default 120 000 ms. */
  stepDownSpacingMs?: number;
  /** Calm needed before a step up. Default 300 000 ms. */
  calmMs?: number;
  /** A step down this soon after a step up doubles the calm wait. Default 600 000 ms. */
  returnWindowMs?: number;
  /** The calm wait never grows past this. Default 3 600 000 ms. */
  maxCalmMs?: number;
  /** Whole-machine CPU above this (mean over the window) is shown as a warning. Default 90. */
  busyCpuPercent?: number;
}

type Tunables = Required<
  Omit<QualityPolicyOptions, 'ladder' | 'bitrateLadderKbps' | 'startLevel' | 'pinnedLevel'>
>;

export const QUALITY_POLICY_DEFAULTS: Readonly<Tunables> = {
  windowMs: 10_000,
  lateShare: 0.02,
  sustainedShare: 0.5,
  minEncoderSpeed: 0.97,
  encoderBacklogGrowthFrames: 5,
  queueGrowthPercent: 10,
  queueHighPercent: 25,
  stepDownSpacingMs: 120_000,
  calmMs: 300_000,
  returnWindowMs: 600_000,
  maxCalmMs: 3_600_000,
  busyCpuPercent: 90,
};

interface LadderState {
  index: number;
  readonly length: number;
  lastStepDownAt: number | null;
  /** Set by a step up until it has held returnWindowMs or the overload came back. */
  pendingStepUpAt: number | null;
  /** Start of the current calm (no symptom of this kind). */
  calmSince: number;
  calmWaitMs: number;
  /** The window of this ladder starts no earlier than its last change. */
  changedAt: number;
}

/** One second: the pair of samples around it. */
interface Second {
  a: QualitySample;
  b: QualitySample;
}

interface Window {
  /** The seconds of the window, oldest first. */
  seconds: Second[];
  first: QualitySample;
  last: QualitySample;
  /** A whole window of history since the ladder's last change. */
  full: boolean;
}

interface Judgement {
  overload: boolean;
  /** A symptom of this kind in the latest second (breaks the calm). */
  symptomNow: boolean;
  symptoms: Symptom[];
}

const delta = (a: number, b: number): number => Math.max(0, b - a);

/** "3", "2.5", "0.3", "40": percents as people write them. */
export function formatPercent(percent: number): string {
  return percent >= 10 ? String(Math.round(percent)) : String(Number(percent.toFixed(1)));
}

function formatMinutes(ms: number): string {
  const minutes = ms / 60_000;
  return minutes >= 1 ? `${Number(minutes.toFixed(1))} min` : `${Math.round(ms / 1000)} s`;
}

export class QualityPolicy {
  private readonly o: Tunables;
  private readonly ladder: readonly QualityLevel[];
  private readonly bitrates: readonly number[];
  private readonly pinned: boolean;
  private readonly cpu: LadderState;
  private readonly network: LadderState;
  /** Samples covering the longest window we judge (trimmed to windowMs back). */
  private samples: QualitySample[] = [];
  private lastStatus: QualityStatus;

  constructor(options: QualityPolicyOptions) {
    const { ladder: _ladder, bitrateLadderKbps: _bitrates, startLevel, pinnedLevel, ...tunables } = options;
    const given = Object.fromEntries(Object.entries(tunables).filter(([, v]) => v !== undefined));
    this.o = { ...QUALITY_POLICY_DEFAULTS, ...given };
    if (options.ladder.length === 0) throw new RangeError('the quality ladder is empty');
    if (options.bitrateLadderKbps.length === 0) throw new RangeError('the bitrate ladder is empty');
    this.ladder = options.ladder;
    this.bitrates = options.bitrateLadderKbps;
    const pinned = pinnedLevel ?? null;
    const start = pinned ?? startLevel ?? 0;
    if (!Number.isInteger(start) || start < 0 || start >= this.ladder.length) {
      throw new RangeError(`level ${start} is not on the ladder (0–${this.ladder.length - 1})`);
    }
    this.pinned = pinned !== null;
    const ladderState = (index: number, length: number): LadderState => ({
      index,
      length,
      lastStepDownAt: null,
      pendingStepUpAt: null,
      calmSince: 0,
      calmWaitMs: this.o.calmMs,
      changedAt: Number.NEGATIVE_INFINITY,
    });
    this.cpu = ladderState(start, this.ladder.length);
    this.network = ladderState(0, this.bitrates.length);
    this.lastStatus = this.status(null, [], []);
  }

  get level(): number {
    return this.cpu.index;
  }

  get bitrateStep(): number {
    return this.network.index;
  }

  /** What the control room shows, as of the last sample. */
  get current(): QualityStatus {
    return this.lastStatus;
  }

  /**
   * Takes the program as it is now (an operator held it at a level and gave it back): both
   * ladders continue from there, judged on fresh windows, with a fresh calm.
   */
  rebase(level: number, bitrateStep: number, at: number): void {
    if (!Number.isInteger(level) || level < 0 || level >= this.ladder.length)
      throw new RangeError(`level ${level} is not on the ladder (0–${this.ladder.length - 1})`);
    for (const [ladder, index] of [
      [this.cpu, level],
      [this.network, Math.max(0, Math.min(bitrateStep, this.bitrates.length - 1))],
    ] as const) {
      ladder.index = index;
      ladder.changedAt = at;
      ladder.calmSince = at;
      ladder.pendingStepUpAt = null;
    }
  }

  observe(sample: QualitySample): QualityDecision {
    const previous = this.samples.at(-1);
    if (previous && sample.at <= previous.at) {
      throw new RangeError(`samples must move forward in time (${sample.at} after ${previous.at})`);
    }
    if (!previous) {
      // The show's start begins the calm.
      this.cpu.calmSince = sample.at;
      this.network.calmSince = sample.at;
    }
    this.samples.push(sample);
    const horizon = sample.at - this.o.windowMs;
    while (this.samples.length > 1 && this.samples[1]!.at <= horizon) this.samples.shift();

    // A step up that held returnWindowMs: the level fits, the calm wait is back to its base.
    for (const ladder of [this.cpu, this.network]) {
      if (ladder.pendingStepUpAt !== null && sample.at - ladder.pendingStepUpAt >= this.o.returnWindowMs) {
        ladder.pendingStepUpAt = null;
        ladder.calmWaitMs = this.o.calmMs;
      }
    }

    const cpu = this.judgeCpu(this.window(this.cpu.changedAt));
    const network = this.judgeNetwork(this.window(this.network.changedAt));
    if (cpu.symptomNow) this.cpu.calmSince = sample.at;
    if (network.symptomNow) this.network.calmSince = sample.at;

    const change = this.pinned ? null : this.decide(sample.at, cpu, network);
    // After a change the symptoms shown are those of the new level's (empty) window.
    const symptoms = change
      ? [
          ...(change.kind === 'cpu' ? [] : cpu.symptoms),
          ...(change.kind === 'network' ? [] : network.symptoms),
        ]
      : [...cpu.symptoms, ...network.symptoms];
    this.lastStatus = this.status(sample.at, symptoms, this.warnings());
    return { level: this.cpu.index, bitrateStep: this.network.index, change, status: this.lastStatus };
  }

  // ───────────────────────────── judging ─────────────────────────────

  /** The window of the last windowMs, starting no earlier than `since` (the ladder's last change). */
  private window(since: number): Window {
    const eligible = this.samples.filter((s) => s.at >= since);
    const list = eligible.length > 0 ? eligible : [this.samples.at(-1)!];
    const first = list[0]!;
    const last = list.at(-1)!;
    const seconds = list.slice(1).map((b, i) => ({ a: list[i]!, b }));
    return { seconds, first, last, full: last.at - first.at >= this.o.windowMs };
  }

  /** Present in the window's first and last seconds and in most of its seconds. */
  private sustained(seconds: readonly Second[], present: (s: Second) => boolean): boolean {
    if (seconds.length === 0) return false;
    if (!present(seconds[0]!) || !present(seconds.at(-1)!)) return false;
    return seconds.filter(present).length > this.o.sustainedShare * seconds.length;
  }

  private shareOver(seconds: readonly Second[], count: (s: QualitySample) => number): number {
    let ticks = 0;
    let counted = 0;
    for (const { a, b } of seconds) {
      ticks += delta(a.ticks, b.ticks);
      counted += delta(count(a), count(b));
    }
    return ticks > 0 ? counted / ticks : 0;
  }

  private isLate = (s: Second): boolean => this.tickShare(s, (x) => x.lateTicks) > this.o.lateShare;
  private isDropping = (s: Second): boolean => this.tickShare(s, (x) => x.droppedTicks) > this.o.lateShare;
  private isSlow = (s: Second): boolean =>
    s.b.encoderSpeed !== null && s.b.encoderSpeed < this.o.minEncoderSpeed;
  private isThrottled = (s: Second): boolean => s.b.throttled === true;
  private isCpuSecond = (s: Second): boolean =>
    this.isLate(s) || this.isDropping(s) || this.isSlow(s) || this.isThrottled(s);

  private tickShare({ a, b }: Second, count: (s: QualitySample) => number): number {
    const ticks = delta(a.ticks, b.ticks);
    return ticks > 0 ? delta(count(a), count(b)) / ticks : 0;
  }

  private backlogGrowing(w: Window): boolean {
    return (
      this.sustained(w.seconds, ({ a, b }) => b.encoderBacklogFrames > a.encoderBacklogFrames) &&
      w.last.encoderBacklogFrames - w.first.encoderBacklogFrames >= this.o.encoderBacklogGrowthFrames
    );
  }

  private judgeCpu(w: Window): Judgement {
    const { seconds } = w;
    const span = `${Math.round((w.last.at - w.first.at) / 1000)} s`;
    const backlogGrowing = this.backlogGrowing(w);
    const overload = w.full && (this.sustained(seconds, this.isCpuSecond) || backlogGrowing);
    const latest = seconds.at(-1);
    const symptomNow = (latest !== undefined && this.isCpuSecond(latest)) || backlogGrowing;

    const candidates: { present: number; symptom: Omit<Symptom, 'sustained'> }[] = [];
    const count = (p: (s: Second) => boolean): number => seconds.filter(p).length;
    const late = count(this.isLate);
    if (late > 0) {
      const share = this.shareOver(seconds, (s) => s.lateTicks) * 100;
      candidates.push({
        present: late,
        symptom: {
          code: 'late-ticks',
          kind: 'cpu',
          words: `${formatPercent(share)} % of frames were produced late for ${span}`,
        },
      });
    }
    const dropping = count(this.isDropping);
    if (dropping > 0) {
      const share = this.shareOver(seconds, (s) => s.droppedTicks) * 100;
      candidates.push({
        present: dropping,
        symptom: {
          code: 'dropped-ticks',
          kind: 'cpu',
          words: `${formatPercent(share)} % of frames were dropped before the encoder for ${span}`,
        },
      });
    }
    const slow = count(this.isSlow);
    if (slow > 0) {
      const speeds = seconds.map((s) => s.b.encoderSpeed).filter((v): v is number => v !== null);
      const mean = speeds.reduce((sum, v) => sum + v, 0) / speeds.length;
      candidates.push({
        present: slow,
        symptom: {
          code: 'encoder-slow',
          kind: 'cpu',
          words: `the encoder ran at ${mean.toFixed(2)}× real time`,
        },
      });
    }
    const throttled = count(this.isThrottled);
    if (throttled > 0) {
      candidates.push({
        present: throttled,
        symptom: {
          code: 'throttled',
          kind: 'cpu',
          words: `the CPU was throttled for heat in ${throttled} of the last ${seconds.length} s`,
        },
      });
    }
    // Which signs a step down answers: those that alone were there most of the time, else (a mix
    // of signs that together made the overload) all of them.
    const alone = candidates.filter((c) => c.present > this.o.sustainedShare * seconds.length);
    const answered = overload ? (alone.length > 0 ? alone : candidates) : [];
    const symptoms: Symptom[] = candidates.map((c) => ({ ...c.symptom, sustained: answered.includes(c) }));
    if (backlogGrowing) {
      symptoms.push({
        code: 'encoder-backlog',
        kind: 'cpu',
        words: `the encoder's backlog grew from ${Math.round(w.first.encoderBacklogFrames)} to ${Math.round(w.last.encoderBacklogFrames)} frames`,
        sustained: overload,
      });
    }
    return { overload, symptomNow, symptoms };
  }

  private judgeNetwork(w: Window): Judgement {
    const speeds = w.seconds.map((s) => s.b.encoderSpeed).filter((v): v is number => v !== null);
    const meanSpeed = speeds.length > 0 ? speeds.reduce((sum, v) => sum + v, 0) / speeds.length : null;
    // When the encoder falls behind, queues grow because of the CPU, not the link.
    const encoderKeepsUp =
      (meanSpeed === null || meanSpeed >= this.o.minEncoderSpeed) && !this.backlogGrowing(w);
    const symptoms: Symptom[] = [];
    for (const destination of w.last.destinations) {
      const at = (s: QualitySample): DestinationQueueSample | undefined =>
        s.destinations.find((d) => d.id === destination.id);
      const start = at(w.first);
      if (!start) continue; // joined during the window: not judged yet
      const rose = (s: Second): boolean => {
        const before = at(s.a);
        const after = at(s.b);
        return before !== undefined && after !== undefined && after.queueBytes > before.queueBytes;
      };
      const growth = destination.queuePercent - start.queuePercent;
      const growing =
        this.sustained(w.seconds, rose) &&
        (growth >= this.o.queueGrowthPercent ||
          (growth > 0 && destination.queuePercent > this.o.queueHighPercent));
      if (!growing) continue;
      symptoms.push({
        code: 'destination-backlog',
        kind: 'network',
        words: `destination ${destination.name ?? destination.id}'s queue grew to ${formatPercent(destination.queuePercent)} %`,
        sustained: w.full && encoderKeepsUp,
        destinationId: destination.id,
      });
    }
    const overload = symptoms.some((s) => s.sustained);
    return { overload, symptomNow: symptoms.length > 0 && encoderKeepsUp, symptoms };
  }

  private warnings(): QualityWarning[] {
    const readings = this.samples.map((s) => s.systemCpuPercent).filter((v): v is number => v !== null);
    if (readings.length === 0) return [];
    const mean = readings.reduce((sum, v) => sum + v, 0) / readings.length;
    if (mean <= this.o.busyCpuPercent) return [];
    return [
      {
        code: 'cpu-busy',
        words: `the machine's CPU is ${Math.round(mean)} % busy (shown only: the show's own signs decide its quality)`,
      },
    ];
  }

  // ───────────────────────────── deciding ─────────────────────────────

  private decide(now: number, cpu: Judgement, network: Judgement): QualityChange | null {
    const canStepDown = (l: LadderState): boolean =>
      l.index < l.length - 1 &&
      (l.lastStepDownAt === null || now - l.lastStepDownAt >= this.o.stepDownSpacingMs);
    const canStepUp = (l: LadderState, j: Judgement): boolean =>
      l.index > 0 && !j.overload && now - l.calmSince >= l.calmWaitMs;
    if (cpu.overload && canStepDown(this.cpu)) return this.stepDown('cpu', now, cpu.symptoms);
    if (network.overload && canStepDown(this.network)) return this.stepDown('network', now, network.symptoms);
    if (canStepUp(this.cpu, cpu)) return this.stepUp('cpu', now);
    if (canStepUp(this.network, network)) return this.stepUp('network', now);
    return null;
  }

  private ladderOf(kind: QualityKind): LadderState {
    return kind === 'cpu' ? this.cpu : this.network;
  }

  private ref(kind: QualityKind, index: number): LevelRef {
    return {
      index,
      description:
        kind === 'cpu' ? describeLevel(this.ladder[index]!) : describeBitrate(this.bitrates[index]!),
    };
  }

  private stepDown(kind: QualityKind, now: number, symptoms: readonly Symptom[]): QualityChange {
    const l = this.ladderOf(kind);
    // The overload came back soon after a step up: wait longer before the next one.
    if (l.pendingStepUpAt !== null && now - l.pendingStepUpAt < this.o.returnWindowMs) {
      l.calmWaitMs = Math.min(l.calmWaitMs * 2, this.o.maxCalmMs);
    }
    l.pendingStepUpAt = null;
    const from = this.ref(kind, l.index);
    l.index += 1;
    l.lastStepDownAt = now;
    l.calmSince = now;
    l.changedAt = now;
    const to = this.ref(kind, l.index);
    const answered = symptoms.filter((s) => s.sustained);
    const because = answered.map((s) => s.words);
    const what = kind === 'cpu' ? 'the machine cannot keep up' : 'a destination cannot take the bitrate';
    return {
      kind,
      direction: 'down',
      at: now,
      from,
      to,
      because,
      symptoms: answered,
      sentence: `Quality stepped down from ${from.description} to ${to.description}: ${what} (${because.join('; ')}).`,
    };
  }

  private stepUp(kind: QualityKind, now: number): QualityChange {
    const l = this.ladderOf(kind);
    const calm = now - l.calmSince;
    const from = this.ref(kind, l.index);
    l.index -= 1;
    l.pendingStepUpAt = now;
    l.calmSince = now;
    l.changedAt = now;
    const to = this.ref(kind, l.index);
    const because = [
      kind === 'cpu'
        ? `no sign of CPU overload for ${formatMinutes(calm)}`
        : `no destination's queue grew for ${formatMinutes(calm)}`,
    ];
    return {
      kind,
      direction: 'up',
      at: now,
      from,
      to,
      because,
      symptoms: [],
      sentence: `Quality stepped up from ${from.description} to ${to.description}: ${because[0]}.`,
    };
  }

  // ───────────────────────────── status ─────────────────────────────

  private ladderStatus(kind: QualityKind, now: number | null): LadderStatus {
    const l = this.ladderOf(kind);
    const t = now ?? 0;
    const down =
      this.pinned || l.index >= l.length - 1
        ? null
        : l.lastStepDownAt === null
          ? 0
          : Math.max(0, l.lastStepDownAt + this.o.stepDownSpacingMs - t);
    const up = this.pinned || l.index === 0 ? null : Math.max(0, l.calmSince + l.calmWaitMs - t);
    return {
      index: l.index,
      description: this.ref(kind, l.index).description,
      length: l.length,
      nextStepDownInMs: down,
      nextStepUpInMs: up,
      calmWaitMs: l.calmWaitMs,
    };
  }

  private status(now: number | null, symptoms: Symptom[], warnings: QualityWarning[]): QualityStatus {
    return {
      at: now,
      pinned: this.pinned,
      level: this.cpu.index,
      levelDescription: describeLevel(this.ladder[this.cpu.index]!),
      bitrateStep: this.network.index,
      bitrateKbps: this.bitrates[this.network.index]!,
      cpu: this.ladderStatus('cpu', now),
      network: this.ladderStatus('network', now),
      symptoms,
      warnings,
    };
  }
}
