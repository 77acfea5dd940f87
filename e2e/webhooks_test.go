package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// An administrator adds a sale webhook on the sync-settings page; a sale made through the API
// reaches the receiver as "validated" then "terminated", both signed as the page documents, and
// the integration's page lists both deliveries as delivered with their attempts.
func TestSaleWebhookAddedInTheBrowserDelivers(t *testing.T) {
	const secret = "e2e-webhook-secret-0123456789"
	var (
		mu     sync.Mutex
		events []string
		bodies []string
	)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts := r.Header.Get("X-Backroom-Timestamp")
		sent, err := strconv.ParseInt(ts, 10, 64)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "." + string(body)))
		want := hex.EncodeToString(mac.Sum(nil))
		if err != nil || time.Since(time.Unix(sent, 0)).Abs() > 5*time.Minute || !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Backroom-Signature"))) {
			t.Errorf("delivery %s does not verify (timestamp %q)", r.Header.Get("X-Backroom-Event"), ts)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		events = append(events, r.Header.Get("X-Backroom-Event"))
		bodies = append(bodies, string(body))
		mu.Unlock()
		_, _ = io.WriteString(w, "thanks")
	}))
	defer receiver.Close()

	app := startApp(t)
	b := newBrowser(t, app)
	b.SignIn("admin", "1234")

	b.Open("/settings/integrations")
	b.Click(`[data-testid="add-integration"]`)
	b.Click(`[data-testid="add-webhook"]`)
	b.WaitPath(`^/settings/integrations/new$`)
	b.WaitText(`[data-testid="integration-form"]`, "signed")
	b.Type(`[name="name"]`, "Shop webhook")
	b.Type(`[name="settings.url"]`, receiver.URL+"/hooks/backroom")
	b.Type(`[name="secrets.secret"]`, secret)
	b.Click(`[data-testid="integration-save"]`)
	hookPath := b.WaitPath(`^/settings/integrations/[0-9a-f-]{36}$`)
	b.WaitText("#flashes", "Shop webhook")
	b.WaitVisible(`[data-testid="no-deliveries"]`)
	if strings.Contains(b.eval("page html", `document.documentElement.outerHTML`), secret) {
		t.Fatal("the integration page shows the secret")
	}

	token := app.Login(t, "admin", "1234")
	s001 := app.storeID(t, "S001")
	productID := app.stockedProduct(t, token, s001, "E2E-HOOK", "E2E Hook Coffee", 999, 10000)
	var sale struct {
		ID string `json:"id"`
	}
	app.MustAPI(t, http.StatusCreated, "POST", "/api/v1/sales", map[string]any{
		"receiptNumber": "R-E2E-HOOK", "terminalId": "T01",
		"subtotal": 1998, "taxTotal": 165, "discountTotal": 0, "grandTotal": 2163, "storeId": s001,
		"items": []map[string]any{{
			"productId": productID, "productName": "E2E Hook Coffee",
			"quantity": 2000, "unitPrice": 999, "taxRate": 825, "taxAmount": 165, "discountAmount": 0, "lineTotal": 2163,
			"taxes": []map[string]any{{"taxRateName": "State Tax", "rate": 825, "taxAmount": 165, "isCompound": false, "sortOrder": 0}},
		}},
		"payments": []map[string]any{{"method": "CASH", "amount": 2200, "reference": nil}},
	}, token, &sale)

	// The worker inside serve delivers both events; the page then lists them.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int64
		app.Scalar(t, &n, `SELECT count(*) FROM webhook_deliveries WHERE sale_id = $1 AND status = 'delivered'`, sale.ID)
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not delivered within 30s (%d of 2)", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Open(hookPath)
	b.WaitCount(`[data-testid="delivery-row"][data-status="delivered"]`, 2)
	b.WaitText(`[data-testid="delivery-table"]`, "R-E2E-HOOK")
	b.WaitVisible(`[data-testid="delivery-row"][data-event="validated"]`)
	b.WaitVisible(`[data-testid="delivery-row"][data-event="terminated"]`)
	b.Click(`[data-testid="delivery-attempts"] summary`)
	b.WaitText(`[data-testid="attempt-row"]`, "thanks")

	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || events[0] != "validated" || events[1] != "terminated" {
		t.Fatalf("receiver got events %v, want validated then terminated", events)
	}
	if !strings.Contains(bodies[0], `"orderID":"R-E2E-HOOK"`) || !strings.Contains(bodies[0], `"price":21.63`) {
		t.Fatalf("validated body: %s", bodies[0])
	}
}
