package approvals_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/models"
	"backroom/seeds"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestApprovalsInPlace(t *testing.T) {
	app := apptest.New(t)
	store, other := app.Store("S1"), app.Store("S2")
	sup := models.Supplier{Name: "Acme", IsActive: true}
	must(t, app.DB.Create(&sup).Error)
	prod := models.Product{SKU: "A-1", Name: "Apple", CostPrice: 100, SellPrice: 200, PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, IsActive: true}
	must(t, app.DB.Create(&prod).Error)
	buyerPerms := []string{"purchase_orders.view", "purchase_orders.create", "worksheets.view", "worksheets.create", "worksheets.submit", "store_prices.view"}
	_, buyer := app.User(nil, buyerPerms...)
	po := func(storeID uuid.UUID) string {
		var d struct {
			ID     uuid.UUID `json:"id"`
			Number string    `json:"number"`
		}
		app.Do("POST", "/api/v1/purchase-orders", map[string]any{"supplierId": sup.ID, "storeId": storeID,
			"items": []any{map[string]any{"productId": prod.ID, "quantity": 1000}}}, buyer).Expect(t, 201).Data(t, &d)
		app.Do("PATCH", "/api/v1/purchase-orders/"+d.ID.String()+"/submit", nil, buyer).Expect(t, 200)
		return d.ID.String()
	}
	mine, theirs, second := po(store.ID), po(other.ID), po(store.ID)
	var ws struct {
		ID uuid.UUID `json:"id"`
	}
	app.Do("POST", "/api/v1/worksheets", map[string]any{"type": "price_change", "storeIds": []any{store.ID},
		"items": []any{map[string]any{"productId": prod.ID, "newSellPrice": 190}}}, buyer).Expect(t, 201).Data(t, &ws)
	app.Do("PATCH", "/api/v1/worksheets/"+ws.ID.String()+"/submit", nil, buyer).Expect(t, 200)

	// The store manager sees their store's two orders and the worksheet, not the other store's.
	role := models.Role{Name: "Approver", Permissions: []string{"purchase_orders.view", "purchase_orders.approve", "worksheets.view", "worksheets.approve"}}
	must(t, app.DB.Create(&role).Error)
	_, err := seeds.CreateUser(context.Background(), app.DB, app.Config, seeds.UserSpec{Username: "mgr", DisplayName: "Manager", PIN: "24680", Role: "Approver", StoreCode: "S1"})
	must(t, err)
	web := app.SignIn("mgr", "24680")
	page := web.Get("/approvals")
	page.Expect(t, 200)
	body := page.String()
	if !strings.Contains(body, "ap-po-"+mine) || !strings.Contains(body, "ap-po-"+second) || strings.Contains(body, "ap-po-"+theirs) || !strings.Contains(body, "ap-ws-"+ws.ID.String()) {
		t.Fatal("approvals list shows the wrong items")
	}
	if !strings.Contains(body, `aria-label="3 waiting"`) {
		t.Fatal("badge does not count 3")
	}
	// Approve in place: htmx gets the row back with its outcome.
	row := web.HTMX("POST", "/approvals/purchase-orders/"+mine+"/approve", url.Values{})
	row.Expect(t, 200)
	if !strings.Contains(row.String(), `data-testid="approval-outcome"`) || !strings.Contains(row.String(), "Approved") {
		t.Fatalf("row after approve: %s", row.String())
	}
	// Rejecting needs a reason; then it is rejected (the order is cancelled with the reason).
	web.HTMX("POST", "/approvals/purchase-orders/"+second+"/reject", url.Values{"reason": {""}}).Expect(t, 422)
	web.HTMX("POST", "/approvals/purchase-orders/"+second+"/reject", url.Values{"reason": {"Too many apples"}}).Expect(t, 200)
	web.PostForm("/approvals/worksheets/"+ws.ID.String()+"/approve", url.Values{}).Expect(t, http.StatusSeeOther)
	// Deciding twice is a conflict, and another store's order is not theirs to decide.
	web.HTMX("POST", "/approvals/purchase-orders/"+mine+"/approve", url.Values{}).Expect(t, 409)
	web.HTMX("POST", "/approvals/purchase-orders/"+theirs+"/approve", url.Values{}).Expect(t, 403)
	if n := app.Count("purchase_orders", "status = 'approved'"); n != 1 {
		t.Fatalf("%d approved orders", n)
	}
	if n := app.Count("purchase_orders", "status = 'cancelled' AND notes LIKE '%Too many apples%'"); n != 1 {
		t.Fatalf("%d rejected orders with the reason", n)
	}
	if n := app.Count("audit_log", "action = 'rejected' AND after_data->>'reason' = 'Too many apples'"); n != 1 {
		t.Fatalf("%d reject audits with reason", n)
	}
	if n := app.Count("worksheets", "status = 'approved'"); n != 1 {
		t.Fatalf("%d approved worksheets", n)
	}
	body = web.Get("/approvals").String()
	if !strings.Contains(body, "Nothing waits for you") || strings.Contains(body, "waiting\"") {
		t.Fatal("approvals not empty after deciding everything")
	}

}
