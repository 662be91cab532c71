// The health check (pure): what the engine and the machine report → healthy / degraded / unhealthy
// with plain-English warnings and errors that say what to do. Any error makes the appliance
// unhealthy (viewers are affected now); any warning makes it degraded (it copes, but needs a look).
import type { SupervisorState } from '../process/supervisor.ts';
import type { DiskVerdict } from '../recordings/free-space.ts';
import { formatBytes } from '../recordings/limits.ts';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthReport {
  status: HealthStatus;
  warnings: string[];
  errors: string[];
}

/**
 * A publisher's state as the operator sees it: `connecting` (first connect), `live` (sending),
 * `retrying` (lost, reconnecting with backoff), `failing` (many retries in a row; still retrying,
 * but slowly), `stopped` (switched off on purpose).
 */
export type DestinationState = 'connecting' | 'live' | 'retrying' | 'failing' | 'stopped';

export interface DestinationHealthInput {
  id: string;
  /** Safe to show: never the URL or stream key. */
  name: string;
  state: DestinationState;
  /** Measured send rate over the last few seconds; null before it can be measured. */
  bitrateKbps: number | null;
  /** Bytes written to this destination since the show started. */
  bytesSent: number;
  /** How full this publisher's send queue is (0–100): high means its uplink cannot keep up. */
  bufferFullnessPercent: number | null;
  /** How long it has been in `state`, seconds (for the connecting grace); defaults to the uptime. */
  stateSeconds?: number;
}

export interface SourceHealthInput {
  /** The source key ("camera:2", "media:…", "slate"). */
  key: string;
  /** Shown in messages when given ("Camera 2 (stage left)"); otherwise "camera:2" reads "Camera 2". */
  name?: string;
  /** Its decoder process's state. */
  state: SupervisorState;
  /** ms since its last complete frame; null before the first. */
  frameAgeMs: number | null;
}

/** What is on air instead of what the timeline scheduled. */
export interface FallbackInput {
  /** `none`: as scheduled; `backup`: the scheduled camera's backup; `slate`: the "be right back" card. */
  mode: 'none' | 'backup' | 'slate';
  /** Name of the source the timeline wants on air. */
  scheduled?: string;
  /** Name of the backup camera on air (mode `backup`). */
  replacement?: string;
}

export interface HealthInput {
  /** A show is running (the playout loop ticks). When false, only the machine and alerts are checked. */
  running: boolean;
  /** Seconds since the show started. */
  uptimeSeconds: number;
  fps: {
    /** Frames per second actually written lately (a RateMeter over playout ticks); null before measured. */
    actual: number | null;
    /** The timeline's frame rate. */
    target: number;
  };
  ticks: {
    /** Ticks since the start. */
    total: number;
    /** Ticks written more than one frame interval late, since the start. */
    late: number;
    /** Late ticks per second lately; null before measured. */
    latePerSecond: number | null;
  };
  droppedFrames: {
    /** Frames the encoder never got (behind or restarting), since the start. */
    total: number;
    /** Dropped per second lately; null before measured. */
    perSecond: number | null;
  };
  encoder: {
    state: SupervisorState;
    restarts: number;
    /** The encoder process's share of the whole machine (0–100); null before measured. */
    cpuPercent: number | null;
    /** Frames waiting in the encoder's input (its backlog in bytes ÷ bytes per frame). */
    backlogFrames: number;
    /** Encoder CPU time per frame lately, ms (its CPU ms over frames written); null before measured. */
    encodeMsPerFrame: number | null;
  };
  bitrate: {
    /** What the encoder produces lately, kb/s; null before measured. */
    currentKbps: number | null;
    /** The configured video + audio bitrate, kb/s. */
    targetKbps: number;
  };
  destinations: readonly DestinationHealthInput[];
  sources: readonly SourceHealthInput[];
  fallback: FallbackInput;
  degraded: {
    /** 0 = full quality; each level gives something up (bitrate, overlays, frame rate) to keep going. */
    level: number;
    /** Why, in words ("high CPU"). */
    reason?: string;
  };
  system: {
    /** Busy share of the whole machine (0–100); null before measured. */
    cpuPercent: number | null;
    /** CPU temperature; null when the machine exposes none. */
    temperatureC: number | null;
    /** The data folder's disk judged against the recording limits (judgeDiskSpace); absent or
     *  null when not measured. */
    disk?: DiskVerdict | null;
  };
  /** Open alerts per severity (AlertCenter.counts()). */
  alerts: Record<'info' | 'warning' | 'error' | 'critical', number>;
}

