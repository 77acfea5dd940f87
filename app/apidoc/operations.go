package apidoc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"backroom/app/admin"
	"backroom/app/apikeys"
	"backroom/app/approvals"
	"backroom/app/auth"
	"backroom/app/catalog"
	"backroom/app/catalogsync"
	"backroom/app/customers"
	"backroom/app/integrations"
	"backroom/app/integrations/webhook"
	"backroom/app/inventory"
	"backroom/app/pricing"
	"backroom/app/purchasing"
	"backroom/app/registers"
	"backroom/app/reports"
	"backroom/app/sales"
	"backroom/app/storesync"
	"backroom/app/tenders"
	"backroom/app/transfers"
	"backroom/app/webservices"
	"backroom/models"
)

const (
	get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
)

// Shapes of the small answers handlers build in place (gin.H in the handler).
type (
	deletedAnswer struct {
		Deleted bool `json:"deleted"`
	}
	deletedWithID struct {
		ID      string `json:"id"`
		Deleted bool   `json:"deleted"`
	}
	idAnswer struct {
		ID string `json:"id"`
	}
	reasonBody struct {
		Reason string `json:"reason"`
	}
	revokedAnswer struct {
		Revoked bool `json:"revoked"`
	}
	resolvedAnswer struct {
		Resolved bool `json:"resolved"`
	}
	testAnswer struct {
		OK      bool   `json:"ok"`
		Message string `json:"message"`
	}
	retryAnswer struct {
		Retrying bool                   `json:"retrying"`
		Run      *models.IntegrationRun `json:"run"`
	}
	signedOut struct {
		SignedOut bool `json:"signedOut"`
	}
	changedAnswer struct {
		Changed bool          `json:"changed"`
		Session *auth.Session `json:"session"`
	}
)

// Common query parameters.
var (
	storeQ    = Param{Name: "store_id", Type: "uuid", About: "only this store (also storeId)"}
	productQ  = Param{Name: "product_id", Type: "uuid", About: "only this product (also productId)"}
	searchQ   = Param{Name: "search", About: "words in the name, code or number (also q)"}
	qQ        = Param{Name: "q", About: "words in the number, name or note"}
	statusQ   = Param{Name: "status", About: "only records in this state"}
	activeQ   = Param{Name: "active", About: "true, false or all"}
	dateFromQ = Param{Name: "date_from", Type: "date", About: "from this day (store time, inclusive; also dateFrom)"}
	dateToQ   = Param{Name: "date_to", Type: "date", About: "to this day (inclusive; also dateTo)"}
	terminalQ = Param{Name: "terminal_id", About: "the register's terminal (also terminalId)"}
)

