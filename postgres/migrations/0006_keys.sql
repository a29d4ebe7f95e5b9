-- 0006_keys: the key-check values that tie the master key file to this
-- database, one data key per client (destroyed on erasure), and audit
-- entries that can be redacted without breaking the chain (see package
-- audit: version 2 entries commit to a salted body hash).

CREATE TABLE key_checks (
	id          TEXT PRIMARY KEY,
	check_value TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	retired_at  BIGINT
);

CREATE TABLE client_keys (
	id         TEXT PRIMARY KEY,
	key_sealed BYTEA NOT NULL,
	created_at BIGINT NOT NULL
);

ALTER TABLE audit ADD COLUMN content TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN salt TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN body_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_actor ON audit (actor);
CREATE INDEX audit_target ON audit (target);
