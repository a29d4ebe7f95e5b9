-- 0010_outbox: the transactional outbox of email (issue 14). A message is
-- written in the same transaction as the act it tells about and sent by a
-- worker afterwards. idem_key: at most one message per idempotency key
-- (also its Message-ID). to_sealed, body_sealed: the recipient and the
-- message, sealed; removed once sent. next_attempt_at: when the worker may
-- (next) try; a claim moves it forward as a lease. user_id: the recipient's
-- account, so erasing a client removes the messages to them.
CREATE TABLE outbox (
	id              TEXT PRIMARY KEY,
	idem_key        TEXT NOT NULL UNIQUE,
	kind            TEXT NOT NULL,
	user_id         TEXT NOT NULL DEFAULT '',
	to_sealed       BYTEA,
	body_sealed     BYTEA,
	created_at      BIGINT NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_user ON outbox (user_id);
