package admin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"backroom/app/admin"
	"backroom/app/apptest"
	"backroom/models"
)

// leaks fails the test when a body carries anything of a credential hash.
func leaks(t *testing.T, res *apptest.Response) {
	t.Helper()
	body := res.String()
	for _, s := range []string{"argon2", "pinHash", "passwordHash", "pin_lookup", "pinLookup", "pin_hash", "password_hash"} {
		if strings.Contains(body, s) {
			t.Fatalf("response leaks %q: %s", s, body)
		}
	}
}

func storeID(t *testing.T, app *apptest.App, code string) uuid.UUID {
	t.Helper()
	var s models.Store
	if err := app.DB.Take(&s, "code = ?", code).Error; err != nil {
		t.Fatalf("store %s: %v", code, err)
	}
	return s.ID
}

func roleID(t *testing.T, app *apptest.App, name string) uuid.UUID {
	t.Helper()
	var r models.Role
	if err := app.DB.Take(&r, "name = ?", name).Error; err != nil {
		t.Fatalf("role %s: %v", name, err)
	}
	return r.ID
}

func userID(t *testing.T, app *apptest.App, username string) uuid.UUID {
	t.Helper()
	var u models.User
	if err := app.DB.Take(&u, "username = ?", username).Error; err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return u.ID
}

func usernames(users []admin.UserView) map[string]bool {
	out := map[string]bool{}
	for _, u := range users {
		out[u.Username] = true
	}
	return out
}

func TestUserListAndGet(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("admin", "1234")

	res := app.Do("GET", "/api/v1/users", nil, tok).Expect(t, http.StatusOK)
	leaks(t, res)
	env := res.Env(t)
	if !env.Success || env.Total == nil || *env.Total != 3 || *env.Page != 1 || *env.PageSize != 25 {
		t.Fatalf("list envelope: %s", res.Body)
	}
	var users []admin.UserView
	res.Data(t, &users)
	if got := usernames(users); !got["admin"] || !got["manager"] || !got["cashier"] {
		t.Fatalf("users = %v", got)
	}
	for _, u := range users {
		if !u.HasPin || len(u.Roles) != 1 {
			t.Fatalf("user %s: hasPin=%v roles=%v", u.Username, u.HasPin, u.Roles)
		}
	}

	res = app.Do("GET", "/api/v1/users?search=CASH", nil, tok).Expect(t, http.StatusOK)
	res.Data(t, &users)
	if len(users) != 1 || users[0].Username != "cashier" || users[0].Roles[0].StoreCode != "S001" || users[0].Roles[0].RoleName != "Cashier" {
		t.Fatalf("search cash: %s", res.Body)
	}

	app.DB.Model(&models.User{}).Where("username = ?", "cashier").Update("is_active", false)
	res = app.Do("GET", "/api/v1/users?active=false", nil, tok).Expect(t, http.StatusOK)
	res.Data(t, &users)
	if len(users) != 1 || users[0].Username != "cashier" || users[0].IsActive {
		t.Fatalf("inactive filter: %s", res.Body)
	}
	res = app.Do("GET", "/api/v1/users?pageSize=1&page=2", nil, tok).Expect(t, http.StatusOK)
	env = res.Env(t)
	if *env.Total != 3 || *env.Page != 2 || *env.PageSize != 1 {
		t.Fatalf("paging: %s", res.Body)
	}

	id := userID(t, app, "admin")
	res = app.Do("GET", "/api/v1/users/"+id.String(), nil, tok).Expect(t, http.StatusOK)
	leaks(t, res)
	var u admin.UserView
	res.Data(t, &u)
	if u.Username != "admin" || !u.HasPin || !u.HasPassword || u.Roles[0].StoreID != nil || u.Roles[0].RoleName != "Administrator" {
		t.Fatalf("get admin: %s", res.Body)
	}
	app.Do("GET", "/api/v1/users/"+uuid.NewString(), nil, tok).Expect(t, http.StatusNotFound)
	app.Do("GET", "/api/v1/users/not-an-id", nil, tok).Expect(t, http.StatusNotFound)
}

