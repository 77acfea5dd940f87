package codemax_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"backroom/app"
	"backroom/app/apptest"
	"backroom/app/integrations/codemax"
	"backroom/app/integrations/codemax/codemaxtest"
	"backroom/app/linemath"
	"backroom/app/outbound"
	"backroom/app/sales"
	"backroom/models"
)

const (
	username = "pos-s001"
	password = "pw-very-secret-42"
	syncPath = "/api/v1/sync"
	login    = "/api/v1/auth/login"
	refresh  = "/api/v1/auth/refresh"
)

// env is a demo app with one Codemax integration for S001 talking to a fake Codemax.
type env struct {
	t       *testing.T
	app     *apptest.App
	fake    *codemaxtest.Server
	conn    *codemax.Connector
	token   string
	store   models.Store
	product models.Product
	integID uuid.UUID
}

func setup(t *testing.T, opts codemax.Options, settings map[string]any) *env {
	t.Helper()
	fake := codemaxtest.New(t, username, password)
	if opts.Now == nil {
		opts.Now = fake.Now
	}
	if opts.Client == nil {
		opts.Client = outbound.Guard{AllowPrivate: true}.Client(20 * time.Second) // the fake listens on loopback
	}
	if opts.RetryWait == 0 {
		opts.RetryWait = time.Millisecond
	}
	conn := codemax.New(opts)
	app := apptest.NewWith(t, apptest.Options{Demo: true, App: []app.Option{app.WithConnector(conn)}}) // in place of the production connector
	e := &env{t: t, app: app, fake: fake, conn: conn, token: app.Login("admin", "1234")}
	if err := app.DB.Take(&e.store, "code = 'S001'").Error; err != nil {
		t.Fatal(err)
	}

	e.product = models.Product{ID: models.NewID(), SKU: "CMXT-COF-250", Name: "Coffee beans 250g", SellPrice: 999,
		PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
	if err := app.DB.Create(&e.product).Error; err != nil {
		t.Fatal(err)
	}
	var cash models.Tender
	if err := app.DB.Where("upper(code) = 'CASH'").Attrs(models.Tender{ID: models.NewID(), Code: "CASH", Name: "Cash", Type: "CASH", IsActive: true}).
		FirstOrCreate(&cash).Error; err != nil { // the demo data may have it
		t.Fatal(err)
	}

	s := map[string]any{"baseUrl": fake.URL, "branchCode": "B-DT01", "username": username}
	for k, v := range settings {
		s[k] = v
	}
	var v struct {
		ID       uuid.UUID         `json:"id"`
		Settings map[string]string `json:"settings"`
	}
	app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "codemax", "name": "Codemax S001", "enabled": true,
		"storeId": e.store.ID, "settings": s, "secrets": map[string]string{"password": password}}, e.token).
		Expect(t, http.StatusCreated).Data(t, &v)
	e.integID = v.ID
	return e
}

type line struct{ qty, price int64 }

// sell records a sale (or, with original, a refund) of the coffee at 8.25% through the sales service.
func (e *env) sell(receipt string, soldAt *time.Time, original *models.Sale, lines ...line) *models.Sale {
	e.t.Helper()
	if len(lines) == 0 {
		lines = []line{{2000, 999}}
	}
	in := sales.SaleInput{ReceiptNumber: receipt, StoreID: e.store.ID.String(), SoldAt: soldAt}
	if original != nil {
		id := original.ID.String()
		in.OriginalSaleID = &id
	}
	var ll []linemath.Line
	for _, l := range lines {
		ll = append(ll, linemath.Line{Quantity: l.qty, UnitPrice: l.price, Taxes: []linemath.Tax{{Name: "Sales tax", Rate: 825}}})
	}
	tot, err := linemath.ComputeSale(ll)
	if err != nil {
		e.t.Fatal(err)
	}
	for i, l := range lines {
		r := tot.Lines[i]
		in.Items = append(in.Items, sales.ItemInput{ProductID: e.product.ID.String(), Quantity: l.qty, UnitPrice: l.price,
			TaxAmount: r.TaxTotal, LineTotal: r.Total,
			Taxes: []sales.TaxInput{{TaxRateName: "Sales tax", Rate: 825, TaxAmount: r.Taxes[0].Amount}}})
	}
	in.Subtotal, in.TaxTotal, in.DiscountTotal, in.GrandTotal = tot.Subtotal, tot.TaxTotal, tot.DiscountTotal, tot.GrandTotal
	in.Payments = []sales.PaymentInput{{Method: "CASH", Amount: tot.GrandTotal}}
	sale, err := e.app.App.Sales.Create(context.Background(), models.System, in)
	if err != nil {
		e.t.Fatalf("sell %s: %v", receipt, err)
	}
	return sale
}

