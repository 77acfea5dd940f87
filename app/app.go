// Package app is Backroom's one composition root: New builds every service with the
// dependencies it uses, the job workers and the sidebar's badge counters. Nothing here serves
// HTTP: router.New mounts the services' routes on an engine (backroom serve), and backroom worker
// runs App.Jobs without building one.
//
// No package under app/ holds mutable state of its own (structure_test.go checks it): a
// connector, a sale hook or a ledger hook exists because New passes it to the service that
// calls it, so this file is the one place to read what calls what.
package app

import (
	"fmt"
	"runtime"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"backroom/app/admin"
	"backroom/app/apidoc"
	"backroom/app/apikeys"
	"backroom/app/approvals"
	"backroom/app/audit"
	"backroom/app/auth"
	"backroom/app/catalog"
	"backroom/app/catalogsync"
	"backroom/app/config"
	"backroom/app/customers"
	"backroom/app/integrations"
	"backroom/app/integrations/codemax"
	"backroom/app/integrations/mipos"
	"backroom/app/integrations/tipsi"
	"backroom/app/integrations/webhook"
	"backroom/app/inventory"
	"backroom/app/jobs"
	"backroom/app/outbound"
	"backroom/app/pricing"
	"backroom/app/purchasing"
	"backroom/app/registers"
	"backroom/app/reports"
	"backroom/app/sales"
	"backroom/app/search"
	"backroom/app/storesync"
	"backroom/app/tenders"
	"backroom/app/transfers"
	"backroom/app/webservices"
	"backroom/models"
)

// App is every service of one Backroom, built by New over one database.
type App struct {
	Config config.Config
	Pool   *pgxpool.Pool
	DB     *gorm.DB

	Auth *auth.Service
	// Ledger is the only way stock moves; every area that moves stock holds this one.
	Ledger       *inventory.Ledger
	Admin        *admin.Service
	Catalog      *catalog.Service
	Inventory    *inventory.Service
	Sales        *sales.Service
	Registers    *registers.Service
	Tenders      *tenders.Service
	Customers    *customers.Service
	Purchasing   *purchasing.Service
	Pricing      *pricing.Service
	Transfers    *transfers.Service
	Approvals    *approvals.Service
	Audit        *audit.Service
	Reports      *reports.Service
	Search       *search.Service
	Integrations *integrations.Service
	Webhooks     *webhook.Service
	MiPOS        *mipos.Connector
	APIKeys      *apikeys.Service
	CatalogSync  *catalogsync.Service
	WebServices  *webservices.Service
	StoreSync    *storesync.Service
	// APIDoc is the OpenAPI description of /api/v1 and /ws/v1 (app/apidoc/operations.go).
	APIDoc *apidoc.Service

	// Jobs are the background workers and periodic jobs, for jobs.NewRunner.
	Jobs *jobs.Registry
	// Badges count what waits for the signed-in person, by sidebar key; on Integrations, what is
	// failing (its sidebar entry is an alarm).
	Badges map[string]func(*gin.Context, models.Actor) int
}

// Option changes one part New builds; tests use them to put a stand-in where an outside system
// would be. Production passes none.
type Option func(*options)

type options struct {
	connectors []integrations.Connector
	saleHooks  []sales.Hook
}

// WithConnector offers c in place of the built-in connector of its kind (or as a new kind).
func WithConnector(c integrations.Connector) Option {
	return func(o *options) { o.connectors = append(o.connectors, c) }
}

// WithSaleHook runs h for every recorded sale, after the built-in sale hooks.
func WithSaleHook(h sales.Hook) Option {
	return func(o *options) { o.saleHooks = append(o.saleHooks, h) }
}

