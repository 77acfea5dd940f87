package admin

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// StoreInput is the body of POST and PUT /stores. The code is set once: on update it may be
// omitted or repeated unchanged, never changed (it tags the store's documents and sync logs).
type StoreInput struct {
	Code     string `json:"code" validate:"max=20"`
	Name     string `json:"name" validate:"required,max=120"`
	Address  string `json:"address" validate:"max=500"`
	Phone    string `json:"phone" validate:"max=40"`
	TimeZone string `json:"timeZone" validate:"required,max=64"`
	IsActive *bool  `json:"isActive"`
}

var storeCodeRe = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

func (in *StoreInput) check(creating bool) error {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.Address = strings.TrimSpace(in.Address)
	in.Phone = strings.TrimSpace(in.Phone)
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	verr := models.Invalid()
	if err := models.Validate(in); err != nil {
		e, ok := err.(*models.Error)
		if !ok {
			return err
		}
		verr = e
	}
	if creating && in.Code == "" {
		verr.Add("code", "is required")
	}
	if in.Code != "" && !storeCodeRe.MatchString(in.Code) {
		verr.Add("code", "may contain only letters, digits and dashes")
	}
	if in.TimeZone != "" && !ValidTimeZone(in.TimeZone) {
		verr.Add("timeZone", "must be a time zone such as America/New_York")
	}
	verr.Message = ""
	return verr.Err()
}

// ValidTimeZone reports whether name is an IANA zone Go can load ("Local" is the server's own
// zone and means nothing to a store, so it is refused).
func ValidTimeZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// StoreFilter narrows the store list.
type StoreFilter struct {
	Search string
	Active *bool
}

// ListStores pages through the stores the actor may see.
func (s *Service) ListStores(ctx context.Context, actor models.Actor, f StoreFilter, p models.Page) ([]models.Store, int64, error) {
	q := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.Store{}), "stores.view", "id")
	if t := strings.TrimSpace(f.Search); t != "" {
		pat := likePattern(t)
		q = q.Where("code ILIKE ? OR name ILIKE ? OR address ILIKE ?", pat, pat, pat)
	}
	if f.Active != nil {
		q = q.Where("is_active = ?", *f.Active)
	}
	stores, total, err := models.Paged[models.Store](q, p, "is_hq DESC, lower(code)")
	if err != nil {
		return nil, 0, fmt.Errorf("list stores: %w", err)
	}
	return stores, total, nil
}

// AllStores returns every store by code (for the user form's role rows).
func (s *Service) AllStores(ctx context.Context) ([]models.Store, error) {
	var stores []models.Store
	if err := s.db.WithContext(ctx).Order("is_hq DESC, lower(code)").Find(&stores).Error; err != nil {
		return nil, fmt.Errorf("all stores: %w", err)
	}
	return stores, nil
}

// GetStore returns a store the actor may see.
func (s *Service) GetStore(ctx context.Context, actor models.Actor, id uuid.UUID) (*models.Store, error) {
	var st models.Store
	q := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.Store{}), "stores.view", "id")
	if err := q.Take(&st, "id = ?", id).Error; err != nil {
		return nil, models.NotFoundIf(err, "store")
	}
	return &st, nil
}

// CreateStore opens a new location. Only an HQ-wide role may: a store-scoped grant has no store
// to apply to yet.
func (s *Service) CreateStore(ctx context.Context, actor models.Actor, in StoreInput) (*models.Store, error) {
	if !actor.HQ["stores.create"] {
		return nil, models.Forbidden("Creating stores needs the stores.create permission in an HQ-wide role")
	}
	if err := in.check(true); err != nil {
		return nil, err
	}
	st := models.Store{Code: in.Code, Name: in.Name, Address: in.Address, Phone: in.Phone, TimeZone: in.TimeZone, IsActive: true}
	if in.IsActive != nil {
		st.IsActive = *in.IsActive
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Store{}).Where("lower(code) = lower(?)", in.Code).Count(&n).Error; err != nil {
			return fmt.Errorf("check store code: %w", err)
		}
		if n > 0 {
			return models.Conflict("store code %q is already in use", in.Code)
		}
		if err := tx.Create(&st).Error; err != nil {
			if models.IsUniqueViolation(err, "stores_code_key") {
				return models.Conflict("store code %q is already in use", in.Code)
			}
			return fmt.Errorf("create store: %w", err)
		}
		return models.Audit(ctx, tx, actor, "create", "store", st.ID, nil, st)
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// UpdateStore changes a store's details; its code never changes.
func (s *Service) UpdateStore(ctx context.Context, actor models.Actor, id uuid.UUID, in StoreInput) (*models.Store, error) {
	if err := in.check(false); err != nil {
		return nil, err
	}
	var st models.Store
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&st, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "store")
		}
		if !actor.CanAt("stores.edit", id) {
			if !actor.CanAt("stores.view", id) {
				return models.NotFound("store") // a store they cannot see does not exist for them
			}
			return models.Forbidden("You need the stores.edit permission at %s to edit it", st.Code)
		}
		if in.Code != "" && in.Code != st.Code {
			return models.FieldError("code", "cannot be changed after the store is created")
		}
		if in.IsActive != nil && !*in.IsActive && st.IsHQ {
			return models.FieldError("isActive", "the head office cannot be deactivated")
		}
		before := st
		st.Name, st.Address, st.Phone, st.TimeZone = in.Name, in.Address, in.Phone, in.TimeZone
		if in.IsActive != nil {
			st.IsActive = *in.IsActive
		}
		st.UpdatedAt = time.Now().UTC()
		err := tx.Model(&models.Store{}).Where("id = ?", id).Updates(map[string]any{
			"name": st.Name, "address": st.Address, "phone": st.Phone, "time_zone": st.TimeZone,
			"is_active": st.IsActive, "updated_at": st.UpdatedAt,
		}).Error
		if err != nil {
			return fmt.Errorf("update store: %w", err)
		}
		return models.Audit(ctx, tx, actor, "update", "store", id, before, st)
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// CurrentStore answers GET /stores/current: the store the caller works at, and every store they
// may work at so a client can offer a switch.
type CurrentStore struct {
	Store  models.Store   `json:"store"`
	Stores []models.Store `json:"stores"`
}

