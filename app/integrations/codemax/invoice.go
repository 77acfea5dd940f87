package codemax

import (
	"encoding/json"
	"time"

	"backroom/app/money"
	"backroom/models"
)

// Invoice is one sale as Codemax's sync call takes it. Money is a JSON number with exactly two
// decimals, built from cents as text (json.Number), so 21.63 goes out as 21.63 and never
// passes through a float.
type Invoice struct {
	InvoiceNo     string      `json:"invoiceNo"`
	BranchCode    string      `json:"branchCode"`
	InvoiceDate   string      `json:"invoiceDate"`
	IsVoid        bool        `json:"isVoid"`
	Subtotal      json.Number `json:"subtotal"`
	TaxTotal      json.Number `json:"taxTotal"`
	DiscountTotal json.Number `json:"discountTotal"`
	GrandTotal    json.Number `json:"grandTotal"`
	Items         []Item      `json:"items"`
	Payments      []Payment   `json:"payments"`
}

// Item is one invoice line. Quantity is in units ("2", "1.25"); amount is the line total with tax.
type Item struct {
	ItemCode  string      `json:"itemCode"`
	ItemName  string      `json:"itemName"`
	Quantity  json.Number `json:"quantity"`
	UnitPrice json.Number `json:"unitPrice"`
	Discount  json.Number `json:"discount"`
	Tax       json.Number `json:"tax"`
	Amount    json.Number `json:"amount"`
}

// Payment is one tender of an invoice: the tender code and the amount taken (negative when
// money was given back).
type Payment struct {
	Method string      `json:"method"`
	Amount json.Number `json:"amount"`
}

func amount(cents int64) json.Number { return json.Number(money.Decimal(cents)) }

// invoiceOf builds the invoice of a sale (with its items and payments loaded). A refund keeps
// the signs Backroom stores — negative quantities, line amounts, totals and payments, unit
// prices positive — so the RMS puts the goods back; isVoid says the sale was voided.
func invoiceOf(s models.Sale, branch string, loc *time.Location, isVoid bool) Invoice {
	inv := Invoice{
		InvoiceNo: s.ReceiptNumber, BranchCode: branch, InvoiceDate: s.SoldAt.In(loc).Format(time.RFC3339),
		IsVoid: isVoid, Subtotal: amount(s.Subtotal), TaxTotal: amount(s.TaxTotal),
		DiscountTotal: amount(s.DiscountTotal), GrandTotal: amount(s.GrandTotal),
		Items: make([]Item, 0, len(s.Items)), Payments: make([]Payment, 0, len(s.Payments)),
	}
	for _, it := range s.Items {
		inv.Items = append(inv.Items, Item{
			ItemCode: it.SKU, ItemName: it.ProductName, Quantity: json.Number(money.FormatQty(it.Quantity)),
			UnitPrice: amount(it.UnitPrice), Discount: amount(it.DiscountAmount), Tax: amount(it.TaxAmount),
			Amount: amount(it.LineTotal),
		})
	}
	for _, p := range s.Payments {
		inv.Payments = append(inv.Payments, Payment{Method: p.Method, Amount: amount(p.Amount)})
	}
	return inv
}