func TestUserCreate(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("admin", "1234")
	s1, s2 := storeID(t, app, "S001"), storeID(t, app, "S002")
	cashier, manager := roleID(t, app, "Cashier"), roleID(t, app, "Store Manager")

	body := map[string]any{
		"username": "jdoe", "displayName": "Jane Doe", "email": "jane@example.com", "pin": "87654321", "password": "long-enough-pw",
		"roles": []map[string]any{{"storeId": s1, "roleId": cashier}, {"storeId": s2, "roleId": manager}},
	}
	res := app.Do("POST", "/api/v1/users", body, tok).Expect(t, http.StatusCreated)
	leaks(t, res)
	var u admin.UserView
	res.Data(t, &u)
	if u.Username != "jdoe" || !u.IsActive || !u.HasPin || !u.HasPassword || len(u.Roles) != 2 || u.Roles[0].StoreCode != "S001" {
		t.Fatalf("created: %s", res.Body)
	}
	if app.Count("user_store_roles", "user_id = ?", u.ID) != 2 {
		t.Fatal("roles not stored")
	}
	if app.Count("users", "id = ? AND pin_lookup IS NOT NULL AND pin_hash LIKE '$argon2id$%' AND password_hash <> ''", u.ID) != 1 {
		t.Fatal("credentials not stored hashed")
	}
	if app.Count("audit_log", "entity_type = 'user' AND entity_id = ? AND action = 'create'", u.ID) != 1 {
		t.Fatal("no audit entry")
	}
	// The whole PIN and password: four digits alone also turn up in ids and timestamps.
	if app.Count("audit_log", "after_data::text LIKE '%argon2%' OR after_data::text LIKE '%87654321%' OR after_data::text LIKE '%long-enough-pw%'") != 0 {
		t.Fatal("audit entry holds a secret")
	}
	// The new PIN signs in.
	app.Login("jdoe", "87654321")

	tests := []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"username taken in another case", map[string]any{"username": "JDOE", "displayName": "X", "pin": "11112222"}, http.StatusConflict, ""},
		{"pin taken", map[string]any{"username": "other", "displayName": "X", "pin": "87654321"}, http.StatusConflict, ""},
		{"demo pin taken", map[string]any{"username": "other", "displayName": "X", "pin": "1234"}, http.StatusConflict, ""},
		{"pin too short", map[string]any{"username": "other", "displayName": "X", "pin": "123"}, http.StatusUnprocessableEntity, "pin"},
		{"pin not digits", map[string]any{"username": "other", "displayName": "X", "pin": "12ab"}, http.StatusUnprocessableEntity, "pin"},
		{"password short", map[string]any{"username": "other", "displayName": "X", "password": "short"}, http.StatusUnprocessableEntity, "password"},
		{"no credential", map[string]any{"username": "other", "displayName": "X"}, http.StatusUnprocessableEntity, "pin"},
		{"bad username", map[string]any{"username": "a b", "displayName": "X", "pin": "11112222"}, http.StatusUnprocessableEntity, "username"},
		{"missing names", map[string]any{"pin": "11112222"}, http.StatusUnprocessableEntity, "displayName"},
		{"bad email", map[string]any{"username": "other", "displayName": "X", "pin": "11112222", "email": "nope"}, http.StatusUnprocessableEntity, "email"},
		{"two roles at one store", map[string]any{"username": "other", "displayName": "X", "pin": "11112222",
			"roles": []map[string]any{{"storeId": s1, "roleId": cashier}, {"storeId": s1, "roleId": manager}}}, http.StatusUnprocessableEntity, "roles[1].storeId"},
		{"two HQ-wide roles", map[string]any{"username": "other", "displayName": "X", "pin": "11112222",
			"roles": []map[string]any{{"storeId": nil, "roleId": cashier}, {"roleId": manager}}}, http.StatusUnprocessableEntity, "roles[1].storeId"},
		{"unknown role", map[string]any{"username": "other", "displayName": "X", "pin": "11112222",
			"roles": []map[string]any{{"storeId": s1, "roleId": uuid.New()}}}, http.StatusUnprocessableEntity, "roles[0].roleId"},
		{"unknown store", map[string]any{"username": "other", "displayName": "X", "pin": "11112222",
			"roles": []map[string]any{{"storeId": uuid.New(), "roleId": cashier}}}, http.StatusUnprocessableEntity, "roles[0].storeId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := app.Do("POST", "/api/v1/users", tt.body, tok).Expect(t, tt.status)
			env := res.Env(t)
			if env.Success || env.Error == "" {
				t.Fatalf("error envelope: %s", res.Body)
			}
			if tt.field != "" && len(env.Errors[tt.field]) == 0 {
				t.Fatalf("no error for %s: %s", tt.field, res.Body)
			}
			if tt.status == http.StatusConflict && strings.Contains(tt.name, "pin") && !strings.Contains(env.Error, "that PIN cannot be used") {
				t.Fatalf("pin conflict message: %s", env.Error)
			}
		})
	}
	if n := app.Count("users", ""); n != 4 {
		t.Fatalf("users = %d after refused creates, want 4", n)
	}
	app.Do("POST", "/api/v1/users", `{"username":`, tok).Expect(t, http.StatusBadRequest)
}

