-- 0012_fact_epoch: one counter that every committed write to a fact that
-- nodes cache (tokens' revocation, accounts, client assignments, sessions
-- and their events, agreements, revocations, screenings, clearances,
-- credentials, guardians' consents, practice settings) moves in its own
-- transaction, just before it commits (sqlstore Tx.bumpEpoch). A node uses
-- a cached fact only while the counter it reads in the same request equals
-- the counter it read before reading the fact, so every node sees every
-- such write the moment it commits, whatever the notification latency
-- (issue 16).
CREATE TABLE fact_epoch (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  BIGINT NOT NULL
);
INSERT INTO fact_epoch (id, n) VALUES (1, 0);
