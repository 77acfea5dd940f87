// Package seeds loads Backroom's deterministic demo data. Every step is keyed by a natural key
// (store code, role name, username, SKU, …), so running it twice changes nothing.
package seeds

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"backroom/app/admin"
	"backroom/app/auth"
	"backroom/app/config"
	"backroom/models"
)

// DemoStores are HQ and three shops.
var DemoStores = []models.Store{
	{Code: "HQ", Name: "Head Office", Address: "1 Market Street, Springfield", Phone: "555-0100", TimeZone: "America/New_York", IsHQ: true},
	{Code: "S001", Name: "Downtown", Address: "12 Main Street, Springfield", Phone: "555-0101", TimeZone: "America/New_York"},
	{Code: "S002", Name: "Riverside", Address: "88 River Road, Springfield", Phone: "555-0102", TimeZone: "America/New_York"},
	{Code: "S003", Name: "Airport", Address: "Terminal B, Springfield Airport", Phone: "555-0103", TimeZone: "America/Chicago"},
}

// RoleSpec is a demo role.
type RoleSpec struct {
	Name        string
	Description string
	Permissions []string
}

// DemoRoles are the three standard roles.
var DemoRoles = []RoleSpec{
	{"Administrator", "Everything, at every store", models.AllPermissionCodes()},
	{"Store Manager", "Runs a store: stock, counts, transfers, purchase orders, approvals, registers and store reports", []string{
		"products.view", "taxes.view", "suppliers.view", "users.view", "roles.view", "stores.view",
		"pos.sell", "pos.void", "tenders.view", "customers.view", "customers.create", "customers.edit",
		"sales_reps.view", "inventory.view", "inventory.adjust",
		"transfers.view", "transfers.create", "transfers.send", "transfers.receive",
		"registers.view", "registers.open", "registers.close",
		"purchase_orders.view", "purchase_orders.create", "purchase_orders.edit", "purchase_orders.approve", "purchase_orders.receive",
		"store_prices.view", "specials.view", "worksheets.view", "worksheets.approve",
		"reports.x_report", "reports.z_report", "reports.product_performance", "reports.sales_by_rep", "reports.cashier_performance",
	}},
	{"Cashier", "Sells at the till", []string{
		"products.view", "pos.sell", "tenders.view", "customers.view", "customers.create",
		"registers.open", "registers.close", "reports.x_report",
	}},
}

// UserSpec describes a user to create.
type UserSpec struct {
	Username, DisplayName, Email, PIN, Password, Role, StoreCode string
}

// DemoUsers are the three demo logins.
var DemoUsers = []UserSpec{
	{Username: "admin", DisplayName: "Administrator", PIN: "1234", Password: "backroom-admin", Role: "Administrator"},
	{Username: "manager", DisplayName: "Morgan Manager", PIN: "2345", Role: "Store Manager", StoreCode: "S001"},
	{Username: "cashier", DisplayName: "Casey Cashier", PIN: "3456", Role: "Cashier", StoreCode: "S001"},
}

// extraSeeders are further demo steps registered by other files of this package (catalogue,
// tenders, …), run in order after stores, roles and users.
var extraSeeders []func(ctx context.Context, tx *gorm.DB) error

// DemoOptions choose the optional parts of the demo data.
type DemoOptions struct {
	// SalesHistory adds two weeks of sales at the shops (seeds/sales.go).
	SalesHistory bool
}

// Demo loads the whole demo data, sales history included, in one transaction.
func Demo(ctx context.Context, db *gorm.DB, cfg config.Config) error {
	return DemoWith(ctx, db, cfg, DemoOptions{SalesHistory: true})
}

// DemoWith loads the demo data with the given options in one transaction. Tests that record
// their own sales and assert lists, totals or Z numbers leave the sales history out.
func DemoWith(ctx context.Context, db *gorm.DB, cfg config.Config, o DemoOptions) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, s := range DemoStores {
			s := s
			s.IsActive = true
			if err := tx.Where("lower(code) = lower(?)", s.Code).Attrs(s).FirstOrCreate(&s).Error; err != nil {
				return fmt.Errorf("seed store %s: %w", s.Code, err)
			}
		}
		for _, r := range DemoRoles {
			role := models.Role{Name: r.Name, Description: r.Description, Permissions: r.Permissions}
			if err := tx.Where("lower(name) = lower(?)", r.Name).Attrs(role).FirstOrCreate(&role).Error; err != nil {
				return fmt.Errorf("seed role %s: %w", r.Name, err)
			}
		}
		for _, u := range DemoUsers {
			var n int64
			if err := tx.Model(&models.User{}).Where("lower(username) = lower(?)", u.Username).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if _, err := CreateUser(ctx, tx, cfg, u); err != nil {
				return err
			}
		}
		for _, seed := range extraSeeders {
			if err := seed(ctx, tx); err != nil {
				return err
			}
		}
		if !o.SalesHistory {
			return nil
		}
		// The sales history comes last: it sells the opening stock and rings up the customers
		// and reps the steps above create.
		return seedSalesHistory(ctx, tx)
	})
}

// CreateUser creates a user with a role at a store (or HQ-wide when StoreCode is empty). It goes
// through the administration service, so demo and test users obey the same rules (PIN format and
// uniqueness, username, audit) as users created on the Users page.
func CreateUser(ctx context.Context, db *gorm.DB, cfg config.Config, in UserSpec) (*models.User, error) {
	var role models.Role
	if err := db.WithContext(ctx).Where("lower(name) = lower(?)", in.Role).Take(&role).Error; err != nil {
		return nil, fmt.Errorf("role %q: %w", in.Role, models.NotFoundIf(err, "role"))
	}
	link := admin.RoleAssignment{RoleID: role.ID}
	if in.StoreCode != "" {
		var store models.Store
		if err := db.WithContext(ctx).Where("lower(code) = lower(?)", in.StoreCode).Take(&store).Error; err != nil {
			return nil, fmt.Errorf("store %q: %w", in.StoreCode, models.NotFoundIf(err, "store"))
		}
		link.StoreID = &store.ID
	}
	name := in.DisplayName
	if name == "" {
		name = in.Username
	}
	v, err := admin.New(db, auth.NewHasher(cfg.Key("pin"), 1, time.Minute), auth.NewThrottle(db, time.Hour)).CreateUser(ctx, models.System, admin.UserInput{
		Username: in.Username, DisplayName: name, Email: in.Email, Pin: in.PIN, Password: in.Password,
		Roles: []admin.RoleAssignment{link},
	})
	if err != nil {
		if errors.Is(err, models.ErrConflict) {
			return nil, err
		}
		return nil, fmt.Errorf("create user %s: %w", in.Username, err)
	}
	var u models.User
	if err := db.WithContext(ctx).Take(&u, "id = ?", v.ID).Error; err != nil {
		return nil, fmt.Errorf("reload user %s: %w", in.Username, err)
	}
	return &u, nil
}
