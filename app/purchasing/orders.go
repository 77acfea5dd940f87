package purchasing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// ItemInput is one line of a new or changed order. UnitCost defaults to the supplier's cost
// for the product, else the product's current cost.
type ItemInput struct {
	ProductID uuid.UUID `json:"productId" validate:"required"`
	Quantity  int64     `json:"quantity" validate:"gt=0,lte=1000000000"`
	UnitCost  *int64    `json:"unitCost" validate:"omitempty,gte=0,lte=100000000000"`
}

// CreateInput is a new purchase order.
type CreateInput struct {
	SupplierID   uuid.UUID   `json:"supplierId" validate:"required"`
	StoreID      uuid.UUID   `json:"storeId" validate:"required"`
	Notes        string      `json:"notes" validate:"max=2000"`
	ExpectedDate *string     `json:"expectedDate"`
	Items        []ItemInput `json:"items" validate:"max=1000,dive"`
}

// UpdateInput changes a draft's header.
type UpdateInput struct {
	SupplierID   *uuid.UUID `json:"supplierId"`
	Notes        *string    `json:"notes" validate:"omitempty,max=2000"`
	ExpectedDate *string    `json:"expectedDate"`
}

// ListFilter narrows the list.
type ListFilter struct {
	Status     string     `query:"status"`
	StoreID    *uuid.UUID `query:"store_id,storeId"`
	SupplierID *uuid.UUID `query:"supplier_id,supplierId"`
	Search     string     `query:"q"`
}

// List returns one page of the orders the actor may see, newest first.
func (s *Service) List(ctx context.Context, actor models.Actor, f ListFilter, p models.Page) ([]models.PurchaseOrder, int64, error) {
	q := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.PurchaseOrder{}), PermView, "store_id")
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.StoreID != nil {
		q = q.Where("store_id = ?", *f.StoreID)
	}
	if f.SupplierID != nil {
		q = q.Where("supplier_id = ?", *f.SupplierID)
	}
	if t := strings.TrimSpace(f.Search); t != "" {
		q = q.Where("number ILIKE ?", "%"+models.EscapeLike(t)+"%")
	}
	items, total, err := models.Paged[models.PurchaseOrder](q.Preload("Supplier").Preload("Store"), p, "created_at DESC, id DESC")
	return items, total, err
}

// Get returns an order the actor may see, with lines and receipts.
func (s *Service) Get(ctx context.Context, actor models.Actor, id uuid.UUID) (Detail, error) {
	po, err := s.load(ctx, s.db, actor, id, PermView)
	if err != nil {
		return Detail{}, err
	}
	return s.detail(ctx, s.db, po)
}

// lineFor validates one item input and prices it.
func (s *Service) lineFor(ctx context.Context, tx *gorm.DB, supplierID uuid.UUID, in ItemInput, field string, errs *models.Error) (models.PurchaseOrderItem, error) {
	var p models.Product
	err := tx.WithContext(ctx).Take(&p, "id = ? AND deleted_at IS NULL", in.ProductID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		errs.Add(field+".productId", "unknown product")
		return models.PurchaseOrderItem{}, nil
	}
	if err != nil {
		return models.PurchaseOrderItem{}, err
	}
	cost := p.CostPrice
	if in.UnitCost != nil {
		cost = *in.UnitCost
	} else {
		var sc []int64
		if err := tx.WithContext(ctx).Model(&models.ProductSupplier{}).
			Where("product_id = ? AND supplier_id = ? AND cost > 0", p.ID, supplierID).Pluck("cost", &sc).Error; err != nil {
			return models.PurchaseOrderItem{}, err
		}
		if len(sc) > 0 {
			cost = sc[0]
		}
	}
	return models.PurchaseOrderItem{ProductID: p.ID, Quantity: in.Quantity, UnitCost: cost, LineTotal: lineTotal(in.Quantity, cost)}, nil
}

