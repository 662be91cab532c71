// The encoder: the program (frames and PCM from the playout, each tick with its program
// timestamp) → H.264 + AAC in FLV, into the fan-out hub. One run (one ffmpeg) is on air at a time;
// camera switches and overlays never touch it. Two things start a new run, and neither ends a
// destination's session (the hub splices the runs into one program):
//   - the run on air dies: a new run starts at once (backoff if it keeps dying) and goes on air
//     at its first keyframe; the program's timestamps step forward by the outage;
//   - reconfigure() (degraded mode: preset, bitrate, size, frame rate): make-before-break. The
//     new run starts beside the old one at the next keyframe tick of the program-time grid; both
//     get the same ticks (each in its own format) until the hub has the new run's keyframe and
//     the old run's output up to it; then the old run is finished. No gap, no overlap.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { VideoEncoderOptions } from '../ffmpeg/argv.ts';
import type { ExitCause, ExitInfo, SupervisorState } from '../process/supervisor.ts';
import { EncoderRun } from './encoder-run.ts';
import type { FanoutHub } from './fanout/hub.ts';
import {
  formatKey,
  keyframeTicks,
  nextKeyframeTick,
  sameFormat,
  type ProgramFormat,
} from './program-clock.ts';

/** Frames lent to the playout at most per format (see frameBuffer). */
const MAX_LENT_FRAMES = 3;
/** A new run is started this many ticks before its first frame, so ffmpeg is up when it comes. */
const SPAWN_LEAD_SECONDS = 0.5;
/** A planned run's audio starts this long before its first frame (see EncoderRun.audioLeadTicks). */
const AUDIO_LEAD_SECONDS = 0.3;
/** A planned takeover not done within this (after its first tick) is given up. */
const TAKEOVER_TIMEOUT_MS = 15_000;
/** Crash restarts: at once, then doubling while crashes keep coming, at most 5 s. */
const RESTART_BACKOFF_MS = [0, 250, 1000, 2500, 5000];
/** A run on air this long makes the next crash count as the first again. */
const HEALTHY_RUN_MS = 30_000;

export type EncoderSettings = Omit<VideoEncoderOptions, 'fps'>;

export interface EncoderStats {
  state: SupervisorState;
  /** Runs that died unexpectedly (each was replaced). */
  restarts: number;
  /** Planned takeovers completed (reconfigurations). */
  reconfigurations: number;
  framesWritten: number;
  /** Ticks whose frame the run on air did not get: no run up (a restart) or it fell too far behind. */
  framesDropped: number;
  /** Bytes waiting in the on-air run's pipe (a growing backlog means it cannot keep up). */
  backlogBytes: number;
  bytesOut: number;
  /** The on-air run's program-time lag behind the newest tick written, ms (null before output). */
  lagMs: number | null;
  /** A reconfiguration is under way (two runs). */
  switching: boolean;
}

export type EncoderEvent =
  | { type: 'crashed'; runId: number; cause: ExitCause; stderr: readonly string[]; restartInMs: number }
  | { type: 'recovered'; runId: number; downMs: number }
  | { type: 'switched'; fromRunId: number; toRunId: number; format: ProgramFormat; settings: EncoderSettings }
  | { type: 'abandoned'; runId: number; reason: string };

export interface EncoderOptions {
  /** The timeline's frame rate: the program's tick rate. */
  fps: number;
  format: ProgramFormat;
  settings: EncoderSettings;
  hub: FanoutHub;
  clock: Clock;
  logger: Logger;
  /** Frames a run may fall behind before ticks are dropped for it (default: half a second). */
  maxBacklogFrames?: number;
  /** Allocates a frame the playout can composite into (the kernels' allocFrame); may throw when
   *  that memory is full. Without it every tick's frame is copied. */
  allocFrame?: (width: number, height: number) => Uint8Array;
  onEvent?: (event: EncoderEvent) => void;
}

interface Lending {
  lendable: Uint8Array[];
  /** Writes still pending per frame. */
  busy: Map<Uint8Array, number>;
  lent: Uint8Array | null;
  copies: Buffer[];
  copiesAllocated: number;
}

interface Takeover {
  run: EncoderRun;
  deadline: number;
  resolve: (outcome: 'switched' | 'abandoned') => void;
}

