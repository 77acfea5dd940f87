// Package mipos connects a store to the miPOS inventory system (seed 001): a full sync of items,
// units and suppliers, ordered stock updates for every movement of a product the hub knows,
// and signed webhooks that bring the hub's own stock movements back into our ledger.
package mipos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"backroom/app/integrations"
	"backroom/app/inventory"
	"backroom/app/jobs"
	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
)

// DefaultBaseURL is the hub's production address.
const DefaultBaseURL = "https://integrations.mipos.shop"

// Connector is the miPOS kind.
type Connector struct {
	db     *gorm.DB
	integ  *integrations.Service
	ledger *inventory.Ledger
	client client
}

// New builds the connector over the integrations service (which opens its secrets); stock the hub
// reports moved is booked through ledger. The stock updates going the other way are queued by
// QueueStockUpdates, a hook of that ledger.
func New(db *gorm.DB, integ *integrations.Service, ledger *inventory.Ledger, http *http.Client) *Connector {
	return &Connector{db: db, integ: integ, ledger: ledger, client: client{http: http}}
}

// RegisterJobs adds the worker that sends queued stock updates.
func (c *Connector) RegisterJobs(reg *jobs.Registry) {
	river.AddWorker(reg.Workers, &stockWorker{c: c})
}

// Mount adds the hub's inbound webhook (authenticated by its signature, see inbound) and the
// page's "Register webhook" button.
func (c *Connector) Mount(rt server.Routes) {
	rt.Root.POST("/webhooks/mipos/:integrationId", c.inbound)
	rt.Web.POST("/settings/integrations/:id/mipos/webhook", server.Require("integrations.manage"), c.webRegister)
}

// Kind names the kind.
func (c *Connector) Kind() string { return models.KindMiPOS }

// Label names the kind on pages.
func (c *Connector) Label() string { return "miPOS inventory" }

// NeedsStore: a miPOS account is one of our stores.
func (c *Connector) NeedsStore() bool { return true }

// Help explains the kind on the settings page.
func (c *Connector) Help() string {
	return "Keeps the miPOS inventory system in step with one store. A sync sends every active product " +
		"(with its units and preferred supplier, cost and the store's stock) in one request; after that each stock " +
		"movement of a synced product is sent as a stock update, in order per product and retried until accepted. " +
		"Enabling the integration registers Backroom's webhook with miPOS, so stock moved in miPOS comes back " +
		"signed with the client secret and is booked here as an external movement. Products without a preferred " +
		"supplier are listed as errors until one is set."
}

// Fields are the settings and secrets the kind takes.
func (c *Connector) Fields() []integrations.Field {
	return []integrations.Field{
		{Name: "baseUrl", Label: "miPOS address", Type: "url", Default: DefaultBaseURL, Required: true,
			Help: "The integrations API of miPOS; change it only for a test hub."},
		{Name: "posStoreId", Label: "miPOS store id", Required: true, Help: "The id of this store in miPOS (part of every address)."},
		{Name: "userIdTps", Label: "Inventory system owner (user_id_tps)", Required: true, Help: "The miPOS user who owns the inventory system."},
		{Name: "inventorySystemId", Label: "Inventory system id", Required: true, Help: "The inventory system to keep in step, as miPOS shows it."},
		{Name: "scheduleMinutes", Label: "Full sync every (minutes)", Type: "int", Default: "0", Max: 10080,
			Help: "0 syncs only when you press Sync now; stock updates are sent as they happen either way."},
		{Name: "accessToken", Label: "Access token", Secret: true, Required: true, Help: "Sent as Authorization: Bearer."},
		{Name: "clientSecret", Label: "Client secret", Secret: true, Required: true,
			Help: "The key miPOS signs its webhooks with (X-Signature-Request); webhooks with another signature are refused."},
	}
}

