package purchasing_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/app/purchasing"
	"backroom/models"
)

// fixture is a store, a supplier, products linked to it, and the people who work a PO.
type fixture struct {
	app                       *apptest.App
	store, other              models.Store
	supplier                  models.Supplier
	products                  []models.Product
	buyer, approver, receiver string // tokens, HQ-wide
	buyerID, approverID       uuid.UUID
}

var allPO = []string{purchasing.PermView, purchasing.PermCreate, purchasing.PermEdit, purchasing.PermApprove, purchasing.PermReceive, purchasing.PermDelete}

func setup(t *testing.T) *fixture {
	t.Helper()
	app := apptest.New(t)
	f := &fixture{app: app, store: app.Store("S1"), other: app.Store("S2")}
	f.supplier = models.Supplier{Name: "Acme Wholesale", IsActive: true}
	must(t, app.DB.Create(&f.supplier).Error)
	for i, cost := range []int64{250, 400, 1000} {
		p := models.Product{SKU: fmt.Sprintf("SKU-%d", i), Name: fmt.Sprintf("Product %d", i), CostPrice: cost, SellPrice: cost * 2,
			PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
		must(t, app.DB.Create(&p).Error)
		f.products = append(f.products, p)
	}
	// The supplier charges 230 for product 0: that is the default unit cost on its POs.
	must(t, app.DB.Create(&models.ProductSupplier{ProductID: f.products[0].ID, SupplierID: f.supplier.ID, Cost: 230, IsPreferred: true}).Error)
	u, tok := app.User(nil, allPO...)
	f.buyer, f.buyerID = tok, u.ID
	u, tok = app.User(nil, allPO...)
	f.approver, f.approverID = tok, u.ID
	_, f.receiver = app.User(nil, purchasing.PermView, purchasing.PermReceive)
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) create(t *testing.T, token string, items ...map[string]any) purchasing.Detail {
	t.Helper()
	if items == nil {
		items = []map[string]any{{"productId": f.products[0].ID, "quantity": 10000}, {"productId": f.products[1].ID, "quantity": 2500, "unitCost": 420}}
	}
	res := f.app.Do("POST", "/api/v1/purchase-orders", map[string]any{
		"supplierId": f.supplier.ID, "storeId": f.store.ID, "notes": "weekly", "expectedDate": "2026-12-01", "items": items,
	}, token).Expect(t, http.StatusCreated)
	var d purchasing.Detail
	res.Data(t, &d)
	return d
}

func (f *fixture) do(t *testing.T, method, path string, body any, token string, want int) purchasing.Detail {
	t.Helper()
	res := f.app.Do(method, path, body, token).Expect(t, want)
	var d purchasing.Detail
	if want < 300 {
		res.Data(t, &d)
	}
	return d
}

func poPath(id uuid.UUID, action string) string {
	if action == "" {
		return "/api/v1/purchase-orders/" + id.String()
	}
	return "/api/v1/purchase-orders/" + id.String() + "/" + action
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

func TestCreateDefaultsAndTotals(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.buyer)
	if d.Status != models.PODraft || !strings.HasPrefix(d.Number, "PO-") || len(d.Items) != 2 {
		t.Fatalf("created %+v", d.PurchaseOrder)
	}
	// 10 × 230 (supplier cost) + 2.5 × 420 = 2300 + 1050.
	if d.Items[0].UnitCost != 230 || d.Items[1].UnitCost != 420 || d.Total != 3350 {
		t.Fatalf("costs %d %d total %d", d.Items[0].UnitCost, d.Items[1].UnitCost, d.Total)
	}
	if d.ExpectedDate == nil || d.ExpectedDate.String() != "2026-12-01" {
		t.Fatalf("expected date %v", d.ExpectedDate)
	}
	// A product without a supplier cost defaults to its own cost.
	d2 := f.create(t, f.buyer, map[string]any{"productId": f.products[2].ID, "quantity": 1000})
	if d2.Items[0].UnitCost != 1000 {
		t.Fatalf("default cost %d", d2.Items[0].UnitCost)
	}
}

func TestCreateValidation(t *testing.T) {
	f := setup(t)
	inactive := models.Supplier{Name: "Gone Ltd"}
	must(t, f.app.DB.Create(&inactive).Error)
	must(t, f.app.DB.Model(&inactive).Update("is_active", false).Error)
	cases := []struct {
		name  string
		body  any
		want  int
		field string
	}{
		{"inactive supplier", map[string]any{"supplierId": inactive.ID, "storeId": f.store.ID}, 422, "supplierId"},
		{"unknown store", map[string]any{"supplierId": f.supplier.ID, "storeId": uuid.New()}, 422, "storeId"},
		{"zero quantity", map[string]any{"supplierId": f.supplier.ID, "storeId": f.store.ID, "items": []any{map[string]any{"productId": f.products[0].ID, "quantity": 0}}}, 422, "items[0].quantity"},
		{"unknown product", map[string]any{"supplierId": f.supplier.ID, "storeId": f.store.ID, "items": []any{map[string]any{"productId": uuid.New(), "quantity": 1000}}}, 422, "items[0].productId"},
		{"bad date", map[string]any{"supplierId": f.supplier.ID, "storeId": f.store.ID, "expectedDate": "next week"}, 422, "expectedDate"},
		{"malformed", `{"supplierId":`, 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := f.app.Do("POST", "/api/v1/purchase-orders", c.body, f.buyer).Expect(t, c.want).Env(t)
			if c.field != "" && env.Errors[c.field] == nil {
				t.Fatalf("no error for %s: %+v", c.field, env.Errors)
			}
		})
	}
	if n := f.app.Count("purchase_orders", ""); n != 0 {
		t.Fatalf("%d orders written by failed creates", n)
	}
}

