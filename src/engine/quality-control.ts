// Degraded mode at work: once a second it reads the show's own symptoms (late and dropped ticks,
// the encoder's speed and backlog, each destination's queue, heat throttling), asks the policy
// (quality/policy.ts) whether to move on a ladder, and carries a move out without a break:
//   - a new preset or bitrate: a new encoder run beside the old one (make-before-break);
//   - a new size or frame rate: first the sources are decoded in the new format too (so the new
//     run has pictures from its first tick), then the new run, then the old format goes.
// Every move and its reason goes to the log, the alerts (so the history keeps each one) and the
// control room. Whole-machine CPU is shown, never a reason to move.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Encoder, EncoderSettings } from './encoder.ts';
import type { EngineAlerts } from './engine-alerts.ts';
import { degradedModeAlert, type AlertText } from '../errors/alert-messages.ts';
import { describeBitrate, describeLevel, type QualityLevel } from './quality/ladder.ts';
import {
  QualityPolicy,
  type DestinationQueueSample,
  type QualityChange,
  type QualityPolicyOptions,
  type QualityStatus,
} from './quality/policy.ts';
import { formatKey, sameFormat, type ProgramFormat } from './program-clock.ts';

/** A new format waits at most this long for the sources' first pictures in it. */
const FORMAT_READY_MS = 5000;
/** Encoder speed is measured over this much wall time. */
const SPEED_WINDOW_MS = 5000;
/** Changes kept for the control room. */
const RECENT_CHANGES = 10;
/** A move the encoder gave up (its new run took no keyframe in time) is tried again after this,
 *  at most MOVE_TRIES times in all. */
const RETRY_MOVE_MS = 5000;
const MOVE_TRIES = 3;

export interface QualityTarget {
  /** Indexes on the CPU and bitrate ladders. */
  index: number;
  bitrateStep: number;
  level: QualityLevel;
  bitrateKbps: number;
}

export interface QualityControlStatus extends QualityStatus {
  /** What the program is encoded as now (level, levelDescription, bitrateStep and bitrateKbps
   *  say the same: what is on air, not what degraded mode would choose). */
  format: ProgramFormat;
  /** Every level in words, index 0 the operator's settings. */
  ladder: string[];
  /** The operator holds this level (degraded mode watches but does not move); null: automatic. */
  held: number | null;
  fps: number;
  preset: string | undefined;
  bitrateKbpsNow: number;
  /** A move is being carried out. */
  switching: boolean;
  /** The latest changes, newest last, with the wall-clock time (epoch ms) they were made. */
  changes: (QualityChange & { wallAt: number })[];
}

export interface QualityControlDeps {
  policy: Omit<QualityPolicyOptions, 'startLevel'> & { startLevel?: number };
  /** The timeline's frame rate. */
  fps: number;
  baseSettings: EncoderSettings;
  encoder: Pick<Encoder, 'reconfigure' | 'stats' | 'currentFormat' | 'currentSettings'>;
  playout: {
    prepareFormat(format: ProgramFormat | null): void;
    formatReady(format: ProgramFormat): boolean;
    readonly nextTick: number;
    snapshot(): { ticks: number; lateTicks: number; skippedTicks: number };
  };
  /** Program ms of the newest tag the fan-out sent (null before the first). */
  programMs: () => number | null;
  destinations: () => DestinationQueueSample[];
  systemCpuPercent: () => number | null;
  throttled: () => boolean | null;
  clock: Clock;
  logger: Logger;
  alerts: EngineAlerts | undefined;
  /** Shows or hides the on-air "reduced quality" notice (only when the operator wants it). */
  setReducedCard?: (shown: boolean) => void;
}

/** The program format a ladder level means at a timeline rate. */
export function formatOf(level: QualityLevel, fps: number): ProgramFormat {
  return { width: level.width, height: level.height, decimation: Math.max(1, Math.round(fps / level.fps)) };
}

export class QualityControl {
  private readonly deps: QualityControlDeps;
  private readonly policy: QualityPolicy;
  private readonly speed: { at: number; programMs: number }[] = [];
  private readonly changes: (QualityChange & { wallAt: number })[] = [];
  private alertSeq = 0;
  private openAlert: string | null = null;
  /** The target being carried out, and the latest one asked for meanwhile. */
  private busy = false;
  private wanted: QualityTarget | null = null;
  private stopped = false;
  /** A level held by hand (the policy still watches, but does not move the program). */
  private held: number | null = null;
  /** What is on air: the last target carried out (or started with). */
  private applied: { index: number; bitrateStep: number };

