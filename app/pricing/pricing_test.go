package pricing_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/app/pricing"
	"backroom/models"
)

type fixture struct {
	app        *apptest.App
	s1, s2, s3 models.Store
	products   []models.Product
	admin      string
}

var allPricing = []string{"products.view", pricing.PermStorePricesView, pricing.PermStorePricesManage, pricing.PermSpecialsView, pricing.PermSpecialsManage,
	pricing.PermWSView, pricing.PermWSCreate, pricing.PermWSDelete, pricing.PermWSSubmit, pricing.PermWSApprove, pricing.PermWSApply}

func setup(t *testing.T) *fixture {
	t.Helper()
	app := apptest.New(t)
	f := &fixture{app: app, s1: app.Store("S1"), s2: app.Store("S2"), s3: app.Store("S3")}
	// S3 is an hour behind the others.
	must(t, app.DB.Model(&f.s3).Update("time_zone", "America/Chicago").Error)
	f.s3.TimeZone = "America/Chicago"
	for i := 0; i < 3; i++ {
		p := models.Product{SKU: fmt.Sprintf("P-%d", i), Name: fmt.Sprintf("Product %d", i), CostPrice: 500, SellPrice: 1000,
			PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
		must(t, app.DB.Create(&p).Error)
		f.products = append(f.products, p)
	}
	_, f.admin = app.User(nil, allPricing...)
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) product(t *testing.T, id uuid.UUID) models.Product {
	t.Helper()
	var p models.Product
	must(t, f.app.DB.Take(&p, "id = ?", id).Error)
	return p
}

func wsPath(id uuid.UUID, action string) string {
	if action == "" {
		return "/api/v1/worksheets/" + id.String()
	}
	return "/api/v1/worksheets/" + id.String() + "/" + action
}

func (f *fixture) worksheet(t *testing.T, token string, body map[string]any, want int) models.Worksheet {
	t.Helper()
	res := f.app.Do("POST", "/api/v1/worksheets", body, token).Expect(t, want)
	var w models.Worksheet
	if want == http.StatusCreated {
		res.Data(t, &w)
	}
	return w
}

func (f *fixture) ws(t *testing.T, method, path string, body any, token string, want int) models.Worksheet {
	t.Helper()
	res := f.app.Do(method, path, body, token).Expect(t, want)
	var w models.Worksheet
	if want < 300 {
		res.Data(t, &w)
	}
	return w
}

func (f *fixture) priceChange(t *testing.T, extra map[string]any) models.Worksheet {
	body := map[string]any{"type": "price_change", "description": "Summer prices", "items": []any{
		map[string]any{"productId": f.products[0].ID, "newSellPrice": 1199},
		map[string]any{"productId": f.products[1].ID, "newSellPrice": 899, "newCostPrice": 450},
	}}
	for k, v := range extra {
		body[k] = v
	}
	return f.worksheet(t, f.admin, body, http.StatusCreated)
}

func (f *fixture) approve(t *testing.T, w models.Worksheet) {
	t.Helper()
	f.ws(t, "PATCH", wsPath(w.ID, "submit"), nil, f.admin, 200)
	f.ws(t, "PATCH", wsPath(w.ID, "approve"), nil, f.admin, 200)
}

func TestWorksheetTransitions(t *testing.T) {
	f := setup(t)
	w := f.priceChange(t, nil)
	if w.Status != models.WSDraft || !strings.HasPrefix(w.Number, "WS-") || len(w.Items) != 2 {
		t.Fatalf("created %+v", w)
	}
	// Illegal from draft.
	for _, a := range []string{"approve", "apply"} {
		f.ws(t, "PATCH", wsPath(w.ID, a), nil, f.admin, 409)
	}
	f.ws(t, "PATCH", wsPath(w.ID, "reject"), map[string]any{"reason": "no"}, f.admin, 409)
	// Draft is editable; the grid edits one line.
	w = f.ws(t, "PUT", wsPath(w.ID, ""), map[string]any{"type": "price_change", "description": "Summer prices v2"}, f.admin, 200)
	if w.Description != "Summer prices v2" || len(w.Items) != 2 {
		t.Fatalf("update kept %d items, desc %q", len(w.Items), w.Description)
	}
	var it models.WorksheetItem
	f.app.Do("PUT", wsPath(w.ID, "items/"+w.Items[0].ID.String()), map[string]any{"newSellPrice": 1249}, f.admin).Expect(t, 200).Data(t, &it)
	if it.NewSellPrice == nil || *it.NewSellPrice != 1249 {
		t.Fatalf("cell edit: %+v", it)
	}
	f.app.Do("PUT", wsPath(w.ID, "items/"+w.Items[0].ID.String()), map[string]any{"newName": "x"}, f.admin).Expect(t, 422)

	w = f.ws(t, "PATCH", wsPath(w.ID, "submit"), nil, f.admin, 200)
	if w.Status != models.WSSubmitted || w.SubmittedAt == nil {
		t.Fatalf("submitted %+v", w)
	}
	f.ws(t, "PATCH", wsPath(w.ID, "submit"), nil, f.admin, 409)
	f.ws(t, "PATCH", wsPath(w.ID, "apply"), nil, f.admin, 409)
	f.ws(t, "PUT", wsPath(w.ID, ""), map[string]any{"type": "price_change", "description": "late"}, f.admin, 409)
	f.ws(t, "DELETE", wsPath(w.ID, ""), nil, f.admin, 409)
	w = f.ws(t, "PATCH", wsPath(w.ID, "approve"), nil, f.admin, 200)
	if w.Status != models.WSApproved || w.ApprovedBy == nil {
		t.Fatalf("approved %+v", w)
	}
	env := f.app.Do("PATCH", wsPath(w.ID, "approve"), nil, f.admin).Expect(t, 409).Env(t)
	if !strings.Contains(env.Error, "already approved") {
		t.Fatalf("409 %q", env.Error)
	}
	f.ws(t, "PATCH", wsPath(w.ID, "reject"), map[string]any{"reason": "late"}, f.admin, 409)

	w = f.ws(t, "PATCH", wsPath(w.ID, "apply"), nil, f.admin, 200)
	if w.Status != models.WSApplied || w.AppliedAt == nil {
		t.Fatalf("applied %+v", w)
	}
	// Applied once: the second apply is refused and changes nothing.
	f.ws(t, "PATCH", wsPath(w.ID, "apply"), nil, f.admin, 409)
	p0, p1 := f.product(t, f.products[0].ID), f.product(t, f.products[1].ID)
	if p0.SellPrice != 1249 || p1.SellPrice != 899 || p1.CostPrice != 450 || p0.CostPrice != 500 {
		t.Fatalf("prices after apply: %d %d/%d %d", p0.SellPrice, p1.SellPrice, p1.CostPrice, p0.CostPrice)
	}
	// Every changed field has its before and after, with worksheet and user.
	var hist []models.ProductChange
	f.app.Do("GET", "/api/v1/price-history?productId="+p1.ID.String(), nil, f.admin).Expect(t, 200).Data(t, &hist)
	got := map[string]string{}
	for _, h := range hist {
		if h.WorksheetID == nil || *h.WorksheetID != w.ID || h.UserID == nil {
			t.Fatalf("history row %+v", h)
		}
		got[h.Field] = *h.OldValue + "→" + *h.NewValue
	}
	if got["sell_price"] != "1000→899" || got["cost_price"] != "500→450" || len(got) != 2 {
		t.Fatalf("history %v", got)
	}
	f.ws(t, "DELETE", wsPath(w.ID, ""), nil, f.admin, 409)
}

func TestWorksheetRejectAndDelete(t *testing.T) {
	f := setup(t)
	w := f.priceChange(t, nil)
	f.ws(t, "PATCH", wsPath(w.ID, "submit"), nil, f.admin, 200)
	env := f.app.Do("PATCH", wsPath(w.ID, "reject"), map[string]any{"reason": " "}, f.admin).Expect(t, 422).Env(t)
	if env.Errors["reason"] == nil {
		t.Fatalf("reject without reason: %+v", env)
	}
	w = f.ws(t, "PATCH", wsPath(w.ID, "reject"), map[string]any{"reason": "Too deep a cut"}, f.admin, 200)
	if w.Status != models.WSRejected || w.RejectReason != "Too deep a cut" {
		t.Fatalf("rejected %+v", w)
	}
	for _, a := range []string{"approve", "apply", "submit"} {
		f.ws(t, "PATCH", wsPath(w.ID, a), nil, f.admin, 409)
	}
	d := f.priceChange(t, nil)
	f.ws(t, "DELETE", wsPath(d.ID, ""), nil, f.admin, 200)
	if f.app.Count("worksheets", "id = ?", d.ID) != 0 || f.app.Count("worksheet_items", "worksheet_id = ?", d.ID) != 0 {
		t.Fatal("draft not deleted")
	}
	empty := f.worksheet(t, f.admin, map[string]any{"type": "deactivate"}, 201)
	f.ws(t, "PATCH", wsPath(empty.ID, "submit"), nil, f.admin, 422)
}

func TestWorksheetValidation(t *testing.T) {
	f := setup(t)
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown type", map[string]any{"type": "bulk"}, "type"},
		{"price without values", map[string]any{"type": "price_change", "items": []any{map[string]any{"productId": f.products[0].ID}}}, "items[0].newSellPrice"},
		{"price with name", map[string]any{"type": "price_change", "items": []any{map[string]any{"productId": f.products[0].ID, "newSellPrice": 1, "newName": "x"}}}, "items[0].newName"},
		{"unknown product", map[string]any{"type": "deactivate", "items": []any{map[string]any{"productId": uuid.New()}}}, "items[0].productId"},
		{"duplicate product", map[string]any{"type": "deactivate", "items": []any{map[string]any{"productId": f.products[0].ID}, map[string]any{"productId": f.products[0].ID}}}, "items[1].productId"},
		{"tax without group", map[string]any{"type": "tax_change", "items": []any{map[string]any{"productId": f.products[0].ID}}}, "items[0].newTaxGroupId"},
		{"new product without sku", map[string]any{"type": "new_product", "items": []any{map[string]any{"newName": "Tea", "newSellPrice": 300}}}, "items[0].newSku"},
		{"store cost", map[string]any{"type": "price_change", "storeIds": []any{f.s1.ID}, "items": []any{map[string]any{"productId": f.products[0].ID, "newCostPrice": 1}}}, "items[0].newCostPrice"},
		{"stores on deactivate", map[string]any{"type": "deactivate", "storeIds": []any{f.s1.ID}}, "storeIds"},
		{"unknown store", map[string]any{"type": "price_change", "storeIds": []any{uuid.New()}}, "storeIds"},
		{"bad date", map[string]any{"type": "deactivate", "effectiveDate": "soon"}, "effectiveDate"},
		{"negative price", map[string]any{"type": "price_change", "items": []any{map[string]any{"productId": f.products[0].ID, "newSellPrice": -1}}}, "items[0].newSellPrice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := f.app.Do("POST", "/api/v1/worksheets", c.body, f.admin).Expect(t, 422).Env(t)
			if env.Errors[c.field] == nil {
				t.Fatalf("no error for %s: %+v", c.field, env.Errors)
			}
		})
	}
	if n := f.app.Count("worksheets", ""); n != 0 {
		t.Fatalf("%d worksheets written by failed creates", n)
	}
}

