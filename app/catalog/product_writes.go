package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// The functions in this file are how other areas change products: a receipt raising a cost, a
// worksheet changing prices or adding products, a catalogue sync. Each runs in the caller's
// transaction and checks what the catalogue insists on whoever writes (prices within 0 and
// maxMoney, SKUs and live barcodes unique). They write the product only: the caller records the
// price history and the audit entry, because only it knows the document that made the change.

// SetCost makes cost the cost price of product productID and returns the cost price it had. The
// product stays locked until tx ends, so a caller changing several products locks them in id
// order. An unchanged cost writes nothing.
func SetCost(ctx context.Context, tx *gorm.DB, productID uuid.UUID, cost int64) (int64, error) {
	e := models.Invalid()
	checkMoney(e, "costPrice", cost)
	if err := e.Err(); err != nil {
		return 0, err
	}
	var old int64
	res := tx.WithContext(ctx).Raw("SELECT cost_price FROM products WHERE id = ? FOR UPDATE", productID).Scan(&old)
	if res.Error != nil {
		return 0, fmt.Errorf("lock product %s: %w", productID, res.Error)
	}
	if res.RowsAffected == 0 {
		return 0, models.NotFound("product")
	}
	if old == cost {
		return old, nil
	}
	if err := tx.WithContext(ctx).Exec("UPDATE products SET cost_price = ?, updated_at = now() WHERE id = ?", cost, productID).Error; err != nil {
		return 0, fmt.Errorf("set cost of product %s: %w", productID, err)
	}
	return old, nil
}

// Change is new values for some of a live product's fields; nil fields keep theirs. A blank
// barcode removes it.
type Change struct {
	SellPrice    *int64
	CostPrice    *int64
	Name         *string
	Description  *string
	DepartmentID *uuid.UUID
	Barcode      *string
	TaxGroupID   *uuid.UUID
	IsActive     *bool
}

// FieldChange is one field a Change altered: its column, and its values before and after as the
// price history and the audit trail record them (ids and barcodes as strings, "" for none).
type FieldChange struct {
	Field    string
	Old, New any
}

// Changed is what ApplyChange did: the product as it was, and the fields it altered, in a fixed
// order (sell_price, cost_price, name, description, department_id, barcode, tax_group_id,
// is_active).
type Changed struct {
	Before models.Product
	Fields []FieldChange
}

// ApplyChange makes change to live product productID, locking it until tx ends. Values equal to
// the current ones are not changes; when nothing changes nothing is written. A product that is
// missing or deleted is models.ErrNotFound; a price out of range is a validation error and a
// barcode another live product has is a conflict, both naming the field as a product's JSON does
// ("sellPrice", "barcode").
func ApplyChange(ctx context.Context, tx *gorm.DB, productID uuid.UUID, change Change) (Changed, error) {
	var p models.Product
	err := tx.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Take(&p, "id = ? AND deleted_at IS NULL", productID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Changed{}, models.NotFound("product")
	}
	if err != nil {
		return Changed{}, fmt.Errorf("lock product %s: %w", productID, err)
	}
	out := Changed{Before: p}
	set := map[string]any{}
	// add notes a field whose value differs (compared as the history records it) and reports it.
	add := func(field string, old, new, value any) bool {
		if fmt.Sprint(old) == fmt.Sprint(new) {
			return false
		}
		set[field] = value
		out.Fields = append(out.Fields, FieldChange{Field: field, Old: old, New: new})
		return true
	}
	e := models.Invalid()
	if v := change.SellPrice; v != nil && add("sell_price", p.SellPrice, *v, *v) {
		checkMoney(e, "sellPrice", *v)
	}
	if v := change.CostPrice; v != nil && add("cost_price", p.CostPrice, *v, *v) {
		checkMoney(e, "costPrice", *v)
	}
	if v := change.Name; v != nil {
		add("name", p.Name, *v, *v)
	}
	if v := change.Description; v != nil {
		add("description", p.Description, *v, *v)
	}
	if v := change.DepartmentID; v != nil {
		add("department_id", idString(p.DepartmentID), v.String(), v.String())
	}
	newBarcode := false
	barcode := normaliseBarcode(change.Barcode)
	if change.Barcode != nil {
		newBarcode = add("barcode", deref(p.Barcode), deref(barcode), barcode)
	}
	if v := change.TaxGroupID; v != nil {
		add("tax_group_id", idString(p.TaxGroupID), v.String(), v.String())
	}
	if v := change.IsActive; v != nil {
		add("is_active", p.IsActive, *v, *v)
	}
	if len(set) == 0 {
		return out, nil
	}
	if err := e.Err(); err != nil {
		return Changed{}, err
	}
	if newBarcode && barcode != nil {
		taken, err := barcodeTaken(ctx, tx, *barcode, p.ID)
		if err != nil {
			return Changed{}, err
		}
		if taken {
			return Changed{}, conflictOn("barcode", "another product has this barcode")
		}
	}
	set["updated_at"] = time.Now().UTC()
	if err := tx.WithContext(ctx).Model(&models.Product{}).Where("id = ?", p.ID).Updates(set).Error; err != nil {
		return Changed{}, fmt.Errorf("change product %s: %w", p.ID, err)
	}
	return out, nil
}

