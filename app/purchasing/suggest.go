package purchasing

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// SuggestInput asks for a draft order from the products under their reorder point.
type SuggestInput struct {
	SupplierID uuid.UUID `json:"supplierId" validate:"required"`
	StoreID    uuid.UUID `json:"storeId" validate:"required"`
}

// Suggest raises a draft for one supplier and store holding every active, stocked product of
// that supplier (its preferred supplier, or a linked one when the product has no preferred
// supplier) whose stock at the store is under its reorder point; each line orders up to the
// reorder point, rounded up to whole purchase units and at least one.
func (s *Service) Suggest(ctx context.Context, actor models.Actor, in SuggestInput) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		errs := models.Invalid()
		if err := s.checkStore(ctx, tx, actor, in.StoreID, errs); err != nil {
			return err
		}
		if err := s.checkSupplier(ctx, tx, in.SupplierID, errs); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		type row struct {
			ProductID    uuid.UUID
			Quantity     int64
			ReorderPoint int64
			Cost         int64
		}
		var rows []row
		err := tx.Raw(`
			SELECT p.id AS product_id, il.quantity, il.reorder_point,
			       CASE WHEN ps.cost > 0 THEN ps.cost ELSE p.cost_price END AS cost
			FROM inventory_levels il
			JOIN products p ON p.id = il.product_id
			JOIN product_suppliers ps ON ps.product_id = p.id AND ps.supplier_id = ?
			WHERE il.store_id = ? AND il.reorder_point > 0 AND il.quantity < il.reorder_point
			  AND p.is_active AND p.deleted_at IS NULL AND p.track_stock
			  AND (ps.is_preferred OR NOT EXISTS (
			       SELECT 1 FROM product_suppliers o WHERE o.product_id = p.id AND o.is_preferred))
			ORDER BY p.name, p.id`, in.SupplierID, in.StoreID).Scan(&rows).Error
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return models.FieldError("supplierId", "no product of this supplier is under its reorder point at this store")
		}
		lines := make([]models.PurchaseOrderItem, 0, len(rows))
		for _, r := range rows {
			need := r.ReorderPoint - r.Quantity
			units := (need + 999) / 1000
			if units < 1 {
				units = 1
			}
			q := units * 1000
			lines = append(lines, models.PurchaseOrderItem{ProductID: r.ProductID, Quantity: q, UnitCost: r.Cost, LineTotal: lineTotal(q, r.Cost)})
		}
		po, err := s.insert(ctx, tx, actor, in.SupplierID, in.StoreID, "Suggested from reorder points", nil, lines)
		if err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, po)
		return err
	})
	return out, err
}
