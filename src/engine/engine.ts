// The engine: one show = sources → playout clock → encoder → fan-out → outputs. This module only
// wires the parts; each part owns its processes through the supervisor.
import type { Writable } from 'node:stream';
import { dirname } from 'node:path';
import { classifyCameraFailure, urlSecrets, type CameraFailure } from '../cameras/classify.ts';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import {
  cameraDecoderArgs,
  FFMPEG_BIN,
  hlsPreviewArgs,
  mediaDecoderArgs,
  profileSettings,
  publisherArgs,
  slateDecoderArgs,
  stillPictureArgs,
  type EncodingProfile,
  type SlatePattern,
  type VideoEncoder,
} from '../ffmpeg/argv.ts';
import type { EncoderDetection } from '../ffmpeg/hardware.ts';
import { machineEncoder } from '../ffmpeg/machine-encoder.ts';
import type { Platform } from '../ffmpeg/platforms.ts';
import { summarizeErrors } from '../ffmpeg/progress.ts';
import {
  compileTimeline,
  sourceKey,
  type CompiledTimeline,
  type ProgramState,
  type VideoSource,
} from '../timeline/resolver.ts';
import { localMediaPath } from '../timeline/media-paths.ts';
import type { OverlayParams, Timeline } from '../timeline/schema.ts';
import { prepareFramePipes } from '../process/frame-pipe.ts';
import { raisePlayoutPriority } from '../process/priority.ts';
import { pickKernels, type Kernels } from './compositor/index.ts';
import { Encoder, type EncoderEvent, type EncoderSettings } from './encoder.ts';
import type { EngineAlerts, EngineStatus } from './engine-types.ts';
import { CameraFailover, type FailoverEvent, type FailoverOptions, type Replacement } from './failover.ts';
import { FanoutHub } from './fanout/hub.ts';
import {
  buildMetrics,
  evaluateHealth,
  SystemSampler,
  type HealthReport,
  type MetricsSnapshot,
} from '../health/index.ts';
import { recordingLimitsFromEnv, type RecordingLimits } from '../recordings/limits.ts';
import { ShowMonitor, type AlertCounts } from './monitor.ts';
import { FlvOutput, type SessionLimit } from './outputs.ts';
import { OverlayRenderer } from './overlays/cache.ts';
import type { ImageRef } from './overlays/render.ts';
import { sourceText } from './overlays/render.ts';
import { LiveOverrides } from './overrides.ts';
import { AppError } from '../errors/registry.ts';
import { loadImageFromUrl, readImageFile } from '../assets/image-load.ts';
import { Playout } from './playout.ts';
import { tickAt } from './program-clock.ts';
import { formatOf, QualityControl } from './quality-control.ts';
import { buildBitrateLadder, buildLadder } from './quality/ladder.ts';
import type { QualityPolicyOptions } from './quality/policy.ts';
import type { DecoderExit } from './sources/decoded-source.ts';
import { SourcePool, type SourceSpec } from './sources/source-pool.ts';

export type { EngineAlerts, EngineStatus } from './engine-types.ts';

/** A camera the show can use: a stream URL (with credentials), or a generated test camera.
 *  `backupCameraId`: the camera put on air when this one fails (kept decoding while this is used). */
export type CameraFeed = (
  | { kind: 'url'; name: string; url: string }
  | { kind: 'generated'; name: string; pattern: SlatePattern; label: string }
) & { backupCameraId?: number };

export interface DestinationTarget {
  id: string;
  /** Safe to log (no key). */
  name: string;
  platform: Platform;
  /** Full URL including the stream key. Never logged. */
  url: string;
  /** Restart the session before the platform ends it (none when absent). */
  session?: SessionLimit;
  /** Where its session clock starts, ms (tests: near the RTMP timestamp wrap). Default 0. */
  sessionClockOriginMs?: number;
}

