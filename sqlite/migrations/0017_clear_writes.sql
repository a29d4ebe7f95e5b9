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
-- SQLite has one writer at a time: every clear write counts in row 0.

CREATE TABLE clear_writes (
	tx BIGINT PRIMARY KEY, -- PostgreSQL: the writing transaction; SQLite: 0
	n  BIGINT NOT NULL     -- values written in clear by it
);
INSERT INTO clear_writes (tx, n) VALUES (0, 1);

CREATE TRIGGER agreements_intent_clear_insert AFTER INSERT ON agreements
	WHEN NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:'
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER agreements_intent_clear_update AFTER UPDATE OF intent ON agreements
	WHEN NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:'
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;

CREATE TRIGGER sessions_intent_clear_insert AFTER INSERT ON sessions
	WHEN NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:'
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER sessions_intent_clear_update AFTER UPDATE OF intent ON sessions
	WHEN NEW.intent <> '' AND substr(NEW.intent, 1, 3) <> 'bi:'
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;

CREATE TRIGGER revocations_regions_clear_insert AFTER INSERT ON revocations
	WHEN NEW.regions NOT IN ('', '[]', 'null') AND (substr(NEW.regions, 1, 9) <> '["sealed:' OR instr(NEW.regions, ',') > 0)
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER revocations_regions_clear_update AFTER UPDATE OF regions ON revocations
	WHEN NEW.regions NOT IN ('', '[]', 'null') AND (substr(NEW.regions, 1, 9) <> '["sealed:' OR instr(NEW.regions, ',') > 0)
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;

CREATE TRIGGER follow_ups_triggers_clear_insert AFTER INSERT ON follow_ups
	WHEN NEW.triggers NOT IN ('', '[]', 'null') AND (substr(NEW.triggers, 1, 9) <> '["sealed:' OR instr(NEW.triggers, ',') > 0)
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER follow_ups_triggers_clear_update AFTER UPDATE OF triggers ON follow_ups
	WHEN NEW.triggers NOT IN ('', '[]', 'null') AND (substr(NEW.triggers, 1, 9) <> '["sealed:' OR instr(NEW.triggers, ',') > 0)
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;

-- The payload is sealed when its first byte is 2 (seal: a value sealed
-- under a data key); anything else not empty counts as clear, text too.
CREATE TRIGGER session_events_clear_insert AFTER INSERT ON session_events
	WHEN (NEW.type <> '' AND substr(NEW.type, 1, 7) <> 'sealed:')
		OR (NEW.payload IS NOT NULL AND length(NEW.payload) > 0
			AND (typeof(NEW.payload) <> 'blob' OR substr(NEW.payload, 1, 1) <> X'02'))
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER session_events_clear_update AFTER UPDATE OF type, payload ON session_events
	WHEN (NEW.type <> '' AND substr(NEW.type, 1, 7) <> 'sealed:')
		OR (NEW.payload IS NOT NULL AND length(NEW.payload) > 0
			AND (typeof(NEW.payload) <> 'blob' OR substr(NEW.payload, 1, 1) <> X'02'))
	BEGIN INSERT INTO clear_writes (tx, n) VALUES (0, 1) ON CONFLICT (tx) DO UPDATE SET n = n + 1; END;
