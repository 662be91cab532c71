-- 014: a timeline may have an audio bed (issue 17): one audio track whose cues play uploaded audio
-- assets. It is kept whole as JSON (AudioTrackSchema) beside the normalised video and overlay
-- tracks, since timeline_tracks' CHECK allows only those two kinds. NULL: no audio bed.
ALTER TABLE timelines ADD COLUMN audio_track TEXT CHECK (audio_track IS NULL OR json_valid(audio_track));
