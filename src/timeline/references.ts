// Which cameras and assets a timeline refers to, and which of them this appliance does not have.
import type { Timeline } from './schema.ts';
import type { TimelineIssue } from './validate.ts';

export interface KnownIds {
  cameraIds: ReadonlySet<number>;
  assetIds: ReadonlySet<number>;
}

export function findUnknownReferences(timeline: Timeline, known: KnownIds): TimelineIssue[] {
  const issues: TimelineIssue[] = [];
  const camera = (id: number, path: string) => {
    if (!known.cameraIds.has(id))
      issues.push({ path, message: `camera ${id} is not configured on this appliance` });
  };
  const asset = (id: number | undefined, path: string) => {
    if (id !== undefined && !known.assetIds.has(id))
      issues.push({ path, message: `asset ${id} is not in the library` });
  };
  timeline.tracks.video.cues.forEach((cue, index) => {
    const path = `timeline.tracks.video.cues[${index}].params`;
    if (cue.action === 'show_camera') camera(cue.params.camera_id, `${path}.camera_id`);
    else asset(cue.params.asset_id, `${path}.asset_id`);
  });
  timeline.tracks.overlays.forEach((track, trackIndex) =>
    track.cues.forEach((cue, index) => {
      if ('asset_id' in cue.params) {
        asset(cue.params.asset_id, `timeline.tracks.overlays[${trackIndex}].cues[${index}].params.asset_id`);
      }
    }),
  );
  if (timeline.fallback?.backup_camera_id !== undefined) {
    camera(timeline.fallback.backup_camera_id, 'timeline.fallback.backup_camera_id');
  }
  return issues;
}
