package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// Service is the inventory area: stock levels, adjustments, the movement history and stock
// counts. Every change of stock goes through the ledger.
type Service struct {
	db     *gorm.DB
	ledger *Ledger
}

// NewService returns the inventory service; its adjustments and counts move stock through ledger.
func NewService(db *gorm.DB, ledger *Ledger) *Service { return &Service{db: db, ledger: ledger} }

// Adjustment reasons, as the store manager picks them.
var Reasons = []string{"Physical Count", "Damaged", "Theft/Shrinkage", "Received", "Other"}

func isReason(r string) bool {
	for _, x := range Reasons {
		if x == r {
			return true
		}
	}
	return false
}

// LevelRow is a stock level as lists show it: the level plus who and what it is about.
type LevelRow struct {
	StoreID        uuid.UUID  `json:"storeId"`
	StoreCode      string     `json:"storeCode"`
	StoreName      string     `json:"storeName"`
	ProductID      uuid.UUID  `json:"productId"`
	SKU            string     `gorm:"column:sku" json:"sku"`
	Barcode        *string    `json:"barcode"`
	ProductName    string     `json:"productName"`
	CostPrice      int64      `json:"costPrice"`
	Quantity       int64      `json:"quantity"`
	ReorderPoint   int64      `json:"reorderPoint"`
	LastMovementAt *time.Time `json:"lastMovementAt"`
}

// LevelFilter narrows the stock list. With a StoreID the list covers every active product that
// tracks stock (those that never moved there show 0) plus any other product with a level row
// at that store; without one it lists the level rows that exist, in the stores the actor may see.
// The query tags are the list's parameters, the same for the API and the page (server.BindQuery).
type LevelFilter struct {
	StoreID   *uuid.UUID `query:"store_id,storeId"`
	ProductID *uuid.UUID `query:"product_id,productId"`
	// LowStock keeps levels at or below a reorder point that is set (reorderPoint > 0).
	LowStock bool `query:"low_stock"`
	// Negative keeps levels below zero (sold offline before stock arrived).
	Negative bool   `query:"negative"`
	Search   string `query:"search"`
}

// scopeSQL is the store condition for an actor's perm over column, as SQL and args.
func scopeSQL(actor models.Actor, perm, column string) (string, []any) {
	all, stores := actor.Scope(perm)
	switch {
	case all:
		return "true", nil
	case len(stores) == 0:
		return "false", nil
	}
	return column + " IN ?", []any{stores}
}

// Levels returns a page of stock levels ordered by product name and store.
func (s *Service) Levels(ctx context.Context, actor models.Actor, f LevelFilter, p models.Page) ([]LevelRow, int64, error) {
	var base string
	var args []any
	const cols = `s.id AS store_id, s.code AS store_code, s.name AS store_name, p.id AS product_id, p.sku, p.barcode,
		p.name AS product_name, p.cost_price, coalesce(l.quantity, 0) AS quantity, coalesce(l.reorder_point, 0) AS reorder_point`
	if f.StoreID != nil {
		if !actor.CanAt("inventory.view", *f.StoreID) {
			return nil, 0, models.Forbidden("You may not see the stock of that store")
		}
		base = `SELECT ` + cols + ` FROM products p JOIN stores s ON s.id = ?
			LEFT JOIN inventory_levels l ON l.store_id = s.id AND l.product_id = p.id
			WHERE (l.product_id IS NOT NULL OR (p.deleted_at IS NULL AND p.is_active AND p.track_stock))`
		args = append(args, *f.StoreID)
	} else {
		cond, scopeArgs := scopeSQL(actor, "inventory.view", "l.store_id")
		base = `SELECT ` + cols + ` FROM inventory_levels l JOIN products p ON p.id = l.product_id
			JOIN stores s ON s.id = l.store_id WHERE ` + cond
		args = append(args, scopeArgs...)
	}
	var where []string
	if f.ProductID != nil {
		where = append(where, "r.product_id = ?")
		args = append(args, *f.ProductID)
	}
	if f.LowStock {
		where = append(where, "r.reorder_point > 0 AND r.quantity <= r.reorder_point")
	}
	if f.Negative {
		where = append(where, "r.quantity < 0")
	}
	if term := strings.ToLower(strings.TrimSpace(f.Search)); term != "" {
		like := "%" + likeEscape(term) + "%"
		where = append(where, "(lower(r.product_name) LIKE ? OR lower(r.sku) LIKE ? OR r.barcode = ?)")
		args = append(args, like, like, strings.TrimSpace(f.Search))
	}
	from := `FROM (` + base + `) r`
	if len(where) > 0 {
		from += ` WHERE ` + strings.Join(where, " AND ")
	}
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Raw(`SELECT count(*) `+from, args...).Scan(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count levels: %w", err)
	}
	rows := make([]LevelRow, 0, p.PageSize)
	err := db.Raw(`SELECT r.*, (SELECT max(m.created_at) FROM inventory_movements m
			WHERE m.store_id = r.store_id AND m.product_id = r.product_id) AS last_movement_at `+from+`
		ORDER BY lower(r.product_name), r.sku, r.store_code LIMIT ? OFFSET ?`,
		append(args, p.PageSize, p.Offset())...).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list levels: %w", err)
	}
	return rows, total, nil
}

