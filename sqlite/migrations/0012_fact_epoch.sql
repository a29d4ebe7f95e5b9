-- 0012_fact_epoch: two counters that let every node answer from memory
-- only what is exactly current (issue 16). Row 1, the fact epoch: every
-- committed write to a fact that nodes cache (sessions and their events,
-- client assignments, fact versions, agreements, revocations, screenings,
-- clearances, credentials, guardians' consents, settings, accounts,
-- tokens' revocation) moves it in its own transaction, just before it
-- commits (sqlstore epoch.go). Row 2, the auth epoch: moved as well by
-- every write that may end or change a validated token (revoking or
-- deleting tokens, changing or erasing an account). A node uses a cached
-- fact only while the counter it reads in the same request equals the one
-- it read before reading the fact, so every node sees every such write
-- the moment it commits, whatever the notification latency.
CREATE TABLE fact_epoch (
	id INTEGER PRIMARY KEY CHECK (id IN (1, 2)),
	n  BIGINT NOT NULL
);
INSERT INTO fact_epoch (id, n) VALUES (1, 0), (2, 0);
