-- 010: a cue may repeat ({"every": s, "until": s} as JSON, NULL = plays once). The document keeps
-- the rule; the copies are worked out when the timeline plays (src/timeline/repeat.ts).
ALTER TABLE timeline_cues ADD COLUMN repeat_rule TEXT
  CHECK (repeat_rule IS NULL OR json_valid(repeat_rule));
