// Schedules and what the scheduler did with them (schedule_events).
import {
  isSunTime,
  ScheduleInputSchema,
  SunTimeSchema,
  type ScheduleEvent,
  type ScheduleEventKind,
  type WindowEdge,
} from '../../domain/schedule.ts';
import { AppError } from '../../errors/registry.ts';
import type { Weekday } from '../../core/calendar.ts';
import { nowIso, type Db } from '../database.ts';
import { parseInput, writeNamed } from './shared.ts';

export interface Schedule {
  id: number;
  name: string;
  enabled: boolean;
  days: Weekday[];
  /** A clock time "HH:MM", or sunrise/sunset ± minutes. */
  start_time: WindowEdge;
  end_time: WindowEdge;
  timeline_ids: number[];
  destination_ids: number[];
  created_at: string;
  modified_at: string;
}

type ScheduleRow = Omit<
  Schedule,
  'enabled' | 'days' | 'timeline_ids' | 'destination_ids' | 'start_time' | 'end_time'
> & {
  start_time: string;
  end_time: string;
  start_sun: string | null;
  end_sun: string | null;
  enabled: number;
  days: string;
  timeline_ids: string;
  destination_ids: string;
};

export interface NewScheduleEvent {
  scheduleId: number;
  kind: ScheduleEventKind;
  windowStart: number;
  windowEnd: number;
  at?: number;
  executionId?: number | null;
  timelineId?: number | null;
  detail?: string | null;
}

export class ScheduleRepository {
  constructor(private readonly db: Db) {}

  list(): Schedule[] {
    return (this.db.prepare('SELECT * FROM schedules ORDER BY id').all() as ScheduleRow[]).map(toSchedule);
  }

  get(id: number): Schedule {
    const row = this.db.prepare('SELECT * FROM schedules WHERE id = ?').get(id) as ScheduleRow | undefined;
    if (!row) throw new AppError('SCHEDULE_NOT_FOUND', `there is no schedule ${id}`);
    return toSchedule(row);
  }

  create(input: unknown): Schedule {
    const value = parseInput(ScheduleInputSchema, input, 'schedule');
    const now = nowIso();
    return writeNamed(this.db, value.name, () => {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO schedules (name, enabled, days, start_time, end_time, start_sun, end_sun, timeline_ids,
             destination_ids, created_at, modified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...columns(value), now, now);
      return this.get(Number(lastInsertRowid));
    });
  }

  /** Replaces every field (PUT). */
  replace(id: number, input: unknown): Schedule {
    const value = parseInput(ScheduleInputSchema, input, 'schedule');
    return writeNamed(this.db, value.name, () => {
      this.get(id);
      this.db
        .prepare(
          `UPDATE schedules SET name = ?, enabled = ?, days = ?, start_time = ?, end_time = ?, start_sun = ?,
             end_sun = ?, timeline_ids = ?, destination_ids = ?, modified_at = ? WHERE id = ?`,
        )
        .run(...columns(value), nowIso(), id);
      return this.get(id);
    });
  }

  delete(id: number): void {
    if (this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes === 0)
      throw new AppError('SCHEDULE_NOT_FOUND', `there is no schedule ${id}`);
  }

  record(event: NewScheduleEvent): ScheduleEvent {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO schedule_events (schedule_id, at, kind, window_start, window_end, execution_id, timeline_id, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        event.scheduleId,
        event.at === undefined ? nowIso() : new Date(event.at).toISOString(),
        event.kind,
        new Date(event.windowStart).toISOString(),
        new Date(event.windowEnd).toISOString(),
        event.executionId ?? null,
        event.timelineId ?? null,
        event.detail ?? null,
      );
    return this.db
      .prepare('SELECT * FROM schedule_events WHERE id = ?')
      .get(Number(lastInsertRowid)) as ScheduleEvent;
  }

  /** Newest first; of one schedule or of all. */
  events(filter: { scheduleId?: number; limit?: number } = {}): ScheduleEvent[] {
    const limit = filter.limit ?? 100;
    return (
      filter.scheduleId === undefined
        ? this.db.prepare('SELECT * FROM schedule_events ORDER BY id DESC LIMIT ?').all(limit)
        : this.db
            .prepare('SELECT * FROM schedule_events WHERE schedule_id = ? ORDER BY id DESC LIMIT ?')
            .all(filter.scheduleId, limit)
    ) as ScheduleEvent[];
  }

  /** Marks an execution as started by a schedule, for that window and list position. */
  tagExecution(executionId: number, tag: { scheduleId: number; windowStart: number; item: number }): void {
    this.db
      .prepare(
        'UPDATE timeline_executions SET schedule_id = ?, schedule_window = ?, schedule_item = ? WHERE id = ?',
      )
      .run(tag.scheduleId, new Date(tag.windowStart).toISOString(), tag.item, executionId);
  }

  /** Which schedule (if any) started an execution. */
  executionTag(executionId: number): { scheduleId: number; windowStart: string; item: number } | null {
    const row = this.db
      .prepare('SELECT schedule_id, schedule_window, schedule_item FROM timeline_executions WHERE id = ?')
      .get(executionId) as
      | { schedule_id: number | null; schedule_window: string | null; schedule_item: number | null }
      | undefined;
    if (!row || row.schedule_id === null || row.schedule_window === null) return null;
    return { scheduleId: row.schedule_id, windowStart: row.schedule_window, item: row.schedule_item ?? 0 };
  }

  /** The newest execution a schedule started in a window (to continue its list after a restart). */
  lastExecutionInWindow(scheduleId: number, windowStart: number): { id: number; item: number } | null {
    const row = this.db
      .prepare(
        `SELECT id, schedule_item FROM timeline_executions WHERE schedule_id = ? AND schedule_window = ?
          ORDER BY id DESC LIMIT 1`,
      )
      .get(scheduleId, new Date(windowStart).toISOString()) as
      { id: number; schedule_item: number | null } | undefined;
    return row ? { id: row.id, item: row.schedule_item ?? 0 } : null;
  }
}

function columns(value: ReturnType<typeof ScheduleInputSchema.parse>) {
  return [
    value.name,
    value.enabled ? 1 : 0,
    JSON.stringify(value.days),
    clockColumn(value.start_time),
    clockColumn(value.end_time),
    sunColumn(value.start_time),
    sunColumn(value.end_time),
    JSON.stringify(value.timeline_ids),
    JSON.stringify(value.destination_ids),
  ] as const;
}

/** The clock-time column: the time, or a placeholder its CHECK accepts for a sun edge. */
function clockColumn(edge: WindowEdge): string {
  return isSunTime(edge) ? '00:00' : edge;
}

function sunColumn(edge: WindowEdge): string | null {
  return isSunTime(edge) ? JSON.stringify(edge) : null;
}

function edgeOf(clock: string, sun: string | null): WindowEdge {
  return sun === null ? clock : SunTimeSchema.parse(JSON.parse(sun));
}

function toSchedule(row: ScheduleRow): Schedule {
  const { start_sun, end_sun, ...rest } = row;
  return {
    ...rest,
    start_time: edgeOf(row.start_time, start_sun),
    end_time: edgeOf(row.end_time, end_sun),
    enabled: row.enabled === 1,
    days: JSON.parse(row.days) as Weekday[],
    timeline_ids: JSON.parse(row.timeline_ids) as number[],
    destination_ids: JSON.parse(row.destination_ids) as number[],
  };
}
