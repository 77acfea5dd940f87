package purchasing_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

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

func TestPurchaseOrderPages(t *testing.T) {
	f := setup(t)
	buyer, _ := f.app.WebUser(nil, append(allPO, "products.view")...)
	approver, _ := f.app.WebUser(&f.store.ID, allPO...)

	expectBody(t, buyer.Get("/purchase-orders"), 200, `data-testid="empty-state"`, `data-testid="po-new"`)
	expectBody(t, buyer.Get("/purchase-orders/new"), 200, `data-testid="po-form"`, "Acme Wholesale")
	// Invalid form: 422 with the field named.
	expectBody(t, buyer.PostForm("/purchase-orders", url.Values{"supplierId": {""}, "storeId": {f.store.ID.String()}}), 422, "choose one")
	res := buyer.PostForm("/purchase-orders", url.Values{"supplierId": {f.supplier.ID.String()}, "storeId": {f.store.ID.String()}, "notes": {"web"}})
	res.Expect(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	var po models.PurchaseOrder
	must(t, f.app.DB.Take(&po).Error)
	if loc != "/purchase-orders/"+po.ID.String() {
		t.Fatalf("redirect to %q", loc)
	}
	// Draft: add lines, no submit button before the first line.
	page := buyer.Get(loc)
	expectBody(t, page, 200, `data-testid="po-add-line"`, `data-testid="po-delete"`)
	if strings.Contains(page.String(), `data-testid="po-submit"`) {
		t.Fatal("submit offered for an empty order")
	}
	expectBody(t, buyer.PostForm(loc+"/items", url.Values{"code": {"nope"}, "quantity": {"1"}}), 422, "no product has this SKU")
	buyer.PostForm(loc+"/items", url.Values{"code": {"SKU-0"}, "quantity": {"10"}}).Expect(t, http.StatusSeeOther)
	page = buyer.Get(loc)
	expectBody(t, page, 200, `data-testid="po-submit"`, "$23.00")
	buyer.PostForm(loc+"/submit", url.Values{}).Expect(t, http.StatusSeeOther)
	// The submitter sees no approve button; the store's manager does, with the badge.
	if strings.Contains(buyer.Get(loc).String(), `data-testid="po-approve"`) {
		t.Fatal("submitter offered approve")
	}
	expectBody(t, approver.Get(loc), 200, `data-testid="po-approve"`, `1 waiting`)
	expectBody(t, buyer.PostForm(loc+"/approve", url.Values{}), 403)
	approver.PostForm(loc+"/approve", url.Values{}).Expect(t, http.StatusSeeOther)
	// A second approve is a 409 page, not a 500.
	expectBody(t, approver.PostForm(loc+"/approve", url.Values{}), 409, "already approved")
	buyer.PostForm(loc+"/send", url.Values{}).Expect(t, http.StatusSeeOther)
	page = approver.Get(loc)
	expectBody(t, page, 200, `data-testid="po-receive-form"`, `data-testid="po-cancel"`)
	itemID := strings.Split(strings.Split(page.String(), `name="qty_`)[1], `"`)[0]
	// Receive 4, then 7 (over by 1): the page asks to confirm, then books it.
	approver.PostForm(loc+"/receive", url.Values{"qty_" + itemID: {"4"}}).Expect(t, http.StatusSeeOther)
	expectBody(t, approver.Get(loc), 200, "4 of 10", `data-testid="timeline-received"`, "Received 4 of 10")
	expectBody(t, approver.PostForm(loc+"/receive", url.Values{"qty_" + itemID: {"7"}}), 422, `data-testid="po-confirm-over-receive"`)
	if got := f.stock(t, f.store.ID, f.products[0].ID); got != 4000 {
		t.Fatalf("unconfirmed over-receipt moved stock to %d", got)
	}
	approver.PostForm(loc+"/receive", url.Values{"qty_" + itemID: {"7"}, "confirmOverReceive": {"true"}}).Expect(t, http.StatusSeeOther)
	if got := f.stock(t, f.store.ID, f.products[0].ID); got != 11000 {
		t.Fatalf("stock after confirmed over-receipt %d", got)
	}
	page = approver.Get(loc)
	expectBody(t, page, 200, `data-testid="po-status"`, "Received", `data-testid="po-receipts"`)
	for _, gone := range []string{"po-receive-form", "po-cancel", "po-approve", "po-send"} {
		if strings.Contains(page.String(), `data-testid="`+gone+`"`) {
			t.Fatalf("received order still offers %s", gone)
		}
	}
	// Downloads work from the page too.
	if res := approver.Get(loc + "/pdf"); res.Code != 200 || !strings.HasPrefix(res.String(), "%PDF") {
		t.Fatalf("pdf download %d", res.Code)
	}
	expectBody(t, buyer.Get("/purchase-orders?status=received"), 200, po.Number)
	expectBody(t, buyer.HTMX("GET", "/purchase-orders?status=draft", nil), 200, `id="po-table"`, "No purchase orders match")
}

func TestPurchaseOrderDeleteAsksFirst(t *testing.T) {
	f := setup(t)
	web, _ := f.app.WebUser(nil, allPO...)
	d := f.create(t, f.buyer)
	path := "/purchase-orders/" + d.ID.String()
	// Without confirmation the page asks; nothing is deleted.
	expectBody(t, web.PostForm(path+"/delete", url.Values{}), 200, `data-testid="confirm-form"`)
	if f.app.Count("purchase_orders", "id = ?", d.ID) != 1 {
		t.Fatal("deleted without confirmation")
	}
	web.PostForm(path+"/delete", url.Values{"confirm": {"yes"}}).Expect(t, http.StatusSeeOther)
	if f.app.Count("purchase_orders", "id = ?", d.ID) != 0 {
		t.Fatal("not deleted")
	}
}

// A refused transition (issue 16) comes back on the order's own page with its status and the
// reason in words; an over-receipt's message names no JSON path.
func TestRefusedTransitionShowsTheOrder(t *testing.T) {
	f := setup(t)
	buyer, _ := f.app.WebUser(nil, append(allPO, "products.view")...)
	approver, _ := f.app.WebUser(&f.store.ID, allPO...)
	res := buyer.PostForm("/purchase-orders", url.Values{"supplierId": {f.supplier.ID.String()}, "storeId": {f.store.ID.String()}})
	res.Expect(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	var po models.PurchaseOrder
	must(t, f.app.DB.Take(&po).Error)
	buyer.PostForm(loc+"/items", url.Values{"code": {"SKU-0"}, "quantity": {"10"}}).Expect(t, http.StatusSeeOther)
	buyer.PostForm(loc+"/submit", url.Values{}).Expect(t, http.StatusSeeOther)
	approver.PostForm(loc+"/approve", url.Values{}).Expect(t, http.StatusSeeOther)
	page := approver.PostForm(loc+"/approve", url.Values{})
	expectBody(t, page, http.StatusConflict, "<title>Purchase order "+po.Number, `data-testid="refusal"`, "already approved", `data-testid="po-summary"`)
	flash := approver.HTMX("POST", loc+"/approve", url.Values{})
	expectBody(t, flash, http.StatusConflict, "already approved")

	buyer.PostForm(loc+"/send", url.Values{}).Expect(t, http.StatusSeeOther)
	page = approver.Get(loc)
	itemID := strings.Split(strings.Split(page.String(), `name="qty_`)[1], `"`)[0]
	page = approver.PostForm(loc+"/receive", url.Values{"qty_" + itemID: {"11"}})
	expectBody(t, page, http.StatusUnprocessableEntity, "<title>Purchase order "+po.Number, `data-testid="po-confirm-over-receive"`, "still expected")
	for _, internal := range []string{"items[", "quantityReceived", "highlighted fields ("} {
		if strings.Contains(page.String(), internal) {
			t.Fatalf("receive refusal shows %q", internal)
		}
	}
}
