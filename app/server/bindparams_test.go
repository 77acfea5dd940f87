package server_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// queryContext is a GET request with the query string q.
func queryContext(q string) *gin.Context {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodGet, "/x?"+q, nil)
	return c
}

// formContext is a form post of v.
func formContext(v url.Values) *gin.Context {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(v.Encode()))
	c.Request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c
}

// tristate is a ParamUnmarshaler with a rule of its own: yes, no, or "any" for no filter.
type tristate struct{ v *bool }

func (t *tristate) UnmarshalParam(s string) error {
	switch s {
	case "any":
		t.v = nil
	case "yes", "no":
		b := s == "yes"
		t.v = &b
	default:
		return errors.New("must be yes, no or any")
	}
	return nil
}

// day fails with an answer of its own, which the binder must pass on as it is.
type day string

func (d *day) UnmarshalParam(s string) error {
	if len(s) != 10 {
		return models.BadRequest("date_from must be a date like 2026-03-31")
	}
	*d = day(s)
	return nil
}

type listQuery struct {
	StoreID   *uuid.UUID `query:"store_id,storeId"`
	Product   uuid.UUID  `query:"product_id,productId"`
	Search    string     `query:"search,q"`
	Note      *string    `query:"note"`
	Limit     int        `query:"limit"`
	Offset    *int64     `query:"offset"`
	Small     int8       `query:"small"`
	LowStock  bool       `query:"low_stock,lowStock"`
	Negative  *bool      `query:"negative"`
	Preferred tristate   `query:"preferred"`
	From      day        `query:"date_from,dateFrom"`
	Status    string     `json:"state" query:"status" validate:"omitempty,oneof=open closed"`
	Ignored   string
}

func TestBindQueryFillsEachType(t *testing.T) {
	store, product := uuid.New(), uuid.New()
	c := queryContext(url.Values{
		"storeId": {store.String()}, "product_id": {product.String()}, "q": {"  soap  "}, "note": {" hi "},
		"limit": {"-3"}, "offset": {"40"}, "small": {"12"}, "lowStock": {"TRUE"}, "negative": {"0"},
		"preferred": {"yes"}, "dateFrom": {"2026-03-31"}, "status": {"open"}, "Ignored": {"x"},
	}.Encode())
	var got listQuery
	if err := server.BindQuery(c, &got); err != nil {
		t.Fatalf("BindQuery: %v", err)
	}
	yes, no, note, offset := true, false, "hi", int64(40)
	want := listQuery{StoreID: &store, Product: product, Search: "soap", Note: &note, Limit: -3, Offset: &offset, Small: 12,
		LowStock: true, Negative: &no, Preferred: tristate{&yes}, From: "2026-03-31", Status: "open"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestBindQueryAliases(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	tests := []struct {
		name, query string
		want        *uuid.UUID
	}{
		{"canonical name", "store_id=" + a.String(), &a},
		{"alias", "storeId=" + b.String(), &b},
		{"canonical wins over alias", "store_id=" + a.String() + "&storeId=" + b.String(), &a},
		{"blank canonical does not hide the alias", "store_id=&storeId=" + b.String(), &b},
		{"neither", "other=1", nil},
		{"both blank", "store_id=&storeId=", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got listQuery
			if err := server.BindQuery(queryContext(tt.query), &got); err != nil {
				t.Fatalf("BindQuery: %v", err)
			}
			if !reflect.DeepEqual(got.StoreID, tt.want) {
				t.Errorf("store id %v, want %v", got.StoreID, tt.want)
			}
		})
	}
}

func TestBindQueryKeepsDefaultsOfMissingParameters(t *testing.T) {
	got := listQuery{Search: "default", Limit: 25, LowStock: true}
	if err := server.BindQuery(queryContext("search=&limit="), &got); err != nil {
		t.Fatal(err)
	}
	if got.Search != "default" || got.Limit != 25 || !got.LowStock || got.StoreID != nil || got.Note != nil || got.Negative != nil {
		t.Errorf("got %+v, want the defaults kept and the pointers nil", got)
	}
}

func TestQueryOf(t *testing.T) {
	got, err := server.QueryOf[listQuery](queryContext("q=soap&limit=2"))
	if err != nil || got.Search != "soap" || got.Limit != 2 {
		t.Errorf("got %+v, %v; want search soap, limit 2", got, err)
	}
	if _, err := server.QueryOf[listQuery](queryContext("limit=two")); err == nil || err.Error() != "limit must be a whole number" {
		t.Errorf("got %v, want limit must be a whole number", err)
	}
}

// A value that does not parse is 400 naming the parameter as the request spelled it, with
// UUIDQuery's wording for ids; the first such field in the struct is the answer.
func TestBindQueryRefusesMalformedValues(t *testing.T) {
	tests := []struct {
		name, query string
		status      int
		msg         string
	}{
		{"id, canonical name", "store_id=nope", 400, "store_id must be an id"},
		{"id, alias", "storeId=nope", 400, "storeId must be an id"},
		{"id with spaces is sent as it is", "product_id=+" + uuid.NewString(), 400, "product_id must be an id"},
		{"number", "limit=ten", 400, "limit must be a whole number"},
		{"number pointer", "offset=1.5", 400, "offset must be a whole number"},
		{"number out of range", "small=300", 400, "small must be a whole number"},
		{"bool", "negative=yes", 400, "negative must be true or false"},
		{"bool alias", "lowStock=maybe", 400, "lowStock must be true or false"},
		{"unmarshaler's text follows the name", "preferred=sometimes", 400, "preferred must be yes, no or any"},
		{"unmarshaler's own answer stands", "dateFrom=31/3", 400, "date_from must be a date like 2026-03-31"},
		{"first field in order wins", "limit=x&store_id=y", 400, "store_id must be an id"},
		{"malformed before invalid", "status=shut&limit=x", 400, "limit must be a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got listQuery
			err := server.BindQuery(queryContext(tt.query), &got)
			if err == nil {
				t.Fatal("BindQuery accepted it")
			}
			if s := server.Status(err); s != tt.status {
				t.Errorf("status %d, want %d", s, tt.status)
			}
			if err.Error() != tt.msg {
				t.Errorf("message %q, want %q", err.Error(), tt.msg)
			}
		})
	}
}

