// Package linemath is the one place Backroom computes sale lines, line taxes
// and sale totals. Sales, the web services, receipts, reports and every
// integration call it, so a line priced at the till, recorded through the API
// and printed on a receipt always adds up to the same cents.
//
// Units follow the domain conventions: money is int64 cents, quantities are
// int64 thousandths (2 units = 2000) and tax rates are int64 basis points
// (8.25% = 825). There are no floats and no I/O. The rules:
//
//	gross    = round(quantity × unitPrice / 1000)
//	taxable  = gross − discount
//	tax      = round(base × rate / 10000), base = taxable for a plain tax,
//	           taxable + the taxes before it (by SortOrder) for a compound tax
//	total    = taxable + Σ line taxes
//
// and for a sale subtotal = Σ gross, discountTotal = Σ discounts,
// taxTotal = Σ line taxes, grandTotal = subtotal − discountTotal + taxTotal.
// Every rounding is half away from zero, so a refund (negative quantity) is the
// exact mirror of the sale. Products are formed in 128 bits, so an input only
// fails with ErrOverflow when a result itself does not fit in int64.
package linemath

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"
)

// Sentinel errors; test for them with errors.Is.
var (
	// ErrDiscountExceedsGross reports a discount larger than the line's gross
	// or of the opposite sign (a refund line takes a negative discount).
	ErrDiscountExceedsGross = errors.New("discount exceeds gross")
	// ErrNegativeRate reports a tax with a rate below zero.
	ErrNegativeRate = errors.New("negative tax rate")
	// ErrOverflow reports an amount that does not fit in int64.
	ErrOverflow = errors.New("amount out of range")
)

// QuantityScale is the number of quantity units in one item (thousandths).
const QuantityScale = 1000

// RateScale is the number of basis points in 100%.
const RateScale = 10000

// Tax is one tax rate as applied to a line.
type Tax struct {
	Name string
	// Rate is in basis points: 825 is 8.25%. It must not be negative.
	Rate int64
	// Compound taxes apply to the taxable amount plus every tax before them.
	Compound bool
	// SortOrder fixes the order taxes apply in; ties keep the given order.
	SortOrder int
}

// Line is one sale line as entered: quantity in thousandths, unit price and
// discount in cents, and the taxes of the product's tax group.
type Line struct {
	Quantity  int64
	UnitPrice int64
	// Discount is the line's discount in cents, with the sign of the gross:
	// positive on a sale, negative (or zero) on a refund.
	Discount int64
	Taxes    []Tax
}

// TaxAmount is one tax computed on a line.
type TaxAmount struct {
	Tax
	// Base is the amount the tax was computed on: the line's taxable amount,
	// plus the earlier taxes when the tax is compound.
	Base int64
	// Amount is the tax in cents, rounded half away from zero.
	Amount int64
}

// LineResult is a computed line. Taxes are in the order they were applied
// (by SortOrder).
type LineResult struct {
	Gross    int64
	Discount int64
	Taxable  int64
	TaxTotal int64
	Total    int64
	Taxes    []TaxAmount
}

// RateTotal sums one tax rate over a sale, for receipts, X/Z and tax reports.
// Taxes are grouped by name, rate and compound flag.
type RateTotal struct {
	Name     string
	Rate     int64
	Compound bool
	// Taxable is the sum of the bases the tax was computed on.
	Taxable int64
	Amount  int64
}

// Totals is a computed sale. Lines are in input order; ByRate is in order of
// first appearance.
type Totals struct {
	Subtotal      int64
	DiscountTotal int64
	TaxTotal      int64
	GrandTotal    int64
	Lines         []LineResult
	ByRate        []RateTotal
}

// LineError reports which line of a sale failed. Index counts from zero, like
// the items array of the API body it usually comes from.
type LineError struct {
	Index int
	Err   error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Index, e.Err) }

// Unwrap returns the underlying error, so errors.Is sees the sentinel.
func (e *LineError) Unwrap() error { return e.Err }

// ComputeLine computes one line's gross, taxable amount, taxes and total.
func ComputeLine(l Line) (LineResult, error) {
	gross, ok := mulDivRound(l.Quantity, l.UnitPrice, QuantityScale)
	if !ok {
		return LineResult{}, fmt.Errorf("gross of %d × %d: %w", l.Quantity, l.UnitPrice, ErrOverflow)
	}
	if !discountFits(gross, l.Discount) {
		return LineResult{}, fmt.Errorf("discount %d on gross %d: %w", l.Discount, gross, ErrDiscountExceedsGross)
	}
	// Cannot overflow: the discount has the sign of gross and no larger magnitude.
	taxable := gross - l.Discount

	taxes := make([]TaxAmount, len(l.Taxes))
	for i, t := range l.Taxes {
		if t.Rate < 0 {
			return LineResult{}, fmt.Errorf("tax %q rate %d: %w", t.Name, t.Rate, ErrNegativeRate)
		}
		taxes[i] = TaxAmount{Tax: t}
	}
	sort.SliceStable(taxes, func(i, j int) bool { return taxes[i].SortOrder < taxes[j].SortOrder })

	var taxTotal int64
	for i := range taxes {
		t := &taxes[i]
		t.Base = taxable
		if t.Compound {
			t.Base, ok = add(taxable, taxTotal)
			if !ok {
				return LineResult{}, fmt.Errorf("tax %q base: %w", t.Name, ErrOverflow)
			}
		}
		t.Amount, ok = mulDivRound(t.Base, t.Rate, RateScale)
		if !ok {
			return LineResult{}, fmt.Errorf("tax %q on %d: %w", t.Name, t.Base, ErrOverflow)
		}
		if taxTotal, ok = add(taxTotal, t.Amount); !ok {
			return LineResult{}, fmt.Errorf("line tax total: %w", ErrOverflow)
		}
	}
	total, ok := add(taxable, taxTotal)
	if !ok {
		return LineResult{}, fmt.Errorf("line total: %w", ErrOverflow)
	}
	return LineResult{
		Gross:    gross,
		Discount: l.Discount,
		Taxable:  taxable,
		TaxTotal: taxTotal,
		Total:    total,
		Taxes:    taxes,
	}, nil
}

