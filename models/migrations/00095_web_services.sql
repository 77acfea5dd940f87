-- +goose Up
-- Web services for outside tools (seed 003). A sale recorded with an Idempotency-Key keeps the
-- first answer so a retry gets it back instead of a second sale; the request hash tells a retry
-- from a different request reusing the key (409). The answer is kept as text, not jsonb, so a
-- replay is byte for byte the first answer.
CREATE TABLE ws_idempotency_keys (
    api_key_id      uuid         NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    idempotency_key varchar(255) NOT NULL,
    request_hash    varchar(64)  NOT NULL,
    sale_id         uuid         NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
    status          integer      NOT NULL,
    response        text         NOT NULL,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, idempotency_key)
);

-- Receipt numbers of web-service sales: WS-YYYYMMDD-NNNN, numbered per store and local day.
-- The counter is bumped with an atomic upsert outside the sale's transaction, so a refused
-- sale leaves a gap rather than blocking the next caller.
CREATE TABLE ws_receipt_counters (
    store_id    uuid    NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    day         date    NOT NULL,
    last_number integer NOT NULL,
    PRIMARY KEY (store_id, day)
);

-- +goose Down
DROP TABLE ws_receipt_counters;
DROP TABLE ws_idempotency_keys;
