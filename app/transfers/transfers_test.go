package transfers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/app/inventory"
	"backroom/app/transfers"
	"backroom/models"
)

type fixture struct {
	app      *apptest.App
	from, to models.Store
	products []models.Product
	admin    string
}

var allTransfers = []string{transfers.PermView, transfers.PermCreate, transfers.PermSend, transfers.PermReceive}

func setup(t *testing.T) *fixture {
	t.Helper()
	app := apptest.New(t)
	f := &fixture{app: app, from: app.Store("S1"), to: app.Store("S2")}
	for i, cost := range []int64{300, 1250} {
		p := models.Product{SKU: fmt.Sprintf("T-%d", i), Name: fmt.Sprintf("Item %d", i), CostPrice: cost, SellPrice: cost * 2,
			PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
		must(t, app.DB.Create(&p).Error)
		f.products = append(f.products, p)
		// 20 units of each at the source.
		pid := p.ID
		_, err := app.App.Ledger.Apply(t.Context(), app.DB, models.System, inventory.Change{StoreID: f.from.ID, ProductID: pid, Delta: 20000, Type: models.MoveAdjustment})
		must(t, err)
	}
	_, f.admin = app.User(nil, allTransfers...)
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) stock(t *testing.T, store, product uuid.UUID) int64 {
	t.Helper()
	var q []int64
	must(t, f.app.DB.Raw("SELECT quantity FROM inventory_levels WHERE store_id = ? AND product_id = ?", store, product).Scan(&q).Error)
	if len(q) == 0 {
		return 0
	}
	return q[0]
}

func path(id uuid.UUID, action string) string {
	if action == "" {
		return "/api/v1/transfers/" + id.String()
	}
	return "/api/v1/transfers/" + id.String() + "/" + action
}

func (f *fixture) do(t *testing.T, method, p string, body any, token string, want int) transfers.Detail {
	t.Helper()
	res := f.app.Do(method, p, body, token).Expect(t, want)
	var d transfers.Detail
	if want < 300 {
		res.Data(t, &d)
	}
	return d
}

func (f *fixture) create(t *testing.T, token string) transfers.Detail {
	t.Helper()
	return f.do(t, "POST", "/api/v1/transfers", map[string]any{"fromStoreId": f.from.ID, "toStoreId": f.to.ID, "notes": "restock",
		"items": []any{map[string]any{"productId": f.products[0].ID, "quantity": 10000}, map[string]any{"productId": f.products[1].ID, "quantity": 4000}}}, token, http.StatusCreated)
}

func TestTransferLifecycle(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.admin)
	if d.Status != models.TransferPending || !strings.HasPrefix(d.Number, "TR-") || len(d.Items) != 2 {
		t.Fatalf("created %+v", d.Transfer)
	}
	// Goods leave the source at once.
	if got := f.stock(t, f.from.ID, f.products[0].ID); got != 10000 {
		t.Fatalf("source stock %d", got)
	}
	f.do(t, "PUT", path(d.ID, "receive"), nil, f.admin, 409)
	d = f.do(t, "PUT", path(d.ID, "send"), map[string]any{"trackingNote": "Van 3"}, f.admin, 200)
	if d.Status != models.TransferInTransit || d.ShippedAt == nil || d.TrackingNote != "Van 3" {
		t.Fatalf("sent %+v", d.Transfer)
	}
	env := f.app.Do("PUT", path(d.ID, "send"), nil, f.admin).Expect(t, 409).Env(t)
	if !strings.Contains(env.Error, "already in transit") {
		t.Fatalf("409 %q", env.Error)
	}
	d = f.do(t, "PUT", path(d.ID, "receive"), nil, f.admin, 200)
	if d.Status != models.TransferCompleted || d.HasDifferences || d.ReceivedAt == nil {
		t.Fatalf("received %+v", d.Transfer)
	}
	if got := f.stock(t, f.to.ID, f.products[1].ID); got != 4000 {
		t.Fatalf("destination stock %d", got)
	}
	for _, a := range []string{"send", "receive", "cancel"} {
		f.do(t, "PUT", path(d.ID, a), nil, f.admin, 409)
	}
}

