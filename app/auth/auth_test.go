package auth_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/app/auth"
	"backroom/models"
)

func TestLoginWithPINAndPassword(t *testing.T) {
	app := apptest.NewDemo(t)
	tests := []struct {
		name string
		body any
		want int
	}{
		{"pin", map[string]string{"username": "admin", "pin": "1234"}, http.StatusOK},
		{"password", map[string]string{"username": "admin", "password": "backroom-admin"}, http.StatusOK},
		{"username is case-insensitive", map[string]string{"username": "ADMIN", "pin": "1234"}, http.StatusOK},
		{"wrong pin", map[string]string{"username": "manager", "pin": "9999"}, http.StatusUnauthorized},
		{"unknown user", map[string]string{"username": "nobody", "pin": "1234"}, http.StatusUnauthorized},
		{"no credential", map[string]string{"username": "admin"}, http.StatusUnprocessableEntity},
		{"malformed", `{"username":`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := app.Do("POST", "/api/v1/auth/login", tt.body, "")
			res.Expect(t, tt.want)
			env := res.Env(t)
			if env.Success != (tt.want == http.StatusOK) {
				t.Fatalf("success = %v for status %d", env.Success, tt.want)
			}
			if tt.want != http.StatusOK && env.Error == "" {
				t.Fatalf("error message missing: %s", res.Body)
			}
		})
	}
	res := app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "pin": "1234"}, "")
	var s auth.Session
	res.Data(t, &s)
	if s.AccessToken == "" || s.RefreshToken == "" || s.User.Username != "admin" || !s.User.IsActive {
		t.Fatalf("login answer incomplete: %s", res.Body)
	}
	if len(s.Permissions) != len(models.Permissions) {
		t.Fatalf("admin permissions = %d, want %d", len(s.Permissions), len(models.Permissions))
	}
	if strings.Contains(res.String(), "argon2") || strings.Contains(res.String(), "pinHash") {
		t.Fatalf("login answer leaks a hash: %s", res.Body)
	}
}

func TestPinLogin(t *testing.T) {
	app := apptest.NewDemo(t)
	res := app.Do("POST", "/api/v1/auth/pin-login", map[string]string{"pin": "3456"}, "").Expect(t, http.StatusOK)
	var s auth.Session
	res.Data(t, &s)
	if s.User.Username != "cashier" {
		t.Fatalf("pin 3456 signed in %q, want cashier", s.User.Username)
	}
	app.Do("POST", "/api/v1/auth/pin-login", map[string]string{"pin": "0000"}, "").Expect(t, http.StatusUnauthorized)
}

func TestLoginThrottle(t *testing.T) {
	app := apptest.NewDemo(t)
	for i := 0; i < 5; i++ {
		app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "manager", "pin": "0000"}, "").Expect(t, http.StatusUnauthorized)
	}
	// Even the right PIN is refused while the username is throttled.
	res := app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "manager", "pin": "2345"}, "").Expect(t, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Another user from the same address is still let in (address limit is higher).
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "pin": "1234"}, "").Expect(t, http.StatusOK)
	if n := app.Count("login_failures", "key = ?", "user:manager"); n != 5 {
		t.Fatalf("failures recorded = %d, want 5", n)
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	app := apptest.NewDemo(t)
	var first auth.Session
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "pin": "1234"}, "").Expect(t, http.StatusOK).Data(t, &first)

	var second auth.Session
	app.Do("POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": first.RefreshToken}, "").Expect(t, http.StatusOK).Data(t, &second)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
		t.Fatal("refresh did not rotate the token")
	}
	app.Do("GET", "/api/v1/auth/me", nil, second.AccessToken).Expect(t, http.StatusOK)

	// Reusing the spent token is refused and revokes the family, including the new token.
	app.Do("POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": first.RefreshToken}, "").Expect(t, http.StatusUnauthorized)
	app.Do("POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": second.RefreshToken}, "").Expect(t, http.StatusUnauthorized)
	if n := app.Count("refresh_tokens", "revoked_at IS NULL"); n != 0 {
		t.Fatalf("%d refresh tokens still live after reuse, want 0", n)
	}
	app.Do("POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": "garbage"}, "").Expect(t, http.StatusUnauthorized)
}

