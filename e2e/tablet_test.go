package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A store manager approves on a 768 px tablet (UI.md): the sidebar folds behind its button and
// every approval control, and the stock list's actions, fit on the screen without scrolling sideways.
func TestApprovalsFitATablet(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app)
	b.step("tablet viewport", chromedp.EmulateViewport(768, 1024))
	b.SignIn("manager", "2345")

	b.Open("/approvals")
	b.WaitVisible(`[data-testid="approval-po-approve"]`)
	b.WaitVisible(`label[for="nav-toggle"]`)
	if got := b.eval("sidebar hidden", `String(getComputedStyle(document.querySelector('aside')).display)`); got != "none" {
		t.Fatalf("the sidebar takes room on a tablet (display %s)", got)
	}
	for _, sel := range []string{`[data-testid="approval-po-approve"]`, `[data-testid="approval-po-reason"]`, `[data-testid="approval-po-reject"]`,
		`[data-testid="approval-ws-reject"]`} {
		fits := b.eval("fits "+sel, `(() => { const r = document.querySelector(`+jsString(sel)+`).getBoundingClientRect();
			return String(r.left >= 0 && r.right <= document.documentElement.clientWidth) })()`)
		if fits != "true" {
			t.Errorf("%s does not fit the tablet's width", sel)
		}
	}
	if got := b.eval("page width", `String(document.documentElement.scrollWidth <= document.documentElement.clientWidth)`); got != "true" {
		t.Error("the approvals page scrolls sideways on a tablet")
	}

	// The sidebar opens from its button.
	b.Click(`label[for="nav-toggle"]`)
	b.WaitVisible(`aside a[href="/inventory"]`)

	b.Open("/inventory")
	b.WaitVisible(`[data-testid="on-hand"]`)
	fits := b.eval("stock actions fit", `(() => { const links = [...document.querySelectorAll('tbody tr:first-child a')];
		return String(links.length > 0 && links.every(a => a.getBoundingClientRect().right <= document.documentElement.clientWidth)) })()`)
	if fits != "true" {
		t.Error("the stock list's row actions run off a tablet's screen")
	}
}
