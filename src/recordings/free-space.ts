// Free space on the volume that holds a folder, and what it means for the appliance. Reading is
// one statfs call (cheap enough for every few seconds); the verdict is pure.
import { statfsSync } from 'node:fs';
import { formatBytes, limitsForVolume, type RecordingLimits } from './limits.ts';

export interface DiskSpace {
  /** The folder measured. */
  path: string;
  totalBytes: number;
  /** Free to an unprivileged process (statfs f_bavail): the space ext4 reserves for root does
   *  not count, the appliance runs as its own user. */
  freeBytes: number;
}

/** The volume of `path`; null when it cannot be read (missing folder, unsupported file system). */
export function readDiskSpace(path: string): DiskSpace | null {
  try {
    const s = statfsSync(path);
    return { path, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
  } catch {
    return null;
  }
}

export type DiskLevel = 'ok' | 'low' | 'full';

export interface DiskVerdict {
  level: DiskLevel;
  freeBytes: number;
  totalBytes: number;
  /** Below this the appliance warns and removes the oldest recordings. */
  warnBytes: number;
  /** Below this the recording stops and pre-flight fails. */
  reserveBytes: number;
  /** One sentence with the figures, e.g. "812 MB free of 32 GB on the data disk". */
  words: string;
}

/** 'full' below the reserve, 'low' below the warning level, else 'ok'. */
export function judgeDiskSpace(space: DiskSpace, limits: RecordingLimits): DiskVerdict {
  const { warnBytes, reserveBytes } = limitsForVolume(limits, space.totalBytes);
  const level: DiskLevel =
    space.freeBytes < reserveBytes ? 'full' : space.freeBytes < warnBytes ? 'low' : 'ok';
  return {
    level,
    freeBytes: space.freeBytes,
    totalBytes: space.totalBytes,
    warnBytes,
    reserveBytes,
    words: `${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)} on the data disk`,
  };
}