  constructor(deps: QualityControlDeps) {
    this.deps = deps;
    this.policy = new QualityPolicy(deps.policy);
    this.applied = { index: this.policy.level, bitrateStep: this.policy.bitrateStep };
  }

  /** Where the show starts (the capacity check's choice, else the ceiling). */
  get startTarget(): QualityTarget {
    return this.targetOf(this.policy.level, this.policy.bitrateStep);
  }

  /** Once a second while the show runs. */
  sample(): void {
    const now = this.deps.clock.now();
    const playout = this.deps.playout.snapshot();
    const encoder = this.deps.encoder.stats();
    const format = this.deps.encoder.currentFormat;
    const frameBytes = (format.width * format.height * 3) / 2;
    const decision = this.policy.observe({
      at: now,
      ticks: playout.ticks + playout.skippedTicks,
      lateTicks: playout.lateTicks,
      droppedTicks: playout.skippedTicks + encoder.framesDropped,
      encoderSpeed: encoder.switching ? null : this.encoderSpeed(now),
      encoderBacklogFrames: frameBytes > 0 ? encoder.backlogBytes / frameBytes : 0,
      destinations: this.deps.destinations(),
      throttled: this.deps.throttled(),
      systemCpuPercent: this.deps.systemCpuPercent(),
    });
    const change = decision.change;
    if (!change || this.held !== null) return;
    this.changes.push({ ...change, wallAt: this.deps.clock.wallNow() });
    if (this.changes.length > RECENT_CHANGES) this.changes.shift();
    this.report(change, decision.level, decision.bitrateStep);
    this.apply(this.targetOf(decision.level, decision.bitrateStep));
  }

