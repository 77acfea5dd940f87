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
	StoreID       uuid.UUID     `json:"storeId"`
	StoreCode     string        `json:"storeCode"`
	Status        string        `json:"status"`
	ProvisionedAt *time.Time    `json:"provisionedAt"`
	LastPullAt    *time.Time    `json:"lastPullAt"`
	LastPushAt    *time.Time    `json:"lastPushAt"`
	Entities      []EntityState `json:"entities"`
	OpenErrors    int64         `json:"openErrors"`
}

// EntityState is one entity as head office sees it for a store: its latest committed version
// in the store's slice, where the store's pull has reached, and how many rows wait for it.
type EntityState struct {
	EntityType   string     `json:"entityType"`
	HQVersion    int64      `json:"hqVersion"`
	StoreVersion int64      `json:"storeVersion"`
	Pending      int64      `json:"pending"` // rows changed after the store's cursor
	PulledAt     *time.Time `json:"pulledAt"`
}

func (s *Service) state(ctx context.Context, storeID uuid.UUID) (syncState, error) {
	var st syncState
	err := s.db.WithContext(ctx).Raw(`SELECT status, last_pull_at, last_push_at, last_contact_at, provisioned_at FROM store_sync WHERE store_id = ?`, storeID).Scan(&st).Error
	return st, err
}

// Status is a store's sync state, its entities and its open errors.
func (s *Service) Status(ctx context.Context, store models.Store) (*StoreStatus, error) {
	st, err := s.state(ctx, store.ID)
	if err != nil {
		return nil, err
	}
	out := &StoreStatus{StoreID: store.ID, StoreCode: store.Code, Status: st.shown(time.Now()), ProvisionedAt: st.ProvisionedAt,
		LastPullAt: st.LastPullAt, LastPushAt: st.LastPushAt}
	if out.Entities, err = s.entityStates(ctx, store.ID, true); err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Raw("SELECT count(*) FROM sync_errors WHERE store_id = ? AND status = 'open'", store.ID).Scan(&out.OpenErrors).Error
	return out, err
}

// entityStates compares head office's versions with the store's cursors, entity by entity.
// pending also counts the rows the store has still to pull, which reads the store's whole slice
// of each entity; without it, only each entity's latest version is read (from its index).
func (s *Service) entityStates(ctx context.Context, storeID uuid.UUID, pending bool) ([]EntityState, error) {
	var cursors []struct {
		EntityType string
		Version    int64
		PulledAt   time.Time
	}
	if err := s.db.WithContext(ctx).Raw("SELECT entity_type, version, pulled_at FROM store_sync_cursors WHERE store_id = ?", storeID).Scan(&cursors).Error; err != nil {
		return nil, err
	}
	at := map[string]EntityState{}
	for _, c := range cursors {
		pulled := c.PulledAt
		at[c.EntityType] = EntityState{StoreVersion: c.Version, PulledAt: &pulled}
	}
	var out []EntityState
	for _, e := range entities() {
		es := at[e.name]
		es.EntityType = e.name
		var v struct {
			Latest  int64
			Pending int64
		}
		count := "0"
		if pending {
			count = fmt.Sprintf("count(*) FILTER (WHERE %s > @cursor)", e.version)
		}
		q := fmt.Sprintf(`SELECT coalesce(max(%[1]s), 0) AS latest, %[4]s AS pending FROM %[2]s
			WHERE %[3]s AND %[1]s < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`, e.version, e.from, e.scope(), count)
		if err := s.db.WithContext(ctx).Raw(q, named(q, map[string]any{"store": storeID, "cursor": es.StoreVersion})...).Scan(&v).Error; err != nil {
			return nil, err
		}
		es.HQVersion, es.Pending = v.Latest, v.Pending
		out = append(out, es)
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
	OpenErrors    int64      `json:"openErrors"`
	OldestErrorAt *time.Time `json:"oldestErrorAt"`
	// Behind lists the entity types with rows the store has not pulled yet (for a provisioned
	// store).
	Behind []string `json:"behind"`
}

// Dashboard lists the stores (not head office) the actor may manage sync for, by code.
func (s *Service) Dashboard(ctx context.Context, actor models.Actor, now time.Time) ([]DashboardRow, error) {
	return s.dashboard(ctx, actor, now, nil)
}

// dashboard is Dashboard, for one store when only is set.
func (s *Service) dashboard(ctx context.Context, actor models.Actor, now time.Time, only *uuid.UUID) ([]DashboardRow, error) {
	var rows []struct {
		ID           uuid.UUID
		Code, Name   string
		Status       string
		LastPullAt   *time.Time
		LastPushAt   *time.Time
		LastContact  *time.Time `gorm:"column:last_contact_at"`
		Provisioned  *time.Time `gorm:"column:provisioned_at"`
		TokenWaiting bool
		OpenErrors   int64
		OldestError  *time.Time `gorm:"column:oldest_error_at"`
	}
	err := s.db.WithContext(ctx).Raw(`SELECT s.id, s.code, s.name, ss.status, ss.last_pull_at, ss.last_push_at, ss.last_contact_at, ss.provisioned_at,
			EXISTS (SELECT 1 FROM sync_tokens t WHERE t.store_id = s.id AND t.used_at IS NULL AND t.revoked_at IS NULL) AS token_waiting,
			(SELECT count(*) FROM sync_errors e WHERE e.store_id = s.id AND e.status = 'open') AS open_errors,
			(SELECT min(created_at) FROM sync_errors e WHERE e.store_id = s.id AND e.status = 'open') AS oldest_error_at
		FROM stores s JOIN store_sync ss ON ss.store_id = s.id WHERE NOT s.is_hq AND (?::uuid IS NULL OR s.id = ?) ORDER BY s.code`, only, only).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]DashboardRow, 0, len(rows))
	for _, r := range rows {
		if !actor.CanAt(PermManage, r.ID) {
			continue
		}
		st := syncState{Status: r.Status, LastContactAt: r.LastContact}
		row := DashboardRow{StoreID: r.ID, Code: r.Code, Name: r.Name, Status: st.shown(now), ProvisionedAt: r.Provisioned,
			LastPullAt: r.LastPullAt, LastPushAt: r.LastPushAt, LastContactAt: r.LastContact, TokenWaiting: r.TokenWaiting,
			OpenErrors: r.OpenErrors, OldestErrorAt: r.OldestError, Behind: []string{}}
		if r.Provisioned != nil {
			states, err := s.entityStates(ctx, r.ID, false)
			if err != nil {
				return nil, err
			}
			for _, es := range states {
				// The cursor is the newest version a pull served, so rows remain exactly when
				// head office has a newer one.
				if es.HQVersion > es.StoreVersion {
					row.Behind = append(row.Behind, es.EntityType)
				}
			}
		}
		out = append(out, row)
	}
	return out, nil
}
