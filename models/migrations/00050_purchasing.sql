-- +goose Up
-- Purchase orders: draft → submitted → approved → sent → partial → received (or cancelled), with
-- every receipt kept so partial deliveries add up and say who took them in and when.

CREATE SEQUENCE purchase_order_numbers;

CREATE TABLE purchase_orders (
    id             uuid PRIMARY KEY,
    number         varchar(20)  NOT NULL,
    supplier_id    uuid         NOT NULL REFERENCES suppliers (id) ON DELETE RESTRICT,
    store_id       uuid         NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    status         varchar(20)  NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'submitted', 'approved', 'sent', 'partial', 'received', 'cancelled')),
    notes          text         NOT NULL DEFAULT '',
    expected_date  date,
    total          bigint       NOT NULL DEFAULT 0, -- cents, Σ line totals
    created_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    submitted_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    submitted_at   timestamptz,
    approved_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    approved_at    timestamptz,
    sent_at        timestamptz,
    received_at    timestamptz,
    cancelled_at   timestamptz,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX purchase_orders_number_key ON purchase_orders (number);
CREATE INDEX purchase_orders_store_idx ON purchase_orders (store_id, status, created_at);
CREATE INDEX purchase_orders_supplier_idx ON purchase_orders (supplier_id);

CREATE TABLE purchase_order_items (
    id                 uuid PRIMARY KEY,
    purchase_order_id  uuid        NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
    product_id         uuid        NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    quantity           bigint      NOT NULL CHECK (quantity > 0),            -- thousandths ordered
    quantity_received  bigint      NOT NULL DEFAULT 0 CHECK (quantity_received >= 0),
    unit_cost          bigint      NOT NULL CHECK (unit_cost >= 0),          -- cents per unit
    line_total         bigint      NOT NULL DEFAULT 0,                       -- round(quantity × unit_cost / 1000)
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_order_items_po_idx ON purchase_order_items (purchase_order_id);
CREATE INDEX purchase_order_items_product_idx ON purchase_order_items (product_id);

-- One row per line per receipt: partial receipts accumulate here.
CREATE TABLE purchase_order_receipts (
    id                 uuid PRIMARY KEY,
    purchase_order_id  uuid        NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
    item_id            uuid        NOT NULL REFERENCES purchase_order_items (id) ON DELETE CASCADE,
    product_id         uuid        NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    quantity           bigint      NOT NULL CHECK (quantity > 0),
    unit_cost          bigint      NOT NULL,
    user_id            uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_order_receipts_po_idx ON purchase_order_receipts (purchase_order_id, created_at);

-- +goose Down
DROP TABLE purchase_order_receipts;
DROP TABLE purchase_order_items;
DROP TABLE purchase_orders;
DROP SEQUENCE purchase_order_numbers;
