package integrations

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// Health says whether an integration is failing. It is the one answer the integration list, the
// integration's page, the dashboard's "Integration errors" card and the sidebar's badge on
// Integrations show, worked out by Service.health and nowhere else.
//
// An integration's failing items are
//   - its open integration errors (items a run could not send and nobody resolved),
//   - the items its connector keeps outside integration_errors and reports as failing
//     (Failures: the webhook's deliveries waiting for a retry after a failed attempt or given
//     up; miPOS's stock updates and webhook registration),
//   - its last finished run, when that run failed as a whole (a refused login, an unreachable
//     server: no item of it failed, so the run itself is the failing item; a run that failed
//     because its items did is counted by their errors).
//
// It is failing when it has failing items and is enabled: a disabled integration sends nothing,
// so its leftovers are shown on its page but raise no alarm. LastError is the text of the newest
// failing item's error.
type Health struct {
	Failing       bool       `json:"failing"`
	FailingItems  int64      `json:"failingItems"`
	LastError     string     `json:"lastError"`
	LastErrorAt   *time.Time `json:"lastErrorAt"`
	LastRunFailed bool       `json:"lastRunFailed"` // the last finished run failed as a whole (one of FailingItems)
	// Parts say what the failing items are: "2 open errors", "3 deliveries retrying or given up", "the last run".
	Parts []string `json:"parts"`
}

// Failures is implemented by connectors whose items live in their own tables rather than in
// integration_errors (the webhook's deliveries): they report which of them are failing.
type Failures interface {
	// Failures reports, for those of ids that have any, the number of failing items and the
	// newest one's error. Every id is of the connector's kind.
	Failures(ctx context.Context, db *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]Failure, error)
}

// Failure is what a connector reports for one integration.
type Failure struct {
	Items     int64
	What      string    // what is failing, with the count: "3 deliveries retrying or given up"
	LastError string    // the newest failing item's error, naming the item ("Delivery of validated for R-0001: receiver answered 403")
	At        time.Time // when that error happened
}

// health is an integration's Health and its open integration errors (View.OpenErrors).
type health struct {
	Health
	openErrors int64
}

// note records a failing item's error when it is the newest so far.
func (h *health) note(msg string, at time.Time) {
	if msg == "" || (h.LastErrorAt != nil && !at.After(*h.LastErrorAt)) {
		return
	}
	h.LastError, h.LastErrorAt = msg, &at
}

