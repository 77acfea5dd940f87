package tipsi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"backroom/app/apptest"
	"backroom/app/integrations/tipsi/tipsitest"
	"backroom/app/inventory"
	"backroom/app/money"
	"backroom/models"
)

const apiToken = "tipsi-token-0123456789"

type env struct {
	t      *testing.T
	app    *apptest.App
	fake   *tipsitest.Server
	token  string
	store  models.Store
	other  models.Store
	id     string
	prices map[string]int64 // SKU → the price Tipsi must get at the store, in cents
}

// setup builds an app with a small catalogue of its own (no demo data, so batch size 1 stays
// quick): 20 active products with stock, barcodes and prices from every source the resolver has,
// two inactive ones, and a Tipsi fake holding one product that came from elsewhere.
func setup(t *testing.T) *env {
	app := apptest.New(t)
	_, token := app.User(nil, "integrations.manage")
	e := &env{t: t, app: app, fake: tipsitest.New(t, "19771", apiToken), token: token,
		store: app.Store("T1"), other: app.Store("T2"), prices: map[string]int64{}}
	for i := 1; i <= 22; i++ {
		sku := fmt.Sprintf("TP-%02d", i)
		p := models.Product{ID: models.NewID(), SKU: sku, Name: "Wine " + sku, SellPrice: int64(100*i + 99),
			PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: i <= 20}
		if i%3 != 0 {
			b := fmt.Sprintf("0812%04d", i)
			p.Barcode = &b
		}
		if err := app.DB.Create(&p).Error; err != nil {
			t.Fatal(err)
		}
		e.prices[sku] = p.SellPrice
		switch i {
		case 7:
			e.setLevel(p, -2000) // sold offline below zero: Tipsi gets 0
		case 8:
			// never moved here: no level row at all
		default:
			e.setLevel(p, int64(i)*1000+500) // i and a half units: Tipsi gets i
		}
	}
	// TP-03 has a price of its own at the store, TP-06 only at another store, TP-05 is on special.
	db := app.DB
	exec(t, db, `INSERT INTO store_prices (id, store_id, product_id, price) SELECT ?, ?, id, 250 FROM products WHERE sku = 'TP-03'`, models.NewID(), e.store.ID)
	exec(t, db, `INSERT INTO store_prices (id, store_id, product_id, price) SELECT ?, ?, id, 50 FROM products WHERE sku = 'TP-06'`, models.NewID(), e.other.ID)
	today := time.Now()
	exec(t, db, `INSERT INTO specials (id, product_id, special_price, start_date, end_date) SELECT ?, id, 111, ?, ? FROM products WHERE sku = 'TP-05'`,
		models.NewID(), today.AddDate(0, 0, -2).Format(time.DateOnly), today.AddDate(0, 0, 2).Format(time.DateOnly))
	e.prices["TP-03"], e.prices["TP-05"] = 250, 111
	e.fake.Put("FOREIGN-1", tipsitest.Product{Barcodes: []string{"999"}, InStock: "5", Price: "9.99"})
	return e
}

func exec(t *testing.T, db *gorm.DB, sql string, args ...any) {
	t.Helper()
	if err := db.Exec(sql, args...).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (e *env) product(sku string) models.Product {
	var p models.Product
	if err := e.app.DB.Take(&p, "sku = ?", sku).Error; err != nil {
		e.t.Fatalf("product %s: %v", sku, err)
	}
	return p
}

// setLevel moves the store's stock of p to q through the ledger.
func (e *env) setLevel(p models.Product, q int64) {
	err := e.app.DB.Transaction(func(tx *gorm.DB) error {
		cur, err := inventory.Level(context.Background(), tx, e.store.ID, p.ID)
		if err != nil {
			return err
		}
		_, err = e.app.App.Ledger.Apply(context.Background(), tx, models.System, inventory.Change{StoreID: e.store.ID, ProductID: p.ID,
			Delta: q - cur, Type: models.MoveAdjustment, Reason: "test"})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) create(mode string, batch int, token string) {
	var v struct{ ID string }
	e.app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "tipsi", "name": "Tipsi " + mode, "enabled": true, "storeId": e.store.ID,
		"settings": map[string]any{"baseUrl": e.fake.URL, "tipsiStoreId": "19771", "mode": mode, "batchSize": batch},
		"secrets":  map[string]string{"apiToken": token}}, e.token).Expect(e.t, http.StatusCreated).Data(e.t, &v)
	e.id = v.ID
}

type run struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Total   int    `json:"total"`
	Sent    int    `json:"sent"`
	Failed  int    `json:"failed"`
	Message string `json:"message"`
}

