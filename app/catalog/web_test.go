package catalog_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"backroom/app/apptest"
	"backroom/models"
)

func mustContain(t *testing.T, res *apptest.Response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(res.String(), p) {
			t.Fatalf("page does not contain %q (status %d):\n%.3000s", p, res.Code, res.String())
		}
	}
}

func mustNotContain(t *testing.T, res *apptest.Response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(res.String(), p) {
			t.Fatalf("page contains %q", p)
		}
	}
}

func TestProductsPageAndFragment(t *testing.T) {
	app := apptest.NewDemo(t)
	web := app.SignIn("admin", "1234")

	full := web.Get("/products").Expect(t, http.StatusOK)
	mustContain(t, full, "<html", `data-testid="product-table"`, `data-testid="search-input"`, `hx-trigger="input changed delay:250ms, search"`,
		`data-testid="product-row-ELE-001"`, "1–25 of ", `data-testid="new-product"`, "Catalogue")
	if full.Header.Get("Vary") != "HX-Request" {
		t.Fatalf("Vary = %q", full.Header.Get("Vary"))
	}

	frag := web.HTMX("GET", "/products?search=cola", nil).Expect(t, http.StatusOK)
	mustContain(t, frag, `id="product-table"`, `data-testid="product-row-SFT-001"`)
	mustNotContain(t, frag, "<html", `data-testid="product-row-ELE-001"`)

	// The layout's global search posts q.
	q := web.Get("/products?q=Sourdough").Expect(t, http.StatusOK)
	mustContain(t, q, "Sourdough Loaf", "1–1 of 1")
	mustNotContain(t, q, "Whole Milk")

	none := web.Get("/products?search=zzzz-nothing").Expect(t, http.StatusOK)
	mustContain(t, none, `data-testid="empty-state"`, "No products match")

	// A cashier sees the list without the New product button.
	cashier := app.SignIn("cashier", "3456")
	list := cashier.Get("/products").Expect(t, http.StatusOK)
	mustNotContain(t, list, `data-testid="new-product"`)
	for _, path := range []string{"/departments", "/units"} {
		cashier.Get(path).Expect(t, http.StatusOK)
	}
	for _, path := range []string{"/departments", "/taxes", "/suppliers", "/units", "/products/new", "/taxes/new", "/taxes/groups/new", "/suppliers/new", "/units/new", "/departments/new"} {
		web.Get(path).Expect(t, http.StatusOK)
	}
}

func TestProductFormRefusedWithoutPermission(t *testing.T) {
	app := apptest.NewDemo(t)
	cashier := app.SignIn("cashier", "3456")
	res := cashier.Get("/products/new").Expect(t, http.StatusForbidden)
	mustContain(t, res, `data-testid="error-page"`, "products.create")
	var p models.Product
	if err := app.DB.Take(&p, "sku = ?", "DAI-001").Error; err != nil {
		t.Fatal(err)
	}
	cashier.Get("/products/"+p.ID.String()+"/edit").Expect(t, http.StatusForbidden)
	detail := cashier.Get("/products/"+p.ID.String()).Expect(t, http.StatusOK)
	mustNotContain(t, detail, `data-testid="edit-product"`, `data-testid="delete-product"`, `data-testid="toggle-active"`)
	cashier.PostForm("/products", url.Values{"sku": {"NOPE-1"}, "name": {"Nope"}, "sellPrice": {"1.00"}}).Expect(t, http.StatusForbidden)
	if app.Count("products", "sku = 'NOPE-1'") != 0 {
		t.Fatal("a cashier created a product")
	}
}

