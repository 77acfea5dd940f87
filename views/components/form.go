// Package components holds the small typed pieces every screen shares: form fields, badges,
// pagination, empty states and number formatting.
package components

import (
	"errors"
	"fmt"
	"github.com/a-h/templ"
	"net/url"
	"strconv"

	"backroom/models"
)

// Errors are per-field messages keyed by the field's name (the JSON name).
type Errors map[string][]string

// ErrorsOf extracts field messages from a validation error (nil for other errors).
func ErrorsOf(err error) Errors {
	var e *models.Error
	if errors.As(err, &e) && e.Fields != nil {
		return Errors(e.Fields)
	}
	return nil
}

// Field is one labelled input with help text and errors.
type Field struct {
	Name        string
	Label       string
	Type        string // text (default), number, email, password, search, date, tel, textarea
	Value       string
	Help        string
	Placeholder string
	Required    bool
	Autofocus   bool
	Disabled    bool
	Errors      []string
	Options     []Option // for selects
	Attrs       templ.Attributes
	Rows        int // textarea rows
}

// Option is one choice of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// ID is the element id of the field's input.
func (f Field) ID() string { return "f-" + f.Name }

func (f Field) inputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

func (f Field) describedBy() string {
	s := ""
	if f.Help != "" {
		s = f.ID() + "-help"
	}
	if len(f.Errors) > 0 {
		if s != "" {
			s += " "
		}
		s += f.ID() + "-error"
	}
	return s
}

// Pager is the state of a paginated list.
type Pager struct {
	Page     int
	PageSize int
	Total    int64
	URL      *url.URL // the list's current URL; page links keep its other parameters
	Target   string   // element id the htmx links swap, e.g. "#product-table"
}

// From is the 1-based index of the first row shown.
func (p Pager) From() int64 {
	if p.Total == 0 {
		return 0
	}
	return int64((p.Page-1)*p.PageSize) + 1
}

// To is the index of the last row shown.
func (p Pager) To() int64 {
	to := int64(p.Page * p.PageSize)
	if to > p.Total {
		return p.Total
	}
	return to
}

// Pages is the number of pages.
func (p Pager) Pages() int {
	if p.PageSize <= 0 {
		return 1
	}
	n := int((p.Total + int64(p.PageSize) - 1) / int64(p.PageSize))
	if n < 1 {
		return 1
	}
	return n
}

// Link is the list URL at page n.
func (p Pager) Link(n int) string {
	if p.URL == nil {
		return "?page=" + strconv.Itoa(n)
	}
	u := *p.URL
	q := u.Query()
	q.Set("page", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// Summary reads "41–60 of 1,234".
func (p Pager) Summary() string {
	return fmt.Sprintf("%s–%s of %s", group(p.From()), group(p.To()), group(p.Total))
}

func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := ""
	for len(s) > 3 {
		out = "," + s[len(s)-3:] + out
		s = s[:len(s)-3]
	}
	out = s + out
	if neg {
		out = "-" + out
	}
	return out
}

// BadgeClass maps a status to its colour: one colour per meaning across the product.
func BadgeClass(status string) string {
	switch status {
	case "draft", "inactive", "abandoned", "closed", "resolved":
		return "badge badge-grey"
	case "submitted", "pending", "queued", "open", "running", "in_progress":
		return "badge badge-blue"
	case "waiting", "in_transit", "partial", "counting", "received_with_differences", "offline", "retrying":
		return "badge badge-amber"
	case "approved", "received", "completed", "succeeded", "active", "applied", "sent", "delivered":
		return "badge badge-green"
	case "rejected", "cancelled", "failed", "voided", "deleted", "refunded", "revoked":
		return "badge badge-red"
	}
	return "badge badge-grey"
}

// StatusLabel turns "in_transit" into "In transit".
func StatusLabel(status string) string {
	if status == "" {
		return ""
	}
	b := []byte(status)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}
