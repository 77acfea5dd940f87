package purchasing_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"backroom/app/apptest"
	"backroom/app/purchasing"
	"backroom/models"
)

// partial is a sent order with 4 of 10 of its first line and 1 of 2.5 of its second received:
// 7.5 units on 2 lines are still expected.
func (f *fixture) partial(t *testing.T) purchasing.Detail {
	t.Helper()
	d := f.sent(t)
	d = f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{
		map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 4000},
		map[string]any{"itemId": d.Items[1].ID, "quantityReceived": 1000},
	}}, f.receiver, 200)
	if d.Status != models.POPartial {
		t.Fatalf("fixture order is %s, want partial", d.Status)
	}
	return d
}

func (f *fixture) closeShortAudits(t *testing.T, d purchasing.Detail) int64 {
	t.Helper()
	return f.app.Count("audit_log", "entity_type = 'purchase_order' AND entity_id = ? AND action = 'close_short'", d.ID)
}

func TestCloseShortFromPartial(t *testing.T) {
	f := setup(t)
	receiver, tok := f.app.User(nil, purchasing.PermView, purchasing.PermReceive)
	d := f.partial(t)
	stock0, stock1 := f.stock(t, f.store.ID, d.Items[0].ProductID), f.stock(t, f.store.ID, d.Items[1].ProductID)
	moves := f.app.Count("inventory_movements", "")

	res := f.app.Do("PATCH", poPath(d.ID, "close"), map[string]any{"reason": "  Supplier discontinued the rest  "}, tok).Expect(t, http.StatusOK)
	var got purchasing.Detail
	res.Data(t, &got)
	if got.Status != models.POReceived || got.ClosedShortAt == nil || got.ReceivedAt == nil ||
		got.ClosedShortBy == nil || *got.ClosedShortBy != receiver.ID ||
		got.CloseReason == nil || *got.CloseReason != "Supplier discontinued the rest" {
		t.Fatalf("closed short: %+v", got.PurchaseOrder)
	}
	// Nothing else about the order changed: the lines keep what was received.
	if got.Received != 5000 || got.Ordered != 12500 || got.Items[0].QuantityReceived != 4000 || got.Items[1].QuantityReceived != 1000 {
		t.Fatalf("lines changed: received %d of %d", got.Received, got.Ordered)
	}
	// The JSON names the new fields in camelCase.
	var raw struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	must(t, json.Unmarshal(res.Body, &raw))
	for _, k := range []string{"closedShortAt", "closedShortBy", "closeReason"} {
		if v, ok := raw.Data[k]; !ok || string(v) == "null" {
			t.Fatalf("JSON lacks %s: %s", k, res.String())
		}
	}
	// So does a GET, and an order that was not closed short carries them as null.
	again := f.do(t, "GET", poPath(d.ID, ""), nil, f.buyer, 200)
	if again.CloseReason == nil || *again.CloseReason != "Supplier discontinued the rest" {
		t.Fatalf("GET lost the reason: %+v", again.PurchaseOrder)
	}
	other := f.app.Do("GET", poPath(f.create(t, f.buyer).ID, ""), nil, f.buyer).Expect(t, 200).String()
	if !strings.Contains(other, `"closedShortAt":null`) || !strings.Contains(other, `"closeReason":null`) {
		t.Fatalf("open order JSON: %s", other)
	}

	// Stock only moves on receipts.
	if f.stock(t, f.store.ID, d.Items[0].ProductID) != stock0 || f.stock(t, f.store.ID, d.Items[1].ProductID) != stock1 {
		t.Fatal("closing short moved stock")
	}
	if n := f.app.Count("inventory_movements", ""); n != moves {
		t.Fatalf("closing short wrote %d movements", n-moves)
	}

	// One audit row with before and after.
	var e models.AuditEntry
	must(t, f.app.DB.Take(&e, "entity_type = 'purchase_order' AND entity_id = ? AND action = 'close_short'", d.ID).Error)
	var before, after map[string]any
	must(t, json.Unmarshal(e.BeforeData, &before))
	must(t, json.Unmarshal(e.AfterData, &after))
	if e.UserID == nil || *e.UserID != receiver.ID || before["status"] != models.POPartial || after["status"] != models.POReceived ||
		after["reason"] != "Supplier discontinued the rest" || after["notReceived"] != float64(7500) || after["linesShort"] != float64(2) {
		t.Fatalf("audit: user %v before %v after %v", e.UserID, before, after)
	}
	var trail []models.AuditEntry
	f.app.Do("GET", poPath(d.ID, "history"), nil, f.buyer).Expect(t, 200).Data(t, &trail)
	if last := trail[len(trail)-1]; last.Action != "close_short" {
		t.Fatalf("history ends with %s", last.Action)
	}

	// A second close, and any further receipt, is refused: the order is received.
	env := f.app.Do("PATCH", poPath(d.ID, "close"), map[string]any{"reason": "again"}, tok).Expect(t, http.StatusConflict).Env(t)
	if !strings.Contains(env.Error, "already received") || !strings.Contains(env.Error, "closed short only when partial") {
		t.Fatalf("409 message %q", env.Error)
	}
	f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 1000}}}, tok, 409)
	f.do(t, "PATCH", poPath(d.ID, "cancel"), nil, f.buyer, 409)
	if n := f.closeShortAudits(t, d); n != 1 {
		t.Fatalf("%d close_short audit rows", n)
	}

	// The list and its filters keep working: it is a received order now.
	for q, want := range map[string]int64{"status=received": 1, "status=partial": 0, "q=" + d.Number + "&status=received": 1} {
		if env := f.app.Do("GET", "/api/v1/purchase-orders?"+q, nil, f.buyer).Expect(t, 200).Env(t); *env.Total != want {
			t.Errorf("%s: total %d, want %d", q, *env.Total, want)
		}
	}
}

