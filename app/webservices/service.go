// Package webservices is the API outside tools call with an API key (seed 003): record a sale
// made elsewhere, download a day's sales report, download the catalogue lists. Everything goes
// through the owning areas' exported functions: sales.Create for the sale (so stock moves and
// webhooks fire), pricing.ResolveMany for prices, linemath for the sums.
package webservices

import (
	"gorm.io/gorm"

	"backroom/app/apikeys"
	"backroom/app/sales"
)

// Service answers the web services.
type Service struct {
	db    *gorm.DB
	keys  *apikeys.Service
	sales *sales.Service
}

// New builds the service on the API-key service that authenticates its callers and the app's
// sales service, which records the sales (so stock moves and the sale hooks run).
func New(db *gorm.DB, keys *apikeys.Service, sales *sales.Service) *Service {
	return &Service{db: db, keys: keys, sales: sales}
}
