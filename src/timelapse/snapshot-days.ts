// The time-lapse's snapshot days as the recordings quota sees them. A day's JPEGs stay on disk
// until its video is made; a crash loop or an encode that keeps failing would let them pile up
// outside the quota, so the housekeeper's sweep counts each day folder as one item beside the
// recordings: its size is its files', its date its newest snapshot's, and it is removed whole,
// oldest first with the recordings (README "Time-lapse"). Today's folder is spared while snapshots
// are written to it (a recent write), and a day whose video is being made is spared until the
// encode ends (held here: the sweep and the encode run in this one process).
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TIMELAPSE_DAY } from '../domain/timelapse.ts';
import type { RecordingFile } from '../recordings/quota.ts';

/** The folder holding the snapshots of every day. */
export function snapshotsRoot(dataDir: string): string {
  return join(dataDir, 'timelapse');
}

/** Day folders an encode is reading now (absolute paths). */
const beingEncoded = new Set<string>();

/** Keeps a day's folder from the quota while its video is made; call the answer when done. */
export function holdForEncode(folder: string): () => void {
  const path = resolve(folder);
  beingEncoded.add(path);
  return () => beingEncoded.delete(path);
}

export interface SnapshotDayUsage {
  /** One per day folder (snapshotDay: true), sized and dated by its files. */
  days: RecordingFile[];
  /** Those an encode is reading: never removed. */
  inUse: string[];
}

/** Every day folder under `root` with what it takes; none when there is no folder. */
export async function snapshotDayUsage(root: string): Promise<SnapshotDayUsage> {
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return { days: [], inUse: [] };
  }
  const days: RecordingFile[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !TIMELAPSE_DAY.test(entry.name)) continue;
    const path = resolve(root, entry.name);
    try {
      const folder = await lstat(path);
      let sizeBytes = 0;
      let modifiedAt = folder.mtimeMs;
      for (const name of await readdir(path)) {
        const file = await lstat(join(path, name)).catch(() => null);
        if (!file?.isFile()) continue;
        sizeBytes += file.size;
        modifiedAt = Math.max(modifiedAt, file.mtimeMs);
      }
      days.push({ path, sizeBytes, modifiedAt, snapshotDay: true });
    } catch {
      // removed meanwhile (encoded)
    }
  }
  return { days, inUse: days.map((day) => day.path).filter((path) => beingEncoded.has(path)) };
}
