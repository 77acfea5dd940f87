-- +goose Up
-- Every PIN or password change bumps the user's credential epoch. Access tokens and web sessions
-- carry the epoch they were issued under and stop working when it moves, so a changed credential
-- signs out every session that knew the old one.
ALTER TABLE users ADD COLUMN credential_epoch integer NOT NULL DEFAULT 0;

-- Web session tokens are now stored as their SHA-256: rows keyed by the raw token can no longer
-- be found and would only linger until they expire.
DELETE FROM sessions;

-- A sign-in attempt is recorded before the credential is checked and taken back by id when it
-- succeeds, so parallel guesses cannot all slip under the limit.
ALTER TABLE login_failures ADD COLUMN id bigserial PRIMARY KEY;

-- +goose Down
ALTER TABLE login_failures DROP COLUMN id;
ALTER TABLE users DROP COLUMN credential_epoch;
