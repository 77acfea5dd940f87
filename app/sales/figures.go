package sales

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// Figures sum the sales of one register session, as X and Z reports show them. Voided sales
// count only as voids; refunds are given as positive amounts (money that went out).
type Figures struct {
	Tenders       []TenderFigures `json:"tenders"`
	CashSales     int64           `json:"cashSales"`   // cash taken on sales, net of change given
	CashRefunds   int64           `json:"cashRefunds"` // cash given back on refunds
	CardSales     int64           `json:"cardSales"`
	CardRefunds   int64           `json:"cardRefunds"`
	SalesCount    int64           `json:"salesCount"`
	RefundCount   int64           `json:"refundCount"`
	VoidCount     int64           `json:"voidCount"`
	VoidTotal     int64           `json:"voidTotal"`     // grand totals of the voided transactions
	GrossSales    int64           `json:"grossSales"`    // grand totals of the completed sales
	RefundTotal   int64           `json:"refundTotal"`   // grand totals of the completed refunds
	NetSales      int64           `json:"netSales"`      // gross sales − refunds
	DiscountTotal int64           `json:"discountTotal"` // net of refunded discounts
	TaxTotal      int64           `json:"taxTotal"`      // net of refunded tax
	NetExTax      int64           `json:"netExTax"`      // net sales − tax
	Taxes         []RateFigures   `json:"taxes"`
}

// TenderFigures are the takings of one tender. For cash, change given is taken off the sales.
type TenderFigures struct {
	Method  string `json:"method"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Sales   int64  `json:"sales"`
	Refunds int64  `json:"refunds"`
	Net     int64  `json:"net"`
}

// RateFigures are the tax collected at one rate (net of refunds).
type RateFigures struct {
	Name    string `json:"name"`
	Rate    int64  `json:"rate"`
	Taxable int64  `json:"taxable"`
	Amount  int64  `json:"amount"`
}

// SessionFigures computes the figures of a register session inside tx (the registers area
// calls it while closing, with the session row locked).
func SessionFigures(ctx context.Context, tx *gorm.DB, sessionID uuid.UUID) (Figures, error) {
	db := tx.WithContext(ctx)
	f := Figures{Tenders: []TenderFigures{}, Taxes: []RateFigures{}}
	var c struct {
		SalesCount, RefundCount, VoidCount                          int64
		VoidTotal, GrossSales, RefundTotal, DiscountTotal, TaxTotal int64
	}
	err := db.Raw(`
		SELECT
		  count(*) FILTER (WHERE status = 'completed' AND NOT is_refund)                 AS sales_count,
		  count(*) FILTER (WHERE status = 'completed' AND is_refund)                     AS refund_count,
		  count(*) FILTER (WHERE status = 'voided')                                      AS void_count,
		  coalesce(sum(grand_total) FILTER (WHERE status = 'voided'), 0)                 AS void_total,
		  coalesce(sum(grand_total) FILTER (WHERE status = 'completed' AND NOT is_refund), 0) AS gross_sales,
		  coalesce(-sum(grand_total) FILTER (WHERE status = 'completed' AND is_refund), 0)    AS refund_total,
		  coalesce(sum(discount_total) FILTER (WHERE status = 'completed'), 0)           AS discount_total,
		  coalesce(sum(tax_total) FILTER (WHERE status = 'completed'), 0)                AS tax_total
		FROM sales WHERE register_session_id = ?`, sessionID).Scan(&c).Error
	if err != nil {
		return f, err
	}
	f.SalesCount, f.RefundCount, f.VoidCount, f.VoidTotal = c.SalesCount, c.RefundCount, c.VoidCount, c.VoidTotal
	f.GrossSales, f.RefundTotal, f.DiscountTotal, f.TaxTotal = c.GrossSales, c.RefundTotal, c.DiscountTotal, c.TaxTotal
	f.NetSales = f.GrossSales - f.RefundTotal
	f.NetExTax = f.NetSales - f.TaxTotal

	// Change comes out of the sale's first cash payment.
	var tenders []struct {
		Method   string
		Name     string
		Type     string
		IsRefund bool
		Amount   int64
	}
	err = db.Raw(`
		SELECT p.method, t.name, p.tender_type AS type, s.is_refund,
		  sum(p.amount - CASE WHEN p.tender_type = 'CASH' AND p.line_no = (
		        SELECT min(p2.line_no) FROM sale_payments p2 WHERE p2.sale_id = s.id AND p2.tender_type = 'CASH')
		      THEN s.change_due ELSE 0 END) AS amount
		FROM sale_payments p
		JOIN sales s ON s.id = p.sale_id
		JOIN tenders t ON t.id = p.tender_id
		WHERE s.register_session_id = ? AND s.status = 'completed'
		GROUP BY p.method, t.name, p.tender_type, s.is_refund
		ORDER BY min(t.sort_order), p.method`, sessionID).Scan(&tenders).Error
	if err != nil {
		return f, err
	}
	index := map[string]int{}
	for _, t := range tenders {
		i, ok := index[t.Method]
		if !ok {
			i = len(f.Tenders)
			index[t.Method] = i
			f.Tenders = append(f.Tenders, TenderFigures{Method: t.Method, Name: t.Name, Type: t.Type})
		}
		tf := &f.Tenders[i]
		if t.IsRefund {
			tf.Refunds -= t.Amount
		} else {
			tf.Sales += t.Amount
		}
		tf.Net = tf.Sales - tf.Refunds
	}
	for _, t := range f.Tenders {
		switch t.Type {
		case "CASH":
			f.CashSales += t.Sales
			f.CashRefunds += t.Refunds
		case "CARD":
			f.CardSales += t.Sales
			f.CardRefunds += t.Refunds
		}
	}
	err = db.Raw(`
		SELECT x.tax_rate_name AS name, x.rate, sum(x.taxable) AS taxable, sum(x.tax_amount) AS amount
		FROM sale_item_taxes x
		JOIN sale_items i ON i.id = x.sale_item_id
		JOIN sales s ON s.id = i.sale_id
		WHERE s.register_session_id = ? AND s.status = ?
		GROUP BY x.tax_rate_name, x.rate
		ORDER BY x.rate, x.tax_rate_name`, sessionID, models.SaleCompleted).Scan(&f.Taxes).Error
	return f, err
}