// New builds every service over db (pool is the same database, for River and sessions).
func New(cfg config.Config, pool *pgxpool.Pool, db *gorm.DB, opts ...Option) (*App, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	// The store-or-HQ choice lives here. A store server (DESIGN.md, MODE=store) will build the
	// same areas over the store's database with an outbox hook on the ledger and the sales
	// service, and a sync client instead of the HQ-side sync; config.Load refuses MODE=store
	// until that exists, so only head office is built.
	if cfg.Mode != config.ModeHQ {
		return nil, fmt.Errorf("MODE=%s cannot be built: only %s is available", cfg.Mode, config.ModeHQ)
	}
	a := &App{Config: cfg, Pool: pool, DB: db, Jobs: jobs.NewRegistry()}

	// Sign-in: credential hashing bounded to the machine's cores (each check holds ~19 MiB), and
	// one throttle for sign-ins and PIN changes, shared with user administration.
	hasher := auth.NewHasher(cfg.Key("pin"), runtime.GOMAXPROCS(0), 3*time.Second)
	throttle := auth.NewThrottle(db, 15*time.Minute)
	a.Auth = auth.NewService(db, auth.NewTokens(cfg.Key("jwt"), cfg.AccessTokenTTL, nil), hasher, throttle, cfg.Key("device"), cfg.RefreshTokenTTL)
	var err error
	// Every call to an outside system goes through one guarded client kind (app/outbound).
	guard := outbound.Guard{AllowPrivate: cfg.AllowPrivateTargets}
	a.Integrations, err = integrations.New(db, cfg.Key("secrets"), cfg.PublicURL, guard)
	if err != nil {
		return nil, err
	}

	// Stock: every movement queues the miPOS stock updates of the integrations that follow it.
	a.Ledger = inventory.NewLedger(mipos.QueueStockUpdates)
	a.Inventory = inventory.NewService(db, a.Ledger)

	// Sales: every recorded sale queues its webhook deliveries, in the sale's transaction.
	a.Webhooks = webhook.New(db, a.Integrations, cfg.Key("receipt-links"), cfg.PublicURL, guard.Client(10*time.Second))
	a.Sales = sales.New(db, a.Ledger, append([]sales.Hook{a.Webhooks.Recorded}, o.saleHooks...)...)
	a.Registers = registers.New(db)
	a.Tenders = tenders.New(db)
	a.Customers = customers.New(db)

	a.Admin = admin.New(db, hasher, throttle)
	a.Catalog = catalog.New(db)
	a.Purchasing = purchasing.New(db, a.Ledger)
	a.Pricing = pricing.New(db)
	a.Transfers = transfers.New(db, a.Ledger)
	a.Approvals = approvals.New(db, a.Purchasing, a.Pricing)
	a.Audit = audit.New(db)
	a.Reports = reports.New(db)
	a.Search = search.New(a.Catalog, a.Purchasing, a.Transfers, a.Pricing, a.Customers)

	// Outside systems: the connector kinds on the integrations page, API keys and what they open.
	a.MiPOS = mipos.New(db, a.Integrations, a.Ledger, guard.Client(2*time.Minute))
	a.Integrations.Offer(codemax.New(codemax.Options{Client: guard.Client(20 * time.Second)}), tipsi.New(guard.Client(2*time.Minute)), a.Webhooks, a.MiPOS)
	a.Integrations.Offer(o.connectors...)
	a.APIKeys = apikeys.New(db)
	a.CatalogSync = catalogsync.New(db, a.APIKeys, a.Ledger)
	a.WebServices = webservices.New(db, a.APIKeys, a.Sales)
	// Store servers: provisioning, pull and push (app/storesync); versions are stamped by the
	// database, pushed sales and stock go through the same sales service and ledger.
	a.StoreSync = storesync.New(db, pool, cfg.PublicURL, storesync.Books{Sales: a.Sales, Inventory: a.Inventory,
		Ledger: a.Ledger, Registers: a.Registers, Transfers: a.Transfers})
	if a.APIDoc, err = apidoc.New(); err != nil {
		return nil, err
	}

	// Background work, for serve and worker alike.
	a.Integrations.RegisterJobs(a.Jobs)
	pricing.RegisterJobs(a.Jobs, db)
	a.MiPOS.RegisterJobs(a.Jobs)
	a.Webhooks.RegisterJobs(a.Jobs)
	a.StoreSync.RegisterJobs(a.Jobs)

	a.Badges = map[string]func(*gin.Context, models.Actor) int{"approvals": a.Approvals.Count, "purchasing": a.Approvals.Count,
		"integrations": a.Integrations.Badge}
	return a, nil
}
