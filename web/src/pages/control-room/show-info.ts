// What the control room reads once per show from the configuration (not from the live feed):
// the timeline's cue boundaries for the playhead bar and the cameras a force / pin can choose.
import { useEffect, useState } from 'react';
import type { TimelineDocument } from '../../../../src/timeline/schema.ts';
import { api } from '../../api/client.ts';

export interface ShowCamera {
  id: number;
  label: string;
}

export interface ShowInfo {
  durationSeconds: number;
  /** Start times of the video cues after the first (where the program changes source). */
  cueStarts: number[];
  cameras: ShowCamera[];
}

interface TimelineAnswer {
  id: number;
  document: TimelineDocument;
}

interface CameraAnswer {
  id: number;
  name: string;
  backup_camera_id: number | null;
}

export function showInfoFrom(document: TimelineDocument, cameras: readonly CameraAnswer[]): ShowInfo {
  const { timeline } = document;
  const names = new Map(cameras.map((camera) => [camera.id, camera]));
  const ids = new Set<number>();
  for (const cue of timeline.tracks.video.cues)
    if (cue.action === 'show_camera') ids.add(cue.params.camera_id);
  const fallback = timeline.fallback?.backup_camera_id;
  if (typeof fallback === 'number') ids.add(fallback);
  // A camera's backup can be put on air too (the engine knows it as part of the show).
  for (const id of [...ids]) {
    const backup = names.get(id)?.backup_camera_id;
    if (typeof backup === 'number') ids.add(backup);
  }
  return {
    durationSeconds: timeline.duration,
    cueStarts: timeline.tracks.video.cues
      .map((cue) => cue.start_time)
      .filter((start) => start > 0 && start < timeline.duration)
      .sort((a, b) => a - b),
    cameras: [...ids]
      .sort((a, b) => a - b)
      .map((id) => {
        const name = names.get(id)?.name;
        return { id, label: `Camera ${id}${name ? ` (${name})` : ''}` };
      }),
  };
}

/** Loads the timeline of the show on air (again only when another show starts). */
export function useShowInfo(timelineId: number | null, executionId: number | null): ShowInfo | null {
  const [info, setInfo] = useState<{ key: string; info: ShowInfo } | null>(null);
  const key = `${timelineId}:${executionId}`;
  useEffect(() => {
    if (timelineId === null) return;
    const controller = new AbortController();
    Promise.all([
      api.get<TimelineAnswer>(`/api/timelines/${timelineId}`, controller.signal),
      // The cameras' names are a nicety: without them the ids still work.
      api.get<CameraAnswer[]>('/api/cameras', controller.signal).catch(() => []),
    ])
      .then(([timeline, cameras]) => setInfo({ key, info: showInfoFrom(timeline.document, cameras) }))
      .catch(() => {
        // The playhead and the camera choice fall back to what the live feed says.
      });
    return () => controller.abort();
  }, [timelineId, key]);
  return info && info.key === key ? info.info : null;
}
