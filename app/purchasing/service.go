// Package purchasing owns purchase orders: draft → submitted → approved → sent → partial →
// received, or cancelled; a partial order may be closed short (received, the rest not coming). Every transition is one method that checks the current status in
// SQL and answers 409 when the order has moved on.
package purchasing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/app/inventory"
	"backroom/app/linemath"
	"backroom/models"
)

// Permission codes used here.
const (
	PermView    = "purchase_orders.view"
	PermCreate  = "purchase_orders.create"
	PermEdit    = "purchase_orders.edit"
	PermApprove = "purchase_orders.approve"
	PermReceive = "purchase_orders.receive"
	PermDelete  = "purchase_orders.delete"
)

// entityType names purchase orders in the audit trail.
const entityType = "purchase_order"

// Service runs purchase orders.
type Service struct {
	db     *gorm.DB
	ledger *inventory.Ledger
}

// New returns the purchasing service; receiving moves stock through ledger.
func New(db *gorm.DB, ledger *inventory.Ledger) *Service { return &Service{db: db, ledger: ledger} }

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

// ReceiveLine is how much of one line arrived in this delivery.
type ReceiveLine struct {
	ItemID           uuid.UUID `json:"itemId" validate:"required"`
	QuantityReceived int64     `json:"quantityReceived" validate:"gte=0,lte=1000000000"`
}

// ReceiveInput is one delivery. Receiving more than was ordered must be confirmed.
type ReceiveInput struct {
	Items              []ReceiveLine `json:"items" validate:"required,min=1,max=1000,dive"`
	ConfirmOverReceive bool          `json:"confirmOverReceive"`
}

// ListFilter narrows the list.
type ListFilter struct {
	Status     string
	StoreID    *uuid.UUID
	SupplierID *uuid.UUID
	Search     string
}

// Detail is an order with its lines, receipts and who did what.
type Detail struct {
	models.PurchaseOrder
	Receipts []models.PurchaseOrderReceipt `json:"receipts"`
	Ordered  int64                         `json:"quantityOrdered"`
	Received int64                         `json:"quantityReceived"`
}

func userOf(a models.Actor) *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

