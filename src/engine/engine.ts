// The engine: one show = sources → playout clock → encoder → fan-out → outputs. This module only
// wires the parts; each part owns its processes through the supervisor.
import type { Writable } from 'node:stream';
import { dirname } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { encoderRestartedAlert } from '../errors/alert-messages.ts';
import { AppError } from '../errors/registry.ts';
import { hlsPreviewArgs, profileSettings, publisherArgs } from '../ffmpeg/argv.ts';
import type { EncoderDetection } from '../ffmpeg/hardware.ts';
import { machineEncoder } from '../ffmpeg/machine-encoder.ts';
import {
  buildMetrics,
  evaluateHealth,
  SystemSampler,
  type HealthReport,
  type MetricsSnapshot,
} from '../health/index.ts';
import { prepareFramePipes } from '../process/frame-pipe.ts';
import { raisePlayoutPriority } from '../process/priority.ts';
import { defaultRecordingLimits } from '../recordings/limits.ts';
import {
  compileTimeline,
  sourceKey,
  type CompiledTimeline,
  type ProgramState,
} from '../timeline/resolver.ts';
import type { OverlayParams } from '../timeline/schema.ts';
import type { AudioLevels } from './audio-meter.ts';
import { compileAudioBed } from './audio/bed-plan.ts';
import { BedPlayer } from './audio/bed-player.ts';
import { CameraAlerts } from './camera-alerts.ts';
import { pickKernels, type Kernels } from './compositor/index.ts';
import { watchDestination } from './destination-alerts.ts';
import { Encoder, type EncoderEvent, type EncoderSettings } from './encoder.ts';
import type { CameraFeed, EngineAlerts, EngineControls, EngineStatus, ShowPlan } from './engine-types.ts';
import { CameraFailover } from './failover.ts';
import { FanoutHub } from './fanout/hub.ts';
import { ShowMonitor, type AlertCounts } from './monitor.ts';
import { FlvOutput } from './outputs.ts';
import { OverlayRenderer } from './overlays/cache.ts';
import { sourceText } from './overlays/render.ts';
import { LiveOverrides } from './overrides.ts';
import { Playout, type ProgramPicture } from './playout.ts';
import { tickAt } from './program-clock.ts';
import { formatOf, QualityControl } from './quality-control.ts';
import { planShowQuality } from './quality/show-quality.ts';
import { mediaPathOf, type MediaLocation } from './sources/media-path.ts';
import { overlayImageLoader } from './sources/overlay-image.ts';
import { SourcePool } from './sources/source-pool.ts';
import { sourceSpec } from './sources/source-spec.ts';

export interface EngineDeps {
  clock?: Clock;
  logger?: Logger;
  kernels?: Kernels;
  /** Default: the process's one memoised probe (src/ffmpeg/machine-encoder.ts). */
  detectEncoder?: () => Promise<EncoderDetection>;
  /** Every tick's state and how late it was written (ms after its due time). */
  onTick?: (state: ProgramState, latenessMs: number) => void;
  /** Camera failures, destination failures… (default: logged only). */
  alerts?: EngineAlerts;
  /** Whole-machine CPU use 0–100 for degraded mode (default: measured from /proc/stat). */
  systemCpuPercent?: () => number | null;
  onEnded?: () => void;
}

export class Engine implements EngineControls {
  private readonly plan: ShowPlan;
  private readonly compiled: CompiledTimeline;
  /** Plays the timeline's audio bed (null: it has none). */
  private readonly bedPlayer: BedPlayer | null;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly hub: FanoutHub;
  private readonly pool: SourcePool;
  private readonly encoder: Encoder;
  private readonly overlays: OverlayRenderer;
  private readonly playout: Playout;
  private readonly outputs: FlvOutput[] = [];
  private readonly failover: CameraFailover;
  private readonly alerts: EngineAlerts | undefined;
  private readonly cameraAlerts: CameraAlerts;
  /** The cameras as configured now (changed on air by updateCameras). */
  private cameras: ReadonlyMap<number, CameraFeed>;
  private lastState: ProgramState | null = null;
  private readonly baseSettings: EncoderSettings;
  private readonly quality: QualityControl;
  private loadTimer: TimerHandle | null = null;
  private readonly systemCpuPercent: () => number | null;
  private readonly monitor: ShowMonitor;
  private readonly overrides = new LiveOverrides();
  private running = false;

  private readonly encoderChoice: EncoderDetection;

