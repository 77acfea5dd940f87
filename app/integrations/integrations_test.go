package integrations_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"backroom/app"
	"backroom/app/apptest"
	"backroom/app/integrations"
	"backroom/app/outbound"
	"backroom/models"
)

// fakeConnector stands in for a real kind: it "sends" n items and fails the ones listed.
type fakeConnector struct {
	items   int
	failing map[int]bool
	runs    atomic.Int32
	testErr error
	seen    atomic.Value // secrets seen by the last run
}

func (f *fakeConnector) Kind() string  { return models.KindTipsi }
func (f *fakeConnector) Label() string { return "Fake" }
func (f *fakeConnector) Help() string  { return "A test connector. It sends items." }
func (f *fakeConnector) Fields() []integrations.Field {
	return []integrations.Field{
		{Name: "baseUrl", Label: "Base URL", Type: "url", Required: true},
		{Name: "batchSize", Label: "Batch size", Type: "int", Default: "500", Min: 1, Max: 10000},
		{Name: "mode", Label: "Mode", Type: "select", Options: []string{"sync", "sync_clear"}, Default: "sync"},
		{Name: "scheduleMinutes", Label: "Every (minutes)", Type: "int", Default: "0", Max: 1440},
		{Name: "apiToken", Label: "API token", Secret: true, Required: true},
	}
}
func (f *fakeConnector) Test(ctx context.Context, in *integrations.Instance) error { return f.testErr }
func (f *fakeConnector) Run(ctx context.Context, in *integrations.Instance, r *integrations.Run) error {
	f.runs.Add(1)
	f.seen.Store(in.Secrets["apiToken"])
	if err := r.AddTotal(ctx, f.items); err != nil {
		return err
	}
	for i := 0; i < f.items; i++ {
		ref := fmt.Sprintf("item-%d", i)
		if f.failing[i] {
			if err := r.Failed(ctx, "product", ref, "rejected by fake"); err != nil {
				return err
			}
			continue
		}
		if err := r.Sent(ctx, "product", ref); err != nil {
			return err
		}
	}
	return nil
}

type view struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Enabled  bool              `json:"enabled"`
	Settings map[string]string `json:"settings"`
	Secrets  map[string]string `json:"secrets"`
}

type run struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Total    int    `json:"total"`
	Sent     int    `json:"sent"`
	Failed   int    `json:"failed"`
	Progress int    `json:"progress"`
}

func setup(t *testing.T) (*apptest.App, *fakeConnector, string) {
	fake := &fakeConnector{items: 5, failing: map[int]bool{3: true}}
	a := apptest.NewWith(t, apptest.Options{Demo: true, App: []app.Option{app.WithConnector(fake)}}) // in place of the Tipsi connector
	return a, fake, a.Login("admin", "1234")
}

