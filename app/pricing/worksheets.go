package pricing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

const wsEntity = "worksheet"

// WorksheetItemInput is one line. new_product lines carry the full product (newSku, newName,
// newSellPrice, …; sku/name/sellPrice/… are accepted as aliases) and no productId.
type WorksheetItemInput struct {
	ProductID       *uuid.UUID `json:"productId"`
	NewSellPrice    *int64     `json:"newSellPrice" validate:"omitempty,gte=0,lte=100000000000"`
	NewCostPrice    *int64     `json:"newCostPrice" validate:"omitempty,gte=0,lte=100000000000"`
	NewName         *string    `json:"newName" validate:"omitempty,max=255"`
	NewDescription  *string    `json:"newDescription" validate:"omitempty,max=5000"`
	NewDepartmentID *uuid.UUID `json:"newDepartmentId"`
	NewTaxGroupID   *uuid.UUID `json:"newTaxGroupId"`
	NewSKU          *string    `json:"newSku" validate:"omitempty,max=50"`
	NewBarcode      *string    `json:"newBarcode" validate:"omitempty,max=100"`

	SKU          *string    `json:"sku" validate:"omitempty,max=50"`
	Barcode      *string    `json:"barcode" validate:"omitempty,max=100"`
	Name         *string    `json:"name" validate:"omitempty,max=255"`
	Description  *string    `json:"description" validate:"omitempty,max=5000"`
	SellPrice    *int64     `json:"sellPrice" validate:"omitempty,gte=0,lte=100000000000"`
	CostPrice    *int64     `json:"costPrice" validate:"omitempty,gte=0,lte=100000000000"`
	DepartmentID *uuid.UUID `json:"departmentId"`
	TaxGroupID   *uuid.UUID `json:"taxGroupId"`
}

// WorksheetInput creates a worksheet or replaces a draft's header, stores and (when Items is
// not nil) lines.
type WorksheetInput struct {
	Type          string               `json:"type" validate:"required"`
	Description   string               `json:"description" validate:"max=500"`
	EffectiveDate *string              `json:"effectiveDate"`
	StoreIDs      []uuid.UUID          `json:"storeIds" validate:"max=500"`
	Items         []WorksheetItemInput `json:"items" validate:"max=5000,dive"`
}

// WorksheetFilter narrows the list; its query tags are its parameters, for the API and the page.
type WorksheetFilter struct {
	Status string `query:"status"`
	Type   string `query:"type"`
	Search string `query:"q"`
}

