// PTZ cue moves, the executor: sends each camera to the preset of its next cue when the plan
// (cue-plan.ts) says the move is due, over one ONVIF connection per camera made when the show
// starts. It is fed the program position (each playout tick, or at the show's start) and never
// blocks the show: every camera call runs in the background, one camera's moves in order.
//
// Failures never keep a cue off air: the cue goes on air with the camera wherever it points, and
// an alert says so (PTZ_FAILED with the registry's remediation); a later successful move clears
// it. No retry storm: each cue occurrence is tried once, and after a failed connect the camera is
// not contacted again before a backoff (5 s doubling to 60 s) has passed.
import type { AlertSink } from '../errors/alert-sink.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { messageOf } from '../core/message-of.ts';
import {
  ptzMoveFailedAlert,
  ptzPresetsUnusedAlert,
  ptzUnreachableAlert,
  type AlertText,
} from '../errors/alert-messages.ts';
import { isAppError } from '../errors/registry.ts';
import type { CompiledTimeline } from '../timeline/resolver.ts';
import { presetMoves, type PresetMove } from './cue-plan.ts';
import type { OnvifConnectOptions, PtzClient, PtzConnect } from './onvif.ts';

/** Where a preset points the camera: the camera's own preset, or a stored position. */
export type PresetTarget =
  { name: string; token: string } | { name: string; position: { pan: number; tilt: number; zoom?: number } };

/** What the show knows about one camera its preset cues use. */
export interface PtzCameraPlan {
  id: number;
  /** For messages, e.g. `camera "Dock" (camera 2)`. */
  label: string;
  /** ONVIF access; null when the camera cannot be moved (then `problem` says why). */
  onvif: OnvifConnectOptions | null;
  problem: string | null;
  settleSeconds: number;
  /** By String(preset_id) as the timeline writes it: the target, or why there is none. */
  presets: ReadonlyMap<string, PresetTarget | { problem: string }>;
}

export interface PtzCueMoverOptions {
  timeline: CompiledTimeline;
  cameras: ReadonlyMap<number, PtzCameraPlan>;
  connect: PtzConnect;
  clock: Clock;
  logger: Logger;
  alerts?: AlertSink;
}

/** What happened to one move (for the log, status and tests). */
export interface MoveRecord {
  key: string;
  cameraId: number;
  cueId: string;
  presetId: string | number;
  onAirFrame: number;
  /** The frame the move was issued at, and the outcome. */
  issuedAtFrame: number;
  outcome: 'pending' | 'moved' | 'failed' | 'skipped';
  error?: string;
}

const BACKOFF_BASE_MS = 5000;
const BACKOFF_CAP_MS = 60_000;

interface CameraState {
  plan: PtzCameraPlan;
  client: Promise<PtzClient> | null;
  /** Monotonic ms before which no new connect is tried (after a failed one). */
  retryAt: number;
  failedConnects: number;
  /** The camera's moves, one after the other. */
  chain: Promise<void>;
  alerted: boolean;
  /** Problems already reported (configuration), so each is raised once. */
  reported: Set<string>;
}

export class PtzCueMover {
  private readonly options: PtzCueMoverOptions;
  private readonly fps: number;
  private readonly horizonFrames: number;
  private readonly settle = new Map<number, number>();
  private readonly cameras = new Map<number, CameraState>();
  private readonly issued = new Map<string, MoveRecord>();
  private nextCheck = Number.NEGATIVE_INFINITY;
  private lastFrame = Number.NaN;
  private closed = false;

  constructor(options: PtzCueMoverOptions) {
    this.options = options;
    this.fps = options.timeline.fps;
    let maxSettle = 0;
    for (const plan of options.cameras.values()) {
      const frames = Math.ceil(Math.max(0, plan.settleSeconds) * this.fps);
      this.settle.set(plan.id, frames);
      maxSettle = Math.max(maxSettle, frames);
      this.cameras.set(plan.id, {
        plan,
        client: null,
        retryAt: Number.NEGATIVE_INFINITY,
        failedConnects: 0,
        chain: Promise.resolve(),
        alerted: false,
        reported: new Set(),
      });
    }
    this.horizonFrames = maxSettle + 2 * this.fps;
  }

  /** Connects to every camera (so a move costs one request) and issues what is due at `frame`. */
  start(frame: number): void {
    for (const camera of this.cameras.values()) {
      if (camera.plan.problem !== null || camera.plan.onvif === null) {
        this.report(camera, camera.plan.problem ?? 'it has no ONVIF settings', 'setup');
        continue;
      }
      void this.client(camera).catch(() => undefined); // failures are reported in client()
    }
    this.evaluate(frame);
  }

  /** The program position of a tick. Cheap unless a move is due or the position jumped. */
  onFrame(frame: number): void {
    if (this.closed) return;
    const jumped = !(frame >= this.lastFrame && frame <= this.lastFrame + this.fps);
    this.lastFrame = frame;
    if (!jumped && frame < this.nextCheck) return;
    this.evaluate(frame);
  }

  /** No more moves (the show ended). Moves already sent finish in the background. */
  close(): void {
    this.closed = true;
  }

  /** Every move tried, in order. */
  moves(): MoveRecord[] {
    return [...this.issued.values()];
  }

