// The builder's model of a timeline: the document's tracks and cues with a stable key (uid) per
// cue and track, so selection, drags and validation issues survive edits that reorder or rename.
// Pure helpers only: document ↔ model, time text, placing a dropped cue, snapping, and turning
// the appliance's issue paths ("timeline.tracks.overlays[0].cues[2].params.text") into the cue,
// track or setting they belong to.
import type { z } from 'zod';
import { repeatStarts } from '../../../../../src/timeline/repeat.ts';
import type {
  OverlayParamsSchema,
  PlayAudioParamsSchema,
  Repeat,
  ShowCameraParamsSchema,
  ShowMediaParamsSchema,
  TimelineInput,
} from '../../../../../src/timeline/schema.ts';

export type CameraParams = z.input<typeof ShowCameraParamsSchema>;
export type MediaParams = z.input<typeof ShowMediaParamsSchema>;
export type OverlayParams = z.input<typeof OverlayParamsSchema>;
export type OverlayKind = OverlayParams['type'];
export type AudioParams = z.input<typeof PlayAudioParamsSchema>;
export type SourceAudio = 'duck' | 'replace';
export type Transition = 'cut' | 'fade' | 'dissolve';

interface CueBase {
  uid: string;
  id: string;
  start: number;
  duration: number;
  /** Copies every N s (until a time, else the end): one cue in the document, ghosts on the lane. */
  repeat?: Repeat | undefined;
}
export type CameraCue = CueBase & { action: 'show_camera'; params: CameraParams };
export type MediaCue = CueBase & { action: 'show_media'; params: MediaParams };
export type OverlayCue = CueBase & { action: 'show_overlay'; params: OverlayParams };
/** A stretch of the audio bed: a playlist of uploaded audio files. */
export type AudioCue = CueBase & { action: 'play_audio'; params: AudioParams };
export type VideoCue = CameraCue | MediaCue;
export type Cue = VideoCue | OverlayCue | AudioCue;

export interface VideoTrack {
  uid: 'video';
  kind: 'video';
  track_id: string;
  name?: string | undefined;
  cues: VideoCue[];
}
export interface OverlayTrack {
  uid: string;
  kind: 'overlay';
  track_id: string;
  name?: string | undefined;
  layer: number;
  enabled: boolean;
  cues: OverlayCue[];
}
/** The audio bed: always in the model; in the document only once it has a cue. */
export interface AudioTrack {
  uid: 'audio';
  kind: 'audio';
  track_id: string;
  name?: string | undefined;
  enabled: boolean;
  /** What the cameras' own sound does under the music (a video cue may say otherwise). */
  sourceAudio: SourceAudio;
  /** How far the music drops while a ducking source has sound. */
  duckDb: number;
  cues: AudioCue[];
}
export type Track = VideoTrack | OverlayTrack | AudioTrack;

export interface Settings {
  docId?: string | undefined;
  name: string;
  description?: string | undefined;
  duration: number;
  fps: number;
  resolution: string;
  loop: boolean;
  testPattern?: string | undefined;
  backupCameraId?: number | undefined;
}

export interface Model {
  settings: Settings;
  video: VideoTrack;
  overlays: OverlayTrack[];
  audio: AudioTrack;
}

/** The bed's defaults (the schema's): duck the music 12 dB under a source with sound. */
export function emptyAudioTrack(): AudioTrack {
  return {
    uid: 'audio',
    kind: 'audio',
    track_id: 'audio',
    name: 'Audio',
    enabled: true,
    sourceAudio: 'duck',
    duckDb: 12,
    cues: [],
  };
}

export const OVERLAY_LABELS: Record<OverlayKind, string> = {
  text: 'Text',
  lower_third: 'Lower third',
  logo: 'Logo',
  image: 'Image',
  dynamic_text: 'Dynamic text',
};
export const OVERLAY_KINDS: OverlayKind[] = ['lower_third', 'text', 'logo', 'image', 'dynamic_text'];
export const NAMED_POSITIONS = ['top_left', 'top_right', 'bottom_left', 'bottom_right', 'center'] as const;
export const POSITION_LABELS: Record<(typeof NAMED_POSITIONS)[number], string> = {
  top_left: 'Top left',
  top_right: 'Top right',
  bottom_left: 'Bottom left',
  bottom_right: 'Bottom right',
  center: 'Centre',
};

