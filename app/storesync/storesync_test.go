package storesync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"backroom/app/apptest"
	"backroom/app/storesync"
	"backroom/models"
)

type env struct {
	*apptest.App
	t     *testing.T
	admin string // the administrator's access token
}

func newEnv(t *testing.T) *env {
	app := apptest.NewDemo(t)
	return &env{App: app, t: t, admin: app.Login("admin", "1234")}
}

// issue has the administrator issue a store's one-time token.
func (e *env) issue(code string) storesync.Issued {
	e.t.Helper()
	var out storesync.Issued
	e.Do("POST", "/api/v1/stores/"+e.demo(code).ID.String()+"/sync-token", nil, e.admin).Expect(e.t, http.StatusCreated).Data(e.t, &out)
	return out
}

// provision exchanges a token and returns the credential.
func (e *env) provision(code string) string {
	e.t.Helper()
	var out storesync.Provisioned
	e.Do("POST", "/api/v1/sync/provision", map[string]string{"token": e.issue(code).Token}, "").Expect(e.t, http.StatusCreated).Data(e.t, &out)
	return out.Credential
}

// store sends a store server's request with its credential.
func (e *env) store(credential, path string) *apptest.Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("X-Sync-Token", credential)
	return e.Send(req)
}

type pulled struct {
	EntityType    string            `json:"entityType"`
	Rows          []json.RawMessage `json:"rows"`
	Deleted       []string          `json:"deleted"`
	LatestVersion int64             `json:"latestVersion"`
	LatestID      *uuid.UUID        `json:"latestId"`
	HasMore       bool              `json:"hasMore"`
	Count         *int64            `json:"count"`
	Checksum      string            `json:"checksum"`
}

// settle waits until every transaction that began before it has ended. Pulls serve only rows
// older than the cluster's oldest running transaction, and other tests' transactions (on other
// databases of the same cluster) count too.
func (e *env) settle() {
	e.t.Helper()
	var now int64
	if err := e.DB.Transaction(func(tx *gorm.DB) error {
		return tx.Raw("SELECT pg_current_xact_id()::text::bigint").Scan(&now).Error
	}); err != nil {
		e.t.Fatal(err)
	}
	e.Eventually("older transactions to end", func() bool {
		var xmin int64
		e.DB.Raw("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint").Scan(&xmin)
		return xmin > now
	})
}

// pull settles, then pulls once.
func (e *env) pull(credential, entity string, since int64, extra string) pulled {
	e.t.Helper()
	e.settle()
	var out pulled
	e.store(credential, fmt.Sprintf("/api/v1/sync/pull?entity_type=%s&since_version=%d%s", entity, since, extra)).Expect(e.t, http.StatusOK).Data(e.t, &out)
	return out
}

func ids(rows []json.RawMessage) map[string]bool {
	out := map[string]bool{}
	for _, r := range rows {
		var v struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(r, &v)
		out[v.ID] = true
	}
	return out
}

// demo is a demo store by code.
func (e *env) demo(code string) models.Store {
	e.t.Helper()
	var s models.Store
	if err := e.DB.Take(&s, "code = ?", code).Error; err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) syncStatus(code string) string {
	e.t.Helper()
	var s string
	if err := e.DB.Raw("SELECT status FROM store_sync WHERE store_id = ?", e.demo(code).ID).Scan(&s).Error; err != nil {
		e.t.Fatal(err)
	}
	return s
}

