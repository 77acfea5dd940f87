package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
)

// Store is a location of the chain: HQ or a shop. Code is unique and never changes.
type Store struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	Phone     string    `json:"phone"`
	TimeZone  string    `json:"timeZone"`
	IsHQ      bool      `gorm:"column:is_hq" json:"isHq"`
	IsActive  bool      `json:"isActive"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Location returns the store's time zone, falling back to UTC for an unknown name.
func (s Store) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Role is a named set of permission codes.
type Role struct {
	ID          uuid.UUID      `gorm:"type:uuid;primaryKey" json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Permissions pq.StringArray `gorm:"type:text[]" json:"permissions"`
	CreatedAt   time.Time      `json:"createdAt"`
	UpdatedAt   time.Time      `json:"updatedAt"`
}

// User is a person who signs in. Hashes never leave the server: they carry `json:"-"`.
type User struct {
	ID           uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"displayName"`
	Email        string    `json:"email"`
	PasswordHash string    `json:"-"`
	PinHash      string    `json:"-"`
	PinLookup    *string   `json:"-"`
	IsActive     bool      `json:"isActive"`
	// CredentialEpoch moves on every PIN or password change; tokens and sessions issued under an
	// older epoch are refused.
	CredentialEpoch int        `json:"-"`
	LastLoginAt     *time.Time `json:"lastLoginAt"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`

	Roles []UserStoreRole `gorm:"foreignKey:UserID" json:"roles,omitempty"`
}

// HasPIN and HasPassword tell the UI which credentials are set without revealing them.
func (u User) HasPIN() bool      { return u.PinHash != "" }
func (u User) HasPassword() bool { return u.PasswordHash != "" }

// UserStoreRole gives a user one role at one store, or HQ-wide when StoreID is nil.
type UserStoreRole struct {
	ID        uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	UserID    uuid.UUID  `gorm:"type:uuid" json:"userId"`
	StoreID   *uuid.UUID `gorm:"type:uuid" json:"storeId"`
	RoleID    uuid.UUID  `gorm:"type:uuid" json:"roleId"`
	CreatedAt time.Time  `json:"createdAt"`

	Role  *Role  `gorm:"foreignKey:RoleID" json:"role,omitempty"`
	Store *Store `gorm:"foreignKey:StoreID" json:"store,omitempty"`
}
