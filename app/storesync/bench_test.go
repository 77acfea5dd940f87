package storesync_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/app/sales/salestest"
	"backroom/app/storesync"
	"backroom/models"
)

// addProducts puts n more products in the catalogue by SQL, like an import would.
func addProducts(t testing.TB, app *apptest.App, n int) {
	t.Helper()
	err := app.DB.Exec(`INSERT INTO products (id, sku, name, description, department_id, tax_group_id, cost_price, sell_price,
			purchase_unit_id, consumption_unit_id, track_stock, is_active, created_at, updated_at)
		SELECT gen_random_uuid(), 'BULK-' || g, 'Bulk product ' || g, '', p.department_id, p.tax_group_id, p.cost_price, p.sell_price,
			p.purchase_unit_id, p.consumption_unit_id, true, true, now(), now()
		FROM generate_series(1, ?) g, (SELECT * FROM products ORDER BY sku LIMIT 1) p`, n).Error
	if err != nil {
		t.Fatal(err)
	}
}

// pullAll pages through an entity from version 0 and returns the rows' ids and the pages.
func pullAll(t testing.TB, app *apptest.App, cred, entity string, limit int) (map[string]int, int) {
	t.Helper()
	seen := map[string]int{}
	since, extra, pages := int64(0), "", 0
	for {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/sync/pull?entity_type=%s&since_version=%d&limit=%d%s", app.URL, entity, since, limit, extra), nil)
		req.Header.Set("X-Sync-Token", cred)
		var p pulled
		app.Send(req).Expect(t, http.StatusOK).Data(t, &p)
		pages++
		if len(p.Rows) > limit {
			t.Fatalf("a page of %d rows at limit %d", len(p.Rows), limit)
		}
		for id := range ids(p.Rows) {
			seen[id]++
		}
		since, extra = p.LatestVersion, ""
		if !p.HasMore {
			return seen, pages
		}
		extra = "&since_id=" + p.LatestID.String()
	}
}

// TestPull20000ProductsInPages: a catalogue of 20,000 more products (one transaction, one
// version) comes in pages of at most the limit, each product exactly once.
func TestPull20000ProductsInPages(t *testing.T) {
	e := newEnv(t)
	cred := e.provision("S001")
	addProducts(t, e.App, 20000)
	e.settle()
	total := e.Count("products", "true")
	seen, pages := pullAll(t, e.App, cred, "products", 5000)
	if int64(len(seen)) != total {
		t.Fatalf("pulled %d products of %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("product %s came %d times", id, n)
		}
	}
	if want := int(total/5000) + 1; pages != want {
		t.Fatalf("%d products at 5,000 a page took %d pages, want %d", total, pages, want)
	}
}

// BenchmarkPull20000Products: rows per second a store pulls a 20,000-product catalogue at,
// beside the rate the database alone reads the same rows into the same Go type (the ratio is
// the cost of the pull's paging, scoping and JSON).
func BenchmarkPull20000Products(b *testing.B) {
	app := apptest.NewDemo(b)
	admin := app.Login("admin", "1234")
	var store models.Store
	app.DB.Take(&store, "code = 'S001'")
	cred := provisioned(b, app, admin, store)
	addProducts(b, app, 20000)
	total := app.Count("products", "true")

	start := time.Now()
	for range b.N {
		var rows []models.Product
		if err := app.DB.Raw("SELECT * FROM products ORDER BY sync_version, id").Scan(&rows).Error; err != nil {
			b.Fatal(err)
		}
	}
	raw := float64(total) * float64(b.N) / time.Since(start).Seconds()

	b.ResetTimer()
	for range b.N {
		if seen, _ := pullAll(b, app, cred, "products", 5000); int64(len(seen)) != total {
			b.Fatalf("pulled %d of %d", len(seen), total)
		}
	}
	rate := float64(total) * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(raw, "raw-rows/s")
	b.ReportMetric(rate/raw, "pull/raw")
}

// BenchmarkPush500Sales: sales per second a store's batches of 500 are booked at, beside the
// rate the database alone takes the same sales, lines and payments as plain INSERTs (the ratio
// is the cost of idempotency, checks, tax lines, stock and audit).
func BenchmarkPush500Sales(b *testing.B) {
	f := salestest.New(b)
	cred := provisioned(b, f.App, f.Admin, f.Store)
	batch := func(round int) []byte {
		items := make([]item, 500)
		for i := range items {
			body := f.Body(f.Store, fmt.Sprintf("B-%d-%03d", round, i), "", []salestest.Line{{Product: f.Coffee, Quantity: 1000}, {Product: f.Muffin, Quantity: 2000}})
			body["id"] = uuid.New()
			items[i] = item{Type: "sale", ID: fmt.Sprintf("b-%d-%03d", round, i), Payload: body}
		}
		out, _ := json.Marshal(map[string]any{"batchId": fmt.Sprint(round), "items": items})
		return out
	}

	start := time.Now()
	for round := range b.N {
		err := f.DB.Exec(`WITH s AS (
				INSERT INTO sales (id, store_id, receipt_number, terminal_id, status, subtotal, tax_total, discount_total, grand_total, paid_total, change_due, sold_at)
				SELECT gen_random_uuid(), @store, 'RAW-' || CAST(@round AS text) || '-' || g, '', 'completed', 1699, 186, 0, 1885, 1885, 0, now() FROM generate_series(1, 500) g
				RETURNING id),
			i AS (
				INSERT INTO sale_items (id, sale_id, line_no, product_id, product_name, quantity, unit_price, tax_amount, line_total)
				SELECT gen_random_uuid(), s.id, l.n, CASE l.n WHEN 1 THEN CAST(@coffee AS uuid) ELSE CAST(@muffin AS uuid) END, 'x', 1000 * l.n, 999, 93, 1092
				FROM s, (VALUES (1), (2)) l(n))
			INSERT INTO sale_payments (id, sale_id, line_no, tender_id, method, tender_type, amount)
			SELECT gen_random_uuid(), s.id, 1, (SELECT id FROM tenders WHERE upper(code) = 'CASH'), 'CASH', 'CASH', 1885 FROM s`,
			map[string]any{"store": f.Store.ID, "round": fmt.Sprint(round), "coffee": f.Coffee.ID, "muffin": f.Muffin.ID}).Error
		if err != nil {
			b.Fatal(err)
		}
	}
	raw := 500 * float64(b.N) / time.Since(start).Seconds()

	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = batch(i)
	}
	b.ResetTimer()
	for i := range b.N {
		req, _ := http.NewRequest(http.MethodPost, f.URL+"/api/v1/sync/push", bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Sync-Token", cred)
		var out storesync.Pushed
		f.Send(req).Expect(b, http.StatusOK).Data(b, &out)
		if out.Counts.Applied != 500 {
			b.Fatalf("counts %+v", out.Counts)
		}
	}
	rate := 500 * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "sales/s")
	b.ReportMetric(raw, "raw-sales/s")
	b.ReportMetric(rate/raw, "push/raw")
}
