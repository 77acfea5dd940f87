package apikeys_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"backroom/app/apikeys"
	"backroom/app/apptest"
	"backroom/app/server"
	"backroom/models"
)

type created struct {
	ID     string   `json:"id"`
	Key    string   `json:"key"`
	Prefix string   `json:"prefix"`
	Scopes []string `json:"scopes"`
}

func TestCreateListRevoke(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("admin", "1234")
	var k created
	app.Do("POST", "/api/v1/integrations/api-keys", map[string]any{"name": "Web shop", "scopes": []string{"sales.write", "reports.read", "sales.write"}}, token).
		Expect(t, http.StatusCreated).Data(t, &k)
	if !strings.HasPrefix(k.Key, k.Prefix+"_") || len(k.Key) < 40 || len(k.Scopes) != 2 {
		t.Fatalf("created = %+v", k)
	}
	// Only the hash is stored.
	var raw string
	app.DB.Raw(`SELECT row_to_json(k)::text FROM api_keys k WHERE id = ?`, k.ID).Scan(&raw)
	if strings.Contains(raw, k.Key) || !strings.Contains(raw, apikeys.Hash(k.Key)) {
		t.Fatalf("stored row: %s", raw)
	}
	if n := app.Count("audit_log", "after_data::text LIKE ?", "%"+k.Key+"%"); n != 0 {
		t.Fatal("key written to the audit log")
	}
	list := app.Do("GET", "/api/v1/integrations/api-keys", nil, token).Expect(t, http.StatusOK)
	if strings.Contains(list.String(), k.Key) || !strings.Contains(list.String(), k.Prefix) {
		t.Fatalf("list shows the key or not its prefix: %s", list.Body)
	}

	bad := []map[string]any{
		{"name": "", "scopes": []string{"sales.write"}},
		{"name": "x", "scopes": []string{}},
		{"name": "x", "scopes": []string{"everything"}},
		{"name": "x", "scopes": []string{"sales.write"}, "storeId": "01900000-0000-7000-8000-000000000000"},
	}
	for _, b := range bad {
		app.Do("POST", "/api/v1/integrations/api-keys", b, token).Expect(t, http.StatusUnprocessableEntity)
	}
	if n := app.Count("api_keys", ""); n != 1 {
		t.Fatalf("keys = %d after refused creates, want 1", n)
	}
	_, viewer := app.User(nil, "products.view")
	app.Do("GET", "/api/v1/integrations/api-keys", nil, viewer).Expect(t, http.StatusForbidden)

	svc := apikeys.New(app.DB)
	r := gin.New()
	r.GET("/ws/x", svc.Require(models.ScopeReportsRead), func(c *gin.Context) {
		a := server.Actor(c)
		server.OK(c, gin.H{"actor": a.Username, "canReports": a.Can("reports.view_global"), "canSell": a.Can("pos.sell")})
	})
	r.GET("/ws/y", svc.Require(models.ScopeCatalogWrite), func(c *gin.Context) { server.OK(c, nil) })
	call := func(path, key string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("GET", path, nil)
		if key != "" {
			req.Header.Set("X-Api-Key", key)
		}
		r.ServeHTTP(w, req)
		return w
	}
	if w := call("/ws/x", k.Key); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"actor":"api-key:Web shop"`) {
		t.Fatalf("good key: %d %s", w.Code, w.Body)
	}
	if w := call("/ws/y", k.Key); w.Code != http.StatusForbidden {
		t.Fatalf("missing scope: %d", w.Code)
	}
	if w := call("/ws/x", ""); w.Code != http.StatusUnauthorized {
		t.Fatalf("no key: %d", w.Code)
	}
	if w := call("/ws/x", k.Key+"x"); w.Code != http.StatusUnauthorized {
		t.Fatalf("wrong key: %d", w.Code)
	}
	if n := app.Count("api_keys", "last_used_at IS NOT NULL"); n != 1 {
		t.Fatal("last use not recorded")
	}

	app.Do("DELETE", "/api/v1/integrations/api-keys/"+k.ID, nil, token).Expect(t, http.StatusOK)
	app.Do("DELETE", "/api/v1/integrations/api-keys/"+k.ID, nil, token).Expect(t, http.StatusConflict)
	if w := call("/ws/x", k.Key); w.Code != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d", w.Code)
	}
}

func TestSettingsPageKeySection(t *testing.T) {
	app := apptest.NewDemo(t)
	w := app.SignIn("admin", "1234")
	page := w.Get("/settings/integrations").Expect(t, http.StatusOK)
	if !strings.Contains(page.String(), `data-testid="api-key-form"`) {
		t.Fatal("no API key section on the settings page")
	}
	w.PostForm("/settings/api-keys", url.Values{"name": {""}}).Expect(t, http.StatusUnprocessableEntity)
	res := w.PostForm("/settings/api-keys", url.Values{"name": {"Exports"}, "scopes": {"reports.read", "catalog.read"}}).Expect(t, http.StatusOK)
	if !strings.Contains(res.String(), `data-testid="new-api-key"`) || !strings.Contains(res.String(), "bk_") {
		t.Fatal("new key not shown once")
	}
	again := w.Get("/settings/integrations").Expect(t, http.StatusOK)
	var k models.APIKey
	app.DB.Take(&k)
	if strings.Contains(again.String(), "new-api-key") || !strings.Contains(again.String(), k.Prefix) {
		t.Fatal("key shown again, or prefix missing")
	}
}
