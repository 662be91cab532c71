-- 001: the initial schema. Tables from the product spec plus the appliance's configuration.
-- Times are ISO-8601 UTC text. Secrets (camera passwords, stream keys) are stored encrypted.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'operator')),
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE timelines (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  doc_id      TEXT,                                   -- the "id" inside the timeline JSON, if any
  name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description TEXT,
  duration    REAL NOT NULL CHECK (duration > 0),     -- seconds
  fps         INTEGER NOT NULL DEFAULT 30 CHECK (fps BETWEEN 1 AND 60),
  resolution  TEXT NOT NULL DEFAULT '1920x1080',
  loop        INTEGER NOT NULL DEFAULT 0 CHECK (loop IN (0, 1)),
  fallback    TEXT CHECK (fallback IS NULL OR json_valid(fallback)),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  modified_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))
);

CREATE TABLE timeline_tracks (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  timeline_id INTEGER NOT NULL REFERENCES timelines(id) ON DELETE CASCADE,
  track_key   TEXT NOT NULL,                          -- "track_id" in the JSON
  track_type  TEXT NOT NULL CHECK (track_type IN ('video', 'overlay')),
  track_name  TEXT,
  layer       INTEGER NOT NULL DEFAULT 1,             -- z-order for overlays (1 = bottom)
  position    INTEGER NOT NULL,                       -- order in the JSON, so export round-trips
  is_enabled  INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  UNIQUE (timeline_id, track_key)
);
CREATE INDEX timeline_tracks_timeline ON timeline_tracks(timeline_id);

CREATE TABLE timeline_cues (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  track_id            INTEGER NOT NULL REFERENCES timeline_tracks(id) ON DELETE CASCADE,
  cue_key             TEXT NOT NULL,                  -- "id" of the cue in the JSON
  cue_order           INTEGER NOT NULL,
  start_time          REAL NOT NULL CHECK (start_time >= 0),
  duration            REAL NOT NULL CHECK (duration > 0),
  action_type         TEXT NOT NULL,
  action_params       TEXT NOT NULL CHECK (json_valid(action_params)),
  transition_type     TEXT NOT NULL DEFAULT 'cut',
  transition_duration REAL NOT NULL DEFAULT 0
);
CREATE INDEX timeline_cues_track ON timeline_cues(track_id, cue_order);

CREATE TABLE timeline_executions (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  timeline_id   INTEGER REFERENCES timelines(id) ON DELETE SET NULL,
  started_at    TEXT NOT NULL,
  completed_at  TEXT,
  status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'stopped', 'error')),
  executed_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
  error_message TEXT,
  metrics       TEXT CHECK (metrics IS NULL OR json_valid(metrics))
);
CREATE INDEX timeline_executions_status ON timeline_executions(status);

CREATE TABLE assets (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  asset_type  TEXT NOT NULL CHECK (asset_type IN ('image', 'video', 'audio')),
  filename    TEXT NOT NULL,
  file_path   TEXT NOT NULL UNIQUE,
  file_size   INTEGER,
  mime_type   TEXT,
  checksum    TEXT,                                   -- SHA-256, hex
  uploaded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  metadata    TEXT CHECK (metadata IS NULL OR json_valid(metadata))
);

CREATE TABLE cameras (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  name               TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  stream_url         TEXT NOT NULL,                   -- without credentials
  username           TEXT,
  password_enc       TEXT,                            -- encrypted at rest
  camera_type        TEXT NOT NULL DEFAULT 'stationary' CHECK (camera_type IN ('stationary', 'ptz')),
  onvif_url          TEXT,
  onvif_username     TEXT,
  onvif_password_enc TEXT,                            -- encrypted at rest
  backup_camera_id   INTEGER REFERENCES cameras(id) ON DELETE SET NULL,
  enabled            INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  modified_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (backup_camera_id IS NULL OR backup_camera_id <> id)
);

CREATE TABLE ptz_presets (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  camera_id    INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,                         -- what timelines name in "preset_id"
  preset_token TEXT,                                  -- the camera's ONVIF PresetToken
  pan          REAL,
  tilt         REAL,
  zoom         REAL,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (camera_id, name)
);

CREATE TABLE destinations (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  name           TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  platform       TEXT NOT NULL CHECK (platform IN ('youtube', 'facebook', 'twitch', 'custom')),
  server_url     TEXT NOT NULL,
  stream_key_enc TEXT,                                -- encrypted at rest, never returned
  enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  modified_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE alerts (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  severity        TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
  code            TEXT NOT NULL,
  message         TEXT NOT NULL,
  remediation     TEXT NOT NULL,
  source          TEXT,                               -- e.g. "camera:2", "destination:1"
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  acknowledged    INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged IN (0, 1)),
  acknowledged_at TEXT
);
CREATE INDEX alerts_open ON alerts(acknowledged, created_at);
