package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"backroom/app/apptest"
	"backroom/app/auth"
	"backroom/models"
)

func contains(t *testing.T, res *apptest.Response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(res.String(), p) {
			t.Fatalf("page lacks %q:\n%s", p, res.String())
		}
	}
}

func TestUsersPage(t *testing.T) {
	app := apptest.NewDemo(t)
	w := app.SignIn("admin", "1234")
	res := w.Get("/admin/users").Expect(t, http.StatusOK)
	leaks(t, res)
	contains(t, res, `data-testid="user-table"`, `data-username="cashier"`, "Cashier @ S001", "Administrator (HQ-wide)",
		`data-testid="user-new"`, `href="/admin/roles"`, `href="/admin/stores"`, "1–3 of 3")

	// htmx gets only the table fragment.
	res = w.HTMX("GET", "/admin/users?q=morgan", nil).Expect(t, http.StatusOK)
	if strings.Contains(res.String(), "<html") || !strings.Contains(res.String(), `id="user-table"`) || !strings.Contains(res.String(), "Morgan Manager") ||
		strings.Contains(res.String(), `data-username="cashier"`) {
		t.Fatalf("fragment: %s", res.Body)
	}
	res = w.Get("/admin/users?q=nobody-at-all").Expect(t, http.StatusOK)
	contains(t, res, `data-testid="empty-state"`, "No users match")

	// A cashier has no users.view: the not-allowed page.
	cw := app.SignIn("cashier", "3456")
	res = cw.Get("/admin/users").Expect(t, http.StatusForbidden)
	contains(t, res, `data-testid="error-page"`, "users.view")
	if strings.Contains(cw.Get("/").String(), `href="/admin/users"`) {
		t.Fatal("cashier sees the Admin area in the sidebar")
	}

	// The manager sees their store's people, without the New button.
	mw := app.SignIn("manager", "2345")
	res = mw.Get("/admin/users").Expect(t, http.StatusOK)
	if strings.Contains(res.String(), `data-username="admin"`) || strings.Contains(res.String(), `data-testid="user-new"`) {
		t.Fatalf("manager list: %s", res.Body)
	}
}

func TestUserForm(t *testing.T) {
	app := apptest.NewDemo(t)
	w := app.SignIn("admin", "1234")
	res := w.Get("/admin/users/new").Expect(t, http.StatusOK)
	contains(t, res, `name="role_hq"`, `data-testid="user-pin"`, "S002 · Riverside")
	s1 := storeID(t, app, "S001").String()
	cashier := roleID(t, app, "Cashier").String()

	// Invalid: 422 with the errors beside the fields, nothing written.
	res = w.PostForm("/admin/users", url.Values{"username": {"pat"}, "displayName": {""}, "pin": {"12"}, "isActive": {"false", "true"}, "role_" + s1: {cashier}}).
		Expect(t, http.StatusUnprocessableEntity)
	contains(t, res, `id="f-displayName-error"`, `id="f-pin-error"`, "must be 4 to 8 digits", `value="pat"`)
	if app.Count("users", "username = 'pat'") != 0 {
		t.Fatal("invalid user written")
	}
	// A taken PIN re-renders with the conflict.
	res = w.PostForm("/admin/users", url.Values{"username": {"pat"}, "displayName": {"Pat"}, "pin": {"3456"}}).Expect(t, http.StatusConflict)
	contains(t, res, "that PIN cannot be used", `data-testid="user-form"`)
	// htmx re-render is just the form.
	res = w.HTMX("POST", "/admin/users", url.Values{"username": {"pat"}, "displayName": {""}, "pin": {"42424242"}, "csrf_token": {w.CSRF()}}).
		Expect(t, http.StatusUnprocessableEntity)
	if strings.Contains(res.String(), "<html") || !strings.Contains(res.String(), `id="user-form"`) {
		t.Fatalf("htmx form fragment: %s", res.Body)
	}

	res = w.PostForm("/admin/users", url.Values{"username": {"pat"}, "displayName": {"Pat Smith"}, "pin": {"42424242"},
		"isActive": {"false", "true"}, "role_" + s1: {cashier}, "role_hq": {""}}).Expect(t, http.StatusSeeOther)
	if res.Header.Get("Location") != "/admin/users" {
		t.Fatalf("redirect to %q", res.Header.Get("Location"))
	}
	contains(t, w.Get("/admin/users").Expect(t, http.StatusOK), "User pat created.", "Pat Smith")
	id := userID(t, app, "pat")
	if app.Count("user_store_roles", "user_id = ? AND store_id = ?", id, s1) != 1 {
		t.Fatal("role not given")
	}

	// Edit: blank PIN keeps it; the help says so; deactivate.
	res = w.Get("/admin/users/"+id.String()).Expect(t, http.StatusOK)
	contains(t, res, "Leave blank to keep the current PIN", `selected`)
	leaks(t, res)
	w.PostForm("/admin/users/"+id.String(), url.Values{"username": {"pat"}, "displayName": {"Pat S."}, "pin": {""}, "isActive": {"false"},
		"role_" + s1: {cashier}}).Expect(t, http.StatusSeeOther)
	if app.Count("users", "id = ? AND display_name = 'Pat S.' AND NOT is_active AND pin_lookup IS NOT NULL", id) != 1 {
		t.Fatal("edit not saved")
	}
	// Admin cannot deactivate themselves from the form either.
	adminID := userID(t, app, "admin")
	res = w.PostForm("/admin/users/"+adminID.String(), url.Values{"username": {"admin"}, "displayName": {"Administrator"}, "isActive": {"false"},
		"role_hq": {roleID(t, app, "Administrator").String()}}).Expect(t, http.StatusUnprocessableEntity)
	contains(t, res, "cannot deactivate your own account")
}

