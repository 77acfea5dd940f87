// Package transfers moves stock between stores: pending (the goods leave the source at once) →
// in_transit → completed, or cancelled (the goods go back). Differences found on receipt are
// kept per line with their reason and cost, and land in the ledger as a loss or gain.
package transfers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/inventory"
	"backroom/app/linemath"
	"backroom/models"
)

// Permission codes used here.
const (
	PermView    = "transfers.view"
	PermCreate  = "transfers.create"
	PermSend    = "transfers.send"
	PermReceive = "transfers.receive"
)

const entityType = "transfer"

// Difference reasons.
const (
	ReasonShort   = "short"
	ReasonDamaged = "damaged"
	ReasonOver    = "over"
)

// Service runs transfers.
type Service struct {
	db     *gorm.DB
	ledger *inventory.Ledger
}

// New returns the transfers service; sending and receiving move stock through ledger.
func New(db *gorm.DB, ledger *inventory.Ledger) *Service { return &Service{db: db, ledger: ledger} }

// In returns a copy of the service that works inside tx: its writes commit or roll back with
// the caller's (a store server's pushed transfer status, applied with the rest of its batch).
func (s *Service) In(tx *gorm.DB) *Service {
	c := *s
	c.db = tx
	return &c
}

// ItemInput is one product to send.
type ItemInput struct {
	ProductID uuid.UUID `json:"productId" validate:"required"`
	Quantity  int64     `json:"quantity" validate:"gt=0,lte=1000000000"`
}

// CreateInput is a new transfer.
type CreateInput struct {
	FromStoreID uuid.UUID   `json:"fromStoreId" validate:"required"`
	ToStoreID   uuid.UUID   `json:"toStoreId" validate:"required"`
	Notes       string      `json:"notes" validate:"max=2000"`
	Items       []ItemInput `json:"items" validate:"required,min=1,max=1000,dive"`
}

// SendInput marks a transfer shipped.
type SendInput struct {
	TrackingNote string `json:"trackingNote" validate:"max=500"`
}

// ReceiveLine is what arrived of one product; Reason is needed when it differs from what was
// sent: short or damaged when less arrived, over when more did.
type ReceiveLine struct {
	ProductID        uuid.UUID `json:"productId" validate:"required"`
	QuantityReceived int64     `json:"quantityReceived" validate:"gte=0,lte=1000000000"`
	Reason           string    `json:"reason"`
}

// ReceiveInput books the arrival. Products not listed arrived exactly as sent.
type ReceiveInput struct {
	Items []ReceiveLine `json:"items" validate:"max=1000,dive"`
}

// ListFilter narrows the list.
type ListFilter struct {
	Status         string
	StoreID        *uuid.UUID
	HasDifferences *bool
	Search         string
}

// Settlement sums a completed transfer's differences: what was lost or gained, at cost.
type Settlement struct {
	Sent          int64            `json:"quantitySent"`
	Received      int64            `json:"quantityReceived"`
	Difference    int64            `json:"difference"`
	Value         int64            `json:"value"`
	ValueByReason map[string]int64 `json:"valueByReason"`
}

// Detail is a transfer with its lines and settlement.
type Detail struct {
	models.Transfer
	Settlement Settlement `json:"settlement"`
}

func userOf(a models.Actor) *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

// scope limits q to transfers from or to the actor's stores.
func scope(q *gorm.DB, a models.Actor) *gorm.DB {
	all, stores := a.Scope(PermView)
	if all {
		return q
	}
	if len(stores) == 0 {
		return q.Where("false")
	}
	return q.Where("(from_store_id IN ? OR to_store_id IN ?)", stores, stores)
}