func TestAccessTokenExpiry(t *testing.T) {
	app := apptest.NewDemo(t)
	var admin models.User
	if err := app.DB.Take(&admin, "username = ?", "admin").Error; err != nil {
		t.Fatal(err)
	}
	old := func() time.Time { return time.Now().Add(-app.Config.AccessTokenTTL - time.Second) }
	expired, _, err := auth.NewTokens(app.Config.Key("jwt"), app.Config.AccessTokenTTL, old).Issue(auth.Claims{UserID: admin.ID})
	if err != nil {
		t.Fatal(err)
	}
	app.Do("GET", "/api/v1/auth/me", nil, expired).Expect(t, http.StatusUnauthorized)

	fresh, _, _ := auth.NewTokens(app.Config.Key("jwt"), app.Config.AccessTokenTTL, nil).Issue(auth.Claims{UserID: admin.ID})
	app.Do("GET", "/api/v1/auth/me", nil, fresh).Expect(t, http.StatusOK)

	forged, _, _ := auth.NewTokens([]byte("another key entirely, 32 bytes!!"), time.Hour, nil).Issue(auth.Claims{UserID: admin.ID})
	app.Do("GET", "/api/v1/auth/me", nil, forged).Expect(t, http.StatusUnauthorized)
	app.Do("GET", "/api/v1/auth/me", nil, "").Expect(t, http.StatusUnauthorized)
	unknown, _, _ := auth.NewTokens(app.Config.Key("jwt"), time.Hour, nil).Issue(auth.Claims{UserID: uuid.New()})
	app.Do("GET", "/api/v1/auth/me", nil, unknown).Expect(t, http.StatusUnauthorized)
}

func TestMe(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("manager", "2345")
	var me auth.Me
	app.Do("GET", "/api/v1/auth/me", nil, token).Expect(t, http.StatusOK).Data(t, &me)
	if me.User.Username != "manager" || len(me.Roles) != 1 || me.Roles[0].StoreCode != "S001" || me.Roles[0].RoleName != "Store Manager" {
		t.Fatalf("me = %+v", me)
	}
}

func TestChangeCredential(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("cashier", "3456")
	tests := []struct {
		name string
		body map[string]string
		want int
	}{
		{"wrong current", map[string]string{"currentPin": "0000", "newPin": "4567"}, http.StatusUnprocessableEntity},
		{"weak pin", map[string]string{"currentPin": "3456", "newPin": "12a"}, http.StatusUnprocessableEntity},
		{"short password", map[string]string{"currentPin": "3456", "newPassword": "short"}, http.StatusUnprocessableEntity},
		{"pin taken", map[string]string{"currentPin": "3456", "newPin": "1234"}, http.StatusConflict},
		{"ok", map[string]string{"currentPin": "3456", "newPin": "4567", "newPassword": "long enough"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app.Do("POST", "/api/v1/auth/change-credential", tt.body, token).Expect(t, tt.want)
		})
	}
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "cashier", "pin": "3456"}, "").Expect(t, http.StatusUnauthorized)
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "cashier", "pin": "4567"}, "").Expect(t, http.StatusOK)
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "cashier", "password": "long enough"}, "").Expect(t, http.StatusOK)
}

