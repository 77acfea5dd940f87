package codemax

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// session is one run's conversation with Codemax: the token pair lives here, in memory, for the
// length of the run (a run is short and tokens last 15 minutes, so caching them across runs
// would save one login per run at the price of storing bearer tokens).
type session struct {
	c                  *Connector
	base               string
	username, password string
	access, refresh    string
	issued             time.Time
}

// httpError is an answer Codemax gave with a non-2xx status.
type httpError struct {
	Op     string
	Status int
	Body   string
}

func (e *httpError) Error() string {
	msg := fmt.Sprintf("%s: Codemax answered HTTP %d", e.Op, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// retryable says whether trying the same request again may help: server errors, throttling
// and network failures (time-outs included), not refusals.
func retryable(err error) bool {
	var he *httpError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == http.StatusTooManyRequests
	}
	return err != nil && !errors.Is(err, context.Canceled)
}

// post sends JSON and returns the 2xx body, an *httpError for other statuses, or a transport
// error naming what failed. The bearer token, when given, is never logged.
func (s *session) post(ctx context.Context, op, path, bearer string, body any) ([]byte, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := s.c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", op, describeTransport(s.base, err))
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: reading Codemax's answer: %w", op, err)
	}
	slog.DebugContext(ctx, "codemax call", "op", op, "path", path, "status", res.StatusCode)
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return nil, &httpError{Op: op, Status: res.StatusCode, Body: excerpt(data)}
	}
	return data, nil
}

// describeTransport turns a network error into words a person can act on.
func describeTransport(base string, err error) string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		return fmt.Sprintf("cannot find the Codemax server %s (DNS: %s); check the base URL", base, dns.Err)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("Codemax at %s did not answer in time", base)
	case errors.As(err, &op):
		return fmt.Sprintf("cannot connect to Codemax at %s: %v", base, op.Err)
	}
	return fmt.Sprintf("cannot reach Codemax at %s: %v", base, err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// excerpt is the start of an answer body for messages: the server's own "message" when there
// is one, otherwise up to 300 characters of the body.
func excerpt(b []byte) string {
	var m struct {
		Message string `json:"message"`
		Error   any    `json:"error"`
	}
	if json.Unmarshal(b, &m) == nil {
		if m.Message != "" {
			return trim(m.Message, 300)
		}
		if s, ok := m.Error.(string); ok && s != "" {
			return trim(s, 300)
		}
	}
	return trim(strings.TrimSpace(string(b)), 300)
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// tokenPair reads a login or refresh answer: camelCase or snake_case names, at the top level
// or under "data".
func tokenPair(body []byte) (access, refresh string, err error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return "", "", fmt.Errorf("answer is not JSON: %s", excerpt(body))
	}
	pick := func(m map[string]json.RawMessage, names ...string) string {
		for _, n := range names {
			var s string
			if raw, ok := m[n]; ok && json.Unmarshal(raw, &s) == nil && s != "" {
				return s
			}
		}
		return ""
	}
	objs := []map[string]json.RawMessage{top}
	var data map[string]json.RawMessage
	if raw, ok := top["data"]; ok && json.Unmarshal(raw, &data) == nil {
		objs = append(objs, data)
	}
	for _, m := range objs {
		access = pick(m, "accessToken", "access_token")
		refresh = pick(m, "refreshToken", "refresh_token")
		if access != "" {
			return access, refresh, nil
		}
	}
	return "", "", errors.New("answer holds no access token")
}

// login exchanges the username and password for a token pair.
func (s *session) login(ctx context.Context) error {
	body, err := s.post(ctx, "login", "/api/v1/auth/login", "", map[string]string{"username": s.username, "password": s.password})
	if err != nil {
		var he *httpError
		if errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden) {
			return fmt.Errorf("login refused: Codemax rejected username %q or its password (HTTP %d)", s.username, he.Status)
		}
		if errors.As(err, &he) {
			return fmt.Errorf("login: unexpected answer from Codemax: HTTP %d %s", he.Status, he.Body)
		}
		return err
	}
	access, refresh, err := tokenPair(body)
	if err != nil {
		return fmt.Errorf("login: unexpected answer from Codemax: %w", err)
	}
	s.access, s.refresh, s.issued = access, refresh, s.c.now()
	slog.InfoContext(ctx, "codemax logged in", "base", s.base, "username", s.username)
	return nil
}