func TestDraftItemsEditableOnlyInDraft(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.buyer)
	d = f.do(t, "POST", poPath(d.ID, "items"), map[string]any{"productId": f.products[2].ID, "quantity": 3000, "unitCost": 900}, f.buyer, 201)
	if len(d.Items) != 3 || d.Total != 3350+2700 {
		t.Fatalf("after add: %d items, total %d", len(d.Items), d.Total)
	}
	f.do(t, "POST", poPath(d.ID, "items"), map[string]any{"productId": f.products[2].ID, "quantity": 1000}, f.buyer, 422)
	item := d.Items[2]
	d = f.do(t, "PUT", poPath(d.ID, "items/"+item.ID.String()), map[string]any{"quantity": 1000}, f.buyer, 200)
	if d.Total != 3350+900 {
		t.Fatalf("after update total %d", d.Total)
	}
	d = f.do(t, "DELETE", poPath(d.ID, "items/"+item.ID.String()), nil, f.buyer, 200)
	if len(d.Items) != 2 || d.Total != 3350 {
		t.Fatalf("after remove: %d items total %d", len(d.Items), d.Total)
	}
	f.do(t, "PUT", poPath(d.ID, ""), map[string]any{"notes": "rush"}, f.buyer, 200)
	f.do(t, "PATCH", poPath(d.ID, "submit"), nil, f.buyer, 200)
	// Locked once submitted.
	f.do(t, "POST", poPath(d.ID, "items"), map[string]any{"productId": f.products[2].ID, "quantity": 1000}, f.buyer, 409)
	f.do(t, "PUT", poPath(d.ID, "items/"+d.Items[0].ID.String()), map[string]any{"quantity": 1000}, f.buyer, 409)
	f.do(t, "DELETE", poPath(d.ID, "items/"+d.Items[0].ID.String()), nil, f.buyer, 409)
	f.do(t, "PUT", poPath(d.ID, ""), map[string]any{"notes": "late"}, f.buyer, 409)
	f.do(t, "DELETE", poPath(d.ID, ""), nil, f.buyer, 409)
}

func TestSubmitEmptyRefused(t *testing.T) {
	f := setup(t)
	res := f.app.Do("POST", "/api/v1/purchase-orders", map[string]any{"supplierId": f.supplier.ID, "storeId": f.store.ID}, f.buyer).Expect(t, 201)
	var empty purchasing.Detail
	res.Data(t, &empty)
	f.do(t, "PATCH", poPath(empty.ID, "submit"), nil, f.buyer, 422)
}