// Create raises a draft order.
func (s *Service) Create(ctx context.Context, actor models.Actor, in CreateInput) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		errs := models.Invalid()
		if err := s.checkStore(ctx, tx, actor, in.StoreID, errs); err != nil {
			return err
		}
		if err := s.checkSupplier(ctx, tx, in.SupplierID, errs); err != nil {
			return err
		}
		expected := parseDate("expectedDate", in.ExpectedDate, errs)
		var lines []models.PurchaseOrderItem
		seen := map[uuid.UUID]bool{}
		for i, it := range in.Items {
			field := fmt.Sprintf("items[%d]", i)
			if seen[it.ProductID] {
				errs.Add(field+".productId", "product is already on this order")
				continue
			}
			seen[it.ProductID] = true
			l, err := s.lineFor(ctx, tx, in.SupplierID, it, field, errs)
			if err != nil {
				return err
			}
			lines = append(lines, l)
		}
		if err := errs.Err(); err != nil {
			return err
		}
		po, err := s.insert(ctx, tx, actor, in.SupplierID, in.StoreID, strings.TrimSpace(in.Notes), expected, lines)
		if err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, po)
		return err
	})
	return out, err
}

// lockDraft checks in SQL that the order is still a draft, locking it for the rest of tx.
func (s *Service) lockDraft(ctx context.Context, tx *gorm.DB, po models.PurchaseOrder) error {
	res := tx.WithContext(ctx).Exec("UPDATE purchase_orders SET updated_at = now() WHERE id = ? AND status = ?", po.ID, models.PODraft)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return s.moved(ctx, tx, po.ID, "changed", models.PODraft)
	}
	return nil
}

// recalc recomputes the order's total from its lines.
func recalc(ctx context.Context, tx *gorm.DB, id uuid.UUID) error {
	return tx.WithContext(ctx).Exec(`UPDATE purchase_orders SET total = coalesce((SELECT sum(line_total) FROM purchase_order_items WHERE purchase_order_id = ?), 0), updated_at = now() WHERE id = ?`, id, id).Error
}

// Update changes a draft's supplier, notes or expected date.
func (s *Service) Update(ctx context.Context, actor models.Actor, id uuid.UUID, in UpdateInput) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		po, err := s.load(ctx, tx, actor, id, PermEdit)
		if err != nil {
			return err
		}
		if err := s.lockDraft(ctx, tx, po); err != nil {
			return err
		}
		before := po
		errs := models.Invalid()
		set := map[string]any{}
		if in.SupplierID != nil && *in.SupplierID != po.SupplierID {
			if err := s.checkSupplier(ctx, tx, *in.SupplierID, errs); err != nil {
				return err
			}
			set["supplier_id"] = *in.SupplierID
			po.SupplierID = *in.SupplierID
		}
		if in.Notes != nil {
			set["notes"] = strings.TrimSpace(*in.Notes)
			po.Notes = strings.TrimSpace(*in.Notes)
		}
		if in.ExpectedDate != nil {
			po.ExpectedDate = parseDate("expectedDate", in.ExpectedDate, errs)
			set["expected_date"] = po.ExpectedDate
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if len(set) > 0 {
			if err := tx.Model(&models.PurchaseOrder{}).Where("id = ?", id).Updates(set).Error; err != nil {
				return err
			}
		}
		if err := models.Audit(ctx, tx, actor, "update", entityType, id, before, po); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, po)
		return err
	})
	return out, err
}

// AddItem adds a line to a draft.
func (s *Service) AddItem(ctx context.Context, actor models.Actor, id uuid.UUID, in ItemInput) (Detail, error) {
	return s.editItems(ctx, actor, id, "add_item", func(tx *gorm.DB, po models.PurchaseOrder) (any, error) {
		var dup int64
		if err := tx.Model(&models.PurchaseOrderItem{}).Where("purchase_order_id = ? AND product_id = ?", id, in.ProductID).Count(&dup).Error; err != nil {
			return nil, err
		}
		errs := models.Invalid()
		if dup > 0 {
			errs.Add("productId", "product is already on this order; change that line instead")
		}
		line, err := s.lineFor(ctx, tx, po.SupplierID, in, "", errs)
		if err != nil {
			return nil, err
		}
		if err := fixRoot(errs).Err(); err != nil {
			return nil, err
		}
		line.PurchaseOrderID = id
		return line, tx.Omit("Product").Create(&line).Error
	})
}

