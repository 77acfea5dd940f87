package sales_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"backroom/app/sales"
	"backroom/app/sales/salestest"
	"backroom/models"
)

// seedBody is the seed's example sale (2 × 999 at 825 bp, paid 2200 in cash), as sent.
func seedBody(f *salestest.Fixture, receipt string) map[string]any {
	return map[string]any{
		"receiptNumber": receipt,
		"terminalId":    "T01",
		"subtotal":      1998,
		"taxTotal":      165,
		"discountTotal": 0,
		"grandTotal":    2163,
		"storeId":       f.Store.ID,
		"salesRepId":    nil,
		"customerId":    nil,
		"items": []map[string]any{{
			"productId": f.Coffee.ID, "productName": "Coffee", "quantity": 2000, "unitPrice": 999, "taxRate": 825,
			"taxAmount": 165, "discountAmount": 0, "lineTotal": 2163,
			"taxes": []map[string]any{{"taxRateName": "State Tax", "rate": 825, "taxAmount": 165, "isCompound": false, "sortOrder": 0}},
		}},
		"payments": []map[string]any{{"method": "CASH", "amount": 2200, "reference": nil}},
	}
}

func TestSeedExampleSale(t *testing.T) {
	f := salestest.New(t)
	before := f.Stock(f.Store, f.Coffee)
	s := f.Sell(f.Admin, seedBody(f, "R-0001"))
	if s.GrandTotal != 2163 || s.TaxTotal != 165 || s.PaidTotal != 2200 || s.ChangeDue != 37 || s.Status != "completed" || s.IsRefund {
		t.Fatalf("sale = %+v", s)
	}
	if got := f.Stock(f.Store, f.Coffee); got != before-2000 {
		t.Fatalf("stock = %d, want %d", got, before-2000)
	}
	var admin models.User
	f.DB.Take(&admin, "username = 'admin'")
	if s.CashierID == nil || *s.CashierID != admin.ID {
		t.Fatalf("cashier defaults to the signed-in user: %v", s.CashierID)
	}
	if n := f.Count("inventory_movements", "reference_id = ? AND type = 'sale' AND quantity = -2000", s.ID); n != 1 {
		t.Fatalf("sale movements = %d", n)
	}
	if n := f.Count("sale_item_taxes", "tax_rate_name = 'State Tax' AND tax_amount = 165 AND taxable = 1998"); n != 1 {
		t.Fatalf("line taxes = %d", n)
	}
	if n := f.Count("audit_log", "entity_id = ? AND action = 'sale.create'", s.ID); n != 1 {
		t.Fatalf("audit = %d", n)
	}

	var r sales.Receipt
	f.Do("POST", "/api/v1/sales/print", map[string]any{"saleId": s.ID}, f.Admin).Expect(t, http.StatusOK).Data(t, &r)
	if r.Change != 37 || r.GrandTotal != 2163 || r.ReceiptNumber != "R-0001" || r.Store.Name != f.Store.Name || r.Store.Phone != f.Store.Phone || r.Cashier != "Administrator" {
		t.Fatalf("receipt = %+v", r)
	}
	if len(r.Taxes) != 1 || r.Taxes[0] != (sales.ReceiptTax{Name: "State Tax", Rate: 825, Taxable: 1998, Amount: 165}) {
		t.Fatalf("receipt taxes = %+v", r.Taxes)
	}
	if len(r.Lines) != 1 || r.Lines[0].Quantity != 2000 || len(r.Payments) != 1 || r.Payments[0].Amount != 2200 {
		t.Fatalf("receipt lines/payments = %+v %+v", r.Lines, r.Payments)
	}
	f.Do("POST", "/api/v1/sales/print", map[string]any{"saleId": "nope"}, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("POST", "/api/v1/sales/print", map[string]any{"saleId": uuid.New()}, f.Admin).Expect(t, http.StatusNotFound)

	var d sales.Detail
	f.Do("GET", "/api/v1/sales/"+s.ID.String(), nil, f.Admin).Expect(t, http.StatusOK).Data(t, &d)
	if len(d.Items) != 1 || len(d.Items[0].Taxes) != 1 || len(d.Payments) != 1 || d.StoreCode != "S001" {
		t.Fatalf("detail = %+v", d)
	}
	f.Do("GET", "/api/v1/sales/not-an-id", nil, f.Admin).Expect(t, http.StatusNotFound)

	w := f.SignIn("admin", "1234")
	page := w.Get("/sales/"+s.ID.String()+"/receipt").Expect(t, http.StatusOK).String()
	for _, want := range []string{"R-0001", "$0.37", "$21.63", "State Tax 8.25%", "@media print", f.Store.Address} {
		if !strings.Contains(page, want) {
			t.Fatalf("receipt page lacks %q", want)
		}
	}
	pdf := w.Get("/sales/"+s.ID.String()+"/receipt.pdf").Expect(t, http.StatusOK)
	if pdf.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf.Body, []byte("%PDF")) {
		t.Fatalf("pdf: %s %q", pdf.Header.Get("Content-Type"), pdf.Body[:min(len(pdf.Body), 10)])
	}
}