func TestWorksheetApplyIsAllOrNothing(t *testing.T) {
	f := setup(t)
	w := f.priceChange(t, nil)
	f.approve(t, w)
	// Product 1 is deleted after approval: the whole worksheet must fail.
	must(t, f.app.DB.Exec("UPDATE products SET deleted_at = now() WHERE id = ?", f.products[1].ID).Error)
	env := f.app.Do("PATCH", wsPath(w.ID, "apply"), nil, f.admin).Expect(t, 422).Env(t)
	if env.Errors["items[1].productId"] == nil {
		t.Fatalf("422 without the bad line: %+v", env)
	}
	if p := f.product(t, f.products[0].ID); p.SellPrice != 1000 {
		t.Fatalf("good line applied alone: %d", p.SellPrice)
	}
	if n := f.app.Count("product_changes", ""); n != 0 {
		t.Fatalf("%d history rows from a failed apply", n)
	}
	if n := f.app.Count("worksheets", "id = ? AND status = 'approved' AND applied_at IS NULL", w.ID); n != 1 {
		t.Fatal("failed apply moved the worksheet")
	}
	// New products: a SKU taken after approval fails every line.
	np := f.worksheet(t, f.admin, map[string]any{"type": "new_product", "items": []any{
		map[string]any{"newSku": "NEW-1", "newName": "Green tea", "newSellPrice": 350, "newCostPrice": 120},
		map[string]any{"sku": "NEW-2", "name": "Black tea", "sellPrice": 300},
	}}, 201)
	f.approve(t, np)
	must(t, f.app.DB.Create(&models.Product{SKU: "new-2", Name: "Squatter", PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, IsActive: true}).Error)
	f.app.Do("PATCH", wsPath(np.ID, "apply"), nil, f.admin).Expect(t, 422)
	if n := f.app.Count("products", "sku = 'NEW-1'"); n != 0 {
		t.Fatal("first new product created although the worksheet failed")
	}
	must(t, f.app.DB.Exec("DELETE FROM products WHERE sku = 'new-2'").Error)
	f.ws(t, "PATCH", wsPath(np.ID, "apply"), nil, f.admin, 200)
	if n := f.app.Count("products", "sku IN ('NEW-1', 'NEW-2') AND is_active"); n != 2 {
		t.Fatalf("%d new products", n)
	}
}

