-- 0005_accounts: accounts nobody else can take over, lock out or speak for.
-- disabled_at: the account is switched off (no sign-in, every token revoked).
-- must_change_password: an admin set the password; the holder chooses their
-- own at the next web sign-in. totp_sealed: the sealed TOTP secret (empty
-- until enrolment is confirmed); totp_pending_sealed: a secret being
-- enrolled. recovery_codes: JSON list of SHA-256 hashes of unused codes.
-- demo: the account was made by `holdspace demo`.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_sealed BLOB;
ALTER TABLE users ADD COLUMN totp_pending_sealed BLOB;
ALTER TABLE users ADD COLUMN recovery_codes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
-- totp_last_step: the last TOTP time step accepted, so a code is never
-- accepted twice (RFC 6238 section 5.2).
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
-- device: a short description of where a token or web session was issued
-- (kind of client and address), shown on the holder's sessions page.
ALTER TABLE tokens ADD COLUMN device TEXT NOT NULL DEFAULT '';
CREATE INDEX tokens_expires ON tokens (expires_at);
-- A revoked credential is not valid from revoked_at on.
ALTER TABLE credentials ADD COLUMN revoked_at BIGINT;
ALTER TABLE credentials ADD COLUMN revoked_reason TEXT NOT NULL DEFAULT '';
