-- +goose Up
-- Outside systems: their settings, encrypted secrets, runs and per-item errors.

CREATE TABLE integrations (
    id                uuid PRIMARY KEY,
    kind              varchar(20)  NOT NULL CHECK (kind IN ('codemax', 'webhook', 'mipos', 'tipsi')),
    name              varchar(120) NOT NULL,
    store_id          uuid REFERENCES stores (id) ON DELETE RESTRICT,
    enabled           boolean      NOT NULL DEFAULT false,
    settings          jsonb        NOT NULL DEFAULT '{}',
    -- AES-256-GCM sealed JSON object of secrets; key derived from SECRET_KEY. Never returned.
    secrets_sealed    bytea,
    secret_names      text[]       NOT NULL DEFAULT '{}',
    schedule_minutes  integer      NOT NULL DEFAULT 0 CHECK (schedule_minutes >= 0),
    next_run_at       timestamptz,
    last_run_at       timestamptz,
    last_run_status   varchar(20)  NOT NULL DEFAULT '',
    created_at        timestamptz  NOT NULL DEFAULT now(),
    updated_at        timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX integrations_name_key ON integrations (lower(name));
CREATE INDEX integrations_due_idx ON integrations (next_run_at) WHERE enabled;

CREATE TABLE integration_runs (
    id              uuid PRIMARY KEY,
    integration_id  uuid        NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    trigger         varchar(10) NOT NULL CHECK (trigger IN ('schedule', 'manual', 'event')),
    status          varchar(10) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed')),
    total           integer     NOT NULL DEFAULT 0,
    sent            integer     NOT NULL DEFAULT 0,
    failed          integer     NOT NULL DEFAULT 0,
    message         text        NOT NULL DEFAULT '',
    started_at      timestamptz,
    finished_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integration_runs_integration_idx ON integration_runs (integration_id, created_at DESC);
-- At most one queued or running run per integration: two runs never overlap.
CREATE UNIQUE INDEX integration_runs_active_key ON integration_runs (integration_id) WHERE status IN ('queued', 'running');

CREATE TABLE integration_errors (
    id               uuid PRIMARY KEY,
    integration_id   uuid         NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    run_id           uuid REFERENCES integration_runs (id) ON DELETE SET NULL,
    item_type        varchar(30)  NOT NULL,
    item_ref         varchar(200) NOT NULL,
    message          text         NOT NULL,
    status           varchar(10)  NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'retrying', 'resolved')),
    attempts         integer      NOT NULL DEFAULT 1,
    next_attempt_at  timestamptz,
    resolved_at      timestamptz,
    resolved_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX integration_errors_open_idx ON integration_errors (integration_id, status, created_at DESC);
CREATE UNIQUE INDEX integration_errors_item_key ON integration_errors (integration_id, item_type, item_ref) WHERE status <> 'resolved';

-- +goose Down
DROP TABLE integration_errors;
DROP TABLE integration_runs;
DROP TABLE integrations;