func TestUserUpdate(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("admin", "1234")
	id := userID(t, app, "cashier")
	s2 := storeID(t, app, "S002")
	manager := roleID(t, app, "Store Manager")

	body := map[string]any{"username": "casey", "displayName": "Casey C.", "pin": "99887766", "isActive": true,
		"roles": []map[string]any{{"storeId": s2, "roleId": manager}}}
	res := app.Do("PUT", "/api/v1/users/"+id.String(), body, tok).Expect(t, http.StatusOK)
	leaks(t, res)
	var u admin.UserView
	res.Data(t, &u)
	if u.Username != "casey" || u.DisplayName != "Casey C." || len(u.Roles) != 1 || u.Roles[0].StoreCode != "S002" || u.Roles[0].RoleName != "Store Manager" {
		t.Fatalf("updated: %s", res.Body)
	}
	app.Login("casey", "99887766")
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "casey", "pin": "3456"}, "").Expect(t, http.StatusUnauthorized)
	if app.Count("audit_log", "entity_type = 'user' AND entity_id = ? AND action = 'update' AND before_data::text LIKE '%cashier%'", id) != 1 {
		t.Fatal("no audit entry with the user before")
	}

	// Blank pin/password and no roles list keep them.
	res = app.Do("PUT", "/api/v1/users/"+id.String(), map[string]any{"username": "casey", "displayName": "Casey"}, tok).Expect(t, http.StatusOK)
	res.Data(t, &u)
	if !u.HasPin || len(u.Roles) != 1 || !u.IsActive {
		t.Fatalf("kept: %s", res.Body)
	}
	// Username taken (any case), PIN taken.
	app.Do("PUT", "/api/v1/users/"+id.String(), map[string]any{"username": "Manager", "displayName": "X"}, tok).Expect(t, http.StatusConflict)
	res = app.Do("PUT", "/api/v1/users/"+id.String(), map[string]any{"username": "casey", "displayName": "X", "pin": "2345"}, tok).Expect(t, http.StatusConflict)
	if !strings.Contains(res.Env(t).Error, "that PIN cannot be used") {
		t.Fatalf("pin conflict: %s", res.Body)
	}
	// Deactivate, then the user's token stops working.
	ctok := app.Login("casey", "99887766")
	app.Do("PUT", "/api/v1/users/"+id.String(), map[string]any{"username": "casey", "displayName": "Casey", "isActive": false}, tok).Expect(t, http.StatusOK)
	app.Do("GET", "/api/v1/auth/me", nil, ctok).Expect(t, http.StatusUnauthorized)
	app.Do("PUT", "/api/v1/users/"+uuid.NewString(), map[string]any{"username": "x", "displayName": "X"}, tok).Expect(t, http.StatusNotFound)
}

func TestUserCannotLockThemselvesOut(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("admin", "1234")
	id := userID(t, app, "admin")

	res := app.Do("PUT", "/api/v1/users/"+id.String(), map[string]any{"username": "admin", "displayName": "Administrator", "isActive": false}, tok).
		Expect(t, http.StatusUnprocessableEntity)
	if len(res.Env(t).Errors["isActive"]) == 0 {
		t.Fatalf("isActive error: %s", res.Body)
	}
	res = app.Do("PUT", "/api/v1/users/"+id.String(), map[string]any{"username": "admin", "displayName": "Administrator", "roles": []any{}}, tok).
		Expect(t, http.StatusUnprocessableEntity)
	if len(res.Env(t).Errors["roles"]) == 0 {
		t.Fatalf("roles error: %s", res.Body)
	}
	// A role without user administration is refused too.
	cashier := roleID(t, app, "Cashier")
	app.Do("PUT", "/api/v1/users/"+id.String(), map[string]any{"username": "admin", "displayName": "Administrator",
		"roles": []map[string]any{{"storeId": nil, "roleId": cashier}}}, tok).Expect(t, http.StatusUnprocessableEntity)
	// Nor may they strip the permission from their own role.
	admins := roleID(t, app, "Administrator")
	res = app.Do("PUT", "/api/v1/roles/"+admins.String()+"/permissions", map[string]any{"permissions": []string{"users.view", "roles.manage"}}, tok).
		Expect(t, http.StatusUnprocessableEntity)
	if len(res.Env(t).Errors["permissions"]) == 0 {
		t.Fatalf("permissions error: %s", res.Body)
	}
	if app.Count("users", "id = ? AND is_active", id) != 1 || app.Count("user_store_roles", "user_id = ? AND store_id IS NULL AND role_id = ?", id, admins) != 1 {
		t.Fatal("admin changed")
	}
	if app.Count("roles", "id = ? AND 'users.edit' = ANY(permissions)", admins) != 1 {
		t.Fatal("administrator role changed")
	}
}

