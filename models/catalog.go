package models

import (
	"time"

	"github.com/google/uuid"
)

// EachUnitID is the "Each" unit every database starts with; products default to it.
var EachUnitID = uuid.MustParse("00000000-0000-7000-8000-000000000001")

// Unit is a unit of measure ("Each", "Case of 12", "Kilogram").
type Unit struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	Name      string    `json:"name"`
	ShortName string    `json:"shortName"`
	IsActive  bool      `json:"isActive"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Department groups products; departments nest through ParentID.
type Department struct {
	ID        uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	Code      *string    `json:"code"`
	Name      string     `json:"name"`
	ParentID  *uuid.UUID `gorm:"type:uuid" json:"parentId"`
	IsActive  bool       `json:"isActive"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

// TaxRate is one tax in basis points (825 = 8.25%). A compound rate also taxes the taxes
// applied before it in its group.
type TaxRate struct {
	ID         uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	Code       *string   `json:"code"`
	Name       string    `json:"name"`
	Rate       int64     `json:"rate"`
	IsCompound bool      `json:"isCompound"`
	IsActive   bool      `json:"isActive"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// TaxGroup is the ordered set of rates a product is taxed with.
type TaxGroup struct {
	ID          uuid.UUID      `gorm:"type:uuid;primaryKey" json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	CreatedAt   time.Time      `json:"createdAt"`
	UpdatedAt   time.Time      `json:"updatedAt"`
	Rates       []TaxGroupRate `gorm:"foreignKey:TaxGroupID" json:"rates,omitempty"`
}

// TaxGroupRate places a rate in a group at SortOrder.
type TaxGroupRate struct {
	TaxGroupID uuid.UUID `gorm:"type:uuid;primaryKey" json:"taxGroupId"`
	TaxRateID  uuid.UUID `gorm:"type:uuid;primaryKey" json:"taxRateId"`
	SortOrder  int       `json:"sortOrder"`
	TaxRate    *TaxRate  `gorm:"foreignKey:TaxRateID" json:"taxRate,omitempty"`
}

// Supplier is a vendor products are bought from.
type Supplier struct {
	ID          uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	Code        *string   `json:"code"`
	Name        string    `json:"name"`
	ContactName string    `json:"contactName"`
	Email       string    `json:"email"`
	Phone       string    `json:"phone"`
	Address     string    `json:"address"`
	Notes       string    `json:"notes"`
	IsActive    bool      `json:"isActive"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Product is a sellable item. SKU is unique and never changes; prices are cents.
type Product struct {
	ID                uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	SKU               string     `gorm:"column:sku" json:"sku"`
	Barcode           *string    `json:"barcode"`
	Name              string     `json:"name"`
	Description       string     `json:"description"`
	DepartmentID      *uuid.UUID `gorm:"type:uuid" json:"departmentId"`
	TaxGroupID        *uuid.UUID `gorm:"type:uuid" json:"taxGroupId"`
	CostPrice         int64      `json:"costPrice"`
	SellPrice         int64      `json:"sellPrice"`
	PurchaseUnitID    uuid.UUID  `gorm:"type:uuid" json:"purchaseUnitId"`
	ConsumptionUnitID uuid.UUID  `gorm:"type:uuid" json:"consumptionUnitId"`
	TrackStock        bool       `json:"trackStock"`
	IsActive          bool       `json:"isActive"`
	DeletedAt         *time.Time `json:"deletedAt,omitempty"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
}

// ProductSupplier links a product to a supplier with the supplier's SKU and cost.
type ProductSupplier struct {
	ProductID   uuid.UUID `gorm:"type:uuid;primaryKey" json:"productId"`
	SupplierID  uuid.UUID `gorm:"type:uuid;primaryKey" json:"supplierId"`
	SupplierSKU string    `gorm:"column:supplier_sku" json:"supplierSku"`
	Cost        int64     `json:"cost"`
	IsPreferred bool      `json:"isPreferred"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	Supplier    *Supplier `gorm:"foreignKey:SupplierID" json:"supplier,omitempty"`
}