/** The encoder alone using this much of the machine leaves too little for decoders and publishers. */
export const ENCODER_CPU_WARN_PERCENT = 80;
/** Spec: more than 5 dropped frames per second is visible stutter. */
export const DROPPED_FRAMES_ERROR_PER_SECOND = 5;
/** Any dropped frame lately is worth a look. */
export const DROPPED_FRAMES_WARN_PER_SECOND = 0;
export const LATE_TICKS_WARN_PER_SECOND = 1;
/** Output frame rate below these shares of the target: a warning, then an error. */
export const FPS_WARN_RATIO = 0.95;
export const FPS_ERROR_RATIO = 0.75;
/** Encoder input backlog, in seconds of frames (it starts dropping at half a second). */
export const ENCODER_BACKLOG_WARN_SECONDS = 0.25;
export const ENCODER_RESTARTS_WARN = 3;
/** Bitrate below this share of the target (CBR should hold it) means the encoder is starved. */
export const BITRATE_LOW_RATIO = 0.5;
/** The first seconds of a show: processes start, rates are not yet meaningful. */
export const WARMUP_SECONDS = 15;
/** How long a destination may take to connect before it is reported. */
export const CONNECTING_GRACE_SECONDS = 30;
/** A publisher queue this full is about to drop video for that destination. */
export const PUBLISHER_BUFFER_WARN_PERCENT = 75;
/** A source this long without a frame has a problem (playout shows the slate after ~1 s on air). */
export const SOURCE_STALE_WARN_MS = 3000;
/** Raspberry Pi 5 starts throttling at 80–85 °C. */
export const TEMPERATURE_WARN_C = 75;
export const TEMPERATURE_ERROR_C = 85;

export function evaluateHealth(input: HealthInput): HealthReport {
  const warnings: string[] = [];
  const errors: string[] = [];
  if (input.running) checkShow(input, warnings, errors);
  checkMachine(input, warnings, errors);
  checkAlerts(input, warnings, errors);
  const status: HealthStatus = errors.length > 0 ? 'unhealthy' : warnings.length > 0 ? 'degraded' : 'healthy';
  return { status, warnings, errors };
}

function checkShow(input: HealthInput, warnings: string[], errors: string[]): void {
  const warm = input.uptimeSeconds >= WARMUP_SECONDS;

  // What viewers see.
  const { fallback } = input;
  if (fallback.mode === 'slate') {
    errors.push(
      `The "we'll be right back" slate is on air: ${fallback.scheduled ?? 'the scheduled source'} has no picture and no backup is ready. ` +
        'Check the camera’s power and network cable; the show switches back by itself.',
    );
  } else if (fallback.mode === 'backup') {
    warnings.push(
      `${fallback.scheduled ?? 'The scheduled camera'} is off air; its backup ${fallback.replacement ?? 'camera'} is on air. ` +
        `Check ${fallback.scheduled ?? 'the camera'}’s power and network; the show returns to it by itself.`,
    );
  }

  // Output rate.
  const { actual, target } = input.fps;
  if (warm && actual !== null && target > 0) {
    if (actual < target * FPS_ERROR_RATIO) {
      errors.push(
        `Only ${round(actual)} of ${target} frames per second go out: the machine is overloaded. ` +
          'Lower the resolution or frame rate, or remove an output.',
      );
    } else if (actual < target * FPS_WARN_RATIO) {
      warnings.push(
        `${round(actual)} of ${target} frames per second go out: the machine is short of CPU. ` +
          'Lower the resolution or remove an output if it persists.',
      );
    }
  }
  const dropped = input.droppedFrames.perSecond;
  if (dropped !== null && dropped > DROPPED_FRAMES_ERROR_PER_SECOND) {
    errors.push(
      `Dropping ${round(dropped)} frames per second: viewers see stutter. ` +
        'Lower the bitrate or resolution, or choose a faster encoder preset in Settings → Encoder.',
    );
  } else if (dropped !== null && dropped > DROPPED_FRAMES_WARN_PER_SECOND) {
    warnings.push(
      `Dropping ${round(dropped, 1)} frames per second. If it continues, lower the bitrate or resolution.`,
    );
  }
  const late = input.ticks.latePerSecond;
  if (late !== null && late > LATE_TICKS_WARN_PER_SECOND) {
    warnings.push(
      `The program clock runs late (${round(late, 1)} late frames per second): the machine is short of CPU. ` +
        'Close other programs or remove an output.',
    );
  }

  checkEncoder(input, warm, warnings, errors);

  const { currentKbps, targetKbps } = input.bitrate;
  if (warm && currentKbps !== null && targetKbps > 0 && currentKbps < targetKbps * BITRATE_LOW_RATIO) {
    warnings.push(
      `The encoder produces ${round(currentKbps)} kb/s of its ${round(targetKbps)} kb/s target: ` +
        'it is not getting frames fast enough. Check the encoder lines in Log (filter: encoder).',
    );
  }

  for (const destination of input.destinations) checkDestination(input, destination, warnings, errors);
  for (const source of input.sources) checkSource(source, warm, warnings);

  if (input.degraded.level > 0) {
    warnings.push(
      `Running at reduced quality (level ${input.degraded.level}${input.degraded.reason ? `, because of ${input.degraded.reason}` : ''}). ` +
        'Full quality returns by itself once the cause is gone.',
    );
  }
}

