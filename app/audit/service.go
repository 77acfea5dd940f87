// Package audit reads the audit trail every area writes with models.Audit: a filtered list for
// the Audit page and API, and an entity's timeline for detail pages.
package audit

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// Service lists audit entries.
type Service struct{ db *gorm.DB }

// New returns the audit service.
func New(db *gorm.DB) *Service { return &Service{db: db} }

// Filter narrows the list; zero values match everything. To is exclusive.
type Filter struct {
	EntityType string
	EntityID   *uuid.UUID
	UserID     *uuid.UUID
	Action     string
	From, To   *time.Time
}

// List returns one page of entries, newest first.
func (s *Service) List(ctx context.Context, f Filter, p models.Page) ([]models.AuditEntry, int64, error) {
	q := s.db.WithContext(ctx).Model(&models.AuditEntry{})
	if f.EntityType != "" {
		q = q.Where("entity_type = ?", f.EntityType)
	}
	if f.EntityID != nil {
		q = q.Where("entity_id = ?", *f.EntityID)
	}
	if f.UserID != nil {
		q = q.Where("user_id = ?", *f.UserID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.From != nil {
		q = q.Where("created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("created_at < ?", *f.To)
	}
	return models.Paged[models.AuditEntry](q, p, "created_at DESC, id DESC")
}

// EntityTypes lists the entity types present, for the filter's choices.
func (s *Service) EntityTypes(ctx context.Context) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Model(&models.AuditEntry{}).Distinct("entity_type").Order("entity_type").Pluck("entity_type", &out).Error
	return out, err
}

// Trail is an entity's history, oldest first: the timeline of a detail page.
func Trail(ctx context.Context, db *gorm.DB, entityType string, id uuid.UUID) ([]models.AuditEntry, error) {
	var out []models.AuditEntry
	err := db.WithContext(ctx).Where("entity_type = ? AND entity_id = ?", entityType, id).
		Order("created_at, id").Limit(500).Find(&out).Error
	return out, err
}
