package mipos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"backroom/app/jobs"
	"backroom/models"
)

// StockArgs is the job that sends the pending stock updates of one product to one hub, oldest
// first. Retry marks the job scheduled for a failed update's next attempt: it sends even
// before the row's next_attempt_at (clocks of app and database may differ slightly); jobs
// caused by new movements leave a waiting row to it.
type StockArgs struct {
	IntegrationID uuid.UUID `json:"integrationId"`
	ProductID     uuid.UUID `json:"productId"`
	Retry         bool      `json:"retry,omitempty"`
}

// Kind names the job.
func (StockArgs) Kind() string { return "mipos_stock_update" }

// stockFacts are the movement's part of a stock update, fixed when the movement happens.
type stockFacts struct {
	CurrentStock string `json:"current_stock"`
	Quantity     string `json:"quantity"`
	Date         string `json:"date"`
	MovementType int    `json:"movement_type"`
	ExternalID   string `json:"external_id"`
}

// stockUpdate is the seed's stock/update body.
type stockUpdate struct {
	UserIDTps         string `json:"user_id_tps"`
	InventorySystemID string `json:"inventory_system_id"`
	stockFacts
}

// Movement types of the hub.
const (
	movementAdd    = 1
	movementRemove = 2
)

// dateLayout is the hub's "YYYY-MM-DD HH:MM:SS".
const dateLayout = "2006-01-02 15:04:05"

// inboundKeyPrefix starts the idempotency key of every movement a hub's webhook caused, so the
// stock hook recognises them and never sends them back to that hub.
func inboundKeyPrefix(integrationID uuid.UUID) string { return "mipos:" + integrationID.String() + ":" }

// QueueStockUpdates is the ledger hook (inventory.Hook) the composition root gives the app's
// ledger; it runs inside every movement's transaction: for each enabled miPOS integration of the
// movement's store that knows the product, it writes an outbox row and the job that sends it.
func QueueStockUpdates(ctx context.Context, tx *gorm.DB, m models.InventoryMovement) error {
	if m.Quantity == 0 {
		return nil
	}
	var targets []struct {
		IntegrationID uuid.UUID
		SKU           string
		TimeZone      string
	}
	err := tx.WithContext(ctx).Raw(`
		SELECT i.id AS integration_id, p.sku, s.time_zone
		FROM mipos_items mi
		JOIN integrations i ON i.id = mi.integration_id AND i.kind = ? AND i.enabled AND i.store_id = ?
		JOIN stores s ON s.id = i.store_id
		JOIN products p ON p.id = mi.product_id
		WHERE mi.product_id = ?`, models.KindMiPOS, m.StoreID, m.ProductID).Scan(&targets).Error
	if err != nil {
		return fmt.Errorf("find miPOS integrations for a movement: %w", err)
	}
	for _, t := range targets {
		if m.IdempotencyKey != nil && strings.HasPrefix(*m.IdempotencyKey, inboundKeyPrefix(t.IntegrationID)) {
			continue // the hub made this movement itself
		}
		facts := stockFacts{CurrentStock: qty(m.QuantityAfter), Quantity: qty(m.Quantity), MovementType: movementAdd, ExternalID: t.SKU,
			Date: m.CreatedAt.In(models.Store{TimeZone: t.TimeZone}.Location()).Format(dateLayout)}
		if m.Quantity < 0 {
			facts.Quantity, facts.MovementType = qty(-m.Quantity), movementRemove
		}
		body, err := json.Marshal(facts)
		if err != nil {
			return err
		}
		res := tx.WithContext(ctx).Exec(`
			INSERT INTO mipos_stock_updates (integration_id, product_id, movement_id, body) VALUES (?, ?, ?, ?::jsonb)
			ON CONFLICT (integration_id, movement_id) DO NOTHING`, t.IntegrationID, m.ProductID, m.ID, string(body))
		if res.Error != nil {
			return fmt.Errorf("queue miPOS stock update: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			if err := jobs.Enqueue(ctx, tx, StockArgs{IntegrationID: t.IntegrationID, ProductID: m.ProductID}, jobs.Opts{MaxAttempts: 5}); err != nil {
				return err
			}
		}
	}
	return nil
}

// stockWorker sends one product's pending updates.
type stockWorker struct {
	river.WorkerDefaults[StockArgs]
	c *Connector
}

func (w *stockWorker) Work(ctx context.Context, job *river.Job[StockArgs]) error {
	retry := job.Args.Retry
	for {
		more, err := w.c.sendNext(ctx, job.Args, retry)
		if err != nil || !more {
			return err
		}
		retry = false // only the first row was the one this retry job was scheduled for
	}
}

