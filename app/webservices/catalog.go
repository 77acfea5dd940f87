package webservices

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/money"
	"backroom/app/pricing"
	"backroom/app/tabular"
	"backroom/models"
)

// CatalogLists are the lists GET /ws/v1/catalog/{list} answers.
var CatalogLists = []string{"products", "departments", "customers", "suppliers"}

// CatalogFormats are their formats, with content types.
var CatalogFormats = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"html": "text/html; charset=utf-8",
	"json": "application/json; charset=utf-8",
}

// CatalogFormatNames lists the formats in the order the docs show them.
var CatalogFormatNames = []string{"csv", "html", "json"}

// batchSize is how many rows are read at once: a 100,000-product catalogue streams in 100
// queries without ever being held in memory whole.
const batchSize = 1000

// ProductOut is a product in the download. The cost price is internal and never leaves
// Backroom; price is the selling price at the key's store (the base price for a key without one).
type ProductOut struct {
	ID           uuid.UUID  `json:"id"`
	SKU          string     `json:"sku"`
	Barcode      *string    `json:"barcode"`
	Name         string     `json:"name"`
	DepartmentID *uuid.UUID `json:"departmentId"`
	Department   string     `json:"department"`
	Price        int64      `json:"price"`
	TaxGroupID   *uuid.UUID `json:"taxGroupId"`
	TaxGroup     string     `json:"taxGroup"`
}

// DepartmentOut is a department with its parent.
type DepartmentOut struct {
	ID         uuid.UUID  `json:"id"`
	Code       *string    `json:"code"`
	Name       string     `json:"name"`
	ParentID   *uuid.UUID `json:"parentId"`
	ParentName *string    `json:"parentName"`
}

// CustomerOut is a customer.
type CustomerOut struct {
	ID        uuid.UUID `json:"id"`
	Code      string    `json:"code"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
}

// SupplierOut is a supplier.
type SupplierOut struct {
	ID          uuid.UUID `json:"id"`
	Code        *string   `json:"code"`
	Name        string    `json:"name"`
	ContactName string    `json:"contactName"`
	Email       string    `json:"email"`
	Phone       string    `json:"phone"`
}

// batches reads query (whose rows have an id) in id order, batchSize rows at a time, handing
// each batch to each; it returns the number of rows read.
func batches[T any](ctx context.Context, query func() *gorm.DB, idCol string, idOf func(T) uuid.UUID, each func([]T) error) (int, error) {
	var after uuid.UUID
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		var rows []T
		if err := query().Where(idCol+" > ?", after).Order(idCol).Limit(batchSize).Scan(&rows).Error; err != nil {
			return n, err
		}
		if len(rows) == 0 {
			return n, nil
		}
		if err := each(rows); err != nil {
			return n, err
		}
		n += len(rows)
		if len(rows) < batchSize {
			return n, nil
		}
		after = idOf(rows[len(rows)-1])
	}
}

func opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// WriteCatalog streams one list in format to w: active rows only. storeID prices products at a
// store. Errors after the first byte can only cut the download short; the caller has checked
// list and format before.
func (s *Service) WriteCatalog(ctx context.Context, w io.Writer, list, format string, storeID *uuid.UUID) error {
	t := tabular.NewWriter(format, w)
	if t == nil {
		return models.FieldError("format", "must be one of: "+strings.Join(CatalogFormatNames, ", "))
	}
	db := s.db.WithContext(ctx)
	var n int
	var err error
	switch list {
	case "products":
		if err := t.Begin("Products", []tabular.Column{{Title: "id"}, {Title: "sku"}, {Title: "barcode"}, {Title: "name"}, {Title: "department"},
			{Title: "price", Numeric: true}, {Title: "taxGroup"}}); err != nil {
			return err
		}
		now := time.Now()
		n, err = batches(ctx, func() *gorm.DB {
			return models.LiveProducts(db).Where("products.is_active").
				Select("products.id, products.sku, products.barcode, products.name, products.department_id, coalesce(d.name, '') AS department, products.sell_price AS price, products.tax_group_id, coalesce(g.name, '') AS tax_group").
				Joins("LEFT JOIN departments d ON d.id = products.department_id").
				Joins("LEFT JOIN tax_groups g ON g.id = products.tax_group_id")
		}, "products.id", func(p ProductOut) uuid.UUID { return p.ID }, func(rows []ProductOut) error {
			if storeID != nil {
				ids := make([]uuid.UUID, len(rows))
				for i, p := range rows {
					ids[i] = p.ID
				}
				prices, err := pricing.ResolveMany(ctx, s.db, *storeID, ids, now)
				if err != nil {
					return err
				}
				for i := range rows {
					if p, ok := prices[rows[i].ID]; ok {
						rows[i].Price = p.Price
					}
				}
			}
			for _, p := range rows {
				if err := t.Row([]string{p.ID.String(), p.SKU, opt(p.Barcode), p.Name, p.Department, money.Decimal(p.Price), p.TaxGroup}, p); err != nil {
					return err
				}
			}
			return nil
		})
	case "departments":
		if err := t.Begin("Departments", []tabular.Column{{Title: "id"}, {Title: "code"}, {Title: "name"}, {Title: "parentId"}, {Title: "parentName"}}); err != nil {
			return err
		}
		n, err = batches(ctx, func() *gorm.DB {
			return db.Table("departments").Where("departments.is_active").
				Select("departments.id, departments.code, departments.name, departments.parent_id, p.name AS parent_name").
				Joins("LEFT JOIN departments p ON p.id = departments.parent_id")
		}, "departments.id", func(d DepartmentOut) uuid.UUID { return d.ID }, func(rows []DepartmentOut) error {
			for _, d := range rows {
				parent := ""
				if d.ParentID != nil {
					parent = d.ParentID.String()
				}
				if err := t.Row([]string{d.ID.String(), opt(d.Code), d.Name, parent, opt(d.ParentName)}, d); err != nil {
					return err
				}
			}
			return nil
		})
	case "customers":
		if err := t.Begin("Customers", []tabular.Column{{Title: "id"}, {Title: "code"}, {Title: "firstName"}, {Title: "lastName"}, {Title: "email"}, {Title: "phone"}}); err != nil {
			return err
		}
		n, err = batches(ctx, func() *gorm.DB {
			return db.Table("customers").Where("customers.is_active").Select("id, code, first_name, last_name, email, phone")
		}, "customers.id", func(c CustomerOut) uuid.UUID { return c.ID }, func(rows []CustomerOut) error {
			for _, c := range rows {
				if err := t.Row([]string{c.ID.String(), c.Code, c.FirstName, c.LastName, c.Email, c.Phone}, c); err != nil {
					return err
				}
			}
			return nil
		})
	case "suppliers":
		if err := t.Begin("Suppliers", []tabular.Column{{Title: "id"}, {Title: "code"}, {Title: "name"}, {Title: "contactName"}, {Title: "email"}, {Title: "phone"}}); err != nil {
			return err
		}
		n, err = batches(ctx, func() *gorm.DB {
			return db.Table("suppliers").Where("suppliers.is_active").Select("id, code, name, contact_name, email, phone")
		}, "suppliers.id", func(sp SupplierOut) uuid.UUID { return sp.ID }, func(rows []SupplierOut) error {
			for _, sp := range rows {
				if err := t.Row([]string{sp.ID.String(), opt(sp.Code), sp.Name, sp.ContactName, sp.Email, sp.Phone}, sp); err != nil {
					return err
				}
			}
			return nil
		})
	default:
		return models.NotFound("catalogue list")
	}
	if err != nil {
		return err
	}
	return t.End(n)
}