// renew gets a fresh pair with the refresh call, sending BOTH the (possibly expired) access
// token and the refresh token as Codemax requires; when that fails it logs in again.
func (s *session) renew(ctx context.Context) error {
	if s.refresh != "" {
		body, err := s.post(ctx, "refresh", "/api/v1/auth/refresh", "", map[string]string{"accessToken": s.access, "refreshToken": s.refresh})
		if err == nil {
			if access, refresh, perr := tokenPair(body); perr == nil {
				if refresh == "" {
					refresh = s.refresh
				}
				s.access, s.refresh, s.issued = access, refresh, s.c.now()
				return nil
			}
		}
		slog.InfoContext(ctx, "codemax token refresh failed; logging in again", "base", s.base, "reason", errString(err))
	}
	return s.login(ctx)
}

func errString(err error) string {
	if err == nil {
		return "answer without tokens"
	}
	return err.Error()
}

// token returns a usable access token: it logs in the first time and renews a token that has
// reached Codemax's 15-minute lifetime before using it.
func (s *session) token(ctx context.Context) (string, error) {
	switch {
	case s.access == "":
		if err := s.login(ctx); err != nil {
			return "", err
		}
	case s.c.now().Sub(s.issued) >= s.c.opts.TokenLifetime:
		if err := s.renew(ctx); err != nil {
			return "", err
		}
	}
	return s.access, nil
}

// authError is a failure to get a token at all: the run cannot go on.
type authError struct{ error }

func (e authError) Unwrap() error { return e.error }

// sync posts one batch of at most 20 invoices. A 401 renews the token once and tries again;
// server errors, throttling and network failures are tried again a few times with a short,
// doubling wait. It returns the 2xx body, an authError when no token can be had, or the last
// failure (an *httpError for a refusal).
func (s *session) sync(ctx context.Context, invoices []Invoice) ([]byte, error) {
	renewed := false
	wait := s.c.opts.RetryWait
	for attempt := 1; ; attempt++ {
		tok, err := s.token(ctx)
		if err != nil {
			return nil, authError{err}
		}
		body, err := s.post(ctx, "sync", "/api/v1/sync", tok, map[string]any{"invoices": invoices})
		var he *httpError
		if errors.As(err, &he) && he.Status == http.StatusUnauthorized && !renewed {
			renewed = true
			if err := s.renew(ctx); err != nil {
				return nil, authError{err}
			}
			attempt-- // a renewed token is not a failed attempt
			continue
		}
		if err == nil || !retryable(err) || attempt >= s.c.opts.Attempts {
			return body, err
		}
		slog.InfoContext(ctx, "codemax sync failed; trying again", "attempt", attempt, "error", err.Error())
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// result is Codemax's verdict on one invoice of a batch.
type result struct {
	InvoiceNo string `json:"invoiceNo"`
	Status    string `json:"status"`
	Message   string `json:"message"`
}

// results reads per-invoice verdicts from a 2xx answer, at the top level or under "data". An
// answer without them accepts the whole batch.
func results(body []byte) map[string]result {
	out := map[string]result{}
	type list struct {
		Results []result        `json:"results"`
		Data    json.RawMessage `json:"data"`
	}
	var top, data list
	_ = json.Unmarshal(body, &top)
	_ = json.Unmarshal(top.Data, &data) // "data" may be anything; only an object with results counts
	for _, r := range append(top.Results, data.Results...) {
		out[r.InvoiceNo] = r
	}
	return out
}
