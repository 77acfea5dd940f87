-- +goose Up
-- Registers and sales: register sessions with per-register Z numbers, and sales with their
-- lines, line taxes and payments. Customers and sales reps live in another area's tables and are
-- referenced without foreign keys so this migration stands on its own.

-- One row per register (store + terminal): the last Z number handed out there. Closing a session
-- locks this row, so two closes on one register can never take the same number.
CREATE TABLE register_counters (
    store_id     uuid        NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    terminal_id  varchar(40) NOT NULL,
    last_z       integer     NOT NULL DEFAULT 0 CHECK (last_z >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, terminal_id)
);

CREATE TABLE register_sessions (
    id             uuid PRIMARY KEY,
    store_id       uuid        NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    terminal_id    varchar(40) NOT NULL,
    cashier_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    status         varchar(10) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opening_float  bigint      NOT NULL CHECK (opening_float >= 0),
    opened_at      timestamptz NOT NULL DEFAULT now(),
    closed_at      timestamptz,
    closed_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    counted_cash   bigint,
    expected_cash  bigint,
    over_short     bigint,
    z_number       varchar(20),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'open') = (closed_at IS NULL)),
    CHECK ((status = 'open') = (z_number IS NULL))
);
-- A terminal has at most one open session; a second open is a 409, not a second row.
CREATE UNIQUE INDEX register_sessions_one_open ON register_sessions (store_id, terminal_id) WHERE status = 'open';
CREATE UNIQUE INDEX register_sessions_z_number_key ON register_sessions (store_id, terminal_id, z_number) WHERE z_number IS NOT NULL;
CREATE INDEX register_sessions_store_idx ON register_sessions (store_id, opened_at DESC);
CREATE INDEX register_sessions_cashier_idx ON register_sessions (cashier_id) WHERE status = 'open';

CREATE TABLE sales (
    id                   uuid PRIMARY KEY,
    store_id             uuid        NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    receipt_number       varchar(40) NOT NULL,
    terminal_id          varchar(40) NOT NULL DEFAULT '',
    register_session_id  uuid REFERENCES register_sessions (id) ON DELETE RESTRICT,
    cashier_id           uuid REFERENCES users (id) ON DELETE SET NULL,
    customer_id          uuid,  -- customers (no FK: owned by the customers area)
    sales_rep_id         uuid,  -- sales_reps (no FK: owned by the customers area)
    status               varchar(10) NOT NULL DEFAULT 'completed' CHECK (status IN ('completed', 'voided')),
    is_refund            boolean     NOT NULL DEFAULT false,
    original_sale_id     uuid REFERENCES sales (id) ON DELETE RESTRICT,
    -- Money in cents. A refund carries negative figures (money given back).
    subtotal             bigint      NOT NULL,
    discount_total       bigint      NOT NULL DEFAULT 0,
    tax_total            bigint      NOT NULL,
    grand_total          bigint      NOT NULL,
    paid_total           bigint      NOT NULL,
    change_due           bigint      NOT NULL DEFAULT 0 CHECK (change_due >= 0),
    void_reason          varchar(200) NOT NULL DEFAULT '',
    voided_at            timestamptz,
    voided_by            uuid REFERENCES users (id) ON DELETE SET NULL,
    sold_at              timestamptz NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (is_refund = (original_sale_id IS NOT NULL)),
    CHECK ((status = 'voided') = (voided_at IS NOT NULL))
);
CREATE UNIQUE INDEX sales_receipt_number_key ON sales (store_id, receipt_number);
CREATE INDEX sales_store_sold_idx ON sales (store_id, sold_at DESC);
CREATE INDEX sales_sold_idx ON sales (sold_at DESC);
CREATE INDEX sales_session_idx ON sales (register_session_id) WHERE register_session_id IS NOT NULL;
CREATE INDEX sales_original_idx ON sales (original_sale_id) WHERE original_sale_id IS NOT NULL;

CREATE TABLE sale_items (
    id               uuid PRIMARY KEY,
    sale_id          uuid         NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
    line_no          integer      NOT NULL,
    product_id       uuid         NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    product_name     varchar(255) NOT NULL,
    sku              varchar(64)  NOT NULL DEFAULT '',
    quantity         bigint       NOT NULL CHECK (quantity <> 0),  -- thousandths; negative on a refund
    unit_price       bigint       NOT NULL CHECK (unit_price >= 0),
    tax_rate         bigint       NOT NULL DEFAULT 0,  -- sum of the line's rates in basis points, for display
    discount_amount  bigint       NOT NULL DEFAULT 0,
    tax_amount       bigint       NOT NULL,
    line_total       bigint       NOT NULL,
    UNIQUE (sale_id, line_no)
);
CREATE INDEX sale_items_product_idx ON sale_items (product_id);

-- The taxes a line was charged with, as the POS had them when it sold (rates may change later).
CREATE TABLE sale_item_taxes (
    id             uuid PRIMARY KEY,
    sale_item_id   uuid         NOT NULL REFERENCES sale_items (id) ON DELETE CASCADE,
    tax_rate_name  varchar(120) NOT NULL,
    rate           bigint       NOT NULL CHECK (rate >= 0),
    is_compound    boolean      NOT NULL DEFAULT false,
    sort_order     integer      NOT NULL DEFAULT 0,
    taxable        bigint       NOT NULL,
    tax_amount     bigint       NOT NULL
);
CREATE INDEX sale_item_taxes_item_idx ON sale_item_taxes (sale_item_id);

CREATE TABLE sale_payments (
    id           uuid PRIMARY KEY,
    sale_id      uuid         NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
    line_no      integer      NOT NULL,
    tender_id    uuid         NOT NULL REFERENCES tenders (id) ON DELETE RESTRICT,
    method       varchar(20)  NOT NULL,  -- the tender code as sent (CASH, CARD, …)
    tender_type  varchar(10)  NOT NULL CHECK (tender_type IN ('CASH', 'CARD', 'OTHER')),
    amount       bigint       NOT NULL CHECK (amount <> 0),  -- negative on a refund
    reference    varchar(120),
    UNIQUE (sale_id, line_no)
);

-- +goose Down
DROP TABLE sale_payments;
DROP TABLE sale_item_taxes;
DROP TABLE sale_items;
DROP TABLE sales;
DROP TABLE register_sessions;
DROP TABLE register_counters;
