package mipos_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/apptest"
	"backroom/app/integrations/mipos"
	"backroom/app/inventory"
	"backroom/app/money"
	"backroom/models"
)

const (
	publicURL    = "https://backroom.example"
	clientSecret = "9468da7ccaed13055abcf183fb05c73e8cfc48c5"
	invSystemID  = "3d40a24e-d570-4598-ae68-e20687edd1f9"
)

type env struct {
	t     *testing.T
	app   *apptest.App
	hub   *hub
	token string
	store models.Store
	id    string // the integration
}

// setup starts the app with the demo catalogue and a fake hub, and creates an enabled miPOS
// integration for S003 (America/Chicago) (which registers its webhook with the hub).
func setup(t *testing.T) *env {
	app := apptest.NewWith(t, apptest.Options{Demo: true, Env: map[string]string{"PUBLIC_URL": publicURL}})
	e := &env{t: t, app: app, hub: newHub(t), token: app.Login("admin", "1234"), store: storeByCode(t, app, "S003")}
	e.id = e.create("miPOS S003", true, hubToken)
	return e
}

func storeByCode(t *testing.T, app *apptest.App, code string) models.Store {
	var s models.Store
	if err := app.DB.Take(&s, "code = ?", code).Error; err != nil {
		t.Fatalf("demo store %s: %v", code, err)
	}
	return s
}

func (e *env) create(name string, enabled bool, accessToken string) string {
	var v struct{ ID string }
	e.app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "mipos", "name": name, "enabled": enabled, "storeId": e.store.ID,
		"settings": map[string]any{"baseUrl": e.hub.srv.URL, "posStoreId": e.hub.storeID, "userIdTps": "30", "inventorySystemId": invSystemID},
		"secrets":  map[string]string{"accessToken": accessToken, "clientSecret": clientSecret}}, e.token).
		Expect(e.t, http.StatusCreated).Data(e.t, &v)
	return v.ID
}

type run struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Total   int    `json:"total"`
	Sent    int    `json:"sent"`
	Failed  int    `json:"failed"`
	Message string `json:"message"`
}

// sync runs a full sync to the end (jobs must be started).
func (e *env) sync() run {
	var r run
	e.app.Do("POST", "/api/v1/integrations/"+e.id+"/run", nil, e.token).Expect(e.t, http.StatusAccepted).Data(e.t, &r)
	e.app.Eventually("sync run finishes", func() bool {
		e.app.Do("GET", "/api/v1/integrations/runs/"+r.ID, nil, e.token).Expect(e.t, http.StatusOK).Data(e.t, &r)
		return r.Status != "queued" && r.Status != "running"
	})
	return r
}

// move applies one stock change as every area does, through the app's ledger in a transaction.
func (e *env) move(store models.Store, productID uuid.UUID, delta int64, typ string) models.InventoryMovement {
	var out []models.InventoryMovement
	err := e.app.DB.Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = e.app.App.Ledger.Apply(context.Background(), tx, models.System, inventory.Change{StoreID: store.ID, ProductID: productID,
			Delta: delta, Type: typ, Reason: "test"})
		return err
	})
	if err != nil || len(out) != 1 {
		e.t.Fatalf("apply %d: %v", delta, err)
	}
	return out[0]
}

func (e *env) product(sku string) models.Product {
	var p models.Product
	if err := e.app.DB.Take(&p, "sku = ?", sku).Error; err != nil {
		e.t.Fatalf("product %s: %v", sku, err)
	}
	return p
}

func (e *env) level(productID uuid.UUID) int64 {
	var q []int64
	e.app.DB.Raw(`SELECT quantity FROM inventory_levels WHERE store_id = ? AND product_id = ?`, e.store.ID, productID).Scan(&q)
	if len(q) == 0 {
		return 0
	}
	return q[0]
}

// aProduct is a demo product the hub will know after a sync.
func (e *env) aProduct() models.Product {
	var p models.Product
	if err := e.app.DB.Where("is_active AND deleted_at IS NULL AND EXISTS (SELECT 1 FROM product_suppliers ps WHERE ps.product_id = products.id AND ps.is_preferred)").
		Order("sku").Take(&p).Error; err != nil {
		e.t.Fatalf("no demo product with a preferred supplier: %v", err)
	}
	return p
}

