// Package codemaxtest is a fake Codemax POS Live Sync server for tests, enforcing what seed 000
// states: login checks the username and password and returns an access and a refresh token;
// an access token lives 15 minutes (test-controlled clock); sync needs a live bearer token and
// takes at most 20 invoices; refresh needs BOTH the access token and the refresh token of one
// pair and rotates them. It records every call and every invoice, and can be told to fail.
package codemaxtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Invoice is an invoice as received; money fields keep their JSON text ("21.63").
type Invoice struct {
	InvoiceNo     string      `json:"invoiceNo"`
	BranchCode    string      `json:"branchCode"`
	InvoiceDate   string      `json:"invoiceDate"`
	IsVoid        bool        `json:"isVoid"`
	Subtotal      json.Number `json:"subtotal"`
	TaxTotal      json.Number `json:"taxTotal"`
	DiscountTotal json.Number `json:"discountTotal"`
	GrandTotal    json.Number `json:"grandTotal"`
	Items         []struct {
		ItemCode  string      `json:"itemCode"`
		ItemName  string      `json:"itemName"`
		Quantity  json.Number `json:"quantity"`
		UnitPrice json.Number `json:"unitPrice"`
		Discount  json.Number `json:"discount"`
		Tax       json.Number `json:"tax"`
		Amount    json.Number `json:"amount"`
	} `json:"items"`
	Payments []struct {
		Method string      `json:"method"`
		Amount json.Number `json:"amount"`
	} `json:"payments"`
	// Raw is the invoice's JSON exactly as sent.
	Raw json.RawMessage `json:"-"`
}

// Call is one request the fake answered.
type Call struct {
	Path     string
	Status   int
	Invoices int               // sync: how many invoices the body held
	Body     map[string]string // login/refresh: the string fields of the body
}

type token struct {
	pair    int
	expires time.Time
	revoked bool
}

// Server is the fake. Its exported fields may be set before the first call; use the methods
// while calls are in flight.
type Server struct {
	*httptest.Server
	Username, Password string
	// TTL is an access token's lifetime (default 15 minutes) on the Now clock.
	TTL time.Duration
	// SnakeCase answers login/refresh with access_token/refresh_token under "data".
	SnakeCase bool

	mu          sync.Mutex
	now         time.Time
	access      map[string]*token
	refresh     map[string]int // refresh token → pair
	pairs       int
	calls       []Call
	invoices    []Invoice
	fail500     int               // next n sync calls answer 500
	failRefresh bool              // refresh answers 401
	refuse      map[string]string // invoiceNo → item-level error message
	onSync      func(n int)
}

