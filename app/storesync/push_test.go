package storesync_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/app/sales/salestest"
	"backroom/app/storesync"
	"backroom/models"
)

// provisioned issues and exchanges a token for a store of app, returning the credential.
func provisioned(t testing.TB, app *apptest.App, admin string, store models.Store) string {
	t.Helper()
	var issued storesync.Issued
	app.Do("POST", "/api/v1/stores/"+store.ID.String()+"/sync-token", nil, admin).Expect(t, http.StatusCreated).Data(t, &issued)
	var prov storesync.Provisioned
	app.Do("POST", "/api/v1/sync/provision", map[string]string{"token": issued.Token}, "").Expect(t, http.StatusCreated).Data(t, &prov)
	return prov.Credential
}

type item struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Payload any    `json:"payload"`
}

func push(t *testing.T, app *apptest.App, credential string, batch string, items []item) storesync.Pushed {
	t.Helper()
	body, err := json.Marshal(map[string]any{"batchId": batch, "items": items})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, app.URL+"/api/v1/sync/push", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sync-Token", credential)
	var out storesync.Pushed
	app.Send(req).Expect(t, http.StatusOK).Data(t, &out)
	if len(out.Results) != len(items) {
		t.Fatalf("%d results for %d items", len(out.Results), len(items))
	}
	return out
}

func results(p storesync.Pushed) map[string]string {
	out := map[string]string{}
	for _, r := range p.Results {
		out[r.ID] = r.Status
	}
	return out
}

// TestPushStoresEachSaleExactlyOnce: 1,000 sales pushed in shuffled batches, each batch sent
// twice at once and again later, are stored once each: count, totals and stock exact.
func TestPushStoresEachSaleExactlyOnce(t *testing.T) {
	f := salestest.New(t)
	cred := provisioned(t, f.App, f.Admin, f.Store)
	rng := rand.New(rand.NewPCG(12, 34))
	const n = 1000
	var items []item
	var wantTotal int64
	sold := map[uuid.UUID]int64{}
	for i := range n {
		lines := []salestest.Line{{Product: f.Coffee, Quantity: int64(1+rng.IntN(3)) * 1000}}
		if i%3 == 0 {
			lines = append(lines, salestest.Line{Product: f.Muffin, Quantity: 2000})
		}
		body := f.Body(f.Store, fmt.Sprintf("S001-P-%05d", i), "", lines)
		body["id"] = uuid.New()
		wantTotal += body["grandTotal"].(int64)
		for _, l := range lines {
			sold[l.Product.ID] += l.Quantity
		}
		items = append(items, item{Type: "sale", ID: fmt.Sprintf("sale-%05d", i), Payload: body})
	}
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	var batches [][]item
	for i := 0; i < n; i += 100 {
		batches = append(batches, items[i:i+100])
	}
	seen := map[string]int{}
	var mu sync.Mutex
	for bi, b := range batches {
		// The same batch twice at once (a retry while the first is in flight) …
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := push(t, f.App, cred, fmt.Sprintf("b%d", bi), b)
				mu.Lock()
				defer mu.Unlock()
				for _, r := range p.Results {
					if r.Status != storesync.Applied && r.Status != storesync.Duplicate {
						t.Errorf("item %s: %s %s", r.ID, r.Status, r.Reason)
					}
					if r.Status == storesync.Applied {
						seen[r.ID]++
					}
				}
			}()
		}
		wg.Wait()
	}
	// … and every batch once more, later, overlapping the next one.
	for bi := range batches {
		overlap := append(append([]item{}, batches[bi][50:]...), batches[(bi+1)%len(batches)][:50]...)
		for id, status := range results(push(t, f.App, cred, fmt.Sprintf("again%d", bi), overlap)) {
			if status != storesync.Duplicate {
				t.Fatalf("a resent item %s answered %s, want duplicate", id, status)
			}
		}
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("item %s applied %d times", id, c)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d items applied, want %d", len(seen), n)
	}
	var got struct {
		Count int64
		Total int64
	}
	f.DB.Raw("SELECT count(*) AS count, coalesce(sum(grand_total), 0) AS total FROM sales WHERE store_id = ? AND receipt_number LIKE 'S001-P-%'", f.Store.ID).Scan(&got)
	if got.Count != n || got.Total != wantTotal {
		t.Fatalf("head office holds %d sales totalling %d, want %d totalling %d", got.Count, got.Total, n, wantTotal)
	}
	for _, p := range []models.Product{f.Coffee, f.Muffin} {
		if stock := f.Stock(f.Store, p); stock != salestest.StartStock-sold[p.ID] {
			t.Fatalf("%s stock at S001 = %d, want %d", p.SKU, stock, salestest.StartStock-sold[p.ID])
		}
		if stock := f.Stock(f.Other, p); stock != salestest.StartStock {
			t.Fatalf("%s stock at S002 moved to %d", p.SKU, stock)
		}
	}
	if n := f.Count("inventory_movements", "store_id = ? AND reference_type = 'sale'", f.Store.ID); n != int64(1000+334) {
		t.Fatalf("%d stock movements for the sales, want one per line (1334)", n)
	}
}

