package mipos_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/integrations/mipos"
	"backroom/app/inventory"
	"backroom/app/jobs"
	"backroom/models"
)

// Duplicate stock jobs for one product (River retries, a retry job beside the jobs new
// movements queued, a resume after enabling) run at once on the workers: the hub still gets
// each movement's update once, in movement order, and each outbox row is sent once.
func TestDuplicateStockJobsSendEachUpdateOnceInOrder(t *testing.T) {
	e := setup(t)
	p := e.aProduct()
	e.app.StartJobs()
	e.sync()
	integID, err := uuid.Parse(e.id)
	if err != nil {
		t.Fatal(err)
	}
	const movements, duplicates = 8, 16
	// Movements and the duplicate jobs are committed together, so the workers meet them all at once.
	var want []string
	err = e.app.DB.Transaction(func(tx *gorm.DB) error {
		for i := 1; i <= movements; i++ {
			if _, err := e.app.App.Ledger.Apply(context.Background(), tx, models.System, inventory.Change{StoreID: e.store.ID, ProductID: p.ID,
				Delta: int64(i) * 1000, Type: models.MoveAdjustment, Reason: "test"}); err != nil {
				return err
			}
			want = append(want, fmt.Sprintf("%d.000", i))
		}
		for i := 0; i < duplicates; i++ {
			if err := jobs.Enqueue(context.Background(), tx, mipos.StockArgs{IntegrationID: integID, ProductID: p.ID, Retry: i%2 == 0},
				jobs.Opts{MaxAttempts: 5}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.app.Eventually("every update is sent", func() bool {
		return e.app.Count("mipos_stock_updates", "product_id = ? AND status = 'sent'", p.ID) == movements
	})
	e.app.Eventually("every stock job has finished", func() bool {
		return e.app.Count("river_job", "kind = 'mipos_stock_update' AND state NOT IN ('completed', 'cancelled', 'discarded')") == 0
	})
	got := e.hub.Updates()
	if len(got) != movements {
		t.Fatalf("hub got %d updates for %d movements: %v", len(got), movements, got)
	}
	for i, u := range got {
		if u["quantity"] != want[i] {
			t.Fatalf("update %d carries quantity %v, want %s: out of order or repeated (%v)", i+1, u["quantity"], want[i], got)
		}
	}
	if n := e.app.Count("mipos_stock_updates", "product_id = ? AND (status <> 'sent' OR attempts <> 1)", p.ID); n != 0 {
		t.Fatalf("%d updates not sent exactly once", n)
	}
}
