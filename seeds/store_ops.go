package seeds

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"backroom/app/inventory"
	"backroom/models"
)

func init() { extraSeeders = append(extraSeeders, seedCustomers, seedSalesReps, seedOpeningStock) }

// DemoCustomers are a few regulars, keyed by code.
var DemoCustomers = []models.Customer{
	{Code: "CUST-00001", FirstName: "Ann", LastName: "Baker", Email: "ann.baker@example.com", Phone: "555-0142"},
	{Code: "CUST-00002", FirstName: "Carlos", LastName: "Diaz", Email: "carlos.diaz@example.com", Phone: "555-0177", TaxID: "TX-88-1200"},
	{Code: "CUST-00003", FirstName: "Mei", LastName: "Chen", Phone: "555-0193"},
	{Code: "CUST-00004", FirstName: "Olu", LastName: "Adebayo", Email: "olu@example.com"},
	{Code: "CUST-00005", FirstName: "Sofia", LastName: "Rossi", Phone: "555-0110", Notes: "Orders coffee beans by the case."},
}

// seedCustomers adds the demo customers and moves the code sequence past them, so the next
// customer gets CUST-00006.
func seedCustomers(ctx context.Context, tx *gorm.DB) error {
	for _, c := range DemoCustomers {
		c.IsActive = true
		if err := tx.WithContext(ctx).Where("upper(code) = upper(?)", c.Code).Attrs(c).FirstOrCreate(&c).Error; err != nil {
			return fmt.Errorf("seed customer %s: %w", c.Code, err)
		}
	}
	return tx.WithContext(ctx).Exec(`SELECT setval('customer_code_seq', greatest((SELECT last_value FROM customer_code_seq), ?))`, len(DemoCustomers)).Error
}

// seedSalesReps adds two sales reps.
func seedSalesReps(ctx context.Context, tx *gorm.DB) error {
	bp := int64(250)
	for _, r := range []models.SalesRep{
		{Code: "REP-01", Name: "Riley Fox", Email: "riley@example.com", CommissionBP: &bp},
		{Code: "REP-02", Name: "Jordan Lee", Phone: "555-0166"},
	} {
		r.IsActive = true
		if err := tx.WithContext(ctx).Where("upper(code) = upper(?)", r.Code).Attrs(r).FirstOrCreate(&r).Error; err != nil {
			return fmt.Errorf("seed sales rep %s: %w", r.Code, err)
		}
	}
	return nil
}

// seedOpeningStock gives the first demo products some stock in the three shops, through the
// ledger like any other change (the idempotency key makes a second run skip them). A few are
// left at zero or below, and some get a reorder point, so every stock view has something.
func seedOpeningStock(ctx context.Context, tx *gorm.DB) error {
	var stores []models.Store
	if err := tx.WithContext(ctx).Where("NOT is_hq AND code IN ?", []string{"S001", "S002", "S003"}).Order("code").Find(&stores).Error; err != nil {
		return err
	}
	var products []models.Product
	err := tx.WithContext(ctx).Where("deleted_at IS NULL AND is_active AND track_stock").Order("sku").Limit(30).Find(&products).Error
	if err != nil || len(products) == 0 || len(stores) == 0 {
		return err // no catalogue seeded: nothing to stock
	}
	var changes []inventory.Change
	for si, s := range stores {
		for pi, p := range products {
			units := int64((pi*7+si*13)%40) - 2 // −2…37 units: a few negative and zero levels
			if units == 0 {
				continue
			}
			changes = append(changes, inventory.Change{StoreID: s.ID, ProductID: p.ID, Delta: units * 1000, Type: models.MoveAdjustment,
				Reason: "Opening stock", ReferenceType: "seed", IdempotencyKey: "seed:opening:" + s.Code + ":" + p.SKU})
		}
	}
	// The demo data moves stock through a ledger with no hooks: no integration exists to hear it.
	if _, err := inventory.NewLedger().Apply(ctx, tx, models.System, changes...); err != nil {
		return fmt.Errorf("seed opening stock: %w", err)
	}
	for pi, p := range products {
		if pi%3 != 0 {
			continue
		}
		for _, s := range stores {
			err := tx.WithContext(ctx).Exec(`UPDATE inventory_levels SET reorder_point = 10000 WHERE store_id = ? AND product_id = ? AND reorder_point = 0`,
				s.ID, p.ID).Error
			if err != nil {
				return err
			}
		}
	}
	return nil
}
