package sales

import (
	"context"
	"sync"

	"gorm.io/gorm"

	"backroom/models"
)

// Hook is called inside the transaction that records a sale, after its lines and payments are
// written. Work a hook does in tx (queuing a webhook, an outbox row) commits or rolls back with
// the sale; an error from a hook refuses the sale.
type Hook func(ctx context.Context, tx *gorm.DB, sale *models.Sale) error

var (
	hooksMu  sync.RWMutex
	recorded []Hook
)

// OnRecorded adds a hook run for every sale or refund recorded (at start-up). Other areas use it
// to react to sales without the sales package knowing them.
func OnRecorded(h Hook) {
	hooksMu.Lock()
	defer hooksMu.Unlock()
	recorded = append(recorded, h)
}

// runRecorded calls the recorded hooks in the order they were added.
func runRecorded(ctx context.Context, tx *gorm.DB, sale *models.Sale) error {
	hooksMu.RLock()
	hooks := recorded
	hooksMu.RUnlock()
	for _, h := range hooks {
		if err := h(ctx, tx, sale); err != nil {
			return err
		}
	}
	return nil
}