func pick[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

// toItem checks one line against the worksheet's type and returns it. complete also demands the
// values the type needs (a new price, a tax group, …): lines added one by one in the grid may be
// filled in later, so only saving a whole worksheet and submitting insist on them.
func toItem(ctx context.Context, tx *gorm.DB, typ string, chainWide bool, in WorksheetItemInput, field string, errs *models.Error, complete bool) (models.WorksheetItem, error) {
	it := models.WorksheetItem{
		ProductID: in.ProductID, NewSellPrice: pick(in.NewSellPrice, in.SellPrice), NewCostPrice: pick(in.NewCostPrice, in.CostPrice),
		NewName: trimmed(pick(in.NewName, in.Name)), NewDescription: pick(in.NewDescription, in.Description),
		NewDepartmentID: pick(in.NewDepartmentID, in.DepartmentID), NewTaxGroupID: pick(in.NewTaxGroupID, in.TaxGroupID),
		NewSKU: trimmed(pick(in.NewSKU, in.SKU)), NewBarcode: trimmed(pick(in.NewBarcode, in.Barcode)),
	}
	if it.NewBarcode != nil && *it.NewBarcode == "" {
		it.NewBarcode = nil
	}
	onlyFields := func(allowed ...string) {
		set := map[string]bool{
			"newSellPrice": it.NewSellPrice != nil, "newCostPrice": it.NewCostPrice != nil, "newName": it.NewName != nil,
			"newDescription": it.NewDescription != nil, "newDepartmentId": it.NewDepartmentID != nil,
			"newTaxGroupId": it.NewTaxGroupID != nil, "newSku": it.NewSKU != nil, "newBarcode": it.NewBarcode != nil,
		}
		for f, has := range set {
			if has && !slices.Contains(allowed, f) {
				errs.Add(field+"."+f, "does not belong on a "+strings.ReplaceAll(typ, "_", " ")+" worksheet")
			}
		}
	}
	if typ == models.WSNewProduct {
		if it.ProductID != nil {
			errs.Add(field+".productId", "a new product has no product id")
		}
		onlyFields("newSellPrice", "newCostPrice", "newName", "newDescription", "newDepartmentId", "newTaxGroupId", "newSku", "newBarcode")
		if complete && (it.NewSKU == nil || *it.NewSKU == "") {
			errs.Add(field+".newSku", "is required")
		}
		if complete && (it.NewName == nil || *it.NewName == "") {
			errs.Add(field+".newName", "is required")
		}
		if complete && it.NewSellPrice == nil {
			errs.Add(field+".newSellPrice", "is required")
		}
	} else {
		if it.ProductID == nil {
			errs.Add(field+".productId", "is required")
		} else if _, err := productExists(ctx, tx, *it.ProductID, field+".productId", errs); err != nil {
			return it, err
		}
		switch typ {
		case models.WSPriceChange:
			onlyFields("newSellPrice", "newCostPrice")
			if complete && it.NewSellPrice == nil && it.NewCostPrice == nil {
				errs.Add(field+".newSellPrice", "enter a new selling price, cost price or both")
			}
			if !chainWide && it.NewCostPrice != nil {
				errs.Add(field+".newCostPrice", "cost is the same at every store; change it on a chain-wide worksheet")
			}
		case models.WSProductUpdate:
			onlyFields("newName", "newDescription", "newDepartmentId", "newBarcode")
			if complete && it.NewName == nil && it.NewDescription == nil && it.NewDepartmentID == nil && it.NewBarcode == nil {
				errs.Add(field+".newName", "enter at least one new value")
			}
			if it.NewName != nil && *it.NewName == "" {
				errs.Add(field+".newName", "must not be empty")
			}
		case models.WSTaxChange:
			onlyFields("newTaxGroupId")
			if complete && it.NewTaxGroupID == nil {
				errs.Add(field+".newTaxGroupId", "is required")
			}
		case models.WSDeactivate:
			onlyFields()
		}
	}
	if it.NewDepartmentID != nil {
		if err := exists(ctx, tx, "departments", *it.NewDepartmentID, field+".newDepartmentId", "unknown department", errs); err != nil {
			return it, err
		}
	}
	if it.NewTaxGroupID != nil {
		if err := exists(ctx, tx, "tax_groups", *it.NewTaxGroupID, field+".newTaxGroupId", "unknown tax group", errs); err != nil {
			return it, err
		}
	}
	return it, nil
}

func exists(ctx context.Context, tx *gorm.DB, table string, id uuid.UUID, field, msg string, errs *models.Error) error {
	var n int64
	if err := tx.WithContext(ctx).Table(table).Where("id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		errs.Add(field, msg)
	}
	return nil
}

// checkInput validates a worksheet's header and lines; it returns the lines and target stores.
func checkInput(ctx context.Context, tx *gorm.DB, in WorksheetInput, withItems bool) ([]models.WorksheetItem, []uuid.UUID, *models.LocalDate, error) {
	errs := models.Invalid()
	if !slices.Contains(models.WorksheetTypes, in.Type) {
		errs.Add("type", "must be one of: "+strings.Join(models.WorksheetTypes, ", "))
	}
	stores, err := checkStores(ctx, tx, in.StoreIDs, "storeIds", errs)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(stores) > 0 && in.Type != models.WSPriceChange && in.Type != "" {
		errs.Add("storeIds", "only price changes can target some stores; other changes apply to every store")
	}
	var eff *models.LocalDate
	if in.EffectiveDate != nil && strings.TrimSpace(*in.EffectiveDate) != "" {
		d, err := models.ParseLocalDate(*in.EffectiveDate)
		if err != nil {
			errs.Add("effectiveDate", err.Error())
		} else {
			eff = &d
		}
	}
	var items []models.WorksheetItem
	if withItems && errs.Fields["type"] == nil {
		seen := map[uuid.UUID]bool{}
		skus := map[string]bool{}
		for i, in2 := range in.Items {
			field := fmt.Sprintf("items[%d]", i)
			it, err := toItem(ctx, tx, in.Type, len(stores) == 0, in2, field, errs, true)
			if err != nil {
				return nil, nil, nil, err
			}
			if it.ProductID != nil {
				if seen[*it.ProductID] {
					errs.Add(field+".productId", "product is already on this worksheet")
				}
				seen[*it.ProductID] = true
			}
			if it.NewSKU != nil && *it.NewSKU != "" {
				k := strings.ToLower(*it.NewSKU)
				if skus[k] {
					errs.Add(field+".newSku", "SKU is already on this worksheet")
				}
				skus[k] = true
			}
			it.Position = i
			items = append(items, it)
		}
	}
	return items, stores, eff, errs.Err()
}

// ListWorksheets returns one page of worksheets, newest first. Store-scoped people see the
// chain-wide ones and those targeting their stores.
func (s *Service) ListWorksheets(ctx context.Context, actor models.Actor, f WorksheetFilter, p models.Page) ([]models.Worksheet, int64, error) {
	q := s.scopeWorksheets(s.db.WithContext(ctx).Model(&models.Worksheet{}), actor, PermWSView)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if t := strings.TrimSpace(f.Search); t != "" {
		like := "%" + models.EscapeLike(t) + "%"
		q = q.Where("(number ILIKE ? OR description ILIKE ?)", like, like)
	}
	items, total, err := models.Paged[models.Worksheet](q, p, "created_at DESC, id DESC")
	if err != nil {
		return nil, 0, err
	}
	return items, total, s.fillStores(ctx, s.db, items)
}

func (s *Service) scopeWorksheets(q *gorm.DB, actor models.Actor, perm string) *gorm.DB {
	all, stores := actor.Scope(perm)
	if all {
		return q
	}
	if len(stores) == 0 {
		return q.Where("false")
	}
	return q.Where(`(NOT EXISTS (SELECT 1 FROM worksheet_stores x WHERE x.worksheet_id = worksheets.id)
		OR EXISTS (SELECT 1 FROM worksheet_stores x WHERE x.worksheet_id = worksheets.id AND x.store_id IN ?))`, stores)
}

func (s *Service) fillStores(ctx context.Context, db *gorm.DB, ws []models.Worksheet) error {
	if len(ws) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
		ws[i].StoreIDs = []uuid.UUID{}
	}
	var rows []struct{ WorksheetID, StoreID uuid.UUID }
	if err := db.WithContext(ctx).Table("worksheet_stores").Where("worksheet_id IN ?", ids).Order("store_id").Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		for i := range ws {
			if ws[i].ID == r.WorksheetID {
				ws[i].StoreIDs = append(ws[i].StoreIDs, r.StoreID)
			}
		}
	}
	return nil
}

