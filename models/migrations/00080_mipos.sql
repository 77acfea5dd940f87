-- +goose Up
-- miPOS inventory connector: which products the hub knows, the ordered outbox of stock
-- updates to send it, and the state of its webhook registration.

-- A product is "known" to the hub once a full sync carrying it was accepted; stock updates are
-- only sent for known products (the hub answers 409 for any other external id).
CREATE TABLE mipos_items (
    integration_id  uuid        NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    product_id      uuid        NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    synced_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, product_id)
);
CREATE INDEX mipos_items_product_idx ON mipos_items (product_id);

-- One row per movement to push, written in the movement's transaction. Rows of one product are
-- sent strictly in id order: a later row waits while an earlier one is pending.
CREATE TABLE mipos_stock_updates (
    id               bigserial PRIMARY KEY,
    integration_id   uuid        NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    product_id       uuid        NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    movement_id      uuid        NOT NULL REFERENCES inventory_movements (id) ON DELETE CASCADE,
    -- The movement's facts (current_stock, quantity, date, movement_type, external_id); the
    -- account fields (user_id_tps, inventory_system_id) are added from the settings at send time.
    body             jsonb       NOT NULL,
    status           varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    last_error       text        NOT NULL DEFAULT '',
    sent_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mipos_stock_updates_movement_key ON mipos_stock_updates (integration_id, movement_id);
CREATE INDEX mipos_stock_updates_pending_idx ON mipos_stock_updates (integration_id, product_id, id) WHERE status = 'pending';

CREATE TABLE mipos_webhooks (
    integration_id  uuid PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
    url             text        NOT NULL,
    registered_at   timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    attempted_at    timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE mipos_webhooks;
DROP TABLE mipos_stock_updates;
DROP TABLE mipos_items;
