-- +goose Up
-- Codemax RMS outbox: one row per (integration, sale, event) once a run has claimed it. The
-- primary key is the claim: a sale's invoice ('sale') and its void ('void') can each be claimed,
-- and so sent, only once per integration. When a failed item is tried again, and whether it is
-- tried at all, is decided by its integration_errors row (next_attempt_at, resolved), so a
-- person's retry or resolve on the errors page is the one source of truth.

CREATE TABLE codemax_invoices (
    integration_id  uuid        NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    sale_id         uuid        NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
    event           varchar(4)  NOT NULL CHECK (event IN ('sale', 'void')),
    -- sending: claimed by run_id at claimed_at (reclaimed after 15 minutes as a crashed run);
    -- sent: accepted by Codemax; error: refused, waiting for its integration_errors row to fall due.
    status          varchar(10) NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'sent', 'error')),
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text        NOT NULL DEFAULT '',
    -- true when the 'sale' event already went out with isVoid (the sale was voided before it
    -- was first delivered), so no separate void is due.
    sent_as_void    boolean     NOT NULL DEFAULT false,
    run_id          uuid REFERENCES integration_runs (id) ON DELETE SET NULL,
    claimed_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, sale_id, event)
);
CREATE INDEX codemax_invoices_pending_idx ON codemax_invoices (integration_id, status) WHERE status <> 'sent';
CREATE INDEX codemax_invoices_sale_idx ON codemax_invoices (sale_id);

-- +goose Down
DROP TABLE codemax_invoices;