func parseDate(field string, s *string, errs *models.Error) *models.LocalDate {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	d, err := models.ParseLocalDate(*s)
	if err != nil {
		errs.Add(field, err.Error())
		return nil
	}
	return &d
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

func (s *Service) detail(ctx context.Context, db *gorm.DB, po models.PurchaseOrder) (Detail, error) {
	d := Detail{PurchaseOrder: po}
	db = db.WithContext(ctx)
	if err := db.Preload("Supplier").Preload("Store").Preload("Items", func(q *gorm.DB) *gorm.DB {
		return q.Order("created_at, id")
	}).Preload("Items.Product").Take(&d.PurchaseOrder, "id = ?", po.ID).Error; err != nil {
		return Detail{}, models.NotFoundIf(err, "purchase order")
	}
	if err := db.Where("purchase_order_id = ?", po.ID).Order("created_at, id").Find(&d.Receipts).Error; err != nil {
		return Detail{}, err
	}
	for _, it := range d.Items {
		d.Ordered += it.Quantity
		d.Received += it.QuantityReceived
	}
	return d, nil
}

// load reads an order and checks the actor holds perm at its store.
func (s *Service) load(ctx context.Context, db *gorm.DB, actor models.Actor, id uuid.UUID, perm string) (models.PurchaseOrder, error) {
	var po models.PurchaseOrder
	if err := db.WithContext(ctx).Take(&po, "id = ?", id).Error; err != nil {
		return po, models.NotFoundIf(err, "purchase order")
	}
	if !actor.CanAt(perm, po.StoreID) {
		return po, models.Forbidden("You need the %s permission at this purchase order's store", perm)
	}
	return po, nil
}

// checkStore refuses a store the actor may not raise orders for, or one that does not exist.
func (s *Service) checkStore(ctx context.Context, tx *gorm.DB, actor models.Actor, storeID uuid.UUID, errs *models.Error) error {
	var n int64
	if err := tx.WithContext(ctx).Model(&models.Store{}).Where("id = ? AND is_active", storeID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		errs.Add("storeId", "unknown or inactive store")
		return nil
	}
	if !actor.CanAt(PermCreate, storeID) {
		return models.Forbidden("You may raise purchase orders only for your own stores")
	}
	return nil
}

func (s *Service) checkSupplier(ctx context.Context, tx *gorm.DB, supplierID uuid.UUID, errs *models.Error) error {
	var n int64
	if err := tx.WithContext(ctx).Model(&models.Supplier{}).Where("id = ? AND is_active", supplierID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		errs.Add("supplierId", "choose an active supplier")
	}
	return nil
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

func lineTotal(qty, cost int64) int64 { return linemath.RoundDiv(qty*cost, 1000) }

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

func (s *Service) insert(ctx context.Context, tx *gorm.DB, actor models.Actor, supplierID, storeID uuid.UUID, notes string, expected *models.LocalDate, lines []models.PurchaseOrderItem) (models.PurchaseOrder, error) {
	var seq int64
	if err := tx.WithContext(ctx).Raw("SELECT nextval('purchase_order_numbers')").Scan(&seq).Error; err != nil {
		return models.PurchaseOrder{}, err
	}
	po := models.PurchaseOrder{
		ID: models.NewID(), Number: fmt.Sprintf("PO-%06d", seq), SupplierID: supplierID, StoreID: storeID,
		Status: models.PODraft, Notes: notes, ExpectedDate: expected, CreatedBy: userOf(actor),
	}
	for i := range lines {
		lines[i].PurchaseOrderID = po.ID
		po.Total += lines[i].LineTotal
	}
	if err := tx.WithContext(ctx).Omit("Items", "Supplier", "Store").Create(&po).Error; err != nil {
		return po, fmt.Errorf("create purchase order: %w", err)
	}
	if len(lines) > 0 {
		if err := tx.WithContext(ctx).Omit("Product").Create(&lines).Error; err != nil {
			return po, fmt.Errorf("create purchase order lines: %w", err)
		}
	}
	po.Items = lines
	return po, models.Audit(ctx, tx, actor, "create", entityType, po.ID, nil, po)
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

// moved explains why a transition found the order in another state.
func (s *Service) moved(ctx context.Context, tx *gorm.DB, id uuid.UUID, verb string, from ...string) error {
	return models.Moved(tx.WithContext(ctx), "purchase_orders", "purchase order", id, verb, from...)
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

// transition moves an order from one of from to to, setting extra columns, through
// models.Transition (row locked first); perm is needed at the order's store. check may refuse
// before the update.
func (s *Service) transition(ctx context.Context, actor models.Actor, id uuid.UUID, perm, verb, to string, from []string, set map[string]any, check func(tx *gorm.DB, po models.PurchaseOrder) error) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var po models.PurchaseOrder
		m := models.Transition{Table: "purchase_orders", Entity: entityType, What: "purchase order", ID: id,
			Verb: verb, To: to, From: from, Set: set,
			Load: func(tx *gorm.DB) (string, error) {
				var err error
				if po, err = s.load(ctx, tx, actor, id, perm); err != nil {
					return "", err
				}
				if check != nil {
					if err := check(tx, po); err != nil {
						return "", err
					}
				}
				return po.Status, nil
			}}
		if verb == "rejected" {
			m.After = map[string]any{"reason": rejectReason(set)}
		}
		if err := m.Run(ctx, tx, actor); err != nil {
			return err
		}
		var err error
		out, err = s.detail(ctx, tx, po)
		return err
	})
	return out, err
}

// Submit sends a draft for approval.
func (s *Service) Submit(ctx context.Context, actor models.Actor, id uuid.UUID) (Detail, error) {
	now := time.Now().UTC()
	return s.transition(ctx, actor, id, PermCreate, "submitted", models.POSubmitted, []string{models.PODraft},
		map[string]any{"submitted_by": userOf(actor), "submitted_at": now},
		func(tx *gorm.DB, po models.PurchaseOrder) error {
			var n int64
			if err := tx.Model(&models.PurchaseOrderItem{}).Where("purchase_order_id = ?", id).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 && po.Status == models.PODraft {
				return models.FieldError("items", "add at least one line before submitting")
			}
			return nil
		})
}

// Approve approves a submitted order; the person who submitted it may not approve it.
func (s *Service) Approve(ctx context.Context, actor models.Actor, id uuid.UUID) (Detail, error) {
	now := time.Now().UTC()
	return s.transition(ctx, actor, id, PermApprove, "approved", models.POApproved, []string{models.POSubmitted},
		map[string]any{"approved_by": userOf(actor), "approved_at": now},
		func(tx *gorm.DB, po models.PurchaseOrder) error {
			if po.SubmittedBy != nil && *po.SubmittedBy == actor.UserID && po.Status == models.POSubmitted {
				return models.Forbidden("You submitted purchase order %s; someone else must approve it", po.Number)
			}
			return nil
		})
}

// Send marks an approved order as sent to the supplier.
func (s *Service) Send(ctx context.Context, actor models.Actor, id uuid.UUID) (Detail, error) {
	return s.transition(ctx, actor, id, PermEdit, "sent", models.POSent, []string{models.POApproved},
		map[string]any{"sent_at": time.Now().UTC()}, nil)
}

// Cancel stops an order that has not started arriving.
func (s *Service) Cancel(ctx context.Context, actor models.Actor, id uuid.UUID) (Detail, error) {
	return s.transition(ctx, actor, id, PermEdit, "cancelled", models.POCancelled,
		[]string{models.PODraft, models.POSubmitted, models.POApproved, models.POSent},
		map[string]any{"cancelled_at": time.Now().UTC()}, nil)
}

// Reject turns down a submitted order: it is cancelled, with the approver's reason in the audit
// trail. It needs the approve permission (an approver may not hold edit).
func (s *Service) Reject(ctx context.Context, actor models.Actor, id uuid.UUID, reason string) (Detail, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Detail{}, models.FieldError("reason", "say why the order is rejected")
	}
	if len(reason) > 1000 {
		return Detail{}, models.FieldError("reason", "must be at most 1000 characters")
	}
	return s.transition(ctx, actor, id, PermApprove, "rejected", models.POCancelled, []string{models.POSubmitted},
		map[string]any{"cancelled_at": time.Now().UTC(), "notes": gorm.Expr("concat_ws(E'\\n', NULLIF(notes, ''), ?::text)", "Rejected: "+reason)}, nil)
}