// TestPushRejectsDefersAndKeepsStoresApart: a replay with an altered total is rejected into
// the error queue and changes nothing; a sale whose customer has not arrived waits and goes in,
// once, when the customer does; a store cannot push for another store.
func TestPushRejectsDefersAndKeepsStoresApart(t *testing.T) {
	f := salestest.New(t)
	cred := provisioned(t, f.App, f.Admin, f.Store)
	first := f.Body(f.Store, "S001-R-1", "", []salestest.Line{{Product: f.Coffee, Quantity: 1000}})
	saleID := uuid.New()
	first["id"] = saleID
	if got := results(push(t, f.App, cred, "one", []item{{"sale", "r-1", first}})); got["r-1"] != storesync.Applied {
		t.Fatalf("first push: %v", got)
	}
	altered := map[string]any{}
	for k, v := range first {
		altered[k] = v
	}
	altered["grandTotal"] = first["grandTotal"].(int64) + 100
	p := push(t, f.App, cred, "two", []item{{"sale", "r-1", altered}, {"sale", "r-2", withID(f.Body(f.Store, "S001-R-2", "", []salestest.Line{{Product: f.Muffin, Quantity: 1000}}))}})
	if got := results(p); got["r-1"] != storesync.Rejected || got["r-2"] != storesync.Applied {
		t.Fatalf("altered replay and the item after it: %v", got)
	}
	if n := f.Count("sync_errors", "store_id = ? AND item_id = 'r-1' AND kind = 'conflict' AND status = 'open'", f.Store.ID); n != 1 {
		t.Fatalf("%d open conflicts for the altered replay, want 1", n)
	}
	var total int64
	f.DB.Raw("SELECT grand_total FROM sales WHERE id = ?", saleID).Scan(&total)
	if total != first["grandTotal"].(int64) {
		t.Fatalf("the altered replay changed the sale's total to %d", total)
	}

	// A sale naming a customer made at the store that has not been pushed yet.
	customerID := uuid.New()
	waiting := withID(f.Body(f.Store, "S001-R-3", "", []salestest.Line{{Product: f.Coffee, Quantity: 2000}}))
	waiting["customerId"] = customerID
	if got := results(push(t, f.App, cred, "three", []item{{"sale", "r-3", waiting}})); got["r-3"] != storesync.Deferred {
		t.Fatalf("a sale before its customer: %v", got)
	}
	if n := f.Count("sales", "receipt_number = 'S001-R-3'"); n != 0 {
		t.Fatal("a deferred sale is in the books")
	}
	if n := f.Count("sync_errors", "item_id = 'r-3' AND kind = 'deferred' AND status = 'open'"); n != 1 {
		t.Fatal("the deferred sale is not in the error queue")
	}
	customer := map[string]any{"id": customerID, "firstName": "Pat", "lastName": "Store", "email": "pat@example.com"}
	got := results(push(t, f.App, cred, "four", []item{{"customer", "c-1", customer}}))
	if got["c-1"] != storesync.Applied {
		t.Fatalf("the customer: %v", got)
	}
	if n := f.Count("sales", "receipt_number = 'S001-R-3' AND customer_id = ?", customerID); n != 1 {
		t.Fatalf("the deferred sale went in %d times once its customer arrived, want 1", n)
	}
	if n := f.Count("sync_errors", "item_id = 'r-3' AND status = 'open'"); n != 0 {
		t.Fatal("the applied sale is still an open error")
	}
	if got := results(push(t, f.App, cred, "five", []item{{"sale", "r-3", waiting}})); got["r-3"] != storesync.Duplicate {
		t.Fatalf("the deferred sale sent again: %v", got)
	}

	// A sale refused for something head office can fix (a tender switched off), fixed and
	// retried from the error queue: in once.
	voucher := withID(f.Body(f.Store, "S001-R-9", "", []salestest.Line{{Product: f.Coffee, Quantity: 1000}}))
	voucher["payments"] = []map[string]any{{"method": "VOUCHER", "amount": voucher["grandTotal"]}}
	if got := results(push(t, f.App, cred, "seven", []item{{"sale", "r-9", voucher}})); got["r-9"] != storesync.Rejected {
		t.Fatalf("a sale paid with a switched-off tender: %v", got)
	}
	var queue []storesync.SyncError
	f.Do("GET", "/api/v1/sync/errors?store_id="+f.Store.ID.String(), nil, f.Admin).Expect(t, http.StatusOK).Data(t, &queue)
	byItem := map[string]storesync.SyncError{}
	for _, e := range queue {
		byItem[e.ItemID] = e
	}
	if len(queue) != 2 || byItem["r-9"].Kind != "rejected" || byItem["r-1"].Kind != "conflict" || byItem["r-9"].StoreCode != "S001" {
		t.Fatalf("the error queue holds %+v, want r-9 rejected and r-1's conflict", queue)
	}
	f.Do("POST", "/api/v1/sync/retry/"+byItem["r-1"].ID.String(), nil, f.Admin).Expect(t, http.StatusConflict)
	f.DB.Exec("UPDATE tenders SET is_active = true WHERE upper(code) = 'VOUCHER'")
	var retried storesync.ItemResult
	f.Do("POST", "/api/v1/sync/retry/"+byItem["r-9"].ID.String(), nil, f.Admin).Expect(t, http.StatusOK).Data(t, &retried)
	if retried.Status != storesync.Applied || f.Count("sales", "receipt_number = 'S001-R-9'") != 1 {
		t.Fatalf("the retried sale: %+v", retried)
	}
	f.Do("POST", "/api/v1/sync/retry/"+byItem["r-9"].ID.String(), nil, f.Admin).Expect(t, http.StatusConflict)
	if got := results(push(t, f.App, cred, "eight", []item{{"sale", "r-9", voucher}})); got["r-9"] != storesync.Duplicate {
		t.Fatalf("the retried sale sent again: %v", got)
	}
	f.Do("POST", "/api/v1/sync/resolve/"+byItem["r-1"].ID.String(), map[string]string{}, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("POST", "/api/v1/sync/resolve/"+byItem["r-1"].ID.String(), map[string]string{"note": "the till's clock was wrong; first sale stands"}, f.Admin).Expect(t, http.StatusOK)
	f.Do("GET", "/api/v1/sync/errors?store_id="+f.Store.ID.String(), nil, f.Admin).Expect(t, http.StatusOK).Data(t, &queue)
	if len(queue) != 0 {
		t.Fatalf("%d open errors after the retry and the resolve", len(queue))
	}
	if n := f.Count("audit_log", "action IN ('sync_retry', 'sync_resolve')"); n != 2 {
		t.Fatalf("%d audit entries for retry and resolve, want 2", n)
	}

	// Another store's sale, stock or void.
	theirs := withID(f.Body(f.Other, "S002-X-1", "", []salestest.Line{{Product: f.Coffee, Quantity: 1000}}))
	other := f.Sell(f.Admin, f.Body(f.Other, "S002-X-2", "", []salestest.Line{{Product: f.Coffee, Quantity: 1000}}))
	p = push(t, f.App, cred, "six", []item{
		{"sale", "x-1", theirs},
		{"inventory_adjustment", "x-2", map[string]any{"storeId": f.Other.ID, "productId": f.Coffee.ID, "quantity": -5000, "reason": "Damaged"}},
		{"sale_void", "x-3", map[string]any{"saleId": other.ID, "reason": "wrong store"}},
		{"inventory_adjustment", "x-4", map[string]any{"productId": f.Coffee.ID, "quantity": -5000, "reason": "Damaged"}},
		{"register_session", "x-5", map[string]any{}},
		{"nonsense", "x-6", map[string]any{}},
	})
	want := map[string]string{"x-1": storesync.Rejected, "x-2": storesync.Rejected, "x-3": storesync.Rejected, "x-4": storesync.Applied, "x-5": storesync.Rejected, "x-6": storesync.Rejected}
	if got := results(p); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("another store's changes: %v, want %v", got, want)
	}
	if stock := f.Stock(f.Other, f.Coffee); stock != salestest.StartStock-1000 {
		t.Fatalf("S001 moved S002's stock to %d", stock)
	}
	if n := f.Count("sales", "receipt_number = 'S002-X-1'"); n != 0 {
		t.Fatal("S001 recorded a sale at S002")
	}
	if n := f.Count("sales", "id = ? AND status = 'completed'", other.ID); n != 1 {
		t.Fatal("S001 voided S002's sale")
	}

	// The push needs a credential, and a malformed batch is refused whole.
	req, _ := http.NewRequest(http.MethodPost, f.URL+"/api/v1/sync/push", bytes.NewReader([]byte(`{"items":[]}`)))
	req.Header.Set("Content-Type", "application/json")
	f.Send(req).Expect(t, http.StatusUnauthorized)
	req, _ = http.NewRequest(http.MethodPost, f.URL+"/api/v1/sync/push", bytes.NewReader([]byte(`{"items":[]}`)))
	req.Header.Set("X-Sync-Token", cred)
	f.Send(req).Expect(t, http.StatusUnprocessableEntity)
}

