// The resolver: a pure function of (timeline, frame) → what is on air. No clock, no I/O.
//
// Rules (documented in README "Timeline rules"):
// - Times become frames by `secondsToFrame` (frames.ts); a cue covers [start, end).
// - A transition of D frames into a cue starting at frame s shows progress (k+1)/D on frame s+k
//   (k = 0…D−1): the change is visible on the cue's first frame and complete on its D-th frame.
//   It blends from whatever was on air on the frame before s: the previous cue's source, the slate
//   in a gap, black at the very start of a show, or the timeline's last frame when a loop wraps.
// - A gap in the video track shows the slate (the fallback test pattern, else the built-in one).
// - Overlay opacity = opacity × fade factor; fading in over F frames the factor on frame k is
//   (k+1)/F; fading out over G frames the factor with r frames left (r = 1…G) is r/G.
// - A looping timeline of D frames maps frame n to n mod D; a non-looping one ends at D.
// - A cue with `repeat` plays as its copies written out (repeat.ts, expandRepeats).
import { cueFrames, secondsToFrame } from './frames.ts';
import { expandRepeats } from './repeat.ts';
import { parseResolution, type OverlayParams, type Timeline } from './schema.ts';

export type VideoSource =
  | { kind: 'camera'; cameraId: number }
  | { kind: 'media'; mediaUrl?: string; assetId?: number; mediaType: 'image' | 'video'; loop: boolean }
  | { kind: 'slate'; testPattern?: string }
  | { kind: 'black' };

/** A stable identity for a source: one decoder serves every cue with the same key. */
export function sourceKey(source: VideoSource): string {
  switch (source.kind) {
    case 'camera':
      return `camera:${source.cameraId}`;
    case 'media':
      return source.assetId !== undefined ? `media:asset:${source.assetId}` : `media:url:${source.mediaUrl}`;
    case 'slate':
      return 'slate';
    case 'black':
      return 'black';
  }
}

export interface TransitionState {
  type: 'fade' | 'dissolve';
  from: VideoSource;
  /** 0 < progress ≤ 1: the share of the incoming source at this frame. */
  progress: number;
  /** This frame's index within the transition (0-based) and the transition's length in frames. */
  frame: number;
  frames: number;
}

export interface VideoState {
  source: VideoSource;
  /** The cue on air; null in a gap (the slate is shown). */
  cueId: string | null;
  presetId: string | number | null;
  /** Frames since this cue (or gap) began, and frames until it ends. */
  elapsedFrames: number;
  framesLeft: number;
  secondsLeft: number;
  transition: TransitionState | null;
}

export interface ActiveOverlay {
  trackId: string;
  layer: number;
  cueId: string;
  params: OverlayParams;
  /** Final opacity at this frame (0…1): params.opacity × fade in/out. */
  opacity: number;
  elapsedFrames: number;
  framesLeft: number;
  secondsLeft: number;
}

export interface ProgramState {
  /** Frame index since the show started. */
  frame: number;
  /** Position within the timeline, in frames: [0, durationFrames). */
  timelineFrame: number;
  /** How many times a looping timeline has wrapped before this frame. */
  iteration: number;
  /** A non-looping timeline has run to its end. */
  ended: boolean;
  video: VideoState;
  /** Active overlays, bottom layer first (draw in this order). */
  overlays: ActiveOverlay[];
}

interface CompiledVideoCue {
  id: string;
  start: number;
  end: number;
  source: VideoSource;
  presetId: string | number | null;
  transition: 'cut' | 'fade' | 'dissolve';
  transitionFrames: number;
}

interface CompiledOverlayCue {
  id: string;
  start: number;
  end: number;
  params: OverlayParams;
  fadeInFrames: number;
  fadeOutFrames: number;
}

interface CompiledOverlayTrack {
  trackId: string;
  layer: number;
  cues: CompiledOverlayCue[];
}

