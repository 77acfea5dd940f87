package server

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"backroom/models"
	"backroom/static"
	"backroom/views/layout"
)

// Kit is what the HTTP layer shares across areas.
type Kit struct {
	Sessions *scs.SessionManager
	Nav      []Nav
	// StoreScope names the stores a store-scoped actor works in, for the top bar.
	StoreScope func(c *gin.Context, a models.Actor) string
	// Badge counts items waiting for the actor in a nav area (e.g. approvals), or failing in it
	// when its Nav is an Alarm (integrations).
	Badges map[string]func(c *gin.Context, a models.Actor) int
	// Zone is the time zone the actor reads times in on pages (see PageZone).
	Zone func(c *gin.Context, a models.Actor) *time.Location
	// TrustedProxies are the addresses (IPs or CIDRs) whose X-Forwarded-For is believed for the
	// client address (sign-in throttling, logs). None by default: anyone can send that header.
	TrustedProxies []string
	// Ready are the checks /ready runs (database reachable and migrated, workers running); each
	// returns nil or a reason safe to show anyone.
	Ready []func(ctx context.Context) error
}

// Nav is a sidebar entry shown to actors holding any of Perms (none = everyone).
type Nav struct {
	Key   string
	Label string
	Href  string
	Perms []string
	Items []Nav
	// Alarm makes the area's badge count what is failing (red, "3 failing") rather than what is
	// waiting (amber, "3 waiting").
	Alarm bool
}

func (n Nav) allowed(a models.Actor) bool {
	if len(n.Perms) == 0 {
		return true
	}
	for _, p := range n.Perms {
		if a.Can(p) {
			return true
		}
	}
	return false
}

func (n Nav) visible(c *gin.Context, a models.Actor) (layout.NavItem, bool) {
	if !n.allowed(a) {
		return layout.NavItem{}, false
	}
	item := layout.NavItem{Key: n.Key, Label: n.Label, Href: n.Href, Alarm: n.Alarm}
	for _, sub := range n.Items {
		if s, ok := sub.visible(c, a); ok {
			item.Items = append(item.Items, s)
		}
	}
	if len(n.Items) > 0 && len(item.Items) == 0 {
		return layout.NavItem{}, false
	}
	if len(n.Items) > 0 && !n.allowed(a) {
		return layout.NavItem{}, false
	}
	if len(item.Items) > 0 && item.Href == "" {
		item.Href = item.Items[0].Href
	}
	k := kitOf(c)
	if f := k.Badges[n.Key]; f != nil {
		item.Badge = f(c, a)
	}
	return item, true
}

const kitKey = "backroom.kit"

func kitOf(c *gin.Context) *Kit {
	if k, ok := c.Get(kitKey); ok {
		return k.(*Kit)
	}
	return &Kit{}
}

// New builds the engine with the middleware every route shares: request id, recovery, access
// log and metrics, security headers, sessions and CSRF; plus /health, /metrics and /static.
func New(k *Kit) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	if k.StoreScope == nil {
		k.StoreScope = func(*gin.Context, models.Actor) string { return "" }
	}
	r := gin.New()
	r.HandleMethodNotAllowed = false
	r.RedirectTrailingSlash = true
	r.ContextWithFallback = true
	// gin trusts every proxy unless told otherwise, which let a client pick its own address
	// with X-Forwarded-For. config.Load has checked the list already.
	if err := r.SetTrustedProxies(k.TrustedProxies); err != nil {
		panic(fmt.Sprintf("trusted proxies: %v", err))
	}
	m := newMetrics()
	r.Use(requestID, recoverPanics, m.accessLog, securityHeaders, func(c *gin.Context) {
		c.Set(kitKey, k)
		c.Next()
	})
	// /health says the process is up (restart it if not); /ready says it can do its work now
	// (send it traffic if so): 503 with the reason while the database is away.
	r.GET("/health", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/ready", func(c *gin.Context) {
		for _, check := range k.Ready {
			if err := check(c.Request.Context()); err != nil {
				c.Header("Retry-After", "5")
				c.JSON(http.StatusServiceUnavailable, gin.H{"status": "not ready", "reason": err.Error()})
				return
			}
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	})
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})))
	staticFiles := http.StripPrefix("/static/", http.FileServer(http.FS(filesOnly{static.FS})))
	r.GET("/static/*path", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		staticFiles.ServeHTTP(c.Writer, c.Request)
	})
	if k.Sessions != nil {
		r.Use(sessionMiddleware(k.Sessions), csrf)
	}
	r.NoRoute(func(c *gin.Context) { Fail(c, models.NotFound("page")) })
	return r
}

