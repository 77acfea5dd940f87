// Package e2e holds Backroom's black-box tests: they build the real binary, run its subcommands
// against a fresh PostgreSQL database, serve it on a free local port and drive it with Chromium
// (chromedp) and plain HTTP, exactly as a person or a till would.
//
// Run them with `make test`, or directly:
//
//	TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" \
//	CHROMIUM_PATH=/usr/bin/chromium go test -count=1 ./e2e/...
//
// Screenshots and the HTML of the page of a failed browser test land in tmp/e2e-screenshots/.
package e2e