func TestProductWebCreateEditDelete(t *testing.T) {
	app := apptest.NewDemo(t)
	web := app.SignIn("admin", "1234")
	form := web.Get("/products/new").Expect(t, http.StatusOK)
	mustContain(t, form, `data-testid="product-form"`, `name="csrf_token"`, "Standard", "Case of 12")

	var dairy models.Department
	if err := app.DB.Take(&dairy, "name = 'Dairy'").Error; err != nil {
		t.Fatal(err)
	}
	res := web.PostForm("/products", url.Values{
		"sku": {"WEB-001"}, "name": {"Web Cheese"}, "barcode": {"4006381333931"}, "departmentId": {dairy.ID.String()},
		"sellPrice": {"12.99"}, "costPrice": {"7.50"}, "purchaseUnitId": {models.EachUnitID.String()},
		"consumptionUnitId": {models.EachUnitID.String()}, "trackStock": {"false", "true"},
	}).Expect(t, http.StatusSeeOther)
	var p models.Product
	if err := app.DB.Take(&p, "sku = ?", "WEB-001").Error; err != nil {
		t.Fatalf("created product missing: %v", err)
	}
	if p.SellPrice != 1299 || p.CostPrice != 750 || !p.TrackStock || p.DepartmentID == nil || *p.DepartmentID != dairy.ID {
		t.Fatalf("created product: %+v", p)
	}
	if loc := res.Header.Get("Location"); loc != "/products/"+p.ID.String() {
		t.Fatalf("redirect to %q", loc)
	}
	detail := web.Get("/products/"+p.ID.String()).Expect(t, http.StatusOK)
	mustContain(t, detail, "Product WEB-001 created.", "Web Cheese", "$12.99", "42.3%", "Grocery › Dairy")

	// Invalid: messages beside the fields, nothing saved, values kept.
	bad := web.PostForm("/products", url.Values{"sku": {"WEB-002"}, "name": {""}, "sellPrice": {"12.x9"}, "barcode": {"4006381333932"}}).Expect(t, http.StatusUnprocessableEntity)
	mustContain(t, bad, `data-testid="product-form"`, "is required", "must be an amount such as 12.99", "wrong check digit", `value="WEB-002"`, `aria-invalid="true"`)
	dup := web.PostForm("/products", url.Values{"sku": {"web-001"}, "name": {"Again"}, "sellPrice": {"1"}}).Expect(t, http.StatusConflict)
	mustContain(t, dup, "already used by another product")
	if app.Count("products", "lower(sku) IN ('web-002')") != 0 {
		t.Fatal("invalid form saved a product")
	}

	// Edit keeps the SKU, changes the price.
	edit := web.Get("/products/"+p.ID.String()+"/edit").Expect(t, http.StatusOK)
	mustContain(t, edit, `data-testid="sku-readonly"`, `value="12.99"`)
	web.PostForm("/products/"+p.ID.String(), url.Values{"sku": {"CHANGED"}, "name": {"Web Cheese XL"}, "sellPrice": {"14.50"}, "costPrice": {"7.50"},
		"departmentId": {dairy.ID.String()}, "trackStock": {"false"}}).Expect(t, http.StatusSeeOther)
	if app.Count("products", "id = ? AND sku = 'WEB-001' AND name = 'Web Cheese XL' AND sell_price = 1450 AND NOT track_stock", p.ID) != 1 {
		t.Fatal("web edit not saved (or SKU changed)")
	}

	// Supplier links through the page: add as preferred, then remove.
	var acme models.Supplier
	if err := app.DB.Take(&acme, "name = 'Acme Wholesale'").Error; err != nil {
		t.Fatal(err)
	}
	web.PostForm("/products/"+p.ID.String()+"/suppliers", url.Values{"supplierId": {acme.ID.String()}, "supplierSku": {"AC-9"}, "cost": {"7.25"}, "isPreferred": {"false", "true"}}).Expect(t, http.StatusSeeOther)
	if app.Count("product_suppliers", "product_id = ? AND supplier_id = ? AND cost = 725 AND is_preferred", p.ID, acme.ID) != 1 {
		t.Fatal("web supplier link")
	}
	badLink := web.PostForm("/products/"+p.ID.String()+"/suppliers", url.Values{"supplierId": {""}, "cost": {"abc"}}).Expect(t, http.StatusUnprocessableEntity)
	mustContain(t, badLink, "must be an amount such as 12.99")
	web.Get("/products/"+p.ID.String()+"/suppliers/"+acme.ID.String()+"/delete").Expect(t, http.StatusOK)
	web.PostForm("/products/"+p.ID.String()+"/suppliers/"+acme.ID.String()+"/delete", url.Values{}).Expect(t, http.StatusSeeOther)
	if app.Count("product_suppliers", "product_id = ?", p.ID) != 0 {
		t.Fatal("web unlink")
	}

	// Toggle, then delete through the confirmation page's form.
	web.PostForm("/products/"+p.ID.String()+"/toggle-active", url.Values{}).Expect(t, http.StatusSeeOther)
	if app.Count("products", "id = ? AND NOT is_active", p.ID) != 1 {
		t.Fatal("web toggle")
	}
	confirm := web.Get("/products/"+p.ID.String()+"/delete").Expect(t, http.StatusOK)
	mustContain(t, confirm, `data-testid="confirm-page"`)
	web.PostForm("/products/"+p.ID.String()+"/delete", url.Values{}).Expect(t, http.StatusSeeOther)
	if app.Count("products", "id = ? AND deleted_at IS NOT NULL", p.ID) != 1 {
		t.Fatal("web delete")
	}
	mustNotContain(t, web.Get("/products?search=WEB-001").Expect(t, http.StatusOK), "product-row-WEB-001")
}

func TestWebFormWithoutCSRFIsRefused(t *testing.T) {
	app := apptest.NewDemo(t)
	web := app.SignIn("admin", "1234")
	web.Get("/products/new").Expect(t, http.StatusOK)
	web.PostForm("/products", url.Values{"csrf_token": {"forged"}, "sku": {"CSRF-1"}, "name": {"Forged"}, "sellPrice": {"1"}}).Expect(t, http.StatusForbidden)
	if app.Count("products", "sku = 'CSRF-1'") != 0 {
		t.Fatal("forged form created a product")
	}
}