func TestCloseShortRefusedFromOtherStatuses(t *testing.T) {
	f := setup(t)
	steps := map[string][]string{
		models.PODraft:     nil,
		models.POSubmitted: {"submit"},
		models.POApproved:  {"submit", "approve"},
		models.POSent:      {"submit", "approve", "send"},
		models.POCancelled: {"cancel"},
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
			env := f.app.Do("PATCH", poPath(d.ID, "close"), map[string]any{"reason": "nothing more"}, f.receiver).Expect(t, http.StatusConflict).Env(t)
			if !strings.Contains(env.Error, "already "+from) || !strings.Contains(env.Error, d.Number) {
				t.Fatalf("409 from %s: %q", from, env.Error)
			}
			after := f.do(t, "GET", poPath(d.ID, ""), nil, f.buyer, 200)
			if after.Status != from || after.ClosedShortAt != nil || after.CloseReason != nil || f.closeShortAudits(t, d) != 0 {
				t.Fatalf("refused close from %s changed the order: %+v", from, after.PurchaseOrder)
			}
		})
	}
	t.Run("received in full", func(t *testing.T) {
		d := f.sent(t)
		f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{
			map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 10000},
			map[string]any{"itemId": d.Items[1].ID, "quantityReceived": 2500},
		}}, f.receiver, 200)
		env := f.app.Do("PATCH", poPath(d.ID, "close"), map[string]any{"reason": "nothing more"}, f.receiver).Expect(t, http.StatusConflict).Env(t)
		if !strings.Contains(env.Error, "already received") {
			t.Fatalf("409 message %q", env.Error)
		}
		if after := f.do(t, "GET", poPath(d.ID, ""), nil, f.buyer, 200); after.ClosedShortAt != nil || f.closeShortAudits(t, d) != 0 {
			t.Fatalf("refused close changed the order: %+v", after.PurchaseOrder)
		}
	})
}

func TestCloseShortPermissions(t *testing.T) {
	f := setup(t)
	d := f.partial(t)
	body := map[string]any{"reason": "supplier out of stock"}
	// Everything but receive is not enough.
	_, noReceive := f.app.User(nil, purchasing.PermView, purchasing.PermCreate, purchasing.PermEdit, purchasing.PermApprove, purchasing.PermDelete)
	f.app.Do("PATCH", poPath(d.ID, "close"), body, noReceive).Expect(t, http.StatusForbidden)
	// Receive at another store does not reach this store's order (the package answers 403 for
	// an order out of the person's stores, as for every other transition).
	_, otherMgr := f.app.User(&f.other.ID, allPO...)
	env := f.app.Do("PATCH", poPath(d.ID, "close"), body, otherMgr).Expect(t, http.StatusForbidden).Env(t)
	if !strings.Contains(env.Error, purchasing.PermReceive) {
		t.Fatalf("403 message %q", env.Error)
	}
	// Unknown order: 404.
	f.app.Do("PATCH", "/api/v1/purchase-orders/0190a0a0-0000-7000-8000-000000000000/close", body, f.receiver).Expect(t, http.StatusNotFound)
	if got := f.do(t, "GET", poPath(d.ID, ""), nil, f.buyer, 200); got.Status != models.POPartial || f.closeShortAudits(t, d) != 0 {
		t.Fatalf("refused closes changed the order: %s", got.Status)
	}
	// The order's own store manager, who receives there, may close it.
	mgr, own := f.app.User(&f.store.ID, purchasing.PermView, purchasing.PermReceive)
	got := f.do(t, "PATCH", poPath(d.ID, "close"), body, own, 200)
	if got.Status != models.POReceived || got.ClosedShortBy == nil || *got.ClosedShortBy != mgr.ID {
		t.Fatalf("manager close: %+v", got.PurchaseOrder)
	}
}

