package storesync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/customers"
	"backroom/app/inventory"
	"backroom/app/registers"
	"backroom/app/sales"
	"backroom/app/transfers"
	"backroom/models"
)

// Books are the areas a pushed item is recorded through: a store's sale is booked at head office
// by the same code as a sale rung up here, and its stock moves through the same ledger.
type Books struct {
	Sales     *sales.Service
	Inventory *inventory.Service
	Ledger    *inventory.Ledger
	Registers *registers.Service
	Transfers *transfers.Service
}

// MaxPushItems is the most items one push may carry.
const MaxPushItems = 500

// Item types a store pushes.
const (
	ItemSale            = "sale"
	ItemSaleVoid        = "sale_void"
	ItemRegisterSession = "register_session"
	ItemAdjustment      = "inventory_adjustment"
	ItemStockCount      = "stock_count"
	ItemTransferStatus  = "transfer_status"
	ItemCustomer        = "customer"
)

// Item outcomes.
const (
	Applied   = "applied"
	Duplicate = "duplicate"
	Rejected  = "rejected"
	Deferred  = "deferred"
)

// PushInput is the body of POST /api/v1/sync/push.
type PushInput struct {
	BatchID string     `json:"batchId" validate:"max=100"`
	Items   []PushItem `json:"items" validate:"required,min=1,max=500,dive"`
}

// PushItem is one change made at the store. ID is the store's own id for it, unique per store
// forever.
type PushItem struct {
	Type    string          `json:"type" validate:"required,max=40"`
	ID      string          `json:"id" validate:"required,max=100"`
	Payload json.RawMessage `json:"payload" validate:"required"`
}

// ItemResult is what became of one item. Result is what applying it made (the first time, for
// a duplicate); Reason says why it was rejected or deferred.
type ItemResult struct {
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Status string          `json:"status"`
	Result json.RawMessage `json:"result,omitempty"`
	Reason string          `json:"reason,omitempty"`
}

// Pushed is the answer to a push, sent only once everything in it is committed.
type Pushed struct {
	BatchID string       `json:"batchId"`
	Results []ItemResult `json:"results"`
	Counts  PushCounts   `json:"counts"`
}

// PushCounts tally the results.
type PushCounts struct {
	Applied   int `json:"applied"`
	Duplicate int `json:"duplicate"`
	Rejected  int `json:"rejected"`
	Deferred  int `json:"deferred"`
}

// deferral is an item whose parent (a customer, the sale it voids or refunds) has not reached
// head office yet: it waits and is applied when the parent arrives.
type deferral struct{ reason string }

func (d deferral) Error() string { return d.reason }

// storeActor is the store server as services see it: it may do at its own store what a till
// does, and nothing elsewhere.
func storeActor(st models.Store) models.Actor {
	perms := map[string]bool{"pos.sell": true, "pos.void": true, "inventory.adjust": true, "customers.create": true, "customers.edit": true,
		"registers.open": true, "registers.close": true, "transfers.view": true, "transfers.send": true, "transfers.receive": true}
	return models.Actor{Username: "store:" + st.Code, DisplayName: st.Name + " store server", Stores: map[uuid.UUID]map[string]bool{st.ID: perms}}
}

type syncItem struct {
	Status      string
	PayloadHash string
	Result      json.RawMessage
	Reason      string
}