// Test checks reachability and the access token without changing anything at the hub: it sends
// an empty stock update, which a hub that accepted the token refuses as incomplete (422).
func (c *Connector) Test(ctx context.Context, in *integrations.Instance) error {
	a, err := accountOf(in)
	if err != nil {
		return err
	}
	err = c.client.post(ctx, a, a.storePath("stock/update"), map[string]any{}, 15*time.Second)
	var he *HubError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &he):
		return err
	case he.Status == http.StatusUnprocessableEntity:
		return nil // token accepted, store path known; only the deliberately empty body was refused
	case he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden:
		return fmt.Errorf("miPOS refused the access token (%d): %s", he.Status, joinOr(he.Messages, "no message"))
	case he.Status == http.StatusNotFound:
		return fmt.Errorf("miPOS has no store %q at %s (404)", a.posStoreID, a.baseURL)
	}
	return err
}

func joinOr(list []string, empty string) string {
	if len(list) == 0 {
		return empty
	}
	s := list[0]
	for _, m := range list[1:] {
		s += "; " + m
	}
	return s
}

// syncItem, syncUnit and syncSupplier are the seed's body shapes; every value is a string.
type syncItem struct {
	Name                      string `json:"name"`
	ExternalID                string `json:"external_id"`
	PurchaseUnitExternalID    string `json:"purchase_unit_external_id"`
	ConsumptionUnitExternalID string `json:"consumption_unit_external_id"`
	SupplierExternalID        string `json:"supplier_external_id"`
	Cost                      string `json:"cost"`
	Stock                     string `json:"stock"`
}

type syncUnit struct {
	Name       string `json:"name"`
	ShortName  string `json:"short_name"`
	ExternalID string `json:"external_id"`
}

type syncSupplier struct {
	Name       string `json:"name"`
	ExternalID string `json:"external_id"`
}

type syncBody struct {
	Items             []syncItem     `json:"items"`
	Units             []syncUnit     `json:"units"`
	Suppliers         []syncSupplier `json:"suppliers"`
	UserIDTps         string         `json:"user_id_tps"`
	InventorySystemID string         `json:"inventory_system_id"`
}

// catalogueRow is one active product with what the sync needs from its units, preferred
// supplier and the store's level.
type catalogueRow struct {
	ID                uuid.UUID
	SKU               string
	Name              string
	CostPrice         int64
	PurchaseUnitID    *uuid.UUID
	PurchaseUnitName  *string
	PurchaseUnitShort *string
	ConsumeUnitID     *uuid.UUID
	ConsumeUnitName   *string
	ConsumeUnitShort  *string
	SupplierID        *uuid.UUID
	SupplierName      *string
	Stock             int64
}

