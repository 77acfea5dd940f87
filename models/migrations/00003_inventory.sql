-- +goose Up
-- Tenders and the stock ledger: a level per store and product, a movement for every change.

CREATE TABLE tenders (
    id          uuid PRIMARY KEY,
    code        varchar(20) NOT NULL,
    name        varchar(60) NOT NULL,
    type        varchar(10) NOT NULL CHECK (type IN ('CASH', 'CARD', 'OTHER')),
    is_active   boolean     NOT NULL DEFAULT true,
    sort_order  integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenders_code_key ON tenders (upper(code));

CREATE TABLE inventory_levels (
    store_id       uuid        NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    product_id     uuid        NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    quantity       bigint      NOT NULL DEFAULT 0,  -- thousandths; negative is allowed (offline sales)
    reorder_point  bigint      NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, product_id)
);
CREATE INDEX inventory_levels_product_idx ON inventory_levels (product_id);

CREATE TABLE inventory_movements (
    id               uuid PRIMARY KEY,
    store_id         uuid        NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    product_id       uuid        NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    type             varchar(20) NOT NULL CHECK (type IN ('sale', 'void', 'refund', 'adjustment', 'count', 'transfer', 'receipt', 'external')),
    quantity         bigint      NOT NULL,  -- signed delta, thousandths
    quantity_after   bigint      NOT NULL,  -- the level right after this movement
    reason           varchar(200) NOT NULL DEFAULT '',
    reference_type   varchar(40)  NOT NULL DEFAULT '',
    reference_id     uuid,
    -- A retried write (webhook, sync push) carries the same key and is applied once.
    idempotency_key  varchar(200),
    user_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inventory_movements_level_idx ON inventory_movements (store_id, product_id, created_at);
CREATE INDEX inventory_movements_reference_idx ON inventory_movements (reference_type, reference_id);
CREATE UNIQUE INDEX inventory_movements_idempotency_key ON inventory_movements (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- +goose Down
DROP TABLE inventory_movements;
DROP TABLE inventory_levels;
DROP TABLE tenders;
