package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"
)

// SignOut signs out with the top bar's button and waits for the sign-in page.
func (b *Browser) SignOut() {
	b.t.Helper()
	b.Click(`form[action="/logout"] button[type="submit"]`)
	b.WaitPath(`^/login$`)
	b.WaitVisible(`[data-testid="login-form"]`)
}

// A price worksheet goes through its whole life in the browser: HQ creates it, fills the grid
// and submits it; a store manager cannot approve a chain-wide change; a second HQ person
// approves and applies it, and the product page shows the new price.
func TestWorksheetFromDraftToAppliedPrice(t *testing.T) {
	app := startApp(t)
	token := app.Login(t, "admin", "1234")
	var product struct {
		ID string `json:"id"`
	}
	app.MustAPI(t, http.StatusCreated, "POST", "/api/v1/products", map[string]any{
		"sku": "E2E-JAM", "name": "E2E Strawberry Jam", "sellPrice": 399, "costPrice": 150, "trackStock": true,
	}, token, &product)

	b := newBrowser(t, app)
	b.SignIn("admin", "1234")

	// Create a chain-wide price change.
	b.Open("/worksheets")
	b.Click(`[data-testid="ws-new"]`)
	b.WaitPath(`^/worksheets/new$`)
	b.Select("#f-type", "Price change")
	b.Type("#f-description", "E2E jam price rise")
	b.Click(`[data-testid="ws-create"]`)
	wsPath := b.WaitPath(`^/worksheets/[0-9a-f-]{36}$`)
	b.WaitText(`[data-testid="ws-status"]`, "Draft")
	b.WaitVisible(`[data-testid="ws-no-lines"]`)

	// Add the product by SKU, then type its new price into the grid cell (saved on change).
	b.Type("#f-codes", "E2E-JAM")
	b.Click(`[data-testid="ws-add-line-submit"]`)
	b.WaitVisible(`[data-testid="ws-line-E2E-JAM"]`)
	b.WaitText(`[data-testid="ws-line-E2E-JAM"]`, "$3.99")
	b.Type(`[data-testid="ws-line-E2E-JAM"] [data-testid="ws-cell-newSellPrice"]`, "4.49"+kb.Tab)
	b.waitJS("the new price saved in the grid", `(() => {
		const row = document.querySelector('[data-testid="ws-line-E2E-JAM"]');
		return !!row && row.classList.contains("bg-green-50") && row.querySelector('[data-testid="ws-cell-newSellPrice"]').value === "4.49";
	})()`)
	var newPrice int64
	app.Scalar(t, &newPrice, `SELECT coalesce(new_sell_price, -1) FROM worksheet_items WHERE product_id = $1`, product.ID)
	if newPrice != 449 {
		t.Fatalf("the grid cell saved new_sell_price %d, want 449", newPrice)
	}

	b.Click(`[data-testid="ws-submit"]`)
	b.WaitText("#flashes", "Submitted for approval.")
	b.WaitText(`[data-testid="ws-status"]`, "Submitted")
	b.WaitGone(`[data-testid="ws-cell-newSellPrice"]`) // no editing once submitted
	b.SignOut()

	// A store manager may look but not approve a chain-wide worksheet: that takes an HQ-wide
	// approver.
	b.SignIn("manager", "2345")
	b.Open(wsPath)
	b.WaitText(`[data-testid="ws-status"]`, "Submitted")
	if n := b.Count(`[data-testid="ws-approve"]`); n != 0 {
		t.Fatalf("the store manager is offered Approve on a chain-wide worksheet")
	}
	b.SignOut()

	// A second HQ person, made with the real `backroom user create`, approves and applies it.
	mustRun(t, dbEnv(app.DBURL), "user", "create", "--username", "pricing", "--name", "Pat Pricing",
		"--pin", "5678", "--role", "Administrator")
	b.SignIn("pricing", "5678")
	b.Open(wsPath)
	b.WaitText(`[data-testid="ws-status"]`, "Submitted")
	b.Click(`[data-testid="ws-approve"]`)
	b.WaitText("#flashes", "Approved.")
	b.WaitText(`[data-testid="ws-status"]`, "Approved")

	// Applying asks once, then the price is live.
	b.Click(`[data-testid="ws-apply"]`)
	b.WaitText("#flashes", "Applied")
	b.WaitText(`[data-testid="ws-status"]`, "Applied")
	b.WaitGone(`[data-testid="ws-apply"]`)
	if d := b.Dialogs(); len(d) == 0 || !strings.HasPrefix(d[len(d)-1], "Apply ") {
		t.Fatalf("applying asked %q, want an \"Apply …?\" confirmation", d)
	}

	b.Open("/products/" + product.ID)
	b.WaitText(`[data-testid="product-facts"]`, "$4.49")

	var price int64
	app.Scalar(t, &price, `SELECT sell_price FROM products WHERE id = $1`, product.ID)
	if price != 449 {
		t.Fatalf("sell_price after applying: %d, want 449", price)
	}
}