// likeEscape makes s literal inside a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ProductRef is the product a stock answer is about.
type ProductRef struct {
	ID        uuid.UUID `json:"id"`
	SKU       string    `gorm:"column:sku" json:"sku"`
	Barcode   *string   `json:"barcode"`
	Name      string    `json:"name"`
	CostPrice int64     `json:"costPrice"`
}

// product loads a live product, or a 422 naming field when there is none.
func product(tx *gorm.DB, id uuid.UUID, field string) (models.Product, error) {
	var p models.Product
	err := tx.Where("deleted_at IS NULL").Take(&p, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, models.FieldError(field, "is not a known product")
	}
	return p, err
}

// productByCode finds a live product whose barcode or SKU (any case) is code, preferring a
// barcode match; nil when there is none.
func productByCode(tx *gorm.DB, code string) (*models.Product, error) {
	code = strings.TrimSpace(code)
	var found []models.Product
	err := tx.Where("deleted_at IS NULL AND (barcode = ? OR lower(sku) = lower(?))", code, code).
		Order(clause.OrderBy{Expression: clause.Expr{SQL: "(barcode = ?) DESC", Vars: []any{code}}}).
		Limit(1).Find(&found).Error
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return &found[0], nil
}

// store loads a store, or a 422 naming field when there is none.
func store(tx *gorm.DB, id uuid.UUID, field string) (models.Store, error) {
	var st models.Store
	err := tx.Take(&st, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return st, models.FieldError(field, "is not a known store")
	}
	return st, err
}

// CrossStoreRow is one store's stock of a product.
type CrossStoreRow struct {
	StoreID        uuid.UUID  `json:"storeId"`
	StoreCode      string     `json:"storeCode"`
	StoreName      string     `json:"storeName"`
	Quantity       int64      `json:"quantity"`
	ReorderPoint   int64      `json:"reorderPoint"`
	LastMovementAt *time.Time `json:"lastMovementAt"`
}

// CrossStore is a product's stock in every active store.
type CrossStore struct {
	Product ProductRef      `json:"product"`
	Stores  []CrossStoreRow `json:"stores"`
	Total   int64           `json:"total"` // the sum over all stores, thousandths
}

// CrossStoreLevels returns every active store's level of a product (0 where it never moved).
// Unlike the stock list it is not limited to the actor's stores: finding stock elsewhere, to ask
// for a transfer, is what it is for; it shows quantities only.
func (s *Service) CrossStoreLevels(ctx context.Context, productID uuid.UUID) (CrossStore, error) {
	db := s.db.WithContext(ctx)
	var out CrossStore
	var p models.Product
	if err := db.Where("deleted_at IS NULL").Take(&p, "id = ?", productID).Error; err != nil {
		return out, models.NotFoundIf(err, "product")
	}
	out.Product = ProductRef{ID: p.ID, SKU: p.SKU, Barcode: p.Barcode, Name: p.Name, CostPrice: p.CostPrice}
	out.Stores = []CrossStoreRow{}
	err := db.Raw(`SELECT s.id AS store_id, s.code AS store_code, s.name AS store_name,
			coalesce(l.quantity, 0) AS quantity, coalesce(l.reorder_point, 0) AS reorder_point,
			(SELECT max(m.created_at) FROM inventory_movements m WHERE m.store_id = s.id AND m.product_id = ?) AS last_movement_at
		FROM stores s LEFT JOIN inventory_levels l ON l.store_id = s.id AND l.product_id = ?
		WHERE s.is_active OR l.quantity <> 0
		ORDER BY s.is_hq DESC, s.code`, productID, productID).Scan(&out.Stores).Error
	if err != nil {
		return out, fmt.Errorf("cross-store levels: %w", err)
	}
	for _, r := range out.Stores {
		out.Total += r.Quantity
	}
	return out, nil
}

