package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/money"
	"backroom/app/sales"
	"backroom/models"
)

// Events a webhook can be sent for: validated when a sale is recorded (its invoice exists),
// terminated when its payment completes. A completed sale fires both, in that order.
const (
	EventValidated  = "validated"
	EventTerminated = "terminated"
)

// Payload is the JSON body of a delivery, in the field names of seed 003. Money goes out as
// decimal numbers with exactly two places, written from the integer cents (never via a float).
type Payload struct {
	Type            string     `json:"type"`
	OrderID         string     `json:"orderID"`
	OrderInternalID uuid.UUID  `json:"orderInternalID"`
	Price           Amount     `json:"price"`
	ClientID        *uuid.UUID `json:"clientID"`
	Customer        *Customer  `json:"customer"`
	CashBoxID       string     `json:"cashBoxID"`
	DeliveryMethod  string     `json:"deliveryMethod"`
	PDFInvoice      string     `json:"PDFinvoice"`
	Items           []Item     `json:"items"`
	VATs            []VAT      `json:"VATs"`
	VAT             Amount     `json:"VAT"`
	IsRefund        bool       `json:"isRefund"`
	StoreCode       string     `json:"storeCode"`
	SoldAt          time.Time  `json:"soldAt"`
}

// Customer is the sale's customer as the receiver gets it.
type Customer struct {
	ID        uuid.UUID `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	TaxID     string    `json:"taxId"`
}

// Item is one line: quantity in units (decimal), amounts in currency.
type Item struct {
	SKU       string   `json:"sku"`
	Name      string   `json:"name"`
	Quantity  Quantity `json:"quantity"`
	UnitPrice Amount   `json:"unitPrice"`
	Discount  Amount   `json:"discount"`
	Tax       Amount   `json:"tax"`
	Total     Amount   `json:"total"`
}

// VAT is the tax charged at one rate over the whole sale; rate is a percentage (8.25).
type VAT struct {
	Name   string `json:"name"`
	Rate   Rate   `json:"rate"`
	Amount Amount `json:"amount"`
}

// Amount is cents written as a decimal number with two places: 2163 is 21.63.
type Amount int64

// MarshalJSON writes the exact decimal.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(money.Decimal(int64(a))), nil }

// Quantity is thousandths written as a decimal number of units: 2000 is 2, 1250 is 1.25.
type Quantity int64

// MarshalJSON writes the exact decimal.
func (q Quantity) MarshalJSON() ([]byte, error) { return []byte(money.FormatQty(int64(q))), nil }

// Rate is basis points written as a percentage: 825 is 8.25.
type Rate int64

// MarshalJSON writes the exact decimal.
func (r Rate) MarshalJSON() ([]byte, error) {
	return []byte(strings.TrimSuffix(money.FormatBP(int64(r)), "%")), nil
}

// buildPayload lays a sale being recorded out as a payload (type left empty). It reads inside
// tx, since the sale is not committed yet; lines and taxes per rate come from the sales
// package's receipt, so the webhook, the printed receipt and its PDF agree.
func buildPayload(ctx context.Context, tx *gorm.DB, sale *models.Sale, pdfURL string) (Payload, error) {
	db := tx.WithContext(ctx)
	var store models.Store
	if err := db.Take(&store, "id = ?", sale.StoreID).Error; err != nil {
		return Payload{}, err
	}
	r := sales.ReceiptOf(&sales.Detail{Row: sales.Row{Sale: *sale}, Store: store})
	p := Payload{
		OrderID: sale.ReceiptNumber, OrderInternalID: sale.ID, Price: Amount(sale.GrandTotal),
		ClientID: sale.CustomerID, CashBoxID: sale.TerminalID, DeliveryMethod: "in_store",
		PDFInvoice: pdfURL, Items: []Item{}, VATs: []VAT{}, VAT: Amount(sale.TaxTotal),
		IsRefund: sale.IsRefund, StoreCode: store.Code, SoldAt: sale.SoldAt.UTC(),
	}
	for _, l := range r.Lines {
		p.Items = append(p.Items, Item{SKU: l.SKU, Name: l.Name, Quantity: Quantity(l.Quantity), UnitPrice: Amount(l.UnitPrice),
			Discount: Amount(l.Discount), Tax: Amount(l.Tax), Total: Amount(l.Total)})
	}
	for _, t := range r.Taxes {
		p.VATs = append(p.VATs, VAT{Name: t.Name, Rate: Rate(t.Rate), Amount: Amount(t.Amount)})
	}
	if sale.CustomerID != nil {
		var c models.Customer
		err := db.Take(&c, "id = ?", *sale.CustomerID).Error
		switch {
		case err == nil:
			p.Customer = &Customer{ID: c.ID, Code: c.Code, Name: strings.TrimSpace(c.FullName()), FirstName: c.FirstName,
				LastName: c.LastName, Email: c.Email, Phone: c.Phone, TaxID: c.TaxID}
		case errors.Is(err, gorm.ErrRecordNotFound):
			p.Customer = &Customer{ID: *sale.CustomerID}
		default:
			return Payload{}, err
		}
	}
	return p, nil
}

// encode writes the body once; it is stored and sent byte for byte on every attempt.
func encode(p Payload) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}
