package storesync

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// SyncError is one entry of the error queue: an item refused or waiting, or a replay of an id
// with another payload.
type SyncError struct {
	ID           uuid.UUID       `json:"id"`
	StoreID      uuid.UUID       `json:"storeId"`
	StoreCode    string          `json:"storeCode"`
	ItemID       string          `json:"itemId"`
	Type         string          `json:"type"`
	Kind         string          `json:"kind"` // rejected, deferred or conflict
	Reason       string          `json:"reason"`
	Payload      json.RawMessage `gorm:"-" json:"payload"`
	Status       string          `json:"status"` // open or resolved
	Attempts     int             `json:"attempts"`
	CreatedAt    time.Time       `json:"createdAt"`
	UpdatedAt    time.Time       `json:"updatedAt"`
	ResolvedAt   *time.Time      `json:"resolvedAt"`
	ResolvedNote string          `json:"resolvedNote"`
}

// ErrorFilter narrows the queue.
type ErrorFilter struct {
	StoreID *uuid.UUID
	All     bool // resolved ones too
}

const errorColumns = `e.id, e.store_id, s.code AS store_code, e.item_id, e.type, e.kind, e.reason, e.payload::text AS payload, e.status,
	e.attempts, e.created_at, e.updated_at, e.resolved_at, e.resolved_note`

type errorRow struct {
	SyncError
	PayloadText string `gorm:"column:payload"`
}

func (r errorRow) out() SyncError {
	e := r.SyncError
	e.Payload = json.RawMessage(r.PayloadText)
	return e
}

// Errors lists the queue, oldest first, for the stores the actor manages sync for.
func (s *Service) Errors(ctx context.Context, actor models.Actor, f ErrorFilter, p models.Page) ([]SyncError, int64, error) {
	q := s.db.WithContext(ctx).Table("sync_errors e").Joins("JOIN stores s ON s.id = e.store_id")
	q = actor.ScopeQuery(q, PermManage, "e.store_id")
	if f.StoreID != nil {
		q = q.Where("e.store_id = ?", *f.StoreID)
	}
	if !f.All {
		q = q.Where("e.status = 'open'")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []errorRow
	if err := q.Select(errorColumns).Order("e.created_at, e.id").Offset(p.Offset()).Limit(p.PageSize).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]SyncError, len(rows))
	for i, r := range rows {
		out[i] = r.out()
	}
	return out, total, nil
}

// openError locks an open error the actor may handle.
func (s *Service) openError(tx *gorm.DB, actor models.Actor, id uuid.UUID) (SyncError, error) {
	var r errorRow
	if err := tx.Raw("SELECT "+errorColumns+" FROM sync_errors e JOIN stores s ON s.id = e.store_id WHERE e.id = ? FOR UPDATE OF e", id).Scan(&r).Error; err != nil {
		return SyncError{}, err
	}
	if r.ID == uuid.Nil || !actor.CanAt(PermManage, r.StoreID) {
		return SyncError{}, models.NotFound("sync error")
	}
	if r.Status != "open" {
		return SyncError{}, models.Conflict("this error is already resolved")
	}
	return r.out(), nil
}

// Retry applies an error's item again (after head office added what it lacked, say) and answers
// what became of it; applied, the error is resolved. A conflict cannot be retried: the first
// payload stands, and the conflict is resolved by hand.
func (s *Service) Retry(ctx context.Context, actor models.Actor, id uuid.UUID) (*ItemResult, error) {
	var out ItemResult
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		e, err := s.openError(tx, actor, id)
		if err != nil {
			return err
		}
		if e.Kind == "conflict" {
			return models.Conflict("item %s was pushed again with another payload; the first one stands, so resolve this with a note", e.ItemID)
		}
		var st models.Store
		if err := tx.Take(&st, "id = ?", e.StoreID).Error; err != nil {
			return err
		}
		var payload string
		if err := tx.Raw("SELECT payload::text FROM sync_items WHERE store_id = ? AND item_id = ? FOR UPDATE", st.ID, e.ItemID).Scan(&payload).Error; err != nil {
			return err
		}
		out, err = s.apply(ctx, tx, st, storeActor(st), e.ItemID, e.Type, json.RawMessage(payload))
		if err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "sync_retry", "sync_error", id, nil, map[string]any{"itemId": e.ItemID, "status": out.Status, "reason": out.Reason})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ResolveInput is the body of POST /api/v1/sync/resolve/:id.
type ResolveInput struct {
	Note string `json:"note" validate:"required,max=500"`
}

// Resolve closes an error by hand, with a note saying what was done; audited.
func (s *Service) Resolve(ctx context.Context, actor models.Actor, id uuid.UUID, in ResolveInput) error {
	in.Note = strings.TrimSpace(in.Note)
	if err := models.Validate(in); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		e, err := s.openError(tx, actor, id)
		if err != nil {
			return err
		}
		if err := tx.Exec("UPDATE sync_errors SET status = 'resolved', resolved_by = ?, resolved_at = now(), resolved_note = ?, updated_at = now() WHERE id = ?",
			actor.UserRef(), in.Note, id).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "sync_resolve", "sync_error", id, map[string]any{"status": "open"},
			map[string]any{"status": "resolved", "note": in.Note, "itemId": e.ItemID})
	})
}

// RetryAll retries every open rejected or deferred error of a store, oldest first.
func (s *Service) RetryAll(ctx context.Context, actor models.Actor, storeID uuid.UUID) (PushCounts, error) {
	var counts PushCounts
	if !actor.CanAt(PermManage, storeID) {
		return counts, models.Forbidden("you may not manage sync for this store")
	}
	var ids []string
	if err := s.db.WithContext(ctx).Raw("SELECT id::text FROM sync_errors WHERE store_id = ? AND status = 'open' AND kind <> 'conflict' ORDER BY created_at, id", storeID).
		Scan(&ids).Error; err != nil {
		return counts, err
	}
	for _, raw := range ids {
		r, err := s.Retry(ctx, actor, uuid.MustParse(raw))
		if err != nil {
			if isRefusal(err) {
				continue // resolved meanwhile
			}
			return counts, err
		}
		switch r.Status {
		case Applied:
			counts.Applied++
		case Rejected:
			counts.Rejected++
		case Deferred:
			counts.Deferred++
		}
	}
	return counts, nil
}
