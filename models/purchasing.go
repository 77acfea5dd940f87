package models

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Purchase order statuses, in the order a PO normally moves through them.
const (
	PODraft     = "draft"
	POSubmitted = "submitted"
	POApproved  = "approved"
	POSent      = "sent"
	POPartial   = "partial"
	POReceived  = "received"
	POCancelled = "cancelled"
)

// PurchaseOrder is an order to a supplier for one store. Total is cents.
type PurchaseOrder struct {
	ID           uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	Number       string     `json:"number"`
	SupplierID   uuid.UUID  `gorm:"type:uuid" json:"supplierId"`
	StoreID      uuid.UUID  `gorm:"type:uuid" json:"storeId"`
	Status       string     `json:"status"`
	Notes        string     `json:"notes"`
	ExpectedDate *LocalDate `json:"expectedDate"`
	Total        int64      `json:"total"`
	CreatedBy    *uuid.UUID `gorm:"type:uuid" json:"createdBy"`
	SubmittedBy  *uuid.UUID `gorm:"type:uuid" json:"submittedBy"`
	SubmittedAt  *time.Time `json:"submittedAt"`
	ApprovedBy   *uuid.UUID `gorm:"type:uuid" json:"approvedBy"`
	ApprovedAt   *time.Time `json:"approvedAt"`
	SentAt       *time.Time `json:"sentAt"`
	ReceivedAt   *time.Time `json:"receivedAt"`
	CancelledAt  *time.Time `json:"cancelledAt"`
	// ClosedShortAt, ClosedShortBy and CloseReason are set when a partly received order was
	// closed short: the rest will not come, and the order counts as received.
	ClosedShortAt *time.Time          `json:"closedShortAt"`
	ClosedShortBy *uuid.UUID          `gorm:"type:uuid" json:"closedShortBy"`
	CloseReason   *string             `json:"closeReason"`
	CreatedAt     time.Time           `json:"createdAt"`
	UpdatedAt     time.Time           `json:"updatedAt"`
	Supplier      *Supplier           `gorm:"foreignKey:SupplierID" json:"supplier,omitempty"`
	Store         *Store              `gorm:"foreignKey:StoreID" json:"store,omitempty"`
	Items         []PurchaseOrderItem `gorm:"foreignKey:PurchaseOrderID" json:"items,omitempty"`
}

// Shortfall is what is still expected of the order's Items: the quantity (thousandths) missing
// over all lines, and how many lines miss some.
func (po PurchaseOrder) Shortfall() (quantity int64, lines int) {
	for _, it := range po.Items {
		if it.QuantityReceived < it.Quantity {
			quantity += it.Quantity - it.QuantityReceived
			lines++
		}
	}
	return quantity, lines
}

// PurchaseOrderItem is one line: quantities in thousandths, UnitCost and LineTotal in cents.
type PurchaseOrderItem struct {
	ID               uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	PurchaseOrderID  uuid.UUID `gorm:"type:uuid" json:"purchaseOrderId"`
	ProductID        uuid.UUID `gorm:"type:uuid" json:"productId"`
	Quantity         int64     `json:"quantity"`
	QuantityReceived int64     `json:"quantityReceived"`
	UnitCost         int64     `json:"unitCost"`
	LineTotal        int64     `json:"lineTotal"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
	Product          *Product  `gorm:"foreignKey:ProductID" json:"product,omitempty"`
}

// PurchaseOrderReceipt is one line of one delivery: who took how much in, and when.
type PurchaseOrderReceipt struct {
	ID              uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	PurchaseOrderID uuid.UUID  `gorm:"type:uuid" json:"purchaseOrderId"`
	ItemID          uuid.UUID  `gorm:"type:uuid" json:"itemId"`
	ProductID       uuid.UUID  `gorm:"type:uuid" json:"productId"`
	Quantity        int64      `json:"quantity"`
	UnitCost        int64      `json:"unitCost"`
	UserID          *uuid.UUID `gorm:"type:uuid" json:"userId"`
	CreatedAt       time.Time  `json:"createdAt"`
}

// ProductByCode finds a live product by SKU or, failing that, by barcode: what a person types or
// scans into a line of a purchase order, worksheet or transfer.
func ProductByCode(ctx context.Context, db *gorm.DB, code string) (Product, error) {
	p, err := ProductBySKU(ctx, db, code)
	if err == nil && p.DeletedAt == nil {
		return p, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return p, err
	}
	return ProductByBarcode(ctx, db, code)
}
