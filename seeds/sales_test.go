package seeds_test

import (
	"context"
	"testing"

	"backroom/app/apptest"
	"backroom/seeds"
)

// storeFigures are what two fresh demo databases must agree on.
type storeFigures struct {
	Code    string
	Sales   int64
	Refunds int64
	Voids   int64
	Grand   int64
	ZCount  int64
}

func figures(t *testing.T, app *apptest.App) []storeFigures {
	t.Helper()
	var out []storeFigures
	err := app.DB.Raw(`
		SELECT st.code,
		       count(*) AS sales,
		       count(*) FILTER (WHERE s.is_refund) AS refunds,
		       count(*) FILTER (WHERE s.status = 'voided') AS voids,
		       coalesce(sum(s.grand_total) FILTER (WHERE s.status = 'completed'), 0) AS grand,
		       (SELECT count(*) FROM register_sessions r WHERE r.store_id = st.id AND r.z_number IS NOT NULL) AS z_count
		FROM sales s JOIN stores st ON st.id = s.store_id
		WHERE s.receipt_number LIKE 'DEMO-%'
		GROUP BY st.id, st.code ORDER BY st.code`).Scan(&out).Error
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSalesHistory(t *testing.T) {
	app := apptest.NewWith(t, apptest.Options{Demo: true, Sales: true})
	got := figures(t, app)
	if len(got) != 3 {
		t.Fatalf("demo sales at %d shops, want S001–S003: %+v", len(got), got)
	}
	var refunds, voids int64
	for _, f := range got {
		if f.Sales < 5*seeds.SalesHistoryDays || f.Sales > 25*seeds.SalesHistoryDays {
			t.Errorf("%s: %d sales over %d days, want 5–25 a day", f.Code, f.Sales, seeds.SalesHistoryDays)
		}
		if f.ZCount != seeds.SalesHistoryDays-1 {
			t.Errorf("%s: %d Z reports, want one per past day (%d)", f.Code, f.ZCount, seeds.SalesHistoryDays-1)
		}
		refunds += f.Refunds
		voids += f.Voids
	}
	if refunds == 0 || voids == 0 {
		t.Errorf("refunds %d, voids %d: want a few of each", refunds, voids)
	}

	// Today's tills are open (the X report has figures), every sale is in the last two weeks of
	// its store's calendar and none is in the future.
	if n := app.Count("register_sessions", "status = 'open'"); n != 3 {
		t.Errorf("open sessions = %d, want today's at each shop", n)
	}
	if n := app.Count("register_sessions r", "status = 'open' AND NOT EXISTS (SELECT 1 FROM sales s WHERE s.register_session_id = r.id)"); n != 0 {
		t.Errorf("%d open sessions without sales", n)
	}
	if n := app.Count("sales", "sold_at > now()"); n != 0 {
		t.Errorf("%d sales in the future", n)
	}
	if n := app.Count("sales s JOIN stores st ON st.id = s.store_id",
		"(s.sold_at AT TIME ZONE st.time_zone)::date < (now() AT TIME ZONE st.time_zone)::date - ?::int", seeds.SalesHistoryDays-1); n != 0 {
		t.Errorf("%d sales older than the history", n)
	}
	if n := app.Count("register_sessions", "closed_at < opened_at"); n != 0 {
		t.Errorf("%d sessions closed before they opened", n)
	}

	// The ledger explains every level, and most levels stay positive.
	if n := app.Count("inventory_levels l", "l.quantity <> (SELECT coalesce(sum(m.quantity), 0) FROM inventory_movements m WHERE m.store_id = l.store_id AND m.product_id = l.product_id)"); n != 0 {
		t.Errorf("%d levels differ from their movements", n)
	}
	if n := app.Count("sale_items i JOIN sales s ON s.id = i.sale_id",
		"s.status = 'completed' AND NOT EXISTS (SELECT 1 FROM inventory_movements m WHERE m.reference_id = s.id AND m.product_id = i.product_id)"); n != 0 {
		t.Errorf("%d sale lines without a stock movement", n)
	}
	neg := app.Count("inventory_levels", "quantity < 0")
	if all := app.Count("inventory_levels", ""); neg*4 > all {
		t.Errorf("%d of %d levels below zero", neg, all)
	}
	// Products past the history's range are never sold: tests use them for levels of their own.
	if n := app.Count("sale_items i JOIN products p ON p.id = i.product_id",
		"p.sku > (SELECT max(sku) FROM (SELECT sku FROM products WHERE deleted_at IS NULL AND is_active AND track_stock AND tax_group_id IS NOT NULL ORDER BY sku LIMIT ?) f)",
		seeds.SalesHistoryProducts); n != 0 {
		t.Errorf("%d demo sale lines past the first %d products", n, seeds.SalesHistoryProducts)
	}

	// A second run adds nothing.
	tables := []string{"sales", "sale_items", "sale_payments", "register_sessions", "inventory_movements", "audit_log"}
	before := map[string]int64{}
	for _, tb := range tables {
		before[tb] = app.Count(tb, "")
	}
	if err := seeds.Demo(context.Background(), app.DB, app.Config); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	for _, tb := range tables {
		if n := app.Count(tb, ""); n != before[tb] {
			t.Errorf("%s: %d rows after a second run, want %d", tb, n, before[tb])
		}
	}

	// Another fresh database gets the same sales.
	other := figures(t, apptest.NewWith(t, apptest.Options{Demo: true, Sales: true}))
	for i := range got {
		if got[i] != other[i] {
			t.Errorf("second database: %+v, want %+v", other[i], got[i])
		}
	}
}
