package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"backroom/app"
	"backroom/app/apptest"
	"backroom/app/integrations/webhook"
	"backroom/app/sales/salestest"
	"backroom/models"
)

const secret = "whsec-test-0123456789abcdef"

// received is one request the fake receiver got.
type received struct {
	Event, Delivery, Timestamp string
	Body                       []byte
}

// receiver is a webhook endpoint that checks every request the way the integration page tells
// receivers to: HMAC-SHA256 of timestamp + "." + raw body with the shared secret, timestamp no
// more than 5 minutes away. It answers with the codes in plan, then 200.
type receiver struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	got  []received
	plan []int
}

func newReceiver(t *testing.T, plan ...int) *receiver {
	r := &receiver{t: t, plan: plan}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	ts := req.Header.Get("X-Backroom-Timestamp")
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sent, 0)).Abs() > 5*time.Minute {
		r.t.Errorf("timestamp %q is not within 5 minutes", ts)
		http.Error(w, "stale", http.StatusUnauthorized)
		return
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	if want := hex.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(want), []byte(req.Header.Get("X-Backroom-Signature"))) {
		r.t.Errorf("signature %q does not verify", req.Header.Get("X-Backroom-Signature"))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		r.t.Errorf("got %s with content type %q", req.Method, req.Header.Get("Content-Type"))
	}
	r.mu.Lock()
	r.got = append(r.got, received{Event: req.Header.Get("X-Backroom-Event"), Delivery: req.Header.Get("X-Backroom-Delivery"), Timestamp: ts, Body: body})
	code := http.StatusOK
	if len(r.plan) > 0 {
		code, r.plan = r.plan[0], r.plan[1:]
	}
	r.mu.Unlock()
	w.WriteHeader(code)
	fmt.Fprintf(w, "answered %d", code)
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) answer(plan ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.plan = plan
}

// fixture is a demo app with a taxed catalogue, running jobs with a fast retry schedule.
func fixture(t *testing.T, retry webhook.Retry, opts ...app.Option) *salestest.Fixture {
	f := salestest.NewWith(t, apptest.Options{App: opts})
	f.App.App.Webhooks.SetRetry(retry)
	f.StartJobs()
	return f
}

var fast = webhook.Retry{Base: 10 * time.Millisecond, Cap: 40 * time.Millisecond, Attempts: 5, Wait: 20 * time.Millisecond}

// addHook creates a webhook integration and returns its id.
func addHook(t *testing.T, f *salestest.Fixture, name, target, events string, storeID any) string {
	t.Helper()
	settings := map[string]any{"url": target}
	if events != "" {
		settings["events"] = events
	}
	var v struct {
		ID      string            `json:"id"`
		Secrets map[string]string `json:"secrets"`
	}
	res := f.Do("POST", "/api/v1/integrations", map[string]any{"kind": "webhook", "name": name, "enabled": true, "storeId": storeID,
		"settings": settings, "secrets": map[string]string{"secret": secret}}, f.Admin).Expect(t, http.StatusCreated)
	res.Data(t, &v)
	if v.Secrets["secret"] != "set" || strings.Contains(res.String(), secret) {
		t.Fatalf("create answer: %s", res.Body)
	}
	return v.ID
}

// seedSale is the seed's example: 2 × 9.99 at 8.25%, paid 22.00 in cash.
func seedSale(f *salestest.Fixture, receipt string) map[string]any {
	return f.Body(f.Store, receipt, "T01", []salestest.Line{{Product: f.Coffee, Quantity: 2000}}, salestest.Pay{Method: "CASH", Amount: 2200})
}

type delivery struct {
	ID             string          `json:"id"`
	Event          string          `json:"event"`
	Status         string          `json:"status"`
	Attempts       int             `json:"attempts"`
	ReceiptNumber  string          `json:"receiptNumber"`
	LastStatusCode *int            `json:"lastStatusCode"`
	NextAttemptAt  *time.Time      `json:"nextAttemptAt"`
	Payload        json.RawMessage `json:"payload"`
	AttemptLog     []struct {
		StatusCode      *int   `json:"statusCode"`
		ResponseExcerpt string `json:"responseExcerpt"`
		Error           string `json:"error"`
	} `json:"attemptLog"`
}

