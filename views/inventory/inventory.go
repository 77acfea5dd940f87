// Package inventory holds the stock pages: levels per store, movement history, adjustments,
// the cross-store view and stock counts.
package inventory

import (
	"context"
	"net/url"
	"time"

	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/models"
	"backroom/views/components"
)

// Level is one stock row as the pages show it.
type Level struct {
	StoreID        uuid.UUID
	StoreCode      string
	ProductID      uuid.UUID
	SKU            string
	Barcode        string
	ProductName    string
	Quantity       int64
	ReorderPoint   int64
	LastMovementAt *time.Time
}

// qty renders thousandths without trailing zeros.
func qty(v int64) string { return money.FormatQty(v) }

// signedQty shows a change with its sign: +2, -0.5.
func signedQty(v int64) string {
	if v > 0 {
		return "+" + money.FormatQty(v)
	}
	return money.FormatQty(v)
}

// qtyClass colours a level: negative red, zero amber (UI.md and the store view of §6).
func qtyClass(v int64) string {
	switch {
	case v < 0:
		return "num font-semibold text-red-700"
	case v == 0:
		return "num font-semibold text-amber-700"
	}
	return "num"
}

// levelRowClass tints the whole row of a negative or zero level.
func levelRowClass(v int64) string {
	switch {
	case v < 0:
		return "bg-red-50"
	case v == 0:
		return "bg-amber-50"
	}
	return ""
}

func when(ctx context.Context, t *time.Time) string {
	if t == nil {
		return "—"
	}
	return components.When(ctx, *t)
}

func storeOptions(stores []models.Store, sel string, all bool) []components.Option {
	var out []components.Option
	if all {
		out = append(out, components.Option{Value: "", Label: "All stores", Selected: sel == ""})
	}
	for _, s := range stores {
		out = append(out, components.Option{Value: s.ID.String(), Label: s.Code + " · " + s.Name, Selected: s.ID.String() == sel})
	}
	return out
}

// link builds a path with query parameters (empty values left out).
func link(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