// New starts a fake that accepts username/password; it stops with the test.
func New(t testing.TB, username, password string) *Server {
	f := &Server{Username: username, Password: password, TTL: 15 * time.Minute, now: time.Now(),
		access: map[string]*token{}, refresh: map[string]int{}, refuse: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/auth/login", f.login)
	mux.HandleFunc("POST /api/v1/auth/refresh", f.refreshTokens)
	mux.HandleFunc("POST /api/v1/sync", f.sync)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// Now is the fake's clock, which tokens age by; tests share it with the connector.
func (f *Server) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the clock on.
func (f *Server) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// ExpireAccessTokens makes every access token issued so far invalid (a 401 on the next sync),
// as if Codemax's clock had run past them; refresh still accepts them with their refresh token.
func (f *Server) ExpireAccessTokens() {
	f.mu.Lock()
	for _, t := range f.access {
		t.expires = f.now.Add(-time.Second)
	}
	f.mu.Unlock()
}

// FailRefresh makes refresh answer 401 (true) or work again (false).
func (f *Server) FailRefresh(on bool) {
	f.mu.Lock()
	f.failRefresh = on
	f.mu.Unlock()
}

// Fail500 makes the next n sync calls answer 500.
func (f *Server) Fail500(n int) {
	f.mu.Lock()
	f.fail500 = n
	f.mu.Unlock()
}

// Refuse makes sync mark these invoices "status":"error" with the message (an empty map stops it).
func (f *Server) Refuse(byInvoice map[string]string) {
	f.mu.Lock()
	f.refuse = byInvoice
	f.mu.Unlock()
}

// OnSync calls hook with the number of the sync call (from 1) before answering it, outside the
// fake's lock, so a test can act mid-run.
func (f *Server) OnSync(hook func(n int)) {
	f.mu.Lock()
	f.onSync = hook
	f.mu.Unlock()
}

// Calls returns every call answered so far.
func (f *Server) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// CallsTo returns the calls to a path ("/api/v1/sync").
func (f *Server) CallsTo(path string) []Call {
	var out []Call
	for _, c := range f.Calls() {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// Invoices returns every invoice accepted by a sync call (a refused one is not kept), in order.
func (f *Server) Invoices() []Invoice {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Invoice(nil), f.invoices...)
}

func (f *Server) record(r *http.Request, c Call) {
	c.Path = r.URL.Path
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// issue makes a new pair; f.mu must be held.
func (f *Server) issue() map[string]any {
	f.pairs++
	access, refresh := newToken(), newToken()
	f.access[access] = &token{pair: f.pairs, expires: f.now.Add(f.TTL)}
	f.refresh[refresh] = f.pairs
	if f.SnakeCase {
		return map[string]any{"success": true, "data": map[string]string{"access_token": access, "refresh_token": refresh}}
	}
	return map[string]any{"success": true, "accessToken": access, "refreshToken": refresh, "expiresIn": int(f.TTL.Seconds())}
}

func readStrings(r *http.Request) (map[string]string, bool) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return nil, false
	}
	out := map[string]string{}
	for k, v := range body {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out, true
}

func (f *Server) login(w http.ResponseWriter, r *http.Request) {
	body, ok := readStrings(r)
	if !ok {
		f.record(r, Call{Status: 400})
		answer(w, 400, map[string]any{"success": false, "message": "malformed JSON"})
		return
	}
	logged := map[string]string{"username": body["username"]} // never keep the password
	if body["username"] != f.Username || body["password"] != f.Password || body["password"] == "" {
		f.record(r, Call{Status: 401, Body: logged})
		answer(w, 401, map[string]any{"success": false, "message": "Invalid username or password"})
		return
	}
	f.mu.Lock()
	pair := f.issue()
	f.mu.Unlock()
	f.record(r, Call{Status: 200, Body: logged})
	answer(w, 200, pair)
}

func (f *Server) refreshTokens(w http.ResponseWriter, r *http.Request) {
	body, ok := readStrings(r)
	if !ok {
		f.record(r, Call{Status: 400})
		answer(w, 400, map[string]any{"success": false, "message": "malformed JSON"})
		return
	}
	f.mu.Lock()
	access, refresh := body["accessToken"], body["refreshToken"]
	t, known := f.access[access]
	pair, knownRefresh := f.refresh[refresh]
	status := 200
	var out map[string]any
	switch {
	case f.failRefresh:
		status = 401
	case access == "" || refresh == "":
		status = 400 // the seed: submit both the expired access token and the refresh token
	case !known || !knownRefresh || t.pair != pair || t.revoked:
		status = 401
	default:
		t.revoked = true
		delete(f.refresh, refresh) // rotated: a refresh token works once
		out = f.issue()
	}
	f.mu.Unlock()
	f.record(r, Call{Status: status, Body: map[string]string{"accessToken": access, "refreshToken": refresh}})
	if status != 200 {
		answer(w, status, map[string]any{"success": false, "message": "Invalid token pair"})
		return
	}
	answer(w, 200, out)
}

func (f *Server) sync(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	hook := f.onSync
	n := 1
	for _, c := range f.calls {
		if c.Path == r.URL.Path {
			n++
		}
	}
	f.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	var body struct {
		Invoices []json.RawMessage `json:"invoices"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	bad := dec.Decode(&body) != nil

	f.mu.Lock()
	bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	t, known := f.access[bearer]
	status, msg := 200, ""
	switch {
	case !known || t.revoked || !f.now.Before(t.expires):
		status, msg = 401, "Unauthorized: access token missing or expired"
	case bad:
		status, msg = 400, "malformed JSON"
	case len(body.Invoices) == 0:
		status, msg = 422, "invoices is required"
	case len(body.Invoices) > 20:
		status, msg = 422, "A maximum of 20 invoices can be synced per request"
	case f.fail500 > 0:
		f.fail500--
		status, msg = 500, "Internal Server Error"
	}
	var results []map[string]string
	if status == 200 {
		for _, raw := range body.Invoices {
			var inv Invoice
			d := json.NewDecoder(bytes.NewReader(raw))
			d.UseNumber()
			if err := d.Decode(&inv); err != nil || inv.InvoiceNo == "" {
				results = append(results, map[string]string{"invoiceNo": inv.InvoiceNo, "status": "error", "message": "invoiceNo is required"})
				continue
			}
			if m, refused := f.refuse[inv.InvoiceNo]; refused {
				results = append(results, map[string]string{"invoiceNo": inv.InvoiceNo, "status": "error", "message": m})
				continue
			}
			inv.Raw = raw
			f.invoices = append(f.invoices, inv)
			results = append(results, map[string]string{"invoiceNo": inv.InvoiceNo, "status": "success"})
		}
	}
	f.mu.Unlock()
	f.record(r, Call{Status: status, Invoices: len(body.Invoices)})
	if status != 200 {
		answer(w, status, map[string]any{"success": false, "message": msg})
		return
	}
	answer(w, 200, map[string]any{"success": true, "results": results})
}
