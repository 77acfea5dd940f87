-- +goose Up
-- Catalogue batch upsert, inbound (seed 004's sync and sync_clear, received): which of our
-- products an outside source means by each of its external ids. The source is the id of the API
-- key the rows came with (as text, so a named source could join later; no foreign key because
-- api_keys comes from a later migration). A product a sync had to create starts inactive and is
-- listed for review (created_product) until someone activates it.
CREATE TABLE catalog_sync_links (
    source           text         NOT NULL,
    external_id      varchar(100) NOT NULL,
    product_id       uuid         NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    created_product  boolean      NOT NULL DEFAULT false,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (source, external_id)
);
CREATE UNIQUE INDEX catalog_sync_links_product_key ON catalog_sync_links (source, product_id);
CREATE INDEX catalog_sync_links_review_idx ON catalog_sync_links (product_id) WHERE created_product;

-- +goose Down
DROP TABLE catalog_sync_links;
