package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// maxMoney caps prices at $1,000,000,000.00: anything larger is a typo.
const maxMoney = 100_000_000_000

// ProductInput is the body of product create and update (seed 002). Ids are strings so a
// malformed one is a 422 on that field; blank ids mean none. On update, fields left out of
// the body keep their current values (the handler starts from ProductInputOf).
type ProductInput struct {
	SKU               string  `json:"sku" validate:"required,max=50"`
	Barcode           *string `json:"barcode"`
	Name              string  `json:"name" validate:"required,max=255"`
	Description       string  `json:"description" validate:"max=5000"`
	DepartmentID      *string `json:"departmentId"`
	CostPrice         int64   `json:"costPrice" validate:"gte=0,lte=100000000000"`
	SellPrice         int64   `json:"sellPrice" validate:"gte=0,lte=100000000000"`
	TaxGroupID        *string `json:"taxGroupId"`
	PurchaseUnitID    *string `json:"purchaseUnitId"`
	ConsumptionUnitID *string `json:"consumptionUnitId"`
	TrackStock        *bool   `json:"trackStock"`
	IsActive          *bool   `json:"isActive"`
}

// ProductInputOf is the input that would leave p as it is.
func ProductInputOf(p models.Product) ProductInput {
	str := func(id *uuid.UUID) *string {
		if id == nil {
			return nil
		}
		s := id.String()
		return &s
	}
	in := ProductInput{
		SKU: p.SKU, Barcode: p.Barcode, Name: p.Name, Description: p.Description,
		DepartmentID: str(p.DepartmentID), TaxGroupID: str(p.TaxGroupID),
		CostPrice: p.CostPrice, SellPrice: p.SellPrice,
		PurchaseUnitID: str(&p.PurchaseUnitID), ConsumptionUnitID: str(&p.ConsumptionUnitID),
	}
	track, active := p.TrackStock, p.IsActive
	in.TrackStock, in.IsActive = &track, &active
	return in
}

// ProductFilter narrows the product list.
type ProductFilter struct {
	Search       string
	DepartmentID *uuid.UUID // includes its sub-departments
	Active       ActiveFilter
	Sort         string // name (default), sku, sellPrice, costPrice, updatedAt; "-" prefix for descending
	Page         models.Page
}

var productSorts = map[string]string{
	"name":      "products.name",
	"sku":       "products.sku",
	"sellPrice": "products.sell_price",
	"costPrice": "products.cost_price",
	"updatedAt": "products.updated_at",
}

// ProductSortOrder turns a sort parameter into ORDER BY (unknown keys sort by name).
func ProductSortOrder(sort string) string {
	dir := "ASC"
	if strings.HasPrefix(sort, "-") {
		dir, sort = "DESC", sort[1:]
	}
	col, ok := productSorts[sort]
	if !ok {
		col = "products.name"
	}
	return col + " " + dir + ", products.sku ASC"
}

// ListProducts returns one page of live (not deleted) products.
func (s *Service) ListProducts(ctx context.Context, f ProductFilter) ([]ProductRow, int64, error) {
	q := models.SearchProducts(models.LiveProducts(s.db.WithContext(ctx)), f.Search)
	if f.DepartmentID != nil {
		q = q.Where("products.department_id IN (?)", models.DepartmentSubtree(s.db, *f.DepartmentID))
	}
	q = f.Active.apply(q, "products.is_active")
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count products: %w", err)
	}
	rows := make([]ProductRow, 0, f.Page.PageSize)
	err := f.Page.Apply(q.Session(&gorm.Session{})).
		Select("products.*, d.name AS department_name").
		Joins("LEFT JOIN departments d ON d.id = products.department_id").
		Order(ProductSortOrder(f.Sort)).Find(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list products: %w", err)
	}
	return rows, total, nil
}

// Product returns a product (deleted ones too: old sales still point at them) with its details.
func (s *Service) Product(ctx context.Context, id uuid.UUID) (ProductDetail, error) {
	var p models.Product
	if err := s.db.WithContext(ctx).Take(&p, "id = ?", id).Error; err != nil {
		return ProductDetail{}, models.NotFoundIf(err, "product")
	}
	return s.detail(ctx, s.db, p)
}