// TestProvisioning: a token is shown once and stored only as a hash; it is exchanged once for
// a credential and the store turns active; a used, unknown or revoked token is 401 and changes
// nothing; revoking ends the credential; a reissued token provisions again.
func TestProvisioning(t *testing.T) {
	e := newEnv(t)
	if got := e.syncStatus("S001"); got != storesync.StatusPending {
		t.Fatalf("a demo store starts %q, want pending_provisioning", got)
	}
	issued := e.issue("S001")
	if !strings.HasPrefix(issued.Token, "brs1.") || issued.StoreCode != "S001" || len(issued.Env) != 3 || issued.Env[2] != "SYNC_TOKEN="+issued.Token {
		t.Fatalf("issued %+v", issued)
	}
	store, hq, err := storesync.ParseToken(issued.Token)
	if err != nil || store != e.demo("S001").ID || hq != e.App.App.Config.PublicURL {
		t.Fatalf("the token carries %v %q (%v), want S001 and %q", store, hq, err, e.App.App.Config.PublicURL)
	}
	if n := e.Count("sync_tokens", "token_hash = ? OR token_hash LIKE ?", issued.Token, "%"+issued.Token[5:20]+"%"); n != 0 {
		t.Fatal("the token is stored in the clear")
	}
	var prov storesync.Provisioned
	e.Do("POST", "/api/v1/sync/provision", map[string]string{"token": issued.Token}, "").Expect(t, http.StatusCreated).Data(t, &prov)
	if prov.StoreCode != "S001" || !strings.HasPrefix(prov.Credential, "brc_") {
		t.Fatalf("provisioned %+v", prov)
	}
	if got := e.syncStatus("S001"); got != storesync.StatusActive {
		t.Fatalf("after provisioning the store is %q, want active", got)
	}
	if n := e.Count("sync_credentials", "credential_hash = ?", prov.Credential); n != 0 {
		t.Fatal("the credential is stored in the clear")
	}
	e.store(prov.Credential, "/api/v1/sync/status").Expect(t, http.StatusOK)

	// The same token again, a made-up one, a damaged one: 401, and no second credential.
	for _, bad := range []string{issued.Token, "brs1.eyJzdG9yZSI6IjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMSIsImhxIjoiIiwic2VjcmV0IjoieCJ9", "nonsense"} {
		e.Do("POST", "/api/v1/sync/provision", map[string]string{"token": bad}, "").Expect(t, http.StatusUnauthorized)
	}
	e.Do("POST", "/api/v1/sync/provision", map[string]string{}, "").Expect(t, http.StatusUnprocessableEntity)
	if n := e.Count("sync_credentials", "store_id = ?", e.demo("S001").ID); n != 1 {
		t.Fatalf("%d credentials after refused exchanges, want 1", n)
	}

	// An unused token that was replaced, and then revoking the store's sync.
	first := e.issue("S002")
	second := e.issue("S002")
	e.Do("POST", "/api/v1/sync/provision", map[string]string{"token": first.Token}, "").Expect(t, http.StatusUnauthorized)
	e.Do("DELETE", "/api/v1/stores/"+e.demo("S001").ID.String()+"/sync-token", nil, e.admin).Expect(t, http.StatusOK)
	if got := e.syncStatus("S001"); got != storesync.StatusRevoked {
		t.Fatalf("after revoking the store is %q", got)
	}
	e.store(prov.Credential, "/api/v1/sync/pull?entity_type=products").Expect(t, http.StatusUnauthorized)
	e.store("", "/api/v1/sync/pull?entity_type=products").Expect(t, http.StatusUnauthorized)
	if n := e.Count("audit_log", "action IN ('sync_token_issued', 'sync_provisioned', 'sync_revoked')"); n != 5 {
		t.Fatalf("%d sync audit entries, want 5 (3 issued, 1 provisioned, 1 revoked)", n)
	}

	// Reissued after the revoke: the store waits again, and the new credential works.
	reissued := e.issue("S001")
	if got := e.syncStatus("S001"); got != storesync.StatusPending {
		t.Fatalf("after reissuing the store is %q, want pending_provisioning", got)
	}
	var again storesync.Provisioned
	e.Do("POST", "/api/v1/sync/provision", map[string]string{"token": reissued.Token}, "").Expect(t, http.StatusCreated).Data(t, &again)
	e.store(again.Credential, "/api/v1/sync/status").Expect(t, http.StatusOK)
	e.store(prov.Credential, "/api/v1/sync/status").Expect(t, http.StatusUnauthorized)
	e.Do("POST", "/api/v1/sync/provision", map[string]string{"token": second.Token}, "").Expect(t, http.StatusCreated)

	// Head office is not a store server; a store-scoped sync manager manages only their stores.
	var office models.Store
	e.DB.Take(&office, "is_hq")
	e.Do("POST", "/api/v1/stores/"+office.ID.String()+"/sync-token", nil, e.admin).Expect(t, http.StatusConflict)
	s1 := e.demo("S001")
	_, local := e.User(&s1.ID, "sync.manage")
	e.Do("POST", "/api/v1/stores/"+e.demo("S002").ID.String()+"/sync-token", nil, local).Expect(t, http.StatusForbidden)
	e.Do("POST", "/api/v1/stores/"+s1.ID.String()+"/sync-token", nil, local).Expect(t, http.StatusCreated)
}