// CheckNewProduct says whether AddProduct would take p: its prices are in range, and then its
// SKU is free among all products (deleted ones keep theirs) and then its barcode among live ones.
// Only the first of those three that fails is reported.
func CheckNewProduct(ctx context.Context, tx *gorm.DB, p models.Product) error {
	e := models.Invalid()
	checkMoney(e, "sellPrice", p.SellPrice)
	checkMoney(e, "costPrice", p.CostPrice)
	if err := e.Err(); err != nil {
		return err
	}
	var n int64
	if err := tx.WithContext(ctx).Model(&models.Product{}).Where("lower(sku) = lower(?)", p.SKU).Count(&n).Error; err != nil {
		return fmt.Errorf("check SKU %q: %w", p.SKU, err)
	}
	if n > 0 {
		return conflictOn("sku", "another product has this SKU")
	}
	if p.Barcode == nil {
		return nil
	}
	taken, err := barcodeTaken(ctx, tx, *p.Barcode, uuid.Nil)
	if err != nil {
		return err
	}
	if taken {
		return conflictOn("barcode", "another product has this barcode")
	}
	return nil
}

// AddProduct inserts p after CheckNewProduct accepts it, and returns it with its id.
func AddProduct(ctx context.Context, tx *gorm.DB, p models.Product) (models.Product, error) {
	if err := CheckNewProduct(ctx, tx, p); err != nil {
		return models.Product{}, err
	}
	if err := tx.WithContext(ctx).Create(&p).Error; err != nil {
		return models.Product{}, fmt.Errorf("add product %s: %w", p.SKU, err)
	}
	return p, nil
}

// BulkProduct is one product of a set-based write: AddProducts inserts all its fields,
// UpdateProducts sets Name, SellPrice and Barcode (nil is none) of the product with ID.
type BulkProduct struct {
	ID        uuid.UUID
	SKU       string
	Name      string
	SellPrice int64
	Barcode   *string
	IsActive  bool
}

// AddProducts inserts products in one statement, in the Each unit and tracking stock. The caller
// has chosen free SKUs and barcodes; one taken meanwhile fails the statement with the unique
// violation (products_sku_key, products_barcode_key) for the caller to explain.
func AddProducts(ctx context.Context, tx *gorm.DB, products []BulkProduct) error {
	if len(products) == 0 {
		return nil
	}
	if err := checkBulkPrices(products); err != nil {
		return err
	}
	n := len(products)
	ids, skus, names, codes := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	prices, active := make(pq.Int64Array, n), make(pq.BoolArray, n)
	for i, p := range products {
		ids[i], skus[i], names[i], codes[i], prices[i], active[i] = p.ID.String(), p.SKU, p.Name, deref(p.Barcode), p.SellPrice, p.IsActive
	}
	err := tx.WithContext(ctx).Exec(`
		INSERT INTO products (id, sku, barcode, name, sell_price, purchase_unit_id, consumption_unit_id, track_stock, is_active, created_at, updated_at)
		SELECT u.id, u.sku, NULLIF(u.barcode, ''), u.name, u.price, ?, ?, true, u.active, now(), now()
		FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::boolean[]) AS u(id, sku, barcode, name, price, active)`,
		models.EachUnitID, models.EachUnitID, ids, skus, codes, names, prices, active).Error
	if err != nil {
		return fmt.Errorf("create products: %w", err)
	}
	return nil
}

// UpdateProducts sets the name, selling price and barcode of each product in one statement. The
// caller holds the products' locks and has chosen free barcodes; a barcode taken meanwhile fails
// the statement with products_barcode_key's unique violation for the caller to explain.
func UpdateProducts(ctx context.Context, tx *gorm.DB, products []BulkProduct) error {
	if len(products) == 0 {
		return nil
	}
	if err := checkBulkPrices(products); err != nil {
		return err
	}
	n := len(products)
	ids, names, codes := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	prices := make(pq.Int64Array, n)
	for i, p := range products {
		ids[i], names[i], codes[i], prices[i] = p.ID.String(), p.Name, deref(p.Barcode), p.SellPrice
	}
	err := tx.WithContext(ctx).Exec(`
		UPDATE products p SET name = u.name, sell_price = u.price, barcode = NULLIF(u.barcode, ''), updated_at = now()
		FROM unnest(?::uuid[], ?::text[], ?::bigint[], ?::text[]) AS u(id, name, price, barcode)
		WHERE p.id = u.id`, ids, names, prices, codes).Error
	if err != nil {
		return fmt.Errorf("update products: %w", err)
	}
	return nil
}

// checkBulkPrices refuses a set-based write with a selling price out of range, naming the row
// by its index: "[3].sellPrice".
func checkBulkPrices(products []BulkProduct) error {
	e := models.Invalid()
	for i, p := range products {
		checkMoney(e, fmt.Sprintf("[%d].sellPrice", i), p.SellPrice)
	}
	return e.Err()
}

// checkMoney adds an error on field when v is not an amount a product may have.
func checkMoney(e *models.Error, field string, v int64) {
	switch {
	case v < 0:
		e.Add(field, "must not be negative")
	case v > maxMoney:
		e.Add(field, "is too large")
	}
}

// barcodeTaken reports whether a live product other than except has code.
func barcodeTaken(ctx context.Context, tx *gorm.DB, code string, except uuid.UUID) (bool, error) {
	var n int64
	err := tx.WithContext(ctx).Model(&models.Product{}).Where("barcode = ? AND id <> ? AND deleted_at IS NULL", code, except).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("check barcode %s: %w", code, err)
	}
	return n > 0, nil
}

func idString(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