func TestFullSyncSendsItemsWithExactlyTheirUnitsAndSuppliers(t *testing.T) {
	e := setup(t)
	db := e.app.DB
	// A product without a supplier cannot be sent, an inactive one is not sent at all.
	noSup := models.Product{SKU: "NOSUP-1", Name: "Loose item", PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, IsActive: true, TrackStock: true}
	inactive := models.Product{SKU: "OLD-1", Name: "Retired item", PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, IsActive: false}
	if err := db.Create(&noSup).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&inactive).Error; err != nil {
		t.Fatal(err)
	}
	first := e.aProduct()
	e.move(e.store, first.ID, 11220-e.level(first.ID), models.MoveAdjustment)      // S003 now holds 11.22 of it
	e.move(storeByCode(e.t, e.app, "S002"), first.ID, 5000, models.MoveAdjustment) // another store's stock is not ours to send

	var sendable int64
	db.Raw(`SELECT count(*) FROM products p WHERE p.is_active AND p.deleted_at IS NULL
		AND EXISTS (SELECT 1 FROM product_suppliers ps WHERE ps.product_id = p.id AND ps.is_preferred)`).Scan(&sendable)
	if sendable < 100 {
		t.Fatalf("demo catalogue has %d products with a preferred supplier; expected about 200", sendable)
	}

	e.app.StartJobs()
	r := e.sync()
	if r.Status != "partial" || r.Sent != int(sendable) || r.Failed != 1 || r.Total != int(sendable)+1 {
		t.Fatalf("run = %+v, want partial with %d sent and 1 failed", r, sendable)
	}
	var errs []models.IntegrationError
	e.app.Do("GET", "/api/v1/integrations/"+e.id+"/errors", nil, e.token).Expect(t, http.StatusOK).Data(t, &errs)
	if len(errs) != 1 || errs[0].ItemRef != "NOSUP-1" || !strings.Contains(errs[0].Message, "no preferred supplier") {
		t.Fatalf("errors = %+v, want one for NOSUP-1", errs)
	}

	syncs := e.hub.Syncs()
	if len(syncs) != 1 {
		t.Fatalf("hub accepted %d syncs, want 1 request", len(syncs))
	}
	body := syncs[0]
	if body["user_id_tps"] != "30" || body["inventory_system_id"] != invSystemID {
		t.Fatalf("account fields = %v / %v", body["user_id_tps"], body["inventory_system_id"])
	}
	items := body["items"].([]any)
	if len(items) != int(sendable) {
		t.Fatalf("items = %d, want %d", len(items), sendable)
	}
	wantUnits, wantSuppliers := map[string]bool{}, map[string]bool{}
	for _, it := range items {
		it := it.(map[string]any)
		if len(it) != 7 {
			t.Fatalf("item has fields %v, want the seed's seven", it)
		}
		sku := it["external_id"].(string)
		if sku == "NOSUP-1" || sku == "OLD-1" {
			t.Fatalf("%s was sent", sku)
		}
		p := e.product(sku)
		var sups []uuid.UUID
		db.Model(&models.ProductSupplier{}).Where("product_id = ? AND is_preferred", p.ID).Pluck("supplier_id", &sups)
		if len(sups) != 1 {
			t.Fatalf("%s has %d preferred suppliers", sku, len(sups))
		}
		sup := sups[0]
		if it["name"] != p.Name || it["purchase_unit_external_id"] != p.PurchaseUnitID.String() ||
			it["consumption_unit_external_id"] != p.ConsumptionUnitID.String() || it["supplier_external_id"] != sup.String() ||
			it["cost"] != money.Decimal(p.CostPrice) {
			t.Fatalf("item %s = %v; product %+v, preferred supplier %s", sku, it, p, sup)
		}
		wantStock := money.QtyDecimal(e.level(p.ID), 3)
		if p.ID == first.ID && wantStock != "11.220" {
			t.Fatalf("level of %s = %s, want 11.220", sku, wantStock)
		}
		if it["stock"] != wantStock {
			t.Fatalf("item %s stock = %v, want %s (S003's level)", sku, it["stock"], wantStock)
		}
		wantUnits[p.PurchaseUnitID.String()], wantUnits[p.ConsumptionUnitID.String()], wantSuppliers[sup.String()] = true, true, true
	}
	if got := externalIDs(t, body["units"]); !equalSets(got, wantUnits) {
		t.Fatalf("units %v, want exactly the referenced %v", got, wantUnits)
	}
	if got := externalIDs(t, body["suppliers"]); !equalSets(got, wantSuppliers) {
		t.Fatalf("suppliers %v, want exactly the referenced %v", got, wantSuppliers)
	}
	if n := e.app.Count("mipos_items", "integration_id = ?", e.id); n != sendable {
		t.Fatalf("mipos_items = %d, want %d", n, sendable)
	}

	// Once the product has a supplier, the next sync sends it and resolves its error.
	var sup models.Supplier
	db.Order("name").Take(&sup)
	db.Create(&models.ProductSupplier{ProductID: noSup.ID, SupplierID: sup.ID, IsPreferred: true})
	if r := e.sync(); r.Status != "succeeded" || r.Sent != int(sendable)+1 {
		t.Fatalf("second run = %+v", r)
	}
	if n := e.app.Count("integration_errors", "integration_id = ? AND status <> 'resolved'", e.id); n != 0 {
		t.Fatalf("open errors after the fix = %d", n)
	}
}