export class Encoder {
  private readonly options: EncoderOptions;
  private readonly log: Logger;
  private readonly maxBacklogFrames: number;
  private current: EncoderRun | null = null;
  private takeover: Takeover | null = null;
  private settings: EncoderSettings;
  private format: ProgramFormat;
  private nextRunId = 1;
  private started = false;
  private stopping = false;
  /** When the next replacement run may start (after a crash); null while one is on air. */
  private restartAt: number | null = null;
  private crashStreak = 0;
  private downSince: number | null = null;
  private lastTick: number | null = null;
  private restarts = 0;
  private reconfigurations = 0;
  private framesWritten = 0;
  private framesDropped = 0;
  private bytesOut = 0;
  private readonly lending = new Map<string, Lending>();

  constructor(options: EncoderOptions) {
    this.options = options;
    this.log = options.logger;
    this.settings = options.settings;
    this.format = options.format;
    this.maxBacklogFrames = options.maxBacklogFrames ?? Math.ceil(options.fps / 2);
  }

  /** The first run starts with the first tick written. */
  start(): void {
    this.started = true;
    this.restartAt = this.options.clock.now();
  }

  /** Stops every run; the one on air encodes and flushes what it has first. */
  async stop(): Promise<void> {
    this.stopping = true;
    const takeover = this.takeover;
    this.takeover = null;
    takeover?.resolve('abandoned');
    await Promise.all([takeover?.run.abandon(), this.current?.finish()]);
  }

  get currentSettings(): Readonly<EncoderSettings> {
    return this.settings;
  }

  get currentFormat(): ProgramFormat {
    return this.format;
  }

  /** Pid (= process group) of the run on air. */
  get pid(): number | null {
    return this.current?.pid ?? null;
  }

  /** Every how many ticks the playout must run: the finest grid of the runs it feeds. */
  tickEvery(): number {
    const decimations = [this.format.decimation];
    if (this.takeover) decimations.push(this.takeover.run.format.decimation);
    return Math.min(...decimations);
  }

  /** The formats to composite for a tick: one, or two while a reconfiguration overlaps. */
  formatsFor(tick: number): ProgramFormat[] {
    const formats: ProgramFormat[] = [];
    if (tick % this.format.decimation === 0) formats.push(this.format);
    const next = this.takeover?.run;
    if (next && next.takes(tick) && !formats.some((f) => sameFormat(f, next.format)))
      formats.push(next.format);
    return formats;
  }

  /**
   * A frame of `format` the playout may composite the next tick into and pass back to
   * writeTick(), which then writes it without a copy; null when none is free (the playout uses
   * its own frame and writeTick copies it).
   */
  frameBuffer(format: ProgramFormat): Uint8Array | null {
    const lending = this.lendingFor(format);
    let frame = lending.lendable.find((f) => !lending.busy.has(f)) ?? null;
    if (!frame && this.options.allocFrame && lending.lendable.length < MAX_LENT_FRAMES) {
      try {
        frame = this.options.allocFrame(format.width, format.height);
        lending.lendable.push(frame);
      } catch {
        frame = null; // the kernels' memory is full: copy instead
      }
    }
    lending.lent = frame;
    return frame;
  }

  /**
   * One tick: its frames (by format key; a format may be missing when its run does not take the
   * tick) and the PCM of every tick since the previous write, starting at sample `firstSample`.
   * Frames are valid only during the call unless they came from frameBuffer().
   */
  writeTick(tick: number, frames: ReadonlyMap<string, Uint8Array>, pcm: Buffer, firstSample: number): void {
    this.lastTick = tick;
    const now = this.options.clock.now();
    if (this.started && !this.stopping && !this.current && this.restartAt !== null && now >= this.restartAt) {
      this.current = this.newRun(this.settings, this.format, tick, false);
      this.restartAt = null;
    }
    const runs = [this.current, this.takeover?.run].filter(
      (run): run is EncoderRun => run !== null && run !== undefined,
    );
    if (!this.current) this.framesDropped++;
    for (const run of runs) {
      if (tick < run.firstAudioTick) continue;
      const frame = run.takes(tick) ? (frames.get(formatKey(run.format)) ?? null) : null;
      const before = run.framesDropped;
      this.writeTo(run, tick, frame, pcm, firstSample);
      if (run === this.current) {
        if (run.framesDropped > before) this.framesDropped++;
        else if (frame) this.framesWritten++;
      }
    }
    for (const lending of this.lending.values()) lending.lent = null;
    this.checkTakeover(now);
  }

