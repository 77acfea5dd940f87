// Package transfers holds the transfer pages: list, new transfer, and the detail page with
// sending, receiving with differences, the settlement and the timeline.
package transfers

import (
	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/models"
	"backroom/views/components"
	po "backroom/views/purchasing"
)

// Form is a form's typed values and errors.
type Form = po.Form

// List is the transfer list page.
type List struct {
	Rows        []models.Transfer
	Pager       components.Pager
	Status      string
	StoreID     string
	Differences string
	Stores      []components.Option
	CanCreate   bool
}

// Filtered reports whether a filter is set.
func (l List) Filtered() bool { return l.Status != "" || l.StoreID != "" || l.Differences != "" }

// Statuses are the filter's choices.
var Statuses = []string{models.TransferPending, models.TransferInTransit, models.TransferCompleted, models.TransferCancelled}

// NewForm is the new-transfer form.
type NewForm struct {
	Form       Form
	FromStores []components.Option
	ToStores   []components.Option
}

// Actions are what the signed-in person may do now.
type Actions struct{ Send, Receive, Cancel bool }

// Settlement sums the differences.
type Settlement struct {
	Sent, Received, Difference, Value int64
	ByReason                          map[string]int64
}

// Detail is one transfer.
type Detail struct {
	T          models.Transfer
	Settlement Settlement
	Timeline   []models.AuditEntry
	Can        Actions
	// Receive form state: typed quantities and reasons by product id, errors by product id.
	Received map[string]string
	Reasons  map[string]string
	Errors   map[string][]string
	Message  string
}

// Reasons a difference may have.
var Reasons = []components.Option{{Value: "", Label: "No difference"}, {Value: "short", Label: "Short"}, {Value: "damaged", Label: "Damaged"}, {Value: "over", Label: "Over"}}

// Qty, Money format for tables.
func Qty(q int64) string   { return money.FormatQty(q) }
func Money(c int64) string { return money.Format(c) }

// QtyPtr formats an optional quantity.
func QtyPtr(q *int64) string {
	if q == nil {
		return "—"
	}
	return money.FormatQty(*q)
}

// StoreLabel names a store.
func StoreLabel(s *models.Store) string { return po.StoreLabel(s) }

// Path is a transfer's URL with an optional action.
func Path(id uuid.UUID, action string) string {
	if action == "" {
		return "/transfers/" + id.String()
	}
	return "/transfers/" + id.String() + "/" + action
}

// Select marks the chosen option.
func Select(opts []components.Option, value string) []components.Option {
	out := make([]components.Option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == value
		out[i] = o
	}
	return out
}

func received(d Detail, key string, sent int64) string {
	if v, ok := d.Received[key]; ok {
		return v
	}
	return money.FormatQty(sent)
}
