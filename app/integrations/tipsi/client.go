package tipsi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"backroom/app/integrations"
)

// Modes: the seed's two batch commands.
const (
	ModeSync      = "sync"       // upsert the products passed
	ModeSyncClear = "sync_clear" // upsert them and mark every product not passed out of stock
)

// Item is one product as seed 004's batch carries it. ExternalID is our SKU (a string: SKUs are
// not always numbers); Price is the decimal price at the integration's store (12.99, exact);
// InStock is whole units (see Connector.Help).
type Item struct {
	ExternalID string      `json:"external_id"`
	Barcodes   []string    `json:"barcodes"`
	InStock    int64       `json:"in_stock"`
	Price      json.Number `json:"price"`
}

// account is what every call needs from the integration's settings.
type account struct {
	baseURL   string
	storeID   string
	mode      string
	batchSize int
	token     string
}

func accountOf(in *integrations.Instance) (account, error) {
	a := account{
		baseURL: strings.TrimRight(in.Setting("baseUrl"), "/"),
		storeID: strings.TrimSpace(in.Setting("tipsiStoreId")),
		mode:    in.Setting("mode"),
		token:   in.Secrets["apiToken"],
	}
	if _, err := fmt.Sscan(in.Setting("batchSize"), &a.batchSize); err != nil || a.batchSize < 1 {
		a.batchSize = defaultBatch
	}
	if a.mode != ModeSyncClear {
		a.mode = ModeSync
	}
	switch {
	case a.baseURL == "":
		return a, errors.New("the integration has no Tipsi address: edit its settings")
	case a.storeID == "":
		return a, errors.New("the integration has no Tipsi store id: edit its settings")
	case a.token == "":
		return a, errors.New("the integration has no API token: edit its settings")
	case in.Store == nil:
		return a, errors.New("the integration has no store: edit its settings")
	}
	return a, nil
}

// path is the batch command's address under the Tipsi store.
func (a account) path(command string) string {
	return "/api/rest/v001/store/" + url.PathEscape(a.storeID) + "/ext/" + command
}

// Error is an answer of Tipsi other than 2xx, with the start of its body.
type Error struct {
	Status int
	Body   string
}

func (e *Error) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("Tipsi answered %d", e.Status)
	}
	return fmt.Sprintf("Tipsi answered %d: %s", e.Status, e.Body)
}

// refusedToken reports an answer that no batch of this run can get past.
func (e *Error) refusedToken() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden || e.Status == http.StatusNotFound
}

type client struct{ http *http.Client }

// patch sends one batch command; a non-2xx answer is an *Error.
func (c client) patch(ctx context.Context, a account, command string, items []Item) error {
	if items == nil {
		items = []Item{}
	}
	buf, err := json.Marshal(items)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, a.baseURL+a.path(command), bytes.NewReader(buf))
	if err != nil {
		return fmt.Errorf("bad Tipsi address %q: %w", a.baseURL, err)
	}
	req.Header.Set("Authorization", "Token "+a.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach Tipsi at %s: %w", a.baseURL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return nil
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return &Error{Status: res.StatusCode, Body: msg}
}