func deliveries(t *testing.T, f *salestest.Fixture, hookID string) []delivery {
	t.Helper()
	var out []delivery
	res := f.Do("GET", "/api/v1/integrations/"+hookID+"/deliveries", nil, f.Admin).Expect(t, http.StatusOK)
	if strings.Contains(res.String(), secret) {
		t.Fatal("deliveries answer contains the secret")
	}
	res.Data(t, &out)
	return out
}

func TestCompletedSaleDeliversValidatedThenTerminated(t *testing.T) {
	f := fixture(t, fast)
	recv := newReceiver(t)
	hook := addHook(t, f, "Shop", recv.srv.URL, "", nil)

	sale := f.Sell(f.Admin, seedSale(f, "R-0001"))
	f.Eventually("both events delivered", func() bool {
		return f.Count("webhook_deliveries", "sale_id = ? AND status = 'delivered'", sale.ID) == 2
	})
	got := recv.requests()
	if len(got) != 2 || got[0].Event != "validated" || got[1].Event != "terminated" {
		t.Fatalf("received %d requests, events %v; want validated then terminated", len(got), events(got))
	}
	raw := string(got[0].Body)
	for _, want := range []string{`"price":21.63`, `"VAT":1.65`, `"orderID":"R-0001"`, `"orderInternalID":"` + sale.ID.String() + `"`,
		`"cashBoxID":"T01"`, `"deliveryMethod":"in_store"`, `"quantity":2,`, `"unitPrice":9.99`, `"discount":0.00`, `"tax":1.65`, `"total":21.63`,
		`"VATs":[{"name":"Test State Tax","rate":8.25,"amount":1.65}]`, `"isRefund":false`, `"clientID":null`} {
		if !strings.Contains(raw, want) {
			t.Errorf("validated body lacks %s: %s", want, raw)
		}
	}
	var p struct {
		Type       string `json:"type"`
		PDFInvoice string `json:"PDFinvoice"`
		Items      []struct {
			SKU  string `json:"sku"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := json.Unmarshal(got[1].Body, &p); err != nil || p.Type != "terminated" || len(p.Items) != 1 || p.Items[0].SKU != "TEST-COFFEE" {
		t.Fatalf("terminated body %s (%v)", got[1].Body, err)
	}
	// Apart from the type, both events carry the same sale.
	if strings.Replace(raw, `"type":"validated"`, `"type":"terminated"`, 1) != string(got[1].Body) {
		t.Fatalf("bodies differ beyond the type:\n%s\n%s", got[0].Body, got[1].Body)
	}

	list := deliveries(t, f, hook)
	if len(list) != 2 {
		t.Fatalf("deliveries = %d", len(list))
	}
	for _, d := range list {
		if d.Status != "delivered" || d.Attempts != 1 || d.LastStatusCode == nil || *d.LastStatusCode != 200 || d.NextAttemptAt != nil ||
			len(d.AttemptLog) != 1 || d.AttemptLog[0].ResponseExcerpt != "answered 200" || d.ReceiptNumber != "R-0001" {
			t.Fatalf("delivery = %+v", d)
		}
	}
	// The delivery id header is the row's id.
	ids := map[string]bool{list[0].ID: true, list[1].ID: true}
	if !ids[got[0].Delivery] || !ids[got[1].Delivery] || got[0].Delivery == got[1].Delivery {
		t.Fatalf("delivery headers %s %s, rows %v", got[0].Delivery, got[1].Delivery, ids)
	}

	// The PDF link is absolute, signed and works without signing in.
	link, err := url.Parse(p.PDFInvoice)
	if err != nil || !link.IsAbs() || link.Path != "/receipts/"+sale.ID.String()+"/pdf" || link.Query().Get("sig") == "" {
		t.Fatalf("PDFinvoice = %q", p.PDFInvoice)
	}
	pdf := f.Web().Get(link.RequestURI()).Expect(t, http.StatusOK)
	if pdf.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf.Body, []byte("%PDF")) {
		t.Fatalf("pdf: %s", pdf.Header.Get("Content-Type"))
	}
}

func events(rs []received) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Event)
	}
	return out
}

func TestReceiptLinkIsRefusedWhenTamperedOrExpired(t *testing.T) {
	f := salestest.New(t)
	sale := f.Sell(f.Admin, seedSale(f, "R-0002"))
	svc := f.App.App.Webhooks
	web := f.Web()
	good, _ := url.Parse(svc.ReceiptLink(sale.ID, time.Now().Add(time.Hour)))
	web.Get(good.RequestURI()).Expect(t, http.StatusOK)

	q := good.Query()
	tampered := func(k, v string) string {
		q2 := url.Values{}
		for key, vs := range q {
			q2[key] = vs
		}
		q2.Set(k, v)
		return good.Path + "?" + q2.Encode()
	}
	web.Get(tampered("exp", strconv.FormatInt(time.Now().Add(30*24*time.Hour).Unix(), 10))).Expect(t, http.StatusForbidden)
	web.Get(tampered("sig", strings.Repeat("0", 64))).Expect(t, http.StatusForbidden)
	web.Get(good.Path).Expect(t, http.StatusForbidden)
	other := f.Sell(f.Admin, seedSale(f, "R-0003"))
	web.Get(strings.Replace(good.RequestURI(), sale.ID.String(), other.ID.String(), 1)).Expect(t, http.StatusForbidden)

	expired, _ := url.Parse(svc.ReceiptLink(sale.ID, time.Now().Add(-time.Minute)))
	web.Get(expired.RequestURI()).Expect(t, http.StatusGone)
	web.Get("/receipts/not-an-id/pdf").Expect(t, http.StatusNotFound)
}

func TestFailingReceiverIsRetriedUntilDelivered(t *testing.T) {
	f := fixture(t, fast)
	recv := newReceiver(t, 500, 500)
	hook := addHook(t, f, "Flaky", recv.srv.URL, "validated", nil)

	f.Sell(f.Admin, seedSale(f, "R-0010"))
	f.Eventually("delivered after retries", func() bool { return f.Count("webhook_deliveries", "status = 'delivered'") == 1 })
	list := deliveries(t, f, hook)
	if len(list) != 1 || list[0].Attempts != 3 || len(list[0].AttemptLog) != 3 {
		t.Fatalf("deliveries = %+v", list)
	}
	for i, want := range []int{500, 500, 200} {
		a := list[0].AttemptLog[i]
		if a.StatusCode == nil || *a.StatusCode != want || a.ResponseExcerpt != fmt.Sprintf("answered %d", want) {
			t.Fatalf("attempt %d = %+v, want %d", i+1, a, want)
		}
	}
	got := recv.requests()
	if len(got) != 3 || !bytes.Equal(got[0].Body, got[2].Body) || got[0].Delivery != got[2].Delivery {
		t.Fatalf("retries must resend the same body under the same delivery id: %d requests", len(got))
	}
}

func TestFailedDeliveryIsMarkedFailedAndRedeliverable(t *testing.T) {
	retry := fast
	retry.Attempts = 2
	f := fixture(t, retry)
	recv := newReceiver(t, 503, 503)
	hook := addHook(t, f, "Down", recv.srv.URL, "validated", nil)

	f.Sell(f.Admin, seedSale(f, "R-0020"))
	f.Eventually("delivery fails after its attempts", func() bool { return f.Count("webhook_deliveries", "status = 'failed'") == 1 })
	list := deliveries(t, f, hook)
	d := list[0]
	if d.Attempts != 2 || d.NextAttemptAt != nil || *d.LastStatusCode != 503 || len(d.AttemptLog) != 2 {
		t.Fatalf("failed delivery = %+v", d)
	}

	// Redeliver through the API once the receiver is back.
	res := f.Do("POST", "/api/v1/integrations/"+hook+"/deliveries/"+d.ID+"/redeliver", nil, f.Admin).Expect(t, http.StatusAccepted)
	if !strings.Contains(res.String(), `"status":"pending"`) {
		t.Fatalf("redeliver answer: %s", res.Body)
	}
	f.Eventually("redelivered", func() bool { return f.Count("webhook_deliveries", "status = 'delivered' AND attempts = 3") == 1 })
	got := recv.requests()
	if len(got) != 3 || !bytes.Equal(got[0].Body, got[2].Body) {
		t.Fatalf("redelivery must send the stored body again (%d requests)", len(got))
	}

	// And from the page: the button posts, flashes and comes back to the log.
	w := f.SignIn("admin", "1234")
	page := w.Get("/settings/integrations/"+hook).Expect(t, http.StatusOK).String()
	if !strings.Contains(page, `data-testid="redeliver"`) || !strings.Contains(page, `data-status="delivered"`) {
		t.Fatal("the log lacks the delivery or its Redeliver button")
	}
	back := w.PostForm("/settings/integrations/"+hook+"/deliveries/"+d.ID+"/redeliver", url.Values{}).Expect(t, http.StatusSeeOther)
	if loc := back.Header.Get("Location"); !strings.HasPrefix(loc, "/settings/integrations/"+hook) {
		t.Fatalf("redirect to %q", loc)
	}
	f.Eventually("sent again from the page", func() bool { return f.Count("webhook_deliveries", "status = 'delivered' AND attempts = 4") == 1 })
	if n := f.Count("audit_log", "action = 'redeliver_webhook'"); n != 2 {
		t.Fatalf("redeliveries audited = %d", n)
	}

	f.Do("POST", "/api/v1/integrations/"+hook+"/deliveries/"+models.NewID().String()+"/redeliver", nil, f.Admin).Expect(t, http.StatusNotFound)
	f.Do("POST", "/api/v1/integrations/"+hook+"/deliveries/nope/redeliver", nil, f.Admin).Expect(t, http.StatusNotFound)
	_, clerk := f.User(nil, "pos.sell")
	f.Do("POST", "/api/v1/integrations/"+hook+"/deliveries/"+d.ID+"/redeliver", nil, clerk).Expect(t, http.StatusForbidden)
	f.Do("GET", "/api/v1/integrations/"+hook+"/deliveries", nil, clerk).Expect(t, http.StatusForbidden)
}

// failingReceipt makes a sale fail in the last of its hooks, after the webhook hook has queued
// its deliveries, so the test sees the whole transaction roll back.
const failingReceipt = "R-ROLLBACK"

func TestRolledBackSaleSendsNothing(t *testing.T) {
	f := fixture(t, fast, app.WithSaleHook(func(_ context.Context, _ *gorm.DB, sale *models.Sale) error {
		if sale.ReceiptNumber == failingReceipt {
			return models.Conflict("refused by the test hook")
		}
		return nil
	}))
	recv := newReceiver(t)
	addHook(t, f, "Shop", recv.srv.URL, "", nil)

	bad := seedSale(f, "R-0030")
	bad["grandTotal"] = 9999
	f.Do("POST", "/api/v1/sales", bad, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("POST", "/api/v1/sales", seedSale(f, failingReceipt), f.Admin).Expect(t, http.StatusConflict)
	if n := f.Count("webhook_deliveries", ""); n != 0 {
		t.Fatalf("deliveries after refused sales = %d", n)
	}
	if n := f.Count("river_job", "kind = 'webhook_delivery'"); n != 0 {
		t.Fatalf("delivery jobs after refused sales = %d", n)
	}
	// A sale that commits afterwards is the only thing the receiver ever hears about.
	f.Sell(f.Admin, seedSale(f, "R-0031"))
	f.Eventually("good sale delivered", func() bool { return f.Count("webhook_deliveries", "status = 'delivered'") == 2 })
	for _, r := range recv.requests() {
		if !strings.Contains(string(r.Body), `"orderID":"R-0031"`) {
			t.Fatalf("receiver got %s", r.Body)
		}
	}
}

func TestEventsAndStoreFilter(t *testing.T) {
	f := fixture(t, fast)
	recv := newReceiver(t)
	only := addHook(t, f, "Validated only", recv.srv.URL, "validated", nil)
	elsewhere := addHook(t, f, "Other store", recv.srv.URL, "", f.Other.ID)
	off := addHook(t, f, "Disabled", recv.srv.URL, "", nil)
	f.Do("PUT", "/api/v1/integrations/"+off, map[string]any{"kind": "webhook", "name": "Disabled", "enabled": false,
		"settings": map[string]any{"url": recv.srv.URL}}, f.Admin).Expect(t, http.StatusOK)

	sale := f.Sell(f.Admin, seedSale(f, "R-0040"))
	f.Eventually("delivered", func() bool { return f.Count("webhook_deliveries", "status = 'delivered'") == 1 })
	if n := f.Count("webhook_deliveries", ""); n != 1 {
		t.Fatalf("deliveries = %d, want only the validated one", n)
	}
	if list := deliveries(t, f, only); len(list) != 1 || list[0].Event != "validated" {
		t.Fatalf("validated-only hook got %+v", list)
	}
	if len(deliveries(t, f, elsewhere)) != 0 || len(deliveries(t, f, off)) != 0 {
		t.Fatal("a hook for another store or a disabled one got the sale")
	}
	if got := recv.requests(); len(got) != 1 || got[0].Event != "validated" || !strings.Contains(string(got[0].Body), sale.ID.String()) {
		t.Fatalf("receiver got %v", events(got))
	}

	// The other store's sale goes to its hook only (both events).
	f.Sell(f.Admin, f.Body(f.Other, "R-0041", "T09", []salestest.Line{{Product: f.Muffin, Quantity: 1000}}))
	f.Eventually("other store delivered", func() bool { return f.Count("webhook_deliveries", "status = 'delivered'") == 4 })
	if list := deliveries(t, f, elsewhere); len(list) != 2 {
		t.Fatalf("other-store hook got %d deliveries", len(list))
	}
	f.Do("GET", "/api/v1/integrations/"+only+"/deliveries?status=bogus", nil, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("GET", "/api/v1/integrations/"+models.NewID().String()+"/deliveries", nil, f.Admin).Expect(t, http.StatusNotFound)
}

func TestPageShowsLogAndVerificationHelpButNeverTheSecret(t *testing.T) {
	f := fixture(t, fast)
	recv := newReceiver(t, 500)
	hook := addHook(t, f, "Shop", recv.srv.URL, "validated", nil)

	// Test connection sends a signed ping.
	f.Do("POST", "/api/v1/integrations/"+hook+"/test", nil, f.Admin).Expect(t, http.StatusUnprocessableEntity)
	f.Do("POST", "/api/v1/integrations/"+hook+"/test", nil, f.Admin).Expect(t, http.StatusOK)
	if got := recv.requests(); len(got) != 2 || got[1].Event != "ping" {
		t.Fatalf("test connection sent %v", events(got))
	}

	f.Sell(f.Admin, seedSale(f, "R-0050"))
	f.Eventually("delivered", func() bool { return f.Count("webhook_deliveries", "status = 'delivered'") == 1 })
	w := f.SignIn("admin", "1234")
	page := w.Get("/settings/integrations/"+hook).Expect(t, http.StatusOK).String()
	for _, want := range []string{`data-testid="delivery-table"`, "R-0050", `data-testid="attempt-row"`, "answered 200",
		"X-Backroom-Signature", "X-Backroom-Timestamp", "5 minutes", "hmac.Equal", "crypto.timingSafeEqual", `data-testid="snippet-node"`} {
		if !strings.Contains(page, want) {
			t.Errorf("integration page lacks %q", want)
		}
	}
	if strings.Contains(page, secret) {
		t.Fatal("integration page shows the secret")
	}
	form := w.Get("/settings/integrations/new?kind=webhook").Expect(t, http.StatusOK).String()
	if !strings.Contains(form, "Sale webhook") || !strings.Contains(form, `name="settings.events"`) || !strings.Contains(form, `name="secrets.secret"`) {
		t.Fatal("the add form lacks the webhook fields")
	}
	var raw []string
	f.DB.Raw(`SELECT row_to_json(d)::text FROM webhook_deliveries d UNION ALL SELECT row_to_json(a)::text FROM webhook_attempts a
		UNION ALL SELECT row_to_json(i)::text FROM integrations i UNION ALL SELECT args::text FROM river_job`).Scan(&raw)
	for _, r := range raw {
		if strings.Contains(r, secret) {
			t.Fatalf("secret stored in plaintext: %s", r)
		}
	}
	cashier := f.SignIn("cashier", "3456")
	cashier.PostForm("/settings/integrations/"+hook+"/deliveries/"+models.NewID().String()+"/redeliver", url.Values{}).Expect(t, http.StatusForbidden)
}
