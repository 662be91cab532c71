// Timelines are stored normalised (timelines → timeline_tracks → timeline_cues, as in the spec)
// and exported as the validated JSON document, losslessly: import → export → import is identity.
import { AppError } from '../../errors/registry.ts';
import type { OverlayCue, Timeline, TimelineDocument, VideoCue } from '../../timeline/schema.ts';
import { validateTimelineDocument, type TimelineIssue } from '../../timeline/validate.ts';
import type { TimelineSummary } from '../../domain/views.ts';
import { nowIso, type Db } from '../database.ts';

export type { TimelineSummary };

export interface StoredTimeline {
  id: number;
  created_at: string;
  modified_at: string;
  document: TimelineDocument;
}

interface TimelineRow {
  id: number;
  doc_id: string | null;
  name: string;
  description: string | null;
  duration: number;
  fps: number;
  resolution: string;
  loop: number;
  fallback: string | null;
  audio_track: string | null;
  created_at: string;
  modified_at: string;
}

interface TrackRow {
  id: number;
  track_key: string;
  track_type: 'video' | 'overlay';
  track_name: string | null;
  layer: number;
  is_enabled: number;
}

interface CueRow {
  cue_key: string;
  start_time: number;
  duration: number;
  action_type: string;
  action_params: string;
  repeat_rule: string | null;
}

/** Validates or throws TIMELINE_INVALID with every problem and its JSON path. */
export function requireValidTimeline(input: unknown): {
  document: TimelineDocument;
  warnings: TimelineIssue[];
} {
  const result = validateTimelineDocument(input);
  if (!result.ok) {
    const count = result.errors.length;
    throw new AppError(
      'TIMELINE_INVALID',
      `the timeline has ${count} problem${count === 1 ? '' : 's'}`,
      result.errors,
    );
  }
  return { document: result.document, warnings: result.warnings };
}

export class TimelineRepository {
  constructor(private readonly db: Db) {}