// sessionMiddleware loads and saves the scs session around the request, only for pages (API
// clients use bearer tokens and never get a cookie).
func sessionMiddleware(s *scs.SessionManager) gin.HandlerFunc {
	return func(c *gin.Context) {
		if IsAPI(c) {
			c.Next()
			return
		}
		ctx, err := s.Load(c.Request.Context(), sessionCookie(c, s))
		if err != nil {
			slog.ErrorContext(c.Request.Context(), "load session", "err", err)
			ctx, _ = s.Load(c.Request.Context(), "")
		}
		c.Request = c.Request.WithContext(ctx)
		c.Writer = &sessionWriter{ResponseWriter: c.Writer, c: c, s: s}
		c.Next()
		c.Writer.(*sessionWriter).commit()
	}
}

func sessionCookie(c *gin.Context, s *scs.SessionManager) string {
	ck, err := c.Request.Cookie(s.Cookie.Name)
	if err != nil {
		return ""
	}
	return ck.Value
}

// sessionWriter commits the session and sets its cookie just before the first byte of the
// answer is written (headers cannot change after that).
type sessionWriter struct {
	gin.ResponseWriter
	c         *gin.Context
	s         *scs.SessionManager
	committed bool
}

func (w *sessionWriter) commit() {
	if w.committed {
		return
	}
	w.committed = true
	ctx := w.c.Request.Context()
	switch w.s.Status(ctx) {
	case scs.Modified:
		token, expiry, err := w.s.Commit(ctx)
		if err != nil {
			slog.ErrorContext(ctx, "commit session", "err", err)
			return
		}
		w.s.WriteSessionCookie(ctx, w.ResponseWriter, token, expiry)
	case scs.Destroyed:
		w.s.WriteSessionCookie(ctx, w.ResponseWriter, "", time.Time{})
	}
}

func (w *sessionWriter) WriteHeader(code int) {
	w.commit()
	w.ResponseWriter.WriteHeader(code)
}

func (w *sessionWriter) Write(b []byte) (int, error) {
	w.commit()
	return w.ResponseWriter.Write(b)
}

func (w *sessionWriter) WriteString(s string) (int, error) {
	w.commit()
	return w.ResponseWriter.WriteString(s)
}

func (w *sessionWriter) WriteHeaderNow() {
	w.commit()
	w.ResponseWriter.WriteHeaderNow()
}

// Routes are the groups an area mounts its handlers on.
type Routes struct {
	PublicAPI *gin.RouterGroup // /api/v1 without authentication
	API       *gin.RouterGroup // /api/v1 with a bearer access token (server.Actor is set)
	PublicWeb *gin.RouterGroup // pages anyone may open (CSRF still checked on posts)
	Web       *gin.RouterGroup // pages for signed-in people (server.Actor is set)
	Root      *gin.Engine      // for paths outside both (webhooks, web services)
}

// filesOnly serves the files of an fs.FS and nothing else: a directory is "not found", so
// /static/ lists nothing.
type filesOnly struct{ fsys fs.FS }

func (f filesOnly) Open(name string) (fs.File, error) {
	file, err := f.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := file.Stat(); err != nil || st.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}