// Current picks the caller's store: the one asked for (when they work there or are HQ-wide);
// else their only store role; else, for an HQ-wide user, the head office; else the first of their
// stores by code. A user with no role at all has no current store (404).
func (s *Service) Current(ctx context.Context, actor models.Actor, want *uuid.UUID) (*CurrentStore, error) {
	q := s.db.WithContext(ctx).Model(&models.Store{}).Order("is_hq DESC, lower(code)")
	if !actor.IsHQ() {
		ids := make([]uuid.UUID, 0, len(actor.Stores))
		for id := range actor.Stores {
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return nil, models.NotFound("store for your account (you have no role at any store)")
		}
		q = q.Where("id IN ?", ids)
	}
	var stores []models.Store
	if err := q.Find(&stores).Error; err != nil {
		return nil, fmt.Errorf("current stores: %w", err)
	}
	if len(stores) == 0 {
		return nil, models.NotFound("store")
	}
	out := &CurrentStore{Stores: stores}
	pick := func(match func(models.Store) bool) bool {
		for _, st := range stores {
			if match(st) {
				out.Store = st
				return true
			}
		}
		return false
	}
	switch {
	case want != nil:
		if !pick(func(st models.Store) bool { return st.ID == *want }) {
			return nil, models.NotFound("store")
		}
	case len(actor.Stores) == 1 && !actor.IsHQ():
		out.Store = stores[0]
	case actor.IsHQ() && pick(func(st models.Store) bool { return st.IsHQ }):
	default:
		out.Store = stores[0]
	}
	return out, nil
}

// StoreSummary is one row of the store dashboard. Only figures that exist today are counted;
// sales, sync and register figures join when those areas do.
type StoreSummary struct {
	StoreID         uuid.UUID `json:"storeId"`
	Code            string    `json:"code"`
	Name            string    `json:"name"`
	TimeZone        string    `json:"timeZone"`
	IsHQ            bool      `json:"isHq"`
	IsActive        bool      `json:"isActive"`
	Users           int64     `json:"users"`
	ActiveUsers     int64     `json:"activeUsers"`
	StockedProducts int64     `json:"stockedProducts"`
}

// Dashboard summarises every store the actor may see.
func (s *Service) Dashboard(ctx context.Context, actor models.Actor) ([]StoreSummary, error) {
	q := actor.ScopeQuery(s.db.WithContext(ctx).Table("stores st"), "stores.view", "st.id").
		Select(`st.id AS store_id, st.code, st.name, st.time_zone, st.is_hq, st.is_active,
			(SELECT count(DISTINCT usr.user_id) FROM user_store_roles usr WHERE usr.store_id = st.id) AS users,
			(SELECT count(DISTINCT usr.user_id) FROM user_store_roles usr JOIN users u ON u.id = usr.user_id
				WHERE usr.store_id = st.id AND u.is_active) AS active_users,
			(SELECT count(*) FROM inventory_levels il WHERE il.store_id = st.id AND il.quantity > 0) AS stocked_products`)
	out := []StoreSummary{}
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store dashboard: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].IsHQ != out[j].IsHQ {
			return out[i].IsHQ
		}
		return strings.ToLower(out[i].Code) < strings.ToLower(out[j].Code)
	})
	return out, nil
}

// TimeZones is the list offered by the store form: the zones a North American and European
// chain is likely to use, plus UTC. The API accepts any IANA zone.
var TimeZones = []string{
	"UTC",
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
	"America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico", "America/Toronto", "America/Vancouver",
	"America/Halifax", "America/St_Johns", "America/Mexico_City", "America/Bogota", "America/Lima",
	"America/Santiago", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Caracas",
	"America/Santo_Domingo", "America/Panama", "Europe/London", "Europe/Dublin", "Europe/Lisbon",
	"Europe/Madrid", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam", "Europe/Rome", "Europe/Stockholm",
	"Europe/Warsaw", "Europe/Athens", "Europe/Istanbul", "Africa/Johannesburg", "Africa/Lagos", "Asia/Dubai",
	"Asia/Kolkata", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney",
	"Australia/Perth", "Pacific/Auckland",
}

// UserCounts counts the distinct users with a role at each of the given stores.
func (s *Service) UserCounts(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]int64, error) {
	out := map[uuid.UUID]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		StoreID uuid.UUID
		N       int64
	}
	if err := s.db.WithContext(ctx).Model(&models.UserStoreRole{}).Select("store_id, count(DISTINCT user_id) AS n").
		Where("store_id IN ?", ids).Group("store_id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count store users: %w", err)
	}
	for _, r := range rows {
		out[r.StoreID] = r.N
	}
	return out, nil
}
