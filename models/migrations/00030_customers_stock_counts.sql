-- +goose Up
-- Customers, sales reps and stock counts (stocktakes).

-- Customer codes (CUST-00042) come from this sequence when the client does not send one.
CREATE SEQUENCE customer_code_seq;

CREATE TABLE customers (
    id          uuid PRIMARY KEY,
    code        varchar(20)  NOT NULL,
    first_name  varchar(80)  NOT NULL CHECK (first_name <> ''),
    last_name   varchar(80)  NOT NULL CHECK (last_name <> ''),
    email       varchar(254) NOT NULL DEFAULT '',
    phone       varchar(40)  NOT NULL DEFAULT '',
    tax_id      varchar(40)  NOT NULL DEFAULT '',
    notes       text         NOT NULL DEFAULT '',
    is_active   boolean      NOT NULL DEFAULT true,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_code_key ON customers (upper(code));
-- Name search is a fragment match ("ann smi" finds Ann Smith): trigram index on the full name.
CREATE INDEX customers_name_search_idx ON customers USING gin ((lower(first_name || ' ' || last_name)) gin_trgm_ops);
CREATE INDEX customers_last_name_idx ON customers (lower(last_name), lower(first_name));
-- Phone search compares digits only, so "555-0101" finds "(555) 0101".
CREATE INDEX customers_phone_idx ON customers ((regexp_replace(phone, '\D', '', 'g'))) WHERE phone <> '';

CREATE TABLE sales_reps (
    id             uuid PRIMARY KEY,
    code           varchar(20)  NOT NULL,
    name           varchar(120) NOT NULL CHECK (name <> ''),
    email          varchar(254) NOT NULL DEFAULT '',
    phone          varchar(40)  NOT NULL DEFAULT '',
    commission_bp  bigint CHECK (commission_bp IS NULL OR (commission_bp >= 0 AND commission_bp <= 10000)),
    is_active      boolean      NOT NULL DEFAULT true,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sales_reps_code_key ON sales_reps (upper(code));
CREATE INDEX sales_reps_name_idx ON sales_reps (lower(name));

-- A stock count snapshots the expected quantity of every product it covers when it starts;
-- posting applies each variance (counted − expected) as a delta, so stock that moved while
-- people were counting is kept.
CREATE SEQUENCE stock_count_number_seq;

CREATE TABLE stock_counts (
    id             uuid PRIMARY KEY,
    number         varchar(20)  NOT NULL,
    store_id       uuid         NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    department_id  uuid REFERENCES departments (id) ON DELETE RESTRICT,
    status         varchar(10)  NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'posted', 'abandoned')),
    note           varchar(200) NOT NULL DEFAULT '',
    started_at     timestamptz  NOT NULL DEFAULT now(),
    started_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    finished_at    timestamptz,
    finished_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now(),
    CHECK ((status = 'open') = (finished_at IS NULL))
);
CREATE UNIQUE INDEX stock_counts_number_key ON stock_counts (number);
-- One open count per store: two overlapping counts would apply the same variance twice.
CREATE UNIQUE INDEX stock_counts_one_open ON stock_counts (store_id) WHERE status = 'open';
CREATE INDEX stock_counts_store_idx ON stock_counts (store_id, started_at DESC);

CREATE TABLE stock_count_lines (
    stock_count_id  uuid        NOT NULL REFERENCES stock_counts (id) ON DELETE CASCADE,
    product_id      uuid        NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    expected        bigint      NOT NULL,          -- level when the count started, thousandths
    counted         bigint CHECK (counted >= 0),   -- NULL until someone counts it
    unit_cost       bigint      NOT NULL DEFAULT 0, -- product cost (cents) when the count started
    counted_at      timestamptz,
    counted_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (stock_count_id, product_id)
);
CREATE INDEX stock_count_lines_product_idx ON stock_count_lines (product_id);

-- +goose Down
DROP TABLE stock_count_lines;
DROP TABLE stock_counts;
DROP SEQUENCE stock_count_number_seq;
DROP TABLE sales_reps;
DROP TABLE customers;
DROP SEQUENCE customer_code_seq;