// ComputeSale computes every line and the sale's totals. A failing line is
// reported as a *LineError wrapping the line's error.
func ComputeSale(lines []Line) (Totals, error) {
	out := Totals{Lines: make([]LineResult, 0, len(lines)), ByRate: []RateTotal{}}
	type rateKey struct {
		name     string
		rate     int64
		compound bool
	}
	rateIndex := map[rateKey]int{}
	var ok bool
	sum := func(dst *int64, v int64) {
		if ok {
			*dst, ok = add(*dst, v)
		}
	}
	for i, l := range lines {
		r, err := ComputeLine(l)
		if err != nil {
			return Totals{}, &LineError{Index: i, Err: err}
		}
		ok = true
		sum(&out.Subtotal, r.Gross)
		sum(&out.DiscountTotal, r.Discount)
		sum(&out.TaxTotal, r.TaxTotal)
		for _, t := range r.Taxes {
			k := rateKey{t.Name, t.Rate, t.Compound}
			j, seen := rateIndex[k]
			if !seen {
				j = len(out.ByRate)
				rateIndex[k] = j
				out.ByRate = append(out.ByRate, RateTotal{Name: t.Name, Rate: t.Rate, Compound: t.Compound})
			}
			sum(&out.ByRate[j].Taxable, t.Base)
			sum(&out.ByRate[j].Amount, t.Amount)
		}
		if !ok {
			return Totals{}, &LineError{Index: i, Err: fmt.Errorf("sale totals: %w", ErrOverflow)}
		}
		out.Lines = append(out.Lines, r)
	}
	net, netOK := sub(out.Subtotal, out.DiscountTotal)
	grand, grandOK := add(net, out.TaxTotal)
	if !netOK || !grandOK {
		return Totals{}, fmt.Errorf("grand total: %w", ErrOverflow)
	}
	out.GrandTotal = grand
	return out, nil
}

// RoundDiv returns n / d rounded half away from zero: RoundDiv(5, 2) is 3 and
// RoundDiv(-5, 2) is -3. Like integer division it panics when d is zero; it
// also panics for the one quotient int64 cannot hold, math.MinInt64 / -1.
func RoundDiv(n, d int64) int64 {
	if d == 0 {
		panic("linemath: RoundDiv by zero")
	}
	q, ok := roundQuotient(0, abs(n), abs(d), (n < 0) != (d < 0))
	if !ok {
		panic("linemath: RoundDiv overflow")
	}
	return q
}

// mulDivRound returns round(a × b / d) half away from zero for d > 0, with
// the product held in 128 bits; ok is false when the result overflows int64.
func mulDivRound(a, b, d int64) (int64, bool) {
	hi, lo := bits.Mul64(abs(a), abs(b))
	return roundQuotient(hi, lo, uint64(d), (a < 0) != (b < 0))
}

// roundQuotient divides the 128-bit magnitude hi:lo by ud > 0, rounds half
// away from zero and applies the sign.
func roundQuotient(hi, lo, ud uint64, negative bool) (int64, bool) {
	if hi >= ud {
		return 0, false // the quotient needs more than 64 bits
	}
	q, r := bits.Div64(hi, lo, ud)
	if r >= ud-r { // r ≥ d/2 without computing 2r, which could overflow
		if q == math.MaxUint64 {
			return 0, false
		}
		q++
	}
	if negative {
		if q > 1<<63 {
			return 0, false
		}
		return int64(-q), true // -(1<<63) wraps to math.MinInt64, as wanted
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

// discountFits reports whether discount has the sign of gross (or is zero)
// and no larger magnitude.
func discountFits(gross, discount int64) bool {
	switch {
	case discount == 0:
		return true
	case gross > 0:
		return discount > 0 && discount <= gross
	case gross < 0:
		return discount < 0 && discount >= gross
	default:
		return false
	}
}

// abs returns |v| as uint64, which holds |math.MinInt64|.
func abs(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

func add(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

func sub(a, b int64) (int64, bool) {
	s := a - b
	return s, (s < a) == (b > 0)
}