export interface CompiledTimeline {
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly durationFrames: number;
  readonly loop: boolean;
  readonly slate: VideoSource;
  readonly video: readonly CompiledVideoCue[];
  readonly overlayTracks: readonly CompiledOverlayTrack[];
}

function byStartThenId<T extends { start: number; id: string }>(a: T, b: T): number {
  return a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Turns a validated timeline into frame-indexed, sorted cue lists (input order does not matter).
 * Repeated cues are compiled as their copies (ids `<id>#k`), so everything downstream sees them.
 */
export function compileTimeline(written: Timeline): CompiledTimeline {
  const timeline = expandRepeats(written);
  const { fps } = timeline;
  const [width, height] = parseResolution(timeline.resolution);
  const slate: VideoSource = timeline.fallback?.test_pattern
    ? { kind: 'slate', testPattern: timeline.fallback.test_pattern }
    : { kind: 'slate' };

  const video = timeline.tracks.video.cues
    .map((cue): CompiledVideoCue => {
      const span = cueFrames(cue.start_time, cue.duration, fps);
      const params = cue.params;
      const source: VideoSource =
        cue.action === 'show_camera'
          ? { kind: 'camera', cameraId: cue.params.camera_id }
          : {
              kind: 'media',
              ...(cue.params.asset_id !== undefined ? { assetId: cue.params.asset_id } : {}),
              ...(cue.params.media_url !== undefined ? { mediaUrl: cue.params.media_url } : {}),
              mediaType: cue.params.media_type,
              loop: cue.params.loop,
            };
      return {
        id: cue.id,
        ...span,
        source,
        presetId: cue.action === 'show_camera' ? (cue.params.preset_id ?? null) : null,
        transition: params.transition,
        transitionFrames:
          params.transition === 'cut'
            ? 0
            : Math.min(span.end - span.start, Math.max(1, secondsToFrame(params.transition_duration, fps))),
      };
    })
    .sort(byStartThenId);

  const overlayTracks = timeline.tracks.overlays
    .filter((track) => track.enabled)
    .map((track): CompiledOverlayTrack => ({
      trackId: track.track_id,
      layer: track.layer,
      cues: track.cues
        .map((cue) => ({
          id: cue.id,
          ...cueFrames(cue.start_time, cue.duration, fps),
          params: cue.params,
          fadeInFrames: secondsToFrame(cue.params.fade_in, fps),
          fadeOutFrames: secondsToFrame(cue.params.fade_out, fps),
        }))
        .sort(byStartThenId),
    }))
    .sort((a, b) => a.layer - b.layer || (a.trackId < b.trackId ? -1 : 1));

  return {
    fps,
    width,
    height,
    durationFrames: Math.max(1, secondsToFrame(timeline.duration, fps)),
    loop: timeline.loop,
    slate,
    video,
    overlayTracks,
  };
}

/** Index of the last cue with start ≤ frame, or −1. */
function lastStartingAtOrBefore(cues: ReadonlyArray<{ start: number }>, frame: number): number {
  let low = 0;
  let high = cues.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (cues[mid]!.start <= frame) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

function activeAt<T extends { start: number; end: number }>(
  cues: readonly T[],
  frame: number,
): T | undefined {
  const index = lastStartingAtOrBefore(cues, frame);
  const cue = index >= 0 ? cues[index] : undefined;
  return cue && frame < cue.end ? cue : undefined;
}

/** The source on air at a timeline frame, ignoring transitions (what a transition blends from). */
function sourceAtTimelineFrame(compiled: CompiledTimeline, timelineFrame: number): VideoSource {
  return activeAt(compiled.video, timelineFrame)?.source ?? compiled.slate;
}

function resolveVideo(compiled: CompiledTimeline, timelineFrame: number, iteration: number): VideoState {
  const { fps } = compiled;
  const index = lastStartingAtOrBefore(compiled.video, timelineFrame);
  const candidate = index >= 0 ? compiled.video[index] : undefined;

  if (!candidate || timelineFrame >= candidate.end) {
    // A gap: from the end of the previous cue (or 0) to the start of the next (or the end).
    const gapStart = candidate ? candidate.end : 0;
    const next = compiled.video[index + 1];
    const gapEnd = next ? next.start : compiled.durationFrames;
    const framesLeft = gapEnd - timelineFrame;
    return {
      source: compiled.slate,
      cueId: null,
      presetId: null,
      elapsedFrames: timelineFrame - gapStart,
      framesLeft,
      secondsLeft: framesLeft / fps,
      transition: null,
    };
  }

  const cue = candidate;
  const elapsedFrames = timelineFrame - cue.start;
  const framesLeft = cue.end - timelineFrame;
  let transition: TransitionState | null = null;
  if (cue.transition !== 'cut' && elapsedFrames < cue.transitionFrames) {
    let from: VideoSource;
    if (cue.start > 0) from = sourceAtTimelineFrame(compiled, cue.start - 1);
    else if (iteration > 0) from = sourceAtTimelineFrame(compiled, compiled.durationFrames - 1);
    else from = { kind: 'black' };
    transition = {
      type: cue.transition,
      from,
      progress: (elapsedFrames + 1) / cue.transitionFrames,
      frame: elapsedFrames,
      frames: cue.transitionFrames,
    };
  }
  return {
    source: cue.source,
    cueId: cue.id,
    presetId: cue.presetId,
    elapsedFrames,
    framesLeft,
    secondsLeft: framesLeft / fps,
    transition,
  };
}

function overlayFade(cue: CompiledOverlayCue, elapsedFrames: number, framesLeft: number): number {
  let factor = 1;
  if (cue.fadeInFrames > 0 && elapsedFrames < cue.fadeInFrames)
    factor = (elapsedFrames + 1) / cue.fadeInFrames;
  if (cue.fadeOutFrames > 0 && framesLeft <= cue.fadeOutFrames) {
    factor = Math.min(factor, framesLeft / cue.fadeOutFrames);
  }
  return factor;
}

/** Where an absolute frame falls in the timeline, or null once a non-looping timeline has ended. */
export function timelinePosition(
  compiled: CompiledTimeline,
  frame: number,
): { timelineFrame: number; iteration: number } | null {
  if (!Number.isInteger(frame) || frame < 0)
    throw new RangeError(`frame must be a whole number ≥ 0, got ${frame}`);
  if (frame >= compiled.durationFrames && !compiled.loop) return null;
  return {
    timelineFrame: frame % compiled.durationFrames,
    iteration: Math.floor(frame / compiled.durationFrames),
  };
}

export function resolveFrame(compiled: CompiledTimeline, frame: number): ProgramState {
  const position = timelinePosition(compiled, frame);
  if (!position) {
    return {
      frame,
      timelineFrame: compiled.durationFrames,
      iteration: 0,
      ended: true,
      video: {
        source: compiled.slate,
        cueId: null,
        presetId: null,
        elapsedFrames: frame - compiled.durationFrames,
        framesLeft: 0,
        secondsLeft: 0,
        transition: null,
      },
      overlays: [],
    };
  }
  const { timelineFrame, iteration } = position;
  const overlays: ActiveOverlay[] = [];
  for (const track of compiled.overlayTracks) {
    const cue = activeAt(track.cues, timelineFrame);
    if (!cue) continue;
    const elapsedFrames = timelineFrame - cue.start;
    const framesLeft = cue.end - timelineFrame;
    overlays.push({
      trackId: track.trackId,
      layer: track.layer,
      cueId: cue.id,
      params: cue.params,
      opacity: cue.params.opacity * overlayFade(cue, elapsedFrames, framesLeft),
      elapsedFrames,
      framesLeft,
      secondsLeft: framesLeft / compiled.fps,
    });
  }
  return {
    frame,
    timelineFrame,
    iteration,
    ended: false,
    video: resolveVideo(compiled, timelineFrame, iteration),
    overlays,
  };
}

const compiledCache = new WeakMap<Timeline, CompiledTimeline>();

/** Convenience form of resolveFrame for callers holding the timeline itself (compiles once per object). */
export function resolve(timeline: Timeline, frame: number): ProgramState {
  let compiled = compiledCache.get(timeline);
  if (!compiled) {
    compiled = compileTimeline(timeline);
    compiledCache.set(timeline, compiled);
  }
  return resolveFrame(compiled, frame);
}

export interface NeededSource {
  key: string;
  source: VideoSource;
  /** The first cue in the window that needs it (null: the slate in a gap). */
  cueId: string | null;
  presetId: string | number | null;
  /** Absolute frame at which it goes on air (≤ the query frame when it is on air already). */
  onAirFrame: number;
  /** Frames from the query frame until then (0 when on air now). */
  inFrames: number;
}

export interface NeededOverlay {
  cueId: string;
  trackId: string;
  params: OverlayParams;
  onAirFrame: number;
  inFrames: number;
}

export interface Lookahead {
  sources: NeededSource[];
  overlays: NeededOverlay[];
}

/**
 * What the next `horizonSeconds` need, from `frame` on: every video source (so the engine can
 * start its decoder, or move a PTZ camera, before the cue) and every overlay (so it can be
 * rendered ahead). Each is listed once, at its first use in the window, soonest first.
 */
export function lookahead(compiled: CompiledTimeline, frame: number, horizonSeconds: number): Lookahead {
  const horizon = Math.max(0, Math.ceil(horizonSeconds * compiled.fps));
  const sources = new Map<string, NeededSource>();
  const overlays = new Map<string, NeededOverlay>();
  const windowEnd = frame + horizon; // inclusive: a cue starting exactly at the horizon is needed

  const addSource = (
    source: VideoSource,
    cueId: string | null,
    presetId: string | number | null,
    onAirFrame: number,
  ) => {
    const key = sourceKey(source);
    if (sources.has(key)) return;
    sources.set(key, { key, source, cueId, presetId, onAirFrame, inFrames: Math.max(0, onAirFrame - frame) });
  };

  // Walk the window one timeline pass at a time (a looping window may wrap several times).
  let cursor = frame;
  while (cursor <= windowEnd) {
    const position = timelinePosition(compiled, cursor);
    if (!position) break;
    const passOrigin = cursor - position.timelineFrame; // absolute frame of timeline frame 0 in this pass
    const passEnd = Math.min(windowEnd, passOrigin + compiled.durationFrames - 1);
    const from = cursor - passOrigin;
    const to = passEnd - passOrigin;

    let covered = from; // video coverage so far in this pass: anything uncovered is a gap → slate
    for (const cue of compiled.video) {
      if (cue.end <= from || cue.start > to) continue;
      if (cue.start > covered) addSource(compiled.slate, null, null, passOrigin + covered);
      addSource(cue.source, cue.id, cue.presetId, passOrigin + cue.start);
      covered = Math.max(covered, cue.end);
    }
    if (covered <= to) addSource(compiled.slate, null, null, passOrigin + covered);

    for (const track of compiled.overlayTracks) {
      for (const cue of track.cues) {
        if (cue.end <= from || cue.start > to || overlays.has(cue.id)) continue;
        const onAirFrame = passOrigin + cue.start;
        overlays.set(cue.id, {
          cueId: cue.id,
          trackId: track.trackId,
          params: cue.params,
          onAirFrame,
          inFrames: Math.max(0, onAirFrame - frame),
        });
      }
    }
    cursor = passEnd + 1;
    if (!compiled.loop) break;
  }

  const soonestFirst = <T extends { inFrames: number; onAirFrame: number }>(a: T, b: T) =>
    a.inFrames - b.inFrames || a.onAirFrame - b.onAirFrame;
  return {
    sources: [...sources.values()].sort(soonestFirst),
    overlays: [...overlays.values()].sort(soonestFirst),
  };
}
