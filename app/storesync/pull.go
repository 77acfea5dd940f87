package storesync

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"backroom/models"
)

// Pull limits: rows per answer by default and at most.
const (
	DefaultLimit = 500
	MaxLimit     = 5000
)

// entity is one synced entity type: where its rows are, which of them a store sees, and the Go
// type that writes them with the API's JSON names.
type entity struct {
	name string
	// from is the FROM clause; a store's slice is what where (with @store) leaves of it.
	from, where string
	// id and version are the row's id and version expressions (version is the transaction that
	// last changed the row, or what it depends on for this store).
	id, version string
	rows        func() any // a pointer to an empty slice of the row type
}

func table(name, tbl string, rows func() any) entity {
	return entity{name: name, from: tbl, id: tbl + ".id", version: tbl + ".sync_version", rows: rows}
}

// syncUser is what a store needs to check its people's PINs and passwords offline: the hashes,
// never the secrets, and the epoch that ends old sessions.
type syncUser struct {
	ID              uuid.UUID `json:"id"`
	Username        string    `json:"username"`
	DisplayName     string    `json:"displayName"`
	Email           string    `json:"email"`
	PasswordHash    string    `json:"passwordHash"`
	PinHash         string    `json:"pinHash"`
	PinLookup       *string   `json:"pinLookup"`
	IsActive        bool      `json:"isActive"`
	CredentialEpoch int       `json:"credentialEpoch"`
}

// link rows carry the row id their tombstones name.
type taxGroupRate struct {
	SyncID uuid.UUID `gorm:"column:sync_id" json:"id"`
	models.TaxGroupRate
}

type productSupplier struct {
	SyncID uuid.UUID `gorm:"column:sync_id" json:"id"`
	models.ProductSupplier
}

// rolePermissions is a role's whole permission set: a store replaces what it had.
type rolePermissions struct {
	ID          uuid.UUID      `gorm:"column:id" json:"roleId"`
	Permissions pq.StringArray `gorm:"column:permissions;type:text[]" json:"permissions"`
}

func slice[T any]() func() any { return func() any { return &[]T{} } }

// entities in the reference's parent-first order: a store that loads them in this order never
// holds a row whose parent it lacks.
func entities() []entity {
	return []entity{
		table("stores", "stores", slice[models.Store]()),
		table("departments", "departments", slice[models.Department]()),
		table("tax_rates", "tax_rates", slice[models.TaxRate]()),
		table("tax_groups", "tax_groups", slice[models.TaxGroup]()),
		{name: "tax_group_rates", from: "tax_group_rates", id: "tax_group_rates.sync_id", version: "tax_group_rates.sync_version", rows: slice[taxGroupRate]()},
		table("suppliers", "suppliers", slice[models.Supplier]()),
		table("tenders", "tenders", slice[models.Tender]()),
		table("units", "units", slice[models.Unit]()),
		table("products", "products", slice[models.Product]()),
		// A person reaches a store with their first role there: the row's version is the later
		// of the person's and their roles' at this store, so gaining a role delivers the person.
		{name: "users", id: "users.id", rows: slice[syncUser](),
			from: `users JOIN (SELECT user_id, max(sync_version) AS role_version FROM user_store_roles WHERE store_id = @store GROUP BY user_id) r
				ON r.user_id = users.id`,
			version: "GREATEST(users.sync_version, r.role_version)"},
		table("roles", "roles", slice[models.Role]()),
		{name: "role_permissions", from: "roles", id: "roles.id", version: "roles.sync_version", rows: slice[rolePermissions]()},
		{name: "user_store_roles", from: "user_store_roles", where: "user_store_roles.store_id = @store", id: "user_store_roles.id", version: "user_store_roles.sync_version", rows: slice[models.UserStoreRole]()},
		table("customers", "customers", slice[models.Customer]()),
		{name: "product_suppliers", from: "product_suppliers", id: "product_suppliers.sync_id", version: "product_suppliers.sync_version", rows: slice[productSupplier]()},
		table("product_specials", "specials", slice[models.Special]()),
		table("sales_reps", "sales_reps", slice[models.SalesRep]()),
		{name: "store_product_dynamic", from: "store_prices", where: "store_prices.store_id = @store", id: "store_prices.id", version: "store_prices.sync_version", rows: slice[models.StorePrice]()},
		{name: "purchase_orders", from: "purchase_orders", where: "purchase_orders.store_id = @store", id: "purchase_orders.id", version: "purchase_orders.sync_version", rows: slice[models.PurchaseOrder]()},
		{name: "purchase_order_items", from: "purchase_order_items JOIN purchase_orders po ON po.id = purchase_order_items.purchase_order_id",
			where: "po.store_id = @store", id: "purchase_order_items.id", version: "purchase_order_items.sync_version", rows: slice[models.PurchaseOrderItem]()},
		{name: "transfers", from: "transfers", where: "(transfers.from_store_id = @store OR transfers.to_store_id = @store)", id: "transfers.id", version: "transfers.sync_version", rows: slice[models.Transfer]()},
		{name: "transfer_items", from: "transfer_items JOIN transfers t ON t.id = transfer_items.transfer_id",
			where: "(t.from_store_id = @store OR t.to_store_id = @store)", id: "transfer_items.id", version: "transfer_items.sync_version", rows: slice[models.TransferItem]()},
	}
}

