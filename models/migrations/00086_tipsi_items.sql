-- +goose Up
-- Tipsi catalogue (seed 004, outbound): the products each Tipsi integration has sent, so a product
-- that leaves our catalogue (deactivated or deleted) is sent once more with in_stock 0 in sync
-- mode. in_catalogue is false once that last "out of stock" was accepted.
CREATE TABLE tipsi_items (
    integration_id  uuid        NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    product_id      uuid        NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    in_catalogue    boolean     NOT NULL,
    sent_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, product_id)
);
CREATE INDEX tipsi_items_listed_idx ON tipsi_items (integration_id) WHERE in_catalogue;

-- +goose Down
DROP TABLE tipsi_items;
