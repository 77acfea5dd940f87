package reports_test

import (
	"net/url"
	"testing"
	"time"

	"backroom/app/reports"
)

// The default range is the last 7 days ending on the reader's today, not UTC's: at 20:00 UTC on
// the 29th it is already the 30th in Auckland.
func TestDefaultRangeEndsOnTheReadersToday(t *testing.T) {
	now := time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC)
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		loc      *time.Location
		from, to string
	}{
		{time.UTC, "2026-11-23", "2026-11-29"},
		{auckland, "2026-11-24", "2026-11-30"},
	} {
		p, err := reports.ParseParams(url.Values{}, now, tc.loc)
		if err != nil {
			t.Fatal(err)
		}
		if p.From.String() != tc.from || p.To.String() != tc.to {
			t.Errorf("in %s: %s to %s, want %s to %s", tc.loc, p.From, p.To, tc.from, tc.to)
		}
	}
}
