// Package purchasing owns purchase orders: draft → submitted → approved → sent → partial →
// received, or cancelled; a partial order may be closed short (received, the rest not coming). Every transition is one method that checks the current status in
// SQL and answers 409 when the order has moved on.
package purchasing

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

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

func lineTotal(qty, cost int64) int64 { return linemath.RoundDiv(qty*cost, 1000) }

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

// moved explains why a transition found the order in another state.
func (s *Service) moved(ctx context.Context, tx *gorm.DB, id uuid.UUID, verb string, from ...string) error {
	return models.Moved(tx.WithContext(ctx), "purchase_orders", "purchase order", id, verb, from...)
}

// qty writes thousandths as units without trailing zeros (2500 → "2.5").
func qty(q int64) string {
	s := fmt.Sprintf("%d.%03d", q/1000, q%1000)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
