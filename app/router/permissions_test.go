package router_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"backroom/app/apptest"
)

// Routes any signed-in person may use, whatever their role.
var openToEveryone = map[string]bool{
	"GET /api/v1/auth/me":                 true,
	"POST /api/v1/auth/change-credential": true,
	"POST /api/v1/auth/logout":            true,
	"GET /":                               true,
	"POST /logout":                        true,
	"GET /search":                         true,
	"GET /api/docs":                       true,
	// Seed 002 marks these "JWT": any signed-in person, answering about themselves.
	"GET /api/v1/registers/current":     true,
	"GET /api/v1/stores/current":        true,
	"GET /api/v1/users/store-employees": true,
}

// TestEveryRouteChecksItsPermission signs in a person whose role holds no permission at all and
// calls every route of the API and the pages: each answers 403 (or, where the route is open to
// every signed-in person, is on the list above), and without signing in 401 or the sign-in page.
func TestEveryRouteChecksItsPermission(t *testing.T) {
	app := apptest.NewDemo(t)
	_, token := app.User(nil)
	web, _ := app.WebUser(nil)
	anonymous := app.Web()
	eng := app.Engine

	var checked []string
	for _, r := range eng.Routes() {
		key := r.Method + " " + r.Path
		path := fill(strings.NewReplacer(":slug", "sales-summary", ":file", "export.csv").Replace(r.Path))
		switch {
		case isPublic(r.Path):
			continue
		case strings.HasPrefix(r.Path, "/api/v1/"):
			if res := app.Do(r.Method, path, map[string]any{}, ""); res.Code != http.StatusUnauthorized {
				t.Errorf("%s without a token: %d, want 401", key, res.Code)
			}
			if openToEveryone[key] {
				continue
			}
			if res := app.Do(r.Method, path, map[string]any{}, token); res.Code != http.StatusForbidden {
				t.Errorf("%s with no permission: %d, want 403: %s", key, res.Code, truncate(res.String()))
			}
		default:
			if res := anonymous.Request(r.Method, path, nil, nil); res.Code != http.StatusSeeOther && res.Code != http.StatusUnauthorized && res.Code != http.StatusForbidden {
				t.Errorf("%s signed out: %d, want the sign-in page", key, res.Code)
			}
			if openToEveryone[key] {
				continue
			}
			if res := web.Request(r.Method, path, nil, nil); res.Code != http.StatusForbidden {
				t.Errorf("%s with no permission: %d, want 403", key, res.Code)
			}
		}
		checked = append(checked, key)
	}
	sort.Strings(checked)
	if len(checked) < 300 {
		t.Fatalf("checked only %d routes: the route table looks incomplete", len(checked))
	}
}

// isPublic: routes that need no signed-in person, or that authenticate by API key or signature.
func isPublic(path string) bool {
	for _, p := range []string{"/health", "/ready", "/metrics", "/static/", "/login", "/api/v1/auth/login", "/api/v1/auth/pin-login",
		"/api/v1/auth/refresh", "/webhooks/", "/ws/", "/api/v1/catalog/sync", "/receipts/", "/api/v1/openapi.json",
		"/api/v1/sync/provision", "/api/v1/sync/pull", "/api/v1/sync/status", "/api/v1/sync/push", "/api/v1/sync/ws"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// TestEveryFormNeedsItsCSRFToken posts to every unsafe page route as the administrator, who may
// do anything, but without the form's CSRF token: each is refused with 403 and changes nothing.
func TestEveryFormNeedsItsCSRFToken(t *testing.T) {
	app := apptest.NewDemo(t)
	admin := app.SignIn("admin", "1234")
	eng := app.Engine
	before := app.Count("audit_log", "true")
	n := 0
	for _, r := range eng.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || strings.HasPrefix(r.Path, "/api/") || isPublic(r.Path) {
			continue
		}
		n++
		path := fill(strings.NewReplacer(":slug", "sales-summary", ":file", "export.csv").Replace(r.Path))
		if res := admin.Request(r.Method, path, nil, nil); res.Code != http.StatusForbidden {
			t.Errorf("%s %s without a CSRF token: %d, want 403", r.Method, r.Path, res.Code)
		}
	}
	if n < 90 {
		t.Fatalf("checked only %d form routes: the route table looks incomplete", n)
	}
	if after := app.Count("audit_log", "true"); after != before {
		t.Fatalf("refused posts wrote %d audit entries", after-before)
	}
}