// GetWorksheet returns a worksheet with its lines (and their products) and stores.
func (s *Service) GetWorksheet(ctx context.Context, actor models.Actor, id uuid.UUID) (models.Worksheet, error) {
	return s.loadWorksheet(ctx, s.db, actor, id, PermWSView)
}

func (s *Service) loadWorksheet(ctx context.Context, db *gorm.DB, actor models.Actor, id uuid.UUID, perm string) (models.Worksheet, error) {
	var w models.Worksheet
	err := db.WithContext(ctx).Preload("Items", func(q *gorm.DB) *gorm.DB { return q.Order("position, id") }).
		Preload("Items.Product").Take(&w, "id = ?", id).Error
	if err != nil {
		return w, models.NotFoundIf(err, "worksheet")
	}
	list := []models.Worksheet{w}
	if err := s.fillStores(ctx, db, list); err != nil {
		return w, err
	}
	w = list[0]
	if perm == PermWSView {
		all, mine := actor.Scope(perm)
		if !all && len(w.StoreIDs) > 0 && !slices.ContainsFunc(w.StoreIDs, func(x uuid.UUID) bool { return slices.Contains(mine, x) }) {
			return w, models.NotFound("worksheet")
		}
		if !all && len(mine) == 0 {
			return w, models.NotFound("worksheet")
		}
		return w, nil
	}
	if !canFor(actor, perm, w.StoreIDs) {
		return w, forbiddenFor(perm, w.StoreIDs)
	}
	return w, nil
}