// health works out the Health of rows: one query for their open errors, one for their last
// finished runs, and one per connector kind that reports Failures.
func (s *Service) health(ctx context.Context, db *gorm.DB, rows []models.Integration) (map[uuid.UUID]*health, error) {
	out := make(map[uuid.UUID]*health, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	db = db.WithContext(ctx)
	ids := make([]uuid.UUID, 0, len(rows))
	byKind := map[string][]uuid.UUID{}
	for _, r := range rows {
		out[r.ID] = &health{}
		ids = append(ids, r.ID)
		byKind[r.Kind] = append(byKind[r.Kind], r.ID)
	}

	var errs []struct {
		IntegrationID uuid.UUID
		N             int64
		ItemType      string
		ItemRef       string
		Message       string
		UpdatedAt     time.Time
	}
	if err := db.Raw(`SELECT DISTINCT ON (integration_id) integration_id, count(*) OVER (PARTITION BY integration_id) AS n,
			item_type, item_ref, message, updated_at
		FROM integration_errors WHERE integration_id IN ? AND status <> 'resolved'
		ORDER BY integration_id, updated_at DESC, id DESC`, ids).Scan(&errs).Error; err != nil {
		return nil, fmt.Errorf("integration errors: %w", err)
	}
	for _, e := range errs {
		h := out[e.IntegrationID]
		h.openErrors = e.N
		h.FailingItems += e.N
		h.Parts = append(h.Parts, plural(e.N, "open error", "open errors"))
		h.note(fmt.Sprintf("%s %s: %s", e.ItemType, e.ItemRef, e.Message), e.UpdatedAt)
	}

	// The last finished run of each (runs never overlap, so the newest finished is the last).
	var runs []struct {
		IntegrationID uuid.UUID
		Status        string
		Failed        int
		Message       string
		FinishedAt    *time.Time
		CreatedAt     time.Time
	}
	if err := db.Raw(`SELECT i.id AS integration_id, r.status, r.failed, r.message, r.finished_at, r.created_at
		FROM integrations i CROSS JOIN LATERAL (
			SELECT status, failed, message, finished_at, created_at FROM integration_runs
			WHERE integration_id = i.id AND status IN ?
			ORDER BY created_at DESC LIMIT 1) r
		WHERE i.id IN ?`, []string{models.RunSucceeded, models.RunPartial, models.RunFailed}, ids).Scan(&runs).Error; err != nil {
		return nil, fmt.Errorf("last runs: %w", err)
	}
	for _, r := range runs {
		if r.Status != models.RunFailed || r.Failed > 0 {
			continue
		}
		h := out[r.IntegrationID]
		h.LastRunFailed = true
		h.FailingItems++
		h.Parts = append(h.Parts, "the last run")
		at := r.CreatedAt
		if r.FinishedAt != nil {
			at = *r.FinishedAt
		}
		h.note("Last run failed: "+r.Message, at)
	}

	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		c, ok := s.Connector(kind)
		if !ok {
			continue
		}
		f, ok := c.(Failures)
		if !ok {
			continue
		}
		found, err := f.Failures(ctx, db, byKind[kind])
		if err != nil {
			return nil, fmt.Errorf("%s failures: %w", kind, err)
		}
		for id, fl := range found {
			h, ok := out[id]
			if !ok || fl.Items <= 0 {
				continue
			}
			h.FailingItems += fl.Items
			h.Parts = append(h.Parts, fl.What)
			h.note(fl.LastError, fl.At)
		}
	}

	for _, r := range rows {
		h := out[r.ID]
		h.Failing = r.Enabled && h.FailingItems > 0
		if h.Parts == nil {
			h.Parts = []string{}
		}
	}
	return out, nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// FailingIntegration is one failing integration in a Failing summary.
type FailingIntegration struct {
	ID     uuid.UUID `json:"id"`
	Name   string    `json:"name"`
	Health Health    `json:"health"`
}

// Failing sums up what is failing across integrations, for the dashboard and the sidebar.
type Failing struct {
	Items        int64                // failing items of the failing integrations
	Integrations []FailingIntegration // newest error first
}

// Failing lists the failing integrations, by Health's one definition.
func (s *Service) Failing(ctx context.Context) (Failing, error) {
	var rows []models.Integration
	if err := s.db.WithContext(ctx).Where("enabled").Order("lower(name)").Find(&rows).Error; err != nil {
		return Failing{}, err
	}
	hs, err := s.health(ctx, s.db, rows)
	if err != nil {
		return Failing{}, err
	}
	var out Failing
	for _, r := range rows {
		h := hs[r.ID]
		if !h.Failing {
			continue
		}
		out.Items += h.FailingItems
		out.Integrations = append(out.Integrations, FailingIntegration{ID: r.ID, Name: r.Name, Health: h.Health})
	}
	sort.SliceStable(out.Integrations, func(i, j int) bool {
		a, b := out.Integrations[i].Health.LastErrorAt, out.Integrations[j].Health.LastErrorAt
		return a != nil && (b == nil || a.After(*b))
	})
	return out, nil
}

// Badge is the sidebar's count on Integrations: the failing items of the failing integrations,
// shown in red (0, no badge, for people who do not manage integrations or when it cannot be told).
func (s *Service) Badge(c *gin.Context, actor models.Actor) int {
	if !actor.Can("integrations.manage") {
		return 0
	}
	f, err := s.Failing(c.Request.Context())
	if err != nil {
		slog.WarnContext(c.Request.Context(), "count failing integrations", "err", err)
		return 0
	}
	return int(f.Items)
}