// List returns one page of transfers, newest first.
func (s *Service) List(ctx context.Context, actor models.Actor, f ListFilter, p models.Page) ([]models.Transfer, int64, error) {
	q := scope(s.db.WithContext(ctx).Model(&models.Transfer{}), actor)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.StoreID != nil {
		q = q.Where("(from_store_id = ? OR to_store_id = ?)", *f.StoreID, *f.StoreID)
	}
	if f.HasDifferences != nil {
		q = q.Where("has_differences = ?", *f.HasDifferences)
	}
	if t := strings.TrimSpace(f.Search); t != "" {
		q = q.Where("number ILIKE ?", "%"+models.EscapeLike(t)+"%")
	}
	return models.Paged[models.Transfer](q.Preload("FromStore").Preload("ToStore"), p, "created_at DESC, id DESC")
}

// Get returns a transfer the actor may see.
func (s *Service) Get(ctx context.Context, actor models.Actor, id uuid.UUID) (Detail, error) {
	t, err := s.load(ctx, s.db, actor, id)
	if err != nil {
		return Detail{}, err
	}
	return s.detail(ctx, s.db, t.ID)
}

func (s *Service) load(ctx context.Context, db *gorm.DB, actor models.Actor, id uuid.UUID) (models.Transfer, error) {
	var t models.Transfer
	if err := scope(db.WithContext(ctx), actor).Take(&t, "id = ?", id).Error; err != nil {
		return t, models.NotFoundIf(err, "transfer")
	}
	return t, nil
}

func (s *Service) detail(ctx context.Context, db *gorm.DB, id uuid.UUID) (Detail, error) {
	var d Detail
	err := db.WithContext(ctx).Preload("FromStore").Preload("ToStore").
		Preload("Items", func(q *gorm.DB) *gorm.DB { return q.Order("created_at, id") }).Preload("Items.Product").
		Take(&d.Transfer, "id = ?", id).Error
	if err != nil {
		return d, models.NotFoundIf(err, "transfer")
	}
	d.Settlement.ValueByReason = map[string]int64{}
	for _, it := range d.Items {
		d.Settlement.Sent += it.Quantity
		if it.QuantityReceived != nil {
			d.Settlement.Received += *it.QuantityReceived
		}
		d.Settlement.Difference += it.Difference
		d.Settlement.Value += it.DifferenceValue
		if it.Reason != "" {
			d.Settlement.ValueByReason[it.Reason] += it.DifferenceValue
		}
	}
	return d, nil
}

// Create records a transfer and takes the goods out of the source store's stock at once.
func (s *Service) Create(ctx context.Context, actor models.Actor, in CreateInput) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		errs := models.Invalid()
		if in.FromStoreID == in.ToStoreID {
			errs.Add("toStoreId", "must be another store than the source")
		}
		for field, id := range map[string]uuid.UUID{"fromStoreId": in.FromStoreID, "toStoreId": in.ToStoreID} {
			var n int64
			if err := tx.Model(&models.Store{}).Where("id = ? AND is_active", id).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				errs.Add(field, "unknown or inactive store")
			}
		}
		var items []models.TransferItem
		seen := map[uuid.UUID]bool{}
		for i, it := range in.Items {
			field := fmt.Sprintf("items[%d].productId", i)
			if seen[it.ProductID] {
				errs.Add(field, "product is listed twice")
				continue
			}
			seen[it.ProductID] = true
			var p []models.Product
			if err := tx.Where("id = ? AND deleted_at IS NULL", it.ProductID).Limit(1).Find(&p).Error; err != nil {
				return err
			}
			if len(p) == 0 {
				errs.Add(field, "unknown product")
				continue
			}
			items = append(items, models.TransferItem{ProductID: it.ProductID, Quantity: it.Quantity, UnitCost: p[0].CostPrice})
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if !actor.CanAt(PermCreate, in.FromStoreID) {
			return models.Forbidden("You may send transfers only from your own stores")
		}
		var seq int64
		if err := tx.Raw("SELECT nextval('transfer_numbers')").Scan(&seq).Error; err != nil {
			return err
		}
		t := models.Transfer{ID: models.NewID(), Number: fmt.Sprintf("TR-%06d", seq), FromStoreID: in.FromStoreID, ToStoreID: in.ToStoreID,
			Status: models.TransferPending, Notes: strings.TrimSpace(in.Notes), CreatedBy: userOf(actor)}
		if err := tx.Omit("Items", "FromStore", "ToStore").Create(&t).Error; err != nil {
			return err
		}
		changes := make([]inventory.Change, 0, len(items))
		for i := range items {
			items[i].TransferID = t.ID
			changes = append(changes, s.move(t, t.FromStoreID, items[i].ProductID, -items[i].Quantity, models.MoveTransfer, "Sent on "+t.Number))
		}
		if err := tx.Omit("Product").Create(&items).Error; err != nil {
			return err
		}
		if _, err := s.ledger.Apply(ctx, tx, actor, changes...); err != nil {
			return err
		}
		t.Items = items
		if err := models.Audit(ctx, tx, actor, "create", entityType, t.ID, nil, t); err != nil {
			return err
		}
		var err error
		out, err = s.detail(ctx, tx, t.ID)
		return err
	})
	return out, err
}

