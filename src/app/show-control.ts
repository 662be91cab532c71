// Show control for the operator: the one show on air (or none), GO LIVE after the pre-flight
// checks (at once or after a countdown), stop, the live controls, and the on-air state the
// telemetry WebSocket pushes. Shows started elsewhere (a crash resume, the demo) are adopted so
// the operator sees and controls them the same way.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AlertCenter, AlertRecord } from '../alerts/index.ts';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import type { LiveShow, LiveState, ShowState } from '../domain/live.ts';
import { describeBitrate, formatFps, type EngineStatus } from '../engine/index.ts';
import type { AudioLevels, ProgramPicture } from '../engine/index.ts';
import { AppError } from '../errors/registry.ts';
import { evaluateDisk, type HealthReport, type MetricsSnapshot } from '../health/index.ts';
import type { DiskVerdict } from '../recordings/free-space.ts';
import type { Store } from '../store/store.ts';
import type { VideoSource } from '../timeline/resolver.ts';
import { onAirBecause, summarizeBroadcast } from './broadcast.ts';
import type { MeasuringStatus } from './capacity.ts';
import type { ShowRequest } from './execution-plan.ts';
import type { RunningShow, ShowOutcome } from './running-show.ts';
import { operatorQualityAlert } from './show-alert-messages.ts';
import type { LiveControls } from './show-engine.ts';
import type { ShowRunner } from './show-runner.ts';

export const GoLiveSchema = z.strictObject({
  timelineId: z.number().int().positive({ error: 'must be a timeline number' }),
  destinationIds: z
    .array(z.number().int().positive({ error: 'must be a destination number' }))
    .max(10)
    .default([]),
  /** 0: start immediately. */
  countdownSeconds: z.number().int().min(0).max(60).default(0),
  /** Go live even though a pre-flight check failed (the operator accepts it). */
  force: z.boolean().default(false),
  /** Also record the program to a local file. */
  record: z.boolean().default(false),
});
export type GoLiveInput = z.input<typeof GoLiveSchema>;
/** A GO LIVE as show control keeps it: the operator's choices and who made them. */
type GoLive = z.output<typeof GoLiveSchema> & { executedBy?: number };
export type PreflightInput = Pick<z.output<typeof GoLiveSchema>, 'timelineId' | 'destinationIds'> & {
  record?: boolean;
};

/** What the controller needs of a pre-flight report (src/app/preflight.ts makes the full one). */
export interface PreflightOutcome {
  ok: boolean;
  checks: ReadonlyArray<{
    id: string;
    label: string;
    status: 'ok' | 'warn' | 'fail';
    summary: string;
    remediation: string | null;
  }>;
}

export interface ShowControlDeps<Report extends PreflightOutcome> {
  store: Store;
  runner: Pick<ShowRunner, 'start'>;
  preflight: (input: PreflightInput) => Promise<Report>;
  /** Open alerts for the live state (and the health check's counts); the operator's quality holds. */
  alerts?: Pick<AlertCenter, 'open' | 'counts' | 'raise' | 'clear'>;
  /** This machine's capacity check (src/app/capacity.ts): its progress is part of the live state. */
  capacity?: {
    measuring(): MeasuringStatus | null;
    onMeasuring(listener: () => void): () => void;
  };
  dataDir: string;
  /** The data disk (RecordingsHousekeeper.disk): health speaks of it even with nothing on air. */
  disk?: () => DiskVerdict | null;
  clock?: Clock;
  logger?: Logger;
}

interface OnAir {
  show: RunningShow;
  demo: boolean;
  cameraNames: Map<number, string>;
  /** The execution row's start (read once: the live state is built every second). */
  startedAt: string;
  quality: OperatorQuality;
}

/** The operator's quality moves (the engine holds the level; these are for the history). */
interface OperatorQuality {
  lastChange: { at: string; sentence: string; direction: 'down' | 'up' } | null;
  changes: number;
  /** Holds one after the other (a release is two engine moves). */
  queue: Promise<unknown>;
}

type Listener = () => void;

const PREVIEW_URL = '/preview/index.m3u8';
/** A passed pre-flight this recent is not run again by GO LIVE. */
const PREFLIGHT_REUSE_MS = 30_000;

