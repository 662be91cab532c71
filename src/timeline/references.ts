// Which cameras and assets a timeline refers to, and which of them this appliance does not have
// (or, for the audio bed, which are not audio).
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

/** An uploaded asset as the bed's check needs it. */
export interface TypedAsset {
  id: number;
  asset_type: 'image' | 'video' | 'audio';
}

const TYPE_WORDS: Record<TypedAsset['asset_type'], string> = {
  image: 'an image',
  video: 'a video',
  audio: 'audio',
};

/**
 * The audio bed's playlist entries that cannot play: ids not in the library, and assets that are
 * not audio. Refusals (unlike other unknown assets): a bed that names a picture is a mistake, and
 * music cannot be set up afterwards the way a camera can.
 */
export function findBedAssetProblems(timeline: Timeline, assets: readonly TypedAsset[]): TimelineIssue[] {
  const bed = timeline.tracks.audio;
  if (!bed) return [];
  const byId = new Map(assets.map((asset) => [asset.id, asset]));
  const issues: TimelineIssue[] = [];
  bed.cues.forEach((cue, cueIndex) =>
    cue.params.asset_ids.forEach((assetId, index) => {
      const path = `timeline.tracks.audio.cues[${cueIndex}].params.asset_ids[${index}]`;
      const asset = byId.get(assetId);
      if (!asset)
        issues.push({
          path,
          message: `asset ${assetId} is not in the library: upload the audio file on the Media page, or take it off cue "${cue.id}"'s playlist`,
        });
      else if (asset.asset_type !== 'audio')
        issues.push({
          path,
          message: `asset ${assetId} is ${TYPE_WORDS[asset.asset_type]}, not audio: choose an uploaded audio file (MP3, WAV or AAC) for cue "${cue.id}"`,
        });
    }),
  );
  return issues;
}