func (e *env) sellMany(n int) {
	for i := 1; i <= n; i++ {
		e.sell(fmt.Sprintf("R%04d", i), nil, nil)
	}
}

// run queues a manual run and performs it here, returning the finished run row.
func (e *env) run() models.IntegrationRun {
	e.t.Helper()
	svc := e.app.App.Integrations
	r, err := svc.StartRun(context.Background(), models.System, e.integID, models.TriggerManual)
	if err != nil {
		e.t.Fatalf("start run: %v", err)
	}
	return e.perform(r.ID)
}

func (e *env) perform(runID uuid.UUID) models.IntegrationRun {
	e.t.Helper()
	if err := e.app.App.Integrations.Run(context.Background(), runID); err != nil {
		e.t.Fatalf("run: %v", err)
	}
	var row models.IntegrationRun
	if err := e.app.DB.Take(&row, "id = ?", runID).Error; err != nil {
		e.t.Fatal(err)
	}
	return row
}

func expectRun(t *testing.T, r models.IntegrationRun, status string, total, sent, failed int) {
	t.Helper()
	if r.Status != status || r.Total != total || r.Sent != sent || r.Failed != failed {
		t.Fatalf("run = %s total %d sent %d failed %d (%q), want %s %d/%d/%d", r.Status, r.Total, r.Sent, r.Failed, r.Message, status, total, sent, failed)
	}
}

// onceEach checks that every receipt arrived exactly once (with isVoid as given) and nothing else.
func onceEach(t *testing.T, got []codemaxtest.Invoice, isVoid bool, receipts ...string) {
	t.Helper()
	seen := map[string]int{}
	for _, inv := range got {
		if inv.IsVoid != isVoid {
			continue
		}
		seen[inv.InvoiceNo]++
	}
	for _, r := range receipts {
		if seen[r] != 1 {
			t.Fatalf("invoice %s (isVoid %v) arrived %d times", r, isVoid, seen[r])
		}
		delete(seen, r)
	}
	if len(seen) > 0 {
		t.Fatalf("unexpected invoices (isVoid %v): %v", isVoid, seen)
	}
}

func receipts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("R%04d", i+1)
	}
	return out
}

func batchSizes(calls []codemaxtest.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, fmt.Sprintf("%d:%d", c.Status, c.Invoices))
	}
	return out
}

func TestRunSendsPendingSalesInBatchesOfTwenty(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	e.sellMany(45)
	old := time.Now().AddDate(0, 0, -3)
	e.sell("OLD-1", &old, nil) // before the send-from day (the integration's creation day): not sent

	r := e.run()
	expectRun(t, r, models.RunSucceeded, 45, 45, 0)
	if got := strings.Join(batchSizes(e.fake.CallsTo(syncPath)), " "); got != "200:20 200:20 200:5" {
		t.Fatalf("sync calls = %s, want 20 + 20 + 5", got)
	}
	onceEach(t, e.fake.Invoices(), false, receipts(45)...)
	if n := len(e.fake.CallsTo(login)); n != 1 {
		t.Fatalf("logins = %d, want 1 for the run", n)
	}
	if n := e.app.Count("codemax_invoices", "status = 'sent' AND event = 'sale'"); n != 45 {
		t.Fatalf("outbox sent rows = %d", n)
	}

	// A second run has nothing to send.
	r = e.run()
	expectRun(t, r, models.RunSucceeded, 0, 0, 0)
	if n := len(e.fake.CallsTo(syncPath)); n != 3 {
		t.Fatalf("second run made sync calls: %d in all", n)
	}

	// Moving the send-from day back sends the older sale, once.
	var v struct{}
	e.app.Do("PUT", "/api/v1/integrations/"+e.integID.String(), map[string]any{"kind": "codemax", "name": "Codemax S001", "enabled": true,
		"storeId": e.store.ID, "settings": map[string]any{"baseUrl": e.fake.URL, "branchCode": "B-DT01", "username": username,
			"sendFrom": old.AddDate(0, 0, -1).Format("2006-01-02")}}, e.token).Expect(t, http.StatusOK).Data(t, &v)
	expectRun(t, e.run(), models.RunSucceeded, 1, 1, 0)
	onceEach(t, e.fake.Invoices(), false, append(receipts(45), "OLD-1")...)
}

