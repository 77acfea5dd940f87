package auth_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"backroom/app/apptest"
	"backroom/app/auth"
)

// parallel sends n requests at once and counts the answers by status.
func parallel(t *testing.T, n int, send func(i int) int) map[int]int {
	t.Helper()
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			code := send(i)
			mu.Lock()
			counts[code]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return counts
}

func onlyStatuses(t *testing.T, what string, counts map[int]int, allowed ...int) {
	t.Helper()
	for code, n := range counts {
		ok := false
		for _, a := range allowed {
			ok = ok || code == a
		}
		if !ok {
			t.Fatalf("%s: %d answers with status %d (all: %v)", what, n, code, counts)
		}
	}
}

// Item 1: a cashier searching for other people's PINs through change-credential gets five tries
// per quarter hour, successful or not; the administrator's PIN, once found, does not sign anyone
// in on its own, and the collisions are audited.
func TestCashierCannotSearchForAdminPIN(t *testing.T) {
	app := apptest.NewDemo(t)
	token := app.Login("cashier", "3456")
	current := "3456"
	var answers []int
	for i, pin := range []string{"4000", "2345", "4001", "4002", "4003", "1234", "4004"} {
		res := app.Do("POST", "/api/v1/auth/change-credential", map[string]string{"currentPin": current, "newPin": pin}, token)
		answers = append(answers, res.Code)
		if res.Code == http.StatusOK {
			var out struct {
				Session auth.Session `json:"session"`
			}
			res.Data(t, &out)
			token, current = out.Session.AccessToken, pin
		}
		if i == 1 && res.Code == http.StatusConflict && strings.Contains(res.String(), "Morgan") {
			t.Fatalf("the collision names the PIN's holder: %s", res.String())
		}
	}
	want := []int{200, 409, 200, 200, 200, 429, 429}
	if fmt.Sprint(answers) != fmt.Sprint(want) {
		t.Fatalf("change-credential answers %v, want %v: the sixth try (the admin's PIN) must be refused unanswered", answers, want)
	}
	app.Do("POST", "/api/v1/auth/pin-login", map[string]string{"pin": "1234"}, "").Expect(t, http.StatusUnauthorized)
	if n := app.Count("audit_log", "action = 'pin_collision'"); n != 1 {
		t.Fatalf("pin_collision audit entries = %d, want 1", n)
	}
	// The store's people still sign in with their PIN alone.
	app.Do("POST", "/api/v1/auth/pin-login", map[string]string{"pin": "2345"}, "").Expect(t, http.StatusOK)
	app.Do("POST", "/api/v1/auth/pin-login", map[string]string{"pin": current}, "").Expect(t, http.StatusOK)
}

// Item 3: the limit holds for parallel guesses, per username and per address.
func TestThrottleHoldsInParallel(t *testing.T) {
	app := apptest.NewDemo(t)
	counts := parallel(t, 40, func(i int) int {
		return app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "manager", "pin": fmt.Sprintf("%04d", 7000+i)}, "").Code
	})
	onlyStatuses(t, "40 parallel wrong PINs for one user", counts, http.StatusUnauthorized, http.StatusTooManyRequests)
	// Five fail, then the username backs off (1 s, 2 s …): a burst gets no more than a couple more.
	if counts[http.StatusUnauthorized] < 5 || counts[http.StatusUnauthorized] > 7 {
		t.Fatalf("40 parallel wrong PINs: %v, want 5 to 7 checked and the rest 429", counts)
	}

	app2 := apptest.NewDemo(t)
	counts = parallel(t, 100, func(i int) int {
		return app2.Do("POST", "/api/v1/auth/pin-login", map[string]string{"pin": fmt.Sprintf("%05d", 50000+i)}, "").Code
	})
	onlyStatuses(t, "100 parallel PIN guesses", counts, http.StatusUnauthorized, http.StatusTooManyRequests)
	if counts[http.StatusUnauthorized] > 20 {
		t.Fatalf("100 parallel PIN guesses from one address: %v, want at most 20 checked", counts)
	}
}

