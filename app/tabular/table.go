package tabular

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
)

// Table is a whole table of display cells, as a page shows it: a header, rows and an optional
// totals row (nil Foot for none). Writing it in any format gives the same cells.
type Table struct {
	Title   string
	Columns []Column
	Rows    [][]string
	Foot    []string
	Sheet   string // the XLSX sheet's name; "Report" when empty
	Empty   string // the PDF's line when there are no rows; "Nothing in this period." when empty
}

// Formats are the whole-table formats with their content types.
var Formats = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pdf":  "application/pdf",
}

// Write writes t in format (csv, xlsx or pdf).
func Write(w io.Writer, format string, t Table) error {
	switch format {
	case "csv", "html", "json":
		tw := NewWriter(format, w)
		if err := tw.Begin(t.Title, t.Columns); err != nil {
			return err
		}
		for _, r := range t.Rows {
			if err := tw.Row(r, r); err != nil {
				return err
			}
		}
		if t.Foot != nil {
			if err := tw.Foot(t.Foot); err != nil {
				return err
			}
		}
		return tw.End(len(t.Rows))
	case "xlsx":
		return writeXLSX(w, t)
	case "pdf":
		return writePDF(w, t)
	}
	return fmt.Errorf("tabular: unknown format %q", format)
}

// number reads a displayed figure back ("$1,234.56", "-12.5", "1,250") for a spreadsheet cell:
// the value, its decimal places and whether it was money. ok is false for anything else (text,
// percentages, blanks), which is then written as text.
func number(s string) (v float64, places int, isMoney bool, ok bool) {
	t := strings.TrimSpace(s)
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	if strings.HasPrefix(t, "$") {
		isMoney = true
		t = strings.TrimPrefix(t, "$")
	}
	t = strings.ReplaceAll(t, ",", "")
	if t == "" {
		return 0, 0, false, false
	}
	for _, r := range t {
		if (r < '0' || r > '9') && r != '.' {
			return 0, 0, false, false
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, 0, false, false
	}
	if i := strings.IndexByte(t, '.'); i >= 0 {
		places = len(t) - i - 1
	}
	if neg {
		f = -f
	}
	return f, places, isMoney, true
}

// writeXLSX writes one sheet: a bold frozen header, figures of numeric columns as numbers
// (money formatted as on screen) and the totals row in bold.
func writeXLSX(w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := cmp.Or(t.Sheet, "Report")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	moneyFmt := `"$"#,##0.00;-"$"#,##0.00`
	styles := map[string]int{}
	style := func(kind string, bold bool) (int, error) {
		key := fmt.Sprint(kind, bold)
		if id, ok := styles[key]; ok {
			return id, nil
		}
		s := &excelize.Style{Font: &excelize.Font{Bold: bold}}
		if kind == "money" {
			s.CustomNumFmt = &moneyFmt
		}
		if kind == "number" {
			s.NumFmt = 3 // #,##0
		}
		if places, ok := strings.CutPrefix(kind, "decimal"); ok {
			format := "#,##0." + strings.Repeat("0", len(places))
			s.CustomNumFmt = &format
		}
		id, err := f.NewStyle(s)
		styles[key] = id
		return id, err
	}
	write := func(rowNum int, cells []string, bold bool) error {
		for i, v := range cells {
			ref, err := excelize.CoordinatesToCellName(i+1, rowNum)
			if err != nil {
				return err
			}
			kind := "text"
			if i < len(t.Columns) && t.Columns[i].Numeric {
				if n, places, isMoney, ok := number(v); ok {
					switch {
					case isMoney:
						kind = "money"
					case places == 0:
						kind = "number"
					default:
						kind = "decimal" + strings.Repeat("0", places) // as many places as shown
					}
					err = f.SetCellFloat(sheet, ref, n, places, 64)
				}
			}
			if kind == "text" {
				err = f.SetCellStr(sheet, ref, v)
			}
			if err != nil {
				return err
			}
			if kind != "text" || bold {
				id, err := style(kind, bold)
				if err != nil {
					return err
				}
				if err := f.SetCellStyle(sheet, ref, ref, id); err != nil {
					return err
				}
			}
		}
		return nil
	}
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Title
	}
	if err := write(1, head, true); err != nil {
		return err
	}
	for i, r := range t.Rows {
		if err := write(i+2, r, false); err != nil {
			return err
		}
	}
	if t.Foot != nil {
		if err := write(len(t.Rows)+2, t.Foot, true); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if len(t.Columns) > 0 {
		last, _ := excelize.ColumnNumberToName(len(t.Columns))
		_ = f.SetColWidth(sheet, "A", last, 16)
	}
	f.SetDocProps(&excelize.DocProperties{Title: t.Title, Creator: "Backroom"})
	return f.Write(w)
}

// writePDF lays the table out on A4 landscape pages with the header repeated on each page and
// numbered pages; text columns share the width left by the figures.
func writePDF(w io.Writer, t Table) error {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetMargins(10, 12, 10)
	pdf.SetAutoPageBreak(true, 14)
	pdf.AliasNbPages("{nb}")
	pdf.SetTitle(t.Title, true)
	pdf.SetCreator("Backroom", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252, for names with accents
	const page = 277.0
	widths := make([]float64, len(t.Columns))
	shared, used := 0, 0.0
	for i, c := range t.Columns {
		switch {
		case c.Width > 0:
			widths[i] = c.Width
		case c.Numeric:
			widths[i] = 26
		default:
			shared++
			continue
		}
		used += widths[i]
	}
	for i := range t.Columns {
		if widths[i] == 0 {
			widths[i] = max((page-used)/float64(shared), 20)
		}
	}
	align := func(i int) string {
		if i < len(t.Columns) && t.Columns[i].Numeric {
			return "R"
		}
		return "L"
	}
	pdf.SetHeaderFunc(func() {
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(0, 7, tr(t.Title), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(230, 234, 240)
		for i, c := range t.Columns {
			pdf.CellFormat(widths[i], 6, tr(c.Title), "B", 0, align(i), true, 0, "")
		}
		pdf.Ln(-1)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont("Helvetica", "", 7)
		pdf.CellFormat(0, 4, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()
	line := func(cells []string, style string) {
		pdf.SetFont("Helvetica", style, 8)
		for i, v := range cells {
			if i >= len(widths) {
				break
			}
			s := tr(v)
			for len(s) > 1 && pdf.GetStringWidth(s) > widths[i]-2 {
				s = s[:len(s)-1]
			}
			pdf.CellFormat(widths[i], 5, s, "", 0, align(i), false, 0, "")
		}
		pdf.Ln(-1)
	}
	for _, r := range t.Rows {
		line(r, "")
	}
	if len(t.Rows) == 0 {
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 6, tr(cmp.Or(t.Empty, "Nothing in this period.")), "", 1, "L", false, 0, "")
	}
	if t.Foot != nil {
		pdf.SetDrawColor(120, 120, 120)
		pdf.Line(10, pdf.GetY(), 287, pdf.GetY())
		line(t.Foot, "B")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("%s pdf: %w", t.Title, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
