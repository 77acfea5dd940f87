package transfers_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"

	"backroom/models"
)

// racers is how many requests race for one transition: more than the pool's 10 connections.
const racers = 16

// race sends n requests at once (request(i) builds the i-th) and counts the answers.
func (f *fixture) race(n int, request func(i int) (method, path string, body any)) map[int]int {
	codes := make(chan int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		method, p, body := request(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes <- f.app.Do(method, p, body, f.admin).Code
		}()
	}
	close(start)
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	return got
}

func (f *fixture) movements(t *testing.T, id uuid.UUID, store uuid.UUID) int64 {
	t.Helper()
	return f.app.Count("inventory_movements", "reference_type = 'transfer' AND reference_id = ? AND store_id = ?", id, store)
}

func (f *fixture) audits(t *testing.T, id uuid.UUID, action string) int64 {
	t.Helper()
	return f.app.Count("audit_log", "entity_type = 'transfer' AND entity_id = ? AND action = ?", id, action)
}

// Receives of one in-transit transfer race: one books the arrival, the rest answer 409, and the
// goods land at the destination once.
func TestRacingReceives(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.admin)
	f.do(t, "PUT", path(d.ID, "send"), nil, f.admin, 200)
	got := f.race(racers, func(i int) (string, string, any) {
		if i%2 == 0 {
			return "PUT", path(d.ID, "receive"), nil
		}
		// Half report a shortage: whichever wins, its figures are the only ones booked.
		return "PUT", path(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"productId": f.products[0].ID, "quantityReceived": 9000, "reason": "short"}}}
	})
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != racers-1 {
		t.Fatalf("%d racing receives answered %v", racers, got)
	}
	var tr models.Transfer
	must(t, f.app.DB.Take(&tr, "id = ?", d.ID).Error)
	if tr.Status != models.TransferCompleted {
		t.Fatalf("status %s", tr.Status)
	}
	want0, wantMoves := int64(10000), int64(2)
	if tr.HasDifferences {
		want0, wantMoves = 9000, 3 // the shortage lands as one more (adjustment) movement
	}
	if s := f.stock(t, f.to.ID, f.products[0].ID); s != want0 {
		t.Fatalf("destination stock of product 0: %d, want %d", s, want0)
	}
	if s := f.stock(t, f.to.ID, f.products[1].ID); s != 4000 {
		t.Fatalf("destination stock of product 1: %d", s)
	}
	if n := f.movements(t, d.ID, f.to.ID); n != wantMoves {
		t.Fatalf("%d destination movements, want %d", n, wantMoves)
	}
	// The source lost the goods once, when the transfer was created.
	if s := f.stock(t, f.from.ID, f.products[0].ID); s != 10000 {
		t.Fatalf("source stock %d", s)
	}
	if n := f.movements(t, d.ID, f.from.ID); n != 2 {
		t.Fatalf("%d source movements", n)
	}
	if n := f.audits(t, d.ID, "received"); n != 1 {
		t.Fatalf("%d receive audits", n)
	}
}

// Receives and cancels of one in-transit transfer race: either the destination gets the goods
// or the source gets them back, never both, and the stock moves exactly once.
func TestRacingReceiveAndCancel(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.admin)
	f.do(t, "PUT", path(d.ID, "send"), nil, f.admin, 200)
	got := f.race(racers, func(i int) (string, string, any) {
		if i%2 == 0 {
			return "PUT", path(d.ID, "receive"), nil
		}
		return "PUT", path(d.ID, "cancel"), nil
	})
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != racers-1 {
		t.Fatalf("racing receive/cancel answered %v", got)
	}
	received, cancelled := f.audits(t, d.ID, "received"), f.audits(t, d.ID, "cancelled")
	if received+cancelled != 1 {
		t.Fatalf("%d receive and %d cancel audits", received, cancelled)
	}
	var tr models.Transfer
	must(t, f.app.DB.Take(&tr, "id = ?", d.ID).Error)
	for i, sent := range []int64{10000, 4000} {
		src, dst := f.stock(t, f.from.ID, f.products[i].ID), f.stock(t, f.to.ID, f.products[i].ID)
		wantSrc, wantDst := 20000-sent, sent
		if cancelled == 1 {
			wantSrc, wantDst = 20000, 0
		}
		if src != wantSrc || dst != wantDst {
			t.Fatalf("%s: product %d at source %d (want %d), at destination %d (want %d)", tr.Status, i, src, wantSrc, dst, wantDst)
		}
	}
	// Two lines left the source at creation; the winner moved both lines once more.
	srcMoves, dstMoves := f.movements(t, d.ID, f.from.ID), f.movements(t, d.ID, f.to.ID)
	wantStatus, wantSrcMoves, wantDstMoves := models.TransferCompleted, int64(2), int64(2)
	if cancelled == 1 {
		wantStatus, wantSrcMoves, wantDstMoves = models.TransferCancelled, 4, 0
	}
	if tr.Status != wantStatus || srcMoves != wantSrcMoves || dstMoves != wantDstMoves {
		t.Fatalf("status %s with %d source and %d destination movements; want %s, %d, %d",
			tr.Status, srcMoves, dstMoves, wantStatus, wantSrcMoves, wantDstMoves)
	}
}

// Sends and cancels of one pending transfer race: one wins, and the audit says what state the
// transfer was really in when the winner moved it.
func TestRacingSendAndCancel(t *testing.T) {
	f := setup(t)
	d := f.create(t, f.admin)
	got := f.race(racers, func(i int) (string, string, any) {
		if i%2 == 0 {
			return "PUT", path(d.ID, "send"), nil
		}
		return "PUT", path(d.ID, "cancel"), nil
	})
	// A send may win and then one cancel after it (cancel is allowed in transit); at most one of each.
	if got[http.StatusOK] < 1 || got[http.StatusOK] > 2 || got[http.StatusOK]+got[http.StatusConflict] != racers {
		t.Fatalf("racing send/cancel answered %v", got)
	}
	sent, cancelled := f.audits(t, d.ID, "sent"), f.audits(t, d.ID, "cancelled")
	if sent > 1 || cancelled > 1 || sent+cancelled != int64(got[http.StatusOK]) {
		t.Fatalf("%d send and %d cancel audits for %v", sent, cancelled, got)
	}
	if sent == 1 && cancelled == 1 {
		// The cancel came after the send, so it found the transfer in transit.
		if n := f.app.Count("audit_log", "entity_type = 'transfer' AND entity_id = ? AND action = 'cancelled' AND before_data->>'status' = ?", d.ID, models.TransferInTransit); n != 1 {
			t.Fatal("the cancel after a send is audited as cancelling a pending transfer")
		}
	}
	if cancelled == 1 {
		for _, p := range f.products {
			if s := f.stock(t, f.from.ID, p.ID); s != 20000 {
				t.Fatalf("source stock after cancel %d", s)
			}
		}
		if n := f.movements(t, d.ID, f.from.ID); n != 4 {
			t.Fatalf("%d source movements after cancel", n)
		}
	}
}
