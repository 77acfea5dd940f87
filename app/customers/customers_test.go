package customers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"backroom/app/apptest"
	"backroom/models"
)

func createCustomer(t *testing.T, app *apptest.App, token string, body map[string]any) models.Customer {
	t.Helper()
	var c models.Customer
	app.Do("POST", "/api/v1/customers", body, token).Expect(t, http.StatusCreated).Data(t, &c)
	return c
}

func searchCustomers(t *testing.T, app *apptest.App, token, term string) []models.Customer {
	t.Helper()
	var list []models.Customer
	app.Do("GET", "/api/v1/customers?search="+url.QueryEscape(term), nil, token).Expect(t, http.StatusOK).Data(t, &list)
	return list
}

func TestCustomerCodesAndSearch(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("admin", "1234")
	ann := createCustomer(t, app, token, map[string]any{"firstName": "Ann", "lastName": "Smith", "phone": "(555) 010-7788", "email": "ann@example.com", "taxId": "TX-1"})
	bob := createCustomer(t, app, token, map[string]any{"firstName": "Bob", "lastName": "Smithers", "phone": "555 222 3333"})
	own := createCustomer(t, app, token, map[string]any{"code": "vip-7", "firstName": "Vera", "lastName": "Ip"})
	// The demo has CUST-00001…00005; generated codes continue after them.
	if ann.Code != "CUST-00006" || bob.Code != "CUST-00007" || own.Code != "VIP-7" {
		t.Fatalf("codes = %s, %s, %s", ann.Code, bob.Code, own.Code)
	}
	// A hand-typed code that the sequence would produce next is skipped, not duplicated.
	createCustomer(t, app, token, map[string]any{"code": "CUST-00008", "firstName": "Hand", "lastName": "Typed"})
	next := createCustomer(t, app, token, map[string]any{"firstName": "Next", "lastName": "One"})
	if next.Code != "CUST-00009" {
		t.Fatalf("next generated code = %s, want CUST-00009", next.Code)
	}

	tests := []struct {
		term string
		want []string
	}{
		{"smith", []string{"CUST-00006", "CUST-00007"}},
		{"ann smi", []string{"CUST-00006"}},
		{"MITHERS", []string{"CUST-00007"}},
		{"cust-00007", []string{"CUST-00007"}},
		{"VIP-7", []string{"VIP-7"}},
		{"555-010-7788", []string{"CUST-00006"}},
		{"2223333", []string{"CUST-00007"}},
		{"555-0177", []string{"CUST-00002"}}, // a demo customer, by phone
		{"nobody", nil},
	}
	for _, tt := range tests {
		t.Run(tt.term, func(t *testing.T) {
			got := searchCustomers(t, app, token, tt.term)
			var codes []string
			for _, c := range got {
				codes = append(codes, c.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("search %q = %v, want %v", tt.term, codes, tt.want)
			}
		})
	}
}

func TestCustomerCRUD(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("admin", "1234")
	c := createCustomer(t, app, token, map[string]any{"firstName": " Cara ", "lastName": "Lopez", "notes": "Prefers email"})
	if c.FirstName != "Cara" || !c.IsActive {
		t.Fatalf("created = %+v", c)
	}
	var got models.Customer
	app.Do("GET", "/api/v1/customers/"+c.ID.String(), nil, token).Expect(t, http.StatusOK).Data(t, &got)
	if got.ID != c.ID || got.Notes != "Prefers email" {
		t.Fatalf("get = %+v", got)
	}
	app.Do("GET", "/api/v1/customers/bogus", nil, token).Expect(t, http.StatusNotFound)

	var upd models.Customer
	app.Do("PUT", "/api/v1/customers/"+c.ID.String(), map[string]any{"firstName": "Cara", "lastName": "Lopez-Diaz", "email": "cara@example.com"}, token).
		Expect(t, http.StatusOK).Data(t, &upd)
	if upd.LastName != "Lopez-Diaz" || upd.Code != c.Code || upd.Email != "cara@example.com" {
		t.Fatalf("update = %+v", upd)
	}
	res := app.Do("PUT", "/api/v1/customers/"+c.ID.String(), map[string]any{"firstName": "", "lastName": "X", "email": "nope"}, token).Expect(t, http.StatusUnprocessableEntity)
	env := res.Env(t)
	if env.Errors["firstName"] == nil || env.Errors["email"] == nil {
		t.Fatalf("422 answer: %s", res.Body)
	}
	// Deleting only deactivates: sales keep their customer.
	app.Do("DELETE", "/api/v1/customers/"+c.ID.String(), nil, token).Expect(t, http.StatusOK)
	if n := app.Count("customers", "id = ? AND NOT is_active", c.ID); n != 1 {
		t.Fatalf("customer not deactivated")
	}
	if list := searchCustomers(t, app, token, "Lopez"); len(list) != 0 {
		t.Fatalf("inactive customer in default search")
	}
	var all []models.Customer
	app.Do("GET", "/api/v1/customers?active=all&search=lopez", nil, token).Expect(t, http.StatusOK).Data(t, &all)
	if len(all) != 1 {
		t.Fatalf("active=all found %d", len(all))
	}
	if n := app.Count("audit_log", "entity_id = ?", c.ID); n != 3 {
		t.Fatalf("audit entries = %d, want 3 (create, update, deactivate)", n)
	}
	// A duplicate code is a conflict naming the field.
	res = app.Do("POST", "/api/v1/customers", map[string]any{"code": c.Code, "firstName": "A", "lastName": "B"}, token).Expect(t, http.StatusConflict)
	if res.Env(t).Errors["code"] == nil {
		t.Fatalf("409 without field: %s", res.Body)
	}
	app.Do("POST", "/api/v1/customers", map[string]any{"firstName": "Only"}, token).Expect(t, http.StatusUnprocessableEntity)
	app.Do("POST", "/api/v1/customers", `[`, token).Expect(t, http.StatusBadRequest)
}

func TestCustomerPermissions(t *testing.T) {
	app := apptest.NewDemo(t)
	cashier := app.Login("cashier", "3456") // view + create, not edit
	c := createCustomer(t, app, cashier, map[string]any{"firstName": "Walk", "lastName": "In"})
	app.Do("PUT", "/api/v1/customers/"+c.ID.String(), map[string]any{"firstName": "W", "lastName": "I"}, cashier).Expect(t, http.StatusForbidden)
	app.Do("DELETE", "/api/v1/customers/"+c.ID.String(), nil, cashier).Expect(t, http.StatusForbidden)
}

func TestSalesReps(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("admin", "1234")
	var rep models.SalesRep
	app.Do("POST", "/api/v1/sales-reps", map[string]any{"code": "r01", "name": "Rita Rep", "commissionBp": 250}, token).Expect(t, http.StatusCreated).Data(t, &rep)
	if rep.Code != "R01" || !rep.IsActive || rep.CommissionBP == nil || *rep.CommissionBP != 250 {
		t.Fatalf("created = %+v", rep)
	}
	app.Do("POST", "/api/v1/sales-reps", map[string]any{"code": "R01", "name": "Other"}, token).Expect(t, http.StatusConflict)
	res := app.Do("POST", "/api/v1/sales-reps", map[string]any{"code": "R02", "name": "", "commissionBp": 20000}, token).Expect(t, http.StatusUnprocessableEntity)
	if env := res.Env(t); env.Errors["name"] == nil || env.Errors["commissionBp"] == nil {
		t.Fatalf("422 answer: %s", res.Body)
	}

	var toggled models.SalesRep
	app.Do("PATCH", "/api/v1/sales-reps/"+rep.ID.String()+"/toggle-active", nil, token).Expect(t, http.StatusOK).Data(t, &toggled)
	if toggled.IsActive {
		t.Fatal("toggle did not deactivate")
	}
	var active []models.SalesRep
	app.Do("GET", "/api/v1/sales-reps?active=true", nil, token).Expect(t, http.StatusOK).Data(t, &active)
	for _, r := range active {
		if r.ID == rep.ID {
			t.Fatalf("inactive rep listed as active")
		}
	}
	app.Do("PATCH", "/api/v1/sales-reps/"+rep.ID.String()+"/toggle-active", nil, token).Expect(t, http.StatusOK).Data(t, &toggled)
	if !toggled.IsActive {
		t.Fatal("second toggle did not reactivate")
	}
	var upd models.SalesRep
	app.Do("PUT", "/api/v1/sales-reps/"+rep.ID.String(), map[string]any{"code": "R01", "name": "Rita R."}, token).Expect(t, http.StatusOK).Data(t, &upd)
	if upd.Name != "Rita R." || upd.CommissionBP != nil {
		t.Fatalf("update = %+v", upd)
	}
	app.Do("GET", "/api/v1/sales-reps/"+rep.ID.String(), nil, token).Expect(t, http.StatusOK)

	// A rep with sales cannot be deleted; one without can.
	var store models.Store
	app.DB.Take(&store, "code = ?", "S001")
	sale := models.Sale{ID: models.NewID(), StoreID: store.ID, ReceiptNumber: "R-REP", Status: models.SaleCompleted, SalesRepID: &rep.ID, SoldAt: time.Now()}
	if err := app.DB.Omit("Items", "Payments").Create(&sale).Error; err != nil {
		t.Fatal(err)
	}
	app.Do("DELETE", "/api/v1/sales-reps/"+rep.ID.String(), nil, token).Expect(t, http.StatusConflict)
	var spare models.SalesRep
	app.Do("POST", "/api/v1/sales-reps", map[string]any{"code": "R09", "name": "Spare"}, token).Expect(t, http.StatusCreated).Data(t, &spare)
	app.Do("DELETE", "/api/v1/sales-reps/"+spare.ID.String(), nil, token).Expect(t, http.StatusOK)
	if app.Count("sales_reps", "id = ?", spare.ID) != 0 || app.Count("sales_reps", "id = ?", rep.ID) != 1 {
		t.Fatal("delete outcome wrong")
	}

	// The store manager may view but not change reps.
	mgr := app.Login("manager", "2345")
	app.Do("GET", "/api/v1/sales-reps", nil, mgr).Expect(t, http.StatusOK)
	app.Do("PATCH", "/api/v1/sales-reps/"+rep.ID.String()+"/toggle-active", nil, mgr).Expect(t, http.StatusForbidden)
	app.Do("DELETE", "/api/v1/sales-reps/"+rep.ID.String(), nil, mgr).Expect(t, http.StatusForbidden)
}

func TestCustomerAndRepPages(t *testing.T) {
	app := apptest.NewDemo(t)
	w := app.SignIn("admin", "1234")
	w.Get("/customers").Expect(t, http.StatusOK)
	w.Get("/customers/new").Expect(t, http.StatusOK)
	w.PostForm("/customers", url.Values{"firstName": {"Dana"}, "lastName": {"Page"}, "phone": {"555-0199"}}).Expect(t, http.StatusSeeOther)
	var c models.Customer
	if err := app.DB.Take(&c, "last_name = ?", "Page").Error; err != nil || c.Code != "CUST-00006" || !c.IsActive {
		t.Fatalf("customer from form = %+v, %v", c, err)
	}
	res := w.PostForm("/customers", url.Values{"firstName": {"NoLast"}}).Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.String(), `id="f-lastName-error"`) {
		t.Fatal("422 page lacks the lastName error")
	}
	res = w.HTMX("GET", "/customers?search=dana", nil).Expect(t, http.StatusOK)
	if !strings.Contains(res.String(), "CUST-00006") || strings.Contains(res.String(), "<html") {
		t.Fatalf("htmx search is not the table fragment")
	}
	w.Get("/customers/"+c.ID.String()+"/edit").Expect(t, http.StatusOK)
	w.PostForm("/customers/"+c.ID.String(), url.Values{"firstName": {"Dana"}, "lastName": {"Page"}, "isActive": {"false"}}).Expect(t, http.StatusSeeOther)
	app.DB.Take(&c, "id = ?", c.ID)
	if c.IsActive {
		t.Fatal("unticked Active box did not deactivate")
	}

	w.Get("/sales-reps").Expect(t, http.StatusOK)
	w.PostForm("/sales-reps", url.Values{"code": {"s1"}, "name": {"Sam"}, "commissionBp": {"2.5"}, "isActive": {"false", "true"}}).Expect(t, http.StatusSeeOther)
	var rep models.SalesRep
	if err := app.DB.Take(&rep, "code = ?", "S1").Error; err != nil || rep.CommissionBP == nil || *rep.CommissionBP != 250 {
		t.Fatalf("rep from form = %+v, %v", rep, err)
	}
	res = w.HTMX("POST", "/sales-reps/"+rep.ID.String()+"/toggle", url.Values{}).Expect(t, http.StatusOK)
	if !strings.Contains(res.String(), "Activate") {
		t.Fatalf("toggled row: %s", res.Body)
	}
	if app.Count("sales_reps", "id = ? AND NOT is_active", rep.ID) != 1 {
		t.Fatal("toggle from the page did not deactivate")
	}
	w.PostForm("/sales-reps/"+rep.ID.String()+"/delete", url.Values{"confirm": {"yes"}}).Expect(t, http.StatusSeeOther)
	if app.Count("sales_reps", "id = ?", rep.ID) != 0 {
		t.Fatal("rep not deleted from the page")
	}
}
