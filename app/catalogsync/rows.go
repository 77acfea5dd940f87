package catalogsync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"backroom/app/catalog"
	"backroom/app/money"
	"backroom/models"
)

// row is one element of a sync request, checked. A nil field was not sent (or null): the product
// keeps what it has.
type row struct {
	index      int
	externalID string
	name       *string
	price      *int64 // cents
	inStock    *int64 // thousandths
	barcodes   []string
}

// rowIn is an element as received; each field is read by hand so every mistake is reported
// against its row and field.
type rowIn struct {
	ExternalID json.RawMessage `json:"external_id"`
	Barcodes   json.RawMessage `json:"barcodes"`
	InStock    json.RawMessage `json:"in_stock"`
	Name       json.RawMessage `json:"name"`
	Price      json.RawMessage `json:"price"`
}

// RowError is what is wrong with one row: its index in the array (from 0), its external id when
// it could be read, the field and the message.
type RowError struct {
	Row        int    `json:"row"`
	ExternalID string `json:"externalId,omitempty"`
	Field      string `json:"field"`
	Message    string `json:"message"`
}

// RowErrors fails a whole request (422): nothing of it was written.
type RowErrors []RowError

func (e RowErrors) Error() string {
	return fmt.Sprintf("%d rows have errors; nothing was written", len(e))
}

// Unwrap makes RowErrors a validation error for server.Status.
func (e RowErrors) Unwrap() error { return models.ErrValidation }

// Fields is the errors keyed as the API's 422 names fields: "[3].price".
func (e RowErrors) Fields() map[string][]string {
	out := map[string][]string{}
	for _, r := range e {
		k := fmt.Sprintf("[%d].%s", r.Row, r.Field)
		out[k] = append(out[k], r.Message)
	}
	return out
}

const maxErrors = 1000

// parseRows checks every row and the external ids' uniqueness within the request.
func parseRows(raws []json.RawMessage) ([]row, RowErrors) {
	rows := make([]row, 0, len(raws))
	var errs RowErrors
	seen := make(map[string]int, len(raws))
	for i, raw := range raws {
		r, rowErrs := parseRow(i, raw)
		if r.externalID != "" {
			if first, dup := seen[r.externalID]; dup {
				rowErrs = append(rowErrs, RowError{Row: i, ExternalID: r.externalID, Field: "external_id",
					Message: fmt.Sprintf("appears twice in this request (first at row %d)", first)})
			} else {
				seen[r.externalID] = i
			}
		}
		if len(errs) < maxErrors {
			errs = append(errs, rowErrs...)
		}
		rows = append(rows, r)
	}
	return rows, errs
}

func parseRow(i int, raw json.RawMessage) (row, RowErrors) {
	r := row{index: i}
	var in rowIn
	if err := json.Unmarshal(raw, &in); err != nil || !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return r, RowErrors{{Row: i, Field: "row", Message: "must be an object with external_id, barcodes, in_stock, name and price"}}
	}
	var errs RowErrors
	fail := func(field, msg string) {
		errs = append(errs, RowError{Row: i, ExternalID: r.externalID, Field: field, Message: msg})
	}
	id, msg := externalID(in.ExternalID)
	r.externalID = id
	if msg != "" {
		fail("external_id", msg)
		r.externalID = ""
	}
	if present(in.Name) {
		var name string
		if json.Unmarshal(in.Name, &name) != nil {
			fail("name", "must be a string")
		} else if name = strings.TrimSpace(name); name != "" {
			if utf8.RuneCountInString(name) > 255 {
				fail("name", "must be at most 255 characters")
			}
			r.name = &name
		}
	}
	if present(in.Price) {
		v, err := decimal(in.Price, money.Parse)
		switch {
		case err != nil:
			fail("price", "must be a decimal amount such as 12.99 (at most 2 decimals)")
		case v < 0:
			fail("price", "must not be negative")
		case v > 1e11:
			fail("price", "is too large")
		default:
			r.price = &v
		}
	}
	if present(in.InStock) {
		v, err := decimal(in.InStock, money.ParseQty)
		switch {
		case err != nil:
			fail("in_stock", "must be a number of units such as 12 or 1.5 (at most 3 decimals)")
		case v < 0:
			fail("in_stock", "must not be negative")
		case v > 1e15:
			fail("in_stock", "is too large")
		default:
			r.inStock = &v
		}
	}
	if present(in.Barcodes) {
		var list []string
		if json.Unmarshal(in.Barcodes, &list) != nil {
			fail("barcodes", "must be a list of strings")
		}
		for _, b := range list {
			b = strings.TrimSpace(b)
			if m := catalog.CheckBarcode(b); m != "" {
				fail("barcodes", fmt.Sprintf("%q %s", b, m))
				continue
			}
			r.barcodes = append(r.barcodes, b)
		}
	}
	return r, errs
}

func present(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// externalID reads a string or a whole number (the seed's samples send 10003) as text.
func externalID(raw json.RawMessage) (string, string) {
	if !present(raw) {
		return "", "is required"
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t := string(bytes.TrimSpace(raw))
		if t == "" || strings.Trim(t, "0123456789") != "" {
			return "", "must be a string or a whole number"
		}
		s = t
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", "must not be blank"
	case utf8.RuneCountInString(s) > 100:
		return s, "must be at most 100 characters"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return s, "must not contain control characters"
	}
	return s, ""
}

// decimal reads a JSON number (or a string holding one) exactly, with parse's places; no floats.
func decimal(raw json.RawMessage, parse func(string) (int64, error)) (int64, error) {
	text := string(bytes.TrimSpace(raw))
	var s string
	if json.Unmarshal(raw, &s) == nil {
		text = s
	} else if strings.ContainsAny(text, "{[\"tfn") {
		return 0, fmt.Errorf("not a number")
	}
	return parse(text)
}
