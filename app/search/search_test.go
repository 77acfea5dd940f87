package search_test

import (
	"net/http"
	"strings"
	"testing"

	"backroom/app/apptest"
	"backroom/models"
)

func TestSearchFindsWhatThePersonMaySee(t *testing.T) {
	app := apptest.NewDemo(t)
	admin := app.SignIn("admin", "1234")

	var po models.PurchaseOrder
	if err := app.DB.Preload("Store").Order("number").Take(&po).Error; err != nil {
		t.Fatal(err)
	}
	var p models.Product
	if err := app.DB.Where("barcode IS NOT NULL AND is_active").Order("sku").Take(&p).Error; err != nil {
		t.Fatal(err)
	}

	// A scanned barcode or an exact document number opens the one thing it names.
	res := admin.Get("/search?q="+*p.Barcode).Expect(t, http.StatusSeeOther)
	if got := res.Header.Get("Location"); got != "/products/"+p.ID.String() {
		t.Fatalf("barcode search went to %q", got)
	}
	res = admin.Get("/search?q="+strings.ToLower(po.Number)).Expect(t, http.StatusSeeOther)
	if got := res.Header.Get("Location"); got != "/purchase-orders/"+po.ID.String() {
		t.Fatalf("PO number search went to %q", got)
	}

	// A word lists the matches by kind, with a link to the full list when there are more.
	page := admin.Get("/search?q=juice").Expect(t, http.StatusOK).String()
	if !strings.Contains(page, "<h2 class=\"mb-2 font-semibold\">Products</h2>") || !strings.Contains(page, "Apple Juice 64 oz") {
		t.Fatalf("results page lacks the products: %s", page)
	}
	if !strings.Contains(page, "<html") {
		t.Fatal("a plain request should get the whole page")
	}
	// The top bar's as-you-type request gets only the suggestions.
	frag := admin.Request("GET", "/search?q=juice", nil, http.Header{"Hx-Request": {"true"}, "Hx-Target": {"search-suggestions"}}).
		Expect(t, http.StatusOK).String()
	if strings.Contains(frag, "<html") || !strings.Contains(frag, "Apple Juice 64 oz") || !strings.Contains(frag, `role="listbox"`) {
		t.Fatalf("suggestions fragment: %s", frag)
	}
	// ?all=1 lists even an exact match instead of jumping to it.
	if page := admin.Get("/search?all=1&q="+po.Number).Expect(t, http.StatusOK).String(); !strings.Contains(page, `href="/purchase-orders/`+po.ID.String()+`"`) {
		t.Fatal("the full results page lacks the order")
	}
	empty := admin.Get("/search?q=zzzz-nothing").Expect(t, http.StatusOK).String()
	if !strings.Contains(empty, `data-testid="search-empty"`) {
		t.Fatal("no empty state for a search without matches")
	}

	// A store user does not find another store's orders, and without products.view no products.
	var other models.Store
	if err := app.DB.Where("id <> ?", po.StoreID).Order("code").Take(&other).Error; err != nil {
		t.Fatal(err)
	}
	clerk, _ := app.WebUser(&other.ID, "purchase_orders.view")
	page = clerk.Get("/search?q="+po.Number).Expect(t, http.StatusOK).String()
	if !strings.Contains(page, `data-testid="search-empty"`) || strings.Contains(page, "/purchase-orders/"+po.ID.String()) {
		t.Fatalf("a user at %s finds %s of %s", other.Code, po.Number, po.Store.Code)
	}
	if page := clerk.Get("/search?q=juice").Expect(t, http.StatusOK).String(); strings.Contains(page, "Apple Juice") || !strings.Contains(page, `data-testid="search-empty"`) {
		t.Fatal("a user without products.view finds products")
	}
	owner, _ := app.WebUser(&po.StoreID, "purchase_orders.view")
	owner.Get("/search?q="+po.Number).Expect(t, http.StatusSeeOther)

	app.Web().Get("/search?q=juice").Expect(t, http.StatusSeeOther) // signed out: to the sign-in page
}
