package catalogsync_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/models"
)

type env struct {
	t     testing.TB
	app   *apptest.App
	admin string
	store models.Store
}

func setup(t testing.TB) *env {
	app := apptest.New(t)
	_, admin := app.User(nil, "integrations.manage")
	return &env{t: t, app: app, admin: admin, store: app.Store("C1")}
}

type key struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Prefix string `json:"prefix"`
}

// key creates an API key at store (nil: none) with scopes.
func (e *env) key(name string, store *uuid.UUID, scopes ...string) key {
	var k key
	e.app.Do("POST", "/api/v1/integrations/api-keys", map[string]any{"name": name, "storeId": store, "scopes": scopes}, e.admin).
		Expect(e.t, http.StatusCreated).Data(e.t, &k)
	return k
}

// patch sends a sync command with an API key (empty: none).
func (e *env) patch(command, apiKey string, body any) *apptest.Response {
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	req, _ := http.NewRequest(http.MethodPatch, e.app.URL+"/api/v1/catalog/"+command, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if apiKey != "" {
		req.Header.Set("X-Api-Key", apiKey)
	}
	return e.app.Send(req)
}

type result struct {
	Rows       int `json:"rows"`
	Created    int `json:"created"`
	Updated    int `json:"updated"`
	Cleared    int `json:"cleared"`
	StockMoved int `json:"stockMoved"`
}

func (e *env) sync(command, apiKey string, body any) result {
	e.t.Helper()
	var r result
	e.patch(command, apiKey, body).Expect(e.t, http.StatusOK).Data(e.t, &r)
	return r
}

func expect(t testing.TB, got result, created, updated, cleared int) {
	t.Helper()
	if got.Created != created || got.Updated != updated || got.Cleared != cleared {
		t.Fatalf("result = %+v, want created %d updated %d cleared %d", got, created, updated, cleared)
	}
}

// linked returns the product source k means by external id ext.
func (e *env) linked(k key, ext string) models.Product {
	e.t.Helper()
	var p models.Product
	err := e.app.DB.Raw(`SELECT p.* FROM products p JOIN catalog_sync_links l ON l.product_id = p.id WHERE l.source = ? AND l.external_id = ?`, k.ID, ext).
		Scan(&p).Error
	if err != nil || p.ID == uuid.Nil {
		e.t.Fatalf("no product linked to %s for key %s: %v", ext, k.Prefix, err)
	}
	return p
}

func (e *env) level(p models.Product) int64 {
	var q []int64
	e.app.DB.Raw(`SELECT quantity FROM inventory_levels WHERE store_id = ? AND product_id = ?`, e.store.ID, p.ID).Scan(&q)
	if len(q) == 0 {
		return 0
	}
	return q[0]
}

func TestSyncCreatesAndUpdatesByExternalIDPerSource(t *testing.T) {
	e := setup(t)
	a := e.key("Tipsi feed", &e.store.ID, models.ScopeCatalogWrite)
	b := e.key("Wholesaler feed", &e.store.ID, models.ScopeCatalogWrite)

	// The seed's shape: numeric external ids, barcodes as strings, plus name and price (decimal).
	r := e.sync("sync", a.Key, `[
		{"external_id": 10003, "barcodes": ["00123345"], "in_stock": 12, "name": "Merlot", "price": 12.99},
		{"external_id": "W-2", "barcodes": [], "in_stock": 1.5, "name": "Rosé", "price": "8.50"}]`)
	expect(t, r, 2, 0, 0)
	merlot := e.linked(a, "10003")
	if merlot.SKU != "10003" || merlot.IsActive || merlot.Name != "Merlot" || merlot.SellPrice != 1299 || merlot.Barcode == nil || *merlot.Barcode != "00123345" {
		t.Fatalf("created product = %+v", merlot)
	}
	rose := e.linked(a, "W-2")
	if e.level(merlot) != 12000 || e.level(rose) != 1500 || r.StockMoved != 2 {
		t.Fatalf("levels = %d, %d (moved %d)", e.level(merlot), e.level(rose), r.StockMoved)
	}
	if n := e.app.Count("inventory_movements", "type = 'count' AND reason = 'Catalogue sync' AND reference_type = 'catalog_sync' AND store_id = ?", e.store.ID); n != 2 {
		t.Fatalf("count movements = %d, want 2", n)
	}

	// Another source with the same external id gets a product of its own: SKU and barcode are
	// taken, so it gets an EXT- SKU and no barcode.
	r = e.sync("sync", b.Key, `[{"external_id": 10003, "barcodes": ["00123345"], "name": "Other merlot", "price": 5}]`)
	expect(t, r, 1, 0, 0)
	other := e.linked(b, "10003")
	if other.ID == merlot.ID || other.SKU != "EXT-"+strings.TrimPrefix(b.Prefix, "bk_")+"-10003" || other.Barcode != nil || other.SellPrice != 500 {
		t.Fatalf("second source's product = %+v", other)
	}

	// The first source again: the same product is updated, fields left out are kept.
	r = e.sync("sync", a.Key, `[{"external_id": "10003", "price": 13.49, "in_stock": 10, "name": "Merlot 2020"}]`)
	expect(t, r, 0, 1, 0)
	again := e.linked(a, "10003")
	if again.ID != merlot.ID || again.Name != "Merlot 2020" || again.SellPrice != 1349 || again.Barcode == nil || *again.Barcode != "00123345" || again.IsActive {
		t.Fatalf("updated product = %+v", again)
	}
	if e.level(again) != 10000 {
		t.Fatalf("level = %d, want 10000", e.level(again))
	}
	if n := e.app.Count("inventory_movements", "product_id = ? AND type = 'count' AND quantity = -2000 AND quantity_after = 10000", merlot.ID); n != 1 {
		t.Fatal("the count movement of 12 → 10 is missing")
	}
	if n := e.app.Count("product_changes", "product_id = ? AND field = 'sell_price' AND old_value = '1299' AND new_value = '1349' AND reference_type = 'catalog_sync'", merlot.ID); n != 1 {
		t.Fatal("price change not in the price history")
	}
	if n := e.app.Count("audit_log", "entity_type = 'product' AND entity_id = ? AND username = 'api-key:Tipsi feed'", merlot.ID); n != 2 {
		t.Fatalf("product audit entries = %d, want create and update", n)
	}
	if n := e.app.Count("audit_log", "entity_type = 'catalog_sync'"); n != 3 {
		t.Fatalf("sync audit entries = %d, want 3", n)
	}
	// Sending the same again changes nothing: no movement, no history, still "updated".
	moves := e.app.Count("inventory_movements", "")
	r = e.sync("sync", a.Key, `[{"external_id": "10003", "price": 13.49, "in_stock": 10}]`)
	if r.Updated != 1 || r.StockMoved != 0 || e.app.Count("inventory_movements", "") != moves {
		t.Fatalf("repeat sync = %+v", r)
	}

	// Review lists the created products while they are inactive.
	_, viewer := e.app.User(nil, "products.view")
	var items []struct {
		SKU        string `json:"sku"`
		ExternalID string `json:"externalId"`
		APIKeyName string `json:"apiKeyName"`
	}
	res := e.app.Do("GET", "/api/v1/catalog/review", nil, viewer).Expect(t, http.StatusOK)
	res.Data(t, &items)
	if *res.Env(t).Total != 3 || len(items) != 3 {
		t.Fatalf("review = %s", res.Body)
	}
	e.app.DB.Exec(`UPDATE products SET is_active = true WHERE id = ?`, rose.ID)
	if got := *e.app.Do("GET", "/api/v1/catalog/review", nil, viewer).Expect(t, http.StatusOK).Env(t).Total; got != 2 {
		t.Fatalf("review after activating one = %d, want 2", got)
	}
	e.app.Do("GET", "/api/v1/catalog/review", nil, e.admin).Expect(t, http.StatusForbidden) // integrations.manage only
}

func TestSyncClearZeroesOnlyThatSourcesOthers(t *testing.T) {
	e := setup(t)
	a := e.key("A", &e.store.ID, models.ScopeCatalogWrite)
	b := e.key("B", &e.store.ID, models.ScopeCatalogWrite)
	e.sync("sync", a.Key, `[{"external_id": "e1", "in_stock": 5}, {"external_id": "e2", "in_stock": 3}, {"external_id": "e3", "in_stock": 2}, {"external_id": "e4"}]`)
	e.sync("sync", b.Key, `[{"external_id": "e2", "in_stock": 4}]`)
	mine := models.Product{ID: models.NewID(), SKU: "OURS-1", Name: "Ours", PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, IsActive: true, TrackStock: true}
	if err := e.app.DB.Create(&mine).Error; err != nil {
		t.Fatal(err)
	}
	e.app.DB.Exec(`INSERT INTO inventory_levels (store_id, product_id, quantity) VALUES (?, ?, 7000)`, e.store.ID, mine.ID)

	r := e.sync("sync_clear", a.Key, `[{"external_id": "e1", "in_stock": 6}]`)
	expect(t, r, 0, 1, 2) // e2 and e3 had stock; e4 had none
	if e.level(e.linked(a, "e1")) != 6000 || e.level(e.linked(a, "e2")) != 0 || e.level(e.linked(a, "e3")) != 0 {
		t.Fatal("source A's levels after sync_clear are wrong")
	}
	if e.level(e.linked(b, "e2")) != 4000 || e.level(mine) != 7000 {
		t.Fatal("sync_clear touched another source's product or one of ours")
	}
	if n := e.app.Count("products", "deleted_at IS NOT NULL"); n != 0 {
		t.Fatal("sync_clear deleted products")
	}
	if n := e.app.Count("inventory_movements", "type = 'count' AND quantity_after = 0 AND reference_type = 'catalog_sync'"); n != 2 {
		t.Fatalf("clearing movements = %d, want 2", n)
	}
	r = e.sync("sync_clear", a.Key, `[{"external_id": "e1", "in_stock": 6}]`)
	expect(t, r, 0, 1, 0)
}

func TestBadRowWritesNothing(t *testing.T) {
	e := setup(t)
	a := e.key("A", &e.store.ID, models.ScopeCatalogWrite)
	e.sync("sync", a.Key, `[{"external_id": "keep", "in_stock": 1, "name": "Kept", "price": 1}]`)
	counts := func() string {
		return fmt.Sprint(e.app.Count("products", ""), e.app.Count("catalog_sync_links", ""), e.app.Count("inventory_movements", ""),
			e.app.Count("audit_log", ""), e.app.Count("product_changes", ""))
	}
	before := counts()
	res := e.patch("sync", a.Key, `[
		{"external_id": "keep", "in_stock": 9, "name": "Changed", "price": 2},
		{"external_id": "n1", "price": 12.999},
		{"external_id": "n2", "in_stock": -1},
		{"external_id": "n2"},
		{"barcodes": ["x"]},
		{"external_id": "n3", "barcodes": ["4006381333932"]},
		7]`).Expect(t, http.StatusUnprocessableEntity)
	var body struct {
		Error     string              `json:"error"`
		Errors    map[string][]string `json:"errors"`
		RowErrors []struct {
			Row        int    `json:"row"`
			ExternalID string `json:"externalId"`
			Field      string `json:"field"`
			Message    string `json:"message"`
		} `json:"rowErrors"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range body.RowErrors {
		got = append(got, fmt.Sprintf("%d:%s:%s", r.Row, r.ExternalID, r.Field))
	}
	want := "1:n1:price 2:n2:in_stock 3:n2:external_id 4::external_id 5:n3:barcodes 6::row"
	if strings.Join(got, " ") != want || len(body.Errors["[1].price"]) != 1 || !strings.Contains(body.Error, "nothing was written") {
		t.Fatalf("row errors = %v, want %s\n%s", got, want, res.Body)
	}
	if counts() != before {
		t.Fatalf("a refused request wrote something: %s → %s", before, counts())
	}

	e.patch("sync", a.Key, `[{"external_id": 1`).Expect(t, http.StatusBadRequest)
	e.patch("sync", a.Key, `{"external_id": 1}`).Expect(t, http.StatusBadRequest)
	e.patch("sync", a.Key, `null`).Expect(t, http.StatusBadRequest)

	// A key without a store may update names and prices, but not stock.
	hq := e.key("HQ feed", nil, models.ScopeCatalogWrite)
	e.patch("sync", hq.Key, `[{"external_id": "h1", "in_stock": 1}]`).Expect(t, http.StatusUnprocessableEntity)
	e.patch("sync_clear", hq.Key, `[]`).Expect(t, http.StatusUnprocessableEntity)
	expect(t, e.sync("sync", hq.Key, `[{"external_id": "h1", "name": "Priced at HQ", "price": 3}]`), 1, 0, 0)
}

func TestKeysScopesAndBodyLimit(t *testing.T) {
	e := setup(t)
	good := e.key("A", &e.store.ID, models.ScopeCatalogWrite)
	reader := e.key("Reader", &e.store.ID, models.ScopeCatalogRead)
	body := `[{"external_id": "x", "in_stock": 1}]`
	e.patch("sync", "", body).Expect(t, http.StatusUnauthorized)
	e.patch("sync", good.Key+"nope", body).Expect(t, http.StatusUnauthorized)
	e.patch("sync", "not-a-key", body).Expect(t, http.StatusUnauthorized)
	e.patch("sync_clear", reader.Key, body).Expect(t, http.StatusForbidden)
	// A bearer token of a person is not an API key.
	req, _ := http.NewRequest(http.MethodPatch, e.app.URL+"/api/v1/catalog/sync", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.admin)
	e.app.Send(req).Expect(t, http.StatusUnauthorized)
	e.app.Do("DELETE", "/api/v1/integrations/api-keys/"+good.ID, nil, e.admin).Expect(t, http.StatusOK)
	e.patch("sync", good.Key, body).Expect(t, http.StatusUnauthorized)
	if n := e.app.Count("products", ""); n != 0 {
		t.Fatalf("refused requests created %d products", n)
	}
	fresh := e.key("B", &e.store.ID, models.ScopeCatalogWrite)
	huge := "[" + strings.Repeat(`{"external_id": "x"},`, (17<<20)/21) + `{"external_id": "y"}]`
	e.patch("sync", fresh.Key, huge).Expect(t, http.StatusRequestEntityTooLarge)
}

func TestReviewPage(t *testing.T) {
	app := apptest.NewDemo(t)
	e := &env{t: t, app: app, admin: app.Login("admin", "1234")}
	app.DB.Take(&e.store, "code = ?", "S001")
	k := e.key("Review feed", &e.store.ID, models.ScopeCatalogWrite)
	e.sync("sync", k.Key, `[{"external_id": "RV-1", "name": "Review me", "price": 4.5}, {"external_id": "RV-2", "name": "Me too"}]`)
	w := app.SignIn("admin", "1234")
	page := w.Get("/catalog/review").Expect(t, http.StatusOK).String()
	if strings.Count(page, `data-testid="review-row"`) != 2 || !strings.Contains(page, "Review me") || !strings.Contains(page, "$4.50") || !strings.Contains(page, "Review feed") {
		t.Fatalf("review page lacks the synced products:\n%s", page)
	}
	app.DB.Exec(`UPDATE products SET is_active = true WHERE sku IN ('RV-1', 'RV-2')`)
	if page := w.Get("/catalog/review").Expect(t, http.StatusOK).String(); !strings.Contains(page, `data-testid="empty-state"`) {
		t.Fatal("activated products still listed for review")
	}
}

// rows builds n rows of about 150 bytes each; round changes prices and stock.
func rows(n, round int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"external_id": %d, "barcodes": ["%s"], "in_stock": %d.5, "name": "Bulk wine number %d, vintage %d", "price": %d.%02d}`,
			100000+i, fmt.Sprintf("77%08d", i), (i+round)%40, i, 2000+round, 5+(i+round)%50, i%100)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func TestTenThousandRowsInOneRequest(t *testing.T) {
	e := setup(t)
	a := e.key("Bulk", &e.store.ID, models.ScopeCatalogWrite)
	body := rows(10000, 0)
	if len(body) <= 1<<20 {
		t.Fatalf("body is %d bytes; the test wants more than the /api/v1 group's 1 MiB", len(body))
	}
	start := time.Now()
	r := e.sync("sync", a.Key, body)
	t.Logf("10,000-row sync creating every product (%d KiB): %s", len(body)>>10, time.Since(start))
	expect(t, r, 10000, 0, 0)
	if e.app.Count("products", "NOT is_active") != 10000 || e.app.Count("catalog_sync_links", "source = ?", a.ID) != 10000 ||
		e.app.Count("inventory_levels", "store_id = ? AND quantity > 0", e.store.ID) != 10000 || e.app.Count("audit_log", "entity_type = 'product'") != 10000 {
		t.Fatal("the 10,000-row sync did not commit whole")
	}

	body = rows(10000, 1)
	start = time.Now()
	r = e.sync("sync_clear", a.Key, body)
	t.Logf("10,000-row sync_clear updating every product's price and stock: %s", time.Since(start))
	expect(t, r, 0, 10000, 0)
	if r.StockMoved != 10000 || e.app.Count("product_changes", "reference_type = 'catalog_sync'") != 10000 {
		t.Fatalf("second sync = %+v", r)
	}
	if n := e.app.Count("inventory_levels l", "store_id = ? AND quantity <> (SELECT sum(quantity) FROM inventory_movements m WHERE m.store_id = l.store_id AND m.product_id = l.product_id)", e.store.ID); n != 0 {
		t.Fatalf("%d levels differ from their movements", n)
	}
}

func BenchmarkSync10000Rows(b *testing.B) {
	e := setup(b)
	a := e.key("Bench", &e.store.ID, models.ScopeCatalogWrite)
	e.sync("sync", a.Key, rows(10000, 0))
	bodies := [][]byte{rows(10000, 1), rows(10000, 2)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := e.sync("sync", a.Key, bodies[i%2])
		if r.Updated != 10000 {
			b.Fatalf("result = %+v", r)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/request")
}