// TestSaleChecks sends broken variants of a good sale: each is refused with the right status,
// names the field, and leaves stock and the sales table untouched.
func TestSaleChecks(t *testing.T) {
	f := salestest.New(t)
	f.Sell(f.Admin, seedBody(f, "R-TAKEN"))
	good := func() map[string]any { return seedBody(f, "R-NEW") }
	item := func(b map[string]any) map[string]any { return b["items"].([]map[string]any)[0] }
	pay := func(b map[string]any) map[string]any { return b["payments"].([]map[string]any)[0] }
	tests := []struct {
		name   string
		mutate func(b map[string]any) any
		status int
		field  string
	}{
		{"wrong line tax", func(b map[string]any) any { item(b)["taxAmount"] = 166; return b }, 422, "items[0].taxAmount"},
		{"wrong line total", func(b map[string]any) any { item(b)["lineTotal"] = 2164; return b }, 422, "items[0].lineTotal"},
		{"wrong tax row", func(b map[string]any) any {
			item(b)["taxes"].([]map[string]any)[0]["taxAmount"] = 160
			return b
		}, 422, "items[0].taxes[0].taxAmount"},
		{"wrong grand total", func(b map[string]any) any { b["grandTotal"] = 2000; return b }, 422, "grandTotal"},
		{"wrong subtotal", func(b map[string]any) any { b["subtotal"] = 1999; return b }, 422, "subtotal"},
		{"underpaid", func(b map[string]any) any { pay(b)["amount"] = 2000; return b }, 422, "payments"},
		{"card overpaid", func(b map[string]any) any { pay(b)["method"] = "CARD"; return b }, 422, "payments"},
		{"inactive tender", func(b map[string]any) any { pay(b)["method"] = "VOUCHER"; return b }, 422, "payments[0].method"},
		{"unknown tender", func(b map[string]any) any { pay(b)["method"] = "BITCOIN"; return b }, 422, "payments[0].method"},
		{"no payments", func(b map[string]any) any { b["payments"] = []any{}; return b }, 422, "payments"},
		{"empty sale", func(b map[string]any) any { b["items"] = []any{}; return b }, 422, "items"},
		{"no items at all", func(b map[string]any) any { delete(b, "items"); return b }, 422, "items"},
		{"unknown product", func(b map[string]any) any { item(b)["productId"] = uuid.New(); return b }, 422, "items[0].productId"},
		{"malformed product id", func(b map[string]any) any { item(b)["productId"] = "coffee"; return b }, 422, "items[0].productId"},
		{"zero quantity", func(b map[string]any) any { item(b)["quantity"] = 0; return b }, 422, "items[0].quantity"},
		{"negative quantity without original", func(b map[string]any) any { item(b)["quantity"] = -2000; return b }, 422, "items[0].quantity"},
		{"discount above price", func(b map[string]any) any { item(b)["discountAmount"] = 5000; return b }, 422, "items[0].discountAmount"},
		{"no receipt number", func(b map[string]any) any { b["receiptNumber"] = " "; return b }, 422, "receiptNumber"},
		{"unknown store", func(b map[string]any) any { b["storeId"] = uuid.New(); return b }, 422, "storeId"},
		{"unknown cashier", func(b map[string]any) any { b["cashierId"] = uuid.New(); return b }, 422, "cashierId"},
		{"quantity not a number", func(b map[string]any) any { item(b)["quantity"] = "two"; return b }, 422, "items.quantity"},
		{"repeated receipt number", func(b map[string]any) any { b["receiptNumber"] = "R-TAKEN"; return b }, 409, ""},
		{"malformed JSON", func(b map[string]any) any { return `{"receiptNumber": ` }, 400, ""},
	}
	stock := f.Stock(f.Store, f.Coffee)
	count := f.Count("sales", "")
	moves := f.Count("inventory_movements", "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.Do("POST", "/api/v1/sales", tt.mutate(good()), f.Admin).Expect(t, tt.status)
			env := res.Env(t)
			if env.Success || env.Error == "" {
				t.Fatalf("envelope = %s", res.Body)
			}
			if tt.field != "" && len(env.Errors[tt.field]) == 0 {
				t.Fatalf("errors do not name %s: %s", tt.field, res.Body)
			}
			if got := f.Stock(f.Store, f.Coffee); got != stock {
				t.Fatalf("stock moved: %d → %d", stock, got)
			}
			if got := f.Count("sales", ""); got != count {
				t.Fatalf("sales rows %d → %d", count, got)
			}
			if got := f.Count("inventory_movements", ""); got != moves {
				t.Fatalf("movements %d → %d", moves, got)
			}
		})
	}
	// The same receipt number is free at another store.
	b := good()
	b["receiptNumber"], b["storeId"] = "R-TAKEN", f.Other.ID
	f.Sell(f.Admin, b)
}