// fixRoot drops the leading dot lineFor puts before field names when there is no list prefix.
func fixRoot(e *models.Error) *models.Error {
	for k, v := range e.Fields {
		if strings.HasPrefix(k, ".") {
			delete(e.Fields, k)
			e.Fields[k[1:]] = v
		}
	}
	return e
}

// ItemUpdate changes a draft line's quantity or cost.
type ItemUpdate struct {
	Quantity *int64 `json:"quantity" validate:"omitempty,gt=0,lte=1000000000"`
	UnitCost *int64 `json:"unitCost" validate:"omitempty,gte=0,lte=100000000000"`
}

// UpdateItem changes a line of a draft.
func (s *Service) UpdateItem(ctx context.Context, actor models.Actor, id, itemID uuid.UUID, in ItemUpdate) (Detail, error) {
	return s.editItems(ctx, actor, id, "update_item", func(tx *gorm.DB, po models.PurchaseOrder) (any, error) {
		var it models.PurchaseOrderItem
		if err := tx.Take(&it, "id = ? AND purchase_order_id = ?", itemID, id).Error; err != nil {
			return nil, models.NotFoundIf(err, "purchase order line")
		}
		if in.Quantity != nil {
			it.Quantity = *in.Quantity
		}
		if in.UnitCost != nil {
			it.UnitCost = *in.UnitCost
		}
		it.LineTotal = lineTotal(it.Quantity, it.UnitCost)
		return it, tx.Model(&it).Select("quantity", "unit_cost", "line_total", "updated_at").Updates(&it).Error
	})
}

// RemoveItem deletes a line of a draft.
func (s *Service) RemoveItem(ctx context.Context, actor models.Actor, id, itemID uuid.UUID) (Detail, error) {
	return s.editItems(ctx, actor, id, "remove_item", func(tx *gorm.DB, po models.PurchaseOrder) (any, error) {
		var it models.PurchaseOrderItem
		if err := tx.Take(&it, "id = ? AND purchase_order_id = ?", itemID, id).Error; err != nil {
			return nil, models.NotFoundIf(err, "purchase order line")
		}
		return it, tx.Delete(&it).Error
	})
}

func (s *Service) editItems(ctx context.Context, actor models.Actor, id uuid.UUID, action string, f func(tx *gorm.DB, po models.PurchaseOrder) (any, error)) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		po, err := s.load(ctx, tx, actor, id, PermEdit)
		if err != nil {
			return err
		}
		if err := s.lockDraft(ctx, tx, po); err != nil {
			return err
		}
		line, err := f(tx, po)
		if err != nil {
			return err
		}
		if err := recalc(ctx, tx, id); err != nil {
			return err
		}
		if err := models.Audit(ctx, tx, actor, action, entityType, id, nil, line); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, po)
		return err
	})
	return out, err
}

// Delete removes a draft.
func (s *Service) Delete(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		po, err := s.load(ctx, tx, actor, id, moves["delete"].perm)
		if err != nil {
			return err
		}
		res := tx.Exec("DELETE FROM purchase_orders WHERE id = ? AND status IN ?", id, moves["delete"].from)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return s.moved(ctx, tx, id, "deleted", models.PODraft)
		}
		return models.Audit(ctx, tx, actor, "delete", entityType, id, po, nil)
	})
}

// Pending lists the submitted orders waiting for the actor's approval: at stores where they
// hold purchase_orders.approve, and not submitted by them.
func (s *Service) Pending(ctx context.Context, actor models.Actor) ([]models.PurchaseOrder, error) {
	var out []models.PurchaseOrder
	err := awaitingApproval(s.db.WithContext(ctx), actor).Preload("Supplier").Preload("Store").Order("submitted_at, id").Limit(200).Find(&out).Error
	return out, err
}

// PendingCount is how many submitted orders wait for the actor's approval.
func (s *Service) PendingCount(ctx context.Context, actor models.Actor) int {
	if !actor.Can(PermApprove) {
		return 0
	}
	var n int64
	awaitingApproval(s.db.WithContext(ctx), actor).Count(&n)
	return int(n)
}
