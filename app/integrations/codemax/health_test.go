package codemax_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"backroom/app/integrations/codemax"
	"backroom/models"
)

// A Codemax run that fails as a whole (Codemax refuses the login, so no invoice is even tried and
// no integration error is written) makes the integration fail everywhere it is shown, with the
// run's error; the next run that succeeds makes it healthy again.
func TestFailedRunMakesTheIntegrationFailEverywhere(t *testing.T) {
	e := setup(t, codemax.Options{}, nil)
	path := "/api/v1/integrations/" + e.integID.String()
	e.app.Do("PUT", path, map[string]any{"kind": "codemax", "name": "Codemax S001", "enabled": true, "storeId": e.store.ID,
		"settings": map[string]any{"baseUrl": e.fake.URL, "branchCode": "B-DT01", "username": username},
		"secrets":  map[string]string{"password": "wrong-password"}}, e.token).Expect(t, http.StatusOK)
	e.sellMany(1)
	if r := e.run(); r.Status != models.RunFailed || r.Failed != 0 {
		t.Fatalf("run = %+v, want failed with no failed item", r)
	}
	if n := e.app.Count("integration_errors", "status <> 'resolved'"); n != 0 {
		t.Fatalf("%d open integration errors, want none: the run failed as a whole", n)
	}
	const lastError = "or its password (HTTP 401)"

	var v struct {
		OpenErrors    int64  `json:"openErrors"`
		LastRunStatus string `json:"lastRunStatus"`
		Health        struct {
			Failing       bool     `json:"failing"`
			FailingItems  int64    `json:"failingItems"`
			LastError     string   `json:"lastError"`
			LastRunFailed bool     `json:"lastRunFailed"`
			Parts         []string `json:"parts"`
		} `json:"health"`
	}
	e.app.Do("GET", path, nil, e.token).Expect(t, http.StatusOK).Data(t, &v)
	if !v.Health.Failing || v.Health.FailingItems != 1 || !v.Health.LastRunFailed || !strings.HasPrefix(v.Health.LastError, "Last run failed: ") ||
		!strings.Contains(v.Health.LastError, lastError) || v.OpenErrors != 0 || v.LastRunStatus != models.RunFailed {
		t.Errorf("integration answer = %+v", v)
	}

	w := e.app.SignIn("admin", "1234")
	list := w.Get("/settings/integrations").Expect(t, http.StatusOK).String()
	row := regexp.MustCompile(`(?s)<tr data-testid="integration-Codemax S001".*?</tr>`).FindString(list)
	for _, want := range []string{`data-failing="true"`, "bg-red-600", "Failing: 1 item", "Last run failed: ", lastError, `data-testid="integration-failing-items">1<`} {
		if !strings.Contains(row, want) {
			t.Errorf("the list's row lacks %q:\n%s", want, row)
		}
	}
	nav := regexp.MustCompile(`(?s)<a href="/settings/integrations".*?</a>`).FindString(list)
	if !strings.Contains(nav, `class="badge badge-red" data-testid="nav-alarm-integrations" aria-label="1 failing">1<`) {
		t.Errorf("the sidebar's Integrations has no red badge of 1:\n%s", nav)
	}

	page := w.Get("/settings/integrations/"+e.integID.String()).Expect(t, http.StatusOK).String()
	health := regexp.MustCompile(`(?s)<section[^>]*data-testid="integration-health".*?</section>`).FindString(page)
	for _, want := range []string{`data-failing="true"`, "border-l-red-600", "Failing: 1 item", "the last run", lastError} {
		if !strings.Contains(health, want) {
			t.Errorf("the integration's health card lacks %q:\n%s", want, health)
		}
	}
	if strings.Contains(page, "Nothing is waiting") {
		t.Error("the failing integration's page says nothing is waiting")
	}

	card := regexp.MustCompile(`(?s)<a [^>]*data-card="Integration errors"[^>]*>.*?</a>`).FindString(w.Get("/").Expect(t, http.StatusOK).String())
	if !strings.Contains(card, `tabular-nums">1</p>`) || !strings.Contains(card, "border-l-red-600") ||
		!strings.Contains(card, "Codemax S001: Last run failed: ") || !strings.Contains(card, lastError) {
		t.Errorf("the dashboard's card does not count the failed run in red with its error:\n%s", card)
	}

	// With the right password the next run sends the sale, and nothing is failing any more.
	e.app.Do("PUT", path, map[string]any{"kind": "codemax", "name": "Codemax S001", "enabled": true, "storeId": e.store.ID,
		"settings": map[string]any{"baseUrl": e.fake.URL, "branchCode": "B-DT01", "username": username},
		"secrets":  map[string]string{"password": password}}, e.token).Expect(t, http.StatusOK)
	expectRun(t, e.run(), models.RunSucceeded, 1, 1, 0)
	list = w.Get("/settings/integrations").Expect(t, http.StatusOK).String()
	row = regexp.MustCompile(`(?s)<tr data-testid="integration-Codemax S001".*?</tr>`).FindString(list)
	if !strings.Contains(row, `data-failing="false"`) || !strings.Contains(row, "Healthy") || strings.Contains(list, "nav-alarm-integrations") {
		t.Errorf("after a good run the integration still fails:\n%s", row)
	}
	card = regexp.MustCompile(`(?s)<a [^>]*data-card="Integration errors"[^>]*>.*?</a>`).FindString(w.Get("/").String())
	if !strings.Contains(card, `tabular-nums">0</p>`) || strings.Contains(card, "border-l-red-600") {
		t.Errorf("after a good run the dashboard still counts it:\n%s", card)
	}
}
