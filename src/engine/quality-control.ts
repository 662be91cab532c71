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
import type { EngineAlerts } from './engine-types.ts';
import { describeLevel, type QualityLevel } from './quality/ladder.ts';
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

export interface QualityTarget {
  level: QualityLevel;
  bitrateKbps: number;
}

export interface QualityControlStatus extends QualityStatus {
  /** What the program is encoded as now. */
  format: ProgramFormat;
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
  /** A level held by hand (the policy still watches, but does not move the program). */
  private held: number | null = null;

  constructor(deps: QualityControlDeps) {
    this.deps = deps;
    this.policy = new QualityPolicy(deps.policy);
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
   * Holds the program at a CPU level (0 = the operator's settings) whatever the symptoms; null
   * gives control back to degraded mode. Resolves when the move is done.
   */
  async hold(level: number | null): Promise<void> {
    this.held = level;
    if (level === null) return;
    const ladder = this.deps.policy.ladder;
    const index = Math.max(0, Math.min(level, ladder.length - 1));
    this.apply(this.targetOf(index, 0));
    while (this.busy) await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, 50));
  }

  status(): QualityControlStatus {
    const format = this.deps.encoder.currentFormat;
    const settings = this.deps.encoder.currentSettings;
    return {
      ...this.policy.current,
      format,
      fps: this.deps.fps / format.decimation,
      preset: settings.preset,
      bitrateKbpsNow: settings.bitrateKbps ?? 0,
      switching: this.busy,
      changes: [...this.changes],
    };
  }

  private targetOf(level: number, bitrateStep: number): QualityTarget {
    const ladder = this.deps.policy.ladder;
    const bitrates = this.deps.policy.bitrateLadderKbps;
    return {
      level: ladder[Math.min(level, ladder.length - 1)]!,
      bitrateKbps: bitrates[Math.min(bitrateStep, bitrates.length - 1)]!,
    };
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

  /** Carries a target out; one move at a time (the newest target wins). */
  private apply(target: QualityTarget): void {
    this.wanted = target;
    if (this.busy) return;
    void this.run();
  }

  private async run(): Promise<void> {
    this.busy = true;
    try {
      while (this.wanted) {
        const target = this.wanted;
        this.wanted = null;
        await this.moveTo(target);
      }
    } finally {
      this.busy = false;
      this.speed.length = 0; // the new level is judged on fresh figures
    }
  }

  private async moveTo(target: QualityTarget): Promise<void> {
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
    if (!newFormat && sameSettings) return;
    if (newFormat) {
      deps.playout.prepareFormat(format);
      const began = deps.clock.now();
      while (!deps.playout.formatReady(format) && deps.clock.now() - began < FORMAT_READY_MS) {
        await new Promise<void>((resolve) => deps.clock.setTimeout(resolve, 100));
      }
    }
    deps.logger.info(
      { format: formatKey(format), preset: settings.preset, bitrateKbps: settings.bitrateKbps },
      'quality: moving the program',
    );
    const outcome = await deps.encoder.reconfigure(settings, format, deps.playout.nextTick);
    if (newFormat) deps.playout.prepareFormat(null);
    if (outcome === 'abandoned')
      deps.logger.warn(
        { format: formatKey(format) },
        'quality: the move did not happen; it will be tried again',
      );
  }

  private report(change: QualityChange, level: number, bitrateStep: number): void {
    const { deps } = this;
    const degraded = level > 0 || bitrateStep > 0;
    deps.setReducedCard?.(degraded);
    if (change.direction === 'down') deps.logger.warn({ change: change.sentence }, 'degraded mode');
    else deps.logger.info({ change: change.sentence }, 'degraded mode');
    const previous = this.openAlert;
    if (!degraded) {
      // Back at the operator's settings: the last step is recorded, nothing stays open.
      const key = `engine:quality:${++this.alertSeq}`;
      deps.alerts?.raise(this.alertFor(change, key, 'info'));
      deps.alerts?.clear(key);
      if (previous) deps.alerts?.clear(previous);
      this.openAlert = null;
      return;
    }
    const key = `engine:quality:${++this.alertSeq}`;
    deps.alerts?.raise(this.alertFor(change, key, change.direction === 'down' ? 'warning' : 'info'));
    if (previous) deps.alerts?.clear(previous);
    this.openAlert = key;
  }

  private alertFor(change: QualityChange, key: string, severity: 'info' | 'warning') {
    const current = describeLevel(this.targetOf(this.policy.level, this.policy.bitrateStep).level);
    return {
      key,
      severity,
      code: 'DEGRADED_MODE',
      message: change.sentence,
      remediation:
        change.direction === 'down'
          ? change.kind === 'cpu'
            ? `The stream goes on at ${current}. It steps back up by itself after calm minutes; for full quality use a lower resolution or frame rate in the timeline, fewer cameras, or a faster machine.`
            : 'The stream goes on at a lower bitrate. Check the upload speed of the venue’s internet connection; the bitrate returns by itself after calm minutes.'
          : 'Nothing to do: quality comes back step by step while the show stays calm.',
      source: 'engine',
    };
  }
}
