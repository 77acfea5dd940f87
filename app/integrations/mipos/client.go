package mipos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"backroom/app/integrations"
)

// account is the part of an integration's settings every hub call needs.
type account struct {
	baseURL           string
	posStoreID        string
	userIDTps         string
	inventorySystemID string
	accessToken       string
	clientSecret      string
}

func accountOf(in *integrations.Instance) (account, error) {
	a := account{
		baseURL:           strings.TrimRight(in.Setting("baseUrl"), "/"),
		posStoreID:        in.Setting("posStoreId"),
		userIDTps:         in.Setting("userIdTps"),
		inventorySystemID: in.Setting("inventorySystemId"),
		accessToken:       in.Secrets["accessToken"],
		clientSecret:      in.Secrets["clientSecret"],
	}
	if a.baseURL == "" {
		a.baseURL = DefaultBaseURL
	}
	var missing []string
	for name, v := range map[string]string{"posStoreId": a.posStoreID, "userIdTps": a.userIDTps,
		"inventorySystemId": a.inventorySystemID, "accessToken": a.accessToken} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return a, fmt.Errorf("the integration is missing %s: edit its settings", strings.Join(missing, ", "))
	}
	if in.Store == nil {
		return a, errors.New("the integration has no store: edit its settings")
	}
	return a, nil
}

// storePath is a path under the hub's store (the store id is theirs, escaped for the path).
func (a account) storePath(rest string) string {
	return "/api/v1/inventory/pos/store/" + url.PathEscape(a.posStoreID) + "/system/" + rest
}

// HubError is an answer of the hub other than success, with its messages kept verbatim: a
// 409's {"message": [...]} gives each message, a 422's {"field": ["msg"]} gives "field: msg".
type HubError struct {
	Status   int
	Messages []string
}

func (e *HubError) Error() string {
	if len(e.Messages) == 0 {
		return fmt.Sprintf("miPOS answered %d", e.Status)
	}
	return fmt.Sprintf("miPOS answered %d: %s", e.Status, strings.Join(e.Messages, "; "))
}

// permanent reports an answer that sending the same body again cannot change (the hub refused
// its content); authentication, throttling and server errors are worth retrying.
func (e *HubError) permanent() bool {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return e.Status >= 400 && e.Status < 500
}

// hubMessages reads the hub's error body into messages.
func hubMessages(body []byte) []string {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		if s := strings.TrimSpace(string(body)); s != "" {
			return []string{truncate(s, 300)}
		}
		return nil
	}
	if m, ok := raw["message"]; ok {
		var list []string
		if json.Unmarshal(m, &list) == nil {
			return list
		}
		var one string
		if json.Unmarshal(m, &one) == nil && one != "" {
			return []string{one}
		}
	}
	fields := make([]string, 0, len(raw))
	for k := range raw {
		if k != "message" && k != "data" {
			fields = append(fields, k)
		}
	}
	sort.Strings(fields)
	var out []string
	for _, f := range fields {
		var msgs []string
		if json.Unmarshal(raw[f], &msgs) != nil {
			var one string
			if json.Unmarshal(raw[f], &one) != nil {
				continue
			}
			msgs = []string{one}
		}
		for _, m := range msgs {
			out = append(out, f+": "+m)
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// client calls the hub.
type client struct {
	http *http.Client
}

// post sends body as JSON to path with the bearer token; a non-2xx answer is a *HubError.
func (c client) post(ctx context.Context, a account, path string, body any, timeout time.Duration) error {
	buf, err := json.Marshal(body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.baseURL+path, bytes.NewReader(buf))
	if err != nil {
		return fmt.Errorf("bad miPOS address %q: %w", a.baseURL, err)
	}
	req.Header.Set("Authorization", "Bearer "+a.accessToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach miPOS at %s: %w", a.baseURL, err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return nil
	}
	return &HubError{Status: res.StatusCode, Messages: hubMessages(answer)}
}
