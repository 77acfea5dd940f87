package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// SupplierInput creates or changes a supplier.
type SupplierInput struct {
	Code        *string `json:"code" validate:"omitempty,max=20"`
	Name        string  `json:"name" validate:"required,max=120"`
	ContactName string  `json:"contactName" validate:"max=120"`
	Email       string  `json:"email" validate:"omitempty,max=254,email"`
	Phone       string  `json:"phone" validate:"max=40"`
	Address     string  `json:"address" validate:"max=1000"`
	Notes       string  `json:"notes" validate:"max=5000"`
	IsActive    *bool   `json:"isActive"`
}

// SupplierInputOf is the input that would leave sp as it is.
func SupplierInputOf(sp models.Supplier) SupplierInput {
	active := sp.IsActive
	return SupplierInput{Code: sp.Code, Name: sp.Name, ContactName: sp.ContactName, Email: sp.Email,
		Phone: sp.Phone, Address: sp.Address, Notes: sp.Notes, IsActive: &active}
}

// SupplierFilter narrows the supplier list.
type SupplierFilter struct {
	Search string // name, code, contact or email
	Active ActiveFilter
	Page   models.Page
}

// ListSuppliers returns one page of suppliers by name.
func (s *Service) ListSuppliers(ctx context.Context, f SupplierFilter) ([]SupplierRow, int64, error) {
	q := s.db.WithContext(ctx).Model(&models.Supplier{})
	if t := strings.TrimSpace(f.Search); t != "" {
		like := "%" + models.EscapeLike(strings.ToLower(t)) + "%"
		q = q.Where("lower(suppliers.name) LIKE ? OR lower(coalesce(suppliers.code, '')) LIKE ? OR lower(suppliers.contact_name) LIKE ? OR lower(suppliers.email) LIKE ?", like, like, like, like)
	}
	q = f.Active.apply(q, "suppliers.is_active")
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count suppliers: %w", err)
	}
	rows := make([]SupplierRow, 0, f.Page.PageSize)
	err := f.Page.Apply(q.Session(&gorm.Session{})).
		Select("suppliers.*, (SELECT count(*) FROM product_suppliers ps WHERE ps.supplier_id = suppliers.id) AS product_count").
		Order("lower(suppliers.name)").Find(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list suppliers: %w", err)
	}
	return rows, total, nil
}

// Supplier returns one supplier.
func (s *Service) Supplier(ctx context.Context, id uuid.UUID) (models.Supplier, error) {
	var sp models.Supplier
	err := s.db.WithContext(ctx).Take(&sp, "id = ?", id).Error
	return sp, models.NotFoundIf(err, "supplier")
}

func applySupplier(in SupplierInput, sp *models.Supplier) error {
	if err := models.Validate(in); err != nil {
		return err
	}
	sp.Code, sp.Name = optionalText(in.Code), strings.TrimSpace(in.Name)
	sp.ContactName, sp.Email, sp.Phone = strings.TrimSpace(in.ContactName), strings.TrimSpace(in.Email), strings.TrimSpace(in.Phone)
	sp.Address, sp.Notes = strings.TrimSpace(in.Address), strings.TrimSpace(in.Notes)
	sp.IsActive = boolOr(in.IsActive, true)
	return nil
}

func supplierWriteError(err error, sp models.Supplier) error {
	switch {
	case models.IsUniqueViolation(err, "suppliers_name_key"):
		return conflictOn("name", fmt.Sprintf("there is already a supplier named %q", sp.Name))
	case models.IsUniqueViolation(err, "suppliers_code_key"):
		return conflictOn("code", fmt.Sprintf("supplier code %q is already used", *sp.Code))
	}
	return fmt.Errorf("save supplier: %w", err)
}

// supplierWrites adds and changes suppliers.
var supplierWrites = tableWrites[models.Supplier, SupplierInput]{noun: "supplier", auditType: "supplier",
	apply: applySupplier, writeError: supplierWriteError, idOf: func(sp models.Supplier) uuid.UUID { return sp.ID }}

// CreateSupplier adds a supplier.
func (s *Service) CreateSupplier(ctx context.Context, actor models.Actor, in SupplierInput) (models.Supplier, error) {
	return supplierWrites.create(ctx, s, actor, in)
}

// UpdateSupplier changes a supplier.
func (s *Service) UpdateSupplier(ctx context.Context, actor models.Actor, id uuid.UUID, in SupplierInput) (models.Supplier, error) {
	return supplierWrites.update(ctx, s, actor, id, in)
}

// DeleteSupplier removes a supplier nothing refers to. One with products (or purchase orders)
// is kept for the history: deactivate it instead.
func (s *Service) DeleteSupplier(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var sp models.Supplier
		if err := lock(tx, &sp, id, "supplier"); err != nil {
			return err
		}
		n, err := countWhere(tx, "product_suppliers", "supplier_id = ?", id)
		if err != nil {
			return err
		}
		if n > 0 {
			return models.Conflict("supplier %s is linked to %s; deactivate it instead", sp.Name, plural(n, "product"))
		}
		// Other areas (purchase orders) refer to suppliers too; a savepoint keeps the
		// transaction usable to explain the refusal.
		err = tx.Transaction(func(sub *gorm.DB) error { return sub.Delete(&sp).Error })
		if models.IsForeignKeyViolation(err) {
			return models.Conflict("supplier %s is used by purchase orders or other records; deactivate it instead", sp.Name)
		}
		if err != nil {
			return fmt.Errorf("delete supplier: %w", err)
		}
		return models.Audit(ctx, tx, actor, "delete", "supplier", sp.ID, sp, nil)
	})
}