func TestIntegrationCRUDKeepsSecretsSealed(t *testing.T) {
	app, _, token := setup(t)
	const secret = "tok-very-secret-123"
	body := map[string]any{"kind": "tipsi", "name": "Tipsi shop", "enabled": true,
		"settings": map[string]any{"baseUrl": "https://tipsi.example/", "batchSize": 7},
		"secrets":  map[string]string{"apiToken": secret}}
	res := app.Do("POST", "/api/v1/integrations", body, token).Expect(t, http.StatusCreated)
	if strings.Contains(res.String(), secret) {
		t.Fatal("create answer contains the secret")
	}
	var v view
	res.Data(t, &v)
	if v.Secrets["apiToken"] != "set" || v.Settings["baseUrl"] != "https://tipsi.example" || v.Settings["batchSize"] != "7" || v.Settings["mode"] != "sync" {
		t.Fatalf("view = %+v", v)
	}
	// No column holds the secret in plaintext.
	var raw string
	app.DB.Raw(`SELECT row_to_json(i)::text FROM integrations i WHERE id = ?`, v.ID).Scan(&raw)
	if raw == "" || strings.Contains(raw, secret) {
		t.Fatalf("secret stored in plaintext or row missing: %s", raw)
	}
	if n := app.Count("audit_log", "entity_type = 'integration' AND after_data::text LIKE ?", "%"+secret+"%"); n != 0 {
		t.Fatal("secret written to the audit log")
	}

	// Update without secrets keeps the stored one.
	body["secrets"] = map[string]string{}
	body["name"] = "Tipsi main"
	app.Do("PUT", "/api/v1/integrations/"+v.ID, body, token).Expect(t, http.StatusOK)
	get := app.Do("GET", "/api/v1/integrations/"+v.ID, nil, token).Expect(t, http.StatusOK)
	get.Data(t, &v)
	if v.Name != "Tipsi main" || v.Secrets["apiToken"] != "set" {
		t.Fatalf("after update: %+v", v)
	}
	list := app.Do("GET", "/api/v1/integrations", nil, token).Expect(t, http.StatusOK)
	if strings.Contains(list.String(), secret) || *list.Env(t).Total != 1 {
		t.Fatalf("list: %s", list.Body)
	}

	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown kind", map[string]any{"kind": "ftp", "name": "x"}, "kind"},
		{"bad url", map[string]any{"kind": "tipsi", "name": "x", "settings": map[string]any{"baseUrl": "not a url"}, "secrets": map[string]string{"apiToken": "a"}}, "settings.baseUrl"},
		{"missing secret", map[string]any{"kind": "tipsi", "name": "x", "settings": map[string]any{"baseUrl": "https://a.b"}}, "secrets.apiToken"},
		{"bad select", map[string]any{"kind": "tipsi", "name": "x", "settings": map[string]any{"baseUrl": "https://a.b", "mode": "wipe"}, "secrets": map[string]string{"apiToken": "a"}}, "settings.mode"},
		{"int range", map[string]any{"kind": "tipsi", "name": "x", "settings": map[string]any{"baseUrl": "https://a.b", "batchSize": 0}, "secrets": map[string]string{"apiToken": "a"}}, "settings.batchSize"},
		{"duplicate name", map[string]any{"kind": "tipsi", "name": "TIPSI MAIN", "settings": map[string]any{"baseUrl": "https://a.b"}, "secrets": map[string]string{"apiToken": "a"}}, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := app.Do("POST", "/api/v1/integrations", tt.body, token).Expect(t, http.StatusUnprocessableEntity)
			if _, ok := res.Env(t).Errors[tt.field]; !ok {
				t.Fatalf("errors = %v, want %s", res.Env(t).Errors, tt.field)
			}
		})
	}
	if n := app.Count("integrations", ""); n != 1 {
		t.Fatalf("integrations = %d after refused creates, want 1", n)
	}

	_, cashier := app.User(nil, "products.view")
	app.Do("GET", "/api/v1/integrations", nil, cashier).Expect(t, http.StatusForbidden)
	app.Do("GET", "/api/v1/integrations", nil, "").Expect(t, http.StatusUnauthorized)
	app.Do("GET", "/api/v1/integrations/not-an-id", nil, token).Expect(t, http.StatusNotFound)

	app.Do("DELETE", "/api/v1/integrations/"+v.ID, nil, token).Expect(t, http.StatusOK)
	app.Do("GET", "/api/v1/integrations/"+v.ID, nil, token).Expect(t, http.StatusNotFound)
}

