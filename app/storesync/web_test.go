package storesync_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"backroom/app/storesync"
)

var shownToken = regexp.MustCompile(`id="sync-token-value"[^>]*>(brs1\.[A-Za-z0-9_-]+)<`)

// TestSyncPage: the admin sees every store's status, generates a token that is shown once with
// the lines to start the server, confirms before replacing a working credential, and revokes.
func TestSyncPage(t *testing.T) {
	e := newEnv(t)
	admin := e.SignIn("admin", "1234")
	page := admin.Get("/sync").Expect(t, http.StatusOK).String()
	for _, want := range []string{`data-testid="sync-row-S001"`, `data-testid="sync-row-S003"`, "Pending provisioning", `href="/sync"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the Sync page lacks %q", want)
		}
	}
	s1 := e.demo("S001").ID.String()
	res := admin.PostForm("/sync/stores/"+s1+"/token", url.Values{}).Expect(t, http.StatusOK)
	m := shownToken.FindStringSubmatch(res.String())
	if m == nil || !strings.Contains(res.String(), "SYNC_TOKEN="+m[1]) || !strings.Contains(res.String(), "MODE=store") {
		t.Fatalf("the token and its settings are not shown: %.400s", res.String())
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Fatal("the page showing a token may be cached")
	}
	if strings.Contains(admin.Get("/sync").String(), m[1]) {
		t.Fatal("the token is shown again")
	}
	var prov storesync.Provisioned
	e.Do("POST", "/api/v1/sync/provision", map[string]string{"token": m[1]}, "").Expect(t, http.StatusCreated).Data(t, &prov)
	if !strings.Contains(admin.Get("/sync").String(), "Active") {
		t.Fatal("a provisioned store is not shown active")
	}

	// Replacing an active store's credential and revoking are asked first.
	before := e.Count("sync_tokens", "store_id = ?", s1)
	ask := admin.PostForm("/sync/stores/"+s1+"/token", url.Values{}).Expect(t, http.StatusOK).String()
	if !strings.Contains(ask, `data-testid="confirm-form"`) || e.Count("sync_tokens", "store_id = ?", s1) != before {
		t.Fatal("a new token for an active store was issued without asking")
	}
	admin.PostForm("/sync/stores/"+s1+"/revoke", url.Values{}).Expect(t, http.StatusOK)
	e.store(prov.Credential, "/api/v1/sync/status").Expect(t, http.StatusOK)
	admin.PostForm("/sync/stores/"+s1+"/revoke", url.Values{"confirm": {"yes"}}).Expect(t, http.StatusSeeOther)
	e.store(prov.Credential, "/api/v1/sync/status").Expect(t, http.StatusUnauthorized)
	if !strings.Contains(admin.Get("/sync").String(), "Revoked") {
		t.Fatal("a revoked store is not shown revoked")
	}

	// A cashier has no Sync page.
	e.SignIn("cashier", "3456").Get("/sync").Expect(t, http.StatusForbidden)
}

// TestSyncStorePageErrorQueue: a refused item shows on the Sync page and in the store's queue;
// a retry that still fails says so; resolving needs a note and empties the queue.
func TestSyncStorePageErrorQueue(t *testing.T) {
	e := newEnv(t)
	cred := e.provision("S001")
	s1 := e.demo("S001").ID.String()
	push(t, e.App, cred, "b1", []item{{"register_session", "reg-1", map[string]any{"terminalId": "T1"}}})
	admin := e.SignIn("admin", "1234")
	if list := admin.Get("/sync").String(); !regexp.MustCompile(`data-testid="sync-errors-S001"[^>]*>\s*<a[^>]*>1</a>`).MatchString(list) {
		t.Fatal("the Sync page does not count S001's open error")
	}
	page := admin.Get("/sync/stores/"+s1).Expect(t, http.StatusOK).String()
	if !strings.Contains(page, `data-testid="sync-error-reg-1"`) || !strings.Contains(page, "id at the store") ||
		!strings.Contains(page, `data-testid="sync-entities"`) || !strings.Contains(page, "store_product_dynamic") {
		t.Fatalf("the store page lacks the error or the entities: %.300s", page)
	}
	var errID string
	e.DB.Raw("SELECT id::text FROM sync_errors WHERE item_id = 'reg-1'").Scan(&errID)
	admin.PostForm("/sync/errors/"+errID+"/retry", url.Values{}).Expect(t, http.StatusSeeOther)
	if !strings.Contains(admin.Get("/sync/stores/"+s1).String(), "still rejected") {
		t.Fatal("a retry that failed again does not say so")
	}
	refused := admin.PostForm("/sync/errors/"+errID+"/resolve", url.Values{"note": {"  "}}).Expect(t, http.StatusUnprocessableEntity).String()
	if !strings.Contains(refused, "Say what was done") {
		t.Fatal("an empty note is not refused beside the field")
	}
	admin.PostForm("/sync/errors/"+errID+"/resolve", url.Values{"note": {"register opened again by hand"}}).Expect(t, http.StatusSeeOther)
	if page := admin.Get("/sync/stores/" + s1).String(); !strings.Contains(page, `data-testid="sync-errors-empty"`) {
		t.Fatal("the resolved error is still listed")
	}
	e.SignIn("cashier", "3456").Get("/sync/stores/"+s1).Expect(t, http.StatusForbidden)
}