// TestPullNeverSkipsALateCommit is the cursor's promise: a transaction stamps a product and
// stays open while a later one commits and the store pulls past it; once the first commits,
// the next pull delivers its row.
func TestPullNeverSkipsALateCommit(t *testing.T) {
	e := newEnv(t)
	cred := e.provision("S001")
	caught := e.pull(cred, "products", 0, "&limit=5000")
	var products []models.Product
	e.DB.Order("sku").Limit(2).Find(&products)
	early, late := products[0], products[1]

	ctx := context.Background()
	open, err := e.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Rollback(ctx)
	if _, err := open.Exec(ctx, "UPDATE products SET name = name || ' (early)' WHERE id = $1", early.ID); err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginFunc(ctx, e.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE products SET name = name || ' (late)' WHERE id = $1", late.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var during pulled
	e.store(cred, fmt.Sprintf("/api/v1/sync/pull?entity_type=products&since_version=%d", caught.LatestVersion)).Expect(t, http.StatusOK).Data(t, &during)
	if len(during.Rows) != 0 {
		t.Fatalf("while an older transaction is open the pull delivered %d rows: its cursor would pass the open one", len(during.Rows))
	}
	if err := open.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	after := e.pull(cred, "products", during.LatestVersion, "")
	got := ids(after.Rows)
	if !got[early.ID.String()] || !got[late.ID.String()] || len(got) != 2 {
		t.Fatalf("after the commit the pull delivered %v, want both products", got)
	}
	if next := e.pull(cred, "products", after.LatestVersion, ""); len(next.Rows) != 0 {
		t.Fatalf("a caught-up cursor delivered %d rows again", len(next.Rows))
	}
}

// TestPullPagesAndTombstones: one transaction's rows page through by (version, id) without a
// row lost or repeated; a caught-up answer counts the slice; a delete arrives as a tombstone; a
// no-op update keeps its version.
func TestPullPagesAndTombstones(t *testing.T) {
	e := newEnv(t)
	cred := e.provision("S001")
	start := e.pull(cred, "departments", 0, "")
	if start.Count == nil || *start.Count != int64(len(start.Rows)) || start.Checksum == "" {
		t.Fatalf("a whole pull counts %v rows with checksum %q, delivered %d", start.Count, start.Checksum, len(start.Rows))
	}
	// Seven departments in one transaction share one version.
	tx := e.DB.Begin()
	var made []uuid.UUID
	for i := range 7 {
		code := fmt.Sprintf("SY%d", i)
		d := models.Department{ID: uuid.New(), Code: &code, Name: fmt.Sprintf("Sync %d", i), IsActive: true}
		if err := tx.Create(&d).Error; err != nil {
			t.Fatal(err)
		}
		made = append(made, d.ID)
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	since, extra := start.LatestVersion, ""
	pages := 0
	for {
		p := e.pull(cred, "departments", since, extra+"&limit=3")
		pages++
		for id := range ids(p.Rows) {
			seen[id]++
		}
		since, extra = p.LatestVersion, ""
		if !p.HasMore {
			break
		}
		extra = "&since_id=" + p.LatestID.String()
		if pages > 5 {
			t.Fatal("the pages never end")
		}
	}
	if pages != 3 {
		t.Fatalf("7 rows at limit 3 came in %d pages, want 3", pages)
	}
	for _, id := range made {
		if seen[id.String()] != 1 {
			t.Fatalf("department %s delivered %d times", id, seen[id.String()])
		}
	}

	// A no-op update keeps the version; a real one moves it; a delete leaves a tombstone.
	var before, after int64
	e.DB.Raw("SELECT sync_version FROM departments WHERE id = ?", made[0]).Scan(&before)
	e.DB.Exec("UPDATE departments SET name = name, updated_at = now() WHERE id = ?", made[0])
	e.DB.Raw("SELECT sync_version FROM departments WHERE id = ?", made[0]).Scan(&after)
	if after != before {
		t.Fatalf("an update that changed nothing moved the version %d → %d", before, after)
	}
	e.DB.Exec("DELETE FROM departments WHERE id = ?", made[1])
	p := e.pull(cred, "departments", since, "")
	if len(p.Deleted) != 1 || p.Deleted[0] != made[1].String() || len(p.Rows) != 0 {
		t.Fatalf("after a delete the pull answered rows %d deleted %v", len(p.Rows), p.Deleted)
	}
	if *p.Count != *start.Count+6 {
		t.Fatalf("count %d, want %d", *p.Count, *start.Count+6)
	}

	// Tombstones past their retention are purged; a cursor older than the newest purged one
	// must load again.
	e.DB.Exec("DELETE FROM departments WHERE id = ?", made[2])
	e.DB.Exec("UPDATE sync_tombstones SET deleted_at = now() - interval '31 days' WHERE entity_id IN ?", []uuid.UUID{made[1], made[2]})
	n, err := e.App.App.StoreSync.PurgeTombstones(context.Background(), time.Now())
	if err != nil || n != 2 {
		t.Fatalf("purged %d tombstones (%v), want 2", n, err)
	}
	res := e.store(cred, fmt.Sprintf("/api/v1/sync/pull?entity_type=departments&since_version=%d", p.LatestVersion))
	res.Expect(t, http.StatusGone)
	if !strings.Contains(res.String(), `"mustResync":true`) {
		t.Fatalf("410 without mustResync: %s", res)
	}
	e.pull(cred, "departments", 0, "")
}

// TestPullIsTheStoresSlice: a store sees its own prices, orders, transfers and people, not
// another store's; bad parameters are refused.
func TestPullIsTheStoresSlice(t *testing.T) {
	e := newEnv(t)
	cred := e.provision("S001")
	s1, s2 := e.demo("S001"), e.demo("S002")
	var product models.Product
	e.DB.Order("sku").Take(&product)
	for _, s := range []models.Store{s1, s2} {
		e.Do("POST", "/api/v1/store-prices", map[string]any{"storeId": s.ID, "productId": product.ID, "sellPrice": 199}, e.admin).Expect(t, http.StatusOK)
	}
	prices := e.pull(cred, "store_product_dynamic", 0, "")
	for _, r := range prices.Rows {
		var sp models.StorePrice
		_ = json.Unmarshal(r, &sp)
		if sp.StoreID != s1.ID {
			t.Fatalf("S001 pulled a price of store %s", sp.StoreID)
		}
	}
	if len(prices.Rows) != 1 {
		t.Fatalf("S001 pulled %d prices, want its 1", len(prices.Rows))
	}

	// Orders, their lines and transfers: only S001's (the demo has orders at other stores; a
	// transfer between two others is made here).
	e.Do("POST", "/api/v1/transfers", map[string]any{"fromStoreId": s2.ID, "toStoreId": e.demo("S003").ID,
		"items": []map[string]any{{"productId": product.ID, "quantity": 1000}}}, e.admin).Expect(t, http.StatusCreated)
	for _, q := range []struct{ entity, table, where string }{
		{"purchase_orders", "purchase_orders", "store_id = ?"},
		{"purchase_order_items", "purchase_order_items", "purchase_order_id IN (SELECT id FROM purchase_orders WHERE store_id = ?)"},
		{"transfers", "transfers", "from_store_id = ? OR to_store_id = ?"},
	} {
		args := []any{s1.ID}
		if strings.Count(q.where, "?") == 2 {
			args = append(args, s1.ID)
		}
		mine := e.Count(q.table, q.where, args...)
		if e.Count(q.table, "true") == mine {
			t.Fatalf("the demo has no %s outside S001 to keep out", q.table)
		}
		got := e.pull(cred, q.entity, 0, "&limit=5000")
		if int64(len(got.Rows)) != mine || *got.Count != mine {
			t.Fatalf("S001 pulled %d %s (count %d), want its %d", len(got.Rows), q.entity, *got.Count, mine)
		}
	}

	users := e.pull(cred, "users", 0, "")
	names := map[string]bool{}
	for _, r := range users.Rows {
		var u struct {
			Username string `json:"username"`
			PinHash  string `json:"pinHash"`
			Pin      string `json:"pin"`
		}
		_ = json.Unmarshal(r, &u)
		names[u.Username] = true
		if u.PinHash == "" || u.Pin != "" {
			t.Fatalf("a store's user %q comes without its PIN hash or with a PIN", u.Username)
		}
	}
	if !names["cashier"] || !names["manager"] || names["admin"] {
		t.Fatalf("S001 pulled users %v: want its cashier and manager, not head office's admin", names)
	}
	// A person who gains a role at the store arrives with the role, though their row is older.
	outsider, _ := e.User(&s2.ID)
	e.DB.Exec("INSERT INTO user_store_roles (id, user_id, store_id, role_id) SELECT ?, ?, ?, id FROM roles WHERE name = 'Cashier'", uuid.New(), outsider.ID, s1.ID)
	joined := e.pull(cred, "users", users.LatestVersion, "")
	if !ids(joined.Rows)[outsider.ID.String()] {
		t.Fatalf("a person given a role at S001 did not arrive: %d rows", len(joined.Rows))
	}

	for _, q := range []struct {
		query string
		want  int
	}{
		{"entity_type=sales", http.StatusUnprocessableEntity},
		{"", http.StatusUnprocessableEntity},
		{"entity_type=products&since_version=-1", http.StatusBadRequest},
		{"entity_type=products&since_version=x", http.StatusBadRequest},
		{"entity_type=products&limit=5001", http.StatusUnprocessableEntity},
		{"entity_type=products&since_id=nope", http.StatusBadRequest},
	} {
		e.store(cred, "/api/v1/sync/pull?"+q.query).Expect(t, q.want)
	}
	for _, entity := range storesync.EntityTypes() {
		e.pull(cred, entity, 0, "")
	}
	perms := e.pull(cred, "permissions", 0, "")
	if len(perms.Rows) != len(models.Permissions) {
		t.Fatalf("%d permissions pulled, want %d", len(perms.Rows), len(models.Permissions))
	}
}
