-- 009: the health graphs' history (issue 16). One row per 10 s while a show is on air, plus one
-- row with on_air = 0 where a show went off air (a gap marker: the graphs draw a gap, not zeros).
-- at_ms is the end of the 10 s a row covers, on the wall clock (epoch ms); rows older than a day
-- are deleted as new ones arrive (src/store/repositories/health-samples.ts).
CREATE TABLE health_samples (
  at_ms INTEGER PRIMARY KEY,
  on_air INTEGER NOT NULL CHECK (on_air IN (0, 1)),
  execution_id INTEGER,
  bitrate_kbps REAL,
  fps REAL,
  dropped_frames INTEGER,
  system_cpu_percent REAL,
  reconnects INTEGER
);
