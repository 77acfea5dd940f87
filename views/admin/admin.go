// Package admin holds the administration screens: users, roles and stores.
package admin

import (
	"backroom/models"
	"backroom/views/components"
)

// ListFilter is the GET filter form of a list page.
type ListFilter struct {
	Q      string
	Active string // "", "true" or "false"
}

// Filtered reports whether any filter is set (an empty result then means "no match", not "none yet").
func (f ListFilter) Filtered() bool { return f.Q != "" || f.Active != "" }

func statusOptions(active string) []components.Option {
	return []components.Option{
		{Value: "", Label: "All", Selected: active == ""},
		{Value: "true", Label: "Active", Selected: active == "true"},
		{Value: "false", Label: "Inactive", Selected: active == "false"},
	}
}

func activeStatus(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}

// UserRow is one line of the users table.
type UserRow struct {
	ID          string
	Username    string
	DisplayName string
	Email       string
	IsActive    bool
	HasPin      bool
	HasPassword bool
	Roles       []string // "Store Manager @ S001", "Administrator (HQ-wide)"
}

// UsersList is the users page.
type UsersList struct {
	Filter    ListFilter
	Rows      []UserRow
	Pager     components.Pager
	CanCreate bool
	CanEdit   bool
}

// RoleRow is one store line of the user form: which role the user has there.
type RoleRow struct {
	Field   string // form field name: role_hq or role_<store id>
	Label   string
	Help    string
	Options []components.Option
	Errors  []string
}

// UserForm is the create/edit user form.
type UserForm struct {
	ID          string // empty when creating
	Username    string
	DisplayName string
	Email       string
	IsActive    bool
	HasPin      bool
	HasPassword bool
	RoleRows    []RoleRow
	Errors      components.Errors
	Error       string
}

// Action is where the form posts.
func (f UserForm) Action() string {
	if f.ID == "" {
		return "/admin/users"
	}
	return "/admin/users/" + f.ID
}

// RoleListRow is one line of the roles table.
type RoleListRow struct {
	ID          string
	Name        string
	Description string
	Permissions int
	Users       int64
}

// RolesList is the roles page.
type RolesList struct {
	Filter    ListFilter
	Rows      []RoleListRow
	Pager     components.Pager
	CanManage bool
}

// PermCheck is one checkbox of the permission checklist.
type PermCheck struct {
	Code        string
	Description string
	Checked     bool
}

// PermArea is one group of the checklist.
type PermArea struct {
	Area  string
	Perms []PermCheck
}

// RoleForm is the create/edit role form.
type RoleForm struct {
	ID          string
	Name        string
	Description string
	Areas       []PermArea
	Users       int64
	CanManage   bool
	Errors      components.Errors
	Error       string
}

// Action is where the form posts.
func (f RoleForm) Action() string {
	if f.ID == "" {
		return "/admin/roles"
	}
	return "/admin/roles/" + f.ID
}

// Checklist builds the grouped checklist with checked codes ticked.
func Checklist(checked []string) []PermArea {
	on := map[string]bool{}
	for _, c := range checked {
		on[c] = true
	}
	var out []PermArea
	for _, a := range models.PermissionsByArea() {
		pa := PermArea{Area: a.Area}
		for _, p := range a.Permissions {
			pa.Perms = append(pa.Perms, PermCheck{Code: p.Code, Description: p.Description, Checked: on[p.Code]})
		}
		out = append(out, pa)
	}
	return out
}

// StoreRow is one line of the stores table.
type StoreRow struct {
	models.Store
	Users   int64
	CanEdit bool
}

// StoresList is the stores page.
type StoresList struct {
	Filter    ListFilter
	Rows      []StoreRow
	Pager     components.Pager
	CanCreate bool
}

// StoreForm is the create/edit store form.
type StoreForm struct {
	ID       string
	Code     string
	Name     string
	Address  string
	Phone    string
	TimeZone string
	IsActive bool
	IsHQ     bool
	Zones    []string
	Errors   components.Errors
	Error    string
}

// Action is where the form posts.
func (f StoreForm) Action() string {
	if f.ID == "" {
		return "/admin/stores"
	}
	return "/admin/stores/" + f.ID
}

func zoneOptions(zones []string, current string) []components.Option {
	out := make([]components.Option, 0, len(zones)+1)
	found := false
	for _, z := range zones {
		out = append(out, components.Option{Value: z, Label: z, Selected: z == current})
		found = found || z == current
	}
	// A zone set through the API that is not in the short list stays selectable.
	if !found && current != "" {
		out = append([]components.Option{{Value: current, Label: current, Selected: true}}, out...)
	}
	return out
}
