// The audio bed as the playout reads it: the timeline's audio track compiled to frame spans (its
// repeated cues written out as copies, as the resolver does for video), and per program frame the
// bed cue on air with its fade, plus what each video cue's own sound does. Pure.
import { cueFrames } from '../../timeline/frames.ts';
import { expandCue } from '../../timeline/repeat.ts';
import { expandRepeats } from '../../timeline/repeat.ts';
import type { SourceAudioMode, Timeline } from '../../timeline/schema.ts';
import { timelinePosition, type CompiledTimeline } from '../../timeline/resolver.ts';
import { fadeFactor } from './gains.ts';

export interface BedCue {
  id: string;
  start: number;
  end: number;
  assetIds: readonly number[];
  loop: boolean;
  volumeDb: number;
  fadeIn: number;
  fadeOut: number;
}

export interface AudioBedPlan {
  fps: number;
  sourceAudio: SourceAudioMode;
  duckDb: number;
  /** Sorted by start; they do not overlap (validation), the later one wins if they do. */
  cues: readonly BedCue[];
  /** A video cue's own choice (cue id as compiled, copies included). */
  videoSourceAudio: ReadonlyMap<string, SourceAudioMode>;
}

/** The bed on air at a frame: which cue, which pass of a looping timeline, and its fade factor. */
export interface BedAt {
  cue: BedCue;
  /** Changes when the cue (or a looping timeline's next pass of it) starts again: a new playlist. */
  instance: string;
  /** The fade's amplitude factor (0…1) at this frame. */
  fade: number;
}

/** The timeline's bed, or null when it has none (no track, disabled, or no cue). */
export function compileAudioBed(written: Timeline): AudioBedPlan | null {
  const track = written.tracks.audio;
  if (!track || !track.enabled || track.cues.length === 0) return null;
  const { fps, duration } = written;
  const cues = track.cues
    .flatMap((cue) => expandCue(cue, duration).map((o) => o.cue))
    .map((cue): BedCue => {
      const span = cueFrames(cue.start_time, cue.duration, fps);
      return {
        id: cue.id,
        ...span,
        assetIds: cue.params.asset_ids,
        loop: cue.params.loop,
        volumeDb: cue.params.volume_db,
        fadeIn: cue.params.fade_in,
        fadeOut: cue.params.fade_out,
      };
    })
    .filter((cue) => cue.end > cue.start)
    .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
  const videoSourceAudio = new Map<string, SourceAudioMode>();
  for (const cue of expandRepeats(written).tracks.video.cues)
    if (cue.params.source_audio) videoSourceAudio.set(cue.id, cue.params.source_audio);
  return { fps, sourceAudio: track.source_audio, duckDb: track.duck_db, cues, videoSourceAudio };
}

/** The bed cue on air at a program frame (null: none, or the timeline has ended). */
export function bedAt(plan: AudioBedPlan, timeline: CompiledTimeline, frame: number): BedAt | null {
  const position = timelinePosition(timeline, frame);
  if (!position) return null;
  const { timelineFrame, iteration } = position;
  let found: BedCue | null = null;
  for (const cue of plan.cues) {
    if (cue.start > timelineFrame) break;
    if (timelineFrame < cue.end) found = cue;
  }
  if (!found) return null;
  const seconds = (timelineFrame - found.start) / plan.fps;
  const length = (found.end - found.start) / plan.fps;
  return {
    cue: found,
    instance: `${found.id}@${iteration}`,
    fade: fadeFactor(seconds, length, found.fadeIn, found.fadeOut),
  };
}

/** The bed cue that starts within `frames` after `frame` (to start its first file ahead). */
export function bedStartingSoon(
  plan: AudioBedPlan,
  timeline: CompiledTimeline,
  frame: number,
  frames: number,
): BedAt | null {
  for (let ahead = 1; ahead <= frames; ahead += Math.max(1, Math.floor(frames / 20))) {
    const at = bedAt(plan, timeline, frame + ahead);
    if (at && at.instance !== bedAt(plan, timeline, frame)?.instance) return at;
  }
  return null;
}

/** What the on-air video cue's own sound does under the bed ('duck' unless it or the track says). */
export function sourceAudioOf(plan: AudioBedPlan, videoCueId: string | null): SourceAudioMode {
  return (videoCueId !== null ? plan.videoSourceAudio.get(videoCueId) : undefined) ?? plan.sourceAudio;
}
