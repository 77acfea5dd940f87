// Package router mounts Backroom's routes: it builds the HTTP engine (server.New) with the
// sidebar, and asks every service app.New built to mount its pages and API. It builds no service.
package router

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app"
	"backroom/app/auth"
	"backroom/app/dashboard"
	"backroom/app/integrations"
	"backroom/app/reports"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/home"
)

// New builds the engine and mounts every area of a on it. ready are /ready's checks beyond the
// database's (the serving process's job workers, when it runs them).
func New(a *app.App, ready ...func(context.Context) error) *gin.Engine {
	kit := &server.Kit{
		Ready:      append([]func(context.Context) error{func(ctx context.Context) error { return models.Ready(ctx, a.Pool) }}, ready...),
		Sessions:   auth.NewSessions(a.Pool, a.Config.Production()),
		Nav:        sidebar(),
		StoreScope: storeScope(a.DB),
		Badges:     a.Badges,
		Zone:       storeZone(a.DB),

		TrustedProxies: a.Config.TrustedProxies,
	}
	r := server.New(kit)
	api := r.Group("/api/v1", server.BodyLimit(1<<20))
	rt := server.Routes{
		PublicAPI: api.Group(""),
		API:       api.Group("", a.Auth.RequireToken),
		PublicWeb: r.Group("", server.BodyLimit(1<<20)),
		Web:       r.Group("", server.BodyLimit(1<<20), a.Auth.RequireSession, server.PageZone),
		Root:      r,
	}
	a.Auth.MountAPI(rt.PublicAPI, rt.API)
	a.Auth.MountWeb(rt.PublicWeb, rt.Web)
	rt.Web.GET("/", dashboardPage(a.DB, a.Integrations))
	a.Integrations.Mount(rt, a.APIKeys.Section, a.WebServices.Section) // the list page shows the API keys and the web services
	a.MiPOS.Mount(rt)
	a.Webhooks.Mount(rt, a.Sales)
	a.APIKeys.Mount(rt)
	a.CatalogSync.Mount(rt) // PATCH /api/v1/catalog/sync|sync_clear by API key, 16 MiB bodies
	a.WebServices.Mount(rt) // /ws/v1: record a sale, sales report and catalogue downloads by API key
	a.Catalog.Mount(rt)
	a.Admin.Mount(rt)
	a.Sales.Mount(rt)
	a.Registers.Mount(rt)
	a.Purchasing.Mount(rt)
	a.Pricing.Mount(rt)
	a.Transfers.Mount(rt)
	a.Approvals.Mount(rt)
	a.Audit.Mount(rt)
	a.Inventory.Mount(rt)
	a.Tenders.Mount(rt)
	a.Customers.Mount(rt)
	a.Reports.Mount(rt)
	a.Search.Mount(rt)
	a.StoreSync.Mount(rt) // /api/v1/sync/* (store servers by X-Sync-Token) and the stores' sync tokens
	a.APIDoc.Mount(rt)    // GET /api/v1/openapi.json (public) and the /api/docs page
	return r
}

// sidebar is the navigation in UI.md's order; an area appears once it is built.
func sidebar() []server.Nav {
	return []server.Nav{
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
		{Key: "sync", Label: "Sync", Href: "/sync", Perms: []string{"sync.manage"}},
		{Key: "integrations", Label: "Integrations", Href: "/settings/integrations", Perms: []string{"integrations.manage"}, Alarm: true},
		{Key: "admin", Label: "Admin", Perms: []string{"users.view", "roles.view", "stores.view"}, Items: []server.Nav{
			{Key: "admin-users", Label: "Users", Href: "/admin/users", Perms: []string{"users.view"}},
			{Key: "admin-roles", Label: "Roles", Href: "/admin/roles", Perms: []string{"roles.view"}},
			{Key: "admin-stores", Label: "Stores", Href: "/admin/stores", Perms: []string{"stores.view"}},
		}},
		{Key: "audit", Label: "Audit trail", Href: "/audit", Perms: []string{"reports.view_global"}},
	}
}

// tileText describes an area on the dashboard.
func tileText(key string) string {
	switch key {
	case "audit":
		return "Who changed what and when, with the values before and after, across every area."
	case "catalogue":
		return "Products with barcodes, prices and suppliers; departments, tax rates and groups, units."
	case "sync":
		return "Each store's own server: connect it with a one-time token, see which stores are online and when they last synced."
	case "integrations":
		return "Connect the RMS, inventory system, catalogue service and webhook receivers; watch runs and errors."
	case "purchasing":
		return "Purchase orders to suppliers: approval, sending, receiving in parts; suggested orders from reorder points."
	case "pricing":
		return "Worksheets of price and product changes with approval, specials and store prices."
	case "transfers":
		return "Stock sent between stores, received with differences settled at cost."
	case "sales":
		return "Sales, refunds and voids with their receipts; register sessions with X and Z reports."
	case "reports":
		return "Sales, tax, margins and stock value by store, day, department, product and person, with CSV, XLSX and PDF exports."
	case "inventory":
		return "Stock per store with low-stock and negative levels, adjustments, movement history and stock counts."
	case "admin":
		return "Users and their role at each store, roles and permissions, and the chain's stores."
	}
	return ""
}

// dashboardPage shows today's figures the person may see and a tile per area they may open.
func dashboardPage(db *gorm.DB, integ *integrations.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := server.PageOf(c, "Dashboard", "home")
		var tiles []home.Tile
		approvals := -1
		for _, item := range p.Nav {
			for _, sub := range item.Items {
				if sub.Key == "approvals" {
					approvals = sub.Badge
				}
			}
			if item.Key == "approvals" {
				approvals = item.Badge
			}
			if item.Key == "home" {
				continue
			}
			tiles = append(tiles, home.Tile{Label: item.Label, Href: item.Href, Body: tileText(item.Key)})
		}
		cards, err := dashboard.Cards(c.Request.Context(), db, integ, server.Actor(c), approvals)
		if err != nil {
			server.Fail(c, err)
			return
		}
		server.Render(c, http.StatusOK, home.Dashboard(p, cards, tiles))
	}
}

// storeScope names the stores of a store-scoped actor for the top bar.
func storeScope(db *gorm.DB) func(*gin.Context, models.Actor) string {
	return func(c *gin.Context, a models.Actor) string {
		ids := make([]any, 0, len(a.Stores))
		for id := range a.Stores {
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return "No store"
		}
		var names []string
		db.WithContext(c.Request.Context()).Model(&models.Store{}).Where("id IN ?", ids).Order("code").Pluck("name", &names)
		return strings.Join(names, ", ")
	}
}

// storeZone is the time zone a person reads times in: their (first) store's, or head office's
// for HQ-wide roles; UTC when there is neither.
func storeZone(db *gorm.DB) func(*gin.Context, models.Actor) *time.Location {
	return func(c *gin.Context, a models.Actor) *time.Location {
		q := db.WithContext(c.Request.Context()).Model(&models.Store{})
		if a.IsHQ() {
			q = q.Order("is_hq DESC, code")
		} else {
			ids := make([]uuid.UUID, 0, len(a.Stores))
			for id := range a.Stores {
				ids = append(ids, id)
			}
			if len(ids) == 0 {
				return time.UTC
			}
			q = q.Where("id IN ?", ids).Order("code")
		}
		var s models.Store
		if err := q.Limit(1).Take(&s).Error; err != nil {
			return time.UTC
		}
		return s.Location()
	}
}