// Failed validate tags are 422 naming the field by its canonical query name, not its JSON name.
func TestBindQueryValidates(t *testing.T) {
	var got listQuery
	err := server.BindQuery(queryContext("status=shut"), &got)
	if server.Status(err) != http.StatusUnprocessableEntity {
		t.Fatalf("status %d (%v), want 422", server.Status(err), err)
	}
	var me *models.Error
	if !errors.As(err, &me) {
		t.Fatalf("%T is not a *models.Error", err)
	}
	want := map[string][]string{"status": {"must be one of: open, closed"}}
	if !reflect.DeepEqual(me.Fields, want) {
		t.Errorf("fields %v, want %v", me.Fields, want)
	}
	if err := server.BindQuery(queryContext("status=closed"), &got); err != nil {
		t.Errorf("a valid status: %v", err)
	}
}

// A destination the binder cannot fill is a mistake in the code: 500, not the request's fault.
func TestBindRefusesWhatItCannotFill(t *testing.T) {
	var notStruct int
	var withMap struct {
		M map[string]string `query:"m" form:"m"`
	}
	var nested struct {
		P **string `query:"p" form:"p"`
	}
	for name, dst := range map[string]any{"not a pointer": listQuery{}, "not a struct": &notStruct, "a map field": &withMap, "a pointer to a pointer": &nested} {
		for _, bind := range []func(*gin.Context, any) error{server.BindQuery, server.BindForm} {
			err := bind(queryContext("m=1&p=1"), dst)
			if err == nil || server.Status(err) != http.StatusInternalServerError {
				t.Errorf("%s: %v (status %d), want a 500 error", name, err, server.Status(err))
			}
		}
	}
}

// counted is a ParamUnmarshaler that records what it was given.
type counted struct{ got []string }

func (c *counted) UnmarshalParam(s string) error {
	c.got = append(c.got, s)
	if s == "bad" {
		return errors.New("must not be bad")
	}
	return nil
}

type itemForm struct {
	Name     string     `form:"name" validate:"required,max=5"`
	SKU      *string    `form:"sku"`
	Supplier *string    `form:"supplierSku"`
	Quantity int        `form:"quantity" validate:"gt=0"`
	Order    *int       `form:"order"`
	Store    uuid.UUID  `form:"storeId,store_id"`
	Parent   *uuid.UUID `form:"parentId"`
	Active   bool       `form:"isActive"`
	Check    counted    `form:"check"`
	Maybe    *counted   `form:"maybe"`
	Code     string     `json:"code" form:"productCode" validate:"max=3"`
}

