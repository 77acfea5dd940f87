package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"backroom/models/dbtest"
)

// link is a TCP link to PostgreSQL that a test can cut and restore: cut, the port refuses
// connections and every open one drops, as when the database server stops.
type link struct {
	t      *testing.T
	addr   string // where the app connects
	target string // PostgreSQL
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newLink(t *testing.T, target string) *link {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &link{t: t, addr: ln.Addr().String(), target: target}
	l.serve(ln)
	t.Cleanup(l.cut)
	return l
}

func (l *link) serve(ln net.Listener) {
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", l.target)
			if err != nil {
				c.Close()
				continue
			}
			l.mu.Lock()
			l.conns = append(l.conns, c, up)
			l.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

// cut stops listening and drops every connection.
func (l *link) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		l.ln.Close()
		l.ln = nil
	}
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// restore listens on the same address again.
func (l *link) restore() {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		l.t.Fatalf("restore the database link: %v", err)
	}
	l.serve(ln)
}

// With the database gone, /ready says so at once while /health still says the process is up; a
// web-service sale is answered 503 "try again" (never 401, which makes a till drop its key, nor
// 500) and an API read 503; when the database returns, /ready recovers within 2 s and the same
// sale goes through once.
func TestDatabaseOutageAnswers503AndRecovers(t *testing.T) {
	dbURL, pool, db := dbtest.New(t)
	mustRun(t, dbEnv(dbURL), "seed")
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	l := newLink(t, u.Host)
	viaLink := *u
	viaLink.Host = l.addr
	app := serveOn(t, &App{DBURL: dbURL, Pool: pool, DB: db}, viaLink.String())

	client := &http.Client{Timeout: 2 * time.Second}
	call := func(method, path, body string, headers ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, app.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	data := func(body string, v any) {
		t.Helper()
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &env); err != nil || json.Unmarshal(env.Data, v) != nil {
			t.Fatalf("answer %s", body)
		}
	}

	if code, body := call("GET", "/ready", ""); code != http.StatusOK {
		t.Fatalf("/ready before the outage: %d %s", code, body)
	}
	_, body := call("POST", "/api/v1/auth/login", `{"username":"admin","pin":"1234"}`)
	var sess struct {
		AccessToken string `json:"accessToken"`
	}
	data(body, &sess)
	var storeID, sku string
	if err := pool.QueryRow(t.Context(), `SELECT id::text FROM stores WHERE code = 'S001'`).Scan(&storeID); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(t.Context(), `SELECT sku FROM products WHERE is_active AND deleted_at IS NULL ORDER BY sku LIMIT 1`).Scan(&sku); err != nil {
		t.Fatal(err)
	}
	code, body := call("POST", "/api/v1/integrations/api-keys", fmt.Sprintf(`{"name":"till","storeId":%q,"scopes":["sales.write"]}`, storeID), "Authorization", "Bearer "+sess.AccessToken)
	if code != http.StatusCreated {
		t.Fatalf("create API key: %d %s", code, body)
	}
	var key struct {
		Key string `json:"key"`
	}
	data(body, &key)
	sale := fmt.Sprintf(`{"paymentMethodId":"CASH","items":[{"sku":%q,"quantity":1}]}`, sku)

	cutAt := time.Now()
	l.cut()
	if code, body := call("GET", "/ready", ""); code != http.StatusServiceUnavailable || !strings.Contains(body, "database is unreachable") {
		t.Fatalf("/ready with the database gone: %d %s, want 503 naming the database", code, body)
	}
	if code, _ := call("GET", "/health", ""); code != http.StatusOK {
		t.Fatalf("/health with the database gone: %d, want 200 (the process is up)", code)
	}
	code, body = call("POST", "/ws/v1/sales", sale, "X-Api-Key", key.Key, "Idempotency-Key", "outage-1")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "Try again") {
		t.Fatalf("web-service sale during the outage: %d %s, want 503 try again", code, body)
	}
	if code, body := call("GET", "/api/v1/products", "", "Authorization", "Bearer "+sess.AccessToken); code != http.StatusServiceUnavailable {
		t.Fatalf("API read during the outage: %d %s, want 503", code, body)
	}

	l.restore()
	deadline := time.Now().Add(2 * time.Second)
	for {
		code, body := call("GET", "/ready", "")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/ready 2 s after the database returned: %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := call("POST", "/ws/v1/sales", sale, "X-Api-Key", key.Key, "Idempotency-Key", "outage-1"); code != http.StatusCreated {
		t.Fatalf("the same sale after the outage: %d %s", code, body)
	}
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM sales WHERE created_at > $1`, cutAt).Scan(&n); err != nil || n != 1 {
		t.Fatalf("sales stored since the outage began = %d (%v), want exactly 1", n, err)
	}
}
