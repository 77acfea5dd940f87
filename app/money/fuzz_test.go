package money_test

import (
	"testing"

	"backroom/app/money"
)

// Whatever is typed into a quantity (thousandths) or tax-rate (basis points) field is refused
// or read as a value that formats back to itself, as FuzzParse holds for money.
func FuzzParseQtyAndBP(f *testing.F) {
	for _, s := range []string{"1", "0.125", "-2.5", "1.0001", "8.25", "100", "", "abc", "9223372036854775.807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if q, err := money.ParseQty(s); err == nil {
			if back, err := money.ParseQty(money.QtyDecimal(q, 3)); err != nil || back != q {
				t.Fatalf("ParseQty(%q) = %d, round trip gives %d, %v", s, q, back, err)
			}
		}
		if bp, err := money.ParseBP(s); err == nil {
			if back, err := money.ParseBP(money.FormatBP(bp)); err != nil || back != bp {
				t.Fatalf("ParseBP(%q) = %d, round trip through %q gives %d, %v", s, bp, money.FormatBP(bp), back, err)
			}
		}
	})
}