function preflightKey(input: PreflightInput): string {
  return JSON.stringify([
    input.timelineId,
    [...input.destinationIds].sort((a, b) => a - b),
    input.record === true,
  ]);
}

export class ShowControl<Report extends PreflightOutcome = PreflightOutcome> {
  private readonly deps: ShowControlDeps<Report>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private state: ShowState = 'idle';
  private onAir: OnAir | null = null;
  private countdown: {
    input: GoLive;
    endsAt: number;
    timer: TimerHandle | null;
  } | null = null;
  private lastOutcome: string | null = null;
  private recentPreflight: { key: string; at: number; report: Report } | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(deps: ShowControlDeps<Report>) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? createLogger('show-control');
    deps.capacity?.onMeasuring(() => this.changed());
  }

  /** Called on every change of state (the telemetry pushes at once). */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes charge of a show started elsewhere (crash resume, the demo). */
  adopt(show: RunningShow, options: { demo: boolean }): void {
    this.onAir = this.onAirFor(show, options.demo);
    this.state = 'live';
    this.lastOutcome = null;
    this.watch(show);
    this.changed();
  }

  get current(): RunningShow | null {
    return this.onAir?.show ?? null;
  }

  /** Runs the checks; a passed report is remembered briefly, so GO LIVE right after it (the
   *  control room's flow) starts at once instead of testing every camera again. */
  async preflight(input: PreflightInput): Promise<Report> {
    const report = await this.deps.preflight(input);
    this.recentPreflight = report.ok ? { key: preflightKey(input), at: this.clock.now(), report } : null;
    return report;
  }

  /**
   * GO LIVE: runs the pre-flight checks, then starts (or counts down). A failed check refuses
   * with PREFLIGHT_FAILED unless `force`. A demo show on air gives way; a real one refuses.
   */
  /** `executedBy`: the signed-in user, recorded on the execution row. */
  async goLive(raw: GoLiveInput, executedBy?: number): Promise<{ state: LiveState; preflight: Report }> {
    const input: GoLive = { ...GoLiveSchema.parse(raw), ...(executedBy !== undefined ? { executedBy } : {}) };
    this.refuseIfBusy();
    const recent = this.recentPreflight;
    const fresh =
      recent && recent.key === preflightKey(input) && this.clock.now() - recent.at <= PREFLIGHT_REUSE_MS;
    const report = fresh ? recent.report : await this.preflight(input);
    this.recentPreflight = null;
    this.refuseIfBusy(); // the checks take seconds: someone else may have gone live meanwhile
    if (!report.ok && !input.force) {
      const failed = report.checks.filter((check) => check.status === 'fail');
      throw new AppError(
        'PREFLIGHT_FAILED',
        `${failed.length} pre-flight check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.label).join(', ')}`,
        failed.map((check) => ({
          path: `checks.${check.id}`,
          message: `${check.summary}. ${check.remediation ?? ''}`.trim(),
        })),
      );
    }
    if (input.countdownSeconds > 0) {
      const endsAt = this.clock.now() + input.countdownSeconds * 1000;
      this.countdown = { input, endsAt, timer: null };
      this.state = 'countdown';
      this.lastOutcome = null;
      this.log.info({ seconds: input.countdownSeconds, timelineId: input.timelineId }, 'GO LIVE countdown');
      this.tickCountdown();
      this.changed();
      return { state: this.liveState(), preflight: report };
    }
    await this.start(input);
    return { state: this.liveState(), preflight: report };
  }

  /** Stops the show on air, or cancels the countdown. */
  async stop(): Promise<LiveState> {
    if (this.countdown) {
      this.countdown.timer?.cancel();
      this.countdown = null;
      // A demo show on air stays on air when the countdown that was to replace it is cancelled.
      this.state = this.onAir ? 'live' : 'idle';
      this.lastOutcome = 'countdown cancelled';
      this.changed();
      return this.liveState();
    }
    const onAir = this.onAir;
    if (!onAir || this.state === 'stopping') throw new AppError('SHOW_NOT_LIVE', 'no show is on air');
    this.state = 'stopping';
    this.changed();
    await onAir.show.stop();
    return this.liveState();
  }

  /** Stops whatever runs (appliance shutdown). */
  async shutdown(): Promise<void> {
    this.countdown?.timer?.cancel();
    this.countdown = null;
    await this.onAir?.show.stop();
  }

  /** Camera settings were saved: the show on air takes the new cameras and backups at once. */
  camerasChanged(): void {
    if (this.state === 'live') this.onAir?.show.camerasChanged();
  }

  pause(): void {
    this.live().show.pause();
    this.changed();
  }

  resume(): void {
    this.live().show.resume();
    this.changed();
  }

  jumpTo(seconds: number): void {
    this.live().show.jumpTo(seconds);
    this.changed();
  }

  setEmergency(on: boolean): void {
    this.engine().setEmergency(on);
    this.changed();
  }

  pinCamera(cameraId: number | null): void {
    this.engine().pinCamera(cameraId);
    this.changed();
  }

  forceCamera(cameraId: number): void {
    this.engine().forceCamera(cameraId);
    this.changed();
  }

  cancelForce(): void {
    this.engine().cancelForce();
    this.changed();
  }

  /** Ends every override at once: the emergency, the pin, the force, the cleared overlays. */
  returnToTimeline(): void {
    this.engine().returnToTimeline();
    this.changed();
  }

  clearOverlays(): void {
    this.engine().clearOverlays();
    this.changed();
  }

  restoreOverlays(): void {
    this.engine().restoreOverlays();
    this.changed();
  }

  async setOverlayText(cueId: string, text: string | null): Promise<void> {
    await this.engine().setOverlayText(cueId, text);
    this.changed();
  }

  /**
   * Holds the program at a quality level (0 = the operator's settings) whatever degraded mode
   * would do, or gives it back to degraded mode (null). Resolves once the program is there; each
   * hold and release goes to the history.
   */
  async holdQuality(level: number | null): Promise<LiveState> {
    const onAir = this.live();
    const engine = this.engine();
    const quality = onAir.quality;
    const task = quality.queue.then(async () => {
      const status = engine.status();
      const q = status.quality;
      const levels = q.cpu.length;
      const ladder = q.ladder;
      const words = (index: number): string => ladder?.[index] ?? `level ${index}`;
      if (level !== null && (!Number.isInteger(level) || level < 0 || level >= levels))
        throw new AppError('VALIDATION_FAILED', `level ${level} is not on this show's quality ladder`, [
          {
            path: 'level',
            message: `must be from 0 (your settings, ${words(0)}) to ${levels - 1} (${words(levels - 1)}), or null for automatic`,
          },
        ]);
      const was = q.level;
      // The engine holds the level (keeping a network step in force) and retries a move its new
      // encoder run could not make; a release lets degraded mode carry on from the level on air.
      const outcome = await engine.holdQuality(level);
      if (outcome === 'abandoned')
        throw new AppError(
          'QUALITY_MOVE_FAILED',
          `the program could not be moved to ${words(level ?? was)} (the new encoder run did not take over in time); it stays at ${engine.status().quality.levelDescription}`,
        );
      const now = engine.status().quality.level;
      const alert = operatorQualityAlert({
        executionId: onAir.show.executionId,
        change: ++quality.changes,
        level,
        words,
        was,
        now,
      });
      const sentence = alert.message;
      quality.lastChange = {
        at: new Date(this.clock.wallNow()).toISOString(),
        sentence,
        direction: now > was ? 'down' : 'up',
      };
      // Recorded for the history; nothing stays open: the operator chose it.
      this.deps.alerts?.raise(alert);
      this.deps.alerts?.clear(alert.key);
      this.log.info({ level, was }, sentence);
    });
    quality.queue = task.catch(() => undefined);
    try {
      await task;
    } finally {
      this.changed();
    }
    return this.liveState();
  }

  /** The health check: idle, only the data disk is judged (nothing is supposed to stream). */
  health(): HealthReport & { live: boolean } {
    const engine = this.onAir?.show.engine;
    if (!engine || this.state !== 'live') return { ...evaluateDisk(this.deps.disk?.() ?? null), live: false };
    return { ...engine.health(this.deps.alerts?.counts()), live: true };
  }

  /** The on-air program (FLV from the fan-out) for the browser preview, or null when none is live. */
  programFeed(): { executionId: number; attach: LiveControls['attachProgram'] } | null {
    const show = this.state === 'live' ? this.onAir?.show : undefined;
    const engine = show?.engine;
    if (!show || !engine) return null;
    return {
      executionId: show.executionId,
      attach: (writable, name) => engine.attachProgram(writable, name),
    };
  }

  /** The program's audio levels while a show is live (the control room's meters), else null. */
  audioLevels(): { executionId: number; levels: AudioLevels } | null {
    const show = this.state === 'live' ? this.onAir?.show : undefined;
    const levels = show?.engine?.audioLevels() ?? null;
    return show && levels ? { executionId: show.executionId, levels } : null;
  }

  /** The on-air program picture (website stills, time-lapse), else null. Read it at once. */
  programPicture(): { executionId: number; picture: ProgramPicture } | null {
    const show = this.state === 'live' ? this.onAir?.show : undefined;
    const picture = show?.engine?.programPicture() ?? null;
    return show && picture ? { executionId: show.executionId, picture } : null;
  }

  metrics(): MetricsSnapshot | null {
    return this.state === 'live' ? (this.onAir?.show.engine?.metrics() ?? null) : null;
  }

  /** Everything the control room shows, now. */
  liveState(): LiveState {
    const engine = this.onAir?.show.engine ?? null;
    const metrics = engine && this.state === 'live' ? engine.metrics() : null;
    const health = engine && this.state === 'live' ? engine.health(this.deps.alerts?.counts()) : null;
    return {
      at: new Date(this.clock.wallNow()).toISOString(),
      state: this.state,
      countdown: this.countdown
        ? {
            secondsLeft: Math.max(0, Math.ceil((this.countdown.endsAt - this.clock.now()) / 1000)),
            startsAt: new Date(
              this.clock.wallNow() + (this.countdown.endsAt - this.clock.now()),
            ).toISOString(),
          }
        : null,
      show: this.onAir && engine ? this.describeShow(this.onAir, engine.status(), engine) : null,
      metrics: metrics
        ? {
            bitrateKbps: metrics.bitrateKbps,
            fps: metrics.fps,
            droppedFrames: metrics.droppedFrames,
            encoderCpuPercent: metrics.encoderCpuPercent,
            encodeMsPerFrame: metrics.encodeMsPerFrame,
            publisherBufferFullnessPercent: metrics.publisherBufferFullnessPercent,
            uptimeSeconds: metrics.uptimeSeconds,
            bytesSent: metrics.bytesSent,
            cpuTemperatureC: metrics.cpuTemperatureC,
            systemCpuPercent: metrics.systemCpuPercent,
          }
        : null,
      health,
      alerts: (this.deps.alerts?.open() ?? []).map(liveAlert),
      lastOutcome: this.lastOutcome,
      measuring: this.deps.capacity?.measuring() ?? null,
    };
  }

  private refuseIfBusy(): void {
    if (this.state === 'idle' || (this.state === 'live' && this.onAir?.demo)) return;
    throw new AppError(
      'SHOW_ALREADY_LIVE',
      this.state === 'countdown'
        ? 'a GO LIVE countdown is running'
        : `a show is ${this.state === 'live' ? 'on air' : this.state}`,
    );
  }

  private tickCountdown(): void {
    const countdown = this.countdown;
    if (!countdown) return;
    const left = countdown.endsAt - this.clock.now();
    if (left <= 0) {
      this.countdown = null;
      void this.start(countdown.input).catch((error: unknown) => {
        this.log.error({ err: error }, 'GO LIVE after the countdown failed');
      });
      return;
    }
    countdown.timer = this.clock.setTimeout(
      () => {
        this.changed();
        this.tickCountdown();
      },
      Math.min(1000, left),
    );
  }

  private async start(input: GoLive): Promise<void> {
    const previous = this.onAir;
    this.state = 'starting';
    this.changed();
    try {
      if (previous) {
        this.log.info({ execution: previous.show.executionId }, 'stopping the demo show for GO LIVE');
        await previous.show.stop();
      }
      const show = await this.deps.runner.start(this.request(input));
      this.onAir = this.onAirFor(show, false);
      this.state = 'live';
      this.lastOutcome = null;
      this.watch(show);
      this.log.info({ execution: show.executionId, timeline: show.timeline.name }, 'on air');
    } catch (error) {
      this.onAir = null;
      this.state = 'idle';
      this.lastOutcome = `error: ${messageOf(error)}`;
      throw error;
    } finally {
      this.changed();
    }
  }

  private request(input: GoLive): ShowRequest {
    const previewDir = join(this.deps.dataDir, 'preview');
    mkdirSync(previewDir, { recursive: true });
    clearPreview(previewDir);
    const request: ShowRequest = {
      timelineId: input.timelineId,
      destinationIds: input.destinationIds,
      previewDir,
      ...(input.executedBy !== undefined ? { executedBy: input.executedBy } : {}),
    };
    if (input.record) {
      const recordings = join(this.deps.dataDir, 'recordings');
      mkdirSync(recordings, { recursive: true });
      const stamp = new Date(this.clock.wallNow()).toISOString().replace(/[:.]/g, '-');
      request.recordPath = join(recordings, `timeline-${input.timelineId}-${stamp}.mp4`);
    }
    return request;
  }

  private watch(show: RunningShow): void {
    void show.finished.then((outcome: ShowOutcome) => {
      if (this.onAir?.show !== show) return; // replaced (the demo gave way to GO LIVE)
      this.onAir = null;
      if (this.state !== 'starting') this.state = 'idle';
      this.lastOutcome =
        outcome.status === 'error'
          ? `error: ${outcome.execution.error_message ?? 'the show failed'}`
          : outcome.status;
      this.log.info({ execution: show.executionId, status: outcome.status }, 'show ended');
      this.changed();
    });
  }

  private live(): OnAir {
    if (!this.onAir || this.state !== 'live') throw new AppError('SHOW_NOT_LIVE', 'no show is on air');
    return this.onAir;
  }

  private engine(): LiveControls {
    const engine = this.live().show.engine;
    if (!engine) throw new AppError('SHOW_NOT_LIVE', 'the show on air has no live controls');
    return engine;
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.log.error({ err: error }, 'a live-state listener failed');
      }
    }
  }

  private onAirFor(show: RunningShow, demo: boolean): OnAir {
    return {
      show,
      demo,
      cameraNames: this.cameraNames(show),
      startedAt: this.deps.store.executions.get(show.executionId).started_at,
      quality: { lastChange: null, changes: 0, queue: Promise.resolve() },
    };
  }

  private cameraNames(show: RunningShow): Map<number, string> {
    const names = new Map<number, string>();
    for (const camera of show.request.generatedCameras ?? []) names.set(camera.id, camera.name);
    if (!show.request.generatedCameras)
      for (const camera of this.deps.store.cameras.list()) names.set(camera.id, camera.name);
    return names;
  }

  private label(
    onAir: OnAir,
    source: VideoSource,
  ): { kind: VideoSource['kind']; cameraId: number | null; label: string } {
    switch (source.kind) {
      case 'camera': {
        const name = onAir.cameraNames.get(source.cameraId);
        return {
          kind: 'camera',
          cameraId: source.cameraId,
          label: `Camera ${source.cameraId}${name ? ` (${name})` : ''}`,
        };
      }
      case 'media':
        return {
          kind: 'media',
          cameraId: null,
          label: `Media ${source.assetId !== undefined ? `asset ${source.assetId}` : (source.mediaUrl ?? '')}`,
        };
      case 'slate':
        return { kind: 'slate', cameraId: null, label: 'Test pattern' };
      case 'black':
        return { kind: 'black', cameraId: null, label: 'Black' };
    }
  }

  private describeShow(onAir: OnAir, status: EngineStatus, engine: LiveControls): LiveShow {
    const { show } = onAir;
    const position = status.position;
    const scheduled = position ? this.label(onAir, position.video.source) : null;
    const choice = status.onAir;
    const hidden = new Set(status.overrides.hiddenOverlayCues);
    return {
      executionId: show.executionId,
      timelineId: show.request.timelineId,
      timelineName: show.timeline.name,
      demo: onAir.demo,
      startedAt: onAir.startedAt,
      position: {
        seconds: position ? position.timelineFrame / show.fps : 0,
        durationSeconds: show.durationFrames / show.fps,
        iteration: position?.iteration ?? 0,
        loop: show.timeline.loop ?? false,
      },
      paused: status.paused,
      camera: {
        scheduled,
        onAir: choice ? this.label(onAir, choice.source) : null,
        note: this.cameraNote(onAir, status),
      },
      overlays: (position?.overlays ?? [])
        .filter((overlay) => !hidden.has(overlay.cueId))
        .map((overlay) => ({
          cueId: overlay.cueId,
          type: overlay.params.type,
          layer: overlay.layer,
          text: engine.overlayText(overlay.cueId),
          secondsLeft: Math.round(overlay.secondsLeft * 10) / 10,
          opacity: Math.round(overlay.opacity * 100) / 100,
        })),
      outputs: status.outputs.map((output) => ({
        id: output.id,
        kind: output.kind,
        name: output.name,
        state: output.state,
        since: new Date(output.since).toISOString(),
        bitrateKbps: output.bitrateKbps,
        bytesSent: output.bytesSent,
        lastError: output.lastError
          ? {
              code: output.lastError.code,
              message: output.lastError.message,
              remediation: output.lastError.remediation,
            }
          : null,
        nextRetryAt: output.nextRetryAt === null ? null : new Date(output.nextRetryAt).toISOString(),
      })),
      overrides: status.overrides,
      degradeLevel: status.quality.level + status.quality.bitrateStep,
      quality: describeQuality(status, {
        operatorChange: onAir.quality.lastChange,
        startReason: show.startQuality?.reason ?? null,
      }),
      cameras: cameraStates(status), // issue 16: the camera list's live state
      encoder: status.encoderChoice.encoder,
      previewUrl: show.request.previewDir ? PREVIEW_URL : null,
      broadcast: summarizeBroadcast(status.outputs, show.youtubeStates()),
      youtube: show.youtubeStates(), // issue 17
      onAirBecause: onAirBecause(status),
    };
  }

  private cameraNote(onAir: OnAir, status: EngineStatus): string | null {
    const { overrides } = status;
    if (overrides.emergency) return 'Emergency test pattern on air (operator)';
    const replacing = status.onAir?.replacing;
    if (replacing) {
      const camera = this.label(onAir, { kind: 'camera', cameraId: replacing.cameraId }).label;
      const what = replacing.failed ? 'is offline' : 'is connecting';
      return replacing.replacement.kind === 'backup'
        ? `${camera} ${what} — backup camera ${replacing.replacement.cameraId} on air`
        : `${camera} ${what} — test pattern on air`;
    }
    if (overrides.pinnedCameraId !== null) return `Camera ${overrides.pinnedCameraId} pinned (operator)`;
    if (overrides.forcedCameraId !== null)
      return `Camera ${overrides.forcedCameraId} forced until the next cue (operator)`;
    return null;
  }
}

