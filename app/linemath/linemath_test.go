package linemath

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
)

var stateTax = Tax{Name: "State Tax", Rate: 825}

func TestComputeLine(t *testing.T) {
	gst := Tax{Name: "GST", Rate: 500, SortOrder: 0}
	pst := Tax{Name: "PST", Rate: 700, SortOrder: 1}
	pstCompound := Tax{Name: "PST", Rate: 700, Compound: true, SortOrder: 1}
	half := Tax{Name: "Half", Rate: 25} // 200 × 25 bp is exactly half a cent

	tests := []struct {
		name string
		line Line
		want LineResult
	}{
		{
			name: "seed example 2 × 9.99 at 8.25%",
			line: Line{Quantity: 2000, UnitPrice: 999, Taxes: []Tax{stateTax}},
			want: LineResult{Gross: 1998, Taxable: 1998, TaxTotal: 165, Total: 2163,
				Taxes: []TaxAmount{{Tax: stateTax, Base: 1998, Amount: 165}}},
		},
		{
			name: "discount comes off before tax",
			line: Line{Quantity: 1000, UnitPrice: 10000, Discount: 1000, Taxes: []Tax{stateTax}},
			want: LineResult{Gross: 10000, Discount: 1000, Taxable: 9000, TaxTotal: 743, Total: 9743,
				Taxes: []TaxAmount{{Tax: stateTax, Base: 9000, Amount: 743}}},
		},
		{
			name: "two non-compound taxes both on taxable",
			line: Line{Quantity: 1000, UnitPrice: 10000, Taxes: []Tax{gst, pst}},
			want: LineResult{Gross: 10000, Taxable: 10000, TaxTotal: 1200, Total: 11200,
				Taxes: []TaxAmount{{Tax: gst, Base: 10000, Amount: 500}, {Tax: pst, Base: 10000, Amount: 700}}},
		},
		{
			name: "compound tax on taxable plus the tax before it",
			line: Line{Quantity: 1000, UnitPrice: 10000, Taxes: []Tax{gst, pstCompound}},
			want: LineResult{Gross: 10000, Taxable: 10000, TaxTotal: 1235, Total: 11235,
				Taxes: []TaxAmount{{Tax: gst, Base: 10000, Amount: 500}, {Tax: pstCompound, Base: 10500, Amount: 735}}},
		},
		{
			name: "taxes apply by sort order, not input order",
			line: Line{Quantity: 1000, UnitPrice: 10000, Taxes: []Tax{pstCompound, gst}},
			want: LineResult{Gross: 10000, Taxable: 10000, TaxTotal: 1235, Total: 11235,
				Taxes: []TaxAmount{{Tax: gst, Base: 10000, Amount: 500}, {Tax: pstCompound, Base: 10500, Amount: 735}}},
		},
		{
			name: "compound tax first in order is on taxable only",
			line: Line{Quantity: 1000, UnitPrice: 10000, Taxes: []Tax{{Name: "C", Rate: 700, Compound: true}}},
			want: LineResult{Gross: 10000, Taxable: 10000, TaxTotal: 700, Total: 10700,
				Taxes: []TaxAmount{{Tax: Tax{Name: "C", Rate: 700, Compound: true}, Base: 10000, Amount: 700}}},
		},
		{
			name: "tax of exactly half a cent rounds up",
			line: Line{Quantity: 1000, UnitPrice: 200, Taxes: []Tax{half}},
			want: LineResult{Gross: 200, Taxable: 200, TaxTotal: 1, Total: 201,
				Taxes: []TaxAmount{{Tax: half, Base: 200, Amount: 1}}},
		},
		{
			name: "tax of exactly minus half a cent rounds down",
			line: Line{Quantity: -1000, UnitPrice: 200, Taxes: []Tax{half}},
			want: LineResult{Gross: -200, Taxable: -200, TaxTotal: -1, Total: -201,
				Taxes: []TaxAmount{{Tax: half, Base: -200, Amount: -1}}},
		},
		{
			name: "gross of exactly half a cent rounds up",
			line: Line{Quantity: 500, UnitPrice: 1},
			want: LineResult{Gross: 1, Taxable: 1, Total: 1, Taxes: []TaxAmount{}},
		},
		{
			name: "gross of exactly minus half a cent rounds down",
			line: Line{Quantity: -500, UnitPrice: 1},
			want: LineResult{Gross: -1, Taxable: -1, Total: -1, Taxes: []TaxAmount{}},
		},
		{
			name: "fractional quantity 1.5 × 3.33",
			line: Line{Quantity: 1500, UnitPrice: 333, Taxes: []Tax{stateTax}},
			want: LineResult{Gross: 500, Taxable: 500, TaxTotal: 41, Total: 541,
				Taxes: []TaxAmount{{Tax: stateTax, Base: 500, Amount: 41}}},
		},
		{
			name: "refund mirrors the seed example",
			line: Line{Quantity: -2000, UnitPrice: 999, Taxes: []Tax{stateTax}},
			want: LineResult{Gross: -1998, Taxable: -1998, TaxTotal: -165, Total: -2163,
				Taxes: []TaxAmount{{Tax: stateTax, Base: -1998, Amount: -165}}},
		},
		{
			name: "refund with its discount",
			line: Line{Quantity: -2000, UnitPrice: 999, Discount: -100, Taxes: []Tax{stateTax}},
			want: LineResult{Gross: -1998, Discount: -100, Taxable: -1898, TaxTotal: -157, Total: -2055,
				Taxes: []TaxAmount{{Tax: stateTax, Base: -1898, Amount: -157}}},
		},
		{
			name: "discount equal to gross leaves nothing to tax",
			line: Line{Quantity: 1000, UnitPrice: 500, Discount: 500, Taxes: []Tax{stateTax}},
			want: LineResult{Gross: 500, Discount: 500, Taxable: 0, TaxTotal: 0, Total: 0,
				Taxes: []TaxAmount{{Tax: stateTax, Base: 0, Amount: 0}}},
		},
		{
			name: "zero rate is a valid exempt tax",
			line: Line{Quantity: 1000, UnitPrice: 500, Taxes: []Tax{{Name: "Exempt"}}},
			want: LineResult{Gross: 500, Taxable: 500, Total: 500,
				Taxes: []TaxAmount{{Tax: Tax{Name: "Exempt"}, Base: 500, Amount: 0}}},
		},
		{
			name: "quantity × price beyond int64 is fine when the gross fits",
			line: Line{Quantity: 1_000_000_000_000, UnitPrice: 1_000_000_000},
			want: LineResult{Gross: 1_000_000_000_000_000_000, Taxable: 1_000_000_000_000_000_000,
				Total: 1_000_000_000_000_000_000, Taxes: []TaxAmount{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ComputeLine(tt.line)
			if err != nil {
				t.Fatalf("ComputeLine: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestComputeLineErrors(t *testing.T) {
	tests := []struct {
		name string
		line Line
		want error
	}{
		{"discount larger than gross", Line{Quantity: 1000, UnitPrice: 100, Discount: 101}, ErrDiscountExceedsGross},
		{"negative discount on a sale", Line{Quantity: 1000, UnitPrice: 100, Discount: -10}, ErrDiscountExceedsGross},
		{"positive discount on a refund", Line{Quantity: -1000, UnitPrice: 100, Discount: 10}, ErrDiscountExceedsGross},
		{"refund discount larger than gross", Line{Quantity: -1000, UnitPrice: 100, Discount: -101}, ErrDiscountExceedsGross},
		{"discount on a zero gross", Line{Quantity: 0, UnitPrice: 100, Discount: 5}, ErrDiscountExceedsGross},
		{"negative rate", Line{Quantity: 1000, UnitPrice: 100, Taxes: []Tax{{Name: "Bad", Rate: -1}}}, ErrNegativeRate},
		{"gross overflows", Line{Quantity: math.MaxInt64, UnitPrice: math.MaxInt64}, ErrOverflow},
		{"negative gross overflows", Line{Quantity: math.MinInt64, UnitPrice: math.MaxInt64}, ErrOverflow},
		{"tax overflows", Line{Quantity: 1000, UnitPrice: math.MaxInt64, Taxes: []Tax{{Name: "T", Rate: 20000}}}, ErrOverflow},
		{"line total overflows", Line{Quantity: 1000, UnitPrice: math.MaxInt64, Taxes: []Tax{{Name: "T", Rate: 1}}}, ErrOverflow},
		{"compound base overflows", Line{Quantity: 1000, UnitPrice: math.MaxInt64 - 10, Taxes: []Tax{
			{Name: "A", Rate: 1, SortOrder: 0}, {Name: "B", Rate: 0, Compound: true, SortOrder: 1}}}, ErrOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ComputeLine(tt.line)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if !reflect.DeepEqual(got, LineResult{}) {
				t.Errorf("got result %+v with an error, want the zero value", got)
			}
		})
	}
}

func TestComputeLineLeavesInputAlone(t *testing.T) {
	taxes := []Tax{{Name: "B", Rate: 100, SortOrder: 2}, {Name: "A", Rate: 100, SortOrder: 1}}
	want := append([]Tax(nil), taxes...)
	if _, err := ComputeLine(Line{Quantity: 1000, UnitPrice: 100, Taxes: taxes}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(taxes, want) {
		t.Errorf("input taxes reordered: got %+v, want %+v", taxes, want)
	}
}

func TestComputeSale(t *testing.T) {
	city := Tax{Name: "City Tax", Rate: 100, SortOrder: 1}
	gst := Tax{Name: "GST", Rate: 500}
	pst := Tax{Name: "PST", Rate: 700, Compound: true, SortOrder: 1}

	tests := []struct {
		name  string
		lines []Line
		want  Totals // Lines are checked by TestComputeLine; only their count here
	}{
		{
			name:  "seed example",
			lines: []Line{{Quantity: 2000, UnitPrice: 999, Taxes: []Tax{stateTax}}},
			want: Totals{Subtotal: 1998, TaxTotal: 165, GrandTotal: 2163,
				ByRate: []RateTotal{{Name: "State Tax", Rate: 825, Taxable: 1998, Amount: 165}}},
		},
		{
			name:  "empty sale",
			lines: nil,
			want:  Totals{ByRate: []RateTotal{}},
		},
		{
			name: "per-rate totals across lines with a discount",
			lines: []Line{
				{Quantity: 2000, UnitPrice: 999, Taxes: []Tax{stateTax}},
				{Quantity: 1000, UnitPrice: 500, Taxes: []Tax{stateTax, city}},
				{Quantity: 3000, UnitPrice: 250, Discount: 50, Taxes: []Tax{stateTax}},
			},
			want: Totals{Subtotal: 3248, DiscountTotal: 50, TaxTotal: 269, GrandTotal: 3467,
				ByRate: []RateTotal{
					{Name: "State Tax", Rate: 825, Taxable: 3198, Amount: 264},
					{Name: "City Tax", Rate: 100, Taxable: 500, Amount: 5},
				}},
		},
		{
			name: "same name at another rate is its own row",
			lines: []Line{
				{Quantity: 1000, UnitPrice: 1000, Taxes: []Tax{stateTax}},
				{Quantity: 1000, UnitPrice: 1000, Taxes: []Tax{{Name: "State Tax", Rate: 700}}},
			},
			want: Totals{Subtotal: 2000, TaxTotal: 153, GrandTotal: 2153,
				ByRate: []RateTotal{
					{Name: "State Tax", Rate: 825, Taxable: 1000, Amount: 83},
					{Name: "State Tax", Rate: 700, Taxable: 1000, Amount: 70},
				}},
		},
		{
			name: "compound rate reports the base it was charged on",
			lines: []Line{
				{Quantity: 1000, UnitPrice: 10000, Taxes: []Tax{gst, pst}},
				{Quantity: 2000, UnitPrice: 2500, Taxes: []Tax{gst, pst}},
			},
			want: Totals{Subtotal: 15000, TaxTotal: 1853, GrandTotal: 16853,
				ByRate: []RateTotal{
					{Name: "GST", Rate: 500, Taxable: 15000, Amount: 750},
					{Name: "PST", Rate: 700, Compound: true, Taxable: 15750, Amount: 1103},
				}},
		},
		{
			name: "sale and refund in one ticket",
			lines: []Line{
				{Quantity: 2000, UnitPrice: 999, Taxes: []Tax{stateTax}},
				{Quantity: -1000, UnitPrice: 999, Discount: -99, Taxes: []Tax{stateTax}},
			},
			want: Totals{Subtotal: 999, DiscountTotal: -99, TaxTotal: 91, GrandTotal: 1189,
				ByRate: []RateTotal{{Name: "State Tax", Rate: 825, Taxable: 1098, Amount: 91}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ComputeSale(tt.lines)
			if err != nil {
				t.Fatalf("ComputeSale: %v", err)
			}
			if len(got.Lines) != len(tt.lines) {
				t.Errorf("got %d lines, want %d", len(got.Lines), len(tt.lines))
			}
			var lineSum int64
			for _, l := range got.Lines {
				lineSum += l.Total
			}
			if lineSum != got.GrandTotal {
				t.Errorf("Σ line totals %d != grand total %d", lineSum, got.GrandTotal)
			}
			got.Lines = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestComputeSaleErrors(t *testing.T) {
	ok := Line{Quantity: 1000, UnitPrice: 100}
	huge := Line{Quantity: 1000, UnitPrice: math.MaxInt64}
	tests := []struct {
		name      string
		lines     []Line
		want      error
		wantIndex int
	}{
		{"bad line is named by index", []Line{ok, {Quantity: 1000, UnitPrice: 100, Discount: 200}}, ErrDiscountExceedsGross, 1},
		{"negative rate", []Line{{Quantity: 1000, UnitPrice: 100, Taxes: []Tax{{Rate: -825}}}}, ErrNegativeRate, 0},
		{"subtotal overflows", []Line{huge, huge}, ErrOverflow, 1},
		{"sale totals overflow", []Line{
			{Quantity: 1000, UnitPrice: math.MaxInt64 / 2, Discount: math.MaxInt64 / 2, Taxes: []Tax{{Rate: 10000}}},
			{Quantity: 1000, UnitPrice: math.MaxInt64 / 2, Taxes: []Tax{{Rate: 10000}}},
			{Quantity: 1000, UnitPrice: math.MaxInt64 / 2, Taxes: []Tax{{Rate: 10000}}},
		}, ErrOverflow, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ComputeSale(tt.lines)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			var lineErr *LineError
			if !errors.As(err, &lineErr) {
				t.Fatalf("got %T, want *LineError", err)
			}
			if lineErr.Index != tt.wantIndex {
				t.Errorf("got index %d, want %d", lineErr.Index, tt.wantIndex)
			}
			if !reflect.DeepEqual(got, Totals{}) {
				t.Errorf("got totals %+v with an error, want the zero value", got)
			}
		})
	}
}

func TestComputeSaleGrandTotalOverflow(t *testing.T) {
	// Subtotal and tax total each fit; only subtotal − discount + tax does not.
	lines := []Line{
		{Quantity: 1000, UnitPrice: math.MaxInt64 - 10100},
		{Quantity: 1000, UnitPrice: 10000, Taxes: []Tax{{Name: "T", Rate: 200}}},
	}
	_, err := ComputeSale(lines)
	if !errors.Is(err, ErrOverflow) {
		t.Fatalf("got %v, want ErrOverflow", err)
	}
	var lineErr *LineError
	if errors.As(err, &lineErr) {
		t.Errorf("got %v, want an error about the grand total, not a line", err)
	}
}

func TestRoundDiv(t *testing.T) {
	tests := []struct {
		n, d, want int64
	}{
		{5, 2, 3},
		{-5, 2, -3},
		{5, -2, -3},
		{-5, -2, 3},
		{4, 2, 2},
		{7, 3, 2},
		{8, 3, 3},
		{-8, 3, -3},
		{-7, 3, -2},
		{0, 7, 0},
		{1998 * 825, 10000, 165},
		{-1998 * 825, 10000, -165},
		{math.MaxInt64, 1, math.MaxInt64},
		{math.MinInt64, 1, math.MinInt64},
		{math.MinInt64, 2, math.MinInt64 / 2},
		{math.MaxInt64, 2, 1 << 62},
		{math.MaxInt64, math.MaxInt64, 1},
		{math.MinInt64, math.MinInt64, 1},
		{math.MaxInt64, math.MinInt64, -1},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			if got := RoundDiv(tt.n, tt.d); got != tt.want {
				t.Errorf("RoundDiv(%d, %d) = %d, want %d", tt.n, tt.d, got, tt.want)
			}
		})
	}
}

func TestRoundDivPanics(t *testing.T) {
	tests := []struct {
		name string
		n, d int64
	}{
		{"by zero", 1, 0},
		{"MinInt64 / -1", math.MinInt64, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("RoundDiv(%d, %d) did not panic", tt.n, tt.d)
				}
			}()
			RoundDiv(tt.n, tt.d)
		})
	}
}

// refRound is round(a × b / d) half away from zero in arbitrary precision.
func refRound(a, b, d int64) *big.Int {
	p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	neg := p.Sign() < 0
	p.Abs(p)
	q, r := new(big.Int).QuoRem(p, big.NewInt(d), new(big.Int))
	if r.Mul(r, big.NewInt(2)).Cmp(big.NewInt(d)) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q
}

func FuzzComputeLine(f *testing.F) {
	f.Add(int64(2000), int64(999), int64(0), int64(825), int64(0), false)
	f.Add(int64(1000), int64(10000), int64(1000), int64(500), int64(700), true)
	f.Add(int64(-1500), int64(333), int64(-100), int64(25), int64(825), true)
	f.Add(int64(math.MaxInt64), int64(math.MinInt64), int64(0), int64(10000), int64(1), false)
	f.Fuzz(func(t *testing.T, qty, price, discount, rate1, rate2 int64, compound bool) {
		line := Line{Quantity: qty, UnitPrice: price, Discount: discount, Taxes: []Tax{
			{Name: "A", Rate: rate1, SortOrder: 0},
			{Name: "B", Rate: rate2, Compound: compound, SortOrder: 1},
		}}
		got, err := ComputeLine(line)

		gross := refRound(qty, price, QuantityScale)
		if !gross.IsInt64() {
			if !errors.Is(err, ErrOverflow) {
				t.Fatalf("gross %v does not fit, got error %v", gross, err)
			}
			return
		}
		if err != nil {
			if !errors.Is(err, ErrOverflow) && !errors.Is(err, ErrDiscountExceedsGross) && !errors.Is(err, ErrNegativeRate) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if got.Gross != gross.Int64() {
			t.Fatalf("gross %d, want %v", got.Gross, gross)
		}
		if got.Taxable != got.Gross-got.Discount {
			t.Fatalf("taxable %d != gross %d − discount %d", got.Taxable, got.Gross, got.Discount)
		}
		var sum int64
		for _, tx := range got.Taxes {
			if want := refRound(tx.Base, tx.Rate, RateScale); want.Int64() != tx.Amount {
				t.Fatalf("tax %s on %d at %d = %d, want %v", tx.Name, tx.Base, tx.Rate, tx.Amount, want)
			}
			sum += tx.Amount
		}
		if got.TaxTotal != sum || got.Total != got.Taxable+sum {
			t.Fatalf("total %d, tax total %d; want taxable %d + Σ taxes %d", got.Total, got.TaxTotal, got.Taxable, sum)
		}

		// A refund is the exact mirror of the sale.
		if qty == math.MinInt64 || discount == math.MinInt64 {
			return
		}
		refund := line
		refund.Quantity, refund.Discount = -qty, -discount
		mirror, err := ComputeLine(refund)
		if errors.Is(err, ErrOverflow) && hasMinInt64(got) {
			return // −MinInt64 does not fit; the mirror may not either
		}
		if err != nil {
			t.Fatalf("mirror of a valid line failed: %v", err)
		}
		if mirror.Total != -got.Total || mirror.TaxTotal != -got.TaxTotal || mirror.Gross != -got.Gross {
			t.Fatalf("mirror %+v is not the negation of %+v", mirror, got)
		}
	})
}

func hasMinInt64(r LineResult) bool {
	for _, v := range []int64{r.Gross, r.Discount, r.Taxable, r.TaxTotal, r.Total} {
		if v == math.MinInt64 {
			return true
		}
	}
	for _, tx := range r.Taxes {
		if tx.Base == math.MinInt64 || tx.Amount == math.MinInt64 {
			return true
		}
	}
	return false
}