func TestCloseShortReasonRequired(t *testing.T) {
	f := setup(t)
	d := f.partial(t)
	for name, body := range map[string]any{
		"missing":  map[string]any{},
		"blank":    map[string]any{"reason": "   \n "},
		"too long": map[string]any{"reason": strings.Repeat("x", purchasing.MaxCloseReason+1)},
		"not text": map[string]any{"reason": 12},
	} {
		t.Run(name, func(t *testing.T) {
			env := f.app.Do("PATCH", poPath(d.ID, "close"), body, f.receiver).Expect(t, http.StatusUnprocessableEntity).Env(t)
			if env.Errors["reason"] == nil {
				t.Fatalf("422 without a reason error: %+v", env)
			}
		})
	}
	f.app.Do("PATCH", poPath(d.ID, "close"), `{"reason":`, f.receiver).Expect(t, http.StatusBadRequest)
	if got := f.do(t, "GET", poPath(d.ID, ""), nil, f.buyer, 200); got.Status != models.POPartial || f.closeShortAudits(t, d) != 0 {
		t.Fatalf("refused reasons changed the order: %s", got.Status)
	}
	// 500 characters is the limit, counted as characters, not bytes.
	reason := strings.Repeat("é", purchasing.MaxCloseReason)
	got := f.do(t, "PATCH", poPath(d.ID, "close"), map[string]any{"reason": reason}, f.receiver, 200)
	if got.CloseReason == nil || *got.CloseReason != reason {
		t.Fatal("500-character reason not kept")
	}
}

// Two people closing the same order at once: one closes it, the other is told it moved on.
func TestConcurrentCloseShort(t *testing.T) {
	f := setup(t)
	_, second := f.app.User(nil, purchasing.PermView, purchasing.PermReceive)
	for round := 0; round < 3; round++ {
		d := f.partial(t)
		codes := make(chan int, 2)
		for i, tok := range []string{f.receiver, second} {
			go func(i int, tok string) {
				codes <- f.app.Do("PATCH", poPath(d.ID, "close"), map[string]any{"reason": "closer " + string(rune('A'+i))}, tok).Code
			}(i, tok)
		}
		got := map[int]int{<-codes: 1}
		got[<-codes]++
		if got[200] != 1 || got[409] != 1 {
			t.Fatalf("concurrent closes answered %v", got)
		}
		if n := f.closeShortAudits(t, d); n != 1 {
			t.Fatalf("%d close_short audit rows", n)
		}
	}
}