func TestTaxesFromProductGroupAndSplitPayments(t *testing.T) {
	f := salestest.New(t)
	// Muffin: 3 × 3.50 = 10.50, 1.00 off → 9.50; GST 5% = 0.48 (47.5 rounds up), PST 7% compound on 9.98 = 0.70.
	b := f.Body(f.Store, "R-G1", "T01", []salestest.Line{{Product: f.Muffin, Quantity: 3000, Discount: 100}, {Product: f.Service, Quantity: 1000}},
		salestest.Pay{Method: "CARD", Amount: 2000}, salestest.Pay{Method: "CASH", Amount: 1500})
	items := b["items"].([]map[string]any)
	if items[0]["taxAmount"] != int64(118) || items[0]["lineTotal"] != int64(1068) || b["grandTotal"] != int64(3068) {
		t.Fatalf("fixture maths changed: %v %v %v", items[0]["taxAmount"], items[0]["lineTotal"], b["grandTotal"])
	}
	delete(items[0], "taxes") // no taxes array: the product's current group applies
	s := f.Sell(f.Admin, b)
	if s.ChangeDue != 432 || s.PaidTotal != 3500 || s.DiscountTotal != 100 {
		t.Fatalf("sale = %+v", s)
	}
	if n := f.Count("sale_item_taxes", "tax_rate_name = 'Test PST' AND is_compound AND taxable = 998 AND tax_amount = 70"); n != 1 {
		t.Fatalf("compound tax row missing")
	}
	if n := f.Count("inventory_movements", "reference_id = ?", s.ID); n != 1 {
		t.Fatalf("untracked product moved stock: %d movements", n)
	}
	// Change larger than the cash handed over is refused.
	b = f.Body(f.Store, "R-G2", "T01", []salestest.Line{{Product: f.Service, Quantity: 1000}},
		salestest.Pay{Method: "CARD", Amount: 2500}, salestest.Pay{Method: "CASH", Amount: 100})
	env := f.Do("POST", "/api/v1/sales", b, f.Admin).Expect(t, http.StatusUnprocessableEntity).Env(t)
	if len(env.Errors["payments"]) == 0 {
		t.Fatalf("errors = %v", env.Errors)
	}
	// An empty taxes array means the line was sold untaxed (offline exemption): accepted as sent.
	b = f.Body(f.Store, "R-G3", "", []salestest.Line{{Product: f.Service, Quantity: 1000}})
	s = f.Sell(f.Admin, b)
	if s.TaxTotal != 0 || s.RegisterSessionID != nil {
		t.Fatalf("sale = %+v", s)
	}
}

