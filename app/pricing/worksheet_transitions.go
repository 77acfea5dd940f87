package pricing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// wsTransition runs one of the wsMoves (worksheet_rules.go) to the state to in one checked
// UPDATE: the move's permission, from one of its states.
func (s *Service) wsTransition(ctx context.Context, actor models.Actor, id uuid.UUID, name, verb, to string, set map[string]any, check func(tx *gorm.DB, w models.Worksheet) error) (models.Worksheet, error) {
	perm, from := wsMoves[name].perm, wsMoves[name].from
	var out models.Worksheet
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// models.Transition locks the row first, as edits do, so the lines checked are the lines
		// submitted: an edit in flight finishes before they are read, or finds the worksheet moved on.
		m := models.Transition{Table: "worksheets", Entity: wsEntity, What: "worksheet", ID: id, Verb: verb, To: to, From: from, Set: set,
			Load: func(tx *gorm.DB) (string, error) {
				w, err := s.loadWorksheet(ctx, tx, actor, id, perm)
				if err != nil {
					return "", err
				}
				if check != nil {
					if err := check(tx, w); err != nil {
						return "", err
					}
				}
				return w.Status, nil
			}}
		if r, ok := set["reject_reason"]; ok {
			m.After = map[string]any{"reason": r}
		}
		if err := m.Run(ctx, tx, actor); err != nil {
			return err
		}
		var err error
		out, err = s.loadWorksheet(ctx, tx, models.System, id, PermWSView)
		return err
	})
	return out, err
}

// SubmitWorksheet sends a draft for approval.
func (s *Service) SubmitWorksheet(ctx context.Context, actor models.Actor, id uuid.UUID) (models.Worksheet, error) {
	return s.wsTransition(ctx, actor, id, "submit", "submitted", models.WSSubmitted,
		map[string]any{"submitted_by": userOf(actor), "submitted_at": time.Now().UTC()},
		func(tx *gorm.DB, w models.Worksheet) error {
			if w.Status != models.WSDraft {
				return nil // the transition answers 409
			}
			if len(w.Items) == 0 {
				return models.FieldError("items", "add at least one line before submitting")
			}
			return checkComplete(ctx, tx, w)
		})
}

// checkComplete demands every line's values before a worksheet goes for approval.
func checkComplete(ctx context.Context, tx *gorm.DB, w models.Worksheet) error {
	errs := models.Invalid()
	for i, it := range w.Items {
		in := WorksheetItemInput{ProductID: it.ProductID, NewSellPrice: it.NewSellPrice, NewCostPrice: it.NewCostPrice, NewName: it.NewName,
			NewDescription: it.NewDescription, NewDepartmentID: it.NewDepartmentID, NewTaxGroupID: it.NewTaxGroupID, NewSKU: it.NewSKU, NewBarcode: it.NewBarcode}
		if _, err := toItem(ctx, tx, w.Type, len(w.StoreIDs) == 0, in, fmt.Sprintf("items[%d]", i), errs, true); err != nil {
			return err
		}
	}
	if err := errs.Err(); err != nil {
		e := err.(*models.Error)
		e.Message = "Some lines are incomplete: " + e.Message
		return e
	}
	return nil
}

// ApproveWorksheet approves a submitted worksheet; the approver needs worksheets.approve at
// every target store (HQ-wide for a chain-wide worksheet).
func (s *Service) ApproveWorksheet(ctx context.Context, actor models.Actor, id uuid.UUID) (models.Worksheet, error) {
	return s.wsTransition(ctx, actor, id, "approve", "approved", models.WSApproved,
		map[string]any{"approved_by": userOf(actor), "approved_at": time.Now().UTC()}, nil)
}

// RejectWorksheet rejects a submitted worksheet with a reason.
func (s *Service) RejectWorksheet(ctx context.Context, actor models.Actor, id uuid.UUID, reason string) (models.Worksheet, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return models.Worksheet{}, models.FieldError("reason", "say why the worksheet is rejected")
	}
	if len(reason) > 1000 {
		return models.Worksheet{}, models.FieldError("reason", "must be at most 1000 characters")
	}
	return s.wsTransition(ctx, actor, id, "reject", "rejected", models.WSRejected,
		map[string]any{"rejected_by": userOf(actor), "rejected_at": time.Now().UTC(), "reject_reason": reason}, nil)
}
