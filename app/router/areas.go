package router

import (
	"github.com/gin-gonic/gin"

	"backroom/app/admin"
	"backroom/app/approvals"
	"backroom/app/audit"
	"backroom/app/auth"
	"backroom/app/catalog"
	"backroom/app/customers"
	"backroom/app/inventory"
	"backroom/app/pricing"
	"backroom/app/purchasing"
	"backroom/app/registers"
	"backroom/app/reports"
	"backroom/app/sales"
	"backroom/app/search"
	"backroom/app/server"
	"backroom/app/tenders"
	"backroom/app/transfers"
	"backroom/models"
)

// navigation lists the sidebar areas that exist; an area appears once it is built.
var navigation = []server.Nav{
	{Key: "home", Label: "Dashboard", Href: "/"},
	{Key: "catalogue", Label: "Catalogue", Href: "/products", Perms: []string{"products.view", "taxes.view", "suppliers.view"}, Items: []server.Nav{
		{Key: "catalogue-products", Label: "Products", Href: "/products", Perms: []string{"products.view"}},
		{Key: "catalogue-departments", Label: "Departments", Href: "/departments", Perms: []string{"products.view"}},
		{Key: "catalogue-taxes", Label: "Taxes", Href: "/taxes", Perms: []string{"taxes.view"}},
		{Key: "catalogue-suppliers", Label: "Suppliers", Href: "/suppliers", Perms: []string{"suppliers.view"}},
		{Key: "catalogue-units", Label: "Units", Href: "/units", Perms: []string{"products.view"}},
	}},
	{Key: "purchasing", Label: "Purchasing", Perms: []string{"purchase_orders.view", "purchase_orders.approve", "worksheets.approve"}, Items: []server.Nav{
		{Key: "purchasing-orders", Label: "Purchase orders", Href: "/purchase-orders", Perms: []string{"purchase_orders.view"}},
		{Key: "approvals", Label: "Approvals", Href: "/approvals", Perms: []string{"purchase_orders.approve", "worksheets.approve"}},
	}},
	{Key: "pricing", Label: "Pricing", Perms: []string{"worksheets.view", "specials.view", "store_prices.view"}, Items: []server.Nav{
		{Key: "pricing-worksheets", Label: "Worksheets", Href: "/worksheets", Perms: []string{"worksheets.view"}},
		{Key: "pricing-specials", Label: "Specials", Href: "/specials", Perms: []string{"specials.view"}},
		{Key: "pricing-store-prices", Label: "Store prices", Href: "/store-prices", Perms: []string{"store_prices.view"}},
	}},
	{Key: "transfers", Label: "Transfers", Href: "/transfers", Perms: []string{"transfers.view"}},
	{Key: "inventory", Label: "Inventory", Href: "/inventory", Perms: []string{"inventory.view"}, Items: []server.Nav{
		{Key: "inventory-stock", Label: "Stock", Href: "/inventory", Perms: []string{"inventory.view"}},
		{Key: "inventory-counts", Label: "Stock counts", Href: "/inventory/counts", Perms: []string{"inventory.view"}},
	}},
	{Key: "sales", Label: "Sales", Href: "/sales", Perms: []string{"pos.sell", "registers.view", "customers.view", "sales_reps.view", "tenders.view"}, Items: []server.Nav{
		{Key: "sales-sales", Label: "Sales", Href: "/sales", Perms: []string{"pos.sell"}},
		{Key: "sales-registers", Label: "Registers", Href: "/registers", Perms: []string{"registers.view"}},
		{Key: "sales-customers", Label: "Customers", Href: "/customers", Perms: []string{"customers.view"}},
		{Key: "sales-reps", Label: "Sales reps", Href: "/sales-reps", Perms: []string{"sales_reps.view"}},
		{Key: "sales-tenders", Label: "Tenders", Href: "/tenders", Perms: []string{"tenders.view"}},
	}},
	{Key: "reports", Label: "Reports", Href: "/reports", Perms: reports.Permissions},
	{Key: "admin", Label: "Admin", Perms: []string{"users.view", "roles.view", "stores.view"}, Items: []server.Nav{
		{Key: "admin-users", Label: "Users", Href: "/admin/users", Perms: []string{"users.view"}},
		{Key: "admin-roles", Label: "Roles", Href: "/admin/roles", Perms: []string{"roles.view"}},
		{Key: "admin-stores", Label: "Stores", Href: "/admin/stores", Perms: []string{"stores.view"}},
	}},
	{Key: "audit", Label: "Audit trail", Href: "/audit", Perms: []string{"reports.view_global"}},
}

// tileText describes each area on the dashboard.
var tileText = map[string]string{
	"audit":        "Who changed what and when, with the values before and after, across every area.",
	"catalogue":    "Products with barcodes, prices and suppliers; departments, tax rates and groups, units.",
	"integrations": "Connect the RMS, inventory system, catalogue service and webhook receivers; watch runs and errors.",
	"purchasing":   "Purchase orders to suppliers: approval, sending, receiving in parts; suggested orders from reorder points.",
	"pricing":      "Worksheets of price and product changes with approval, specials and store prices.",
	"transfers":    "Stock sent between stores, received with differences settled at cost.",
	"sales":        "Sales, refunds and voids with their receipts; register sessions with X and Z reports.",
	"reports":      "Sales, tax, margins and stock value by store, day, department, product and person, with CSV, XLSX and PDF exports.",
	"inventory":    "Stock per store with low-stock and negative levels, adjustments, movement history and stock counts.",
	"admin":        "Users and their role at each store, roles and permissions, and the chain's stores.",
}

// mountAreas mounts every area's pages and API.
func mountAreas(rt server.Routes, d Deps, authSvc *auth.Service) {
	catalog.New(d.DB).Mount(rt)
	admin.New(d.DB, d.Config.Key("pin")).Mount(rt)
	sales.New(d.DB).Mount(rt)
	registers.New(d.DB).Mount(rt)
	purchasing.New(d.DB).Mount(rt)
	pricing.New(d.DB).Mount(rt)
	transfers.New(d.DB).Mount(rt)
	approvals.New(d.DB).Mount(rt)
	audit.New(d.DB).Mount(rt)
	inventory.NewService(d.DB).Mount(rt)
	tenders.New(d.DB).Mount(rt)
	customers.New(d.DB).Mount(rt)
	reports.New(d.DB).Mount(rt)
	search.New(d.DB).Mount(rt)
}

// badgesFor counts what waits for the signed-in person in the sidebar (per app, so each test app
// counts in its own database).
func badgesFor(d Deps) map[string]func(*gin.Context, models.Actor) int {
	waiting := approvals.New(d.DB).Count
	return map[string]func(*gin.Context, models.Actor) int{"approvals": waiting, "purchasing": waiting}
}
