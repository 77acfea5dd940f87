package webhook_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"backroom/app/apptest"
	"backroom/app/sales/salestest"
)

// With the default rule (ALLOW_PRIVATE_TARGETS off) a webhook at this host, a private network or
// the cloud metadata service is refused when saved, and refused again when sent if its address
// was changed behind the form's back.
func TestWebhookToPrivateAddressIsRefusedAtSaveAndSend(t *testing.T) {
	f := salestest.NewWith(t, apptest.Options{Env: map[string]string{"ALLOW_PRIVATE_TARGETS": "false"}})
	for _, target := range []string{"http://127.0.0.1:5432/", "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://localhost:9/hook"} {
		res := f.Do("POST", "/api/v1/integrations", map[string]any{"kind": "webhook", "name": "x " + target, "enabled": true,
			"settings": map[string]any{"url": target}, "secrets": map[string]string{"secret": secret}}, f.Admin).Expect(t, http.StatusUnprocessableEntity)
		if !strings.Contains(res.String(), "settings.url") || !strings.Contains(res.String(), "public internet address") {
			t.Errorf("%s: the refusal does not name the field and the reason: %s", target, res.String())
		}
	}
	if n := f.Count("integrations", "kind = 'webhook'"); n != 0 {
		t.Fatalf("%d webhooks saved with private addresses", n)
	}

	var hits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.Write([]byte("internal secrets")) }))
	defer internal.Close()
	id := addHook(t, f, "public", "https://93.184.216.34/hooks", "", nil)
	f.DB.Exec(`UPDATE integrations SET settings = jsonb_set(settings, '{url}', to_jsonb(?::text)) WHERE id = ?`, internal.URL, id)
	res := f.Do("POST", "/api/v1/integrations/"+id+"/test", nil, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.String(), "public internet address") || strings.Contains(res.String(), "internal secrets") {
		t.Fatalf("test connection to loopback: %s", res.String())
	}
	if hits.Load() != 0 {
		t.Fatalf("the internal service was called %d times", hits.Load())
	}
}

// A receiver answering with a redirect does not get the sale sent on, with its signature, to
// wherever it points: the delivery fails with the 3xx.
func TestWebhookRedirectIsNotFollowed(t *testing.T) {
	f := fixture(t, fast)
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer elsewhere.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/collect", http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	id := addHook(t, f, "redirecting", redirecting.URL, "", nil)
	res := f.Do("POST", "/api/v1/integrations/"+id+"/test", nil, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.String(), "307") {
		t.Fatalf("a redirecting receiver's test: %s", res.String())
	}
	if reached.Load() != 0 {
		t.Fatalf("the redirect target was reached %d times", reached.Load())
	}
}

// Changing a webhook's address needs its signing secret again: a stored secret is only sent to
// the address it was entered for.
func TestChangedAddressNeedsTheSecretAgain(t *testing.T) {
	f := fixture(t, fast)
	id := addHook(t, f, "moving", "https://93.184.216.34/hooks", "", nil)
	res := f.Do("PUT", "/api/v1/integrations/"+id, map[string]any{"kind": "webhook", "name": "moving", "enabled": true,
		"settings": map[string]any{"url": "https://93.184.216.35/hooks"}}, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.String(), "secrets.secret") {
		t.Fatalf("address change without the secret: %s", res.String())
	}
	if n := f.Count("integrations", "id = ? AND settings->>'url' = 'https://93.184.216.34/hooks'", id); n != 1 {
		t.Fatal("the refused change was saved")
	}
	f.Do("PUT", "/api/v1/integrations/"+id, map[string]any{"kind": "webhook", "name": "renamed", "enabled": true,
		"settings": map[string]any{"url": "https://93.184.216.34/hooks"}}, f.Admin).Expect(t, http.StatusOK)
	f.Do("PUT", "/api/v1/integrations/"+id, map[string]any{"kind": "webhook", "name": "renamed", "enabled": true,
		"settings": map[string]any{"url": "https://93.184.216.35/hooks"}, "secrets": map[string]string{"secret": secret + "-new"}}, f.Admin).Expect(t, http.StatusOK)
}