func TestWebSignInOutAndCSRF(t *testing.T) {
	app := apptest.NewDemo(t)
	anon := app.Web()
	res := anon.Get("/")
	if res.Code != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("signed-out visit: %d %s", res.Code, res.Header.Get("Location"))
	}
	anon.Get("/login").Expect(t, http.StatusOK)
	bad := anon.PostForm("/login", url.Values{"username": {"admin"}, "password": {"9999"}})
	bad.Expect(t, http.StatusUnauthorized)
	if !strings.Contains(bad.String(), "incorrect") {
		t.Fatalf("no error on the form: %s", bad.Body)
	}
	// A form posted without its CSRF token is refused.
	noToken := app.Web()
	noToken.PostForm("/login", url.Values{"username": {"admin"}, "password": {"1234"}}).Expect(t, http.StatusForbidden)

	w := app.SignIn("admin", "1234") // PIN in the password field
	page := w.Get("/").Expect(t, http.StatusOK)
	if !strings.Contains(page.String(), "Administrator") {
		t.Fatal("dashboard does not show the signed-in user")
	}
	setCookie := ""
	pw := app.Web()
	pw.Get("/login")
	r := pw.PostForm("/login", url.Values{"username": {"admin"}, "password": {"backroom-admin"}})
	r.Expect(t, http.StatusSeeOther)
	setCookie = r.Header.Get("Set-Cookie")
	if !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") {
		t.Fatalf("session cookie flags: %s", setCookie)
	}
	w.PostForm("/logout", url.Values{"csrf_token": {"wrong"}}).Expect(t, http.StatusForbidden)
	w.PostForm("/logout", url.Values{}).Expect(t, http.StatusSeeOther)
	if res := w.Get("/"); res.Code != http.StatusSeeOther {
		t.Fatalf("after sign-out / = %d, want redirect", res.Code)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	app := apptest.New(t)
	res := app.Do("GET", "/health", nil, "").Expect(t, http.StatusOK)
	if strings.TrimSpace(res.String()) != `{"status":"ok"}` {
		t.Fatalf("health = %s", res.Body)
	}
	app.Do("GET", "/metrics", nil, "").Expect(t, http.StatusOK)
	if id := res.Header.Get("X-Request-ID"); id == "" {
		t.Fatal("no request id")
	}
}

// Signing in goes back to next only when it is a path on this site: browsers drop tabs and
// newlines from a Location and read "\" as "/", so those would lead off-site.
func TestSignInNextStaysOnSite(t *testing.T) {
	app := apptest.NewDemo(t)
	for next, want := range map[string]string{
		"/products?q=milk":      "/products?q=milk",
		"//evil.example":        "/",
		"https://evil.example":  "/",
		"/\\evil.example":       "/",
		"/\t/evil.example":      "/",
		"/\n/evil.example":      "/",
		"/\r\n/evil.example":    "/",
		"\t//evil.example":      "/",
		"/%09/evil.example":     "/%09/evil.example", // still encoded: a path on this site
		"javascript:alert(1)":   "/",
		"/\\/evil.example/path": "/",
	} {
		w := app.Web()
		w.Get("/login")
		res := w.PostForm("/login", url.Values{"username": {"admin"}, "password": {"backroom-admin"}, "next": {next}})
		res.Expect(t, http.StatusSeeOther)
		if got := res.Header.Get("Location"); got != want {
			t.Errorf("next %q: Location %q, want %q", next, got, want)
		}
		// Signed in, GET /login?next= goes the same way.
		res = w.Get("/login?next=" + url.QueryEscape(next))
		if got := res.Header.Get("Location"); res.Code != http.StatusSeeOther || got != want {
			t.Errorf("signed in, /login?next=%q: %d Location %q, want %q", next, res.Code, got, want)
		}
	}
}

// The per-address limit on PIN sign-in counts the connection's address: a client cannot dodge it
// by sending a new X-Forwarded-For with each guess (no proxy is trusted unless configured).
func TestPinLoginThrottleIgnoresForwardedFor(t *testing.T) {
	app := apptest.NewDemo(t)
	guess := func(i int) int {
		t.Helper()
		req, err := http.NewRequest("POST", app.URL+"/api/v1/auth/pin-login", strings.NewReader(fmt.Sprintf(`{"pin":"%04d"}`, 9000+i)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		req.Header.Set("X-Real-IP", fmt.Sprintf("198.51.100.%d", i+1))
		return app.Send(req).Code
	}
	for i := 0; i < 20; i++ {
		if got := guess(i); got != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, got)
		}
	}
	if got := guess(20); got != http.StatusTooManyRequests {
		t.Fatalf("21st wrong PIN from one connection, each with a new X-Forwarded-For: %d, want 429", got)
	}
}
