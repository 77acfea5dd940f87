// Package pricing holds the pricing pages: worksheets with their editable grid, specials, store
// prices, and the price history component the product page shows.
package pricing

import (
	"strconv"

	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/models"
	"backroom/views/components"
	po "backroom/views/purchasing"
)

// Form is a form's typed values and errors.
type Form = po.Form

// WorksheetList is the worksheet list page.
type WorksheetList struct {
	Rows      []models.Worksheet
	Pager     components.Pager
	Status    string
	Type      string
	Search    string
	CanCreate bool
}

// Filtered reports whether a filter is set.
func (l WorksheetList) Filtered() bool { return l.Status != "" || l.Type != "" || l.Search != "" }

// WorksheetStatuses are the filter's choices.
var WorksheetStatuses = []string{models.WSDraft, models.WSSubmitted, models.WSApproved, models.WSRejected, models.WSApplied}

// TypeLabel names a worksheet type.
func TypeLabel(t string) string { return components.StatusLabel(t) }

// TypeOptions are the type choices.
func TypeOptions() []components.Option {
	out := []components.Option{{Value: "", Label: "Choose a type"}}
	for _, t := range models.WorksheetTypes {
		out = append(out, components.Option{Value: t, Label: TypeLabel(t)})
	}
	return out
}

// WorksheetForm is the new-worksheet form.
type WorksheetForm struct {
	Form   Form
	Stores []components.Option
	Chosen map[string]bool
}

// WSActions are the worksheet transitions the signed-in person may take now.
type WSActions struct {
	Edit, Submit, Approve, Reject, Apply, Delete bool
}

// WorksheetDetail is the worksheet page with its grid.
type WorksheetDetail struct {
	W           models.Worksheet
	StoreNames  []string
	Timeline    []models.AuditEntry
	Can         WSActions
	Departments []components.Option
	TaxGroups   []components.Option
	Names       map[uuid.UUID]string // department and tax group names
	AddForm     Form
	PasteForm   Form
	Scheduled   bool               // approved with a future effective date
	CSRF        string             // for the rows' no-JavaScript forms
	Refused     components.Refusal // why the last transition post was refused, with its lines
}

// Labels are the grid's column labels by field name, for a worksheet of type typ: messages name
// a field by the label its column shows (a new product's "Sell price", a price change's "New
// sell price").
func Labels(typ string) map[string]string {
	l := map[string]string{"items": "Lines", "productId": "Product", "reason": "Reason for rejecting",
		"newSellPrice": "New sell price", "newCostPrice": "New cost price", "newName": "New name",
		"newDescription": "New description", "newDepartmentId": "New department", "newTaxGroupId": "New tax group",
		"newSku": "New SKU", "newBarcode": "New barcode"}
	if typ == "new_product" {
		for k, v := range map[string]string{"newSellPrice": "Sell price", "newCostPrice": "Cost price", "newName": "Name",
			"newDescription": "Description", "newDepartmentId": "Department", "newTaxGroupId": "Tax group", "newSku": "SKU", "newBarcode": "Barcode"} {
			l[k] = v
		}
	}
	return l
}

// ChainWide reports whether the worksheet targets every store.
func (d WorksheetDetail) ChainWide() bool { return len(d.W.StoreIDs) == 0 }

// Row is one grid row: the line and its errors.
type Row struct {
	WorksheetID uuid.UUID
	Type        string
	ChainWide   bool
	Item        models.WorksheetItem
	Editable    bool
	Errors      components.Errors
	Departments []components.Option
	TaxGroups   []components.Option
	Names       map[uuid.UUID]string
	Saved       bool
	CSRF        string
}

// Rows builds the grid rows.
func (d WorksheetDetail) Rows() []Row {
	out := make([]Row, len(d.W.Items))
	for i, it := range d.W.Items {
		out[i] = Row{WorksheetID: d.W.ID, Type: d.W.Type, ChainWide: d.ChainWide(), Item: it, Editable: d.Can.Edit,
			Departments: d.Departments, TaxGroups: d.TaxGroups, Names: d.Names, CSRF: d.CSRF, Errors: d.Refused.Lines(i + 1)}
	}
	return out
}

// CellURL is where a row's cells post.
func (r Row) CellURL() string {
	return "/worksheets/" + r.WorksheetID.String() + "/items/" + r.Item.ID.String()
}

// RowID is the row's element id.
func (r Row) RowID() string { return "ws-row-" + r.Item.ID.String() }

// FormID is the id of the row's no-JavaScript form.
func (r Row) FormID() string { return "ws-form-" + r.Item.ID.String() }

// Name is the name of a department or tax group id.
func (r Row) Name(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return r.Names[*id]
}

// Money and Qty format for tables; MoneyPtr and Str format optional values for inputs.
func Money(c int64) string { return money.Format(c) }

// MoneyPtr is an optional amount as typed (12.99), "" for none.
func MoneyPtr(c *int64) string {
	if c == nil {
		return ""
	}
	return money.Decimal(*c)
}

// Str is an optional string.
func Str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// IDStr is an optional id.
func IDStr(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

// Select marks the option with value as selected.
func Select(opts []components.Option, value string) []components.Option {
	out := make([]components.Option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == value
		out[i] = o
	}
	return out
}

// Path is a worksheet's URL with an optional action.
func Path(id uuid.UUID, action string) string {
	if action == "" {
		return "/worksheets/" + id.String()
	}
	return "/worksheets/" + id.String() + "/" + action
}

// SpecialList is the specials page.
type SpecialList struct {
	Rows      []models.Special
	Pager     components.Pager
	Active    string
	CanManage bool
	Stores    map[string]string // id → code
}

// StoresOf names the stores a special covers.
func (l SpecialList) StoresOf(s models.Special) string {
	if len(s.StoreIDs) == 0 {
		return "All stores"
	}
	out := ""
	for i, id := range s.StoreIDs {
		if i > 0 {
			out += ", "
		}
		out += l.Stores[id]
	}
	return out
}

// SpecialForm is the new/edit special form.
type SpecialForm struct {
	ID     string
	Form   Form
	Stores []components.Option
	Chosen map[string]bool
}

// Action is where the form posts.
func (f SpecialForm) Action() string {
	if f.ID == "" {
		return "/specials"
	}
	return "/specials/" + f.ID
}

// StorePriceList is the store prices page with its upsert form.
type StorePriceList struct {
	Rows      []models.StorePrice
	Pager     components.Pager
	StoreID   string
	Stores    []components.Option
	CanManage bool
	Form      Form
}

// PriceChange is one row of a product's price history.
type PriceChange = models.ProductChange

// ChangeValue formats a history value: money fields as $, others as stored.
func ChangeValue(field string, v *string) string {
	if v == nil {
		return "—"
	}
	switch field {
	case "sell_price", "cost_price":
		if n, err := strconv.ParseInt(*v, 10, 64); err == nil {
			return money.Format(n)
		}
	}
	return *v
}

func fmtInt(n int) string { return strconv.Itoa(n) }

func lineKey(r Row) string {
	if r.Item.Product != nil {
		return r.Item.Product.SKU
	}
	return Str(r.Item.NewSKU)
}

func nameOf(opts []components.Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return ""
}

func whoChanged(r PriceChange) string {
	if r.Username == "" {
		return "system"
	}
	return r.Username
}
