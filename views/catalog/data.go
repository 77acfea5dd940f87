// Package catalog holds the catalogue's pages: products, departments, taxes, suppliers and
// units.
package catalog

import (
	"fmt"
	"strings"

	"backroom/app/money"
	"backroom/models"
	"backroom/views/components"
)

// Form is a form's values (as typed) and its errors keyed by field name.
type Form struct {
	Values  map[string]string
	Errors  components.Errors
	Message string // summary above the form, e.g. why a save conflicted
}

// Value is the value of field name.
func (f Form) Value(name string) string { return f.Values[name] }

// Opt adjusts a field.
type Opt func(*components.Field)

// Required marks the field as required.
func Required(f *components.Field) { f.Required = true }

// Help adds help text under the field.
func Help(s string) Opt { return func(f *components.Field) { f.Help = s } }

// Type sets the input type.
func Type(t string) Opt { return func(f *components.Field) { f.Type = t } }

// Attrs adds attributes to the input.
func Attrs(a map[string]any) Opt { return func(f *components.Field) { f.Attrs = a } }

// Choices makes the field a select with opts, the current value selected.
func Choices(opts []components.Option) Opt {
	return func(f *components.Field) {
		f.Type = "select"
		f.Options = make([]components.Option, len(opts))
		for i, o := range opts {
			o.Selected = o.Value == f.Value
			f.Options[i] = o
		}
	}
}

// Field is the form's field name with its value and errors.
func (f Form) Field(name, label string, opts ...Opt) components.Field {
	fd := components.Field{Name: name, Label: label, Value: f.Values[name], Errors: f.Errors[name]}
	for _, o := range opts {
		o(&fd)
	}
	return fd
}

// Checked reports whether a checkbox field is on.
func (f Form) Checked(name string) bool { return f.Values[name] == "true" }

// Money formats cents as $1,234.56.
func Money(cents int64) string { return money.Format(cents) }

// Rate formats basis points as 8.25%.
func Rate(bp int64) string { return money.FormatBP(bp) }

// Margin is the gross margin of a price as a percentage with one decimal ("38.5%"), or "—"
// without a price.
func Margin(sell, cost int64) string {
	if sell <= 0 {
		return "—"
	}
	// Tenths of a percent, rounded half away from zero, in integers.
	num := (sell - cost) * 1000
	t := num / sell
	if r := num % sell; r != 0 && 2*abs(r) >= sell {
		if num < 0 {
			t--
		} else {
			t++
		}
	}
	sign := ""
	if t < 0 {
		sign, t = "-", -t
	}
	return fmt.Sprintf("%s%d.%d%%", sign, t/10, t%10)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// Status is the badge status of an active flag.
func Status(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}

// Text is a string pointer's value, or "".
func Text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ProductList is the products page.
type ProductList struct {
	Rows         []models.ProductRow
	Search       string
	DepartmentID string
	Active       string
	Departments  []components.Option
	Pager        components.Pager
	CanCreate    bool
}

// Filtered reports whether any filter narrows the list (the empty state differs).
func (d ProductList) Filtered() bool {
	return d.Search != "" || d.DepartmentID != "" || (d.Active != "" && d.Active != "all")
}

// ActiveOptions are the choices of an active filter.
func ActiveOptions(current string) []components.Option {
	opts := []components.Option{{Value: "all", Label: "Active and inactive"}, {Value: "true", Label: "Active only"}, {Value: "false", Label: "Inactive only"}}
	if current == "" {
		current = "all"
	}
	for i := range opts {
		opts[i].Selected = opts[i].Value == current
	}
	return opts
}

// ProductForm is the new/edit product page.
type ProductForm struct {
	ID          string // empty for a new product
	SKU         string // shown read-only when editing
	Form        Form
	Departments []components.Option
	TaxGroups   []components.Option
	Units       []components.Option
}

// Action is where the form posts.
func (d ProductForm) Action() string {
	if d.ID == "" {
		return "/products"
	}
	return "/products/" + d.ID
}

// Cancel is where cancelling goes.
func (d ProductForm) Cancel() string {
	if d.ID == "" {
		return "/products"
	}
	return "/products/" + d.ID
}

// ProductDetail is the product page.
type ProductDetail struct {
	Product      models.ProductDetail
	Department   string // full path
	Links        []models.ProductSupplier
	Suppliers    []components.Option // suppliers not linked yet
	LinkForm     Form
	History      []models.AuditEntry
	CanEdit      bool
	CanDelete    bool
	CanSuppliers bool // may see supplier names
}

// Deleted reports whether the product is soft-deleted.
func (d ProductDetail) Deleted() bool { return d.Product.DeletedAt != nil }

// Confirm is a page asking to confirm a destructive action (the non-JavaScript path).
type Confirm struct {
	Title   string
	Message string
	Action  string
	Button  string
	Cancel  string
}

// DepartmentList is the departments page.
type DepartmentList struct {
	Rows      []models.DepartmentRow
	CanCreate bool
	CanEdit   bool
	CanDelete bool
}

// Indent is the left padding of a department row by its depth.
func Indent(depth int) string { return fmt.Sprintf("padding-left: %drem", 1+depth*2) }

// EditForm is a simple new/edit page: its id (empty when new), values and choices.
type EditForm struct {
	ID      string
	Form    Form
	Parents []components.Option // departments: possible parents
}

// TaxesPage lists rates and groups.
type TaxesPage struct {
	Rates     []models.TaxRateRow
	Groups    []models.TaxGroupView
	CanManage bool
}

// GroupRates names a group's rates in order: "State Tax 8.25%, City Tax 1%".
func GroupRates(rates []models.GroupRate) string {
	if len(rates) == 0 {
		return "No tax"
	}
	parts := make([]string, len(rates))
	for i, r := range rates {
		parts[i] = r.Name + " " + money.FormatBP(r.Rate)
		if r.IsCompound {
			parts[i] += " (compound)"
		}
	}
	return strings.Join(parts, ", ")
}

// TaxGroupForm is the new/edit tax group page: each rate with whether it is in the group and
// its place.
type TaxGroupForm struct {
	ID    string
	Form  Form
	Rates []RateChoice
}

// RateChoice is one rate on the tax group form.
type RateChoice struct {
	Rate     models.TaxRate
	Included bool
	Order    string
}

// SupplierList is the suppliers page.
type SupplierList struct {
	Rows      []models.SupplierRow
	Search    string
	Active    string
	Pager     components.Pager
	CanCreate bool
	CanEdit   bool
	CanDelete bool
}

// UnitList is the units page.
type UnitList struct {
	Rows      []models.UnitRow
	CanCreate bool
	CanEdit   bool
	CanDelete bool
}

// IsEach reports whether u is the built-in "Each" unit.
func IsEach(u models.Unit) bool { return u.ID == models.EachUnitID }
