-- +goose Up
-- API keys for outside tools (web services, catalogue batch sync). Only a SHA-256 of the key is
-- stored; the key itself is shown once, when it is created.
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    name          varchar(120) NOT NULL,
    store_id      uuid REFERENCES stores (id) ON DELETE RESTRICT,
    scopes        text[]       NOT NULL DEFAULT '{}',
    prefix        varchar(16)  NOT NULL,
    key_hash      varchar(64)  NOT NULL UNIQUE,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_active_idx ON api_keys (created_at DESC) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE api_keys;