func TestStoreScopedViewers(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("manager", "2345") // Store Manager at S001: users.view, stores.view
	s1 := storeID(t, app, "S001")

	res := app.Do("GET", "/api/v1/users", nil, tok).Expect(t, http.StatusOK)
	var users []admin.UserView
	res.Data(t, &users)
	if got := usernames(users); len(got) != 2 || !got["manager"] || !got["cashier"] {
		t.Fatalf("manager sees %v", got)
	}
	app.Do("GET", "/api/v1/users/"+userID(t, app, "admin").String(), nil, tok).Expect(t, http.StatusNotFound)

	res = app.Do("GET", "/api/v1/stores", nil, tok).Expect(t, http.StatusOK)
	var stores []models.Store
	res.Data(t, &stores)
	if len(stores) != 1 || stores[0].ID != s1 || *res.Env(t).Total != 1 {
		t.Fatalf("manager stores: %s", res.Body)
	}
	app.Do("GET", "/api/v1/stores/"+storeID(t, app, "S002").String(), nil, tok).Expect(t, http.StatusNotFound)
	app.Do("GET", "/api/v1/stores/"+s1.String(), nil, tok).Expect(t, http.StatusOK)

	res = app.Do("GET", "/api/v1/stores/dashboard", nil, tok).Expect(t, http.StatusOK)
	var dash []admin.StoreSummary
	res.Data(t, &dash)
	if len(dash) != 1 || dash[0].Code != "S001" || dash[0].Users != 2 || dash[0].ActiveUsers != 2 {
		t.Fatalf("manager dashboard: %s", res.Body)
	}
}

func TestStoreManagerUserAdmin(t *testing.T) {
	app := apptest.NewDemo(t)
	s1, s2 := storeID(t, app, "S001"), storeID(t, app, "S002")
	_, tok := app.User(&s1, "users.view", "users.create", "users.edit", "pos.sell", "registers.open", "products.view",
		"tenders.view", "customers.view", "customers.create", "registers.close", "reports.x_report")
	cashier, manager := roleID(t, app, "Cashier"), roleID(t, app, "Store Manager")

	// May give a role at their store, holding every permission it grants.
	app.Do("POST", "/api/v1/users", map[string]any{"username": "newbie", "displayName": "New", "pin": "55556666",
		"roles": []map[string]any{{"storeId": s1, "roleId": cashier}}}, tok).Expect(t, http.StatusCreated)
	// Not at another store, not HQ-wide, not a role with more than they hold.
	for name, roles := range map[string][]map[string]any{
		"other store": {{"storeId": s2, "roleId": cashier}},
		"hq-wide":     {{"storeId": nil, "roleId": cashier}},
		"escalation":  {{"storeId": s1, "roleId": manager}},
	} {
		res := app.Do("POST", "/api/v1/users", map[string]any{"username": "x" + strings.ReplaceAll(name, " ", ""), "displayName": "X", "pin": "55557777", "roles": roles}, tok)
		res.Expect(t, http.StatusForbidden)
	}
	// Editing someone at another store: not found for them.
	admin := userID(t, app, "admin")
	app.Do("PUT", "/api/v1/users/"+admin.String(), map[string]any{"username": "admin", "displayName": "Hacked"}, tok).Expect(t, http.StatusNotFound)
	if app.Count("users", "display_name = 'Hacked'") != 0 {
		t.Fatal("edited a user outside the store")
	}
}

func TestStoreEmployees(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("cashier", "3456")
	res := app.Do("GET", "/api/v1/users/store-employees", nil, tok).Expect(t, http.StatusOK)
	leaks(t, res)
	var list []admin.Employee
	res.Data(t, &list)
	if len(list) != 2 {
		t.Fatalf("employees: %s", res.Body)
	}
	for _, e := range list {
		if e.StoreCode != "S001" || e.RoleName == "" || !e.IsActive {
			t.Fatalf("employee row: %+v", e)
		}
	}
	res = app.Do("GET", "/api/v1/users/store-employees?search=morgan", nil, tok).Expect(t, http.StatusOK)
	res.Data(t, &list)
	if len(list) != 1 || list[0].Username != "manager" || list[0].RoleName != "Store Manager" {
		t.Fatalf("search: %s", res.Body)
	}
	app.Do("GET", "/api/v1/users/store-employees", nil, "").Expect(t, http.StatusUnauthorized)
}

