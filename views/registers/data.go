// Package registers holds the register screens: the sessions list and the X/Z reports.
package registers

import (
	"strconv"

	"backroom/app/money"
	"backroom/views/components"
)

// Filter is the GET filter form of the sessions list.
type Filter struct {
	StoreID  string
	Status   string
	DateFrom string
	DateTo   string
}

// Filtered reports whether any filter is set.
func (f Filter) Filtered() bool {
	return f.StoreID != "" || f.Status != "" || f.DateFrom != "" || f.DateTo != ""
}

// Row is one register session in the list.
type Row struct {
	ID           string
	Store        string
	TerminalID   string
	Cashier      string
	OpenedAt     string
	ClosedAt     string
	Status       string
	OpeningFloat int64
	ExpectedCash *int64
	CountedCash  *int64
	OverShort    *int64
	ZNumber      string
	CanX         bool
	CanZ         bool
}

// List is the registers page.
type List struct {
	Filter Filter
	Stores []components.Option
	Rows   []Row
	Pager  components.Pager
	Error  string
}

// StatusOptions are the status filter's choices.
func StatusOptions(selected string) []components.Option {
	return []components.Option{
		{Value: "", Label: "All", Selected: selected == ""},
		{Value: "open", Label: "Open", Selected: selected == "open"},
		{Value: "closed", Label: "Closed", Selected: selected == "closed"},
	}
}

// TenderLine is one tender on a report.
type TenderLine struct {
	Method  string
	Name    string
	Sales   int64
	Refunds int64
	Net     int64
}

// TaxLine is the tax at one rate on a report.
type TaxLine struct {
	Name    string
	Rate    int64
	Taxable int64
	Amount  int64
}

// Report is an X or Z report page.
type Report struct {
	Kind          string // X | Z
	SessionID     string
	Title         string
	Store         string
	TerminalID    string
	Cashier       string
	OpenedAt      string
	ClosedAt      string
	ClosedBy      string
	ZNumber       string
	GeneratedAt   string
	OpeningFloat  int64
	CashSales     int64
	CashRefunds   int64
	CardSales     int64
	CardRefunds   int64
	ExpectedCash  int64
	DeclaredCash  *int64
	OverShort     *int64
	SalesCount    int64
	RefundCount   int64
	VoidCount     int64
	VoidTotal     int64
	GrossSales    int64
	RefundTotal   int64
	NetSales      int64
	DiscountTotal int64
	TaxTotal      int64
	NetExTax      int64
	Tenders       []TenderLine
	Taxes         []TaxLine
	// The close form (X report of an open session, for people who may close it).
	CanClose    bool
	CountedCash string
	Errors      components.Errors
	Error       string
}

// OverShortClass colours an over/short figure: differences of $5 or more are flagged, amber
// when the drawer is over and red when it is short.
func OverShortClass(v *int64) string {
	if v == nil {
		return ""
	}
	switch {
	case *v <= -500:
		return "num font-semibold text-red-700"
	case *v >= 500:
		return "num font-semibold text-amber-700"
	}
	return "num"
}

func m(cents int64) string { return money.Format(cents) }

func mp(cents *int64) string {
	if cents == nil {
		return "—"
	}
	return money.Format(*cents)
}

func rate(bp int64) string { return money.FormatBP(bp) }

func count(n int64) string { return strconv.FormatInt(n, 10) }
