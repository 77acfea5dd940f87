-- +goose Up
-- Sale webhooks: one delivery per (integration, sale, event), written in the sale's own
-- transaction together with its River job, so a rolled-back sale sends nothing. The body is
-- built once and kept byte for byte (text, not jsonb, which would reorder keys and rewrite
-- numbers), so a redelivery sends exactly what the first attempt sent; only the timestamp and
-- signature are computed per attempt.

CREATE TABLE webhook_deliveries (
    id                uuid PRIMARY KEY,
    integration_id    uuid         NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    sale_id           uuid         NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
    receipt_number    varchar(40)  NOT NULL,
    event             varchar(20)  NOT NULL CHECK (event IN ('validated', 'terminated')),
    body              text         NOT NULL,
    status            varchar(10)  NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          integer      NOT NULL DEFAULT 0,
    last_status_code  integer,
    last_duration_ms  integer,
    last_error        text         NOT NULL DEFAULT '',
    next_attempt_at   timestamptz,
    delivered_at      timestamptz,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    updated_at        timestamptz  NOT NULL DEFAULT now(),
    UNIQUE (integration_id, sale_id, event)
);
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (integration_id, created_at DESC);
CREATE INDEX webhook_deliveries_sale_idx ON webhook_deliveries (sale_id);

-- Every attempt to deliver, for the log: what the receiver answered and how long it took.
CREATE TABLE webhook_attempts (
    id                uuid PRIMARY KEY,
    delivery_id       uuid         NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    status_code       integer,
    duration_ms       integer      NOT NULL DEFAULT 0,
    response_excerpt  text         NOT NULL DEFAULT '',
    error             text         NOT NULL DEFAULT '',
    created_at        timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, created_at);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