// CreateWorksheet starts a draft.
func (s *Service) CreateWorksheet(ctx context.Context, actor models.Actor, in WorksheetInput) (models.Worksheet, error) {
	var out models.Worksheet
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		items, stores, eff, err := checkInput(ctx, tx, in, true)
		if err != nil {
			return err
		}
		if !canFor(actor, PermWSCreate, stores) {
			return forbiddenFor(PermWSCreate, stores)
		}
		var seq int64
		if err := tx.Raw("SELECT nextval('worksheet_numbers')").Scan(&seq).Error; err != nil {
			return err
		}
		w := models.Worksheet{ID: models.NewID(), Number: fmt.Sprintf("WS-%06d", seq), Type: in.Type,
			Description: strings.TrimSpace(in.Description), Status: models.WSDraft, EffectiveDate: eff, CreatedBy: userOf(actor)}
		if err := tx.Omit("Items").Create(&w).Error; err != nil {
			return err
		}
		if err := s.writeLines(ctx, tx, w.ID, stores, items, true); err != nil {
			return err
		}
		if out, err = s.loadWorksheet(ctx, tx, models.System, w.ID, PermWSView); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "create", wsEntity, w.ID, nil, out)
	})
	return out, err
}

func (s *Service) writeLines(ctx context.Context, tx *gorm.DB, id uuid.UUID, stores []uuid.UUID, items []models.WorksheetItem, replaceItems bool) error {
	if err := tx.WithContext(ctx).Exec("DELETE FROM worksheet_stores WHERE worksheet_id = ?", id).Error; err != nil {
		return err
	}
	for _, st := range stores {
		if err := tx.Exec("INSERT INTO worksheet_stores (worksheet_id, store_id) VALUES (?, ?)", id, st).Error; err != nil {
			return err
		}
	}
	if !replaceItems {
		return nil
	}
	if err := tx.Exec("DELETE FROM worksheet_items WHERE worksheet_id = ?", id).Error; err != nil {
		return err
	}
	for i := range items {
		items[i].WorksheetID = id
	}
	if len(items) > 0 {
		return tx.Omit("Product").CreateInBatches(&items, 500).Error
	}
	return nil
}

// lockWS checks in SQL that the worksheet is in one of from, locking it for the rest of tx.
func lockWS(ctx context.Context, tx *gorm.DB, id uuid.UUID, verb string, from ...string) error {
	res := tx.WithContext(ctx).Exec("UPDATE worksheets SET updated_at = now() WHERE id = ? AND status IN ?", id, from)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return wsMoved(ctx, tx, id, verb, from...)
	}
	return nil
}

func wsMoved(ctx context.Context, tx *gorm.DB, id uuid.UUID, verb string, from ...string) error {
	return models.Moved(tx.WithContext(ctx), "worksheets", "worksheet", id, verb, from...)
}

// UpdateWorksheet replaces a draft's header and stores, and its lines when in.Items is not nil.
func (s *Service) UpdateWorksheet(ctx context.Context, actor models.Actor, id uuid.UUID, in WorksheetInput) (models.Worksheet, error) {
	var out models.Worksheet
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := s.loadWorksheet(ctx, tx, actor, id, wsMoves["edit"].perm)
		if err != nil {
			return err
		}
		if err := lockWS(ctx, tx, id, "edited", wsMoves["edit"].from...); err != nil {
			return err
		}
		if in.Type == "" {
			in.Type = before.Type
		}
		replace := in.Items != nil
		items, stores, eff, err := checkInput(ctx, tx, in, replace)
		if err != nil {
			return err
		}
		if !replace && len(stores) > 0 {
			// Keeping the lines: they must still fit the new targets (store prices carry no cost).
			for i, it := range before.Items {
				if it.NewCostPrice != nil {
					return models.FieldError(fmt.Sprintf("items[%d].newCostPrice", i), "cost is the same at every store; change it on a chain-wide worksheet")
				}
			}
		}
		if in.Type != before.Type && !replace && len(before.Items) > 0 {
			return models.FieldError("type", "the lines were made for another type; send new items with the new type")
		}
		if !canFor(actor, PermWSCreate, stores) {
			return forbiddenFor(PermWSCreate, stores)
		}
		if err := tx.Model(&models.Worksheet{}).Where("id = ?", id).Updates(map[string]any{
			"type": in.Type, "description": strings.TrimSpace(in.Description), "effective_date": eff,
		}).Error; err != nil {
			return err
		}
		if err := s.writeLines(ctx, tx, id, stores, items, replace); err != nil {
			return err
		}
		if out, err = s.loadWorksheet(ctx, tx, models.System, id, PermWSView); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "update", wsEntity, id, before, out)
	})
	return out, err
}

