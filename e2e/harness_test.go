package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"backroom/app/apidoc"
	"backroom/models/dbtest"
)

// The secret the suite's servers run with; seed and serve must share it because PIN lookups
// are keyed by it.
const testSecret = "e2e-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"

var (
	binPath      string // the backroom binary built once by TestMain
	repoRoot     string // the module root (screenshots go to tmp/ under it)
	chromiumPath string
)

// TestMain builds the binary once. The suite needs a PostgreSQL (TEST_DATABASE_URL) and
// Chromium; without them it fails loudly rather than skipping, because a browser suite that
// silently does not run looks exactly like one that passes.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	var problems []string
	if os.Getenv("TEST_DATABASE_URL") == "" {
		problems = append(problems, "TEST_DATABASE_URL is not set (an admin URL of a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)")
	}
	chromiumPath = os.Getenv("CHROMIUM_PATH")
	if chromiumPath == "" {
		chromiumPath = "/usr/bin/chromium"
	}
	if fi, err := os.Stat(chromiumPath); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		problems = append(problems, fmt.Sprintf("no Chromium at %s (set CHROMIUM_PATH, or apt-get install chromium)", chromiumPath))
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the e2e suite cannot run:\n  - %s\nRun `make test` (it starts or finds PostgreSQL, installs Chromium and sets BACKROOM_E2E=1, TEST_DATABASE_URL and CHROMIUM_PATH).\n",
			strings.Join(problems, "\n  - "))
		return 1
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	repoRoot = filepath.Dir(wd) // go test runs in e2e/
	dir, err := os.MkdirTemp("", "backroom-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "backroom")
	build := exec.Command("go", "build", "-o", binPath, "./cmd/backroom")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: go build ./cmd/backroom: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// configVars are the variables the binary reads; the suite never lets the caller's values leak
// into a run.
var configVars = []string{"DATABASE_URL", "ADDR", "SECRET_KEY", "APP_ENV", "PUBLIC_URL", "ACCESS_TOKEN_TTL",
	"REFRESH_TOKEN_TTL", "LOG_LEVEL", "MODE"}

// environ is the process environment without Backroom's settings, plus env.
func environ(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, v := range configVars {
			if name == v {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// Result is what a finished run of the binary printed and how it ended.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// runBinary runs `backroom args…` with env to completion (at most a minute).
func runBinary(t *testing.T, env map[string]string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = environ(env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.Code = exit.ExitCode()
	default:
		t.Fatalf("backroom %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("backroom %s did not finish within a minute\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.Stdout, res.Stderr)
	}
	return res
}

// mustRun runs the binary and fails the test unless it exits 0.
func mustRun(t *testing.T, env map[string]string, args ...string) Result {
	t.Helper()
	res := runBinary(t, env, args...)
	if res.Code != 0 {
		t.Fatalf("backroom %s exited %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
	}
	return res
}

// App is a running `backroom serve` over its own seeded database.
type App struct {
	PID   int    // the server process
	URL   string // http://127.0.0.1:port
	DBURL string
	Pool  *pgxpool.Pool
	DB    *gorm.DB

	checkOnce sync.Once // every API call is checked against the OpenAPI description
	checker   *apidoc.Checker
	checkErr  error

	server *serverProc // the `backroom serve` process PID names
}

// serverProc is one `backroom serve` process and how it ended.
type serverProc struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	killed bool          // the test killed it (Kill): no clean exit is expected at cleanup
}

// dbEnv is the environment of a run against dbURL.
func dbEnv(dbURL string) map[string]string {
	// The tests' webhook receivers listen on loopback, as an on-premise receiver would.
	return map[string]string{"DATABASE_URL": dbURL, "SECRET_KEY": testSecret, "LOG_LEVEL": "warn", "ALLOW_PRIVATE_TARGETS": "true"}
}

// startApp gives the test a fresh database cloned from the migrated template, loads the demo
// data with the real `backroom seed`, starts `backroom serve` on a free port and waits for
// /health. At cleanup the server gets SIGTERM and must exit 0 (graceful shutdown).
func startApp(t *testing.T) *App {
	t.Helper()
	dbURL, pool, db := dbtest.New(t)
	mustRun(t, dbEnv(dbURL), "seed")
	return serveOn(t, &App{DBURL: dbURL, Pool: pool, DB: db}, dbURL)
}

// serveOn starts `backroom serve` for app's database, reaching it at serveDBURL (the same
// database, perhaps through a cuttable link), and fills in app's URL and PID.
func serveOn(t *testing.T, app *App, serveDBURL string) *App {
	t.Helper()
	return serveAt(t, app, serveDBURL, "127.0.0.1:0") // the kernel picks a free port; serve prints it
}

// serveAt is serveOn listening on addr: a server restarted after Kill takes its predecessor's
// address, so clients that know HQ by one URL (store servers) reach it again.
func serveAt(t *testing.T, app *App, serveDBURL, addr string) *App {
	t.Helper()
	env := dbEnv(serveDBURL)
	env["ADDR"] = addr
	cmd := exec.Command(binPath, "serve")
	cmd.Env = environ(env)
	stdout := &watchedBuffer{changed: make(chan struct{}, 1)}
	var stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start backroom serve: %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	proc := &serverProc{cmd: cmd, exited: exited}

	stopped := false
	t.Cleanup(func() {
		if proc.killed {
			stopped = true
		}
		if !stopped {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
				t.Errorf("backroom serve did not stop within 60s of SIGTERM")
			}
			if waitErr != nil {
				t.Errorf("backroom serve did not shut down cleanly on SIGTERM: %v\nstderr:\n%s", waitErr, stderr.String())
			}
		}
		if t.Failed() {
			t.Logf("backroom serve stderr:\n%s", stderr.String())
		}
	})

	// Wait for the "serving on" line, then for /health.
	serving := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+)`)
	deadline := time.After(60 * time.Second)
	var base string
	for base == "" {
		if m := serving.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case <-stdout.changed:
		case <-exited:
			stopped = true
			t.Fatalf("backroom serve exited before serving: %v\nstdout: %s\nstderr: %s", waitErr, stdout.String(), stderr.String())
		case <-deadline:
			t.Fatalf("backroom serve printed no address within 60s\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
		}
	}
	waitHealthy(t, base, exited)
	app.PID, app.URL, app.server = cmd.Process.Pid, base, proc
	return app
}

// Kill sends SIGKILL to the server process (app.PID), as a power cut or the OOM killer would:
// no shutdown runs, open requests and transactions die with it. It returns once the process
// has exited; its cleanup then expects no clean exit. Start another with serveAt.
func (a *App) Kill(t *testing.T) {
	t.Helper()
	if a.server == nil {
		t.Fatal("Kill: no server process")
	}
	a.server.killed = true
	if err := syscall.Kill(a.PID, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", a.PID, err)
	}
	select {
	case <-a.server.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("backroom serve (pid %d) still running 30 s after SIGKILL", a.PID)
	}
}

// waitHealthy polls GET /health until it answers {"status":"ok"}.
func waitHealthy(t *testing.T, base string, exited <-chan struct{}) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := client.Get(base + "/health")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(body), `"ok"`) {
				return
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		select {
		case <-exited:
			t.Fatalf("backroom serve exited while waiting for /health (last answer: %s)", last)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("GET %s/health never answered ok within 60s (last answer: %s)", base, last)
}

// lockedBuffer is a bytes.Buffer safe for the writer goroutine of exec and a reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// watchedBuffer is a lockedBuffer that signals each write, so a reader can wait for a line
// without polling.
type watchedBuffer struct {
	lockedBuffer
	changed chan struct{}
}

func (b *watchedBuffer) Write(p []byte) (int, error) {
	n, err := b.lockedBuffer.Write(p)
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return n, err
}

// ---------------------------------------------------------------------------------------------
// JSON API

// Envelope is the API's answer: {"success", "data", "error", "errors", "total", …}.
type Envelope struct {
	Success bool                `json:"success"`
	Data    json.RawMessage     `json:"data"`
	Error   string              `json:"error"`
	Errors  map[string][]string `json:"errors"`
	Total   int64               `json:"total"`
}

// API calls the JSON API with an optional bearer token and returns the status and envelope.
func (a *App) API(t *testing.T, method, path string, body any, token string) (int, Envelope) {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return a.APIWith(t, method, path, body, h)
}

// StoreAPI calls a store server's route of the API with its credential (X-Sync-Token).
func (a *App) StoreAPI(t *testing.T, method, path string, body any, credential string) (int, Envelope) {
	t.Helper()
	return a.APIWith(t, method, path, body, http.Header{"X-Sync-Token": {credential}})
}

// APIWith calls the JSON API with the headers and returns the status and envelope; the
// exchange must agree with the OpenAPI description.
func (a *App) APIWith(t *testing.T, method, path string, body any, header http.Header) (int, Envelope) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ex, err := a.Call(ctx, a.URL, method, path, body, header)
	if err != nil {
		t.Fatal(err)
	}
	if ex.DocErr != nil {
		t.Errorf("the API and its OpenAPI description disagree: %v", ex.DocErr)
	}
	return ex.Status, ex.Env
}

// Exchange is one API call's answer.
type Exchange struct {
	Status int
	Env    Envelope
	DocErr error // how the exchange disagrees with the OpenAPI description, if it does
}

// Call sends one JSON API request to the server at base and checks the exchange against the
// OpenAPI description. It fails no test, so a goroutine (a store server's push loop) may use
// it: no answer, or one that is not a JSON envelope, is err; a disagreement with the
// description is DocErr.
func (a *App) Call(ctx context.Context, base, method, path string, body any, header http.Header) (Exchange, error) {
	var sent []byte
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Exchange{}, err
		}
		sent, rd = b, bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return Exchange{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Exchange{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Exchange{}, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	a.checkOnce.Do(func() { a.checker, a.checkErr = apidoc.NewChecker(apidoc.Operations()) })
	if a.checkErr != nil {
		return Exchange{}, fmt.Errorf("the OpenAPI description: %w", a.checkErr)
	}
	ex := Exchange{Status: resp.StatusCode, DocErr: a.checker.Check(req, sent, resp.StatusCode, resp.Header, raw)}
	if err := json.Unmarshal(raw, &ex.Env); err != nil {
		return ex, fmt.Errorf("%s %s: %d, not a JSON envelope: %s", method, path, resp.StatusCode, raw)
	}
	return ex, nil
}

// MustAPI calls the API, fails unless the status is want, and decodes data into out (if set).
func (a *App) MustAPI(t *testing.T, want int, method, path string, body any, token string, out any) Envelope {
	t.Helper()
	code, env := a.API(t, method, path, body, token)
	if code != want {
		t.Fatalf("%s %s: status %d, want %d: error %q %v data %s", method, path, code, want, env.Error, env.Errors, env.Data)
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			t.Fatalf("%s %s: decode data: %v: %s", method, path, err, env.Data)
		}
	}
	return env
}

// MustStoreAPI is MustAPI for a store server's call with its credential (X-Sync-Token).
func (a *App) MustStoreAPI(t *testing.T, want int, method, path string, body any, credential string, out any) Envelope {
	t.Helper()
	code, env := a.StoreAPI(t, method, path, body, credential)
	if code != want {
		t.Fatalf("%s %s (store credential): status %d, want %d: error %q %v data %s", method, path, code, want, env.Error, env.Errors, env.Data)
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			t.Fatalf("%s %s: decode data: %v: %s", method, path, err, env.Data)
		}
	}
	return env
}

// Login signs in through POST /api/v1/auth/login with a PIN and returns the access token.
func (a *App) Login(t *testing.T, username, pin string) string {
	t.Helper()
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	a.MustAPI(t, http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"username": username, "pin": pin}, "", &out)
	if out.AccessToken == "" {
		t.Fatalf("login %s: no accessToken in the answer", username)
	}
	return out.AccessToken
}

// Scalar runs a query returning one value.
func (a *App) Scalar(t *testing.T, dest any, sql string, args ...any) {
	t.Helper()
	if err := a.Pool.QueryRow(context.Background(), sql, args...).Scan(dest); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