// withID gives a sale body the id the store gave the sale.
func withID(body map[string]any) map[string]any {
	body["id"] = uuid.New()
	return body
}

// TestPushSessionsCountsAndTransfers: a register session pushed open, its sales and its close
// give head office the same session with its Z report; a posted count moves stock at the
// store; a transfer the store received is received at head office, and one it may not move is
// refused.
func TestPushSessionsCountsAndTransfers(t *testing.T) {
	f := salestest.New(t)
	cred := provisioned(t, f.App, f.Admin, f.Store)
	sid := uuid.New()
	opened := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	open := map[string]any{"id": sid, "terminalId": "T9", "openingFloat": 10000, "openedAt": opened}
	sale := withID(f.Body(f.Store, "S001-Z-1", "T9", []salestest.Line{{Product: f.Coffee, Quantity: 1000}}))
	got := results(push(t, f.App, cred, "s1", []item{{"register_session", "reg-open-1", open}, {"sale", "z-1", sale}}))
	if got["reg-open-1"] != storesync.Applied || got["z-1"] != storesync.Applied {
		t.Fatalf("session open and its sale: %v", got)
	}
	if n := f.Count("sales", "receipt_number = 'S001-Z-1' AND register_session_id = ?", sid); n != 1 {
		t.Fatal("the pushed sale is not on the pushed session")
	}
	closed := map[string]any{"id": sid, "terminalId": "T9", "openingFloat": 10000, "openedAt": opened, "closedAt": time.Now().UTC(),
		"countedCash": 10000 + sale["grandTotal"].(int64)}
	if got := results(push(t, f.App, cred, "s2", []item{{"register_session", "reg-close-1", closed}})); got["reg-close-1"] != storesync.Applied {
		t.Fatalf("session close: %v", got)
	}
	var sess models.RegisterSession
	f.DB.Take(&sess, "id = ?", sid)
	if sess.Status != models.RegisterClosed || sess.ZNumber == nil || sess.OverShort == nil || *sess.OverShort != 0 || !sess.OpenedAt.Equal(opened) {
		t.Fatalf("the session at head office: %+v", sess)
	}
	bad := map[string]any{"id": uuid.New(), "terminalId": "T8", "openedAt": time.Now(), "closedAt": time.Now().Add(-time.Hour), "countedCash": 0}
	if got := results(push(t, f.App, cred, "s3", []item{{"register_session", "reg-bad", bad}})); got["reg-bad"] != storesync.Rejected {
		t.Fatalf("a session closed before it opened: %v", got)
	}

	before := f.Stock(f.Store, f.Muffin)
	count := map[string]any{"id": uuid.New(), "lines": []map[string]any{{"productId": f.Muffin.ID, "delta": -3000}}}
	unknown := map[string]any{"id": uuid.New(), "lines": []map[string]any{{"productId": uuid.New(), "delta": 1000}}}
	got = results(push(t, f.App, cred, "c1", []item{{"stock_count", "count-1", count}, {"stock_count", "count-2", unknown}}))
	if got["count-1"] != storesync.Applied || got["count-2"] != storesync.Rejected {
		t.Fatalf("stock counts: %v", got)
	}
	if after := f.Stock(f.Store, f.Muffin); after != before-3000 {
		t.Fatalf("the count moved muffins %d → %d, want −3000", before, after)
	}
	if n := f.Count("inventory_movements", "store_id = ? AND type = 'count' AND reference_type = 'stock_count'", f.Store.ID); n != 1 {
		t.Fatalf("%d count movements, want 1", n)
	}

	var in, out struct {
		ID string `json:"id"`
	}
	f.Do("POST", "/api/v1/transfers", map[string]any{"fromStoreId": f.Other.ID, "toStoreId": f.Store.ID,
		"items": []map[string]any{{"productId": f.Coffee.ID, "quantity": 2000}}}, f.Admin).Expect(t, http.StatusCreated).Data(t, &in)
	f.Do("PUT", "/api/v1/transfers/"+in.ID+"/send", nil, f.Admin).Expect(t, http.StatusOK)
	f.Do("POST", "/api/v1/transfers", map[string]any{"fromStoreId": f.Other.ID, "toStoreId": f.Store.ID,
		"items": []map[string]any{{"productId": f.Coffee.ID, "quantity": 1000}}}, f.Admin).Expect(t, http.StatusCreated).Data(t, &out)
	got = results(push(t, f.App, cred, "t1", []item{
		{"transfer_status", "tr-1", map[string]any{"transferId": in.ID, "status": "received"}},
		{"transfer_status", "tr-2", map[string]any{"transferId": out.ID, "status": "sent"}},
	}))
	if got["tr-1"] != storesync.Applied || got["tr-2"] != storesync.Rejected {
		t.Fatalf("transfers: %v (S001 receives what came to it, and may not send S002's)", got)
	}
	if n := f.Count("transfers", "id = ? AND status = 'completed'", in.ID); n != 1 {
		t.Fatal("the received transfer is not completed at head office")
	}
	if n := f.Count("transfers", "id = ? AND status = 'pending'", out.ID); n != 1 {
		t.Fatal("S001 sent a transfer from S002")
	}
}
