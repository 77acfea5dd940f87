package models

// Permission is one capability a role can grant. Codes are the dot-style names of the API
// contract (seed 002), so `GET /auth/me` returns exactly what route checks use.
type Permission struct {
	Code        string `json:"code"`
	Area        string `json:"area"`
	Description string `json:"description"`
}

// Permissions is the full catalogue, grouped by area in display order.
var Permissions = []Permission{
	{"products.view", "Catalogue", "View products and departments"},
	{"products.create", "Catalogue", "Create products and departments"},
	{"products.edit", "Catalogue", "Edit products, departments and supplier links"},
	{"products.delete", "Catalogue", "Delete products and departments"},
	{"taxes.view", "Catalogue", "View tax rates and groups"},
	{"taxes.manage", "Catalogue", "Create, edit and delete tax rates and groups"},
	{"suppliers.view", "Catalogue", "View suppliers"},
	{"suppliers.create", "Catalogue", "Create suppliers"},
	{"suppliers.edit", "Catalogue", "Edit suppliers"},
	{"suppliers.delete", "Catalogue", "Delete suppliers"},

	{"users.view", "Administration", "View users"},
	{"users.create", "Administration", "Create users"},
	{"users.edit", "Administration", "Edit users and their roles"},
	{"roles.view", "Administration", "View roles and permissions"},
	{"roles.manage", "Administration", "Create and edit roles"},
	{"stores.view", "Administration", "View stores and the store dashboard"},
	{"stores.create", "Administration", "Create stores"},
	{"stores.edit", "Administration", "Edit stores"},

	{"pos.sell", "Sales", "Record and list sales, print receipts"},
	{"pos.void", "Sales", "Void sales"},
	{"tenders.view", "Sales", "View tender types"},
	{"tenders.manage", "Sales", "Create, edit and delete tender types"},
	{"customers.view", "Sales", "View customers"},
	{"customers.create", "Sales", "Create customers"},
	{"customers.edit", "Sales", "Edit and delete customers"},
	{"sales_reps.view", "Sales", "View sales reps"},
	{"sales_reps.create", "Sales", "Create sales reps"},
	{"sales_reps.edit", "Sales", "Edit sales reps"},
	{"sales_reps.delete", "Sales", "Delete sales reps"},

	{"inventory.view", "Inventory", "View stock levels and movements"},
	{"inventory.adjust", "Inventory", "Adjust stock and post stock counts"},
	{"transfers.view", "Inventory", "View transfers"},
	{"transfers.create", "Inventory", "Create and cancel transfers"},
	{"transfers.send", "Inventory", "Mark transfers as sent"},
	{"transfers.receive", "Inventory", "Receive transfers"},

	{"registers.view", "Registers", "View register sessions"},
	{"registers.open", "Registers", "Open a register"},
	{"registers.close", "Registers", "Close a register"},

	{"purchase_orders.view", "Purchasing", "View purchase orders"},
	{"purchase_orders.create", "Purchasing", "Create and submit purchase orders"},
	{"purchase_orders.edit", "Purchasing", "Edit, send and cancel purchase orders"},
	{"purchase_orders.approve", "Purchasing", "Approve purchase orders"},
	{"purchase_orders.receive", "Purchasing", "Receive purchase orders"},
	{"purchase_orders.delete", "Purchasing", "Delete draft purchase orders"},

	{"store_prices.view", "Pricing", "View store prices"},
	{"store_prices.manage", "Pricing", "Set and delete store prices"},
	{"specials.view", "Pricing", "View specials"},
	{"specials.manage", "Pricing", "Create, edit and end specials"},
	{"worksheets.view", "Pricing", "View worksheets"},
	{"worksheets.create", "Pricing", "Create and edit draft worksheets"},
	{"worksheets.delete", "Pricing", "Delete draft worksheets"},
	{"worksheets.submit", "Pricing", "Submit worksheets for approval"},
	{"worksheets.approve", "Pricing", "Approve or reject worksheets"},
	{"worksheets.apply", "Pricing", "Apply approved worksheets"},

	{"reports.view_global", "Reports", "Sales, tax, inventory and period reports"},
	{"reports.x_report", "Reports", "X reports"},
	{"reports.z_report", "Reports", "Z reports"},
	{"reports.product_performance", "Reports", "Product performance"},
	{"reports.sales_by_rep", "Reports", "Sales by representative"},
	{"reports.profit_margin", "Reports", "Profit margin by department"},
	{"reports.cashier_performance", "Reports", "Cashier performance"},
	{"reports.discount_analysis", "Reports", "Discount analysis"},

	{"integrations.manage", "Integrations", "Configure integrations, API keys and webhooks"},
	{"sync.manage", "Integrations", "Manage store sync and sync errors"},
}

var permissionSet = func() map[string]bool {
	m := make(map[string]bool, len(Permissions))
	for _, p := range Permissions {
		m[p.Code] = true
	}
	return m
}()

// IsPermission reports whether code is in the catalogue.
func IsPermission(code string) bool { return permissionSet[code] }

// AllPermissionCodes lists every code, in catalogue order.
func AllPermissionCodes() []string {
	out := make([]string, len(Permissions))
	for i, p := range Permissions {
		out[i] = p.Code
	}
	return out
}

// PermissionArea is one heading of the grouped checklist.
type PermissionArea struct {
	Area        string       `json:"area"`
	Permissions []Permission `json:"permissions"`
}

// PermissionsByArea groups the catalogue for the role form and `GET /roles/permissions/all`.
func PermissionsByArea() []PermissionArea {
	var out []PermissionArea
	for _, p := range Permissions {
		if len(out) == 0 || out[len(out)-1].Area != p.Area {
			out = append(out, PermissionArea{Area: p.Area})
		}
		out[len(out)-1].Permissions = append(out[len(out)-1].Permissions, p)
	}
	return out
}