func TestVoid(t *testing.T) {
	f := salestest.New(t)
	before := f.Stock(f.Store, f.Coffee)
	s := f.Sell(f.Admin, seedBody(f, "R-0001"))
	path := "/api/v1/sales/" + s.ID.String() + "/void"

	_, cashier := f.User(&f.Store.ID, "pos.sell")
	f.Do("PUT", path, map[string]string{"reason": "mistake"}, cashier).Expect(t, http.StatusForbidden)
	_, otherVoider := f.User(&f.Other.ID, "pos.sell", "pos.void")
	f.Do("PUT", path, map[string]string{"reason": "mistake"}, otherVoider).Expect(t, http.StatusNotFound)
	env := f.Do("PUT", path, map[string]string{"reason": "  "}, f.Admin).Expect(t, http.StatusUnprocessableEntity).Env(t)
	if len(env.Errors["reason"]) == 0 {
		t.Fatalf("errors = %v", env.Errors)
	}
	if f.Stock(f.Store, f.Coffee) != before-2000 {
		t.Fatal("refused voids moved stock")
	}

	var v models.Sale
	f.Do("PUT", path, map[string]string{"reason": "customer changed their mind"}, f.Admin).Expect(t, http.StatusOK).Data(t, &v)
	if v.Status != "voided" || v.VoidReason != "customer changed their mind" || v.VoidedAt == nil {
		t.Fatalf("voided = %+v", v)
	}
	if got := f.Stock(f.Store, f.Coffee); got != before {
		t.Fatalf("stock after void = %d, want %d", got, before)
	}
	if n := f.Count("inventory_movements", "reference_id = ? AND type = 'void' AND quantity = 2000", s.ID); n != 1 {
		t.Fatalf("void movements = %d", n)
	}
	res := f.Do("PUT", path, map[string]string{"reason": "again"}, f.Admin).Expect(t, http.StatusConflict)
	if !strings.Contains(res.Env(t).Error, "already voided") {
		t.Fatalf("second void: %s", res.Body)
	}
	if got := f.Stock(f.Store, f.Coffee); got != before {
		t.Fatalf("second void moved stock: %d", got)
	}
	f.Do("PUT", "/api/v1/sales/"+uuid.NewString()+"/void", map[string]string{"reason": "x"}, f.Admin).Expect(t, http.StatusNotFound)
	f.Do("PUT", path, `{"reason":`, f.Admin).Expect(t, http.StatusBadRequest)
	if n := f.Count("audit_log", "entity_id = ? AND action = 'sale.void'", s.ID); n != 1 {
		t.Fatalf("void audit = %d", n)
	}
}

