-- +goose Up
-- A commit that changed synced data tells every head-office instance listening (LISTEN
-- sync_changed), which tells its connected store servers to pull. NOTIFY is sent at commit and
-- folds repeats of one payload within a transaction, so a 20,000-row import is one message per
-- table. The payload is the table's name.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ignored text[] := TG_ARGV || ARRAY['sync_version', 'updated_at'];
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ignored) = (to_jsonb(OLD) - ignored) THEN
        NEW.sync_version := OLD.sync_version;
    ELSE
        NEW.sync_version := pg_current_xact_id()::text::bigint;
        PERFORM pg_notify('sync_changed', TG_TABLE_NAME);
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sync_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
BEGIN
    INSERT INTO sync_tombstones (entity_type, entity_id, store_id, sync_version)
    VALUES (TG_ARGV[0], (old_row ->> TG_ARGV[1])::uuid, (old_row ->> 'store_id')::uuid, pg_current_xact_id()::text::bigint);
    PERFORM pg_notify('sync_changed', TG_TABLE_NAME);
    RETURN OLD;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sync_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
BEGIN
    INSERT INTO sync_tombstones (entity_type, entity_id, store_id, sync_version)
    VALUES (TG_ARGV[0], (old_row ->> TG_ARGV[1])::uuid, (old_row ->> 'store_id')::uuid, pg_current_xact_id()::text::bigint);
    RETURN OLD;
END $$;
-- +goose StatementEnd
