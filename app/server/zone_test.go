package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"backroom/app/apptest"
	"backroom/app/inventory"
	"backroom/models"
)

// Pages show times in the reader's zone: a store user their store's, HQ staff head office's.
func TestPagesShowTimesInTheReadersZone(t *testing.T) {
	app := apptest.NewDemo(t)
	shop := app.Store("NZ1")
	if err := app.DB.Model(&shop).Update("time_zone", "Pacific/Auckland").Error; err != nil {
		t.Fatal(err)
	}
	var p models.Product
	if err := app.DB.Where("is_active").Order("sku").Take(&p).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := app.App.Ledger.Apply(context.Background(), app.DB, models.System, inventory.Change{
		StoreID: shop.ID, ProductID: p.ID, Delta: 1000, Type: models.MoveAdjustment, Reason: "Received",
	}); err != nil {
		t.Fatal(err)
	}
	var at time.Time
	if err := app.DB.Raw(`SELECT updated_at FROM inventory_levels WHERE store_id = ? AND product_id = ?`, shop.ID, p.ID).Scan(&at).Error; err != nil {
		t.Fatal(err)
	}
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	newYork, _ := time.LoadLocation("America/New_York") // the demo head office's zone

	local, _ := app.WebUser(&shop.ID, "inventory.view")
	page := local.Get("/inventory?store_id="+shop.ID.String()+"&search="+p.SKU).Expect(t, http.StatusOK).String()
	if want := at.In(auckland).Format("2006-01-02 15:04 MST"); !strings.Contains(page, want) {
		t.Fatalf("the Auckland store page lacks %q", want)
	}
	hq, _ := app.WebUser(nil, "inventory.view")
	page = hq.Get("/inventory?store_id="+shop.ID.String()+"&search="+p.SKU).Expect(t, http.StatusOK).String()
	if want := at.In(newYork).Format("2006-01-02 15:04 MST"); !strings.Contains(page, want) {
		t.Fatalf("head office's page lacks %q", want)
	}
}
