package pricing

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// SpecialInput is a new or changed special. Dates are "2006-01-02", inclusive, in each store's
// time zone; no storeIds means every store.
type SpecialInput struct {
	ProductID    uuid.UUID   `json:"productId" validate:"required"`
	SpecialPrice int64       `json:"specialPrice" validate:"gte=0,lte=100000000000"`
	StartDate    string      `json:"startDate" validate:"required"`
	EndDate      string      `json:"endDate" validate:"required"`
	Description  string      `json:"description" validate:"max=500"`
	StoreIDs     []uuid.UUID `json:"storeIds" validate:"max=500"`
	IsActive     *bool       `json:"isActive"`
}

// SpecialFilter narrows the list.
type SpecialFilter struct {
	ProductID *uuid.UUID
	StoreID   *uuid.UUID
	Active    *bool
}

func (s *Service) specialFrom(ctx context.Context, tx *gorm.DB, in SpecialInput, sp *models.Special) error {
	errs := models.Invalid()
	if _, err := productExists(ctx, tx, in.ProductID, "productId", errs); err != nil {
		return err
	}
	start, err := models.ParseLocalDate(in.StartDate)
	if err != nil {
		errs.Add("startDate", err.Error())
	}
	end, err2 := models.ParseLocalDate(in.EndDate)
	if err2 != nil {
		errs.Add("endDate", err2.Error())
	}
	if err == nil && err2 == nil && end.Before(start.Time) {
		errs.Add("endDate", "must be on or after the start date")
	}
	stores, err := checkStores(ctx, tx, in.StoreIDs, "storeIds", errs)
	if err != nil {
		return err
	}
	if err := errs.Err(); err != nil {
		return err
	}
	sp.ProductID, sp.SpecialPrice, sp.StartDate, sp.EndDate = in.ProductID, in.SpecialPrice, start, end
	sp.Description = strings.TrimSpace(in.Description)
	sp.StoreIDs = pq.StringArray{}
	for _, id := range stores {
		sp.StoreIDs = append(sp.StoreIDs, id.String())
	}
	if in.IsActive != nil {
		sp.IsActive = *in.IsActive
	}
	return nil
}

func storeIDsOf(sp models.Special) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(sp.StoreIDs))
	for _, s := range sp.StoreIDs {
		if id, err := uuid.Parse(s); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// ListSpecials returns one page of specials, latest start first. Store-scoped people see the
// chain-wide specials and those of their stores.
func (s *Service) ListSpecials(ctx context.Context, actor models.Actor, f SpecialFilter, p models.Page) ([]models.Special, int64, error) {
	q := s.scopeSpecials(s.db.WithContext(ctx).Model(&models.Special{}), actor)
	if f.ProductID != nil {
		q = q.Where("product_id = ?", *f.ProductID)
	}
	if f.StoreID != nil {
		q = q.Where("(cardinality(store_ids) = 0 OR ?::uuid = ANY (store_ids))", *f.StoreID)
	}
	if f.Active != nil {
		q = q.Where("is_active = ?", *f.Active)
	}
	return models.Paged[models.Special](q.Preload("Product"), p, "start_date DESC, id DESC")
}

func (s *Service) scopeSpecials(q *gorm.DB, actor models.Actor) *gorm.DB {
	all, stores := actor.Scope(PermSpecialsView)
	if all {
		return q
	}
	if len(stores) == 0 {
		return q.Where("false")
	}
	return q.Where("(cardinality(store_ids) = 0 OR store_ids && ?::uuid[])", uuidArray(stores))
}

func uuidArray(ids []uuid.UUID) pq.StringArray {
	out := make(pq.StringArray, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// ActiveSpecials lists the specials in force at at: active, and at (in a covered store's time
// zone) falls within their dates; storeID narrows to one store.
func (s *Service) ActiveSpecials(ctx context.Context, actor models.Actor, storeID *uuid.UUID, at time.Time) ([]models.Special, error) {
	var stores []models.Store
	q := s.db.WithContext(ctx).Where("is_active")
	if storeID != nil {
		q = q.Where("id = ?", *storeID)
	}
	if err := q.Find(&stores).Error; err != nil {
		return nil, err
	}
	if storeID != nil && len(stores) == 0 {
		return nil, models.NotFound("store")
	}
	// A special is in force somewhere when one of its stores has reached its start day and not
	// passed its end day; each store has its own local date.
	var conds []string
	var args []any
	for _, st := range stores {
		day := models.DateOf(at, st.Location())
		conds = append(conds, "((cardinality(store_ids) = 0 OR ?::uuid = ANY (store_ids)) AND start_date <= ? AND end_date >= ?)")
		args = append(args, st.ID, day, day)
	}
	if len(conds) == 0 {
		return []models.Special{}, nil
	}
	var out []models.Special
	err := s.scopeSpecials(s.db.WithContext(ctx).Model(&models.Special{}), actor).
		Where("is_active").Where("("+strings.Join(conds, " OR ")+")", args...).
		Preload("Product").Order("product_id, special_price").Limit(1000).Find(&out).Error
	return out, err
}

// GetSpecial returns one special.
func (s *Service) GetSpecial(ctx context.Context, actor models.Actor, id uuid.UUID) (models.Special, error) {
	var sp models.Special
	if err := s.scopeSpecials(s.db.WithContext(ctx), actor).Preload("Product").Take(&sp, "id = ?", id).Error; err != nil {
		return sp, models.NotFoundIf(err, "special")
	}
	return sp, nil
}

// CreateSpecial adds a special (active unless isActive is false).
func (s *Service) CreateSpecial(ctx context.Context, actor models.Actor, in SpecialInput) (models.Special, error) {
	if !canFor(actor, PermSpecialsManage, in.StoreIDs) {
		return models.Special{}, forbiddenFor(PermSpecialsManage, in.StoreIDs)
	}
	sp := models.Special{IsActive: true, CreatedBy: userOf(actor)}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.specialFrom(ctx, tx, in, &sp); err != nil {
			return err
		}
		if err := tx.Omit("Product").Create(&sp).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "create", "special", sp.ID, nil, sp)
	})
	return sp, err
}