func TestWorksheetTypesApply(t *testing.T) {
	f := setup(t)
	dept := models.Department{Name: "Drinks", IsActive: true}
	must(t, f.app.DB.Create(&dept).Error)
	group := models.TaxGroup{Name: "Food"}
	must(t, f.app.DB.Create(&group).Error)
	for _, body := range []map[string]any{
		{"type": "product_update", "items": []any{map[string]any{"productId": f.products[0].ID, "newName": "Espresso", "newDepartmentId": dept.ID}}},
		{"type": "tax_change", "items": []any{map[string]any{"productId": f.products[1].ID, "newTaxGroupId": group.ID}}},
		{"type": "deactivate", "items": []any{map[string]any{"productId": f.products[2].ID}}},
	} {
		w := f.worksheet(t, f.admin, body, 201)
		f.approve(t, w)
		f.ws(t, "PATCH", wsPath(w.ID, "apply"), nil, f.admin, 200)
	}
	p0, p1, p2 := f.product(t, f.products[0].ID), f.product(t, f.products[1].ID), f.product(t, f.products[2].ID)
	if p0.Name != "Espresso" || p0.DepartmentID == nil || *p0.DepartmentID != dept.ID {
		t.Fatalf("product update: %+v", p0)
	}
	if p1.TaxGroupID == nil || *p1.TaxGroupID != group.ID {
		t.Fatalf("tax change: %+v", p1)
	}
	if p2.IsActive {
		t.Fatal("deactivate left the product active")
	}
	if n := f.app.Count("product_changes", "field IN ('name', 'department_id', 'tax_group_id', 'is_active')"); n != 4 {
		t.Fatalf("%d history rows", n)
	}
}

