-- 012: YouTube channels connected through OAuth's device flow (issue 17). The tokens are sealed
-- by the application (AES-256-GCM, like stream keys); SQL sees only their sealed form. A
-- destination of platform YouTube will name its connection when the lifecycle is wired in.
CREATE TABLE youtube_connections (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  scope TEXT NOT NULL,
  refresh_token_enc TEXT NOT NULL,
  access_token_enc TEXT,
  access_expires_at_ms INTEGER,
  connected_at_ms INTEGER NOT NULL,
  -- Set when the operator disconnected it or Google refused its refresh token (invalid_grant).
  revoked_at_ms INTEGER,
  revoked_reason TEXT
);
