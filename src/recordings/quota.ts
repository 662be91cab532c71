// Which recordings to remove (pure): those older than the age limit, then the oldest until the
// rest fit the size quota, then the oldest until enough space is free again. A file being written
// (named in use, or written to lately) is never removed, and only recordings (the recorder's file
// types) are ever considered, with the time-lapse's snapshot days not yet made into a video
// (src/timelapse/snapshot-days.ts): each an item of its own in the same oldest-first order.
import { extname } from 'node:path';

export interface RecordingFile {
  path: string;
  sizeBytes: number;
  /** Wall-clock ms of its last write: a finished part's end. */
  modifiedAt: number;
  /** A folder of one day's time-lapse snapshots (removed whole), not a recording file. */
  snapshotDay?: boolean;
}

export type RemovalReason = 'age' | 'quota' | 'space';

export interface Removal {
  file: RecordingFile;
  reason: RemovalReason;
}

export interface SweepInput {
  files: readonly RecordingFile[];
  /** Wall-clock ms. */
  now: number;
  /** Bytes all recordings may take; 0: no size limit. */
  quotaBytes: number;
  /** 0: no age limit. */
  maxAgeMs: number;
  /** Files being written: kept whatever the limits say. */
  inUse: ReadonlySet<string>;
  /** A file written to this recently (ms) may be being written: kept too. */
  recentMs: number;
  /** Bytes to free on top of the quota (the disk is low); 0: none. */
  bytesToFree: number;
}

export interface SweepPlan {
  /** Oldest first. */
  remove: Removal[];
  /** What the recordings kept take. */
  keptBytes: number;
}

const RECORDING_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.flv']);

/** A file the recorder writes (src/ffmpeg/argv.ts recorderArgs), not a hidden or temporary one. */
export function isRecordingFile(name: string): boolean {
  return !name.startsWith('.') && RECORDING_EXTENSIONS.has(extname(name).toLowerCase());
}

export function planSweep(input: SweepInput): SweepPlan {
  const oldestFirst = [...input.files].sort(
    (a, b) => a.modifiedAt - b.modifiedAt || a.path.localeCompare(b.path),
  );
  const busy = (file: RecordingFile): boolean =>
    input.inUse.has(file.path) || input.now - file.modifiedAt < input.recentMs;
  const remove: Removal[] = [];
  const kept: RecordingFile[] = [];
  for (const file of oldestFirst) {
    const expired = input.maxAgeMs > 0 && input.now - file.modifiedAt > input.maxAgeMs;
    if (expired && !busy(file)) remove.push({ file, reason: 'age' });
    else kept.push(file);
  }
  let keptBytes = kept.reduce((sum, file) => sum + file.sizeBytes, 0);
  let toFree = Math.max(0, input.bytesToFree);
  for (const file of kept.filter((f) => !busy(f))) {
    const overQuota = input.quotaBytes > 0 && keptBytes > input.quotaBytes;
    if (!overQuota && toFree <= 0) break;
    remove.push({ file, reason: overQuota ? 'quota' : 'space' });
    keptBytes -= file.sizeBytes;
    toFree -= file.sizeBytes;
  }
  return { remove, keptBytes };
}
