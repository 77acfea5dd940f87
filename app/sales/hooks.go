package sales

import (
	"context"

	"gorm.io/gorm"

	"backroom/models"
)

// Hook is called inside the transaction that records a sale, after its lines and payments are
// written. Work a hook does in tx (queuing a webhook, an outbox row) commits or rolls back with
// the sale; an error from a hook refuses the sale. Hooks are given to New by the composition
// root, so other areas react to sales without the sales package knowing them.
type Hook func(ctx context.Context, tx *gorm.DB, sale *models.Sale) error

// recorded calls the service's hooks in the order they were given.
func (s *Service) recorded(ctx context.Context, tx *gorm.DB, sale *models.Sale) error {
	for _, h := range s.hooks {
		if err := h(ctx, tx, sale); err != nil {
			return err
		}
	}
	return nil
}
