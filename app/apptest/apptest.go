// Package apptest runs the whole application against a fresh PostgreSQL database per test, and
// gives tests a JSON API client and a signed-in browser-like web client.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"backroom/app"
	"backroom/app/apidoc"
	"backroom/app/config"
	"backroom/app/jobs"
	"backroom/app/router"
	"backroom/app/server"
	"backroom/models"
	"backroom/models/dbtest"
	"backroom/seeds"
)

// App is a running Backroom on its own database.
type App struct {
	T      testing.TB
	DB     *gorm.DB
	Pool   *pgxpool.Pool
	Config config.Config
	App    *app.App    // every service, as app.New built them
	Engine *gin.Engine // the routes, as router.New mounted them
	Server *httptest.Server
	URL    string

	users atomic.Int64 // users created so far, for unique names (tests create them from goroutines too)

	checkOnce sync.Once // every API call is checked against the OpenAPI description (Send)
	checker   *apidoc.Checker
	checkErr  error
}

// Options adjust the app under test.
type Options struct {
	Demo   bool                     // load the demo data, without its sales history
	Sales  bool                     // with Demo, also the demo's two weeks of sales
	Env    map[string]string        // extra environment for config.Load
	Mutate func(cfg *config.Config) // last-minute config changes
	App    []app.Option             // stand-ins for outside systems (app.WithConnector, app.WithSaleHook)
}

// New starts the app on a fresh, migrated, empty database.
func New(t testing.TB) *App { return NewWith(t, Options{}) }

// NewDemo starts the app with the demo data loaded, less its sales history: a test's sales,
// registers and reports are then only the ones it records.
func NewDemo(t testing.TB) *App { return NewWith(t, Options{Demo: true}) }

// NewWith starts the app with options.
func NewWith(t testing.TB, o Options) *App {
	t.Helper()
	dbURL, pool, db := dbtest.New(t)
	// Tests' stand-ins for outside systems listen on loopback; the tests of the address rule set
	// ALLOW_PRIVATE_TARGETS=false.
	env := map[string]string{"DATABASE_URL": dbURL, "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789", "LOG_LEVEL": "error",
		"ALLOW_PRIVATE_TARGETS": "true"}
	for k, v := range o.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	// The app logs through slog's default logger, as the binary does; tests keep it quiet.
	slog.SetDefault(slog.New(server.ContextHandler{Handler: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})}))
	if o.Mutate != nil {
		o.Mutate(&cfg)
	}
	if o.Demo {
		if err := seeds.DemoWith(context.Background(), db, cfg, seeds.DemoOptions{SalesHistory: o.Sales}); err != nil {
			t.Fatalf("seed demo data: %v", err)
		}
	}
	a, err := app.New(cfg, pool, db, o.App...)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	eng := router.New(a)
	srv := httptest.NewServer(eng)
	t.Cleanup(srv.Close)
	cfg.PublicURL = srv.URL
	return &App{T: t, DB: db, Pool: pool, Config: cfg, App: a, Engine: eng, Server: srv, URL: srv.URL}
}

// StartJobs runs the background workers for the rest of the test (polling every 100ms, River's minimum).
func (a *App) StartJobs() {
	a.T.Helper()
	runner, err := jobs.NewRunner(a.Pool, a.App.Jobs, 10, 100*time.Millisecond)
	if err != nil {
		a.T.Fatalf("job runner: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := runner.Start(ctx); err != nil {
		a.T.Fatalf("start job runner: %v", err)
	}
	a.T.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = runner.Stop(stopCtx)
		cancel()
	})
}

