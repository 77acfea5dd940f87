package models

import (
	"time"

	"github.com/google/uuid"
)

// Tender is a way to pay (CASH, CARD, …).
type Tender struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Type      string    `json:"type"` // CASH | CARD | OTHER
	IsActive  bool      `json:"isActive"`
	SortOrder int       `json:"sortOrder"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// InventoryLevel is the stock of one product at one store, in thousandths.
type InventoryLevel struct {
	StoreID      uuid.UUID `gorm:"type:uuid;primaryKey" json:"storeId"`
	ProductID    uuid.UUID `gorm:"type:uuid;primaryKey" json:"productId"`
	Quantity     int64     `json:"quantity"`
	ReorderPoint int64     `json:"reorderPoint"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// Movement types: every stock change is one of these.
const (
	MoveSale       = "sale"
	MoveVoid       = "void"
	MoveRefund     = "refund"
	MoveAdjustment = "adjustment"
	MoveCount      = "count"
	MoveTransfer   = "transfer"
	MoveReceipt    = "receipt"
	MoveExternal   = "external"
)

// InventoryMovement is one line of the stock ledger.
type InventoryMovement struct {
	ID             uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	StoreID        uuid.UUID  `gorm:"type:uuid" json:"storeId"`
	ProductID      uuid.UUID  `gorm:"type:uuid" json:"productId"`
	Type           string     `json:"type"`
	Quantity       int64      `json:"quantity"`
	QuantityAfter  int64      `json:"quantityAfter"`
	Reason         string     `json:"reason"`
	ReferenceType  string     `json:"referenceType"`
	ReferenceID    *uuid.UUID `gorm:"type:uuid" json:"referenceId"`
	IdempotencyKey *string    `json:"-"`
	UserID         *uuid.UUID `gorm:"type:uuid" json:"userId"`
	CreatedAt      time.Time  `json:"createdAt"`
}