func TestBindFormFillsEachType(t *testing.T) {
	store := uuid.New()
	c := formContext(url.Values{
		"name": {" Soap "}, "sku": {""}, "quantity": {" 12 "}, "order": {"3"}, "store_id": {store.String()},
		"isActive": {"false", "true"}, "check": {"a", "b"}, "productCode": {"AB"},
	})
	var got itemForm
	if err := server.BindForm(c, &got); err != nil {
		t.Fatalf("BindForm: %v", err)
	}
	blank, three := "", 3
	want := itemForm{Name: "Soap", SKU: &blank, Quantity: 12, Order: &three, Store: store, Active: true,
		Check: counted{got: []string{"b"}}, Code: "AB"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// A field not posted reads as posted blank, except that a pointer stays nil; a blank number,
// bool or id is no value.
func TestBindFormBlankAndMissingFields(t *testing.T) {
	got := itemForm{Quantity: 7, Active: true}
	err := server.BindForm(formContext(url.Values{"name": {"Soap"}, "order": {" "}, "parentId": {""}, "maybe": {""}}), &got)
	if err != nil {
		t.Fatalf("BindForm: %v", err)
	}
	if got.SKU != nil || got.Supplier != nil || got.Order != nil || got.Parent != nil {
		t.Errorf("pointers %v %v %v %v, want nil", got.SKU, got.Supplier, got.Order, got.Parent)
	}
	if got.Quantity != 7 || !got.Active || got.Store != uuid.Nil {
		t.Errorf("quantity %d, active %v, store %v: want them left as they were", got.Quantity, got.Active, got.Store)
	}
	if !reflect.DeepEqual(got.Check.got, []string{""}) {
		t.Errorf("a missing unmarshaler field was given %q, want one blank", got.Check.got)
	}
	if got.Maybe == nil || !reflect.DeepEqual(got.Maybe.got, []string{""}) {
		t.Errorf("a posted blank unmarshaler pointer is %+v, want it given a blank", got.Maybe)
	}
}

// Every problem comes back in one 422, beside its field; what parsed is filled all the same.
func TestBindFormCollectsEveryProblem(t *testing.T) {
	var got itemForm
	err := server.BindForm(formContext(url.Values{
		"name": {"Toolong"}, "quantity": {"many"}, "order": {"-2"}, "storeId": {"x"}, "isActive": {"on"},
		"check": {"bad"}, "productCode": {"ABCD"},
	}), &got)
	if server.Status(err) != http.StatusUnprocessableEntity {
		t.Fatalf("status %d (%v), want 422", server.Status(err), err)
	}
	var me *models.Error
	if !errors.As(err, &me) {
		t.Fatalf("%T is not a *models.Error", err)
	}
	want := map[string][]string{
		"name":        {"must be at most 5 characters"},
		"quantity":    {"must be a whole number"}, // not also "must be greater than 0"
		"storeId":     {"must be an id"},
		"isActive":    {"must be true or false"},
		"check":       {"must not be bad"},
		"productCode": {"must be at most 3 characters"}, // the form name, not the JSON one
	}
	if !reflect.DeepEqual(me.Fields, want) {
		t.Errorf("fields %v\nwant   %v", me.Fields, want)
	}
	if got.Name != "Toolong" || got.Order == nil || *got.Order != -2 {
		t.Errorf("name %q, order %v: the values that parsed should be filled", got.Name, got.Order)
	}
}

func TestBindFormRequired(t *testing.T) {
	var got itemForm
	err := server.BindForm(formContext(url.Values{"name": {"  "}, "quantity": {"1"}}), &got)
	var me *models.Error
	if !errors.As(err, &me) || !reflect.DeepEqual(me.Fields, map[string][]string{"name": {"is required"}}) {
		t.Errorf("got %v, want name is required", err)
	}
}

func TestFormValuesAreTheTextAsTyped(t *testing.T) {
	c := formContext(url.Values{"name": {" Soap "}, "quantity": {"many"}, "store_id": {"x"}, "isActive": {"false", "true"}, "other": {"y"}})
	got := server.FormValues(c, &itemForm{})
	want := map[string]string{"name": "Soap", "quantity": "many", "storeId": "x", "isActive": "true"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