// Eventually polls cond every 20ms until it holds, failing the test after 30s with msg.
func (a *App) Eventually(msg string, cond func() bool) {
	a.T.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			a.T.Fatalf("gave up waiting: %s", msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Response is a recorded answer.
type Response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// Envelope is the API answer shape.
type Envelope struct {
	Success  bool                `json:"success"`
	Data     json.RawMessage     `json:"data"`
	Error    string              `json:"error"`
	Errors   map[string][]string `json:"errors"`
	Total    *int64              `json:"total"`
	Page     *int                `json:"page"`
	PageSize *int                `json:"pageSize"`
}

// Env decodes the body as an envelope (failing the test when it is not JSON).
func (r *Response) Env(t testing.TB) Envelope {
	t.Helper()
	var e Envelope
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("response is not a JSON envelope (%d): %s", r.Code, r.Body)
	}
	return e
}

// Data decodes the envelope's data into v.
func (r *Response) Data(t testing.TB, v any) {
	t.Helper()
	e := r.Env(t)
	if err := json.Unmarshal(e.Data, v); err != nil {
		t.Fatalf("decode data: %v\n%s", err, r.Body)
	}
}

// String is the body as text.
func (r *Response) String() string { return string(r.Body) }

// Do sends an API request; body may be nil, a string/[]byte (sent raw) or a value (JSON-encoded).
func (a *App) Do(method, path string, body any, token string) *Response {
	a.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			a.T.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, a.URL+path, rd)
	if err != nil {
		a.T.Fatalf("request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return a.Send(req)
}

// Send sends an API request built by the test (with an API key or other headers) and checks
// the call against the OpenAPI description, as Do does.
func (a *App) Send(req *http.Request) *Response {
	a.T.Helper()
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	res := a.send(http.DefaultClient, req)
	if p := req.URL.Path; strings.HasPrefix(p, "/api/v1/") || strings.HasPrefix(p, "/ws/v1/") {
		if err := a.describedBy().Check(req, body, res.Code, res.Header, res.Body); err != nil {
			a.T.Errorf("the API and its OpenAPI description disagree: %v", err)
		}
	}
	return res
}

func (a *App) send(client *http.Client, req *http.Request) *Response {
	a.T.Helper()
	res, err := client.Do(req)
	if err != nil {
		a.T.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{Code: res.StatusCode, Header: res.Header, Body: b}
}

// describedBy is the checker of the API's description, built on the app's first API call.
func (a *App) describedBy() *apidoc.Checker {
	a.T.Helper()
	a.checkOnce.Do(func() { a.checker, a.checkErr = apidoc.NewChecker(apidoc.Operations()) })
	if a.checkErr != nil {
		a.T.Fatalf("the OpenAPI description: %v", a.checkErr)
	}
	return a.checker
}

// Expect fails the test unless the response has the wanted status.
func (r *Response) Expect(t testing.TB, status int) *Response {
	t.Helper()
	if r.Code != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Code, status, truncate(r.Body))
	}
	return r
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// Login signs in through the API with a username and PIN and returns the access token.
func (a *App) Login(username, pin string) string {
	a.T.Helper()
	res := a.Do("POST", "/api/v1/auth/login", map[string]string{"username": username, "pin": pin}, "")
	res.Expect(a.T, http.StatusOK)
	var s struct {
		AccessToken string `json:"accessToken"`
	}
	res.Data(a.T, &s)
	return s.AccessToken
}

// User creates an active user holding exactly perms (HQ-wide when storeID is nil, else at that
// store) and returns the user and an API access token.
func (a *App) User(storeID *uuid.UUID, perms ...string) (models.User, string) {
	a.T.Helper()
	u, pin := a.newUser(storeID, perms)
	return u, a.Login(u.Username, pin)
}

// WebUser creates a user like User and signs them in to the pages.
func (a *App) WebUser(storeID *uuid.UUID, perms ...string) (*Web, models.User) {
	a.T.Helper()
	u, pin := a.newUser(storeID, perms)
	return a.SignIn(u.Username, pin), u
}

// newUser creates a role holding exactly perms and a user with that role and a fresh PIN.
func (a *App) newUser(storeID *uuid.UUID, perms []string) (models.User, string) {
	a.T.Helper()
	n := a.users.Add(1)
	ctx := context.Background()
	role := models.Role{Name: fmt.Sprintf("test-role-%d-%d", n, time.Now().UnixNano()), Permissions: pq.StringArray(append([]string{}, perms...))}
	if err := a.DB.WithContext(ctx).Create(&role).Error; err != nil {
		a.T.Fatalf("create role: %v", err)
	}
	pin := fmt.Sprintf("%08d", 10000000+(time.Now().UnixNano()+n*7919)%89999999)
	spec := seeds.UserSpec{Username: fmt.Sprintf("user%d_%d", n, time.Now().UnixNano()%1e6), DisplayName: fmt.Sprintf("Test User %d", n), PIN: pin, Role: role.Name}
	if storeID != nil {
		var s models.Store
		if err := a.DB.Take(&s, "id = ?", *storeID).Error; err != nil {
			a.T.Fatalf("store: %v", err)
		}
		spec.StoreCode = s.Code
	}
	u, err := seeds.CreateUser(ctx, a.DB, a.Config, spec)
	if err != nil {
		a.T.Fatalf("create user: %v", err)
	}
	return *u, pin
}

// Store creates a store with the given code.
func (a *App) Store(code string) models.Store {
	a.T.Helper()
	s := models.Store{Code: code, Name: "Store " + code, TimeZone: "America/New_York", IsActive: true}
	if err := a.DB.Create(&s).Error; err != nil {
		a.T.Fatalf("create store: %v", err)
	}
	return s
}

// Count returns the number of rows matching where in table.
func (a *App) Count(table, where string, args ...any) int64 {
	a.T.Helper()
	var n int64
	q := a.DB.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		a.T.Fatalf("count %s: %v", table, err)
	}
	return n
}

// Web is a cookie-keeping client for pages, like a browser without JavaScript.
type Web struct {
	app    *App
	client *http.Client
	csrf   string
}

// Web returns a client that is not signed in.
func (a *App) Web() *Web {
	jar, _ := cookiejar.New(nil)
	return &Web{app: a, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn returns a web client signed in through the /login form.
func (a *App) SignIn(username, secret string) *Web {
	a.T.Helper()
	w := a.Web()
	w.Get("/login").Expect(a.T, http.StatusOK)
	res := w.PostForm("/login", url.Values{"username": {username}, "password": {secret}})
	if res.Code != http.StatusSeeOther {
		a.T.Fatalf("sign in as %s: status %d: %s", username, res.Code, truncate(res.Body))
	}
	// Follow the redirect as a browser does: sign-in rotates the CSRF token, and the page after
	// it carries the new one.
	w.Get(res.Header.Get("Location"))
	return w
}

var csrfMeta = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// Get fetches a page (remembering its CSRF token for the next form post).
func (w *Web) Get(path string) *Response {
	return w.Request("GET", path, nil, nil)
}

// HTMX fetches a page as htmx does (HX-Request: true).
func (w *Web) HTMX(method, path string, form url.Values) *Response {
	return w.Request(method, path, form, http.Header{"HX-Request": {"true"}})
}

// PostForm posts a form with the remembered CSRF token (unless form already has one).
func (w *Web) PostForm(path string, form url.Values) *Response {
	return w.Request("POST", path, form, nil)
}

// Request sends a page request.
func (w *Web) Request(method, path string, form url.Values, h http.Header) *Response {
	w.app.T.Helper()
	var body io.Reader
	if form != nil {
		if _, ok := form["csrf_token"]; !ok && w.csrf != "" {
			form = cloneValues(form)
			form.Set("csrf_token", w.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.app.URL+path, body)
	if err != nil {
		w.app.T.Fatalf("request: %v", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range h {
		req.Header[k] = v
	}
	res := w.app.send(w.client, req)
	if m := csrfMeta.FindSubmatch(res.Body); m != nil {
		w.csrf = string(m[1])
	}
	return res
}

// CSRF is the token the client will send with its next form.
func (w *Web) CSRF() string { return w.csrf }

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Cookies are the cookies the client holds for the app.
func (w *Web) Cookies() []*http.Cookie {
	u, _ := url.Parse(w.app.URL)
	return w.client.Jar.Cookies(u)
}
