package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// UnitInput creates or changes a unit of measure.
type UnitInput struct {
	Name      string `json:"name" validate:"required,max=60"`
	ShortName string `json:"shortName" validate:"required,max=20"`
	IsActive  *bool  `json:"isActive"`
}

// UnitInputOf is the input that would leave u as it is.
func UnitInputOf(u models.Unit) UnitInput {
	active := u.IsActive
	return UnitInput{Name: u.Name, ShortName: u.ShortName, IsActive: &active}
}

// ListUnits returns every unit by name ("Each" included).
func (s *Service) ListUnits(ctx context.Context, active ActiveFilter) ([]UnitRow, error) {
	q := active.apply(s.db.WithContext(ctx).Model(&models.Unit{}), "units.is_active")
	rows := []UnitRow{}
	err := q.Select(`units.*, (SELECT count(*) FROM products p WHERE p.deleted_at IS NULL
		AND (p.purchase_unit_id = units.id OR p.consumption_unit_id = units.id)) AS product_count`).
		Order("lower(units.name)").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	return rows, nil
}

// Unit returns one unit.
func (s *Service) Unit(ctx context.Context, id uuid.UUID) (models.Unit, error) {
	var u models.Unit
	err := s.db.WithContext(ctx).Take(&u, "id = ?", id).Error
	return u, models.NotFoundIf(err, "unit")
}

func applyUnit(in UnitInput, u *models.Unit) error {
	if err := models.Validate(in); err != nil {
		return err
	}
	active := boolOr(in.IsActive, true)
	if u.ID == models.EachUnitID && !active {
		return models.FieldError("isActive", `"Each" is every product's default unit and stays active`)
	}
	u.Name, u.ShortName, u.IsActive = strings.TrimSpace(in.Name), strings.TrimSpace(in.ShortName), active
	return nil
}

func unitWriteError(err error, u models.Unit) error {
	if models.IsUniqueViolation(err, "units_name_key") {
		return conflictOn("name", fmt.Sprintf("there is already a unit named %q", u.Name))
	}
	return fmt.Errorf("save unit: %w", err)
}

// unitWrites adds and changes units.
var unitWrites = tableWrites[models.Unit, UnitInput]{noun: "unit", auditType: "unit",
	apply: applyUnit, writeError: unitWriteError, idOf: func(u models.Unit) uuid.UUID { return u.ID }}

// CreateUnit adds a unit.
func (s *Service) CreateUnit(ctx context.Context, actor models.Actor, in UnitInput) (models.Unit, error) {
	return unitWrites.create(ctx, s, actor, in)
}

// UpdateUnit changes a unit.
func (s *Service) UpdateUnit(ctx context.Context, actor models.Actor, id uuid.UUID, in UnitInput) (models.Unit, error) {
	return unitWrites.update(ctx, s, actor, id, in)
}

// DeleteUnit removes a unit no product uses. "Each" is never deleted: it is the default.
func (s *Service) DeleteUnit(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var u models.Unit
		if err := lock(tx, &u, id, "unit"); err != nil {
			return err
		}
		if u.ID == models.EachUnitID {
			return models.Conflict(`"Each" is every product's default unit and cannot be deleted`)
		}
		n, err := countWhere(tx, "products", "purchase_unit_id = ? OR consumption_unit_id = ?", id, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return models.Conflict("unit %s is used by %s; deactivate it instead", u.Name, plural(n, "product"))
		}
		err = tx.Transaction(func(sub *gorm.DB) error { return sub.Delete(&u).Error })
		if models.IsForeignKeyViolation(err) {
			return models.Conflict("unit %s is used by other records; deactivate it instead", u.Name)
		}
		if err != nil {
			return fmt.Errorf("delete unit: %w", err)
		}
		return models.Audit(ctx, tx, actor, "delete", "unit", u.ID, u, nil)
	})
}