func TestRolesAPI(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("admin", "1234")

	res := app.Do("GET", "/api/v1/roles", nil, tok).Expect(t, http.StatusOK)
	var roles []admin.RoleView
	res.Data(t, &roles)
	if len(roles) != 3 || *res.Env(t).Total != 3 {
		t.Fatalf("roles: %s", res.Body)
	}
	for _, r := range roles {
		if r.UserCount != 1 {
			t.Fatalf("role %s userCount = %d", r.Name, r.UserCount)
		}
	}

	res = app.Do("GET", "/api/v1/roles/permissions/all", nil, tok).Expect(t, http.StatusOK)
	var areas []models.PermissionArea
	res.Data(t, &areas)
	n := 0
	for _, a := range areas {
		n += len(a.Permissions)
	}
	if len(areas) < 5 || areas[0].Area != "Catalogue" || n != len(models.Permissions) {
		t.Fatalf("permission areas: %s", res.Body)
	}

	res = app.Do("POST", "/api/v1/roles", map[string]any{"name": "Shift Supervisor", "description": "Cashier plus voids",
		"permissions": []string{"pos.void", "pos.sell", "pos.sell"}}, tok).Expect(t, http.StatusCreated)
	var r admin.RoleView
	res.Data(t, &r)
	if r.Name != "Shift Supervisor" || len(r.Permissions) != 2 || r.Permissions[0] != "pos.sell" || r.UserCount != 0 {
		t.Fatalf("created role: %s", res.Body)
	}
	if app.Count("audit_log", "entity_type = 'role' AND entity_id = ? AND action = 'create'", r.ID) != 1 {
		t.Fatal("no audit for role create")
	}
	app.Do("GET", "/api/v1/roles/"+r.ID.String(), nil, tok).Expect(t, http.StatusOK)

	app.Do("POST", "/api/v1/roles", map[string]any{"name": "shift supervisor"}, tok).Expect(t, http.StatusConflict)
	res = app.Do("POST", "/api/v1/roles", map[string]any{"name": "Odd", "permissions": []string{"pos.sell", "pos.fly", "hq:manage_users"}}, tok).
		Expect(t, http.StatusUnprocessableEntity)
	msg := strings.Join(res.Env(t).Errors["permissions"], " ")
	if !strings.Contains(msg, "pos.fly") || !strings.Contains(msg, "hq:manage_users") || strings.Contains(msg, "pos.sell") {
		t.Fatalf("unknown permission message: %s", res.Body)
	}
	app.Do("POST", "/api/v1/roles", map[string]any{"name": ""}, tok).Expect(t, http.StatusUnprocessableEntity)

	res = app.Do("PUT", "/api/v1/roles/"+r.ID.String(), map[string]any{"name": "Supervisor", "description": "d"}, tok).Expect(t, http.StatusOK)
	res.Data(t, &r)
	if r.Name != "Supervisor" || len(r.Permissions) != 2 {
		t.Fatalf("update kept permissions? %s", res.Body)
	}
	app.Do("PUT", "/api/v1/roles/"+r.ID.String(), map[string]any{"name": "Cashier"}, tok).Expect(t, http.StatusConflict)

	res = app.Do("PUT", "/api/v1/roles/"+r.ID.String()+"/permissions", map[string]any{"permissions": []string{"reports.x_report", "pos.void"}}, tok).Expect(t, http.StatusOK)
	res.Data(t, &r)
	if len(r.Permissions) != 2 || r.Permissions[0] != "pos.void" {
		t.Fatalf("set permissions: %s", res.Body)
	}
	if app.Count("roles", "id = ? AND permissions = ARRAY['pos.void','reports.x_report']::text[]", r.ID) != 1 {
		t.Fatal("permissions not stored")
	}
	app.Do("PUT", "/api/v1/roles/"+r.ID.String()+"/permissions", map[string]any{"permissions": []string{"nope"}}, tok).Expect(t, http.StatusUnprocessableEntity)
	app.Do("PUT", "/api/v1/roles/"+r.ID.String()+"/permissions", map[string]any{}, tok).Expect(t, http.StatusUnprocessableEntity)
	app.Do("PUT", "/api/v1/roles/"+uuid.NewString()+"/permissions", map[string]any{"permissions": []string{}}, tok).Expect(t, http.StatusNotFound)

	// Delete: refused while held, fine when not.
	app.Do("DELETE", "/api/v1/roles/"+roleID(t, app, "Cashier").String(), nil, tok).Expect(t, http.StatusConflict)
	app.Do("DELETE", "/api/v1/roles/"+r.ID.String(), nil, tok).Expect(t, http.StatusOK)
	if app.Count("roles", "id = ?", r.ID) != 0 || app.Count("audit_log", "entity_type = 'role' AND entity_id = ? AND action = 'delete'", r.ID) != 1 {
		t.Fatal("role not deleted with audit")
	}
	app.Do("DELETE", "/api/v1/roles/"+r.ID.String(), nil, tok).Expect(t, http.StatusNotFound)
}

