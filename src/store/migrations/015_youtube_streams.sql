-- 015: the reusable YouTube liveStream of each destination whose broadcasts the appliance runs
-- (issue 17). Created once and kept, so every broadcast of the destination binds the same stream
-- key; the key itself is not stored (it is read from YouTube at every GO LIVE). A stream belongs
-- to the channel it was made on: a different connection makes a new one.
CREATE TABLE youtube_streams (
  destination_id INTEGER PRIMARY KEY REFERENCES destinations(id) ON DELETE CASCADE,
  connection_id INTEGER NOT NULL,
  stream_id TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