func TestRefundLimits(t *testing.T) {
	f := salestest.New(t)
	start := f.Stock(f.Store, f.Coffee)
	orig := f.Sell(f.Admin, f.Body(f.Store, "R-1", "T01", []salestest.Line{{Product: f.Coffee, Quantity: 3000}, {Product: f.Muffin, Quantity: 1000}}))
	coffee := func(q int64) []salestest.Line { return []salestest.Line{{Product: f.Coffee, Quantity: q}} }

	var r1 salestest.Sale
	f.Refund(f.Admin, f.Store, orig.ID, "RF-1", "T01", coffee(2000)).Expect(t, http.StatusCreated).Data(t, &r1)
	if !r1.IsRefund || r1.GrandTotal >= 0 || r1.PaidTotal != r1.GrandTotal {
		t.Fatalf("refund = %+v", r1)
	}
	if got := f.Stock(f.Store, f.Coffee); got != start-3000+2000 {
		t.Fatalf("stock after refund = %d", got)
	}
	if n := f.Count("inventory_movements", "reference_id = ? AND type = 'refund' AND quantity = 2000", r1.ID); n != 1 {
		t.Fatal("refund movement missing")
	}
	// Two more coffees than are left: 422 naming the line; one is fine.
	env := f.Refund(f.Admin, f.Store, orig.ID, "RF-2", "T01", coffee(2000)).Expect(t, http.StatusUnprocessableEntity).Env(t)
	if len(env.Errors["items[0].quantity"]) == 0 || !strings.Contains(env.Errors["items[0].quantity"][0], "only 1") {
		t.Fatalf("errors = %v", env.Errors)
	}
	// Split over two lines of one product counts together.
	env = f.Refund(f.Admin, f.Store, orig.ID, "RF-2", "T01", []salestest.Line{{Product: f.Coffee, Quantity: 500}, {Product: f.Coffee, Quantity: 1000}}).
		Expect(t, http.StatusUnprocessableEntity).Env(t)
	if len(env.Errors["items[1].quantity"]) == 0 {
		t.Fatalf("errors = %v", env.Errors)
	}
	f.Refund(f.Admin, f.Store, orig.ID, "RF-2", "T01", []salestest.Line{{Product: f.Service, Quantity: 1000}}).Expect(t, http.StatusUnprocessableEntity)
	// Money must go back, exactly.
	f.Refund(f.Admin, f.Store, orig.ID, "RF-2", "T01", coffee(1000), salestest.Pay{Method: "CASH", Amount: 500}).Expect(t, http.StatusUnprocessableEntity)
	// The original must be at the same store.
	f.Refund(f.Admin, f.Other, orig.ID, "RF-2", "T01", coffee(1000)).Expect(t, http.StatusUnprocessableEntity)
	// The original cannot be voided while a refund of it stands.
	f.Do("PUT", "/api/v1/sales/"+orig.ID.String()+"/void", map[string]string{"reason": "x"}, f.Admin).Expect(t, http.StatusConflict)
	// Voiding the refund takes its stock back out and frees the quantity again.
	f.Do("PUT", "/api/v1/sales/"+r1.ID.String()+"/void", map[string]string{"reason": "refund keyed wrong"}, f.Admin).Expect(t, http.StatusOK)
	if got := f.Stock(f.Store, f.Coffee); got != start-3000 {
		t.Fatalf("stock after voiding the refund = %d", got)
	}
	f.Refund(f.Admin, f.Store, orig.ID, "RF-3", "T01", coffee(3000), salestest.Pay{Method: "CARD", Amount: -3244}).Expect(t, http.StatusCreated)
	if got := f.Stock(f.Store, f.Coffee); got != start {
		t.Fatalf("stock after full refund = %d", got)
	}
	// A refund of a refund, and of a voided sale, are refused.
	var refunds []models.Sale
	f.DB.Where("receipt_number = 'RF-3'").Find(&refunds)
	f.Refund(f.Admin, f.Store, refunds[0].ID, "RF-4", "T01", coffee(1000)).Expect(t, http.StatusUnprocessableEntity)
	other := f.Sell(f.Admin, f.Body(f.Store, "R-2", "T01", coffee(1000)))
	f.Do("PUT", "/api/v1/sales/"+other.ID.String()+"/void", map[string]string{"reason": "x"}, f.Admin).Expect(t, http.StatusOK)
	env = f.Refund(f.Admin, f.Store, other.ID, "RF-5", "T01", coffee(1000)).Expect(t, http.StatusUnprocessableEntity).Env(t)
	if len(env.Errors["originalSaleId"]) == 0 {
		t.Fatalf("errors = %v", env.Errors)
	}
}