func TestTransferValidation(t *testing.T) {
	f := setup(t)
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"same store", map[string]any{"fromStoreId": f.from.ID, "toStoreId": f.from.ID, "items": []any{map[string]any{"productId": f.products[0].ID, "quantity": 1000}}}, "toStoreId"},
		{"no items", map[string]any{"fromStoreId": f.from.ID, "toStoreId": f.to.ID, "items": []any{}}, "items"},
		{"zero quantity", map[string]any{"fromStoreId": f.from.ID, "toStoreId": f.to.ID, "items": []any{map[string]any{"productId": f.products[0].ID, "quantity": 0}}}, "items[0].quantity"},
		{"unknown product", map[string]any{"fromStoreId": f.from.ID, "toStoreId": f.to.ID, "items": []any{map[string]any{"productId": uuid.New(), "quantity": 1000}}}, "items[0].productId"},
		{"unknown store", map[string]any{"fromStoreId": f.from.ID, "toStoreId": uuid.New(), "items": []any{map[string]any{"productId": f.products[0].ID, "quantity": 1000}}}, "toStoreId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := f.app.Do("POST", "/api/v1/transfers", c.body, f.admin).Expect(t, 422).Env(t)
			if env.Errors[c.field] == nil {
				t.Fatalf("no error for %s: %+v", c.field, env.Errors)
			}
		})
	}
	if f.app.Count("transfers", "") != 0 || f.stock(t, f.from.ID, f.products[0].ID) != 20000 {
		t.Fatal("a refused transfer wrote rows or moved stock")
	}
}

func TestTransferConservationWithDifferences(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.admin)
	f.do(t, "PUT", path(d.ID, "send"), nil, f.admin, 200)
	// Product 0: 10 sent, 8 arrived (short). Product 1: 4 sent, 5 arrived (over).
	f.do(t, "PUT", path(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"productId": f.products[0].ID, "quantityReceived": 8000}}}, f.admin, 422)
	f.do(t, "PUT", path(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"productId": f.products[1].ID, "quantityReceived": 5000, "reason": "short"}}}, f.admin, 422)
	if f.app.Count("transfers", "id = ? AND status = 'in_transit'", d.ID) != 1 || f.stock(t, f.to.ID, f.products[0].ID) != 0 {
		t.Fatal("refused receipt changed the transfer or stock")
	}
	d = f.do(t, "PUT", path(d.ID, "receive"), map[string]any{"items": []any{
		map[string]any{"productId": f.products[0].ID, "quantityReceived": 8000, "reason": "damaged"},
		map[string]any{"productId": f.products[1].ID, "quantityReceived": 5000, "reason": "over"},
	}}, f.admin, 200)
	if d.Status != models.TransferCompleted || !d.HasDifferences {
		t.Fatalf("received %+v", d.Transfer)
	}
	for _, it := range d.Items {
		var sent int64 = it.Quantity
		received := *it.QuantityReceived
		// Conservation per line: sent = received + difference.
		if sent != received+it.Difference {
			t.Fatalf("line %s: %d ≠ %d + %d", it.ProductID, sent, received, it.Difference)
		}
		// Ledger: source lost what was sent, destination holds what arrived, and the difference
		// is a loss/gain movement referencing the transfer.
		if got := f.stock(t, f.from.ID, it.ProductID); got != 20000-sent {
			t.Fatalf("source stock %d", got)
		}
		if got := f.stock(t, f.to.ID, it.ProductID); got != received {
			t.Fatalf("destination stock %d, want %d", got, received)
		}
		var diff int64
		must(t, f.app.DB.Raw(`SELECT coalesce(sum(quantity), 0) FROM inventory_movements WHERE reference_type = 'transfer' AND reference_id = ? AND product_id = ? AND type = 'adjustment'`, d.ID, it.ProductID).Scan(&diff).Error)
		if diff != -it.Difference {
			t.Fatalf("difference movement %d, want %d", diff, -it.Difference)
		}
	}
	// Settlement: 2 damaged at 3.00 = 6.00 lost; 1 over at 12.50 = 12.50 gained.
	s := d.Settlement
	if s.Sent != 14000 || s.Received != 13000 || s.Difference != 1000 || s.ValueByReason["damaged"] != 600 || s.ValueByReason["over"] != -1250 || s.Value != -650 {
		t.Fatalf("settlement %+v", s)
	}
	list := f.app.Do("GET", "/api/v1/transfers?has_differences=true", nil, f.admin).Expect(t, 200).Env(t)
	if *list.Total != 1 {
		t.Fatalf("%d transfers with differences", *list.Total)
	}
}

func TestCancelReturnsStock(t *testing.T) {
	f := setup(t)
	pending := f.create(t, f.admin)
	f.do(t, "PUT", path(pending.ID, "cancel"), nil, f.admin, 200)
	inTransit := f.create(t, f.admin)
	f.do(t, "PUT", path(inTransit.ID, "send"), nil, f.admin, 200)
	d := f.do(t, "PUT", path(inTransit.ID, "cancel"), nil, f.admin, 200)
	if d.Status != models.TransferCancelled || d.CancelledAt == nil {
		t.Fatalf("cancelled %+v", d.Transfer)
	}
	for _, p := range f.products {
		if got := f.stock(t, f.from.ID, p.ID); got != 20000 {
			t.Fatalf("source stock after cancels %d", got)
		}
		if got := f.stock(t, f.to.ID, p.ID); got != 0 {
			t.Fatalf("destination stock after cancels %d", got)
		}
	}
	for _, a := range []string{"send", "receive", "cancel"} {
		f.do(t, "PUT", path(d.ID, a), nil, f.admin, 409)
	}
}