// Push applies a store's items in one transaction, each in its own savepoint, and answers each
// with applied, duplicate, rejected or deferred. An item id is the store's forever: a replay
// is a duplicate with the first result, the same id with another payload is rejected into the
// error queue, and a rejected item never blocks the ones after it. Deferred items (this batch's
// and earlier ones) are tried again once the batch's others are in.
func (s *Service) Push(ctx context.Context, store models.Store, in PushInput) (*Pushed, error) {
	if err := models.Validate(in); err != nil {
		return nil, err
	}
	out := &Pushed{BatchID: in.BatchID, Results: make([]ItemResult, len(in.Items))}
	actor := storeActor(store)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, it := range in.Items {
			r, err := s.pushOne(ctx, tx, store, actor, in.BatchID, it)
			if err != nil {
				return err
			}
			out.Results[i] = r
		}
		// Items that waited for a parent: this batch may have brought it (only an item applied
		// now can be one, so a batch that applied nothing leaves the waiting ones be).
		applied := slices.ContainsFunc(out.Results, func(r ItemResult) bool { return r.Status == Applied })
		for i := 0; applied && i < 5; i++ {
			progressed, err := s.retryDeferred(ctx, tx, store, actor, out)
			if err != nil {
				return err
			}
			if !progressed {
				break
			}
		}
		return tx.Exec("UPDATE store_sync SET last_push_at = now() WHERE store_id = ?", store.ID).Error
	})
	if err != nil {
		return nil, err
	}
	for _, r := range out.Results {
		switch r.Status {
		case Applied:
			out.Counts.Applied++
		case Duplicate:
			out.Counts.Duplicate++
		case Rejected:
			out.Counts.Rejected++
		case Deferred:
			out.Counts.Deferred++
		}
	}
	return out, nil
}

func payloadHash(p json.RawMessage) (string, json.RawMessage) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, p); err != nil {
		buf.Reset()
		buf.Write(p)
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:]), buf.Bytes()
}

// pushOne records and applies one item. Only a fault of head office itself (the database) is
// returned as an error, which undoes the whole batch for the store to send again.
func (s *Service) pushOne(ctx context.Context, tx *gorm.DB, store models.Store, actor models.Actor, batch string, it PushItem) (ItemResult, error) {
	res := ItemResult{ID: it.ID, Type: it.Type}
	hash, payload := payloadHash(it.Payload)
	if !json.Valid(payload) {
		res.Status, res.Reason = Rejected, "the payload is not JSON"
		return res, nil
	}
	ins := tx.Exec(`INSERT INTO sync_items (store_id, item_id, type, payload_hash, payload, status, batch_id, attempts)
		VALUES (?, ?, ?, ?, ?::jsonb, 'deferred', ?, 0) ON CONFLICT DO NOTHING`, store.ID, it.ID, it.Type, hash, string(payload), batch)
	if ins.Error != nil {
		return res, ins.Error
	}
	var cur syncItem
	if err := tx.Raw(`SELECT status, payload_hash, result, reason FROM sync_items WHERE store_id = ? AND item_id = ? FOR UPDATE`,
		store.ID, it.ID).Scan(&cur).Error; err != nil {
		return res, err
	}
	fresh := ins.RowsAffected == 1
	switch {
	case !fresh && cur.PayloadHash != hash:
		res.Status, res.Reason = Rejected, "this id was already pushed with a different payload; the first one stands"
		return res, s.queueError(tx, store.ID, it.ID, it.Type, "conflict", payload, res.Reason)
	case !fresh && cur.Status == Applied:
		res.Status, res.Result = Duplicate, cur.Result
		return res, nil
	case !fresh && cur.Status == Rejected:
		res.Status, res.Reason = Rejected, cur.Reason
		return res, nil
	}
	return s.apply(ctx, tx, store, actor, it.ID, it.Type, payload)
}

// apply runs one recorded item in a savepoint and stores its outcome.
func (s *Service) apply(ctx context.Context, tx *gorm.DB, store models.Store, actor models.Actor, itemID, typ string, payload json.RawMessage) (ItemResult, error) {
	res := ItemResult{ID: itemID, Type: typ}
	if err := tx.SavePoint("push_item").Error; err != nil {
		return res, err
	}
	result, err := s.book(ctx, tx, store, actor, typ, payload)
	var d deferral
	switch {
	case err == nil:
		res.Status, res.Result = Applied, result
	case errors.As(err, &d):
		res.Status, res.Reason = Deferred, d.reason
	case isRefusal(err):
		res.Status, res.Reason = Rejected, refusalText(err)
	default:
		return res, err
	}
	if err == nil {
		if err := tx.Exec("RELEASE SAVEPOINT push_item").Error; err != nil {
			return res, err
		}
	} else if err := tx.RollbackTo("push_item").Error; err != nil {
		return res, err
	}
	var applied *time.Time
	if res.Status == Applied {
		now := time.Now()
		applied = &now
	}
	if err := tx.Exec(`UPDATE sync_items SET status = ?, result = ?::jsonb, reason = ?, attempts = attempts + 1, applied_at = ? WHERE store_id = ? AND item_id = ?`,
		res.Status, nullJSON(res.Result), res.Reason, applied, store.ID, itemID).Error; err != nil {
		return res, err
	}
	if res.Status == Applied {
		return res, tx.Exec(`UPDATE sync_errors SET status = 'resolved', resolved_at = now(), resolved_note = 'applied', updated_at = now()
			WHERE store_id = ? AND item_id = ? AND kind IN ('deferred', 'rejected') AND status = 'open'`, store.ID, itemID).Error
	}
	return res, s.queueError(tx, store.ID, itemID, typ, res.Status, payload, res.Reason)
}

