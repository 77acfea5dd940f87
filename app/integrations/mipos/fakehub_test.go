package mipos_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"backroom/app/integrations/mipos"
)

// hub is a fake miPOS integrations API enforcing what seed 001 states: the bearer token, the
// sync body's required fields and string types, units and suppliers referenced by items being
// present, the stock update's required fields and movement types, and webhook registration
// with type 3 and a URL. It records what it accepted, in order.
type hub struct {
	t        *testing.T
	srv      *httptest.Server
	token    string
	storeID  string
	mu       sync.Mutex
	syncs    []map[string]any
	known    map[string]bool // external ids delivered by an accepted sync
	updates  []map[string]any
	webhooks []map[string]any
	// failUpdates makes the next n stock updates answer 503, to exercise retries.
	failUpdates int
	refused     int // stock updates answered 503
}

const hubToken = "hub-access-token"

func newHub(t *testing.T) *hub {
	h := &hub{t: t, token: hubToken, storeID: "77", known: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/inventory/pos/store/{store}/system/sync", h.auth(h.sync))
	mux.HandleFunc("POST /api/v1/inventory/pos/store/{store}/system/stock/update", h.auth(h.stockUpdate))
	mux.HandleFunc("POST /api/v1/inventory/pos/webhook/manage", h.auth(h.manage))
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// conflict is the seed's 409 shape.
func conflict(w http.ResponseWriter, msgs ...string) {
	answer(w, http.StatusConflict, map[string]any{"message": msgs, "data": nil})
}

func (h *hub) auth(next func(http.ResponseWriter, *http.Request, map[string]any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+h.token {
			answer(w, http.StatusUnauthorized, map[string]any{"message": "Unauthenticated."})
			return
		}
		if r.Header.Get("Content-Type") != "application/json" {
			answer(w, http.StatusUnsupportedMediaType, map[string]any{"message": "Content-type must be application/json."})
			return
		}
		if s := r.PathValue("store"); s != "" && s != h.storeID {
			conflict(w, "You don't have this store available.")
			return
		}
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			answer(w, http.StatusBadRequest, map[string]any{"message": "Malformed JSON."})
			return
		}
		next(w, r, body)
	}
}

// required mimics Laravel's "required": present, not null, not "" and not an empty array.
func required(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	}
	return true
}

func isString(v any) bool { _, ok := v.(string); return ok }

func (h *hub) sync(w http.ResponseWriter, r *http.Request, b map[string]any) {
	v := map[string][]string{}
	for _, f := range []struct{ key, msg string }{
		{"items", "The items field is required."}, {"units", "The units field is required."},
		{"suppliers", "The suppliers field is required."}, {"user_id_tps", "The user id tps field is required."},
		{"inventory_system_id", "The inventory system id field is required."},
	} {
		if !required(b[f.key]) {
			v[f.key] = append(v[f.key], f.msg)
		}
	}
	if b["inventory_system_id"] != nil && !isString(b["inventory_system_id"]) {
		v["inventory_system_id"] = append(v["inventory_system_id"], "The inventory system id must be a string.")
	}
	if len(v) > 0 {
		answer(w, http.StatusUnprocessableEntity, v)
		return
	}
	var msgs []string
	units, suppliers := map[string]bool{}, map[string]bool{}
	for _, u := range b["units"].([]any) {
		u, _ := u.(map[string]any)
		if !required(u["name"]) {
			msgs = append(msgs, "The unit must have a name.")
		}
		if !required(u["short_name"]) {
			msgs = append(msgs, "The unit must have a short name.")
		}
		if !required(u["external_id"]) {
			msgs = append(msgs, "The unit must have an external id.")
		}
		units[fmt.Sprint(u["external_id"])] = true
	}
	for _, s := range b["suppliers"].([]any) {
		s, _ := s.(map[string]any)
		if !required(s["name"]) {
			msgs = append(msgs, "The supplier must have a name.")
		}
		if !required(s["external_id"]) {
			msgs = append(msgs, "The supplier must have an external id.")
		}
		suppliers[fmt.Sprint(s["external_id"])] = true
	}
	var ids []string
	for _, it := range b["items"].([]any) {
		it, _ := it.(map[string]any)
		for _, f := range []struct{ key, msg string }{
			{"name", "The item must have a name."}, {"external_id", "The item must have an external id."},
			{"purchase_unit_external_id", "The item must have an purchase unit external id."},
			{"consumption_unit_external_id", "The item must have an consumption unit external id."},
			{"supplier_external_id", "The item must have a supplier external id."},
			{"cost", "The item must have a cost."}, {"stock", "The item must have a stock."},
		} {
			if !required(it[f.key]) {
				msgs = append(msgs, f.msg)
			}
		}
		for _, f := range []struct{ key, msg string }{
			{"purchase_unit_external_id", "The item purchase unit external id must be a string."},
			{"consumption_unit_external_id", "The item consumption unit external id must be a string."},
			{"cost", "The item cost must be a string."}, {"stock", "The item stock must be a string."},
		} {
			if it[f.key] != nil && !isString(it[f.key]) {
				msgs = append(msgs, f.msg)
			}
		}
		if pu := fmt.Sprint(it["purchase_unit_external_id"]); !units[pu] {
			msgs = append(msgs, fmt.Sprintf("Item purchase unit external id (%s) not found in units array", pu))
		}
		if cu := fmt.Sprint(it["consumption_unit_external_id"]); !units[cu] {
			msgs = append(msgs, fmt.Sprintf("Item consumption unit external id (%s) not found in units array", cu))
		}
		if sup := fmt.Sprint(it["supplier_external_id"]); !suppliers[sup] {
			msgs = append(msgs, fmt.Sprintf("Item supplier external id (%s) not found in suppliers array", sup))
		}
		ids = append(ids, fmt.Sprint(it["external_id"]))
	}
	if len(msgs) > 0 {
		conflict(w, msgs...)
		return
	}
	h.mu.Lock()
	h.syncs = append(h.syncs, b)
	for _, id := range ids {
		h.known[id] = true
	}
	h.mu.Unlock()
	answer(w, http.StatusOK, map[string]any{"message": "Synchronization data was sent to the inventory system.", "data": nil})
}

var hubDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)

func (h *hub) stockUpdate(w http.ResponseWriter, r *http.Request, b map[string]any) {
	v := map[string][]string{}
	for _, f := range []struct{ key, msg string }{
		{"user_id_tps", "The user id tps field is required."}, {"inventory_system_id", "The inventory system id field is required."},
		{"current_stock", "The current stock field is required."}, {"quantity", "The quantity field is required."},
		{"date", "The date field is required."}, {"movement_type", "The movement type field is required."},
	} {
		if !required(b[f.key]) {
			v[f.key] = append(v[f.key], f.msg)
		}
	}
	if mt, ok := b["movement_type"].(float64); b["movement_type"] != nil && (!ok || (mt != 1 && mt != 2)) {
		v["movement_type"] = append(v["movement_type"], "The selected movement type is invalid.")
	}
	// The seed types these as strings; the fake holds us to it.
	for _, k := range []string{"user_id_tps", "inventory_system_id", "current_stock", "quantity", "date"} {
		if b[k] != nil && !isString(b[k]) {
			v[k] = append(v[k], "The "+k+" must be a string.")
		}
	}
	if d, _ := b["date"].(string); d != "" && !hubDate.MatchString(d) {
		v["date"] = append(v["date"], "The date does not match the format Y-m-d H:i:s.")
	}
	if len(v) > 0 {
		answer(w, http.StatusUnprocessableEntity, v)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.known[fmt.Sprint(b["external_id"])] {
		conflict(w, "External id not found for this store in the inventory system.")
		return
	}
	if h.failUpdates > 0 {
		h.failUpdates--
		h.refused++
		answer(w, http.StatusServiceUnavailable, map[string]any{"message": "Inventory system unavailable."})
		return
	}
	h.updates = append(h.updates, b)
	w.WriteHeader(http.StatusNoContent)
}

func (h *hub) manage(w http.ResponseWriter, r *http.Request, b map[string]any) {
	v := map[string][]string{}
	if !required(b["type"]) {
		v["type"] = append(v["type"], "The type field is required.")
	} else if fmt.Sprint(b["type"]) != "3" {
		v["type"] = append(v["type"], "The selected type is invalid.")
	}
	if !required(b["url"]) {
		v["url"] = append(v["url"], "The url field is required.")
	}
	if len(v) > 0 {
		answer(w, http.StatusUnprocessableEntity, v)
		return
	}
	h.mu.Lock()
	h.webhooks = append(h.webhooks, b)
	h.mu.Unlock()
	answer(w, http.StatusOK, map[string]any{"message": "Webhook successfully created.", "data": nil})
}

// Updates returns a copy of the accepted stock updates, in arrival order.
func (h *hub) Updates() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.updates...)
}

func (h *hub) Syncs() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.syncs...)
}

func (h *hub) Webhooks() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.webhooks...)
}

// Deliver sends a type-3 webhook as the hub would: the body signed with secret (or with the
// signature given, when not empty).
func (h *hub) Deliver(url, secret string, body []byte, signature string) (int, string) {
	if signature == "" {
		signature = mipos.Sign(secret, body)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "-" {
		req.Header.Set("X-Signature-Request", signature)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}