func externalIDs(t *testing.T, v any) map[string]bool {
	out := map[string]bool{}
	for _, x := range v.([]any) {
		m := x.(map[string]any)
		id := m["external_id"].(string)
		if out[id] {
			t.Fatalf("external id %s listed twice", id)
		}
		out[id] = true
	}
	return out
}

func equalSets(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func TestRefusedSyncKeepsTheHubsMessagesVerbatim(t *testing.T) {
	e := setup(t)
	e.hub.storeID = "someone-else" // the hub answers 409 "You don't have this store available."
	e.app.StartJobs()
	r := e.sync()
	if r.Status != "failed" || !strings.Contains(r.Message, "You don't have this store available.") || !strings.Contains(r.Message, "409") {
		t.Fatalf("run = %+v, want failed with the hub's 409 message", r)
	}
	if n := e.app.Count("mipos_items", ""); n != 0 {
		t.Fatalf("a refused sync marked %d items as known", n)
	}
}

func TestStockUpdatesReachTheHubInOrder(t *testing.T) {
	e := setup(t)
	p := e.aProduct()
	e.move(e.store, p.ID, 5000-e.level(p.ID), models.MoveReceipt) // 5 on hand; the hub does not know it yet: not sent
	e.app.StartJobs()
	e.sync()
	if n := e.app.Count("mipos_stock_updates", ""); n != 0 {
		t.Fatalf("%d updates queued for a product the hub did not know yet", n)
	}

	// The +2 goes through the inventory API as a person would do it.
	var adj struct{ Movement models.InventoryMovement }
	e.app.Do("POST", "/api/v1/inventory/adjustments", map[string]any{"storeId": e.store.ID, "productId": p.ID, "quantity": 2000, "reason": "Received"}, e.token).
		Expect(t, http.StatusCreated).Data(t, &adj)
	plus := adj.Movement
	e.move(e.store, p.ID, -1000, models.MoveSale)
	e.move(storeByCode(e.t, e.app, "S002"), p.ID, 3000, models.MoveAdjustment) // another store: not this hub's
	e.app.Eventually("two stock updates reach the hub", func() bool { return len(e.hub.Updates()) >= 2 })

	got := e.hub.Updates()
	if len(got) != 2 {
		t.Fatalf("hub got %d updates, want 2: %v", len(got), got)
	}
	date := plus.CreatedAt.In(e.store.Location()).Format("2006-01-02 15:04:05")
	want := []map[string]any{
		{"user_id_tps": "30", "inventory_system_id": invSystemID, "current_stock": "7.000", "quantity": "2.000", "date": date,
			"movement_type": float64(1), "external_id": p.SKU},
		{"current_stock": "6.000", "quantity": "1.000", "movement_type": float64(2), "external_id": p.SKU},
	}
	for i, w := range want {
		for k, v := range w {
			if got[i][k] != v {
				t.Fatalf("update %d %s = %v, want %v (update %v)", i+1, k, got[i][k], v, got[i])
			}
		}
	}
	// The hub has the second update as soon as it is sent; the worker marks it sent just after.
	e.app.Eventually("both updates marked sent", func() bool { return e.app.Count("mipos_stock_updates", "status = 'sent'") == 2 })
	if n := e.app.Count("mipos_stock_updates", "status = 'sent' AND attempts = 1"); n != 2 {
		t.Fatalf("sent updates = %d, want 2, each on its first attempt", n)
	}
}

func TestFailedStockUpdateHoldsLaterOnesUntilItIsSent(t *testing.T) {
	e := setup(t)
	p := e.aProduct()
	e.app.StartJobs()
	e.sync()
	e.hub.mu.Lock()
	e.hub.failUpdates = 1
	e.hub.mu.Unlock()

	e.move(e.store, p.ID, 2000, models.MoveAdjustment)
	e.app.Eventually("the first update is refused and backs off", func() bool {
		return e.app.Count("mipos_stock_updates", "status = 'pending' AND attempts = 1 AND next_attempt_at > now()") == 1
	})
	e.move(e.store, p.ID, -1000, models.MoveSale)
	e.app.Eventually("the second update's job has run", func() bool {
		return e.app.Count("river_job", "kind = 'mipos_stock_update' AND state = 'completed'") >= 2
	})
	if got := e.hub.Updates(); len(got) != 0 {
		t.Fatalf("hub got %v while the earlier update was backing off", got)
	}
	// Time passes: the retry becomes due and sends both, oldest first.
	e.app.DB.Exec(`UPDATE mipos_stock_updates SET next_attempt_at = now() WHERE status = 'pending' AND attempts = 1`)
	e.app.DB.Exec(`UPDATE river_job SET scheduled_at = now(), state = 'available' WHERE kind = 'mipos_stock_update' AND state = 'scheduled'`)
	e.app.Eventually("both updates arrive", func() bool { return len(e.hub.Updates()) == 2 })
	got := e.hub.Updates()
	if got[0]["movement_type"] != float64(1) || got[0]["quantity"] != "2.000" || got[1]["movement_type"] != float64(2) || got[1]["quantity"] != "1.000" {
		t.Fatalf("updates out of order: %v", got)
	}
	if n := e.app.Count("mipos_stock_updates", "status = 'sent'"); n != 2 {
		t.Fatalf("sent = %d, want 2", n)
	}
}

func (e *env) webhookURL() string { return e.app.URL + "/webhooks/mipos/" + e.id }

func webhookBody(sku, quantity string, movementType int, now string) []byte {
	b, _ := json.Marshal(map[string]any{"pos_id": "1", "inventory_system_id": invSystemID, "current_stock": "12.44",
		"quantity": quantity, "date": "2020-05-30 12:45:03", "movement_type": movementType, "external_id": sku, "now": now, "store_id": 1})
	return b
}

func TestInboundWebhookMovesStockOnceAndIsNotEchoed(t *testing.T) {
	e := setup(t)
	p := e.aProduct()
	e.move(e.store, p.ID, 10000-e.level(p.ID), models.MoveReceipt) // 10 on hand
	e.app.StartJobs()
	e.sync()

	body := webhookBody(p.SKU, "1.25", 2, "2020-06-01 02:55:18")
	code, answer := e.hub.Deliver(e.webhookURL(), clientSecret, body, "")
	if code != http.StatusNoContent || answer != "" {
		t.Fatalf("signed webhook = %d %q, want 204 with an empty body", code, answer)
	}
	if got := e.level(p.ID); got != 8750 {
		t.Fatalf("level = %d, want 8750", got)
	}
	// The same delivery again (a retry by the hub) applies nothing more.
	if code, _ := e.hub.Deliver(e.webhookURL(), clientSecret, body, ""); code != http.StatusNoContent {
		t.Fatalf("replay = %d, want 204", code)
	}
	if got := e.level(p.ID); got != 8750 {
		t.Fatalf("level after replay = %d, want 8750", got)
	}
	if n := e.app.Count("inventory_movements", "type = 'external' AND product_id = ? AND reference_type = 'mipos'", p.ID); n != 1 {
		t.Fatalf("external movements = %d, want 1", n)
	}
	// A second, different delivery adding stock is applied too.
	if code, _ := e.hub.Deliver(e.webhookURL(), clientSecret, webhookBody(p.SKU, "3", 1, "2020-06-01 02:56:00"), ""); code != http.StatusNoContent {
		t.Fatalf("second delivery = %d", code)
	}
	if got := e.level(p.ID); got != 11750 {
		t.Fatalf("level = %d, want 11750", got)
	}

	// Not echoed: a later movement of ours arrives at the hub alone.
	e.move(e.store, p.ID, -750, models.MoveSale)
	e.app.Eventually("our sale reaches the hub", func() bool { return len(e.hub.Updates()) >= 1 })
	if got := e.hub.Updates(); len(got) != 1 || got[0]["quantity"] != "0.750" || got[0]["current_stock"] != "11.000" {
		t.Fatalf("hub got %v, want only our sale (the hub's own movements are not sent back)", got)
	}
	if n := e.app.Count("mipos_stock_updates", ""); n != 1 {
		t.Fatalf("outbox rows = %d, want 1", n)
	}
}

func TestInboundWebhookRefusals(t *testing.T) {
	e := setup(t)
	p := e.aProduct()
	e.move(e.store, p.ID, 10000-e.level(p.ID), models.MoveReceipt) // 10 on hand
	good := webhookBody(p.SKU, "1", 2, "2020-06-01 03:00:00")
	tests := []struct {
		name      string
		url       string
		body      []byte
		signature string // "" signs correctly, "-" sends none
		code      int
		message   string
	}{
		{"wrong signature", e.webhookURL(), good, "7c38c67ad234c4cdbe71425b5c961805ac3955d87de40d1d63e09f1f76d1ff61", http.StatusUnauthorized, "signature"},
		{"signed with another secret", e.webhookURL(), good, mipos.Sign("another-secret", good), http.StatusUnauthorized, "signature"},
		{"missing signature", e.webhookURL(), good, "-", http.StatusUnauthorized, "X-Signature-Request"},
		{"not hex", e.webhookURL(), good, "zz", http.StatusUnauthorized, "signature"},
		{"unknown external id", e.webhookURL(), webhookBody("NO-SUCH-SKU", "1", 2, "x"), "", http.StatusNotFound, "NO-SUCH-SKU"},
		{"malformed json", e.webhookURL(), []byte(`{"external_id":`), "", http.StatusUnprocessableEntity, "JSON"},
		{"bad movement type", e.webhookURL(), webhookBody(p.SKU, "1", 5, "x"), "", http.StatusUnprocessableEntity, "movement type"},
		{"non-numeric quantity", e.webhookURL(), webhookBody(p.SKU, "lots", 1, "x"), "", http.StatusUnprocessableEntity, "quantity"},
		{"missing fields", e.webhookURL(), []byte(`{"pos_id":"1"}`), "", http.StatusUnprocessableEntity, "external id"},
		{"unknown integration", e.app.URL + "/webhooks/mipos/" + uuid.NewString(), good, "", http.StatusNotFound, "integration"},
		{"malformed integration id", e.app.URL + "/webhooks/mipos/nope", good, "", http.StatusNotFound, "integration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, answer := e.hub.Deliver(tt.url, clientSecret, tt.body, tt.signature)
			var msg struct{ Message string }
			if err := json.Unmarshal([]byte(answer), &msg); err != nil || code != tt.code || !strings.Contains(msg.Message, tt.message) {
				t.Fatalf("= %d %s, want %d with a message about %q", code, answer, tt.code, tt.message)
			}
		})
	}
	if got := e.level(p.ID); got != 10000 {
		t.Fatalf("level = %d after refused webhooks, want 10000", got)
	}
	if n := e.app.Count("inventory_movements", "type = 'external'"); n != 0 {
		t.Fatalf("external movements = %d, want 0", n)
	}
}

