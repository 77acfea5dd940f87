package mipos

import (
	"testing"
)

// Whatever miPOS (or anyone) posts to the stock webhook, the body is read into a SKU and a
// non-zero delta, or refused with a reason; never a panic, never a zero or unexplained movement.
func FuzzParseMovement(f *testing.F) {
	for _, s := range []string{
		`{"external_id":"SKU-1","quantity":"2.000","movement_type":1}`,
		`{"external_id":"SKU-1","quantity":"0.5","movement_type":"2"}`,
		`{"external_id":"","quantity":"1","movement_type":3}`,
		`{"external_id":7,"quantity":1e400,"movement_type":null}`,
		`[]`, `{`, `null`, `{"quantity":"-1"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sku, delta, problem := parseMovement(body)
		if problem == "" && (sku == "" || delta == 0) {
			t.Fatalf("accepted %q as sku %q delta %d", body, sku, delta)
		}
		if problem != "" && delta != 0 {
			t.Fatalf("refused %q (%s) but kept delta %d", body, problem, delta)
		}
	})
}
