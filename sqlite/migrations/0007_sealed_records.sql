-- 0007_sealed_records: what reveals sex life or health is no longer kept
-- in clear. The intent of agreements and sessions now holds a blind index,
-- and the regions of revocations, the type and payload of session events
-- and the triggers of follow-ups hold values sealed under the client's
-- data key; a migration has no keys, so the app seals the values written
-- before as it starts (see app/sealrecords.go). The follow-up flag that
-- puts it in the admins' queue keeps its meaning under a name that does
-- not say why.

ALTER TABLE follow_ups RENAME COLUMN adverse TO to_acknowledge;
