-- +goose Up
-- Where each store's pull of each entity has reached, as head office last answered it: the
-- Sync page shows what a store still has to pull.
CREATE TABLE store_sync_cursors (
    store_id     uuid        NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    entity_type  text        NOT NULL,
    version      bigint      NOT NULL,
    pulled_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, entity_type)
);

-- +goose Down
DROP TABLE store_sync_cursors;
