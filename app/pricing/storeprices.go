package pricing

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// StorePriceInput sets a product's price at one store.
type StorePriceInput struct {
	StoreID   uuid.UUID `json:"storeId" validate:"required"`
	ProductID uuid.UUID `json:"productId" validate:"required"`
	Price     int64     `json:"price" validate:"gte=0,lte=100000000000"`
}

// StorePriceFilter narrows the list; its query tags are the API list's parameters.
type StorePriceFilter struct {
	StoreID   *uuid.UUID `query:"store_id,storeId"`
	ProductID *uuid.UUID `query:"product_id,productId"`
}

// ListStorePrices returns one page of overrides at the stores the actor may see.
func (s *Service) ListStorePrices(ctx context.Context, actor models.Actor, f StorePriceFilter, p models.Page) ([]models.StorePrice, int64, error) {
	q := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.StorePrice{}), PermStorePricesView, "store_prices.store_id")
	if f.StoreID != nil {
		q = q.Where("store_prices.store_id = ?", *f.StoreID)
	}
	if f.ProductID != nil {
		q = q.Where("store_prices.product_id = ?", *f.ProductID)
	}
	return models.Paged[models.StorePrice](q.Preload("Product").Preload("Store"), p, "store_prices.updated_at DESC, store_prices.id")
}

// UpsertStorePrice creates or replaces the override for (store, product).
func (s *Service) UpsertStorePrice(ctx context.Context, actor models.Actor, in StorePriceInput) (models.StorePrice, error) {
	if !actor.CanAt(PermStorePricesManage, in.StoreID) {
		return models.StorePrice{}, models.Forbidden("You need the %s permission at that store", PermStorePricesManage)
	}
	var out models.StorePrice
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		errs := models.Invalid()
		if _, err := checkStores(ctx, tx, []uuid.UUID{in.StoreID}, "storeId", errs); err != nil {
			return err
		}
		if _, err := productExists(ctx, tx, in.ProductID, "productId", errs); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		var before []models.StorePrice
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("store_id = ? AND product_id = ?", in.StoreID, in.ProductID).Find(&before).Error; err != nil {
			return err
		}
		out = models.StorePrice{StoreID: in.StoreID, ProductID: in.ProductID, Price: in.Price}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "store_id"}, {Name: "product_id"}},
			DoUpdates: clause.Assignments(map[string]any{"price": in.Price, "updated_at": gorm.Expr("now()")}),
		}).Omit("Product", "Store").Create(&out).Error
		if err != nil {
			return err
		}
		// On conflict the row keeps its id: read it back by its natural key.
		out = models.StorePrice{}
		if err := tx.Take(&out, "store_id = ? AND product_id = ?", in.StoreID, in.ProductID).Error; err != nil {
			return err
		}
		var prev any
		if len(before) > 0 {
			prev = before[0]
		}
		return models.Audit(ctx, tx, actor, "upsert", "store_price", out.ID, prev, out)
	})
	return out, err
}

// DeleteStorePrice removes an override; the base price applies again.
func (s *Service) DeleteStorePrice(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sp models.StorePrice
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&sp, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "store price")
		}
		if !actor.CanAt(PermStorePricesManage, sp.StoreID) {
			return models.Forbidden("You need the %s permission at that store", PermStorePricesManage)
		}
		if err := tx.Delete(&sp).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "delete", "store_price", sp.ID, sp, nil)
	})
}
