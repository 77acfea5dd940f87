package webhook_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"backroom/app/integrations/webhook"
)

// rowOf is the <tr> of the integration list whose test id is integration-name ("" when missing).
func rowOf(page, name string) string {
	m := regexp.MustCompile(`(?s)<tr data-testid="integration-` + regexp.QuoteMeta(name) + `".*?</tr>`).FindString(page)
	return m
}

// cardOf is the dashboard card labelled label, its element and contents ("" when missing).
func cardOf(page, label string) string {
	return regexp.MustCompile(`(?s)<a [^>]*data-card="` + regexp.QuoteMeta(label) + `"[^>]*>.*?</a>`).FindString(page)
}

// cardFigure is the figure of a dashboard card.
func cardFigure(card string) string {
	m := regexp.MustCompile(`</p><p[^>]*>([^<]*)</p>`).FindStringSubmatch(card)
	if m == nil {
		return ""
	}
	return m[1]
}

// deliveryRow is the delivery log's row of a receipt and event.
func deliveryRow(page, receipt string) string {
	for _, m := range regexp.MustCompile(`(?s)<tr data-testid="delivery-row".*?</tr>`).FindAllString(page, -1) {
		if strings.Contains(m, ">"+receipt+"<") {
			return m
		}
	}
	return ""
}

