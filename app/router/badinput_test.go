package router_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"backroom/app/apptest"
)

// TestNoRouteAnswers500ToBadInput sends every route, API and page, malformed and hostile input
// (broken JSON, wrong types, overflowing numbers, long strings, bad query filters) as a signed-in
// administrator, who passes every permission check: whatever a client sends is answered with a
// 4xx, never a 5xx.
func TestNoRouteAnswers500ToBadInput(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("admin", "1234")
	eng := app.Engine
	bodies := []string{`{`, `[]`, `{}`, `null`, `"x"`, `{"quantity":"abc","items":"x","storeId":"nope","productId":12,"price":-1}`,
		`{"items":[{}],"storeId":"00000000-0000-0000-0000-000000000000"}`, `{"items":[{"productId":"zz","quantity":1e40}]}`,
		`{"name":"` + strings.Repeat("x", 5000) + `","code":"` + strings.Repeat("y", 300) + `"}`, `{"date_from":"2026-13-45"}`,
		`{"sellPrice":99999999999999999999,"quantity":-9223372036854775808,"unitCost":9223372036854775807}`,
		`{"name":"a\u0000b","username":"u\u0000","displayName":"d\u0000","sku":"S\u0000","code":"C\u0000","pin":"12\u000034","search":"\u0000"}`}
	for _, r := range eng.Routes() {
		path := fill(r.Path)
		for _, q := range []string{"", "?page=-1&pageSize=99999&date_from=bad&store_id=x&product_id=y&low_stock=maybe&status=zz&active=q&session_id=1"} {
			for _, b := range bodies {
				if r.Method == "GET" && b != "{}" {
					continue
				}
				req, _ := http.NewRequest(r.Method, app.URL+path+q, bytes.NewBufferString(b))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				// Send also checks each answer against the OpenAPI description: the refusal
				// must be one the operation documents, with the error envelope.
				if res := app.Send(req); res.Code >= 500 {
					t.Errorf("%s %s%s body %.40q -> %d %s", r.Method, path, q, b, res.Code, truncate(res.String()))
				}
			}
		}
	}
	web := app.SignIn("admin", "1234")
	forms := []url.Values{{}, {"name": {"a\x00b"}, "username": {"u\x00"}, "displayName": {"d\x00"}, "sku": {"S\x00"}, "code": {"C\x00"}, "password": {"x\x00"}}, {"quantity": {"abc"}, "price": {"1e99"}, "storeId": {"x"}, "productId": {"y"}, "sellPrice": {"-"}, "name": {strings.Repeat("n", 3000)}, "code": {"c"}, "date": {"2026-99-99"}, "startDate": {"x"}, "endDate": {"y"}, "items": {"z"}, "newSellPrice": {"abc"}, "confirm": {"yes"}, "reason": {""}, "counted": {"1.2.3"}, "value": {"99999999999999999999"}, "field": {"zz"}, "unitCost": {"-5"}, "expectedDate": {"tomorrow"}, "permissions": {"nope"}, "timeZone": {"Mars/Olympus"}}}
	n := 0
	for _, r := range eng.Routes() {
		if strings.HasPrefix(r.Path, "/api/") || strings.HasPrefix(r.Path, "/ws/") || strings.HasPrefix(r.Path, "/webhooks/") {
			continue
		}
		path := fill(r.Path)
		for _, q := range []string{"", "?page=-1&pageSize=99999&date_from=bad&store_id=x&product_id=y&tab=zz&status=zz&q=%27%22&department_id=k", "?q=%00&search=a%00b&status=%00"} {
			for _, f := range forms {
				if r.Method == "GET" && len(f) > 0 {
					continue
				}
				n++
				res := web.Request(r.Method, path+q, f, nil)
				if res.Code >= 500 {
					t.Errorf("web %s %s%s -> %d %s", r.Method, path, q, res.Code, truncate(res.String()))
				}
			}
		}
	}
	if len(eng.Routes()) < 300 || n < 400 {
		t.Fatalf("probed %d routes and %d page requests: the route table looks incomplete", len(eng.Routes()), n)
	}
}

// fill puts an id nobody has into every path parameter, so a route answers 404 or checks input.
func fill(path string) string {
	return param.ReplaceAllString(path, "00000000-0000-0000-0000-000000000001")
}

var param = regexp.MustCompile(`[:*][A-Za-z]+`)

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

// A NUL byte in a name, SKU or username is refused as input (PostgreSQL cannot store it), and
// nothing is written.
func TestNULBytesAreRefusedAsInput(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("admin", "1234")
	app.Do("POST", "/api/v1/products", map[string]any{"sku": "NUL-OK", "name": "Fine name", "sellPrice": 100}, tok).Expect(t, http.StatusCreated)
	before := app.Count("products", "true")
	res := app.Do("POST", "/api/v1/products", map[string]any{"sku": "NUL\x00SKU", "name": "Nul\x00name", "sellPrice": 100}, tok)
	if res.Code != http.StatusUnprocessableEntity {
		t.Fatalf("product with a NUL byte: %d %s, want 422", res.Code, res.String())
	}
	if app.Count("products", "true") != before {
		t.Fatal("a product was written")
	}
	if code := app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "ad\x00min", "pin": "1234"}, "").Code; code != http.StatusUnauthorized && code != http.StatusUnprocessableEntity {
		t.Fatalf("sign-in with a NUL in the username: %d, want 401 or 422", code)
	}
}
