package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// headerActions is the area beside a detail page's title: status badge and action buttons.
const headerActions = "main h2 + div"

// An administrator creates a product through the form (after a refused first try), finds it
// with the as-you-type search, changes its price and deactivates it.
func TestProductLifecycleInTheBrowser(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app)
	b.SignIn("admin", "1234")

	// Create: the list's "New product" button leads to the form.
	b.Open("/products")
	b.WaitVisible(`[data-testid="product-table"]`)
	b.Click(`[data-testid="new-product"]`)
	b.WaitPath(`^/products/new$`)
	b.WaitVisible(`[data-testid="product-form"]`)
	b.Type(`[data-testid="sku-input"]`, "E2E-0001")
	b.Type(`[data-testid="name-input"]`, "Testing Widget")
	b.Type(`[data-testid="sell-price-input"]`, "twelve")
	b.Click(`[data-testid="product-form"] [data-testid="save-button"]`)
	// Refused: the message sits beside the price, and what was typed stays.
	b.WaitVisible("#f-sellPrice-error")
	b.WaitPath(`^/products(/new)?$`)
	if got := b.eval("name value", `document.querySelector('[data-testid="name-input"]').value`); got != "Testing Widget" {
		t.Fatalf("after a refused save the name field holds %q", got)
	}
	var n int64
	app.Scalar(t, &n, `SELECT count(*) FROM products WHERE sku = 'E2E-0001'`)
	if n != 0 {
		t.Fatalf("a refused form created the product")
	}

	b.Type(`[data-testid="sell-price-input"]`, "12.99")
	b.Type("#f-costPrice", "7.50")
	b.Click(`[data-testid="product-form"] [data-testid="save-button"]`)
	productPath := b.WaitPath(`^/products/[0-9a-f-]{36}$`)
	b.WaitText("#flashes", "Product E2E-0001 created.")
	b.WaitText(`[data-testid="product-facts"]`, "$12.99")
	b.WaitText(headerActions, "Active")

	// Find it: typing in the search box swaps the table without reloading the page.
	b.Open("/products")
	b.WaitVisible(`[data-testid="product-table"]`)
	b.eval("mark the document", `window.__e2eSameDocument = true`)
	b.Type(`[data-testid="search-input"]`, "Testing Wid")
	b.WaitCount(`[data-testid^="product-row-"]`, 1)
	b.WaitVisible(`[data-testid="product-row-E2E-0001"]`)
	if got := b.eval("same document", `String(window.__e2eSameDocument === true)`); got != "true" {
		t.Fatalf("the search reloaded the page instead of swapping the table")
	}
	b.waitJS("search pushed to the URL", `new URLSearchParams(location.search).get("search") === "Testing Wid"`)
	// The pushed URL is a bookmark: opening it shows the same filtered list.
	b.Open("/products?search=E2E-0001")
	b.WaitCount(`[data-testid^="product-row-"]`, 1)
	b.WaitText(`[data-testid="product-row-E2E-0001"]`, "Testing Widget")

	// Edit the price.
	b.Click(`[data-testid="product-row-E2E-0001"] a`)
	b.WaitPath(`^` + productPath + `$`)
	b.Click(`[data-testid="edit-product"]`)
	b.WaitPath(`^` + productPath + `/edit$`)
	b.WaitText(`[data-testid="sku-readonly"]`, "E2E-0001")
	b.Type(`[data-testid="sell-price-input"]`, "14.50")
	b.Click(`[data-testid="product-form"] [data-testid="save-button"]`)
	b.WaitPath(`^` + productPath + `$`)
	b.WaitText("#flashes", "Product E2E-0001 saved.")
	b.WaitText(`[data-testid="product-facts"]`, "$14.50")

	// Deactivate: the badge and the button change.
	b.WaitText(`[data-testid="toggle-active"]`, "Deactivate")
	b.Click(`[data-testid="toggle-active"]`)
	b.WaitText("#flashes", "Product E2E-0001 deactivated.")
	b.WaitText(`[data-testid="toggle-active"]`, "Activate")
	b.WaitText(headerActions, "Inactive")
	b.Open("/products?search=E2E-0001")
	b.WaitText(`[data-testid="product-row-E2E-0001"]`, "Inactive")

	var price int64
	var active bool
	app.Scalar(t, &price, `SELECT sell_price FROM products WHERE sku = 'E2E-0001'`)
	app.Scalar(t, &active, `SELECT is_active FROM products WHERE sku = 'E2E-0001'`)
	if price != 1450 || active {
		t.Fatalf("database after the edits: sell_price %d active %v, want 1450 false", price, active)
	}
}

// A cashier may look at products but is refused the product form with the not-allowed page.
func TestCashierIsRefusedTheProductForm(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app)
	b.SignIn("cashier", "3456")

	if code := b.Open("/products"); code != http.StatusOK {
		t.Fatalf("cashier GET /products: %d, want 200", code)
	}
	b.WaitVisible(`[data-testid="product-table"]`)
	if n := b.Count(`[data-testid="new-product"]`); n != 0 {
		t.Fatalf("the cashier sees the New product button")
	}

	if code := b.Open("/products/new"); code != http.StatusForbidden {
		t.Fatalf("cashier GET /products/new: %d, want 403", code)
	}
	b.WaitVisible(`[data-testid="error-page"]`)
	msg := b.Text(`[data-testid="error-page"]`)
	if !strings.Contains(msg, "403") || !strings.Contains(msg, "products.create") {
		t.Fatalf("not-allowed page says %q, want the 403 and the missing permission", msg)
	}
	if n := b.Count(`[data-testid="product-form"]`); n != 0 {
		t.Fatalf("the not-allowed page shows the product form")
	}
	// The shell stays: the cashier is still signed in.
	b.WaitText(`[data-testid="current-user"]`, "Casey Cashier")
}
