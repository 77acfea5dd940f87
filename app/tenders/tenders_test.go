package tenders_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"backroom/app/apptest"
	"backroom/models"
)

func TestTenderCRUD(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("admin", "1234")

	var created models.Tender
	app.Do("POST", "/api/v1/tenders", map[string]any{"code": " visa ", "name": "Visa", "type": "card", "sortOrder": 3}, token).
		Expect(t, http.StatusCreated).Data(t, &created)
	if created.Code != "VISA" || created.Type != "CARD" || !created.IsActive || created.SortOrder != 3 {
		t.Fatalf("created = %+v", created)
	}
	if n := app.Count("audit_log", "action = ? AND entity_id = ?", "tender.create", created.ID); n != 1 {
		t.Fatalf("audit entries = %d", n)
	}

	res := app.Do("GET", "/api/v1/tenders", nil, token).Expect(t, http.StatusOK)
	env := res.Env(t)
	if !env.Success || env.Total == nil || *env.Total < 1 || env.PageSize == nil {
		t.Fatalf("list envelope: %s", res.Body)
	}
	if !strings.Contains(res.String(), `"VISA"`) {
		t.Fatalf("list misses VISA: %s", res.Body)
	}

	var updated models.Tender
	app.Do("PUT", "/api/v1/tenders/"+created.ID.String(), map[string]any{"code": "VISA", "name": "Visa card", "type": "CARD", "isActive": false}, token).
		Expect(t, http.StatusOK).Data(t, &updated)
	if updated.Name != "Visa card" || updated.IsActive {
		t.Fatalf("updated = %+v", updated)
	}
	var active []models.Tender
	app.Do("GET", "/api/v1/tenders?active=true", nil, token).Expect(t, http.StatusOK).Data(t, &active)
	for _, tt := range active {
		if tt.Code == "VISA" {
			t.Fatal("inactive tender listed with active=true")
		}
	}
	app.Do("GET", "/api/v1/tenders/"+created.ID.String(), nil, token).Expect(t, http.StatusOK)
	app.Do("GET", "/api/v1/tenders/not-an-id", nil, token).Expect(t, http.StatusNotFound)

	app.Do("DELETE", "/api/v1/tenders/"+created.ID.String(), nil, token).Expect(t, http.StatusOK)
	if n := app.Count("tenders", "id = ?", created.ID); n != 0 {
		t.Fatalf("tender still there after delete")
	}
	app.Do("DELETE", "/api/v1/tenders/"+created.ID.String(), nil, token).Expect(t, http.StatusNotFound)
}

func TestTenderValidationAndConflicts(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("admin", "1234")
	app.Do("POST", "/api/v1/tenders", map[string]any{"code": "CHEQUE", "name": "Cheque", "type": "OTHER"}, token).Expect(t, http.StatusCreated)

	res := app.Do("POST", "/api/v1/tenders", map[string]any{"code": "cheque", "name": "Cheque again", "type": "OTHER"}, token).Expect(t, http.StatusConflict)
	if env := res.Env(t); env.Success || env.Errors["code"] == nil {
		t.Fatalf("duplicate code answer: %s", res.Body)
	}
	res = app.Do("POST", "/api/v1/tenders", map[string]any{"code": "BTC", "name": "Bitcoin", "type": "CRYPTO"}, token).Expect(t, http.StatusUnprocessableEntity)
	if env := res.Env(t); env.Errors["type"] == nil {
		t.Fatalf("bad type answer: %s", res.Body)
	}
	res = app.Do("POST", "/api/v1/tenders", map[string]any{"type": "CASH"}, token).Expect(t, http.StatusUnprocessableEntity)
	if env := res.Env(t); env.Errors["code"] == nil || env.Errors["name"] == nil {
		t.Fatalf("missing fields answer: %s", res.Body)
	}
	app.Do("POST", "/api/v1/tenders", `{"code":`, token).Expect(t, http.StatusBadRequest)
	if n := app.Count("tenders", "code IN ('BTC')"); n != 0 {
		t.Fatalf("invalid tender written")
	}
}

func TestTenderPermissions(t *testing.T) {
	app := apptest.NewDemo(t)
	_, viewer := app.User(nil, "tenders.view")
	app.Do("GET", "/api/v1/tenders", nil, viewer).Expect(t, http.StatusOK)
	app.Do("POST", "/api/v1/tenders", map[string]any{"code": "X", "name": "X", "type": "CASH"}, viewer).Expect(t, http.StatusForbidden)
	_, nobody := app.User(nil, "products.view")
	app.Do("GET", "/api/v1/tenders", nil, nobody).Expect(t, http.StatusForbidden)
	app.Do("GET", "/api/v1/tenders", nil, "").Expect(t, http.StatusUnauthorized)
}