func TestStoreWorksheetSetsStorePrices(t *testing.T) {
	f := setup(t)
	w := f.worksheet(t, f.admin, map[string]any{"type": "price_change", "storeIds": []any{f.s1.ID},
		"items": []any{map[string]any{"productId": f.products[0].ID, "newSellPrice": 777}}}, 201)
	f.approve(t, w)
	f.ws(t, "PATCH", wsPath(w.ID, "apply"), nil, f.admin, 200)
	if p := f.product(t, f.products[0].ID); p.SellPrice != 1000 {
		t.Fatalf("store worksheet changed the base price to %d", p.SellPrice)
	}
	ctx := context.Background()
	if price, src, err := pricing.Resolve(ctx, f.app.DB, f.s1.ID, f.products[0].ID, time.Now()); err != nil || price != 777 || src != pricing.SourceStorePrice {
		t.Fatalf("S1 resolves %d %s %v", price, src, err)
	}
	if price, src, _ := pricing.Resolve(ctx, f.app.DB, f.s2.ID, f.products[0].ID, time.Now()); price != 1000 || src != pricing.SourceBase {
		t.Fatalf("S2 resolves %d %s", price, src)
	}
	if n := f.app.Count("product_changes", "store_id = ? AND field = 'sell_price' AND old_value = '1000' AND new_value = '777'", f.s1.ID); n != 1 {
		t.Fatalf("%d store history rows", n)
	}
}

func TestScheduledApply(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	// Chain-wide (S1, S2 in New York; S3 in Chicago), effective 2030-06-01: due when Chicago
	// reaches midnight, 05:00 UTC (daylight time).
	chain := f.priceChange(t, map[string]any{"effectiveDate": "2030-06-01"})
	f.approve(t, chain)
	// S1 only: due at New York midnight, 04:00 UTC.
	local := f.worksheet(t, f.admin, map[string]any{"type": "price_change", "effectiveDate": "2030-06-01", "storeIds": []any{f.s1.ID},
		"items": []any{map[string]any{"productId": f.products[2].ID, "newSellPrice": 555}}}, 201)
	f.approve(t, local)
	// Manual apply before the date is refused and changes nothing.
	f.ws(t, "PATCH", wsPath(chain.ID, "apply"), nil, f.admin, 409)

	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		must(t, err)
		return tm
	}
	steps := []struct {
		now       string
		applied   int
		chainDone bool
		localDone bool
	}{
		{"2030-06-01T03:59:59Z", 0, false, false},
		{"2030-06-01T04:00:00Z", 1, false, true},
		{"2030-06-01T04:59:00Z", 0, false, true},
		{"2030-06-01T05:00:00Z", 1, true, true},
		{"2030-06-01T05:01:00Z", 0, true, true}, // idempotent
	}
	for _, s := range steps {
		n, err := pricing.ApplyDue(ctx, f.app.DB, at(s.now))
		if err != nil || n != s.applied {
			t.Fatalf("at %s applied %d (%v), want %d", s.now, n, err, s.applied)
		}
		if got := f.app.Count("worksheets", "id = ? AND status = 'applied'", chain.ID) == 1; got != s.chainDone {
			t.Fatalf("at %s chain applied = %v", s.now, got)
		}
		if got := f.app.Count("worksheets", "id = ? AND status = 'applied'", local.ID) == 1; got != s.localDone {
			t.Fatalf("at %s local applied = %v", s.now, got)
		}
	}
	if p := f.product(t, f.products[0].ID); p.SellPrice != 1199 {
		t.Fatalf("scheduled price %d", p.SellPrice)
	}
	// The scheduler's changes are audited as the system.
	if n := f.app.Count("audit_log", "entity_type = 'worksheet' AND action = 'applied' AND username = 'system'"); n != 2 {
		t.Fatalf("%d system apply audits", n)
	}
}

