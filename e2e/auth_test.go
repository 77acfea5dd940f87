package e2e

import (
	"net/http"
	"testing"
)

// A wrong PIN keeps you on the sign-in page with a message; the right one signs you in, and
// signing out leads back to the sign-in page.
func TestLoginRejectsWrongPINThenSignsIn(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app)

	if code := b.Open("/"); code != http.StatusOK {
		t.Fatalf("GET / signed out: status %d after redirects, want the sign-in page (200)", code)
	}
	b.WaitPath(`^/login$`)
	b.Type("#f-username", "admin")
	b.Type("#f-password", "9999")
	b.Click(`[data-testid="login-form"] button[type="submit"]`)
	b.WaitText(`[data-testid="login-form"] [role="alert"]`, "Username or password is incorrect.")
	b.WaitPath(`^/login$`)
	if n := b.Count(`[data-testid="current-user"]`); n != 0 {
		t.Fatalf("a wrong PIN signed in")
	}
	// The username stays filled in after the failure.
	if got := b.eval("username value", `document.querySelector("#f-username").value`); got != "admin" {
		t.Fatalf("username after a failed sign-in = %q, want admin", got)
	}

	b.Type("#f-password", "1234")
	b.Click(`[data-testid="login-form"] button[type="submit"]`)
	b.WaitText(`[data-testid="current-user"]`, "Administrator")
	b.WaitText("#flashes", "Welcome, Administrator.")

	b.Click(`form[action="/logout"] button[type="submit"]`)
	b.WaitPath(`^/login$`)
	b.WaitVisible(`[data-testid="login-form"]`)
}

// The admin's password works in the same field as the PIN.
func TestLoginWithPassword(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app)
	b.SignIn("admin", "backroom-admin")
	b.WaitText(`[data-testid="current-user"]`, "Administrator")
}
