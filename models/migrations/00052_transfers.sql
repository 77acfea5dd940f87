-- +goose Up
-- Transfers between stores: pending (stock already left the source) → in_transit → completed,
-- or cancelled (stock back at the source). Differences on receipt are kept per line.

CREATE SEQUENCE transfer_numbers;

CREATE TABLE transfers (
    id               uuid PRIMARY KEY,
    number           varchar(20) NOT NULL,
    from_store_id    uuid        NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    to_store_id      uuid        NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    status           varchar(20) NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'in_transit', 'completed', 'cancelled')),
    notes            text        NOT NULL DEFAULT '',
    tracking_note    text        NOT NULL DEFAULT '',
    has_differences  boolean     NOT NULL DEFAULT false,
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    sent_by          uuid REFERENCES users (id) ON DELETE SET NULL,
    shipped_at       timestamptz,
    received_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    received_at      timestamptz,
    cancelled_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    cancelled_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (from_store_id <> to_store_id)
);
CREATE UNIQUE INDEX transfers_number_key ON transfers (number);
CREATE INDEX transfers_from_idx ON transfers (from_store_id, status);
CREATE INDEX transfers_to_idx ON transfers (to_store_id, status);

-- difference = quantity − quantity_received (positive = lost, negative = more arrived);
-- difference_value = round(difference × unit_cost / 1000), the cost to settle.
CREATE TABLE transfer_items (
    id                 uuid PRIMARY KEY,
    transfer_id        uuid        NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    product_id         uuid        NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    quantity           bigint      NOT NULL CHECK (quantity > 0),
    quantity_received  bigint CHECK (quantity_received >= 0),
    difference         bigint      NOT NULL DEFAULT 0,
    reason             varchar(20) NOT NULL DEFAULT '' CHECK (reason IN ('', 'short', 'damaged', 'over')),
    unit_cost          bigint      NOT NULL DEFAULT 0,
    difference_value   bigint      NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (transfer_id, product_id)
);

-- +goose Down
DROP TABLE transfer_items;
DROP TABLE transfers;
DROP SEQUENCE transfer_numbers;