  static async create(plan: ShowPlan, deps: EngineDeps = {}): Promise<Engine> {
    const kernels = deps.kernels ?? (await pickKernels());
    const requested = plan.encoder?.videoEncoder;
    const encoderChoice: EncoderDetection = requested
      ? { encoder: requested, tried: [] }
      : await (deps.detectEncoder ?? machineEncoder)();
    return new Engine(plan, { ...deps, kernels, encoderChoice });
  }

  private constructor(
    plan: ShowPlan,
    deps: EngineDeps & { kernels: Kernels; encoderChoice: EncoderDetection },
  ) {
    this.plan = plan;
    this.encoderChoice = deps.encoderChoice;
    this.compiled = compileTimeline(plan.timeline);
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? createLogger('engine');
    const { width, height, fps } = this.compiled;
    const kernels = deps.kernels;
    this.alerts = deps.alerts;
    // The data disk in the health check, judged like the recorder judges it.
    const recordingLimits = plan.recordingLimits ?? defaultRecordingLimits();
    this.monitor = new ShowMonitor(
      new SystemSampler({ diskPath: dirname(recordingLimits.folder) }),
      recordingLimits,
    );
    this.cameras = plan.cameras;
    this.cameraAlerts = new CameraAlerts({
      alerts: this.alerts,
      logger: this.log,
      cameraName: (cameraId) => this.cameraName(cameraId),
      replacementOf: (cameraId) =>
        this.failover.failedCameras().find((c) => c.cameraId === cameraId)?.replacement ?? null,
    });
    this.failover = new CameraFailover(
      (cameraId) => this.cameras.get(cameraId)?.backupCameraId,
      plan.failover ?? {},
      (event) => this.cameraAlerts.onFailover(event),
    );

    prepareFramePipes();
    this.hub = new FanoutHub({ clock: this.clock });
    const profile = plan.encoder?.profile ?? 'reliability';
    const profileDefaults = profileSettings(profile, plan.encoder?.bitrateKbps);
    this.baseSettings = {
      profile,
      videoEncoder: deps.encoderChoice.encoder,
      bitrateKbps: profileDefaults.bitrateKbps,
      preset: plan.encoder?.preset ?? profileDefaults.preset,
    };
    this.systemCpuPercent = deps.systemCpuPercent ?? (() => this.monitor.systemCpuPercent);
    const quality = planShowQuality(
      {
        width,
        height,
        fps,
        preset: this.baseSettings.preset!,
        bitrateKbps: profileDefaults.bitrateKbps,
        encoder: deps.encoderChoice.encoder,
      },
      plan.degrade,
    );
    this.encoder = new Encoder({
      fps,
      format: formatOf(quality.firstLevel, fps),
      settings: { ...this.baseSettings, preset: quality.firstLevel.preset },
      hub: this.hub,
      clock: this.clock,
      logger: this.log.child({ part: 'encoder' }),
      allocFrame: (w, h) => kernels.allocFrame(w, h),
      onEvent: (event) => this.onEncoderEvent(event),
    });
    const media: MediaLocation = {
      mediaRoot: plan.mediaRoot,
      ...(plan.assetPath ? { assetPath: plan.assetPath } : {}),
    };
    this.pool = new SourcePool({
      factory: (source, target) =>
        sourceSpec(source, target, {
          ...media,
          camera: (cameraId) => this.cameras.get(cameraId),
          ...(plan.failover?.reconnectIntervalMs !== undefined
            ? { reconnectIntervalMs: plan.failover.reconnectIntervalMs }
            : {}),
          logger: this.log,
          onCameraExit: (cameraId, url, exit) => this.cameraAlerts.noteExit(cameraId, url, exit),
        }),
      fps,
      clock: this.clock,
      logger: this.log.child({ part: 'sources' }),
      allocFrame: (w, h) => kernels.allocFrame(w, h),
      freeFrame: (frame) => kernels.free(frame),
    });
    this.overlays = new OverlayRenderer({
      programWidth: width,
      programHeight: height,
      clock: this.clock,
      loadImage: overlayImageLoader(media, this.clock),
      logger: this.log.child({ part: 'overlays' }),
    });
    const bed = compileAudioBed(plan.timeline);
    this.bedPlayer = bed
      ? new BedPlayer({
          assetPath: (assetId) => mediaPathOf(media, { assetId }),
          logger: this.log.child({ part: 'audio-bed' }),
          ...(this.alerts ? { alerts: this.alerts } : {}),
        })
      : null;
    this.playout = new Playout({
      timeline: this.compiled,
      audio: { bed, bedSource: this.bedPlayer, loudnessTarget: plan.loudnessTargetLufs ?? null },
      clock: this.clock,
      kernels,
      pool: this.pool,
      overlays: this.overlays,
      sink: this.encoder,
      failover: this.failover,
      overrides: this.overrides,
      logger: this.log.child({ part: 'playout' }),
      firstTick: tickAt(plan.programOriginMs ?? 0, fps),
      ...(plan.prerollCatchUp ? { catchUpPreroll: true } : {}),
      ...(plan.startFrame !== undefined ? { startFrame: plan.startFrame } : {}),
      onTick: (state, lateness) => {
        this.lastState = state;
        deps.onTick?.(state, lateness);
      },
      onEnded: () => {
        this.log.info('timeline ended');
        deps.onEnded?.();
      },
    });

    this.quality = new QualityControl({
      policy: quality.policy,
      fps,
      baseSettings: this.baseSettings,
      encoder: this.encoder,
      playout: this.playout,
      programMs: () => this.hub.stats().programMs,
      destinations: () =>
        this.outputs
          .filter((o) => o.status().kind === 'destination')
          .map((o) => {
            const status = o.status();
            return {
              id: status.id,
              name: status.name,
              queueBytes: status.consumer?.bytesQueued ?? 0,
              queuePercent: status.consumer?.queueFullnessPercent ?? 0,
            };
          }),
      systemCpuPercent: () => this.systemCpuPercent(),
      throttled: () => this.monitor.throttled,
      clock: this.clock,
      logger: this.log.child({ part: 'quality' }),
      alerts: this.alerts,
      ...(quality.showWarning
        ? { setReducedCard: (shown: boolean) => this.playout.setCard('reduced_quality', shown) }
        : {}),
    });

    const outputDeps = { hub: this.hub, clock: this.clock, logger: this.log.child({ part: 'outputs' }) };
    for (const destination of plan.destinations) {
      this.outputs.push(
        watchDestination(
          new FlvOutput({
            id: destination.id,
            kind: 'destination',
            name: destination.name,
            args: publisherArgs({
              url: destination.url,
              platform: destination.platform,
              ...(destination.sessionClockOriginMs !== undefined
                ? { sessionClockOriginMs: destination.sessionClockOriginMs }
                : {}),
            }),
            ...(destination.session ? { session: destination.session } : {}),
            ...outputDeps,
          }),
          this.alerts,
          this.log,
        ),
      );
    }
    if (plan.previewDir) {
      this.outputs.push(
        new FlvOutput({
          id: 'preview',
          kind: 'preview',
          name: 'HLS preview',
          args: hlsPreviewArgs({ dir: plan.previewDir, segmentSeconds: 2 }),
          ...outputDeps,
        }),
      );
    }
    if (plan.recordPath) {
      this.outputs.push(
        new FlvOutput({
          id: 'recording',
          kind: 'recording',
          name: 'local recording',
          recordPath: plan.recordPath, // a restart continues in <name>.part2 …, never overwrites
          // A new part every hour; a full disk stops it with an alert while the stream goes on.
          recordingLimits,
          ...(this.alerts ? { alerts: this.alerts } : {}),
          ...outputDeps,
        }),
      );
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.log.info(
      {
        timeline: this.plan.timeline.name,
        outputs: this.outputs.map((o) => o.status().name),
        encoder: this.encoderChoice.encoder,
        tried: this.encoderChoice.tried.map((t) => `${t.encoder}: ${t.reason}`),
      },
      'starting show',
    );
    const priority = raisePlayoutPriority();
    this.log.info(priority, 'playout thread priority');
    this.encoder.start();
    for (const output of this.outputs) output.start();
    this.playout.start();
    this.scheduleLoadSample();
  }

  /** The health check (healthy / degraded / unhealthy, with what to do about each finding). */
  health(alerts: AlertCounts = { info: 0, warning: 0, error: 0, critical: 0 }): HealthReport {
    const status = this.status();
    // The frame rate expected is the level's on air (degraded mode may have halved it).
    return evaluateHealth(this.monitor.healthInput(this.clock.now(), status, status.quality.fps, alerts));
  }

  /** The spec's stream metrics (bitrate, fps, dropped frames, encoder CPU, destinations …). */
  metrics(): MetricsSnapshot {
    const none = { info: 0, warning: 0, error: 0, critical: 0 };
    const status = this.status();
    return buildMetrics(this.monitor.healthInput(this.clock.now(), status, status.quality.fps, none));
  }

  /** Once a second: the health figures, and degraded mode judging the show's symptoms. */
  private scheduleLoadSample(): void {
    this.loadTimer = this.clock.setTimeout(() => {
      if (!this.running) return;
      this.monitor.sample(this.clock.now(), this.status(), this.encoder.pid);
      this.quality.sample();
      this.scheduleLoadSample();
    }, 1000);
  }

  /** Stops the clock, then the encoder (flushing), the outputs and the decoders. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.loadTimer?.cancel();
    this.quality.stop();
    this.playout.stop();
    await this.encoder.stop();
    this.hub.end();
    await Promise.all(this.outputs.map((output) => output.stop()));
    await this.pool.stopAll();
    await this.bedPlayer?.stop();
    this.overlays.close();
    this.log.info('show stopped');
  }

  /** Holds the timeline clock: the program keeps streaming what is on air (cameras stay live). */
  pause(): void {
    this.playout.pause();
    this.log.info({ frame: this.playout.frame }, 'timeline paused');
  }

  resume(): void {
    this.playout.resume();
    this.log.info({ frame: this.playout.frame }, 'timeline resumed');
  }

  /** Jumps to a time within the timeline (in the current loop); throws JUMP_OUT_OF_RANGE. */
  jumpTo(seconds: number): void {
    const { fps, durationFrames } = this.compiled;
    const target = Math.round(seconds * fps);
    if (!Number.isFinite(seconds) || target < 0 || target >= durationFrames)
      throw new AppError(
        'JUMP_OUT_OF_RANGE',
        `${seconds} s is outside the timeline (0 to ${(durationFrames / fps).toFixed(1)} s)`,
        [{ path: 'seconds', message: `must be from 0 to below ${(durationFrames / fps).toFixed(1)}` }],
      );
    const iteration = Math.floor(this.playout.frame / durationFrames);
    this.playout.seek(iteration * durationFrames + target);
    this.log.info({ seconds }, 'timeline jumped');
  }

  /**
   * Holds the program at a degraded-mode level (0 = the operator's settings) whatever the show's
   * symptoms; null gives it back to degraded mode (which carries on from the level on air).
   * Resolves once the program is there ('done'), or 'abandoned' when the encoder could not make
   * the move even after retries (the program stays where it was). Throws RangeError off the ladder.
   */
  holdQuality(level: number | null): Promise<'done' | 'abandoned'> {
    return this.quality.hold(level);
  }

  /** The emergency test pattern: shown over everything until switched off. */
  setEmergency(on: boolean): void {
    this.overrides.setEmergency(on);
    this.log.warn({ on }, on ? 'emergency test pattern on air' : 'emergency test pattern off');
  }

  /** Keeps a camera on air until unpinned (null). Its failures still go to its backup or the slate. */
  pinCamera(cameraId: number | null): void {
    if (cameraId !== null) this.requireCamera(cameraId);
    this.overrides.pin(cameraId);
    this.playout.overridesChanged();
    this.log.info({ cameraId }, cameraId === null ? 'camera unpinned' : 'camera pinned');
  }

  /** Puts a camera on air until the video track's next cue begins. */
  forceCamera(cameraId: number): void {
    this.requireCamera(cameraId);
    this.overrides.force(cameraId);
    this.playout.overridesChanged();
    this.log.info({ cameraId }, 'camera forced on air until the next cue');
  }

  cancelForce(): void {
    this.overrides.cancelForce();
    this.playout.overridesChanged();
    this.log.info('forced camera cancelled');
  }

  returnToTimeline(): void {
    this.overrides.returnToTimeline();
    this.playout.overridesChanged();
    this.log.info('every override ended: back to the timeline');
  }

  /** Takes every overlay on air now off (they return when their cues play again). */
  clearOverlays(): void {
    this.overrides.clearOverlays();
    this.log.info('overlays cleared');
  }

  restoreOverlays(): void {
    this.overrides.restoreOverlays();
  }

  /** Replaces a text overlay's text (null: back to the timeline's); throws OVERLAY_NOT_FOUND. */
  setOverlayText(cueId: string, text: string | null): Promise<void> {
    const cue = this.overlayCue(cueId);
    if (!cue || !['text', 'lower_third', 'dynamic_text'].includes(cue.params.type))
      throw new AppError('OVERLAY_NOT_FOUND', `the timeline has no text overlay cue "${cueId}"`, [
        {
          path: 'cueId',
          message: cue ? `is a ${cue.params.type} overlay, which has no text` : 'no such cue',
        },
      ]);
    this.log.info({ cueId, reset: text === null }, 'overlay text changed');
    return this.overlays.setTextOverride(cueId, text);
  }

  /** The text an overlay cue shows now, as drawn (templates expanded), else as it will be. */
  overlayText(cueId: string): string | null {
    const drawn = this.overlays.get(cueId)?.rendered.text;
    if (drawn !== undefined) return drawn;
    const cue = this.overlayCue(cueId);
    return cue ? sourceText(cue.params, this.overlays.textOverride(cueId)) : null;
  }

  private overlayCue(cueId: string): { params: OverlayParams } | undefined {
    for (const track of this.compiled.overlayTracks) {
      const cue = track.cues.find((c) => c.id === cueId);
      if (cue) return cue;
    }
    return undefined;
  }

  private requireCamera(cameraId: number): void {
    if (!this.cameras.has(cameraId))
      throw new AppError('CAMERA_NOT_IN_SHOW', `camera ${cameraId} is not part of this show`, [
        { path: 'cameraId', message: 'is not a camera of this show' },
      ]);
  }

  /**
   * Feeds the program (FLV: headers, the current GOP, then live tags) to another consumer, e.g. a
   * browser preview over a WebSocket. It gets its own bounded queue: a slow reader never holds up
   * the show. Call detach() when done.
   */
  attachProgram(writable: Writable, name: string, maxQueueBytes = 1024 * 1024): { detach(): void } {
    // 1 MiB is a few seconds of program: a viewer further behind starts again at a keyframe.
    return this.hub.attach(writable, { name, maxQueueBytes });
  }

  audioLevels(): AudioLevels | null {
    return this.playout.audioLevels();
  }

  programPicture(): ProgramPicture | null {
    return this.playout.programPicture();
  }

  get encoderPid(): number | null {
    return this.encoder.pid;
  }

  status(): EngineStatus {
    return {
      running: this.running,
      timeline: this.plan.timeline.name,
      frame: this.playout.frame,
      position: this.lastState,
      onAir: this.playout.onAir(),
      failedCameras: this.failover.failedCameras().map(({ cameraId, since }) => ({ cameraId, since })),
      playout: this.playout.snapshot(),
      encoder: this.encoder.stats(),
      encoderChoice: this.encoderChoice,
      quality: this.quality.status(),
      paused: this.playout.snapshot().paused,
      overrides: this.overrides.snapshot(),
      audioBitrateKbps: profileSettings(this.baseSettings.profile).audioBitrateKbps,
      audioMix: { mixer: this.playout.audioMix(), bed: this.bedPlayer?.snapshot() ?? null },
      sources: this.pool.health(),
      outputs: this.outputs.map((output) => output.status()),
      programMs: this.hub.stats().programMs,
      splices: {
        firstOutMs: this.hub.stats().splicer.firstOutMs,
        switches: this.hub.stats().splicer.switches,
      },
    };
  }

  /** Encoder runs come and go without a new session at any destination (the hub splices them);
   *  a crash is still worth telling. */
  private onEncoderEvent(event: EncoderEvent): void {
    switch (event.type) {
      case 'crashed':
        this.alerts?.raise({ key: 'encoder:restarted', source: 'encoder', ...encoderRestartedAlert() });
        return;
      case 'recovered':
        this.log.info({ downMs: Math.round(event.downMs) }, 'encoder back on air after a restart');
        return;
      case 'switched':
      case 'abandoned':
        return;
    }
  }

  private cameraName(cameraId: number): string {
    const feed = this.cameras.get(cameraId);
    return feed ? `Camera ${cameraId} (${feed.name})` : `Camera ${cameraId}`;
  }

  /**
   * The cameras changed while on air (address, backup, added, removed): backups apply from the
   * next tick; a camera whose address changed is decoded anew from the new one.
   */
  updateCameras(cameras: ReadonlyMap<number, CameraFeed>): void {
    const before = this.cameras;
    this.cameras = cameras;
    for (const [id, feed] of before) {
      const now = cameras.get(id);
      if (now && sameCameraSource(feed, now)) continue;
      this.cameraAlerts.forgetCause(id);
      this.pool.drop(cameraKey(id));
    }
  }
}

function cameraKey(cameraId: number): string {
  return sourceKey({ kind: 'camera', cameraId });
}

/** Whether two feeds decode the same thing (a backup change alone keeps the decoder). */
function sameCameraSource(a: CameraFeed, b: CameraFeed): boolean {
  if (a.kind === 'url' && b.kind === 'url') return a.url === b.url;
  if (a.kind === 'generated' && b.kind === 'generated') return a.pattern === b.pattern && a.label === b.label;
  return false;
}
