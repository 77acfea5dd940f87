package customers

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// SalesRepInput creates or changes a sales rep. CommissionBP is optional (basis points, 0–10000).
type SalesRepInput struct {
	Code         string `json:"code" validate:"required,max=20"`
	Name         string `json:"name" validate:"required,max=120"`
	Email        string `json:"email" validate:"omitempty,email,max=254"`
	Phone        string `json:"phone" validate:"max=40"`
	CommissionBP *int64 `json:"commissionBp" validate:"omitempty,min=0,max=10000"`
	IsActive     *bool  `json:"isActive"`
}

func (in *SalesRepInput) check() error {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name, in.Email, in.Phone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Email), strings.TrimSpace(in.Phone)
	return validate(in, in.Code)
}

// SalesRepFilter narrows the sales-rep list; Search matches code or name fragments.
type SalesRepFilter struct {
	Search string
	Active ActiveFilter
}

// ListSalesReps returns a page of sales reps by name.
func (s *Service) ListSalesReps(ctx context.Context, f SalesRepFilter, p models.Page) ([]models.SalesRep, int64, error) {
	active := f.Active
	if active == "" {
		active = "all" // the back office manages inactive reps too; the POS asks for active=true
	}
	q, err := active.apply(s.db.WithContext(ctx).Model(&models.SalesRep{}))
	if err != nil {
		return nil, 0, err
	}
	if term := strings.TrimSpace(f.Search); term != "" {
		like := "%" + likeEscape(strings.ToLower(term)) + "%"
		q = q.Where("lower(code) LIKE ? OR lower(name) LIKE ?", like, like)
	}
	return models.Paged[models.SalesRep](q, p, "lower(name), code")
}

// SalesRep returns one sales rep.
func (s *Service) SalesRep(ctx context.Context, id uuid.UUID) (models.SalesRep, error) {
	var r models.SalesRep
	err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error
	return r, models.NotFoundIf(err, "sales rep")
}

func salesRepSaveError(err error, code string) error {
	if models.IsUniqueViolation(err, "sales_reps_code_key") {
		return conflict("code", "sales rep code "+code+" is already used")
	}
	return fmt.Errorf("save sales rep: %w", err)
}

// CreateSalesRep adds a sales rep.
func (s *Service) CreateSalesRep(ctx context.Context, actor models.Actor, in SalesRepInput) (models.SalesRep, error) {
	if err := in.check(); err != nil {
		return models.SalesRep{}, err
	}
	r := models.SalesRep{ID: models.NewID(), Code: in.Code, Name: in.Name, Email: in.Email, Phone: in.Phone,
		CommissionBP: in.CommissionBP, IsActive: in.IsActive == nil || *in.IsActive}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return salesRepSaveError(err, r.Code)
		}
		return models.Audit(ctx, tx, actor, "sales_rep.create", "sales_rep", r.ID, nil, r)
	})
	return r, err
}

// UpdateSalesRep replaces a sales rep's fields.
func (s *Service) UpdateSalesRep(ctx context.Context, actor models.Actor, id uuid.UUID, in SalesRepInput) (models.SalesRep, error) {
	if err := in.check(); err != nil {
		return models.SalesRep{}, err
	}
	var r models.SalesRep
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "sales rep")
		}
		before := r
		r.Code, r.Name, r.Email, r.Phone, r.CommissionBP = in.Code, in.Name, in.Email, in.Phone, in.CommissionBP
		if in.IsActive != nil {
			r.IsActive = *in.IsActive
		}
		if err := tx.Save(&r).Error; err != nil {
			return salesRepSaveError(err, r.Code)
		}
		return models.Audit(ctx, tx, actor, "sales_rep.update", "sales_rep", r.ID, before, r)
	})
	return r, err
}

// ToggleSalesRep flips a sales rep between active and inactive.
func (s *Service) ToggleSalesRep(ctx context.Context, actor models.Actor, id uuid.UUID) (models.SalesRep, error) {
	var r models.SalesRep
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Raw(`UPDATE sales_reps SET is_active = NOT is_active, updated_at = now() WHERE id = ? RETURNING *`, id).Scan(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.NotFound("sales rep")
		}
		before := r
		before.IsActive = !r.IsActive
		return models.Audit(ctx, tx, actor, "sales_rep.toggle_active", "sales_rep", r.ID, before, r)
	})
	return r, err
}

// DeleteSalesRep removes a sales rep no sale is credited to; one with sales is a 409 (deactivate
// instead, so the sales-by-rep report keeps its name).
func (s *Service) DeleteSalesRep(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var r models.SalesRep
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "sales rep")
		}
		ok, err := tableHas(tx, "sales")
		if err != nil {
			return err
		}
		if ok {
			var used bool
			if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM sales WHERE sales_rep_id = ?)`, id).Scan(&used).Error; err != nil {
				return fmt.Errorf("check sales of rep: %w", err)
			}
			if used {
				return models.Conflict("sales rep %s has sales; deactivate them instead", r.Code)
			}
		}
		if err := tx.Delete(&models.SalesRep{}, "id = ?", id).Error; err != nil {
			return fmt.Errorf("delete sales rep: %w", err)
		}
		return models.Audit(ctx, tx, actor, "sales_rep.delete", "sales_rep", r.ID, r, nil)
	})
}
