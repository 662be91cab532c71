// The sentences of every alert, beside the registry of their codes: pure functions from facts to
// { code, severity, message, remediation }. The remediation is always the registry's (the code's
// own, the one for the situation, or the one of the cause's code), never written at a call site.
// The caller adds where the alert belongs (its key and source) and raises it.
import {
  alertRemediation,
  alertSeverity,
  CODES,
  type AlertCode,
  type AlertSeverity,
  type Code,
} from './registry.ts';

export interface AlertText {
  code: AlertCode;
  severity: AlertSeverity;
  message: string;
  remediation: string;
}

// Cameras ---------------------------------------------------------------------------------------

/** Why a camera's decoder gave up, as the camera test names it (a reason it could not name is none). */
export type CameraCauseCode = Extract<
  AlertCode,
  'CAMERA_UNREACHABLE' | 'CAMERA_AUTH_FAILED' | 'CAMERA_NO_VIDEO'
>;

export interface CameraOffAirFacts {
  /** "Camera 2 (Pier)". */
  camera: string;
  /** The decoder's own reason, when it gave one. */
  cause: { code: CameraCauseCode; reason: string } | null;
  /** How it went off air: no picture at all, or a picture that stopped (null: not known). */
  symptom: 'no-signal' | 'stalled' | null;
  /** What is on air instead: its backup camera ("Camera 3 (Gate)"), or the slate. */
  replacement: { kind: 'backup'; camera: string } | { kind: 'slate' };
}

/** A camera off air: switched to its backup (warning) or to the slate (error). */
export function cameraOffAirAlert(facts: CameraOffAirFacts): AlertText {
  const { camera, cause, symptom, replacement } = facts;
  const what = cause
    ? `is off air: ${cause.reason.replace(/\.$/, '')}`
    : symptom === 'no-signal'
      ? 'sends no picture'
      : 'stopped sending video';
  const code = cause?.code ?? 'CAMERA_OFFLINE';
  const fix = CODES[code].remediation;
  if (replacement.kind === 'backup')
    return {
      code,
      severity: alertSeverity(code),
      message: `${camera} ${what} — switched to backup ${replacement.camera}.`,
      remediation: alertRemediation('CAMERA_OFFLINE', 'onBackup', { fix }),
    };
  return {
    code,
    severity: 'error',
    message: `${camera} ${what} and no backup camera is working — the “Technical difficulties” slate is on air.`,
    remediation: alertRemediation('CAMERA_OFFLINE', 'onSlate', { fix }),
  };
}

// Audio bed ---------------------------------------------------------------------------------------

/** A file of the audio bed's playlist could not be decoded; the player skipped it. */
export function bedFileFailedAlert(facts: { assetId: number; reason: string }): AlertText {
  return {
    code: 'AUDIO_BED_FILE_FAILED',
    severity: alertSeverity('AUDIO_BED_FILE_FAILED'),
    message: `Audio asset ${facts.assetId} of the audio bed could not be played (${facts.reason}); it was skipped.`,
    remediation: alertRemediation('AUDIO_BED_FILE_FAILED'),
  };
}

// Encoder and degraded mode ---------------------------------------------------------------------

/** The encoder crashed and was restarted; every destination stayed connected. */
export function encoderRestartedAlert(): AlertText {
  return {
    code: 'ENCODER_RESTARTED',
    severity: alertSeverity('ENCODER_RESTARTED'),
    message:
      'The video encoder stopped unexpectedly and was restarted at once; every destination stayed connected.',
    remediation: alertRemediation('ENCODER_RESTARTED'),
  };
}

export interface DegradedModeFacts {
  /** The step in one sentence (the policy's words). */
  sentence: string;
  direction: 'down' | 'up';
  /** What the step relieves: the machine's CPU or the network. */
  cause: 'cpu' | 'network';
  /** The level on air now, in words ("720p at 30 fps at 2.5 Mb/s"). */
  current: string;
  /** The step brought the program back to the operator's settings. */
  backAtSettings: boolean;
}

/** A step of degraded mode: down is a warning, up (and back at the settings) an info. */
export function degradedModeAlert(facts: DegradedModeFacts): AlertText {
  const severity: AlertSeverity = !facts.backAtSettings && facts.direction === 'down' ? 'warning' : 'info';
  return {
    code: 'DEGRADED_MODE',
    severity,
    message: facts.sentence,
    remediation:
      facts.direction === 'down'
        ? alertRemediation('DEGRADED_MODE', facts.cause, { current: facts.current })
        : alertRemediation('DEGRADED_MODE'),
  };
}