  /**
   * Make-before-break to new settings and/or format: a new run starts at the first keyframe tick
   * at least SPAWN_LEAD_SECONDS after `fromTick`; resolves when it is on air ('switched') or was
   * given up ('abandoned': it died or took too long; the old run goes on).
   */
  reconfigure(
    settings: EncoderSettings,
    format: ProgramFormat,
    fromTick: number,
  ): Promise<'switched' | 'abandoned'> {
    // A move decided just before the show stopped must not start a run nothing will feed.
    if (this.stopping) return Promise.resolve('abandoned');
    if (this.takeover) {
      const previous = this.takeover;
      this.takeover = null;
      previous.resolve('abandoned');
      void previous.run.abandon();
    }
    const lead = Math.ceil(SPAWN_LEAD_SECONDS * this.options.fps);
    const firstTick = nextKeyframeTick(fromTick + lead, this.options.fps);
    const run = this.newRun(settings, format, firstTick, true);
    const firstMs = ((firstTick - fromTick) * 1000) / this.options.fps;
    return new Promise((resolve) => {
      this.takeover = {
        run,
        deadline: this.options.clock.now() + firstMs + TAKEOVER_TIMEOUT_MS,
        resolve,
      };
      this.log.info(
        {
          run: run.id,
          format: formatKey(format),
          preset: settings.preset,
          bitrateKbps: settings.bitrateKbps,
          firstTick,
        },
        'encoder reconfiguration: new run starts beside the old one',
      );
    });
  }

  stats(): EncoderStats {
    const current = this.current;
    const outputMs = current?.outputMs ?? null;
    return {
      state: current?.state ?? (this.started && !this.stopping ? 'starting' : 'stopped'),
      restarts: this.restarts,
      reconfigurations: this.reconfigurations,
      framesWritten: this.framesWritten,
      framesDropped: this.framesDropped,
      backlogBytes: current?.backlogBytes ?? 0,
      bytesOut: this.bytesOut,
      lagMs:
        outputMs === null || this.lastTick === null
          ? null
          : Math.max(0, (this.lastTick * 1000) / this.options.fps - outputMs),
      switching: this.takeover !== null,
    };
  }

  // ── internals ──

  private newRun(
    settings: EncoderSettings,
    format: ProgramFormat,
    firstTick: number,
    planned: boolean,
  ): EncoderRun {
    const run = new EncoderRun({
      id: this.nextRunId++,
      format,
      fps: this.options.fps,
      encoder: settings,
      firstTick,
      planned,
      audioLeadTicks: planned ? Math.ceil(AUDIO_LEAD_SECONDS * this.options.fps) : 0,
      hub: this.options.hub,
      clock: this.options.clock,
      logger: this.log.child({ run: this.nextRunId - 1 }),
      maxBacklogFrames: this.maxBacklogFrames,
      onExit: (ended, info) => this.onRunExit(ended, info),
      onOutput: (bytes) => (this.bytesOut += bytes),
    });
    run.start();
    return run;
  }

  private writeTo(
    run: EncoderRun,
    tick: number,
    frame: Uint8Array | null,
    pcm: Buffer,
    firstSample: number,
  ): void {
    if (!frame) {
      run.write(tick, null, pcm, firstSample);
      return;
    }
    const lending = this.lendingFor(run.format);
    if (frame === lending.lent) {
      lending.busy.set(frame, (lending.busy.get(frame) ?? 0) + 1);
      run.write(tick, frame, pcm, firstSample, () => this.release(lending, frame));
      return;
    }
    // Not ours: copy it into a pooled buffer (a fresh 3 MB buffer per tick keeps the GC busy).
    const copy = lending.copies.pop() ?? this.newCopy(lending, frame.length);
    if (!copy || run.backlogged) {
      if (copy) lending.copies.push(copy);
      run.write(tick, null, pcm, firstSample);
      run.framesDropped++;
      return;
    }
    copy.set(frame);
    run.write(tick, copy, pcm, firstSample, () => lending.copies.push(copy));
  }

  private newCopy(lending: Lending, bytes: number): Buffer | undefined {
    if (lending.copiesAllocated >= this.maxBacklogFrames + 1) return undefined;
    lending.copiesAllocated++;
    return Buffer.allocUnsafeSlow(bytes);
  }

  private release(lending: Lending, frame: Uint8Array): void {
    const left = (lending.busy.get(frame) ?? 1) - 1;
    if (left <= 0) lending.busy.delete(frame);
    else lending.busy.set(frame, left);
  }

