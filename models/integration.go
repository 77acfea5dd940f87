package models

import (
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
)

// Integration kinds.
const (
	KindCodemax = "codemax"
	KindWebhook = "webhook"
	KindMiPOS   = "mipos"
	KindTipsi   = "tipsi"
)

// Integration connects the chain to an outside system. Secrets are sealed and never leave the
// server; SecretNames says which are set.
type Integration struct {
	ID              uuid.UUID      `gorm:"type:uuid;primaryKey" json:"id"`
	Kind            string         `json:"kind"`
	Name            string         `json:"name"`
	StoreID         *uuid.UUID     `gorm:"type:uuid" json:"storeId"`
	Enabled         bool           `json:"enabled"`
	Settings        JSON           `gorm:"type:jsonb" json:"settings"`
	SecretsSealed   []byte         `json:"-"`
	SecretNames     pq.StringArray `gorm:"type:text[]" json:"-"`
	ScheduleMinutes int            `json:"scheduleMinutes"`
	NextRunAt       *time.Time     `json:"nextRunAt"`
	LastRunAt       *time.Time     `json:"lastRunAt"`
	LastRunStatus   string         `json:"lastRunStatus"`
	CreatedAt       time.Time      `json:"createdAt"`
	UpdatedAt       time.Time      `json:"updatedAt"`
}

// Run statuses and triggers.
const (
	RunQueued    = "queued"
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunPartial   = "partial"
	RunFailed    = "failed"

	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	TriggerEvent    = "event"
)

// IntegrationRun is one execution of an integration, with its progress.
type IntegrationRun struct {
	ID            uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	IntegrationID uuid.UUID  `gorm:"type:uuid" json:"integrationId"`
	Trigger       string     `json:"trigger"`
	Status        string     `json:"status"`
	Total         int        `json:"total"`
	Sent          int        `json:"sent"`
	Failed        int        `json:"failed"`
	Message       string     `json:"message"`
	StartedAt     *time.Time `json:"startedAt"`
	FinishedAt    *time.Time `json:"finishedAt"`
	CreatedAt     time.Time  `json:"createdAt"`
}

// Progress is the share of items done, 0–100.
func (r IntegrationRun) Progress() int {
	if r.Total <= 0 {
		if r.Status == RunSucceeded || r.Status == RunPartial || r.Status == RunFailed {
			return 100
		}
		return 0
	}
	p := (r.Sent + r.Failed) * 100 / r.Total
	if p > 100 {
		p = 100
	}
	return p
}

// IntegrationError is one item an integration could not deliver, kept until retried or resolved.
type IntegrationError struct {
	ID            uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	IntegrationID uuid.UUID  `gorm:"type:uuid" json:"integrationId"`
	RunID         *uuid.UUID `gorm:"type:uuid" json:"runId"`
	ItemType      string     `json:"itemType"`
	ItemRef       string     `json:"itemRef"`
	Message       string     `json:"message"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"nextAttemptAt"`
	ResolvedAt    *time.Time `json:"resolvedAt"`
	ResolvedBy    *uuid.UUID `gorm:"type:uuid" json:"resolvedBy"`
	CreatedAt     time.Time  `json:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
}
