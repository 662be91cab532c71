// Which camera stands in for which. The spec's rule: a camera's own backup, else the timeline's
// `fallback.backup_camera_id` ("the backup for any camera of that timeline without its own").
// One rule for the show runner, pre-flight and the capacity check, so they never disagree.
import type { Timeline } from '../timeline/schema.ts';

/** The backup to try for a camera, or null. */
export type BackupOf = (cameraId: number) => number | null;

export interface BackupCamera {
  backup_camera_id: number | null;
}

/** The backup configured for a camera (its own, else the timeline's), whether or not it exists. */
export function configuredBackup(
  cameraId: number,
  cameras: ReadonlyMap<number, BackupCamera>,
  timeline: Pick<Timeline, 'fallback'>,
): { cameraId: number; shared: boolean } | null {
  const own = cameras.get(cameraId)?.backup_camera_id ?? null;
  if (own !== null) return { cameraId: own, shared: false };
  const shared = timeline.fallback?.backup_camera_id;
  return shared !== undefined && shared !== cameraId ? { cameraId: shared, shared: true } : null;
}

/**
 * The backup rule over the cameras the show can use (`usable`: the enabled ones, by id): a
 * configured backup that is not among them is no backup, as the engine could not decode it.
 */
export function backupRule(
  usable: ReadonlyMap<number, BackupCamera>,
  timeline: Pick<Timeline, 'fallback'>,
): BackupOf {
  return (cameraId) => {
    const backup = configuredBackup(cameraId, usable, timeline)?.cameraId ?? null;
    return backup !== null && usable.has(backup) ? backup : null;
  };
}
