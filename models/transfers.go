package models

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Transfer statuses.
const (
	TransferPending   = "pending"
	TransferInTransit = "in_transit"
	TransferCompleted = "completed"
	TransferCancelled = "cancelled"
)

// Transfer moves stock from one store to another.
type Transfer struct {
	ID             uuid.UUID      `gorm:"type:uuid;primaryKey" json:"id"`
	Number         string         `json:"number"`
	FromStoreID    uuid.UUID      `gorm:"type:uuid" json:"fromStoreId"`
	ToStoreID      uuid.UUID      `gorm:"type:uuid" json:"toStoreId"`
	Status         string         `json:"status"`
	Notes          string         `json:"notes"`
	TrackingNote   string         `json:"trackingNote"`
	HasDifferences bool           `json:"hasDifferences"`
	CreatedBy      *uuid.UUID     `gorm:"type:uuid" json:"createdBy"`
	SentBy         *uuid.UUID     `gorm:"type:uuid" json:"sentBy"`
	ShippedAt      *time.Time     `json:"shippedAt"`
	ReceivedBy     *uuid.UUID     `gorm:"type:uuid" json:"receivedBy"`
	ReceivedAt     *time.Time     `json:"receivedAt"`
	CancelledBy    *uuid.UUID     `gorm:"type:uuid" json:"cancelledBy"`
	CancelledAt    *time.Time     `json:"cancelledAt"`
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
	FromStore      *Store         `gorm:"foreignKey:FromStoreID" json:"fromStore,omitempty"`
	ToStore        *Store         `gorm:"foreignKey:ToStoreID" json:"toStore,omitempty"`
	Items          []TransferItem `gorm:"foreignKey:TransferID" json:"items,omitempty"`
}

// TransferItem is one product of a transfer. Difference = Quantity − QuantityReceived (positive =
// lost); DifferenceValue is its cost in cents.
type TransferItem struct {
	ID               uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	TransferID       uuid.UUID `gorm:"type:uuid" json:"transferId"`
	ProductID        uuid.UUID `gorm:"type:uuid" json:"productId"`
	Quantity         int64     `json:"quantity"`
	QuantityReceived *int64    `json:"quantityReceived"`
	Difference       int64     `json:"difference"`
	Reason           string    `json:"reason"`
	UnitCost         int64     `json:"unitCost"`
	DifferenceValue  int64     `json:"differenceValue"`
	CreatedAt        time.Time `json:"createdAt"`
	Product          *Product  `gorm:"foreignKey:ProductID" json:"product,omitempty"`
}

// StoresFor lists the active stores where a holds perm (every active store for an HQ-wide
// grant), by code: the choices of a store picker.
func StoresFor(ctx context.Context, db *gorm.DB, a Actor, perm string) ([]Store, error) {
	var out []Store
	q := a.ScopeQuery(db.WithContext(ctx).Where("is_active"), perm, "id")
	err := q.Order("code").Limit(1000).Find(&out).Error
	return out, err
}
