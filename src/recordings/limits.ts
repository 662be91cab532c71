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

/** The recording settings as the configuration gives them (src/config.ts, README
 *  "Configuration"); a setting left out takes its default. */
export interface RecordingSettings {
  recordingsQuotaGb?: number;
  recordingsMaxAgeDays?: number;
  recordingsFileMinutes?: number;
  diskReserveMb?: number;
  diskWarnMb?: number;
}

/** The limits of the recordings under `<dataDir>/recordings`, from settings already validated. */
export function recordingLimitsOf(settings: RecordingSettings, dataDir: string): RecordingLimits {
  return {
    folder: resolve(dataDir, 'recordings'),
    quotaBytes: settings.recordingsQuotaGb === undefined ? null : settings.recordingsQuotaGb * GB,
    maxAgeMs: (settings.recordingsMaxAgeDays ?? DEFAULT_MAX_AGE_DAYS) * DAY_MS,
    fileMs: (settings.recordingsFileMinutes ?? DEFAULT_FILE_MINUTES) * 60_000,
    reserveBytes: settings.diskReserveMb === undefined ? null : settings.diskReserveMb * MB,
    warnBytes: settings.diskWarnMb === undefined ? null : settings.diskWarnMb * MB,
  };
}

/** Nothing configured: the defaults, for a show started without the appliance's configuration
 *  (tests, tools); the appliance hands its configured limits down. */
export function defaultRecordingLimits(dataDir = 'data'): RecordingLimits {
  return recordingLimitsOf({}, dataDir);
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
