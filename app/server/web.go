package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"backroom/models"
	"backroom/views/components"
	"backroom/views/layout"
)

// Sessions returns the request's session manager.
func Sessions(c *gin.Context) *scs.SessionManager { return kitOf(c).Sessions }

// IsHTMX reports whether the request is an htmx fragment request (not a boosted navigation).
func IsHTMX(c *gin.Context) bool {
	return c.GetHeader("HX-Request") == "true" && c.GetHeader("HX-Boosted") != "true"
}

// Render writes a templ component with the request's context.
func Render(c *gin.Context, status int, comp templ.Component) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Vary", "HX-Request")
	c.Status(status)
	if err := comp.Render(c.Request.Context(), c.Writer); err != nil {
		Logger(c).Error("render", "err", err)
	}
}

// PageZone puts the time zone the signed-in person reads times in (Kit.Zone) on the request's
// context, where views/components.When finds it. Mount it after the session check.
func PageZone(c *gin.Context) {
	if z := kitOf(c).Zone; z != nil {
		if a, ok := ActorOf(c); ok {
			c.Request = c.Request.WithContext(components.WithZone(c.Request.Context(), func() *time.Location { return z(c, a) }))
		}
	}
	c.Next()
}

// RenderPage writes fragment for an htmx request and full otherwise.
func RenderPage(c *gin.Context, status int, full, fragment templ.Component) {
	if IsHTMX(c) {
		Render(c, status, fragment)
		return
	}
	Render(c, status, full)
}

// Redirect ends a successful form post with 303 See Other (HX-Redirect for htmx requests).
func Redirect(c *gin.Context, to string) {
	if IsHTMX(c) {
		c.Header("HX-Redirect", to)
		c.Status(http.StatusNoContent)
		c.Abort()
		return
	}
	c.Redirect(http.StatusSeeOther, to)
	c.Abort()
}

// RedirectToLogin sends a signed-out visitor to /login, coming back afterwards.
func RedirectToLogin(c *gin.Context) {
	next := c.Request.URL.RequestURI()
	to := "/login"
	if c.Request.Method == http.MethodGet && next != "/" && !strings.HasPrefix(next, "/login") {
		to += "?next=" + url.QueryEscape(next)
	}
	Redirect(c, to)
}

// SafeNext returns next when it is a local path, else "/": no open redirects. Browsers drop tabs
// and newlines from a Location and read a backslash as a slash, so "/\t/evil.example" and
// "/\\evil.example" both lead off-site: any control character or backslash is refused.
func SafeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// Flash queues a message for the next page.
func Flash(c *gin.Context, kind, msg string) {
	s := Sessions(c)
	var list []layout.Flash
	if v, ok := s.Get(c.Request.Context(), "flashes").([]layout.Flash); ok {
		list = v
	}
	s.Put(c.Request.Context(), "flashes", append(list, layout.Flash{Kind: kind, Message: msg}))
}

func popFlashes(c *gin.Context) []layout.Flash {
	s := Sessions(c)
	if v, ok := s.Pop(c.Request.Context(), "flashes").([]layout.Flash); ok {
		return v
	}
	return nil
}

const (
	csrfSessionKey = "csrf"
	csrfCookie     = "backroom_csrf"
	csrfContextKey = "backroom.csrf"
)

// CSRFToken returns the request's CSRF token, creating it on first use. A signed-in visitor's
// token lives in their session; a signed-out visitor (the sign-in form) gets it in a cookie of
// its own instead, so opening /login writes no session row.
func CSRFToken(c *gin.Context) string {
	if tok := c.GetString(csrfContextKey); tok != "" {
		return tok
	}
	s := Sessions(c)
	tok := s.GetString(c.Request.Context(), csrfSessionKey)
	if _, signedIn := ActorOf(c); tok == "" && signedIn {
		tok = newCSRFToken()
		s.Put(c.Request.Context(), csrfSessionKey, tok)
	}
	if tok == "" {
		if ck, err := c.Request.Cookie(csrfCookie); err == nil && len(ck.Value) == 43 {
			tok = ck.Value
		} else {
			tok = newCSRFToken()
			setCSRFCookie(c, tok, 0)
		}
	}
	c.Set(csrfContextKey, tok)
	return tok
}

// RotateCSRF gives the session a new CSRF token at sign-in: a token seen before it (in the
// sign-in form's cookie, or planted by someone else) is worthless after.
func RotateCSRF(c *gin.Context) {
	tok := newCSRFToken()
	Sessions(c).Put(c.Request.Context(), csrfSessionKey, tok)
	c.Set(csrfContextKey, tok)
	setCSRFCookie(c, "", -1)
}

func newCSRFToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func setCSRFCookie(c *gin.Context, tok string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: Sessions(c).Cookie.Secure, SameSite: http.SameSiteLaxMode})
}

// csrf refuses unsafe page requests whose token (form field csrf_token or header X-CSRF-Token)
// does not match the session's, or for a signed-out visitor the CSRF cookie's. API routes
// authenticate with bearer tokens, not cookies, and skip it.
func csrf(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	if IsAPI(c) {
		c.Next()
		return
	}
	want := Sessions(c).GetString(c.Request.Context(), csrfSessionKey)
	if ck, err := c.Request.Cookie(csrfCookie); want == "" && err == nil {
		want = ck.Value
	}
	got := c.GetHeader("X-CSRF-Token")
	if got == "" {
		got = c.PostForm("csrf_token")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		Fail(c, models.Forbidden("This form has expired or did not come from Backroom. Reload the page and try again."))
		return
	}
	c.Next()
}

const actorKey = "backroom.actor"

// SetActor records the authenticated actor on the request.
func SetActor(c *gin.Context, a models.Actor) { c.Set(actorKey, a) }

// ActorOf returns the authenticated actor; ok is false for anonymous requests.
func ActorOf(c *gin.Context) (models.Actor, bool) {
	a, ok := c.Get(actorKey)
	if !ok {
		return models.Actor{}, false
	}
	return a.(models.Actor), true
}

// Actor returns the authenticated actor (routes behind authentication always have one).
func Actor(c *gin.Context) models.Actor {
	a, _ := ActorOf(c)
	return a
}

// Require lets the request through only when the actor holds one of perms: 403 envelope for the
// API, the "not allowed" page for the web.
func Require(perms ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, ok := ActorOf(c)
		if !ok {
			Fail(c, models.Unauthorized("Please sign in"))
			return
		}
		for _, p := range perms {
			if a.Can(p) {
				c.Next()
				return
			}
		}
		Fail(c, models.Forbidden("You need the %s permission to do that", strings.Join(perms, " or ")))
	}
}

// PageOf builds the shell's data for a page: title, active nav area, user, filtered navigation,
// CSRF token and flashes.
func PageOf(c *gin.Context, title, active string) layout.Page {
	p := layout.Page{Title: title, Active: active, Path: c.Request.URL.Path}
	k := kitOf(c)
	if k.Sessions != nil {
		p.CSRFToken = CSRFToken(c)
		p.Flashes = popFlashes(c)
	}
	a, ok := ActorOf(c)
	if !ok {
		return p
	}
	scope := "All stores"
	if !a.IsHQ() {
		scope = k.StoreScope(c, a)
	}
	p.User = &layout.User{Username: a.Username, DisplayName: a.DisplayName, StoreScope: scope}
	for _, n := range k.Nav {
		if item, ok := n.visible(c, a); ok {
			p.Nav = append(p.Nav, item)
		}
	}
	return p
}