func TestStoresAPI(t *testing.T) {
	app := apptest.NewDemo(t)
	tok := app.Login("admin", "1234")

	res := app.Do("GET", "/api/v1/stores", nil, tok).Expect(t, http.StatusOK)
	var stores []models.Store
	res.Data(t, &stores)
	if len(stores) != 4 || stores[0].Code != "HQ" {
		t.Fatalf("stores: %s", res.Body)
	}

	body := map[string]any{"code": "NYC-001", "name": "Manhattan", "address": "5th Ave", "phone": "555", "timeZone": "America/New_York"}
	res = app.Do("POST", "/api/v1/stores", body, tok).Expect(t, http.StatusCreated)
	var st models.Store
	res.Data(t, &st)
	if st.Code != "NYC-001" || !st.IsActive || st.IsHQ || st.TimeZone != "America/New_York" {
		t.Fatalf("created store: %s", res.Body)
	}
	if app.Count("audit_log", "entity_type = 'store' AND entity_id = ? AND action = 'create'", st.ID) != 1 {
		t.Fatal("no store audit")
	}

	for name, tt := range map[string]struct {
		body   map[string]any
		status int
		field  string
	}{
		"duplicate code any case": {map[string]any{"code": "nyc-001", "name": "X", "timeZone": "UTC"}, http.StatusConflict, ""},
		"bad time zone":           {map[string]any{"code": "X1", "name": "X", "timeZone": "Mars/Olympus"}, http.StatusUnprocessableEntity, "timeZone"},
		"Local is no zone":        {map[string]any{"code": "X1", "name": "X", "timeZone": "Local"}, http.StatusUnprocessableEntity, "timeZone"},
		"bad code characters":     {map[string]any{"code": "NYC 001", "name": "X", "timeZone": "UTC"}, http.StatusUnprocessableEntity, "code"},
		"code too long":           {map[string]any{"code": strings.Repeat("A", 21), "name": "X", "timeZone": "UTC"}, http.StatusUnprocessableEntity, "code"},
		"missing code and name":   {map[string]any{"timeZone": "UTC"}, http.StatusUnprocessableEntity, "name"},
	} {
		t.Run(name, func(t *testing.T) {
			res := app.Do("POST", "/api/v1/stores", tt.body, tok).Expect(t, tt.status)
			if tt.field != "" && len(res.Env(t).Errors[tt.field]) == 0 {
				t.Fatalf("no %s error: %s", tt.field, res.Body)
			}
		})
	}
	if app.Count("stores", "") != 5 {
		t.Fatal("refused stores were written")
	}

	path := "/api/v1/stores/" + st.ID.String()
	res = app.Do("PUT", path, map[string]any{"code": "NYC-001", "name": "Midtown", "timeZone": "America/Chicago", "isActive": false}, tok).Expect(t, http.StatusOK)
	res.Data(t, &st)
	if st.Name != "Midtown" || st.TimeZone != "America/Chicago" || st.IsActive || st.Code != "NYC-001" {
		t.Fatalf("updated store: %s", res.Body)
	}
	res = app.Do("PUT", path, map[string]any{"code": "NYC-002", "name": "Midtown", "timeZone": "UTC"}, tok).Expect(t, http.StatusUnprocessableEntity)
	if len(res.Env(t).Errors["code"]) == 0 {
		t.Fatalf("code change error: %s", res.Body)
	}
	app.Do("PUT", path, map[string]any{"name": "Midtown", "timeZone": "Nowhere/Zone"}, tok).Expect(t, http.StatusUnprocessableEntity)
	if app.Count("stores", "code = 'NYC-001' AND time_zone = 'America/Chicago'") != 1 {
		t.Fatal("refused update was written")
	}
	if app.Count("audit_log", "entity_type = 'store' AND entity_id = ? AND action = 'update'", st.ID) != 1 {
		t.Fatal("no store update audit")
	}
	hq := storeID(t, app, "HQ")
	app.Do("PUT", "/api/v1/stores/"+hq.String(), map[string]any{"name": "Head Office", "timeZone": "UTC", "isActive": false}, tok).Expect(t, http.StatusUnprocessableEntity)
	app.Do("PUT", "/api/v1/stores/"+uuid.NewString(), map[string]any{"name": "X", "timeZone": "UTC"}, tok).Expect(t, http.StatusNotFound)

	res = app.Do("GET", "/api/v1/stores?search=mid&active=false", nil, tok).Expect(t, http.StatusOK)
	res.Data(t, &stores)
	if len(stores) != 1 || stores[0].Code != "NYC-001" {
		t.Fatalf("store search: %s", res.Body)
	}

	res = app.Do("GET", "/api/v1/stores/dashboard", nil, tok).Expect(t, http.StatusOK)
	var dash []admin.StoreSummary
	res.Data(t, &dash)
	if len(dash) != 5 || dash[0].Code != "HQ" {
		t.Fatalf("dashboard: %s", res.Body)
	}
	for _, d := range dash {
		if d.Code == "S001" && d.Users != 2 {
			t.Fatalf("S001 users = %d", d.Users)
		}
	}
}

