-- 0013_keyset_pages: every list is read a page at a time in keyset order,
-- (time, id) so that ties are broken and a page starts exactly after the
-- previous one (issue 16). Each index below ends in the tie-breaking id, so
-- a page is one index range read with no sort. audit_at gains seq, so the
-- first entry at or after a time (GET /api/v1/audit?since=) is read from
-- the index alone.
DROP INDEX clients_created;
CREATE INDEX clients_created ON clients (created_at, id);
DROP INDEX sessions_client;
CREATE INDEX sessions_client ON sessions (client_id, starts_at, id);
DROP INDEX sessions_practitioner;
CREATE INDEX sessions_practitioner ON sessions (practitioner_id, starts_at, id);
DROP INDEX sessions_starts;
CREATE INDEX sessions_starts ON sessions (starts_at, id);
DROP INDEX audit_at;
CREATE INDEX audit_at ON audit (at, seq);