func TestInvoiceFiguresAreExact(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	sale := e.sell("R0001", nil, nil) // the seed's example: 2 × 9.99 at 8.25%
	e.sell("R0002", nil, nil, line{1250, 400})
	e.sell("RF-0001", nil, sale, line{-1000, 999}) // a refund of one of the two
	expectRun(t, e.run(), models.RunSucceeded, 3, 3, 0)

	byNo := map[string]codemaxtest.Invoice{}
	for _, inv := range e.fake.Invoices() {
		byNo[inv.InvoiceNo] = inv
	}
	inv := byNo["R0001"]
	raw := string(inv.Raw)
	for _, want := range []string{`"subtotal":19.98`, `"taxTotal":1.65`, `"discountTotal":0.00`, `"grandTotal":21.63`,
		`"quantity":2,`, `"unitPrice":9.99`, `"tax":1.65`, `"amount":21.63`, `"itemCode":"CMXT-COF-250"`, `"itemName":"Coffee beans 250g"`,
		`"method":"CASH"`, `"branchCode":"B-DT01"`, `"isVoid":false`} {
		if !strings.Contains(raw, want) {
			t.Errorf("invoice lacks %s: %s", want, raw)
		}
	}
	ny, _ := time.LoadLocation("America/New_York")
	if want := sale.SoldAt.In(ny).Format(time.RFC3339); inv.InvoiceDate != want {
		t.Errorf("invoiceDate = %s, want %s (store time)", inv.InvoiceDate, want)
	}
	if q := byNo["R0002"].Items[0].Quantity; q != "1.25" {
		t.Errorf("quantity = %s, want 1.25", q)
	}
	rf := byNo["RF-0001"]
	if rf.GrandTotal != "-10.81" || rf.Subtotal != "-9.99" || rf.Items[0].Quantity != "-1" || rf.Payments[0].Amount != "-10.81" {
		t.Errorf("refund = %s", rf.Raw)
	}
}

func TestExpiredTokenIsRefreshedWithBothTokens(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	e.sellMany(45)
	// Codemax expires the token between the first and the second batch: the second call gets 401.
	e.fake.OnSync(func(n int) {
		if n == 2 {
			e.fake.ExpireAccessTokens()
		}
	})
	expectRun(t, e.run(), models.RunSucceeded, 45, 45, 0)
	if got := strings.Join(batchSizes(e.fake.CallsTo(syncPath)), " "); got != "200:20 401:20 200:20 200:5" {
		t.Fatalf("sync calls = %s", got)
	}
	refreshes := e.fake.CallsTo(refresh)
	if len(refreshes) != 1 || refreshes[0].Status != 200 || refreshes[0].Body["accessToken"] == "" || refreshes[0].Body["refreshToken"] == "" {
		t.Fatalf("refresh calls = %+v, want one with both tokens accepted", refreshes)
	}
	if n := len(e.fake.CallsTo(login)); n != 1 {
		t.Fatalf("logins = %d, want 1 (refresh, not a new login)", n)
	}
	onceEach(t, e.fake.Invoices(), false, receipts(45)...)
}

func TestTokenIsRenewedAfterFifteenMinutes(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	e.fake.TTL = 16 * time.Minute // Codemax would still take it; Backroom renews at 15 minutes anyway
	e.sellMany(45)
	e.fake.OnSync(func(n int) {
		if n == 2 {
			e.fake.Advance(15*time.Minute + 30*time.Second)
		}
	})
	expectRun(t, e.run(), models.RunSucceeded, 45, 45, 0)
	if got := strings.Join(batchSizes(e.fake.CallsTo(syncPath)), " "); got != "200:20 200:20 200:5" {
		t.Fatalf("sync calls = %s, want no 401", got)
	}
	if r := e.fake.CallsTo(refresh); len(r) != 1 || r[0].Status != 200 {
		t.Fatalf("refresh calls = %+v", r)
	}
}

