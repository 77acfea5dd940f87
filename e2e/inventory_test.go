package e2e

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp/kb"
)

// The store manager counts one department of S001 in the browser, typing the counted
// quantities, while a sale happens at the till; then posts the count. Posting corrects each
// counted product by its variance, so the sale made during the count is kept.
func TestStockCountInTheBrowser(t *testing.T) {
	app := startApp(t)
	token := app.Login(t, "admin", "1234")
	s001 := app.storeID(t, "S001")
	var dep struct {
		ID string `json:"id"`
	}
	app.MustAPI(t, http.StatusCreated, "POST", "/api/v1/departments", map[string]any{"name": "E2E Count Shelf"}, token, &dep)
	shelf := map[string]any{"departmentId": dep.ID}
	apples := app.stockedProduct(t, token, s001, "E2E-APPLE", "E2E Apples", 500, 10000, shelf)
	pears := app.stockedProduct(t, token, s001, "E2E-PEAR", "E2E Pears", 600, 5000, shelf)

	b := newBrowser(t, app)
	b.SignIn("manager", "2345")
	b.Open("/inventory/counts")
	b.WaitVisible(`[data-testid="count-start-form"]`)
	b.Select("#f-storeId", "S001")
	b.Select("#f-departmentId", "E2E Count Shelf")
	b.Click(`[data-testid="count-start"]`)
	countPath := b.WaitPath(`^/inventory/counts/[0-9a-f-]{36}$`)
	b.WaitText("#flashes", "2 products to count")
	b.WaitCount(`[data-testid="count-lines"] tbody tr`, 2)

	// Type what is on the shelf: 8 apples where 10 were expected, 6 pears where 5 were.
	b.Type(`[data-testid="line-E2E-APPLE"] [data-testid="counted-input"]`, "8"+kb.Tab)
	b.WaitText(`[data-testid="line-E2E-APPLE"] [data-testid="variance"]`, "-2")
	b.WaitText(`[data-testid="count-totals"]`, "1 of 2")
	b.Type(`[data-testid="line-E2E-PEAR"] [data-testid="counted-input"]`, "6"+kb.Tab)
	b.WaitText(`[data-testid="line-E2E-PEAR"] [data-testid="variance"]`, "+1")
	b.WaitText(`[data-testid="count-totals"]`, "2 of 2")

	// An apple is sold at the till while the count is open.
	app.MustAPI(t, http.StatusCreated, "POST", "/api/v1/sales", map[string]any{
		"receiptNumber": "R-E2E-COUNT", "terminalId": "T01",
		"subtotal": 500, "taxTotal": 0, "discountTotal": 0, "grandTotal": 500, "storeId": s001,
		"items": []map[string]any{{
			"productId": apples, "productName": "E2E Apples", "quantity": 1000, "unitPrice": 500,
			"taxAmount": 0, "discountAmount": 0, "lineTotal": 500, "taxes": []map[string]any{},
		}},
		"payments": []map[string]any{{"method": "CASH", "amount": 500}},
	}, token, nil)

	b.Open(countPath)
	b.Click(`[data-testid="count-post"]`)
	b.WaitText("#flashes", "posted")
	b.WaitGone(`[data-testid="count-post"]`)
	b.WaitText("main", "Posted")
	if len(b.Dialogs()) == 0 || !regexp.MustCompile(`^Post count \S+\?`).MatchString(b.Dialogs()[len(b.Dialogs())-1]) {
		t.Fatalf("posting asked %q, want a \"Post count …?\" confirmation", b.Dialogs())
	}

	// Apples: counted 8, then 1 sold during the count → 7. Pears: counted 6.
	b.Open("/inventory?store_id=" + s001 + "&search=E2E-")
	b.WaitText(`[data-testid="level-E2E-APPLE"] [data-testid="on-hand"]`, "7")
	b.WaitText(`[data-testid="level-E2E-PEAR"] [data-testid="on-hand"]`, "6")
	if got := app.level(t, s001, apples); got != 7000 {
		t.Fatalf("apples after the count: %d, want 7000", got)
	}
	if got := app.level(t, s001, pears); got != 6000 {
		t.Fatalf("pears after the count: %d, want 6000", got)
	}
	var moves int64
	app.Scalar(t, &moves, `SELECT count(*) FROM inventory_movements WHERE store_id = $1 AND product_id IN ($2, $3) AND type = 'count'`, s001, apples, pears)
	if moves != 2 {
		t.Fatalf("count movements: %d, want one per variance (2)", moves)
	}
}
