package audit_test

import (
	"context"
	"strings"
	"testing"

	"backroom/app/apptest"
	"backroom/models"
	"backroom/seeds"
)

func TestAuditPageAndAPI(t *testing.T) {
	app := apptest.New(t)
	ctx := context.Background()
	actor := models.Actor{Username: "ghost"} // no user row: the entry keeps the name
	id := models.NewID()
	for _, a := range []string{"create", "submitted", "approved"} {
		if err := models.Audit(ctx, app.DB, actor, a, "purchase_order", id, nil, map[string]string{"status": a}); err != nil {
			t.Fatal(err)
		}
	}
	if err := models.Audit(ctx, app.DB, models.System, "update", "special", models.NewID(), map[string]int{"p": 1}, map[string]int{"p": 2}); err != nil {
		t.Fatal(err)
	}
	_, tok := app.User(nil, "reports.view_global")
	env := app.Do("GET", "/api/v1/audit?entityType=purchase_order&entityId="+id.String(), nil, tok).Expect(t, 200).Env(t)
	if *env.Total != 3 {
		t.Fatalf("%d entries", *env.Total)
	}
	env = app.Do("GET", "/api/v1/audit?date_to=2000-01-01", nil, tok).Expect(t, 200).Env(t)
	if *env.Total != 0 {
		t.Fatalf("%d entries before 2000", *env.Total)
	}
	app.Do("GET", "/api/v1/audit?entityId=nope", nil, tok).Expect(t, 400)

	role := models.Role{Name: "Auditor", Permissions: []string{"reports.view_global"}}
	if err := app.DB.Create(&role).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := seeds.CreateUser(ctx, app.DB, app.Config, seeds.UserSpec{Username: "auditor", DisplayName: "Auditor", PIN: "13579", Role: "Auditor"}); err != nil {
		t.Fatal(err)
	}
	web := app.SignIn("auditor", "13579")
	page := web.Get("/audit?entityType=purchase_order").Expect(t, 200).String()
	if strings.Count(page, `data-testid="audit-row"`) != 3 || !strings.Contains(page, "Audit trail") || !strings.Contains(page, "ghost") {
		t.Fatal("audit page does not list the order's 3 entries")
	}
	frag := web.HTMX("GET", "/audit?entityType=special", nil).Expect(t, 200).String()
	if strings.Count(frag, `data-testid="audit-row"`) != 1 || strings.Contains(frag, "<html") || !strings.Contains(frag, "system") {
		t.Fatal("filtered fragment wrong")
	}
	if err := app.DB.Create(&models.Role{Name: "Nobody", Permissions: []string{"products.view"}}).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := seeds.CreateUser(ctx, app.DB, app.Config, seeds.UserSpec{Username: "nobody", DisplayName: "Nobody", PIN: "97531", Role: "Nobody"}); err != nil {
		t.Fatal(err)
	}
	app.SignIn("nobody", "97531").Get("/audit").Expect(t, 403)
}
