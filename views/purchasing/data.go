// Package purchasing holds the purchase-order pages: list, new/suggest forms and the detail page
// with its state-aware actions, lines, receiving and timeline.
package purchasing

import (
	"fmt"

	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/models"
	"backroom/views/components"
)

// List is the purchase-order list page.
type List struct {
	Rows      []models.PurchaseOrder
	Pager     components.Pager
	Status    string
	StoreID   string
	Search    string
	Stores    []components.Option
	CanCreate bool
}

// Filtered reports whether a filter is set.
func (l List) Filtered() bool { return l.Status != "" || l.StoreID != "" || l.Search != "" }

// Statuses are the filter's choices.
var Statuses = []string{models.PODraft, models.POSubmitted, models.POApproved, models.POSent, models.POPartial, models.POReceived, models.POCancelled}

// Form is a form's typed values and errors.
type Form struct {
	Values  map[string]string
	Errors  components.Errors
	Message string
}

// Field builds a labelled field of the form.
func (f Form) Field(name, label string) components.Field {
	return components.Field{Name: name, Label: label, Value: f.Values[name], Errors: f.Errors[name]}
}

// NewForm is the new-order or suggest-order form.
type NewForm struct {
	Form      Form
	Suppliers []components.Option
	Stores    []components.Option
	Suggest   bool
}

// Select is a select field with the current value chosen.
func Select(f components.Field, opts []components.Option) components.Field {
	f.Type = "select"
	f.Options = make([]components.Option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == f.Value
		f.Options[i] = o
	}
	return f
}

// Actions are the transitions the signed-in person may take now.
type Actions struct {
	Submit, Approve, Reject, Send, Receive, CloseShort, Cancel, Delete, EditLines bool
}

// Any reports whether there is an action to show.
func (a Actions) Any() bool {
	return a.Submit || a.Approve || a.Reject || a.Send || a.Receive || a.CloseShort || a.Cancel || a.Delete
}

// Detail is the purchase-order page.
type Detail struct {
	Order    models.PurchaseOrder
	Receipts []models.PurchaseOrderReceipt
	Ordered  int64
	Received int64
	Timeline []models.AuditEntry
	Users    map[uuid.UUID]string
	Can      Actions
	// AddForm is the add-a-line form (draft only).
	AddForm Form
	// Receive holds the typed receive quantities by item id, their errors by item id, and
	// whether an over-receipt needs confirming.
	Receive        map[string]string
	ReceiveErrors  map[string][]string
	ConfirmOver    bool
	ReceiveMessage string
	// CloseForm is the close-short form's typed reason and its errors.
	CloseForm Form
	// Refused is why the last transition post (submit, approve, send, cancel) was refused.
	Refused components.Refusal
}

// UserName is the display name of a user id ("" when unknown).
func (d Detail) UserName(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return d.Users[*id]
}

// Left is how much of a line is still expected.
func Left(it models.PurchaseOrderItem) int64 {
	if it.QuantityReceived >= it.Quantity {
		return 0
	}
	return it.Quantity - it.QuantityReceived
}

// Shortfall says what an order still misses: "14 units on 2 lines".
func Shortfall(o models.PurchaseOrder) string {
	q, lines := o.Shortfall()
	units := "units"
	if q == 1000 {
		units = "unit"
	}
	ls := "lines"
	if lines == 1 {
		ls = "line"
	}
	return fmt.Sprintf("%s %s on %d %s", Qty(q), units, lines, ls)
}

// CloseQuestion is the confirmation of closing an order short: "Close PO-000003 short? 14
// units on 2 lines will not be received; stock does not change."
func CloseQuestion(o models.PurchaseOrder) string {
	return fmt.Sprintf("Close %s short? %s will not be received; stock does not change.", o.Number, Shortfall(o))
}

// ProductLabel is "SKU · Name".
func ProductLabel(p *models.Product) string {
	if p == nil {
		return ""
	}
	return p.SKU + " · " + p.Name
}

// Qty and Money format for tables.
func Qty(q int64) string     { return money.FormatQty(q) }
func Money(c int64) string   { return money.Format(c) }
func Decimal(c int64) string { return money.Decimal(c) }

// StoreLabel and SupplierLabel name an order's store and supplier.
func StoreLabel(s *models.Store) string {
	if s == nil {
		return ""
	}
	return s.Code + " " + s.Name
}

func SupplierLabel(s *models.Supplier) string {
	if s == nil {
		return ""
	}
	return s.Name
}

// Path is the order's URL, with an optional action.
func Path(id uuid.UUID, action string) string {
	if action == "" {
		return "/purchase-orders/" + id.String()
	}
	return "/purchase-orders/" + id.String() + "/" + action
}

func productOf(d Detail, r models.PurchaseOrderReceipt) string {
	for _, it := range d.Order.Items {
		if it.ID == r.ItemID {
			return ProductLabel(it.Product)
		}
	}
	return ""
}

// StoreOptions turns stores into picker options ("S001 Downtown").
func StoreOptions(stores []models.Store) []components.Option {
	out := make([]components.Option, 0, len(stores))
	for _, s := range stores {
		out = append(out, components.Option{Value: s.ID.String(), Label: s.Code + " " + s.Name})
	}
	return out
}
