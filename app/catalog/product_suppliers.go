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

// SupplierLinkInput links a supplier to a product, or changes the link (fields left out keep
// their values on update).
type SupplierLinkInput struct {
	SupplierID  string  `json:"supplierId"`
	SupplierSKU *string `json:"supplierSku" validate:"omitempty,max=60"`
	Cost        *int64  `json:"cost" validate:"omitempty,gte=0,lte=100000000000"`
	IsPreferred *bool   `json:"isPreferred"`
}

// ProductSuppliers lists a product's supplier links, the preferred one first.
func (s *Service) ProductSuppliers(ctx context.Context, productID uuid.UUID) ([]models.ProductSupplier, error) {
	db := s.db.WithContext(ctx)
	if ok, err := exists(db, "products", productID); err != nil || !ok {
		if err == nil {
			err = models.NotFound("product")
		}
		return nil, err
	}
	links := []models.ProductSupplier{}
	err := db.Preload("Supplier").
		Joins("JOIN suppliers s ON s.id = product_suppliers.supplier_id").
		Where("product_suppliers.product_id = ?", productID).
		Order("product_suppliers.is_preferred DESC, s.name").Find(&links).Error
	if err != nil {
		return nil, fmt.Errorf("product suppliers: %w", err)
	}
	return links, nil
}

// liveProductForLinks locks a live product, so preferred-flag changes on it run one at a time.
func liveProductForLinks(tx *gorm.DB, productID uuid.UUID) (models.Product, error) {
	var p models.Product
	if err := lock(tx, &p, productID, "product"); err != nil {
		return p, err
	}
	if p.DeletedAt != nil {
		return p, models.Conflict("product %s is deleted", p.SKU)
	}
	return p, nil
}

// makePreferred clears the preferred flag of the product's other links (one preferred supplier
// per product), before the caller sets it on supplierID.
func makePreferred(tx *gorm.DB, productID, supplierID uuid.UUID) error {
	err := tx.Model(&models.ProductSupplier{}).
		Where("product_id = ? AND supplier_id <> ? AND is_preferred", productID, supplierID).
		Updates(map[string]any{"is_preferred": false, "updated_at": time.Now()}).Error
	if err != nil {
		return fmt.Errorf("clear preferred supplier: %w", err)
	}
	return nil
}

// LinkSupplier links a supplier to a product.
func (s *Service) LinkSupplier(ctx context.Context, actor models.Actor, productID uuid.UUID, in SupplierLinkInput) (models.ProductSupplier, error) {
	var link models.ProductSupplier
	err := s.tx(ctx, func(tx *gorm.DB) error {
		e, err := validation(in)
		if err != nil {
			return err
		}
		raw := in.SupplierID
		supplierID := parseOptionalID(e, "supplierId", &raw)
		if supplierID == nil && len(e.Fields["supplierId"]) == 0 {
			e.Add("supplierId", "is required")
		}
		if supplierID != nil {
			ok, err := exists(tx, "suppliers", *supplierID)
			if err != nil {
				return err
			}
			if !ok {
				e.Add("supplierId", "is not a known supplier")
			}
		}
		if err := e.Err(); err != nil {
			return err
		}
		p, err := liveProductForLinks(tx, productID)
		if err != nil {
			return err
		}
		link = models.ProductSupplier{ProductID: p.ID, SupplierID: *supplierID, IsPreferred: boolOr(in.IsPreferred, false)}
		if in.SupplierSKU != nil {
			link.SupplierSKU = strings.TrimSpace(*in.SupplierSKU)
		}
		if in.Cost != nil {
			link.Cost = *in.Cost
		}
		if link.IsPreferred {
			if err := makePreferred(tx, p.ID, link.SupplierID); err != nil {
				return err
			}
		}
		if err := tx.Omit("Supplier").Create(&link).Error; err != nil {
			if models.IsUniqueViolation(err, "") {
				return conflictOn("supplierId", "this supplier is already linked to the product")
			}
			return fmt.Errorf("link supplier: %w", err)
		}
		return models.Audit(ctx, tx, actor, "link_supplier", "product", p.ID, nil, link)
	})
	if err != nil {
		return link, err
	}
	return s.supplierLink(ctx, productID, link.SupplierID)
}

func (s *Service) supplierLink(ctx context.Context, productID, supplierID uuid.UUID) (models.ProductSupplier, error) {
	var link models.ProductSupplier
	err := s.db.WithContext(ctx).Preload("Supplier").Take(&link, "product_id = ? AND supplier_id = ?", productID, supplierID).Error
	return link, models.NotFoundIf(err, "supplier link")
}

// UpdateSupplierLink changes a product's supplier SKU, cost or preferred flag for one supplier.
func (s *Service) UpdateSupplierLink(ctx context.Context, actor models.Actor, productID, supplierID uuid.UUID, in SupplierLinkInput) (models.ProductSupplier, error) {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := models.Validate(in); err != nil {
			return err
		}
		p, err := liveProductForLinks(tx, productID)
		if err != nil {
			return err
		}
		var link models.ProductSupplier
		if err := tx.Take(&link, "product_id = ? AND supplier_id = ?", p.ID, supplierID).Error; err != nil {
			return models.NotFoundIf(err, "supplier link")
		}
		before := link
		if in.SupplierSKU != nil {
			link.SupplierSKU = strings.TrimSpace(*in.SupplierSKU)
		}
		if in.Cost != nil {
			link.Cost = *in.Cost
		}
		if in.IsPreferred != nil {
			link.IsPreferred = *in.IsPreferred
		}
		if link.IsPreferred && !before.IsPreferred {
			if err := makePreferred(tx, p.ID, supplierID); err != nil {
				return err
			}
		}
		err = tx.Model(&models.ProductSupplier{}).Where("product_id = ? AND supplier_id = ?", p.ID, supplierID).
			Updates(map[string]any{"supplier_sku": link.SupplierSKU, "cost": link.Cost, "is_preferred": link.IsPreferred, "updated_at": time.Now()}).Error
		if err != nil {
			return fmt.Errorf("update supplier link: %w", err)
		}
		return models.Audit(ctx, tx, actor, "update_supplier_link", "product", p.ID, before, link)
	})
	if err != nil {
		return models.ProductSupplier{}, err
	}
	return s.supplierLink(ctx, productID, supplierID)
}

// UnlinkSupplier removes a supplier from a product.
func (s *Service) UnlinkSupplier(ctx context.Context, actor models.Actor, productID, supplierID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		p, err := liveProductForLinks(tx, productID)
		if err != nil {
			return err
		}
		var link models.ProductSupplier
		if err := tx.Take(&link, "product_id = ? AND supplier_id = ?", p.ID, supplierID).Error; err != nil {
			return models.NotFoundIf(err, "supplier link")
		}
		if err := tx.Where("product_id = ? AND supplier_id = ?", p.ID, supplierID).Delete(&models.ProductSupplier{}).Error; err != nil {
			return fmt.Errorf("unlink supplier: %w", err)
		}
		return models.Audit(ctx, tx, actor, "unlink_supplier", "product", p.ID, link, nil)
	})
}
