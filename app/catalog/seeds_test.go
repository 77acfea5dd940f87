package catalog_test

import (
	"context"
	"testing"

	"backroom/app/apptest"
	"backroom/app/catalog"
	"backroom/models"
	"backroom/seeds"
)

// The demo catalogue is keyed by natural keys: a second run adds nothing.
func TestDemoSeedIsIdempotent(t *testing.T) {
	app := apptest.NewDemo(t)
	tables := []string{"products", "departments", "tax_rates", "tax_groups", "tax_group_rates", "suppliers", "units", "product_suppliers", "tenders"}
	before := map[string]int64{}
	for _, tb := range tables {
		before[tb] = app.Count(tb, "")
	}
	if n := before["products"]; n < 190 || n > 220 {
		t.Fatalf("demo products = %d, want about 200", n)
	}
	if err := seeds.DemoWith(context.Background(), app.DB, app.Config, seeds.DemoOptions{}); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	for _, tb := range tables {
		if n := app.Count(tb, ""); n != before[tb] {
			t.Errorf("%s: %d rows after a second run, want %d", tb, n, before[tb])
		}
	}
	if n := app.Count("products p", "NOT EXISTS (SELECT 1 FROM product_suppliers ps WHERE ps.product_id = p.id AND ps.is_preferred)"); n != 0 {
		t.Errorf("%d demo products without a preferred supplier", n)
	}
	if n := app.Count("departments", "parent_id IS NOT NULL"); n == 0 {
		t.Error("no nested departments")
	}
	if n := app.Count("tenders", "code IN ('CASH','CARD')"); n != 2 {
		t.Errorf("tenders CASH and CARD = %d, want 2", n)
	}
	var barcodes []string
	app.DB.Model(&models.Product{}).Pluck("barcode", &barcodes)
	for _, b := range barcodes {
		if len(b) != 13 || catalog.CheckBarcode(b) != "" {
			t.Fatalf("demo barcode %q is not a valid EAN-13", b)
		}
	}
}
