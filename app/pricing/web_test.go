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

var refusalBox = regexp.MustCompile(`(?s)<div role="alert"[^>]*data-testid="refusal">(.*?)</div>`)

// A refused submit (issue 16): the worksheet's own page comes back with 422, the reason in
// words at the top naming the line as the grid numbers it and the column's label, and the line
// marked; no JSON path or field name is shown.
func TestRefusedSubmitShowsTheWorksheet(t *testing.T) {
	f := setup(t)
	web, _ := f.app.WebUser(nil, allPricing...)
	res := web.PostForm("/worksheets", url.Values{"type": {"price_change"}, "description": {"Winter"}})
	res.Expect(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	web.PostForm(loc+"/items", url.Values{"codes": {"P-0\nP-1"}}).Expect(t, http.StatusSeeOther)
	// The first line is left without a price, the second gets one.
	web.PostForm(loc+"/paste", url.Values{"prices": {"\n12.00"}}).Expect(t, http.StatusSeeOther)
	var number string
	must(t, f.app.DB.Raw("SELECT number FROM worksheets").Scan(&number).Error)

	page := web.PostForm(loc+"/submit", url.Values{})
	expectBody(t, page, http.StatusUnprocessableEntity, "<title>Worksheet "+number, `data-testid="ws-grid"`, `data-testid="ws-submit"`, "incomplete")
	box := refusalBox.FindStringSubmatch(page.String())
	if box == nil {
		t.Fatalf("no refusal summary on the page:\n%s", page)
	}
	if !strings.Contains(box[1], "Line 1: New sell price") || strings.Contains(box[1], "Line 2") {
		t.Fatalf("summary %q", box[1])
	}
	for _, internal := range []string{"items[", "newSellPrice", "sellPrice", "highlighted fields ("} {
		if strings.Contains(box[1], internal) {
			t.Fatalf("summary shows %q: %q", internal, box[1])
		}
	}
	if strings.Contains(page.String(), "items[0]") || strings.Contains(page.String(), "Unprocessable Entity") {
		t.Fatal("the page shows an internal path or the bare status page")
	}
	rows := regexp.MustCompile(`<tr id="ws-row-[^"]*"[^>]*>`).FindAllString(page.String(), -1)
	if len(rows) != 2 || !strings.Contains(rows[0], "data-invalid") || !strings.Contains(rows[0], "ring-red-500") || strings.Contains(rows[1], "data-invalid") {
		t.Fatalf("grid rows marked wrongly: %q", rows)
	}
	if !strings.Contains(page.String(), `aria-invalid`) {
		t.Fatal("the failing cell is not marked invalid")
	}
	// The worksheet has not moved.
	if f.app.Count("worksheets", "status = 'draft'") != 1 {
		t.Fatal("refused worksheet changed state")
	}

	// An htmx post is told the same, in words, as a flash.
	flash := web.HTMX("POST", loc+"/submit", url.Values{})
	expectBody(t, flash, http.StatusUnprocessableEntity, "Line 1: New sell price")
	if strings.Contains(flash.String(), "items[0]") || strings.Contains(flash.String(), "newSellPrice") {
		t.Fatalf("htmx refusal shows internal names: %s", flash)
	}

	// A conflict (approving a draft) re-renders the worksheet too, with 409 and the reason.
	page = web.PostForm(loc+"/approve", url.Values{})
	expectBody(t, page, http.StatusConflict, "<title>Worksheet "+number, `data-testid="refusal"`, "can be approved only when")
}
