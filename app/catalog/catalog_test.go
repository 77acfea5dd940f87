package catalog_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"backroom/app/apptest"
	"backroom/models"
)

// fixture is an app on an empty catalogue with an all-permission token.
type fixture struct {
	*apptest.App
	tok string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	app := apptest.New(t)
	_, tok := app.User(nil, models.AllPermissionCodes()...)
	return fixture{app, tok}
}

type idOnly struct {
	ID string `json:"id"`
}

// create posts body to path, expects 201 and returns the new id.
func (f fixture) create(t *testing.T, path string, body any) string {
	t.Helper()
	var v idOnly
	f.Do("POST", path, body, f.tok).Expect(t, http.StatusCreated).Data(t, &v)
	if v.ID == "" {
		t.Fatalf("POST %s answered without an id", path)
	}
	return v.ID
}

type product struct {
	ID           string  `json:"id"`
	SKU          string  `json:"sku"`
	Barcode      *string `json:"barcode"`
	Name         string  `json:"name"`
	SellPrice    int64   `json:"sellPrice"`
	CostPrice    int64   `json:"costPrice"`
	IsActive     bool    `json:"isActive"`
	TrackStock   bool    `json:"trackStock"`
	DeletedAt    *string `json:"deletedAt"`
	DepartmentID *string `json:"departmentId"`
	TaxRates     []struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Rate       int64  `json:"rate"`
		IsCompound bool   `json:"isCompound"`
		SortOrder  int    `json:"sortOrder"`
	} `json:"taxRates"`
	Department   *struct{ Name string } `json:"department"`
	PurchaseUnit *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"purchaseUnit"`
}

func (f fixture) product(t *testing.T, id string) product {
	t.Helper()
	var p product
	f.Do("GET", "/api/v1/products/"+id, nil, f.tok).Expect(t, http.StatusOK).Data(t, &p)
	return p
}

func (f fixture) list(t *testing.T, path string) ([]product, apptest.Envelope) {
	t.Helper()
	res := f.Do("GET", path, nil, f.tok).Expect(t, http.StatusOK)
	env := res.Env(t)
	var items []product
	if err := json.Unmarshal(env.Data, &items); err != nil {
		t.Fatalf("decode list: %v", err)
	}
	return items, env
}

func skus(ps []product) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.SKU
	}
	return strings.Join(out, ",")
}

// expectErr checks an error answer: status, envelope, and (when given) a field message.
func expectErr(t *testing.T, res *apptest.Response, status int, field, contains string) {
	t.Helper()
	res.Expect(t, status)
	env := res.Env(t)
	if env.Success || env.Error == "" {
		t.Fatalf("error envelope expected: %s", res.Body)
	}
	if field != "" {
		msgs := env.Errors[field]
		if len(msgs) == 0 {
			t.Fatalf("no error on field %q: %s", field, res.Body)
		}
		if contains != "" && !strings.Contains(strings.Join(msgs, ";"), contains) {
			t.Fatalf("field %q errors %v do not mention %q", field, msgs, contains)
		}
	} else if contains != "" && !strings.Contains(env.Error, contains) {
		t.Fatalf("error %q does not mention %q", env.Error, contains)
	}
}

func TestCatalogueAPIRequiresToken(t *testing.T) {
	app := apptest.New(t)
	for _, path := range []string{"/api/v1/products", "/api/v1/departments", "/api/v1/taxes", "/api/v1/taxes/groups", "/api/v1/suppliers", "/api/v1/units"} {
		res := app.Do("GET", path, nil, "")
		expectErr(t, res, http.StatusUnauthorized, "", "")
	}
	expectErr(t, app.Do("POST", "/api/v1/products", map[string]any{"sku": "X", "name": "X"}, ""), http.StatusUnauthorized, "", "")
	if n := app.Count("products", ""); n != 0 {
		t.Fatalf("products = %d after unauthorised create", n)
	}
}

func TestProductLifecycle(t *testing.T) {
	f := newFixture(t)
	st := f.create(t, "/api/v1/taxes", map[string]any{"name": "State Tax", "rate": 825})
	lux := f.create(t, "/api/v1/taxes", map[string]any{"name": "Luxury Tax", "rate": 200, "isCompound": true})
	city := f.create(t, "/api/v1/taxes", map[string]any{"name": "City Tax", "rate": 100})
	group := f.create(t, "/api/v1/taxes/groups", map[string]any{"name": "Luxury", "taxRateIds": []string{st, city, lux}})
	dep := f.create(t, "/api/v1/departments", map[string]any{"name": "Coffee"})

	res := f.Do("POST", "/api/v1/products", map[string]any{
		"sku": "PROD-001", "barcode": "4006381333931", "name": "Coffee Beans", "description": "Dark roast",
		"departmentId": dep, "costPrice": 500, "sellPrice": 999, "taxGroupId": group, "trackStock": true,
	}, f.tok).Expect(t, http.StatusCreated)
	var p product
	res.Data(t, &p)
	if p.SKU != "PROD-001" || p.SellPrice != 999 || !p.IsActive || !p.TrackStock || p.PurchaseUnit == nil || p.PurchaseUnit.Name != "Each" {
		t.Fatalf("created product: %s", res.Body)
	}
	if len(p.TaxRates) != 3 || p.TaxRates[0].Name != "State Tax" || p.TaxRates[1].Name != "City Tax" || p.TaxRates[2].Name != "Luxury Tax" ||
		!p.TaxRates[2].IsCompound || p.TaxRates[0].Rate != 825 || p.TaxRates[2].SortOrder != 2 {
		t.Fatalf("tax rates not in group order: %+v", p.TaxRates)
	}
	if p.Department == nil || p.Department.Name != "Coffee" {
		t.Fatalf("department missing: %s", res.Body)
	}
	if n := f.Count("products", "sku = ? AND sell_price = 999 AND cost_price = 500 AND tax_group_id = ?", "PROD-001", group); n != 1 {
		t.Fatalf("product row = %d", n)
	}
	if n := f.Count("audit_log", "entity_type = 'product' AND action = 'create' AND entity_id = ?", p.ID); n != 1 {
		t.Fatalf("create audit entries = %d", n)
	}

	// Update: fields left out keep their values; the SKU cannot change.
	var u product
	f.Do("PUT", "/api/v1/products/"+p.ID, map[string]any{"name": "Coffee Beans 1 kg", "sellPrice": 1299}, f.tok).Expect(t, http.StatusOK).Data(t, &u)
	if u.Name != "Coffee Beans 1 kg" || u.SellPrice != 1299 || u.CostPrice != 500 || u.Barcode == nil || *u.Barcode != "4006381333931" || len(u.TaxRates) != 3 {
		t.Fatalf("updated product: %+v", u)
	}
	expectErr(t, f.Do("PUT", "/api/v1/products/"+p.ID, map[string]any{"sku": "PROD-002", "name": "x"}, f.tok), http.StatusUnprocessableEntity, "sku", "SKU cannot be changed")
	f.Do("PUT", "/api/v1/products/"+p.ID, map[string]any{"sku": "PROD-001", "barcode": nil}, f.tok).Expect(t, http.StatusOK)
	if n := f.Count("products", "id = ? AND barcode IS NULL AND name = 'Coffee Beans 1 kg'", p.ID); n != 1 {
		t.Fatal("null barcode did not clear it, or the name changed")
	}

	// Toggle twice.
	var tg product
	f.Do("PATCH", "/api/v1/products/"+p.ID+"/toggle-active", nil, f.tok).Expect(t, http.StatusOK).Data(t, &tg)
	if tg.IsActive || f.Count("products", "id = ? AND NOT is_active", p.ID) != 1 {
		t.Fatal("toggle did not deactivate")
	}
	f.Do("PATCH", "/api/v1/products/"+p.ID+"/toggle-active", nil, f.tok).Expect(t, http.StatusOK).Data(t, &tg)
	if !tg.IsActive {
		t.Fatal("second toggle did not activate")
	}

	// Soft delete: gone from lists and look-ups, still readable by id; later writes conflict.
	f.Do("DELETE", "/api/v1/products/"+p.ID, nil, f.tok).Expect(t, http.StatusOK)
	if n := f.Count("products", "id = ? AND deleted_at IS NOT NULL AND NOT is_active", p.ID); n != 1 {
		t.Fatal("delete did not soft-delete")
	}
	items, env := f.list(t, "/api/v1/products?active=all")
	if len(items) != 0 || *env.Total != 0 {
		t.Fatalf("deleted product still listed: %s", skus(items))
	}
	if got := f.product(t, p.ID); got.DeletedAt == nil || got.IsActive {
		t.Fatalf("deleted product by id: %+v", got)
	}
	expectErr(t, f.Do("DELETE", "/api/v1/products/"+p.ID, nil, f.tok), http.StatusConflict, "", "already deleted")
	expectErr(t, f.Do("PATCH", "/api/v1/products/"+p.ID+"/toggle-active", nil, f.tok), http.StatusConflict, "", "deleted")
	expectErr(t, f.Do("PUT", "/api/v1/products/"+p.ID, map[string]any{"name": "Back"}, f.tok), http.StatusConflict, "", "deleted")
	if n := f.Count("audit_log", "entity_type = 'product' AND entity_id = ?", p.ID); n != 6 {
		t.Fatalf("product audit entries = %d, want 6 (create, 2 updates, 2 toggles, delete)", n)
	}
}

func TestProductValidation(t *testing.T) {
	f := newFixture(t)
	base := func(over map[string]any) map[string]any {
		b := map[string]any{"sku": "V-1", "name": "Valid", "sellPrice": 100, "costPrice": 50}
		for k, v := range over {
			b[k] = v
		}
		return b
	}
	tests := []struct {
		name   string
		body   any
		status int
		field  string
		msg    string
	}{
		{"missing name and sku", map[string]any{"sellPrice": 1}, 422, "name", "required"},
		{"negative price", base(map[string]any{"sellPrice": -1}), 422, "sellPrice", "at least 0"},
		{"price of the wrong type", base(map[string]any{"sellPrice": "12.99"}), 422, "sellPrice", "whole number"},
		{"bad EAN-13 check digit", base(map[string]any{"barcode": "4006381333932"}), 422, "barcode", "check digit"},
		{"bad UPC-A check digit", base(map[string]any{"barcode": "036000291453"}), 422, "barcode", "check digit"},
		{"barcode with symbols", base(map[string]any{"barcode": "12-34"}), 422, "barcode", "letters and digits"},
		{"barcode too long", base(map[string]any{"barcode": strings.Repeat("A", 101)}), 422, "barcode", "100"},
		{"unknown department", base(map[string]any{"departmentId": models.NewID().String()}), 422, "departmentId", "not a known department"},
		{"malformed department", base(map[string]any{"departmentId": "nope"}), 422, "departmentId", "valid id"},
		{"unknown tax group", base(map[string]any{"taxGroupId": models.NewID().String()}), 422, "taxGroupId", "not a known tax group"},
		{"unknown unit", base(map[string]any{"purchaseUnitId": models.NewID().String()}), 422, "purchaseUnitId", "unit"},
		{"sku with spaces", base(map[string]any{"sku": "A B"}), 422, "sku", "spaces"},
		{"malformed JSON", `{"sku": "X",`, 400, "", ""},
		{"not an object", `[1,2]`, 400, "", ""},
		{"empty body", ``, 400, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectErr(t, f.Do("POST", "/api/v1/products", tt.body, f.tok), tt.status, tt.field, tt.msg)
		})
	}
	t.Run("body over 1 MiB", func(t *testing.T) {
		big := `{"sku":"BIG","name":"` + strings.Repeat("x", 1<<20+10) + `"}`
		f.Do("POST", "/api/v1/products", big, f.tok).Expect(t, http.StatusRequestEntityTooLarge)
	})
	// Valid 12- and 13-digit codes and free-form codes pass.
	for i, code := range []string{"036000291452", "4006381333931", "ABC123", "12345"} {
		f.create(t, "/api/v1/products", base(map[string]any{"sku": fmt.Sprintf("OK-%d", i), "barcode": code}))
	}
	if n := f.Count("products", ""); n != 4 {
		t.Fatalf("products = %d, want only the 4 valid ones", n)
	}
}

func TestProductUniqueness(t *testing.T) {
	f := newFixture(t)
	id := f.create(t, "/api/v1/products", map[string]any{"sku": "Dup-1", "barcode": "4006381333931", "name": "First"})
	expectErr(t, f.Do("POST", "/api/v1/products", map[string]any{"sku": "DUP-1", "name": "Second"}, f.tok), http.StatusConflict, "sku", "already used")
	expectErr(t, f.Do("POST", "/api/v1/products", map[string]any{"sku": "DUP-2", "barcode": "4006381333931", "name": "Second"}, f.tok), http.StatusConflict, "barcode", "already used")
	other := f.create(t, "/api/v1/products", map[string]any{"sku": "DUP-3", "name": "Third"})
	expectErr(t, f.Do("PUT", "/api/v1/products/"+other, map[string]any{"barcode": "4006381333931"}, f.tok), http.StatusConflict, "barcode", "")

	// A deleted product frees its barcode but never its SKU.
	f.Do("DELETE", "/api/v1/products/"+id, nil, f.tok).Expect(t, http.StatusOK)
	f.create(t, "/api/v1/products", map[string]any{"sku": "DUP-4", "barcode": "4006381333931", "name": "Reuses the barcode"})
	expectErr(t, f.Do("POST", "/api/v1/products", map[string]any{"sku": "dup-1", "name": "Reuses the SKU"}, f.tok), http.StatusConflict, "sku", "")
	if n := f.Count("products", ""); n != 3 {
		t.Fatalf("products = %d, want 3", n)
	}
}

func TestProductListSearchFiltersAndPages(t *testing.T) {
	f := newFixture(t)
	grocery := f.create(t, "/api/v1/departments", map[string]any{"name": "Grocery"})
	dairy := f.create(t, "/api/v1/departments", map[string]any{"name": "Dairy", "parentId": grocery})
	tools := f.create(t, "/api/v1/departments", map[string]any{"name": "Tools"})
	f.create(t, "/api/v1/products", map[string]any{"sku": "MILK-1", "name": "Whole Milk", "barcode": "4006381333931", "departmentId": dairy})
	f.create(t, "/api/v1/products", map[string]any{"sku": "BREAD-1", "name": "Rye Bread", "departmentId": grocery})
	hammer := f.create(t, "/api/v1/products", map[string]any{"sku": "HAM-1", "name": "Claw Hammer", "departmentId": tools})
	gone := f.create(t, "/api/v1/products", map[string]any{"sku": "GONE-1", "name": "Old Milk", "departmentId": dairy})
	f.Do("PATCH", "/api/v1/products/"+hammer+"/toggle-active", nil, f.tok).Expect(t, http.StatusOK)
	f.Do("DELETE", "/api/v1/products/"+gone, nil, f.tok).Expect(t, http.StatusOK)

	tests := []struct {
		query, want string
	}{
		{"", "HAM-1,BREAD-1,MILK-1"},
		{"search=milk", "MILK-1"},
		{"search=ham-", "HAM-1"},
		{"search=400638133", "MILK-1"},
		{"q=bread", "BREAD-1"},
		{"search=100%25", ""},
		{"departmentId=" + grocery, "BREAD-1,MILK-1"},
		{"departmentId=" + dairy, "MILK-1"},
		{"active=true", "BREAD-1,MILK-1"},
		{"active=false", "HAM-1"},
		{"active=all", "HAM-1,BREAD-1,MILK-1"},
		{"sort=-sku", "MILK-1,HAM-1,BREAD-1"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			items, env := f.list(t, "/api/v1/products?"+tt.query)
			if got := skus(items); got != tt.want {
				t.Fatalf("?%s = %q, want %q", tt.query, got, tt.want)
			}
			if int(*env.Total) != len(items) {
				t.Fatalf("total = %d for %d items", *env.Total, len(items))
			}
		})
	}
	items, env := f.list(t, "/api/v1/products?pageSize=2&page=2")
	if skus(items) != "MILK-1" || *env.Total != 3 || *env.Page != 2 || *env.PageSize != 2 {
		t.Fatalf("page 2 of 2: %s total=%d page=%d size=%d", skus(items), *env.Total, *env.Page, *env.PageSize)
	}
	expectErr(t, f.Do("GET", "/api/v1/products?departmentId=nope", nil, f.tok), http.StatusBadRequest, "", "departmentId")
	expectErr(t, f.Do("GET", "/api/v1/products?active=maybe", nil, f.tok), http.StatusBadRequest, "", "active")
}

func TestProductBarcodeLookupAndMalformedIDs(t *testing.T) {
	f := newFixture(t)
	id := f.create(t, "/api/v1/products", map[string]any{"sku": "B-1", "name": "Scanned", "barcode": "036000291452"})
	var p product
	f.Do("GET", "/api/v1/products/barcode/036000291452", nil, f.tok).Expect(t, http.StatusOK).Data(t, &p)
	if p.ID != id || p.TaxRates == nil {
		t.Fatalf("barcode look-up: %+v", p)
	}
	expectErr(t, f.Do("GET", "/api/v1/products/barcode/999", nil, f.tok), http.StatusNotFound, "", "product")
	f.Do("DELETE", "/api/v1/products/"+id, nil, f.tok).Expect(t, http.StatusOK)
	f.Do("GET", "/api/v1/products/barcode/036000291452", nil, f.tok).Expect(t, http.StatusNotFound)

	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/products/not-a-uuid"},
		{"PUT", "/api/v1/products/not-a-uuid"},
		{"PATCH", "/api/v1/products/123/toggle-active"},
		{"DELETE", "/api/v1/products/xyz"},
		{"GET", "/api/v1/products/xyz/suppliers"},
		{"PUT", "/api/v1/products/" + id + "/suppliers/xyz"},
		{"PUT", "/api/v1/departments/xyz"},
		{"DELETE", "/api/v1/taxes/xyz"},
		{"GET", "/api/v1/taxes/groups/xyz"},
		{"PUT", "/api/v1/suppliers/xyz"},
		{"DELETE", "/api/v1/units/xyz"},
		{"GET", "/api/v1/products/" + models.NewID().String()},
	} {
		expectErr(t, f.Do(r.method, r.path, map[string]any{"name": "x"}, f.tok), http.StatusNotFound, "", "")
	}
}

func TestViewOnlyRole(t *testing.T) {
	f := newFixture(t)
	id := f.create(t, "/api/v1/products", map[string]any{"sku": "RO-1", "name": "Read Only"})
	_, viewer := f.User(nil, "products.view")
	res := f.Do("GET", "/api/v1/products", nil, viewer).Expect(t, http.StatusOK)
	if env := res.Env(t); *env.Total != 1 {
		t.Fatalf("viewer sees %d products", *env.Total)
	}
	f.Do("GET", "/api/v1/products/"+id, nil, viewer).Expect(t, http.StatusOK)
	f.Do("GET", "/api/v1/departments", nil, viewer).Expect(t, http.StatusOK)
	f.Do("GET", "/api/v1/units", nil, viewer).Expect(t, http.StatusOK)
	for _, r := range []struct {
		method, path string
	}{
		{"POST", "/api/v1/products"},
		{"PUT", "/api/v1/products/" + id},
		{"PATCH", "/api/v1/products/" + id + "/toggle-active"},
		{"DELETE", "/api/v1/products/" + id},
		{"POST", "/api/v1/products/" + id + "/suppliers"},
		{"POST", "/api/v1/departments"},
		{"POST", "/api/v1/units"},
		{"GET", "/api/v1/taxes"},
		{"POST", "/api/v1/taxes"},
		{"GET", "/api/v1/suppliers"},
		{"POST", "/api/v1/suppliers"},
	} {
		expectErr(t, f.Do(r.method, r.path, map[string]any{"sku": "RO-2", "name": "Nope"}, viewer), http.StatusForbidden, "", "permission")
	}
	if n := f.Count("products", ""); n != 1 || f.Count("products", "is_active AND name = 'Read Only'") != 1 {
		t.Fatal("a forbidden request changed products")
	}
	_, taxViewer := f.User(nil, "taxes.view")
	f.Do("GET", "/api/v1/taxes/groups", nil, taxViewer).Expect(t, http.StatusOK)
	f.Do("POST", "/api/v1/taxes/groups", map[string]any{"name": "G"}, taxViewer).Expect(t, http.StatusForbidden)
}

type link struct {
	SupplierID  string `json:"supplierId"`
	SupplierSKU string `json:"supplierSku"`
	Cost        int64  `json:"cost"`
	IsPreferred bool   `json:"isPreferred"`
	Supplier    *struct {
		Name string `json:"name"`
	} `json:"supplier"`
}

func TestProductSupplierLinks(t *testing.T) {
	f := newFixture(t)
	pid := f.create(t, "/api/v1/products", map[string]any{"sku": "PS-1", "name": "Linked"})
	acme := f.create(t, "/api/v1/suppliers", map[string]any{"name": "Acme"})
	best := f.create(t, "/api/v1/suppliers", map[string]any{"name": "Best Foods"})
	base := "/api/v1/products/" + pid + "/suppliers"

	var l link
	f.Do("POST", base, map[string]any{"supplierId": acme, "supplierSku": "A-1", "cost": 450, "isPreferred": true}, f.tok).Expect(t, http.StatusCreated).Data(t, &l)
	if !l.IsPreferred || l.Cost != 450 || l.Supplier == nil || l.Supplier.Name != "Acme" {
		t.Fatalf("link: %+v", l)
	}
	// Linking another supplier as preferred takes the flag from the first, in one transaction.
	f.Do("POST", base, map[string]any{"supplierId": best, "supplierSku": "B-1", "cost": 430, "isPreferred": true}, f.tok).Expect(t, http.StatusCreated)
	if n := f.Count("product_suppliers", "product_id = ? AND is_preferred", pid); n != 1 {
		t.Fatalf("preferred links = %d, want 1", n)
	}
	if f.Count("product_suppliers", "supplier_id = ? AND is_preferred", best) != 1 {
		t.Fatal("the newest preferred link is not the preferred one")
	}
	expectErr(t, f.Do("POST", base, map[string]any{"supplierId": acme}, f.tok), http.StatusConflict, "supplierId", "already linked")
	expectErr(t, f.Do("POST", base, map[string]any{"supplierId": models.NewID().String()}, f.tok), http.StatusUnprocessableEntity, "supplierId", "not a known supplier")
	expectErr(t, f.Do("POST", base, map[string]any{"cost": 1}, f.tok), http.StatusUnprocessableEntity, "supplierId", "required")
	expectErr(t, f.Do("POST", base, map[string]any{"supplierId": acme, "cost": -5}, f.tok), http.StatusUnprocessableEntity, "cost", "")

	// Update: make Acme preferred again and change its cost; Best loses the flag.
	f.Do("PUT", base+"/"+acme, map[string]any{"isPreferred": true, "cost": 440}, f.tok).Expect(t, http.StatusOK).Data(t, &l)
	if !l.IsPreferred || l.Cost != 440 || l.SupplierSKU != "A-1" {
		t.Fatalf("updated link: %+v", l)
	}
	if f.Count("product_suppliers", "product_id = ? AND is_preferred", pid) != 1 || f.Count("product_suppliers", "supplier_id = ? AND is_preferred", acme) != 1 {
		t.Fatal("preferred flag not moved to Acme alone")
	}
	var links []link
	f.Do("GET", base, nil, f.tok).Expect(t, http.StatusOK).Data(t, &links)
	if len(links) != 2 || links[0].SupplierID != acme {
		t.Fatalf("links (preferred first): %+v", links)
	}
	expectErr(t, f.Do("DELETE", "/api/v1/suppliers/"+acme, nil, f.tok), http.StatusConflict, "", "linked to 1 product; deactivate it instead")

	f.Do("DELETE", base+"/"+best, nil, f.tok).Expect(t, http.StatusOK)
	f.Do("DELETE", base+"/"+best, nil, f.tok).Expect(t, http.StatusNotFound)
	f.Do("PUT", base+"/"+best, map[string]any{"cost": 1}, f.tok).Expect(t, http.StatusNotFound)
	if n := f.Count("product_suppliers", "product_id = ?", pid); n != 1 {
		t.Fatalf("links after unlink = %d", n)
	}
	if n := f.Count("audit_log", "entity_type = 'product' AND entity_id = ? AND action LIKE '%supplier%'", pid); n != 4 {
		t.Fatalf("supplier link audit entries = %d, want 4", n)
	}
	f.Do("GET", "/api/v1/products/"+models.NewID().String()+"/suppliers", nil, f.tok).Expect(t, http.StatusNotFound)
}

type department struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	ParentID     *string `json:"parentId"`
	Path         string  `json:"path"`
	Depth        int     `json:"depth"`
	ProductCount int64   `json:"productCount"`
}

func TestDepartments(t *testing.T) {
	f := newFixture(t)
	food := f.create(t, "/api/v1/departments", map[string]any{"name": "Food", "code": "FD"})
	dairy := f.create(t, "/api/v1/departments", map[string]any{"name": "Dairy", "parentId": food})
	cheese := f.create(t, "/api/v1/departments", map[string]any{"name": "Cheese", "parentId": dairy})
	expectErr(t, f.Do("POST", "/api/v1/departments", map[string]any{"name": "dairy", "parentId": food}, f.tok), http.StatusConflict, "name", "already")
	expectErr(t, f.Do("POST", "/api/v1/departments", map[string]any{"name": "Other", "code": "fd"}, f.tok), http.StatusConflict, "code", "")
	expectErr(t, f.Do("POST", "/api/v1/departments", map[string]any{"name": ""}, f.tok), http.StatusUnprocessableEntity, "name", "required")
	expectErr(t, f.Do("POST", "/api/v1/departments", map[string]any{"name": "Orphan", "parentId": models.NewID().String()}, f.tok), http.StatusUnprocessableEntity, "parentId", "not a known")

	var rows []department
	f.Do("GET", "/api/v1/departments", nil, f.tok).Expect(t, http.StatusOK).Data(t, &rows)
	if len(rows) != 3 || rows[0].Name != "Food" || rows[2].Path != "Food › Dairy › Cheese" || rows[2].Depth != 2 || rows[1].ParentID == nil || *rows[1].ParentID != food {
		t.Fatalf("department tree: %+v", rows)
	}

	// No cycles: not under itself, not under its own descendants.
	expectErr(t, f.Do("PUT", "/api/v1/departments/"+food, map[string]any{"parentId": cheese}, f.tok), http.StatusUnprocessableEntity, "parentId", "sub-departments")
	expectErr(t, f.Do("PUT", "/api/v1/departments/"+dairy, map[string]any{"parentId": dairy}, f.tok), http.StatusUnprocessableEntity, "parentId", "itself")
	if f.Count("departments", "id = ? AND parent_id IS NULL", food) != 1 {
		t.Fatal("refused move changed the tree")
	}
	// Moving a leaf to the top level is fine; fields left out keep their values.
	var d department
	f.Do("PUT", "/api/v1/departments/"+cheese, map[string]any{"parentId": nil}, f.tok).Expect(t, http.StatusOK).Data(t, &d)
	if d.ParentID != nil || d.Name != "Cheese" {
		t.Fatalf("moved department: %+v", d)
	}

	// Delete is refused while a sub-department or a product uses it.
	expectErr(t, f.Do("DELETE", "/api/v1/departments/"+food, nil, f.tok), http.StatusConflict, "", "1 sub-department")
	f.create(t, "/api/v1/products", map[string]any{"sku": "D-1", "name": "Milk", "departmentId": dairy})
	expectErr(t, f.Do("DELETE", "/api/v1/departments/"+dairy, nil, f.tok), http.StatusConflict, "", "1 product")
	f.Do("DELETE", "/api/v1/departments/"+cheese, nil, f.tok).Expect(t, http.StatusOK)
	if f.Count("departments", "") != 2 {
		t.Fatal("department not deleted")
	}
	if n := f.Count("audit_log", "entity_type = 'department'"); n != 5 {
		t.Fatalf("department audit entries = %d, want 5 (3 creates, 1 update, 1 delete)", n)
	}
}

type taxGroup struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Rates []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Rate      int64  `json:"rate"`
		SortOrder int    `json:"sortOrder"`
	} `json:"rates"`
}

func rateNames(g taxGroup) string {
	var s []string
	for _, r := range g.Rates {
		s = append(s, r.Name)
	}
	return strings.Join(s, ",")
}

func TestTaxRatesAndGroups(t *testing.T) {
	f := newFixture(t)
	st := f.create(t, "/api/v1/taxes", map[string]any{"name": "State Tax", "code": "ST", "rate": 825})
	city := f.create(t, "/api/v1/taxes", map[string]any{"name": "City Tax", "rate": 100})
	lux := f.create(t, "/api/v1/taxes", map[string]any{"name": "Luxury", "rate": 200, "isCompound": true})
	expectErr(t, f.Do("POST", "/api/v1/taxes", map[string]any{"name": "Too Much", "rate": 100001}, f.tok), http.StatusUnprocessableEntity, "rate", "at most 100000")
	expectErr(t, f.Do("POST", "/api/v1/taxes", map[string]any{"name": "Negative", "rate": -1}, f.tok), http.StatusUnprocessableEntity, "rate", "")
	expectErr(t, f.Do("POST", "/api/v1/taxes", map[string]any{"name": "No Rate"}, f.tok), http.StatusUnprocessableEntity, "rate", "required")
	expectErr(t, f.Do("POST", "/api/v1/taxes", map[string]any{"name": "state tax", "rate": 1}, f.tok), http.StatusConflict, "name", "")

	// GET /taxes/:id and /taxes/groups live side by side.
	var r struct {
		Name string `json:"name"`
		Rate int64  `json:"rate"`
	}
	f.Do("GET", "/api/v1/taxes/"+st, nil, f.tok).Expect(t, http.StatusOK).Data(t, &r)
	if r.Name != "State Tax" || r.Rate != 825 {
		t.Fatalf("rate: %+v", r)
	}
	f.Do("PUT", "/api/v1/taxes/"+city, map[string]any{"rate": 150}, f.tok).Expect(t, http.StatusOK)
	if f.Count("tax_rates", "id = ? AND rate = 150 AND name = 'City Tax'", city) != 1 {
		t.Fatal("rate update")
	}

	// Groups with explicit sort orders, or with ids in order.
	var g taxGroup
	f.Do("POST", "/api/v1/taxes/groups", map[string]any{"name": "Luxury Goods", "rates": []map[string]any{
		{"taxRateId": lux, "sortOrder": 3}, {"taxRateId": st, "sortOrder": 1}, {"taxRateId": city, "sortOrder": 2},
	}}, f.tok).Expect(t, http.StatusCreated).Data(t, &g)
	if rateNames(g) != "State Tax,City Tax,Luxury" {
		t.Fatalf("group order: %s", rateNames(g))
	}
	std := f.create(t, "/api/v1/taxes/groups", map[string]any{"name": "Standard", "taxRateIds": []string{st, city}})
	exempt := f.create(t, "/api/v1/taxes/groups", map[string]any{"name": "Exempt", "taxRateIds": []string{}})
	expectErr(t, f.Do("POST", "/api/v1/taxes/groups", map[string]any{"name": "Twice", "taxRateIds": []string{st, st}}, f.tok), http.StatusUnprocessableEntity, "taxRateIds[1]", "twice")
	expectErr(t, f.Do("POST", "/api/v1/taxes/groups", map[string]any{"name": "Ghost", "rates": []map[string]any{{"taxRateId": models.NewID().String()}}}, f.tok), http.StatusUnprocessableEntity, "rates[0].taxRateId", "not a known")
	expectErr(t, f.Do("POST", "/api/v1/taxes/groups", map[string]any{"name": "standard"}, f.tok), http.StatusConflict, "name", "")

	f.Do("GET", "/api/v1/taxes/groups/"+std, nil, f.tok).Expect(t, http.StatusOK).Data(t, &g)
	if rateNames(g) != "State Tax,City Tax" || g.Rates[1].SortOrder != 1 {
		t.Fatalf("standard group: %+v", g)
	}
	// Update without rates keeps them; with rates replaces them.
	f.Do("PUT", "/api/v1/taxes/groups/"+std, map[string]any{"description": "State and city"}, f.tok).Expect(t, http.StatusOK).Data(t, &g)
	if rateNames(g) != "State Tax,City Tax" || g.Name != "Standard" {
		t.Fatalf("rates lost on update: %+v", g)
	}
	f.Do("PUT", "/api/v1/taxes/groups/"+std, map[string]any{"taxRateIds": []string{city, st}}, f.tok).Expect(t, http.StatusOK).Data(t, &g)
	if rateNames(g) != "City Tax,State Tax" {
		t.Fatalf("rates not replaced: %s", rateNames(g))
	}
	var groups []taxGroup
	f.Do("GET", "/api/v1/taxes/groups", nil, f.tok).Expect(t, http.StatusOK).Data(t, &groups)
	if len(groups) != 3 {
		t.Fatalf("groups = %d", len(groups))
	}

	// In-use deletes are refused.
	expectErr(t, f.Do("DELETE", "/api/v1/taxes/"+st, nil, f.tok), http.StatusConflict, "", "Luxury Goods, Standard")
	pid := f.create(t, "/api/v1/products", map[string]any{"sku": "T-1", "name": "Taxed", "taxGroupId": std})
	if p := f.product(t, pid); len(p.TaxRates) != 2 || p.TaxRates[0].Name != "City Tax" || p.TaxRates[0].Rate != 150 {
		t.Fatalf("product taxes: %+v", p.TaxRates)
	}
	expectErr(t, f.Do("DELETE", "/api/v1/taxes/groups/"+std, nil, f.tok), http.StatusConflict, "", "1 product")
	f.Do("DELETE", "/api/v1/taxes/groups/"+exempt, nil, f.tok).Expect(t, http.StatusOK)
	f.Do("DELETE", "/api/v1/taxes/groups/"+g.ID, nil, f.tok).Expect(t, http.StatusConflict)
	if f.Count("tax_groups", "") != 2 {
		t.Fatal("group delete")
	}
	other := f.create(t, "/api/v1/taxes", map[string]any{"name": "Unused", "rate": 0})
	f.Do("DELETE", "/api/v1/taxes/"+other, nil, f.tok).Expect(t, http.StatusOK)
	if f.Count("tax_rates", "id = ?", other) != 0 {
		t.Fatal("unused rate not deleted")
	}
	if n := f.Count("audit_log", "entity_type IN ('tax_rate', 'tax_group')"); n != 12 {
		t.Fatalf("tax audit entries = %d, want 12", n)
	}
}

type supplier struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	Code         *string `json:"code"`
	Email        string  `json:"email"`
	IsActive     bool    `json:"isActive"`
	ProductCount int64   `json:"productCount"`
}

func TestSuppliers(t *testing.T) {
	f := newFixture(t)
	acme := f.create(t, "/api/v1/suppliers", map[string]any{"name": "Acme Wholesale", "code": "ACME", "contactName": "Dana", "email": "orders@acme.example"})
	f.create(t, "/api/v1/suppliers", map[string]any{"name": "Best Foods", "email": "hi@best.example"})
	old := f.create(t, "/api/v1/suppliers", map[string]any{"name": "Old Co", "isActive": false})
	expectErr(t, f.Do("POST", "/api/v1/suppliers", map[string]any{"name": "Bad Mail", "email": "nope"}, f.tok), http.StatusUnprocessableEntity, "email", "email")
	expectErr(t, f.Do("POST", "/api/v1/suppliers", map[string]any{"name": "acme wholesale"}, f.tok), http.StatusConflict, "name", "")
	expectErr(t, f.Do("POST", "/api/v1/suppliers", map[string]any{"contactName": "x"}, f.tok), http.StatusUnprocessableEntity, "name", "required")

	list := func(q string) (string, int64) {
		var rows []supplier
		res := f.Do("GET", "/api/v1/suppliers?"+q, nil, f.tok).Expect(t, http.StatusOK)
		res.Data(t, &rows)
		var names []string
		for _, r := range rows {
			names = append(names, r.Name)
		}
		return strings.Join(names, ","), *res.Env(t).Total
	}
	for q, want := range map[string]string{
		"":                     "Acme Wholesale,Best Foods,Old Co",
		"search=dana":          "Acme Wholesale",
		"search=best.example":  "Best Foods",
		"active=true":          "Acme Wholesale,Best Foods",
		"active=false":         "Old Co",
		"pageSize=1&page=2":    "Best Foods",
		"search=acme&active=1": "Acme Wholesale",
	} {
		if got, _ := list(q); got != want {
			t.Errorf("suppliers?%s = %q, want %q", q, got, want)
		}
	}
	if _, total := list("pageSize=1"); total != 3 {
		t.Errorf("total = %d", total)
	}

	var s supplier
	f.Do("PUT", "/api/v1/suppliers/"+acme, map[string]any{"isActive": false, "phone": "555-0100"}, f.tok).Expect(t, http.StatusOK).Data(t, &s)
	if s.IsActive || s.Name != "Acme Wholesale" || s.Email != "orders@acme.example" {
		t.Fatalf("updated supplier: %+v", s)
	}
	pid := f.create(t, "/api/v1/products", map[string]any{"sku": "S-1", "name": "Supplied"})
	f.Do("POST", "/api/v1/products/"+pid+"/suppliers", map[string]any{"supplierId": acme}, f.tok).Expect(t, http.StatusCreated)
	expectErr(t, f.Do("DELETE", "/api/v1/suppliers/"+acme, nil, f.tok), http.StatusConflict, "", "linked to 1 product; deactivate it instead")
	f.Do("DELETE", "/api/v1/suppliers/"+old, nil, f.tok).Expect(t, http.StatusOK)
	if f.Count("suppliers", "") != 2 || f.Count("suppliers", "id = ?", old) != 0 {
		t.Fatal("supplier hard delete")
	}
	f.Do("DELETE", "/api/v1/suppliers/"+old, nil, f.tok).Expect(t, http.StatusNotFound)
	if n := f.Count("audit_log", "entity_type = 'supplier'"); n != 5 {
		t.Fatalf("supplier audit entries = %d, want 5", n)
	}
}

func TestUnits(t *testing.T) {
	f := newFixture(t)
	var units []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	f.Do("GET", "/api/v1/units", nil, f.tok).Expect(t, http.StatusOK).Data(t, &units)
	if len(units) != 1 || units[0].ID != models.EachUnitID.String() {
		t.Fatalf("units on a new database: %+v", units)
	}
	cs := f.create(t, "/api/v1/units", map[string]any{"name": "Case of 12", "shortName": "cs12"})
	kg := f.create(t, "/api/v1/units", map[string]any{"name": "Kilogram", "shortName": "kg"})
	expectErr(t, f.Do("POST", "/api/v1/units", map[string]any{"name": "case of 12", "shortName": "c"}, f.tok), http.StatusConflict, "name", "")
	expectErr(t, f.Do("POST", "/api/v1/units", map[string]any{"name": "Litre"}, f.tok), http.StatusUnprocessableEntity, "shortName", "required")
	f.Do("PUT", "/api/v1/units/"+kg, map[string]any{"shortName": "KG"}, f.tok).Expect(t, http.StatusOK)
	if f.Count("units", "id = ? AND short_name = 'KG' AND name = 'Kilogram'", kg) != 1 {
		t.Fatal("unit update")
	}
	expectErr(t, f.Do("DELETE", "/api/v1/units/"+models.EachUnitID.String(), nil, f.tok), http.StatusConflict, "", "cannot be deleted")
	expectErr(t, f.Do("PUT", "/api/v1/units/"+models.EachUnitID.String(), map[string]any{"isActive": false}, f.tok), http.StatusUnprocessableEntity, "isActive", "")
	f.create(t, "/api/v1/products", map[string]any{"sku": "U-1", "name": "By the case", "purchaseUnitId": cs})
	expectErr(t, f.Do("DELETE", "/api/v1/units/"+cs, nil, f.tok), http.StatusConflict, "", "1 product")
	f.Do("DELETE", "/api/v1/units/"+kg, nil, f.tok).Expect(t, http.StatusOK)
	if f.Count("units", "") != 2 {
		t.Fatal("unit delete")
	}
	// An inactive unit is not offered for new products.
	f.Do("PUT", "/api/v1/units/"+cs, map[string]any{"isActive": false}, f.tok).Expect(t, http.StatusOK)
	expectErr(t, f.Do("POST", "/api/v1/products", map[string]any{"sku": "U-2", "name": "x", "consumptionUnitId": cs}, f.tok), http.StatusUnprocessableEntity, "consumptionUnitId", "")
	if n := f.Count("audit_log", "entity_type = 'unit'"); n != 5 {
		t.Fatalf("unit audit entries = %d, want 5", n)
	}
}
