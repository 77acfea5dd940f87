package models

import (
	"time"

	"github.com/google/uuid"
)

// Stock count statuses: open → posted | abandoned.
const (
	CountOpen      = "open"
	CountPosted    = "posted"
	CountAbandoned = "abandoned"
)

// StockCount is a stocktake of one store (all tracked products or one department).
type StockCount struct {
	ID           uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	Number       string     `json:"number"`
	StoreID      uuid.UUID  `gorm:"type:uuid" json:"storeId"`
	DepartmentID *uuid.UUID `gorm:"type:uuid" json:"departmentId"`
	Status       string     `json:"status"`
	Note         string     `json:"note"`
	StartedAt    time.Time  `json:"startedAt"`
	StartedBy    *uuid.UUID `gorm:"type:uuid" json:"startedBy"`
	FinishedAt   *time.Time `json:"finishedAt"`
	FinishedBy   *uuid.UUID `gorm:"type:uuid" json:"finishedBy"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
}

// StockCountLine is one product of a count: the level expected when the count started and what
// was counted (nil until counted). Quantities in thousandths, unit cost in cents.
type StockCountLine struct {
	StockCountID uuid.UUID  `gorm:"type:uuid;primaryKey" json:"-"`
	ProductID    uuid.UUID  `gorm:"type:uuid;primaryKey" json:"productId"`
	Expected     int64      `json:"expected"`
	Counted      *int64     `json:"counted"`
	UnitCost     int64      `json:"unitCost"`
	CountedAt    *time.Time `json:"countedAt"`
	CountedBy    *uuid.UUID `gorm:"type:uuid" json:"countedBy"`
}