func TestCloseShortPage(t *testing.T) {
	f := setup(t)
	web, user := f.app.WebUser(&f.store.ID, allPO...)
	viewer, _ := f.app.WebUser(nil, purchasing.PermView)
	noReceive, _ := f.app.WebUser(nil, purchasing.PermView, purchasing.PermEdit, purchasing.PermApprove)
	d := f.sent(t)
	path := "/purchase-orders/" + d.ID.String()

	// Sent: no close-short action yet.
	if strings.Contains(web.Get(path).String(), `data-testid="po-close-short"`) {
		t.Fatal("close short offered for a sent order")
	}
	d = f.do(t, "PATCH", poPath(d.ID, "receive"), map[string]any{"items": []any{
		map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 4000},
		map[string]any{"itemId": d.Items[1].ID, "quantityReceived": 1000},
	}}, f.receiver, 200)
	question := "Close " + d.Number + " short? 7.5 units on 2 lines will not be received; stock does not change."
	// Partial: offered to whoever receives at the store, asking first and saying what happens.
	expectBody(t, web.Get(path), 200, `data-testid="po-close-short-form"`, `data-testid="po-close-short"`,
		`data-testid="po-close-reason"`, `hx-confirm="`+question+`"`, `maxlength="500"`)
	for name, w := range map[string]*apptest.Web{"viewer": viewer, "no receive": noReceive} {
		page := w.Get(path)
		page.Expect(t, 200)
		if strings.Contains(page.String(), `data-testid="po-close-short"`) {
			t.Fatalf("%s offered close short", name)
		}
	}
	expectBody(t, noReceive.PostForm(path+"/close", url.Values{"reason": {"x"}, "confirm": {"yes"}}), http.StatusForbidden)

	// No reason: the page again with the error beside the field.
	expectBody(t, web.PostForm(path+"/close", url.Values{"reason": {"  "}}), http.StatusUnprocessableEntity,
		"say why nothing more is coming", `data-testid="po-close-short-form"`)
	// Without JavaScript the confirmation page asks, carrying the reason; nothing changes yet.
	expectBody(t, web.PostForm(path+"/close", url.Values{"reason": {"Discontinued by the supplier"}}), 200,
		`data-testid="confirm-form"`, question, `name="reason" value="Discontinued by the supplier"`)
	// Without the CSRF token the post is refused.
	web.PostForm(path+"/close", url.Values{"reason": {"x"}, "confirm": {"yes"}, "csrf_token": {"wrong"}}).Expect(t, http.StatusForbidden)
	if got := f.do(t, "GET", poPath(d.ID, ""), nil, f.buyer, 200); got.Status != models.POPartial {
		t.Fatalf("closed before confirming: %s", got.Status)
	}

	// Confirmed: closed, back on the page with what happened.
	res := web.PostForm(path+"/close", url.Values{"reason": {"Discontinued by the supplier"}, "confirm": {"yes"}})
	res.Expect(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != path {
		t.Fatalf("redirect to %q", loc)
	}
	page := web.Get(path)
	expectBody(t, page, 200, "closed short; 7.5 units on 2 lines will not be received", `data-testid="timeline-close_short"`)
	// The summary and the history both say "Closed short by … — reason".
	if got := textOf(page.String(), `data-testid="po-closed-short"`, "</dd>"); !strings.HasPrefix(got, "by "+user.DisplayName+" — Discontinued by the supplier") {
		t.Fatalf("summary says %q", got)
	}
	if got := textOf(page.String(), `data-testid="timeline-close_short"`, "<time"); got != "Closed short by "+user.Username+" — Discontinued by the supplier" {
		t.Fatalf("history says %q", got)
	}
	for _, gone := range []string{"po-close-short", "po-receive-form", "po-cancel"} {
		if strings.Contains(page.String(), `data-testid="`+gone+`"`) {
			t.Fatalf("closed order still offers %s", gone)
		}
	}
	// Closing again: a 409 page naming the status, not a 500.
	expectBody(t, web.PostForm(path+"/close", url.Values{"reason": {"again"}, "confirm": {"yes"}}), http.StatusConflict, "already received")
	// The list shows it among the received orders.
	expectBody(t, web.Get("/purchase-orders?status=received"), 200, d.Number)
}

// With htmx, hx-confirm has asked: the post closes the order and answers with HX-Redirect.
func TestCloseShortPageHTMX(t *testing.T) {
	f := setup(t)
	web, _ := f.app.WebUser(nil, allPO...)
	d := f.partial(t)
	path := "/purchase-orders/" + d.ID.String()
	web.Get(path).Expect(t, 200)
	res := web.HTMX("POST", path+"/close", url.Values{"reason": {"Short shipped"}, "confirm": {"yes"}})
	res.Expect(t, http.StatusNoContent)
	if res.Header.Get("HX-Redirect") != path {
		t.Fatalf("HX-Redirect %q", res.Header.Get("HX-Redirect"))
	}
	if got := f.do(t, "GET", poPath(d.ID, ""), nil, f.buyer, 200); got.Status != models.POReceived || got.CloseReason == nil || *got.CloseReason != "Short shipped" {
		t.Fatalf("htmx close: %+v", got.PurchaseOrder)
	}
	// A refused htmx post shows its message in the flashes.
	res = web.HTMX("POST", path+"/close", url.Values{"reason": {"again"}, "confirm": {"yes"}})
	res.Expect(t, http.StatusConflict)
	if res.Header.Get("HX-Retarget") != "#flashes" || !strings.Contains(res.String(), "already received") {
		t.Fatalf("htmx 409: %s %s", res.Header.Get("HX-Retarget"), res.String())
	}
}

var tags = regexp.MustCompile(`<[^>]*>`)

// textOf is the text, spaces collapsed, from the element holding marker up to end.
func textOf(page, marker, end string) string {
	i := strings.Index(page, marker)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	rest = rest[strings.Index(rest, ">")+1:]
	if j := strings.Index(rest, end); j >= 0 {
		rest = rest[:j]
	}
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(rest, " "))), " ")
}
