package pricing

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// Permission codes used here.
const (
	PermStorePricesView   = "store_prices.view"
	PermStorePricesManage = "store_prices.manage"
	PermSpecialsView      = "specials.view"
	PermSpecialsManage    = "specials.manage"
	PermWSView            = "worksheets.view"
	PermWSCreate          = "worksheets.create"
	PermWSDelete          = "worksheets.delete"
	PermWSSubmit          = "worksheets.submit"
	PermWSApprove         = "worksheets.approve"
	PermWSApply           = "worksheets.apply"
)

// Service runs store prices, specials and worksheets.
type Service struct{ db *gorm.DB }

// New returns the pricing service.
func New(db *gorm.DB) *Service { return &Service{db: db} }

func userOf(a models.Actor) *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

// canFor reports whether the actor holds perm at every one of stores; no stores means the whole
// chain, which needs an HQ-wide grant.
func canFor(a models.Actor, perm string, stores []uuid.UUID) bool {
	if len(stores) == 0 {
		return a.HQ[perm]
	}
	for _, s := range stores {
		if !a.CanAt(perm, s) {
			return false
		}
	}
	return true
}

func forbiddenFor(perm string, stores []uuid.UUID) error {
	if len(stores) == 0 {
		return models.Forbidden("Chain-wide changes need the %s permission for every store", perm)
	}
	return models.Forbidden("You need the %s permission at every store this applies to", perm)
}

// checkStores adds an error for each unknown store id and returns the de-duplicated list.
func checkStores(ctx context.Context, tx *gorm.DB, ids []uuid.UUID, field string, errs *models.Error) ([]uuid.UUID, error) {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	var n int64
	if err := tx.WithContext(ctx).Model(&models.Store{}).Where("id IN ?", out).Count(&n).Error; err != nil {
		return nil, err
	}
	if int(n) != len(out) {
		errs.Add(field, "contains an unknown store")
	}
	return out, nil
}

// productExists adds an error when the product is unknown or deleted.
func productExists(ctx context.Context, tx *gorm.DB, id uuid.UUID, field string, errs *models.Error) (models.Product, error) {
	var p models.Product
	err := tx.WithContext(ctx).Take(&p, "id = ? AND deleted_at IS NULL", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		errs.Add(field, "unknown product")
		return p, nil
	}
	return p, err
}

func str(v any) *string {
	s := fmt.Sprint(v)
	return &s
}
