package admin

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
	views "backroom/views/admin"
	"backroom/views/components"
)

const navKey = "admin"

func (s *Service) mountWeb(g *gin.RouterGroup) {
	g.GET("/admin", server.Require("users.view", "roles.view", "stores.view"), adminHome)
	g.GET("/admin/users", server.Require("users.view"), s.usersPage)
	g.GET("/admin/users/new", server.Require("users.create"), s.userNewPage)
	g.POST("/admin/users", server.Require("users.create"), s.userCreateSubmit)
	g.GET("/admin/users/:id", server.Require("users.edit"), s.userEditPage)
	g.POST("/admin/users/:id", server.Require("users.edit"), s.userEditSubmit)

	g.GET("/admin/roles", server.Require("roles.view"), s.rolesPage)
	g.GET("/admin/roles/new", server.Require("roles.manage"), s.roleNewPage)
	g.POST("/admin/roles", server.Require("roles.manage"), s.roleCreateSubmit)
	g.GET("/admin/roles/:id", server.Require("roles.view"), s.roleEditPage)
	g.POST("/admin/roles/:id", server.Require("roles.manage"), s.roleEditSubmit)
	g.GET("/admin/roles/:id/delete", server.Require("roles.manage"), s.roleDeletePage)
	g.POST("/admin/roles/:id/delete", server.Require("roles.manage"), s.roleDeleteSubmit)

	g.GET("/admin/stores", server.Require("stores.view"), s.storesPage)
	g.GET("/admin/stores/new", server.Require("stores.create"), s.storeNewPage)
	g.POST("/admin/stores", server.Require("stores.create"), s.storeCreateSubmit)
	g.GET("/admin/stores/:id", server.Require("stores.edit"), s.storeEditPage)
	g.POST("/admin/stores/:id", server.Require("stores.edit"), s.storeEditSubmit)
}

// adminHome sends /admin to the first administration page the person may open.
func adminHome(c *gin.Context) {
	actor := server.Actor(c)
	switch {
	case actor.Can("users.view"):
		server.Redirect(c, "/admin/users")
	case actor.Can("roles.view"):
		server.Redirect(c, "/admin/roles")
	default:
		server.Redirect(c, "/admin/stores")
	}
}

// formProblem tells whether err belongs beside the form (invalid fields, a taken name or PIN)
// rather than on an error page, and with which status and message.
func formProblem(err error) (status int, msg string, fields components.Errors, ok bool) {
	switch {
	case errors.Is(err, models.ErrValidation):
		return http.StatusUnprocessableEntity, server.Message(err), components.ErrorsOf(err), true
	case errors.Is(err, models.ErrConflict):
		return http.StatusConflict, server.Message(err), nil, true
	}
	return 0, "", nil, false
}

// pageQuery is what the admin list pages read from the query string: the filter box's q, and
// active as the API reads it (active or status). Shown is what the box's active choice shows.
type pageQuery struct {
	Q      string      `query:"q"`
	Active activeParam `query:"active,status"`
	Shown  activeShown `query:"active"`
}

// activeShown is the filter box's active choice: "true" or "false" exactly as sent, otherwise
// "" (all), even when the list is filtered another way (status=active).
type activeShown string

func (a *activeShown) UnmarshalParam(s string) error {
	if s == "true" || s == "false" {
		*a = activeShown(s)
	}
	return nil
}

// pageQueryOf binds the list page's query; the second result is what its filter box shows.
func pageQueryOf(c *gin.Context) (pageQuery, views.ListFilter, error) {
	var q pageQuery
	err := server.BindQuery(c, &q)
	return q, views.ListFilter{Q: q.Q, Active: string(q.Shown)}, err
}

func pagerOf(c *gin.Context, p models.Page, total int64, target string) components.Pager {
	return components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: target}
}

// checked reads a components.Checkbox: the hidden "false" always posts, "true" only when ticked;
// nil when the field was not on the form at all.
func checked(c *gin.Context, name string) *bool {
	vals, ok := c.GetPostFormArray(name)
	if !ok {
		return nil
	}
	on := false
	for _, v := range vals {
		on = on || v == "true"
	}
	return &on
}

// ---- users