// maxStockAttempts bounds the retries of one update; after them it is marked failed and the
// product's later updates go on (each carries the absolute current stock, so the hub catches up).
const maxStockAttempts = 12

// stockBackoff is the wait before attempt n+1: 30s doubling, at most an hour.
func stockBackoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// sendNext sends the product's oldest pending update, holding its row lock while the hub
// answers, so two workers never send one product's updates out of order (a second worker
// waits, then finds the next row). It reports whether another row may be waiting.
func (c *Connector) sendNext(ctx context.Context, args StockArgs, retry bool) (bool, error) {
	more := false
	// The hub call stops with the job (ctx); the bookkeeping does not: once the hub has taken an
	// update, a job stopped as the answer comes back must still record it as sent, or the next
	// job would send it again.
	dbCtx := context.WithoutCancel(ctx)
	err := c.db.WithContext(dbCtx).Transaction(func(tx *gorm.DB) error {
		var rows []struct {
			ID       int64
			Body     string
			Attempts int
			Waiting  bool
		}
		err := tx.Raw(`
			SELECT id, body::text AS body, attempts, coalesce(next_attempt_at > now(), false) AS waiting
			FROM mipos_stock_updates
			WHERE integration_id = ? AND product_id = ? AND status = 'pending'
			ORDER BY id LIMIT 1 FOR UPDATE`, args.IntegrationID, args.ProductID).Scan(&rows).Error
		if err != nil || len(rows) == 0 {
			return err
		}
		u := rows[0]
		if u.Waiting && !retry {
			return nil // an earlier update is backing off; its retry job sends the rest in order
		}
		in, _, err := c.integ.Instance(dbCtx, tx, args.IntegrationID)
		if errors.Is(err, models.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !in.Enabled {
			return nil // kept pending; enabling the integration again sends them
		}
		var facts stockFacts
		if err := json.Unmarshal([]byte(u.Body), &facts); err != nil {
			return fmt.Errorf("stock update %d: %w", u.ID, err)
		}
		a, sendErr := accountOf(in)
		if sendErr == nil {
			sendErr = c.client.post(ctx, a, a.storePath("stock/update"),
				stockUpdate{UserIDTps: a.userIDTps, InventorySystemID: a.inventorySystemID, stockFacts: facts}, 30*time.Second)
		}
		attempts := u.Attempts + 1
		var he *HubError
		switch {
		case sendErr == nil:
			more = true
			return tx.Exec(`UPDATE mipos_stock_updates SET status = 'sent', attempts = ?, sent_at = now(), next_attempt_at = NULL, last_error = ''
				WHERE id = ?`, attempts, u.ID).Error
		case (errors.As(sendErr, &he) && he.permanent()) || attempts >= maxStockAttempts:
			more = true
			return tx.Exec(`UPDATE mipos_stock_updates SET status = 'failed', attempts = ?, next_attempt_at = NULL, last_error = ? WHERE id = ?`,
				attempts, truncate(sendErr.Error(), 2000), u.ID).Error
		}
		wait := stockBackoff(attempts)
		if err := tx.Exec(`UPDATE mipos_stock_updates SET attempts = ?, next_attempt_at = now() + ? * interval '1 second', last_error = ? WHERE id = ?`,
			attempts, int(wait.Seconds()), truncate(sendErr.Error(), 2000), u.ID).Error; err != nil {
			return err
		}
		return jobs.Enqueue(dbCtx, tx, StockArgs{IntegrationID: args.IntegrationID, ProductID: args.ProductID, Retry: true},
			jobs.Opts{MaxAttempts: 5, ScheduledAt: time.Now().Add(wait)})
	})
	return more, err
}

// resumePending queues a sender for every product with pending updates (after the integration
// is enabled again, or its settings fixed).
func (c *Connector) resumePending(ctx context.Context, integrationID uuid.UUID) error {
	return c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var products []uuid.UUID
		if err := tx.Table("mipos_stock_updates").Where("integration_id = ? AND status = 'pending'", integrationID).
			Distinct().Pluck("product_id", &products).Error; err != nil {
			return err
		}
		for _, p := range products {
			if err := jobs.Enqueue(ctx, tx, StockArgs{IntegrationID: integrationID, ProductID: p, Retry: true}, jobs.Opts{MaxAttempts: 5}); err != nil {
				return err
			}
		}
		return nil
	})
}
