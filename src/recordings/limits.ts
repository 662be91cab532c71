// How much disk the recordings may take and how much must stay free (README "Configuration").
// Defaults are sized for the smallest target, a 32 GB SD card that also holds the system:
// - quota: 20 % of the data volume, at most 100 GB (6.4 GB on a 32 GB card: about 6 hours at
//   720p and 2.5 Mbit/s, 1.1 GB an hour), and nothing older than 30 days;
// - a file per 60 minutes, so the oldest hour can go while the newest is written;
// - warning below min(3 GB, 10 % of the volume) free: an alert, a health warning, pre-flight
//   warns, and the oldest recordings are removed to get back above it;
// - reserve min(1 GB, 5 % of the volume): below it the recording stops (the stream goes on) so the
//   database, the logs and the system always have room; pre-flight fails.
// A smaller volume gets proportionally smaller thresholds (a 64 MB test folder keeps 3.2 MB).
import { resolve } from 'node:path';

const GB = 1e9;
const MB = 1e6;
const DAY_MS = 86_400_000;

export interface RecordingLimits {
  /** The appliance's recordings folder: the only folder whose files the quota removes. */
  folder: string;
  /** Bytes all recordings may take; null: 20 % of the data volume, at most 100 GB; 0: no size limit. */
  quotaBytes: number | null;
  /** Recordings older than this (by their last write) are removed; 0: no age limit. */
  maxAgeMs: number;
  /** A recording continues in a new file after this long (cut at a keyframe). */
  fileMs: number;
  /** Free space below which the recording stops; null: min(1 GB, 5 % of the volume). */
  reserveBytes: number | null;
  /** Free space below which the appliance warns and removes the oldest recordings; null: min(3 GB,
   *  10 % of the volume). */
  warnBytes: number | null;
}

/** The thresholds for one volume, in bytes. */
export interface VolumeLimits {
  quotaBytes: number;
  maxAgeMs: number;
  reserveBytes: number;
  warnBytes: number;
}

export const DEFAULT_QUOTA_SHARE = 0.2;
export const DEFAULT_QUOTA_CAP_BYTES = 100 * GB;
export const DEFAULT_MAX_AGE_DAYS = 30;
export const DEFAULT_FILE_MINUTES = 60;
export const DEFAULT_RESERVE = { bytes: 1 * GB, share: 0.05 } as const;
export const DEFAULT_WARN = { bytes: 3 * GB, share: 0.1 } as const;

/** The environment variables (and config file keys, see src/config.ts) of these limits. */
export const RECORDING_ENV = {
  quotaGb: 'VISTTER_RECORDINGS_QUOTA_GB',
  maxAgeDays: 'VISTTER_RECORDINGS_MAX_AGE_DAYS',
  fileMinutes: 'VISTTER_RECORDINGS_FILE_MINUTES',
  reserveMb: 'VISTTER_DISK_RESERVE_MB',
  warnMb: 'VISTTER_DISK_WARN_MB',
} as const;

export class RecordingLimitsError extends Error {}

/**
 * The limits from the environment (the config file's keys are in it after boot-env). Throws
 * RecordingLimitsError naming the variable for a bad value.
 */
export function recordingLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): RecordingLimits {
  const number = (name: string, min: number, positive: boolean): number | null => {
    const text = env[name];
    if (text === undefined || text.trim() === '') return null;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || (positive && value === 0))
      throw new RecordingLimitsError(
        `${name} must be a ${positive ? 'positive ' : ''}number${positive ? '' : ' (0 = no limit)'}, got "${text}"`,
      );
    return value;
  };
  const quotaGb = number(RECORDING_ENV.quotaGb, 0, false);
  const maxAgeDays = number(RECORDING_ENV.maxAgeDays, 0, false);
  const fileMinutes = number(RECORDING_ENV.fileMinutes, 1, true);
  const reserveMb = number(RECORDING_ENV.reserveMb, 0, false);
  const warnMb = number(RECORDING_ENV.warnMb, 0, false);
  if (reserveMb !== null && warnMb !== null && warnMb < reserveMb)
    throw new RecordingLimitsError(
      `${RECORDING_ENV.warnMb} (${warnMb}) must not be below ${RECORDING_ENV.reserveMb} (${reserveMb})`,
    );
  return {
    folder: resolve(env['VISTTER_DATA_DIR'] ?? 'data', 'recordings'),
    quotaBytes: quotaGb === null ? null : quotaGb * GB,
    maxAgeMs: (maxAgeDays ?? DEFAULT_MAX_AGE_DAYS) * DAY_MS,
    fileMs: (fileMinutes ?? DEFAULT_FILE_MINUTES) * 60_000,
    reserveBytes: reserveMb === null ? null : reserveMb * MB,
    warnBytes: warnMb === null ? null : warnMb * MB,
  };
}

/** The limits in bytes for a volume of `volumeBytes` (the defaults scale with it). */
export function limitsForVolume(limits: RecordingLimits, volumeBytes: number): VolumeLimits {
  const volume = Math.max(0, volumeBytes);
  const share = (fraction: number): number => Math.round(volume * fraction);
  const reserveBytes = limits.reserveBytes ?? Math.min(DEFAULT_RESERVE.bytes, share(DEFAULT_RESERVE.share));
  const warnBytes = Math.max(
    reserveBytes,
    limits.warnBytes ?? Math.min(DEFAULT_WARN.bytes, share(DEFAULT_WARN.share)),
  );
  return {
    quotaBytes: limits.quotaBytes ?? Math.min(DEFAULT_QUOTA_CAP_BYTES, share(DEFAULT_QUOTA_SHARE)),
    maxAgeMs: limits.maxAgeMs,
    reserveBytes,
    warnBytes,
  };
}

/** "812 MB", "6.4 GB": decimal units, as disks are sold and `df -H` shows them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 10 * GB) return `${Math.round(bytes / GB)} GB`;
  if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GB`;
  if (bytes >= 10 * MB) return `${Math.round(bytes / MB)} MB`;
  return `${(bytes / MB).toFixed(1)} MB`;
}