// MovementRow is a ledger line with the names lists show beside it.
type MovementRow struct {
	models.InventoryMovement
	StoreCode   string `json:"storeCode"`
	SKU         string `gorm:"column:sku" json:"sku"`
	ProductName string `json:"productName"`
	Username    string `json:"username"`
}

// MovementFilter narrows the movement history; its query tags are the history's parameters.
type MovementFilter struct {
	StoreID   *uuid.UUID `query:"store_id,storeId"`
	ProductID *uuid.UUID `query:"product_id,productId"`
	Type      string     `query:"type"`
}

// Movements returns a page of the ledger, newest first, in the stores the actor may see.
func (s *Service) Movements(ctx context.Context, actor models.Actor, f MovementFilter, p models.Page) ([]MovementRow, int64, error) {
	if f.StoreID != nil && !actor.CanAt("inventory.view", *f.StoreID) {
		return nil, 0, models.Forbidden("You may not see the stock of that store")
	}
	q := actor.ScopeQuery(s.db.WithContext(ctx).Table("inventory_movements m").
		Joins("JOIN stores s ON s.id = m.store_id").
		Joins("JOIN products p ON p.id = m.product_id").
		Joins("LEFT JOIN users u ON u.id = m.user_id"), "inventory.view", "m.store_id")
	if f.StoreID != nil {
		q = q.Where("m.store_id = ?", *f.StoreID)
	}
	if f.ProductID != nil {
		q = q.Where("m.product_id = ?", *f.ProductID)
	}
	if f.Type != "" {
		q = q.Where("m.type = ?", f.Type)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count movements: %w", err)
	}
	rows := make([]MovementRow, 0, p.PageSize)
	err := p.Apply(q.Session(&gorm.Session{})).
		Select("m.*, s.code AS store_code, p.sku, p.name AS product_name, coalesce(u.username, '') AS username").
		Order("m.created_at DESC, m.id DESC").Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list movements: %w", err)
	}
	return rows, total, nil
}

// AdjustmentInput is a manual stock change: a signed Quantity delta or an absolute NewQuantity
// (thousandths, exactly one of them), with a reason from Reasons and an optional note.
type AdjustmentInput struct {
	StoreID     string `json:"storeId"`
	ProductID   string `json:"productId"`
	Quantity    *int64 `json:"quantity"`
	NewQuantity *int64 `json:"newQuantity"`
	Reason      string `json:"reason"`
	Note        string `json:"note"`
}

// Adjustment is what an adjustment answers: the movement written and the level after it.
type Adjustment struct {
	Movement models.InventoryMovement `json:"movement"`
	Level    models.InventoryLevel    `json:"level"`
}

// parseID reads a required id field into e.
func parseID(e *models.Error, field, s string) uuid.UUID {
	s = strings.TrimSpace(s)
	if s == "" {
		e.Add(field, "is required")
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		e.Add(field, "must be a valid id")
		return uuid.Nil
	}
	return id
}

// Adjust applies a manual adjustment at a store where the actor holds inventory.adjust. A "new
// quantity" is turned into a delta under the level's row lock, so a sale landing at the same
// moment is not overwritten. A Physical Count is recorded as a count movement.
func (s *Service) Adjust(ctx context.Context, actor models.Actor, in AdjustmentInput) (Adjustment, error) {
	var out Adjustment
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = s.AdjustTx(ctx, tx, actor, in)
		return err
	})
	return out, err
}

