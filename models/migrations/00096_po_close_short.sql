-- +goose Up
-- A partly received purchase order can be closed short: the supplier will not deliver the rest,
-- so the order ends as received with who closed it, when, and why. Stock does not change (it
-- moves only on receipts). Additive: the columns are empty for every other order.
ALTER TABLE purchase_orders
    ADD COLUMN closed_short_at timestamptz,
    ADD COLUMN closed_short_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN close_reason    text;

-- +goose Down
ALTER TABLE purchase_orders
    DROP COLUMN close_reason,
    DROP COLUMN closed_short_by,
    DROP COLUMN closed_short_at;