// Operations is every operation of /api/v1 and /ws/v1, area by area. A route mounted without an
// entry here fails TestOpenAPICoversEveryRoute; so does an entry no route serves.
func Operations() []Op {
	ops := []Op{
		{Method: get, Path: "/api/v1/openapi.json", Auth: Public, Summary: "This description, as OpenAPI 3.1", Raw: true},

		// Sign-in (auth)
		{Method: post, Path: "/api/v1/auth/login", Auth: Public, Summary: "Sign in with username and password or PIN", Body: auth.LoginInput{}, Data: auth.Session{}, Status: 200},
		{Method: post, Path: "/api/v1/auth/pin-login", Auth: Public, Summary: "Sign in with a PIN alone (store-scoped people)", Body: auth.PinLoginInput{}, Data: auth.Session{}, Status: 200},
		{Method: post, Path: "/api/v1/auth/refresh", Auth: Public, Summary: "Exchange a refresh token for new tokens", Body: auth.RefreshInput{}, Data: auth.Session{}, Status: 200},
		{Method: get, Path: "/api/v1/auth/me", Summary: "The signed-in person, their roles and permissions", Data: auth.Me{}},
		{Method: post, Path: "/api/v1/auth/change-credential", Summary: "Change one's own PIN or password (signs out every other session)", Body: auth.ChangeCredentialInput{}, Data: changedAnswer{}, Status: 200},
		{Method: post, Path: "/api/v1/auth/logout", Summary: "Revoke this sign-in's tokens", Data: signedOut{}, Status: 200},

		// Products, departments, taxes, suppliers, units (catalog)
		{Method: get, Path: "/api/v1/products", Perm: "products.view", Summary: "List products", Paged: true, Data: []catalog.ProductRow{},
			Query: []Param{searchQ, {Name: "department_id", Type: "uuid", About: "only this department (also departmentId)"}, activeQ, {Name: "sort", About: "name, sku, price or stock"}}},
		{Method: get, Path: "/api/v1/products/:id", Perm: "products.view", Summary: "A product with its barcodes, taxes and suppliers", Data: catalog.ProductDetail{}},
		{Method: get, Path: "/api/v1/products/barcode/:barcode", Perm: "products.view", Summary: "The product of a barcode", Data: catalog.ProductDetail{}},
		{Method: post, Path: "/api/v1/products", Perm: "products.create", Summary: "Create a product", Body: catalog.ProductInput{}, Data: catalog.ProductDetail{}},
		{Method: put, Path: "/api/v1/products/:id", Perm: "products.edit", Summary: "Change a product (fields left out keep their values)", Body: catalog.ProductInput{}, Partial: true, Data: catalog.ProductDetail{}},
		{Method: del, Path: "/api/v1/products/:id", Perm: "products.delete", Summary: "Delete a product never sold or ordered", Data: deletedAnswer{}},
		{Method: patch, Path: "/api/v1/products/:id/toggle-active", Perm: "products.edit", Summary: "Switch a product between active and inactive", Data: catalog.ProductDetail{}},
		{Method: get, Path: "/api/v1/products/:id/suppliers", Perm: "products.view", Summary: "A product's suppliers", Paged: true, Data: []models.ProductSupplier{}},
		{Method: post, Path: "/api/v1/products/:id/suppliers", Perm: "products.edit", Summary: "Link a supplier to a product", Body: catalog.SupplierLinkInput{}, Data: models.ProductSupplier{}},
		{Method: put, Path: "/api/v1/products/:id/suppliers/:supplierId", Perm: "products.edit", Summary: "Change a product's supplier link", Body: catalog.SupplierLinkInput{}, Data: models.ProductSupplier{}},
		{Method: del, Path: "/api/v1/products/:id/suppliers/:supplierId", Perm: "products.edit", Summary: "Unlink a supplier from a product", Data: deletedAnswer{}},

		{Method: get, Path: "/api/v1/departments", Perm: "products.view", Summary: "List departments", Paged: true, Data: []catalog.DepartmentRow{}, Query: []Param{activeQ}},
		{Method: get, Path: "/api/v1/departments/:id", Perm: "products.view", Summary: "A department", Data: models.Department{}},
		{Method: post, Path: "/api/v1/departments", Perm: "products.create", Summary: "Create a department", Body: catalog.DepartmentInput{}, Data: models.Department{}},
		{Method: put, Path: "/api/v1/departments/:id", Perm: "products.edit", Summary: "Change a department (fields left out keep their values)", Body: catalog.DepartmentInput{}, Partial: true, Data: models.Department{}},
		{Method: del, Path: "/api/v1/departments/:id", Perm: "products.delete", Summary: "Delete an unused department", Data: deletedAnswer{}},

		{Method: get, Path: "/api/v1/taxes", Perm: "taxes.view", Summary: "List tax rates", Paged: true, Data: []catalog.TaxRateRow{}},
		{Method: get, Path: "/api/v1/taxes/:id", Perm: "taxes.view", Summary: "A tax rate", Data: models.TaxRate{}},
		{Method: post, Path: "/api/v1/taxes", Perm: "taxes.manage", Summary: "Create a tax rate", Body: catalog.TaxRateInput{}, Data: models.TaxRate{}},
		{Method: put, Path: "/api/v1/taxes/:id", Perm: "taxes.manage", Summary: "Change a tax rate (fields left out keep their values)", Body: catalog.TaxRateInput{}, Partial: true, Data: models.TaxRate{}},
		{Method: del, Path: "/api/v1/taxes/:id", Perm: "taxes.manage", Summary: "Delete an unused tax rate", Data: deletedAnswer{}},
		{Method: get, Path: "/api/v1/taxes/groups", Perm: "taxes.view", Summary: "List tax groups with their rates", Paged: true, Data: []catalog.TaxGroupView{}},
		{Method: get, Path: "/api/v1/taxes/groups/:id", Perm: "taxes.view", Summary: "A tax group", Data: catalog.TaxGroupView{}},
		{Method: post, Path: "/api/v1/taxes/groups", Perm: "taxes.manage", Summary: "Create a tax group", Body: catalog.TaxGroupInput{}, Data: catalog.TaxGroupView{}},
		{Method: put, Path: "/api/v1/taxes/groups/:id", Perm: "taxes.manage", Summary: "Change a tax group (fields left out keep their values)", Body: catalog.TaxGroupInput{}, Partial: true, Data: catalog.TaxGroupView{}},
		{Method: del, Path: "/api/v1/taxes/groups/:id", Perm: "taxes.manage", Summary: "Delete an unused tax group", Data: deletedAnswer{}},

		{Method: get, Path: "/api/v1/suppliers", Perm: "suppliers.view", Summary: "List suppliers", Paged: true, Data: []catalog.SupplierRow{}, Query: []Param{searchQ, activeQ}},
		{Method: get, Path: "/api/v1/suppliers/:id", Perm: "suppliers.view", Summary: "A supplier", Data: models.Supplier{}},
		{Method: post, Path: "/api/v1/suppliers", Perm: "suppliers.create", Summary: "Create a supplier", Body: catalog.SupplierInput{}, Data: models.Supplier{}},
		{Method: put, Path: "/api/v1/suppliers/:id", Perm: "suppliers.edit", Summary: "Change a supplier (fields left out keep their values)", Body: catalog.SupplierInput{}, Partial: true, Data: models.Supplier{}},
		{Method: del, Path: "/api/v1/suppliers/:id", Perm: "suppliers.delete", Summary: "Delete a supplier without orders", Data: deletedAnswer{}},

		{Method: get, Path: "/api/v1/units", Perm: "products.view", Summary: "List units of measure", Paged: true, Data: []catalog.UnitRow{}, Query: []Param{activeQ}},
		{Method: get, Path: "/api/v1/units/:id", Perm: "products.view", Summary: "A unit", Data: models.Unit{}},
		{Method: post, Path: "/api/v1/units", Perm: "products.create", Summary: "Create a unit", Body: catalog.UnitInput{}, Data: models.Unit{}},
		{Method: put, Path: "/api/v1/units/:id", Perm: "products.edit", Summary: "Change a unit (fields left out keep their values)", Body: catalog.UnitInput{}, Partial: true, Data: models.Unit{}},
		{Method: del, Path: "/api/v1/units/:id", Perm: "products.delete", Summary: "Delete an unused unit", Data: deletedAnswer{}},

		// Inbound catalogue sync (catalogsync), by API key with catalog.write
		{Method: patch, Path: "/api/v1/catalog/sync", Auth: APIKey, Summary: "Create or update products from an outside catalogue (scope catalog.write)", Body: []json.RawMessage{}, Data: catalogsync.Result{}},
		{Method: patch, Path: "/api/v1/catalog/sync_clear", Auth: APIKey, Summary: "Replace the catalogue: products left out are deactivated (scope catalog.write)", Body: []json.RawMessage{}, Data: catalogsync.Result{}},
		{Method: get, Path: "/api/v1/catalog/review", Perm: "products.view", Summary: "Synced products waiting for review", Paged: true, Data: []catalogsync.ReviewItem{}},

		// Prices: store prices, specials, worksheets (pricing)
		{Method: get, Path: "/api/v1/store-prices", Perm: "store_prices.view", Summary: "List store prices", Paged: true, Data: []models.StorePrice{}, Query: []Param{storeQ, productQ}},
		{Method: post, Path: "/api/v1/store-prices", Perm: "store_prices.manage", Summary: "Set a product's price at a store", Body: pricing.StorePriceInput{}, Data: models.StorePrice{}, Status: 200},
		{Method: del, Path: "/api/v1/store-prices/:id", Perm: "store_prices.manage", Summary: "Remove a store price (the chain price applies again)", Data: idAnswer{}},
		{Method: get, Path: "/api/v1/specials", Perm: "specials.view", Summary: "List specials", Paged: true, Data: []models.Special{}, Query: []Param{activeQ, productQ, storeQ}},
		{Method: get, Path: "/api/v1/specials/active", Perm: "specials.view", Summary: "Specials running now", Data: []models.Special{}, Query: []Param{storeQ}},
		{Method: get, Path: "/api/v1/specials/:id", Perm: "specials.view", Summary: "A special", Data: models.Special{}},
		{Method: post, Path: "/api/v1/specials", Perm: "specials.manage", Summary: "Create a special", Body: pricing.SpecialInput{}, Data: models.Special{}},
		{Method: put, Path: "/api/v1/specials/:id", Perm: "specials.manage", Summary: "Change a special", Body: pricing.SpecialInput{}, Data: models.Special{}},
		{Method: patch, Path: "/api/v1/specials/:id/activate", Perm: "specials.manage", Summary: "Switch a special on", Data: models.Special{}},
		{Method: patch, Path: "/api/v1/specials/:id/deactivate", Perm: "specials.manage", Summary: "Switch a special off", Data: models.Special{}},
		{Method: del, Path: "/api/v1/specials/:id", Perm: "specials.manage", Summary: "Delete a special", Data: idAnswer{}},
		{Method: get, Path: "/api/v1/prices/resolve", Perm: "products.view", Summary: "The price that applies at a store (store price, special or chain price)", Data: []pricing.Price{},
			Query: []Param{storeQ, {Name: "product_id", About: "1 to 500 product ids, separated by commas"}, {Name: "at", About: "at this moment (RFC 3339; default now)"}}},
		{Method: get, Path: "/api/v1/price-history", Perm: "products.view", Summary: "A product's price and cost changes", Data: []models.ProductChange{}, Query: []Param{productQ}},

		{Method: get, Path: "/api/v1/worksheets", Perm: "worksheets.view", Summary: "List worksheets", Paged: true, Data: []models.Worksheet{}, Query: []Param{statusQ, {Name: "type", About: "price or product"}, qQ}},
		{Method: get, Path: "/api/v1/worksheets/:id", Perm: "worksheets.view", Summary: "A worksheet with its lines", Data: models.Worksheet{}},
		{Method: post, Path: "/api/v1/worksheets", Perm: "worksheets.create", Summary: "Create a worksheet", Body: pricing.WorksheetInput{}, Data: models.Worksheet{}},
		{Method: put, Path: "/api/v1/worksheets/:id", Perm: "worksheets.create", Summary: "Change a draft worksheet", Body: pricing.WorksheetInput{}, Data: models.Worksheet{}},
		{Method: del, Path: "/api/v1/worksheets/:id", Perm: "worksheets.delete", Summary: "Delete a draft worksheet", Data: idAnswer{}},
		{Method: post, Path: "/api/v1/worksheets/:id/items", Perm: "worksheets.create", Summary: "Add a line to a draft worksheet", Body: pricing.WorksheetItemInput{}, Data: models.WorksheetItem{}},
		{Method: put, Path: "/api/v1/worksheets/:id/items/:itemId", Perm: "worksheets.create", Summary: "Change a worksheet line", Body: pricing.ItemPatch{}, Data: models.WorksheetItem{}},
		{Method: del, Path: "/api/v1/worksheets/:id/items/:itemId", Perm: "worksheets.create", Summary: "Remove a worksheet line", Data: idAnswer{}},
		{Method: patch, Path: "/api/v1/worksheets/:id/submit", Perm: "worksheets.submit", Summary: "Submit a worksheet for approval", Data: models.Worksheet{}},
		{Method: patch, Path: "/api/v1/worksheets/:id/approve", Perm: "worksheets.approve", Summary: "Approve a submitted worksheet", Data: models.Worksheet{}},
		{Method: patch, Path: "/api/v1/worksheets/:id/reject", Perm: "worksheets.approve", Summary: "Send a submitted worksheet back, with the reason", Body: reasonBody{}, Data: models.Worksheet{}},
		{Method: patch, Path: "/api/v1/worksheets/:id/apply", Perm: "worksheets.apply", Summary: "Apply an approved worksheet to the catalogue", Data: models.Worksheet{}},

		// Purchase orders (purchasing)
		{Method: get, Path: "/api/v1/purchase-orders", Perm: "purchase_orders.view", Summary: "List purchase orders", Paged: true, Data: []models.PurchaseOrder{},
			Query: []Param{statusQ, qQ, storeQ, {Name: "supplier_id", Type: "uuid", About: "only this supplier (also supplierId)"}}},
		{Method: get, Path: "/api/v1/purchase-orders/:id", Perm: "purchase_orders.view", Summary: "A purchase order with its lines and receipts", Data: purchasing.Detail{}},
		{Method: get, Path: "/api/v1/purchase-orders/:id/history", Perm: "purchase_orders.view", Summary: "A purchase order's audit trail", Data: []models.AuditEntry{}},
		{Method: get, Path: "/api/v1/purchase-orders/:id/pdf", Perm: "purchase_orders.view", Summary: "A purchase order as PDF", Media: "application/pdf"},
		{Method: get, Path: "/api/v1/purchase-orders/:id/csv", Perm: "purchase_orders.view", Summary: "A purchase order's lines as CSV", Media: "text/csv"},
		{Method: post, Path: "/api/v1/purchase-orders", Perm: "purchase_orders.create", Summary: "Create a draft purchase order", Body: purchasing.CreateInput{}, Data: purchasing.Detail{}},
		{Method: post, Path: "/api/v1/purchase-orders/suggest", Perm: "purchase_orders.create", Summary: "Draft an order of everything below its reorder point", Body: purchasing.SuggestInput{}, Data: purchasing.Detail{}},
		{Method: put, Path: "/api/v1/purchase-orders/:id", Perm: "purchase_orders.edit", Summary: "Change a draft order's header", Body: purchasing.UpdateInput{}, Data: purchasing.Detail{}},
		{Method: del, Path: "/api/v1/purchase-orders/:id", Perm: "purchase_orders.delete", Summary: "Delete a draft order", Data: idAnswer{}},
		{Method: post, Path: "/api/v1/purchase-orders/:id/items", Perm: "purchase_orders.edit", Summary: "Add a line to a draft order", Body: purchasing.ItemInput{}, Data: purchasing.Detail{}},
		{Method: put, Path: "/api/v1/purchase-orders/:id/items/:itemId", Perm: "purchase_orders.edit", Summary: "Change an order line", Body: purchasing.ItemUpdate{}, Data: purchasing.Detail{}},
		{Method: del, Path: "/api/v1/purchase-orders/:id/items/:itemId", Perm: "purchase_orders.edit", Summary: "Remove an order line", Data: purchasing.Detail{}},
		{Method: patch, Path: "/api/v1/purchase-orders/:id/submit", Perm: "purchase_orders.create", Summary: "Submit a draft for approval", Data: purchasing.Detail{}},
		{Method: patch, Path: "/api/v1/purchase-orders/:id/approve", Perm: "purchase_orders.approve", Summary: "Approve a submitted order (not one's own)", Data: purchasing.Detail{}},
		{Method: patch, Path: "/api/v1/purchase-orders/:id/reject", Perm: "purchase_orders.approve", Summary: "Send a submitted order back, with the reason", Body: reasonBody{}, Data: purchasing.Detail{}},
		{Method: patch, Path: "/api/v1/purchase-orders/:id/send", Perm: "purchase_orders.edit", Summary: "Mark an approved order sent to the supplier", Data: purchasing.Detail{}},
		{Method: patch, Path: "/api/v1/purchase-orders/:id/cancel", Perm: "purchase_orders.edit", Summary: "Cancel an order nothing was received on", Data: purchasing.Detail{}},
		{Method: patch, Path: "/api/v1/purchase-orders/:id/receive", Perm: "purchase_orders.receive", Summary: "Receive stock against an order (in parts)", Body: purchasing.ReceiveInput{}, Data: purchasing.Detail{}},
		{Method: patch, Path: "/api/v1/purchase-orders/:id/close", Perm: "purchase_orders.receive", Summary: "Close a part-received order short, with the reason", Body: reasonBody{}, Data: purchasing.Detail{}},
		{Method: get, Path: "/api/v1/approvals", Perm: "purchase_orders.approve or worksheets.approve", Summary: "Orders and worksheets waiting for this person's approval", Data: approvals.Waiting{}},

		// Transfers between stores (transfers)
		{Method: get, Path: "/api/v1/transfers", Perm: "transfers.view", Summary: "List transfers", Paged: true, Data: []models.Transfer{},
			Query: []Param{statusQ, qQ, storeQ, {Name: "has_differences", About: "true or false (also hasDifferences)"}}},
		{Method: get, Path: "/api/v1/transfers/:id", Perm: "transfers.view", Summary: "A transfer with its lines", Data: transfers.Detail{}},
		{Method: post, Path: "/api/v1/transfers", Perm: "transfers.create", Summary: "Create a transfer", Body: transfers.CreateInput{}, Data: transfers.Detail{}},
		{Method: put, Path: "/api/v1/transfers/:id/send", Perm: "transfers.send", Summary: "Send a transfer: stock leaves the sending store", Body: transfers.SendInput{}, Optional: true, Data: transfers.Detail{}},
		{Method: put, Path: "/api/v1/transfers/:id/receive", Perm: "transfers.receive", Summary: "Receive a transfer, with any differences", Body: transfers.ReceiveInput{}, Optional: true, Data: transfers.Detail{}},
		{Method: put, Path: "/api/v1/transfers/:id/cancel", Perm: "transfers.create", Summary: "Cancel a transfer not yet sent", Data: transfers.Detail{}},

		// Stock (inventory)
		{Method: get, Path: "/api/v1/inventory", Perm: "inventory.view", Summary: "Stock levels per store and product", Paged: true, Data: []inventory.LevelRow{},
			Query: []Param{storeQ, searchQ, {Name: "low_stock", About: "true: at or below the reorder point"}, {Name: "negative", About: "true: below zero"}}},
		{Method: get, Path: "/api/v1/inventory/cross-store", Perm: "inventory.view", Summary: "One product's stock in every store", Data: inventory.CrossStore{}, Query: []Param{productQ}},
		{Method: get, Path: "/api/v1/inventory/movements", Perm: "inventory.view", Summary: "The stock ledger", Paged: true, Data: []inventory.MovementRow{},
			Query: []Param{storeQ, productQ, {Name: "type", About: "sale, receipt, adjustment, transfer_out, transfer_in, count…"}}},
		{Method: post, Path: "/api/v1/inventory/adjustments", Perm: "inventory.adjust", Summary: "Adjust stock (a ledger row with its reason)", Body: inventory.AdjustmentInput{}, Data: inventory.Adjustment{}},
		{Method: put, Path: "/api/v1/inventory/reorder-point", Perm: "inventory.adjust", Summary: "Set a product's reorder point and quantity at a store", Body: inventory.ReorderPointInput{}, Data: models.InventoryLevel{}},
		{Method: get, Path: "/api/v1/inventory/counts", Perm: "inventory.view", Summary: "List stock counts", Paged: true, Data: []inventory.CountRow{}, Query: []Param{storeQ, statusQ}},
		{Method: post, Path: "/api/v1/inventory/counts", Perm: "inventory.adjust", Summary: "Start a stock count (freezes the expected quantities)", Body: inventory.CountStartInput{}, Data: inventory.CountDetail{}},
		{Method: get, Path: "/api/v1/inventory/counts/:id", Perm: "inventory.view", Summary: "A stock count with its lines", Data: inventory.CountDetail{},
			Query: []Param{{Name: "show", About: "all, counted, uncounted or differences"}, searchQ}},
		{Method: put, Path: "/api/v1/inventory/counts/:id/lines", Perm: "inventory.adjust", Summary: "Enter counted quantities (by product or barcode)", Body: inventory.CountEntries{}, Data: []inventory.CountLineRow{}},
		{Method: post, Path: "/api/v1/inventory/counts/:id/post", Perm: "inventory.adjust", Summary: "Post a count: differences become ledger rows", Data: inventory.CountDetail{}, Status: 200},
		{Method: post, Path: "/api/v1/inventory/counts/:id/abandon", Perm: "inventory.adjust", Summary: "Abandon a count without changing stock", Data: inventory.CountDetail{}, Status: 200},

		// Sales, registers, tenders, customers (sales, registers, tenders, customers)
		{Method: get, Path: "/api/v1/sales", Perm: "pos.sell", Summary: "List sales", Paged: true, Data: []sales.Row{}, Query: []Param{storeQ, statusQ, dateFromQ, dateToQ}},
		{Method: post, Path: "/api/v1/sales", Perm: "pos.sell", Summary: "Record a sale or refund (idempotent by its client id)", Body: sales.SaleInput{}, Data: models.Sale{}},
		{Method: get, Path: "/api/v1/sales/:id", Perm: "pos.sell or pos.void", Summary: "A sale with its lines, taxes and payments", Data: sales.Detail{}},
		{Method: put, Path: "/api/v1/sales/:id/void", Perm: "pos.void", Summary: "Void a sale, with the reason (stock returns)", Body: sales.VoidInput{}, Data: models.Sale{}},
		{Method: post, Path: "/api/v1/sales/print", Perm: "pos.sell", Summary: "A sale's receipt, to print", Body: sales.PrintInput{}, Data: sales.Receipt{}, Status: 200},
		{Method: get, Path: "/api/v1/registers", Perm: "registers.view", Summary: "List register sessions", Paged: true, Data: []registers.Row{}, Query: []Param{storeQ, statusQ, terminalQ, dateFromQ, dateToQ}},
		{Method: get, Path: "/api/v1/registers/current", Summary: "This person's open register session", Data: registers.Row{}, Query: []Param{storeQ, terminalQ}},
		{Method: post, Path: "/api/v1/registers/open", Perm: "registers.open", Summary: "Open a register session with its opening float", Body: registers.OpenInput{}, Data: models.RegisterSession{}},
		{Method: post, Path: "/api/v1/registers/close", Perm: "registers.close", Summary: "Close a register session with the counted cash (Z report)", Body: registers.CloseInput{}, Data: registers.Report{}, Status: 200},
		{Method: put, Path: "/api/v1/registers/:id/close", Perm: "registers.close", Summary: "Close a register session by its id (Z report)", Body: registers.CloseInput{}, Data: registers.Report{}},
		{Method: get, Path: "/api/v1/reports/x-report", Perm: "reports.x_report", Summary: "An open session's running totals (X report)", Data: registers.Report{}, Query: []Param{{Name: "session_id", Type: "uuid", About: "the session (also sessionId)"}}},
		{Method: get, Path: "/api/v1/reports/z-report", Perm: "reports.z_report", Summary: "A closed session's Z report", Data: registers.Report{}, Query: []Param{{Name: "session_id", Type: "uuid", About: "the session (also sessionId)"}}},
		{Method: get, Path: "/api/v1/tenders", Perm: "tenders.view", Summary: "List tenders (payment methods)", Paged: true, Data: []models.Tender{}, Query: []Param{activeQ}},
		{Method: get, Path: "/api/v1/tenders/:id", Perm: "tenders.view", Summary: "A tender", Data: models.Tender{}},
		{Method: post, Path: "/api/v1/tenders", Perm: "tenders.manage", Summary: "Create a tender", Body: tenders.Input{}, Data: models.Tender{}},
		{Method: put, Path: "/api/v1/tenders/:id", Perm: "tenders.manage", Summary: "Change a tender", Body: tenders.Input{}, Data: models.Tender{}},
		{Method: del, Path: "/api/v1/tenders/:id", Perm: "tenders.manage", Summary: "Delete an unused tender", Data: deletedWithID{}},
		{Method: get, Path: "/api/v1/customers", Perm: "customers.view", Summary: "List customers", Paged: true, Data: []models.Customer{}, Query: []Param{searchQ, activeQ}},
		{Method: get, Path: "/api/v1/customers/:id", Perm: "customers.view", Summary: "A customer", Data: models.Customer{}},
		{Method: post, Path: "/api/v1/customers", Perm: "customers.create", Summary: "Create a customer", Body: customers.CustomerInput{}, Data: models.Customer{}},
		{Method: put, Path: "/api/v1/customers/:id", Perm: "customers.edit", Summary: "Change a customer", Body: customers.CustomerInput{}, Data: models.Customer{}},
		{Method: del, Path: "/api/v1/customers/:id", Perm: "customers.edit", Summary: "Deactivate a customer (their sales stay)", Data: models.Customer{}},
		{Method: get, Path: "/api/v1/sales-reps", Perm: "sales_reps.view", Summary: "List sales reps", Paged: true, Data: []models.SalesRep{}, Query: []Param{searchQ, activeQ}},
		{Method: get, Path: "/api/v1/sales-reps/:id", Perm: "sales_reps.view", Summary: "A sales rep", Data: models.SalesRep{}},
		{Method: post, Path: "/api/v1/sales-reps", Perm: "sales_reps.create", Summary: "Create a sales rep", Body: customers.SalesRepInput{}, Data: models.SalesRep{}},
		{Method: put, Path: "/api/v1/sales-reps/:id", Perm: "sales_reps.edit", Summary: "Change a sales rep", Body: customers.SalesRepInput{}, Data: models.SalesRep{}},
		{Method: patch, Path: "/api/v1/sales-reps/:id/toggle-active", Perm: "sales_reps.edit", Summary: "Switch a sales rep between active and inactive", Data: models.SalesRep{}},
		{Method: del, Path: "/api/v1/sales-reps/:id", Perm: "sales_reps.delete", Summary: "Delete a sales rep without sales", Data: deletedWithID{}},

		// Users, roles, stores (admin)
		{Method: get, Path: "/api/v1/users", Perm: "users.view", Summary: "List users", Paged: true, Data: []admin.UserView{}, Query: []Param{searchQ, activeQ}},
		{Method: get, Path: "/api/v1/users/store-employees", Summary: "The people working at this person's stores", Paged: true, Data: []admin.Employee{}, Query: []Param{searchQ}},
		{Method: get, Path: "/api/v1/users/:id", Perm: "users.view", Summary: "A user with their roles", Data: admin.UserView{}},
		{Method: post, Path: "/api/v1/users", Perm: "users.create", Summary: "Create a user", Body: admin.UserInput{}, Data: admin.UserView{}},
		{Method: put, Path: "/api/v1/users/:id", Perm: "users.edit", Summary: "Change a user (only one whose every role this person manages)", Body: admin.UserInput{}, Data: admin.UserView{}},
		{Method: get, Path: "/api/v1/roles", Perm: "roles.view", Summary: "List roles", Paged: true, Data: []admin.RoleView{}, Query: []Param{searchQ}},
		{Method: get, Path: "/api/v1/roles/permissions/all", Perm: "roles.view", Summary: "Every permission, by area", Data: models.PermissionsByArea()},
		{Method: get, Path: "/api/v1/roles/:id", Perm: "roles.view", Summary: "A role with its permissions", Data: admin.RoleView{}},
		{Method: post, Path: "/api/v1/roles", Perm: "roles.manage", Summary: "Create a role", Body: admin.RoleInput{}, Data: admin.RoleView{}},
		{Method: put, Path: "/api/v1/roles/:id", Perm: "roles.manage", Summary: "Rename a role", Body: admin.RoleInput{}, Data: admin.RoleView{}},
		{Method: put, Path: "/api/v1/roles/:id/permissions", Perm: "roles.manage", Summary: "Replace a role's permissions", Body: admin.PermissionsInput{}, Data: admin.RoleView{}},
		{Method: del, Path: "/api/v1/roles/:id", Perm: "roles.manage", Summary: "Delete a role nobody holds", Data: deletedWithID{}},
		{Method: get, Path: "/api/v1/stores", Perm: "stores.view", Summary: "List stores", Paged: true, Data: []models.Store{}, Query: []Param{searchQ, activeQ}},
		{Method: get, Path: "/api/v1/stores/current", Summary: "This person's store (or the one asked for, if theirs)", Data: admin.CurrentStore{}, Query: []Param{{Name: "store_id", Type: "uuid", About: "one of this person's stores (also storeId)"}}},
		{Method: get, Path: "/api/v1/stores/dashboard", Perm: "stores.view", Summary: "Each store's figures for today", Data: []admin.StoreSummary{}},
		{Method: get, Path: "/api/v1/stores/:id", Perm: "stores.view", Summary: "A store", Data: models.Store{}},
		{Method: post, Path: "/api/v1/stores", Perm: "stores.create", Summary: "Create a store", Body: admin.StoreInput{}, Data: models.Store{}},
		{Method: put, Path: "/api/v1/stores/:id", Perm: "stores.edit", Summary: "Change a store", Body: admin.StoreInput{}, Data: models.Store{}},
		{Method: get, Path: "/api/v1/audit", Perm: "reports.view_global", Summary: "The audit trail", Paged: true, Data: []models.AuditEntry{},
			Query: []Param{{Name: "entity_type", About: "only this kind of record (also entityType)"}, {Name: "entity_id", Type: "uuid", About: "only this record (also entityId)"},
				{Name: "user_id", Type: "uuid", About: "only this person's changes (also userId)"}, {Name: "action", About: "create, update, delete or a transition"}, dateFromQ, dateToQ}},

		// Store servers: provisioning and pull (storesync)
		{Method: post, Path: "/api/v1/stores/:id/sync-token", Perm: "sync.manage", Summary: "Issue a store's one-time sync token (shown once; an unused earlier one is revoked)", Data: storesync.Issued{}},
		{Method: del, Path: "/api/v1/stores/:id/sync-token", Perm: "sync.manage", Summary: "Revoke a store's sync: its unused token and its credential stop working", Data: storesync.Revoked{}},
		{Method: get, Path: "/api/v1/sync/dashboard", Perm: "sync.manage", Summary: "Every store's sync status and last contact", Paged: true, Data: []storesync.DashboardRow{}},
		{Method: get, Path: "/api/v1/sync/errors", Perm: "sync.manage", Summary: "The error queue: pushed items rejected or waiting for a parent, and replays with another payload", Paged: true, Data: []storesync.SyncError{},
			Query: []Param{storeQ, {Name: "status", About: "all: resolved ones too"}}},
		{Method: post, Path: "/api/v1/sync/retry/:id", Perm: "sync.manage", Summary: "Apply an error's item again (after head office added what it lacked)", Data: storesync.ItemResult{}, Status: 200},
		{Method: post, Path: "/api/v1/sync/resolve/:id", Perm: "sync.manage", Summary: "Close an error by hand, with a note (audited)", Body: storesync.ResolveInput{}, Data: storesync.ResolvedAnswer{}, Status: 200},
		{Method: post, Path: "/api/v1/sync/retry-all", Perm: "sync.manage", Summary: "Retry every open error of a store", Data: storesync.PushCounts{}, Status: 200, Query: []Param{storeQ}},
		{Method: post, Path: "/api/v1/sync/provision", Auth: Public, Summary: "Exchange a one-time sync token, once, for the store's credential (shown once)", Body: storesync.ProvisionInput{}, Data: storesync.Provisioned{}},
		{Method: get, Path: "/api/v1/sync/pull", Auth: SyncToken, Summary: "Rows of one entity changed after the cursor, for the credential's store, oldest change first", Data: storesync.Pulled{},
			Query: []Param{{Name: "entity_type", About: "one of " + strings.Join(storesync.EntityTypes(), ", "), Enum: storesync.EntityTypes()},
				{Name: "since_version", Type: "integer", About: "the latestVersion of the previous answer (0: everything)"},
				{Name: "since_id", Type: "uuid", About: "the latestId of the previous answer, when it had more"},
				{Name: "limit", Type: "integer", About: fmt.Sprintf("rows per answer (default %d, at most %d)", storesync.DefaultLimit, storesync.MaxLimit)}}},
		{Method: post, Path: "/api/v1/sync/push", Auth: SyncToken, Summary: "Apply a batch of the store's changes (sales, voids, adjustments, customers…), each answered applied, duplicate, rejected or deferred, after the commit",
			Body: storesync.PushInput{}, Data: storesync.Pushed{}, Status: 200},
		{Method: get, Path: "/api/v1/sync/ws", Auth: SyncToken, Summary: "A WebSocket: {\"type\":\"changed\",\"entityTypes\",\"latestVersion\"} after each commit that changed synced data, and pings; a hint to pull", Raw: true, Status: 101},
		{Method: get, Path: "/api/v1/sync/status", Auth: SyncToken, Summary: "The credential's store: its sync state and head office's latest version of each entity", Data: storesync.StoreStatus{}},

		// Integrations, webhooks and API keys (integrations, webhook, apikeys)
		{Method: get, Path: "/api/v1/integrations", Perm: "integrations.manage", Summary: "List integrations with their health", Paged: true, Data: []integrations.View{}},
		{Method: post, Path: "/api/v1/integrations", Perm: "integrations.manage", Summary: "Add an integration (secrets are stored encrypted, never returned)", Body: integrations.Input{}, Data: integrations.View{}},
		{Method: get, Path: "/api/v1/integrations/:id", Perm: "integrations.manage", Summary: "An integration", Data: integrations.View{}},
		{Method: put, Path: "/api/v1/integrations/:id", Perm: "integrations.manage", Summary: "Change an integration (a new address needs its secret again)", Body: integrations.Input{}, Data: integrations.View{}},
		{Method: del, Path: "/api/v1/integrations/:id", Perm: "integrations.manage", Summary: "Delete an integration", Data: deletedAnswer{}},
		{Method: post, Path: "/api/v1/integrations/:id/test", Perm: "integrations.manage", Summary: "Test the connection", Data: testAnswer{}, Status: 200},
		{Method: post, Path: "/api/v1/integrations/:id/run", Perm: "integrations.manage", Summary: "Start a run now (a job)", Data: models.IntegrationRun{}, Status: 202},
		{Method: get, Path: "/api/v1/integrations/:id/runs", Perm: "integrations.manage", Summary: "An integration's runs", Paged: true, Data: []integrations.RunView{}},
		{Method: get, Path: "/api/v1/integrations/runs/:runId", Perm: "integrations.manage", Summary: "A run with its progress", Data: integrations.RunView{}},
		{Method: get, Path: "/api/v1/integrations/:id/errors", Perm: "integrations.manage", Summary: "An integration's open errors", Paged: true, Data: []models.IntegrationError{}, Query: []Param{{Name: "status", About: "all: resolved ones too"}}},
		{Method: post, Path: "/api/v1/integrations/:id/errors/:errorId/retry", Perm: "integrations.manage", Summary: "Retry what an error failed (a new run)", Data: retryAnswer{}, Status: 202},
		{Method: post, Path: "/api/v1/integrations/:id/errors/:errorId/resolve", Perm: "integrations.manage", Summary: "Mark an error resolved", Data: resolvedAnswer{}, Status: 200},
		{Method: get, Path: "/api/v1/integrations/:id/deliveries", Perm: "integrations.manage", Summary: "A webhook's deliveries", Paged: true, Data: []webhook.DeliveryView{}, Query: []Param{{Name: "status", About: "pending, delivered or failed"}}},
		{Method: post, Path: "/api/v1/integrations/:id/deliveries/:deliveryId/redeliver", Perm: "integrations.manage", Summary: "Send a delivery again", Data: webhook.Delivery{}, Status: 202},
		{Method: get, Path: "/api/v1/integrations/api-keys", Perm: "integrations.manage", Summary: "List API keys (never the key itself)", Paged: true, Data: []models.APIKey{}},
		{Method: post, Path: "/api/v1/integrations/api-keys", Perm: "integrations.manage", Summary: "Make an API key (shown once, stored hashed)", Body: apikeys.Input{}, Data: apikeys.Created{}},
		{Method: del, Path: "/api/v1/integrations/api-keys/:id", Perm: "integrations.manage", Summary: "Revoke an API key", Data: revokedAnswer{}},

		// Web services for outside tools (webservices), by API key; their answers are the seed's own shapes
		{Method: post, Path: "/ws/v1/sales", Auth: APIKey, Summary: "Record a sale made elsewhere (scope sales.write; Idempotency-Key makes retries safe)", Body: webservices.SaleBody{}, Raw: true},
		{Method: get, Path: "/ws/v1/reports/sales", Auth: APIKey, Summary: "A day's sales (scope reports.read)", Raw: true, Formats: mediaTypes(webservices.ReportFormats),
			Query: []Param{{Name: "date", Type: "date", About: "the day (default today)"}, {Name: "format", About: "one of " + strings.Join(webservices.ReportFormatNames, ", ")}}},
		{Method: get, Path: "/ws/v1/catalog/:list", Auth: APIKey, Summary: "Download a catalogue list: " + strings.Join(webservices.CatalogLists, ", ") + " (scope catalog.read)", Raw: true,
			Formats: mediaTypes(webservices.CatalogFormats), Query: []Param{{Name: "format", About: "one of " + strings.Join(webservices.CatalogFormatNames, ", ") + " (default json)"}}},
	}
	for _, r := range reports.Catalog {
		ops = append(ops, Op{Method: get, Path: "/api/v1/reports/" + r.Slug, Perm: r.Perm, Summary: r.Title + " report", Query: reportQuery(r)})
	}
	return ops
}

// mediaTypes are the content types of a format table, without their parameters, JSON left out
// (the answer's own schema covers it).
func mediaTypes(formats map[string]string) []string {
	var out []string
	for _, ct := range formats {
		media, _, _ := strings.Cut(ct, ";")
		if media != "application/json" {
			out = append(out, media)
		}
	}
	sort.Strings(out)
	return out
}

func reportQuery(r reports.Report) []Param {
	q := []Param{storeQ}
	if r.Dated {
		q = append(q, dateFromQ, dateToQ)
	}
	if r.Periodic {
		q = append(q, Param{Name: "period", About: "day, week or month"})
	}
	return q
}