// A receiver that answers 403 to every delivery makes its webhook fail everywhere it is shown:
// red on the list with the count and the last error, a red health card on its page instead of
// "Nothing is waiting", a red "Integration errors" card on the dashboard that counts it, a red
// badge on the sidebar's Integrations, and deliveries that say Retrying (amber, with the next
// attempt and the last code) or Failed (red), never a blue Pending.
func TestForbiddingReceiverMakesTheWebhookFailEverywhere(t *testing.T) {
	retry := fast
	retry.Attempts = 1 // the first sale's delivery gives up at its first 403
	f := fixture(t, retry)
	recv := newReceiver(t)
	recv.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden: unknown signing key", http.StatusForbidden)
	})
	hook := addHook(t, f, "Shop 403", recv.srv.URL, "validated", nil)

	f.Sell(f.Admin, seedSale(f, "R-0401"))
	f.Eventually("the first delivery gives up", func() bool {
		return f.Count("webhook_deliveries", "receipt_number = 'R-0401' AND status = 'failed'") == 1
	})
	// The second waits an hour for its next attempt after the first 403.
	f.App.App.Webhooks.SetRetry(webhook.Retry{Base: time.Hour, Cap: time.Hour, Attempts: 5})
	f.Sell(f.Admin, seedSale(f, "R-0402"))
	f.Eventually("the second delivery is tried once", func() bool {
		return f.Count("webhook_deliveries", "receipt_number = 'R-0402' AND status = 'pending' AND attempts = 1") == 1
	})
	const lastError = "Delivery of validated for R-0402: receiver answered 403"

	// The API says it too, keeping openErrors (integration errors only) as it was.
	var v struct {
		OpenErrors int64 `json:"openErrors"`
		Health     struct {
			Failing      bool   `json:"failing"`
			FailingItems int64  `json:"failingItems"`
			LastError    string `json:"lastError"`
		} `json:"health"`
	}
	f.Do("GET", "/api/v1/integrations/"+hook, nil, f.Admin).Expect(t, http.StatusOK).Data(t, &v)
	if !v.Health.Failing || v.Health.FailingItems != 2 || v.Health.LastError != lastError || v.OpenErrors != 0 {
		t.Errorf("integration answer = %+v", v)
	}
	var logged []struct {
		ReceiptNumber string `json:"receiptNumber"`
		Status        string `json:"status"`
		State         string `json:"state"`
		Failing       bool   `json:"failing"`
	}
	f.Do("GET", "/api/v1/integrations/"+hook+"/deliveries", nil, f.Admin).Expect(t, http.StatusOK).Data(t, &logged)
	states := map[string]string{}
	for _, d := range logged {
		states[d.ReceiptNumber] = d.Status + "/" + d.State + "/" + map[bool]string{true: "failing", false: "ok"}[d.Failing]
	}
	if states["R-0401"] != "failed/failed/failing" || states["R-0402"] != "pending/retrying/failing" {
		t.Errorf("delivery status/state = %v", states)
	}

	w := f.SignIn("admin", "1234")
	list := w.Get("/settings/integrations").Expect(t, http.StatusOK).String()
	row := rowOf(list, "Shop 403")
	for _, want := range []string{`data-failing="true"`, "bg-red-600", "Failing: 2 items", lastError, `data-testid="integration-failing-items">2<`} {
		if !strings.Contains(row, want) {
			t.Errorf("the list's row lacks %q:\n%s", want, row)
		}
	}
	if strings.Contains(row, "Healthy") {
		t.Errorf("the list calls the failing webhook healthy:\n%s", row)
	}
	nav := regexp.MustCompile(`(?s)<a href="/settings/integrations".*?</a>`).FindString(list)
	if !strings.Contains(nav, `class="badge badge-red" data-testid="nav-alarm-integrations" aria-label="2 failing">2<`) {
		t.Errorf("the sidebar's Integrations has no red badge of 2:\n%s", nav)
	}

	page := w.Get("/settings/integrations/"+hook).Expect(t, http.StatusOK).String()
	health := regexp.MustCompile(`(?s)<section[^>]*data-testid="integration-health".*?</section>`).FindString(page)
	for _, want := range []string{`data-failing="true"`, "border-l-red-600", "Failing: 2 items", "2 deliveries retrying or given up", lastError} {
		if !strings.Contains(health, want) {
			t.Errorf("the integration's health card lacks %q:\n%s", want, health)
		}
	}
	if strings.Contains(page, "Nothing is waiting") {
		t.Error("the failing webhook's page says nothing is waiting")
	}
	failed, retrying := deliveryRow(page, "R-0401"), deliveryRow(page, "R-0402")
	if !strings.Contains(failed, `data-state="failed"`) || !strings.Contains(failed, `<span class="badge badge-red">Failed</span>`) {
		t.Errorf("the given-up delivery is not a red Failed:\n%s", failed)
	}
	if !strings.Contains(retrying, `data-state="retrying"`) || !strings.Contains(retrying, `<span class="badge badge-amber">Retrying</span>`) ||
		!strings.Contains(retrying, `<td class="num">403</td>`) || !regexp.MustCompile(`<td class="whitespace-nowrap">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</td>\s*<td>\s*<form`).MatchString(retrying) {
		t.Errorf("the delivery waiting for its retry is not an amber Retrying with its last code and next attempt:\n%s", retrying)
	}
	if strings.Contains(failed+retrying, "badge-blue") || strings.Contains(failed+retrying, ">Pending<") {
		t.Error("a delivery whose attempts failed wears a blue Pending badge")
	}

	dash := w.Get("/").Expect(t, http.StatusOK).String()
	card := cardOf(dash, "Integration errors")
	if got := cardFigure(card); got != "2" {
		t.Errorf("the dashboard's integration errors = %q, want 2 (the webhook's failing deliveries)", got)
	}
	if !strings.Contains(card, "border-l-red-600") || !strings.Contains(card, "Shop 403: "+lastError) {
		t.Errorf("the dashboard's card is not red with the failing webhook and its error:\n%s", card)
	}

	// Disabled, its leftovers raise no alarm.
	f.Do("PUT", "/api/v1/integrations/"+hook, map[string]any{"kind": "webhook", "name": "Shop 403", "enabled": false,
		"settings": map[string]any{"url": recv.srv.URL, "events": "validated"}}, f.Admin).Expect(t, http.StatusOK)
	dash = w.Get("/").Expect(t, http.StatusOK).String()
	if got := cardFigure(cardOf(dash, "Integration errors")); got != "0" || strings.Contains(dash, "nav-alarm-integrations") {
		t.Errorf("a disabled webhook still raises the alarm: card %q", got)
	}
}