func (s *Service) move(t models.Transfer, store, product uuid.UUID, delta int64, typ, reason string) inventory.Change {
	id := t.ID
	return inventory.Change{StoreID: store, ProductID: product, Delta: delta, Type: typ, Reason: reason, ReferenceType: entityType, ReferenceID: &id}
}

// transition runs one checked status change; work runs after the UPDATE inside the same tx.
func (s *Service) transition(ctx context.Context, actor models.Actor, id uuid.UUID, verb, to string, from []string,
	allowed func(t models.Transfer) error, set map[string]any, work func(tx *gorm.DB, t models.Transfer) (any, error)) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// models.Transition locks the row before reading it, so the state audited as "before"
		// (and the transfer work sees) is the one this transition moves from: a send committing
		// between an unlocked read and the checked UPDATE let a cancel audit a pending transfer it
		// had in fact found in transit.
		var t models.Transfer
		m := models.Transition{Table: "transfers", Entity: entityType, What: "transfer", ID: id, Verb: verb, To: to, From: from, Set: set,
			Load: func(tx *gorm.DB) (string, error) {
				var err error
				if t, err = s.load(ctx, tx, actor, id); err != nil {
					return "", err
				}
				return t.Status, allowed(t)
			}}
		if work != nil {
			m.Work = func(tx *gorm.DB) (any, error) { return work(tx, t) }
		}
		if err := m.Run(ctx, tx, actor); err != nil {
			return err
		}
		var err error
		out, err = s.detail(ctx, tx, id)
		return err
	})
	return out, err
}

// Send marks a pending transfer as shipped.
func (s *Service) Send(ctx context.Context, actor models.Actor, id uuid.UUID, in SendInput) (Detail, error) {
	var t models.Transfer
	if err := s.db.WithContext(ctx).Select("from_store_id", "to_store_id").Take(&t, "id = ?", id).Error; err != nil {
		return Detail{}, models.NotFoundIf(err, "transfer")
	}
	return s.transition(ctx, actor, id, "sent", models.TransferInTransit, trMoves["send"].from, need(actor, "send", t),
		map[string]any{"shipped_at": time.Now().UTC(), "sent_by": userOf(actor), "tracking_note": strings.TrimSpace(in.TrackingNote)}, nil)
}

// Cancel stops a pending or in-transit transfer and puts the goods back at the source.
func (s *Service) Cancel(ctx context.Context, actor models.Actor, id uuid.UUID) (Detail, error) {
	var t models.Transfer
	if err := s.db.WithContext(ctx).Select("from_store_id", "to_store_id").Take(&t, "id = ?", id).Error; err != nil {
		return Detail{}, models.NotFoundIf(err, "transfer")
	}
	return s.transition(ctx, actor, id, "cancelled", models.TransferCancelled, trMoves["cancel"].from, need(actor, "cancel", t),
		map[string]any{"cancelled_at": time.Now().UTC(), "cancelled_by": userOf(actor)},
		func(tx *gorm.DB, t models.Transfer) (any, error) {
			var items []models.TransferItem
			if err := tx.Where("transfer_id = ?", t.ID).Find(&items).Error; err != nil {
				return nil, err
			}
			changes := make([]inventory.Change, 0, len(items))
			for _, it := range items {
				changes = append(changes, s.move(t, t.FromStoreID, it.ProductID, it.Quantity, models.MoveTransfer, "Cancelled "+t.Number))
			}
			_, err := s.ledger.Apply(ctx, tx, actor, changes...)
			return nil, err
		})
}

