// Package tabular writes tables of display cells (a header, rows, an optional totals row) as CSV,
// a standalone HTML page, a JSON envelope, an XLSX workbook or a PDF. The web-service exports and
// the reports share it, so what a person sees on screen is what they download.
package tabular

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
)

// Writer streams a table in one format: a header, rows as they are read, an optional totals
// row. The sales report and the catalogue lists share it for csv, html and json.
type Writer interface {
	Begin(title string, cols []Column) error
	Row(cells []string, obj any) error
	Foot(cells []string) error
	End(total int) error
}

// Column is a table column; numeric ones are right-aligned. Width is its width on a PDF page in
// mm: 0 is 26 mm for a figure, an even share of what is left for text.
type Column struct {
	Title   string
	Numeric bool
	Width   float64
}

// NewWriter returns the streaming writer for format (csv, html or json), or nil for another.
func NewWriter(format string, w io.Writer) Writer {
	switch format {
	case "csv":
		return &csvTable{w: csv.NewWriter(w)}
	case "html":
		return &htmlTable{w: bufio.NewWriterSize(w, 32<<10)}
	case "json":
		return &jsonTable{w: bufio.NewWriterSize(w, 32<<10)}
	}
	return nil
}

type csvTable struct{ w *csv.Writer }

func (t *csvTable) Begin(_ string, cols []Column) error {
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Title
	}
	return t.w.Write(CSVRow(head))
}

func (t *csvTable) Row(cells []string, _ any) error { return t.w.Write(CSVRow(cells)) }
func (t *csvTable) Foot(cells []string) error       { return t.w.Write(CSVRow(cells)) }
func (t *csvTable) End(int) error {
	t.w.Flush()
	return t.w.Error()
}

// htmlTable is a standalone page: no scripts or stylesheets to fetch, so it opens anywhere.
type htmlTable struct {
	w      *bufio.Writer
	cols   []Column
	footed bool
}

const htmlHead = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#0f172a}table{border-collapse:collapse;width:100%%}
th,td{border-bottom:1px solid #e2e8f0;padding:4px 8px;text-align:left}th{background:#f1f5f9;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}tfoot td{font-weight:600;border-top:2px solid #94a3b8}</style>
</head><body><h1>%s</h1>
<table><thead><tr>`

func (t *htmlTable) Begin(title string, cols []Column) error {
	t.cols = cols
	esc := html.EscapeString(title)
	fmt.Fprintf(t.w, htmlHead, esc, esc)
	for _, c := range cols {
		t.w.WriteString("<th" + t.class(c) + ` scope="col">` + html.EscapeString(c.Title) + "</th>")
	}
	_, err := t.w.WriteString("</tr></thead>\n<tbody>\n")
	return err
}

func (t *htmlTable) class(c Column) string {
	if c.Numeric {
		return ` class="num"`
	}
	return ""
}

func (t *htmlTable) cells(cells []string) {
	t.w.WriteString("<tr>")
	for i, v := range cells {
		cls := ""
		if i < len(t.cols) {
			cls = t.class(t.cols[i])
		}
		t.w.WriteString("<td" + cls + ">" + html.EscapeString(v) + "</td>")
	}
	t.w.WriteString("</tr>\n")
}

func (t *htmlTable) Row(cells []string, _ any) error {
	t.cells(cells)
	return nil
}

func (t *htmlTable) Foot(cells []string) error {
	t.w.WriteString("</tbody>\n<tfoot>")
	t.cells(cells)
	t.w.WriteString("</tfoot>")
	t.footed = true
	return nil
}

func (t *htmlTable) End(total int) error {
	if !t.footed {
		t.w.WriteString("</tbody>")
	}
	t.w.WriteString("</table>\n<p>" + strconv.Itoa(total) + " rows.</p></body></html>\n")
	return t.w.Flush()
}

// jsonTable writes the Backroom envelope {"success":true,"data":[…],"total":n} row by row.
type jsonTable struct {
	w *bufio.Writer
	n int
}

func (t *jsonTable) Begin(string, []Column) error {
	_, err := t.w.WriteString(`{"success":true,"data":[`)
	return err
}

func (t *jsonTable) Row(_ []string, obj any) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	if t.n > 0 {
		t.w.WriteByte(',')
	}
	t.n++
	t.w.Write(b)
	return t.w.WriteByte('\n')
}

func (t *jsonTable) Foot([]string) error { return nil }

func (t *jsonTable) End(total int) error {
	t.w.WriteString(`],"total":` + strconv.Itoa(total) + `,"page":1,"pageSize":` + strconv.Itoa(total) + "}\n")
	return t.w.Flush()
}

// CSVRow is cells made safe for a spreadsheet: a text cell starting with =, +, -, @, a tab or a
// carriage return would run as a formula when the file is opened (a product named
// =HYPERLINK(...) becomes a link that leaks the sheet), so it gets a leading apostrophe, which
// spreadsheets show as text. Figures ("-12.50", "-$3.00") are left as they are.
func CSVRow(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = csvCell(c)
	}
	return out
}

func csvCell(c string) string {
	if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return c
	}
	if _, _, _, isFigure := number(c); isFigure {
		return c
	}
	return "'" + c
}
