package webservices

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"backroom/app/money"
	"backroom/app/tabular"
	"backroom/models"
)

// ReportFormats are the formats of GET /ws/v1/reports/sales, with their content types.
var ReportFormats = map[string]string{
	"html": "text/html; charset=utf-8",
	"pdf":  "application/pdf",
	"csv":  "text/csv; charset=utf-8",
	"xml":  "application/xml; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// ReportFormatNames lists the formats in the order the docs show them.
var ReportFormatNames = []string{"html", "pdf", "csv", "xml", "xlsx"}

// Filename is the download name: sales-S001-2024-03-15.csv, sales-all-stores-2024-03-15.pdf.
func (r *Report) Filename(format string) string {
	who := "all-stores"
	if !r.AllStores {
		who = safeName(r.StoreCode)
	}
	return "sales-" + who + "-" + r.Date + "." + format
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// Title heads the html and pdf exports.
func (r *Report) Title() string {
	who := "all stores"
	if !r.AllStores {
		who = r.StoreCode + " " + r.StoreName
	}
	return "Sales " + r.Date + " — " + who
}

func (r *Report) columns() []tabular.Column {
	var cols []tabular.Column
	if r.AllStores {
		cols = append(cols, tabular.Column{Title: "Store"})
	}
	return append(cols, tabular.Column{Title: "Receipt"}, tabular.Column{Title: "Time"}, tabular.Column{Title: "Status"},
		tabular.Column{Title: "Items", Numeric: true}, tabular.Column{Title: "Subtotal", Numeric: true}, tabular.Column{Title: "Discount", Numeric: true},
		tabular.Column{Title: "Tax", Numeric: true}, tabular.Column{Title: "Total", Numeric: true}, tabular.Column{Title: "Tenders"})
}

func tenderText(ts []TenderAmount) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.Method + " " + money.Decimal(t.Amount)
	}
	return strings.Join(parts, "; ")
}

func (r *Report) cells(row ReportRow) []string {
	var out []string
	if r.AllStores {
		out = append(out, row.StoreCode)
	}
	return append(out, row.ReceiptNumber, row.Time, row.Status, money.FormatQty(row.Items), money.Decimal(row.Subtotal),
		money.Decimal(row.Discount), money.Decimal(row.Tax), money.Decimal(row.Total), tenderText(row.Tenders))
}

// totalCells is the totals row: "TOTAL" in the receipt column, the count of sales counted.
func (r *Report) totalCells() []string {
	t := r.Totals
	var out []string
	if r.AllStores {
		out = append(out, "")
	}
	return append(out, "TOTAL", "", fmt.Sprintf("%d sales", t.Sales), money.FormatQty(t.Items), money.Decimal(t.Subtotal),
		money.Decimal(t.Discount), money.Decimal(t.Tax), money.Decimal(t.Total), tenderText(t.Tenders))
}

// WriteReport writes the report in format (one of ReportFormats).
func WriteReport(w io.Writer, format string, r *Report) error {
	switch format {
	case "csv", "html":
		t := tabular.NewWriter(format, w)
		if err := t.Begin(r.Title(), r.columns()); err != nil {
			return err
		}
		for _, row := range r.Rows {
			if err := t.Row(r.cells(row), nil); err != nil {
				return err
			}
		}
		if err := t.Foot(r.totalCells()); err != nil {
			return err
		}
		return t.End(len(r.Rows))
	case "xml":
		return writeReportXML(w, r)
	case "xlsx":
		return writeReportXLSX(w, r)
	case "pdf":
		return writeReportPDF(w, r)
	}
	return models.FieldError("format", "must be one of: "+strings.Join(ReportFormatNames, ", "))
}

// XMLReport is the root element of the XML export:
//
//	<salesReport date="2024-03-15" store="S001" storeName="Downtown">
//	  <sale receiptNumber="WS-20240315-0001" store="S001" time="14:05:09" status="completed">
//	    <items>1.5</items><subtotal>12.00</subtotal><discount>0.00</discount>
//	    <tax>0.99</tax><total>12.99</total>
//	    <tenders><tender method="CASH">12.99</tender></tenders>
//	  </sale>
//	  <totals sales="1">…the same amounts, and the day's tenders…</totals>
//	</salesReport>
//
// Money is a decimal with two places; items are units (up to three decimals). Voided sales are
// listed with status="voided" and left out of the totals.
type XMLReport struct {
	XMLName   xml.Name  `xml:"salesReport"`
	Date      string    `xml:"date,attr"`
	Store     string    `xml:"store,attr,omitempty"`
	StoreName string    `xml:"storeName,attr,omitempty"`
	Sales     []XMLSale `xml:"sale"`
	Totals    XMLTotals `xml:"totals"`
}

// XMLAmounts are the figures of a sale or of the day.
type XMLAmounts struct {
	Items    string      `xml:"items"`
	Subtotal string      `xml:"subtotal"`
	Discount string      `xml:"discount"`
	Tax      string      `xml:"tax"`
	Total    string      `xml:"total"`
	Tenders  []XMLTender `xml:"tenders>tender"`
}

// XMLSale is one sale.
type XMLSale struct {
	ReceiptNumber string `xml:"receiptNumber,attr"`
	Store         string `xml:"store,attr"`
	Time          string `xml:"time,attr"`
	Status        string `xml:"status,attr"`
	XMLAmounts
}

