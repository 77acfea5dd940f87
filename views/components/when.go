package components

import (
	"context"
	"time"
)

type zoneKey struct{}

// WithZone returns ctx carrying the time zone pages show times in.
func WithZone(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, zoneKey{}, loc)
}

// Zone is the time zone pages show times in: the viewer's store's, or head office's for HQ
// staff (set per request by the server), and UTC when nobody set one.
func Zone(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(zoneKey{}).(*time.Location); ok && loc != nil {
		return loc
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
