-- 006: per-destination platform session limit and per-camera PTZ settle time.
-- max_session_hours: NULL = the platform's limit (Facebook 8 h, Twitch 48 h, none for YouTube and
-- custom servers); 0 = never restart the session; otherwise hours. The appliance restarts the
-- session a little before the limit, at a keyframe.
ALTER TABLE destinations ADD COLUMN max_session_hours REAL
  CHECK (max_session_hours IS NULL OR (max_session_hours >= 0 AND max_session_hours <= 720));
-- ptz_settle_seconds: NULL = the appliance default (3 s); how long before a cue with a preset the
-- camera is sent there, so it has stopped moving when it goes on air.
ALTER TABLE cameras ADD COLUMN ptz_settle_seconds REAL
  CHECK (ptz_settle_seconds IS NULL OR (ptz_settle_seconds >= 0 AND ptz_settle_seconds <= 60));
