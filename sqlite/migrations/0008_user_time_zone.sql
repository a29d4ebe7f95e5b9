-- 0008_user_time_zone: a person may choose the time zone they see and
-- enter times in (an IANA name); empty means the practice's.

ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
