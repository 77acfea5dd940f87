-- +goose Up
-- HQ↔store sync, HQ side (issue 12): provisioning, and versions no code path can forget.

-- Each store's sync state lives beside the store, not in it: contact times change on every pull
-- and must not make the store row itself look changed to the other stores.
CREATE TABLE store_sync (
    store_id        uuid PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    status          text        NOT NULL DEFAULT 'pending_provisioning'
                                CHECK (status IN ('pending_provisioning', 'active', 'revoked')),
    last_pull_at    timestamptz,
    last_push_at    timestamptz,
    last_contact_at timestamptz,
    provisioned_at  timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO store_sync (store_id) SELECT id FROM stores;

-- +goose StatementBegin
CREATE FUNCTION store_sync_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO store_sync (store_id) VALUES (NEW.id);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER store_sync_row AFTER INSERT ON stores FOR EACH ROW EXECUTE FUNCTION store_sync_row();

-- One-time tokens an admin hands to a new store server: shown once, kept as their SHA-256.
CREATE TABLE sync_tokens (
    id          uuid PRIMARY KEY,
    store_id    uuid        NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    token_hash  text        NOT NULL UNIQUE,
    created_by  uuid        REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    revoked_at  timestamptz
);
-- At most one token waits to be used per store: issuing a new one revokes the old.
CREATE UNIQUE INDEX sync_tokens_open_key ON sync_tokens (store_id) WHERE used_at IS NULL AND revoked_at IS NULL;

-- The long-lived credential a token is exchanged for (X-Sync-Token), also kept as its SHA-256.
CREATE TABLE sync_credentials (
    id               uuid PRIMARY KEY,
    store_id         uuid        NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    credential_hash  text        NOT NULL UNIQUE,
    token_id         uuid        NOT NULL REFERENCES sync_tokens (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz
);
CREATE UNIQUE INDEX sync_credentials_active_key ON sync_credentials (store_id) WHERE revoked_at IS NULL;

-- Versions. Every synced row carries sync_version: the id of the transaction that last changed
-- it (pg_current_xact_id), stamped by a trigger, so no code path can forget it. Transaction ids
-- are handed out in start order, not commit order; a pull serves only versions below the oldest
-- transaction still running (pg_snapshot_xmin), every one of which has finished, so a row
-- committed late is never skipped. Existing rows get version 1, older than any transaction.
--
-- An update that changes nothing but the listed bookkeeping columns keeps its version.
-- +goose StatementBegin
CREATE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ignored text[] := TG_ARGV || ARRAY['sync_version', 'updated_at'];
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ignored) = (to_jsonb(OLD) - ignored) THEN
        NEW.sync_version := OLD.sync_version;
    ELSE
        NEW.sync_version := pg_current_xact_id()::text::bigint;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- A deleted row leaves a tombstone that pulls deliver, stamped the same way. Rows that belong to
-- one store (its prices, its orders) keep that store, so only it is told.
CREATE TABLE sync_tombstones (
    id            bigserial PRIMARY KEY,
    entity_type   text        NOT NULL,
    entity_id     uuid        NOT NULL,
    store_id      uuid,
    sync_version  bigint      NOT NULL,
    deleted_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_tombstones_pull ON sync_tombstones (entity_type, sync_version);
CREATE INDEX sync_tombstones_age ON sync_tombstones (deleted_at);

-- Tombstones are kept for a retention period; a store whose cursor is older than the newest
-- purged tombstone has missed deletes and must load again (410 mustResync).
CREATE TABLE sync_retention (
    only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    purged_through bigint  NOT NULL DEFAULT 0
);
INSERT INTO sync_retention DEFAULT VALUES;

-- +goose StatementBegin
CREATE FUNCTION sync_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
BEGIN
    INSERT INTO sync_tombstones (entity_type, entity_id, store_id, sync_version)
    VALUES (TG_ARGV[0], (old_row ->> TG_ARGV[1])::uuid, (old_row ->> 'store_id')::uuid, pg_current_xact_id()::text::bigint);
    RETURN OLD;
END $$;
-- +goose StatementEnd

-- Link tables keyed by two columns get a row id, so a tombstone can name the row (sync_id, not
-- id, so queries joining them keep an unambiguous id).
ALTER TABLE tax_group_rates ADD COLUMN sync_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE;
ALTER TABLE product_suppliers ADD COLUMN sync_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE;

-- +goose StatementBegin
DO $$
DECLARE
    -- table, entity type, the row's id column, a column whose change alone is not a change for a store
    synced text[][] := ARRAY[
        ARRAY['stores', 'stores', 'id', ''],
        ARRAY['departments', 'departments', 'id', ''],
        ARRAY['tax_rates', 'tax_rates', 'id', ''],
        ARRAY['tax_groups', 'tax_groups', 'id', ''],
        ARRAY['tax_group_rates', 'tax_group_rates', 'sync_id', ''],
        ARRAY['suppliers', 'suppliers', 'id', ''],
        ARRAY['tenders', 'tenders', 'id', ''],
        ARRAY['units', 'units', 'id', ''],
        ARRAY['products', 'products', 'id', ''],
        ARRAY['users', 'users', 'id', 'last_login_at'],
        ARRAY['roles', 'roles', 'id', ''],
        ARRAY['user_store_roles', 'user_store_roles', 'id', ''],
        ARRAY['customers', 'customers', 'id', ''],
        ARRAY['product_suppliers', 'product_suppliers', 'sync_id', ''],
        ARRAY['specials', 'product_specials', 'id', ''],
        ARRAY['sales_reps', 'sales_reps', 'id', ''],
        ARRAY['store_prices', 'store_product_dynamic', 'id', ''],
        ARRAY['purchase_orders', 'purchase_orders', 'id', ''],
        ARRAY['purchase_order_items', 'purchase_order_items', 'id', ''],
        ARRAY['transfers', 'transfers', 'id', ''],
        ARRAY['transfer_items', 'transfer_items', 'id', '']
    ];
    t text[];
    args text;
BEGIN
    FOREACH t SLICE 1 IN ARRAY synced LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN sync_version bigint NOT NULL DEFAULT 1', t[1]);
        EXECUTE format('CREATE INDEX %I ON %I (sync_version, %I)', t[1] || '_sync_version', t[1], t[3]);
        args := CASE WHEN t[4] = '' THEN '' ELSE quote_literal(t[4]) END;
        EXECUTE format('CREATE TRIGGER sync_stamp BEFORE INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION sync_stamp(%s)', t[1], args);
        EXECUTE format('CREATE TRIGGER sync_tombstone AFTER DELETE ON %I FOR EACH ROW EXECUTE FUNCTION sync_tombstone(%L, %L)', t[1], t[2], t[3]);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['stores', 'departments', 'tax_rates', 'tax_groups', 'tax_group_rates', 'suppliers', 'tenders', 'units',
        'products', 'users', 'roles', 'user_store_roles', 'customers', 'product_suppliers', 'specials', 'sales_reps', 'store_prices',
        'purchase_orders', 'purchase_order_items', 'transfers', 'transfer_items'] LOOP
        EXECUTE format('DROP TRIGGER sync_stamp ON %I', t);
        EXECUTE format('DROP TRIGGER sync_tombstone ON %I', t);
        EXECUTE format('ALTER TABLE %I DROP COLUMN sync_version', t);
    END LOOP;
END $$;
-- +goose StatementEnd
ALTER TABLE product_suppliers DROP COLUMN sync_id;
ALTER TABLE tax_group_rates DROP COLUMN sync_id;
DROP TRIGGER store_sync_row ON stores;
DROP FUNCTION store_sync_row();
DROP FUNCTION sync_tombstone();
DROP TABLE sync_retention;
DROP TABLE sync_tombstones;
DROP FUNCTION sync_stamp();
DROP TABLE sync_credentials;
DROP TABLE sync_tokens;
DROP TABLE store_sync;
