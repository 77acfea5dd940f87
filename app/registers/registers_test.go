package registers_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"backroom/app/registers"
	"backroom/app/sales"
	"backroom/app/sales/salestest"
	"backroom/models"
)

func open(t *testing.T, f *salestest.Fixture, token string, store models.Store, terminal string, float int64) models.RegisterSession {
	t.Helper()
	var s models.RegisterSession
	f.Do("POST", "/api/v1/registers/open", map[string]any{"storeId": store.ID, "terminalId": terminal, "openingFloat": float}, token).
		Expect(t, http.StatusCreated).Data(t, &s)
	return s
}

func closeSession(t *testing.T, f *salestest.Fixture, token string, id uuid.UUID, counted int64) registers.Report {
	t.Helper()
	var r registers.Report
	f.Do("POST", "/api/v1/registers/close", map[string]any{"sessionId": id, "countedCash": counted}, token).
		Expect(t, http.StatusOK).Data(t, &r)
	return r
}

func TestOpenCloseAndZNumbers(t *testing.T) {
	f := salestest.New(t)
	s1 := open(t, f, f.Admin, f.Store, "T01", 10000)
	if s1.Status != "open" || s1.OpeningFloat != 10000 || s1.ZNumber != nil {
		t.Fatalf("opened = %+v", s1)
	}
	res := f.Do("POST", "/api/v1/registers/open", map[string]any{"storeId": f.Store.ID, "terminalId": "T01", "openingFloat": 0}, f.Admin).Expect(t, http.StatusConflict)
	if !strings.Contains(res.Env(t).Error, "already has an open register session") {
		t.Fatalf("second open: %s", res.Body)
	}
	for name, body := range map[string]map[string]any{
		"negative float":  {"storeId": f.Store.ID, "terminalId": "T09", "openingFloat": -1},
		"no terminal":     {"storeId": f.Store.ID, "openingFloat": 100},
		"unknown store":   {"storeId": uuid.New(), "terminalId": "T09", "openingFloat": 100},
		"malformed store": {"storeId": "S001", "terminalId": "T09", "openingFloat": 100},
	} {
		if res := f.Do("POST", "/api/v1/registers/open", body, f.Admin); res.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, res.Code, res.Body)
		}
	}
	if n := f.Count("register_sessions", ""); n != 1 {
		t.Fatalf("sessions = %d", n)
	}
	// The same terminal name at another store is another register.
	other := open(t, f, f.Admin, f.Other, "T01", 5000)

	var cur registers.Row
	f.Do("GET", "/api/v1/registers/current?terminal_id=T01&store_id="+f.Store.ID.String(), nil, f.Admin).Expect(t, http.StatusOK).Data(t, &cur)
	if cur.ID != s1.ID || cur.StoreCode != "S001" {
		t.Fatalf("current = %+v", cur)
	}
	f.Do("GET", "/api/v1/registers/current", nil, f.Admin).Expect(t, http.StatusOK)
	f.Do("GET", "/api/v1/registers/current?terminal_id=T01", nil, f.Admin).Expect(t, http.StatusBadRequest)
	f.Do("GET", "/api/v1/registers/current?terminal_id=T07&store_id="+f.Store.ID.String(), nil, f.Admin).Expect(t, http.StatusNotFound)

	f.Do("POST", "/api/v1/registers/close", map[string]any{"sessionId": s1.ID}, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("POST", "/api/v1/registers/close", map[string]any{"sessionId": s1.ID, "countedCash": -5}, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("POST", "/api/v1/registers/close", map[string]any{"sessionId": "x", "countedCash": 5}, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("POST", "/api/v1/registers/close", map[string]any{"sessionId": uuid.New(), "countedCash": 5}, f.Admin).Expect(t, http.StatusNotFound)

	z1 := closeSession(t, f, f.Admin, s1.ID, 10000)
	if z1.Kind != "Z" || z1.ZNumber != "Z-001" || *z1.DeclaredCash != 10000 || *z1.OverShort != 0 || z1.ExpectedCash != 10000 {
		t.Fatalf("z1 = %+v", z1)
	}
	res = f.Do("PUT", "/api/v1/registers/"+s1.ID.String()+"/close", map[string]any{"countedCash": 1}, f.Admin).Expect(t, http.StatusConflict)
	if !strings.Contains(res.Env(t).Error, "already closed") {
		t.Fatalf("second close: %s", res.Body)
	}
	f.Do("POST", "/api/v1/registers/close", map[string]any{"sessionId": s1.ID, "countedCash": 1}, f.Admin).Expect(t, http.StatusConflict)
	f.Do("GET", "/api/v1/registers/current?terminal_id=T01&store_id="+f.Store.ID.String(), nil, f.Admin).Expect(t, http.StatusNotFound)

	// The register's numbers run on: Z-002 on T01, while another register starts at Z-001.
	s2 := open(t, f, f.Admin, f.Store, "T01", 2000)
	var z2 registers.Report
	f.Do("PUT", "/api/v1/registers/"+s2.ID.String()+"/close", map[string]any{"countedCash": 2500}, f.Admin).Expect(t, http.StatusOK).Data(t, &z2)
	if z2.ZNumber != "Z-002" || *z2.OverShort != 500 {
		t.Fatalf("z2 = %+v", z2)
	}
	if z := closeSession(t, f, f.Admin, other.ID, 5000); z.ZNumber != "Z-001" {
		t.Fatalf("other register's first Z = %s", z.ZNumber)
	}
	if n := f.Count("audit_log", "entity_type = 'register_session' AND action IN ('register.open', 'register.close')"); n != 6 {
		t.Fatalf("register audit rows = %d", n)
	}
	var rows []registers.Row
	res = f.Do("GET", "/api/v1/registers?status=closed&store_id="+f.Store.ID.String(), nil, f.Admin).Expect(t, http.StatusOK)
	res.Data(t, &rows)
	if len(rows) != 2 || *rows[0].ZNumber != "Z-002" || *rows[1].ZNumber != "Z-001" {
		t.Fatalf("closed sessions at S001 = %+v", rows)
	}
	f.Do("GET", "/api/v1/registers?status=ajar", nil, f.Admin).Expect(t, http.StatusUnprocessableEntity)
}

func TestRegisterPermissions(t *testing.T) {
	f := salestest.New(t)
	cashier := f.Login("cashier", "3456") // Cashier at S001: open, close, X report
	manager := f.Login("manager", "2345") // Store Manager at S001
	f.Do("POST", "/api/v1/registers/open", map[string]any{"storeId": f.Other.ID, "terminalId": "T01", "openingFloat": 0}, cashier).Expect(t, http.StatusForbidden)
	mine := open(t, f, cashier, f.Store, "T01", 100)
	theirs := open(t, f, f.Admin, f.Other, "T01", 100)
	f.Do("PUT", "/api/v1/registers/"+theirs.ID.String()+"/close", map[string]any{"countedCash": 100}, cashier).Expect(t, http.StatusForbidden)
	f.Do("GET", "/api/v1/registers", nil, cashier).Expect(t, http.StatusForbidden)
	f.Do("GET", "/api/v1/reports/x-report?session_id="+mine.ID.String(), nil, cashier).Expect(t, http.StatusOK)
	f.Do("GET", "/api/v1/reports/x-report?session_id="+theirs.ID.String(), nil, cashier).Expect(t, http.StatusNotFound)
	f.Do("GET", "/api/v1/reports/z-report?session_id="+mine.ID.String(), nil, cashier).Expect(t, http.StatusForbidden)
	f.Do("GET", "/api/v1/registers/current?terminal_id=T01&store_id="+f.Other.ID.String(), nil, cashier).Expect(t, http.StatusForbidden)
	var cur registers.Row
	f.Do("GET", "/api/v1/registers/current", nil, cashier).Expect(t, http.StatusOK).Data(t, &cur)
	if cur.ID != mine.ID {
		t.Fatalf("cashier's own session = %s", cur.ID)
	}
	var rows []registers.Row
	f.Do("GET", "/api/v1/registers", nil, manager).Expect(t, http.StatusOK).Data(t, &rows)
	if len(rows) != 1 || rows[0].ID != mine.ID {
		t.Fatalf("manager sees %d sessions", len(rows))
	}
	closeSession(t, f, cashier, mine.ID, 100)
}

// TestXAndZFigures makes sales, a split payment with change, a refund and a void on one
// register and checks every figure of the X report, then that the Z report agrees.
func TestXAndZFigures(t *testing.T) {
	f := salestest.New(t)
	sess := open(t, f, f.Admin, f.Store, "T01", 10000)
	line := func(p models.Product, q int64) []salestest.Line { return []salestest.Line{{Product: p, Quantity: q}} }

	// A: 2 coffees (21.63) paid 22.00 cash, change 0.37.
	a := f.Body(f.Store, "R-A", "T01", line(f.Coffee, 2000), salestest.Pay{Method: "CASH", Amount: 2200})
	sa := f.Sell(f.Admin, a)
	// B: 2 muffins (7.00 + GST 0.35 + compound PST 0.51 = 7.86) by card.
	sb := f.Sell(f.Admin, f.Body(f.Store, "R-B", "T01", line(f.Muffin, 2000), salestest.Pay{Method: "CARD", Amount: 786}))
	// C: a coffee and gift wrapping (10.81 + 20.00) paid 10.00 card + 21.00 cash, change 0.19.
	sc := f.Sell(f.Admin, f.Body(f.Store, "R-C", "T01", []salestest.Line{{Product: f.Coffee, Quantity: 1000}, {Product: f.Service, Quantity: 1000}},
		salestest.Pay{Method: "CARD", Amount: 1000}, salestest.Pay{Method: "CASH", Amount: 2100}))
	// Refund one coffee of A in cash (−10.81).
	var rf salestest.Sale
	f.Refund(f.Admin, f.Store, sa.ID, "RF-A", "T01", line(f.Coffee, 1000)).Expect(t, http.StatusCreated).Data(t, &rf)
	// D: a coffee in cash, then voided.
	sd := f.Sell(f.Admin, f.Body(f.Store, "R-D", "T01", line(f.Coffee, 1000)))
	f.Do("PUT", "/api/v1/sales/"+sd.ID.String()+"/void", map[string]string{"reason": "keyed twice"}, f.Admin).Expect(t, http.StatusOK)
	// Another terminal's sale and a sale with no terminal are not this register's.
	f.Sell(f.Admin, f.Body(f.Store, "R-E", "T02", line(f.Coffee, 1000)))
	f.Sell(f.Admin, f.Body(f.Store, "R-F", "", line(f.Coffee, 1000)))

	if sa.GrandTotal != 2163 || sb.GrandTotal != 786 || sc.GrandTotal != 3081 || sc.ChangeDue != 19 || rf.GrandTotal != -1081 || sd.GrandTotal != 1081 {
		t.Fatalf("sales: %d %d %d/%d %d %d", sa.GrandTotal, sb.GrandTotal, sc.GrandTotal, sc.ChangeDue, rf.GrandTotal, sd.GrandTotal)
	}
	cashSales := (2200 - 37) + (2100 - 19) // A and C, net of change
	cashRefunds := 1081
	want := registers.Report{
		Kind: "X", OpeningFloat: 10000, ExpectedCash: int64(10000 + cashSales - cashRefunds),
		Figures: sales.Figures{
			Tenders: []sales.TenderFigures{
				{Method: "CASH", Name: "Cash", Type: "CASH", Sales: int64(cashSales), Refunds: int64(cashRefunds), Net: int64(cashSales - cashRefunds)},
				{Method: "CARD", Name: "Card", Type: "CARD", Sales: 786 + 1000, Refunds: 0, Net: 1786},
			},
			CashSales: int64(cashSales), CashRefunds: int64(cashRefunds), CardSales: 1786,
			SalesCount: 3, RefundCount: 1, VoidCount: 1, VoidTotal: 1081,
			GrossSales: 2163 + 786 + 3081, RefundTotal: 1081, NetSales: 2163 + 786 + 3081 - 1081,
			TaxTotal: 165 + 86 + 82 - 82, NetExTax: 2163 + 786 + 3081 - 1081 - (165 + 86 + 82 - 82),
			Taxes: []sales.RateFigures{
				{Name: "Test GST", Rate: 500, Taxable: 700, Amount: 35},
				{Name: "Test PST", Rate: 700, Taxable: 735, Amount: 51},
				{Name: "Test State Tax", Rate: 825, Taxable: 1998 + 999 - 999, Amount: 165 + 82 - 82},
			},
		},
	}
	var x registers.Report
	f.Do("GET", "/api/v1/reports/x-report?session_id="+sess.ID.String(), nil, f.Admin).Expect(t, http.StatusOK).Data(t, &x)
	if x.Session.ID != sess.ID || x.DeclaredCash != nil || x.OverShort != nil || x.ZNumber != "" {
		t.Fatalf("x session part = %+v", x)
	}
	compare(t, "X", x, want)
	// The X report changed nothing.
	var again registers.Report
	f.Do("GET", "/api/v1/reports/x-report?session_id="+sess.ID.String(), nil, f.Admin).Expect(t, http.StatusOK).Data(t, &again)
	compare(t, "X again", again, want)
	if n := f.Count("register_sessions", "status = 'open'"); n != 1 {
		t.Fatal("X report closed the session")
	}
	f.Do("GET", "/api/v1/reports/z-report?session_id="+sess.ID.String(), nil, f.Admin).Expect(t, http.StatusConflict)
	f.Do("GET", "/api/v1/reports/x-report", nil, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("GET", "/api/v1/reports/x-report?session_id="+uuid.NewString(), nil, f.Admin).Expect(t, http.StatusNotFound)

	// Close 11.63 short of what is expected.
	counted := want.ExpectedCash - 1163
	z := closeSession(t, f, f.Admin, sess.ID, counted)
	want.Kind, want.ZNumber = "Z", "Z-001"
	compare(t, "Z at close", z, want)
	if *z.DeclaredCash != counted || *z.OverShort != -1163 {
		t.Fatalf("declared/over-short = %d/%d", *z.DeclaredCash, *z.OverShort)
	}
	var stored models.RegisterSession
	f.DB.Take(&stored, "id = ?", sess.ID)
	if *stored.ExpectedCash != want.ExpectedCash || *stored.CountedCash != counted || *stored.OverShort != -1163 || *stored.ZNumber != "Z-001" {
		t.Fatalf("stored session = %+v", stored)
	}
	var zr registers.Report
	f.Do("GET", "/api/v1/reports/z-report?session_id="+sess.ID.String(), nil, f.Admin).Expect(t, http.StatusOK).Data(t, &zr)
	compare(t, "Z", zr, want)
	f.Do("GET", "/api/v1/reports/x-report?session_id="+sess.ID.String(), nil, f.Admin).Expect(t, http.StatusConflict)

	// The Z is final: a sale of the closed session cannot be voided, and new sales on T01 wait
	// for the next session.
	f.Do("PUT", "/api/v1/sales/"+sb.ID.String()+"/void", map[string]string{"reason": "late"}, f.Admin).Expect(t, http.StatusConflict)
	late := f.Sell(f.Admin, f.Body(f.Store, "R-G", "T01", line(f.Coffee, 1000)))
	if late.RegisterSessionID != nil {
		t.Fatal("a sale joined a closed session")
	}
	f.Do("GET", "/api/v1/reports/z-report?session_id="+sess.ID.String(), nil, f.Admin).Expect(t, http.StatusOK).Data(t, &zr)
	compare(t, "Z later", zr, want)

	// Pages: the list flags the shortfall in red, the Z page shows the figures.
	w := f.SignIn("admin", "1234")
	list := w.Get("/registers").Expect(t, http.StatusOK).String()
	if !strings.Contains(list, "text-red-700") || !strings.Contains(list, "-$11.63") || !strings.Contains(list, "Z-001") {
		t.Fatal("registers list lacks the flagged over/short or the Z number")
	}
	page := w.Get("/registers/"+sess.ID.String()+"/z-report").Expect(t, http.StatusOK).String()
	for _, want := range []string{"Z report Z-001", "$131.63", "-$11.63", "Test PST", "$10.81"} {
		if !strings.Contains(page, want) {
			t.Fatalf("Z page lacks %q", want)
		}
	}
	w.Get("/registers/"+sess.ID.String()+"/x-report").Expect(t, http.StatusConflict)
}

func compare(t *testing.T, label string, got, want registers.Report) {
	t.Helper()
	if got.Kind != want.Kind || got.OpeningFloat != want.OpeningFloat || got.ExpectedCash != want.ExpectedCash || got.ZNumber != want.ZNumber {
		t.Fatalf("%s: kind/float/expected/z = %s %d %d %s, want %s %d %d %s", label, got.Kind, got.OpeningFloat, got.ExpectedCash, got.ZNumber,
			want.Kind, want.OpeningFloat, want.ExpectedCash, want.ZNumber)
	}
	if !reflect.DeepEqual(got.Figures, want.Figures) {
		t.Fatalf("%s figures:\n got %+v\nwant %+v", label, got.Figures, want.Figures)
	}
}

func TestRegisterPagesAndWebClose(t *testing.T) {
	f := salestest.New(t)
	sess := open(t, f, f.Admin, f.Store, "T01", 10000)
	f.Sell(f.Admin, f.Body(f.Store, "R-1", "T01", []salestest.Line{{Product: f.Coffee, Quantity: 1000}}))
	w := f.SignIn("admin", "1234")
	x := w.Get("/registers/"+sess.ID.String()+"/x-report").Expect(t, http.StatusOK).String()
	for _, want := range []string{"X report", "$110.81", `data-testid="close-form"`} {
		if !strings.Contains(x, want) {
			t.Fatalf("X page lacks %q", want)
		}
	}
	res := w.PostForm("/registers/"+sess.ID.String()+"/close", url.Values{"countedCash": {"lots"}}).Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.String(), "must be an amount") {
		t.Fatal("bad amount should be shown beside the field")
	}
	res = w.PostForm("/registers/"+sess.ID.String()+"/close", url.Values{"countedCash": {"110.81"}}).Expect(t, http.StatusSeeOther)
	if res.Header.Get("Location") != "/registers/"+sess.ID.String()+"/z-report" {
		t.Fatalf("redirect = %s", res.Header.Get("Location"))
	}
	var s models.RegisterSession
	f.DB.Take(&s, "id = ?", sess.ID)
	if s.Status != "closed" || *s.OverShort != 0 || *s.ZNumber != "Z-001" {
		t.Fatalf("closed = %+v", s)
	}
	w.PostForm("/registers/"+sess.ID.String()+"/close", url.Values{"countedCash": {"1"}}).Expect(t, http.StatusSeeOther)
	if f.Count("register_counters", "last_z = 1") != 1 {
		t.Fatal("a refused close took a Z number")
	}
	frag := w.HTMX("GET", "/registers?status=open", nil).Expect(t, http.StatusOK).String()
	if strings.Contains(frag, "<html") || !strings.Contains(frag, "No register sessions match") {
		t.Fatal("htmx filter should answer the table fragment")
	}
	// A cashier sees no registers list (no registers.view) and the sidebar shows them Sales only.
	c := f.SignIn("cashier", "3456")
	c.Get("/registers").Expect(t, http.StatusForbidden)
	home := c.Get("/").Expect(t, http.StatusOK).String()
	if !strings.Contains(home, `href="/sales"`) {
		t.Fatal("cashier's sidebar lacks Sales")
	}
}

// TestParallelCloses: more closes of one session than the pool has connections give one Z
// number and 409s for the rest (and no deadlock on the pool while they queue on the row lock).
func TestParallelCloses(t *testing.T) {
	f := salestest.New(t)
	sess := open(t, f, f.Admin, f.Store, "T01", 100)
	const closes = 24
	codes := make(chan int, closes)
	var wg sync.WaitGroup
	for i := 0; i < closes; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- f.Do("PUT", "/api/v1/registers/"+sess.ID.String()+"/close", map[string]any{"countedCash": 100}, f.Admin).Code
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != closes-1 {
		t.Fatalf("close answers = %v", got)
	}
	if n := f.Count("register_counters", "last_z = 1"); n != 1 {
		t.Fatal("refused closes took Z numbers")
	}
}
