-- +goose Up
-- Foundation: stores, users, roles, sign-in state and the audit log.

CREATE TABLE stores (
    id          uuid PRIMARY KEY,
    code        varchar(20)  NOT NULL,
    name        varchar(120) NOT NULL,
    address     text         NOT NULL DEFAULT '',
    phone       varchar(40)  NOT NULL DEFAULT '',
    time_zone   varchar(64)  NOT NULL DEFAULT 'UTC',
    is_hq       boolean      NOT NULL DEFAULT false,
    is_active   boolean      NOT NULL DEFAULT true,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX stores_code_key ON stores (lower(code));

CREATE TABLE roles (
    id           uuid PRIMARY KEY,
    name         varchar(80) NOT NULL,
    description  text        NOT NULL DEFAULT '',
    permissions  text[]      NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX roles_name_key ON roles (lower(name));

CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    username            varchar(60)  NOT NULL,
    display_name        varchar(120) NOT NULL,
    email               varchar(254) NOT NULL DEFAULT '',
    password_hash       text         NOT NULL DEFAULT '',
    pin_hash            text         NOT NULL DEFAULT '',
    -- pin_lookup is a keyed hash (HMAC-SHA256 with a key derived from SECRET_KEY) so a PIN can be
    -- found with an index and kept unique system-wide, while pin_hash stays a slow hash.
    pin_lookup          varchar(64),
    is_active           boolean      NOT NULL DEFAULT true,
    last_login_at       timestamptz,
    created_at          timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_pin_lookup_key ON users (pin_lookup) WHERE pin_lookup IS NOT NULL;

-- One role per store, or one HQ-wide role (store_id NULL).
CREATE TABLE user_store_roles (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    store_id    uuid REFERENCES stores (id) ON DELETE CASCADE,
    role_id     uuid NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX user_store_roles_store_key ON user_store_roles (user_id, store_id) WHERE store_id IS NOT NULL;
CREATE UNIQUE INDEX user_store_roles_hq_key ON user_store_roles (user_id) WHERE store_id IS NULL;
CREATE INDEX user_store_roles_role_idx ON user_store_roles (role_id);

-- Refresh tokens rotate: each use marks the row used and issues a new one in the same family.
-- Presenting a used token revokes the whole family.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  varchar(64) NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

-- Failed sign-ins per key ("user:<name>" or "addr:<ip>") in a sliding window.
CREATE TABLE login_failures (
    key         varchar(200) NOT NULL,
    failed_at   timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key, failed_at);

-- Web sessions (alexedwards/scs pgxstore).
CREATE TABLE sessions (
    token   text PRIMARY KEY,
    data    bytea NOT NULL,
    expiry  timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE audit_log (
    id           uuid PRIMARY KEY,
    user_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    username     varchar(60) NOT NULL DEFAULT '',
    action       varchar(40) NOT NULL,
    entity_type  varchar(60) NOT NULL,
    entity_id    uuid,
    before_data  jsonb,
    after_data   jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, created_at);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, created_at);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE user_store_roles;
DROP TABLE users;
DROP TABLE roles;
DROP TABLE stores;