func TestWorksheetStoreScope(t *testing.T) {
	f := setup(t)
	_, mgr := f.app.User(&f.s1.ID, allPricing...)
	// A store manager cannot make or approve chain-wide changes, nor changes for other stores.
	f.worksheet(t, mgr, map[string]any{"type": "price_change", "items": []any{map[string]any{"productId": f.products[0].ID, "newSellPrice": 1}}}, 403)
	f.worksheet(t, mgr, map[string]any{"type": "price_change", "storeIds": []any{f.s1.ID, f.s2.ID}, "items": []any{map[string]any{"productId": f.products[0].ID, "newSellPrice": 1}}}, 403)
	own := f.worksheet(t, mgr, map[string]any{"type": "price_change", "storeIds": []any{f.s1.ID}, "items": []any{map[string]any{"productId": f.products[0].ID, "newSellPrice": 1}}}, 201)
	chain := f.priceChange(t, nil)
	f.ws(t, "PATCH", wsPath(chain.ID, "submit"), nil, f.admin, 200)
	f.ws(t, "PATCH", wsPath(chain.ID, "approve"), nil, mgr, 403)
	f.ws(t, "PATCH", wsPath(own.ID, "submit"), nil, mgr, 200)
	f.ws(t, "PATCH", wsPath(own.ID, "approve"), nil, mgr, 200)
	// Approvals: the manager sees only what they may approve.
	var waiting struct {
		Worksheets []models.Worksheet `json:"worksheets"`
	}
	f.app.Do("GET", "/api/v1/approvals", nil, mgr).Expect(t, 200).Data(t, &waiting)
	if len(waiting.Worksheets) != 0 {
		t.Fatalf("manager waits for %d worksheets", len(waiting.Worksheets))
	}
	f.app.Do("GET", "/api/v1/approvals", nil, f.admin).Expect(t, 200).Data(t, &waiting)
	if len(waiting.Worksheets) != 1 || waiting.Worksheets[0].ID != chain.ID {
		t.Fatalf("admin waits for %+v", waiting.Worksheets)
	}
	_, viewer := f.app.User(nil, pricing.PermWSView)
	f.worksheet(t, viewer, map[string]any{"type": "deactivate"}, 403)
}

