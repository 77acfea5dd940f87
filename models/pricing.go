package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
)

// StorePrice overrides a product's base sell price at one store (cents).
type StorePrice struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	StoreID   uuid.UUID `gorm:"type:uuid" json:"storeId"`
	ProductID uuid.UUID `gorm:"type:uuid" json:"productId"`
	Price     int64     `json:"price"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Product   *Product  `gorm:"foreignKey:ProductID" json:"product,omitempty"`
	Store     *Store    `gorm:"foreignKey:StoreID" json:"store,omitempty"`
}

// Special is a promotional price for a product between two dates (inclusive, each store's time
// zone), at the listed stores or everywhere when StoreIDs is empty.
type Special struct {
	ID           uuid.UUID      `gorm:"type:uuid;primaryKey" json:"id"`
	ProductID    uuid.UUID      `gorm:"type:uuid" json:"productId"`
	SpecialPrice int64          `json:"specialPrice"`
	StartDate    LocalDate      `json:"startDate"`
	EndDate      LocalDate      `json:"endDate"`
	Description  string         `json:"description"`
	StoreIDs     pq.StringArray `gorm:"type:uuid[];default:'{}'" json:"storeIds"`
	IsActive     bool           `json:"isActive"`
	CreatedBy    *uuid.UUID     `gorm:"type:uuid" json:"createdBy"`
	CreatedAt    time.Time      `json:"createdAt"`
	UpdatedAt    time.Time      `json:"updatedAt"`
	Product      *Product       `gorm:"foreignKey:ProductID" json:"product,omitempty"`
}

// Worksheet types and statuses.
const (
	WSPriceChange   = "price_change"
	WSProductUpdate = "product_update"
	WSTaxChange     = "tax_change"
	WSDeactivate    = "deactivate"
	WSNewProduct    = "new_product"

	WSDraft     = "draft"
	WSSubmitted = "submitted"
	WSApproved  = "approved"
	WSRejected  = "rejected"
	WSApplied   = "applied"
)

// WorksheetTypes lists the types in display order.
var WorksheetTypes = []string{WSPriceChange, WSProductUpdate, WSTaxChange, WSDeactivate, WSNewProduct}

// Worksheet is a batch of product changes that is approved and then applied all at once.
type Worksheet struct {
	ID            uuid.UUID       `gorm:"type:uuid;primaryKey" json:"id"`
	Number        string          `json:"number"`
	Type          string          `json:"type"`
	Description   string          `json:"description"`
	Status        string          `json:"status"`
	EffectiveDate *LocalDate      `json:"effectiveDate"`
	RejectReason  string          `json:"rejectReason"`
	CreatedBy     *uuid.UUID      `gorm:"type:uuid" json:"createdBy"`
	SubmittedBy   *uuid.UUID      `gorm:"type:uuid" json:"submittedBy"`
	SubmittedAt   *time.Time      `json:"submittedAt"`
	ApprovedBy    *uuid.UUID      `gorm:"type:uuid" json:"approvedBy"`
	ApprovedAt    *time.Time      `json:"approvedAt"`
	RejectedBy    *uuid.UUID      `gorm:"type:uuid" json:"rejectedBy"`
	RejectedAt    *time.Time      `json:"rejectedAt"`
	AppliedBy     *uuid.UUID      `gorm:"type:uuid" json:"appliedBy"`
	AppliedAt     *time.Time      `json:"appliedAt"`
	CreatedAt     time.Time       `json:"createdAt"`
	UpdatedAt     time.Time       `json:"updatedAt"`
	StoreIDs      []uuid.UUID     `gorm:"-" json:"storeIds"`
	Items         []WorksheetItem `gorm:"foreignKey:WorksheetID" json:"items,omitempty"`
}

// WorksheetItem is one line; nil New* values leave the product's field as it is.
type WorksheetItem struct {
	ID               uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	WorksheetID      uuid.UUID  `gorm:"type:uuid" json:"worksheetId"`
	Position         int        `json:"position"`
	ProductID        *uuid.UUID `gorm:"type:uuid" json:"productId"`
	NewSKU           *string    `gorm:"column:new_sku" json:"newSku"`
	NewBarcode       *string    `json:"newBarcode"`
	NewName          *string    `json:"newName"`
	NewDescription   *string    `json:"newDescription"`
	NewDepartmentID  *uuid.UUID `gorm:"type:uuid" json:"newDepartmentId"`
	NewTaxGroupID    *uuid.UUID `gorm:"type:uuid" json:"newTaxGroupId"`
	NewSellPrice     *int64     `json:"newSellPrice"`
	NewCostPrice     *int64     `json:"newCostPrice"`
	CreatedProductID *uuid.UUID `gorm:"type:uuid" json:"createdProductId"`
	CreatedAt        time.Time  `json:"createdAt"`
	UpdatedAt        time.Time  `json:"updatedAt"`
	Product          *Product   `gorm:"foreignKey:ProductID" json:"product,omitempty"`
}

// ProductChange is one field of a product changed by a worksheet or a receipt: the price history.
type ProductChange struct {
	ID            uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	ProductID     uuid.UUID  `gorm:"type:uuid" json:"productId"`
	StoreID       *uuid.UUID `gorm:"type:uuid" json:"storeId"`
	Field         string     `json:"field"`
	OldValue      *string    `json:"oldValue"`
	NewValue      *string    `json:"newValue"`
	WorksheetID   *uuid.UUID `gorm:"type:uuid" json:"worksheetId"`
	ReferenceType string     `json:"referenceType"`
	ReferenceID   *uuid.UUID `gorm:"type:uuid" json:"referenceId"`
	UserID        *uuid.UUID `gorm:"type:uuid" json:"userId"`
	Username      string     `json:"username"`
	CreatedAt     time.Time  `json:"createdAt"`
}
