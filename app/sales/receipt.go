package sales

import (
	"context"
	"sort"
	"time"

	"github.com/google/uuid"

	"backroom/models"
)

// Receipt is what a printed receipt shows, from POST /api/v1/sales/print and the receipt pages.
type Receipt struct {
	SaleID                uuid.UUID        `json:"saleId"`
	ReceiptNumber         string           `json:"receiptNumber"`
	Status                string           `json:"status"`
	IsRefund              bool             `json:"isRefund"`
	OriginalReceiptNumber string           `json:"originalReceiptNumber,omitempty"`
	Store                 ReceiptStore     `json:"store"`
	Date                  string           `json:"date"` // in the store's time zone
	SoldAt                time.Time        `json:"soldAt"`
	TimeZone              string           `json:"timeZone"`
	TerminalID            string           `json:"terminalId"`
	Cashier               string           `json:"cashier"`
	Customer              *Party           `json:"customer"`
	SalesRep              *Party           `json:"salesRep"`
	Lines                 []ReceiptLine    `json:"lines"`
	Taxes                 []ReceiptTax     `json:"taxes"`
	Subtotal              int64            `json:"subtotal"`
	DiscountTotal         int64            `json:"discountTotal"`
	TaxTotal              int64            `json:"taxTotal"`
	GrandTotal            int64            `json:"grandTotal"`
	PaidTotal             int64            `json:"paidTotal"`
	Change                int64            `json:"change"`
	Payments              []ReceiptPayment `json:"payments"`
	VoidReason            string           `json:"voidReason,omitempty"`
}

// ReceiptStore is the receipt's header.
type ReceiptStore struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Address string `json:"address"`
	Phone   string `json:"phone"`
}

// ReceiptLine is one printed line.
type ReceiptLine struct {
	Name      string `json:"name"`
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
	UnitPrice int64  `json:"unitPrice"`
	Discount  int64  `json:"discount"`
	Tax       int64  `json:"tax"`
	Total     int64  `json:"total"`
}

// ReceiptTax is the tax charged at one rate over the whole sale.
type ReceiptTax struct {
	Name    string `json:"name"`
	Rate    int64  `json:"rate"`
	Taxable int64  `json:"taxable"`
	Amount  int64  `json:"amount"`
}

// ReceiptPayment is one tender on the receipt.
type ReceiptPayment struct {
	Method    string  `json:"method"`
	Type      string  `json:"type"`
	Amount    int64   `json:"amount"`
	Reference *string `json:"reference"`
}

// Receipt returns the receipt data of a sale the actor may see.
func (s *Service) Receipt(ctx context.Context, actor models.Actor, id uuid.UUID) (*Receipt, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return ReceiptOf(d), nil
}

// ReceiptOf lays a sale out as a receipt: dates in the store's zone, taxes summed per rate.
func ReceiptOf(d *Detail) *Receipt {
	loc := d.Store.Location()
	r := &Receipt{
		SaleID: d.ID, ReceiptNumber: d.ReceiptNumber, Status: d.Status, IsRefund: d.IsRefund,
		OriginalReceiptNumber: d.OriginalReceiptNumber,
		Store:                 ReceiptStore{Code: d.Store.Code, Name: d.Store.Name, Address: d.Store.Address, Phone: d.Store.Phone},
		Date:                  d.SoldAt.In(loc).Format("2006-01-02 15:04"), SoldAt: d.SoldAt, TimeZone: loc.String(),
		TerminalID: d.TerminalID, Cashier: d.CashierName, Customer: d.Customer, SalesRep: d.SalesRep,
		Subtotal: d.Subtotal, DiscountTotal: d.DiscountTotal, TaxTotal: d.TaxTotal, GrandTotal: d.GrandTotal,
		PaidTotal: d.PaidTotal, Change: d.ChangeDue, VoidReason: d.VoidReason,
		Lines: []ReceiptLine{}, Taxes: []ReceiptTax{}, Payments: []ReceiptPayment{},
	}
	type key struct {
		name string
		rate int64
	}
	byRate := map[key]*ReceiptTax{}
	for _, it := range d.Items {
		r.Lines = append(r.Lines, ReceiptLine{Name: it.ProductName, SKU: it.SKU, Quantity: it.Quantity, UnitPrice: it.UnitPrice,
			Discount: it.DiscountAmount, Tax: it.TaxAmount, Total: it.LineTotal})
		for _, t := range it.Taxes {
			k := key{t.TaxRateName, t.Rate}
			if byRate[k] == nil {
				byRate[k] = &ReceiptTax{Name: t.TaxRateName, Rate: t.Rate}
			}
			byRate[k].Taxable += t.Taxable
			byRate[k].Amount += t.TaxAmount
		}
	}
	for _, t := range byRate {
		r.Taxes = append(r.Taxes, *t)
	}
	sort.Slice(r.Taxes, func(i, j int) bool {
		if r.Taxes[i].Rate != r.Taxes[j].Rate {
			return r.Taxes[i].Rate < r.Taxes[j].Rate
		}
		return r.Taxes[i].Name < r.Taxes[j].Name
	})
	for _, p := range d.Payments {
		r.Payments = append(r.Payments, ReceiptPayment{Method: p.Method, Type: p.TenderType, Amount: p.Amount, Reference: p.Reference})
	}
	return r
}
