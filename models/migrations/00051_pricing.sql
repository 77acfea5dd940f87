-- +goose Up
-- Pricing: store price overrides, specials, worksheets (bulk changes with approval) and the
-- per-field history of product changes.

CREATE TABLE store_prices (
    id          uuid PRIMARY KEY,
    store_id    uuid        NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    product_id  uuid        NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    price       bigint      NOT NULL CHECK (price >= 0), -- cents
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX store_prices_store_product_key ON store_prices (store_id, product_id);
CREATE INDEX store_prices_product_idx ON store_prices (product_id);

-- A special runs from the start of start_date to the end of end_date in each store's time zone.
-- store_ids empty = every store.
CREATE TABLE specials (
    id             uuid PRIMARY KEY,
    product_id     uuid        NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    special_price  bigint      NOT NULL CHECK (special_price >= 0),
    start_date     date        NOT NULL,
    end_date       date        NOT NULL,
    description    text        NOT NULL DEFAULT '',
    store_ids      uuid[]      NOT NULL DEFAULT '{}',
    is_active      boolean     NOT NULL DEFAULT true,
    created_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date >= start_date)
);
CREATE INDEX specials_product_idx ON specials (product_id, start_date, end_date);

CREATE SEQUENCE worksheet_numbers;

CREATE TABLE worksheets (
    id              uuid PRIMARY KEY,
    number          varchar(20) NOT NULL,
    type            varchar(20) NOT NULL
                    CHECK (type IN ('price_change', 'product_update', 'tax_change', 'deactivate', 'new_product')),
    description     text        NOT NULL DEFAULT '',
    status          varchar(20) NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'applied')),
    effective_date  date,
    reject_reason   text        NOT NULL DEFAULT '',
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    submitted_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    submitted_at    timestamptz,
    approved_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    approved_at     timestamptz,
    rejected_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    rejected_at     timestamptz,
    applied_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    applied_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX worksheets_number_key ON worksheets (number);
CREATE INDEX worksheets_status_idx ON worksheets (status, effective_date);

-- The stores a worksheet targets; none = every store (chain-wide).
CREATE TABLE worksheet_stores (
    worksheet_id  uuid NOT NULL REFERENCES worksheets (id) ON DELETE CASCADE,
    store_id      uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    PRIMARY KEY (worksheet_id, store_id)
);
CREATE INDEX worksheet_stores_store_idx ON worksheet_stores (store_id);

-- One product per line (none for new_product); NULL new_* values mean "leave as is".
CREATE TABLE worksheet_items (
    id                 uuid PRIMARY KEY,
    worksheet_id       uuid         NOT NULL REFERENCES worksheets (id) ON DELETE CASCADE,
    position           integer      NOT NULL DEFAULT 0,
    product_id         uuid REFERENCES products (id) ON DELETE CASCADE,
    new_sku            varchar(50),
    new_barcode        varchar(100),
    new_name           varchar(255),
    new_description    text,
    new_department_id  uuid REFERENCES departments (id) ON DELETE RESTRICT,
    new_tax_group_id   uuid REFERENCES tax_groups (id) ON DELETE RESTRICT,
    new_sell_price     bigint CHECK (new_sell_price >= 0),
    new_cost_price     bigint CHECK (new_cost_price >= 0),
    created_product_id uuid REFERENCES products (id) ON DELETE SET NULL,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX worksheet_items_ws_idx ON worksheet_items (worksheet_id, position);
CREATE UNIQUE INDEX worksheet_items_product_key ON worksheet_items (worksheet_id, product_id) WHERE product_id IS NOT NULL;

-- Every field a worksheet (or a purchase-order receipt, for cost) changed on a product: the price
-- history on the product page. store_id is set for a store-level price.
CREATE TABLE product_changes (
    id              uuid PRIMARY KEY,
    product_id      uuid        NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    store_id        uuid REFERENCES stores (id) ON DELETE CASCADE,
    field           varchar(40) NOT NULL,
    old_value       text,
    new_value       text,
    worksheet_id    uuid REFERENCES worksheets (id) ON DELETE SET NULL,
    reference_type  varchar(40) NOT NULL DEFAULT '',
    reference_id    uuid,
    user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    username        varchar(60) NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_changes_product_idx ON product_changes (product_id, created_at);

-- +goose Down
DROP TABLE product_changes;
DROP TABLE worksheet_items;
DROP TABLE worksheet_stores;
DROP TABLE worksheets;
DROP SEQUENCE worksheet_numbers;
DROP TABLE specials;
DROP TABLE store_prices;
