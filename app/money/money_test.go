package money

import (
	"errors"
	"math"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		cents int64
		want  string
	}{
		{0, "$0.00"},
		{5, "$0.05"},
		{1299, "$12.99"},
		{123456, "$1,234.56"},
		{100000000, "$1,000,000.00"},
		{-1200, "-$12.00"},
		{-123456, "-$1,234.56"},
		{math.MaxInt64, "$92,233,720,368,547,758.07"},
		{math.MinInt64, "-$92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Format(tt.cents); got != tt.want {
				t.Errorf("Format(%d) = %q, want %q", tt.cents, got, tt.want)
			}
		})
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		cents int64
		want  string
	}{
		{0, "0.00"},
		{1250, "12.50"},
		{123456, "1234.56"},
		{-5, "-0.05"},
		{-1200, "-12.00"},
		{math.MinInt64, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Decimal(tt.cents); got != tt.want {
				t.Errorf("Decimal(%d) = %q, want %q", tt.cents, got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"12.99", 1299},
		{"12", 1200},
		{"1,234.5", 123450},
		{"$3.10", 310},
		{"0.29", 29},
		{".5", 50},
		{"12.", 1200},
		{"-12.00", -1200},
		{"-$12.00", -1200},
		{"  $1,000,000.01 ", 100000001},
		{"0", 0},
		{"-0", 0},
		{"007", 700},
		{"92233720368547758.07", math.MaxInt64},
		{"-92233720368547758.08", math.MinInt64},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrSyntax},
		{"   ", ErrSyntax},
		{"$", ErrSyntax},
		{"-", ErrSyntax},
		{".", ErrSyntax},
		{"12.999", ErrSyntax},
		{"abc", ErrSyntax},
		{"12a", ErrSyntax},
		{"1.2.3", ErrSyntax},
		{"+5", ErrSyntax},
		{"--5", ErrSyntax},
		{"$-5", ErrSyntax},
		{"$$5", ErrSyntax},
		{"5$", ErrSyntax},
		{"1e3", ErrSyntax},
		{"1 234", ErrSyntax},
		{"1,23", ErrSyntax},
		{",123", ErrSyntax},
		{"1234,567", ErrSyntax},
		{"1,234,", ErrSyntax},
		{"1.2,3", ErrSyntax},
		{"€5", ErrSyntax},
		{"92233720368547758.08", ErrRange},
		{"-92233720368547758.09", ErrRange},
		{"99999999999999999999999", ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse(%q) = %d, %v; want error %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, cents := range []int64{0, 1, -1, 99, 1299, -123456, 100000000, math.MaxInt64, math.MinInt64} {
		for _, s := range []string{Format(cents), Decimal(cents)} {
			t.Run(s, func(t *testing.T) {
				got, err := Parse(s)
				if err != nil || got != cents {
					t.Errorf("Parse(%q) = %d, %v; want %d", s, got, err, cents)
				}
			})
		}
	}
}

func TestFormatQty(t *testing.T) {
	tests := []struct {
		qty  int64
		want string
	}{
		{0, "0"},
		{2000, "2"},
		{1250, "1.25"},
		{1500, "1.5"},
		{1, "0.001"},
		{-500, "-0.5"},
		{-2000, "-2"},
		{1234567, "1234.567"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatQty(tt.qty); got != tt.want {
				t.Errorf("FormatQty(%d) = %q, want %q", tt.qty, got, tt.want)
			}
		})
	}
}

func TestParseQty(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr error
	}{
		{"2", 2000, nil},
		{"1.25", 1250, nil},
		{"-0.5", -500, nil},
		{"0.001", 1, nil},
		{"1,234.567", 1234567, nil},
		{" 3 ", 3000, nil},
		{"1.2345", 0, ErrSyntax},
		{"$2", 0, ErrSyntax},
		{"two", 0, ErrSyntax},
		{"", 0, ErrSyntax},
		{"9223372036854775.808", 0, ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseQty(tt.in)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("ParseQty(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestQtyDecimal(t *testing.T) {
	tests := []struct {
		qty    int64
		places int
		want   string
	}{
		{2000, 3, "2.000"},
		{1250, 3, "1.250"},
		{-500, 3, "-0.500"},
		{1250, 2, "1.25"},
		{1250, 1, "1.3"},
		{-1250, 1, "-1.3"},
		{1249, 1, "1.2"},
		{1500, 0, "2"},
		{-1500, 0, "-2"},
		{-400, 0, "0"},
		{-40, 1, "0.0"},
		{2000, -1, "2"},
		{1250, 5, "1.25000"},
		{7, 2, "0.01"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := QtyDecimal(tt.qty, tt.places); got != tt.want {
				t.Errorf("QtyDecimal(%d, %d) = %q, want %q", tt.qty, tt.places, got, tt.want)
			}
		})
	}
}

func TestFormatBP(t *testing.T) {
	tests := []struct {
		bp   int64
		want string
	}{
		{825, "8.25%"},
		{500, "5%"},
		{750, "7.5%"},
		{5, "0.05%"},
		{0, "0%"},
		{10000, "100%"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatBP(tt.bp); got != tt.want {
				t.Errorf("FormatBP(%d) = %q, want %q", tt.bp, got, tt.want)
			}
		})
	}
}

func TestParseBP(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr error
	}{
		{"8.25", 825, nil},
		{"8.25%", 825, nil},
		{" 5 % ", 500, nil},
		{"7.5", 750, nil},
		{"0", 0, nil},
		{"8.255", 0, ErrSyntax},
		{"-1", 0, ErrSyntax},
		{"%", 0, ErrSyntax},
		{"abc", 0, ErrSyntax},
		{"$5", 0, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBP(tt.in)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("ParseBP(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"12.99", "$1,234.5", "-$0.01", "1,2", ".", "92233720368547758.08"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, err := Parse(s)
		if err != nil {
			return
		}
		// Whatever Parse accepts, Format and Decimal render back to the same cents.
		for _, out := range []string{Format(cents), Decimal(cents)} {
			if back, err := Parse(out); err != nil || back != cents {
				t.Fatalf("Parse(%q) = %d, but Parse(%q) = %d, %v", s, cents, out, back, err)
			}
		}
	})
}