func TestFailedRefreshLogsInAgain(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	e.fake.SnakeCase = true // access_token/refresh_token under "data" are understood too
	e.sellMany(25)
	e.fake.FailRefresh(true)
	e.fake.OnSync(func(n int) {
		if n == 2 {
			e.fake.ExpireAccessTokens()
		}
	})
	expectRun(t, e.run(), models.RunSucceeded, 25, 25, 0)
	if r := e.fake.CallsTo(refresh); len(r) != 1 || r[0].Status != 401 {
		t.Fatalf("refresh calls = %+v, want one refused", r)
	}
	if n := len(e.fake.CallsTo(login)); n != 2 {
		t.Fatalf("logins = %d, want 2 (the second after the refused refresh)", n)
	}
	onceEach(t, e.fake.Invoices(), false, receipts(25)...)
}

func TestVoidIsSentOnce(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	e.sellMany(3)
	expectRun(t, e.run(), models.RunSucceeded, 3, 3, 0)

	var s2 models.Sale
	e.app.DB.Take(&s2, "receipt_number = 'R0002'")
	if _, err := e.app.App.Sales.Void(context.Background(), models.System, s2.ID, "wrong item"); err != nil {
		t.Fatal(err)
	}
	// A sale voided before it was ever sent goes once, as a void.
	s4 := e.sell("R0004", nil, nil)
	if _, err := e.app.App.Sales.Void(context.Background(), models.System, s4.ID, "test"); err != nil {
		t.Fatal(err)
	}
	expectRun(t, e.run(), models.RunSucceeded, 2, 2, 0)
	expectRun(t, e.run(), models.RunSucceeded, 0, 0, 0)
	onceEach(t, e.fake.Invoices(), false, "R0001", "R0002", "R0003")
	onceEach(t, e.fake.Invoices(), true, "R0002", "R0004")
	if n := e.app.Count("codemax_invoices", "event = 'void' AND status = 'sent'"); n != 2 {
		t.Fatalf("void rows = %d", n)
	}
}

