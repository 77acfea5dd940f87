package inventory_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"

	"backroom/models"
)

// racers is how many requests race for one transition: more than the pool's 10 connections.
const racers = 16

// race sends n requests at once (request(i) builds the i-th) and returns each one's answer.
func (f *fixture) race(n int, request func(i int) (method, path string, body any)) []int {
	codes := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		method, p, body := request(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i] = f.app.Do(method, p, body, f.admin).Code
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

func tally(codes []int) map[int]int {
	got := map[int]int{}
	for _, c := range codes {
		got[c]++
	}
	return got
}

func (f *fixture) countMovements(id uuid.UUID) int64 {
	return f.app.Count("inventory_movements", "type = 'count' AND reference_type = 'stock_count' AND reference_id = ?", id)
}

func (f *fixture) countAudits(id uuid.UUID, action string) int64 {
	return f.app.Count("audit_log", "entity_type = 'stock_count' AND entity_id = ? AND action = ?", id, action)
}

// countWithVariances starts a count at S001 with coffee counted 7 against 10 and tea 1 against 4.
func (f *fixture) countWithVariances(t *testing.T) uuid.UUID {
	t.Helper()
	f.move(t, f.s1, f.coffee, 10000, models.MoveReceipt)
	f.move(t, f.s1, f.tea, 4000, models.MoveReceipt)
	d := startCount(t, f, f.admin, map[string]any{"storeId": f.s1.ID})
	f.app.Do("PUT", "/api/v1/inventory/counts/"+d.ID.String()+"/lines", map[string]any{"lines": []map[string]any{
		{"productId": f.coffee.ID, "counted": 7000}, {"productId": f.tea.ID, "counted": 1000},
	}}, f.admin).Expect(t, http.StatusOK)
	return d.ID
}

// Posts of one count race: one posts it, the rest answer 409, and each variance moves stock once.
func TestRacingCountPosts(t *testing.T) {
	f := newFixture(t)
	id := f.countWithVariances(t)
	got := tally(f.race(racers, func(int) (string, string, any) {
		return "POST", "/api/v1/inventory/counts/" + id.String() + "/post", nil
	}))
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != racers-1 {
		t.Fatalf("%d racing posts answered %v", racers, got)
	}
	if c, tea := f.level(t, f.s1, f.coffee), f.level(t, f.s1, f.tea); c != 7000 || tea != 1000 {
		t.Fatalf("levels after racing posts: coffee %d, tea %d", c, tea)
	}
	if n := f.countMovements(id); n != 2 {
		t.Fatalf("%d count movements, want 2", n)
	}
	if n := f.countAudits(id, "stock_count.post"); n != 1 {
		t.Fatalf("%d post audits", n)
	}
}

// Posts and abandons of one count race: one wins, and stock moved only if a post won.
func TestRacingCountPostAndAbandon(t *testing.T) {
	f := newFixture(t)
	id := f.countWithVariances(t)
	got := tally(f.race(racers, func(i int) (string, string, any) {
		if i%2 == 0 {
			return "POST", "/api/v1/inventory/counts/" + id.String() + "/post", nil
		}
		return "POST", "/api/v1/inventory/counts/" + id.String() + "/abandon", nil
	}))
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != racers-1 {
		t.Fatalf("racing post/abandon answered %v", got)
	}
	posted, abandoned := f.countAudits(id, "stock_count.post"), f.countAudits(id, "stock_count.abandon")
	if posted+abandoned != 1 {
		t.Fatalf("%d post and %d abandon audits", posted, abandoned)
	}
	var c models.StockCount
	if err := f.app.DB.Take(&c, "id = ?", id).Error; err != nil {
		t.Fatal(err)
	}
	wantStatus, wantCoffee, wantTea, wantMoves := models.CountPosted, int64(7000), int64(1000), int64(2)
	if abandoned == 1 {
		wantStatus, wantCoffee, wantTea, wantMoves = models.CountAbandoned, 10000, 4000, 0
	}
	coffee, tea, moves := f.level(t, f.s1, f.coffee), f.level(t, f.s1, f.tea), f.countMovements(id)
	if c.Status != wantStatus || coffee != wantCoffee || tea != wantTea || moves != wantMoves {
		t.Fatalf("%s: coffee %d, tea %d, %d movements; want %s, %d, %d, %d", c.Status, coffee, tea, moves, wantStatus, wantCoffee, wantTea, wantMoves)
	}
}

// Scans arriving while the count is posted: every scan that was accepted is in the posted
// variance, and every scan refused (409) is not — nothing is counted after the post read it.
func TestRacingCountEntriesAndPost(t *testing.T) {
	f := newFixture(t)
	f.move(t, f.s1, f.tea, 4000, models.MoveReceipt)
	d := startCount(t, f, f.admin, map[string]any{"storeId": f.s1.ID})
	base := "/api/v1/inventory/counts/" + d.ID.String()
	codes := f.race(racers, func(i int) (string, string, any) {
		if i == racers/2 {
			return "POST", base + "/post", nil
		}
		return "PUT", base + "/lines", map[string]any{"lines": []map[string]any{{"productId": f.tea.ID, "add": 1000}}}
	})
	if codes[racers/2] != http.StatusOK {
		t.Fatalf("post answered %d", codes[racers/2])
	}
	scans := 0
	for i, c := range codes {
		if i == racers/2 {
			continue
		}
		switch c {
		case http.StatusOK:
			scans++
		case http.StatusConflict:
		default:
			t.Fatalf("scan %d answered %d", i, c)
		}
	}
	wantMoves := int64(1)
	if scans == 4 { // counted what was expected: no variance
		wantMoves = 0
	}
	if scans == 0 {
		wantMoves = 0 // never counted: posting leaves it alone
		scans = 4
	}
	if lvl := f.level(t, f.s1, f.tea); lvl != int64(scans)*1000 {
		t.Fatalf("tea level %d after %d accepted scans", lvl, scans)
	}
	if n := f.countMovements(d.ID); n != wantMoves {
		t.Fatalf("%d count movements, want %d", n, wantMoves)
	}
	if n := f.countAudits(d.ID, "stock_count.enter"); n != int64(tally(codes)[http.StatusOK]-1) {
		t.Fatalf("%d entry audits for %v", n, tally(codes))
	}
}