// EntityTypes lists the synced entity types in load order (permissions, from the code, first
// among the people's).
func EntityTypes() []string {
	var out []string
	for _, e := range entities() {
		out = append(out, e.name)
		if e.name == "roles" {
			out = append(out, "permissions")
		}
	}
	return out
}

// PullParams is one pull request: rows changed after (SinceVersion, SinceID).
type PullParams struct {
	EntityType   string
	SinceVersion int64
	SinceID      *uuid.UUID // within SinceVersion, after this row (a page cut inside one transaction)
	Limit        int
}

// Pulled is one answer. LatestVersion (and LatestID, when HasMore) is the cursor to send next.
type Pulled struct {
	EntityType    string     `json:"entityType"`
	Rows          any        `json:"rows"`
	Deleted       []string   `json:"deleted"`
	LatestVersion int64      `json:"latestVersion"`
	LatestID      *uuid.UUID `json:"latestId,omitempty"`
	HasMore       bool       `json:"hasMore"`
	// Count and Checksum describe the store's whole slice of the entity (when the pull is
	// caught up): the number of rows and the MD5 of their ids in order, to detect drift.
	Count    *int64 `json:"count,omitempty"`
	Checksum string `json:"checksum,omitempty"`
}

// ErrMustResync is a cursor older than the kept tombstones: the store missed deletes and must
// load the entity again from version 0.
var ErrMustResync = &models.Error{Kind: models.ErrGone, Message: "this cursor is older than the deletes head office keeps: load again from since_version=0"}

type key struct {
	ID      uuid.UUID
	Version int64
}