func TestRefusedInvoiceStaysPendingUntilDue(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	e.sellMany(5)
	e.fake.Refuse(map[string]string{"R0002": "Unknown item CMXT-COF-250", "R0004": "Branch closed", "R0005": "Duplicate"})
	expectRun(t, e.run(), models.RunPartial, 5, 2, 3)
	var errs []models.IntegrationError
	e.app.DB.Order("item_ref").Find(&errs, "integration_id = ? AND status = 'open'", e.integID)
	if len(errs) != 3 || errs[0].ItemRef != "R0002" || errs[0].Message != "Unknown item CMXT-COF-250" || errs[0].ItemType != "sale" ||
		errs[0].NextAttemptAt == nil || !errs[0].NextAttemptAt.After(time.Now().Add(30*time.Second)) {
		t.Fatalf("errors = %+v", errs)
	}
	if n := e.app.Count("codemax_invoices", "status = 'error' AND attempts = 1"); n != 3 {
		t.Fatalf("outbox error rows = %d", n)
	}

	// Codemax takes them now, but their backoff is not over: nothing is sent.
	e.fake.Refuse(map[string]string{})
	expectRun(t, e.run(), models.RunSucceeded, 0, 0, 0)

	// Retry (a person's) makes R0002 due now and queues a run that sends it.
	r, err := e.app.App.Integrations.RetryError(context.Background(), models.System, e.integID, errs[0].ID)
	if err != nil || r == nil {
		t.Fatalf("retry: %v", err)
	}
	expectRun(t, e.perform(r.ID), models.RunSucceeded, 1, 1, 0)
	// R0004's backoff runs out; R0005 is resolved by a person and never tried again.
	e.app.DB.Exec(`UPDATE integration_errors SET next_attempt_at = now() - interval '1 second' WHERE item_ref IN ('R0004', 'R0005')`)
	e.app.Do("POST", fmt.Sprintf("/api/v1/integrations/%s/errors/%s/resolve", e.integID, errs[2].ID), nil, e.token).Expect(t, http.StatusOK)
	expectRun(t, e.run(), models.RunSucceeded, 1, 1, 0)
	onceEach(t, e.fake.Invoices(), false, "R0001", "R0002", "R0003", "R0004")
	if n := e.app.Count("integration_errors", "status <> 'resolved'"); n != 0 {
		t.Fatalf("open errors = %d", n)
	}
	if n := e.app.Count("codemax_invoices", "status = 'sent'"); n != 4 {
		t.Fatalf("sent rows = %d", n)
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	e := setup(t, codemax.Options{Attempts: 3}, nil)
	e.sellMany(2)
	e.fake.Fail500(2)
	expectRun(t, e.run(), models.RunSucceeded, 2, 2, 0)
	if got := strings.Join(batchSizes(e.fake.CallsTo(syncPath)), " "); got != "500:2 500:2 200:2" {
		t.Fatalf("sync calls = %s", got)
	}

	// Codemax keeps failing: after three tries the invoice becomes an error left pending.
	e.sell("R0003", nil, nil)
	e.fake.Fail500(3)
	r := e.run()
	expectRun(t, r, models.RunFailed, 1, 0, 1)
	var ie models.IntegrationError
	if err := e.app.DB.Take(&ie, "item_ref = 'R0003' AND status = 'open'").Error; err != nil || !strings.Contains(ie.Message, "HTTP 500") {
		t.Fatalf("error = %+v (%v)", ie, err)
	}
	e.app.DB.Exec(`UPDATE integration_errors SET next_attempt_at = now() WHERE id = ?`, ie.ID)
	expectRun(t, e.run(), models.RunSucceeded, 1, 1, 0)
	onceEach(t, e.fake.Invoices(), false, "R0001", "R0002", "R0003")
}

// counter is a run's progress without a run row.
type counter struct{ total, sent, failed atomic.Int64 }

func (c *counter) AddTotal(_ context.Context, n int) error { c.total.Add(int64(n)); return nil }
func (c *counter) Sent(_ context.Context, _ string, refs ...string) error {
	c.sent.Add(int64(len(refs)))
	return nil
}
func (c *counter) Failed(context.Context, string, string, string) error { c.failed.Add(1); return nil }

func TestConcurrentRunsNeverSendTwice(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	e.sellMany(45)
	// Slow answers keep the runs overlapping.
	e.fake.OnSync(func(int) { time.Sleep(20 * time.Millisecond) })
	in, _, err := e.app.App.Integrations.Instance(context.Background(), e.app.DB, e.integID)
	if err != nil {
		t.Fatal(err)
	}
	counters := make([]*counter, 3)
	var wg sync.WaitGroup
	for i := range counters {
		counters[i] = &counter{}
		wg.Add(1)
		go func(c *counter) {
			defer wg.Done()
			if err := codemax.RunWith(context.Background(), e.conn, in, e.app.DB, c); err != nil {
				t.Error(err)
			}
		}(counters[i])
	}
	wg.Wait()
	var sent, total int64
	for _, c := range counters {
		sent += c.sent.Load()
		total += c.total.Load()
		if c.failed.Load() != 0 {
			t.Fatalf("a run failed items")
		}
	}
	if sent != 45 || total != 45 {
		t.Fatalf("sent %d, total %d over all runs, want 45", sent, total)
	}
	onceEach(t, e.fake.Invoices(), false, receipts(45)...)
	for _, c := range e.fake.CallsTo(syncPath) {
		if c.Invoices > 20 {
			t.Fatalf("a batch of %d", c.Invoices)
		}
	}
}

func TestConnectionTestSaysWhatFailed(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	path := "/api/v1/integrations/" + e.integID.String()
	e.app.Do("POST", path+"/test", nil, e.token).Expect(t, http.StatusOK)

	update := func(baseURL, pw string) {
		e.app.Do("PUT", path, map[string]any{"kind": "codemax", "name": "Codemax S001", "enabled": true, "storeId": e.store.ID,
			"settings": map[string]any{"baseUrl": baseURL, "branchCode": "B-DT01", "username": username},
			"secrets":  map[string]string{"password": pw}}, e.token).Expect(t, http.StatusOK)
	}
	failsWith := func(want string) {
		t.Helper()
		res := e.app.Do("POST", path+"/test", nil, e.token).Expect(t, http.StatusUnprocessableEntity)
		if msg := res.Env(t).Error; !strings.Contains(msg, want) {
			t.Fatalf("test error = %q, want it to say %q", msg, want)
		}
	}
	update(e.fake.URL, "wrong-password")
	failsWith("rejected username \"pos-s001\" or its password (HTTP 401)")

	odd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>maintenance</html>") }))
	t.Cleanup(odd.Close)
	update(odd.URL, password)
	failsWith("unexpected answer from Codemax")

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	update(closed.URL, password)
	failsWith("cannot connect to Codemax")

	// A login that cannot be had fails the run and leaves the sales pending for the next one.
	e.sellMany(2)
	r := e.run()
	if r.Status != models.RunFailed || !strings.Contains(r.Message, "cannot connect") || r.Total != 0 {
		t.Fatalf("run = %+v", r)
	}
	if n := e.app.Count("codemax_invoices", ""); n != 0 {
		t.Fatalf("outbox rows after a failed login = %d, want 0", n)
	}
}

func TestSettingsAreValidated(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	if n := e.app.Count("integrations", "id = ? AND schedule_minutes = 5 AND next_run_at IS NOT NULL", e.integID); n != 1 {
		t.Fatal("default schedule of 5 minutes not applied")
	}
	res := e.app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "codemax", "name": "Bad",
		"settings": map[string]any{"baseUrl": "ftp://x", "scheduleMinutes": 0}}, e.token).Expect(t, http.StatusUnprocessableEntity)
	for _, f := range []string{"storeId", "settings.baseUrl", "settings.branchCode", "settings.username", "settings.scheduleMinutes", "secrets.password"} {
		if _, ok := res.Env(t).Errors[f]; !ok {
			t.Errorf("no error for %s: %v", f, res.Env(t).Errors)
		}
	}
	e.app.Do("PUT", "/api/v1/integrations/"+e.integID.String(), map[string]any{"kind": "codemax", "name": "Codemax S001", "storeId": e.store.ID,
		"settings": map[string]any{"baseUrl": e.fake.URL, "branchCode": "B-DT01", "username": username, "sendFrom": "last tuesday"}}, e.token).
		Expect(t, http.StatusOK)
	if r := e.run(); r.Status != models.RunFailed || !strings.Contains(r.Message, "not a date like") {
		t.Fatalf("run = %+v", r)
	}
}