func TestRoleFormUpdatesPermissions(t *testing.T) {
	app := apptest.NewDemo(t)
	w := app.SignIn("admin", "1234")
	res := w.Get("/admin/roles").Expect(t, http.StatusOK)
	contains(t, res, `data-role="Cashier"`, `data-testid="role-new"`)

	cashier := roleID(t, app, "Cashier")
	res = w.Get("/admin/roles/"+cashier.String()).Expect(t, http.StatusOK)
	contains(t, res, `data-testid="perm-area-Catalogue"`, `value="pos.sell" checked`, "Record and list sales, print receipts")

	form := url.Values{"name": {"Cashier"}, "description": {"Sells and voids"}, "permissions": {"pos.sell", "pos.void"}, "all_areas": {"Registers"}}
	w.PostForm("/admin/roles/"+cashier.String(), form).Expect(t, http.StatusSeeOther)
	var r models.Role
	app.DB.Take(&r, "id = ?", cashier)
	got := strings.Join(r.Permissions, ",")
	if got != "pos.sell,pos.void,registers.view,registers.open,registers.close" || r.Description != "Sells and voids" {
		t.Fatalf("permissions = %s (%q)", got, r.Description)
	}
	if app.Count("audit_log", "entity_type = 'role' AND entity_id = ? AND action = 'update'", cashier) != 1 {
		t.Fatal("role edit not audited")
	}

	// Unknown permission code: 422 re-render naming it.
	res = w.PostForm("/admin/roles/"+cashier.String(), url.Values{"name": {"Cashier"}, "permissions": {"pos.sell", "pos.teleport"}}).
		Expect(t, http.StatusUnprocessableEntity)
	contains(t, res, "unknown permission: pos.teleport")

	// New role, then delete it through the confirmation page.
	w.PostForm("/admin/roles", url.Values{"name": {"Temp"}, "permissions": {"products.view"}}).Expect(t, http.StatusSeeOther)
	temp := roleID(t, app, "Temp")
	contains(t, w.Get("/admin/roles/"+temp.String()+"/delete").Expect(t, http.StatusOK), `data-testid="role-delete-confirm"`)
	w.PostForm("/admin/roles/"+temp.String()+"/delete", url.Values{}).Expect(t, http.StatusSeeOther)
	if app.Count("roles", "id = ?", temp) != 0 {
		t.Fatal("role not deleted")
	}
	w.PostForm("/admin/roles/"+cashier.String()+"/delete", url.Values{}).Expect(t, http.StatusConflict)

	// The manager may view roles, read-only.
	mw := app.SignIn("manager", "2345")
	res = mw.Get("/admin/roles/"+cashier.String()).Expect(t, http.StatusOK)
	if strings.Contains(res.String(), `data-testid="role-save"`) || strings.Contains(res.String(), `data-testid="role-new"`) {
		t.Fatal("manager sees role actions")
	}
	mw.PostForm("/admin/roles/"+cashier.String(), form).Expect(t, http.StatusForbidden)
}