// XMLTotals is the day's totals; Sales counts the sales in them.
type XMLTotals struct {
	Sales int `xml:"sales,attr"`
	XMLAmounts
}

// XMLTender is one tender's amount.
type XMLTender struct {
	Method string `xml:"method,attr"`
	Amount string `xml:",chardata"`
}

func xmlAmounts(items, sub, disc, tax, total int64, ts []TenderAmount) XMLAmounts {
	a := XMLAmounts{Items: money.FormatQty(items), Subtotal: money.Decimal(sub), Discount: money.Decimal(disc),
		Tax: money.Decimal(tax), Total: money.Decimal(total)}
	for _, t := range ts {
		a.Tenders = append(a.Tenders, XMLTender{Method: t.Method, Amount: money.Decimal(t.Amount)})
	}
	return a
}

func writeReportXML(w io.Writer, r *Report) error {
	doc := XMLReport{Date: r.Date, Store: r.StoreCode, StoreName: r.StoreName, Sales: []XMLSale{}}
	for _, row := range r.Rows {
		doc.Sales = append(doc.Sales, XMLSale{ReceiptNumber: row.ReceiptNumber, Store: row.StoreCode, Time: row.Time, Status: row.Status,
			XMLAmounts: xmlAmounts(row.Items, row.Subtotal, row.Discount, row.Tax, row.Total, row.Tenders)})
	}
	t := r.Totals
	doc.Totals = XMLTotals{Sales: t.Sales, XMLAmounts: xmlAmounts(t.Items, t.Subtotal, t.Discount, t.Tax, t.Total, t.Tenders)}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Close()
}

// decimalNumber turns cents or thousandths into the float a spreadsheet cell holds; it goes
// through the exact decimal text, and the cell is written back with the same places.
func decimalNumber(text string) float64 {
	f, _ := strconv.ParseFloat(text, 64)
	return f
}

func writeReportXLSX(w io.Writer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sales"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	moneyStyle, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	boldMoney, err := f.NewStyle(&excelize.Style{NumFmt: 4, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	cols := r.columns()
	first := 0
	if r.AllStores {
		first = 1
	}
	// Column kinds by position after the optional store column.
	const (
		cItems = 3
		cSub   = 4
		cTend  = 8
	)
	write := func(rowNum int, cells []string, total bool) error {
		for i, v := range cells {
			ref, err := excelize.CoordinatesToCellName(i+1, rowNum)
			if err != nil {
				return err
			}
			k := i - first
			switch {
			case k == cItems:
				err = f.SetCellFloat(sheet, ref, decimalNumber(v), -1, 64)
			case k >= cSub && k < cTend:
				err = f.SetCellFloat(sheet, ref, decimalNumber(v), 2, 64)
				if err == nil {
					style := moneyStyle
					if total {
						style = boldMoney
					}
					err = f.SetCellStyle(sheet, ref, ref, style)
				}
			default:
				err = f.SetCellStr(sheet, ref, v)
				if err == nil && total {
					err = f.SetCellStyle(sheet, ref, ref, bold)
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	for i, c := range cols {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, ref, c.Title); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, ref, ref, bold); err != nil {
			return err
		}
	}
	for i, row := range r.Rows {
		if err := write(i+2, r.cells(row), false); err != nil {
			return err
		}
	}
	if err := write(len(r.Rows)+2, r.totalCells(), true); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	_ = f.SetColWidth(sheet, "A", last, 14)
	f.SetDocProps(&excelize.DocProperties{Title: r.Title(), Creator: "Backroom"})
	return f.Write(w)
}

// writeReportPDF lays the report out on A4 landscape pages; the column header repeats on every
// page (fpdf calls the header function on each page break) and the footer numbers the pages.
func writeReportPDF(w io.Writer, r *Report) error {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetMargins(10, 12, 10)
	pdf.SetAutoPageBreak(true, 14)
	pdf.AliasNbPages("{nb}")
	pdf.SetTitle(r.Title(), true)
	pdf.SetCreator("Backroom", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252, for names with accents
	cols := r.columns()
	widths := map[string]float64{"Store": 18, "Receipt": 46, "Time": 20, "Status": 24, "Items": 18, "Subtotal": 24,
		"Discount": 22, "Tax": 20, "Total": 24, "Tenders": 0}
	used := 0.0
	for _, c := range cols {
		used += widths[c.Title]
	}
	widths["Tenders"] = 277 - used
	align := func(c tabular.Column) string {
		if c.Numeric {
			return "R"
		}
		return "L"
	}
	pdf.SetHeaderFunc(func() {
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(0, 7, tr(r.Title()), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(230, 234, 240)
		for _, c := range cols {
			pdf.CellFormat(widths[c.Title], 6, c.Title, "B", 0, align(c), true, 0, "")
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
			c := cols[i]
			text := tr(v)
			wd := widths[c.Title]
			for len(text) > 1 && pdf.GetStringWidth(text) > wd-2 {
				text = text[:len(text)-1]
			}
			pdf.CellFormat(wd, 5, text, "", 0, align(c), false, 0, "")
		}
		pdf.Ln(-1)
	}
	for _, row := range r.Rows {
		line(r.cells(row), "")
	}
	if len(r.Rows) == 0 {
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 6, "No sales on this day.", "", 1, "L", false, 0, "")
	}
	pdf.SetDrawColor(120, 120, 120)
	pdf.Line(10, pdf.GetY(), 287, pdf.GetY())
	line(r.totalCells(), "B")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("sales report pdf: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
