-- +goose Up
-- What store servers push (issue 12 item 4). An item's id is unique per store forever: the first
-- payload and its result are kept, so a replay is answered "duplicate" with the same result,
-- however long after.
CREATE TABLE sync_items (
    store_id      uuid        NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    item_id       text        NOT NULL CHECK (length(item_id) BETWEEN 1 AND 100),
    type          text        NOT NULL,
    payload_hash  text        NOT NULL,
    payload       jsonb       NOT NULL,
    status        text        NOT NULL CHECK (status IN ('applied', 'rejected', 'deferred')),
    result        jsonb,
    reason        text        NOT NULL DEFAULT '',
    batch_id      text        NOT NULL DEFAULT '',
    attempts      integer     NOT NULL DEFAULT 1,
    received_at   timestamptz NOT NULL DEFAULT now(),
    applied_at    timestamptz,
    PRIMARY KEY (store_id, item_id)
);
CREATE INDEX sync_items_waiting ON sync_items (store_id, status) WHERE status <> 'applied';

-- The error queue: items refused or waiting for a parent, and replays of an id with another
-- payload. An admin retries or resolves them; none of them is in the books.
CREATE TABLE sync_errors (
    id            uuid PRIMARY KEY,
    store_id      uuid        NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    item_id       text        NOT NULL,
    type          text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('rejected', 'deferred', 'conflict')),
    payload       jsonb       NOT NULL,
    reason        text        NOT NULL,
    status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    attempts      integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    resolved_by   uuid        REFERENCES users (id) ON DELETE SET NULL,
    resolved_at   timestamptz,
    resolved_note text        NOT NULL DEFAULT ''
);
-- One open error per item and kind: a replay of a refused item updates it rather than piling up.
CREATE UNIQUE INDEX sync_errors_open_key ON sync_errors (store_id, item_id, kind) WHERE status = 'open';
CREATE INDEX sync_errors_store ON sync_errors (store_id, status, created_at);

-- +goose Down
DROP TABLE sync_errors;
DROP TABLE sync_items;