// MaxCloseReason is the longest reason for closing an order short, in characters.
const MaxCloseReason = 500

// CloseReason trims a reason for closing an order short and refuses an empty or too long one
// (422 on "reason").
func CloseReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", models.FieldError("reason", "say why nothing more is coming")
	}
	if utf8.RuneCountInString(reason) > MaxCloseReason {
		return "", models.FieldError("reason", fmt.Sprintf("must be at most %d characters", MaxCloseReason))
	}
	return reason, nil
}

// CloseShort ends a partly received order: the supplier will not deliver the rest, so it
// becomes received with who closed it, when and why. Stock does not change (it moves only on
// receipts). Only a partial order can be closed short; the person needs the receive permission
// at the order's store, since whoever receives knows nothing more is coming.
func (s *Service) CloseShort(ctx context.Context, actor models.Actor, id uuid.UUID, reason string) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		po, err := s.load(ctx, tx, actor, id, PermReceive)
		if err != nil {
			return err
		}
		reason, err := CloseReason(reason)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		res := tx.Model(&models.PurchaseOrder{}).Where("id = ? AND status = ?", id, models.POPartial).Updates(map[string]any{
			"status": models.POReceived, "received_at": now, "updated_at": now,
			"closed_short_at": now, "closed_short_by": userOf(actor), "close_reason": reason,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return s.moved(ctx, tx, id, "closed short", models.POPartial)
		}
		// The order is locked by the update: its lines cannot move under us now.
		var items []models.PurchaseOrderItem
		if err := tx.Where("purchase_order_id = ?", id).Find(&items).Error; err != nil {
			return err
		}
		var got, ordered int64
		for _, it := range items {
			got += it.QuantityReceived
			ordered += it.Quantity
		}
		short, lines := models.PurchaseOrder{Items: items}.Shortfall()
		before := map[string]any{"status": models.POPartial, "received": got, "ordered": ordered}
		after := map[string]any{"status": models.POReceived, "reason": reason, "received": got, "ordered": ordered,
			"notReceived": short, "linesShort": lines, "closedShortAt": now}
		if err := models.Audit(ctx, tx, actor, "close_short", entityType, id, before, after); err != nil {
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
		po, err := s.load(ctx, tx, actor, id, PermDelete)
		if err != nil {
			return err
		}
		res := tx.Exec("DELETE FROM purchase_orders WHERE id = ? AND status = ?", id, models.PODraft)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return s.moved(ctx, tx, id, "deleted", models.PODraft)
		}
		return models.Audit(ctx, tx, actor, "delete", entityType, id, po, nil)
	})
}

