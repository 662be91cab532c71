-- 011: a schedule window's start and end may follow the sun: the day's sunrise or sunset at the
-- appliance's position, moved by an offset. Stored as JSON {"sun": "sunrise"|"sunset",
-- "offset_minutes": n}; when set it wins, and the clock time beside it (kept, as its CHECK needs
-- one) is "00:00" and unused. NULL: the clock time is the edge, as before.
ALTER TABLE schedules ADD COLUMN start_sun TEXT CHECK (start_sun IS NULL OR json_valid(start_sun));
ALTER TABLE schedules ADD COLUMN end_sun TEXT CHECK (end_sun IS NULL OR json_valid(end_sun));
