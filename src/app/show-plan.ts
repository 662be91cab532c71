// One translator from the store's rows to what a show runs with: the timeline's media bound to the
// library, the cameras and the backups standing by, the destinations as publisher targets, the PTZ
// plan of the preset cues, and the engine's plan built from them. The show runner and pre-flight
// both read the store through here, so what pre-flight checks is what the show will use.
//
// Secrets: the camera URLs, ONVIF passwords and stream URLs returned here go to the engine and the
// PTZ mover only; warnings and problems never quote them.
import { resolve as resolvePath } from 'node:path';
import { messageOf } from '../core/message-of.ts';
import { DEFAULT_PTZ_SETTLE_SECONDS } from '../domain/schemas.ts';
import { chosenEncoderPreset, LOUDNESS_TARGET_SETTING, loudnessTarget } from '../domain/settings.ts';
import {
  MAX_BACKUP_CHAIN,
  type CameraFeed,
  type DestinationTarget,
  type OutputSessionRestartEvent,
  type ShowPlan,
} from '../engine/index.ts';
import { AppError, isAppError, type FieldIssue } from '../errors/registry.ts';
import {
  destinationUrl,
  DestinationUrlError,
  sessionLimitHours,
  sessionRestartAfterMs,
} from '../ffmpeg/platforms.ts';
import type { PresetTarget, PtzCameraPlan } from '../ptz/cue-mover.ts';
import type { Camera, CameraConnection } from '../store/repositories/cameras.ts';
import type { Destination } from '../store/repositories/destinations.ts';
import type { RecordingLimits } from '../recordings/limits.ts';
import type { Store } from '../store/store.ts';
import { bindMediaNames, diskMediaLibrary } from '../timeline/media-paths.ts';
import { findUnknownReferences } from '../timeline/references.ts';
import type { Timeline } from '../timeline/schema.ts';
import { backupRule, configuredBackup, type BackupCamera, type BackupOf } from './backups.ts';
import type { ShowPlanRecord } from './execution-plan.ts';

// ---------------------------------------------------------------------------------------------
// media

/** The timeline with media named by an upload's name (`/assets/<name>`) pointing at its file. */
export function bindShowMedia(store: Store, timeline: Timeline, mediaRoot: string): Timeline {
  return bindMediaNames(timeline, diskMediaLibrary(mediaRoot, store.assets.list()));
}