// ProductByBarcode finds the live product with this barcode.
func (s *Service) ProductByBarcode(ctx context.Context, barcode string) (ProductDetail, error) {
	p, err := models.ProductByBarcode(ctx, s.db, barcode)
	if err != nil {
		return ProductDetail{}, err
	}
	return s.detail(ctx, s.db, p)
}

func (s *Service) detail(ctx context.Context, db *gorm.DB, p models.Product) (ProductDetail, error) {
	d := ProductDetail{Product: p}
	db = db.WithContext(ctx)
	if p.DepartmentID != nil {
		var dep models.Department
		if err := db.Take(&dep, "id = ?", *p.DepartmentID).Error; err != nil {
			return d, fmt.Errorf("product department: %w", err)
		}
		d.Department = &dep
	}
	if p.TaxGroupID != nil {
		var g models.TaxGroup
		if err := db.Take(&g, "id = ?", *p.TaxGroupID).Error; err != nil {
			return d, fmt.Errorf("product tax group: %w", err)
		}
		d.TaxGroup = &TaxGroupRef{ID: g.ID, Name: g.Name}
	}
	rates, err := models.ProductTaxRates(ctx, db, p)
	if err != nil {
		return d, err
	}
	d.TaxRates = rates
	var units []models.Unit
	if err := db.Where("id IN ?", []uuid.UUID{p.PurchaseUnitID, p.ConsumptionUnitID}).Find(&units).Error; err != nil {
		return d, fmt.Errorf("product units: %w", err)
	}
	for i := range units {
		if units[i].ID == p.PurchaseUnitID {
			d.PurchaseUnit = &units[i]
		}
		if units[i].ID == p.ConsumptionUnitID {
			d.ConsumptionUnit = &units[i]
		}
	}
	return d, nil
}

// apply checks in and copies it onto p. It names every bad field at once, including ids that
// point at nothing.
func (s *Service) applyProduct(tx *gorm.DB, in ProductInput, p *models.Product) error {
	e, err := validation(in)
	if err != nil {
		return err
	}
	sku := strings.TrimSpace(in.SKU)
	if strings.ContainsAny(sku, " \t\r\n") {
		e.Add("sku", "must not contain spaces")
	}
	barcode := normaliseBarcode(in.Barcode)
	if barcode != nil {
		if msg := CheckBarcode(*barcode); msg != "" {
			e.Add("barcode", msg)
		}
	}
	refs := []struct {
		field, table, what string
		raw                *string
		dst                **uuid.UUID
	}{
		{"departmentId", "departments", "department", in.DepartmentID, &p.DepartmentID},
		{"taxGroupId", "tax_groups", "tax group", in.TaxGroupID, &p.TaxGroupID},
	}
	for _, r := range refs {
		id := parseOptionalID(e, r.field, r.raw)
		if id != nil {
			ok, err := exists(tx, r.table, *id)
			if err != nil {
				return err
			}
			if !ok {
				e.Add(r.field, "is not a known "+r.what)
			}
		}
		*r.dst = id
	}
	units := []struct {
		field string
		raw   *string
		dst   *uuid.UUID
	}{
		{"purchaseUnitId", in.PurchaseUnitID, &p.PurchaseUnitID},
		{"consumptionUnitId", in.ConsumptionUnitID, &p.ConsumptionUnitID},
	}
	for _, u := range units {
		id := parseOptionalID(e, u.field, u.raw)
		if id == nil {
			*u.dst = models.EachUnitID
			continue
		}
		var n int64
		if err := tx.Model(&models.Unit{}).Where("id = ? AND is_active", *id).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			e.Add(u.field, "is not a known active unit")
		}
		*u.dst = *id
	}
	if err := e.Err(); err != nil {
		return err
	}
	p.SKU, p.Barcode = sku, barcode
	p.Name, p.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	p.CostPrice, p.SellPrice = in.CostPrice, in.SellPrice
	p.TrackStock = boolOr(in.TrackStock, true)
	p.IsActive = boolOr(in.IsActive, true)
	return nil
}