func TestTransferStoreScope(t *testing.T) {
	f := setup(t)
	third := f.app.Store("S3")
	_, srcMgr := f.app.User(&f.from.ID, allTransfers...)
	_, dstMgr := f.app.User(&f.to.ID, allTransfers...)
	_, outsider := f.app.User(&third.ID, allTransfers...)
	// Only the source's people may send from it.
	f.do(t, "POST", "/api/v1/transfers", map[string]any{"fromStoreId": f.to.ID, "toStoreId": f.from.ID,
		"items": []any{map[string]any{"productId": f.products[0].ID, "quantity": 1000}}}, srcMgr, 403)
	d := f.create(t, srcMgr)
	f.do(t, "GET", path(d.ID, ""), nil, outsider, 404)
	f.do(t, "PUT", path(d.ID, "send"), nil, dstMgr, 403)
	f.do(t, "PUT", path(d.ID, "send"), nil, srcMgr, 200)
	f.do(t, "PUT", path(d.ID, "receive"), nil, srcMgr, 403)
	f.do(t, "PUT", path(d.ID, "receive"), nil, dstMgr, 200)
	if env := f.app.Do("GET", "/api/v1/transfers", nil, outsider).Expect(t, 200).Env(t); *env.Total != 0 {
		t.Fatalf("outsider sees %d transfers", *env.Total)
	}
	if env := f.app.Do("GET", "/api/v1/transfers", nil, dstMgr).Expect(t, 200).Env(t); *env.Total != 1 {
		t.Fatalf("destination sees %d transfers", *env.Total)
	}
}

func TestTransferPages(t *testing.T) {
	f := setup(t)
	web, _ := f.app.WebUser(nil, allTransfers...)
	res := web.Get("/transfers")
	res.Expect(t, 200)
	if !strings.Contains(res.String(), `data-testid="tr-new"`) {
		t.Fatal("no new-transfer button")
	}
	bad := web.PostForm("/transfers", url.Values{"fromStoreId": {f.from.ID.String()}, "toStoreId": {f.from.ID.String()}, "lines": {"T-0 2\nNOPE 1"}})
	bad.Expect(t, 422)
	if !strings.Contains(bad.String(), "NOPE") {
		t.Fatal("unknown code not named")
	}
	res = web.PostForm("/transfers", url.Values{"fromStoreId": {f.from.ID.String()}, "toStoreId": {f.to.ID.String()}, "lines": {"T-0 5\nT-1, 2"}})
	res.Expect(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if page := web.Get(loc).String(); !strings.Contains(page, `data-testid="tr-send-form"`) || !strings.Contains(page, `data-testid="tr-cancel"`) {
		t.Fatal("pending transfer lacks send/cancel")
	}
	web.PostForm(loc+"/send", url.Values{"trackingNote": {"Van 7"}}).Expect(t, http.StatusSeeOther)
	page := web.Get(loc).String()
	if !strings.Contains(page, `data-testid="tr-receive-form"`) || !strings.Contains(page, "Van 7") {
		t.Fatal("in-transit transfer lacks the receive form")
	}
	p0, p1 := f.products[0].ID.String(), f.products[1].ID.String()
	// A shortfall without a reason comes back with the error beside the line.
	res = web.PostForm(loc+"/receive", url.Values{"qty_" + p0: {"4"}, "qty_" + p1: {"2"}})
	res.Expect(t, 422)
	if !strings.Contains(res.String(), "say short or damaged") {
		t.Fatal("missing reason not explained")
	}
	web.PostForm(loc+"/receive", url.Values{"qty_" + p0: {"4"}, "reason_" + p0: {"short"}, "qty_" + p1: {"2"}}).Expect(t, http.StatusSeeOther)
	page = web.Get(loc).String()
	for _, want := range []string{`data-testid="tr-has-differences"`, `data-testid="tr-settlement"`, "-$3.00", `data-testid="timeline-received"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("completed transfer page lacks %s", want)
		}
	}
	if strings.Contains(page, `data-testid="tr-cancel"`) {
		t.Fatal("completed transfer offers cancel")
	}
	if got := f.stock(t, f.to.ID, f.products[0].ID); got != 4000 {
		t.Fatalf("destination stock %d", got)
	}
}

// A search for "%" or "_" looks for those characters, not for every transfer.
func TestSearchWildcardsAreLiteral(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.admin)
	for q, want := range map[string]int64{"%": 0, "_": 0, `\`: 0, d.Number: 1} {
		env := f.app.Do("GET", "/api/v1/transfers?q="+url.QueryEscape(q), nil, f.admin).Expect(t, http.StatusOK).Env(t)
		if env.Total == nil {
			t.Fatalf("q=%q: no total: %+v", q, env)
		}
		if *env.Total != want {
			t.Errorf("q=%q: total %d, want %d", q, *env.Total, want)
		}
	}
}
