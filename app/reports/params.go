package reports

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// Params are a report's filters as the query string gives them: a date range (inclusive, each
// sale's day taken in its store's time zone), an optional store and, for sales by period, the
// bucket size.
type Params struct {
	From    models.LocalDate
	To      models.LocalDate
	StoreID *uuid.UUID
	Period  string // day | week | month
}

// Periods are the bucket sizes of sales by period.
var Periods = []string{"day", "week", "month"}

// maxDays bounds a date range so one request cannot scan the whole history by accident.
const maxDays = 3 * 366

// DefaultRange is the last 7 days up to today in loc (the reader's zone on pages; UTC for the
// API, whose clients send their dates).
func DefaultRange(now time.Time, loc *time.Location) (from, to models.LocalDate) {
	to = models.DateOf(now, loc)
	return models.LocalDate{Time: to.AddDate(0, 0, -6)}, to
}

// ParseParams reads date_from, date_to, store_id and period from q, defaulting to the last 7
// days and daily buckets. Every bad value is a 422 naming its field.
func ParseParams(q url.Values, now time.Time, loc *time.Location) (Params, error) {
	var p Params
	p.From, p.To = DefaultRange(now, loc)
	e := models.Invalid()
	if s := strings.TrimSpace(q.Get("date_from")); s != "" {
		d, err := models.ParseLocalDate(s)
		if err != nil {
			e.Add("date_from", "must be a date like 2026-03-31")
		}
		p.From = d
	}
	if s := strings.TrimSpace(q.Get("date_to")); s != "" {
		d, err := models.ParseLocalDate(s)
		if err != nil {
			e.Add("date_to", "must be a date like 2026-03-31")
		}
		p.To = d
	}
	if len(e.Fields) == 0 {
		switch {
		case p.To.Before(p.From.Time):
			e.Add("date_to", "must be on or after date_from")
		case p.To.Sub(p.From.Time) > maxDays*24*time.Hour:
			e.Add("date_to", "the range may span at most three years")
		}
	}
	if s := strings.TrimSpace(q.Get("store_id")); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			e.Add("store_id", "must be a store id")
		} else {
			p.StoreID = &id
		}
	}
	p.Period = strings.TrimSpace(q.Get("period"))
	if p.Period == "" {
		p.Period = "day"
	}
	if !slices.Contains(Periods, p.Period) {
		e.Add("period", "must be one of day, week, month")
	}
	return p, e.Err()
}

// scope is the set of stores a report covers: every store (all) or the listed ones.
type scope struct {
	all    bool
	stores []uuid.UUID
}

// storesFor resolves which stores the actor's report covers for perm: the chosen store (404 when
// it does not exist, 403 when it is not one of theirs), else every store they may see.
func storesFor(ctx context.Context, db *gorm.DB, actor models.Actor, perm string, storeID *uuid.UUID) (scope, error) {
	all, stores := actor.Scope(perm)
	if storeID == nil {
		return scope{all: all, stores: stores}, nil
	}
	var st models.Store
	if err := db.WithContext(ctx).Take(&st, "id = ?", *storeID).Error; err != nil {
		return scope{}, models.NotFoundIf(err, "store")
	}
	if !all && !slices.Contains(stores, st.ID) {
		return scope{}, models.Forbidden("You may not see reports of store %s", st.Code)
	}
	return scope{stores: []uuid.UUID{st.ID}}, nil
}

// where restricts a query on column (a store id) to the scope.
func (s scope) where(q *gorm.DB, column string) *gorm.DB {
	if s.all {
		return q
	}
	if len(s.stores) == 0 {
		return q.Where("false")
	}
	return q.Where(column+" IN ?", s.stores)
}
