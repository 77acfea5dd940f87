package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds each browser step: a missing element fails the test with a message
// instead of hanging it. It is a ceiling, not an expectation; steps end as soon as their
// condition holds.
const stepTimeout = 30 * time.Second

// Browser is one Chromium with one tab, signed in (or not) against one App.
type Browser struct {
	t   *testing.T
	app *App
	ctx context.Context // the tab; each step derives a context with stepTimeout from it

	mu      sync.Mutex
	dialogs []string // messages of the confirm() dialogs accepted so far
}

// newBrowser starts a headless Chromium with a fresh profile, 1280×900. On failure it saves a
// screenshot and the page's HTML under tmp/e2e-screenshots/.
func newBrowser(t *testing.T, app *App) *Browser {
	t.Helper()
	profile, err := os.MkdirTemp("", "backroom-e2e-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &Browser{t: t, app: app, ctx: ctx}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for Chromium to exit
		_ = os.RemoveAll(profile)
	})
	// The first Do starts the browser, bound to ctx and not to a step's deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium (%s): %v", chromiumPath, err)
	}
	// Accept every confirm() (hx-confirm) and remember what it asked.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			b.saveFailure()
		}
	})
	return b
}

// saveFailure writes a screenshot and the HTML of the current page for a failed test.
func (b *Browser) saveFailure() {
	dir := filepath.Join(repoRoot, "tmp", "e2e-screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("screenshot dir: %v", err)
		return
	}
	name := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(b.t.Name(), "_")
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		path := filepath.Join(dir, name+".png")
		if os.WriteFile(path, png, 0o644) == nil {
			b.t.Logf("screenshot: %s", path)
		}
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		b.t.Logf("page at failure: %s", loc)
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".html"), []byte(html), 0o644)
	}
}

// step runs actions with the step timeout and fails the test with what was being done.
func (b *Browser) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// value runs one action that returns a value, with the step timeout.
func value[T any](b *Browser, what string, action chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// Open navigates to path on the app and waits for the page to load; it returns the document's
// HTTP status.
func (b *Browser) Open(path string) int64 {
	b.t.Helper()
	resp := value(b, "open "+path, chromedp.NavigateResponse(b.app.URL+path))
	if resp == nil {
		b.t.Fatalf("open %s: no response", path)
	}
	return resp.Status
}

// WaitVisible waits until the element of the CSS selector is visible.
func (b *Browser) WaitVisible(sel string) {
	b.t.Helper()
	b.step("wait for "+sel+" to be visible", chromedp.WaitVisible(chromedp.CSS(sel)))
}

// WaitGone waits until no element matches the CSS selector.
func (b *Browser) WaitGone(sel string) {
	b.t.Helper()
	b.step("wait for "+sel+" to go away", chromedp.WaitNotPresent(chromedp.CSS(sel)))
}

// Click clicks the (visible) element of the CSS selector. The element is scrolled to the
// middle of the window first: scrolled just into view it would sit under the sticky top bar,
// which would take the click.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.WaitVisible(sel)
	b.eval("scroll to "+sel, fmt.Sprintf(`(() => { document.querySelector(%s).scrollIntoView({block: "center", inline: "center"}); return true })()`, jsString(sel)))
	b.step("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// Type types text into the input of the CSS selector after emptying it, key by key, so
// the page sees real input events (htmx as-you-type search listens to them).
func (b *Browser) Type(sel, text string) {
	b.t.Helper()
	b.WaitVisible(sel)
	b.eval("clear "+sel, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = ""; return true })()`, jsString(sel)))
	b.step("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Select chooses the option of the select of the CSS selector whose text contains label.
func (b *Browser) Select(sel, label string) {
	b.t.Helper()
	b.WaitVisible(sel)
	ok := b.eval("select "+label+" in "+sel, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		const o = [...el.options].find(o => o.textContent.includes(%s));
		if (!o) return false;
		el.value = o.value;
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, jsString(sel), jsString(label)))
	if ok != "true" {
		b.t.Fatalf("select %s: no option containing %q", sel, label)
	}
}

// Text is the visible text of the element of the CSS selector.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	return value(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// WaitText waits until the element of the CSS selector exists and its text contains want.
func (b *Browser) WaitText(sel, want string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("text %q in %s", want, sel), fmt.Sprintf(
		`(() => { const el = document.querySelector(%s); return !!el && el.innerText.includes(%s) })()`, jsString(sel), jsString(want)))
}

// WaitValue waits until the form field of the CSS selector exists and its value is want.
func (b *Browser) WaitValue(sel, want string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("value %q in %s", want, sel), fmt.Sprintf(
		`(() => { const el = document.querySelector(%s); return !!el && el.value === %s })()`, jsString(sel), jsString(want)))
}

// WaitPath waits until the page's path (without the query) matches the regular expression.
func (b *Browser) WaitPath(re string) string {
	b.t.Helper()
	b.waitJS("path matching "+re, fmt.Sprintf(`new RegExp(%s).test(location.pathname)`, jsString(re)))
	return b.eval("location", `location.pathname`)
}

// Count is how many elements match the CSS selector now.
func (b *Browser) Count(sel string) int {
	b.t.Helper()
	return value(b, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel))))
}

// WaitCount waits until exactly n elements match the CSS selector.
func (b *Browser) WaitCount(sel string, n int) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("%d × %s", n, sel), fmt.Sprintf(`document.querySelectorAll(%s).length === %d`, jsString(sel), n))
}

// Dialogs are the messages of the confirmation dialogs accepted so far.
func (b *Browser) Dialogs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.dialogs...)
}

// waitJS waits until the JavaScript expression is truthy. It polls on animation frames, so
// it returns as soon as the page gets there.
func (b *Browser) waitJS(what, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(stepTimeout)))
		if err == nil {
			return
		}
		// A navigation (a form posted without htmx, a redirect) destroys the document the
		// poll runs in; poll again in the new one.
		if ctx.Err() == nil && navigatedAway(err) {
			select {
			case <-time.After(20 * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("wait for %s (at %s): %v", what, loc, err)
	}
}

func navigatedAway(err error) bool {
	msg := err.Error()
	for _, s := range []string{"navigated or closed", "Execution context was destroyed", "Cannot find context", "uniqueContextId not found"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// evalAs evaluates a JavaScript expression and decodes its result into T.
func evalAs[T any](b *Browser, what, expr string) T {
	b.t.Helper()
	return value(b, what, chromedp.Evaluate[T](expr))
}

// eval evaluates a JavaScript expression and returns its result as text: a string as it is,
// anything else (true, 3, null) as its JSON.
func (b *Browser) eval(what, expr string) string {
	b.t.Helper()
	return string(value(b, what, chromedp.Evaluate[jsText](expr)))
}

// jsText decodes any JavaScript value as text.
type jsText string

func (v *jsText) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*v = jsText(s)
		return nil
	}
	*v = jsText(strings.TrimSpace(string(data)))
	return nil
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// SignIn signs in on /login with the username and a PIN typed in the password field, and
// waits for the shell to show the user.
func (b *Browser) SignIn(username, pin string) {
	b.t.Helper()
	b.Open("/login")
	b.Type("#f-username", username)
	b.Type("#f-password", pin)
	b.Click(`[data-testid="login-form"] button[type="submit"]`)
	b.WaitVisible(`[data-testid="current-user"]`)
}