/** The HLS muxer's files (playlist, segments, their temp files while being written). */
const PREVIEW_FILE = /^(index\.m3u8|segment_\d+\.ts)(\.tmp)?$/;

/**
 * Removes the previous show's preview before a new one starts: its segments have the same names
 * as the new show's first ones, and a player that found the old playlist would show the old
 * picture (the demo) under the new show.
 */
function clearPreview(dir: string): void {
  for (const name of readdirSync(dir)) if (PREVIEW_FILE.test(name)) rmSync(join(dir, name), { force: true });
}

/** What the engine encodes now, in the ladder's words: "superfast, 15 fps, 1280×720". */
function onAirLevel(q: EngineStatus['quality']): string {
  const size = `${formatFps(q.fps)} fps, ${q.format.width}×${q.format.height}`;
  return q.preset ? `${q.preset}, ${size}` : size;
}

/** Why the program is below the operator's settings, in words (null when it is not). */
function reducedBecause(
  q: EngineStatus['quality'],
  operator: { held: number | null; startReason: string | null; changedByOperator: boolean },
): string | null {
  if (operator.held !== null) return operator.held > 0 ? 'held here by the operator' : null;
  if (q.level === 0 && q.bitrateStep === 0) return null;
  // The operator's hold, released: degraded mode carries on from there.
  if (operator.changedByOperator)
    return 'left here by the operator; degraded mode steps back up by itself after calm minutes';
  const down = [...q.changes].reverse().find((change) => change.direction === 'down');
  if (down) {
    const what =
      down.kind === 'cpu' ? 'the machine could not keep up' : 'a destination could not take the bitrate';
    return `because ${what}${down.because.length > 0 ? ` (${down.because.join('; ')})` : ''}`;
  }
  if (operator.startReason) return `because ${operator.startReason}`;
  return null;
}

