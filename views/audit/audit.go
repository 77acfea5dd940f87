// Package audit renders the audit trail: the Audit page and the timeline on detail pages.
package audit

import (
	"encoding/json"
	"fmt"
	"strings"

	"backroom/app/money"
	"backroom/models"
	"backroom/views/components"
)

// Describe says in words what an entry records: "Approved", "Received 4 of 10", …
func Describe(e models.AuditEntry) string {
	var after map[string]any
	_ = json.Unmarshal(e.AfterData, &after)
	switch e.Action {
	case "create":
		return "Created"
	case "received":
		got, _ := after["received"].(float64)
		of, _ := after["ordered"].(float64)
		if of > 0 {
			return fmt.Sprintf("Received %s of %s", money.FormatQty(int64(got)), money.FormatQty(int64(of)))
		}
		return "Received"
	case "rejected":
		if r, ok := after["reason"].(string); ok && r != "" {
			return "Rejected: " + r
		}
	case "close_short":
		return "Closed short"
	case "add_item":
		return "Added a line"
	case "update_item":
		return "Changed a line"
	case "remove_item":
		return "Removed a line"
	case "fill_prices":
		return "Pasted prices"
	}
	return components.StatusLabel(strings.ReplaceAll(e.Action, "_", " "))
}

// Note is what an entry adds after who made it: the reason an order was closed short.
func Note(e models.AuditEntry) string {
	if e.Action != "close_short" {
		return ""
	}
	var after map[string]any
	_ = json.Unmarshal(e.AfterData, &after)
	r, _ := after["reason"].(string)
	return r
}

// Who is the person (or the system) behind an entry.
func Who(e models.AuditEntry) string {
	if e.Username == "" {
		return "system"
	}
	return e.Username
}

// Page is the Audit page's data.
type Page struct {
	Rows        []models.AuditEntry
	Pager       components.Pager
	EntityTypes []string
	EntityType  string
	EntityID    string
	UserID      string
	DateFrom    string
	DateTo      string
}

// Filtered reports whether any filter is set.
func (p Page) Filtered() bool {
	return p.EntityType != "" || p.EntityID != "" || p.UserID != "" || p.DateFrom != "" || p.DateTo != ""
}

// Changes summarises an entry's before/after as compact JSON for the table.
func Changes(e models.AuditEntry) string {
	s := string(e.AfterData)
	if s == "" || s == "null" {
		s = string(e.BeforeData)
	}
	if len(s) > 160 {
		s = s[:159] + "…"
	}
	return s
}