func TestTransitionsAndIllegalOnes(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.buyer)
	id := d.ID
	// From draft only submit, cancel and delete are legal.
	for _, a := range []string{"approve", "send"} {
		f.do(t, "PATCH", poPath(id, a), nil, f.approver, 409)
	}
	f.do(t, "PATCH", poPath(id, "receive"), map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 1000}}}, f.approver, 409)

	d = f.do(t, "PATCH", poPath(id, "submit"), nil, f.buyer, 200)
	if d.Status != models.POSubmitted || d.SubmittedBy == nil || *d.SubmittedBy != f.buyerID || d.SubmittedAt == nil {
		t.Fatalf("submitted: %+v", d.PurchaseOrder)
	}
	env := f.app.Do("PATCH", poPath(id, "submit"), nil, f.buyer).Expect(t, 409).Env(t)
	if !strings.Contains(env.Error, "already submitted") {
		t.Fatalf("409 message %q", env.Error)
	}
	f.do(t, "PATCH", poPath(id, "send"), nil, f.approver, 409)

	// The submitter may not approve their own order.
	env = f.app.Do("PATCH", poPath(id, "approve"), nil, f.buyer).Expect(t, 403).Env(t)
	if !strings.Contains(env.Error, "someone else") {
		t.Fatalf("403 message %q", env.Error)
	}
	d = f.do(t, "PATCH", poPath(id, "approve"), nil, f.approver, 200)
	if d.Status != models.POApproved || d.ApprovedBy == nil || *d.ApprovedBy != f.approverID {
		t.Fatalf("approved: %+v", d.PurchaseOrder)
	}
	env = f.app.Do("PATCH", poPath(id, "approve"), nil, f.approver).Expect(t, 409).Env(t)
	if !strings.Contains(env.Error, "already approved") {
		t.Fatalf("409 message %q", env.Error)
	}
	f.do(t, "PATCH", poPath(id, "receive"), map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 1000}}}, f.receiver, 409)

	d = f.do(t, "PATCH", poPath(id, "send"), nil, f.buyer, 200)
	if d.Status != models.POSent || d.SentAt == nil {
		t.Fatalf("sent: %+v", d.PurchaseOrder)
	}
	f.do(t, "PATCH", poPath(id, "send"), nil, f.buyer, 409)
	f.do(t, "PATCH", poPath(id, "submit"), nil, f.buyer, 409)

	// Receive everything: received; nothing more is legal.
	d = f.do(t, "PATCH", poPath(id, "receive"), map[string]any{"items": []any{
		map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 10000},
		map[string]any{"itemId": d.Items[1].ID, "quantityReceived": 2500},
	}}, f.receiver, 200)
	if d.Status != models.POReceived || d.ReceivedAt == nil {
		t.Fatalf("received: %+v", d.PurchaseOrder)
	}
	for _, a := range []string{"submit", "approve", "send", "cancel"} {
		f.do(t, "PATCH", poPath(id, a), nil, f.approver, 409)
	}
	f.do(t, "PATCH", poPath(id, "receive"), map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 1000}}}, f.receiver, 409)
	f.do(t, "DELETE", poPath(id, ""), nil, f.buyer, 409)
}

func TestCancelFromEachState(t *testing.T) {
	f := setup(t)
	steps := map[string][]string{
		models.PODraft:     nil,
		models.POSubmitted: {"submit"},
		models.POApproved:  {"submit", "approve"},
		models.POSent:      {"submit", "approve", "send"},
	}
	for from, path := range steps {
		t.Run(from, func(t *testing.T) {
			d := f.create(t, f.buyer)
			for _, a := range path {
				tok := f.buyer
				if a == "approve" {
					tok = f.approver
				}
				f.do(t, "PATCH", poPath(d.ID, a), nil, tok, 200)
			}
			d = f.do(t, "PATCH", poPath(d.ID, "cancel"), nil, f.buyer, 200)
			if d.Status != models.POCancelled || d.CancelledAt == nil {
				t.Fatalf("cancel from %s: %s", from, d.Status)
			}
			f.do(t, "PATCH", poPath(d.ID, "cancel"), nil, f.buyer, 409)
			f.do(t, "PATCH", poPath(d.ID, "submit"), nil, f.buyer, 409)
		})
	}
	// A partly received order cannot be cancelled.
	d := f.sent(t)
	f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 1000}}}, f.receiver, 200)
	f.do(t, "PATCH", poPath(d.ID, "cancel"), nil, f.buyer, 409)
}

