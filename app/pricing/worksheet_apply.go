package pricing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/app/catalog"
	"backroom/models"
)

// ApplyWorksheet applies an approved worksheet now. A worksheet with a future effective date
// is refused (409): the scheduler applies it at its stores' midnight.
func (s *Service) ApplyWorksheet(ctx context.Context, actor models.Actor, id uuid.UUID) (models.Worksheet, error) {
	return s.apply(ctx, actor, id, time.Now(), true)
}

func (s *Service) apply(ctx context.Context, actor models.Actor, id uuid.UUID, now time.Time, checkPerm bool) (models.Worksheet, error) {
	var out models.Worksheet
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		perm := PermWSApply
		who := actor
		if !checkPerm {
			who = models.System
		}
		w, err := s.loadWorksheet(ctx, tx, who, id, perm)
		if err != nil {
			return err
		}
		res := tx.Model(&models.Worksheet{}).Where("id = ? AND status = ?", id, models.WSApproved).Updates(map[string]any{
			"status": models.WSApplied, "applied_by": userOf(actor), "applied_at": now.UTC(), "updated_at": now.UTC(),
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return wsMoved(ctx, tx, id, "applied", models.WSApproved)
		}
		if w.EffectiveDate != nil {
			due, err := isDue(ctx, tx, id, now)
			if err != nil {
				return err
			}
			if !due {
				return models.Conflict("worksheet %s takes effect on %s; it will be applied at midnight of its stores that day", w.Number, w.EffectiveDate)
			}
		}
		if err := applyItems(ctx, tx, actor, w); err != nil {
			return err
		}
		if err := models.Audit(ctx, tx, actor, "applied", wsEntity, id, map[string]string{"status": models.WSApproved},
			map[string]any{"status": models.WSApplied, "items": len(w.Items)}); err != nil {
			return err
		}
		out, err = s.loadWorksheet(ctx, tx, models.System, id, PermWSView)
		return err
	})
	return out, err
}

// applyItems makes every line's change, recording each field's before and after. Any bad line
// fails the whole worksheet (the caller's transaction rolls everything back).
func applyItems(ctx context.Context, tx *gorm.DB, actor models.Actor, w models.Worksheet) error {
	errs := models.Invalid()
	wsID := w.ID
	record := func(productID uuid.UUID, store *uuid.UUID, field string, old, new any) error {
		ch := models.ProductChange{ProductID: productID, StoreID: store, Field: field, WorksheetID: &wsID,
			ReferenceType: wsEntity, ReferenceID: &wsID, UserID: userOf(actor), Username: actor.Username}
		if old != nil {
			ch.OldValue = str(old)
		}
		if new != nil {
			ch.NewValue = str(new)
		}
		return tx.WithContext(ctx).Create(&ch).Error
	}
	if err := lockProducts(ctx, tx, w.Items); err != nil {
		return err
	}
	for i, it := range w.Items {
		field := fmt.Sprintf("items[%d]", i)
		if w.Type == models.WSNewProduct {
			if err := applyNewProduct(ctx, tx, actor, w, it, field, errs, record); err != nil {
				return err
			}
			continue
		}
		if w.Type == models.WSPriceChange && len(w.StoreIDs) > 0 {
			var p models.Product
			err := tx.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Take(&p, "id = ? AND deleted_at IS NULL", it.ProductID).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				errs.Add(field+".productId", "the product no longer exists")
				continue
			}
			if err != nil {
				return err
			}
			if err := applyStorePrices(ctx, tx, actor, w, p, it, record); err != nil {
				return err
			}
			continue
		}
		changed, err := catalog.ApplyChange(ctx, tx, productOf(it), productChange(w.Type, it))
		switch {
		case errors.Is(err, models.ErrNotFound):
			errs.Add(field+".productId", "the product no longer exists")
			continue
		case lineErrors(errs, field, err):
			continue
		case err != nil:
			return err
		}
		if len(changed.Fields) == 0 {
			continue
		}
		after := map[string]any{}
		for _, c := range changed.Fields {
			after[c.Field] = c.New
			if err := record(changed.Before.ID, nil, c.Field, c.Old, c.New); err != nil {
				return err
			}
		}
		if err := models.Audit(ctx, tx, actor, "worksheet_apply", "product", changed.Before.ID, changed.Before,
			map[string]any{"worksheet": w.Number, "changes": after}); err != nil {
			return err
		}
	}
	return errs.Err()
}

// productChange is the catalogue change a line of a worksheet of type typ makes to its product
// (chain-wide: store prices are pricing's own).
func productChange(typ string, it models.WorksheetItem) catalog.Change {
	switch typ {
	case models.WSPriceChange:
		return catalog.Change{SellPrice: it.NewSellPrice, CostPrice: it.NewCostPrice}
	case models.WSProductUpdate:
		return catalog.Change{Name: it.NewName, Description: it.NewDescription, DepartmentID: it.NewDepartmentID, Barcode: it.NewBarcode}
	case models.WSTaxChange:
		return catalog.Change{TaxGroupID: it.NewTaxGroupID}
	case models.WSDeactivate:
		off := false
		return catalog.Change{IsActive: &off}
	}
	return catalog.Change{}
}

