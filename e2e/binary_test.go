package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"backroom/models/dbtest"
)

// These tests treat the binary as a user would: its subcommands, their exit codes and output.

func TestBinaryVersion(t *testing.T) {
	res := mustRun(t, nil, "version")
	if !regexp.MustCompile(`^backroom \S+`).MatchString(res.Stdout) {
		t.Fatalf("backroom version printed %q, want \"backroom <version>\"", res.Stdout)
	}
}

func TestBinaryUnknownCommandFails(t *testing.T) {
	res := runBinary(t, nil, "frobnicate")
	if res.Code == 0 {
		t.Fatalf("backroom frobnicate exited 0")
	}
	if !strings.Contains(res.Stderr, `unknown command "frobnicate"`) {
		t.Fatalf("stderr %q does not name the unknown command", res.Stderr)
	}
	if !strings.Contains(res.Stdout, "backroom serve") {
		t.Fatalf("stdout %q does not show the usage", res.Stdout)
	}
}

// The variables DESIGN.md promises, every one listed by `serve --help`.
func TestServeHelpListsConfiguration(t *testing.T) {
	res := mustRun(t, nil, "serve", "--help")
	for _, name := range configVars {
		if !regexp.MustCompile(`(?m)^\s+` + name + `\s`).MatchString(res.Stdout) {
			t.Errorf("serve --help does not list %s:\n%s", name, res.Stdout)
		}
	}
}

func TestProductionWithoutSecretKeyRefusesToStart(t *testing.T) {
	res := runBinary(t, map[string]string{
		"APP_ENV":      "production",
		"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?sslmode=disable",
		"PUBLIC_URL":   "https://backroom.example.com",
		"ADDR":         "127.0.0.1:0",
	}, "serve")
	if res.Code == 0 {
		t.Fatalf("serve in production without SECRET_KEY exited 0\nstdout: %s", res.Stdout)
	}
	if !strings.Contains(res.Stderr, "SECRET_KEY is required when APP_ENV=production") {
		t.Fatalf("stderr does not say SECRET_KEY is required: %q", res.Stderr)
	}
	if strings.Contains(res.Stdout, "serving on") {
		t.Fatalf("serve started anyway: %s", res.Stdout)
	}
}

// migrate on an empty database, then again (nothing to do, same version); seed twice leaves
// the same rows in every table.
func TestMigrateAndSeedAreIdempotent(t *testing.T) {
	dbURL, pool := emptyDatabase(t)
	env := dbEnv(dbURL)
	version := regexp.MustCompile(`database is at migration (\d+)`)
	first := mustRun(t, env, "migrate")
	m1 := version.FindStringSubmatch(first.Stdout)
	if m1 == nil {
		t.Fatalf("first migrate printed %q, want \"database is at migration N\"", first.Stdout)
	}
	second := mustRun(t, env, "migrate")
	m2 := version.FindStringSubmatch(second.Stdout)
	if m2 == nil || m2[1] != m1[1] {
		t.Fatalf("second migrate printed %q, want the same version %s", second.Stdout, m1[1])
	}

	out := mustRun(t, env, "seed")
	for _, want := range []string{"demo data loaded", "admin / 1234", "manager / 2345", "cashier / 3456"} {
		if !strings.Contains(out.Stdout, want) {
			t.Errorf("seed output lacks %q:\n%s", want, out.Stdout)
		}
	}
	before := tableCounts(t, pool)
	for _, table := range []string{"stores", "roles", "users"} {
		if before[table] == 0 {
			t.Errorf("after seed, %s is empty", table)
		}
	}
	if before["stores"] != 4 {
		t.Errorf("seed made %d stores, want 4 (HQ and three shops)", before["stores"])
	}
	mustRun(t, env, "seed")
	after := tableCounts(t, pool)
	for table, n := range before {
		if after[table] != n {
			t.Errorf("seeding twice changed %s from %d to %d rows", table, n, after[table])
		}
	}
}

// The running server answers /health and /metrics; its graceful shutdown is checked by the
// harness when the test ends.
func TestHealthAndMetrics(t *testing.T) {
	app := startApp(t)
	resp, err := http.Get(app.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Fatalf("GET /health: %d %s, want 200 {\"status\":\"ok\"}", resp.StatusCode, body)
	}
	resp, err = http.Get(app.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "# TYPE") {
		t.Fatalf("GET /metrics: %d, want 200 with Prometheus text", resp.StatusCode)
	}
}

// The API signs in with the demo PIN and refuses a wrong one with the envelope.
func TestAPILoginWithSeededUsers(t *testing.T) {
	app := startApp(t)
	token := app.Login(t, "admin", "1234")
	var me struct {
		User struct {
			Username string `json:"username"`
		} `json:"user"`
	}
	app.MustAPI(t, http.StatusOK, "GET", "/api/v1/auth/me", nil, token, &me)
	if me.User.Username != "admin" {
		t.Fatalf("me: username %q, want admin", me.User.Username)
	}
	env := app.MustAPI(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "pin": "9999"}, "", nil)
	if env.Success || env.Error == "" {
		t.Fatalf("wrong PIN: envelope %+v, want success=false with an error", env)
	}
	app.MustAPI(t, http.StatusUnauthorized, "GET", "/api/v1/auth/me", nil, "", nil)
}

// emptyDatabase creates a database with nothing in it (not the migrated template), dropped at
// the end of the test.
func emptyDatabase(t *testing.T) (string, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	admin := dbtest.AdminURL(t)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "e2e_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect %s: %v", admin, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	u, err := url.Parse(admin)
	if err != nil || u.Scheme == "" {
		t.Fatalf("TEST_DATABASE_URL must be a URL for the e2e suite: %q", admin)
	}
	u.Path = "/" + name
	dbURL := u.String()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return dbURL, pool
}

// tableCounts counts the rows of every table of the public schema except the ones that
// record runs rather than data (goose's version table and the job queue).
func tableCounts(t *testing.T, pool *pgxpool.Pool) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
		  AND table_name NOT LIKE 'goose%' AND table_name NOT LIKE 'river%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %q`, table)).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	return counts
}
