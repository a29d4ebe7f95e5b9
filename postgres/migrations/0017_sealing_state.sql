-- 0017_sealing_state: whether every value that versions before sealing
-- wrote in clear (see 0007 and app/sealrecords.go) has been sealed, so
-- that a start need not read every row of those columns to find out.
-- all_sealed is set by the app after a complete pass found nothing left in
-- clear. The triggers below clear it, and count, whenever anything writes
-- a value that does not have the sealed form into one of those columns,
-- whoever writes it: a version from before sealing started after a
-- downgrade, a restore or an import, a hand-written statement. The next
-- start then makes a full pass again. A pass only sets all_sealed if
-- clear_writes has not moved since it began, so a clear write racing a
-- pass is not lost. The conditions err on the side of firing: a value in
-- a form the app would leave alone as well only costs one more pass.

CREATE TABLE sealing_state (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	all_sealed   BOOLEAN NOT NULL,
	clear_writes BIGINT NOT NULL
);
INSERT INTO sealing_state (id, all_sealed, clear_writes) VALUES (1, FALSE, 0);

CREATE FUNCTION sealing_state_clear_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE sealing_state SET all_sealed = FALSE, clear_writes = clear_writes + 1 WHERE id = 1;
	RETURN NULL;
END;
$$;

CREATE TRIGGER agreements_intent_clear_insert AFTER INSERT ON agreements FOR EACH ROW
	WHEN (NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:')
	EXECUTE FUNCTION sealing_state_clear_write();
CREATE TRIGGER agreements_intent_clear_update AFTER UPDATE OF intent ON agreements FOR EACH ROW
	WHEN (NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:')
	EXECUTE FUNCTION sealing_state_clear_write();

CREATE TRIGGER sessions_intent_clear_insert AFTER INSERT ON sessions FOR EACH ROW
	WHEN (NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:')
	EXECUTE FUNCTION sealing_state_clear_write();
CREATE TRIGGER sessions_intent_clear_update AFTER UPDATE OF intent ON sessions FOR EACH ROW
	WHEN (NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:')
	EXECUTE FUNCTION sealing_state_clear_write();

CREATE TRIGGER revocations_regions_clear_insert AFTER INSERT ON revocations FOR EACH ROW
	WHEN (NEW.regions NOT IN ('', '[]', 'null') AND (substr(NEW.regions, 1, 9) <> '["sealed:' OR strpos(NEW.regions, ',') > 0))
	EXECUTE FUNCTION sealing_state_clear_write();
CREATE TRIGGER revocations_regions_clear_update AFTER UPDATE OF regions ON revocations FOR EACH ROW
	WHEN (NEW.regions NOT IN ('', '[]', 'null') AND (substr(NEW.regions, 1, 9) <> '["sealed:' OR strpos(NEW.regions, ',') > 0))
	EXECUTE FUNCTION sealing_state_clear_write();

CREATE TRIGGER follow_ups_triggers_clear_insert AFTER INSERT ON follow_ups FOR EACH ROW
	WHEN (NEW.triggers NOT IN ('', '[]', 'null') AND (substr(NEW.triggers, 1, 9) <> '["sealed:' OR strpos(NEW.triggers, ',') > 0))
	EXECUTE FUNCTION sealing_state_clear_write();
CREATE TRIGGER follow_ups_triggers_clear_update AFTER UPDATE OF triggers ON follow_ups FOR EACH ROW
	WHEN (NEW.triggers NOT IN ('', '[]', 'null') AND (substr(NEW.triggers, 1, 9) <> '["sealed:' OR strpos(NEW.triggers, ',') > 0))
	EXECUTE FUNCTION sealing_state_clear_write();

-- The payload is sealed when its first byte is 2 (seal: a value sealed
-- under a data key); anything else not empty counts as clear.
CREATE TRIGGER session_events_clear_insert AFTER INSERT ON session_events FOR EACH ROW
	WHEN ((NEW.type <> '' AND substr(NEW.type, 1, 7) <> 'sealed:')
		OR (NEW.payload IS NOT NULL AND length(NEW.payload) > 0 AND substr(NEW.payload, 1, 1) <> '\x02'::bytea))
	EXECUTE FUNCTION sealing_state_clear_write();
CREATE TRIGGER session_events_clear_update AFTER UPDATE OF type, payload ON session_events FOR EACH ROW
	WHEN ((NEW.type <> '' AND substr(NEW.type, 1, 7) <> 'sealed:')
		OR (NEW.payload IS NOT NULL AND length(NEW.payload) > 0 AND substr(NEW.payload, 1, 1) <> '\x02'::bytea))
	EXECUTE FUNCTION sealing_state_clear_write();
