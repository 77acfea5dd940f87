package apidoc_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"backroom/app/apidoc"
	"backroom/app/apptest"
)

// TestOpenAPICoversEveryRoute: every /api/v1 and /ws/v1 route the router mounts is described,
// and every described operation is mounted, so the description cannot drift from the routes.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	app := apptest.New(t)
	described := map[string]bool{}
	for _, o := range apidoc.Operations() {
		described[o.Key()] = true
	}
	mounted := map[string]bool{}
	for _, r := range app.Engine.Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/") || strings.HasPrefix(r.Path, "/ws/v1/") {
			mounted[r.Method+" "+r.Path] = true
		}
	}
	var missing, stale []string
	for k := range mounted {
		if !described[k] {
			missing = append(missing, k)
		}
	}
	for k := range described {
		if !mounted[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("mounted but not in app/apidoc/operations.go:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("in app/apidoc/operations.go but not mounted:\n  %s", strings.Join(stale, "\n  "))
	}
	if len(mounted) < 180 {
		t.Fatalf("only %d API routes mounted: the route table looks incomplete", len(mounted))
	}
}

// TestOpenAPIIsServed: /api/v1/openapi.json needs no sign-in and is a valid OpenAPI 3.1
// document with every operation, its permission and its answer.
func TestOpenAPIIsServed(t *testing.T) {
	app := apptest.New(t)
	res := app.Do(http.MethodGet, "/api/v1/openapi.json", nil, "").Expect(t, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
	doc, err := openapi3.NewLoader().LoadFromData(res.Body)
	if err != nil {
		t.Fatalf("not an OpenAPI document: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("not valid OpenAPI: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	if want := len(apidoc.Operations()); n != want {
		t.Fatalf("%d operations served, %d listed", n, want)
	}
	op := doc.Paths.Value("/api/v1/purchase-orders/{id}/approve").Patch
	if op == nil || op.Extensions["x-permission"] != "purchase_orders.approve" {
		t.Fatalf("approve's permission is not described: %+v", op)
	}
	data := op.Responses.Status(200).Value.Content.Get("application/json").Schema.Value.Properties["data"]
	if data.Ref != "#/components/schemas/PurchasingDetail" {
		t.Fatalf("approve answers %q, want the purchase order's Detail", data.Ref)
	}
	if op.Responses.Status(500) != nil {
		t.Fatal("a 500 is documented: no input may cause one")
	}
	var raw map[string]any
	if err := json.Unmarshal(res.Body, &raw); err != nil || bytes.Contains(res.Body, []byte("secretValue")) {
		t.Fatalf("the description is not plain JSON or names a secret: %v", err)
	}
}

// TestAPIDocsPage: signed-in people read the reference at /api/docs, grouped by area, with each
// operation's permission and answer; signed-out visitors are sent to sign in.
func TestAPIDocsPage(t *testing.T) {
	app := apptest.NewDemo(t)
	if res := app.Web().Get("/api/docs"); res.Code != http.StatusSeeOther {
		t.Fatalf("signed out: %d, want the sign-in page", res.Code)
	}
	cashier := app.SignIn("cashier", "3456")
	res := cashier.Get("/api/docs").Expect(t, http.StatusOK)
	for _, want := range []string{"/api/v1/purchase-orders/{id}/approve", "purchase_orders.approve", "Approve a submitted order",
		`id="area-products"`, `href="#schema-PurchasingDetail"`, "/ws/v1/sales", "X-Api-Key", "/api/v1/openapi.json"} {
		if !strings.Contains(res.String(), want) {
			t.Errorf("the reference page lacks %q", want)
		}
	}
	if n := strings.Count(res.String(), `data-testid="api-operation"`); n != len(apidoc.Operations()) {
		t.Fatalf("the page shows %d operations, want %d", n, len(apidoc.Operations()))
	}
}

// TestDocumentedPermissionIsTheOneChecked: a person holding only the permission an operation's
// description names gets past its permission check (no 403), so the description cannot name
// the wrong one.
func TestDocumentedPermissionIsTheOneChecked(t *testing.T) {
	app := apptest.NewDemo(t)
	tokens := map[string]string{}
	checked := 0
	for _, o := range apidoc.Operations() {
		if o.Auth != apidoc.Bearer || o.Perm == "" {
			continue
		}
		perm, _, _ := strings.Cut(o.Perm, " or ")
		token, ok := tokens[perm]
		if !ok {
			_, token = app.User(nil, perm)
			tokens[perm] = token
		}
		path := strings.NewReplacer(":id", "00000000-0000-0000-0000-000000000001", ":itemId", "00000000-0000-0000-0000-000000000002",
			":supplierId", "00000000-0000-0000-0000-000000000003", ":errorId", "00000000-0000-0000-0000-000000000004",
			":deliveryId", "00000000-0000-0000-0000-000000000005", ":runId", "00000000-0000-0000-0000-000000000006", ":barcode", "0000").Replace(o.Path)
		res := app.Do(o.Method, path, map[string]any{}, token)
		if res.Code == http.StatusForbidden {
			t.Errorf("%s with only %s: 403 %s", o.Key(), perm, res.String())
		}
		checked++
	}
	if checked < 150 {
		t.Fatalf("checked only %d operations", checked)
	}
}