func TestWebhookRegisteredOnEnableAndByButton(t *testing.T) {
	e := setup(t)
	hooks := e.hub.Webhooks()
	if len(hooks) != 1 || hooks[0]["type"] != float64(3) || hooks[0]["url"] != publicURL+"/webhooks/mipos/"+e.id {
		t.Fatalf("registrations = %v, want one of type 3 for %s", hooks, publicURL+"/webhooks/mipos/"+e.id)
	}
	if n := e.app.Count("mipos_webhooks", "integration_id = ? AND registered_at IS NOT NULL AND last_error = ''", e.id); n != 1 {
		t.Fatal("registration not recorded")
	}

	// A disabled integration registers nothing; a wrong token is shown on the page.
	bad := e.create("miPOS wrong token", false, "wrong")
	if n := len(e.hub.Webhooks()); n != 1 {
		t.Fatalf("registrations = %d after creating a disabled integration", n)
	}
	w := e.app.SignIn("admin", "1234")
	page := w.Get("/settings/integrations/"+e.id).Expect(t, http.StatusOK).String()
	if !strings.Contains(page, `data-testid="mipos-section"`) || !strings.Contains(page, publicURL+"/webhooks/mipos/"+e.id) {
		t.Fatal("integration page lacks the miPOS section with the webhook URL")
	}
	w.PostForm("/settings/integrations/"+e.id+"/mipos/webhook", url.Values{}).Expect(t, http.StatusSeeOther)
	if n := len(e.hub.Webhooks()); n != 2 {
		t.Fatalf("registrations = %d after the button, want 2", n)
	}
	w.PostForm("/settings/integrations/"+bad+"/mipos/webhook", url.Values{}).Expect(t, http.StatusSeeOther)
	page = w.Get("/settings/integrations/"+bad).Expect(t, http.StatusOK).String()
	if !strings.Contains(page, `data-testid="mipos-webhook-error"`) || !strings.Contains(page, "401") {
		t.Fatal("the failed registration is not shown")
	}
	if n := e.app.Count("audit_log", "action = 'register_webhook'"); n != 2 {
		t.Fatalf("audited registrations = %d, want 2", n)
	}
	// The button needs the permission and the CSRF token.
	cashier := e.app.SignIn("cashier", "3456")
	cashier.PostForm("/settings/integrations/"+e.id+"/mipos/webhook", url.Values{}).Expect(t, http.StatusForbidden)
	w.Request("POST", "/settings/integrations/"+e.id+"/mipos/webhook", url.Values{"csrf_token": {"forged"}}, nil).Expect(t, http.StatusForbidden)
	if n := len(e.hub.Webhooks()); n != 2 {
		t.Fatalf("registrations = %d after refused posts, want 2", n)
	}
}