func TestCurrentStore(t *testing.T) {
	app := apptest.NewDemo(t)
	var cur admin.CurrentStore

	app.Do("GET", "/api/v1/stores/current", nil, app.Login("cashier", "3456")).Expect(t, http.StatusOK).Data(t, &cur)
	if cur.Store.Code != "S001" || len(cur.Stores) != 1 {
		t.Fatalf("cashier current: %+v", cur)
	}
	tok := app.Login("admin", "1234")
	app.Do("GET", "/api/v1/stores/current", nil, tok).Expect(t, http.StatusOK).Data(t, &cur)
	if cur.Store.Code != "HQ" || len(cur.Stores) != 4 {
		t.Fatalf("admin current: %+v", cur)
	}
	s2 := storeID(t, app, "S002")
	app.Do("GET", "/api/v1/stores/current?storeId="+s2.String(), nil, tok).Expect(t, http.StatusOK).Data(t, &cur)
	if cur.Store.Code != "S002" {
		t.Fatalf("admin picked S002: %+v", cur)
	}
	app.Do("GET", "/api/v1/stores/current?storeId="+s2.String(), nil, app.Login("cashier", "3456")).Expect(t, http.StatusNotFound)
	_, none := app.User(nil, "products.view")
	app.Do("GET", "/api/v1/stores/current", nil, none).Expect(t, http.StatusOK) // any HQ-wide role works at the head office
	app.Do("GET", "/api/v1/stores/current", nil, "").Expect(t, http.StatusUnauthorized)
}

func TestAuthAndPermissions(t *testing.T) {
	app := apptest.NewDemo(t)
	cashier := app.Login("cashier", "3456")
	manager := app.Login("manager", "2345")
	id := uuid.NewString()

	endpoints := []struct {
		method, path string
		body         any
		perm         string
	}{
		{"GET", "/api/v1/users", nil, "users.view"},
		{"GET", "/api/v1/users/" + id, nil, "users.view"},
		{"POST", "/api/v1/users", map[string]any{"username": "x", "displayName": "X", "pin": "12121212"}, "users.create"},
		{"PUT", "/api/v1/users/" + id, map[string]any{"username": "x", "displayName": "X"}, "users.edit"},
		{"GET", "/api/v1/roles", nil, "roles.view"},
		{"GET", "/api/v1/roles/permissions/all", nil, "roles.view"},
		{"POST", "/api/v1/roles", map[string]any{"name": "X"}, "roles.manage"},
		{"PUT", "/api/v1/roles/" + id, map[string]any{"name": "X"}, "roles.manage"},
		{"PUT", "/api/v1/roles/" + id + "/permissions", map[string]any{"permissions": []string{}}, "roles.manage"},
		{"DELETE", "/api/v1/roles/" + id, nil, "roles.manage"},
		{"GET", "/api/v1/stores", nil, "stores.view"},
		{"GET", "/api/v1/stores/dashboard", nil, "stores.view"},
		{"GET", "/api/v1/stores/" + id, nil, "stores.view"},
		{"POST", "/api/v1/stores", map[string]any{"code": "X", "name": "X", "timeZone": "UTC"}, "stores.create"},
		{"PUT", "/api/v1/stores/" + id, map[string]any{"name": "X", "timeZone": "UTC"}, "stores.edit"},
	}
	for _, e := range endpoints {
		t.Run(e.method+" "+e.path, func(t *testing.T) {
			res := app.Do(e.method, e.path, e.body, "").Expect(t, http.StatusUnauthorized)
			if res.Env(t).Success {
				t.Fatal("success without a token")
			}
			res = app.Do(e.method, e.path, e.body, cashier).Expect(t, http.StatusForbidden)
			if !strings.Contains(res.Env(t).Error, e.perm) {
				t.Fatalf("403 does not name %s: %s", e.perm, res.Body)
			}
		})
	}
	// The store manager may view users, roles and stores, but manage none of the roles.
	app.Do("POST", "/api/v1/roles", map[string]any{"name": "X"}, manager).Expect(t, http.StatusForbidden)
	app.Do("POST", "/api/v1/stores", map[string]any{"code": "X", "name": "X", "timeZone": "UTC"}, manager).Expect(t, http.StatusForbidden)
	app.Do("GET", "/api/v1/roles", nil, manager).Expect(t, http.StatusOK)
	if app.Count("roles", "name = 'X'")+app.Count("stores", "code = 'X'")+app.Count("users", "username = 'x'") != 0 {
		t.Fatal("a refused write was stored")
	}
}

