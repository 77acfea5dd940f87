// Package catalogsync receives seed 004's batch catalogue commands from outside systems: PATCH
// /api/v1/catalog/sync upserts products by the sender's external ids, and sync_clear also counts
// every other product of that sender to 0 at the key's store. A request is one transaction: all
// of it is written, or (any row wrong) none of it.
package catalogsync

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"backroom/app/apikeys"
	"backroom/app/catalog"
	"backroom/app/inventory"
	"backroom/models"
)

// Modes: the seed's two commands.
const (
	ModeSync      = "sync"
	ModeSyncClear = "sync_clear"
)

// Reason is written on every stock movement a sync makes; ReferenceType names the sync on
// movements, price history and the audit trail.
const (
	Reason        = "Catalogue sync"
	ReferenceType = "catalog_sync"
)

// Service applies catalogue syncs. It knows nothing of HTTP.
type Service struct {
	db     *gorm.DB
	keys   *apikeys.Service
	ledger *inventory.Ledger
}

// New builds the service: keys authenticates the senders of syncs, ledger counts their stock.
func New(db *gorm.DB, keys *apikeys.Service, ledger *inventory.Ledger) *Service {
	return &Service{db: db, keys: keys, ledger: ledger}
}

// Result is what a sync did. Created and Updated count the request's rows (new products, products
// the source already had); Cleared counts the source's other products whose stock sync_clear
// counted to 0; StockMoved counts every level that changed (each one movement).
type Result struct {
	SyncID     uuid.UUID `json:"syncId"`
	Mode       string    `json:"mode"`
	Rows       int       `json:"rows"`
	Created    int       `json:"created"`
	Updated    int       `json:"updated"`
	Cleared    int       `json:"cleared"`
	StockMoved int       `json:"stockMoved"`
}

// Source is the sender a key's rows belong to: the key's id. External ids are the sender's own,
// so two keys never share products by accident; a replacement key starts a new source.
func Source(key models.APIKey) string { return key.ID.String() }