function checkEncoder(input: HealthInput, warm: boolean, warnings: string[], errors: string[]): void {
  const { encoder, fps } = input;
  // At start the encoder is legitimately still starting; later anything but running is an outage.
  if (encoder.state === 'failed') {
    errors.push(
      `The encoder has stopped and gave up restarting (${plural(encoder.restarts, 'restart')}): every destination is waiting. ` +
        'Restart the show; if it fails again, look at the encoder lines in Log (filter: encoder).',
    );
  } else if (encoder.state !== 'running' && (warm || encoder.state === 'backoff')) {
    errors.push(
      `The encoder is not running (${encoder.state}, ${plural(encoder.restarts, 'restart')} so far): every destination is waiting. ` +
        'It restarts by itself; if this repeats, look at the encoder lines in Log (filter: encoder).',
    );
  } else if (encoder.restarts >= ENCODER_RESTARTS_WARN) {
    warnings.push(
      `The encoder has restarted ${plural(encoder.restarts, 'time')} during this show. Look at the encoder lines in Log (filter: encoder).`,
    );
  }
  if (fps.target > 0 && encoder.backlogFrames / fps.target >= ENCODER_BACKLOG_WARN_SECONDS) {
    warnings.push(
      `The encoder is falling behind (${round(encoder.backlogFrames / fps.target, 2)} s of frames waiting). ` +
        'Choose a faster encoder preset in Settings → Encoder, or lower the resolution.',
    );
  }
  if (encoder.cpuPercent !== null && encoder.cpuPercent >= ENCODER_CPU_WARN_PERCENT) {
    warnings.push(
      `The encoder uses ${round(encoder.cpuPercent)} % of the machine. ` +
        'Choose a faster encoder preset in Settings → Encoder, or lower the resolution to leave room for cameras.',
    );
  }
}

function checkDestination(
  input: HealthInput,
  destination: DestinationHealthInput,
  warnings: string[],
  errors: string[],
): void {
  const { name } = destination;
  switch (destination.state) {
    case 'live':
      if (
        destination.bufferFullnessPercent !== null &&
        destination.bufferFullnessPercent >= PUBLISHER_BUFFER_WARN_PERCENT
      ) {
        warnings.push(
          `${name} cannot keep up (its send buffer is ${round(destination.bufferFullnessPercent)} % full). ` +
            'Check the upload speed of the internet connection, or lower the bitrate.',
        );
      }
      return;
    case 'connecting': {
      const seconds = destination.stateSeconds ?? input.uptimeSeconds;
      if (seconds >= CONNECTING_GRACE_SECONDS) {
        warnings.push(
          `${name} is still connecting after ${round(seconds)} s. Check the internet connection and the server address.`,
        );
      }
      return;
    }
    case 'retrying':
      errors.push(
        `${name} is disconnected and reconnecting by itself; its viewers see nothing meanwhile. ` +
          'If it lasts, check the internet connection.',
      );
      return;
    case 'failing':
      errors.push(
        `${name} keeps failing to connect (it still retries). ` +
          'Check its stream key and that a live event is set up on the platform.',
      );
      return;
    case 'stopped':
      return;
  }
}