func (e *env) run() run {
	e.t.Helper()
	var r run
	e.app.Do("POST", "/api/v1/integrations/"+e.id+"/run", nil, e.token).Expect(e.t, http.StatusAccepted).Data(e.t, &r)
	e.app.Eventually("Tipsi run finishes", func() bool {
		e.app.Do("GET", "/api/v1/integrations/runs/"+r.ID, nil, e.token).Expect(e.t, http.StatusOK).Data(e.t, &r)
		return r.Status != "queued" && r.Status != "running"
	})
	return r
}

// expectCatalogue checks Tipsi's end state against our catalogue: every active product with its
// whole units in stock at the store, its resolved price and its barcode; every other product Tipsi
// has out of stock; a product from elsewhere untouched by sync and out of stock after sync_clear.
func (e *env) expectCatalogue(mode string) {
	e.t.Helper()
	var ps []models.Product
	e.app.DB.Order("sku").Find(&ps)
	got := e.fake.Products()
	for _, p := range ps {
		tp, ok := got[p.SKU]
		if !p.IsActive || p.DeletedAt != nil {
			if ok && tp.InStock != "0" {
				e.t.Errorf("%s left our catalogue but Tipsi has %s in stock", p.SKU, tp.InStock)
			}
			continue
		}
		if !ok {
			e.t.Errorf("%s missing at Tipsi", p.SKU)
			continue
		}
		var q []int64
		e.app.DB.Raw(`SELECT quantity FROM inventory_levels WHERE store_id = ? AND product_id = ?`, e.store.ID, p.ID).Scan(&q)
		want := int64(0)
		if len(q) == 1 && q[0] > 0 {
			want = q[0] / 1000
		}
		if tp.InStock.String() != fmt.Sprint(want) {
			e.t.Errorf("%s in_stock = %s, want %d", p.SKU, tp.InStock, want)
		}
		if tp.Price.String() != money.Decimal(e.prices[p.SKU]) {
			e.t.Errorf("%s price = %s, want %s", p.SKU, tp.Price, money.Decimal(e.prices[p.SKU]))
		}
		wantBarcodes := ""
		if p.Barcode != nil {
			wantBarcodes = *p.Barcode
		}
		if strings.Join(tp.Barcodes, ",") != wantBarcodes {
			e.t.Errorf("%s barcodes = %v, want [%s]", p.SKU, tp.Barcodes, wantBarcodes)
		}
	}
	foreign := got["FOREIGN-1"].InStock
	if (mode == "sync" && foreign != "5") || (mode == "sync_clear" && foreign != "0") {
		t := e.t
		t.Errorf("product from elsewhere has %s in stock after %s", foreign, mode)
	}
}

// commands lists the batch commands Tipsi received from index from on.
func (e *env) commands(from int) []string {
	var out []string
	for _, r := range e.fake.Requests()[from:] {
		out = append(out, fmt.Sprintf("%s:%d:%d", r.Command, r.Items, r.Status))
	}
	return out
}

func expectRun(t *testing.T, r run, status string, total, sent, failed int) {
	t.Helper()
	if r.Status != status || r.Total != total || r.Sent != sent || r.Failed != failed {
		t.Fatalf("run = %+v, want %s %d/%d/%d", r, status, total, sent, failed)
	}
}

func batches(total, size int) int { return (total + size - 1) / size }

