package mipos_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"backroom/models"
)

type health struct {
	Failing      bool     `json:"failing"`
	FailingItems int64    `json:"failingItems"`
	LastError    string   `json:"lastError"`
	Parts        []string `json:"parts"`
}

func (e *env) health(id string) health {
	e.t.Helper()
	var v struct {
		Health health `json:"health"`
	}
	e.app.Do("GET", "/api/v1/integrations/"+id, nil, e.token).Expect(e.t, http.StatusOK).Data(e.t, &v)
	return v.Health
}

// A stock update backing off after the hub refused it is a failing item of its integration until
// it is sent; a refused webhook registration is one too, raising no alarm while the integration
// is disabled.
func TestRefusedStockUpdateAndRegistrationAreFailingItems(t *testing.T) {
	e := setup(t)
	p := e.aProduct()
	e.app.StartJobs()
	e.sync()
	before := e.health(e.id) // the sync's own refused items, if any, are open errors
	e.hub.mu.Lock()
	e.hub.failUpdates = 1
	e.hub.mu.Unlock()

	e.move(e.store, p.ID, 2000, models.MoveAdjustment)
	e.app.Eventually("the update is refused and backs off", func() bool {
		return e.app.Count("mipos_stock_updates", "status = 'pending' AND attempts = 1 AND next_attempt_at > now()") == 1
	})
	h := e.health(e.id)
	if !h.Failing || h.FailingItems != before.FailingItems+1 || !strings.HasPrefix(h.LastError, "Stock update: ") ||
		!strings.Contains(strings.Join(h.Parts, ","), "1 stock update failing") {
		t.Fatalf("health while the update backs off = %+v (before %+v)", h, before)
	}

	e.app.DB.Exec(`UPDATE mipos_stock_updates SET next_attempt_at = now() WHERE status = 'pending' AND attempts = 1`)
	e.app.DB.Exec(`UPDATE river_job SET scheduled_at = now(), state = 'available' WHERE kind = 'mipos_stock_update' AND state = 'scheduled'`)
	e.app.Eventually("the update is sent", func() bool { return e.app.Count("mipos_stock_updates", "status = 'sent'") == 1 })
	if h := e.health(e.id); h.FailingItems != before.FailingItems || strings.Contains(strings.Join(h.Parts, ","), "stock update") {
		t.Fatalf("health once the update is sent = %+v, want %+v", h, before)
	}

	bad := e.create("miPOS wrong token", false, "wrong")
	w := e.app.SignIn("admin", "1234")
	w.PostForm("/settings/integrations/"+bad+"/mipos/webhook", url.Values{}).Expect(t, http.StatusSeeOther)
	h = e.health(bad)
	if h.Failing || h.FailingItems != 1 || !strings.HasPrefix(h.LastError, "Webhook registration: ") || !strings.Contains(h.LastError, "401") {
		t.Fatalf("health of the disabled integration the hub refused = %+v", h)
	}
}
