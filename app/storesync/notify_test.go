package storesync_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"backroom/app"
	"backroom/app/router"
	"backroom/app/storesync"
	"backroom/models"
)

// TestChangeNotifiesSocketsOnEveryInstance: two head-office instances on one database; a
// product edited through the first reaches a store's socket held on the second within 2 s.
func TestChangeNotifiesSocketsOnEveryInstance(t *testing.T) {
	e := newEnv(t)
	cred := e.provision("S001")
	second, err := app.New(e.Config, e.Pool, e.DB)
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewServer(router.New(second))
	t.Cleanup(other.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(other.URL, "http") + "/api/v1/sync/ws"
	if _, res, err := websocket.Dial(ctx, wsURL, nil); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a socket without a credential: %v %v", res, err)
	}
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"X-Sync-Token": {cred}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()

	var p models.Product
	e.DB.Order("sku").Take(&p)
	start := time.Now()
	e.Do("PUT", "/api/v1/products/"+p.ID.String(), map[string]any{"name": p.Name + " (new)"}, e.admin).Expect(t, http.StatusOK)
	rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
	defer rcancel()
	var n storesync.Notification
	for !slices.Contains(n.EntityTypes, "products") {
		_, b, err := conn.Read(rctx)
		if err != nil {
			t.Fatalf("no notification within 2 s of the edit: %v", err)
		}
		if err := json.Unmarshal(b, &n); err != nil || n.Type != "changed" {
			t.Fatalf("notification %s: %v", b, err)
		}
	}
	t.Logf("notified after %v", time.Since(start))
	var version int64
	e.DB.Raw("SELECT sync_version FROM products WHERE id = ?", p.ID).Scan(&version)
	if n.LatestVersion < version {
		t.Fatalf("the notification's version %d is older than the change's %d", n.LatestVersion, version)
	}
}
