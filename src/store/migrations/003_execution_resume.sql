-- 003: crash resume. An execution row carries what is needed to start the same show again after
-- the appliance died mid-show (power cut, SIGKILL): the plan, the wall-clock anchor, the last
-- position checkpoint, which process owns the run, and how often it was resumed.

-- What was started (JSON): destination ids, preview/recording, encoder options, generated cameras.
-- Never secrets: stream keys and camera passwords are read from their tables at every (re)start.
ALTER TABLE timeline_executions ADD COLUMN plan TEXT CHECK (plan IS NULL OR json_valid(plan));
-- Wall-clock time (ms since the epoch, fractional) at which program frame 0 was, or would have been, on air.
-- The show's position at any moment is (now - anchor_ms) × fps / 1000.
ALTER TABLE timeline_executions ADD COLUMN anchor_ms INTEGER;
-- Last program frame written, saved every few seconds, and when.
ALTER TABLE timeline_executions ADD COLUMN checkpoint_frame INTEGER CHECK (checkpoint_frame IS NULL OR checkpoint_frame >= 0);
ALTER TABLE timeline_executions ADD COLUMN checkpoint_at TEXT;
-- The process running the show: pid, its start time in clock ticks since boot (/proc/<pid>/stat
-- field 22) and the kernel boot id. A 'running' row whose owner is gone died mid-show.
ALTER TABLE timeline_executions ADD COLUMN owner_pid INTEGER;
ALTER TABLE timeline_executions ADD COLUMN owner_start_ticks INTEGER;
ALTER TABLE timeline_executions ADD COLUMN owner_boot_id TEXT;
-- Crash resumes of this run: how many, the last one, and the frame it resumed at.
ALTER TABLE timeline_executions ADD COLUMN resume_count INTEGER NOT NULL DEFAULT 0 CHECK (resume_count >= 0);
ALTER TABLE timeline_executions ADD COLUMN resumed_at TEXT;
ALTER TABLE timeline_executions ADD COLUMN resume_frame INTEGER;
-- A remark for the operator, e.g. "the show ended while the appliance was down".
ALTER TABLE timeline_executions ADD COLUMN note TEXT;
