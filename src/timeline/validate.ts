// Validation of timeline documents: the schema (types, ranges, unknown fields) and then the rules
// that span several fields (cue overlap, bounds, unique ids). Every problem names its JSON path.
import type { z } from 'zod';
import { cueFrames, secondsToFrame } from './frames.ts';
import { expandCue, REPEAT_ID_SEPARATOR } from './repeat.ts';
import { TimelineDocumentSchema, type AudioCue, type Timeline, type TimelineDocument } from './schema.ts';
import { messageOf } from '../core/message-of.ts';

export interface TimelineIssue {
  /** JSON path from the document root, like `timeline.tracks.video.cues[1].start_time`. */
  path: string;
  message: string;
}

export type ValidationResult =
  | { ok: true; document: TimelineDocument; warnings: TimelineIssue[] }
  | { ok: false; errors: TimelineIssue[]; warnings: TimelineIssue[] };

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(document)' : out;
}

function describeReceived(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function lookup(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Turns zod's issues into plain-language ones with a JSON path, most specific first. */
function fromZodIssues(issues: ReadonlyArray<z.core.$ZodIssue>, input: unknown): TimelineIssue[] {
  const out: TimelineIssue[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...path, key]),
          message: `unknown field "${key}" (check its spelling)`,
        });
      }
      continue;
    }
    const value = lookup(input, path);
    if (issue.code === 'invalid_type' && value === undefined) {
      out.push({ path: formatPath(path), message: 'is required' });
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_union' && value === undefined) {
      out.push({ path: formatPath(path), message: 'is required' });
      continue;
    }
    if (['invalid_type', 'invalid_value', 'invalid_format', 'invalid_union'].includes(issue.code)) {
      message = `${message}; got ${describeReceived(value)}`;
    }
    out.push({ path: formatPath(path), message });
  }
  return out;
}

const at = (...parts: PropertyKey[]) => formatPath(['timeline', ...parts]);

