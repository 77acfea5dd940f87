// Package router assembles Backroom: the engine, the sign-in service and every area's routes.
package router

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"backroom/app/apikeys"
	"backroom/app/auth"
	"backroom/app/catalogsync"
	"backroom/app/config"
	"backroom/app/dashboard"
	"backroom/app/integrations"
	"backroom/app/integrations/codemax"
	"backroom/app/integrations/mipos"
	"backroom/app/integrations/tipsi"
	"backroom/app/integrations/webhook"
	"backroom/app/jobs"
	"backroom/app/pricing"
	"backroom/app/server"
	"backroom/app/webservices"
	"backroom/models"
	"backroom/views/home"
)

// Deps are what the app is built from.
type Deps struct {
	Config config.Config
	Pool   *pgxpool.Pool
	DB     *gorm.DB
}

// App is the assembled application.
type App struct {
	Handler      http.Handler
	Auth         *auth.Service
	Jobs         *jobs.Registry
	Integrations *integrations.Service
	Webhooks     *webhook.Service
}

// New wires every area onto one engine.
func New(d Deps) (*App, error) {
	cfg := d.Config
	tokens := auth.NewTokens(cfg.Key("jwt"), cfg.AccessTokenTTL, nil)
	authSvc := auth.NewService(d.DB, tokens, cfg.Key("pin"), cfg.RefreshTokenTTL)
	kit := &server.Kit{
		Sessions:   auth.NewSessions(d.Pool, cfg.Production()),
		Nav:        sidebar(),
		StoreScope: storeScope(d.DB),
		Badges:     badgesFor(d),
		Zone:       storeZone(d.DB),

		TrustedProxies: cfg.TrustedProxies,
	}
	r := server.New(kit)
	api := r.Group("/api/v1", server.BodyLimit(1<<20))
	rt := server.Routes{
		PublicAPI: api.Group(""),
		API:       api.Group("", authSvc.RequireToken),
		PublicWeb: r.Group("", server.BodyLimit(1<<20)),
		Web:       r.Group("", server.BodyLimit(1<<20), authSvc.RequireSession, server.PageZone),
		Root:      r,
	}
	authSvc.MountAPI(rt.PublicAPI, rt.API)
	authSvc.MountWeb(rt.PublicWeb, rt.Web)
	rt.Web.GET("/", dashboardPage(d.DB))
	reg := jobs.NewRegistry()
	integrations.Register(codemax.New(codemax.Options{}))
	integrations.Register(tipsi.New())
	integ, err := integrations.New(d.DB, cfg.Key("secrets"), cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	integ.RegisterJobs(reg)
	pricing.RegisterJobs(reg, d.DB)
	integ.Mount(rt)
	mipos.New(d.DB, integ).Wire(reg, rt)
	webhooks := webhook.New(d.DB, integ, cfg.Key("receipt-links"), cfg.PublicURL)
	webhooks.RegisterJobs(reg) // the delivery worker, and the sale hook that queues deliveries
	webhooks.Mount(rt)
	keys := apikeys.New(d.DB)
	keys.Mount(rt)
	integrations.AddListSection("api-keys", keys.Section)
	catalogsync.New(d.DB).Mount(rt, keys) // PATCH /api/v1/catalog/sync|sync_clear by API key, 16 MiB bodies
	ws := webservices.New(d.DB, keys)     // /ws/v1: record a sale, sales report and catalogue downloads by API key
	ws.Mount(rt)
	integrations.AddListSection("web-services", ws.Section)
	mountAreas(rt, d, authSvc)
	return &App{Handler: r, Auth: authSvc, Jobs: reg, Integrations: integ, Webhooks: webhooks}, nil
}

// dashboardPage shows today's figures the person may see and a tile per area they may open.
func dashboardPage(db *gorm.DB) gin.HandlerFunc {
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
			tiles = append(tiles, home.Tile{Label: item.Label, Href: item.Href, Body: tileText[item.Key]})
		}
		cards, err := dashboard.Cards(c.Request.Context(), db, server.Actor(c), approvals)
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

// areaOrder is the sidebar order of UI.md, whatever order areas register in.
var areaOrder = []string{"home", "catalogue", "purchasing", "approvals", "pricing", "transfers", "inventory", "sales", "reports", "sync", "integrations", "admin"}

// sidebar returns the navigation in UI.md's order, with the integrations area.
func sidebar() []server.Nav {
	nav := append([]server.Nav{
		{Key: "integrations", Label: "Integrations", Href: "/settings/integrations", Perms: []string{"integrations.manage"}},
	}, navigation...)
	rank := func(key string) int {
		for i, k := range areaOrder {
			if k == key {
				return i
			}
		}
		return len(areaOrder)
	}
	sort.SliceStable(nav, func(i, j int) bool { return rank(nav[i].Key) < rank(nav[j].Key) })
	return nav
}

func init() {
	tileText["integrations"] = "Connect the RMS, inventory system, catalogue service and webhook receivers; watch runs and errors."
}