// retryDeferred applies the store's deferred items again; it reports whether any went in.
func (s *Service) retryDeferred(ctx context.Context, tx *gorm.DB, store models.Store, actor models.Actor, out *Pushed) (bool, error) {
	var waiting []struct {
		ItemID  string
		Type    string
		Payload string
	}
	if err := tx.Raw(`SELECT item_id, type, payload::text AS payload FROM sync_items WHERE store_id = ? AND status = 'deferred'
		ORDER BY received_at, item_id FOR UPDATE`, store.ID).Scan(&waiting).Error; err != nil {
		return false, err
	}
	progressed := false
	for _, w := range waiting {
		r, err := s.apply(ctx, tx, store, actor, w.ItemID, w.Type, json.RawMessage(w.Payload))
		if err != nil {
			return false, err
		}
		if r.Status != Applied {
			continue
		}
		progressed = true
		for i := range out.Results {
			if out.Results[i].ID == w.ItemID && out.Results[i].Status == Deferred {
				out.Results[i] = r
			}
		}
	}
	return progressed, nil
}

// queueError opens (or refreshes) the item's error of that kind.
func (s *Service) queueError(tx *gorm.DB, storeID uuid.UUID, itemID, typ, kind string, payload json.RawMessage, reason string) error {
	return tx.Exec(`INSERT INTO sync_errors (id, store_id, item_id, type, kind, payload, reason) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)
		ON CONFLICT (store_id, item_id, kind) WHERE status = 'open'
		DO UPDATE SET attempts = sync_errors.attempts + 1, reason = EXCLUDED.reason, payload = EXCLUDED.payload, updated_at = now()`,
		uuid.New(), storeID, itemID, typ, kind, string(payload), reason).Error
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// isRefusal: the item itself is wrong (bad fields, a rule it breaks), not head office.
func isRefusal(err error) bool {
	for _, kind := range []error{models.ErrValidation, models.ErrConflict, models.ErrForbidden, models.ErrNotFound, models.ErrBadRequest} {
		if errors.Is(err, kind) {
			return true
		}
	}
	return models.IsInvalidText(err)
}

// refusalText is the reason with every field's message (by field name), for the error queue.
// A validation error's message already lists them; they are not added twice.
func refusalText(err error) string {
	var e *models.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err.Error()
	}
	fields := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		parts = append(parts, f+": "+strings.Join(e.Fields[f], "; "))
	}
	detail := strings.Join(parts, ", ")
	if strings.Contains(e.Message, detail) {
		return e.Message
	}
	return e.Message + " (" + detail + ")"
}

// decode reads a payload strictly enough that a typo is a refusal, not a silent zero.
func decode(payload json.RawMessage, v any) error {
	if err := json.Unmarshal(payload, v); err != nil {
		return models.BadRequest("the payload does not fit a %T: %v", v, err)
	}
	return nil
}

