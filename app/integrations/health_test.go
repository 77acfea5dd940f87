package integrations_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"backroom/models"
)

// An item a run could not send is an open error: the integration fails (red on the list and its
// page, counted on the dashboard and the sidebar) until the error is resolved.
func TestOpenErrorMakesTheIntegrationFailUntilResolved(t *testing.T) {
	app, _, token := setup(t)
	var v view
	app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "tipsi", "name": "Fake", "enabled": true,
		"settings": map[string]any{"baseUrl": "https://tipsi.example"}, "secrets": map[string]string{"apiToken": "s3cret"}}, token).
		Expect(t, http.StatusCreated).Data(t, &v)
	var r run
	app.Do("POST", "/api/v1/integrations/"+v.ID+"/run", nil, token).Expect(t, http.StatusAccepted).Data(t, &r)
	app.StartJobs()
	app.Eventually("run finishes", func() bool { return app.Count("integration_runs", "status = 'partial'") == 1 })

	w := app.SignIn("admin", "1234")
	list := w.Get("/settings/integrations").Expect(t, http.StatusOK).String()
	row := regexp.MustCompile(`(?s)<tr data-testid="integration-Fake".*?</tr>`).FindString(list)
	for _, want := range []string{`data-failing="true"`, "bg-red-600", "Failing: 1 item", "product item-3: rejected by fake"} {
		if !strings.Contains(row, want) {
			t.Errorf("the list's row lacks %q:\n%s", want, row)
		}
	}
	if !strings.Contains(list, `aria-label="1 failing">1<`) {
		t.Error("the sidebar has no badge of 1 failing")
	}
	page := w.Get("/settings/integrations/" + v.ID).String()
	if !strings.Contains(page, `data-testid="integration-health" data-failing="true"`) || !strings.Contains(page, "1 open error") {
		t.Error("the integration's page has no red health card naming the open error")
	}
	card := regexp.MustCompile(`(?s)<a [^>]*data-card="Integration errors"[^>]*>.*?</a>`).FindString(w.Get("/").String())
	if !strings.Contains(card, `tabular-nums">1</p>`) || !strings.Contains(card, "border-l-red-600") || !strings.Contains(card, "Fake: product item-3: rejected by fake") {
		t.Errorf("dashboard card:\n%s", card)
	}

	var open models.IntegrationError
	if err := app.DB.Take(&open, "status = 'open'").Error; err != nil {
		t.Fatal(err)
	}
	app.Do("POST", fmt.Sprintf("/api/v1/integrations/%s/errors/%s/resolve", v.ID, open.ID), nil, token).Expect(t, http.StatusOK)
	list = w.Get("/settings/integrations").String()
	row = regexp.MustCompile(`(?s)<tr data-testid="integration-Fake".*?</tr>`).FindString(list)
	if !strings.Contains(row, `data-failing="false"`) || !strings.Contains(row, "Healthy") || strings.Contains(list, "nav-alarm-integrations") {
		t.Errorf("resolved, the integration still fails:\n%s", row)
	}
	if card := regexp.MustCompile(`(?s)<a [^>]*data-card="Integration errors"[^>]*>.*?</a>`).FindString(w.Get("/").String()); !strings.Contains(card, `tabular-nums">0</p>`) {
		t.Errorf("resolved, the dashboard still counts it:\n%s", card)
	}
}
