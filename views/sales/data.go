// Package sales holds the sales screens: the list, a sale's page with its void form, and the
// printable receipt.
package sales

import (
	"fmt"
	"strconv"

	"backroom/app/money"
	"backroom/models"
	"backroom/views/components"
)

// Filter is the GET filter form of the sales list.
type Filter struct {
	DateFrom string
	DateTo   string
	StoreID  string
	Status   string
}

// Filtered reports whether any filter is set.
func (f Filter) Filtered() bool {
	return f.DateFrom != "" || f.DateTo != "" || f.StoreID != "" || f.Status != ""
}

// Row is one line of the sales table.
type Row struct {
	ID            string
	ReceiptNumber string
	SoldAt        string // in the store's time zone
	Store         string
	TerminalID    string
	Cashier       string
	Status        string
	IsRefund      bool
	GrandTotal    int64
}

// List is the sales list page.
type List struct {
	Filter Filter
	Stores []components.Option
	Rows   []Row
	Pager  components.Pager
	Error  string
	Errors components.Errors
}

// StatusOptions are the status filter's choices.
func StatusOptions(selected string) []components.Option {
	out := []components.Option{{Value: "", Label: "All", Selected: selected == ""}}
	for _, s := range []struct{ v, l string }{{"completed", "Completed"}, {"voided", "Voided"}, {"refund", "Refunds"}} {
		out = append(out, components.Option{Value: s.v, Label: s.l, Selected: selected == s.v})
	}
	return out
}

// TaxLine is the tax at one rate over a sale.
type TaxLine struct {
	Name    string
	Rate    int64
	Taxable int64
	Amount  int64
}

// Ref links to a related sale.
type Ref struct {
	ID            string
	ReceiptNumber string
	Status        string
	GrandTotal    int64
}

// Detail is a sale's page (and its receipt).
type Detail struct {
	Sale                  models.Sale
	Store                 models.Store
	SoldAt                string
	VoidedAt              string
	CashierName           string
	VoidedByName          string
	OriginalID            string
	OriginalReceiptNumber string
	ZNumber               string
	Customer              string
	CustomerCode          string
	CustomerTaxID         string
	SalesRep              string
	Refunds               []Ref
	Taxes                 []TaxLine
	CanVoid               bool   // the user may void here and the sale is still voidable
	VoidBlocked           string // why a user who may void cannot void this one
	Reason                string
	Errors                components.Errors
	Error                 string
}

// ItemCount is the number of units on the sale, for the void confirmation.
func (d Detail) ItemCount() string {
	var n int64
	for _, it := range d.Sale.Items {
		if it.Quantity < 0 {
			n -= it.Quantity
		} else {
			n += it.Quantity
		}
	}
	return money.FormatQty(n)
}

// VoidConfirm is what the void button asks before it goes ahead.
func (d Detail) VoidConfirm() string {
	word := "items"
	if d.ItemCount() == "1" {
		word = "item"
	}
	if d.Sale.IsRefund {
		return fmt.Sprintf("Void refund %s and take %s %s back out of stock?", d.Sale.ReceiptNumber, d.ItemCount(), word)
	}
	return fmt.Sprintf("Void sale %s and return %s %s to stock?", d.Sale.ReceiptNumber, d.ItemCount(), word)
}

// Kind is "Sale" or "Refund".
func (d Detail) Kind() string {
	if d.Sale.IsRefund {
		return "Refund"
	}
	return "Sale"
}

// PaymentLabel names a payment's tender.
func PaymentLabel(p models.SalePayment) string {
	if p.Reference != nil && *p.Reference != "" {
		return p.Method + " (" + *p.Reference + ")"
	}
	return p.Method
}

func m(cents int64) string     { return money.Format(cents) }
func qty(q int64) string       { return money.FormatQty(q) }
func rate(bp int64) string     { return money.FormatBP(bp) }
func href(id string) string    { return "/sales/" + id }
func voidURL(id string) string { return "/sales/" + id + "/void" }

func qtyLine(n int) string { return strconv.Itoa(n) }
