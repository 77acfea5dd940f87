package models

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Sale statuses.
const (
	SaleCompleted = "completed"
	SaleVoided    = "voided"
)

// Sale is one POS transaction. A refund is a sale with negative quantities and money, linked to
// the sale it returns goods from.
type Sale struct {
	ID                uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	StoreID           uuid.UUID  `gorm:"type:uuid" json:"storeId"`
	ReceiptNumber     string     `json:"receiptNumber"`
	TerminalID        string     `json:"terminalId"`
	RegisterSessionID *uuid.UUID `gorm:"type:uuid" json:"registerSessionId"`
	CashierID         *uuid.UUID `gorm:"type:uuid" json:"cashierId"`
	CustomerID        *uuid.UUID `gorm:"type:uuid" json:"customerId"`
	SalesRepID        *uuid.UUID `gorm:"type:uuid" json:"salesRepId"`
	Status            string     `json:"status"`
	IsRefund          bool       `json:"isRefund"`
	OriginalSaleID    *uuid.UUID `gorm:"type:uuid" json:"originalSaleId"`
	Subtotal          int64      `json:"subtotal"`
	DiscountTotal     int64      `json:"discountTotal"`
	TaxTotal          int64      `json:"taxTotal"`
	GrandTotal        int64      `json:"grandTotal"`
	PaidTotal         int64      `json:"paidTotal"`
	ChangeDue         int64      `json:"changeDue"`
	VoidReason        string     `json:"voidReason,omitempty"`
	VoidedAt          *time.Time `json:"voidedAt"`
	VoidedBy          *uuid.UUID `gorm:"type:uuid" json:"voidedBy"`
	SoldAt            time.Time  `json:"soldAt"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`

	Items    []SaleItem    `gorm:"foreignKey:SaleID" json:"items,omitempty"`
	Payments []SalePayment `gorm:"foreignKey:SaleID" json:"payments,omitempty"`
}

// SaleItem is one line of a sale. Quantity is in thousandths (negative on a refund).
type SaleItem struct {
	ID             uuid.UUID     `gorm:"type:uuid;primaryKey" json:"id"`
	SaleID         uuid.UUID     `gorm:"type:uuid" json:"saleId"`
	LineNo         int           `json:"lineNo"`
	ProductID      uuid.UUID     `gorm:"type:uuid" json:"productId"`
	ProductName    string        `json:"productName"`
	SKU            string        `gorm:"column:sku" json:"sku"`
	Quantity       int64         `json:"quantity"`
	UnitPrice      int64         `json:"unitPrice"`
	TaxRate        int64         `json:"taxRate"`
	DiscountAmount int64         `json:"discountAmount"`
	TaxAmount      int64         `json:"taxAmount"`
	LineTotal      int64         `json:"lineTotal"`
	Taxes          []SaleItemTax `gorm:"foreignKey:SaleItemID" json:"taxes"`
}

// SaleItemTax is one tax a line was charged, as the POS had the rate when it sold.
type SaleItemTax struct {
	ID          uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	SaleItemID  uuid.UUID `gorm:"type:uuid" json:"-"`
	TaxRateName string    `json:"taxRateName"`
	Rate        int64     `json:"rate"`
	IsCompound  bool      `json:"isCompound"`
	SortOrder   int       `json:"sortOrder"`
	Taxable     int64     `json:"taxable"`
	TaxAmount   int64     `json:"taxAmount"`
}

// SalePayment is one tender used on a sale (negative when money was given back).
type SalePayment struct {
	ID         uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	SaleID     uuid.UUID `gorm:"type:uuid" json:"-"`
	LineNo     int       `json:"-"`
	TenderID   uuid.UUID `gorm:"type:uuid" json:"tenderId"`
	Method     string    `json:"method"`
	TenderType string    `json:"tenderType"`
	Amount     int64     `json:"amount"`
	Reference  *string   `json:"reference"`
}

// Register session statuses.
const (
	RegisterOpen   = "open"
	RegisterClosed = "closed"
)

// RegisterSession is one till shift on a terminal, from opening float to Z report.
type RegisterSession struct {
	ID           uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	StoreID      uuid.UUID  `gorm:"type:uuid" json:"storeId"`
	TerminalID   string     `json:"terminalId"`
	CashierID    *uuid.UUID `gorm:"type:uuid" json:"cashierId"`
	Status       string     `json:"status"`
	OpeningFloat int64      `json:"openingFloat"`
	OpenedAt     time.Time  `json:"openedAt"`
	ClosedAt     *time.Time `json:"closedAt"`
	ClosedBy     *uuid.UUID `gorm:"type:uuid" json:"closedBy"`
	CountedCash  *int64     `json:"countedCash"`
	ExpectedCash *int64     `json:"expectedCash"`
	OverShort    *int64     `json:"overShort"`
	ZNumber      *string    `json:"zNumber"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
}

// OpenRegisterSession returns the open session of a terminal, or nil when there is none. The row
// is share-locked for the rest of tx, so a sale being recorded holds off the session's close
// until it commits (and a close that got there first makes the session no longer open).
func OpenRegisterSession(ctx context.Context, tx *gorm.DB, storeID uuid.UUID, terminalID string) (*RegisterSession, error) {
	var s []RegisterSession
	err := tx.WithContext(ctx).Clauses(clause.Locking{Strength: "SHARE"}).
		Where("store_id = ? AND terminal_id = ? AND status = ?", storeID, terminalID, RegisterOpen).
		Limit(1).Find(&s).Error
	if err != nil || len(s) == 0 {
		return nil, err
	}
	return &s[0], nil
}