func TestStoreScope(t *testing.T) {
	f := salestest.New(t)
	cashier := f.Login("cashier", "3456") // Cashier at S001
	b := seedBody(f, "R-X")
	b["storeId"] = f.Other.ID
	stock := f.Stock(f.Other, f.Coffee)
	f.Do("POST", "/api/v1/sales", b, cashier).Expect(t, http.StatusForbidden)
	if f.Stock(f.Other, f.Coffee) != stock || f.Count("sales", "") != 0 {
		t.Fatal("a refused sale left traces")
	}
	mine := f.Sell(cashier, seedBody(f, "R-1"))
	theirs := f.Sell(f.Admin, b)
	var rows []sales.Row
	res := f.Do("GET", "/api/v1/sales", nil, cashier).Expect(t, http.StatusOK)
	res.Data(t, &rows)
	if len(rows) != 1 || rows[0].ID != mine.ID || *res.Env(t).Total != 1 {
		t.Fatalf("cashier sees %d sales", len(rows))
	}
	f.Do("GET", "/api/v1/sales/"+theirs.ID.String(), nil, cashier).Expect(t, http.StatusNotFound)
	f.Do("POST", "/api/v1/sales/print", map[string]any{"saleId": theirs.ID}, cashier).Expect(t, http.StatusNotFound)
	_, nobody := f.User(nil, "products.view")
	f.Do("GET", "/api/v1/sales", nil, nobody).Expect(t, http.StatusForbidden)
	f.Do("POST", "/api/v1/sales", seedBody(f, "R-9"), nobody).Expect(t, http.StatusForbidden)
}

