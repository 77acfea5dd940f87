// Package pricing owns what a product costs at a store: base prices, store price overrides,
// specials, and worksheets that change prices and products in approved batches. Resolve is the
// one price resolver sales, web services and sync use.
package pricing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// Price sources, most specific last.
const (
	SourceBase       = "base"
	SourceStorePrice = "store_price"
	SourceSpecial    = "special"
)

// Price is a product's selling price at a store at one moment, and where it came from.
type Price struct {
	ProductID  uuid.UUID  `json:"productId"`
	Price      int64      `json:"price"`
	Source     string     `json:"source"`
	BasePrice  int64      `json:"basePrice"`
	StorePrice *int64     `json:"storePrice"`
	SpecialID  *uuid.UUID `json:"specialId"`
}

// Resolve returns the price of a product at a store at time at: the store's price override
// when there is one, else the base price; an active special (its dates taken in the store's time
// zone) wins over both when it is lower.
func Resolve(ctx context.Context, db *gorm.DB, storeID, productID uuid.UUID, at time.Time) (int64, string, error) {
	m, err := ResolveMany(ctx, db, storeID, []uuid.UUID{productID}, at)
	if err != nil {
		return 0, "", err
	}
	p, ok := m[productID]
	if !ok {
		return 0, "", models.NotFound("product")
	}
	return p.Price, p.Source, nil
}

// ResolveMany resolves several products at one store in one query (for lists and sync). Unknown
// products are missing from the map; an unknown store is not found.
func ResolveMany(ctx context.Context, db *gorm.DB, storeID uuid.UUID, productIDs []uuid.UUID, at time.Time) (map[uuid.UUID]Price, error) {
	out := make(map[uuid.UUID]Price, len(productIDs))
	if len(productIDs) == 0 {
		return out, nil
	}
	var store []models.Store
	if err := db.WithContext(ctx).Where("id = ?", storeID).Limit(1).Find(&store).Error; err != nil {
		return nil, err
	}
	if len(store) == 0 {
		return nil, models.NotFound("store")
	}
	// The store's local date decides which specials run; Go's zone database is the one the rest
	// of the app uses, so compute it here rather than with PostgreSQL's AT TIME ZONE.
	day := models.DateOf(at, store[0].Location())
	type row struct {
		ID           uuid.UUID
		SellPrice    int64
		StorePrice   *int64
		SpecialID    *uuid.UUID
		SpecialPrice *int64
	}
	var rows []row
	err := db.WithContext(ctx).Raw(`
		SELECT p.id, p.sell_price, sp.price AS store_price, spc.id AS special_id, spc.special_price
		FROM products p
		LEFT JOIN store_prices sp ON sp.store_id = ? AND sp.product_id = p.id
		LEFT JOIN LATERAL (
			SELECT x.id, x.special_price FROM specials x
			WHERE x.product_id = p.id AND x.is_active
			  AND x.start_date <= ? AND x.end_date >= ?
			  AND (cardinality(x.store_ids) = 0 OR ?::uuid = ANY (x.store_ids))
			ORDER BY x.special_price, x.id LIMIT 1
		) spc ON true
		WHERE p.id IN ?`, storeID, day, day, storeID, productIDs).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		p := Price{ProductID: r.ID, Price: r.SellPrice, Source: SourceBase, BasePrice: r.SellPrice, StorePrice: r.StorePrice}
		if r.StorePrice != nil {
			p.Price, p.Source = *r.StorePrice, SourceStorePrice
		}
		if r.SpecialPrice != nil && *r.SpecialPrice < p.Price {
			p.Price, p.Source, p.SpecialID = *r.SpecialPrice, SourceSpecial, r.SpecialID
		}
		out[r.ID] = p
	}
	return out, nil
}
