package inventory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/apptest"
	"backroom/app/inventory"
	"backroom/models"
)

const bulkReason = "bulk ledger test"

func TestApplyManyAndSetLevelsKeepTheLedger(t *testing.T) {
	// The ledger's hook records the movements it saw with the test's reason.
	var hookMu sync.Mutex
	hookSeen := map[uuid.UUID]int64{}
	ledger := inventory.NewLedger(func(ctx context.Context, tx *gorm.DB, m models.InventoryMovement) error {
		if m.Reason == bulkReason {
			hookMu.Lock()
			hookSeen[m.ProductID] = m.QuantityAfter
			hookMu.Unlock()
		}
		return nil
	})
	app := apptest.New(t)
	store := app.Store("B1")
	var ps []models.Product
	for i := 0; i < 5; i++ {
		p := models.Product{ID: models.NewID(), SKU: fmt.Sprintf("BULK-%d", i), Name: fmt.Sprintf("Bulk %d", i),
			PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
		if err := app.DB.Create(&p).Error; err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	ctx := context.Background()
	// Products 0 and 1 start with stock through the ordinary Apply.
	err := app.DB.Transaction(func(tx *gorm.DB) error {
		_, err := ledger.Apply(ctx, tx, models.System,
			inventory.Change{StoreID: store.ID, ProductID: ps[0].ID, Delta: 5000, Type: models.MoveAdjustment},
			inventory.Change{StoreID: store.ID, ProductID: ps[1].ID, Delta: 2000, Type: models.MoveAdjustment})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ref := models.NewID()
	var moved []models.InventoryMovement
	err = app.DB.Transaction(func(tx *gorm.DB) error {
		moved, err = ledger.ApplyMany(ctx, tx, models.System,
			inventory.Change{StoreID: store.ID, ProductID: ps[0].ID, Delta: -1500, Type: models.MoveAdjustment, Reason: bulkReason, ReferenceType: "bulk", ReferenceID: &ref},
			inventory.Change{StoreID: store.ID, ProductID: ps[2].ID, Delta: 750, Type: models.MoveAdjustment, Reason: bulkReason})
		return err
	})
	if err != nil || len(moved) != 2 {
		t.Fatalf("ApplyMany: %v (%d movements)", err, len(moved))
	}
	level := func(p models.Product) int64 {
		var q []int64
		app.DB.Raw(`SELECT quantity FROM inventory_levels WHERE store_id = ? AND product_id = ?`, store.ID, p.ID).Scan(&q)
		if len(q) == 0 {
			return 0
		}
		return q[0]
	}
	if level(ps[0]) != 3500 || level(ps[2]) != 750 {
		t.Fatalf("levels = %d, %d; want 3500, 750", level(ps[0]), level(ps[2]))
	}
	var m models.InventoryMovement
	app.DB.Take(&m, "product_id = ? AND reason = ?", ps[0].ID, bulkReason)
	if m.Quantity != -1500 || m.QuantityAfter != 3500 || m.ReferenceID == nil || *m.ReferenceID != ref || m.ReferenceType != "bulk" {
		t.Fatalf("movement = %+v", m)
	}
	hookMu.Lock()
	if hookSeen[ps[0].ID] != 3500 || hookSeen[ps[2].ID] != 750 {
		t.Fatalf("hooks saw %v", hookSeen)
	}
	hookMu.Unlock()

	// A product twice in one call is refused and nothing moves.
	err = app.DB.Transaction(func(tx *gorm.DB) error {
		_, err := ledger.ApplyMany(ctx, tx, models.System,
			inventory.Change{StoreID: store.ID, ProductID: ps[3].ID, Delta: 1, Type: models.MoveAdjustment},
			inventory.Change{StoreID: store.ID, ProductID: ps[3].ID, Delta: 1, Type: models.MoveAdjustment})
		return err
	})
	if err == nil || level(ps[3]) != 0 {
		t.Fatalf("duplicate product: err %v, level %d", err, level(ps[3]))
	}

	// SetLevels: 0 → 3500 stays (no movement), 1 → 0, 3 (never moved) → 4250, 4 (never moved) → 0 (nothing).
	before := app.Count("inventory_movements", "")
	var counted []models.InventoryMovement
	err = app.DB.Transaction(func(tx *gorm.DB) error {
		counted, err = ledger.SetLevels(ctx, tx, models.System, store.ID,
			map[uuid.UUID]int64{ps[0].ID: 3500, ps[1].ID: 0, ps[3].ID: 4250, ps[4].ID: 0},
			inventory.Change{Type: models.MoveCount, Reason: "Catalogue sync"})
		return err
	})
	if err != nil || len(counted) != 2 {
		t.Fatalf("SetLevels: %v, %d movements, want 2", err, len(counted))
	}
	if level(ps[0]) != 3500 || level(ps[1]) != 0 || level(ps[3]) != 4250 || level(ps[4]) != 0 {
		t.Fatalf("levels after count: %d %d %d %d", level(ps[0]), level(ps[1]), level(ps[3]), level(ps[4]))
	}
	if n := app.Count("inventory_movements", ""); n != before+2 {
		t.Fatalf("movements = %d, want %d", n, before+2)
	}
	if n := app.Count("inventory_movements", "type = 'count' AND product_id = ? AND quantity = -2000 AND quantity_after = 0", ps[1].ID); n != 1 {
		t.Fatal("count movement of product 1 missing")
	}
	// The ledger adds up: every level equals the sum of its movements.
	if n := app.Count("inventory_levels l", "store_id = ? AND quantity <> (SELECT coalesce(sum(quantity), 0) FROM inventory_movements m WHERE m.store_id = l.store_id AND m.product_id = l.product_id)", store.ID); n != 0 {
		t.Fatalf("%d levels differ from their movements", n)
	}
}
