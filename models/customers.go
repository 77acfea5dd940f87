package models

import (
	"time"

	"github.com/google/uuid"
)

// Customer is a person the stores sell to (code like CUST-00042).
type Customer struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	Code      string    `json:"code"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	TaxID     string    `gorm:"column:tax_id" json:"taxId"`
	Notes     string    `json:"notes"`
	IsActive  bool      `json:"isActive"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// FullName is "First Last".
func (c Customer) FullName() string { return c.FirstName + " " + c.LastName }

// SalesRep is a salesperson a sale can be credited to. CommissionBP is optional (basis points).
type SalesRep struct {
	ID           uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	Phone        string    `json:"phone"`
	CommissionBP *int64    `gorm:"column:commission_bp" json:"commissionBp"`
	IsActive     bool      `json:"isActive"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}