export interface ShowPlan {
  timeline: Timeline;
  cameras: ReadonlyMap<number, CameraFeed>;
  destinations: readonly DestinationTarget[];
  /** Folder for the HLS preview (index.m3u8); none when absent. */
  previewDir?: string;
  /** Local recording (.flv or .mp4); none when absent. */
  recordPath?: string;
  /** Its quota, file length and the free space kept (default: from the environment). */
  recordingLimits?: RecordingLimits;
  /** Root for media paths in the timeline: "/assets/x.png" is <mediaRoot>/assets/x.png. */
  mediaRoot: string;
  /** File of a library asset, by id. */
  assetPath?: (assetId: number) => string | null;
  encoder?: { profile?: EncodingProfile; videoEncoder?: VideoEncoder; bitrateKbps?: number; preset?: string };
  /** Start mid-show (crash resume). */
  startFrame?: number;
  /** The timeline follows the wall clock while the first picture is awaited (a resumed show):
   *  the pre-roll's seconds are skipped, not played late. */
  prerollCatchUp?: boolean;
  /** Camera failure handling: detection threshold, return delay, reconnect interval. */
  failover?: FailoverOptions & { reconnectIntervalMs?: number };
  /**
   * Degraded mode: the ladder starts at the operator's settings (the timeline's size and fps, the
   * profile's preset and bitrate); `startLevel` is where the capacity check says this machine
   * fits; `pinnedLevel` holds one level (benchmarks); `enabled: false` never moves.
   * `showWarning` puts a "Reduced quality" notice on air while below the ceiling.
   */
  degrade?: Partial<Omit<QualityPolicyOptions, 'ladder' | 'bitrateLadderKbps'>> & {
    enabled?: boolean;
    showWarning?: boolean;
    /** The ladder's floor: no size below this many lines (default 360), no rate below minFps. */
    minHeight?: number;
    minFps?: number;
  };
  /** The program clock's epoch in ms (default 0; tests start near a timestamp wrap). */
  programOriginMs?: number;
}

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

/** A timeline media reference as a local path or URL (the rule: src/timeline/media-paths.ts). */
export { localMediaPath as resolveMediaPath };