// productWriteError turns unique violations into 409s naming the field.
func productWriteError(err error, p models.Product) error {
	switch {
	case models.IsUniqueViolation(err, "products_sku_key"):
		return conflictOn("sku", fmt.Sprintf("SKU %q is already used by another product", p.SKU))
	case models.IsUniqueViolation(err, "products_barcode_key"):
		return conflictOn("barcode", fmt.Sprintf("barcode %s is already used by another product", *p.Barcode))
	}
	return fmt.Errorf("save product: %w", err)
}

// CreateProduct adds a product.
func (s *Service) CreateProduct(ctx context.Context, actor models.Actor, in ProductInput) (ProductDetail, error) {
	var p models.Product
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.applyProduct(tx, in, &p); err != nil {
			return err
		}
		if err := tx.Create(&p).Error; err != nil {
			return productWriteError(err, p)
		}
		return models.Audit(ctx, tx, actor, "create", "product", p.ID, nil, p)
	})
	if err != nil {
		return ProductDetail{}, err
	}
	return s.Product(ctx, p.ID)
}

// ProductForUpdate returns the product's current values as an input, for an update that
// changes only some fields.
func (s *Service) ProductForUpdate(ctx context.Context, id uuid.UUID) (ProductInput, error) {
	var p models.Product
	if err := s.db.WithContext(ctx).Take(&p, "id = ?", id).Error; err != nil {
		return ProductInput{}, models.NotFoundIf(err, "product")
	}
	return ProductInputOf(p), nil
}

// UpdateProduct changes a live product. The SKU never changes: sales, stock and outside
// systems know the product by it.
func (s *Service) UpdateProduct(ctx context.Context, actor models.Actor, id uuid.UUID, in ProductInput) (ProductDetail, error) {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var p models.Product
		if err := lock(tx, &p, id, "product"); err != nil {
			return err
		}
		if p.DeletedAt != nil {
			return models.Conflict("product %s is deleted", p.SKU)
		}
		if strings.TrimSpace(in.SKU) != p.SKU {
			return models.FieldError("sku", "SKU cannot be changed")
		}
		before := p
		if err := s.applyProduct(tx, in, &p); err != nil {
			return err
		}
		if err := tx.Save(&p).Error; err != nil {
			return productWriteError(err, p)
		}
		return models.Audit(ctx, tx, actor, "update", "product", p.ID, before, p)
	})
	if err != nil {
		return ProductDetail{}, err
	}
	return s.Product(ctx, id)
}

// ToggleProductActive flips a live product between active and inactive.
func (s *Service) ToggleProductActive(ctx context.Context, actor models.Actor, id uuid.UUID) (ProductDetail, error) {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var p models.Product
		if err := lock(tx, &p, id, "product"); err != nil {
			return err
		}
		if p.DeletedAt != nil {
			return models.Conflict("product %s is deleted", p.SKU)
		}
		before := p
		p.IsActive = !p.IsActive
		if err := tx.Model(&p).Updates(map[string]any{"is_active": p.IsActive, "updated_at": time.Now()}).Error; err != nil {
			return fmt.Errorf("toggle product: %w", err)
		}
		return models.Audit(ctx, tx, actor, "toggle_active", "product", p.ID, before, p)
	})
	if err != nil {
		return ProductDetail{}, err
	}
	return s.Product(ctx, id)
}

// DeleteProduct soft-deletes a product: it leaves lists and barcode look-ups but stays readable
// by id, because sales, movements and purchase orders keep pointing at it.
func (s *Service) DeleteProduct(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var p models.Product
		if err := lock(tx, &p, id, "product"); err != nil {
			return err
		}
		if p.DeletedAt != nil {
			return models.Conflict("product %s is already deleted", p.SKU)
		}
		before := p
		now := time.Now().UTC()
		p.IsActive, p.DeletedAt = false, &now
		if err := tx.Model(&p).Updates(map[string]any{"is_active": false, "deleted_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("delete product: %w", err)
		}
		return models.Audit(ctx, tx, actor, "delete", "product", p.ID, before, p)
	})
}
