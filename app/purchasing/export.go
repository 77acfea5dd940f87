package purchasing

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/go-pdf/fpdf"

	"backroom/app/server"
	"backroom/app/tabular"
)

// CSV writes the order as a supplier-ready sheet: one row per line.
func CSV(d Detail) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rows := [][]string{{"po_number", "supplier", "store", "sku", "supplier_sku", "product", "quantity", "unit_cost", "line_total"}}
	for _, it := range d.Items {
		sku, name := "", ""
		if it.Product != nil {
			sku, name = it.Product.SKU, it.Product.Name
		}
		rows = append(rows, []string{d.Number, supplierName(d), storeName(d), sku, "", name,
			qty(it.Quantity), cents(it.UnitCost), cents(it.LineTotal)})
	}
	rows = append(rows, []string{d.Number, supplierName(d), storeName(d), "", "", "TOTAL", qty(d.Ordered), "", cents(d.Total)})
	for i := range rows {
		rows[i] = tabular.CSVRow(rows[i])
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PDF renders the order as a one-document purchase order to send to the supplier.
func PDF(d Detail) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Purchase order "+d.Number, true)
	pdf.AddPage()
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetFont("Helvetica", "B", 16)
	pdf.Cell(0, 10, tr("Purchase order "+d.Number))
	pdf.Ln(12)
	pdf.SetFont("Helvetica", "", 10)
	line := func(label, value string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.Cell(35, 6, tr(label))
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, tr(value), "", "L", false)
	}
	line("Supplier", supplierName(d))
	if d.Supplier != nil && d.Supplier.Address != "" {
		line("Address", d.Supplier.Address)
	}
	line("Deliver to", storeName(d))
	if d.Store != nil && d.Store.Address != "" {
		line("", d.Store.Address)
	}
	if d.ExpectedDate != nil {
		line("Expected", d.ExpectedDate.String())
	}
	line("Date", d.CreatedAt.Format("2006-01-02"))
	if d.Notes != "" {
		line("Notes", d.Notes)
	}
	pdf.Ln(4)
	widths := []float64{30, 80, 22, 28, 30}
	heads := []string{"SKU", "Product", "Qty", "Unit cost", "Line total"}
	pdf.SetFont("Helvetica", "B", 10)
	for i, h := range heads {
		align := "L"
		if i >= 2 {
			align = "R"
		}
		pdf.CellFormat(widths[i], 7, h, "B", 0, align, false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 10)
	for _, it := range d.Items {
		sku, name := "", ""
		if it.Product != nil {
			sku, name = it.Product.SKU, it.Product.Name
		}
		if len(name) > 45 {
			name = name[:44] + "…"
		}
		cells := []string{sku, name, qty(it.Quantity), "$" + cents(it.UnitCost), "$" + cents(it.LineTotal)}
		for i, v := range cells {
			align := "L"
			if i >= 2 {
				align = "R"
			}
			pdf.CellFormat(widths[i], 6, tr(v), "", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(widths[0]+widths[1]+widths[2]+widths[3], 8, "Total", "T", 0, "R", false, 0, "")
	pdf.CellFormat(widths[4], 8, "$"+cents(d.Total), "T", 0, "R", false, 0, "")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render purchase order PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func supplierName(d Detail) string {
	if d.Supplier != nil {
		return d.Supplier.Name
	}
	return ""
}

func storeName(d Detail) string {
	if d.Store != nil {
		return d.Store.Code + " " + d.Store.Name
	}
	return ""
}

// cents writes 123456 as "1234.56" (plain, for files).
func cents(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + fmt.Sprintf("%02d", v%100)
}

func (s *Service) download(c *gin.Context, ext, mime string, render func(Detail) ([]byte, error)) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Get(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	b, err := render(d)
	if err != nil {
		server.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, d.Number, ext))
	c.Data(http.StatusOK, mime, b)
}

func (s *Service) downloadPDF(c *gin.Context) { s.download(c, "pdf", "application/pdf", PDF) }
func (s *Service) downloadCSV(c *gin.Context) { s.download(c, "csv", "text/csv; charset=utf-8", CSV) }
