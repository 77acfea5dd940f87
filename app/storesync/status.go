package storesync

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"backroom/models"
)

// syncState is a store's row of store_sync.
type syncState struct {
	Status        string
	LastPullAt    *time.Time
	LastPushAt    *time.Time
	LastContactAt *time.Time
	ProvisionedAt *time.Time
}

// shown is the status a person sees: offline is an active store out of touch for OfflineAfter.
func (s syncState) shown(now time.Time) string {
	if s.Status == StatusActive && (s.LastContactAt == nil || now.Sub(*s.LastContactAt) > OfflineAfter) {
		return StatusOffline
	}
	return s.Status
}

// StoreStatus is what GET /api/v1/sync/status tells a store about itself.
type StoreStatus struct {
	StoreID       uuid.UUID  `json:"storeId"`
	StoreCode     string     `json:"storeCode"`
	Status        string     `json:"status"`
	ProvisionedAt *time.Time `json:"provisionedAt"`
	LastPullAt    *time.Time `json:"lastPullAt"`
	LastPushAt    *time.Time `json:"lastPushAt"`
	// Versions is head office's latest committed version of each entity in this store's slice:
	// a store whose cursor is below one has changes to pull.
	Versions map[string]int64 `json:"versions"`
}

func (s *Service) state(ctx context.Context, storeID uuid.UUID) (syncState, error) {
	var st syncState
	err := s.db.WithContext(ctx).Raw(`SELECT status, last_pull_at, last_push_at, last_contact_at, provisioned_at FROM store_sync WHERE store_id = ?`, storeID).Scan(&st).Error
	return st, err
}

// Status is a store's sync state and head office's versions for it.
func (s *Service) Status(ctx context.Context, store models.Store) (*StoreStatus, error) {
	st, err := s.state(ctx, store.ID)
	if err != nil {
		return nil, err
	}
	out := &StoreStatus{StoreID: store.ID, StoreCode: store.Code, Status: st.shown(time.Now()), ProvisionedAt: st.ProvisionedAt,
		LastPullAt: st.LastPullAt, LastPushAt: st.LastPushAt, Versions: map[string]int64{"permissions": 1}}
	for _, e := range entities() {
		var v int64
		q := fmt.Sprintf("SELECT coalesce(max(%s), 0) FROM %s WHERE %s AND %s < pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
			e.version, e.from, e.scope(), e.version)
		if err := s.db.WithContext(ctx).Raw(q, named(q, map[string]any{"store": store.ID})...).Scan(&v).Error; err != nil {
			return nil, err
		}
		out.Versions[e.name] = v
	}
	return out, nil
}

// DashboardRow is one store on the sync dashboard.
type DashboardRow struct {
	StoreID       uuid.UUID  `json:"storeId"`
	Code          string     `json:"code"`
	Name          string     `json:"name"`
	Status        string     `json:"status"` // pending_provisioning, active, offline or revoked
	ProvisionedAt *time.Time `json:"provisionedAt"`
	LastPullAt    *time.Time `json:"lastPullAt"`
	LastPushAt    *time.Time `json:"lastPushAt"`
	LastContactAt *time.Time `json:"lastContactAt"`
	TokenWaiting  bool       `json:"tokenWaiting"` // a token was issued and not used yet
}

// Dashboard lists the stores (not head office) the actor may manage sync for, by code.
func (s *Service) Dashboard(ctx context.Context, actor models.Actor, now time.Time) ([]DashboardRow, error) {
	var rows []struct {
		ID           uuid.UUID
		Code, Name   string
		Status       string
		LastPullAt   *time.Time
		LastPushAt   *time.Time
		LastContact  *time.Time `gorm:"column:last_contact_at"`
		Provisioned  *time.Time `gorm:"column:provisioned_at"`
		TokenWaiting bool
	}
	err := s.db.WithContext(ctx).Raw(`SELECT s.id, s.code, s.name, ss.status, ss.last_pull_at, ss.last_push_at, ss.last_contact_at, ss.provisioned_at,
			EXISTS (SELECT 1 FROM sync_tokens t WHERE t.store_id = s.id AND t.used_at IS NULL AND t.revoked_at IS NULL) AS token_waiting
		FROM stores s JOIN store_sync ss ON ss.store_id = s.id WHERE NOT s.is_hq ORDER BY s.code`).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]DashboardRow, 0, len(rows))
	for _, r := range rows {
		if !actor.CanAt(PermManage, r.ID) {
			continue
		}
		st := syncState{Status: r.Status, LastContactAt: r.LastContact}
		out = append(out, DashboardRow{StoreID: r.ID, Code: r.Code, Name: r.Name, Status: st.shown(now), ProvisionedAt: r.Provisioned,
			LastPullAt: r.LastPullAt, LastPushAt: r.LastPushAt, LastContactAt: r.LastContact, TokenWaiting: r.TokenWaiting})
	}
	return out, nil
}
