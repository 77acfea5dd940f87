// Package money formats and parses the integer amounts of Backroom's domain
// conventions for people and for other systems: money in int64 cents,
// quantities in int64 thousandths and tax rates in int64 basis points. It
// never goes through floats, so "0.29" is 29 cents exactly.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors; test for them with errors.Is.
var (
	// ErrSyntax reports text that is not a number in the accepted form,
	// including one with more decimals than the unit holds.
	ErrSyntax = errors.New("not a valid number")
	// ErrRange reports a number too large for int64.
	ErrRange = errors.New("number out of range")
)

// Format renders cents for people: 123456 is "$1,234.56", -1200 is "-$12.00".
func Format(cents int64) string {
	sign, mag := split(cents)
	return sign + "$" + group(mag/100) + fmt.Sprintf(".%02d", mag%100)
}

// Decimal renders cents as a plain decimal for integrations: 1250 is "12.50",
// -5 is "-0.05". There is no symbol and no grouping.
func Decimal(cents int64) string {
	sign, mag := split(cents)
	return fmt.Sprintf("%s%d.%02d", sign, mag/100, mag%100)
}

// Parse reads an amount typed by a person into cents. It accepts an optional
// leading "-", an optional "$", digits with optional comma grouping and up to
// two decimals: "12.99", "12", "1,234.5", "$3.10", "-$12.00". Surrounding
// spaces are ignored; anything else is ErrSyntax.
func Parse(s string) (int64, error) {
	v, err := parseDecimal(s, 2, true)
	if err != nil {
		return 0, fmt.Errorf("parse amount %q: %w", s, err)
	}
	return v, nil
}

// FormatQty renders a quantity in thousandths with as few decimals as it
// needs: 2000 is "2", 1250 is "1.25", -500 is "-0.5".
func FormatQty(thousandths int64) string {
	sign, mag := split(thousandths)
	whole := sign + strconv.FormatUint(mag/1000, 10)
	frac := strings.TrimRight(fmt.Sprintf("%03d", mag%1000), "0")
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// ParseQty reads a quantity into thousandths: "2" is 2000, "1.25" is 1250,
// "-0.5" is -500. It accepts comma grouping and up to three decimals.
func ParseQty(s string) (int64, error) {
	v, err := parseDecimal(s, 3, false)
	if err != nil {
		return 0, fmt.Errorf("parse quantity %q: %w", s, err)
	}
	return v, nil
}

// QtyDecimal renders a quantity in thousandths with exactly places decimals,
// for integrations that want a fixed format: QtyDecimal(2000, 3) is "2.000".
// Fewer than three places round half away from zero (QtyDecimal(1250, 1) is
// "1.3"); more pad with zeros; a negative places counts as zero.
func QtyDecimal(thousandths int64, places int) string {
	places = max(places, 0)
	sign, mag := split(thousandths)
	if places < 3 {
		unit := uint64(1)
		for range 3 - places {
			unit *= 10
		}
		q, r := mag/unit, mag%unit
		if r >= unit-r {
			q++
		}
		if q == 0 {
			sign = ""
		}
		if places == 0 {
			return sign + strconv.FormatUint(q, 10)
		}
		scale := uint64(1)
		for range places {
			scale *= 10
		}
		return fmt.Sprintf("%s%d.%0*d", sign, q/scale, places, q%scale)
	}
	return fmt.Sprintf("%s%d.%03d%s", sign, mag/1000, mag%1000, strings.Repeat("0", places-3))
}

// FormatBP renders a rate in basis points as a percentage with as few
// decimals as it needs: 825 is "8.25%", 500 is "5%", 750 is "7.5%".
func FormatBP(bp int64) string {
	sign, mag := split(bp)
	whole := sign + strconv.FormatUint(mag/100, 10)
	frac := strings.TrimRight(fmt.Sprintf("%02d", mag%100), "0")
	if frac == "" {
		return whole + "%"
	}
	return whole + "." + frac + "%"
}

// ParseBP reads a percentage into basis points: "8.25" and "8.25%" are 825.
// It accepts up to two decimals and rejects negative rates.
func ParseBP(s string) (int64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("parse rate %q: %w", s, ErrSyntax)
	}
	v, err := parseDecimal(t, 2, false)
	if err != nil {
		return 0, fmt.Errorf("parse rate %q: %w", s, err)
	}
	return v, nil
}

// split returns the sign prefix and magnitude of v; the magnitude of
// math.MinInt64 fits in uint64.
func split(v int64) (string, uint64) {
	if v < 0 {
		return "-", uint64(-(v + 1)) + 1
	}
	return "", uint64(v)
}

// group writes n with a comma between each group of three digits.
func group(n uint64) string {
	digits := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// parseDecimal reads an optionally signed decimal number scaled by 10^places.
// A "$" may follow the sign when currency is true. The integer part may use
// commas, but only as thousands separators ("1,234", not "1,23"). At least
// one digit is required on one side of the point.
func parseDecimal(s string, places int, currency bool) (int64, error) {
	s = strings.TrimSpace(s)
	negative := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if currency {
		s = strings.TrimPrefix(s, "$")
	}
	intPart, fracPart, _ := strings.Cut(s, ".")
	if intPart == "" && fracPart == "" || len(fracPart) > places || !allDigits(fracPart) {
		return 0, ErrSyntax
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, ErrSyntax
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, ErrSyntax
			}
		}
		intPart = strings.Join(groups, "")
	}
	if !allDigits(intPart) {
		return 0, ErrSyntax
	}

	digits := intPart + fracPart + strings.Repeat("0", places-len(fracPart))
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, nil
	}
	mag, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, ErrRange
	}
	if negative {
		if mag > 1<<63 {
			return 0, ErrRange
		}
		return int64(-mag), nil
	}
	if mag > 1<<63-1 {
		return 0, ErrRange
	}
	return int64(mag), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