func TestRunProgressErrorsRetryResolve(t *testing.T) {
	app, fake, token := setup(t)
	var v view
	app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "tipsi", "name": "Fake", "enabled": true,
		"settings": map[string]any{"baseUrl": "https://tipsi.example"}, "secrets": map[string]string{"apiToken": "s3cret"}}, token).
		Expect(t, http.StatusCreated).Data(t, &v)

	var r run
	res := app.Do("POST", "/api/v1/integrations/"+v.ID+"/run", nil, token).Expect(t, http.StatusAccepted)
	res.Data(t, &r)
	if r.Status != "queued" || r.ID == "" {
		t.Fatalf("run = %+v", r)
	}
	// A second request while one is queued is refused.
	app.Do("POST", "/api/v1/integrations/"+v.ID+"/run", nil, token).Expect(t, http.StatusConflict)

	app.StartJobs()
	app.Eventually("run finishes", func() bool {
		app.Do("GET", "/api/v1/integrations/runs/"+r.ID, nil, token).Expect(t, http.StatusOK).Data(t, &r)
		return r.Status != "queued" && r.Status != "running"
	})
	if r.Status != "partial" || r.Total != 5 || r.Sent != 4 || r.Failed != 1 || r.Progress != 100 {
		t.Fatalf("run = %+v, want partial 5/4/1", r)
	}
	if got := fake.seen.Load(); got != "s3cret" {
		t.Fatalf("connector saw secret %v", got)
	}

	errs := app.Do("GET", "/api/v1/integrations/"+v.ID+"/errors", nil, token).Expect(t, http.StatusOK)
	var list []models.IntegrationError
	errs.Data(t, &list)
	if len(list) != 1 || list[0].ItemRef != "item-3" || list[0].Message != "rejected by fake" {
		t.Fatalf("errors = %+v", list)
	}
	runs := app.Do("GET", "/api/v1/integrations/"+v.ID+"/runs", nil, token).Expect(t, http.StatusOK)
	if *runs.Env(t).Total != 1 {
		t.Fatalf("runs: %s", runs.Body)
	}

	// Retry: the item now succeeds, so its error is resolved by the run.
	fake.failing = map[int]bool{}
	app.Do("POST", fmt.Sprintf("/api/v1/integrations/%s/errors/%s/retry", v.ID, list[0].ID), nil, token).Expect(t, http.StatusAccepted)
	app.Eventually("retry run resolves the error", func() bool {
		return app.Count("integration_errors", "status = 'resolved'") == 1
	})
	app.Eventually("retry run finishes", func() bool {
		return app.Count("integration_runs", "status = 'succeeded'") == 1
	})
	app.Do("POST", fmt.Sprintf("/api/v1/integrations/%s/errors/%s/resolve", v.ID, list[0].ID), nil, token).Expect(t, http.StatusConflict)

	// A new failure resolved by hand.
	fake.failing = map[int]bool{0: true}
	app.Do("POST", "/api/v1/integrations/"+v.ID+"/run", nil, token).Expect(t, http.StatusAccepted)
	app.Eventually("third run finishes", func() bool {
		return app.Count("integration_runs", "status IN ('partial','succeeded','failed')") == 3
	})
	var open models.IntegrationError
	if err := app.DB.Take(&open, "status = 'open'").Error; err != nil {
		t.Fatalf("no open error: %v", err)
	}
	app.Do("POST", fmt.Sprintf("/api/v1/integrations/%s/errors/%s/resolve", v.ID, open.ID), nil, token).Expect(t, http.StatusOK)
	if n := app.Count("integration_errors", "status <> 'resolved'"); n != 0 {
		t.Fatalf("open errors = %d after resolve", n)
	}
	if n := app.Count("integration_errors", "id = ? AND resolved_by = (SELECT id FROM users WHERE username = 'admin')", open.ID); n != 1 {
		t.Fatal("the error does not name who resolved it")
	}

	// The system (a job, a script) may resolve too: it is nobody, so resolved_by stays empty.
	app.Do("POST", "/api/v1/integrations/"+v.ID+"/run", nil, token).Expect(t, http.StatusAccepted)
	app.Eventually("fourth run finishes", func() bool {
		return app.Count("integration_runs", "status IN ('partial','succeeded','failed')") == 4
	})
	var again models.IntegrationError
	if err := app.DB.Take(&again, "status = 'open'").Error; err != nil {
		t.Fatalf("no open error: %v", err)
	}
	svc, err := integrations.New(app.DB, app.Config.Key("secrets"), app.Config.PublicURL, outbound.Guard{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := uuid.Parse(v.ID)
	if err := svc.ResolveError(t.Context(), models.System, id, again.ID); err != nil {
		t.Fatalf("system resolve: %v", err)
	}
	if n := app.Count("integration_errors", "id = ? AND status = 'resolved' AND resolved_by IS NULL", again.ID); n != 1 {
		t.Fatal("system resolve did not resolve the error with no user")
	}
}

func TestTestConnectionSaysWhatFailed(t *testing.T) {
	app, fake, token := setup(t)
	var v view
	app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "tipsi", "name": "Fake",
		"settings": map[string]any{"baseUrl": "https://tipsi.example"}, "secrets": map[string]string{"apiToken": "x"}}, token).
		Expect(t, http.StatusCreated).Data(t, &v)
	app.Do("POST", "/api/v1/integrations/"+v.ID+"/test", nil, token).Expect(t, http.StatusOK)
	fake.testErr = errors.New("login refused: 401 invalid credentials")
	res := app.Do("POST", "/api/v1/integrations/"+v.ID+"/test", nil, token).Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Env(t).Error, "login refused: 401 invalid credentials") {
		t.Fatalf("error = %q", res.Env(t).Error)
	}
}