// A tender a sale was paid with cannot be deleted (only deactivated).
func TestTenderUsedBySaleCannotBeDeleted(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("admin", "1234")
	var tender models.Tender
	app.Do("POST", "/api/v1/tenders", map[string]any{"code": "GIFT", "name": "Gift card", "type": "OTHER"}, token).Expect(t, http.StatusCreated).Data(t, &tender)
	var store models.Store
	if err := app.DB.Take(&store, "code = ?", "S001").Error; err != nil {
		t.Fatal(err)
	}
	sale := models.Sale{ID: models.NewID(), StoreID: store.ID, ReceiptNumber: "T-1", Status: models.SaleCompleted,
		Subtotal: 100, TaxTotal: 0, GrandTotal: 100, PaidTotal: 100}
	sale.SoldAt = time.Now()
	if err := app.DB.Omit("Items", "Payments").Create(&sale).Error; err != nil {
		t.Fatal(err)
	}
	pay := models.SalePayment{ID: models.NewID(), SaleID: sale.ID, LineNo: 1, TenderID: tender.ID, Method: "GIFT", TenderType: "OTHER", Amount: 100}
	if err := app.DB.Create(&pay).Error; err != nil {
		t.Fatal(err)
	}
	res := app.Do("DELETE", "/api/v1/tenders/"+tender.ID.String(), nil, token).Expect(t, http.StatusConflict)
	if !strings.Contains(res.Env(t).Error, "deactivate") {
		t.Fatalf("409 does not suggest deactivating: %s", res.Body)
	}
	if n := app.Count("tenders", "id = ?", tender.ID); n != 1 {
		t.Fatal("used tender was deleted")
	}
}

func TestTenderPages(t *testing.T) {
	app := apptest.NewDemo(t)
	w := app.SignIn("admin", "1234")
	w.Get("/tenders").Expect(t, http.StatusOK)
	w.Get("/tenders/new").Expect(t, http.StatusOK)

	res := w.PostForm("/tenders", url.Values{"code": {"amex"}, "name": {"Amex"}, "type": {"CARD"}, "sortOrder": {"5"}, "isActive": {"false", "true"}})
	res.Expect(t, http.StatusSeeOther)
	var tender models.Tender
	if err := app.DB.Take(&tender, "code = ?", "AMEX").Error; err != nil || !tender.IsActive || tender.SortOrder != 5 {
		t.Fatalf("tender from form = %+v, %v", tender, err)
	}
	// Invalid type re-renders the form with the message beside the field.
	res = w.PostForm("/tenders", url.Values{"code": {"ZZ"}, "name": {"Zz"}, "type": {"BARTER"}})
	res.Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.String(), "must be one of CASH, CARD, OTHER") {
		t.Fatalf("422 page lacks the field message")
	}
	// A duplicate code is a 409 shown beside the code.
	w.PostForm("/tenders", url.Values{"code": {"AMEX"}, "name": {"Again"}, "type": {"CARD"}}).Expect(t, http.StatusConflict)

	w.Get("/tenders/"+tender.ID.String()+"/edit").Expect(t, http.StatusOK)
	w.PostForm("/tenders/"+tender.ID.String(), url.Values{"code": {"AMEX"}, "name": {"American Express"}, "type": {"CARD"}, "isActive": {"false"}}).Expect(t, http.StatusSeeOther)
	app.DB.Take(&tender, "id = ?", tender.ID)
	if tender.Name != "American Express" || tender.IsActive {
		t.Fatalf("edited tender = %+v", tender)
	}
	// Without confirm=yes the delete asks first and changes nothing.
	res = w.PostForm("/tenders/"+tender.ID.String()+"/delete", url.Values{}).Expect(t, http.StatusOK)
	if !strings.Contains(res.String(), `data-testid="confirm-form"`) || app.Count("tenders", "id = ?", tender.ID) != 1 {
		t.Fatal("delete without confirmation did not ask")
	}
	w.PostForm("/tenders/"+tender.ID.String()+"/delete", url.Values{"confirm": {"yes"}}).Expect(t, http.StatusSeeOther)
	if app.Count("tenders", "id = ?", tender.ID) != 0 {
		t.Fatal("confirmed delete left the tender")
	}
	// A cashier can see tenders but not manage them.
	cw := app.SignIn("cashier", "3456")
	res = cw.Get("/tenders").Expect(t, http.StatusOK)
	if strings.Contains(res.String(), `data-testid="tender-new"`) {
		t.Fatal("cashier offered New tender")
	}
	cw.Get("/tenders/new").Expect(t, http.StatusForbidden)
}