/** Degraded mode as the control room shows it: the level on air, why, and what comes next. */
function describeQuality(
  status: EngineStatus,
  operator: {
    operatorChange: OperatorQuality['lastChange'];
    startReason: string | null;
  },
): LiveShow['quality'] {
  const q = status.quality;
  const seconds = (ms: number | null) => (ms === null ? null : Math.ceil(ms / 1000));
  const last = q.changes.at(-1) ?? null;
  const engineChange = last
    ? { at: new Date(last.wallAt).toISOString(), sentence: last.sentence, direction: last.direction }
    : null;
  const change =
    engineChange && operator.operatorChange
      ? engineChange.at > operator.operatorChange.at
        ? engineChange
        : operator.operatorChange
      : (engineChange ?? operator.operatorChange);
  const ticks = status.playout.ticks;
  const held = q.held;
  const level = q.level;
  const degraded = q.level > 0 || q.bitrateStep > 0;
  const bitrateKbps = q.bitrateKbpsNow > 0 ? q.bitrateKbpsNow : q.bitrateKbps;
  const description = onAirLevel(q);
  const words = q.bitrateStep > 0 ? `${description} at ${describeBitrate(bitrateKbps)}` : description;
  // Whose move is the latest: degraded mode's or the operator's.
  const changedByOperator = change !== null && change === operator.operatorChange;
  const reason = degraded
    ? reducedBecause(q, { held, startReason: operator.startReason, changedByOperator })
    : null;
  return {
    level,
    levels: q.cpu.length,
    ladder: q.ladder,
    description,
    summary: degraded ? `Reduced: ${words}${reason ? ` — ${reason}` : ''}` : `At your settings: ${words}`,
    reason,
    held: held !== null,
    bitrateKbps,
    degraded,
    switching: q.switching,
    symptoms: q.symptoms.map((symptom) => symptom.words),
    warnings: q.warnings.map((warning) => warning.words),
    nextStepUpInSeconds: held !== null ? null : seconds(q.cpu.nextStepUpInMs ?? q.network.nextStepUpInMs),
    lastChange: change,
    // Blending them is the overlays' whole per-frame cost (they are rendered once): % of one core.
    overlayCostPercent:
      ticks > 0 ? Math.round((status.playout.overlayMsTotal / ticks) * q.fps * 10) / 100 : null,
  };
}

