package storesync

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/inventory"
	"backroom/app/registers"
	"backroom/app/transfers"
	"backroom/models"
)

// sessionItem is a register session as a store pushes it: once when it opens and again, with
// the close, when it closes (two items, each with its own id; the close alone also opens it).
type sessionItem struct {
	ID           uuid.UUID  `json:"id"`
	TerminalID   string     `json:"terminalId"`
	OpeningFloat int64      `json:"openingFloat"`
	OpenedAt     time.Time  `json:"openedAt"`
	ClosedAt     *time.Time `json:"closedAt"`
	CountedCash  *int64     `json:"countedCash"`
}

// bookSession opens the store's session at head office under the store's id and time, and
// closes it with the counted cash when the item says it closed: head office works out the Z
// report from the sales it holds for the session.
func (s *Service) bookSession(ctx context.Context, tx *gorm.DB, store models.Store, actor models.Actor, payload json.RawMessage) (json.RawMessage, error) {
	var in sessionItem
	if err := decode(payload, &in); err != nil {
		return nil, err
	}
	if in.ID == uuid.Nil || in.OpenedAt.IsZero() {
		return nil, models.Invalid().Add("id", "is required: the session's id at the store").Add("openedAt", "is required").Err()
	}
	if in.ClosedAt != nil && in.ClosedAt.Before(in.OpenedAt) {
		return nil, models.FieldError("closedAt", "is before openedAt")
	}
	var status string
	if err := tx.Raw("SELECT status FROM register_sessions WHERE id = ? AND store_id = ?", in.ID, store.ID).Scan(&status).Error; err != nil {
		return nil, err
	}
	if status == "" {
		open := registers.OpenInput{StoreID: store.ID.String(), TerminalID: in.TerminalID, OpeningFloat: in.OpeningFloat}
		if _, err := s.books.Registers.At(in.OpenedAt).In(tx).OpenWithID(ctx, actor, in.ID, open); err != nil {
			return nil, err
		}
		status = models.RegisterOpen
	}
	out := map[string]any{"sessionId": in.ID, "status": status}
	if in.ClosedAt != nil && status == models.RegisterOpen {
		rep, err := s.books.Registers.At(*in.ClosedAt).In(tx).Close(ctx, actor, in.ID, in.CountedCash)
		if err != nil {
			return nil, err
		}
		out["status"], out["report"] = models.RegisterClosed, rep
	}
	return json.Marshal(out)
}

// countItem is a posted stock count as a store pushes it: each line's change, as the store's own
// ledger booked it, so head office's levels for the store follow the store's.
type countItem struct {
	ID    uuid.UUID `json:"id"`
	Lines []struct {
		ProductID uuid.UUID `json:"productId"`
		Delta     int64     `json:"delta"`
	} `json:"lines"`
}

func (s *Service) bookCount(ctx context.Context, tx *gorm.DB, store models.Store, actor models.Actor, payload json.RawMessage) (json.RawMessage, error) {
	var in countItem
	if err := decode(payload, &in); err != nil {
		return nil, err
	}
	if in.ID == uuid.Nil || len(in.Lines) == 0 {
		return nil, models.Invalid().Add("id", "is required: the count's id at the store").Add("lines", "give the counted lines").Err()
	}
	ids := make([]uuid.UUID, 0, len(in.Lines))
	for _, l := range in.Lines {
		ids = append(ids, l.ProductID)
	}
	var tracked int64
	if err := tx.Raw("SELECT count(DISTINCT id) FROM products WHERE id IN ? AND track_stock", ids).Scan(&tracked).Error; err != nil {
		return nil, err
	}
	if distinct(ids) != tracked {
		return nil, models.FieldError("lines", "name products head office has that track stock")
	}
	changes := make([]inventory.Change, 0, len(in.Lines))
	for _, l := range in.Lines {
		if l.Delta == 0 {
			continue
		}
		changes = append(changes, inventory.Change{StoreID: store.ID, ProductID: l.ProductID, Delta: l.Delta, Type: models.MoveCount,
			Reason: "Stock count at " + store.Code, ReferenceType: "stock_count", ReferenceID: &in.ID})
	}
	moves, err := s.books.Ledger.Apply(ctx, tx, actor, changes...)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"countId": in.ID, "movements": len(moves)})
}

// transferItem is a transfer the store sent or received.
type transferItem struct {
	TransferID   uuid.UUID               `json:"transferId"`
	Status       string                  `json:"status"` // sent or received
	TrackingNote string                  `json:"trackingNote"`
	Items        []transfers.ReceiveLine `json:"items"`
}

// bookTransfer sends or receives a transfer at head office as the store did; the store's
// permissions (at its own store only) decide which end it may move.
func (s *Service) bookTransfer(ctx context.Context, tx *gorm.DB, actor models.Actor, payload json.RawMessage) (json.RawMessage, error) {
	var in transferItem
	if err := decode(payload, &in); err != nil {
		return nil, err
	}
	var (
		d   transfers.Detail
		err error
	)
	switch in.Status {
	case "sent":
		d, err = s.books.Transfers.In(tx).Send(ctx, actor, in.TransferID, transfers.SendInput{TrackingNote: in.TrackingNote})
	case "received":
		d, err = s.books.Transfers.In(tx).Receive(ctx, actor, in.TransferID, transfers.ReceiveInput{Items: in.Items})
	default:
		return nil, models.FieldError("status", "must be sent or received")
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"transferId": d.ID, "status": d.Status})
}

func distinct(ids []uuid.UUID) int64 {
	seen := map[uuid.UUID]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	return int64(len(seen))
}
