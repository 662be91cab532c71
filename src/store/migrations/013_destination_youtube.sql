-- 013: a YouTube destination may have its broadcasts run through the Live Streaming API (issue 17):
-- the connected channel and the broadcast settings, as JSON (YouTubeBroadcastSettingsSchema).
-- NULL: a plain stream key, as before.
ALTER TABLE destinations ADD COLUMN youtube_settings TEXT
  CHECK (youtube_settings IS NULL OR json_valid(youtube_settings));
