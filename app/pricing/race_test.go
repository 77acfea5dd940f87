package pricing_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"backroom/app/pricing"
	"backroom/models"
)

// racers is how many requests race for one transition: more than the pool's 10 connections, so
// some wait for a connection while others hold the worksheet's row lock.
const racers = 16

// race sends n requests at once (request(i) builds the i-th) and counts the answers.
func (f *fixture) race(n int, request func(i int) (method, path string, body any, token string)) map[int]int {
	codes := make(chan int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		method, path, body, token := request(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes <- f.app.Do(method, path, body, token).Code
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

func (f *fixture) audits(t *testing.T, id uuid.UUID, action string) int64 {
	t.Helper()
	return f.app.Count("audit_log", "entity_type = 'worksheet' AND entity_id = ? AND action = ?", id, action)
}

func (f *fixture) status(t *testing.T, id uuid.UUID) string {
	t.Helper()
	var w models.Worksheet
	must(t, f.app.DB.Select("status").Take(&w, "id = ?", id).Error)
	return w.Status
}

// Many approvers press approve on one submitted worksheet at once: one approves it, every other
// is told it moved on, and one approval is audited.
func TestRacingApprovals(t *testing.T) {
	f := setup(t)
	w := f.priceChange(t, nil)
	f.ws(t, "PATCH", wsPath(w.ID, "submit"), nil, f.admin, 200)
	tokens := make([]string, racers)
	for i := range tokens {
		_, tokens[i] = f.app.User(nil, allPricing...)
	}
	got := f.race(racers, func(i int) (string, string, any, string) {
		return "PATCH", wsPath(w.ID, "approve"), nil, tokens[i]
	})
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != racers-1 {
		t.Fatalf("%d racing approvals answered %v", racers, got)
	}
	if s := f.status(t, w.ID); s != models.WSApproved {
		t.Fatalf("status after racing approvals: %s", s)
	}
	if n := f.audits(t, w.ID, "approved"); n != 1 {
		t.Fatalf("%d approval audits", n)
	}
}

// Approvals and rejections of one submitted worksheet race: exactly one decision wins, the
// worksheet ends in that state, and only that decision is audited.
func TestRacingApproveAndReject(t *testing.T) {
	f := setup(t)
	w := f.priceChange(t, nil)
	f.ws(t, "PATCH", wsPath(w.ID, "submit"), nil, f.admin, 200)
	got := f.race(racers, func(i int) (string, string, any, string) {
		if i%2 == 0 {
			return "PATCH", wsPath(w.ID, "approve"), nil, f.admin
		}
		return "PATCH", wsPath(w.ID, "reject"), map[string]any{"reason": "too deep a cut"}, f.admin
	})
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != racers-1 {
		t.Fatalf("racing approve/reject answered %v", got)
	}
	approved, rejected := f.audits(t, w.ID, "approved"), f.audits(t, w.ID, "rejected")
	if approved+rejected != 1 {
		t.Fatalf("%d approval and %d rejection audits", approved, rejected)
	}
	want := models.WSApproved
	if rejected == 1 {
		want = models.WSRejected
	}
	var after models.Worksheet
	must(t, f.app.DB.Take(&after, "id = ?", w.ID).Error)
	if after.Status != want {
		t.Fatalf("status %s, audited %s", after.Status, want)
	}
	if (after.ApprovedAt != nil) == (after.RejectedAt != nil) {
		t.Fatalf("approved at %v and rejected at %v", after.ApprovedAt, after.RejectedAt)
	}
	// Nothing was applied by either.
	if n := f.app.Count("product_changes", ""); n != 0 {
		t.Fatalf("%d price changes from approve/reject", n)
	}
}

// Applies of one approved worksheet race: one applies it, the rest answer 409, and each price
// changes once — one history row per changed field, one product audit per product.
func TestRacingApplies(t *testing.T) {
	f := setup(t)
	w := f.priceChange(t, nil)
	f.approve(t, w)
	got := f.race(racers, func(int) (string, string, any, string) { return "PATCH", wsPath(w.ID, "apply"), nil, f.admin })
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != racers-1 {
		t.Fatalf("%d racing applies answered %v", racers, got)
	}
	f.checkAppliedOnce(t, w.ID)
}

func (f *fixture) checkAppliedOnce(t *testing.T, id uuid.UUID) {
	t.Helper()
	if s := f.status(t, id); s != models.WSApplied {
		t.Fatalf("status %s", s)
	}
	p0, p1 := f.product(t, f.products[0].ID), f.product(t, f.products[1].ID)
	if p0.SellPrice != 1199 || p1.SellPrice != 899 || p1.CostPrice != 450 || p0.CostPrice != 500 {
		t.Fatalf("prices after apply: %d/%d %d/%d", p0.SellPrice, p0.CostPrice, p1.SellPrice, p1.CostPrice)
	}
	// p0 sell, p1 sell and p1 cost: three changed fields, each recorded once.
	if n := f.app.Count("product_changes", "worksheet_id = ?", id); n != 3 {
		t.Fatalf("%d price history rows, want 3", n)
	}
	if n := f.audits(t, id, "applied"); n != 1 {
		t.Fatalf("%d apply audits", n)
	}
	if n := f.app.Count("audit_log", "entity_type = 'product' AND action = 'worksheet_apply'"); n != 2 {
		t.Fatalf("%d product audits, want 2", n)
	}
}

// The scheduler running on several instances at once, alongside people pressing apply, applies
// a due worksheet once.
func TestScheduledApplyRacesManualApplies(t *testing.T) {
	f := setup(t)
	yesterday := time.Now().UTC().AddDate(0, 0, -2).Format("2006-01-02")
	w := f.priceChange(t, map[string]any{"effectiveDate": yesterday})
	f.approve(t, w)
	ctx := context.Background()
	const schedulers = 6
	var mu sync.Mutex
	applied, failed := 0, 0
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < schedulers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			n, err := pricing.ApplyDue(ctx, f.app.DB, time.Now())
			mu.Lock()
			defer mu.Unlock()
			applied += n
			if err != nil {
				failed++
				t.Errorf("ApplyDue: %v", err)
			}
		}()
	}
	codes := make(chan int, racers)
	for i := 0; i < racers-schedulers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes <- f.app.Do("PATCH", wsPath(w.ID, "apply"), nil, f.admin).Code
		}()
	}
	close(start)
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if applied+got[http.StatusOK] != 1 || got[http.StatusOK]+got[http.StatusConflict] != racers-schedulers || failed != 0 {
		t.Fatalf("schedulers applied %d (%d failed), requests answered %v", applied, failed, got)
	}
	f.checkAppliedOnce(t, w.ID)
	// Run again later: nothing more happens.
	if n, err := pricing.ApplyDue(ctx, f.app.DB, time.Now().Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("ApplyDue again applied %d (%v)", n, err)
	}
	f.checkAppliedOnce(t, w.ID)
}
