package router

import (
	"backroom/app/admin"
	"backroom/app/auth"
	"backroom/app/catalog"
	"backroom/app/server"
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
	{Key: "admin", Label: "Admin", Perms: []string{"users.view", "roles.view", "stores.view"}, Items: []server.Nav{
		{Key: "admin-users", Label: "Users", Href: "/admin/users", Perms: []string{"users.view"}},
		{Key: "admin-roles", Label: "Roles", Href: "/admin/roles", Perms: []string{"roles.view"}},
		{Key: "admin-stores", Label: "Stores", Href: "/admin/stores", Perms: []string{"stores.view"}},
	}},
}

// tileText describes each area on the dashboard.
var tileText = map[string]string{
	"catalogue": "Products with barcodes, prices and suppliers; departments, tax rates and groups, units.",
	"admin":     "Users and their role at each store, roles and permissions, and the chain's stores.",
}

// mountAreas mounts every area's pages and API.
func mountAreas(rt server.Routes, d Deps, authSvc *auth.Service) {
	catalog.New(d.DB).Mount(rt)
	admin.New(d.DB, d.Config.Key("pin")).Mount(rt)
}
