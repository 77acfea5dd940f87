package purchasing

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// transition runs one of the moves (rules.go) to the state to, setting extra columns, through
// models.Transition (row locked first): the move's permission at the order's store, from one of
// its states. check may refuse before the update.
func (s *Service) transition(ctx context.Context, actor models.Actor, id uuid.UUID, name, verb, to string, set map[string]any, check func(tx *gorm.DB, po models.PurchaseOrder) error) (Detail, error) {
	perm, from := moves[name].perm, moves[name].from
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
	return s.transition(ctx, actor, id, "submit", "submitted", models.POSubmitted,
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
	return s.transition(ctx, actor, id, "approve", "approved", models.POApproved,
		map[string]any{"approved_by": userOf(actor), "approved_at": now},
		func(_ *gorm.DB, po models.PurchaseOrder) error { return selfApproval(actor, po) })
}

// Send marks an approved order as sent to the supplier.
func (s *Service) Send(ctx context.Context, actor models.Actor, id uuid.UUID) (Detail, error) {
	return s.transition(ctx, actor, id, "send", "sent", models.POSent,
		map[string]any{"sent_at": time.Now().UTC()}, nil)
}

// Cancel stops an order that has not started arriving.
func (s *Service) Cancel(ctx context.Context, actor models.Actor, id uuid.UUID) (Detail, error) {
	return s.transition(ctx, actor, id, "cancel", "cancelled", models.POCancelled,
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
	return s.transition(ctx, actor, id, "reject", "rejected", models.POCancelled,
		map[string]any{"cancelled_at": time.Now().UTC(), "notes": gorm.Expr("concat_ws(E'\\n', NULLIF(notes, ''), ?::text)", "Rejected: "+reason)},
		func(_ *gorm.DB, po models.PurchaseOrder) error { return selfRejection(actor, po) })
}

// rejectReason reads the reason back out of the notes expression Reject builds.
func rejectReason(set map[string]any) string {
	if e, ok := set["notes"].(clause.Expr); ok && len(e.Vars) == 1 {
		return strings.TrimPrefix(fmt.Sprint(e.Vars[0]), "Rejected: ")
	}
	return ""
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
		po, err := s.load(ctx, tx, actor, id, moves["close"].perm)
		if err != nil {
			return err
		}
		reason, err := CloseReason(reason)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		res := tx.Model(&models.PurchaseOrder{}).Where("id = ? AND status IN ?", id, moves["close"].from).Updates(map[string]any{
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
