package pricing_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/models"
)

func expectBody(t *testing.T, res *apptest.Response, code int, want ...string) {
	t.Helper()
	res.Expect(t, code)
	for _, w := range want {
		if !strings.Contains(res.String(), w) {
			t.Fatalf("page lacks %q", w)
		}
	}
}

var rowID = regexp.MustCompile(`id="ws-row-([0-9a-f-]{36})"`)

func TestWorksheetPages(t *testing.T) {
	f := setup(t)
	web, _ := f.app.WebUser(nil, allPricing...)
	expectBody(t, web.Get("/worksheets"), 200, `data-testid="ws-new"`, `data-testid="empty-state"`)
	expectBody(t, web.Get("/worksheets/new"), 200, `data-testid="ws-form"`)
	expectBody(t, web.PostForm("/worksheets", url.Values{"type": {"bogus"}}), 422, "must be one of")
	res := web.PostForm("/worksheets", url.Values{"type": {"price_change"}, "description": {"Autumn"}})
	res.Expect(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	page := web.Get(loc)
	expectBody(t, page, 200, `data-testid="ws-add-line"`, `data-testid="ws-paste-form"`, `data-testid="ws-no-lines"`)
	if strings.Contains(page.String(), `data-testid="ws-submit"`) {
		t.Fatal("submit offered for an empty worksheet")
	}
	// Add three products from a pasted column of SKUs; an unknown code is named.
	expectBody(t, web.PostForm(loc+"/items", url.Values{"codes": {"P-0\nNOPE"}}), 422, "NOPE")
	web.PostForm(loc+"/items", url.Values{"codes": {"P-0\nP-1\r\nP-2\n"}}).Expect(t, http.StatusSeeOther)
	page = web.Get(loc)
	ids := rowID.FindAllStringSubmatch(page.String(), -1)
	if len(ids) != 3 {
		t.Fatalf("%d grid rows", len(ids))
	}
	// Lines without their new price cannot go for approval yet.
	expectBody(t, web.PostForm(loc+"/submit", url.Values{}), 422, "incomplete")
	// Paste a column of prices: the second line is left blank (kept as is).
	web.PostForm(loc+"/paste", url.Values{"prices": {"11.00\n\n$13.50"}}).Expect(t, http.StatusSeeOther)
	expectBody(t, web.PostForm(loc+"/paste", url.Values{"prices": {"1\n2\n3\n4"}}), 422, "4 prices for 3 lines")
	// One cell, as htmx posts it: the row comes back saved; a bad value comes back with its error.
	row := web.HTMX("POST", loc+"/items/"+ids[1][1], url.Values{"newSellPrice": {"12.25"}})
	expectBody(t, row, 200, `id="ws-row-`+ids[1][1]+`"`, "bg-green-50", `value="12.25"`)
	expectBody(t, web.HTMX("POST", loc+"/items/"+ids[1][1], url.Values{"newSellPrice": {"twelve"}}), 422, "enter an amount")
	var prices []int64
	must(t, f.app.DB.Raw("SELECT new_sell_price FROM worksheet_items ORDER BY position").Scan(&prices).Error)
	if fmt.Sprint(prices) != "[1100 1225 1350]" {
		t.Fatalf("grid prices %v", prices)
	}
	web.PostForm(loc+"/submit", url.Values{}).Expect(t, http.StatusSeeOther)
	page = web.Get(loc)
	expectBody(t, page, 200, `data-testid="ws-approve"`, `data-testid="ws-reject-form"`)
	if strings.Contains(page.String(), `data-testid="ws-cell-newSellPrice"`) {
		t.Fatal("submitted worksheet still editable")
	}
	web.PostForm(loc+"/approve", url.Values{}).Expect(t, http.StatusSeeOther)
	expectBody(t, web.Get(loc), 200, `data-testid="ws-apply"`)
	// Apply asks first without JavaScript.
	expectBody(t, web.PostForm(loc+"/apply", url.Values{}), 200, `data-testid="confirm-form"`)
	web.PostForm(loc+"/apply", url.Values{"confirm": {"yes"}}).Expect(t, http.StatusSeeOther)
	expectBody(t, web.Get(loc), 200, "Applied", `data-testid="timeline-applied"`)
	if p := f.product(t, f.products[1].ID); p.SellPrice != 1225 {
		t.Fatalf("applied price %d", p.SellPrice)
	}
	expectBody(t, web.PostForm(loc+"/apply", url.Values{"confirm": {"yes"}}), 409, "already applied")
	// The product's price history: a fragment for the product page, and a page of its own.
	hist := "/price-history/" + f.products[1].ID.String()
	expectBody(t, web.HTMX("GET", hist, nil), 200, `data-testid="price-history"`, `data-testid="price-history-sell_price"`, "$10.00", "$12.25")
	expectBody(t, web.Get(hist), 200, "Price history: Product 1")
	web.Get("/price-history/"+uuid.NewString()).Expect(t, 404)
}

func TestWorksheetRejectPage(t *testing.T) {
	f := setup(t)
	web, _ := f.app.WebUser(nil, allPricing...)
	w := f.priceChange(t, nil)
	f.ws(t, "PATCH", wsPath(w.ID, "submit"), nil, f.admin, 200)
	loc := "/worksheets/" + w.ID.String()
	web.PostForm(loc+"/reject", url.Values{"reason": {""}}).Expect(t, http.StatusSeeOther)
	if f.app.Count("worksheets", "status = 'submitted'") != 1 {
		t.Fatal("rejected without a reason")
	}
	web.PostForm(loc+"/reject", url.Values{"reason": {"Margins too thin"}}).Expect(t, http.StatusSeeOther)
	expectBody(t, web.Get(loc), 200, `data-testid="ws-reject-reason"`, "Margins too thin", "Rejected: Margins too thin")
}

func TestSpecialAndStorePricePages(t *testing.T) {
	f := setup(t)
	web, _ := f.app.WebUser(nil, allPricing...)
	expectBody(t, web.Get("/specials"), 200, `data-testid="special-new"`)
	expectBody(t, web.PostForm("/specials", url.Values{"productCode": {"P-0"}, "specialPrice": {"7.99"}, "startDate": {"2030-05-10"}, "endDate": {"2030-05-01"}}), 422, "must be on or after the start date")
	web.PostForm("/specials", url.Values{"productCode": {"P-0"}, "specialPrice": {"7.99"}, "startDate": {"2030-05-01"}, "endDate": {"2030-05-10"}, "storeIds": {f.s2.ID.String()}}).Expect(t, http.StatusSeeOther)
	expectBody(t, web.Get("/specials"), 200, "$7.99", "2030-05-10", "S2", `data-testid="special-deactivate"`)
	var sp models.Special
	must(t, f.app.DB.Take(&sp).Error)
	expectBody(t, web.Get("/specials/"+sp.ID.String()+"/edit"), 200, `value="7.99"`)
	web.PostForm("/specials/"+sp.ID.String()+"/deactivate", url.Values{"confirm": {"yes"}}).Expect(t, http.StatusSeeOther)
	expectBody(t, web.Get("/specials?active=false"), 200, `data-testid="special-activate"`)

	expectBody(t, web.Get("/store-prices"), 200, `data-testid="store-price-form"`, "No store prices")
	expectBody(t, web.PostForm("/store-prices", url.Values{"storeId": {f.s1.ID.String()}, "productCode": {"P-0"}, "price": {"abc"}}), 422, "enter an amount")
	web.PostForm("/store-prices", url.Values{"storeId": {f.s1.ID.String()}, "productCode": {"P-0"}, "price": {"9.49"}}).Expect(t, http.StatusSeeOther)
	expectBody(t, web.Get("/store-prices?store_id="+f.s1.ID.String()), 200, "$9.49", "$10.00")
	expectBody(t, web.HTMX("GET", "/store-prices?store_id="+f.s2.ID.String(), nil), 200, `id="store-price-table"`, "No store prices")
}
