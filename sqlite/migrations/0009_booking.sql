-- 0009_booking: session types, practitioners' weekly availability and its
-- exceptions, and bookings (issue 14). A booking is a session: the
-- bookings row keeps how it was booked, the span it keeps the
-- practitioner busy (session plus buffer) and its cancellation or no-show.
-- booking_calendars holds one row per practitioner that every booking
-- write updates first, so that bookings of one practitioner are
-- serialized and the overlap check inside the transaction holds.

CREATE TABLE session_types (
	id               TEXT PRIMARY KEY,
	name             TEXT NOT NULL,
	intent           TEXT NOT NULL,
	duration_minutes BIGINT NOT NULL,
	buffer_minutes   BIGINT NOT NULL,
	regions          TEXT NOT NULL,
	active           BOOLEAN NOT NULL,
	created_at       BIGINT NOT NULL,
	updated_at       BIGINT NOT NULL
);

CREATE TABLE availability (
	id              TEXT PRIMARY KEY,
	practitioner_id TEXT NOT NULL REFERENCES users (id),
	weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
	start_minute    INTEGER NOT NULL,
	end_minute      INTEGER NOT NULL,
	created_at      BIGINT NOT NULL,
	CHECK (start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute)
);
CREATE INDEX availability_practitioner ON availability (practitioner_id, weekday, start_minute);

CREATE TABLE availability_exceptions (
	id              TEXT PRIMARY KEY,
	practitioner_id TEXT NOT NULL REFERENCES users (id),
	starts_at       BIGINT NOT NULL,
	ends_at         BIGINT NOT NULL,
	reason          TEXT NOT NULL,
	created_at      BIGINT NOT NULL,
	created_by      TEXT NOT NULL DEFAULT '',
	CHECK (starts_at < ends_at)
);
CREATE INDEX availability_exceptions_practitioner ON availability_exceptions (practitioner_id, starts_at);

CREATE TABLE booking_calendars (
	practitioner_id TEXT PRIMARY KEY REFERENCES users (id),
	version         BIGINT NOT NULL
);

CREATE TABLE bookings (
	session_id       TEXT PRIMARY KEY REFERENCES sessions (id),
	client_id        TEXT NOT NULL REFERENCES clients (id),
	practitioner_id  TEXT NOT NULL REFERENCES users (id),
	session_type     TEXT NOT NULL,
	starts_at        BIGINT NOT NULL,
	ends_at          BIGINT NOT NULL,
	blocked_until    BIGINT NOT NULL,
	status           TEXT NOT NULL,
	intake_requested BOOLEAN NOT NULL DEFAULT FALSE,
	booked_at        BIGINT NOT NULL,
	booked_by        TEXT NOT NULL DEFAULT '',
	changed_at       BIGINT,
	changed_by       TEXT NOT NULL DEFAULT '',
	changed_role     TEXT NOT NULL DEFAULT '',
	late             BOOLEAN NOT NULL DEFAULT FALSE,
	CHECK (starts_at < ends_at AND ends_at <= blocked_until)
);
CREATE INDEX bookings_practitioner ON bookings (practitioner_id, starts_at);
CREATE INDEX bookings_client ON bookings (client_id, starts_at);
