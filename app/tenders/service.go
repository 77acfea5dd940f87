// Package tenders is the list of ways to pay (CASH, CARD, …) that sales record payments with.
package tenders

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// Types are the kinds of tender; cash counts towards the drawer's expected cash.
var Types = []string{"CASH", "CARD", "OTHER"}

// Service runs the tender rules.
type Service struct{ db *gorm.DB }

// New returns the tender service.
func New(db *gorm.DB) *Service { return &Service{db: db} }

// Input creates or replaces a tender. IsActive nil keeps the current value (true for a new one);
// "active" is accepted as an alias since clients send both.
type Input struct {
	Code      string `json:"code" form:"code" validate:"required,max=20"`
	Name      string `json:"name" form:"name" validate:"required,max=60"`
	Type      string `json:"type" form:"type" validate:"required"`
	IsActive  *bool  `json:"isActive" form:"isActive"`
	Active    *bool  `json:"active" form:"-"`
	SortOrder int    `json:"sortOrder" form:"sortOrder" validate:"min=0,max=100000"`
}

// InputOf is the input that leaves t as it is (for edit forms).
func InputOf(t models.Tender) Input {
	active := t.IsActive
	return Input{Code: t.Code, Name: t.Name, Type: t.Type, IsActive: &active, SortOrder: t.SortOrder}
}

var codePattern = regexp.MustCompile(`^[A-Z0-9_-]+$`)

// normalise trims and upper-cases, then checks what the tags cannot: the code's characters
// and the type.
func (in *Input) normalise() error {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	in.Type = strings.ToUpper(strings.TrimSpace(in.Type))
	if in.IsActive == nil {
		in.IsActive = in.Active
	}
	e := models.Invalid()
	if err := models.Validate(in); err != nil && !errors.As(err, &e) {
		return err
	}
	if in.Code != "" && !codePattern.MatchString(in.Code) {
		e.Add("code", "may contain only letters, digits, - and _")
	}
	if in.Type != "" && !isType(in.Type) {
		e.Add("type", "must be one of CASH, CARD, OTHER")
	}
	return e.Err()
}

func isType(t string) bool {
	for _, x := range Types {
		if x == t {
			return true
		}
	}
	return false
}

// Filter narrows the tender list.
type Filter struct {
	Active *bool
}

// List returns tenders in till order (sort order, then code).
func (s *Service) List(ctx context.Context, f Filter, p models.Page) ([]models.Tender, int64, error) {
	q := s.db.WithContext(ctx).Model(&models.Tender{})
	if f.Active != nil {
		q = q.Where("is_active = ?", *f.Active)
	}
	return models.Paged[models.Tender](q, p, "sort_order, code")
}

// Get returns one tender.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (models.Tender, error) {
	var t models.Tender
	err := s.db.WithContext(ctx).Take(&t, "id = ?", id).Error
	return t, models.NotFoundIf(err, "tender")
}

// Create adds a tender; a code already used (any case) is a 409.
func (s *Service) Create(ctx context.Context, actor models.Actor, in Input) (models.Tender, error) {
	if err := in.normalise(); err != nil {
		return models.Tender{}, err
	}
	t := models.Tender{ID: models.NewID(), Code: in.Code, Name: in.Name, Type: in.Type, IsActive: in.IsActive == nil || *in.IsActive, SortOrder: in.SortOrder}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&t).Error; err != nil {
			return uniqueCode(err, t.Code)
		}
		return models.Audit(ctx, tx, actor, "tender.create", "tender", t.ID, nil, t)
	})
	return t, err
}

// Update replaces a tender's fields.
func (s *Service) Update(ctx context.Context, actor models.Actor, id uuid.UUID, in Input) (models.Tender, error) {
	if err := in.normalise(); err != nil {
		return models.Tender{}, err
	}
	var t models.Tender
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&t, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "tender")
		}
		before := t
		t.Code, t.Name, t.Type, t.SortOrder = in.Code, in.Name, in.Type, in.SortOrder
		if in.IsActive != nil {
			t.IsActive = *in.IsActive
		}
		if err := tx.Select("code", "name", "type", "is_active", "sort_order", "updated_at").Save(&t).Error; err != nil {
			return uniqueCode(err, t.Code)
		}
		return models.Audit(ctx, tx, actor, "tender.update", "tender", t.ID, before, t)
	})
	return t, err
}

// Delete removes a tender no sale has been paid with; one that has been used is a 409 (the
// sale's payments keep pointing at it), to be deactivated instead.
func (s *Service) Delete(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t models.Tender
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&t, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "tender")
		}
		used, err := s.used(tx, id)
		if err != nil {
			return err
		}
		if used {
			return inUse(t.Code)
		}
		if err := tx.Delete(&models.Tender{}, "id = ?", id).Error; err != nil {
			if models.IsForeignKeyViolation(err) {
				return inUse(t.Code)
			}
			return fmt.Errorf("delete tender: %w", err)
		}
		return models.Audit(ctx, tx, actor, "tender.delete", "tender", t.ID, t, nil)
	})
}

func inUse(code string) error {
	return models.Conflict("tender %s has been used by sales; deactivate it instead", code)
}

// used reports whether a sale payment references the tender. The sales tables belong to another
// area and may not exist yet, hence the to_regclass guard.
func (s *Service) used(tx *gorm.DB, id uuid.UUID) (bool, error) {
	var exists bool
	if err := tx.Raw(`SELECT to_regclass('sale_payments') IS NOT NULL`).Scan(&exists).Error; err != nil || !exists {
		return false, err
	}
	var used bool
	err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM sale_payments WHERE tender_id = ?)`, id).Scan(&used).Error
	return used, err
}

func uniqueCode(err error, code string) error {
	if models.IsUniqueViolation(err, "tenders_code_key") {
		return &models.Error{Kind: models.ErrConflict, Message: "Tender code " + code + " is already used",
			Fields: map[string][]string{"code": {"is already used by another tender"}}}
	}
	return fmt.Errorf("save tender %s: %w", code, err)
}