// UpdateSpecial replaces a special's fields.
func (s *Service) UpdateSpecial(ctx context.Context, actor models.Actor, id uuid.UUID, in SpecialInput) (models.Special, error) {
	var sp models.Special
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&sp, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "special")
		}
		before := sp
		if !canFor(actor, PermSpecialsManage, storeIDsOf(sp)) || !canFor(actor, PermSpecialsManage, in.StoreIDs) {
			return forbiddenFor(PermSpecialsManage, in.StoreIDs)
		}
		if err := s.specialFrom(ctx, tx, in, &sp); err != nil {
			return err
		}
		if err := tx.Model(&sp).Select("product_id", "special_price", "start_date", "end_date", "description", "store_ids", "is_active", "updated_at").Updates(&sp).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "update", "special", sp.ID, before, sp)
	})
	return sp, err
}

// SetSpecialActive activates or deactivates (ends early) a special.
func (s *Service) SetSpecialActive(ctx context.Context, actor models.Actor, id uuid.UUID, active bool) (models.Special, error) {
	var sp models.Special
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&sp, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "special")
		}
		if !canFor(actor, PermSpecialsManage, storeIDsOf(sp)) {
			return forbiddenFor(PermSpecialsManage, storeIDsOf(sp))
		}
		before := sp.IsActive
		sp.IsActive = active
		if err := tx.Model(&sp).Select("is_active", "updated_at").Updates(&sp).Error; err != nil {
			return err
		}
		action := "deactivate"
		if active {
			action = "activate"
		}
		return models.Audit(ctx, tx, actor, action, "special", sp.ID, map[string]bool{"isActive": before}, map[string]bool{"isActive": active})
	})
	return sp, err
}

// DeleteSpecial deletes a special no sale has used; a used one can only be deactivated.
func (s *Service) DeleteSpecial(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sp models.Special
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&sp, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "special")
		}
		if !canFor(actor, PermSpecialsManage, storeIDsOf(sp)) {
			return forbiddenFor(PermSpecialsManage, storeIDsOf(sp))
		}
		used, err := specialUsed(ctx, tx, sp)
		if err != nil {
			return err
		}
		if used {
			return models.Conflict("this special was used by sales and cannot be deleted; deactivate it instead")
		}
		if err := tx.Delete(&sp).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "delete", "special", sp.ID, sp, nil)
	})
}

// specialUsed reports whether a sale used the special. Sale lines do not record which special
// priced them, so "used" means: a completed sale of the product, at a store the special covers,
// on a day (in that store's zone) within the special's dates. That may refuse a delete for a sale
// that charged the regular price, which errs on the side of keeping history. The sales tables
// belong to another area and may not exist in every build, hence the to_regclass guard.
func specialUsed(ctx context.Context, tx *gorm.DB, sp models.Special) (bool, error) {
	var exists bool
	if err := tx.WithContext(ctx).Raw("SELECT to_regclass('public.sale_items') IS NOT NULL AND to_regclass('public.sales') IS NOT NULL").Scan(&exists).Error; err != nil {
		return false, err
	}
	if !exists {
		return false, nil
	}
	var used bool
	err := tx.WithContext(ctx).Raw(`
		SELECT EXISTS (
			SELECT 1 FROM sale_items si
			JOIN sales s ON s.id = si.sale_id
			JOIN stores st ON st.id = s.store_id
			WHERE si.product_id = ? AND s.status = 'completed'
			  AND (cardinality(?::uuid[]) = 0 OR s.store_id = ANY (?::uuid[]))
			  AND (s.sold_at AT TIME ZONE st.time_zone)::date BETWEEN ? AND ?)`,
		sp.ProductID, sp.StoreIDs, sp.StoreIDs, sp.StartDate, sp.EndDate).Scan(&used).Error
	return used, err
}
