package dashboard_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"backroom/app/inventory"
	"backroom/app/money"
	"backroom/app/sales/salestest"
	"backroom/models"
)

// cardValue reads the figure of the dashboard card labelled label ("" when there is no such card).
func cardValue(t *testing.T, page, label string) string {
	t.Helper()
	re := regexp.MustCompile(`data-card="` + regexp.QuoteMeta(label) + `"[^>]*><p[^>]*>[^<]*</p><p[^>]*>([^<]*)</p>`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestDashboardFiguresFollowTheStoreScope(t *testing.T) {
	f := salestest.New(t)
	ctx := context.Background()
	shop := f.App.Store("S900")

	// Stock at the new store: coffee sold below zero, muffin at its reorder point.
	for _, ch := range []inventory.Change{
		{StoreID: shop.ID, ProductID: f.Coffee.ID, Delta: -1000, Type: models.MoveAdjustment, Reason: "sold offline"},
		{StoreID: shop.ID, ProductID: f.Muffin.ID, Delta: 4000, Type: models.MoveAdjustment, Reason: "opening"},
	} {
		if _, err := f.App.App.Ledger.Apply(ctx, f.DB, models.System, ch); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.DB.Exec(`UPDATE inventory_levels SET reorder_point = 5000 WHERE store_id = ? AND product_id = ?`, shop.ID, f.Muffin.ID).Error; err != nil {
		t.Fatal(err)
	}

	// Today at S900: two coffees, one given back, and a voided sale that does not count.
	sold := f.Sell(f.Admin, f.Body(shop, "R-1", "T1", []salestest.Line{{Product: f.Coffee, Quantity: 2000}}))
	var refund salestest.Sale
	f.Refund(f.Admin, shop, sold.ID, "R-2", "T1", []salestest.Line{{Product: f.Coffee, Quantity: 1000}}).Expect(t, http.StatusCreated).Data(t, &refund)
	voided := f.Sell(f.Admin, f.Body(shop, "R-3", "T1", []salestest.Line{{Product: f.Muffin, Quantity: 1000}}))
	f.Do("PUT", "/api/v1/sales/"+voided.ID.String()+"/void", map[string]any{"reason": "wrong item"}, f.Admin).Expect(t, http.StatusOK)
	// And one at S001, which the S900 manager must not see.
	elsewhere := f.Sell(f.Admin, f.Body(f.Store, "R-1", "T1", []salestest.Line{{Product: f.Muffin, Quantity: 1000}}))

	manager, _ := f.App.WebUser(&shop.ID, "pos.sell", "inventory.view", "transfers.view")
	page := manager.Get("/").Expect(t, http.StatusOK).String()
	net := sold.GrandTotal + refund.GrandTotal // a refund's total is negative
	for label, want := range map[string]string{
		"Sales today":               money.Format(net),
		"Negative stock":            "1",
		"At or below reorder point": "1",
		"Transfers on the way":      "0",
	} {
		if got := cardValue(t, page, label); got != want {
			t.Errorf("store manager's %q = %q, want %q", label, got, want)
		}
	}
	for _, label := range []string{"Integration errors", "Waiting for your approval"} {
		if got := cardValue(t, page, label); got != "" {
			t.Errorf("store manager sees %q (%s) without the permission", label, got)
		}
	}

	admin := f.App.SignIn("admin", "1234")
	page = admin.Get("/").Expect(t, http.StatusOK).String()
	if got, want := cardValue(t, page, "Sales today"), money.Format(net+elsewhere.GrandTotal); got != want {
		t.Errorf("admin's sales today = %q, want %q (every store)", got, want)
	}
	if got := cardValue(t, page, "Integration errors"); got != "0" {
		t.Errorf("admin's integration errors = %q", got)
	}

	// Someone with no permissions gets the areas section only, no figures.
	nobody, _ := f.App.WebUser(&shop.ID)
	page = nobody.Get("/").Expect(t, http.StatusOK).String()
	if regexp.MustCompile(`data-card=`).MatchString(page) {
		t.Error("a person with no permissions sees figures")
	}
}

// TestDashboardCountsStoresOffline: an active store silent for more than 15 minutes counts on
// the sync managers' dashboard, within their stores only.
func TestDashboardCountsStoresOffline(t *testing.T) {
	f := salestest.New(t)
	var issued struct {
		Token string `json:"token"`
	}
	f.Do("POST", "/api/v1/stores/"+f.Store.ID.String()+"/sync-token", nil, f.Admin).Expect(t, http.StatusCreated).Data(t, &issued)
	f.Do("POST", "/api/v1/sync/provision", map[string]string{"token": issued.Token}, "").Expect(t, http.StatusCreated)
	admin := f.SignIn("admin", "1234")
	if got := cardValue(t, admin.Get("/").String(), "Stores offline"); got != "0" {
		t.Fatalf("a store just provisioned: %q offline, want 0", got)
	}
	f.DB.Exec("UPDATE store_sync SET last_contact_at = now() - interval '20 minutes' WHERE store_id = ?", f.Store.ID)
	if got := cardValue(t, admin.Get("/").String(), "Stores offline"); got != "1" {
		t.Fatalf("a store silent for 20 minutes: %q offline, want 1", got)
	}
	other, _ := f.WebUser(&f.Other.ID, "sync.manage")
	if got := cardValue(t, other.Get("/").String(), "Stores offline"); got != "0" {
		t.Fatalf("S002's sync manager sees %q stores offline, want 0 (S001 is not theirs)", got)
	}
	if got := cardValue(t, f.SignIn("cashier", "3456").Get("/").String(), "Stores offline"); got != "" {
		t.Fatal("a cashier sees the sync card")
	}
}