// book records one item through the area it belongs to and returns what it made.
func (s *Service) book(ctx context.Context, tx *gorm.DB, store models.Store, actor models.Actor, typ string, payload json.RawMessage) (json.RawMessage, error) {
	switch typ {
	case ItemSale:
		var in struct {
			ID uuid.UUID `json:"id"`
			sales.SaleInput
		}
		if err := decode(payload, &in); err != nil {
			return nil, err
		}
		if in.ID == uuid.Nil {
			return nil, models.FieldError("id", "is required: the sale's id at the store")
		}
		if err := ownStore(&in.StoreID, store); err != nil {
			return nil, err
		}
		for field, ref := range map[string]*string{"customerId": in.CustomerID, "originalSaleId": in.OriginalSaleID} {
			if err := s.parentHere(tx, field, ref); err != nil {
				return nil, err
			}
		}
		sale, err := s.books.Sales.CreateWithIDTx(ctx, tx, actor, in.ID, in.SaleInput)
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"saleId": sale.ID, "receiptNumber": sale.ReceiptNumber, "grandTotal": sale.GrandTotal})
	case ItemSaleVoid:
		var in struct {
			SaleID string `json:"saleId"`
			Reason string `json:"reason"`
		}
		if err := decode(payload, &in); err != nil {
			return nil, err
		}
		id, err := uuid.Parse(in.SaleID)
		if err != nil {
			return nil, models.FieldError("saleId", "must be the id of the sale to void")
		}
		if err := s.parentHere(tx, "saleId", &in.SaleID); err != nil {
			return nil, err
		}
		var owner string
		if err := tx.Raw("SELECT store_id::text FROM sales WHERE id = ?", id).Scan(&owner).Error; err != nil {
			return nil, err
		}
		if owner != store.ID.String() {
			return nil, models.Forbidden("a store voids only its own sales")
		}
		sale, err := s.books.Sales.VoidTx(ctx, tx, actor, id, in.Reason)
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"saleId": sale.ID, "status": sale.Status})
	case ItemCustomer:
		var in struct {
			ID uuid.UUID `json:"id"`
			customers.CustomerInput
		}
		if err := decode(payload, &in); err != nil {
			return nil, err
		}
		if in.ID == uuid.Nil {
			return nil, models.FieldError("id", "is required: the customer's id at the store")
		}
		c, err := customers.ImportCustomerTx(ctx, tx, actor, in.ID, in.CustomerInput)
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"customerId": c.ID, "code": c.Code})
	case ItemAdjustment:
		var in inventory.AdjustmentInput
		if err := decode(payload, &in); err != nil {
			return nil, err
		}
		if err := ownStore(&in.StoreID, store); err != nil {
			return nil, err
		}
		adj, err := s.books.Inventory.AdjustTx(ctx, tx, actor, in)
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"movementId": adj.Movement.ID, "quantityAfter": adj.Movement.QuantityAfter})
	case ItemRegisterSession:
		return s.bookSession(ctx, tx, store, actor, payload)
	case ItemStockCount:
		return s.bookCount(ctx, tx, store, actor, payload)
	case ItemTransferStatus:
		return s.bookTransfer(ctx, tx, actor, payload)
	}
	return nil, models.FieldError("type", "must be one of: "+strings.Join([]string{ItemSale, ItemSaleVoid, ItemRegisterSession, ItemAdjustment, ItemStockCount, ItemTransferStatus, ItemCustomer}, ", "))
}

// ownStore fills an item's store with the pushing one, or refuses another store's.
func ownStore(storeID *string, store models.Store) error {
	if *storeID == "" {
		*storeID = store.ID.String()
		return nil
	}
	if !strings.EqualFold(*storeID, store.ID.String()) {
		return models.Forbidden("a store pushes only its own changes (storeId %s is not %s)", *storeID, store.Code)
	}
	return nil
}

// parentHere defers an item whose parent, made at the store (a customer, a sale), has not
// reached head office yet. A malformed id is left for the area to refuse.
func (s *Service) parentHere(tx *gorm.DB, field string, ref *string) error {
	if ref == nil || *ref == "" {
		return nil
	}
	id, err := uuid.Parse(*ref)
	if err != nil {
		return nil
	}
	table := "customers"
	if field != "customerId" {
		table = "sales"
	}
	var n int64
	if err := tx.Raw(fmt.Sprintf("SELECT count(*) FROM %s WHERE id = ?", table), id).Scan(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return deferral{reason: fmt.Sprintf("%s %s has not reached head office yet", field, id)}
	}
	return nil
}