/** Rules that need the whole (already well-typed) timeline. */
export function checkTimelineRules(timeline: Timeline): {
  errors: TimelineIssue[];
  warnings: TimelineIssue[];
} {
  const errors: TimelineIssue[] = [];
  const warnings: TimelineIssue[] = [];
  const { fps } = timeline;
  const durationFrames = secondsToFrame(timeline.duration, fps);
  if (durationFrames < 1) errors.push({ path: at('duration'), message: 'is shorter than one frame' });

  const seenCueIds = new Map<string, string>();
  const seenTrackIds = new Map<string, string>();
  const seenLayers = new Map<number, string>();

  type AnyCue =
    | Timeline['tracks']['video']['cues'][number]
    | Timeline['tracks']['overlays'][number]['cues'][number]
    | AudioCue;
  const checkRepeat = (cue: AnyCue, repeatPath: PropertyKey[]) => {
    const repeat = cue.repeat!;
    if (repeat.every < cue.duration) {
      errors.push({
        path: at(...repeatPath, 'every'),
        message: `the cue lasts ${round(cue.duration)} s but repeats every ${round(repeat.every)} s, so each copy would overlap the one before; repeat every ${round(cue.duration)} s or more, or shorten the cue`,
      });
    }
    if (repeat.until !== undefined && repeat.until > timeline.duration) {
      errors.push({
        path: at(...repeatPath, 'until'),
        message: `is ${round(repeat.until)} s, after the timeline's end (${timeline.duration} s); leave it out to repeat until the end`,
      });
    } else if (repeat.until !== undefined && repeat.until <= cue.start_time + repeat.every) {
      warnings.push({
        path: at(...repeatPath, 'until'),
        message: `is ${round(repeat.until)} s, so the cue never repeats (its first copy would start at ${round(cue.start_time + repeat.every)} s)`,
      });
    }
  };

  const checkTrack = (
    trackPath: PropertyKey[],
    trackId: string,
    cues: ReadonlyArray<AnyCue>,
    kind: 'video' | 'overlay' | 'audio',
  ) => {
    const isVideo = kind === 'video';
    const trackWhere = at(...trackPath, 'track_id');
    const previousTrack = seenTrackIds.get(trackId);
    if (previousTrack)
      errors.push({ path: trackWhere, message: `track id "${trackId}" is already used at ${previousTrack}` });
    else seenTrackIds.set(trackId, trackWhere);

    const written = cues.map((cue, index) => ({
      cue,
      index,
      ...cueFrames(cue.start_time, cue.duration, fps),
    }));
    for (const { cue, index, start, end } of written) {
      const cuePath = [...trackPath, 'cues', index];
      const previous = seenCueIds.get(cue.id);
      if (previous)
        errors.push({
          path: at(...cuePath, 'id'),
          message: `cue id "${cue.id}" is already used at ${previous}`,
        });
      else seenCueIds.set(cue.id, at(...cuePath, 'id'));

      if (end <= start) {
        errors.push({ path: at(...cuePath, 'duration'), message: `is shorter than one frame (1/${fps} s)` });
      }
      if (end > durationFrames) {
        errors.push({
          path: at(...cuePath, start >= durationFrames ? 'start_time' : 'duration'),
          message: `cue ends at ${round(cue.start_time + cue.duration)} s, after the timeline's end (${timeline.duration} s)`,
        });
      }
      const cueFramesLong = end - start;
      const params = cue.params;
      if (
        'transition_duration' in params &&
        secondsToFrame(params.transition_duration, fps) > cueFramesLong
      ) {
        errors.push({
          path: at(...cuePath, 'params', 'transition_duration'),
          message: `the transition (${params.transition_duration} s) is longer than the cue (${cue.duration} s)`,
        });
      }
      if (
        'fade_in' in params &&
        secondsToFrame(params.fade_in, fps) + secondsToFrame(params.fade_out, fps) > cueFramesLong
      ) {
        errors.push({
          path: at(...cuePath, 'params', 'fade_in'),
          message: `fade_in + fade_out (${round(params.fade_in + params.fade_out)} s) is longer than the cue (${cue.duration} s): shorten the fades or lengthen the cue`,
        });
      }
      if (cue.repeat) checkRepeat(cue, [...cuePath, 'repeat']);
    }

    // Overlaps and gaps are judged on the track as it plays: every repeat is a cue of its own.
    const spans = cues.flatMap((cue, index) =>
      expandCue(cue, timeline.duration).map((occurrence) => ({
        cue: occurrence.cue,
        copy: occurrence.copy,
        index,
        ...cueFrames(occurrence.cue.start_time, occurrence.cue.duration, fps),
      })),
    );
    const fix = FIXES[kind];

    const ordered = [...spans].sort((a, b) => a.start - b.start || a.index - b.index);
    for (let i = 1; i < ordered.length; i++) {
      const before = ordered[i - 1]!;
      const after = ordered[i]!;
      if (after.start < before.end) {
        if (after.index === before.index) continue; // a cue overlapping its own copies: reported at repeat.every
        errors.push({
          path: at(...trackPath, 'cues', after.index, after.copy > 0 ? 'repeat' : 'start_time'),
          message: `${describeCue(after)} starts at ${round(after.cue.start_time)} s, while ${describeCue(before)} (${round(before.cue.start_time)}–${round(before.cue.start_time + before.cue.duration)} s) is still on; cues on one track may not overlap: ${fix}`,
        });
      } else if (isVideo && after.start > before.end) {
        warnings.push({
          path: at(...trackPath, 'cues', after.index, 'start_time'),
          message: `gap from ${round(before.end / fps)} s to ${after.cue.start_time} s on the video track: the slate (fallback test pattern) is shown there`,
        });
      }
    }
    if (isVideo) {
      const first = ordered[0];
      const last = ordered[ordered.length - 1];
      if (!first) {
        warnings.push({
          path: at(...trackPath, 'cues'),
          message: 'the video track is empty: the slate is shown throughout',
        });
      } else {
        if (first.start > 0) {
          warnings.push({
            path: at(...trackPath, 'cues', first.index, 'start_time'),
            message: `nothing is scheduled before ${first.cue.start_time} s: the slate is shown until then`,
          });
        }
        if (last && last.end < durationFrames) {
          warnings.push({
            path: at(...trackPath, 'cues', last.index, 'duration'),
            message: `nothing is scheduled after ${round(last.end / fps)} s: the slate is shown until the timeline ends`,
          });
        }
      }
    }
  };

  checkTrack(['tracks', 'video'], timeline.tracks.video.track_id, timeline.tracks.video.cues, 'video');
  timeline.tracks.overlays.forEach((track, index) => {
    const layerWhere = at('tracks', 'overlays', index, 'layer');
    const other = seenLayers.get(track.layer);
    if (other)
      errors.push({
        path: layerWhere,
        message: `layer ${track.layer} is already used at ${other}; each overlay track needs its own layer`,
      });
    else seenLayers.set(track.layer, layerWhere);
    checkTrack(['tracks', 'overlays', index], track.track_id, track.cues, 'overlay');
  });
  const bed = timeline.tracks.audio;
  if (bed) {
    checkTrack(['tracks', 'audio'], bed.track_id, bed.cues, 'audio');
    if (bed.cues.length === 0)
      warnings.push({
        path: at('tracks', 'audio', 'cues'),
        message:
          'the audio bed has no cues: the program carries the sources’ own sound; add a music cue or remove the audio track',
      });
  }
  return { errors, warnings };
}

const FIXES: Record<'video' | 'overlay' | 'audio', string> = {
  video: 'shorten or move one',
  overlay: 'move one to a new overlay track',
  audio: 'shorten or move one (one music cue plays at a time: let the first fade out and the next fade in)',
};

/** How an overlap message names a cue: a copy says which repeat of which cue it is. */
function describeCue(span: { cue: { id: string }; copy: number }): string {
  if (span.copy === 0) return `cue "${span.cue.id}"`;
  const original = span.cue.id.slice(0, span.cue.id.lastIndexOf(REPEAT_ID_SEPARATOR));
  return `repeat ${span.copy} of cue "${original}"`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Validates a parsed JSON value as a timeline document. */
export function validateTimelineDocument(input: unknown): ValidationResult {
  const parsed = TimelineDocumentSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fromZodIssues(parsed.error.issues, input), warnings: [] };
  const { errors, warnings } = checkTimelineRules(parsed.data.timeline);
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, document: parsed.data, warnings };
}

/** Validates JSON text; malformed JSON is reported with its line and column. */
export function validateTimelineJson(text: string): ValidationResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      errors: [{ path: '(document)', message: describeJsonError(text, error) }],
      warnings: [],
    };
  }
  return validateTimelineDocument(value);
}

function describeJsonError(text: string, error: unknown): string {
  const raw = messageOf(error);
  if (/Unexpected end of JSON input/.test(raw)) {
    return `not valid JSON: the text ends at line ${text.split('\n').length} before the JSON is complete (a missing } or ] or ")`;
  }
  const position = /position (\d+)/.exec(raw);
  if (!position) return `not valid JSON: ${raw}`;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `not valid JSON at line ${line}, column ${column}: ${raw.replace(/ in JSON at position \d+.*$/, '')}`;
}
