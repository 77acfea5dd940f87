package components

import (
	"context"
	"sync"
	"time"
)

type zoneKey struct{}

// WithZone returns ctx carrying how to find the time zone pages show times in. zone is called
// at most once, and only when something shows a time, so requests that show none (most form
// posts, htmx fragments without times) never look it up.
func WithZone(ctx context.Context, zone func() *time.Location) context.Context {
	return context.WithValue(ctx, zoneKey{}, sync.OnceValue(zone))
}

// Zone is the time zone pages show times in: the viewer's store's, or head office's for HQ
// staff (set per request by the server), and UTC when nobody set one.
func Zone(ctx context.Context) *time.Location {
	if zone, ok := ctx.Value(zoneKey{}).(func() *time.Location); ok {
		if loc := zone(); loc != nil {
			return loc
		}
	}
	return time.UTC
}

// When is a moment as people read it on a page: date, time and zone, in the page's zone.
func When(ctx context.Context, t time.Time) string {
	return t.In(Zone(ctx)).Format("2006-01-02 15:04 MST")
}

// WhenShort is When without the year, for dense lists of recent events.
func WhenShort(ctx context.Context, t time.Time) string {
	return t.In(Zone(ctx)).Format("Jan 2 15:04")
}

// Day is the calendar date of t in the page's zone.
func Day(ctx context.Context, t time.Time) string {
	return t.In(Zone(ctx)).Format("2006-01-02")
}