  /** Validates and stores a timeline document in one transaction; returns its id and any warnings. */
  create(input: unknown, createdBy: number | null = null): { id: number; warnings: TimelineIssue[] } {
    const { document, warnings } = requireValidTimeline(input);
    const id = this.db.transaction(() => {
      const now = nowIso();
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO timelines (doc_id, name, description, duration, fps, resolution, loop, fallback, audio_track,
             created_at, modified_at, created_by)
           VALUES (@doc_id, @name, @description, @duration, @fps, @resolution, @loop, @fallback, @audio_track,
             @now, @now, @created_by)`,
        )
        .run({ ...this.rowValues(document.timeline), now, created_by: createdBy });
      const timelineId = Number(lastInsertRowid);
      this.insertTracks(timelineId, document.timeline);
      return timelineId;
    })();
    return { id, warnings };
  }

  /** Replaces a stored timeline with a new version of it (all or nothing). */
  replace(id: number, input: unknown): { warnings: TimelineIssue[] } {
    const { document, warnings } = requireValidTimeline(input);
    this.db.transaction(() => {
      this.requireRow(id);
      this.db
        .prepare(
          `UPDATE timelines SET doc_id = @doc_id, name = @name, description = @description, duration = @duration,
             fps = @fps, resolution = @resolution, loop = @loop, fallback = @fallback, audio_track = @audio_track,
             modified_at = @now WHERE id = @id`,
        )
        .run({ ...this.rowValues(document.timeline), now: nowIso(), id });
      this.db.prepare('DELETE FROM timeline_tracks WHERE timeline_id = ?').run(id);
      this.insertTracks(id, document.timeline);
    })();
    return { warnings };
  }

  get(id: number): StoredTimeline {
    const row = this.requireRow(id);
    return {
      id: row.id,
      created_at: row.created_at,
      modified_at: row.modified_at,
      document: this.assemble(row),
    };
  }

  /** The timeline as its JSON document (what `export` writes). */
  export(id: number): TimelineDocument {
    return this.get(id).document;
  }

  list(): TimelineSummary[] {
    const rows = this.db
      .prepare(
        `SELECT t.*,
           (SELECT COUNT(*) FROM timeline_tracks k WHERE k.timeline_id = t.id AND k.track_type = 'overlay') AS overlay_tracks,
           (SELECT COUNT(*) FROM timeline_cues c JOIN timeline_tracks k ON c.track_id = k.id WHERE k.timeline_id = t.id) AS cues
         FROM timelines t WHERE t.is_active = 1 ORDER BY t.name COLLATE NOCASE, t.id`,
      )
      .all() as Array<TimelineRow & { overlay_tracks: number; cues: number }>;
    return rows.map((row) => ({
      id: row.id,
      doc_id: row.doc_id,
      name: row.name,
      description: row.description,
      duration: row.duration,
      fps: row.fps,
      resolution: row.resolution,
      loop: row.loop === 1,
      overlay_tracks: row.overlay_tracks,
      cues: row.cues,
      created_at: row.created_at,
      modified_at: row.modified_at,
    }));
  }

  /** Copies a timeline under a new name ("<name> (copy)" by default); returns the new id. */
  clone(id: number, name?: string): number {
    const document = this.export(id);
    const copyName = name ?? `${document.timeline.name} (copy)`.slice(0, 100);
    const { id: doc_id, ...rest } = document.timeline;
    void doc_id; // a clone is a new timeline: it does not keep the original's document id
    return this.create({ timeline: { ...rest, name: copyName } }).id;
  }

  delete(id: number): void {
    const { changes } = this.db.prepare('DELETE FROM timelines WHERE id = ?').run(id);
    if (changes === 0) throw notFound(id);
  }

  /** Timelines whose cues use an asset (by id), for refusing to delete an asset in use. */
  usingAsset(assetId: number): Array<{ id: number; name: string; cue_id: string }> {
    const inCues = this.db
      .prepare(
        `SELECT t.id, t.name, c.cue_key AS cue_id FROM timeline_cues c
           JOIN timeline_tracks k ON c.track_id = k.id JOIN timelines t ON k.timeline_id = t.id
         WHERE json_extract(c.action_params, '$.asset_id') = ? ORDER BY t.id, c.id`,
      )
      .all(assetId) as Array<{ id: number; name: string; cue_id: string }>;
    const inAudioBeds = this.db
      .prepare(
        `SELECT DISTINCT t.id, t.name, json_extract(cue.value, '$.id') AS cue_id
           FROM timelines t, json_each(t.audio_track, '$.cues') cue, json_each(cue.value, '$.params.asset_ids') a
         WHERE t.audio_track IS NOT NULL AND a.value = ? ORDER BY t.id, cue.key`,
      )
      .all(assetId) as Array<{ id: number; name: string; cue_id: string }>;
    return [...inCues, ...inAudioBeds].sort((x, y) => x.id - y.id);
  }

  private rowValues(timeline: Timeline) {
    return {
      doc_id: timeline.id ?? null,
      name: timeline.name,
      description: timeline.description ?? null,
      duration: timeline.duration,
      fps: timeline.fps,
      resolution: timeline.resolution,
      loop: timeline.loop ? 1 : 0,
      fallback: timeline.fallback ? JSON.stringify(timeline.fallback) : null,
      audio_track: timeline.tracks.audio ? JSON.stringify(timeline.tracks.audio) : null,
    };
  }

  private insertTracks(timelineId: number, timeline: Timeline): void {
    const insertTrack = this.db.prepare(
      `INSERT INTO timeline_tracks (timeline_id, track_key, track_type, track_name, layer, position, is_enabled)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertCue = this.db.prepare(
      `INSERT INTO timeline_cues (track_id, cue_key, cue_order, start_time, duration, action_type, action_params,
         transition_type, transition_duration, repeat_rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const addCues = (trackId: number, cues: ReadonlyArray<VideoCue | OverlayCue>) =>
      cues.forEach((cue, order) => {
        const transition =
          'transition' in cue.params ? cue.params : { transition: 'cut', transition_duration: 0 };
        insertCue.run(
          trackId,
          cue.id,
          order,
          cue.start_time,
          cue.duration,
          cue.action,
          JSON.stringify(cue.params),
          transition.transition,
          transition.transition_duration,
          cue.repeat ? JSON.stringify(cue.repeat) : null,
        );
      });

    const video = timeline.tracks.video;
    const videoId = insertTrack.run(
      timelineId,
      video.track_id,
      'video',
      video.name ?? null,
      0,
      0,
      1,
    ).lastInsertRowid;
    addCues(Number(videoId), video.cues);
    timeline.tracks.overlays.forEach((track, index) => {
      const trackId = insertTrack.run(
        timelineId,
        track.track_id,
        'overlay',
        track.name ?? null,
        track.layer,
        index + 1,
        track.enabled ? 1 : 0,
      ).lastInsertRowid;
      addCues(Number(trackId), track.cues);
    });
  }

  private requireRow(id: number): TimelineRow {
    const row = this.db.prepare('SELECT * FROM timelines WHERE id = ?').get(id) as TimelineRow | undefined;
    if (!row) throw notFound(id);
    return row;
  }

  private assemble(row: TimelineRow): TimelineDocument {
    const tracks = this.db
      .prepare('SELECT * FROM timeline_tracks WHERE timeline_id = ? ORDER BY position')
      .all(row.id) as TrackRow[];
    const cuesOf = (trackId: number) =>
      (
        this.db
          .prepare('SELECT * FROM timeline_cues WHERE track_id = ? ORDER BY cue_order')
          .all(trackId) as CueRow[]
      ).map((cue) => ({
        id: cue.cue_key,
        start_time: cue.start_time,
        duration: cue.duration,
        action: cue.action_type,
        params: JSON.parse(cue.action_params) as unknown,
        ...(cue.repeat_rule === null ? {} : { repeat: JSON.parse(cue.repeat_rule) as unknown }),
      }));
    const video = tracks.find((track) => track.track_type === 'video');
    if (!video) throw new AppError('DATABASE_ERROR', `timeline ${row.id} has no video track in the database`);
    const optional = <K extends string>(key: K, value: string | null) =>
      value === null ? {} : { [key]: value };
    const raw = {
      timeline: {
        ...optional('id', row.doc_id),
        name: row.name,
        ...optional('description', row.description),
        duration: row.duration,
        fps: row.fps,
        resolution: row.resolution,
        loop: row.loop === 1,
        tracks: {
          video: {
            track_id: video.track_key,
            type: 'video',
            ...optional('name', video.track_name),
            cues: cuesOf(video.id),
          },
          overlays: tracks
            .filter((track) => track.track_type === 'overlay')
            .map((track) => ({
              track_id: track.track_key,
              type: 'overlay',
              ...optional('name', track.track_name),
              layer: track.layer,
              enabled: track.is_enabled === 1,
              cues: cuesOf(track.id),
            })),
          ...(row.audio_track === null ? {} : { audio: JSON.parse(row.audio_track) as unknown }),
        },
        ...(row.fallback === null ? {} : { fallback: JSON.parse(row.fallback) as unknown }),
      },
    };
    // Stored timelines were valid when written; parsing again keeps the one canonical typed form.
    return requireValidTimeline(raw).document;
  }
}

function notFound(id: number): AppError {
  return new AppError('TIMELINE_NOT_FOUND', `there is no timeline ${id}`);
}
