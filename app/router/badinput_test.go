package router_test

import (
	"bytes"
	"io"
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
		`{"sellPrice":99999999999999999999,"quantity":-9223372036854775808,"unitCost":9223372036854775807}`}
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
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode >= 500 {
					t.Errorf("%s %s%s body %.40q -> %d %s", r.Method, path, q, b, res.StatusCode, truncate(string(body)))
				}
			}
		}
	}
	web := app.SignIn("admin", "1234")
	forms := []url.Values{{}, {"quantity": {"abc"}, "price": {"1e99"}, "storeId": {"x"}, "productId": {"y"}, "sellPrice": {"-"}, "name": {strings.Repeat("n", 3000)}, "code": {"c"}, "date": {"2026-99-99"}, "startDate": {"x"}, "endDate": {"y"}, "items": {"z"}, "newSellPrice": {"abc"}, "confirm": {"yes"}, "reason": {""}, "counted": {"1.2.3"}, "value": {"99999999999999999999"}, "field": {"zz"}, "unitCost": {"-5"}, "expectedDate": {"tomorrow"}, "permissions": {"nope"}, "timeZone": {"Mars/Olympus"}}}
	n := 0
	for _, r := range eng.Routes() {
		if strings.HasPrefix(r.Path, "/api/") || strings.HasPrefix(r.Path, "/ws/") || strings.HasPrefix(r.Path, "/webhooks/") {
			continue
		}
		path := fill(r.Path)
		for _, q := range []string{"", "?page=-1&pageSize=99999&date_from=bad&store_id=x&product_id=y&tab=zz&status=zz&q=%27%22&department_id=k"} {
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
