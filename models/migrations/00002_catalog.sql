-- +goose Up
-- The catalogue: units, departments, taxes, suppliers and products.

CREATE TABLE units (
    id          uuid PRIMARY KEY,
    name        varchar(60) NOT NULL,
    short_name  varchar(20) NOT NULL,
    is_active   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX units_name_key ON units (lower(name));

CREATE TABLE departments (
    id          uuid PRIMARY KEY,
    code        varchar(20),
    name        varchar(120) NOT NULL,
    parent_id   uuid REFERENCES departments (id) ON DELETE RESTRICT,
    is_active   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE UNIQUE INDEX departments_code_key ON departments (lower(code)) WHERE code IS NOT NULL;
CREATE UNIQUE INDEX departments_name_key ON departments (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));

CREATE TABLE tax_rates (
    id           uuid PRIMARY KEY,
    code         varchar(20),
    name         varchar(80) NOT NULL,
    rate         bigint      NOT NULL CHECK (rate >= 0 AND rate <= 100000), -- basis points
    is_compound  boolean     NOT NULL DEFAULT false,
    is_active    boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tax_rates_name_key ON tax_rates (lower(name));
CREATE UNIQUE INDEX tax_rates_code_key ON tax_rates (lower(code)) WHERE code IS NOT NULL;

CREATE TABLE tax_groups (
    id          uuid PRIMARY KEY,
    name        varchar(80) NOT NULL,
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tax_groups_name_key ON tax_groups (lower(name));

-- The rates of a group in the order they apply (a compound rate taxes the ones before it).
CREATE TABLE tax_group_rates (
    tax_group_id  uuid    NOT NULL REFERENCES tax_groups (id) ON DELETE CASCADE,
    tax_rate_id   uuid    NOT NULL REFERENCES tax_rates (id) ON DELETE RESTRICT,
    sort_order    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tax_group_id, tax_rate_id)
);

CREATE TABLE suppliers (
    id            uuid PRIMARY KEY,
    code          varchar(20),
    name          varchar(120) NOT NULL,
    contact_name  varchar(120) NOT NULL DEFAULT '',
    email         varchar(254) NOT NULL DEFAULT '',
    phone         varchar(40)  NOT NULL DEFAULT '',
    address       text         NOT NULL DEFAULT '',
    notes         text         NOT NULL DEFAULT '',
    is_active     boolean      NOT NULL DEFAULT true,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX suppliers_code_key ON suppliers (lower(code)) WHERE code IS NOT NULL;
CREATE UNIQUE INDEX suppliers_name_key ON suppliers (lower(name));

CREATE TABLE products (
    id                   uuid PRIMARY KEY,
    sku                  varchar(50)  NOT NULL,
    barcode              varchar(100),
    name                 varchar(255) NOT NULL,
    description          text         NOT NULL DEFAULT '',
    department_id        uuid REFERENCES departments (id) ON DELETE RESTRICT,
    tax_group_id         uuid REFERENCES tax_groups (id) ON DELETE RESTRICT,
    cost_price           bigint       NOT NULL DEFAULT 0 CHECK (cost_price >= 0),  -- cents
    sell_price           bigint       NOT NULL DEFAULT 0 CHECK (sell_price >= 0),  -- cents
    purchase_unit_id     uuid         NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    consumption_unit_id  uuid         NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    track_stock          boolean      NOT NULL DEFAULT true,
    is_active            boolean      NOT NULL DEFAULT true,
    deleted_at           timestamptz,
    created_at           timestamptz  NOT NULL DEFAULT now(),
    updated_at           timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX products_sku_key ON products (lower(sku));
CREATE UNIQUE INDEX products_barcode_key ON products (barcode) WHERE barcode IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX products_department_idx ON products (department_id);
CREATE INDEX products_name_idx ON products (lower(name) text_pattern_ops);
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX products_search_idx ON products USING gin ((lower(name) || ' ' || lower(sku) || ' ' || coalesce(barcode, '')) gin_trgm_ops);

CREATE TABLE product_suppliers (
    product_id    uuid        NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    supplier_id   uuid        NOT NULL REFERENCES suppliers (id) ON DELETE RESTRICT,
    supplier_sku  varchar(60) NOT NULL DEFAULT '',
    cost          bigint      NOT NULL DEFAULT 0 CHECK (cost >= 0), -- cents per purchase unit
    is_preferred  boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, supplier_id)
);
CREATE UNIQUE INDEX product_suppliers_preferred_key ON product_suppliers (product_id) WHERE is_preferred;
CREATE INDEX product_suppliers_supplier_idx ON product_suppliers (supplier_id);

-- Every product has a purchase and a consumption unit; "Each" is the default.
INSERT INTO units (id, name, short_name) VALUES ('00000000-0000-7000-8000-000000000001', 'Each', 'ea');

-- +goose Down
DROP TABLE product_suppliers;
DROP TABLE products;
DROP TABLE suppliers;
DROP TABLE tax_group_rates;
DROP TABLE tax_groups;
DROP TABLE tax_rates;
DROP TABLE departments;
DROP TABLE units;
