-- 0017_clear_writes: whether every value that versions before sealing
-- wrote in clear (see 0007 and app/sealrecords.go) has been sealed, so
-- that a start need not read every row of those columns to find out.
-- The triggers below note, in clear_writes, every write of a value that
-- does not have the sealed form into one of those columns, whoever writes
-- it: a version from before sealing started after a downgrade, a restore
-- or an import, a hand-written statement. A start makes a full pass only
-- while clear_writes holds a row; after a pass it deletes the rows it read
-- before the pass, each only if its count has not moved since, so a clear
-- write racing a pass is not lost. The row inserted here makes the first
-- start after this migration make a pass. The conditions err on the side
-- of noting: a value the app would leave alone as well only costs a pass.
-- On PostgreSQL each writing transaction counts in a row of its own, so
-- that concurrent writers never wait on one another for it.

CREATE TABLE clear_writes (
	tx BIGINT PRIMARY KEY, -- the writing transaction (txid_current); 0: this migration
	n  BIGINT NOT NULL     -- values written in clear by it
);
INSERT INTO clear_writes (tx, n) VALUES (0, 1);

CREATE FUNCTION note_clear_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO clear_writes (tx, n) VALUES (txid_current(), 1) ON CONFLICT (tx) DO UPDATE SET n = clear_writes.n + 1;
	RETURN NULL;
END;
$$;

CREATE TRIGGER agreements_intent_clear_insert AFTER INSERT ON agreements FOR EACH ROW
	WHEN (NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:')
	EXECUTE FUNCTION note_clear_write();
CREATE TRIGGER agreements_intent_clear_update AFTER UPDATE OF intent ON agreements FOR EACH ROW
	WHEN (NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:')
	EXECUTE FUNCTION note_clear_write();

CREATE TRIGGER sessions_intent_clear_insert AFTER INSERT ON sessions FOR EACH ROW
	WHEN (NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:')
	EXECUTE FUNCTION note_clear_write();
CREATE TRIGGER sessions_intent_clear_update AFTER UPDATE OF intent ON sessions FOR EACH ROW
	WHEN (NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:')
	EXECUTE FUNCTION note_clear_write();

CREATE TRIGGER revocations_regions_clear_insert AFTER INSERT ON revocations FOR EACH ROW
	WHEN (NEW.regions NOT IN ('', '[]', 'null') AND (substr(NEW.regions, 1, 9) <> '["sealed:' OR strpos(NEW.regions, ',') > 0))
	EXECUTE FUNCTION note_clear_write();
CREATE TRIGGER revocations_regions_clear_update AFTER UPDATE OF regions ON revocations FOR EACH ROW
	WHEN (NEW.regions NOT IN ('', '[]', 'null') AND (substr(NEW.regions, 1, 9) <> '["sealed:' OR strpos(NEW.regions, ',') > 0))
	EXECUTE FUNCTION note_clear_write();

CREATE TRIGGER follow_ups_triggers_clear_insert AFTER INSERT ON follow_ups FOR EACH ROW
	WHEN (NEW.triggers NOT IN ('', '[]', 'null') AND (substr(NEW.triggers, 1, 9) <> '["sealed:' OR strpos(NEW.triggers, ',') > 0))
	EXECUTE FUNCTION note_clear_write();
CREATE TRIGGER follow_ups_triggers_clear_update AFTER UPDATE OF triggers ON follow_ups FOR EACH ROW
	WHEN (NEW.triggers NOT IN ('', '[]', 'null') AND (substr(NEW.triggers, 1, 9) <> '["sealed:' OR strpos(NEW.triggers, ',') > 0))
	EXECUTE FUNCTION note_clear_write();

-- The payload is sealed when its first byte is 2 (seal: a value sealed
-- under a data key); anything else not empty counts as clear.
CREATE TRIGGER session_events_clear_insert AFTER INSERT ON session_events FOR EACH ROW
	WHEN ((NEW.type <> '' AND substr(NEW.type, 1, 7) <> 'sealed:')
		OR (NEW.payload IS NOT NULL AND length(NEW.payload) > 0 AND substr(NEW.payload, 1, 1) <> '\x02'::bytea))
	EXECUTE FUNCTION note_clear_write();
CREATE TRIGGER session_events_clear_update AFTER UPDATE OF type, payload ON session_events FOR EACH ROW
	WHEN ((NEW.type <> '' AND substr(NEW.type, 1, 7) <> 'sealed:')
		OR (NEW.payload IS NOT NULL AND length(NEW.payload) > 0 AND substr(NEW.payload, 1, 1) <> '\x02'::bytea))
	EXECUTE FUNCTION note_clear_write();