// Receive books one delivery: each line's quantity goes into stock at the order's store through
// the ledger, the product's cost becomes the line's unit cost, and the order becomes partial or
// received. More than ordered needs ConfirmOverReceive.
func (s *Service) Receive(ctx context.Context, actor models.Actor, id uuid.UUID, in ReceiveInput) (Detail, error) {
	var out Detail
	receivable := []string{models.POSent, models.POPartial}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		po, err := s.load(ctx, tx, actor, id, PermReceive)
		if err != nil {
			return err
		}
		// Lock the order in its receivable state first, so two deliveries booked at once queue.
		res := tx.Exec("UPDATE purchase_orders SET updated_at = now() WHERE id = ? AND status IN ?", id, receivable)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return s.moved(ctx, tx, id, "received", receivable...)
		}
		var items []models.PurchaseOrderItem
		if err := tx.Where("purchase_order_id = ?", id).Find(&items).Error; err != nil {
			return err
		}
		byID := map[uuid.UUID]*models.PurchaseOrderItem{}
		for i := range items {
			byID[items[i].ID] = &items[i]
		}
		errs := models.Invalid()
		seen := map[uuid.UUID]bool{}
		var changes []inventory.Change
		var receipts []models.PurchaseOrderReceipt
		for i, l := range in.Items {
			field := fmt.Sprintf("items[%d]", i)
			it := byID[l.ItemID]
			switch {
			case it == nil:
				errs.Add(field+".itemId", "not a line of this purchase order")
				continue
			case seen[l.ItemID]:
				errs.Add(field+".itemId", "line listed twice")
				continue
			}
			seen[l.ItemID] = true
			if l.QuantityReceived == 0 {
				continue
			}
			if it.QuantityReceived+l.QuantityReceived > it.Quantity && !in.ConfirmOverReceive {
				errs.Add(field+".quantityReceived", fmt.Sprintf("is more than the %s still expected; confirm over-receiving to book it",
					qty(max(it.Quantity-it.QuantityReceived, 0))))
				continue
			}
			it.QuantityReceived += l.QuantityReceived
			pid := po.ID
			changes = append(changes, inventory.Change{
				StoreID: po.StoreID, ProductID: it.ProductID, Delta: l.QuantityReceived, Type: models.MoveReceipt,
				Reason: "Received on " + po.Number, ReferenceType: entityType, ReferenceID: &pid,
			})
			receipts = append(receipts, models.PurchaseOrderReceipt{
				PurchaseOrderID: po.ID, ItemID: it.ID, ProductID: it.ProductID, Quantity: l.QuantityReceived,
				UnitCost: it.UnitCost, UserID: userOf(actor),
			})
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if len(receipts) == 0 {
			return models.FieldError("items", "enter a received quantity for at least one line")
		}
		// Costs are set in product id order (setCost locks each product), whatever order the
		// delivery lists its lines in: two receipts, or a receipt and a worksheet apply, sharing
		// products would otherwise lock them in opposite orders and deadlock.
		byProduct := slices.Clone(receipts)
		slices.SortFunc(byProduct, func(a, b models.PurchaseOrderReceipt) int {
			return strings.Compare(a.ProductID.String(), b.ProductID.String())
		})
		for _, r := range byProduct {
			if err := tx.Exec("UPDATE purchase_order_items SET quantity_received = quantity_received + ?, updated_at = now() WHERE id = ?", r.Quantity, r.ItemID).Error; err != nil {
				return err
			}
			if err := s.setCost(ctx, tx, actor, po, r.ProductID, r.UnitCost); err != nil {
				return err
			}
		}
		if err := tx.Create(&receipts).Error; err != nil {
			return err
		}
		if _, err := s.ledger.Apply(ctx, tx, actor, changes...); err != nil {
			return err
		}
		to := models.POReceived
		for _, it := range items {
			if it.QuantityReceived < it.Quantity {
				to = models.POPartial
			}
		}
		set := map[string]any{"status": to, "updated_at": time.Now().UTC()}
		if to == models.POReceived {
			set["received_at"] = time.Now().UTC()
		}
		res = tx.Model(&models.PurchaseOrder{}).Where("id = ? AND status IN ?", id, receivable).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return s.moved(ctx, tx, id, "received", receivable...)
		}
		var got, ordered int64
		for _, it := range items {
			got += it.QuantityReceived
			ordered += it.Quantity
		}
		after := map[string]any{"status": to, "receipts": receipts, "received": got, "ordered": ordered}
		if err := models.Audit(ctx, tx, actor, "received", entityType, id, map[string]string{"status": po.Status}, after); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, po)
		return err
	})
	return out, err
}

