package models

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// AuditEntry records who changed what, with the row before and after as JSON.
type AuditEntry struct {
	ID         uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	UserID     *uuid.UUID `gorm:"type:uuid" json:"userId"`
	Username   string     `json:"username"`
	Action     string     `json:"action"`
	EntityType string     `json:"entityType"`
	EntityID   *uuid.UUID `gorm:"type:uuid" json:"entityId"`
	BeforeData JSON       `json:"before,omitempty"`
	AfterData  JSON       `json:"after,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
}

// TableName keeps the table name singular-free and explicit.
func (AuditEntry) TableName() string { return "audit_log" }

// Audit writes one audit entry inside tx. before and after may be nil.
func Audit(ctx context.Context, tx *gorm.DB, actor Actor, action, entityType string, entityID uuid.UUID, before, after any) error {
	e := AuditEntry{UserID: actor.UserRef(), Username: actor.Username, Action: action, EntityType: entityType}
	if entityID != uuid.Nil {
		e.EntityID = &entityID
	}
	var err error
	if e.BeforeData, err = toJSON(before); err != nil {
		return err
	}
	if e.AfterData, err = toJSON(after); err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("write audit entry %s %s: %w", action, entityType, err)
	}
	return nil
}

func toJSON(v any) (JSON, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit json: %w", err)
	}
	return JSON(b), nil
}