/** The operator held the quality at a level (or gave it back to degraded mode): recorded as info. */
export function operatorQualityAlert(facts: {
  /** The level held, or null: back to automatic. */
  level: number | null;
  was: number;
  now: number;
  /** The ladder's words for a level ("1280×720 30 fps"); level 0 is the operator's settings. */
  words: (level: number) => string;
}): AlertText {
  const { level, was, now, words } = facts;
  const named = (at: number): string => `${words(at)}${at === 0 ? ' (your settings)' : ''}`;
  return {
    code: 'DEGRADED_MODE',
    severity: 'info',
    message:
      level === null
        ? `Quality back to automatic (operator): degraded mode judges the show again, from ${named(now)}.`
        : `Quality held at ${named(level)} by the operator (was ${words(was)}); degraded mode does not ` +
          'move it until it is set back to automatic.',
    remediation: alertRemediation('DEGRADED_MODE', level !== null ? 'operatorHeld' : 'operatorAutomatic'),
  };
}

// Destinations and recording --------------------------------------------------------------------

/** An output's failure as the outputs classify it (destinations/failure.ts). */
export interface OutputFailureFacts {
  code: AlertCode;
  /** Plain words; never the URL or the stream key. */
  message: string;
}

/** A destination went off air; it reconnects by itself. */
export function destinationOffAirAlert(facts: { destination: string; error: OutputFailureFacts }): AlertText {
  const { code, message } = facts.error;
  return {
    code,
    severity: 'warning',
    message: `Destination "${facts.destination}" is off air: ${message} It reconnects by itself.`,
    remediation: CODES[code].remediation,
  };
}

/** A destination has failed many times in a row; it keeps retrying every minute. */
export function destinationFailingAlert(facts: {
  destination: string;
  consecutiveFailures: number;
  lastError: OutputFailureFacts;
}): AlertText {
  const { code, message } = facts.lastError;
  return {
    code,
    severity: 'error',
    message: `Destination "${facts.destination}" has failed ${facts.consecutiveFailures} times in a row: ${message} It keeps retrying every minute.`,
    remediation: CODES[code].remediation,
  };
}

export interface SessionRestartFacts {
  destination: string;
  /** How long the session ran, in words ("8 h"). */
  ran: string;
  /** The platform's name ("Facebook"). */
  platformLabel: string;
  platform: string;
  limitHours: number;
  /** The limit is the operator's setting, not the platform's own. */
  operatorLimit: boolean;
}

/** A planned new live session before the platform's time limit. */
export function destinationSessionRestartedAlert(facts: SessionRestartFacts): AlertText {
  const limit = facts.operatorLimit
    ? `its session limit is ${facts.limitHours} h`
    : `${facts.platformLabel} ends a live video after ${facts.limitHours} h`;
  return {
    code: 'DESTINATION_SESSION_RESTARTED',
    severity: alertSeverity('DESTINATION_SESSION_RESTARTED'),
    message:
      `Destination "${facts.destination}" started a new live session after ${facts.ran} (${limit}); ` +
      'the other destinations and the recording were not interrupted.',
    remediation:
      facts.platform === 'facebook'
        ? alertRemediation('DESTINATION_SESSION_RESTARTED', 'facebook')
        : alertRemediation('DESTINATION_SESSION_RESTARTED'),
  };
}

/** Free space on the data disk, in words, as the disk check judged it. */
export interface DiskFacts {
  /** "1.2 GB free of 32 GB". */
  words: string;
  /** The space kept free for the database and the system ("500 MB"). */
  reserve: string;
}

/** The data disk is running low (warning) or nearly full (error). */
export function diskSpaceLowAlert(facts: DiskFacts & { full: boolean }): AlertText {
  return {
    code: 'DISK_SPACE_LOW',
    severity: facts.full ? 'error' : 'warning',
    message: facts.full
      ? `The disk is nearly full: ${facts.words}. Below ${facts.reserve} free ` +
        'recording stops and the database may soon be unable to save.'
      : `Disk space is running low: ${facts.words}. The oldest recordings are removed to make room; ` +
        `below ${facts.reserve} free recording stops.`,
    remediation: alertRemediation('DISK_SPACE_LOW'),
  };
}

/** The disk a recording writes to is running low (the recording's own check). */
export function recordingDiskLowAlert(facts: DiskFacts): AlertText {
  return {
    code: 'DISK_SPACE_LOW',
    severity: 'warning',
    message:
      `Disk space is running low: ${facts.words}. The oldest recordings are removed to make room; ` +
      `below ${facts.reserve} free the recording stops.`,
    remediation: alertRemediation('DISK_SPACE_LOW'),
  };
}

/** The recording stopped for a full disk (null: the disk could not be read); the stream goes on. */
export function recordingDiskFullAlert(facts: (DiskFacts & { resumeAt: string }) | null): AlertText {
  return {
    code: 'RECORDING_DISK_FULL',
    severity: alertSeverity('RECORDING_DISK_FULL'),
    message:
      facts !== null
        ? `The recording stopped: only ${facts.words}, and ${facts.reserve} are kept free ` +
          `for the database and the system. The stream goes on; the recording starts again in a new file ` +
          `once ${facts.resumeAt} are free.`
        : 'The recording stopped: the data disk is full. The stream goes on; the recording starts again ' +
          'in a new file once there is room.',
    remediation: alertRemediation('RECORDING_DISK_FULL'),
  };
}