func (s *Service) usersPage(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	actor := server.Actor(c)
	q, f, err := pageQueryOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	users, total, err := s.ListUsers(c.Request.Context(), actor, UserFilter{Search: q.Q, Active: q.Active.v}, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	l := views.UsersList{Filter: f, Pager: pagerOf(c, p, total, "#user-table"), CanCreate: actor.Can("users.create"), CanEdit: actor.Can("users.edit")}
	for _, u := range users {
		row := views.UserRow{ID: u.ID.String(), Username: u.Username, DisplayName: u.DisplayName, Email: u.Email,
			IsActive: u.IsActive, HasPin: u.HasPin, HasPassword: u.HasPassword}
		for _, r := range u.Roles {
			if r.StoreID == nil {
				row.Roles = append(row.Roles, r.RoleName+" (HQ-wide)")
			} else {
				row.Roles = append(row.Roles, r.RoleName+" @ "+r.StoreCode)
			}
		}
		l.Rows = append(l.Rows, row)
	}
	server.RenderPage(c, http.StatusOK, views.UsersPage(server.PageOf(c, "Users", navKey), l), views.UsersTable(l))
}

// roleRows builds the user form's store lines: HQ-wide first (when the actor may give it), then
// each store where the actor holds perm, with current picks selected.
func (s *Service) roleRows(c *gin.Context, perm string, current map[string]string) ([]views.RoleRow, error) {
	actor := server.Actor(c)
	roles, err := s.AllRoles(c.Request.Context())
	if err != nil {
		return nil, err
	}
	stores, err := s.AllStores(c.Request.Context())
	if err != nil {
		return nil, err
	}
	options := func(field string) []components.Option {
		opts := []components.Option{{Value: "", Label: "— No role —", Selected: current[field] == ""}}
		for _, r := range roles {
			opts = append(opts, components.Option{Value: r.ID.String(), Label: r.Name, Selected: current[field] == r.ID.String()})
		}
		return opts
	}
	var rows []views.RoleRow
	if actor.HQ[perm] {
		rows = append(rows, views.RoleRow{Field: "role_hq", Label: "HQ-wide (every store)", Help: "Applies at every store and the head office.", Options: options("role_hq")})
	}
	for _, st := range stores {
		if !actor.CanAt(perm, st.ID) {
			continue
		}
		field := "role_" + st.ID.String()
		label := st.Code + " · " + st.Name
		if !st.IsActive {
			label += " (inactive)"
		}
		rows = append(rows, views.RoleRow{Field: field, Label: label, Options: options(field)})
	}
	return rows, nil
}

func roleField(store *uuid.UUID) string {
	if store == nil {
		return "role_hq"
	}
	return "role_" + store.String()
}

var rolesErrKey = regexp.MustCompile(`^roles\[(\d+)\]`)

// userFormFromPost reads the posted user form. fields lists, in order, the form field of each
// role assignment so errors on roles[i] land beside the right select.
func userFormFromPost(c *gin.Context, rows []views.RoleRow) (UserInput, []string, map[string]string) {
	in := UserInput{
		Username: c.PostForm("username"), DisplayName: c.PostForm("displayName"), Email: c.PostForm("email"),
		Pin: strings.TrimSpace(c.PostForm("pin")), Password: c.PostForm("password"), IsActive: checked(c, "isActive"),
		Roles: []RoleAssignment{},
	}
	picked := map[string]string{}
	var fields []string
	for _, r := range rows {
		v := strings.TrimSpace(c.PostForm(r.Field))
		picked[r.Field] = v
		if v == "" {
			continue
		}
		roleID, err := uuid.Parse(v)
		if err != nil {
			continue // a tampered select: treat as no role
		}
		a := RoleAssignment{RoleID: roleID}
		if r.Field != "role_hq" {
			id, err := uuid.Parse(strings.TrimPrefix(r.Field, "role_"))
			if err != nil {
				continue
			}
			a.StoreID = &id
		}
		in.Roles = append(in.Roles, a)
		fields = append(fields, r.Field)
	}
	return in, fields, picked
}

// renderUserForm re-renders the user form after a problem, with errors on the role rows.
func (s *Service) renderUserForm(c *gin.Context, status int, f views.UserForm, fields []string) {
	for k, msgs := range f.Errors {
		m := rolesErrKey.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if i >= len(fields) {
			continue
		}
		for j := range f.RoleRows {
			if f.RoleRows[j].Field == fields[i] {
				f.RoleRows[j].Errors = append(f.RoleRows[j].Errors, msgs...)
			}
		}
	}
	title := "New user"
	if f.ID != "" {
		title = "Edit " + f.Username
	}
	p := server.PageOf(c, title, navKey)
	server.RenderPage(c, status, views.UserFormPage(p, f), views.UserFormBody(p.CSRFToken, f))
}

func (s *Service) userNewPage(c *gin.Context) {
	rows, err := s.roleRows(c, "users.create", nil)
	if err != nil {
		server.Fail(c, err)
		return
	}
	s.renderUserForm(c, http.StatusOK, views.UserForm{IsActive: true, RoleRows: rows}, nil)
}

func (s *Service) userCreateSubmit(c *gin.Context) {
	rows, err := s.roleRows(c, "users.create", nil)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in, fields, picked := userFormFromPost(c, rows)
	u, err := s.CreateUser(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		status, msg, errs, ok := formProblem(err)
		if !ok {
			server.Fail(c, err)
			return
		}
		if rows, err = s.roleRows(c, "users.create", picked); err != nil {
			server.Fail(c, err)
			return
		}
		f := views.UserForm{Username: in.Username, DisplayName: in.DisplayName, Email: in.Email, IsActive: in.IsActive == nil || *in.IsActive,
			RoleRows: rows, Errors: errs, Error: msg}
		s.renderUserForm(c, status, f, fields)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("User %s created.", u.Username))
	server.Redirect(c, "/admin/users")
}

func (s *Service) userEditPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	u, err := s.getUser(c.Request.Context(), s.db, server.Actor(c), "users.edit", id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	current := map[string]string{}
	for _, r := range u.Roles {
		current[roleField(r.StoreID)] = r.RoleID.String()
	}
	rows, err := s.roleRows(c, "users.edit", current)
	if err != nil {
		server.Fail(c, err)
		return
	}
	s.renderUserForm(c, http.StatusOK, views.UserForm{ID: u.ID.String(), Username: u.Username, DisplayName: u.DisplayName, Email: u.Email,
		IsActive: u.IsActive, HasPin: u.HasPin, HasPassword: u.HasPassword, RoleRows: rows}, nil)
}

func (s *Service) userEditSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	actor := server.Actor(c)
	visible, err := s.getUser(ctx, s.db, actor, "users.edit", id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, err := s.roleRows(c, "users.edit", nil)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in, fields, picked := userFormFromPost(c, rows)
	// The form shows only the stores the editor may manage; roles elsewhere stay as they are.
	full, err := s.getUser(ctx, s.db, models.System, "users.view", id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	shown := map[string]bool{}
	for _, r := range rows {
		shown[r.Field] = true
	}
	for _, r := range full.Roles {
		if !shown[roleField(r.StoreID)] {
			in.Roles = append(in.Roles, RoleAssignment{StoreID: r.StoreID, RoleID: r.RoleID})
		}
	}
	u, err := s.UpdateUser(ctx, actor, id, in)
	if err != nil {
		status, msg, errs, ok := formProblem(err)
		if !ok {
			server.Fail(c, err)
			return
		}
		if rows, err = s.roleRows(c, "users.edit", picked); err != nil {
			server.Fail(c, err)
			return
		}
		f := views.UserForm{ID: id.String(), Username: in.Username, DisplayName: in.DisplayName, Email: in.Email,
			IsActive: in.IsActive == nil || *in.IsActive, HasPin: visible.HasPin, HasPassword: visible.HasPassword,
			RoleRows: rows, Errors: errs, Error: msg}
		s.renderUserForm(c, status, f, fields)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("User %s saved.", u.Username))
	server.Redirect(c, "/admin/users")
}

// ---- roles

func (s *Service) rolesPage(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	_, f, err := pageQueryOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f.Active = "" // the roles list has no active filter
	roles, total, err := s.ListRoles(c.Request.Context(), f.Q, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	l := views.RolesList{Filter: f, Pager: pagerOf(c, p, total, "#role-table"), CanManage: server.Actor(c).HQ["roles.manage"]}
	for _, r := range roles {
		l.Rows = append(l.Rows, views.RoleListRow{ID: r.ID.String(), Name: r.Name, Description: r.Description,
			Permissions: len(r.Permissions), Users: r.UserCount})
	}
	server.RenderPage(c, http.StatusOK, views.RolesPage(server.PageOf(c, "Roles", navKey), l), views.RolesTable(l))
}

func (s *Service) renderRoleForm(c *gin.Context, status int, f views.RoleForm) {
	title := "New role"
	if f.ID != "" {
		title = "Role " + f.Name
	}
	p := server.PageOf(c, title, navKey)
	server.RenderPage(c, status, views.RoleFormPage(p, f), views.RoleFormBody(p.CSRFToken, f))
}

// postedPermissions reads the ticked permissions plus every permission of each area whose
// "grant everything" box is ticked (a select-all that needs no JavaScript).
func postedPermissions(c *gin.Context) []string {
	perms := append([]string{}, c.PostFormArray("permissions")...)
	areas := map[string]bool{}
	for _, a := range c.PostFormArray("all_areas") {
		areas[a] = true
	}
	for _, p := range models.Permissions {
		if areas[p.Area] {
			perms = append(perms, p.Code)
		}
	}
	return perms
}

func (s *Service) roleNewPage(c *gin.Context) {
	s.renderRoleForm(c, http.StatusOK, views.RoleForm{Areas: views.Checklist(nil), CanManage: true})
}

func (s *Service) roleCreateSubmit(c *gin.Context) {
	in := RoleInput{Name: c.PostForm("name"), Description: c.PostForm("description"), Permissions: postedPermissions(c)}
	r, err := s.CreateRole(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		status, msg, errs, ok := formProblem(err)
		if !ok {
			server.Fail(c, err)
			return
		}
		s.renderRoleForm(c, status, views.RoleForm{Name: in.Name, Description: in.Description, Areas: views.Checklist(in.Permissions),
			CanManage: true, Errors: errs, Error: msg})
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Role %s created.", r.Name))
	server.Redirect(c, "/admin/roles")
}

func (s *Service) roleEditPage(c *gin.Context) {
	r, err := s.roleOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	s.renderRoleForm(c, http.StatusOK, views.RoleForm{ID: r.ID.String(), Name: r.Name, Description: r.Description,
		Areas: views.Checklist(r.Permissions), Users: r.UserCount, CanManage: server.Actor(c).HQ["roles.manage"]})
}

func (s *Service) roleEditSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	in := RoleInput{Name: c.PostForm("name"), Description: c.PostForm("description"), Permissions: postedPermissions(c)}
	r, err := s.UpdateRole(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		status, msg, errs, ok := formProblem(err)
		if !ok {
			server.Fail(c, err)
			return
		}
		cur, gerr := s.GetRole(c.Request.Context(), id)
		if gerr != nil {
			server.Fail(c, gerr)
			return
		}
		s.renderRoleForm(c, status, views.RoleForm{ID: id.String(), Name: in.Name, Description: in.Description,
			Areas: views.Checklist(in.Permissions), Users: cur.UserCount, CanManage: true, Errors: errs, Error: msg})
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Role %s saved.", r.Name))
	server.Redirect(c, "/admin/roles")
}

func (s *Service) roleDeletePage(c *gin.Context) {
	r, err := s.roleOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if r.UserCount > 0 {
		server.Fail(c, models.Conflict("role %q is held by %d user(s); give them another role first", r.Name, r.UserCount))
		return
	}
	server.Render(c, http.StatusOK, views.RoleDeletePage(server.PageOf(c, "Delete role "+r.Name, navKey), views.RoleForm{ID: r.ID.String(), Name: r.Name}))
}

func (s *Service) roleDeleteSubmit(c *gin.Context) {
	r, err := s.roleOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.DeleteRole(c.Request.Context(), server.Actor(c), r.ID); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Role %s deleted.", r.Name))
	server.Redirect(c, "/admin/roles")
}

// ---- stores

func (s *Service) storesPage(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	actor := server.Actor(c)
	q, f, err := pageQueryOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	stores, total, err := s.ListStores(c.Request.Context(), actor, StoreFilter{Search: q.Q, Active: q.Active.v}, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	ids := make([]uuid.UUID, len(stores))
	for i, st := range stores {
		ids[i] = st.ID
	}
	counts, err := s.UserCounts(c.Request.Context(), ids)
	if err != nil {
		server.Fail(c, err)
		return
	}
	l := views.StoresList{Filter: f, Pager: pagerOf(c, p, total, "#store-table"), CanCreate: actor.HQ["stores.create"]}
	for _, st := range stores {
		l.Rows = append(l.Rows, views.StoreRow{Store: st, Users: counts[st.ID], CanEdit: actor.CanAt("stores.edit", st.ID)})
	}
	server.RenderPage(c, http.StatusOK, views.StoresPage(server.PageOf(c, "Stores", navKey), l), views.StoresTable(l))
}

func (s *Service) renderStoreForm(c *gin.Context, status int, f views.StoreForm) {
	f.Zones = TimeZones
	title := "New store"
	if f.ID != "" {
		title = "Store " + f.Code
	}
	p := server.PageOf(c, title, navKey)
	server.RenderPage(c, status, views.StoreFormPage(p, f), views.StoreFormBody(p.CSRFToken, f))
}

func storeFormFromPost(c *gin.Context) StoreInput {
	return StoreInput{Code: c.PostForm("code"), Name: c.PostForm("name"), Address: c.PostForm("address"),
		Phone: c.PostForm("phone"), TimeZone: c.PostForm("timeZone"), IsActive: checked(c, "isActive")}
}

func (s *Service) storeNewPage(c *gin.Context) {
	s.renderStoreForm(c, http.StatusOK, views.StoreForm{TimeZone: "America/New_York", IsActive: true})
}

func (s *Service) storeCreateSubmit(c *gin.Context) {
	in := storeFormFromPost(c)
	st, err := s.CreateStore(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		s.storeFormFailed(c, err, views.StoreForm{Code: in.Code}, in)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Store %s created.", st.Code))
	server.Redirect(c, "/admin/stores")
}

// storeFormFailed re-renders the store form beside its errors, or hands other errors to Fail.
func (s *Service) storeFormFailed(c *gin.Context, err error, f views.StoreForm, in StoreInput) {
	status, msg, errs, ok := formProblem(err)
	if !ok {
		server.Fail(c, err)
		return
	}
	f.Name, f.Address, f.Phone, f.TimeZone = in.Name, in.Address, in.Phone, in.TimeZone
	f.IsActive = in.IsActive == nil || *in.IsActive
	f.Errors, f.Error = errs, msg
	s.renderStoreForm(c, status, f)
}

func (s *Service) storeEditPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	st, err := s.editableStore(c, id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	s.renderStoreForm(c, http.StatusOK, views.StoreForm{ID: st.ID.String(), Code: st.Code, Name: st.Name, Address: st.Address,
		Phone: st.Phone, TimeZone: st.TimeZone, IsActive: st.IsActive, IsHQ: st.IsHQ})
}

// editableStore loads a store for its edit page: 404 when the person cannot see it, 403 when
// they can see but not edit it.
func (s *Service) editableStore(c *gin.Context, id uuid.UUID) (*models.Store, error) {
	actor := server.Actor(c)
	var st models.Store
	if err := s.db.WithContext(c.Request.Context()).Take(&st, "id = ?", id).Error; err != nil {
		return nil, models.NotFoundIf(err, "store")
	}
	if !actor.CanAt("stores.edit", id) {
		if !actor.CanAt("stores.view", id) {
			return nil, models.NotFound("store")
		}
		return nil, models.Forbidden("You need the stores.edit permission at %s to edit it", st.Code)
	}
	return &st, nil
}

func (s *Service) storeEditSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	cur, err := s.editableStore(c, id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in := storeFormFromPost(c)
	in.Code = "" // the code field is disabled on the form: it never posts and never changes
	st, err := s.UpdateStore(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		s.storeFormFailed(c, err, views.StoreForm{ID: id.String(), Code: cur.Code, IsHQ: cur.IsHQ}, in)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Store %s saved.", st.Code))
	server.Redirect(c, "/admin/stores")
}