function liveAlert(alert: AlertRecord): LiveState['alerts'][number] {
  return {
    id: alert.id,
    severity: alert.severity,
    code: alert.code,
    message: alert.message,
    remediation: alert.remediation,
    source: alert.source,
    created_at: alert.created_at,
    acknowledged: alert.acknowledged,
  };
}

const CAMERA_STATE_RANK = { failed: 0, connecting: 1, standby: 2, on_air: 3 } as const;

/** Each camera the show decodes, as the camera list shows it (issue 16). */
export function cameraStates(status: EngineStatus): LiveShow['cameras'] {
  const onAir = status.onAir?.source;
  const failed = new Set(status.failedCameras.map((camera) => camera.cameraId));
  const states = new Map<number, LiveShow['cameras'][number]>();
  for (const source of status.sources) {
    const match = /^camera:(\d+)(?:@|$)/.exec(source.key);
    if (!match) continue;
    const cameraId = Number(match[1]);
    const state =
      onAir?.kind === 'camera' && onAir.cameraId === cameraId
        ? 'on_air'
        : failed.has(cameraId)
          ? 'failed'
          : source.frames > 0 && source.state === 'running'
            ? 'standby'
            : 'connecting';
    const cause =
      state !== 'failed'
        ? null
        : source.frameAgeMs === null
          ? 'sends no picture'
          : `stopped sending video ${Math.round(source.frameAgeMs / 1000)} s ago`;
    // One camera can be decoded at two sizes during a quality move: the best state wins.
    const known = states.get(cameraId);
    if (!known || CAMERA_STATE_RANK[state] > CAMERA_STATE_RANK[known.state])
      states.set(cameraId, { cameraId, state, cause });
  }
  return [...states.values()].sort((a, b) => a.cameraId - b.cameraId);
}