func TestSeedsGoThroughService(t *testing.T) {
	app := apptest.NewDemo(t)
	// Demo users were created by the admin service: audited, PIN lookup set.
	if app.Count("audit_log", "entity_type = 'user' AND action = 'create'") != 3 {
		t.Fatal("demo users not created through the admin service")
	}
	if app.Count("users", "pin_lookup IS NULL") != 0 {
		t.Fatal("a demo user has no PIN lookup")
	}
}

// A store's user administrator cannot take over an account that reaches beyond their store: an
// HQ-wide administrator who also works a till at their store, or a manager who also has a role
// at another store. Nothing about such a user changes.
func TestStoreUserAdminCannotEditWiderAccounts(t *testing.T) {
	app := apptest.NewDemo(t)
	s1, s2 := storeID(t, app, "S001"), storeID(t, app, "S002")
	_, tok := app.User(&s1, "users.view", "users.edit")
	admins, cashier, manager := roleID(t, app, "Administrator"), roleID(t, app, "Cashier"), roleID(t, app, "Store Manager")
	root := app.Login("admin", "1234")
	var wide, twoStores admin.UserView
	app.Do("POST", "/api/v1/users", map[string]any{"username": "boss", "displayName": "Boss", "pin": "71717171", "password": "boss-password",
		"roles": []map[string]any{{"storeId": nil, "roleId": admins}, {"storeId": s1, "roleId": cashier}}}, root).Expect(t, http.StatusCreated).Data(t, &wide)
	app.Do("POST", "/api/v1/users", map[string]any{"username": "roamer", "displayName": "Roamer", "pin": "72727272",
		"roles": []map[string]any{{"storeId": s1, "roleId": cashier}, {"storeId": s2, "roleId": manager}}}, root).Expect(t, http.StatusCreated).Data(t, &twoStores)
	var before []models.User
	app.DB.Order("username").Find(&before, "username IN ('boss', 'roamer')")

	for _, target := range []admin.UserView{wide, twoStores} {
		for name, body := range map[string]map[string]any{
			"pin":      {"username": target.Username, "displayName": target.DisplayName, "pin": "73737373"},
			"password": {"username": target.Username, "displayName": target.DisplayName, "password": "taken-over-now"},
			"name":     {"username": target.Username, "displayName": "Hacked"},
			"active":   {"username": target.Username, "displayName": target.DisplayName, "isActive": false},
		} {
			res := app.Do("PUT", "/api/v1/users/"+target.ID.String(), body, tok)
			if res.Code != http.StatusForbidden && res.Code != http.StatusNotFound {
				t.Errorf("%s: changing %s: %d, want 403: %s", target.Username, name, res.Code, res.String())
			}
		}
	}
	var after []models.User
	app.DB.Order("username").Find(&after, "username IN ('boss', 'roamer')")
	for i := range before {
		b, a := before[i], after[i]
		if a.PinHash != b.PinHash || a.PasswordHash != b.PasswordHash || a.DisplayName != b.DisplayName || a.IsActive != b.IsActive || a.CredentialEpoch != b.CredentialEpoch {
			t.Fatalf("%s changed: before %+v after %+v", b.Username, b, a)
		}
	}
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "boss", "password": "boss-password"}, "").Expect(t, http.StatusOK)
}