func (f *fixture) sent(t *testing.T) purchasing.Detail {
	t.Helper()
	d := f.create(t, f.buyer)
	f.do(t, "PATCH", poPath(d.ID, "submit"), nil, f.buyer, 200)
	f.do(t, "PATCH", poPath(d.ID, "approve"), nil, f.approver, 200)
	return f.do(t, "PATCH", poPath(d.ID, "send"), nil, f.buyer, 200)
}

func TestDeleteDraft(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.buyer)
	f.do(t, "DELETE", poPath(d.ID, ""), nil, f.buyer, 200)
	if f.app.Count("purchase_orders", "id = ?", d.ID) != 0 || f.app.Count("purchase_order_items", "purchase_order_id = ?", d.ID) != 0 {
		t.Fatal("draft not deleted")
	}
	f.do(t, "GET", poPath(d.ID, ""), nil, f.buyer, 404)
	f.do(t, "GET", "/api/v1/purchase-orders/not-an-id", nil, f.buyer, 404)
}

func TestPartialReceivingSums(t *testing.T) {
	f := setup(t)
	d := f.sent(t)
	p0, p1 := d.Items[0], d.Items[1]
	// First delivery: 4 of 10 of product 0.
	d = f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"itemId": p0.ID, "quantityReceived": 4000}}}, f.receiver, 200)
	if d.Status != models.POPartial || d.Items[0].QuantityReceived != 4000 || d.Received != 4000 || d.Ordered != 12500 {
		t.Fatalf("after first receipt: %s %d %d/%d", d.Status, d.Items[0].QuantityReceived, d.Received, d.Ordered)
	}
	if got := f.stock(t, f.store.ID, p0.ProductID); got != 4000 {
		t.Fatalf("stock after first receipt %d", got)
	}
	// Second delivery: the rest of product 0 and 1 of 2.5 of product 1.
	d = f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{
		map[string]any{"itemId": p0.ID, "quantityReceived": 6000},
		map[string]any{"itemId": p1.ID, "quantityReceived": 1000},
	}}, f.receiver, 200)
	if d.Status != models.POPartial || d.Received != 11000 {
		t.Fatalf("after second receipt: %s %d", d.Status, d.Received)
	}
	// Over-receiving product 1 needs confirmation: 422 and nothing booked.
	env := f.app.Do("PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"itemId": p1.ID, "quantityReceived": 2000}}}, f.receiver).Expect(t, 422).Env(t)
	if env.Errors["items[0].quantityReceived"] == nil {
		t.Fatalf("422 without field: %s", env.Error)
	}
	if got := f.stock(t, f.store.ID, p1.ProductID); got != 1000 {
		t.Fatalf("refused over-receipt moved stock: %d", got)
	}
	d = f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"confirmOverReceive": true, "items": []any{map[string]any{"itemId": p1.ID, "quantityReceived": 2000}}}, f.receiver, 200)
	if d.Status != models.POReceived || d.Items[1].QuantityReceived != 3000 {
		t.Fatalf("after over-receipt: %s %d", d.Status, d.Items[1].QuantityReceived)
	}
	if len(d.Receipts) != 4 {
		t.Fatalf("receipts %d, want 4", len(d.Receipts))
	}
	var sum int64
	for _, r := range d.Receipts {
		if r.UserID == nil || r.CreatedAt.IsZero() {
			t.Fatalf("receipt without user/time: %+v", r)
		}
		if r.ItemID == p0.ID {
			sum += r.Quantity
		}
	}
	if sum != 10000 {
		t.Fatalf("receipts of product 0 sum to %d", sum)
	}
	// Stock and ledger: product 1 got 3 units as receipt movements referencing the PO.
	if got := f.stock(t, f.store.ID, p1.ProductID); got != 3000 {
		t.Fatalf("stock of product 1 %d", got)
	}
	if n := f.app.Count("inventory_movements", "type = 'receipt' AND reference_type = 'purchase_order' AND reference_id = ?", d.ID); n != 4 {
		t.Fatalf("%d receipt movements", n)
	}
	// Cost follows the received unit cost, audited, with a history row.
	var cost0, cost1 int64
	must(t, f.app.DB.Raw("SELECT cost_price FROM products WHERE id = ?", p0.ProductID).Scan(&cost0).Error)
	must(t, f.app.DB.Raw("SELECT cost_price FROM products WHERE id = ?", p1.ProductID).Scan(&cost1).Error)
	if cost0 != 230 || cost1 != 420 {
		t.Fatalf("costs after receipt %d %d", cost0, cost1)
	}
	if n := f.app.Count("audit_log", "entity_type = 'product' AND action = 'cost_from_receipt'"); n != 2 {
		t.Fatalf("%d cost audits", n)
	}
	if n := f.app.Count("product_changes", "field = 'cost_price' AND reference_id = ?", d.ID); n != 2 {
		t.Fatalf("%d cost history rows", n)
	}
	// Validation: unknown line, nothing received.
	f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{}}, f.receiver, 422)
}

