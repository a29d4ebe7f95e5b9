-- 0004_practice_settings: the practice's settings (one row), guardians'
-- consents recorded with a minor's agreements, and follow-ups after
-- sessions (issue 10).

CREATE TABLE practice_settings (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	body       TEXT NOT NULL,
	version    BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE guardian_consents (
	id           TEXT PRIMARY KEY REFERENCES agreements (id), -- the agreement's id: one guardian consent per agreement
	client_id    TEXT NOT NULL REFERENCES clients (id),
	sealed       BLOB NOT NULL,
	recorded_by  TEXT NOT NULL,
	recorded_at  BIGINT NOT NULL
);
CREATE INDEX guardian_consents_client ON guardian_consents (client_id, recorded_at);

CREATE TABLE follow_ups (
	id              TEXT PRIMARY KEY,
	session_id      TEXT NOT NULL UNIQUE REFERENCES sessions (id),
	client_id       TEXT NOT NULL REFERENCES clients (id),
	practitioner_id TEXT NOT NULL REFERENCES users (id),
	triggers        TEXT NOT NULL,
	adverse         INTEGER NOT NULL DEFAULT 0,
	created_at      BIGINT NOT NULL,
	due_at          BIGINT NOT NULL,
	answered_at     BIGINT,
	answer_event_id TEXT NOT NULL DEFAULT '',
	acknowledged_at BIGINT,
	acknowledged_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX follow_ups_practitioner ON follow_ups (practitioner_id, due_at);
CREATE INDEX follow_ups_client ON follow_ups (client_id, due_at);
