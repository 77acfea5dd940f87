package e2e

import (
	"net/http"
	"testing"
)

// HQ raises and submits a purchase order for S001 through the API; the store manager approves
// it in the browser, marks it sent, and receives it in two deliveries. Stock and cost follow.
func TestManagerApprovesAndReceivesPOInTwoParts(t *testing.T) {
	app := startApp(t)
	token := app.Login(t, "admin", "1234")
	s001 := app.storeID(t, "S001")
	var supplierID string
	app.Scalar(t, &supplierID, `SELECT id::text FROM suppliers WHERE name = 'Acme Wholesale'`)
	var product struct {
		ID string `json:"id"`
	}
	app.MustAPI(t, http.StatusCreated, "POST", "/api/v1/products", map[string]any{
		"sku": "E2E-RICE", "name": "E2E Rice 1kg", "sellPrice": 499, "costPrice": 200, "trackStock": true,
	}, token, &product)

	var po struct {
		ID     string `json:"id"`
		Number string `json:"number"`
		Status string `json:"status"`
	}
	app.MustAPI(t, http.StatusCreated, "POST", "/api/v1/purchase-orders", map[string]any{
		"supplierId": supplierID, "storeId": s001, "notes": "E2E order",
		"items": []map[string]any{{"productId": product.ID, "quantity": 10000, "unitCost": 250}},
	}, token, &po)
	app.MustAPI(t, http.StatusOK, "PATCH", "/api/v1/purchase-orders/"+po.ID+"/submit", nil, token, &po)
	if po.Status != "submitted" || po.Number == "" {
		t.Fatalf("after submit: status %q number %q", po.Status, po.Number)
	}

	b := newBrowser(t, app)
	b.SignIn("manager", "2345")
	poPath := "/purchase-orders/" + po.ID
	b.Open(poPath)
	b.WaitText("main h2", po.Number)
	b.WaitText(`[data-testid="po-status"]`, "Submitted")
	b.WaitText(`[data-testid="po-total"]`, "$25.00")

	b.Click(`[data-testid="po-approve"]`)
	b.WaitText("#flashes", "Approved.")
	b.WaitText(`[data-testid="po-status"]`, "Approved")
	b.WaitText(`[data-testid="po-summary"]`, "Morgan Manager")
	b.WaitGone(`[data-testid="po-approve"]`)

	b.Click(`[data-testid="po-send"]`)
	b.WaitText("#flashes", "Marked as sent")
	b.WaitText(`[data-testid="po-status"]`, "Sent")

	// First delivery: 4 of 10.
	b.Type(`[data-testid="po-line-E2E-RICE"] [data-testid="po-receive-qty"]`, "4")
	b.Click(`[data-testid="po-receive"]`)
	b.WaitText(`[data-testid="po-status"]`, "Partial")
	b.WaitText(`[data-testid="po-received"]`, "4 of 10")
	b.WaitCount(`[data-testid="po-receipts"] tbody tr`, 1)
	if got := app.level(t, s001, product.ID); got != 4000 {
		t.Fatalf("stock after the first delivery: %d, want 4000", got)
	}

	// Second delivery: the other 6.
	b.Type(`[data-testid="po-line-E2E-RICE"] [data-testid="po-receive-qty"]`, "6")
	b.Click(`[data-testid="po-receive"]`)
	b.WaitText(`[data-testid="po-status"]`, "Received")
	b.WaitText(`[data-testid="po-received"]`, "10 of 10")
	b.WaitCount(`[data-testid="po-receipts"] tbody tr`, 2)
	b.WaitGone(`[data-testid="po-receive-form"]`)
	b.WaitText(`[data-testid="po-receipts"]`, "Morgan Manager")

	if got := app.level(t, s001, product.ID); got != 10000 {
		t.Fatalf("stock after both deliveries: %d, want 10000", got)
	}
	var cost int64
	app.Scalar(t, &cost, `SELECT cost_price FROM products WHERE id = $1`, product.ID)
	if cost != 250 {
		t.Fatalf("product cost after receiving: %d, want the PO's unit cost 250", cost)
	}
	var receipts int64
	app.Scalar(t, &receipts, `SELECT count(*) FROM inventory_movements WHERE product_id = $1 AND type = 'receipt'`, product.ID)
	if receipts != 2 {
		t.Fatalf("receipt movements: %d, want 2", receipts)
	}
}
