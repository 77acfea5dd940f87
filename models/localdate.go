package models

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// LocalDate is a calendar day without a time zone (a PostgreSQL date), written "2006-01-02" in
// JSON. Which instant it starts at depends on the store's time zone.
type LocalDate struct{ time.Time }

// DateLayout is how dates are written in JSON, forms and query strings.
const DateLayout = "2006-01-02"

// ParseLocalDate reads "2006-01-02".
func ParseLocalDate(s string) (LocalDate, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return LocalDate{}, fmt.Errorf("must be a date like 2026-03-31")
	}
	return LocalDate{t}, nil
}

// DateOf is the calendar day of t in loc.
func DateOf(t time.Time, loc *time.Location) LocalDate {
	y, m, d := t.In(loc).Date()
	return LocalDate{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// String is "2006-01-02" ("" for the zero date).
func (d LocalDate) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(DateLayout)
}

// StartIn is midnight at the start of the day in loc.
func (d LocalDate) StartIn(loc *time.Location) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, loc)
}

// Value stores the day as a date.
func (d LocalDate) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.Format(DateLayout), nil
}

// Scan reads a date column.
func (d *LocalDate) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = LocalDate{}
	case time.Time:
		y, m, day := v.Date()
		*d = LocalDate{time.Date(y, m, day, 0, 0, 0, 0, time.UTC)}
	case string:
		p, err := ParseLocalDate(v[:min(len(v), 10)])
		if err != nil {
			return err
		}
		*d = p
	case []byte:
		return d.Scan(string(v))
	default:
		return fmt.Errorf("scan date from %T", src)
	}
	return nil
}

// MarshalJSON writes "2006-01-02" (null for the zero date).
func (d LocalDate) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.Format(DateLayout) + `"`), nil
}

// UnmarshalJSON reads "2006-01-02" (or an RFC 3339 time, keeping its date).
func (d *LocalDate) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*d = LocalDate{}
		return nil
	}
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10]
	}
	p, err := ParseLocalDate(s)
	if err != nil {
		return &Error{Kind: ErrValidation, Message: "must be a date like 2026-03-31"}
	}
	*d = p
	return nil
}
