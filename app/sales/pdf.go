package sales

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"

	"backroom/app/money"
)

// ReceiptPDF lays a receipt out on an 80 mm roll-width page, the shape receipt printers take.
func ReceiptPDF(r *Receipt) ([]byte, error) {
	const width, margin = 80.0, 4.0
	lineCount := 22 + 3*len(r.Lines) + len(r.Taxes) + len(r.Payments)
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: width, Ht: float64(lineCount)*4.5 + 2*margin}})
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin)
	pdf.SetTitle("Receipt "+r.ReceiptNumber, true)
	pdf.AddPage()
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252, for names with accents
	inner := width - 2*margin
	line := func(style string, size float64, align, text string) {
		pdf.SetFont("Courier", style, size)
		pdf.CellFormat(inner, 4.5, tr(text), "", 1, align, false, 0, "")
	}
	pair := func(style, left, right string) {
		pdf.SetFont("Courier", style, 8)
		pdf.CellFormat(inner*0.6, 4.5, tr(left), "", 0, "L", false, 0, "")
		pdf.CellFormat(inner*0.4, 4.5, tr(right), "", 1, "R", false, 0, "")
	}
	rule := func() {
		y := pdf.GetY() + 1
		pdf.SetDashPattern([]float64{1, 1}, 0)
		pdf.Line(margin, y, width-margin, y)
		pdf.SetY(y + 1)
	}
	line("B", 11, "C", r.Store.Name)
	if r.Store.Address != "" {
		line("", 8, "C", r.Store.Address)
	}
	if r.Store.Phone != "" {
		line("", 8, "C", r.Store.Phone)
	}
	rule()
	kind := "Sale"
	if r.IsRefund {
		kind = "Refund"
	}
	line("", 8, "L", kind+" "+r.ReceiptNumber)
	line("", 8, "L", r.Date)
	line("", 8, "L", "Terminal "+r.TerminalID+" · "+r.Cashier)
	if r.OriginalReceiptNumber != "" {
		line("", 8, "L", "Refund of "+r.OriginalReceiptNumber)
	}
	if r.Customer != nil {
		c := "Customer: " + r.Customer.Name
		if r.Customer.Code != "" {
			c += " (" + r.Customer.Code + ")"
		}
		line("", 8, "L", c)
		if r.Customer.TaxID != "" {
			line("", 8, "L", "Tax ID: "+r.Customer.TaxID)
		}
	}
	if r.Status == "voided" {
		line("B", 8, "L", "*** VOIDED: "+r.VoidReason+" ***")
	}
	rule()
	for _, l := range r.Lines {
		line("", 8, "L", l.Name)
		pair("", fmt.Sprintf("  %s x %s", money.FormatQty(l.Quantity), money.Format(l.UnitPrice)), money.Format(l.Total-l.Tax))
		if l.Discount != 0 {
			pair("", "  Discount", money.Format(-l.Discount))
		}
	}
	rule()
	pair("", "Subtotal", money.Format(r.Subtotal))
	if r.DiscountTotal != 0 {
		pair("", "Discounts", money.Format(-r.DiscountTotal))
	}
	for _, t := range r.Taxes {
		pair("", t.Name+" "+money.FormatBP(t.Rate), money.Format(t.Amount))
	}
	pair("B", "TOTAL", money.Format(r.GrandTotal))
	for _, p := range r.Payments {
		pair("", p.Method, money.Format(p.Amount))
	}
	pair("", "Change", money.Format(r.Change))
	rule()
	line("", 8, "C", "Thank you")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("receipt pdf: %w", err)
	}
	return buf.Bytes(), nil
}
