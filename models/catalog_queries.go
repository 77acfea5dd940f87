package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// GroupRate is one tax of a group as sales and product answers show it: the rate's own fields
// plus its place in the group (a compound rate taxes the ones before it).
type GroupRate struct {
	ID         uuid.UUID `json:"id"`
	Code       *string   `json:"code,omitempty"`
	Name       string    `json:"name"`
	Rate       int64     `json:"rate"`
	IsCompound bool      `json:"isCompound"`
	SortOrder  int       `json:"sortOrder"`
}

// TaxGroupRates returns the rates of each group in groupIDs in their order (sort order, then
// name so ties are stable), keyed by group id.
func TaxGroupRates(ctx context.Context, db *gorm.DB, groupIDs ...uuid.UUID) (map[uuid.UUID][]GroupRate, error) {
	out := map[uuid.UUID][]GroupRate{}
	if len(groupIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		GroupRate
		TaxGroupID uuid.UUID
	}
	err := db.WithContext(ctx).Table("tax_group_rates gr").
		Select("gr.tax_group_id, r.id, r.code, r.name, r.rate, r.is_compound, gr.sort_order").
		Joins("JOIN tax_rates r ON r.id = gr.tax_rate_id").
		Where("gr.tax_group_id IN ?", groupIDs).
		Order("gr.sort_order, r.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("tax group rates: %w", err)
	}
	for _, r := range rows {
		out[r.TaxGroupID] = append(out[r.TaxGroupID], r.GroupRate)
	}
	return out, nil
}

// ProductTaxRates returns the ordered rates a product is taxed with (none without a tax group).
func ProductTaxRates(ctx context.Context, db *gorm.DB, p Product) ([]GroupRate, error) {
	if p.TaxGroupID == nil {
		return []GroupRate{}, nil
	}
	m, err := TaxGroupRates(ctx, db, *p.TaxGroupID)
	if err != nil {
		return nil, err
	}
	if m[*p.TaxGroupID] == nil {
		return []GroupRate{}, nil
	}
	return m[*p.TaxGroupID], nil
}

// LiveProducts is the products that are not deleted (soft-deleted rows stay readable by id).
func LiveProducts(db *gorm.DB) *gorm.DB {
	return db.Model(&Product{}).Where("products.deleted_at IS NULL")
}

// ProductByBarcode finds the live product with this barcode.
func ProductByBarcode(ctx context.Context, db *gorm.DB, barcode string) (Product, error) {
	var p Product
	err := LiveProducts(db.WithContext(ctx)).Where("barcode = ?", strings.TrimSpace(barcode)).Take(&p).Error
	return p, NotFoundIf(err, "product")
}

// ProductBySKU finds a product by SKU, case-insensitively (deleted ones included: SKUs are
// never reused).
func ProductBySKU(ctx context.Context, db *gorm.DB, sku string) (Product, error) {
	var p Product
	err := db.WithContext(ctx).Where("lower(sku) = lower(?)", strings.TrimSpace(sku)).Take(&p).Error
	return p, NotFoundIf(err, "product")
}

// SearchProducts narrows q (over products) to rows whose name, SKU or barcode contains term,
// case-insensitively. The expression matches the trigram index products_search_idx.
func SearchProducts(q *gorm.DB, term string) *gorm.DB {
	term = strings.TrimSpace(term)
	if term == "" {
		return q
	}
	return q.Where(`(lower(products.name) || ' ' || lower(products.sku) || ' ' || coalesce(products.barcode, '')) LIKE ?`,
		"%"+EscapeLike(strings.ToLower(term))+"%")
}

// EscapeLike escapes LIKE wildcards so a search term matches literally.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// DepartmentSubtree returns a SQL subquery of the department and all its descendants, for
// "products in Grocery" to include "Grocery › Dairy".
func DepartmentSubtree(db *gorm.DB, id uuid.UUID) *gorm.DB {
	return db.Raw(`WITH RECURSIVE t AS (
		SELECT id FROM departments WHERE id = ?
		UNION
		SELECT d.id FROM departments d JOIN t ON d.parent_id = t.id
	) SELECT id FROM t`, id)
}

// Result shapes of catalogue queries, shared by the catalogue's API and its pages.

// ProductRow is a product in a list, with its department's name.
type ProductRow struct {
	Product
	DepartmentName *string `json:"departmentName"`
}

// ProductDetail is one product with what it refers to: department, tax group with its rates in
// order, and units.
type ProductDetail struct {
	Product
	Department      *Department  `json:"department"`
	TaxGroup        *TaxGroupRef `json:"taxGroup"`
	TaxRates        []GroupRate  `json:"taxRates"`
	PurchaseUnit    *Unit        `json:"purchaseUnit"`
	ConsumptionUnit *Unit        `json:"consumptionUnit"`
}

// TaxGroupRef names a tax group.
type TaxGroupRef struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// DepartmentRow is a department in the tree: its full path ("Grocery › Dairy"), depth and the
// number of live products directly in it.
type DepartmentRow struct {
	Department
	Path         string `json:"path"`
	Depth        int    `json:"depth"`
	ProductCount int64  `json:"productCount"`
}

// TaxRateRow is a rate with the names of the groups it is in.
type TaxRateRow struct {
	TaxRate
	Groups []string `json:"groups"`
}

// TaxGroupView is a group with its rates in the order they apply.
type TaxGroupView struct {
	ID           uuid.UUID   `json:"id"`
	Name         string      `json:"name"`
	Description  string      `json:"description"`
	Rates        []GroupRate `json:"rates"`
	ProductCount int64       `json:"productCount"`
	CreatedAt    time.Time   `json:"createdAt"`
	UpdatedAt    time.Time   `json:"updatedAt"`
}

// SupplierRow is a supplier with the number of products linked to it.
type SupplierRow struct {
	Supplier
	ProductCount int64 `json:"productCount"`
}

// UnitRow is a unit with the number of products buying or counting in it.
type UnitRow struct {
	Unit
	ProductCount int64 `json:"productCount"`
}