  private lendingFor(format: ProgramFormat): Lending {
    const key = formatKey(format);
    let lending = this.lending.get(key);
    if (!lending) {
      lending = { lendable: [], busy: new Map(), lent: null, copies: [], copiesAllocated: 0 };
      this.lending.set(key, lending);
    }
    return lending;
  }

  /** A planned takeover is done once the hub has the new run on air; given up past its deadline. */
  private checkTakeover(now: number): void {
    const takeover = this.takeover;
    if (!takeover) return;
    if (takeover.run.onAir) {
      this.takeover = null;
      const old = this.current;
      this.current = takeover.run;
      this.settings = takeover.run.settings;
      this.format = takeover.run.format;
      this.reconfigurations++;
      if (old) void old.finish(1000);
      this.dropLendingExcept(this.format);
      this.log.info(
        { run: takeover.run.id, format: formatKey(this.format) },
        'encoder reconfigured: new run on air',
      );
      this.options.onEvent?.({
        type: 'switched',
        fromRunId: old?.id ?? 0,
        toRunId: takeover.run.id,
        format: this.format,
        settings: this.settings,
      });
      takeover.resolve('switched');
      return;
    }
    if (now > takeover.deadline) this.giveUp(takeover, 'the new run sent no keyframe in time');
  }

  private giveUp(takeover: Takeover, reason: string): void {
    if (this.takeover !== takeover) return;
    this.takeover = null;
    this.log.warn({ run: takeover.run.id, reason }, 'encoder reconfiguration given up; the old run goes on');
    void takeover.run.abandon();
    this.options.onEvent?.({ type: 'abandoned', runId: takeover.run.id, reason });
    takeover.resolve('abandoned');
  }

  private dropLendingExcept(format: ProgramFormat): void {
    for (const key of [...this.lending.keys()]) if (key !== formatKey(format)) this.lending.delete(key);
  }

  private onRunExit(run: EncoderRun, info: ExitInfo): void {
    const requested = info.cause === 'requested' || info.cause === 'restart';
    if (this.takeover?.run === run) {
      if (!requested) this.giveUp(this.takeover, `the new run ${describeExit(info)}`);
      return;
    }
    if (run !== this.current || this.stopping || requested) return;
    // The run on air died. A takeover under way goes on air at its keyframe (the hub sees the old
    // run ended); otherwise a replacement starts at once, or after a backoff if this repeats.
    this.current = null;
    this.restarts++;
    this.downSince = this.options.clock.now();
    const now = this.options.clock.now();
    const ranMs = info.runMs;
    this.crashStreak = ranMs >= HEALTHY_RUN_MS ? 1 : this.crashStreak + 1;
    const delay = RESTART_BACKOFF_MS[Math.min(this.crashStreak - 1, RESTART_BACKOFF_MS.length - 1)]!;
    this.log.error(
      {
        run: run.id,
        cause: info.cause,
        code: info.code,
        stderr: info.stderrTail.slice(-3),
        restartInMs: delay,
      },
      'encoder exited',
    );
    const takeover = this.takeover;
    if (takeover) {
      this.takeover = null;
      this.current = takeover.run;
      this.settings = takeover.run.settings;
      this.format = takeover.run.format;
      takeover.resolve('switched');
    } else {
      this.restartAt = now + delay;
    }
    this.options.onEvent?.({
      type: 'crashed',
      runId: run.id,
      cause: info.cause,
      stderr: info.stderrTail,
      restartInMs: takeover ? 0 : delay,
    });
    this.watchRecovery();
  }

  /** Tells when the program is back on air after a crash (a replacement run's keyframe). */
  private watchRecovery(): void {
    const check = (): void => {
      if (this.stopping || this.downSince === null) return;
      const run = this.current;
      if (run?.onAir) {
        const downMs = this.options.clock.now() - this.downSince;
        this.downSince = null;
        this.options.onEvent?.({ type: 'recovered', runId: run.id, downMs });
        return;
      }
      this.options.clock.setTimeout(check, 100);
    };
    this.options.clock.setTimeout(check, 100);
  }

  /** The grid of keyframe ticks (for tests and reconfiguration planning). */
  get keyframePeriodTicks(): number {
    return keyframeTicks(this.options.fps);
  }
}

function describeExit(info: ExitInfo): string {
  if (info.cause === 'stalled') return 'stopped sending output';
  if (info.cause === 'spawn-error') return `could not start (${info.error?.message ?? 'spawn error'})`;
  return `exited (code ${info.code ?? info.signal})`;
}
