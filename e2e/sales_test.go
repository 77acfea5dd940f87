package e2e

import (
	"net/http"
	"slices"
	"testing"
)

// storeID is the id of the store with the code.
func (a *App) storeID(t *testing.T, code string) string {
	t.Helper()
	var id string
	a.Scalar(t, &id, `SELECT id::text FROM stores WHERE code = $1`, code)
	return id
}

// level is the stock of a product at a store in thousandths (0 when there is no level row).
func (a *App) level(t *testing.T, storeID, productID string) int64 {
	t.Helper()
	var q int64
	a.Scalar(t, &q, `SELECT coalesce((SELECT quantity FROM inventory_levels WHERE store_id = $1 AND product_id = $2), 0)`, storeID, productID)
	return q
}

// stockedProduct creates a product through the API (with any extra fields) and receives stock
// of it at a store through an adjustment, as HQ would before the shop sells it.
func (a *App) stockedProduct(t *testing.T, token, storeID, sku, name string, price, quantity int64, extra ...map[string]any) string {
	t.Helper()
	var p struct {
		ID string `json:"id"`
	}
	body := map[string]any{"sku": sku, "name": name, "sellPrice": price, "costPrice": price / 2, "trackStock": true}
	for _, e := range extra {
		for k, v := range e {
			body[k] = v
		}
	}
	a.MustAPI(t, http.StatusCreated, "POST", "/api/v1/products", body, token, &p)
	a.MustAPI(t, http.StatusCreated, "POST", "/api/v1/inventory/adjustments", map[string]any{
		"storeId": storeID, "productId": p.ID, "quantity": quantity, "reason": "Received",
	}, token, nil)
	if got := a.level(t, storeID, p.ID); got != quantity {
		t.Fatalf("after receiving %d of %s the level is %d", quantity, sku, got)
	}
	return p.ID
}

// The seed's example sale (2 × 999 at 8.25 %, paid 2200 cash) comes in through the API; the
// store manager voids it on the sale page, and the stock is back on the inventory page.
func TestVoidSaleInTheBrowserRestoresStock(t *testing.T) {
	app := startApp(t)
	token := app.Login(t, "admin", "1234")
	s001 := app.storeID(t, "S001")
	productID := app.stockedProduct(t, token, s001, "E2E-COFFEE", "E2E Coffee", 999, 10000)

	var sale struct {
		ID         string `json:"id"`
		Status     string `json:"status"`
		GrandTotal int64  `json:"grandTotal"`
		ChangeDue  int64  `json:"changeDue"`
	}
	app.MustAPI(t, http.StatusCreated, "POST", "/api/v1/sales", map[string]any{
		"receiptNumber": "R-E2E-0001",
		"terminalId":    "T01",
		"subtotal":      1998, "taxTotal": 165, "discountTotal": 0, "grandTotal": 2163,
		"storeId": s001,
		"items": []map[string]any{{
			"productId": productID, "productName": "E2E Coffee",
			"quantity": 2000, "unitPrice": 999, "taxRate": 825, "taxAmount": 165, "discountAmount": 0, "lineTotal": 2163,
			"taxes": []map[string]any{{"taxRateName": "State Tax", "rate": 825, "taxAmount": 165, "isCompound": false, "sortOrder": 0}},
		}},
		"payments": []map[string]any{{"method": "CASH", "amount": 2200, "reference": nil}},
	}, token, &sale)
	if sale.Status != "completed" || sale.GrandTotal != 2163 || sale.ChangeDue != 37 {
		t.Fatalf("sale: status %q total %d change %d, want completed 2163 37", sale.Status, sale.GrandTotal, sale.ChangeDue)
	}
	if got := app.level(t, s001, productID); got != 8000 {
		t.Fatalf("after selling 2 of 10 the level is %d, want 8000", got)
	}

	b := newBrowser(t, app)
	b.SignIn("manager", "2345")
	stockPage := "/inventory?store_id=" + s001 + "&search=E2E-COFFEE"
	b.Open(stockPage)
	b.WaitText(`[data-testid="level-E2E-COFFEE"] [data-testid="on-hand"]`, "8")

	b.Open("/sales/" + sale.ID)
	b.WaitText(`[data-testid="sale-receipt-number"]`, "R-E2E-0001")
	b.WaitText(`[data-testid="sale-status"]`, "Completed")
	b.WaitText(`[data-testid="sale-grand-total"]`, "$21.63")
	b.WaitText(`[data-testid="sale-change"]`, "$0.37")
	b.Type(`[data-testid="void-reason"]`, "Customer changed their mind")
	b.Click(`[data-testid="void-button"]`)
	b.WaitText("#flashes", "R-E2E-0001 voided")
	b.WaitText(`[data-testid="sale-status"]`, "Voided")
	b.WaitText(`[data-testid="sale-void-reason"]`, "Customer changed their mind")
	b.WaitGone(`[data-testid="void-form"]`)
	if want := "Void sale R-E2E-0001 and return 2 items to stock?"; !slices.Contains(b.Dialogs(), want) {
		t.Fatalf("the void asked %q, want %q", b.Dialogs(), want)
	}

	b.Open(stockPage)
	b.WaitText(`[data-testid="level-E2E-COFFEE"] [data-testid="on-hand"]`, "10")

	var status string
	app.Scalar(t, &status, `SELECT status FROM sales WHERE id = $1`, sale.ID)
	if status != "voided" {
		t.Fatalf("sale status in the database: %q, want voided", status)
	}
	if got := app.level(t, s001, productID); got != 10000 {
		t.Fatalf("after the void the level is %d, want 10000", got)
	}
	// A second void through the API is refused and moves nothing.
	app.MustAPI(t, http.StatusConflict, "PUT", "/api/v1/sales/"+sale.ID+"/void", map[string]string{"reason": "again"}, token, nil)
	if got := app.level(t, s001, productID); got != 10000 {
		t.Fatalf("after a refused second void the level is %d, want 10000", got)
	}
}

// A cashier may see a sale but gets no void form.
func TestCashierCannotVoid(t *testing.T) {
	app := startApp(t)
	token := app.Login(t, "admin", "1234")
	s001 := app.storeID(t, "S001")
	productID := app.stockedProduct(t, token, s001, "E2E-TEA", "E2E Tea", 999, 5000)
	var sale struct {
		ID string `json:"id"`
	}
	app.MustAPI(t, http.StatusCreated, "POST", "/api/v1/sales", map[string]any{
		"receiptNumber": "R-E2E-0002", "terminalId": "T01",
		"subtotal": 999, "taxTotal": 82, "discountTotal": 0, "grandTotal": 1081, "storeId": s001,
		"items": []map[string]any{{
			"productId": productID, "productName": "E2E Tea", "quantity": 1000, "unitPrice": 999,
			"taxAmount": 82, "discountAmount": 0, "lineTotal": 1081,
			"taxes": []map[string]any{{"taxRateName": "State Tax", "rate": 825, "taxAmount": 82, "isCompound": false, "sortOrder": 0}},
		}},
		"payments": []map[string]any{{"method": "CARD", "amount": 1081}},
	}, token, &sale)

	b := newBrowser(t, app)
	b.SignIn("cashier", "3456")
	b.Open("/sales/" + sale.ID)
	b.WaitText(`[data-testid="sale-receipt-number"]`, "R-E2E-0002")
	if n := b.Count(`[data-testid="void-form"]`); n != 0 {
		t.Fatalf("the cashier sees the void form")
	}
}