// ItemPatch changes one field group of one draft line (the grid's inline cells).
type ItemPatch = WorksheetItemInput

// UpdateWorksheetItem replaces one line of a draft with in (same validation as a full save).
func (s *Service) UpdateWorksheetItem(ctx context.Context, actor models.Actor, id, itemID uuid.UUID, in ItemPatch) (models.WorksheetItem, error) {
	var out models.WorksheetItem
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := s.loadWorksheet(ctx, tx, actor, id, wsMoves["edit"].perm)
		if err != nil {
			return err
		}
		if err := lockWS(ctx, tx, id, "edited", wsMoves["edit"].from...); err != nil {
			return err
		}
		var cur models.WorksheetItem
		if err := tx.Take(&cur, "id = ? AND worksheet_id = ?", itemID, id).Error; err != nil {
			return models.NotFoundIf(err, "worksheet line")
		}
		if in.ProductID == nil {
			in.ProductID = cur.ProductID
		}
		errs := models.Invalid()
		it, err := toItem(ctx, tx, w.Type, len(w.StoreIDs) == 0, in, "item", errs, false)
		if err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		it.ID, it.WorksheetID, it.Position, it.CreatedAt = cur.ID, id, cur.Position, cur.CreatedAt
		if err := tx.Omit("Product").Save(&it).Error; err != nil {
			if models.IsUniqueViolation(err, "worksheet_items_product_key") {
				return models.FieldError("item.productId", "product is already on this worksheet")
			}
			return err
		}
		out = it
		return models.Audit(ctx, tx, actor, "update_item", wsEntity, id, cur, it)
	})
	return out, err
}

// DeleteWorksheet removes a draft.
func (s *Service) DeleteWorksheet(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := s.loadWorksheet(ctx, tx, actor, id, wsMoves["delete"].perm)
		if err != nil {
			return err
		}
		res := tx.Exec("DELETE FROM worksheets WHERE id = ? AND status IN ?", id, wsMoves["delete"].from)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return wsMoved(ctx, tx, id, "deleted", wsMoves["delete"].from...)
		}
		return models.Audit(ctx, tx, actor, "delete", wsEntity, id, w, nil)
	})
}

// PendingWorksheets lists the submitted worksheets the actor may approve.
func (s *Service) PendingWorksheets(ctx context.Context, actor models.Actor) ([]models.Worksheet, error) {
	if !actor.Can(PermWSApprove) {
		return nil, nil
	}
	var ws []models.Worksheet
	q := s.scopeWorksheets(s.db.WithContext(ctx).Model(&models.Worksheet{}), actor, PermWSApprove).Where("status = ?", models.WSSubmitted)
	// Only the line ids: the approvals list shows how many lines, not what they hold.
	lineIDs := func(q *gorm.DB) *gorm.DB { return q.Select("id", "worksheet_id") }
	if err := q.Preload("Items", lineIDs).Order("submitted_at, id").Limit(200).Find(&ws).Error; err != nil {
		return nil, err
	}
	if err := s.fillStores(ctx, s.db, ws); err != nil {
		return nil, err
	}
	out := ws[:0]
	for _, w := range ws {
		if canFor(actor, PermWSApprove, w.StoreIDs) {
			out = append(out, w)
		}
	}
	return out, nil
}

// AddWorksheetItem appends a line to a draft.
func (s *Service) AddWorksheetItem(ctx context.Context, actor models.Actor, id uuid.UUID, in WorksheetItemInput) (models.WorksheetItem, error) {
	out, err := s.AddWorksheetItems(ctx, actor, id, []WorksheetItemInput{in})
	if err != nil {
		return models.WorksheetItem{}, err
	}
	return out[0], nil
}