// Run sends the full catalogue of active products in one request. The seed states no size
// limit for the sync, so it is not split: splitting would also need every part to repeat the
// units and suppliers its items reference. External ids are our ids: the SKU for items and the
// UUIDs of units and suppliers, which never change (codes and names may).
func (c *Connector) Run(ctx context.Context, in *integrations.Instance, r *integrations.Run) error {
	a, err := accountOf(in)
	if err != nil {
		return err
	}
	var rows []catalogueRow
	err = r.DB().WithContext(ctx).Raw(`
		SELECT p.id, p.sku, p.name, p.cost_price,
			pu.id AS purchase_unit_id, pu.name AS purchase_unit_name, pu.short_name AS purchase_unit_short,
			cu.id AS consume_unit_id, cu.name AS consume_unit_name, cu.short_name AS consume_unit_short,
			s.id AS supplier_id, s.name AS supplier_name, coalesce(l.quantity, 0) AS stock
		FROM products p
		LEFT JOIN units pu ON pu.id = p.purchase_unit_id
		LEFT JOIN units cu ON cu.id = p.consumption_unit_id
		LEFT JOIN product_suppliers ps ON ps.product_id = p.id AND ps.is_preferred
		LEFT JOIN suppliers s ON s.id = ps.supplier_id
		LEFT JOIN inventory_levels l ON l.product_id = p.id AND l.store_id = ?
		WHERE p.is_active AND p.deleted_at IS NULL
		ORDER BY p.sku`, in.Store.ID).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("read catalogue: %w", err)
	}
	if err := r.AddTotal(ctx, len(rows)); err != nil {
		return err
	}
	body := syncBody{Items: []syncItem{}, Units: []syncUnit{}, Suppliers: []syncSupplier{},
		UserIDTps: a.userIDTps, InventorySystemID: a.inventorySystemID}
	units, suppliers := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	var sentIDs []uuid.UUID
	var sentSKUs []string
	for _, p := range rows {
		if why := unsendable(p); why != "" {
			if err := r.Failed(ctx, "product", p.SKU, why); err != nil {
				return err
			}
			continue
		}
		body.Items = append(body.Items, syncItem{Name: p.Name, ExternalID: p.SKU,
			PurchaseUnitExternalID: p.PurchaseUnitID.String(), ConsumptionUnitExternalID: p.ConsumeUnitID.String(),
			SupplierExternalID: p.SupplierID.String(), Cost: money.Decimal(p.CostPrice), Stock: qty(p.Stock)})
		for _, u := range []struct {
			id          uuid.UUID
			name, short string
		}{{*p.PurchaseUnitID, *p.PurchaseUnitName, *p.PurchaseUnitShort}, {*p.ConsumeUnitID, *p.ConsumeUnitName, *p.ConsumeUnitShort}} {
			if !units[u.id] {
				units[u.id] = true
				if u.short == "" {
					u.short = u.name
				}
				body.Units = append(body.Units, syncUnit{Name: u.name, ShortName: u.short, ExternalID: u.id.String()})
			}
		}
		if !suppliers[*p.SupplierID] {
			suppliers[*p.SupplierID] = true
			body.Suppliers = append(body.Suppliers, syncSupplier{Name: *p.SupplierName, ExternalID: p.SupplierID.String()})
		}
		sentIDs, sentSKUs = append(sentIDs, p.ID), append(sentSKUs, p.SKU)
	}
	if len(body.Items) == 0 {
		return nil // the hub requires at least one item; the per-item errors say why there is none
	}
	if err := c.client.post(ctx, a, a.storePath("sync"), body, 2*time.Minute); err != nil {
		return err // a refused sync refuses every item: the run fails with the hub's messages verbatim
	}
	if err := rememberItems(ctx, r.DB(), in.ID, sentIDs); err != nil {
		return err
	}
	for start := 0; start < len(sentSKUs); start += 500 {
		if err := r.Sent(ctx, "product", sentSKUs[start:min(start+500, len(sentSKUs))]...); err != nil {
			return err
		}
	}
	return nil
}

// unsendable says why a product cannot be part of a sync ("" when it can).
func unsendable(p catalogueRow) string {
	switch {
	case p.SupplierID == nil:
		return "no preferred supplier: miPOS needs one per item; set it on the product"
	case p.PurchaseUnitID == nil || p.ConsumeUnitID == nil:
		return "no purchase or consumption unit"
	}
	return ""
}

// rememberItems records the products the hub now knows, so their movements are pushed.
func rememberItems(ctx context.Context, db *gorm.DB, integrationID uuid.UUID, ids []uuid.UUID) error {
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(start+1000, len(ids))]
		err := db.WithContext(ctx).Exec(`
			INSERT INTO mipos_items (integration_id, product_id, synced_at)
			SELECT ?, unnest(?::uuid[]), now()
			ON CONFLICT (integration_id, product_id) DO UPDATE SET synced_at = EXCLUDED.synced_at`,
			integrationID, uuidArray(chunk)).Error
		if err != nil {
			return fmt.Errorf("remember synced items: %w", err)
		}
	}
	return nil
}

// uuidArray renders ids as a PostgreSQL array literal.
func uuidArray(ids []uuid.UUID) string {
	b := make([]byte, 0, len(ids)*37+2)
	b = append(b, '{')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, id.String()...)
	}
	return string(append(b, '}'))
}

// qty renders thousandths as the hub's decimal string with three places ("2.000", "-1.500").
func qty(thousandths int64) string { return money.QtyDecimal(thousandths, 3) }

// webhookURL is where the hub sends this integration's stock movements.
func webhookURL(in *integrations.Instance) string {
	return in.PublicURL + "/webhooks/mipos/" + in.ID.String()
}