// Receive books the arrival at the destination: every line arrives as sent (a transfer
// movement), and any difference is recorded on the line with its reason and cost and lands as a
// loss or gain (an adjustment movement), so sent = received + differences.
func (s *Service) Receive(ctx context.Context, actor models.Actor, id uuid.UUID, in ReceiveInput) (Detail, error) {
	var t models.Transfer
	if err := s.db.WithContext(ctx).Select("from_store_id", "to_store_id").Take(&t, "id = ?", id).Error; err != nil {
		return Detail{}, models.NotFoundIf(err, "transfer")
	}
	return s.transition(ctx, actor, id, "received", models.TransferCompleted, trMoves["receive"].from, need(actor, "receive", t),
		map[string]any{"received_at": time.Now().UTC(), "received_by": userOf(actor)},
		func(tx *gorm.DB, t models.Transfer) (any, error) {
			var items []models.TransferItem
			if err := tx.Where("transfer_id = ?", t.ID).Order("created_at, id").Find(&items).Error; err != nil {
				return nil, err
			}
			byProduct := map[uuid.UUID]int{}
			for i, it := range items {
				byProduct[it.ProductID] = i
				q := it.Quantity
				items[i].QuantityReceived = &q
			}
			errs := models.Invalid()
			seen := map[uuid.UUID]bool{}
			for i, l := range in.Items {
				field := fmt.Sprintf("items[%d]", i)
				idx, ok := byProduct[l.ProductID]
				if !ok {
					errs.Add(field+".productId", "not on this transfer")
					continue
				}
				if seen[l.ProductID] {
					errs.Add(field+".productId", "product is listed twice")
					continue
				}
				seen[l.ProductID] = true
				it := &items[idx]
				q := l.QuantityReceived
				it.QuantityReceived = &q
				it.Difference = it.Quantity - q
				reason := strings.ToLower(strings.TrimSpace(l.Reason))
				switch {
				case it.Difference == 0:
					reason = ""
				case it.Difference > 0 && !slices.Contains([]string{ReasonShort, ReasonDamaged}, reason):
					errs.Add(field+".reason", "less arrived than was sent: say short or damaged")
				case it.Difference < 0 && reason != ReasonOver:
					errs.Add(field+".reason", "more arrived than was sent: say over")
				}
				it.Reason = reason
				it.DifferenceValue = linemath.RoundDiv(it.Difference*it.UnitCost, 1000)
			}
			if err := errs.Err(); err != nil {
				return nil, err
			}
			var changes []inventory.Change
			differences := false
			for _, it := range items {
				changes = append(changes, s.move(t, t.ToStoreID, it.ProductID, it.Quantity, models.MoveTransfer, "Received on "+t.Number))
				if it.Difference != 0 {
					differences = true
					changes = append(changes, s.move(t, t.ToStoreID, it.ProductID, -it.Difference, models.MoveAdjustment,
						fmt.Sprintf("Transfer %s: %s", t.Number, it.Reason)))
				}
				if err := tx.Model(&models.TransferItem{}).Where("id = ?", it.ID).Updates(map[string]any{
					"quantity_received": *it.QuantityReceived, "difference": it.Difference, "reason": it.Reason, "difference_value": it.DifferenceValue,
				}).Error; err != nil {
					return nil, err
				}
			}
			if _, err := s.ledger.Apply(ctx, tx, actor, changes...); err != nil {
				return nil, err
			}
			if differences {
				if err := tx.Model(&models.Transfer{}).Where("id = ?", t.ID).Update("has_differences", true).Error; err != nil {
					return nil, err
				}
			}
			return items, nil
		})
}