func TestConnectionTest(t *testing.T) {
	e := setup(t)
	e.app.Do("POST", "/api/v1/integrations/"+e.id+"/test", nil, e.token).Expect(t, http.StatusOK)
	bad := e.create("miPOS wrong token", false, "wrong")
	res := e.app.Do("POST", "/api/v1/integrations/"+bad+"/test", nil, e.token).Expect(t, http.StatusUnprocessableEntity)
	if msg := res.Env(t).Error; !strings.Contains(msg, "refused the access token (401)") {
		t.Fatalf("error = %q", msg)
	}
	e.hub.srv.Close()
	res = e.app.Do("POST", "/api/v1/integrations/"+e.id+"/test", nil, e.token).Expect(t, http.StatusUnprocessableEntity)
	if msg := res.Env(t).Error; !strings.Contains(msg, "cannot reach miPOS") {
		t.Fatalf("error = %q", msg)
	}
}

func TestSettingsAreRequired(t *testing.T) {
	e := setup(t)
	res := e.app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "mipos", "name": "Incomplete"}, e.token).
		Expect(t, http.StatusUnprocessableEntity)
	var fields []string
	for f := range res.Env(t).Errors {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	want := "secrets.accessToken secrets.clientSecret settings.inventorySystemId settings.posStoreId settings.userIdTps storeId"
	if strings.Join(fields, " ") != want {
		t.Fatalf("errors on %v, want %s", fields, want)
	}
	var v struct{ Settings map[string]string }
	e.app.Do("GET", "/api/v1/integrations/"+e.id, nil, e.token).Expect(t, http.StatusOK).Data(t, &v)
	if v.Settings["scheduleMinutes"] != "0" {
		t.Fatalf("settings = %v, want manual-only by default", v.Settings)
	}
}