func TestSpecials(t *testing.T) {
	f := setup(t)
	today := time.Now().In(f.s1.Location()).Format(models.DateLayout)
	env := f.app.Do("POST", "/api/v1/specials", map[string]any{"productId": f.products[0].ID, "specialPrice": 500, "startDate": "2030-02-10", "endDate": "2030-02-01"}, f.admin).Expect(t, 422).Env(t)
	if env.Errors["endDate"] == nil {
		t.Fatalf("end before start: %+v", env)
	}
	f.app.Do("POST", "/api/v1/specials", map[string]any{"productId": f.products[0].ID, "specialPrice": 500, "startDate": "tomorrow", "endDate": "2030-02-01"}, f.admin).Expect(t, 422)
	f.app.Do("POST", "/api/v1/specials", map[string]any{"productId": f.products[0].ID, "specialPrice": 500, "startDate": today, "endDate": today, "storeIds": []any{uuid.New()}}, f.admin).Expect(t, 422)

	var running, future, other models.Special
	f.app.Do("POST", "/api/v1/specials", map[string]any{"productId": f.products[0].ID, "specialPrice": 800, "startDate": today, "endDate": today, "description": "One-day deal"}, f.admin).Expect(t, 201).Data(t, &running)
	f.app.Do("POST", "/api/v1/specials", map[string]any{"productId": f.products[1].ID, "specialPrice": 800, "startDate": "2099-01-01", "endDate": "2099-01-31"}, f.admin).Expect(t, 201).Data(t, &future)
	f.app.Do("POST", "/api/v1/specials", map[string]any{"productId": f.products[2].ID, "specialPrice": 800, "startDate": today, "endDate": today, "storeIds": []any{f.s2.ID}}, f.admin).Expect(t, 201).Data(t, &other)
	if !running.IsActive || running.StartDate.String() != today {
		t.Fatalf("created %+v", running)
	}
	var active []models.Special
	f.app.Do("GET", "/api/v1/specials/active", nil, f.admin).Expect(t, 200).Data(t, &active)
	if len(active) != 2 {
		t.Fatalf("%d active specials, want 2", len(active))
	}
	f.app.Do("GET", "/api/v1/specials/active?store_id="+f.s1.ID.String(), nil, f.admin).Expect(t, 200).Data(t, &active)
	if len(active) != 1 || active[0].ID != running.ID {
		t.Fatalf("active at S1: %+v", active)
	}
	// A sale of the product at a covered store today uses the special: delete refused, deactivate works.
	sale := models.Sale{StoreID: f.s1.ID, ReceiptNumber: "R-1", Status: models.SaleCompleted, Subtotal: 800, TaxTotal: 0, GrandTotal: 800, PaidTotal: 800, SoldAt: time.Now()}
	must(t, f.app.DB.Omit("Items", "Payments").Create(&sale).Error)
	must(t, f.app.DB.Exec(`INSERT INTO sale_items (id, sale_id, line_no, product_id, product_name, quantity, unit_price, tax_amount, line_total)
		VALUES (?, ?, 1, ?, 'Product 0', 1000, 800, 0, 800)`, models.NewID(), sale.ID, f.products[0].ID).Error)
	env = f.app.Do("DELETE", "/api/v1/specials/"+running.ID.String(), nil, f.admin).Expect(t, 409).Env(t)
	if !strings.Contains(env.Error, "deactivate") {
		t.Fatalf("409 %q", env.Error)
	}
	var deact models.Special
	f.app.Do("PATCH", "/api/v1/specials/"+running.ID.String()+"/deactivate", nil, f.admin).Expect(t, 200).Data(t, &deact)
	if deact.IsActive {
		t.Fatal("still active")
	}
	f.app.Do("GET", "/api/v1/specials/active?store_id="+f.s1.ID.String(), nil, f.admin).Expect(t, 200).Data(t, &active)
	if len(active) != 0 {
		t.Fatalf("deactivated special still active: %+v", active)
	}
	// An unused special can be deleted; update checks dates too.
	f.app.Do("PUT", "/api/v1/specials/"+future.ID.String(), map[string]any{"productId": f.products[1].ID, "specialPrice": 700, "startDate": "2099-02-01", "endDate": "2099-01-01"}, f.admin).Expect(t, 422)
	f.app.Do("PUT", "/api/v1/specials/"+future.ID.String(), map[string]any{"productId": f.products[1].ID, "specialPrice": 700, "startDate": "2099-01-01", "endDate": "2099-02-01"}, f.admin).Expect(t, 200)
	f.app.Do("DELETE", "/api/v1/specials/"+future.ID.String(), nil, f.admin).Expect(t, 200)
	if f.app.Count("specials", "id = ?", future.ID) != 0 {
		t.Fatal("special not deleted")
	}
	// Store managers manage specials of their own store only.
	_, mgr := f.app.User(&f.s1.ID, allPricing...)
	f.app.Do("POST", "/api/v1/specials", map[string]any{"productId": f.products[0].ID, "specialPrice": 1, "startDate": today, "endDate": today}, mgr).Expect(t, 403)
	f.app.Do("POST", "/api/v1/specials", map[string]any{"productId": f.products[0].ID, "specialPrice": 1, "startDate": today, "endDate": today, "storeIds": []any{f.s1.ID}}, mgr).Expect(t, 201)
	f.app.Do("DELETE", "/api/v1/specials/"+other.ID.String(), nil, mgr).Expect(t, 403)
}

