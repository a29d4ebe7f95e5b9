-- 0001_init: the whole holdspace schema for PostgreSQL.
-- Times are BIGINT unix microseconds UTC; NULL means "not set".
-- Sealed values are opaque BYTEA; string lists are JSON text.

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	role          TEXT NOT NULL,
	email_index   BYTEA UNIQUE,
	email_sealed  BYTEA,
	name_sealed   BYTEA,
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    BIGINT NOT NULL,
	version       BIGINT NOT NULL DEFAULT 0,
	erased_at     BIGINT
);
CREATE INDEX users_role_created ON users (role, created_at);

CREATE TABLE tokens (
	hash         BYTEA PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id),
	kind         TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	expires_at   BIGINT,
	last_seen_at BIGINT,
	revoked_at   BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE clients (
	id                TEXT PRIMARY KEY REFERENCES users (id),
	birth_date_sealed BYTEA,
	anatomy_sealed    BYTEA,
	notes_sealed      BYTEA,
	created_at        BIGINT NOT NULL,
	created_by        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX clients_created ON clients (created_at);

CREATE TABLE client_practitioners (
	client_id       TEXT NOT NULL REFERENCES clients (id),
	practitioner_id TEXT NOT NULL REFERENCES users (id),
	position        INTEGER NOT NULL,
	PRIMARY KEY (client_id, practitioner_id)
);
CREATE INDEX client_practitioners_practitioner ON client_practitioners (practitioner_id);

CREATE TABLE credentials (
	id              TEXT PRIMARY KEY,
	practitioner_id TEXT NOT NULL REFERENCES users (id),
	kind            TEXT NOT NULL,
	issuer          TEXT NOT NULL,
	number          TEXT NOT NULL,
	valid_from      BIGINT,
	valid_until     BIGINT,
	covers          TEXT NOT NULL,
	created_at      BIGINT NOT NULL
);
CREATE INDEX credentials_practitioner ON credentials (practitioner_id, created_at);

CREATE TABLE screenings (
	id             TEXT PRIMARY KEY,
	client_id      TEXT NOT NULL REFERENCES clients (id),
	questionnaire  TEXT NOT NULL,
	answers_sealed BYTEA,
	result_sealed  BYTEA,
	taken_at       BIGINT NOT NULL,
	valid_until    BIGINT,
	recorded_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX screenings_client ON screenings (client_id, taken_at);

CREATE TABLE health_changes (
	id          TEXT PRIMARY KEY,
	client_id   TEXT NOT NULL REFERENCES clients (id),
	at          BIGINT NOT NULL,
	note_sealed BYTEA,
	recorded_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX health_changes_client ON health_changes (client_id, at);

CREATE TABLE clearances (
	id                TEXT PRIMARY KEY,
	client_id         TEXT NOT NULL REFERENCES clients (id),
	screening_id      TEXT NOT NULL,
	rule              TEXT NOT NULL,
	cleared_by_sealed BYTEA,
	cleared_on        TEXT NOT NULL,
	note_sealed       BYTEA,
	recorded_by       TEXT NOT NULL DEFAULT '',
	recorded_at       BIGINT NOT NULL
);
CREATE INDEX clearances_client ON clearances (client_id, recorded_at);

CREATE TABLE agreements (
	id                TEXT PRIMARY KEY,
	client_id         TEXT NOT NULL REFERENCES clients (id),
	intent            TEXT NOT NULL,
	version           INTEGER NOT NULL,
	grants_sealed     BYTEA,
	valid_until       BIGINT,
	created_at        BIGINT NOT NULL,
	created_by        TEXT NOT NULL DEFAULT '',
	signed_at         BIGINT,
	signed_by         TEXT NOT NULL DEFAULT '',
	sign_method       TEXT NOT NULL DEFAULT '',
	typed_name_sealed BYTEA,
	content_hash      TEXT NOT NULL DEFAULT '',
	supersedes        TEXT NOT NULL DEFAULT '',
	UNIQUE (client_id, intent, version)
);
CREATE INDEX agreements_client ON agreements (client_id, created_at);

CREATE TABLE revocations (
	id              TEXT PRIMARY KEY,
	agreement_id    TEXT NOT NULL REFERENCES agreements (id),
	client_id       TEXT NOT NULL REFERENCES clients (id),
	regions         TEXT NOT NULL,
	at              BIGINT NOT NULL,
	by_id           TEXT NOT NULL DEFAULT '',
	by_role         TEXT NOT NULL DEFAULT '',
	on_clients_word BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX revocations_client ON revocations (client_id, at);
CREATE INDEX revocations_agreement ON revocations (agreement_id);

CREATE TABLE sessions (
	id              TEXT PRIMARY KEY,
	client_id       TEXT NOT NULL REFERENCES clients (id),
	practitioner_id TEXT NOT NULL REFERENCES users (id),
	intent          TEXT NOT NULL,
	starts_at       BIGINT NOT NULL,
	state           TEXT NOT NULL,
	seq             BIGINT NOT NULL DEFAULT 0,
	created_at      BIGINT NOT NULL,
	created_by      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_client ON sessions (client_id, starts_at);
CREATE INDEX sessions_practitioner ON sessions (practitioner_id, starts_at);
CREATE INDEX sessions_starts ON sessions (starts_at);

CREATE TABLE session_events (
	id         TEXT PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions (id),
	seq        BIGINT NOT NULL,
	type       TEXT NOT NULL,
	at         BIGINT NOT NULL,
	actor_id   TEXT NOT NULL DEFAULT '',
	actor_role TEXT NOT NULL DEFAULT '',
	device     TEXT NOT NULL DEFAULT '',
	payload    BYTEA,
	sealed     BYTEA,
	UNIQUE (session_id, seq)
);

CREATE TABLE audit (
	seq       BIGINT PRIMARY KEY,
	at        BIGINT NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	target    TEXT NOT NULL,
	client_id TEXT NOT NULL,
	detail    TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE INDEX audit_client ON audit (client_id, seq);
CREATE INDEX audit_at ON audit (at);