export class Engine {
  private readonly plan: ShowPlan;
  private readonly compiled: CompiledTimeline;
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
  /** The cameras as configured now (changed on air by updateCameras). */
  private cameras: ReadonlyMap<number, CameraFeed>;
  /** Why each failed camera's decoder last gave up, in the camera test's words. */
  private readonly cameraCauses = new Map<number, CameraFailure>();
  /** How each failed camera went off air ("sends no picture" / "stopped sending video"). */
  private readonly cameraSymptoms = new Map<number, string>();
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
    const recordingLimits = plan.recordingLimits ?? recordingLimitsFromEnv();
    this.monitor = new ShowMonitor(
      new SystemSampler({ diskPath: dirname(recordingLimits.folder) }),
      recordingLimits,
    );
    this.cameras = plan.cameras;
    this.failover = new CameraFailover(
      (cameraId) => this.cameras.get(cameraId)?.backupCameraId,
      plan.failover ?? {},
      (event) => this.onFailover(event),
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
    const { minHeight, minFps, showWarning, enabled, ...degrade } = plan.degrade ?? {};
    const ladder = buildLadder(
      { preset: this.baseSettings.preset!, fps, width, height },
      {
        encoder: deps.encoderChoice.encoder,
        ...(minHeight !== undefined ? { minHeight } : {}),
        ...(minFps !== undefined ? { minFps } : {}),
      },
    );
    const startLevel = Math.min(degrade.startLevel ?? 0, ladder.length - 1);
    const startFormat = formatOf(ladder[degrade.pinnedLevel ?? startLevel]!, fps);
    this.encoder = new Encoder({
      fps,
      format: startFormat,
      settings: { ...this.baseSettings, preset: ladder[degrade.pinnedLevel ?? startLevel]!.preset },
      hub: this.hub,
      clock: this.clock,
      logger: this.log.child({ part: 'encoder' }),
      allocFrame: (w, h) => kernels.allocFrame(w, h),
      onEvent: (event) => this.onEncoderEvent(event),
    });
    this.pool = new SourcePool({
      factory: (source, target) => this.sourceSpec(source, target),
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
      loadImage: (ref) => this.loadImage(ref),
      logger: this.log.child({ part: 'overlays' }),
    });
    this.playout = new Playout({
      timeline: this.compiled,
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
      policy: {
        ladder,
        bitrateLadderKbps: buildBitrateLadder(profileDefaults.bitrateKbps),
        ...degrade,
        startLevel,
        pinnedLevel: enabled === false ? startLevel : (degrade.pinnedLevel ?? null),
      },
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
      ...(showWarning === true
        ? { setReducedCard: (shown: boolean) => this.playout.setCard('reduced_quality', shown) }
        : {}),
    });

    const outputDeps = { hub: this.hub, clock: this.clock, logger: this.log.child({ part: 'outputs' }) };
    // One alert per outage, from its first failure (so History has every one) until it sends
    // again; after 10 failures in a row it becomes an error.
    const watch = (output: FlvOutput): FlvOutput => {
      const key = `destination:${output.status().id}:down`;
      let down = false;
      output.on('failure', (event) => {
        if (down) return;
        down = true;
        this.alerts?.raise({
          key,
          severity: 'warning',
          code: event.error.code,
          message: `Destination "${event.name}" is off air: ${event.error.message} It reconnects by itself.`,
          remediation: event.error.remediation,
          source: `destination:${event.id}`,
        });
      });
      output.on('failing', (event) => {
        down = true;
        this.alerts?.raise({
          key,
          severity: 'error',
          code: event.lastError.code,
          message: `Destination "${event.name}" has failed ${event.consecutiveFailures} times in a row: ${event.lastError.message} It keeps retrying every minute.`,
          remediation: event.lastError.remediation,
          source: `destination:${event.id}`,
        });
      });
      output.on('reconnected', (event) => {
        this.log.info({ destination: event.id, downMs: event.downMs }, 'destination is live again');
        down = false;
        this.alerts?.clear(key);
      });
      return output;
    };
    for (const destination of plan.destinations) {
      this.outputs.push(
        watch(
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
    this.playout.stop();
    await this.encoder.stop();
    this.hub.end();
    await Promise.all(this.outputs.map((output) => output.stop()));
    await this.pool.stopAll();
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
        this.alerts?.raise({
          key: 'encoder:restarted',
          severity: 'warning',
          code: 'ENCODER_RESTARTED',
          message:
            'The video encoder stopped unexpectedly and was restarted at once; every destination stayed connected.',
          remediation:
            'Nothing to do if it happens once. If it repeats, check the appliance’s memory and CPU load on the monitoring page.',
          source: 'encoder',
        });
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

  /** Camera failures become alerts an operator can act on; a recovery clears them. */
  private onFailover(event: FailoverEvent): void {
    if (event.type === 'recovered') {
      this.log.info({ camera: event.cameraId, downMs: event.downMs }, 'camera is back on air');
      this.cameraCauses.delete(event.cameraId);
      this.cameraSymptoms.delete(event.cameraId);
      this.alerts?.clear(cameraAlertKey(event.cameraId));
      return;
    }
    if (event.type === 'failed')
      this.cameraSymptoms.set(
        event.cameraId,
        event.reason === 'no-signal' ? 'sends no picture' : 'stopped sending video',
      );
    this.raiseCameraAlert(event.cameraId, event.replacement);
  }

  /** The alert for a camera off air, with the decoder's own reason when it gave one. */
  private raiseCameraAlert(cameraId: number, replacement: Replacement): void {
    const camera = this.cameraName(cameraId);
    const cause = this.cameraCauses.get(cameraId);
    const what = cause
      ? `is off air: ${cause.reason.replace(/\.$/, '')}`
      : (this.cameraSymptoms.get(cameraId) ?? 'stopped sending video');
    const fix = cause?.remediation ?? 'Check the camera’s power and network.';
    const alert =
      replacement.kind === 'backup'
        ? {
            severity: 'warning' as const,
            message: `${camera} ${what} — switched to backup ${this.cameraName(replacement.cameraId)}.`,
            remediation: `${fix} The show returns to it by itself once it sends video again.`,
          }
        : {
            severity: 'error' as const,
            message: `${camera} ${what} and no backup camera is working — the “Technical difficulties” slate is on air.`,
            remediation: `${fix} Give it a backup camera in its settings. The show returns to it by itself.`,
          };
    this.log.warn({ camera: cameraId, replacement, cause: cause?.code }, alert.message);
    this.alerts?.raise({
      key: cameraAlertKey(cameraId),
      code: cause?.code ?? 'CAMERA_OFFLINE',
      source: `camera:${cameraId}`,
      ...alert,
    });
  }

  /** A camera decoder gave up: keep why, in the camera test's words (only a reason it can name). */
  private noteCameraExit(cameraId: number, url: string, exit: DecoderExit): void {
    // A stall is what failover already says ("stopped sending video"); an end of stream is no cause.
    if (exit.timedOut || exit.code === 0) return;
    const failure = classifyCameraFailure({
      stderr: exit.stderrTail.join('\n'),
      exitCode: exit.code,
      timedOut: false,
      elapsedMs: exit.runMs,
      timeoutMs: exit.runMs,
      ioTimeoutSeconds: CAMERA_IO_TIMEOUT_SECONDS,
      secrets: urlSecrets(url),
    });
    if (failure.code === 'CAMERA_TEST_FAILED') return; // "a reason the appliance does not recognise"
    const known = this.cameraCauses.get(cameraId);
    this.cameraCauses.set(cameraId, failure);
    // Already off air: the alert learns its cause now.
    const failed = this.failover.failedCameras().find((c) => c.cameraId === cameraId);
    if (failed?.replacement && (known?.reason !== failure.reason || known.code !== failure.code))
      this.raiseCameraAlert(cameraId, failed.replacement);
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
      this.cameraCauses.delete(id);
      this.pool.drop(cameraKey(id));
    }
  }

  private sourceSpec(
    source: VideoSource,
    { width, height, fps }: { width: number; height: number; fps: number },
  ): SourceSpec | null {
    switch (source.kind) {
      case 'black':
        return null;
      case 'camera': {
        const feed = this.cameras.get(source.cameraId);
        if (!feed) return null;
        if (feed.kind === 'generated') {
          return {
            description: `generated test camera ${source.cameraId}`,
            spawn: {
              command: FFMPEG_BIN,
              args: slateDecoderArgs({
                width,
                height,
                fps,
                pattern: feed.pattern,
                text: feed.label,
                audio: 'tone',
              }),
            },
          };
        }
        // Many IP cameras send no audio, and ffmpeg refuses an audio output with nothing to map:
        // after such an exit the camera is decoded video-only and the playout feeds silence.
        let audio = true;
        return {
          description: `camera ${source.cameraId} (${feed.name})`,
          ...(this.plan.failover?.reconnectIntervalMs !== undefined
            ? { reconnectIntervalMs: this.plan.failover.reconnectIntervalMs }
            : {}),
          spawn: () => ({
            command: FFMPEG_BIN,
            args: cameraDecoderArgs({
              url: feed.url,
              width,
              height,
              fps,
              timeoutSeconds: CAMERA_IO_TIMEOUT_SECONDS,
              audio,
            }),
          }),
          onExit: (exit) => {
            if (audio && summarizeErrors(exit.stderrTail)?.kind === 'no_output_stream') {
              audio = false;
              this.log.info({ camera: source.cameraId }, 'camera has no audio: decoding video only');
              return;
            }
            this.noteCameraExit(source.cameraId, feed.url, exit);
          },
        };
      }
      case 'media': {
        const path =
          source.assetId !== undefined
            ? (this.plan.assetPath?.(source.assetId) ?? null)
            : localMediaPath(this.plan.mediaRoot, source.mediaUrl ?? '');
        if (!path) return null;
        return {
          description: `media ${source.mediaType}`,
          spawn: {
            command: FFMPEG_BIN,
            args: mediaDecoderArgs({
              path,
              kind: source.mediaType,
              loop: source.mediaType === 'image' ? true : source.loop,
              width,
              height,
              fps,
              realtime: true,
            }),
          },
        };
      }
      case 'slate': {
        // A still: one picture, kept; no process runs while the show does.
        const path = source.testPattern ? localMediaPath(this.plan.mediaRoot, source.testPattern) : null;
        const args = path
          ? stillPictureArgs({ width, height, image: path })
          : stillPictureArgs({
              width,
              height,
              card: { pattern: 'smptehdbars', text: "We'll be right back" },
            });
        return { description: 'slate', still: true, spawn: { command: FFMPEG_BIN, args } };
      }
    }
  }

  private async loadImage(ref: ImageRef): Promise<Uint8Array> {
    if (ref.asset_id !== undefined) {
      const path = this.plan.assetPath?.(ref.asset_id);
      if (!path) throw new Error(`asset ${ref.asset_id} is not in the library`);
      return readImageFile(path, `the image of asset ${ref.asset_id}`);
    }
    const url = ref.image_url ?? '';
    const target = localMediaPath(this.plan.mediaRoot, url);
    if (!target) throw new Error(`image path ${url} is outside the media folder`);
    if (/^https?:\/\//.test(target)) return loadImageFromUrl(target, { clock: this.clock });
    return readImageFile(target, `the image ${url}`);
  }
}

/** The camera decoder's socket timeout (ffmpeg -timeout), seconds. */
const CAMERA_IO_TIMEOUT_SECONDS = 5;

function cameraAlertKey(cameraId: number): string {
  return `camera:${cameraId}:offline`;
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