let counter = 0;
export function newUid(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${counter}`;
}

/** Seconds kept to the millisecond: drags and snapping never write 12.300000000001. */
export function roundTime(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export function cueEnd(cue: { start: number; duration: number }): number {
  return roundTime(cue.start + cue.duration);
}

export function emptyModel(): Model {
  return {
    settings: { name: 'New timeline', duration: 300, fps: 30, resolution: '1920x1080', loop: false },
    video: { uid: 'video', kind: 'video', track_id: 'video', name: 'Video', cues: [] },
    overlays: [
      {
        uid: newUid('t'),
        kind: 'overlay',
        track_id: 'overlays_1',
        name: 'Overlays 1',
        layer: 1,
        enabled: true,
        cues: [],
      },
    ],
    audio: emptyAudioTrack(),
  };
}

type DocTimeline = TimelineInput;
type DocCue = {
  id: string;
  start_time: number;
  duration: number;
  repeat?: Repeat | undefined;
  action: string;
  params: unknown;
};

/** The model of a stored document (GET /api/timelines/:id answers it with defaults filled in). */
export function fromDocument(document: { timeline: DocTimeline }): Model {
  const t = document.timeline;
  const cueOf = <C extends Cue>(cue: DocCue): C =>
    ({
      uid: newUid('c'),
      id: cue.id,
      start: cue.start_time,
      duration: cue.duration,
      ...(cue.repeat ? { repeat: cue.repeat } : {}),
      action: cue.action,
      params: cue.params,
    }) as C;
  return {
    settings: {
      docId: t.id,
      name: t.name,
      description: t.description,
      duration: t.duration,
      fps: t.fps ?? 30,
      resolution: t.resolution ?? '1920x1080',
      loop: t.loop ?? false,
      testPattern: t.fallback?.test_pattern,
      backupCameraId: t.fallback?.backup_camera_id,
    },
    video: {
      uid: 'video',
      kind: 'video',
      track_id: t.tracks.video.track_id,
      name: t.tracks.video.name,
      cues: t.tracks.video.cues.map((cue) => cueOf<VideoCue>(cue as DocCue)),
    },
    overlays: (t.tracks.overlays ?? []).map((track) => ({
      uid: newUid('t'),
      kind: 'overlay',
      track_id: track.track_id,
      name: track.name,
      layer: track.layer,
      enabled: track.enabled ?? true,
      cues: track.cues.map((cue) => cueOf<OverlayCue>(cue as DocCue)),
    })),
    audio: t.tracks.audio
      ? {
          uid: 'audio',
          kind: 'audio',
          track_id: t.tracks.audio.track_id,
          name: t.tracks.audio.name,
          enabled: t.tracks.audio.enabled ?? true,
          sourceAudio: t.tracks.audio.source_audio ?? 'duck',
          duckDb: t.tracks.audio.duck_db ?? 12,
          cues: t.tracks.audio.cues.map((cue) => cueOf<AudioCue>(cue as DocCue)),
        }
      : emptyAudioTrack(),
  };
}

function drop<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The document to validate, save and preview. Cue and track order is the model's. */
export function toDocument(model: Model): { timeline: DocTimeline } {
  const s = model.settings;
  const cue = (c: Cue) => ({
    id: c.id,
    start_time: roundTime(c.start),
    duration: roundTime(c.duration),
    ...(c.repeat ? { repeat: drop({ every: roundTime(c.repeat.every), until: c.repeat.until }) } : {}),
    action: c.action,
    params: drop(c.params as Record<string, unknown>),
  });
  const fallback = drop({ test_pattern: s.testPattern, backup_camera_id: s.backupCameraId });
  return {
    timeline: drop({
      id: s.docId,
      name: s.name,
      description: s.description,
      duration: s.duration,
      fps: s.fps,
      resolution: s.resolution,
      loop: s.loop,
      tracks: drop({
        video: drop({
          track_id: model.video.track_id,
          type: 'video' as const,
          name: model.video.name,
          cues: model.video.cues.map(cue),
        }),
        overlays: model.overlays.map((track) =>
          drop({
            track_id: track.track_id,
            type: 'overlay' as const,
            name: track.name,
            layer: track.layer,
            enabled: track.enabled,
            cues: track.cues.map(cue),
          }),
        ),
        // The bed is written once it has music: an empty one would only warn.
        audio:
          model.audio.cues.length > 0
            ? drop({
                track_id: model.audio.track_id,
                type: 'audio' as const,
                name: model.audio.name,
                enabled: model.audio.enabled,
                source_audio: model.audio.sourceAudio,
                duck_db: model.audio.duckDb,
                cues: model.audio.cues.map(cue),
              })
            : undefined,
      }),
      fallback: Object.keys(fallback).length > 0 ? fallback : undefined,
    }) as DocTimeline,
  };
}

export function allTracks(model: Model): Track[] {
  return [model.video, ...model.overlays, model.audio];
}

export function findCue(model: Model, uid: string | null): { cue: Cue; track: Track } | null {
  if (uid === null) return null;
  for (const track of allTracks(model)) {
    const cue = (track.cues as Cue[]).find((c) => c.uid === uid);
    if (cue) return { cue, track };
  }
  return null;
}

/** A cue id not used yet: "<base>_<n>". */
export function uniqueCueId(model: Model, base: string): string {
  const taken = new Set(allTracks(model).flatMap((track) => (track.cues as Cue[]).map((cue) => cue.id)));
  const stem = base.replace(/[^A-Za-z0-9_.:-]+/g, '_').replace(/^_+|_+$/g, '') || 'cue';
  for (let n = 1; ; n++) {
    const id = `${stem}_${n}`;
    if (!taken.has(id)) return id;
  }
}

// ---------------------------------------------------------------------------------------------
// time text

/** 75.5 → "1:15.5", 3725 → "1:02:05" (tenths only when there are some). */
export function formatTime(seconds: number, tenths = true): string {
  const negative = seconds < 0;
  const total = Math.round(Math.abs(seconds) * 10) / 10;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const whole = Math.floor(s + 1e-9);
  const frac = Math.round((s - whole) * 10);
  const ss = `${String(whole).padStart(2, '0')}${tenths && frac > 0 ? `.${frac}` : ''}`;
  const body = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  return negative ? `-${body}` : body;
}

/** "90", "1:30", "1:02:03.5", "12.5s" → seconds; null when it is not a time. */
export function parseTime(text: string): number | null {
  const value = text.trim().replace(/s$/i, '').trim();
  if (value === '') return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const match = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(value);
  if (!match) return null;
  const [, h, m, s] = match;
  return Number(h ?? 0) * 3600 + Number(m) * 60 + Number(s);
}

// ---------------------------------------------------------------------------------------------
// placing and snapping

/**
 * Where a new cue dropped at `at` goes on a lane: inside an existing cue it starts where that one
 * ends; it is shortened to fit before the next cue and the timeline's end. Null: no room there.
 */
export function placeCue(
  cues: ReadonlyArray<{ start: number; duration: number }>,
  at: number,
  wanted: number,
  timelineDuration: number,
): { start: number; duration: number } | null {
  let start = Math.max(0, roundTime(at));
  const sorted = [...cues].sort((a, b) => a.start - b.start);
  for (const cue of sorted) if (start >= cue.start && start < cueEnd(cue)) start = cueEnd(cue);
  const next = sorted.find((cue) => cue.start >= start);
  const limit = Math.min(timelineDuration, next ? next.start : Infinity);
  const duration = roundTime(Math.min(wanted, limit - start));
  return duration >= 0.5 ? { start, duration } : null;
}

export interface SnapOptions {
  enabled: boolean;
  /** Pixels per second (the snap distance is in pixels). */
  pps: number;
  /** Neighbours' edges (and their repeats'), 0 and the end: aimed at first. */
  targets: readonly number[];
  /** The playhead: aimed at when no edge is in reach. */
  playhead?: number | undefined;
}

export const SNAP_PIXELS = 8;

export type SnapKind = 'edge' | 'playhead' | 'second';
export interface Snap {
  /** The time snapped to, and what it is (the guide drawn there says so). */
  at: number;
  kind: SnapKind;
  /** What to add to the time that was asked about. */
  correction: number;
}

/**
 * The snap point for `t` within SNAP_PIXELS, or null. Neighbours' edges win over the playhead,
 * the playhead over whole seconds: an edge is what an operator lines cues up against.
 */
export function snapPoint(t: number, options: SnapOptions): Snap | null {
  if (!options.enabled) return null;
  const reach = SNAP_PIXELS / options.pps;
  const nearest = (candidates: readonly number[]): number | null => {
    let best: number | null = null;
    for (const target of candidates)
      if (Math.abs(target - t) <= reach && (best === null || Math.abs(target - t) < Math.abs(best - t)))
        best = target;
    return best;
  };
  const edge = nearest(options.targets);
  if (edge !== null) return { at: edge, kind: 'edge', correction: edge - t };
  const playhead = options.playhead !== undefined ? nearest([options.playhead]) : null;
  if (playhead !== null) return { at: playhead, kind: 'playhead', correction: playhead - t };
  // Whole seconds only when they are far enough apart to aim at.
  const second = options.pps >= 4 ? nearest([Math.round(t)]) : null;
  if (second !== null) return { at: second, kind: 'second', correction: second - t };
  return null;
}

/** The nearest snap point's correction to add to `t` (0: none). */
export function snapCorrection(t: number, options: SnapOptions): number {
  return snapPoint(t, options)?.correction ?? 0;
}

const SNAP_RANK: Record<SnapKind, number> = { edge: 0, playhead: 1, second: 2 };

/**
 * Snaps a moved cue by one of its edges: the better kind of target wins (an edge over the
 * playhead over a whole second), then the nearer. Gives the new start and the snap (for a guide).
 */
export function snapMoveTo(
  start: number,
  duration: number,
  options: SnapOptions,
): { start: number; snap: Snap | null } {
  const a = snapPoint(start, options);
  const b = snapPoint(start + duration, options);
  const better =
    a && b
      ? SNAP_RANK[a.kind] !== SNAP_RANK[b.kind]
        ? SNAP_RANK[a.kind] < SNAP_RANK[b.kind]
          ? a
          : b
        : Math.abs(a.correction) <= Math.abs(b.correction)
          ? a
          : b
      : (a ?? b);
  return better ? { start: start + better.correction, snap: better } : { start, snap: null };
}

/** Snaps a moved cue by whichever of its edges is the better snap (see snapMoveTo). */
export function snapMove(start: number, duration: number, options: SnapOptions): number {
  return snapMoveTo(start, duration, options).start;
}

/** 0, the end, and the edges of every other cue and of its repeats (the playhead is apart). */
export function snapTargets(model: Model, exceptUid: string | null): number[] {
  const targets = [0, model.settings.duration];
  for (const track of allTracks(model))
    for (const cue of track.cues as Cue[])
      if (cue.uid !== exceptUid)
        for (const start of repeatStarts(
          { start_time: cue.start, repeat: cue.repeat },
          model.settings.duration,
        ))
          targets.push(roundTime(start), roundTime(start + cue.duration));
  return targets;
}

// ---------------------------------------------------------------------------------------------
// how a cue is drawn

/** Short cues on long timelines stay big enough to see and grab. */
export const MIN_CUE_PIXELS = 24;

/** A cue's width on screen: its true length at the zoom, never under MIN_CUE_PIXELS. */
export function cueWidth(duration: number, pps: number): number {
  return Math.max(MIN_CUE_PIXELS, duration * pps);
}

/** Where a cue's copies start (not the cue itself): the ghosts drawn after it. */
export function repeatGhosts(cue: Cue, timelineDuration: number): number[] {
  return repeatStarts({ start_time: cue.start, repeat: cue.repeat }, timelineDuration)
    .slice(1)
    .map(roundTime);
}

// ---------------------------------------------------------------------------------------------
// issues

export interface Issue {
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface PlacedIssue extends Issue {
  /** The cue it is about (uid), the track, or neither (a timeline setting). */
  cueUid: string | null;
  trackUid: string | null;
  /** The field inside the cue ("duration", "params.text", "params"), track ("layer") or timeline ("name"). */
  field: string | null;
}

const TRACK_PATH = /^(?:timeline\.)?tracks\.(video|audio|overlays\[(\d+)\])(?:\.cues\[(\d+)\])?(?:\.(.+))?$/;

/** Places the appliance's issues on the model they were computed for (same order of tracks/cues). */
export function placeIssues(model: Model, issues: readonly Issue[]): PlacedIssue[] {
  return issues.map((issue) => {
    const match = TRACK_PATH.exec(issue.path);
    if (match) {
      const track: Track | undefined =
        match[1] === 'video'
          ? model.video
          : match[1] === 'audio'
            ? model.audio
            : model.overlays[Number(match[2])];
      const cue = match[3] !== undefined ? (track?.cues as Cue[] | undefined)?.[Number(match[3])] : undefined;
      return {
        ...issue,
        trackUid: track?.uid ?? null,
        cueUid: cue?.uid ?? null,
        field: match[4] ?? null,
      };
    }
    const field = issue.path.startsWith('timeline.') ? issue.path.slice('timeline.'.length) : null;
    return { ...issue, cueUid: null, trackUid: null, field };
  });
}

/** Human words for a field path inside a cue ("params.text" → "text"). */
export function fieldLabel(field: string | null): string {
  if (!field) return '';
  const last = field.replace(/^params\.?/, '') || 'settings';
  return last.replace(/_/g, ' ');
}

/**
 * The errors for one field, joined: of a cue (by uid), of an overlay track's own settings, or
 * (neither given) of the timeline's settings. Warnings are not field errors.
 */
export function issueAt(
  issues: readonly PlacedIssue[],
  where: { cueUid?: string; trackUid?: string; field: string },
): string | undefined {
  const found = issues.filter(
    (issue) =>
      issue.severity === 'error' &&
      issue.field === where.field &&
      (where.cueUid !== undefined
        ? issue.cueUid === where.cueUid
        : where.trackUid !== undefined
          ? issue.trackUid === where.trackUid && issue.cueUid === null
          : issue.cueUid === null && issue.trackUid === null),
  );
  return found.length > 0 ? found.map((issue) => issue.message).join('; ') : undefined;
}