// productOf is the product a line changes (uuid.Nil, which no product has, when it names none).
func productOf(it models.WorksheetItem) uuid.UUID {
	if it.ProductID == nil {
		return uuid.Nil
	}
	return *it.ProductID
}

// lineErrors adds the catalogue's field errors in err to errs under the line's own names (the
// catalogue's "barcode" is the line's "newBarcode") and reports whether there were any.
func lineErrors(errs *models.Error, field string, err error) bool {
	var ce *models.Error
	if !errors.As(err, &ce) || len(ce.Fields) == 0 {
		return false
	}
	for f, msgs := range ce.Fields {
		for _, m := range msgs {
			errs.Add(field+".new"+strings.ToUpper(f[:1])+f[1:], m)
		}
	}
	return true
}

// lockProducts locks the products a worksheet changes, all at once and in id order, before any
// line is applied. Locking them line by line (in the worksheet's own order) let two worksheets
// sharing products in different orders — or a worksheet and a PO receipt raising costs — each
// hold a product the other waited for: a deadlock PostgreSQL broke by failing one of them.
func lockProducts(ctx context.Context, tx *gorm.DB, items []models.WorksheetItem) error {
	ids := make([]uuid.UUID, 0, len(items))
	for _, it := range items {
		if it.ProductID != nil {
			ids = append(ids, *it.ProductID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var locked []uuid.UUID
	return tx.WithContext(ctx).Raw("SELECT id FROM products WHERE id IN ? ORDER BY id FOR UPDATE", ids).Scan(&locked).Error
}

func applyStorePrices(ctx context.Context, tx *gorm.DB, actor models.Actor, w models.Worksheet, p models.Product, it models.WorksheetItem,
	record func(uuid.UUID, *uuid.UUID, string, any, any) error) error {
	if it.NewSellPrice == nil {
		return nil
	}
	for _, st := range w.StoreIDs {
		var cur []models.StorePrice
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("store_id = ? AND product_id = ?", st, p.ID).Find(&cur).Error; err != nil {
			return err
		}
		old := p.SellPrice
		var before any
		if len(cur) > 0 {
			old, before = cur[0].Price, cur[0]
		}
		if old == *it.NewSellPrice && len(cur) > 0 {
			continue
		}
		sp := models.StorePrice{StoreID: st, ProductID: p.ID, Price: *it.NewSellPrice}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "store_id"}, {Name: "product_id"}},
			DoUpdates: clause.Assignments(map[string]any{"price": sp.Price, "updated_at": gorm.Expr("now()")}),
		}).Omit("Product", "Store").Create(&sp).Error; err != nil {
			return err
		}
		store := st
		if err := record(p.ID, &store, "sell_price", old, *it.NewSellPrice); err != nil {
			return err
		}
		if err := models.Audit(ctx, tx, actor, "worksheet_apply", "store_price", p.ID, before, map[string]any{"worksheet": w.Number, "storeId": st, "price": sp.Price}); err != nil {
			return err
		}
	}
	return nil
}

func applyNewProduct(ctx context.Context, tx *gorm.DB, actor models.Actor, w models.Worksheet, it models.WorksheetItem, field string, errs *models.Error,
	record func(uuid.UUID, *uuid.UUID, string, any, any) error) error {
	p := models.Product{SKU: deref(it.NewSKU), Barcode: it.NewBarcode, Name: deref(it.NewName), Description: deref(it.NewDescription),
		DepartmentID: it.NewDepartmentID, TaxGroupID: it.NewTaxGroupID, SellPrice: derefInt(it.NewSellPrice), CostPrice: derefInt(it.NewCostPrice),
		PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
	if len(errs.Fields) > 0 {
		// The worksheet fails anyway: only say what is wrong with this line; don't write more rows.
		err := catalog.CheckNewProduct(ctx, tx, p)
		if lineErrors(errs, field, err) {
			return nil
		}
		return err
	}
	p, err := catalog.AddProduct(ctx, tx, p)
	if lineErrors(errs, field, err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := tx.Model(&models.WorksheetItem{}).Where("id = ?", it.ID).Update("created_product_id", p.ID).Error; err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    any
	}{{"sell_price", p.SellPrice}, {"cost_price", p.CostPrice}} {
		if err := record(p.ID, nil, f.name, nil, f.v); err != nil {
			return err
		}
	}
	return models.Audit(ctx, tx, actor, "create", "product", p.ID, nil, map[string]any{"worksheet": w.Number, "product": p})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}

// PriceHistory lists a product's recorded field changes, newest first.
func (s *Service) PriceHistory(ctx context.Context, productID uuid.UUID, limit int) ([]models.ProductChange, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []models.ProductChange
	err := s.db.WithContext(ctx).Where("product_id = ?", productID).Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}