func TestStorePrices(t *testing.T) {
	f := setup(t)
	var sp models.StorePrice
	f.app.Do("POST", "/api/v1/store-prices", map[string]any{"storeId": f.s1.ID, "productId": f.products[0].ID, "price": 950}, f.admin).Expect(t, 200).Data(t, &sp)
	f.app.Do("POST", "/api/v1/store-prices", map[string]any{"storeId": f.s1.ID, "productId": f.products[0].ID, "price": 925}, f.admin).Expect(t, 200).Data(t, &sp)
	if sp.Price != 925 || f.app.Count("store_prices", "") != 1 {
		t.Fatalf("upsert: %+v, %d rows", sp, f.app.Count("store_prices", ""))
	}
	f.app.Do("POST", "/api/v1/store-prices", map[string]any{"storeId": f.s2.ID, "productId": f.products[0].ID, "price": 990}, f.admin).Expect(t, 200)
	f.app.Do("POST", "/api/v1/store-prices", map[string]any{"storeId": f.s2.ID, "productId": f.products[0].ID, "price": -1}, f.admin).Expect(t, 422)
	f.app.Do("POST", "/api/v1/store-prices", map[string]any{"storeId": f.s2.ID, "productId": uuid.New(), "price": 1}, f.admin).Expect(t, 422)
	env := f.app.Do("GET", "/api/v1/store-prices?store_id="+f.s1.ID.String(), nil, f.admin).Expect(t, 200).Env(t)
	if *env.Total != 1 {
		t.Fatalf("S1 has %d prices", *env.Total)
	}
	_, mgr := f.app.User(&f.s1.ID, allPricing...)
	f.app.Do("POST", "/api/v1/store-prices", map[string]any{"storeId": f.s2.ID, "productId": f.products[0].ID, "price": 1}, mgr).Expect(t, 403)
	env = f.app.Do("GET", "/api/v1/store-prices", nil, mgr).Expect(t, 200).Env(t)
	if *env.Total != 1 {
		t.Fatalf("manager sees %d prices", *env.Total)
	}
	f.app.Do("DELETE", "/api/v1/store-prices/"+sp.ID.String(), nil, f.admin).Expect(t, 200)
	f.app.Do("DELETE", "/api/v1/store-prices/"+sp.ID.String(), nil, f.admin).Expect(t, 404)
	if n := f.app.Count("audit_log", "entity_type = 'store_price'"); n != 4 {
		t.Fatalf("%d store price audits", n)
	}
}

func TestResolverPrecedence(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	p := f.products[0].ID // base 1000
	must(t, f.app.DB.Create(&models.StorePrice{StoreID: f.s1.ID, ProductID: p, Price: 900}).Error)
	must(t, f.app.DB.Create(&models.StorePrice{StoreID: f.s3.ID, ProductID: p, Price: 1100}).Error)
	day := func(s string) models.LocalDate { d, err := models.ParseLocalDate(s); must(t, err); return d }
	specials := []models.Special{
		{ProductID: p, SpecialPrice: 950, StartDate: day("2030-03-01"), EndDate: day("2030-03-31"), IsActive: true},                                       // everywhere
		{ProductID: p, SpecialPrice: 800, StartDate: day("2030-03-10"), EndDate: day("2030-03-10"), StoreIDs: []string{f.s2.ID.String()}, IsActive: true}, // S2, one day
		{ProductID: p, SpecialPrice: 100, StartDate: day("2030-03-01"), EndDate: day("2030-03-31"), IsActive: false},                                      // inactive
		{ProductID: p, SpecialPrice: 50, StartDate: day("2030-01-01"), EndDate: day("2030-01-31"), IsActive: true},                                        // over
	}
	for i := range specials {
		must(t, f.app.DB.Omit("Product").Create(&specials[i]).Error)
		if !specials[i].IsActive {
			must(t, f.app.DB.Model(&specials[i]).Update("is_active", false).Error)
		}
	}
	cases := []struct {
		name   string
		store  models.Store
		at     string
		price  int64
		source string
	}{
		{"base price", f.s2, "2030-02-15T12:00:00Z", 1000, pricing.SourceBase},
		{"store price over base", f.s1, "2030-02-15T12:00:00Z", 900, pricing.SourceStorePrice},
		{"store price lower than special", f.s1, "2030-03-15T12:00:00Z", 900, pricing.SourceStorePrice},
		{"special lower than base", f.s2, "2030-03-15T12:00:00Z", 950, pricing.SourceSpecial},
		{"special lower than store price", f.s3, "2030-03-15T12:00:00Z", 950, pricing.SourceSpecial},
		{"lowest special wins", f.s2, "2030-03-10T12:00:00Z", 800, pricing.SourceSpecial},
		{"store special not elsewhere", f.s1, "2030-03-10T12:00:00Z", 900, pricing.SourceStorePrice},
		// 2030-03-10 starts at 05:00 UTC in New York (EST) and 06:00 UTC in Chicago.
		{"before start in store zone", f.s2, "2030-03-10T04:59:59Z", 950, pricing.SourceSpecial},
		{"start in store zone", f.s2, "2030-03-10T05:00:00Z", 800, pricing.SourceSpecial},
		{"end is inclusive in store zone", f.s2, "2030-03-11T03:59:00Z", 800, pricing.SourceSpecial},
		{"after end", f.s2, "2030-03-11T05:00:00Z", 950, pricing.SourceSpecial},
		{"month special not yet in Chicago", f.s3, "2030-03-01T05:30:00Z", 1100, pricing.SourceStorePrice},
		{"month special in Chicago", f.s3, "2030-03-01T06:00:00Z", 950, pricing.SourceSpecial},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, c.at)
			must(t, err)
			price, src, err := pricing.Resolve(ctx, f.app.DB, c.store.ID, p, at)
			if err != nil || price != c.price || src != c.source {
				t.Fatalf("got %d %s (%v), want %d %s", price, src, err, c.price, c.source)
			}
		})
	}
	// Batch: several products in one call; unknown ones are left out.
	m, err := pricing.ResolveMany(ctx, f.app.DB, f.s1.ID, []uuid.UUID{p, f.products[1].ID, uuid.New()}, time.Now())
	if err != nil || len(m) != 2 || m[f.products[1].ID].Price != 1000 {
		t.Fatalf("batch %+v %v", m, err)
	}
	if _, _, err := pricing.Resolve(ctx, f.app.DB, f.s1.ID, uuid.New(), time.Now()); err == nil {
		t.Fatal("unknown product resolved")
	}
	var api []pricing.Price
	f.app.Do("GET", "/api/v1/prices/resolve?store_id="+f.s1.ID.String()+"&product_id="+p.String(), nil, f.admin).Expect(t, 200).Data(t, &api)
	if len(api) != 1 || api[0].Price != 900 {
		t.Fatalf("resolve API %+v", api)
	}
}