/** A library asset's file by id (relative paths are under the data folder); null: not in the library. */
export function assetFile(store: Store, dataDir: string, assetId: number): string | null {
  try {
    return resolvePath(dataDir, store.assets.get(assetId).file_path);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// cameras and their backups

// How many failover steps the engine follows: the engine's own number.
export { MAX_BACKUP_CHAIN };

/** The store's enabled cameras by id: the engine only knows these, so only these stand in. */
export function enabledCameras(store: Store): Map<number, Camera> {
  return new Map(
    store.cameras
      .list()
      .filter((camera) => camera.enabled)
      .map((camera) => [camera.id, camera]),
  );
}

/** The backups the engine would try for a camera, in order: enabled cameras only, no loops. */
export function backupChain(
  cameraId: number,
  cameras: ReadonlyMap<number, BackupCamera & { enabled: boolean }>,
  timeline: Pick<Timeline, 'fallback'>,
): number[] {
  const chain: number[] = [];
  const seen = new Set([cameraId]);
  let next = configuredBackup(cameraId, cameras, timeline)?.cameraId ?? null;
  while (next !== null && chain.length < MAX_BACKUP_CHAIN && !seen.has(next)) {
    seen.add(next);
    const camera = cameras.get(next);
    if (!camera || !camera.enabled) break;
    chain.push(next);
    next = configuredBackup(next, cameras, timeline)?.cameraId ?? null;
  }
  return chain;
}

export interface ShowCameras {
  feeds: Map<number, CameraFeed>;
  /** Cameras that cannot be used and references to nothing (the slate is shown instead). */
  warnings: string[];
}

/**
 * The show's cameras: every enabled camera of the store (so backups are there too) with its
 * backup, or the request's generated test cameras (the demo).
 */
export function showCameras(
  store: Store,
  request: Pick<ShowPlanRecord, 'generatedCameras'>,
  timeline: Timeline,
): ShowCameras {
  const feeds = new Map<number, CameraFeed>();
  const warnings: string[] = [];
  if (request.generatedCameras) {
    for (const camera of request.generatedCameras)
      feeds.set(camera.id, {
        kind: 'generated',
        name: camera.name,
        pattern: camera.pattern,
        label: camera.label,
      });
  } else {
    const enabled = store.cameras.list().filter((camera) => camera.enabled);
    const usable = new Map<number, BackupCamera>();
    const urls = new Map<number, string>();
    for (const camera of enabled) {
      try {
        urls.set(camera.id, store.cameras.connection(camera.id).url);
        usable.set(camera.id, camera);
      } catch (error) {
        warnings.push(`camera ${camera.id} ("${camera.name}") cannot be used: ${messageOf(error)}`);
      }
    }
    const backupOf = backupRule(usable, timeline);
    for (const camera of enabled) {
      const url = urls.get(camera.id);
      if (url === undefined) continue;
      const backup = backupOf(camera.id);
      feeds.set(camera.id, {
        kind: 'url',
        name: camera.name,
        url,
        ...(backup !== null ? { backupCameraId: backup } : {}),
      });
    }
  }
  const unknown = findUnknownReferences(timeline, {
    cameraIds: new Set(feeds.keys()),
    assetIds: new Set(store.assets.list().map((a) => a.id)),
  });
  for (const issue of unknown) warnings.push(`${issue.path}: ${issue.message} (the slate is shown instead)`);
  return { feeds, warnings };
}

/** The backup standing by for each camera of the show: only one the engine has can. */
export function standbyBackupOf(feeds: ReadonlyMap<number, CameraFeed>): BackupOf {
  return (cameraId) => {
    const backup = feeds.get(cameraId)?.backupCameraId;
    return backup !== undefined && feeds.has(backup) ? backup : null;
  };
}

// ---------------------------------------------------------------------------------------------
// destinations

/** One destination as a show would use it, or why it cannot. */
export type DestinationReading =
  /** The store could not give it (`error.code` DESTINATION_NOT_FOUND when it does not exist). */
  | { kind: 'missing'; id: number; error: AppError }
  | { kind: 'disabled'; destination: Destination }
  /** Its server address or stream key does not make a URL (DestinationUrlError), or its sealed
   *  key cannot be read (AppError). */
  | { kind: 'unusable'; destination: Destination; error: DestinationUrlError | AppError }
  /** `url` holds the stream key: never log it. `sessionLimitHours`: the limit in force, if any. */
  | { kind: 'ready'; destination: Destination; url: string; sessionLimitHours: number | null };

export function readDestination(store: Store, id: number): DestinationReading {
  let destination: Destination;
  try {
    destination = store.destinations.get(id);
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { kind: 'missing', id, error };
  }
  if (!destination.enabled) return { kind: 'disabled', destination };
  let url: string;
  try {
    url = destinationUrl(
      destination.platform,
      destination.server_url,
      store.destinations.streamKey(id) ?? '',
    );
  } catch (error) {
    if (!(error instanceof DestinationUrlError) && !isAppError(error)) throw error;
    return { kind: 'unusable', destination, error };
  }
  return {
    kind: 'ready',
    destination,
    url,
    sessionLimitHours: sessionLimitHours(destination.platform, destination.max_session_hours),
  };
}

/** Told when a destination starts a new session before its platform's limit. */
export type SessionRestartHandler = (
  destination: Destination,
  limitHours: number,
  event: OutputSessionRestartEvent,
) => void;

/**
 * The publisher targets of the chosen destinations (each once). 'strict' (a new show) refuses a
 * destination that cannot be used with an AppError naming it; 'lenient' (a crash resume) leaves
 * it out with a warning, so the show goes back on air where it still can.
 */
export function destinationTargets(
  store: Store,
  ids: readonly number[],
  mode: 'strict' | 'lenient',
  onSessionRestart: SessionRestartHandler,
): { targets: DestinationTarget[]; warnings: string[] } {
  const targets: DestinationTarget[] = [];
  const warnings: string[] = [];
  const problem = (
    code: 'DESTINATION_NOT_FOUND' | 'VALIDATION_FAILED',
    message: string,
    issue: FieldIssue,
  ) => {
    if (mode === 'strict') throw new AppError(code, message, [issue]);
    warnings.push(`${message}: left out`);
  };
  const seen = new Set<number>();
  ids.forEach((id, index) => {
    if (seen.has(id)) return;
    seen.add(id);
    const path = `destinationIds[${index}]`;
    const reading = readDestination(store, id);
    if (reading.kind === 'missing')
      return problem('DESTINATION_NOT_FOUND', `there is no destination ${id}`, {
        path,
        message: `destination ${id} does not exist`,
      });
    const { destination } = reading;
    const what = `destination ${id} ("${destination.name}")`;
    if (reading.kind === 'disabled')
      return problem('VALIDATION_FAILED', `${what} is disabled`, { path, message: 'is disabled' });
    if (reading.kind === 'unusable')
      return problem('VALIDATION_FAILED', `${what}: ${reading.error.message}`, {
        path: `destinations[${id}].stream_key`,
        message: reading.error.message,
      });
    const limitHours = reading.sessionLimitHours;
    targets.push({
      id: `dest:${id}`,
      name: `${destination.name} (destination ${id})`,
      platform: destination.platform,
      url: reading.url,
      ...(limitHours !== null
        ? {
            session: {
              maxMs: sessionRestartAfterMs(limitHours),
              onRestart: (event: OutputSessionRestartEvent) =>
                onSessionRestart(destination, limitHours, event),
            },
          }
        : {}),
    });
  });
  return { targets, warnings };
}

// ---------------------------------------------------------------------------------------------
// PTZ: where the preset cues send the cameras

/** ONVIF deadline for cue moves: a camera that has not answered by then misses its cue anyway. */
export const PTZ_CUE_TIMEOUT_MS = 5000;

export interface PtzPlanOptions {
  /** Settle time of cameras without their own (default 3 s). */
  defaultSettleSeconds?: number;
  timeoutMs?: number;
}

/**
 * The PTZ plan of every camera the video track sends to a preset (null: no preset cues). A
 * camera that cannot be moved carries its problem; the mover reports it and its cues go on air
 * as they are.
 */
export function ptzCameraPlans(
  store: Store,
  timeline: Timeline,
  options: PtzPlanOptions = {},
): Map<number, PtzCameraPlan> | null {
  const wanted = new Map<number, Set<string | number>>();
  for (const cue of timeline.tracks.video.cues) {
    if (cue.action !== 'show_camera' || cue.params.preset_id === undefined) continue;
    const ids = wanted.get(cue.params.camera_id) ?? new Set<string | number>();
    ids.add(cue.params.preset_id);
    wanted.set(cue.params.camera_id, ids);
  }
  if (wanted.size === 0) return null;
  const cameras = new Map<number, PtzCameraPlan>();
  for (const [cameraId, presetIds] of wanted)
    cameras.set(cameraId, ptzPlan(store, cameraId, presetIds, options));
  return cameras;
}

function ptzPlan(
  store: Store,
  cameraId: number,
  presetIds: ReadonlySet<string | number>,
  options: PtzPlanOptions,
): PtzCameraPlan {
  const settleDefault = options.defaultSettleSeconds ?? DEFAULT_PTZ_SETTLE_SECONDS;
  const unusable = (label: string, problem: string, settleSeconds = settleDefault): PtzCameraPlan => ({
    id: cameraId,
    label,
    onvif: null,
    problem,
    settleSeconds,
    presets: new Map(),
  });
  let camera: Camera;
  try {
    camera = store.cameras.get(cameraId);
  } catch {
    return unusable(`camera ${cameraId}`, `there is no camera ${cameraId}`);
  }
  const label = `camera "${camera.name}" (camera ${cameraId})`;
  const settleSeconds = camera.ptz_settle_seconds ?? settleDefault;
  if (!camera.enabled) return unusable(label, 'it is disabled', settleSeconds);
  if (camera.camera_type !== 'ptz') return unusable(label, 'it is not set up as a PTZ camera', settleSeconds);
  let onvif: CameraConnection['onvif'];
  try {
    onvif = store.cameras.connection(cameraId).onvif;
  } catch (error) {
    return unusable(label, messageOf(error), settleSeconds);
  }
  if (!onvif) return unusable(label, 'it has no ONVIF address', settleSeconds);
  const stored = store.cameras.presets(cameraId);
  const presets = new Map<string, PresetTarget | { problem: string }>();
  for (const presetId of presetIds) {
    // preset_id names a stored preset; a number that is no preset's name is its id (the API's).
    const preset =
      stored.find((p) => p.name === String(presetId)) ??
      (typeof presetId === 'number' ? stored.find((p) => p.id === presetId) : undefined);
    if (!preset) {
      presets.set(String(presetId), { problem: `it has no preset "${presetId}"` });
    } else if (preset.preset_token) {
      presets.set(String(presetId), { name: preset.name, token: preset.preset_token });
    } else if (preset.pan !== null && preset.tilt !== null) {
      presets.set(String(presetId), {
        name: preset.name,
        position: {
          pan: preset.pan,
          tilt: preset.tilt,
          ...(preset.zoom !== null ? { zoom: preset.zoom } : {}),
        },
      });
    } else {
      presets.set(String(presetId), {
        problem: `preset "${preset.name}" has neither a camera preset token nor a position (capture it again)`,
      });
    }
  }
  return {
    id: cameraId,
    label,
    onvif: {
      url: onvif.url,
      username: onvif.username,
      password: onvif.password,
      label: `camera "${camera.name}"`,
      timeoutMs: options.timeoutMs ?? PTZ_CUE_TIMEOUT_MS,
    },
    problem: null,
    settleSeconds,
    presets,
  };
}

// ---------------------------------------------------------------------------------------------
// the engine's plan

/**
 * The show request with the encoder preset chosen in Settings → Encoder (the stored setting's
 * value), unless the request names its own (the CLI's --preset) or the choice is "automatic"
 * (the encoding profile's preset). Applied when a show starts, so the stored plan keeps it and a
 * crash resume runs at the same ceiling; degraded mode steps down from it.
 */
export function withChosenPreset(request: ShowPlanRecord, storedSetting: unknown): ShowPlanRecord {
  const preset = chosenEncoderPreset(storedSetting);
  if (preset === null || request.encoder?.preset !== undefined) return request;
  return { ...request, encoder: { ...request.encoder, preset } };
}

export interface EnginePlanInput {
  store: Store;
  request: ShowPlanRecord;
  /** The data folder: library assets are under it; timeline media too unless the request says. */
  dataDir: string;
  /** Media-bound (bindShowMedia). */
  timeline: Timeline;
  cameras: ReadonlyMap<number, CameraFeed>;
  targets: readonly DestinationTarget[];
  recordPath?: string;
  /** Recordings' quota, file length and free space kept (the configuration's); default: the defaults. */
  recordingLimits?: RecordingLimits;
  startFrame: number;
  /** A crash resume: the show is on a wall-clock schedule. */
  resumed: boolean;
  /** Where it starts on its quality ladder (0 or null: at the operator's settings). */
  startLevel: number | null;
}

export function enginePlan(input: EnginePlanInput): ShowPlan {
  const { request, startFrame, recordPath, startLevel } = input;
  return {
    timeline: input.timeline,
    cameras: input.cameras,
    destinations: input.targets,
    mediaRoot: request.mediaRoot ?? input.dataDir,
    assetPath: (id) => assetFile(input.store, input.dataDir, id),
    ...(request.previewDir ? { previewDir: request.previewDir } : {}),
    ...(recordPath ? { recordPath } : {}),
    ...(input.recordingLimits ? { recordingLimits: input.recordingLimits } : {}),
    ...(request.encoder ? { encoder: { ...request.encoder } } : {}),
    ...(startFrame > 0 ? { startFrame } : {}),
    // Read at each (re)start: the operator's target, or null when the control is off.
    loudnessTargetLufs: loudnessTarget(input.store.settings.get<unknown>(LOUDNESS_TARGET_SETTING, null)),
    // A resumed show is on a wall-clock schedule: the pre-roll's seconds are skipped.
    ...(input.resumed ? { prerollCatchUp: true } : {}),
    // The operator's settings stay the ceiling degraded mode steps down from and back up to.
    ...(startLevel !== null && startLevel > 0 ? { degrade: { startLevel } } : {}),
  };
}