func TestListFilters(t *testing.T) {
	f := salestest.New(t)
	// S001 is in New York: 03:30 UTC on 2 March is still 1 March there.
	mk := func(store models.Store, receipt, soldAt string) salestest.Sale {
		b := seedBody(f, receipt)
		b["storeId"], b["soldAt"] = store.ID, soldAt
		return f.Sell(f.Admin, b)
	}
	a := mk(f.Store, "R-A", "2026-03-02T03:30:00Z")
	mk(f.Store, "R-B", "2026-03-02T15:00:00Z")
	mk(f.Other, "R-C", "2026-03-03T15:00:00Z")
	f.Do("PUT", "/api/v1/sales/"+a.ID.String()+"/void", map[string]string{"reason": "x"}, f.Admin).Expect(t, http.StatusOK)
	list := func(q string) []string {
		t.Helper()
		var rows []sales.Row
		f.Do("GET", "/api/v1/sales?"+q, nil, f.Admin).Expect(t, http.StatusOK).Data(t, &rows)
		var out []string
		for _, r := range rows {
			out = append(out, r.ReceiptNumber)
		}
		return out
	}
	for q, want := range map[string]string{
		"": "R-C R-B R-A",
		"date_from=2026-03-01&date_to=2026-03-01":                "R-A",
		"date_from=2026-03-02":                                   "R-C R-B",
		"date_to=2026-03-02":                                     "R-B R-A",
		"status=voided":                                          "R-A",
		"status=completed":                                       "R-C R-B",
		"store_id=" + f.Other.ID.String():                        "R-C",
		"store_id=" + f.Store.ID.String() + "&page=2&pageSize=1": "R-A",
	} {
		if got := strings.Join(list(q), " "); got != want {
			t.Errorf("?%s → %q, want %q", q, got, want)
		}
	}
	f.Do("GET", "/api/v1/sales?date_from=yesterday", nil, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("GET", "/api/v1/sales?status=lost", nil, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("GET", "/api/v1/sales?store_id=S001", nil, f.Admin).Expect(t, http.StatusBadRequest)
}

func TestSalePagesAndWebVoid(t *testing.T) {
	f := salestest.New(t)
	s := f.Sell(f.Admin, seedBody(f, "R-0001"))
	page := "/sales/" + s.ID.String()

	cashier := f.SignIn("cashier", "3456")
	body := cashier.Get(page).Expect(t, http.StatusOK).String()
	if !strings.Contains(body, `data-testid="sale-lines"`) || strings.Contains(body, `data-testid="void-form"`) {
		t.Fatal("cashier page: lines missing or a void form shown")
	}
	cashier.PostForm(page+"/void", url.Values{"reason": {"x"}, "confirm": {"yes"}}).Expect(t, http.StatusForbidden)

	admin := f.SignIn("admin", "1234")
	body = admin.Get(page).Expect(t, http.StatusOK).String()
	for _, want := range []string{`data-testid="void-form"`, `hx-confirm="Void sale R-0001 and return 2 items to stock?"`, "$0.37", "receipt.pdf"} {
		if !strings.Contains(body, want) {
			t.Fatalf("admin page lacks %s", want)
		}
	}
	list := admin.Get("/sales").Expect(t, http.StatusOK).String()
	if !strings.Contains(list, `data-receipt="R-0001"`) || !strings.Contains(list, `id="sales-table"`) {
		t.Fatal("sales list lacks the sale")
	}
	frag := admin.HTMX("GET", "/sales?status=voided", nil).Expect(t, http.StatusOK).String()
	if strings.Contains(frag, "<html") || !strings.Contains(frag, "No sales match") {
		t.Fatal("htmx filter should answer the table fragment only")
	}

	stock := f.Stock(f.Store, f.Coffee)
	res := admin.PostForm(page+"/void", url.Values{"reason": {""}, "confirm": {"yes"}}).Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.String(), "say why") {
		t.Fatal("missing reason should be shown beside the field")
	}
	// Without JavaScript the form first asks for confirmation.
	res = admin.PostForm(page+"/void", url.Values{"reason": {"wrong item"}}).Expect(t, http.StatusOK)
	if !strings.Contains(res.String(), `data-testid="void-confirm"`) || f.Stock(f.Store, f.Coffee) != stock {
		t.Fatal("unconfirmed void should only ask")
	}
	res = admin.PostForm(page+"/void", url.Values{"reason": {"wrong item"}, "confirm": {"yes"}}).Expect(t, http.StatusSeeOther)
	if res.Header.Get("Location") != page {
		t.Fatalf("redirect to %q", res.Header.Get("Location"))
	}
	if got := f.Stock(f.Store, f.Coffee); got != stock+2000 {
		t.Fatalf("stock after web void = %d, want %d", got, stock+2000)
	}
	body = admin.Get(page).Expect(t, http.StatusOK).String()
	if !strings.Contains(body, "voided; 2 item(s) back in stock") || strings.Contains(body, `data-testid="void-form"`) || !strings.Contains(body, "wrong item") {
		t.Fatal("after voiding: flash, no void form, and the reason")
	}
	// Voiding again through the form: a flash, not a crash.
	admin.PostForm(page+"/void", url.Values{"reason": {"again"}, "confirm": {"yes"}}).Expect(t, http.StatusSeeOther)
	if f.Stock(f.Store, f.Coffee) != stock+2000 {
		t.Fatal("second web void moved stock")
	}
}

func TestSaleJoinsOpenRegister(t *testing.T) {
	f := salestest.New(t)
	var sess models.RegisterSession
	f.Do("POST", "/api/v1/registers/open", map[string]any{"storeId": f.Store.ID, "terminalId": "T01", "openingFloat": 10000}, f.Admin).
		Expect(t, http.StatusCreated).Data(t, &sess)
	in := f.Sell(f.Admin, seedBody(f, "R-1"))
	b := seedBody(f, "R-2")
	b["terminalId"] = "T02"
	out := f.Sell(f.Admin, b)
	if in.RegisterSessionID == nil || *in.RegisterSessionID != sess.ID || out.RegisterSessionID != nil {
		t.Fatalf("sessions: %v %v", in.RegisterSessionID, out.RegisterSessionID)
	}
	raw, _ := json.Marshal(in)
	if !strings.Contains(string(raw), sess.ID.String()) {
		t.Fatal("answer lacks the session")
	}
}

// TestParallelRefundsAndVoids: the original sale's row lock serialises refunds, so ten
// parallel one-unit refunds of a three-unit sale give back exactly three; ten parallel voids of
// one sale void it once.
func TestParallelRefundsAndVoids(t *testing.T) {
	f := salestest.New(t)
	start := f.Stock(f.Store, f.Coffee)
	orig := f.Sell(f.Admin, f.Body(f.Store, "R-1", "", []salestest.Line{{Product: f.Coffee, Quantity: 3000}}))
	codes := make(chan int, 10)
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res := f.Refund(f.Admin, f.Store, orig.ID, "RF-"+strconv.Itoa(i), "", []salestest.Line{{Product: f.Coffee, Quantity: 1000}})
			codes <- res.Code
		}(i)
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusCreated] != 3 || got[http.StatusUnprocessableEntity] != 7 {
		t.Fatalf("refund answers = %v", got)
	}
	if s := f.Stock(f.Store, f.Coffee); s != start {
		t.Fatalf("stock = %d, want %d", s, start)
	}

	sale := f.Sell(f.Admin, f.Body(f.Store, "R-2", "", []salestest.Line{{Product: f.Coffee, Quantity: 1000}}))
	codes = make(chan int, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- f.Do("PUT", "/api/v1/sales/"+sale.ID.String()+"/void", map[string]string{"reason": "race"}, f.Admin).Code
		}()
	}
	wg.Wait()
	close(codes)
	got = map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != 9 {
		t.Fatalf("void answers = %v", got)
	}
	if s := f.Stock(f.Store, f.Coffee); s != start {
		t.Fatalf("stock after voids = %d, want %d", s, start)
	}
}