  /**
   * Holds the program at a CPU level (0 = the operator's settings) whatever the symptoms (a
   * network step in force stays); null gives control back to degraded mode, which carries on from
   * the level on air. Resolves with the outcome of the move: 'abandoned' when the encoder could not
   * make it (the program stays where it was).
   */
  async hold(level: number | null): Promise<'done' | 'abandoned'> {
    if (level === null) {
      this.held = null;
      this.policy.rebase(this.applied.index, this.applied.bitrateStep, this.deps.clock.now());
      return 'done';
    }
    const ladder = this.deps.policy.ladder;
    if (!Number.isInteger(level) || level < 0 || level >= ladder.length)
      throw new RangeError(`level ${level} is not on the ladder (0–${ladder.length - 1})`);
    this.held = level;
    const target = this.targetOf(level, this.applied.bitrateStep);
    this.apply(target);
    while (this.busy) await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, 50));
    return this.applied.index === target.index ? 'done' : 'abandoned';
  }

  status(): QualityControlStatus {
    const format = this.deps.encoder.currentFormat;
    const settings = this.deps.encoder.currentSettings;
    const policy = this.policy.current;
    const onAir = this.targetOf(this.applied.index, this.applied.bitrateStep);
    const held = this.held !== null;
    return {
      ...policy,
      level: onAir.index,
      levelDescription: describeLevel(onAir.level),
      bitrateStep: onAir.bitrateStep,
      bitrateKbps: onAir.bitrateKbps,
      cpu: { ...policy.cpu, ...(held ? { nextStepDownInMs: null, nextStepUpInMs: null } : {}) },
      network: { ...policy.network, ...(held ? { nextStepDownInMs: null, nextStepUpInMs: null } : {}) },
      format,
      fps: this.deps.fps / format.decimation,
      preset: settings.preset,
      bitrateKbpsNow: settings.bitrateKbps ?? 0,
      switching: this.busy,
      changes: [...this.changes],
      ladder: this.deps.policy.ladder.map(describeLevel),
      held: this.held,
    };
  }

  private targetOf(index: number, bitrateStep: number): QualityTarget {
    const ladder = this.deps.policy.ladder;
    const bitrates = this.deps.policy.bitrateLadderKbps;
    const i = Math.min(index, ladder.length - 1);
    const b = Math.min(bitrateStep, bitrates.length - 1);
    return { index: i, bitrateStep: b, level: ladder[i]!, bitrateKbps: bitrates[b]! };
  }

  /** Encoder output media time ÷ wall time over the last seconds. */
  private encoderSpeed(now: number): number | null {
    const programMs = this.deps.programMs();
    if (programMs === null) return null;
    this.speed.push({ at: now, programMs });
    while (this.speed.length > 2 && now - this.speed[0]!.at > SPEED_WINDOW_MS) this.speed.shift();
    const first = this.speed[0]!;
    if (now - first.at < SPEED_WINDOW_MS / 2) return null;
    return (programMs - first.programMs) / (now - first.at);
  }

  /** The show stopped: no move starts from now on, and one under way is not tried again. */
  stop(): void {
    this.stopped = true;
    this.wanted = null;
  }

  /** Carries a target out; one move at a time (the newest target wins). */
  private apply(target: QualityTarget): void {
    if (this.stopped) return;
    this.wanted = target;
    if (this.busy) return;
    void this.run();
  }

  private async run(): Promise<void> {
    this.busy = true;
    try {
      let tries = 0;
      while (this.wanted) {
        const target = this.wanted;
        this.wanted = null;
        const outcome = await this.moveTo(target);
        if (outcome === 'abandoned' && !this.wanted && ++tries < MOVE_TRIES) {
          await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, RETRY_MOVE_MS));
          if (this.stopped) break;
          this.wanted ??= target;
          continue;
        }
        tries = 0;
      }
    } finally {
      this.busy = false;
      this.speed.length = 0; // the new level is judged on fresh figures
    }
  }

  private async moveTo(target: QualityTarget): Promise<'done' | 'abandoned'> {
    const { deps } = this;
    const format = formatOf(target.level, deps.fps);
    const settings: EncoderSettings = {
      ...deps.baseSettings,
      preset: target.level.preset,
      bitrateKbps: target.bitrateKbps,
    };
    const current = deps.encoder.currentSettings;
    const sameSettings = current.preset === settings.preset && current.bitrateKbps === settings.bitrateKbps;
    const newFormat = !sameFormat(format, deps.encoder.currentFormat);
    if (!newFormat && sameSettings) {
      this.applied = { index: target.index, bitrateStep: target.bitrateStep };
      return 'done';
    }
    if (newFormat) {
      deps.playout.prepareFormat(format);
      const began = deps.clock.now();
      while (!deps.playout.formatReady(format) && deps.clock.now() - began < FORMAT_READY_MS) {
        await new Promise<void>((resolve) => deps.clock.setTimeout(resolve, 100));
      }
    }
    if (this.stopped) return 'abandoned';
    deps.logger.info(
      { format: formatKey(format), preset: settings.preset, bitrateKbps: settings.bitrateKbps },
      'quality: moving the program',
    );
    const outcome = await deps.encoder.reconfigure(settings, format, deps.playout.nextTick);
    if (newFormat) deps.playout.prepareFormat(null);
    if (outcome === 'abandoned') {
      deps.logger.warn(
        { format: formatKey(format) },
        'quality: the move did not happen; it will be tried again',
      );
      return 'abandoned';
    }
    this.applied = { index: target.index, bitrateStep: target.bitrateStep };
    return 'done';
  }

  private report(change: QualityChange, level: number, bitrateStep: number): void {
    const { deps } = this;
    const degraded = level > 0 || bitrateStep > 0;
    deps.setReducedCard?.(degraded);
    if (change.direction === 'down') deps.logger.warn({ change: change.sentence }, 'degraded mode');
    else deps.logger.info({ change: change.sentence }, 'degraded mode');
    const previous = this.openAlert;
    const key = `engine:quality:${++this.alertSeq}`;
    deps.alerts?.raise({ key, source: 'engine', ...this.alertFor(change, !degraded) });
    if (!degraded) {
      // Back at the operator's settings: the last step is recorded, nothing stays open.
      deps.alerts?.clear(key);
      if (previous) deps.alerts?.clear(previous);
      this.openAlert = null;
      return;
    }
    if (previous) deps.alerts?.clear(previous);
    this.openAlert = key;
  }

  private alertFor(change: QualityChange, backAtSettings: boolean): AlertText {
    const target = this.targetOf(this.policy.level, this.policy.bitrateStep);
    return degradedModeAlert({
      sentence: change.sentence,
      direction: change.direction,
      cause: change.kind,
      current: `${describeLevel(target.level)} at ${describeBitrate(target.bitrateKbps)}`,
      backAtSettings,
    });
  }
}
