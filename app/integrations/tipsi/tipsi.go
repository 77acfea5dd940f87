// Package tipsi keeps Tipsi's catalogue of one store equal to ours with seed 004's batch sync
// (PATCH …/ext/sync or …/ext/sync_clear with a JSON array of products).
package tipsi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"backroom/app/integrations"
	"backroom/app/money"
	"backroom/app/pricing"
	"backroom/models"
)

const defaultBatch = 500

// Connector is the Tipsi kind.
type Connector struct {
	client client
	now    func() time.Time
}

// New builds the connector.
func New(http *http.Client) *Connector {
	return &Connector{client: client{http: http}, now: time.Now}
}

// Kind names the kind.
func (c *Connector) Kind() string { return models.KindTipsi }

// Label names the kind on pages.
func (c *Connector) Label() string { return "Tipsi catalogue" }

// NeedsStore: a Tipsi store is one of ours; stock and prices are that store's.
func (c *Connector) NeedsStore() bool { return true }

// Help explains the kind on the settings page, including why sync_clear is sent the way it is.
func (c *Connector) Help() string {
	return "Sends this store's catalogue to Tipsi in batches, so Tipsi shows what the store has and what it costs. " +
		"Each active product goes as external_id (its SKU), barcodes, in_stock (whole units in stock at the store, " +
		"rounded down, never below 0) and price (the store's price today, store prices and specials included, as a " +
		"decimal such as 12.99). A product that leaves the catalogue (deactivated or deleted) is sent once more with " +
		"in_stock 0. Mode \"sync\" only updates and adds: products Tipsi has from elsewhere are left as they are. " +
		"Mode \"sync_clear\" also marks everything else at Tipsi out of stock. Tipsi clears whatever a sync_clear " +
		"request does not carry, so sending every batch as sync_clear would leave only the last batch in stock; " +
		"instead the first batch goes as sync_clear and every later batch as sync, which ends with Tipsi holding " +
		"exactly our catalogue whatever the batch size, without one huge request. While a run is under way the " +
		"products of later batches show out of stock for a moment; a batch Tipsi refuses stays out of stock and is " +
		"listed under errors until the next run sends it. Requests carry the header Authorization: Token <API token>; " +
		"Test connection sends an empty sync, which changes nothing at Tipsi."
}

// Fields are the settings and secrets the kind takes.
func (c *Connector) Fields() []integrations.Field {
	return []integrations.Field{
		{Name: "baseUrl", Label: "Tipsi address", Type: "url", Required: true,
			Help: "For example https://integration-test.gettipsi.com for Tipsi's test system."},
		{Name: "tipsiStoreId", Label: "Tipsi store id", Required: true, Help: "The store's id at Tipsi (part of every address)."},
		{Name: "mode", Label: "Mode", Type: "select", Options: []string{ModeSync, ModeSyncClear}, Default: ModeSync,
			Help: "sync updates and adds; sync_clear also marks every product we do not send as out of stock."},
		{Name: "batchSize", Label: "Products per request", Type: "int", Default: fmt.Sprint(defaultBatch), Min: 1, Max: 10000},
		{Name: "scheduleMinutes", Label: "Sync every (minutes)", Type: "int", Default: "0", Max: 10080,
			Help: "0 syncs only when you press Sync now."},
		{Name: "apiToken", Label: "API token", Secret: true, Required: true, Help: "Sent as Authorization: Token <token>."},
	}
}

// Test sends an empty sync: an upsert of nothing changes nothing, yet proves the address, the
// store id and the token. (Never an empty sync_clear: that would mark everything out of stock.)
func (c *Connector) Test(ctx context.Context, in *integrations.Instance) error {
	a, err := accountOf(in)
	if err != nil {
		return err
	}
	err = c.client.patch(ctx, a, ModeSync, nil)
	var te *Error
	if errors.As(err, &te) {
		switch te.Status {
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("Tipsi refused the API token (%d)", te.Status)
		case http.StatusNotFound:
			return fmt.Errorf("Tipsi has no store %q at %s (404)", a.storeID, a.baseURL)
		}
	}
	return err
}

// entry is one product to send, with what the run remembers about it.
type entry struct {
	Item
	productID uuid.UUID
	listed    bool // in our catalogue (false: leaving it, sent out of stock)
}