// PTZ -------------------------------------------------------------------------------------------

/**
 * A PTZ camera was not moved for a cue; the cue goes on air with the camera where it points.
 * `remedyCode`: the registry code whose remediation fits (the camera's own error, a missing
 * preset, no ONVIF settings); PTZ_FAILED when there is none better.
 */
export function ptzAlert(facts: { message: string; remedyCode: Code }): AlertText {
  return {
    code: 'PTZ_FAILED',
    severity: alertSeverity('PTZ_FAILED'),
    message: facts.message,
    remediation: CODES[facts.remedyCode].remediation,
  };
}

/** The camera could not be moved to a cue's preset. */
export function ptzMoveFailedAlert(facts: {
  camera: string;
  preset: string;
  cueId: string;
  error: string;
  remedyCode: Code;
}): AlertText {
  return ptzAlert({
    message:
      `${facts.camera} could not be moved to preset "${facts.preset}" for cue "${facts.cueId}": ` +
      `${facts.error}. The cue went on air with the camera where it pointed.`,
    remedyCode: facts.remedyCode,
  });
}

/** The camera's PTZ connection failed: none of its preset cues moves it. */
export function ptzUnreachableAlert(facts: { camera: string; error: string }): AlertText {
  return ptzAlert({
    message: `${facts.camera} cannot be moved to its presets: ${facts.error}. Its cues go on air with the camera where it points.`,
    remedyCode: 'PTZ_FAILED',
  });
}

/** A setup problem (not PTZ, no ONVIF address, an unknown preset). */
export function ptzPresetsUnusedAlert(facts: {
  camera: string;
  why: string;
  presetMissing: boolean;
}): AlertText {
  return ptzAlert({
    message: `${facts.camera} is not moved to the presets its cues name: ${facts.why}. Its cues go on air with the camera where it points.`,
    remedyCode: facts.presetMissing ? 'PRESET_NOT_FOUND' : 'PTZ_NOT_CONFIGURED',
  });
}

// Shows and schedules ---------------------------------------------------------------------------

export interface ShowResumedFacts {
  timelineName: string;
  /** Where it resumed, in words ("12:30 into the timeline"). */
  position: string;
  /** How long it was off air (null: not known). */
  downSeconds: number | null;
  /** The last saved position's wall time, ms (null: none was saved). */
  lastSeenMs: number | null;
  resumedAtMs: number;
}

/** The appliance stopped during a show and resumed it by itself (crash resume). */
export function showResumedAlert(facts: ShowResumedFacts): AlertText {
  const offAir =
    facts.downSeconds === null || facts.lastSeenMs === null
      ? 'for an unknown time (no position was saved before it stopped)'
      : `for about ${formatDuration(facts.downSeconds)} (last on air at ${utcTime(facts.lastSeenMs)} UTC, ` +
        `back at ${utcTime(facts.resumedAtMs)} UTC)`;
  return {
    code: 'SHOW_RESUMED',
    severity: alertSeverity('SHOW_RESUMED'),
    message:
      `The appliance stopped during "${facts.timelineName}" and resumed it by itself at ${facts.position}: ` +
      `the show was off air ${offAir}.`,
    remediation: alertRemediation('SHOW_RESUMED'),
  };
}

/** A scheduled show did not start (the air was taken, …). */
export function scheduleSkippedAlert(facts: { schedule: string; why: string }): AlertText {
  return {
    code: 'SCHEDULE_SKIPPED',
    severity: alertSeverity('SCHEDULE_SKIPPED'),
    message: `Scheduled show "${facts.schedule}" did not start: ${facts.why}.`,
    remediation: alertRemediation('SCHEDULE_SKIPPED'),
  };
}

/** A scheduled show could not start; the scheduler tries again. */
export function scheduleStartFailedAlert(facts: {
  schedule: string;
  timelineId: number;
  why: string;
  retryMs: number;
}): AlertText {
  return {
    code: 'SCHEDULE_START_FAILED',
    severity: alertSeverity('SCHEDULE_START_FAILED'),
    message: `Scheduled show "${facts.schedule}" could not start timeline ${facts.timelineId}: ${facts.why}`,
    remediation: alertRemediation('SCHEDULE_START_FAILED', undefined, {
      retrySeconds: Math.round(facts.retryMs / 1000),
    }),
  };
}

/** A scheduled show went on air although pre-flight checks failed (unattended: it does not wait). */
export function schedulePreflightFailedAlert(facts: {
  schedule: string;
  failedChecks: readonly string[];
}): AlertText {
  return {
    code: 'SCHEDULE_PREFLIGHT_FAILED',
    severity: alertSeverity('SCHEDULE_PREFLIGHT_FAILED'),
    message: `Scheduled show "${facts.schedule}" went on air although pre-flight checks failed: ${facts.failedChecks.join(', ')}.`,
    remediation: alertRemediation('SCHEDULE_PREFLIGHT_FAILED'),
  };
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.max(0, seconds)} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

function utcTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