func TestSecretsStayOutOfAnswersAndLogs(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	logs := apptest.CaptureLogs(t)
	e.sellMany(3)
	e.fake.Refuse(map[string]string{"R0003": "nope"})
	path := "/api/v1/integrations/" + e.integID.String()
	var run struct {
		ID string `json:"id"`
	}
	e.app.Do("POST", path+"/run", nil, e.token).Expect(t, http.StatusAccepted).Data(t, &run)
	e.app.StartJobs()
	var got models.IntegrationRun
	e.app.Eventually("run finishes", func() bool {
		e.app.Do("GET", "/api/v1/integrations/runs/"+run.ID, nil, e.token).Expect(t, http.StatusOK).Data(t, &got)
		return got.Status != models.RunQueued && got.Status != models.RunRunning
	})
	expectRun(t, got, models.RunPartial, 3, 2, 1)

	var bodies []string
	for _, p := range []string{"", "/runs", "/errors"} {
		bodies = append(bodies, e.app.Do("GET", path+p, nil, e.token).Expect(t, http.StatusOK).String())
	}
	bodies = append(bodies, e.app.Do("GET", "/api/v1/integrations", nil, e.token).Expect(t, http.StatusOK).String(),
		e.app.Do("POST", path+"/test", nil, e.token).Expect(t, http.StatusOK).String())
	w := e.app.SignIn("admin", "1234")
	bodies = append(bodies, w.Get("/settings/integrations/"+e.integID.String()).Expect(t, http.StatusOK).String())
	form := w.Get("/settings/integrations/new?kind=codemax").Expect(t, http.StatusOK).String()
	if !strings.Contains(form, "https://possync.c-mx.co") {
		t.Fatal("the add form does not name the live server")
	}
	// Whose sales go is chosen, never defaulted to the first store in the list.
	if !regexp.MustCompile(`<option value="" selected>Choose a store…</option>`).MatchString(form) {
		t.Fatal("the add form preselects a store")
	}
	for _, b := range append(bodies, logs.String()) {
		if strings.Contains(b, password) {
			t.Fatalf("password leaked: %s", b)
		}
	}
	if !strings.Contains(bodies[0], `"password":"set"`) {
		t.Fatalf("integration answer does not say the password is set: %s", bodies[0])
	}
	if strings.Contains(logs.String(), "Bearer") || !strings.Contains(logs.String(), "codemax") {
		t.Fatalf("logs hold a bearer token or no codemax line at all:\n%s", logs.String())
	}
	var raw string
	e.app.DB.Raw(`SELECT coalesce(string_agg(row_to_json(c)::text, ''), '') FROM codemax_invoices c`).Scan(&raw)
	if strings.Contains(raw, password) {
		t.Fatal("password in the outbox")
	}
}