function checkSource(source: SourceHealthInput, warm: boolean, warnings: string[]): void {
  const name = source.name ?? sourceLabel(source.key);
  if (source.state === 'failed') {
    warnings.push(`${name} has stopped and gave up restarting. Check it, then restart the show.`);
    return;
  }
  if (source.state === 'idle' || source.state === 'stopping' || source.state === 'stopped') return;
  const stale =
    source.frameAgeMs === null
      ? warm && source.state !== 'starting'
      : source.frameAgeMs >= SOURCE_STALE_WARN_MS;
  if (source.state === 'backoff' || stale) {
    const since = source.frameAgeMs === null ? '' : ` for ${round(source.frameAgeMs / 1000)} s`;
    warnings.push(
      `${name} has sent no picture${since} and is reconnecting. Check its power and network cable.`,
    );
  }
}

function checkMachine(input: HealthInput, warnings: string[], errors: string[]): void {
  // A busy CPU on its own is not the show's problem (a Pi 5 encoding in software is always
  // busy): the show's own symptoms above say when it suffers. The control room shows the figure
  // beside degraded mode (quality.warnings).
  const { temperatureC } = input.system;
  if (temperatureC !== null && temperatureC >= TEMPERATURE_ERROR_C) {
    errors.push(
      `The CPU is at ${round(temperatureC)} °C and slows itself down. Improve the cooling (fan, airflow, out of the sun).`,
    );
  } else if (temperatureC !== null && temperatureC >= TEMPERATURE_WARN_C) {
    warnings.push(
      `The CPU is at ${round(temperatureC)} °C, close to slowing itself down. Check the fan and the airflow around the appliance.`,
    );
  }
  checkDisk(input.system.disk ?? null, warnings, errors);
}

/** The data disk alone (the appliance with nothing on air: the rest is not measured then). */
export function evaluateDisk(disk: DiskVerdict | null): HealthReport {
  const warnings: string[] = [];
  const errors: string[] = [];
  checkDisk(disk, warnings, errors);
  const status: HealthStatus = errors.length > 0 ? 'unhealthy' : warnings.length > 0 ? 'degraded' : 'healthy';
  return { status, warnings, errors };
}

// The levels are the recording limits' (src/recordings/limits.ts): below the warning level the
// oldest recordings are removed; below the reserve a recording stops so the database keeps room.
function checkDisk(disk: DiskVerdict | null, warnings: string[], errors: string[]): void {
  if (disk === null) return;
  const remedy =
    'Copy the recordings you want to keep off the appliance and delete them, or delete media you no longer use.';
  if (disk.level === 'full') {
    errors.push(
      `The disk is nearly full (${disk.words}): recording stops below ${formatBytes(disk.reserveBytes)} ` +
        `free so the database can still save. ${remedy}`,
    );
  } else if (disk.level === 'low') {
    warnings.push(
      `Disk space is running low (${disk.words}): the oldest recordings are being removed, and below ` +
        `${formatBytes(disk.reserveBytes)} free recording stops. ${remedy}`,
    );
  }
}

function checkAlerts(input: HealthInput, warnings: string[], errors: string[]): void {
  const { critical, error } = input.alerts;
  if (critical > 0) {
    errors.push(
      `${plural(critical, 'critical alert')} ${isAre(critical)} open. Read the alerts list for what to do.`,
    );
  }
  if (error > 0) {
    warnings.push(
      `${plural(error, 'error alert')} ${isAre(error)} open. Read the alerts list for what to do.`,
    );
  }
}

/** "camera:2" → "Camera 2"; other keys are shown as they are. */
function sourceLabel(key: string): string {
  const camera = /^camera:(\d+)$/.exec(key);
  return camera ? `Camera ${camera[1]}` : `Source ${key}`;
}

function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function isAre(count: number): string {
  return count === 1 ? 'is' : 'are';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
