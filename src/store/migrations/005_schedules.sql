-- 005: schedules that start and stop shows unattended. A schedule is a weekly window in local
-- wall time (the appliance's time zone) with an ordered list of timelines and the destinations to
-- stream to. Every scheduled start, stop and skip is recorded in schedule_events, and the show's
-- execution row names the schedule (and the window) that started it, so a restart knows whose
-- show is on air.

CREATE TABLE schedules (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  name            TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  -- JSON array of weekdays the window starts on: ["mon", …, "sun"].
  days            TEXT NOT NULL CHECK (json_valid(days)),
  -- Local wall time "HH:MM" (or "HH:MM:SS"); an end at or before the start ends the next day.
  start_time      TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]' OR start_time GLOB '[0-2][0-9]:[0-5][0-9]:[0-5][0-9]'),
  end_time        TEXT NOT NULL CHECK (end_time GLOB '[0-2][0-9]:[0-5][0-9]' OR end_time GLOB '[0-2][0-9]:[0-5][0-9]:[0-5][0-9]'),
  -- JSON arrays of ids, in play order / of destinations.
  timeline_ids    TEXT NOT NULL CHECK (json_valid(timeline_ids)),
  destination_ids TEXT NOT NULL CHECK (json_valid(destination_ids)),
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  modified_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- What the scheduler did: started, next_timeline, stopped (window end), completed (the list ended),
-- skipped (a manual show or another schedule was on air), failed, operator_stopped, resumed.
CREATE TABLE schedule_events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  schedule_id   INTEGER REFERENCES schedules(id) ON DELETE CASCADE,
  at            TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('started', 'next_timeline', 'stopped', 'completed', 'skipped',
                                              'failed', 'operator_stopped', 'resumed')),
  window_start  TEXT NOT NULL,
  window_end    TEXT NOT NULL,
  execution_id  INTEGER REFERENCES timeline_executions(id) ON DELETE SET NULL,
  timeline_id   INTEGER,
  detail        TEXT
);
CREATE INDEX schedule_events_by_schedule ON schedule_events(schedule_id, id);

-- The schedule that started a show (NULL: the operator or the demo), the window's start (ISO) and
-- the position of the timeline in the schedule's list.
ALTER TABLE timeline_executions ADD COLUMN schedule_id INTEGER REFERENCES schedules(id) ON DELETE SET NULL;
ALTER TABLE timeline_executions ADD COLUMN schedule_window TEXT;
ALTER TABLE timeline_executions ADD COLUMN schedule_item INTEGER;