// Pull answers the rows of one entity a store's cursor has not seen, oldest change first.
//
// Only transactions that have finished are served: versions are transaction ids, and every
// transaction older than the snapshot's xmin (pg_snapshot_xmin) has committed or aborted, so a
// row stamped by a transaction that is still open is held back until it ends, and the cursor
// never moves past it. Caught up, the cursor moves to xmin-1.
func (s *Service) Pull(ctx context.Context, store models.Store, p PullParams) (*Pulled, error) {
	if p.Limit <= 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit > MaxLimit {
		return nil, models.FieldError("limit", fmt.Sprintf("must be at most %d", MaxLimit))
	}
	if p.EntityType == "permissions" {
		return permissionsPull(p), nil // from the code: nothing to record
	}
	var e *entity
	for _, cand := range entities() {
		if cand.name == p.EntityType {
			e = &cand
			break
		}
	}
	if e == nil {
		return nil, models.FieldError("entity_type", "must be one of: "+strings.Join(EntityTypes(), ", "))
	}
	out := &Pulled{EntityType: e.name, Deleted: []string{}}
	// One snapshot for the horizon, the rows and the tombstones.
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").Error; err != nil {
			return err
		}
		var horizon, purged int64
		if err := tx.Raw("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint").Scan(&horizon).Error; err != nil {
			return err
		}
		if err := tx.Raw("SELECT purged_through FROM sync_retention").Scan(&purged).Error; err != nil {
			return err
		}
		if p.SinceVersion > 0 && p.SinceVersion < purged {
			return ErrMustResync
		}
		args := map[string]any{"store": store.ID, "since": p.SinceVersion, "horizon": horizon, "limit": p.Limit + 1}
		after := e.version + " > @since"
		if p.SinceID != nil {
			args["sinceID"] = *p.SinceID
			after = fmt.Sprintf("(%s > @since OR (%s = @since AND %s > @sinceID))", e.version, e.version, e.id)
		}
		var keys []key
		q := fmt.Sprintf("SELECT %s AS id, %s AS version FROM %s WHERE %s AND %s < @horizon AND %s ORDER BY 2, 1 LIMIT @limit",
			e.id, e.version, e.from, e.scope(), e.version, after)
		if err := tx.Raw(q, args).Scan(&keys).Error; err != nil {
			return err
		}
		upto := max(horizon-1, p.SinceVersion)
		if len(keys) > p.Limit {
			keys = keys[:p.Limit]
			last := keys[len(keys)-1]
			out.HasMore, upto, out.LatestID = true, last.Version, &last.ID
		}
		out.LatestVersion = upto
		rows := e.rows()
		ids := make([]uuid.UUID, len(keys))
		for i, k := range keys {
			ids[i] = k.ID
		}
		if len(ids) > 0 {
			rq := fmt.Sprintf("SELECT %s.* FROM %s WHERE %s IN @ids ORDER BY %s, %s", e.table(), e.from, e.id, e.version, e.id)
			if e.name == "users" {
				rq = fmt.Sprintf("SELECT users.* FROM %s WHERE users.id IN @ids ORDER BY %s, users.id", e.from, e.version)
			}
			if err := tx.Raw(rq, map[string]any{"store": store.ID, "ids": ids}).Scan(rows).Error; err != nil {
				return err
			}
		}
		out.Rows = rows
		if err := tx.Raw(`SELECT entity_id::text FROM sync_tombstones WHERE entity_type = ? AND sync_version > ? AND sync_version <= ?
			AND (store_id IS NULL OR store_id = ?) ORDER BY sync_version, id`, e.name, p.SinceVersion, upto, store.ID).Scan(&out.Deleted).Error; err != nil {
			return err
		}
		if out.HasMore {
			return nil
		}
		var sum struct {
			Count    int64
			Checksum string
		}
		cq := fmt.Sprintf("SELECT count(*) AS count, coalesce(md5(string_agg(%s::text, ',' ORDER BY %s)), '') AS checksum FROM %s WHERE %s", e.id, e.id, e.from, e.scope())
		if err := tx.Raw(cq, named(cq, args)...).Scan(&sum).Error; err != nil {
			return err
		}
		out.Count, out.Checksum = &sum.Count, sum.Checksum
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE store_sync SET last_pull_at = now() WHERE store_id = ?", store.ID).Error; err != nil {
			return err
		}
		// The cursor only moves forward: a store reloading from 0 has not lost what it holds.
		return tx.Exec(`INSERT INTO store_sync_cursors (store_id, entity_type, version, pulled_at) VALUES (?, ?, ?, now())
			ON CONFLICT (store_id, entity_type) DO UPDATE SET version = GREATEST(store_sync_cursors.version, EXCLUDED.version), pulled_at = now()`,
			store.ID, out.EntityType, out.LatestVersion).Error
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// named passes args to a query only when it names one: GORM takes a map given to a query without
// @names as one positional value.
func named(q string, args map[string]any) []any {
	if strings.Contains(q, "@") {
		return []any{args}
	}
	return nil
}

// scope is the WHERE of a store's slice ("true" when every store gets every row).
func (e entity) scope() string {
	if e.where == "" {
		return "true"
	}
	return e.where
}

// table is the table whose columns the rows are (the first word of from).
func (e entity) table() string {
	t, _, _ := strings.Cut(e.from, " ")
	return t
}

// permissionsPull answers the permission catalogue, which lives in the code: version 1, so a
// store loads it once (on its first pull) and again after a resync.
func permissionsPull(p PullParams) *Pulled {
	out := &Pulled{EntityType: "permissions", Rows: []models.Permission{}, Deleted: []string{}, LatestVersion: max(p.SinceVersion, 1)}
	if p.SinceVersion < 1 {
		out.Rows = models.Permissions
	}
	codes := models.AllPermissionCodes()
	sort.Strings(codes)
	n := int64(len(codes))
	sum := md5.Sum([]byte(strings.Join(codes, ",")))
	out.Count, out.Checksum = &n, hex.EncodeToString(sum[:])
	return out
}