func TestScheduledRunsAreQueuedOnce(t *testing.T) {
	app, _, token := setup(t)
	app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "tipsi", "name": "Fake", "enabled": true,
		"settings": map[string]any{"baseUrl": "https://tipsi.example", "scheduleMinutes": 5}, "secrets": map[string]string{"apiToken": "x"}}, token).
		Expect(t, http.StatusCreated)
	app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "tipsi", "name": "Disabled", "enabled": false,
		"settings": map[string]any{"baseUrl": "https://tipsi.example", "scheduleMinutes": 5}, "secrets": map[string]string{"apiToken": "x"}}, token).
		Expect(t, http.StatusCreated)
	svc := app.App.Integrations
	n, err := svc.QueueDue(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("first scheduler pass queued %d (%v), want 1 (the enabled one)", n, err)
	}
	if n, err = svc.QueueDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("second pass queued %d (%v), want 0: the next run is 5 minutes away", n, err)
	}
	if got := app.Count("integration_runs", "trigger = 'schedule' AND status = 'queued'"); got != 1 {
		t.Fatalf("scheduled runs = %d, want 1", got)
	}
	if got := app.Count("river_job", "kind = 'integration_run'"); got != 1 {
		t.Fatalf("run jobs = %d, want 1", got)
	}
	if got := app.Count("integrations", "next_run_at > now() + interval '4 minutes'"); got != 1 {
		t.Fatalf("next run not moved 5 minutes on")
	}
}

func TestSettingsPages(t *testing.T) {
	app, _, _ := setup(t)
	w := app.SignIn("admin", "1234")
	w.Get("/settings/integrations").Expect(t, http.StatusOK)
	w.Get("/settings/integrations/new?kind=tipsi").Expect(t, http.StatusOK)
	bad := w.PostForm("/settings/integrations", url.Values{"kind": {"tipsi"}, "name": {"Web fake"}, "settings.baseUrl": {"nope"}, "enabled": {"true"}})
	bad.Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.String(), "must be an http(s) URL") {
		t.Fatal("inline error missing")
	}
	ok := w.PostForm("/settings/integrations", url.Values{"kind": {"tipsi"}, "name": {"Web fake"}, "settings.baseUrl": {"https://t.example"}, "secrets.apiToken": {"web-secret-value"}, "enabled": {"true"}})
	ok.Expect(t, http.StatusSeeOther)
	detail := w.Get(ok.Header.Get("Location")).Expect(t, http.StatusOK)
	if strings.Contains(detail.String(), "web-secret-value") || !strings.Contains(detail.String(), `data-testid="secret-API token">set`) {
		t.Fatalf("detail page shows the secret or not its state")
	}
	run := w.PostForm(ok.Header.Get("Location")+"/run", url.Values{}).Expect(t, http.StatusSeeOther)
	page := w.Get(run.Header.Get("Location")).Expect(t, http.StatusOK)
	if !strings.Contains(page.String(), `hx-trigger="every 1s"`) {
		t.Fatal("queued run page does not poll for progress")
	}
	cashier := app.SignIn("cashier", "3456")
	cashier.Get("/settings/integrations").Expect(t, http.StatusForbidden)
}

