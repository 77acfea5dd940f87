package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The top bar's search suggests as the person types, and a scanned barcode opens its product.
func TestTopBarSearchInTheBrowser(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app)
	b.SignIn("admin", "1234")

	var po, poID, barcode, productID string
	app.Scalar(t, &po, `SELECT number FROM purchase_orders ORDER BY number LIMIT 1`)
	app.Scalar(t, &poID, `SELECT id::text FROM purchase_orders ORDER BY number LIMIT 1`)
	app.Scalar(t, &barcode, `SELECT barcode FROM products WHERE barcode IS NOT NULL AND is_active AND deleted_at IS NULL ORDER BY sku LIMIT 1`)
	app.Scalar(t, &productID, `SELECT id::text FROM products WHERE barcode = $1`, barcode)

	b.Open("/")
	b.eval("mark the document", `window.__e2eSameDocument = true`)
	// "/" focuses the search; typing shows suggestions without leaving the page.
	b.step("press /", chromedp.KeyEvent("/"))
	b.waitJS("search focused", `document.activeElement && document.activeElement.id === "global-search"`)
	b.Type("#global-search", "juice")
	b.WaitVisible(`#search-suggestions [role="listbox"]`)
	b.WaitText("#search-suggestions", "Apple Juice 64 oz")
	if got := b.eval("same document", `String(window.__e2eSameDocument === true)`); got != "true" {
		t.Fatal("typing in the search reloaded the page")
	}
	// Escape closes the suggestions.
	b.step("press Escape", chromedp.SendKeys(chromedp.CSS("#global-search"), kb.Escape))
	b.WaitGone(`#search-suggestions [role="listbox"]`)

	// A purchase order number typed in full and Enter opens the order.
	b.Open("/")
	b.Type("#global-search", po+"\r")
	b.WaitPath(`^/purchase-orders/` + poID + `$`)

	// A scanned barcode (digits then Enter) opens the product.
	b.Open("/")
	b.Type("#global-search", barcode+"\r")
	b.WaitPath(`^/products/` + productID + `$`)
}
