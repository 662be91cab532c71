-- 002: alerts that open and clear. The engine raises an alert under a stable key
-- ("camera:2:offline") while a condition lasts and clears it when the condition ends; raising a
-- key that is already open updates that row instead of adding another.
-- Keyless alerts (one-off events) keep the old behaviour: one row per raise.

ALTER TABLE alerts ADD COLUMN key TEXT CHECK (key IS NULL OR length(key) BETWEEN 1 AND 200);
-- When the condition ended; NULL while it lasts.
ALTER TABLE alerts ADD COLUMN cleared_at TEXT;
-- Last time an open alert was raised again with a different message or severity.
ALTER TABLE alerts ADD COLUMN updated_at TEXT;

-- At most one open alert per key, and the index the engine's raise/clear look it up by.
CREATE UNIQUE INDEX alerts_open_key ON alerts(key) WHERE key IS NOT NULL AND cleared_at IS NULL;
-- The alerts list (newest first) and the health check's open alerts.
CREATE INDEX alerts_cleared ON alerts(cleared_at, id);