func TestReceiveValidation(t *testing.T) {
	f := setup(t)
	d := f.sent(t)
	f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"itemId": uuid.New(), "quantityReceived": 1000}}}, f.receiver, 422)
	f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 0}}}, f.receiver, 422)
	f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": -1}}}, f.receiver, 422)
	if f.app.Count("purchase_order_receipts", "") != 0 || f.app.Count("inventory_movements", "") != 0 {
		t.Fatal("refused receipts wrote rows")
	}
}

func TestStoreManagerLimits(t *testing.T) {
	f := setup(t)
	_, mgr := f.app.User(&f.store.ID, allPO...)
	_, cashier := f.app.User(&f.store.ID, "products.view")
	// Own store: fine. Another store: 403, nothing written.
	own := f.create(t, mgr)
	env := f.app.Do("POST", "/api/v1/purchase-orders", map[string]any{"supplierId": f.supplier.ID, "storeId": f.other.ID}, mgr).Expect(t, 403).Env(t)
	if !strings.Contains(env.Error, "own stores") {
		t.Fatalf("403 message %q", env.Error)
	}
	f.app.Do("POST", "/api/v1/purchase-orders/suggest", map[string]any{"supplierId": f.supplier.ID, "storeId": f.other.ID}, mgr).Expect(t, 403)
	// An order of the other store, raised at HQ, is out of the manager's reach.
	res := f.app.Do("POST", "/api/v1/purchase-orders", map[string]any{"supplierId": f.supplier.ID, "storeId": f.other.ID,
		"items": []any{map[string]any{"productId": f.products[0].ID, "quantity": 1000}}}, f.buyer).Expect(t, 201)
	var theirs purchasing.Detail
	res.Data(t, &theirs)
	f.do(t, "GET", poPath(theirs.ID, ""), nil, mgr, 403)
	f.do(t, "PATCH", poPath(theirs.ID, "submit"), nil, mgr, 403)
	f.do(t, "PATCH", poPath(theirs.ID, "submit"), nil, f.buyer, 200)
	f.do(t, "PATCH", poPath(theirs.ID, "approve"), nil, mgr, 403)
	f.do(t, "DELETE", poPath(own.ID, ""), nil, cashier, 403)
	f.do(t, "GET", "/api/v1/purchase-orders", nil, cashier, 403)
	// The list shows the manager only their store's orders.
	list := f.app.Do("GET", "/api/v1/purchase-orders", nil, mgr).Expect(t, 200).Env(t)
	if *list.Total != 1 {
		t.Fatalf("manager sees %d orders", *list.Total)
	}
	// Managers approve orders of their store raised by someone else.
	f.do(t, "PATCH", poPath(own.ID, "submit"), nil, f.buyer, 200)
	f.do(t, "PATCH", poPath(own.ID, "approve"), nil, mgr, 200)
}