func TestStockUpdatesWaitWhileDisabledAndGoOnWhenEnabled(t *testing.T) {
	e := setup(t)
	p := e.aProduct()
	e.app.StartJobs()
	e.sync()
	// A disabled integration queues nothing.
	e.app.DB.Exec(`UPDATE integrations SET enabled = false WHERE id = ?`, e.id)
	e.move(e.store, p.ID, 1000, models.MoveAdjustment)
	if n := e.app.Count("mipos_stock_updates", ""); n != 0 {
		t.Fatalf("a disabled integration queued %d updates", n)
	}
	e.app.DB.Exec(`UPDATE integrations SET enabled = true WHERE id = ?`, e.id)
	e.hub.mu.Lock()
	e.hub.failUpdates = 1
	e.hub.mu.Unlock()
	// The hub is down for the next movement: its update is pending, backing off for 30s.
	e.move(e.store, p.ID, 3000, models.MoveAdjustment)
	e.app.Eventually("the update backs off", func() bool {
		return e.app.Count("mipos_stock_updates", "status = 'pending' AND attempts = 1") == 1
	})
	// Saving the integration (enabled) resumes pending updates at once.
	var v struct {
		Name     string
		StoreID  string
		Settings map[string]string
	}
	e.app.Do("GET", "/api/v1/integrations/"+e.id, nil, e.token).Expect(t, http.StatusOK).Data(t, &v)
	e.app.Do("PUT", "/api/v1/integrations/"+e.id, map[string]any{"kind": "mipos", "name": v.Name, "enabled": true, "storeId": v.StoreID,
		"settings": v.Settings}, e.token).Expect(t, http.StatusOK)
	e.app.Eventually("the update is sent after the save", func() bool { return len(e.hub.Updates()) == 1 })
	if got := e.hub.Updates()[0]; got["quantity"] != "3.000" || got["movement_type"] != float64(1) {
		t.Fatalf("update = %v", got)
	}
	if n := len(e.hub.Webhooks()); n != 2 {
		t.Fatalf("registrations = %d, want 2 (create and save)", n)
	}
}

// The hub retrying one delivery many times at once (more requests than pooled connections):
// every copy is answered 204 and the stock moves once.
func TestInboundWebhookConcurrentReplaysApplyOnce(t *testing.T) {
	e := setup(t)
	p := e.aProduct()
	e.move(e.store, p.ID, 10000-e.level(p.ID), models.MoveReceipt) // 10 on hand
	body := webhookBody(p.SKU, "2", 2, "2020-06-01 04:00:00")
	const copies = 24
	codes := make(chan int, copies)
	for i := 0; i < copies; i++ {
		go func() {
			code, _ := e.hub.Deliver(e.webhookURL(), clientSecret, body, "")
			codes <- code
		}()
	}
	for i := 0; i < copies; i++ {
		if code := <-codes; code != http.StatusNoContent {
			t.Errorf("copy answered %d, want 204", code)
		}
	}
	if got := e.level(p.ID); got != 8000 {
		t.Fatalf("level = %d, want 8000 (one movement of -2)", got)
	}
	if n := e.app.Count("inventory_movements", "type = 'external' AND product_id = ? AND reference_type = 'mipos'", p.ID); n != 1 {
		t.Fatalf("external movements = %d, want 1", n)
	}
}
