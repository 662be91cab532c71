// The GO LIVE pre-flight checklist (spec "Pre-flight checks"): before a show starts, check what
// can be checked — the timeline, every camera it uses (tested for real, in parallel), their
// backups, the chosen destinations, the media files, the H.264 encoder — and say for each what
// is wrong and what to do about it. The checks only read; nothing is started or changed.
//
// Secrets: camera URLs and stream keys are never put in any text of the report (camera failures
// come classified and scrubbed from src/cameras; destinations are described by server only).
import { stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { scrubCameraText } from '../cameras/classify.ts';
import type { CameraTestResult } from '../cameras/probe.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { messageOf } from '../core/message-of.ts';
import { ENCODER_PRESET_SETTING, chosenEncoderPreset } from '../domain/settings.ts';
import { describeLevel, formatFps, reliefFrameRates, reliefSizes } from '../engine/index.ts';
import type { VideoEncoder } from '../ffmpeg/argv.ts';
import { ERRORS, isAppError } from '../errors/registry.ts';
import type { EncoderDetection } from '../ffmpeg/hardware.ts';
import { DestinationUrlError, PLATFORMS, redactUrl, sessionRestartAfterMs } from '../ffmpeg/platforms.ts';
import type { Camera } from '../store/repositories/cameras.ts';
import type { Store } from '../store/store.ts';
import { localMediaPath } from '../timeline/media-paths.ts';
import { parseResolution, type Timeline } from '../timeline/schema.ts';
import { validateTimelineDocument, type TimelineIssue } from '../timeline/validate.ts';
import { judgeDiskSpace, readDiskSpace, type DiskVerdict } from '../recordings/free-space.ts';
import { defaultRecordingLimits, formatBytes } from '../recordings/limits.ts';
import { formatAge, type CapacityAnswer, type CapacityShow } from './capacity.ts';
import { backupRule, configuredBackup } from './backups.ts';
import { backupChain, bindShowMedia, enabledCameras, readDestination } from './show-plan.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export type PreflightCheckId =
  'timeline' | 'cameras' | 'backup_cameras' | 'destinations' | 'assets' | 'encoder' | 'disk';

export interface PreflightItem {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface PreflightCheck {
  id: PreflightCheckId;
  label: string;
  status: CheckStatus;
  /** e.g. "Cameras online (2/2)" (no final full stop: the UI and PREFLIGHT_FAILED add their own). */
  summary: string;
  /** What to do, as sentences; null when the check is ok. */
  remediation: string | null;
  items: PreflightItem[];
}

export interface PreflightReport {
  /** No check failed (warnings allowed). */
  ok: boolean;
  checks: PreflightCheck[];
  checkedAt: string;
  durationMs: number;
}

export interface RunPreflightInput {
  store: Store;
  timelineId: number;
  destinationIds: readonly number[];
  /** Tests one stored camera (testCamera on its connection URL in production). */
  probeCamera: (cameraId: number) => Promise<CameraTestResult>;
  detectEncoder: () => Promise<EncoderDetection>;
  /** Root for timeline media paths and library assets (the data folder). */
  mediaRoot: string;
  clock?: Clock;
  /**
   * Outputs chosen on purpose besides destinations. Without a destination the check fails,
   * unless the show is meant to be only recorded or previewed: then it warns.
   */
  localOutputs?: { recording?: boolean; preview?: boolean };
  /** CPU architecture; default process.arch (without `capacity`, software 1080p on ARM is a warning). */
  arch?: string;
  /**
   * Where the show starts on this machine (CapacityService.answer in src/app/capacity.ts): a
   * software encoder is measured (or a recent measurement reused). Absent: the encoder is only
   * tested.
   */
  capacity?: (show: CapacityShow, encoder: VideoEncoder) => Promise<CapacityAnswer>;
  /** The data disk judged against the recording limits; default: the disk of `mediaRoot` (the
   *  data folder) against the limits from the environment. */
  disk?: () => DiskVerdict | null;
}

const LABELS: Record<PreflightCheckId, string> = {
  timeline: 'Timeline',
  cameras: 'Cameras',
  backup_cameras: 'Backup cameras',
  destinations: 'Destinations',
  assets: 'Media files',
  encoder: 'Encoder',
  disk: 'Disk space',
};

/** Timeline problems shown as items; the editor shows them all. */
const MAX_TIMELINE_ISSUES = 5;

export async function runPreflight(input: RunPreflightInput): Promise<PreflightReport> {
  const clock = input.clock ?? systemClock;
  const started = clock.now();
  const checkedAt = new Date(clock.wallNow()).toISOString();

  const { store } = input;

  let timeline: Timeline | null = null;
  let timelineCheck: PreflightCheck;
  try {
    ({ timeline, check: timelineCheck } = loadTimeline(store, input.timelineId));
  } catch (error) {
    timelineCheck = crashed('timeline', error);
  }

  const probes = new CameraProbes(input.probeCamera);
  const [[camerasCheck, backupsCheck], destinations, assets, encoder] = await Promise.all([
    (async (): Promise<readonly [PreflightCheck, PreflightCheck]> => {
      if (!timeline) return [notChecked('cameras'), notChecked('backup_cameras')];
      try {
        const cameras = new Map(store.cameras.list().map((camera) => [camera.id, camera]));
        return await checkCameras(timeline, cameras, probes);
      } catch (error) {
        return [crashed('cameras', error), crashed('backup_cameras', error)];
      }
    })(),
    guard('destinations', async () => checkDestinations(input, timeline)),
    guard('assets', async () =>
      timeline ? await checkAssets(store, timeline, input.mediaRoot) : notChecked('assets'),
    ),
    guard(
      'encoder',
      async () =>
        await checkEncoder(
          input.detectEncoder,
          timeline,
          input.arch ?? process.arch,
          capacityFor(input, timeline),
        ),
    ),
  ]);

  const checks = [timelineCheck, camerasCheck, backupsCheck, destinations, assets, encoder, diskCheck(input)];
  return {
    ok: checks.every((check) => check.status !== 'fail'),
    checks,
    checkedAt,
    durationMs: Math.round(clock.now() - started),
  };
}

// ---------------------------------------------------------------------------------------------
// helpers

function check(
  id: PreflightCheckId,
  status: CheckStatus,
  summary: string,
  remediation: string | null,
  items: PreflightItem[] = [],
): PreflightCheck {
  return { id, label: LABELS[id], status, summary, remediation: status === 'ok' ? null : remediation, items };
}

function worst(statuses: readonly CheckStatus[]): CheckStatus {
  if (statuses.includes('fail')) return 'fail';
  return statuses.includes('warn') ? 'warn' : 'ok';
}

function notChecked(id: PreflightCheckId): PreflightCheck {
  return check(
    id,
    'warn',
    'Not checked: the timeline could not be read',
    'Fix the timeline first, then run the checks again.',
  );
}

/** Pre-flight text may quote a camera's error: its credentials are scrubbed first. */
function scrubbedMessageOf(error: unknown): string {
  return scrubCameraText(messageOf(error));
}

function crashed(id: PreflightCheckId, error: unknown): PreflightCheck {
  return check(
    id,
    'fail',
    `The check could not run (${scrubbedMessageOf(error)})`,
    ERRORS.INTERNAL_ERROR.remediation,
  );
}

/** Runs one check; a check that throws is reported as failed, the others still run. */
async function guard(id: PreflightCheckId, fn: () => Promise<PreflightCheck>): Promise<PreflightCheck> {
  try {
    return await fn();
  } catch (error) {
    return crashed(id, error);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** 3600 → "1 h", 5430 → "1 h 30 min", 95 → "1 min 35 s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const parts = [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : '', rest > 0 && h === 0 ? `${rest} s` : ''];
  return parts.filter(Boolean).join(' ') || '0 s';
}

function cameraName(id: number, cameras: ReadonlyMap<number, Camera>): string {
  const camera = cameras.get(id);
  return camera ? `${camera.name} (camera ${id})` : `Camera ${id}`;
}

function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

// ---------------------------------------------------------------------------------------------
// timeline

function loadTimeline(store: Store, id: number): { timeline: Timeline | null; check: PreflightCheck } {
  let document;
  try {
    document = store.timelines.get(id).document;
  } catch (error) {
    if (isAppError(error) && error.code === 'TIMELINE_NOT_FOUND') {
      return {
        timeline: null,
        check: check(
          'timeline',
          'fail',
          `Timeline ${id} does not exist`,
          `Choose another timeline; timeline ${id} may have been deleted.`,
        ),
      };
    }
    if (isAppError(error) && error.code === 'TIMELINE_INVALID')
      return { timeline: null, check: invalidTimeline(id, error.issues) };
    throw error;
  }
  const validation = validateTimelineDocument(document);
  if (!validation.ok) return { timeline: null, check: invalidTimeline(id, validation.errors) };
  const timeline = validation.document.timeline;
  const cues =
    timeline.tracks.video.cues.length +
    timeline.tracks.overlays.reduce((n, track) => n + track.cues.length, 0);
  const about = `"${timeline.name}", ${formatDuration(timeline.duration)}${timeline.loop ? ' looped' : ''}, ${plural(cues, 'cue')}`;
  if (validation.warnings.length === 0) {
    return { timeline, check: check('timeline', 'ok', `Timeline ready (${about})`, null) };
  }
  return {
    timeline,
    check: check(
      'timeline',
      'warn',
      `Timeline ready with ${plural(validation.warnings.length, 'note')} (${about})`,
      'The slate is shown where nothing is scheduled: add cues there in the timeline editor if that is not intended.',
      validation.warnings.map((w) => ({ name: w.path, status: 'warn', detail: w.message })),
    ),
  };
}

function invalidTimeline(id: number, issues: readonly TimelineIssue[]): PreflightCheck {
  const shown = issues.slice(0, MAX_TIMELINE_ISSUES);
  const more = issues.length - shown.length;
  return check(
    'timeline',
    'fail',
    `Timeline ${id} has ${plural(issues.length, 'problem')}${more > 0 ? ` (first ${shown.length} shown)` : ''}`,
    'Open the timeline in the editor and fix the problems listed (each names the cue and field), then run the checks again.',
    shown.map((issue) => ({ name: issue.path, status: 'fail', detail: issue.message })),
  );
}

// ---------------------------------------------------------------------------------------------
// cameras and their backups

/** Each camera tested at most once per pre-flight, all at the same time. */
class CameraProbes {
  private readonly results = new Map<number, Promise<CameraTestResult>>();
  constructor(private readonly probe: (cameraId: number) => Promise<CameraTestResult>) {}

  get(id: number): Promise<CameraTestResult> {
    let result = this.results.get(id);
    if (!result) {
      result = this.probe(id).catch((error: unknown): CameraTestResult => ({
        ok: false,
        code: 'CAMERA_TEST_FAILED',
        reason: 'The camera test could not run.',
        remediation: ERRORS.CAMERA_TEST_FAILED.remediation,
        detail: scrubbedMessageOf(error),
      }));
      this.results.set(id, result);
    }
    return result;
  }
}

function describeOnline(r: Extract<CameraTestResult, { ok: true }>): string {
  const fps = r.video.fps === null ? '' : ` at ${Math.round(r.video.fps * 100) / 100} fps`;
  const audio = r.audio ? `, audio ${r.audio.codec}` : ', no audio';
  return `online: ${r.video.codec} ${r.video.width}×${r.video.height}${fps}${audio} (answered in ${r.latencyMs} ms)`;
}

/** Camera ids the video track shows, in order of first use. */
function usedCameras(timeline: Timeline): number[] {
  const ids: number[] = [];
  for (const cue of timeline.tracks.video.cues) {
    if (cue.action === 'show_camera' && !ids.includes(cue.params.camera_id)) ids.push(cue.params.camera_id);
  }
  return ids;
}

async function checkCameras(
  timeline: Timeline,
  cameras: ReadonlyMap<number, Camera>,
  probes: CameraProbes,
): Promise<readonly [PreflightCheck, PreflightCheck]> {
  const used = usedCameras(timeline);
  const usable = used.filter((id) => cameras.get(id)?.enabled);
  // Start every test at once: the cameras, and the backups they would fall back to.
  const toProbe = new Set<number>();
  for (const id of usable) {
    toProbe.add(id);
    for (const backup of backupChain(id, cameras, timeline)) toProbe.add(backup);
  }
  for (const id of usedBackups(used, cameras, timeline)) toProbe.add(id);
  const results = new Map<number, CameraTestResult>();
  await Promise.all(
    [...toProbe].map(async (id) => {
      results.set(id, await probes.get(id));
    }),
  );

  return [
    camerasCheck(used, cameras, results, timeline),
    backupsCheck(used, cameras, results, timeline),
  ] as const;
}

/** Configured backups of the used cameras that exist and are enabled (those get tested). */
function usedBackups(
  used: readonly number[],
  cameras: ReadonlyMap<number, Camera>,
  timeline: Timeline,
): number[] {
  const ids: number[] = [];
  for (const id of used) {
    const backup = configuredBackup(id, cameras, timeline)?.cameraId ?? null;
    if (backup !== null && cameras.get(backup)?.enabled && !ids.includes(backup)) ids.push(backup);
  }
  return ids;
}

function camerasCheck(
  used: readonly number[],
  cameras: ReadonlyMap<number, Camera>,
  results: ReadonlyMap<number, CameraTestResult>,
  timeline: Timeline,
): PreflightCheck {
  if (used.length === 0) return check('cameras', 'ok', 'No cameras in this timeline', null);
  const items: PreflightItem[] = [];
  const advice: string[] = [];
  let online = 0;
  for (const id of used) {
    const name = cameraName(id, cameras);
    const camera = cameras.get(id);
    if (!camera) {
      items.push({
        name,
        status: 'fail',
        detail: 'is not configured on this appliance: the slate is shown instead',
      });
      advice.push(`Add camera ${id} or choose another camera in the timeline.`);
      continue;
    }
    if (!camera.enabled) {
      items.push({ name, status: 'fail', detail: 'is disabled: the slate is shown instead' });
      advice.push(`Enable ${name} in its settings, or choose another camera in the timeline.`);
      continue;
    }
    const result = results.get(id);
    if (result?.ok) {
      online++;
      items.push({ name, status: 'ok', detail: describeOnline(result) });
      continue;
    }
    const reason = result ? result.reason : 'The camera was not tested.';
    const standIn = backupChain(id, cameras, timeline).find((backup) => results.get(backup)?.ok);
    if (standIn !== undefined) {
      items.push({
        name,
        status: 'warn',
        detail: `offline: ${reason} Its backup ${cameraName(standIn, cameras)} is online and stands in.`,
      });
      advice.push(`${name}: ${result?.remediation ?? ERRORS.CAMERA_UNREACHABLE.remediation}`);
    } else {
      items.push({ name, status: 'fail', detail: `offline: ${reason}` });
      advice.push(`${name}: ${result?.remediation ?? ERRORS.CAMERA_UNREACHABLE.remediation}`);
    }
  }
  const status = worst(items.map((item) => item.status));
  return check('cameras', status, `Cameras online (${online}/${used.length})`, advice.join(' '), items);
}

function backupsCheck(
  used: readonly number[],
  cameras: ReadonlyMap<number, Camera>,
  results: ReadonlyMap<number, CameraTestResult>,
  timeline: Timeline,
): PreflightCheck {
  const items: PreflightItem[] = [];
  const troubled: string[] = [];
  let online = 0;
  for (const id of used) {
    const camera = cameras.get(id);
    const configured = configuredBackup(id, cameras, timeline);
    if (!camera || configured === null) continue;
    const backupId = configured.cameraId;
    const name = `Backup for ${camera.name}${configured.shared ? ' (the timeline’s fallback)' : ''}: ${cameraName(backupId, cameras)}`;
    const backup = cameras.get(backupId);
    const result = results.get(backupId);
    let detail: string;
    if (!backup) detail = 'is not configured on this appliance';
    else if (!backup.enabled) detail = 'is disabled';
    else if (result?.ok) {
      online++;
      items.push({ name, status: 'ok', detail: describeOnline(result) });
      continue;
    } else detail = `offline: ${result ? result.reason : 'The camera was not tested.'}`;
    items.push({ name, status: 'warn', detail });
    troubled.push(cameraName(backupId, cameras));
  }
  if (items.length === 0) {
    return check(
      'backup_cameras',
      'ok',
      used.length === 0 ? 'No cameras in this timeline' : 'No backup cameras configured for the cameras used',
      null,
    );
  }
  const unique = [...new Set(troubled)];
  return check(
    'backup_cameras',
    worst(items.map((item) => item.status)),
    `Backup cameras online (${online}/${items.length})`,
    `Check ${listNames(unique)} (power, network, then Test on the camera’s page): while a backup is offline, its camera has no stand-in and the slate is shown if it fails.`,
    items,
  );
}

// ---------------------------------------------------------------------------------------------
// destinations

function serverOf(platform: keyof typeof PLATFORMS, serverUrl: string): string {
  const server = serverUrl.trim() || PLATFORMS[platform].servers[0] || '';
  return redactUrl(server); // a custom server URL may carry the key in its path or query
}

function checkDestinations(input: RunPreflightInput, timeline: Timeline | null): PreflightCheck {
  const ids = [...new Set(input.destinationIds)];
  if (ids.length === 0) {
    const local = input.localOutputs ?? {};
    if (local.recording || local.preview) {
      const what = local.recording ? 'recorded on the appliance' : 'shown in the preview';
      return check(
        'destinations',
        'warn',
        `No destination: the show is only ${what}`,
        'Choose a destination if the show should go out live.',
      );
    }
    return check(
      'destinations',
      'fail',
      'No destination chosen',
      'Choose a destination (YouTube, Facebook, Twitch or a custom server) to stream to.',
    );
  }
  const items: PreflightItem[] = [];
  const advice: string[] = [];
  let ready = 0;
  for (const id of ids) {
    const reading = readDestination(input.store, id);
    if (reading.kind === 'missing') {
      // Only a destination that is not there is the operator's to fix; a store that cannot read
      // one is this check's own failure.
      if (reading.error.code !== 'DESTINATION_NOT_FOUND') throw reading.error;
      items.push({ name: `Destination ${id}`, status: 'fail', detail: 'does not exist' });
      advice.push(`Choose another destination instead of destination ${id}; it may have been deleted.`);
      continue;
    }
    const { destination } = reading;
    const name = `${destination.name} (destination ${id})`;
    const preset = PLATFORMS[destination.platform];
    if (reading.kind === 'disabled') {
      items.push({ name, status: 'fail', detail: 'is disabled' });
      advice.push(`Enable ${name} in its settings, or leave it out of this show.`);
      continue;
    }
    // YouTube Live API (issue 17): the broadcast runs on a connected channel, which gives the key.
    if (destination.youtube !== null) {
      const problem = youtubeConnectionProblem(input.store, destination.youtube.connection_id, name);
      if (problem !== null) {
        items.push({ name, status: 'fail', detail: problem.detail });
        advice.push(problem.advice);
        continue;
      }
      if (reading.kind === 'unusable' && /stream key is required/.test(reading.error.message)) {
        ready++;
        items.push({
          name,
          status: 'ok',
          detail: 'YouTube Live API: the broadcast and its stream key are made on the connected channel',
        });
        continue;
      }
    }
    if (reading.kind === 'unusable') {
      // A sealed key that cannot be read is the appliance's fault, not the address's.
      if (!(reading.error instanceof DestinationUrlError)) throw reading.error;
      const message = reading.error.message;
      items.push({ name, status: 'fail', detail: message });
      advice.push(
        /stream key is required/.test(message)
          ? `Enter the stream key of ${name} (copy it from ${preset.label}).`
          : `Correct the server address or stream key of ${name}.`,
      );
      continue;
    }
    ready++;
    const where = `${preset.label}, ${serverOf(destination.platform, destination.server_url)}`;
    // The limit in force: the destination's own setting, else the platform's (0 turns it off).
    const limit = reading.sessionLimitHours;
    const platformLimit = preset.maxDurationHours;
    const runs = timeline ? (timeline.loop ? 'loops' : `runs ${formatDuration(timeline.duration)}`) : '';
    if (timeline && limit !== null && (timeline.loop || timeline.duration > limit * 3600)) {
      const who =
        destination.max_session_hours === null
          ? `${preset.label} ends a live video after ${limit} hours`
          : `its session limit is ${limit} hours`;
      items.push({
        name,
        status: 'warn',
        detail:
          `${where}: ${who}; this timeline ${runs}. The appliance restarts the session by itself ` +
          `every ${formatDuration(sessionRestartAfterMs(limit) / 1000)} at a keyframe (a break of a few seconds` +
          `${destination.platform === 'facebook' ? '; Facebook shows each session as a new live video' : ''})`,
      });
      advice.push(
        `Nothing to do for ${name}: the appliance restarts its session before the limit (change it with "Max session hours" in the destination's settings).`,
      );
      continue;
    }
    if (
      timeline &&
      limit === null &&
      platformLimit !== null &&
      (timeline.loop || timeline.duration > platformLimit * 3600)
    ) {
      items.push({
        name,
        status: 'warn',
        detail: `${where}: ${preset.label} ends a live video after ${platformLimit} hours and its session limit is turned off (0); this timeline ${runs}`,
      });
      advice.push(
        `Clear "Max session hours" of ${name} so the appliance restarts the session before ${platformLimit} hours, or use a shorter timeline.`,
      );
      continue;
    }
    items.push({ name, status: 'ok', detail: `${where}: ready` });
  }
  const status = worst(items.map((item) => item.status));
  return check(
    'destinations',
    status,
    `Destinations ready (${ready}/${ids.length})`,
    advice.join(' '),
    items,
  );
}

/** Why a destination's YouTube broadcasts cannot run (no client, no or a revoked connection); null: they can. */
function youtubeConnectionProblem(
  store: Store,
  connectionId: number,
  name: string,
): { detail: string; advice: string } | null {
  if (store.settings.get<unknown>('youtube.oauth_client', null) === null)
    return {
      detail: 'no Google OAuth client is set, so its YouTube channel cannot be reached',
      advice:
        'Settings → YouTube: enter the Google OAuth client ("TV and limited-input devices") id and secret.',
    };
  const connection = store.youtubeConnections.list().find((candidate) => candidate.id === connectionId);
  if (connection !== undefined && connection.revokedAt === null) return null;
  return {
    detail:
      connection === undefined
        ? `its YouTube channel (connection ${connectionId}) is not connected`
        : `its YouTube channel "${connection.label}" is disconnected (${connection.revokedReason ?? 'access revoked'})`,
    advice: `Destinations → YouTube: connect the channel again for ${name} (or turn its YouTube API broadcasts off and enter a stream key).`,
  };
}

// ---------------------------------------------------------------------------------------------
// media files

interface MediaRef {
  /** e.g. `cue "v2" (video track, 0:10)` */
  where: string;
  cueId: string | null;
  assetId?: number;
  url?: string;
  /** On a disabled overlay track: not shown, so a missing file is only a warning. */
  disabled: boolean;
  /** An entry of the audio bed's playlist: the asset must be audio. */
  audio?: true;
}

function clockTime(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function mediaRefs(timeline: Timeline): MediaRef[] {
  const refs: MediaRef[] = [];
  for (const cue of timeline.tracks.video.cues) {
    if (cue.action !== 'show_media') continue;
    const where = `Cue "${cue.id}" (video track, ${clockTime(cue.start_time)})`;
    const p = cue.params;
    refs.push({
      where,
      cueId: cue.id,
      disabled: false,
      ...(p.asset_id !== undefined ? { assetId: p.asset_id } : {}),
      ...(p.media_url !== undefined ? { url: p.media_url } : {}),
    });
  }
  for (const track of timeline.tracks.overlays) {
    for (const cue of track.cues) {
      const p = cue.params;
      const assetId = 'asset_id' in p ? p.asset_id : undefined;
      const url = 'image_url' in p ? p.image_url : undefined;
      if (assetId === undefined && url === undefined) continue;
      refs.push({
        where: `Cue "${cue.id}" (overlay track "${track.track_id}", ${clockTime(cue.start_time)})`,
        cueId: cue.id,
        disabled: !track.enabled,
        ...(assetId !== undefined ? { assetId } : {}),
        ...(url !== undefined ? { url } : {}),
      });
    }
  }
  // audio bed (issue 17): every playlist entry, each checked to be an uploaded audio file
  const bed = timeline.tracks.audio;
  for (const cue of bed?.cues ?? []) {
    for (const assetId of cue.params.asset_ids) {
      const where = `Cue "${cue.id}" (audio bed, ${clockTime(cue.start_time)})`;
      refs.push({ where, cueId: cue.id, disabled: !bed!.enabled, assetId, audio: true });
    }
  }
  if (timeline.fallback?.test_pattern !== undefined) {
    refs.push({
      where: 'Slate image (fallback.test_pattern)',
      cueId: null,
      disabled: false,
      url: timeline.fallback.test_pattern,
    });
  }
  return refs;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function checkMediaRef(store: Store, ref: MediaRef, mediaRoot: string): Promise<PreflightItem> {
  const missing = (detail: string): PreflightItem => ({
    name: ref.where,
    status: ref.disabled ? 'warn' : 'fail',
    detail: ref.disabled
      ? `${detail} (its ${ref.audio ? 'audio' : 'overlay'} track is switched off)`
      : detail,
  });
  if (ref.assetId !== undefined) {
    let asset;
    try {
      asset = store.assets.get(ref.assetId);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'ASSET_NOT_FOUND') throw error;
      return missing(`asset ${ref.assetId} is not in the library`);
    }
    if (ref.audio && asset.asset_type !== 'audio')
      return missing(
        `asset ${ref.assetId} is ${asset.asset_type === 'image' ? 'an image' : 'a video'}, not audio`,
      );
    return (await isFile(resolvePath(mediaRoot, asset.file_path)))
      ? { name: ref.where, status: 'ok', detail: `library file "${asset.filename}"` }
      : missing(`library file "${asset.filename}" (asset ${ref.assetId}) is missing from the disk`);
  }
  const url = ref.url ?? '';
  if (/^https?:\/\//i.test(url)) {
    return {
      name: ref.where,
      status: 'ok',
      detail: `${redactUrl(url)}: a web address, fetched when the show starts`,
    };
  }
  const path = localMediaPath(mediaRoot, url);
  if (path === null) return missing(`${url} is outside the media folder`);
  return (await isFile(path))
    ? { name: ref.where, status: 'ok', detail: url }
    : missing(`${url} is missing from the media folder`);
}

async function checkAssets(store: Store, timeline: Timeline, mediaRoot: string): Promise<PreflightCheck> {
  // Media named by an upload's name is found as the show finds it.
  const refs = mediaRefs(bindShowMedia(store, timeline, mediaRoot));
  if (refs.length === 0) return check('assets', 'ok', 'No media files in this timeline', null);
  const items = await Promise.all(refs.map((ref) => checkMediaRef(store, ref, mediaRoot)));
  const bad = refs.filter((_, i) => items[i]!.status !== 'ok');
  const found = items.length - bad.length;
  const status = worst(items.map((item) => item.status));
  const cues = [
    ...new Set(bad.map((ref) => (ref.cueId === null ? 'the slate image' : `cue "${ref.cueId}"`))),
  ];
  const summary =
    status === 'ok'
      ? `Media files found (${found}/${items.length})`
      : `${plural(bad.length, 'media file')} missing (${listNames(cues)})`;
  return check(
    'assets',
    status,
    summary,
    `Upload the missing file${bad.length === 1 ? '' : 's'} again, or choose another in the timeline for ${listNames(cues)}.`,
    items,
  );
}

// ---------------------------------------------------------------------------------------------
// encoder

const HARDWARE_NAMES: Record<string, string> = {
  libx264: 'software (libx264)',
  h264_v4l2m2m: 'hardware (V4L2 M2M)',
  h264_vaapi: 'hardware (VA-API)',
  h264_qsv: 'hardware (Intel Quick Sync)',
  h264_nvenc: 'hardware (NVIDIA NVENC)',
  h264_videotoolbox: 'hardware (VideoToolbox)',
};

async function checkEncoder(
  detect: () => Promise<EncoderDetection>,
  timeline: Timeline | null,
  arch: string,
  capacity: ((encoder: VideoEncoder) => Promise<CapacityAnswer>) | null,
): Promise<PreflightCheck> {
  let detection: EncoderDetection;
  try {
    detection = await detect();
  } catch (error) {
    return check(
      'encoder',
      'fail',
      `The encoder test could not run (${scrubbedMessageOf(error)})`,
      ERRORS.OUTPUT_SPAWN_FAILED.remediation,
    );
  }
  const chosen = detection.tried.find((t) => t.encoder === detection.encoder && t.ok);
  const others = detection.tried
    .filter((t) => t.encoder !== detection.encoder)
    .map((t) => `${t.encoder} (${t.reason.length > 80 ? `${t.reason.slice(0, 79)}…` : t.reason})`);
  const detail =
    `${chosen ? `test encode succeeded in ${chosen.durationMs} ms` : 'chosen'}` +
    (others.length > 0 ? `; also tried: ${others.join(', ')}` : '');
  const items: PreflightItem[] = [{ name: detection.encoder, status: 'ok', detail }];
  const kind = HARDWARE_NAMES[detection.encoder] ?? detection.encoder;
  if (capacity && timeline) return await capacityCheck(capacity, detection.encoder, kind, items);
  const height = timeline ? parseResolution(timeline.resolution)[1] : 0;
  if (detection.encoder === 'libx264' && height >= 1080 && (arch === 'arm64' || arch === 'arm')) {
    items[0]!.status = 'warn';
    return check(
      'encoder',
      'warn',
      `H.264 encoder: ${kind}, ${timeline!.resolution} in software on an ARM board`,
      'For a steadier stream use a 1280x720 timeline: this board has no working hardware H.264 encoder, and 1080p in software leaves little CPU for the cameras.',
      items,
    );
  }
  return check('encoder', 'ok', `H.264 encoder: ${kind}`, null, items);
}

// ---------------------------------------------------------------------------------------------
// capacity: where the show starts on this machine

/** The capacity question for this timeline, with the backups the engine would keep hot. */
function capacityFor(
  input: RunPreflightInput,
  timeline: Timeline | null,
): ((encoder: VideoEncoder) => Promise<CapacityAnswer>) | null {
  const ask = input.capacity;
  if (!ask || !timeline) return null;
  // The preset chosen in Settings → Encoder is the show's ceiling (as the show runner applies it).
  const preset = chosenEncoderPreset(input.store.settings.get<unknown>(ENCODER_PRESET_SETTING, null));
  return (encoder) => {
    // The engine knows enabled cameras only, so only an enabled backup stands by.
    return ask(
      {
        timeline,
        backupOf: backupRule(enabledCameras(input.store), timeline),
        ...(preset ? { encoder: { preset } } : {}),
      },
      encoder,
    );
  };
}

/** "needs 1.60 cores (…); 1.20 are free …: too much" without the level's name in front. */
function verdictDetail(description: string, reason: string): string {
  return reason.startsWith(`${description} `) ? reason.slice(description.length + 1) : reason;
}

/** What would let the operator's settings fit: a smaller timeline, else a lower frame rate. */
function fullQualityAdvice(ceiling: CapacityAnswer['ceiling']): string {
  const smaller = reliefSizes(ceiling)[0];
  if (smaller)
    return `For full quality use a ${smaller.width}×${smaller.height} timeline or a faster machine.`;
  const slower = reliefFrameRates(ceiling.fps)[0];
  if (slower !== undefined)
    return `For full quality use a ${formatFps(slower)} fps timeline or a faster machine.`;
  return 'For full quality use a faster machine, or close other programs that use the CPU.';
}

async function capacityCheck(
  capacity: (encoder: VideoEncoder) => Promise<CapacityAnswer>,
  encoder: VideoEncoder,
  kind: string,
  encoderItems: PreflightItem[],
): Promise<PreflightCheck> {
  let answer: CapacityAnswer;
  try {
    answer = await capacity(encoder);
  } catch (error) {
    return check(
      'encoder',
      'warn',
      `Starts at your settings: this machine could not be measured (${scrubbedMessageOf(error)})`,
      'The show starts at your settings and degraded mode steps down by itself if the machine cannot keep up. Run the checks again to measure once more.',
      encoderItems,
    );
  }
  const { ceiling, ladder } = answer;
  const top = describeLevel(ladder[0]!);
  if (answer.kind === 'hardware') {
    return check(
      'encoder',
      'ok',
      `Starts at your settings (${formatFps(ceiling.fps)} fps, ${ceiling.width}×${ceiling.height}): H.264 encoder ${kind}, which leaves the CPU free, so this machine is not measured`,
      null,
      encoderItems,
    );
  }
  const result = answer.result;
  if (answer.kind === 'unmeasured' && result === null) {
    return check(
      'encoder',
      'warn',
      `Starts at your settings (${top}): this machine is not measured (${answer.why})`,
      'Run the checks again when nothing is on air to measure this machine; until then degraded mode steps down by itself if the show cannot keep up.',
      encoderItems,
    );
  }
  const when =
    answer.kind === 'measured'
      ? answer.measuredNow
        ? 'measured just now'
        : `measured ${formatAge(answer.ageMs)}`
      : `measured ${result!.measuredAt.slice(0, 16).replace('T', ' ')} UTC; not measured again: ${answer.why}`;
  const stored = result!;
  const items: PreflightItem[] = [
    ...encoderItems,
    ...stored.tried.map((verdict): PreflightItem => ({
      name: verdict.description,
      status: verdict.accepted ? 'ok' : 'warn',
      detail: verdictDetail(verdict.description, verdict.reason),
    })),
    {
      name: 'Camera decoder',
      status: 'ok',
      detail: stored.decoder.measured
        ? `${stored.decoder.coresAtCeiling.toFixed(2)} core per source at ${ceiling.width}×${ceiling.height} (measured)`
        : `counted as ${stored.decoder.coresAtCeiling.toFixed(2)} core per source at ${ceiling.width}×${ceiling.height}` +
          (stored.decoder.reason ? ` (not measured: ${stored.decoder.reason})` : ''),
    },
  ];
  const start = answer.startLevel;
  const at = describeLevel(ladder[start]!);
  if (start === 0) {
    return check(
      'encoder',
      'ok',
      `Starts at your settings (${at}): this machine has room for them (${kind}, ${when})`,
      null,
      items,
    );
  }
  const ceilingVerdict = stored.tried.find((verdict) => verdict.index === 0);
  const fits = stored.tried.some((verdict) => verdict.index === start && verdict.accepted);
  const settings = `${ceiling.width}×${ceiling.height} at ${formatFps(ceiling.fps)} fps with '${ceiling.preset}'`;
  const why =
    ceilingVerdict?.neededCores !== undefined && ceilingVerdict.gotCores !== undefined
      ? `with room to spare (it needs ${ceilingVerdict.neededCores.toFixed(2)} cores to keep ahead of real time and got ${ceilingVerdict.gotCores.toFixed(2)} here)`
      : `(${ceilingVerdict ? verdictDetail(ceilingVerdict.description, ceilingVerdict.reason) : 'not measured'})`;
  if (!fits) {
    return check(
      'encoder',
      'warn',
      `Starts at the lowest level, ${at}: no level fits this machine now (${kind}, ${when})`,
      `This machine cannot encode ${settings} ${why}, and no lower level fitted either; the show starts at ${at}, its own signs judge it on air and it steps up by itself when it can. ${fullQualityAdvice(ceiling)}`,
      items,
    );
  }
  return check(
    'encoder',
    'warn',
    `Starts at ${at}: your settings (${top}) do not fit this machine now (${kind}, ${when})`,
    `This machine cannot encode ${settings} ${why}; the show starts at ${at} and steps up by itself when it can. ${fullQualityAdvice(ceiling)}`,
    items,
  );
}

// ---------------------------------------------------------------------------------------------
// disk space (the levels are the recording limits', src/recordings/limits.ts)

export function diskCheck(
  input: Pick<RunPreflightInput, 'disk' | 'mediaRoot' | 'localOutputs'>,
): PreflightCheck {
  let disk: DiskVerdict | null;
  try {
    disk = input.disk
      ? input.disk()
      : (() => {
          const space = readDiskSpace(input.mediaRoot);
          return space === null ? null : judgeDiskSpace(space, defaultRecordingLimits());
        })();
  } catch (error) {
    return crashed('disk', error);
  }
  if (disk === null)
    return check(
      'disk',
      'warn',
      'The free space on the data disk could not be measured',
      'Check the data folder exists and is readable (VISTTER_DATA_DIR).',
    );
  const recording = input.localOutputs?.recording === true;
  const remedy =
    'Copy the recordings you want to keep off the appliance and delete them, or delete media you no longer use.';
  if (disk.level === 'full')
    return check(
      'disk',
      'fail',
      `Only ${disk.words}`,
      `Below ${formatBytes(disk.reserveBytes)} free ${recording ? 'the recording would stop at once and ' : ''}` +
        `the database may be unable to save. ${remedy}`,
    );
  if (disk.level === 'low')
    return check(
      'disk',
      'warn',
      `Running low: ${disk.words}`,
      `Below ${formatBytes(disk.warnBytes)} free the oldest recordings are removed to make room, and below ` +
        `${formatBytes(disk.reserveBytes)} ${recording ? 'the recording stops' : 'recordings stop'}. ${remedy}`,
    );
  return check('disk', 'ok', `${disk.words.charAt(0).toUpperCase()}${disk.words.slice(1)}`, null);
}