func TestStorePages(t *testing.T) {
	app := apptest.NewDemo(t)
	w := app.SignIn("admin", "1234")
	contains(t, w.Get("/admin/stores").Expect(t, http.StatusOK), `data-code="S003"`, `data-testid="store-new"`)
	contains(t, w.Get("/admin/stores/new").Expect(t, http.StatusOK), `value="Europe/London"`, `data-testid="store-code"`)

	res := w.PostForm("/admin/stores", url.Values{"code": {"bad code"}, "name": {"X"}, "timeZone": {"Mars/Base"}}).Expect(t, http.StatusUnprocessableEntity)
	contains(t, res, `id="f-code-error"`, `id="f-timeZone-error"`)
	w.PostForm("/admin/stores", url.Values{"code": {"s001"}, "name": {"X"}, "timeZone": {"UTC"}}).Expect(t, http.StatusConflict)
	w.PostForm("/admin/stores", url.Values{"code": {"BOS-1"}, "name": {"Boston"}, "timeZone": {"America/New_York"}, "isActive": {"false", "true"}}).
		Expect(t, http.StatusSeeOther)
	id := storeID(t, app, "BOS-1")

	res = w.Get("/admin/stores/"+id.String()).Expect(t, http.StatusOK)
	contains(t, res, `value="BOS-1"`, "disabled")
	// A posted code is ignored on edit (the field is disabled); the rest saves.
	w.PostForm("/admin/stores/"+id.String(), url.Values{"code": {"HACK"}, "name": {"Boston Back Bay"}, "timeZone": {"America/Chicago"}, "isActive": {"false", "true"}}).
		Expect(t, http.StatusSeeOther)
	if app.Count("stores", "id = ? AND code = 'BOS-1' AND name = 'Boston Back Bay' AND time_zone = 'America/Chicago'", id) != 1 {
		t.Fatal("store edit not saved as expected")
	}

	// The manager sees only S001 and may not edit it (no stores.edit).
	mw := app.SignIn("manager", "2345")
	res = mw.Get("/admin/stores").Expect(t, http.StatusOK)
	if !strings.Contains(res.String(), `data-code="S001"`) || strings.Contains(res.String(), `data-code="S002"`) || strings.Contains(res.String(), `data-testid="store-edit"`) {
		t.Fatalf("manager stores page: %s", res.Body)
	}
	mw.Get("/admin/stores/"+id.String()).Expect(t, http.StatusForbidden)

	// Someone who may only view stores finds Admin pointing at the stores page.
	u, _ := app.User(nil, "stores.view")
	app.DB.Model(&models.User{}).Where("id = ?", u.ID).Update("password_hash", mustHash(t, "stores-only-pw"))
	sw := app.SignIn(u.Username, "stores-only-pw")
	home := sw.Get("/").Expect(t, http.StatusOK)
	contains(t, home, `href="/admin/stores"`)
	if strings.Contains(home.String(), `href="/admin/users"`) {
		t.Fatal("stores-only user offered the users page")
	}
	if loc := sw.Get("/admin").Expect(t, http.StatusSeeOther).Header.Get("Location"); loc != "/admin/stores" {
		t.Fatalf("/admin redirects to %q", loc)
	}
}

func mustHash(t *testing.T, secret string) string {
	t.Helper()
	h, err := auth.HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