// AdjustTx adjusts stock as Adjust does, inside the caller's transaction (a store server's
// pushed adjustment, applied with the rest of its batch).
func (s *Service) AdjustTx(ctx context.Context, tx *gorm.DB, actor models.Actor, in AdjustmentInput) (Adjustment, error) {
	tx = tx.WithContext(ctx)
	e := models.Invalid()
	storeID := parseID(e, "storeId", in.StoreID)
	productID := parseID(e, "productId", in.ProductID)
	in.Reason, in.Note = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Note)
	switch {
	case in.Quantity == nil && in.NewQuantity == nil:
		e.Add("quantity", "give a quantity change or a new quantity")
	case in.Quantity != nil && in.NewQuantity != nil:
		e.Add("quantity", "give either a quantity change or a new quantity, not both")
	case in.Quantity != nil && *in.Quantity == 0:
		e.Add("quantity", "must not be zero")
	case in.NewQuantity != nil && *in.NewQuantity < 0:
		e.Add("newQuantity", "must be zero or more")
	}
	if in.Reason == "" {
		e.Add("reason", "is required")
	} else if !isReason(in.Reason) {
		e.Add("reason", "must be one of "+strings.Join(Reasons, ", "))
	}
	if utf8.RuneCountInString(in.Note) > 150 {
		e.Add("note", "must be at most 150 characters")
	}
	if err := e.Err(); err != nil {
		return Adjustment{}, err
	}
	if !actor.CanAt("inventory.adjust", storeID) {
		return Adjustment{}, models.Forbidden("You may not adjust the stock of that store")
	}
	var out Adjustment
	err := func() error {
		if _, err := store(tx, storeID, "storeId"); err != nil {
			return err
		}
		p, err := product(tx, productID, "productId")
		if err != nil {
			return err
		}
		if !p.TrackStock {
			return models.FieldError("productId", "does not track stock")
		}
		delta := int64(0)
		if in.Quantity != nil {
			delta = *in.Quantity
		} else {
			current, err := LockLevel(ctx, tx, storeID, productID)
			if err != nil {
				return err
			}
			delta = *in.NewQuantity - current
			if delta == 0 {
				return models.FieldError("newQuantity", "is already the quantity in stock")
			}
		}
		typ := models.MoveAdjustment
		if in.Reason == "Physical Count" {
			typ = models.MoveCount
		}
		reason := in.Reason
		if in.Note != "" {
			reason += ": " + in.Note
		}
		moves, err := s.ledger.Apply(ctx, tx, actor, Change{StoreID: storeID, ProductID: productID, Delta: delta, Type: typ,
			Reason: reason, ReferenceType: "adjustment"})
		if err != nil {
			return err
		}
		out.Movement = moves[0]
		if err := tx.Take(&out.Level, "store_id = ? AND product_id = ?", storeID, productID).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "inventory.adjust", "inventory_movement", out.Movement.ID, nil, map[string]any{
			"storeId": storeID, "productId": productID, "sku": p.SKU, "quantity": delta, "quantityAfter": out.Movement.QuantityAfter,
			"reason": in.Reason, "note": in.Note, "newQuantity": in.NewQuantity,
		})
	}()
	return out, err
}

// LockLevel returns a level's quantity with its row locked for the rest of tx, creating the row
// (at 0) first when the product never moved at the store, so even a first change is serialised.
func LockLevel(ctx context.Context, tx *gorm.DB, storeID, productID uuid.UUID) (int64, error) {
	err := tx.WithContext(ctx).Exec(`INSERT INTO inventory_levels (store_id, product_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		storeID, productID).Error
	if err != nil {
		return 0, fmt.Errorf("create level: %w", err)
	}
	return Level(ctx, tx, storeID, productID)
}

// ReorderPointInput sets the quantity at or below which a level counts as low stock.
type ReorderPointInput struct {
	StoreID      string `json:"storeId"`
	ProductID    string `json:"productId"`
	ReorderPoint *int64 `json:"reorderPoint"`
}

// SetReorderPoint sets a level's reorder point (thousandths; 0 turns the low-stock warning off).
func (s *Service) SetReorderPoint(ctx context.Context, actor models.Actor, in ReorderPointInput) (models.InventoryLevel, error) {
	e := models.Invalid()
	storeID := parseID(e, "storeId", in.StoreID)
	productID := parseID(e, "productId", in.ProductID)
	if in.ReorderPoint == nil {
		e.Add("reorderPoint", "is required")
	} else if *in.ReorderPoint < 0 {
		e.Add("reorderPoint", "must be zero or more")
	}
	if err := e.Err(); err != nil {
		return models.InventoryLevel{}, err
	}
	if !actor.CanAt("inventory.adjust", storeID) {
		return models.InventoryLevel{}, models.Forbidden("You may not change the stock settings of that store")
	}
	var lvl models.InventoryLevel
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := store(tx, storeID, "storeId"); err != nil {
			return err
		}
		if _, err := product(tx, productID, "productId"); err != nil {
			return err
		}
		if _, err := LockLevel(ctx, tx, storeID, productID); err != nil {
			return err
		}
		var before models.InventoryLevel
		if err := tx.Take(&before, "store_id = ? AND product_id = ?", storeID, productID).Error; err != nil {
			return err
		}
		err := tx.Raw(`UPDATE inventory_levels SET reorder_point = ? WHERE store_id = ? AND product_id = ? RETURNING *`,
			*in.ReorderPoint, storeID, productID).Scan(&lvl).Error
		if err != nil {
			return fmt.Errorf("set reorder point: %w", err)
		}
		return models.Audit(ctx, tx, actor, "inventory.reorder_point", "inventory_level", productID, before, lvl)
	})
	return lvl, err
}