// AddWorksheetItems appends lines to a draft, all or none (errors name items[i]).
func (s *Service) AddWorksheetItems(ctx context.Context, actor models.Actor, id uuid.UUID, in []WorksheetItemInput) ([]models.WorksheetItem, error) {
	var out []models.WorksheetItem
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := s.loadWorksheet(ctx, tx, actor, id, wsMoves["edit"].perm)
		if err != nil {
			return err
		}
		if err := lockWS(ctx, tx, id, "edited", wsMoves["edit"].from...); err != nil {
			return err
		}
		if len(w.Items)+len(in) > 5000 {
			return models.FieldError("items", "a worksheet holds at most 5000 lines")
		}
		errs := models.Invalid()
		seen := map[uuid.UUID]bool{}
		for _, cur := range w.Items {
			if cur.ProductID != nil {
				seen[*cur.ProductID] = true
			}
		}
		next := 0
		if n := len(w.Items); n > 0 {
			next = w.Items[n-1].Position + 1
		}
		for i, one := range in {
			field := "item"
			if len(in) > 1 {
				field = fmt.Sprintf("items[%d]", i)
			}
			it, err := toItem(ctx, tx, w.Type, len(w.StoreIDs) == 0, one, field, errs, false)
			if err != nil {
				return err
			}
			if it.ProductID != nil {
				if seen[*it.ProductID] {
					errs.Add(field+".productId", "product is already on this worksheet")
				}
				seen[*it.ProductID] = true
			}
			it.WorksheetID, it.Position = id, next+i
			out = append(out, it)
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if err := tx.Omit("Product").Create(&out).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "add_item", wsEntity, id, nil, out)
	})
	return out, err
}

// RemoveWorksheetItem deletes a line of a draft.
func (s *Service) RemoveWorksheetItem(ctx context.Context, actor models.Actor, id, itemID uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.loadWorksheet(ctx, tx, actor, id, wsMoves["edit"].perm); err != nil {
			return err
		}
		if err := lockWS(ctx, tx, id, "edited", wsMoves["edit"].from...); err != nil {
			return err
		}
		var it models.WorksheetItem
		if err := tx.Take(&it, "id = ? AND worksheet_id = ?", itemID, id).Error; err != nil {
			return models.NotFoundIf(err, "worksheet line")
		}
		if err := tx.Delete(&it).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "remove_item", wsEntity, id, it, nil)
	})
}

// FillSellPrices sets newSellPrice on the draft's lines in order, one price per line (a column
// pasted from a spreadsheet; nil leaves that line as it is); all or nothing.
func (s *Service) FillSellPrices(ctx context.Context, actor models.Actor, id uuid.UUID, prices []*int64) (models.Worksheet, error) {
	var out models.Worksheet
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := s.loadWorksheet(ctx, tx, actor, id, wsMoves["edit"].perm)
		if err != nil {
			return err
		}
		if err := lockWS(ctx, tx, id, "edited", wsMoves["edit"].from...); err != nil {
			return err
		}
		if w.Type != models.WSPriceChange && w.Type != models.WSNewProduct {
			return models.FieldError("prices", "only price change and new product worksheets have selling prices")
		}
		if len(prices) > len(w.Items) {
			return models.FieldError("prices", fmt.Sprintf("%d prices for %d lines: paste at most one price per line", len(prices), len(w.Items)))
		}
		for i, p := range prices {
			if p == nil {
				continue
			}
			if *p < 0 {
				return models.FieldError("prices", fmt.Sprintf("line %d: a price cannot be negative", i+1))
			}
			if err := tx.Model(&models.WorksheetItem{}).Where("id = ?", w.Items[i].ID).
				Updates(map[string]any{"new_sell_price": *p, "updated_at": time.Now().UTC()}).Error; err != nil {
				return err
			}
		}
		if err := models.Audit(ctx, tx, actor, "fill_prices", wsEntity, id, nil, map[string]any{"prices": prices}); err != nil {
			return err
		}
		out, err = s.loadWorksheet(ctx, tx, models.System, id, PermWSView)
		return err
	})
	return out, err
}
