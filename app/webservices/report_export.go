package webservices

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

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
		cols = append(cols, tabular.Column{Title: "Store", Width: 18})
	}
	// Widths are the PDF's, in mm; the tenders take what is left of the page.
	return append(cols, tabular.Column{Title: "Receipt", Width: 46}, tabular.Column{Title: "Time", Width: 20},
		tabular.Column{Title: "Status", Width: 24}, tabular.Column{Title: "Items", Numeric: true, Width: 18},
		tabular.Column{Title: "Subtotal", Numeric: true, Width: 24}, tabular.Column{Title: "Discount", Numeric: true, Width: 22},
		tabular.Column{Title: "Tax", Numeric: true, Width: 20}, tabular.Column{Title: "Total", Numeric: true, Width: 24},
		tabular.Column{Title: "Tenders"})
}

// table is the report as a whole table: one row per sale and the totals row.
func (r *Report) table() tabular.Table {
	t := tabular.Table{Title: r.Title(), Columns: r.columns(), Foot: r.totalCells(), Sheet: "Sales", Empty: "No sales on this day."}
	for _, row := range r.Rows {
		t.Rows = append(t.Rows, r.cells(row))
	}
	return t
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
	case "csv", "html", "xlsx", "pdf":
		return tabular.Write(w, format, r.table())
	case "xml":
		return writeReportXML(w, r)
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
