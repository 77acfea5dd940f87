package purchasing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/catalog"
	"backroom/app/inventory"
	"backroom/models"
)

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

// Receive books one delivery: each line's quantity goes into stock at the order's store through
// the ledger, the product's cost becomes the line's unit cost, and the order becomes partial or
// received. More than ordered needs ConfirmOverReceive.
func (s *Service) Receive(ctx context.Context, actor models.Actor, id uuid.UUID, in ReceiveInput) (Detail, error) {
	var out Detail
	receivable := moves["receive"].from
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		po, err := s.load(ctx, tx, actor, id, moves["receive"].perm)
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

// setCost makes the received unit cost the product's cost (through the catalogue, which locks
// the product), audited and kept in its history.
func (s *Service) setCost(ctx context.Context, tx *gorm.DB, actor models.Actor, po models.PurchaseOrder, productID uuid.UUID, cost int64) error {
	old, err := catalog.SetCost(ctx, tx, productID, cost)
	if err != nil {
		return err
	}
	if old == cost {
		return nil
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
