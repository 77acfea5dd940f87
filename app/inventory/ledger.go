// Package inventory owns stock: levels per store and product, and the movement ledger every
// change goes through.
package inventory

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// Change is one stock change to apply: a signed delta in thousandths at a store.
type Change struct {
	StoreID       uuid.UUID
	ProductID     uuid.UUID
	Delta         int64
	Type          string // models.MoveSale, MoveVoid, …
	Reason        string
	ReferenceType string // "sale", "purchase_order", "transfer", "stock_count", …
	ReferenceID   *uuid.UUID
	// IdempotencyKey, when set, makes a retried change apply once: a second change with the same
	// key is skipped (and not returned).
	IdempotencyKey string
}

// Ledger is the only way stock moves: Apply, ApplyMany and SetLevels write every change as a
// movement row, move its level, and call the ledger's hooks for each movement inside the same
// transaction. The composition root (app.New) builds the app's one ledger with the hooks of the
// integrations that follow stock (miPOS stock updates) and hands it to every area that moves
// stock; NewLedger() without hooks moves stock the same way and tells nobody (seeds, tests).
type Ledger struct{ hooks []Hook }

// NewLedger returns a ledger that calls hooks, in order, after each movement it records.
func NewLedger(hooks ...Hook) *Ledger { return &Ledger{hooks: append([]Hook(nil), hooks...)} }

// moved calls the hooks for a movement just written in tx; an error rolls the change back.
func (l *Ledger) moved(ctx context.Context, tx *gorm.DB, m models.InventoryMovement) error {
	for _, hook := range l.hooks {
		if err := hook(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// Apply records each change as a movement and moves its level, inside the caller's transaction.
// Levels are updated with one atomic upsert (quantity = quantity + delta), so parallel changes to
// one level never lose an update; changes are applied in (store, product) order so two
// transactions touching the same levels cannot deadlock. It returns the movements written.
func (l *Ledger) Apply(ctx context.Context, tx *gorm.DB, actor models.Actor, changes ...Change) ([]models.InventoryMovement, error) {
	sorted := append([]Change(nil), changes...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.StoreID != b.StoreID {
			return a.StoreID.String() < b.StoreID.String()
		}
		return a.ProductID.String() < b.ProductID.String()
	})
	var userID *uuid.UUID
	if actor.UserID != uuid.Nil {
		id := actor.UserID
		userID = &id
	}
	out := make([]models.InventoryMovement, 0, len(sorted))
	for _, ch := range sorted {
		if ch.IdempotencyKey != "" {
			var seen int64
			if err := tx.WithContext(ctx).Model(&models.InventoryMovement{}).Where("idempotency_key = ?", ch.IdempotencyKey).Count(&seen).Error; err != nil {
				return nil, err
			}
			if seen > 0 {
				continue
			}
		}
		var after int64
		err := tx.WithContext(ctx).Raw(`
			INSERT INTO inventory_levels (store_id, product_id, quantity, updated_at) VALUES (?, ?, ?, now())
			ON CONFLICT (store_id, product_id)
			DO UPDATE SET quantity = inventory_levels.quantity + EXCLUDED.quantity, updated_at = now()
			RETURNING quantity`, ch.StoreID, ch.ProductID, ch.Delta).Scan(&after).Error
		if err != nil {
			if models.IsForeignKeyViolation(err) {
				return nil, models.FieldError("productId", "unknown store or product")
			}
			return nil, fmt.Errorf("move stock of %s at %s: %w", ch.ProductID, ch.StoreID, err)
		}
		m := models.InventoryMovement{
			ID: models.NewID(), StoreID: ch.StoreID, ProductID: ch.ProductID, Type: ch.Type,
			Quantity: ch.Delta, QuantityAfter: after, Reason: ch.Reason,
			ReferenceType: ch.ReferenceType, ReferenceID: ch.ReferenceID, UserID: userID,
			CreatedAt: time.Now().UTC(),
		}
		if ch.IdempotencyKey != "" {
			k := ch.IdempotencyKey
			m.IdempotencyKey = &k
		}
		if err := tx.WithContext(ctx).Create(&m).Error; err != nil {
			if models.IsUniqueViolation(err, "inventory_movements_idempotency_key") {
				return nil, models.Conflict("this stock change was already applied")
			}
			return nil, fmt.Errorf("record movement: %w", err)
		}
		out = append(out, m)
		if err := l.moved(ctx, tx, m); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Level returns the current level of a product at a store, locking the row for the rest of the
// transaction (zero and unlocked when it has never moved).
func Level(ctx context.Context, tx *gorm.DB, storeID, productID uuid.UUID) (int64, error) {
	var q []int64
	err := tx.WithContext(ctx).Raw(`SELECT quantity FROM inventory_levels WHERE store_id = ? AND product_id = ? FOR UPDATE`,
		storeID, productID).Scan(&q).Error
	if err != nil || len(q) == 0 {
		return 0, err
	}
	return q[0], nil
}

// Hook runs after each movement is recorded, inside the same transaction (for example to queue a
// stock update for an outside system). A hook error rolls the change back.
type Hook func(ctx context.Context, tx *gorm.DB, m models.InventoryMovement) error
