package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
)

// API key scopes.
const (
	ScopeSalesWrite   = "sales.write"
	ScopeReportsRead  = "reports.read"
	ScopeCatalogRead  = "catalog.read"
	ScopeCatalogWrite = "catalog.write"
)

// APIScopes lists every scope a key may hold.
var APIScopes = []string{ScopeSalesWrite, ScopeReportsRead, ScopeCatalogRead, ScopeCatalogWrite}

// APIKey lets an outside tool call the web services. KeyHash is a SHA-256 of the key; the key
// itself is never stored.
type APIKey struct {
	ID         uuid.UUID      `gorm:"type:uuid;primaryKey" json:"id"`
	Name       string         `json:"name"`
	StoreID    *uuid.UUID     `gorm:"type:uuid" json:"storeId"`
	Scopes     pq.StringArray `gorm:"type:text[]" json:"scopes"`
	Prefix     string         `json:"prefix"`
	KeyHash    string         `json:"-"`
	LastUsedAt *time.Time     `json:"lastUsedAt"`
	RevokedAt  *time.Time     `json:"revokedAt"`
	CreatedBy  *uuid.UUID     `gorm:"type:uuid" json:"createdBy"`
	CreatedAt  time.Time      `json:"createdAt"`
}

// TableName names the table.
func (APIKey) TableName() string { return "api_keys" }

// HasScope reports whether the key holds scope.
func (k APIKey) HasScope(scope string) bool {
	for _, s := range k.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// scopePermissions maps a key's scopes to the permissions services check.
var scopePermissions = map[string][]string{
	ScopeSalesWrite:   {"pos.sell", "customers.create", "customers.view", "products.view"},
	ScopeReportsRead:  {"reports.view_global", "pos.sell"},
	ScopeCatalogRead:  {"products.view", "suppliers.view", "customers.view", "taxes.view"},
	ScopeCatalogWrite: {"products.create", "products.edit", "products.view", "inventory.adjust", "inventory.view"},
}

// Actor is the key as services see it: its scopes' permissions at its store (every store when
// the key has none), named after the key for the audit trail.
func (k APIKey) Actor() Actor {
	perms := map[string]bool{}
	for _, s := range k.Scopes {
		for _, p := range scopePermissions[s] {
			perms[p] = true
		}
	}
	a := Actor{Username: "api-key:" + k.Name, Stores: map[uuid.UUID]map[string]bool{}}
	if k.StoreID == nil {
		a.HQ = perms
	} else {
		a.Stores[*k.StoreID] = perms
	}
	return a
}
