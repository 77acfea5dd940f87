// Package approvals is the manager's in-tray: the submitted purchase orders and worksheets of
// their stores, approved or rejected in place. It holds no rules of its own; each decision goes
// through the owning area's service.
package approvals

import (
	"context"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"backroom/app/pricing"
	"backroom/app/purchasing"
	"backroom/models"
)

// Service gathers what waits for approval.
type Service struct {
	db  *gorm.DB
	po  *purchasing.Service
	prc *pricing.Service
}

// New returns the approvals service over the purchasing and pricing services whose approvals it
// lists.
func New(db *gorm.DB, po *purchasing.Service, prc *pricing.Service) *Service {
	return &Service{db: db, po: po, prc: prc}
}

// Waiting is everything waiting for the actor.
type Waiting struct {
	PurchaseOrders []models.PurchaseOrder `json:"purchaseOrders"`
	Worksheets     []models.Worksheet     `json:"worksheets"`
}

// List returns the submitted orders and worksheets the actor may approve (not their own orders).
func (s *Service) List(ctx context.Context, actor models.Actor) (Waiting, error) {
	var w Waiting
	var err error
	if actor.Can(purchasing.PermApprove) {
		if w.PurchaseOrders, err = s.po.Pending(ctx, actor); err != nil {
			return w, err
		}
	}
	if w.Worksheets, err = s.prc.PendingWorksheets(ctx, actor); err != nil {
		return w, err
	}
	if w.PurchaseOrders == nil {
		w.PurchaseOrders = []models.PurchaseOrder{}
	}
	if w.Worksheets == nil {
		w.Worksheets = []models.Worksheet{}
	}
	return w, nil
}

// Count is the sidebar badge: how many items wait for the actor.
func (s *Service) Count(c *gin.Context, actor models.Actor) int {
	if !actor.Can(purchasing.PermApprove) && !actor.Can(pricing.PermWSApprove) {
		return 0
	}
	w, err := s.List(c.Request.Context(), actor)
	if err != nil {
		return 0
	}
	return len(w.PurchaseOrders) + len(w.Worksheets)
}