func TestSuggestOrder(t *testing.T) {
	f := setup(t)
	ctxDB := f.app.DB
	// Product 0: preferred supplier, 1.5 on hand, reorder at 5 → 3.5 → 4 units.
	// Product 1: linked (no preferred supplier), 0 on hand, reorder at 2 → 2 units.
	// Product 2: not linked to this supplier → left out.
	must(t, ctxDB.Create(&models.ProductSupplier{ProductID: f.products[1].ID, SupplierID: f.supplier.ID, Cost: 0}).Error)
	for _, l := range []models.InventoryLevel{
		{StoreID: f.store.ID, ProductID: f.products[0].ID, Quantity: 1500, ReorderPoint: 5000},
		{StoreID: f.store.ID, ProductID: f.products[1].ID, Quantity: 0, ReorderPoint: 2000},
		{StoreID: f.store.ID, ProductID: f.products[2].ID, Quantity: 0, ReorderPoint: 9000},
	} {
		must(t, ctxDB.Create(&l).Error)
	}
	d := f.do(t, "POST", "/api/v1/purchase-orders/suggest", map[string]any{"supplierId": f.supplier.ID, "storeId": f.store.ID}, f.buyer, 201)
	if d.Status != models.PODraft || len(d.Items) != 2 {
		t.Fatalf("suggested %d lines (%s)", len(d.Items), d.Status)
	}
	got := map[uuid.UUID]models.PurchaseOrderItem{}
	for _, it := range d.Items {
		got[it.ProductID] = it
	}
	if got[f.products[0].ID].Quantity != 4000 || got[f.products[0].ID].UnitCost != 230 {
		t.Fatalf("product 0 line %+v", got[f.products[0].ID])
	}
	if got[f.products[1].ID].Quantity != 2000 || got[f.products[1].ID].UnitCost != 400 {
		t.Fatalf("product 1 line %+v", got[f.products[1].ID])
	}
	// Nothing under its reorder point at the other store: 422.
	f.do(t, "POST", "/api/v1/purchase-orders/suggest", map[string]any{"supplierId": f.supplier.ID, "storeId": f.other.ID}, f.buyer, 422)
}

func TestExportsAndHistory(t *testing.T) {
	f := setup(t)
	d := f.sent(t)
	pdf := f.app.Do("GET", poPath(d.ID, "pdf"), nil, f.buyer).Expect(t, 200)
	if pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.String(), "%PDF") {
		t.Fatalf("pdf: %s", pdf.Header.Get("Content-Type"))
	}
	csv := f.app.Do("GET", poPath(d.ID, "csv"), nil, f.buyer).Expect(t, 200).String()
	if !strings.Contains(csv, "SKU-0") || !strings.Contains(csv, d.Number) || !strings.Contains(csv, "33.50") {
		t.Fatalf("csv:\n%s", csv)
	}
	var trail []models.AuditEntry
	f.app.Do("GET", poPath(d.ID, "history"), nil, f.buyer).Expect(t, 200).Data(t, &trail)
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "create,submitted,approved,sent" {
		t.Fatalf("trail %v", actions)
	}
}

func TestAuditListShowsEveryTransition(t *testing.T) {
	f := setup(t)
	d := f.sent(t)
	f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 4000}}}, f.receiver, 200)
	_, auditor := f.app.User(nil, "reports.view_global")
	res := f.app.Do("GET", "/api/v1/audit?entityType=purchase_order&entityId="+d.ID.String(), nil, auditor).Expect(t, 200)
	var entries []models.AuditEntry
	res.Data(t, &entries)
	want := map[string]uuid.UUID{"create": f.buyerID, "submitted": f.buyerID, "approved": f.approverID, "sent": f.buyerID}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Action] = true
		if e.UserID == nil || e.Username == "" || e.CreatedAt.IsZero() {
			t.Fatalf("entry without user or time: %+v", e)
		}
		if who, ok := want[e.Action]; ok && *e.UserID != who {
			t.Fatalf("%s by %s, want %s", e.Action, *e.UserID, who)
		}
	}
	for _, a := range []string{"create", "submitted", "approved", "sent", "received"} {
		if !seen[a] {
			t.Fatalf("audit misses %s: %+v", a, entries)
		}
	}
	if env := res.Env(t); *env.Total != 5 {
		t.Fatalf("total %d", *env.Total)
	}
	// Filters: by user and by date.
	byUser := f.app.Do("GET", "/api/v1/audit?entityType=purchase_order&userId="+f.approverID.String(), nil, auditor).Expect(t, 200).Env(t)
	if *byUser.Total != 1 {
		t.Fatalf("approver entries %d", *byUser.Total)
	}
	future := f.app.Do("GET", "/api/v1/audit?date_from=2999-01-01", nil, auditor).Expect(t, 200).Env(t)
	if *future.Total != 0 {
		t.Fatalf("future entries %d", *future.Total)
	}
	f.app.Do("GET", "/api/v1/audit?date_from=yesterday", nil, auditor).Expect(t, 400)
	f.app.Do("GET", "/api/v1/audit", nil, f.buyer).Expect(t, 403)
}