// Item 9: someone else's wrong guesses do not lock the administrator out of a browser or a
// terminal they have signed in from before, and the web form counts a wrong PIN-shaped guess once.
func TestLockoutSparesKnownDevices(t *testing.T) {
	app := apptest.NewDemo(t)
	var first struct {
		DeviceToken string `json:"deviceToken"`
	}
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "pin": "1234"}, "").Expect(t, http.StatusOK).Data(t, &first)
	if first.DeviceToken == "" {
		t.Fatal("a sign-in by username hands out no device token")
	}
	browser := app.SignIn("admin", "1234")
	browser.PostForm("/logout", url.Values{}).Expect(t, http.StatusSeeOther)

	attacker := app.Web()
	attacker.Get("/login").Expect(t, http.StatusOK)
	attacker.PostForm("/login", url.Values{"username": {"admin"}, "password": {"9999"}}).Expect(t, http.StatusUnauthorized)
	if n := app.Count("login_failures", "key = 'user:admin'"); n != 1 {
		t.Fatalf("one wrong PIN-shaped guess on the form counted %d times, want once", n)
	}
	for i := 0; i < 4; i++ {
		app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "pin": fmt.Sprintf("%04d", 9000+i)}, "").Expect(t, http.StatusUnauthorized)
	}
	// A stranger with the right PIN now waits; the admin's own terminal and browser do not.
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "pin": "1234"}, "").Expect(t, http.StatusTooManyRequests)
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "pin": "1234", "deviceToken": first.DeviceToken}, "").Expect(t, http.StatusOK)
	forged := first.DeviceToken[:len(first.DeviceToken)-1] + "0"
	if forged == first.DeviceToken {
		forged = first.DeviceToken[:len(first.DeviceToken)-1] + "1"
	}
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "pin": "1234", "deviceToken": forged}, "").Expect(t, http.StatusTooManyRequests)
	browser.Get("/login").Expect(t, http.StatusOK)
	browser.PostForm("/login", url.Values{"username": {"admin"}, "password": {"1234"}}).Expect(t, http.StatusSeeOther)
}

// Item 6: a changed PIN or password signs out every session that knew the old one; a revoked
// sign-in's access token stops at once; the API can sign out.
func TestChangedCredentialsEndOldSessions(t *testing.T) {
	app := apptest.NewDemo(t)
	var old auth.Session
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "cashier", "pin": "3456"}, "").Expect(t, http.StatusOK).Data(t, &old)
	web := app.SignIn("cashier", "3456")
	web.Get("/").Expect(t, http.StatusOK)

	var other auth.Session
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "cashier", "pin": "3456"}, "").Expect(t, http.StatusOK).Data(t, &other)
	var changed struct {
		Session auth.Session `json:"session"`
	}
	app.Do("POST", "/api/v1/auth/change-credential", map[string]string{"currentPin": "3456", "newPin": "4567"}, other.AccessToken).Expect(t, http.StatusOK).Data(t, &changed)

	app.Do("GET", "/api/v1/auth/me", nil, old.AccessToken).Expect(t, http.StatusUnauthorized)
	app.Do("GET", "/api/v1/auth/me", nil, other.AccessToken).Expect(t, http.StatusUnauthorized)
	app.Do("POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": old.RefreshToken}, "").Expect(t, http.StatusUnauthorized)
	if res := web.Get("/"); res.Code != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("the old web session still works after the PIN changed: %d", res.Code)
	}
	app.Do("GET", "/api/v1/auth/me", nil, changed.Session.AccessToken).Expect(t, http.StatusOK)

	// An administrator's change does the same.
	admin := app.Login("admin", "1234")
	var me struct {
		User struct{ ID string } `json:"user"`
	}
	app.Do("GET", "/api/v1/auth/me", nil, changed.Session.AccessToken).Data(t, &me)
	app.Do("PUT", "/api/v1/users/"+me.User.ID, map[string]any{"username": "cashier", "displayName": "Casey Cashier", "password": "a new password"}, admin).Expect(t, http.StatusOK)
	app.Do("GET", "/api/v1/auth/me", nil, changed.Session.AccessToken).Expect(t, http.StatusUnauthorized)
	app.Do("POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": changed.Session.RefreshToken}, "").Expect(t, http.StatusUnauthorized)

	// Logout ends the access token and its refresh token.
	var s auth.Session
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "cashier", "pin": "4567"}, "").Expect(t, http.StatusOK).Data(t, &s)
	app.Do("POST", "/api/v1/auth/logout", nil, s.AccessToken).Expect(t, http.StatusOK)
	app.Do("GET", "/api/v1/auth/me", nil, s.AccessToken).Expect(t, http.StatusUnauthorized)
	app.Do("POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": s.RefreshToken}, "").Expect(t, http.StatusUnauthorized)

	// A refresh token used twice revokes its family, and the family's access token with it.
	var a auth.Session
	app.Do("POST", "/api/v1/auth/login", map[string]string{"username": "cashier", "pin": "4567"}, "").Expect(t, http.StatusOK).Data(t, &a)
	var b auth.Session
	app.Do("POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": a.RefreshToken}, "").Expect(t, http.StatusOK).Data(t, &b)
	app.Do("POST", "/api/v1/auth/refresh", map[string]string{"refreshToken": a.RefreshToken}, "").Expect(t, http.StatusUnauthorized)
	app.Do("GET", "/api/v1/auth/me", nil, b.AccessToken).Expect(t, http.StatusUnauthorized)
}