func TestReceiptShowsCustomer(t *testing.T) {
	f := salestest.New(t)
	cust := uuid.New()
	if err := f.DB.Exec(`INSERT INTO customers (id, code, first_name, last_name, tax_id) VALUES (?, 'CUST-00042', 'Ann', 'Smith', 'TX-9')`, cust).Error; err != nil {
		t.Fatal(err)
	}
	b := seedBody(f, "R-C1")
	b["customerId"] = cust
	s := f.Sell(f.Admin, b)
	var r sales.Receipt
	f.Do("POST", "/api/v1/sales/print", map[string]any{"saleId": s.ID}, f.Admin).Expect(t, http.StatusOK).Data(t, &r)
	if r.Customer == nil || r.Customer.Name != "Ann Smith" || r.Customer.Code != "CUST-00042" || r.Customer.TaxID != "TX-9" {
		t.Fatalf("receipt customer = %+v", r.Customer)
	}
	page := f.SignIn("admin", "1234").Get("/sales/"+s.ID.String()+"/receipt").Expect(t, http.StatusOK).String()
	if !strings.Contains(page, "Ann Smith") || !strings.Contains(page, "TX-9") {
		t.Fatal("receipt page lacks the customer")
	}
	b = seedBody(f, "R-C2")
	b["customerId"] = "not-an-id"
	f.Do("POST", "/api/v1/sales", b, f.Admin).Expect(t, http.StatusUnprocessableEntity)
}