// A run whose worker died (its job gone) is failed by the scheduler instead of blocking every
// later run of its integration; a run whose job is still alive is left alone.
func TestOrphanedRunIsFailedAndUnblocksTheIntegration(t *testing.T) {
	app, _, token := setup(t)
	var v view
	app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "tipsi", "name": "Fake",
		"settings": map[string]any{"baseUrl": "https://tipsi.example"}, "secrets": map[string]string{"apiToken": "x"}}, token).
		Expect(t, http.StatusCreated).Data(t, &v)
	var r run
	app.Do("POST", "/api/v1/integrations/"+v.ID+"/run", nil, token).Expect(t, http.StatusAccepted).Data(t, &r)
	// The worker took it and died: the run says running, River discarded its job.
	if err := app.DB.Exec(`UPDATE integration_runs SET status = 'running', started_at = now() - interval '20 minutes', created_at = now() - interval '20 minutes' WHERE id = ?`, r.ID).Error; err != nil {
		t.Fatal(err)
	}
	svc, err := integrations.New(app.DB, app.Config.Key("secrets"), app.Config.PublicURL, outbound.Guard{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	// While its job is alive (queued in River) the run is not touched.
	if n, err := svc.FailOrphanedRuns(t.Context()); err != nil || n != 0 {
		t.Fatalf("a run with a live job was failed (%d, %v)", n, err)
	}
	app.Do("POST", "/api/v1/integrations/"+v.ID+"/run", nil, token).Expect(t, http.StatusConflict)

	if err := app.DB.Exec(`UPDATE river_job SET state = 'discarded', finalized_at = now() WHERE kind = 'integration_run' AND args->>'runId' = ?`, r.ID).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := svc.FailOrphanedRuns(t.Context()); err != nil || n != 1 {
		t.Fatalf("orphaned runs failed = %d, %v; want 1", n, err)
	}
	app.Do("GET", "/api/v1/integrations/runs/"+r.ID, nil, token).Expect(t, http.StatusOK).Data(t, &r)
	if r.Status != "failed" {
		t.Fatalf("orphaned run = %+v", r)
	}
	// The integration can run again.
	app.Do("POST", "/api/v1/integrations/"+v.ID+"/run", nil, token).Expect(t, http.StatusAccepted)
}

// Many people press "run" on one integration at once, while the scheduler on two instances
// finds it due: one run is queued (one 202 or one scheduled run), every other request answers
// 409, and the connector runs once. Several rounds, each on a fresh integration, as the
// scheduler and a request colliding on one row is a narrow window.
func TestRacingRunRequestsQueueOneRun(t *testing.T) {
	app, fake, token := setup(t)
	const rounds, racers, schedulers = 6, 16, 2
	var ids []string
	for round := 0; round < rounds; round++ {
		var v view
		app.Do("POST", "/api/v1/integrations", map[string]any{"kind": "tipsi", "name": fmt.Sprintf("Fake %d", round), "enabled": true,
			"settings": map[string]any{"baseUrl": "https://tipsi.example", "scheduleMinutes": 5}, "secrets": map[string]string{"apiToken": "x"}}, token).
			Expect(t, http.StatusCreated).Data(t, &v)
		ids = append(ids, v.ID)
		// Due now.
		if err := app.DB.Exec("UPDATE integrations SET next_run_at = now() - interval '1 minute' WHERE id = ?", v.ID).Error; err != nil {
			t.Fatal(err)
		}
		codes := make(chan int, racers)
		queued := make(chan int, schedulers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes <- app.Do("POST", "/api/v1/integrations/"+v.ID+"/run", nil, token).Code
			}()
		}
		for i := 0; i < schedulers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				n, err := app.App.Integrations.QueueDue(context.Background())
				if err != nil {
					t.Errorf("QueueDue: %v", err)
				}
				queued <- n
			}()
		}
		close(start)
		wg.Wait()
		close(codes)
		close(queued)
		got := map[int]int{}
		for c := range codes {
			got[c]++
		}
		scheduled := 0
		for n := range queued {
			scheduled += n
		}
		if got[http.StatusAccepted]+scheduled != 1 || got[http.StatusAccepted]+got[http.StatusConflict] != racers {
			t.Fatalf("round %d: racing run requests answered %v, schedulers queued %d", round, got, scheduled)
		}
		if n := app.Count("integration_runs", "integration_id = ?", v.ID); n != 1 {
			t.Fatalf("round %d: %d runs queued", round, n)
		}
		if n := app.Count("river_job", "kind = 'integration_run' AND args->>'runId' IN (SELECT id::text FROM integration_runs WHERE integration_id = ?)", v.ID); n != 1 {
			t.Fatalf("round %d: %d run jobs", round, n)
		}
		if n := app.Count("audit_log", "entity_type = 'integration' AND entity_id = ? AND action = 'run'", v.ID); n != int64(got[http.StatusAccepted]) {
			t.Fatalf("round %d: %d run audits for %d accepted requests", round, n, got[http.StatusAccepted])
		}
	}
	app.StartJobs()
	app.Eventually("the runs finish", func() bool {
		return app.Count("integration_runs", "status NOT IN ('queued', 'running')") == rounds
	})
	if n := fake.runs.Load(); n != rounds {
		t.Fatalf("connector ran %d times for %d runs", n, rounds)
	}
	// Once its run has finished, the next request queues a new one.
	app.Do("POST", "/api/v1/integrations/"+ids[0]+"/run", nil, token).Expect(t, http.StatusAccepted)
}
