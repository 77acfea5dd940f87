// Package tipsitest is a fake Tipsi batch-sync API (seed 004) for tests: PATCH
// /api/rest/v001/store/{id}/ext/sync upserts the products passed by external_id; …/ext/sync_clear
// does the same and marks every product it was not passed out of stock, never deleting one.
package tipsitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
)

// Product is what the fake holds for one external id.
type Product struct {
	Barcodes []string
	InStock  json.Number
	Price    json.Number
}

// Request is one accepted or refused batch command.
type Request struct {
	Command string // sync | sync_clear
	Items   int
	Status  int
}

// Server is the fake. Token is the API token it requires as "Authorization: Token <token>".
type Server struct {
	URL     string
	Token   string
	StoreID string
	// Fail, when set, decides a status for the n-th batch command (1-based) before it is applied;
	// 0 lets it through.
	Fail func(n int, command string) int

	mu       sync.Mutex
	products map[string]*Product
	requests []Request
}

// New starts a fake for store storeID that requires token.
func New(t testing.TB, storeID, token string) *Server {
	s := &Server{Token: token, StoreID: storeID, products: map[string]*Product{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/rest/v001/store/{store}/ext/{command}", s.handle)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// item is one element of a batch as received; every field is checked by hand.
type item struct {
	ExternalID json.RawMessage `json:"external_id"`
	Barcodes   json.RawMessage `json:"barcodes"`
	InStock    json.RawMessage `json:"in_stock"`
	Price      json.RawMessage `json:"price"`
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	command := r.PathValue("command")
	switch {
	case r.Method != http.MethodPatch:
		answer(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method \"" + r.Method + "\" not allowed."})
		return
	case command != "sync" && command != "sync_clear":
		answer(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
		return
	case r.Header.Get("Authorization") != "Token "+s.Token:
		answer(w, http.StatusUnauthorized, map[string]string{"detail": "Invalid token."})
		return
	case r.PathValue("store") != s.StoreID:
		answer(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var batch []item
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&batch); err != nil || batch == nil {
		answer(w, http.StatusBadRequest, map[string]string{"detail": "Expected a list of items."})
		return
	}
	parsed := make(map[string]Product, len(batch))
	order := make([]string, 0, len(batch))
	for i, it := range batch {
		p, id, msg := parse(it)
		if msg != "" {
			answer(w, http.StatusBadRequest, map[string]any{fmt.Sprint(i): msg})
			return
		}
		if _, dup := parsed[id]; !dup {
			order = append(order, id)
		}
		parsed[id] = p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.requests) + 1
	if s.Fail != nil {
		if status := s.Fail(n, command); status != 0 {
			s.requests = append(s.requests, Request{Command: command, Items: len(batch), Status: status})
			answer(w, status, map[string]string{"detail": "Temporarily unavailable."})
			return
		}
	}
	s.requests = append(s.requests, Request{Command: command, Items: len(batch), Status: http.StatusOK})
	for _, id := range order {
		p := parsed[id]
		old, ok := s.products[id]
		if !ok {
			old = &Product{}
			s.products[id] = old
		}
		if p.Barcodes != nil {
			old.Barcodes = p.Barcodes
		}
		old.InStock = p.InStock
		if p.Price != "" {
			old.Price = p.Price
		}
	}
	if command == "sync_clear" {
		for id, p := range s.products {
			if _, passed := parsed[id]; !passed {
				p.InStock = "0"
			}
		}
	}
	answer(w, http.StatusOK, map[string]any{"updated": len(order)})
}

// parse checks one item: external_id a string or number, barcodes a list of strings when given,
// in_stock a number of zero or more, price a number when given.
func parse(it item) (Product, string, string) {
	var p Product
	var id string
	var num json.Number
	if json.Unmarshal(it.ExternalID, &id) != nil || id == "" {
		if json.Unmarshal(it.ExternalID, &num) != nil || num == "" {
			return p, "", "external_id: a string or number is required"
		}
		id = num.String()
	}
	if len(it.Barcodes) > 0 && string(it.Barcodes) != "null" {
		if err := json.Unmarshal(it.Barcodes, &p.Barcodes); err != nil {
			return p, "", "barcodes: must be a list of strings"
		}
	}
	if err := unmarshalNumber(it.InStock, &p.InStock); err != nil || p.InStock == "" {
		return p, "", "in_stock: a number is required"
	}
	if f, _ := p.InStock.Float64(); f < 0 {
		return p, "", "in_stock: must not be negative"
	}
	if len(it.Price) > 0 && string(it.Price) != "null" {
		if err := unmarshalNumber(it.Price, &p.Price); err != nil {
			return p, "", "price: must be a number"
		}
	}
	return p, id, ""
}

func unmarshalNumber(raw json.RawMessage, dst *json.Number) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	n, ok := v.(json.Number)
	if !ok {
		return fmt.Errorf("not a number")
	}
	*dst = n
	return nil
}

// Products returns a copy of the fake's end state by external id.
func (s *Server) Products() map[string]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Product, len(s.products))
	for id, p := range s.products {
		out[id] = Product{Barcodes: append([]string(nil), p.Barcodes...), InStock: p.InStock, Price: p.Price}
	}
	return out
}

// Put sets a product as if Tipsi had it from elsewhere (another feed, or typed in at Tipsi).
func (s *Server) Put(id string, p Product) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.products[id] = &p
}

// Requests returns the batch commands received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// IDs lists the external ids the fake holds, sorted.
func (s *Server) IDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.products))
	for id := range s.products {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