// Item 10: opening the sign-in page stores nothing; /static/ lists nothing; sign-in rotates the
// CSRF token; the sessions table holds no cookie value.
func TestSignInLeavesNothingToSteal(t *testing.T) {
	app := apptest.NewDemo(t)
	before := app.Count("sessions", "true")
	w := app.Web()
	w.Get("/login").Expect(t, http.StatusOK)
	w.Get("/login").Expect(t, http.StatusOK)
	if n := app.Count("sessions", "true"); n != before {
		t.Fatalf("anonymous GET /login wrote %d session rows", n-before)
	}
	for _, p := range []string{"/static/", "/static/css/", "/static/css", "/static/js/"} {
		res := w.Get(p)
		if res.Code != http.StatusNotFound && res.Code != http.StatusMovedPermanently {
			t.Errorf("GET %s: %d, want 404", p, res.Code)
		}
		if strings.Contains(res.String(), "app.css") || strings.Contains(res.String(), "htmx") {
			t.Errorf("GET %s lists the directory: %s", p, res.String())
		}
	}
	w.Get("/static/css/app.css").Expect(t, http.StatusOK)

	anonToken := w.CSRF()
	w.PostForm("/login", url.Values{"username": {"admin"}, "password": {"1234"}}).Expect(t, http.StatusSeeOther)
	w.Get("/").Expect(t, http.StatusOK)
	if w.CSRF() == anonToken || w.CSRF() == "" {
		t.Fatal("the CSRF token was not rotated at sign-in")
	}
	w.PostForm("/logout", url.Values{"csrf_token": {anonToken}}).Expect(t, http.StatusForbidden)

	var cookie string
	for _, c := range w.Cookies() {
		if c.Name == "backroom_session" {
			cookie = c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no session cookie after sign-in")
	}
	if n := app.Count("sessions", "token = ?", cookie); n != 0 {
		t.Fatal("the session cookie's value is stored as it is")
	}
	if n := app.Count("sessions", "true"); n != before+1 {
		t.Fatalf("sessions after one sign-in = %d, want %d", n, before+1)
	}
}

// Repeated refused PINs raise an alert on the administrator's dashboard, linked to the entries.
func TestRepeatedPINCollisionsAlertTheDashboard(t *testing.T) {
	app := apptest.NewDemo(t)
	admin := app.SignIn("admin", "1234")
	if strings.Contains(admin.Get("/").Expect(t, http.StatusOK).String(), "PINs refused as taken") {
		t.Fatal("the alert shows with nothing refused")
	}
	for _, user := range []string{"cashier", "manager"} {
		pin := map[string]string{"cashier": "3456", "manager": "2345"}[user]
		token := app.Login(user, pin)
		for _, taken := range []string{"1234", "3456", "2345"} {
			if taken != pin {
				app.Do("POST", "/api/v1/auth/change-credential", map[string]string{"currentPin": pin, "newPin": taken}, token).Expect(t, http.StatusConflict)
			}
		}
	}
	page := admin.Get("/").Expect(t, http.StatusOK).String()
	if !strings.Contains(page, "PINs refused as taken") || !strings.Contains(page, "By 2 people") || !strings.Contains(page, `href="/audit?action=pin_collision"`) {
		t.Fatalf("no alert for 4 refused PINs by 2 people on the dashboard")
	}
	if n := strings.Count(admin.Get("/audit?action=pin_collision").Expect(t, http.StatusOK).String(), `data-testid="audit-row"`); n != 4 {
		t.Fatalf("the audit trail lists %d refused PINs, want 4", n)
	}
	manager := app.SignIn("manager", "2345")
	if strings.Contains(manager.Get("/").Expect(t, http.StatusOK).String(), "PINs refused as taken") {
		t.Fatal("a store manager sees the HQ security alert")
	}
}