// Run sends the catalogue in batches. In sync_clear mode the first accepted batch is sent as
// sync_clear and every other as sync (see Help); if the sync_clear batch is refused, the next
// batch carries the clear instead, so the products of a refused batch end out of stock rather
// than stale.
func (c *Connector) Run(ctx context.Context, in *integrations.Instance, r *integrations.Run) error {
	a, err := accountOf(in)
	if err != nil {
		return err
	}
	entries, err := c.catalogue(ctx, r.DB(), in)
	if err != nil {
		return err
	}
	if err := r.AddTotal(ctx, len(entries)); err != nil {
		return err
	}
	clearPending := a.mode == ModeSyncClear
	if len(entries) == 0 && clearPending {
		// Nothing is in our catalogue: the end state is everything out of stock.
		return c.client.patch(ctx, a, ModeSyncClear, nil)
	}
	for start := 0; start < len(entries); start += a.batchSize {
		batch := entries[start:min(start+a.batchSize, len(entries))]
		items := make([]Item, len(batch))
		refs := make([]string, len(batch))
		for i, e := range batch {
			items[i], refs[i] = e.Item, e.ExternalID
		}
		command := ModeSync
		if clearPending {
			command = ModeSyncClear
		}
		if err := c.client.patch(ctx, a, command, items); err != nil {
			var te *Error
			if ctx.Err() != nil || (errors.As(err, &te) && te.refusedToken()) {
				return err // no later batch can get through either
			}
			for _, ref := range refs {
				if err := r.Failed(ctx, "product", ref, fmt.Sprintf("%s batch of %d: %s", command, len(batch), err)); err != nil {
					return err
				}
			}
			continue
		}
		clearPending = false
		if err := remember(ctx, r.DB(), in.ID, batch); err != nil {
			return err
		}
		if err := r.Sent(ctx, "product", refs...); err != nil {
			return err
		}
	}
	return nil
}

// catalogue lists what Tipsi should hold: every active product of ours with its stock at the
// integration's store and its resolved price there, then every product sent before that has left
// the catalogue since (out of stock), each group by SKU.
func (c *Connector) catalogue(ctx context.Context, db *gorm.DB, in *integrations.Instance) ([]entry, error) {
	var rows []struct {
		ID      uuid.UUID
		SKU     string
		Barcode *string
		Listed  bool
		Stock   int64
	}
	err := db.WithContext(ctx).Raw(`
		SELECT p.id, p.sku, p.barcode, (p.is_active AND p.deleted_at IS NULL) AS listed, coalesce(l.quantity, 0) AS stock
		FROM products p
		LEFT JOIN inventory_levels l ON l.product_id = p.id AND l.store_id = ?
		WHERE (p.is_active AND p.deleted_at IS NULL)
		   OR p.id IN (SELECT product_id FROM tipsi_items WHERE integration_id = ? AND in_catalogue)
		ORDER BY listed DESC, p.sku`, in.Store.ID, in.ID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	prices := make(map[uuid.UUID]pricing.Price, len(rows))
	at := c.now()
	for start := 0; start < len(ids); start += 1000 {
		m, err := pricing.ResolveMany(ctx, db, in.Store.ID, ids[start:min(start+1000, len(ids))], at)
		if err != nil {
			return nil, fmt.Errorf("resolve prices: %w", err)
		}
		for k, v := range m {
			prices[k] = v
		}
	}
	out := make([]entry, len(rows))
	for i, r := range rows {
		e := entry{productID: r.ID, listed: r.Listed,
			Item: Item{ExternalID: r.SKU, Barcodes: []string{}, Price: decimal(prices[r.ID].Price)}}
		if r.Barcode != nil && *r.Barcode != "" {
			e.Barcodes = []string{*r.Barcode}
		}
		if r.Listed {
			e.InStock = units(r.Stock)
		}
		out[i] = e
	}
	return out, nil
}

// units turns a level in thousandths into the whole units Tipsi can sell: a part of a bottle is
// not one, and a negative level (sales booked offline) is none.
func units(thousandths int64) int64 { return max(thousandths, 0) / 1000 }

// decimal renders cents as an exact JSON number (12.99).
func decimal(cents int64) json.Number { return json.Number(money.Decimal(cents)) }

// remember records the products of an accepted batch: listed ones stay tracked, and a product
// sent out of stock after leaving the catalogue is not sent again.
func remember(ctx context.Context, db *gorm.DB, integrationID uuid.UUID, batch []entry) error {
	ids := make(pq.StringArray, len(batch))
	listed := make(pq.BoolArray, len(batch))
	for i, e := range batch {
		ids[i], listed[i] = e.productID.String(), e.listed
	}
	err := db.WithContext(ctx).Exec(`
		INSERT INTO tipsi_items (integration_id, product_id, in_catalogue, sent_at)
		SELECT ?, u.p, u.l, now() FROM unnest(?::uuid[], ?::boolean[]) AS u(p, l)
		ON CONFLICT (integration_id, product_id) DO UPDATE SET in_catalogue = EXCLUDED.in_catalogue, sent_at = EXCLUDED.sent_at`,
		integrationID, ids, listed).Error
	if err != nil {
		return fmt.Errorf("remember sent products: %w", err)
	}
	return nil
}