// setCost makes the received unit cost the product's cost, audited and kept in its history.
func (s *Service) setCost(ctx context.Context, tx *gorm.DB, actor models.Actor, po models.PurchaseOrder, productID uuid.UUID, cost int64) error {
	var old int64
	if err := tx.Raw("SELECT cost_price FROM products WHERE id = ? FOR UPDATE", productID).Scan(&old).Error; err != nil {
		return err
	}
	if old == cost {
		return nil
	}
	if err := tx.Exec("UPDATE products SET cost_price = ?, updated_at = now() WHERE id = ?", cost, productID).Error; err != nil {
		return err
	}
	oldS, newS := fmt.Sprint(old), fmt.Sprint(cost)
	pid := po.ID
	ch := models.ProductChange{ProductID: productID, Field: "cost_price", OldValue: &oldS, NewValue: &newS,
		ReferenceType: entityType, ReferenceID: &pid, UserID: userOf(actor), Username: actor.Username}
	if err := tx.Create(&ch).Error; err != nil {
		return err
	}
	return models.Audit(ctx, tx, actor, "cost_from_receipt", "product", productID,
		map[string]any{"costPrice": old}, map[string]any{"costPrice": cost, "purchaseOrder": po.Number})
}

// rejectReason reads the reason back out of the notes expression Reject builds.
func rejectReason(set map[string]any) string {
	if e, ok := set["notes"].(clause.Expr); ok && len(e.Vars) == 1 {
		return strings.TrimPrefix(fmt.Sprint(e.Vars[0]), "Rejected: ")
	}
	return ""
}

// qty writes thousandths as units without trailing zeros (2500 → "2.5").
func qty(q int64) string {
	s := fmt.Sprintf("%d.%03d", q/1000, q%1000)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

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

// Pending lists the submitted orders waiting for the actor's approval: at stores where they
// hold purchase_orders.approve, and not submitted by them.
func (s *Service) Pending(ctx context.Context, actor models.Actor) ([]models.PurchaseOrder, error) {
	var out []models.PurchaseOrder
	q := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.PurchaseOrder{}), PermApprove, "store_id").
		Where("status = ?", models.POSubmitted)
	if actor.UserID != uuid.Nil {
		q = q.Where("submitted_by IS DISTINCT FROM ?", actor.UserID)
	}
	err := q.Preload("Supplier").Preload("Store").Order("submitted_at, id").Limit(200).Find(&out).Error
	return out, err
}

// PendingCount is how many submitted orders wait for the actor's approval.
func (s *Service) PendingCount(ctx context.Context, actor models.Actor) int {
	if !actor.Can(PermApprove) {
		return 0
	}
	var n int64
	q := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.PurchaseOrder{}), PermApprove, "store_id").
		Where("status = ?", models.POSubmitted)
	if actor.UserID != uuid.Nil {
		q = q.Where("submitted_by IS DISTINCT FROM ?", actor.UserID)
	}
	q.Count(&n)
	return int(n)
}