// Sync applies one request's rows (raw JSON elements, as received) for key. Any row error fails
// the whole request with RowErrors and writes nothing.
func (s *Service) Sync(ctx context.Context, actor models.Actor, key models.APIKey, mode string, raws []json.RawMessage) (*Result, error) {
	if mode != ModeSync && mode != ModeSyncClear {
		return nil, models.NotFound("sync command")
	}
	rows, errs := parseRows(raws)
	if len(errs) > 0 {
		return nil, errs
	}
	needStore := mode == ModeSyncClear
	for _, r := range rows {
		needStore = needStore || r.inStock != nil
	}
	if needStore && key.StoreID == nil {
		return nil, &models.Error{Kind: models.ErrValidation,
			Message: "this API key has no store, and in_stock and sync_clear set stock at the key's store: create a key for the store"}
	}
	res := &Result{SyncID: models.NewID(), Mode: mode, Rows: len(rows)}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a := &applier{ledger: s.ledger, ctx: ctx, tx: tx, actor: actor, key: key, source: Source(key), res: res, rows: rows}
		return a.apply(mode)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// applier is one sync inside its transaction.
type applier struct {
	ledger *inventory.Ledger
	ctx    context.Context
	tx     *gorm.DB
	actor  models.Actor
	key    models.APIKey
	source string
	res    *Result
	rows   []row
	// productOf is each row's product, existing or created.
	productOf []uuid.UUID
}

// current is a product the source already has, as it is before the sync.
type current struct {
	ExternalID string
	ID         uuid.UUID
	Name       string
	SellPrice  int64
	Barcode    *string
}

func (a *applier) apply(mode string) error {
	// One sync per source at a time: two requests creating the same external id would otherwise
	// both try to insert it.
	if err := a.tx.Exec(`SELECT pg_advisory_xact_lock(hashtext(?))`, "catalog_sync:"+a.source).Error; err != nil {
		return err
	}
	ext := make(pq.StringArray, len(a.rows))
	for i, r := range a.rows {
		ext[i] = r.externalID
	}
	var have []current
	// Products are locked so the audit's "before" is what this sync overwrote. A link to a deleted
	// product counts as missing: the product is created again for review.
	err := a.tx.Raw(`
		SELECT k.external_id, p.id, p.name, p.sell_price, p.barcode
		FROM catalog_sync_links k JOIN products p ON p.id = k.product_id
		WHERE k.source = ? AND k.external_id = ANY(?::text[]) AND p.deleted_at IS NULL
		ORDER BY p.id FOR UPDATE OF p`, a.source, ext).Scan(&have).Error
	if err != nil {
		return fmt.Errorf("read linked products: %w", err)
	}
	byExt := make(map[string]current, len(have))
	for _, h := range have {
		byExt[h.ExternalID] = h
	}
	barcodes, err := a.barcodeOwners()
	if err != nil {
		return err
	}
	skus, err := a.takenSKUs(byExt)
	if err != nil {
		return err
	}
	a.productOf = make([]uuid.UUID, len(a.rows))
	var created []newProduct
	var updated []updatedProduct
	for i, r := range a.rows {
		if h, ok := byExt[r.externalID]; ok {
			a.productOf[i] = h.ID
			a.res.Updated++
			if u, changed := r.update(h, barcodes); changed {
				updated = append(updated, u)
			}
			continue
		}
		n := r.create(a.key, skus, barcodes)
		a.productOf[i] = n.id
		created = append(created, n)
	}
	a.res.Created = len(created)
	if err := a.insert(created); err != nil {
		return err
	}
	if err := a.update(updated); err != nil {
		return err
	}
	if err := a.audit(created, updated); err != nil {
		return err
	}
	if err := a.stock(mode); err != nil {
		return err
	}
	return models.Audit(a.ctx, a.tx, a.actor, mode, ReferenceType, a.res.SyncID, nil, map[string]any{
		"apiKey": a.key.Name, "source": a.source, "rows": a.res.Rows, "created": a.res.Created,
		"updated": a.res.Updated, "cleared": a.res.Cleared, "stockMoved": a.res.StockMoved})
}

// barcodeTaken maps each barcode a row brings to the live product that has it now (uuid.Nil when
// none), and marks the ones earlier rows of this request took.
type barcodeTaken struct {
	owner map[string]uuid.UUID
	took  map[string]bool
}

// free reports whether product id may take code: nobody has it, or id itself does, and no
// earlier row of this request took it. Barcodes other products give up in this same request are
// not handed on (the unique index is checked row by row as the update runs).
func (b barcodeTaken) free(code string, id uuid.UUID) bool {
	o := b.owner[code]
	return (o == uuid.Nil || o == id) && !b.took[code]
}

func (a *applier) barcodeOwners() (barcodeTaken, error) {
	b := barcodeTaken{owner: map[string]uuid.UUID{}, took: map[string]bool{}}
	var all pq.StringArray
	for _, r := range a.rows {
		all = append(all, r.barcodes...)
	}
	if len(all) == 0 {
		return b, nil
	}
	var owners []struct {
		ID      uuid.UUID
		Barcode string
	}
	if err := a.tx.Raw(`SELECT id, barcode FROM products WHERE deleted_at IS NULL AND barcode = ANY(?::text[])`, all).Scan(&owners).Error; err != nil {
		return b, fmt.Errorf("read barcodes: %w", err)
	}
	for _, o := range owners {
		b.owner[o.Barcode] = o.ID
	}
	return b, nil
}

// takenSKUs returns, lower-cased, the SKUs among the candidates of new rows that products hold.
func (a *applier) takenSKUs(have map[string]current) (map[string]bool, error) {
	var cands pq.StringArray
	for _, r := range a.rows {
		if _, ok := have[r.externalID]; !ok {
			for _, c := range skuCandidates(a.key, r.externalID) {
				cands = append(cands, strings.ToLower(c))
			}
		}
	}
	taken := map[string]bool{}
	if len(cands) == 0 {
		return taken, nil
	}
	var list []string
	if err := a.tx.Raw(`SELECT lower(sku) FROM products WHERE lower(sku) = ANY(?::text[])`, cands).Scan(&list).Error; err != nil {
		return nil, fmt.Errorf("read SKUs: %w", err)
	}
	for _, s := range list {
		taken[s] = true
	}
	return taken, nil
}

// skuCandidates are the SKUs a new product of external id ext may get, in order of preference:
// the external id itself, then "EXT-<key prefix>-<external id>". (A product whose candidates are
// all taken gets "EXT-" and a new id.)
func skuCandidates(key models.APIKey, ext string) []string {
	var out []string
	for _, c := range []string{ext, "EXT-" + strings.TrimPrefix(key.Prefix, "bk_") + "-" + ext} {
		if len(c) <= 50 && !strings.ContainsAny(c, " \t\r\n") {
			out = append(out, c)
		}
	}
	return out
}

// newProduct is a product a sync creates: inactive, for review.
type newProduct struct {
	id                 uuid.UUID
	externalID         string
	sku, name, barcode string
	price              int64
}

func (r row) create(key models.APIKey, takenSKU map[string]bool, b barcodeTaken) newProduct {
	n := newProduct{id: models.NewID(), externalID: r.externalID, name: r.externalID}
	if r.name != nil {
		n.name = *r.name
	}
	if r.price != nil {
		n.price = *r.price
	}
	for _, c := range skuCandidates(key, r.externalID) {
		if !takenSKU[strings.ToLower(c)] {
			n.sku = c
			break
		}
	}
	if n.sku == "" {
		n.sku = "EXT-" + n.id.String()
	}
	takenSKU[strings.ToLower(n.sku)] = true
	for _, code := range r.barcodes {
		if b.free(code, n.id) {
			n.barcode = code
			b.took[code] = true
			break
		}
	}
	return n
}

// updatedProduct is an existing product's values before and after a sync.
type updatedProduct struct {
	before, after current
}

// update merges the row into the product: fields the row leaves out stay; the barcode stays when
// the row lists it, else becomes the first listed one that is free.
func (r row) update(h current, b barcodeTaken) (updatedProduct, bool) {
	after := h
	if r.name != nil {
		after.Name = *r.name
	}
	if r.price != nil {
		after.SellPrice = *r.price
	}
	if len(r.barcodes) > 0 {
		keep := false
		for _, code := range r.barcodes {
			if h.Barcode != nil && code == *h.Barcode && b.free(code, h.ID) {
				keep = true
			}
		}
		if !keep {
			for _, code := range r.barcodes {
				if b.free(code, h.ID) {
					c := code
					after.Barcode = &c
					break
				}
			}
		}
		if after.Barcode != nil {
			b.took[*after.Barcode] = true
		}
	}
	changed := after.Name != h.Name || after.SellPrice != h.SellPrice || str(after.Barcode) != str(h.Barcode)
	return updatedProduct{before: h, after: after}, changed
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (a *applier) insert(created []newProduct) error {
	if len(created) == 0 {
		return nil
	}
	products := make([]catalog.BulkProduct, len(created))
	ids, exts := make(pq.StringArray, len(created)), make(pq.StringArray, len(created))
	for i, n := range created {
		products[i] = catalog.BulkProduct{ID: n.id, SKU: n.sku, Name: n.name, SellPrice: n.price, Barcode: barcodeOf(n.barcode), IsActive: false}
		ids[i], exts[i] = n.id.String(), n.externalID
	}
	// Created products stay inactive until someone reviews them.
	if err := catalog.AddProducts(a.ctx, a.tx, products); err != nil {
		return raced(err)
	}
	err := a.tx.Exec(`
		INSERT INTO catalog_sync_links (source, external_id, product_id, created_product, created_at, updated_at)
		SELECT ?, u.e, u.p, true, now(), now() FROM unnest(?::text[], ?::uuid[]) AS u(e, p)
		ON CONFLICT (source, external_id) DO UPDATE SET product_id = EXCLUDED.product_id, created_product = true, updated_at = now()`,
		a.source, exts, ids).Error
	if err != nil {
		return fmt.Errorf("link created products: %w", err)
	}
	return nil
}

// barcodeOf is a new product's barcode ("" is none).
func barcodeOf(code string) *string {
	if code == "" {
		return nil
	}
	return &code
}

// raced turns a uniqueness clash with a change made meanwhile (by a person or another source)
// into a conflict the sender may retry.
func raced(err error) error {
	if models.IsUniqueViolation(err, "products_sku_key") || models.IsUniqueViolation(err, "products_barcode_key") {
		return models.Conflict("a product was created or changed at the same time with one of these SKUs or barcodes; send the request again")
	}
	return err
}

func (a *applier) update(updated []updatedProduct) error {
	if len(updated) == 0 {
		return nil
	}
	products := make([]catalog.BulkProduct, len(updated))
	var chIDs, chProducts, chOld, chNew pq.StringArray
	for i, u := range updated {
		products[i] = catalog.BulkProduct{ID: u.after.ID, Name: u.after.Name, SellPrice: u.after.SellPrice, Barcode: u.after.Barcode}
		if u.after.SellPrice != u.before.SellPrice {
			chIDs = append(chIDs, models.NewID().String())
			chProducts = append(chProducts, u.after.ID.String())
			chOld = append(chOld, strconv.FormatInt(u.before.SellPrice, 10))
			chNew = append(chNew, strconv.FormatInt(u.after.SellPrice, 10))
		}
	}
	if err := catalog.UpdateProducts(a.ctx, a.tx, products); err != nil {
		return raced(err)
	}
	if len(chIDs) == 0 {
		return nil
	}
	// The price history on the product page shows what the sync changed, like a worksheet's.
	err := a.tx.Exec(`
		INSERT INTO product_changes (id, product_id, field, old_value, new_value, reference_type, reference_id, user_id, username, created_at)
		SELECT u.id, u.p, 'sell_price', u.o, u.n, ?, ?, ?::uuid, ?, now()
		FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[]) AS u(id, p, o, n)`,
		ReferenceType, a.res.SyncID, userOf(a.actor), a.actor.Username, chIDs, chProducts, chOld, chNew).Error
	if err != nil {
		return fmt.Errorf("record price changes: %w", err)
	}
	return nil
}

func userOf(a models.Actor) *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

// auditView is a product's synced fields as the audit trail records them.
type auditView struct {
	SKU        string  `json:"sku,omitempty"`
	Name       string  `json:"name"`
	SellPrice  int64   `json:"sellPrice"`
	Barcode    *string `json:"barcode"`
	IsActive   *bool   `json:"isActive,omitempty"`
	ExternalID string  `json:"externalId,omitempty"`
	SyncID     string  `json:"catalogSyncId"`
}

// audit writes one audit entry per created or changed product, in one statement.
func (a *applier) audit(created []newProduct, updated []updatedProduct) error {
	n := len(created) + len(updated)
	if n == 0 {
		return nil
	}
	ids, actions, products, before, after := make(pq.StringArray, 0, n), make(pq.StringArray, 0, n),
		make(pq.StringArray, 0, n), make(pq.StringArray, 0, n), make(pq.StringArray, 0, n)
	add := func(action string, id uuid.UUID, b, af any) error {
		bj := ""
		if b != nil {
			raw, err := json.Marshal(b)
			if err != nil {
				return err
			}
			bj = string(raw)
		}
		aj, err := json.Marshal(af)
		if err != nil {
			return err
		}
		ids, actions, products = append(ids, models.NewID().String()), append(actions, action), append(products, id.String())
		before, after = append(before, bj), append(after, string(aj))
		return nil
	}
	sync := a.res.SyncID.String()
	inactive := false
	for _, c := range created {
		var code *string
		if c.barcode != "" {
			code = &c.barcode
		}
		if err := add("create", c.id, nil, auditView{SKU: c.sku, Name: c.name, SellPrice: c.price, Barcode: code,
			IsActive: &inactive, ExternalID: c.externalID, SyncID: sync}); err != nil {
			return err
		}
	}
	for _, u := range updated {
		if err := add("update", u.after.ID,
			auditView{Name: u.before.Name, SellPrice: u.before.SellPrice, Barcode: u.before.Barcode, SyncID: sync},
			auditView{Name: u.after.Name, SellPrice: u.after.SellPrice, Barcode: u.after.Barcode, ExternalID: u.after.ExternalID, SyncID: sync}); err != nil {
			return err
		}
	}
	err := a.tx.Exec(`
		INSERT INTO audit_log (id, user_id, username, action, entity_type, entity_id, before_data, after_data, created_at)
		SELECT u.id, ?::uuid, ?, u.action, 'product', u.p, NULLIF(u.b, '')::jsonb, u.a::jsonb, now()
		FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::text[]) AS u(id, action, p, b, a)`,
		userOf(a.actor), a.actor.Username, ids, actions, products, before, after).Error
	if err != nil {
		return fmt.Errorf("audit synced products: %w", err)
	}
	return nil
}

// stock counts the rows' in_stock at the key's store, and for sync_clear every other product of
// the source that has stock there to 0, through count movements.
func (a *applier) stock(mode string) error {
	targets := map[uuid.UUID]int64{}
	for i, r := range a.rows {
		if r.inStock != nil {
			targets[a.productOf[i]] = *r.inStock
		}
	}
	others := map[uuid.UUID]bool{}
	if mode == ModeSyncClear {
		passed := make(pq.StringArray, len(a.productOf))
		for i, id := range a.productOf {
			passed[i] = id.String()
		}
		var ids []uuid.UUID
		err := a.tx.Raw(`
			SELECT k.product_id FROM catalog_sync_links k
			JOIN inventory_levels l ON l.product_id = k.product_id AND l.store_id = ?
			WHERE k.source = ? AND l.quantity <> 0 AND NOT (k.product_id = ANY(?::uuid[]))`,
			*a.key.StoreID, a.source, passed).Scan(&ids).Error
		if err != nil {
			return fmt.Errorf("find products to clear: %w", err)
		}
		for _, id := range ids {
			targets[id] = 0
			others[id] = true
		}
	}
	if len(targets) == 0 {
		return nil
	}
	ref := a.res.SyncID
	moved, err := a.ledger.SetLevels(a.ctx, a.tx, a.actor, *a.key.StoreID, targets,
		inventory.Change{Type: models.MoveCount, Reason: Reason, ReferenceType: ReferenceType, ReferenceID: &ref})
	if err != nil {
		return err
	}
	a.res.StockMoved = len(moved)
	for _, m := range moved {
		if others[m.ProductID] {
			a.res.Cleared++
		}
	}
	return nil
}

// ReviewItem is a product a sync created that nobody has activated yet.
type ReviewItem struct {
	ProductID  uuid.UUID `json:"productId"`
	SKU        string    `json:"sku"`
	Name       string    `json:"name"`
	Barcode    *string   `json:"barcode"`
	SellPrice  int64     `json:"sellPrice"`
	ExternalID string    `json:"externalId"`
	Source     string    `json:"source"`
	APIKeyName string    `json:"apiKeyName"`
	CreatedAt  time.Time `json:"createdAt"`
}

// Review lists the products syncs created that are still inactive (and not deleted), newest first.
func (s *Service) Review(ctx context.Context, p models.Page) ([]ReviewItem, int64, error) {
	const from = `FROM catalog_sync_links k
		JOIN products p ON p.id = k.product_id AND NOT p.is_active AND p.deleted_at IS NULL
		LEFT JOIN api_keys ak ON ak.id::text = k.source
		WHERE k.created_product`
	var total int64
	if err := s.db.WithContext(ctx).Raw(`SELECT count(*) ` + from).Scan(&total).Error; err != nil {
		return nil, 0, err
	}
	items := make([]ReviewItem, 0, p.PageSize)
	err := s.db.WithContext(ctx).Raw(`
		SELECT p.id AS product_id, p.sku, p.name, p.barcode, p.sell_price, k.external_id, k.source,
			coalesce(ak.name, '') AS api_key_name, k.created_at `+from+`
		ORDER BY k.created_at DESC, p.sku LIMIT ? OFFSET ?`, p.PageSize, p.Offset()).Scan(&items).Error
	return items, total, err
}