func TestEndStateEqualsCatalogueForAnyBatchSize(t *testing.T) {
	for _, mode := range []string{"sync", "sync_clear"} {
		for _, size := range []int{1, 7, 500} {
			t.Run(fmt.Sprintf("%s/%d", mode, size), func(t *testing.T) {
				e := setup(t)
				e.app.StartJobs()
				e.create(mode, size, apiToken)

				r := e.run()
				expectRun(t, r, "succeeded", 20, 20, 0) // the two inactive products were never sent: nothing to clear
				e.expectCatalogue(mode)
				cmds := e.commands(0)
				if len(cmds) != batches(20, size) {
					t.Fatalf("requests = %v, want %d batches", cmds, batches(20, size))
				}
				for i, c := range cmds {
					want := "sync:"
					if mode == "sync_clear" && i == 0 {
						want = "sync_clear:"
					}
					if !strings.HasPrefix(c, want) {
						t.Fatalf("request %d = %s, want %s… (only the first batch clears)", i, c, want)
					}
				}

				// Between runs: one product deactivated, one deleted, stock and a price move, a product is added.
				db := e.app.DB
				exec(t, db, `UPDATE products SET is_active = false WHERE sku = 'TP-02'`)
				exec(t, db, `UPDATE products SET deleted_at = now() WHERE sku = 'TP-04'`)
				exec(t, db, `UPDATE products SET sell_price = 4321 WHERE sku = 'TP-10'`)
				e.prices["TP-10"] = 4321
				e.setLevel(e.product("TP-01"), 9000)
				added := models.Product{ID: models.NewID(), SKU: "TP-NEW", Name: "New wine", SellPrice: 1500,
					PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
				if err := db.Create(&added).Error; err != nil {
					t.Fatal(err)
				}
				e.prices["TP-NEW"] = 1500
				e.setLevel(added, 3000)

				r = e.run()
				expectRun(t, r, "succeeded", 21, 21, 0) // 19 active + the two that left, sent out of stock
				e.expectCatalogue(mode)
				if got := e.fake.Products()["TP-02"].InStock; got != "0" {
					t.Fatalf("deactivated TP-02 has %s in stock at Tipsi", got)
				}

				r = e.run()
				expectRun(t, r, "succeeded", 19, 19, 0) // what left was cleared once and is not sent again
				e.expectCatalogue(mode)
			})
		}
	}
}

func TestRefusedBatchIsAnErrorAndTheNextRunRecovers(t *testing.T) {
	e := setup(t)
	e.app.StartJobs()
	e.create("sync_clear", 7, apiToken)
	e.fake.Fail = func(n int, _ string) int {
		if n == 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	r := e.run()
	expectRun(t, r, "partial", 20, 13, 7)
	if got := strings.Join(e.commands(0), " "); got != "sync_clear:7:200 sync:7:503 sync:6:200" {
		t.Fatalf("requests = %s", got)
	}
	var errs []models.IntegrationError
	e.app.DB.Where("integration_id = ? AND status = 'open'", e.id).Order("item_ref").Find(&errs)
	if len(errs) != 7 || errs[0].ItemRef != "TP-08" || !strings.Contains(errs[0].Message, "503") {
		t.Fatalf("errors = %+v", errs)
	}
	// The refused batch never reached Tipsi (its first sync): not there, so not in stock.
	if got, ok := e.fake.Products()["TP-08"]; ok {
		t.Fatalf("TP-08 of the refused batch is at Tipsi: %+v", got)
	}

	// When the sync_clear batch itself is refused, the next batch carries the clear.
	e.fake.Fail = func(n int, _ string) int {
		if n == 4 {
			return http.StatusBadGateway
		}
		return 0
	}
	r = e.run()
	expectRun(t, r, "partial", 20, 13, 7)
	if got := strings.Join(e.commands(3), " "); got != "sync_clear:7:502 sync_clear:7:200 sync:6:200" {
		t.Fatalf("requests = %s", got)
	}
	if got := e.fake.Products()["TP-01"].InStock; got != "0" {
		t.Fatalf("TP-01 of the refused first batch has %s in stock", got)
	}

	e.fake.Fail = nil
	r = e.run()
	expectRun(t, r, "succeeded", 20, 20, 0)
	e.expectCatalogue("sync_clear")
	if n := e.app.Count("integration_errors", "integration_id = ? AND status <> 'resolved'", e.id); n != 0 {
		t.Fatalf("%d errors still open after a clean run", n)
	}
}

func TestWrongTokenFailsTheRunAndTheConnectionTest(t *testing.T) {
	e := setup(t)
	e.app.StartJobs()
	e.create("sync", 7, "not-the-token")
	e.app.Do("POST", "/api/v1/integrations/"+e.id+"/test", nil, e.token).Expect(t, http.StatusUnprocessableEntity)
	r := e.run()
	if r.Status != "failed" || !strings.Contains(r.Message, "401") || len(e.fake.Requests()) != 0 {
		t.Fatalf("run = %+v, requests %v", r, e.fake.Requests())
	}
	if got := e.fake.Products()["FOREIGN-1"].InStock; got != "5" {
		t.Fatal("a refused run changed Tipsi")
	}

	// The connection test with the right token sends an empty sync, which changes nothing.
	e.app.Do("PUT", "/api/v1/integrations/"+e.id, map[string]any{"kind": "tipsi", "name": "Tipsi sync", "enabled": true, "storeId": e.store.ID,
		"settings": map[string]any{"baseUrl": e.fake.URL, "tipsiStoreId": "19771", "mode": "sync_clear"},
		"secrets":  map[string]string{"apiToken": apiToken}}, e.token).Expect(t, http.StatusOK)
	e.app.Do("POST", "/api/v1/integrations/"+e.id+"/test", nil, e.token).Expect(t, http.StatusOK)
	if got := strings.Join(e.commands(0), " "); got != "sync:0:200" || e.fake.Products()["FOREIGN-1"].InStock != "5" {
		t.Fatalf("connection test sent %s", got)
	}
}

func TestFakeEnforcesTheSeed(t *testing.T) {
	fake := tipsitest.New(t, "19771", apiToken)
	send := func(path, auth, body string) int {
		req, _ := http.NewRequest(http.MethodPatch, fake.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	const path = "/api/rest/v001/store/19771/ext/"
	seedBatch := `[{"external_id": 10003, "barcodes": ["00123345"], "in_stock": 12},
		{"external_id": 10004, "barcodes": ["08234123"], "in_stock": 12}]`
	cases := []struct {
		name, path, auth, body string
		want                   int
	}{
		{"no token", path + "sync", "", seedBatch, 401},
		{"bearer instead of token", path + "sync", "Bearer " + apiToken, seedBatch, 401},
		{"object body", path + "sync", "Token " + apiToken, `{"external_id": 1, "in_stock": 1}`, 400},
		{"no in_stock", path + "sync", "Token " + apiToken, `[{"external_id": 1}]`, 400},
		{"negative in_stock", path + "sync", "Token " + apiToken, `[{"external_id": 1, "in_stock": -1}]`, 400},
		{"other store", "/api/rest/v001/store/1/ext/sync", "Token " + apiToken, seedBatch, 404},
		{"seed sample", path + "sync", "Token " + apiToken, seedBatch, 200},
	}
	for _, c := range cases {
		if got := send(c.path, c.auth, c.body); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	// The seed's second step: 10005 is created, and sync_clear marks the unpassed 10004 out of stock.
	if got := send(path+"sync_clear", "Token "+apiToken, `[{"external_id": 10003, "barcodes": ["00123345"], "in_stock": 7},
		{"external_id": 10005, "barcodes": ["08123456"], "in_stock": 33}]`); got != 200 {
		t.Fatalf("sync_clear: %d", got)
	}
	got := fake.Products()
	if len(got) != 3 || got["10003"].InStock != "7" || got["10004"].InStock != "0" || got["10005"].InStock != "33" {
		t.Fatalf("state = %+v", got)
	}
}

func TestSettingsPageExplainsSyncClear(t *testing.T) {
	app := apptest.NewDemo(t)
	w := app.SignIn("admin", "1234")
	page := w.Get("/settings/integrations/new?kind=tipsi").Expect(t, http.StatusOK).String()
	for _, want := range []string{"Tipsi catalogue", "the first batch goes as sync_clear", "Authorization: Token"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