// A search for "%" or "_" looks for those characters, not for every worksheet.
func TestWorksheetSearchWildcardsAreLiteral(t *testing.T) {
	f := setup(t)
	w := f.priceChange(t, nil)
	for q, want := range map[string]int64{"%": 0, "_": 0, `\`: 0, w.Number: 1, "summer": 1} {
		env := f.app.Do("GET", "/api/v1/worksheets?q="+url.QueryEscape(q), nil, f.admin).Expect(t, http.StatusOK).Env(t)
		if env.Total == nil {
			t.Fatalf("q=%q: no total: %+v", q, env)
		}
		if *env.Total != want {
			t.Errorf("q=%q: total %d, want %d", q, *env.Total, want)
		}
	}
}

// Worksheets sharing products in opposite line orders are applied at once: each locks the
// products before changing any, in one order, so neither deadlocks (PostgreSQL would fail one
// of them) and every apply succeeds.
func TestConcurrentAppliesShareProducts(t *testing.T) {
	f := setup(t)
	var items []any
	for i := 0; i < 30; i++ {
		p := models.Product{SKU: fmt.Sprintf("C-%d", i), Name: fmt.Sprintf("Shared %d", i), CostPrice: 500, SellPrice: 1000,
			PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
		must(t, f.app.DB.Create(&p).Error)
		items = append(items, p.ID)
	}
	const pairs = 6
	var ids []uuid.UUID
	for k := 0; k < 2*pairs; k++ {
		lines := make([]any, len(items))
		for i, id := range items {
			j := i
			if k%2 == 1 {
				j = len(items) - 1 - i // the second of each pair lists the products backwards
			}
			lines[j] = map[string]any{"productId": id, "newSellPrice": 2000 + k}
		}
		w := f.worksheet(t, f.admin, map[string]any{"type": "price_change", "description": fmt.Sprintf("shared %d", k), "items": lines}, http.StatusCreated)
		f.approve(t, w)
		ids = append(ids, w.ID)
	}
	codes := make(chan int, len(ids))
	for _, id := range ids {
		go func(id uuid.UUID) { codes <- f.app.Do("PATCH", wsPath(id, "apply"), nil, f.admin).Code }(id)
	}
	got := map[int]int{}
	for range ids {
		got[<-codes]++
	}
	if got[http.StatusOK] != len(ids) {
		t.Fatalf("concurrent applies answered %v", got)
	}
}
