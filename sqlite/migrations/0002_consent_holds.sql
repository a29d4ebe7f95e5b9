-- Consent that cannot be sidestepped (issue 9).

-- A session is booked for a duration; it closes itself after it plus a
-- grace period.
ALTER TABLE sessions ADD COLUMN duration_minutes INTEGER NOT NULL DEFAULT 60;

-- At most one live session per client. Before the index can hold, every
-- live session but the latest of each client is closed automatically, with
-- the event that records it.
INSERT INTO session_events (id, session_id, seq, type, at, actor_id, actor_role, device)
SELECT 'evt_migration_' || s.id, s.id, s.seq + 1, 'auto-close', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER), 'system', 'system', 'migration'
FROM sessions s
WHERE s.state IN ('open', 'in-progress', 'stopped') AND EXISTS (
	SELECT 1 FROM sessions o WHERE o.client_id = s.client_id AND o.state IN ('open', 'in-progress', 'stopped')
	AND (o.starts_at > s.starts_at OR (o.starts_at = s.starts_at AND o.id > s.id)));
UPDATE sessions SET state = 'closed', seq = seq + 1
WHERE id IN (SELECT session_id FROM session_events WHERE type = 'auto-close' AND device = 'migration' AND seq = sessions.seq + 1);
CREATE UNIQUE INDEX sessions_one_live ON sessions (client_id) WHERE state IN ('open', 'in-progress', 'stopped');

-- Who entered a screening, and the client's confirmation of one entered by
-- someone else.
ALTER TABLE screenings ADD COLUMN recorded_role TEXT NOT NULL DEFAULT '';
ALTER TABLE screenings ADD COLUMN confirmed_at BIGINT;
ALTER TABLE screenings ADD COLUMN confirmed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE screenings ADD COLUMN confirm_method TEXT NOT NULL DEFAULT '';
ALTER TABLE screenings ADD COLUMN confirm_typed_name_sealed BLOB;
UPDATE screenings SET recorded_role = COALESCE((SELECT role FROM users WHERE users.id = screenings.recorded_by), '');

-- When the client saw a new agreement version or an in-person signature.
ALTER TABLE agreements ADD COLUMN client_seen_at BIGINT;