  /** Settles when the moves issued so far have finished (tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.cameras.values()].map((camera) => camera.chain));
  }

  private evaluate(frame: number): void {
    this.lastFrame = frame;
    let planned: PresetMove[];
    try {
      planned = presetMoves(
        this.options.timeline,
        frame,
        this.horizonFrames,
        (id) => this.settle.get(id) ?? 0,
      );
    } catch (error) {
      this.options.logger.error({ err: messageOf(error) }, 'PTZ cue plan failed');
      this.nextCheck = frame + this.fps;
      return;
    }
    let next = frame + this.fps; // look again at least every second: new cues enter the horizon
    for (const move of planned) {
      if (this.issued.has(move.key)) continue;
      if (move.moveAtFrame <= frame) this.issue(move, frame);
      else next = Math.min(next, move.moveAtFrame);
    }
    this.nextCheck = next;
  }

  private issue(move: PresetMove, frame: number): void {
    const record: MoveRecord = {
      key: move.key,
      cameraId: move.cameraId,
      cueId: move.cueId,
      presetId: move.presetId,
      onAirFrame: move.onAirFrame,
      issuedAtFrame: frame,
      outcome: 'pending',
    };
    this.issued.set(move.key, record);
    const camera = this.cameras.get(move.cameraId);
    if (!camera) {
      record.outcome = 'skipped';
      return; // not a camera the show was given presets for
    }
    const target = camera.plan.presets.get(String(move.presetId));
    if (camera.plan.problem !== null || camera.plan.onvif === null || !target || 'problem' in target) {
      record.outcome = 'skipped';
      const why =
        camera.plan.problem ??
        (target && 'problem' in target ? target.problem : `it has no preset "${move.presetId}"`);
      const setup = camera.plan.problem !== null || camera.plan.onvif === null;
      this.report(camera, why, setup ? 'setup' : `preset:${String(move.presetId)}`);
      return;
    }
    const log = this.options.logger.child({ camera: move.cameraId, cue: move.cueId, preset: target.name });
    camera.chain = camera.chain
      .then(() => this.move(camera, target, record, log))
      .catch((error: unknown) => {
        // The safety net: nothing a camera does may reach the show.
        record.outcome = 'failed';
        record.error = messageOf(error);
        log.error({ err: record.error }, 'PTZ move failed unexpectedly');
      });
    if (move.seen)
      log.info(
        { onAirFrame: move.onAirFrame },
        'the camera is on air right up to this cue: viewers see it move to the preset',
      );
  }

  private async move(
    camera: CameraState,
    target: PresetTarget,
    record: MoveRecord,
    log: Logger,
  ): Promise<void> {
    const { clock } = this.options;
    if (camera.client === null && clock.now() < camera.retryAt) {
      record.outcome = 'skipped';
      record.error = 'the camera did not answer a moment ago; not tried again yet';
      log.warn(`PTZ move skipped: ${record.error}`);
      return;
    }
    const started = clock.now();
    try {
      const client = await this.client(camera);
      if ('token' in target) await client.gotoPreset(target.token);
      else await client.moveTo(target.position);
    } catch (error) {
      record.outcome = 'failed';
      record.error = messageOf(error);
      // A camera that stopped answering gets a new connection (after the backoff); one that
      // refused this preset keeps its connection.
      if (/did not answer|cannot be reached/.test(record.error)) this.dropClient(camera);
      log.warn({ err: record.error }, 'PTZ move failed: the cue goes on air with the camera where it is');
      this.raise(
        camera,
        ptzMoveFailedAlert({
          camera: camera.plan.label,
          preset: target.name,
          cueId: record.cueId,
          error: record.error,
          // The camera's own error knows best what to do (a missing preset, a refused login …).
          remedyCode: isAppError(error) ? error.code : 'PTZ_FAILED',
        }),
      );
      return;
    }
    record.outcome = 'moved';
    const leadSeconds = (record.onAirFrame - record.issuedAtFrame) / this.fps;
    log.info(
      { tookMs: Math.round(clock.now() - started), secondsBeforeCue: Math.round(leadSeconds * 10) / 10 },
      `camera sent to preset "${target.name}"`,
    );
    if (camera.alerted) {
      camera.alerted = false;
      this.options.alerts?.clear(alertKey(camera.plan.id));
    }
  }

  /** The camera's one connection, made once and kept; a failed connect starts a backoff. */
  private client(camera: CameraState): Promise<PtzClient> {
    if (camera.client) return camera.client;
    const onvif = camera.plan.onvif;
    if (onvif === null) return Promise.reject(new Error(camera.plan.problem ?? 'no ONVIF settings'));
    const connecting = (async () => this.options.connect(onvif))();
    camera.client = connecting;
    connecting.then(
      () => {
        camera.failedConnects = 0;
      },
      (error: unknown) => {
        if (camera.client === connecting) this.dropClient(camera);
        this.options.logger.warn(
          { camera: camera.plan.id, err: messageOf(error) },
          'PTZ camera did not connect; its preset cues go on air where it points',
        );
        this.raise(camera, ptzUnreachableAlert({ camera: camera.plan.label, error: messageOf(error) }));
      },
    );
    return connecting;
  }

  private dropClient(camera: CameraState): void {
    camera.client = null;
    camera.failedConnects++;
    const delay = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (camera.failedConnects - 1));
    camera.retryAt = this.options.clock.now() + delay;
  }

  /** A setup problem (not PTZ, no ONVIF address, unknown preset): logged and raised once. */
  private report(camera: CameraState, why: string, what: string): void {
    if (camera.reported.has(what)) return;
    camera.reported.add(what);
    this.options.logger.warn(
      { camera: camera.plan.id },
      `PTZ presets of ${camera.plan.label} not used: ${why}`,
    );
    this.raise(
      camera,
      ptzPresetsUnusedAlert({ camera: camera.plan.label, why, presetMissing: /preset/.test(why) }),
    );
  }

  private raise(camera: CameraState, alert: AlertText): void {
    camera.alerted = true;
    this.options.alerts?.raise({
      key: alertKey(camera.plan.id),
      source: `camera:${camera.plan.id}`,
      ...alert,
    });
  }
}

function alertKey(cameraId: number): string {
  return `ptz:camera:${cameraId}`;
}