// Two people acting at once: the checked transitions let exactly one through.
func TestConcurrentTransitions(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.buyer)
	f.do(t, "PATCH", poPath(d.ID, "submit"), nil, f.buyer, 200)
	_, second := f.app.User(nil, allPO...)
	codes := make(chan int, 2)
	for _, tok := range []string{f.approver, second} {
		go func(tok string) { codes <- f.app.Do("PATCH", poPath(d.ID, "approve"), nil, tok).Code }(tok)
	}
	got := map[int]int{<-codes: 1}
	got[<-codes]++
	if got[200] != 1 || got[409] != 1 {
		t.Fatalf("concurrent approvals answered %v", got)
	}
	f.do(t, "PATCH", poPath(d.ID, "send"), nil, f.buyer, 200)
	// Two deliveries of 6 against 10 ordered: one books, the other would over-receive.
	for i := 0; i < 2; i++ {
		go func() {
			codes <- f.app.Do("PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 6000}}}, f.receiver).Code
		}()
	}
	got = map[int]int{<-codes: 1}
	got[<-codes]++
	if got[200] != 1 || got[422] != 1 {
		t.Fatalf("concurrent receipts answered %v", got)
	}
	if s := f.stock(t, f.store.ID, d.Items[0].ProductID); s != 6000 {
		t.Fatalf("stock after concurrent receipts %d", s)
	}
}

// A search for "%" or "_" looks for those characters, not for every order.
func TestSearchWildcardsAreLiteral(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.buyer)
	for q, want := range map[string]int64{"%": 0, "_": 0, `\`: 0, d.Number: 1, strings.ToLower(d.Number[len(d.Number)-3:]): 1} {
		env := f.app.Do("GET", "/api/v1/purchase-orders?q="+url.QueryEscape(q), nil, f.buyer).Expect(t, http.StatusOK).Env(t)
		if env.Total == nil {
			t.Fatalf("q=%q: no total: %+v", q, env)
		}
		if *env.Total != want {
			t.Errorf("q=%q: total %d, want %d", q, *env.Total, want)
		}
	}
}

// Deliveries of orders sharing products, listed in opposite orders, are booked at once: each
// raises the products' costs in one order, so none deadlocks (PostgreSQL would fail one) and
// every receipt succeeds with all its stock.
func TestConcurrentReceiptsShareProducts(t *testing.T) {
	f := setup(t)
	var products []uuid.UUID
	for i := 0; i < 20; i++ {
		p := models.Product{SKU: fmt.Sprintf("SH-%d", i), Name: fmt.Sprintf("Shared %d", i), CostPrice: 100, SellPrice: 200,
			PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
		must(t, f.app.DB.Create(&p).Error)
		products = append(products, p.ID)
	}
	const orders = 12
	type receipt struct {
		id    uuid.UUID
		lines []any
	}
	var receipts []receipt
	for k := 0; k < orders; k++ {
		var items []map[string]any
		for _, id := range products {
			items = append(items, map[string]any{"productId": id, "quantity": 1000, "unitCost": 300 + k})
		}
		d := f.create(t, f.buyer, items...)
		f.do(t, "PATCH", poPath(d.ID, "submit"), nil, f.buyer, 200)
		f.do(t, "PATCH", poPath(d.ID, "approve"), nil, f.approver, 200)
		f.do(t, "PATCH", poPath(d.ID, "send"), nil, f.buyer, 200)
		lines := make([]any, len(d.Items))
		for i, it := range d.Items {
			j := i
			if k%2 == 1 {
				j = len(d.Items) - 1 - i // every other delivery lists the lines backwards
			}
			lines[j] = map[string]any{"itemId": it.ID, "quantityReceived": 1000}
		}
		receipts = append(receipts, receipt{d.ID, lines})
	}
	codes := make(chan int, orders)
	for _, r := range receipts {
		go func(r receipt) {
			codes <- f.app.Do("PATCH", poPath(r.id, "receive"), map[string]any{"items": r.lines}, f.receiver).Code
		}(r)
	}
	got := map[int]int{}
	for range receipts {
		got[<-codes]++
	}
	if got[http.StatusOK] != orders {
		t.Fatalf("concurrent receipts answered %v", got)
	}
	for _, id := range products {
		if s := f.stock(t, f.store.ID, id); s != orders*1000 {
			t.Fatalf("stock of %s after %d receipts: %d", id, orders, s)
		}
	}
}
