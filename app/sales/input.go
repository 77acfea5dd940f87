package sales

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"backroom/models"
)

// SaleInput is the body of POST /api/v1/sales, exactly as the POS sends it (seed 002). Money is
// cents, quantities thousandths, rates basis points. Ids are strings so a malformed one is a 422
// naming the field rather than a 400 for the whole body.
type SaleInput struct {
	ReceiptNumber  string         `json:"receiptNumber" validate:"max=40"`
	CashierID      *string        `json:"cashierId"`
	TerminalID     string         `json:"terminalId" validate:"max=40"`
	Subtotal       int64          `json:"subtotal"`
	TaxTotal       int64          `json:"taxTotal"`
	DiscountTotal  int64          `json:"discountTotal"`
	GrandTotal     int64          `json:"grandTotal"`
	StoreID        string         `json:"storeId"`
	SalesRepID     *string        `json:"salesRepId"`
	CustomerID     *string        `json:"customerId"`
	Items          []ItemInput    `json:"items" validate:"max=500,dive"`
	Payments       []PaymentInput `json:"payments" validate:"max=20,dive"`
	SoldAt         *time.Time     `json:"soldAt"`
	OriginalSaleID *string        `json:"originalSaleId"`
}

// ItemInput is one line of a sale. Taxes are the rates the POS applied when it sold (it may
// have been offline with older rates); when the array is absent the product's current tax group
// is used, and an empty array means the line was not taxed.
type ItemInput struct {
	ProductID      string     `json:"productId"`
	ProductName    string     `json:"productName" validate:"max=255"`
	Quantity       int64      `json:"quantity"`
	UnitPrice      int64      `json:"unitPrice" validate:"gte=0"`
	TaxRate        int64      `json:"taxRate"`
	TaxAmount      int64      `json:"taxAmount"`
	DiscountAmount int64      `json:"discountAmount"`
	LineTotal      int64      `json:"lineTotal"`
	Taxes          []TaxInput `json:"taxes" validate:"max=10,dive"`
}

// TaxInput is one tax on a line.
type TaxInput struct {
	TaxRateName string `json:"taxRateName" validate:"max=120"`
	Rate        int64  `json:"rate" validate:"gte=0,lte=100000"`
	TaxAmount   int64  `json:"taxAmount"`
	IsCompound  bool   `json:"isCompound"`
	SortOrder   int    `json:"sortOrder"`
}

// PaymentInput is one tender used: method is a tender code (CASH, CARD, …). Amounts are
// negative on a refund (money given back).
type PaymentInput struct {
	Method    string  `json:"method" validate:"max=20"`
	Amount    int64   `json:"amount"`
	Reference *string `json:"reference" validate:"omitempty,max=120"`
}

// ids are the parsed identifiers of a SaleInput.
type ids struct {
	store, cashier, salesRep, customer, original *uuid.UUID
	products                                     []uuid.UUID
}

// parse runs the shape checks that need no database: required fields, id syntax, signs. It
// returns the parsed ids and every problem found, keyed by JSON field path.
func (in *SaleInput) parse() (ids, *models.Error) {
	e := models.Invalid()
	if err := models.Validate(in); err != nil {
		if ve, ok := err.(*models.Error); ok {
			e = ve
		} else {
			e.Add("body", err.Error())
		}
	}
	var out ids
	in.ReceiptNumber = strings.TrimSpace(in.ReceiptNumber)
	in.TerminalID = strings.TrimSpace(in.TerminalID)
	if in.ReceiptNumber == "" {
		e.Add("receiptNumber", "is required")
	}
	out.store = requiredID(e, "storeId", in.StoreID)
	out.cashier = optionalID(e, "cashierId", in.CashierID)
	out.salesRep = optionalID(e, "salesRepId", in.SalesRepID)
	out.customer = optionalID(e, "customerId", in.CustomerID)
	out.original = optionalID(e, "originalSaleId", in.OriginalSaleID)
	refund := out.original != nil
	if len(in.Items) == 0 {
		e.Add("items", "a sale needs at least one item")
	}
	out.products = make([]uuid.UUID, len(in.Items))
	for i, it := range in.Items {
		f := itemField(i)
		if id := requiredID(e, f("productId"), it.ProductID); id != nil {
			out.products[i] = *id
		}
		switch {
		case it.Quantity == 0:
			e.Add(f("quantity"), "must not be zero")
		case refund && it.Quantity > 0:
			e.Add(f("quantity"), "must be negative on a refund (goods coming back)")
		case !refund && it.Quantity < 0:
			e.Add(f("quantity"), "must be positive; a refund needs originalSaleId")
		}
	}
	for i, p := range in.Payments {
		f := paymentField(i)
		if strings.TrimSpace(p.Method) == "" {
			e.Add(f("method"), "is required")
		}
		switch {
		case p.Amount == 0:
			e.Add(f("amount"), "must not be zero")
		case refund && p.Amount > 0:
			e.Add(f("amount"), "must be negative on a refund (money given back)")
		case !refund && p.Amount < 0:
			e.Add(f("amount"), "must be positive")
		}
	}
	return out, e
}

func itemField(i int) func(string) string {
	return func(name string) string { return "items[" + strconv.Itoa(i) + "]." + name }
}

func paymentField(i int) func(string) string {
	return func(name string) string { return "payments[" + strconv.Itoa(i) + "]." + name }
}

func taxField(i, j int) string {
	return "items[" + strconv.Itoa(i) + "].taxes[" + strconv.Itoa(j) + "].taxAmount"
}

func requiredID(e *models.Error, field, s string) *uuid.UUID {
	s = strings.TrimSpace(s)
	if s == "" {
		e.Add(field, "is required")
		return nil
	}
	return optionalID(e, field, &s)
}

func optionalID(e *models.Error, field string, s *string) *uuid.UUID {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	id, err := uuid.Parse(strings.TrimSpace(*s))
	if err != nil {
		e.Add(field, "must be a valid id")
		return nil
	}
	return &id
}