func TestOtherCatalogueForms(t *testing.T) {
	app := apptest.NewDemo(t)
	web := app.SignIn("admin", "1234")

	web.PostForm("/departments", url.Values{"name": {"Garden"}, "code": {"GAR"}, "isActive": {"false", "true"}}).Expect(t, http.StatusSeeOther)
	var garden models.Department
	if err := app.DB.Take(&garden, "name = 'Garden'").Error; err != nil {
		t.Fatal(err)
	}
	web.PostForm("/departments", url.Values{"name": {"Seeds"}, "parentId": {garden.ID.String()}, "isActive": {"true"}}).Expect(t, http.StatusSeeOther)
	var seedsDept models.Department
	app.DB.Take(&seedsDept, "name = 'Seeds'")
	cyc := web.PostForm("/departments/"+garden.ID.String(), url.Values{"name": {"Garden"}, "parentId": {seedsDept.ID.String()}, "isActive": {"true"}}).Expect(t, http.StatusUnprocessableEntity)
	mustContain(t, cyc, "sub-departments")
	// Refused delete lands as a flash on the list.
	web.PostForm("/departments/"+garden.ID.String()+"/delete", url.Values{}).Expect(t, http.StatusSeeOther)
	mustContain(t, web.Get("/departments").Expect(t, http.StatusOK), "has 1 sub-department", `style="padding-left: 3rem;"`, "Garden › Seeds")

	web.PostForm("/taxes", url.Values{"name": {"Garden Levy"}, "rate": {"2.5"}, "isCompound": {"false"}, "isActive": {"true"}}).Expect(t, http.StatusSeeOther)
	if app.Count("tax_rates", "name = 'Garden Levy' AND rate = 250") != 1 {
		t.Fatal("web tax rate")
	}
	bad := web.PostForm("/taxes", url.Values{"name": {"Bad"}, "rate": {"abc"}}).Expect(t, http.StatusUnprocessableEntity)
	mustContain(t, bad, "must be a percentage such as 8.25")
	var st, levy models.TaxRate
	app.DB.Take(&st, "name = 'State Tax'")
	app.DB.Take(&levy, "name = 'Garden Levy'")
	web.PostForm("/taxes/groups", url.Values{"name": {"Garden"}, "rate": {st.ID.String(), levy.ID.String()},
		"order_" + st.ID.String(): {"2"}, "order_" + levy.ID.String(): {"1"}}).Expect(t, http.StatusSeeOther)
	var g models.TaxGroup
	app.DB.Take(&g, "name = 'Garden'")
	if app.Count("tax_group_rates", "tax_group_id = ? AND tax_rate_id = ? AND sort_order = 1", g.ID, levy.ID) != 1 ||
		app.Count("tax_group_rates", "tax_group_id = ?", g.ID) != 2 {
		t.Fatal("web tax group rates")
	}
	mustContain(t, web.Get("/taxes/groups/"+g.ID.String()+"/edit").Expect(t, http.StatusOK), `data-testid="tax-group-form"`, "Garden Levy")

	web.PostForm("/suppliers", url.Values{"name": {"Garden Supply"}, "email": {"not-an-email"}, "isActive": {"true"}}).Expect(t, http.StatusUnprocessableEntity)
	web.PostForm("/suppliers", url.Values{"name": {"Garden Supply"}, "email": {"hi@garden.example"}, "isActive": {"true"}}).Expect(t, http.StatusSeeOther)
	if app.Count("suppliers", "name = 'Garden Supply' AND is_active") != 1 {
		t.Fatal("web supplier")
	}
	frag := web.HTMX("GET", "/suppliers?search=garden", nil).Expect(t, http.StatusOK)
	mustContain(t, frag, `id="supplier-table"`, "Garden Supply")
	mustNotContain(t, frag, "<html", "Acme Wholesale")

	web.PostForm("/units", url.Values{"name": {"Dozen"}, "shortName": {"dz"}, "isActive": {"true"}}).Expect(t, http.StatusSeeOther)
	var dz models.Unit
	app.DB.Take(&dz, "name = 'Dozen'")
	web.PostForm("/units/"+dz.ID.String()+"/delete", url.Values{}).Expect(t, http.StatusSeeOther)
	if app.Count("units", "name = 'Dozen'") != 0 {
		t.Fatal("web unit delete")
	}
	web.PostForm("/units/"+models.EachUnitID.String()+"/delete", url.Values{}).Expect(t, http.StatusSeeOther)
	if app.Count("units", "id = ?", models.EachUnitID) != 1 {
		t.Fatal("Each was deleted")
	}
	web.Get("/products/not-an-id").Expect(t, http.StatusNotFound)
}
