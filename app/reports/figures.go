package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/linemath"
	"backroom/app/money"
	"backroom/app/tabular"
	"backroom/models"
)

// Line figures in SQL, all integer cents. A line's net sale is its taxable amount (line total
// less its taxes, i.e. gross less discount). Sale lines store no cost, so cost of goods is the
// quantity at the product's current cost price, rounded half away from zero per line.
const (
	lineNet   = "(i.line_total - i.tax_amount)"
	lineCost  = "((i.quantity * p.cost_price + CASE WHEN i.quantity * p.cost_price < 0 THEN -500 ELSE 500 END) / 1000)"
	localDay  = "(s.sold_at AT TIME ZONE st.time_zone)::date"
	completed = "s.status = 'completed'"
	costNote  = "Cost of goods is each line's quantity at the product's current cost price (sale lines do not store a cost)."
)

// salesIn selects the sales (any status) of the scope whose day in their store's time zone is in
// the range. Zones are within ±14 h of UTC, so the coarse sold_at bounds let the index narrow
// the scan before the exact local-day test.
func (s *Service) salesIn(ctx context.Context, sc scope, p Params) *gorm.DB {
	q := s.db.WithContext(ctx).Table("sales s").Joins("JOIN stores st ON st.id = s.store_id").
		Where("s.sold_at >= ? AND s.sold_at < ?", p.From.Add(-15*time.Hour), p.To.Add(39*time.Hour)).
		Where(localDay+" BETWEEN ? AND ?", p.From.String(), p.To.String())
	return sc.where(q, "s.store_id")
}

// linesIn selects the lines of completed sales and refunds in the range, with their products.
func (s *Service) linesIn(ctx context.Context, sc scope, p Params) *gorm.DB {
	return s.salesIn(ctx, sc, p).Where(completed).
		Joins("JOIN sale_items i ON i.sale_id = s.id").Joins("JOIN products p ON p.id = i.product_id")
}

// marginBP is margin over net sales in basis points, rounded half away from zero (0 when there
// were no net sales).
func marginBP(net, cost int64) int64 { return ratio(net-cost, net, 10000) }

// ratio is a×scale÷b rounded half away from zero as linemath rounds, 0 when b is 0.
func ratio(a, b, scale int64) int64 {
	if b == 0 {
		return 0
	}
	return linemath.RoundDiv(a*scale, b)
}

func num(col string) tabular.Column  { return tabular.Column{Title: col, Numeric: true} }
func text(col string) tabular.Column { return tabular.Column{Title: col} }
func count(n int64) string           { return fmt.Sprint(n) }

// SummaryRow is one store's (or the total's) sales summary. Money is cents, margin basis points.
type SummaryRow struct {
	StoreID   *uuid.UUID `json:"storeId,omitempty"`
	StoreCode string     `json:"storeCode,omitempty"`
	StoreName string     `json:"storeName,omitempty"`
	Sales     int64      `json:"sales"`
	Refunds   int64      `json:"refunds"`
	Voided    int64      `json:"voided"`
	Gross     int64      `json:"grossSales"`
	Discounts int64      `json:"discounts"`
	Refunded  int64      `json:"refunded"`
	Net       int64      `json:"netSales"`
	Tax       int64      `json:"tax"`
	Total     int64      `json:"total"`
	Cost      int64      `json:"costOfGoods"`
	Margin    int64      `json:"margin"`
	MarginBP  int64      `json:"marginBp"`
}

func (s *Service) salesSummary(ctx context.Context, sc scope, p Params) (*Result, error) {
	var rows []SummaryRow
	err := s.salesIn(ctx, sc, p).Select(`st.id AS store_id, st.code AS store_code, st.name AS store_name,
		count(*) FILTER (WHERE s.status = 'completed' AND NOT s.is_refund) AS sales,
		count(*) FILTER (WHERE s.status = 'completed' AND s.is_refund) AS refunds,
		count(*) FILTER (WHERE s.status = 'voided') AS voided,
		coalesce(sum(s.subtotal) FILTER (WHERE s.status = 'completed' AND NOT s.is_refund), 0) AS gross,
		coalesce(sum(s.discount_total) FILTER (WHERE s.status = 'completed' AND NOT s.is_refund), 0) AS discounts,
		coalesce(sum(s.subtotal - s.discount_total) FILTER (WHERE s.status = 'completed' AND s.is_refund), 0) AS refunded,
		coalesce(sum(s.subtotal - s.discount_total) FILTER (WHERE s.status = 'completed'), 0) AS net,
		coalesce(sum(s.tax_total) FILTER (WHERE s.status = 'completed'), 0) AS tax,
		coalesce(sum(s.grand_total) FILTER (WHERE s.status = 'completed'), 0) AS total`).
		Group("st.id, st.code, st.name").Order("st.code").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("sales summary: %w", err)
	}
	var costs []struct {
		StoreID uuid.UUID
		Cost    int64
	}
	if err := s.linesIn(ctx, sc, p).Select("s.store_id, coalesce(sum(" + lineCost + "), 0) AS cost").
		Group("s.store_id").Scan(&costs).Error; err != nil {
		return nil, fmt.Errorf("sales summary cost: %w", err)
	}
	byStore := map[uuid.UUID]int64{}
	for _, c := range costs {
		byStore[c.StoreID] = c.Cost
	}
	var tot SummaryRow
	res := &Result{Note: costNote + " Voided sales are counted but not added in."}
	res.Table.Columns = []tabular.Column{text("Store"), num("Sales"), num("Refunds"), num("Voided"), num("Gross sales"),
		num("Discounts"), num("Refunded"), num("Net sales"), num("Tax"), num("Total"), num("Cost of goods"), num("Margin"), num("Margin %")}
	cells := func(label string, r SummaryRow) []string {
		return []string{label, count(r.Sales), count(r.Refunds), count(r.Voided), money.Format(r.Gross), money.Format(r.Discounts),
			money.Format(r.Refunded), money.Format(r.Net), money.Format(r.Tax), money.Format(r.Total), money.Format(r.Cost),
			money.Format(r.Margin), money.FormatBP(r.MarginBP)}
	}
	for i := range rows {
		r := &rows[i]
		r.Cost = byStore[*r.StoreID]
		r.Margin, r.MarginBP = r.Net-r.Cost, marginBP(r.Net, r.Cost)
		tot.Sales, tot.Refunds, tot.Voided = tot.Sales+r.Sales, tot.Refunds+r.Refunds, tot.Voided+r.Voided
		tot.Gross, tot.Discounts, tot.Refunded, tot.Net = tot.Gross+r.Gross, tot.Discounts+r.Discounts, tot.Refunded+r.Refunded, tot.Net+r.Net
		tot.Tax, tot.Total, tot.Cost = tot.Tax+r.Tax, tot.Total+r.Total, tot.Cost+r.Cost
		res.Table.Rows = append(res.Table.Rows, cells(r.StoreCode+" · "+r.StoreName, *r))
		res.Chart = append(res.Chart, Bar{Label: r.StoreCode, Title: r.StoreName, Value: r.Net, Text: money.Format(r.Net)})
	}
	tot.Margin, tot.MarginBP = tot.Net-tot.Cost, marginBP(tot.Net, tot.Cost)
	if len(rows) > 0 {
		res.Table.Foot = cells("Total", tot)
	}
	if rows == nil {
		rows = []SummaryRow{}
	}
	res.Data = map[string]any{"dateFrom": p.From, "dateTo": p.To, "stores": rows, "totals": tot}
	return res, nil
}

// PeriodRow is one bucket of sales by period; Period is the bucket's first day.
type PeriodRow struct {
	Period  models.LocalDate `json:"period"`
	Sales   int64            `json:"sales"`
	Refunds int64            `json:"refunds"`
	Net     int64            `json:"netSales"`
	Tax     int64            `json:"tax"`
	Total   int64            `json:"total"`
}

// bucketStart is the first day of d's bucket: the day, its ISO week's Monday or the month's first.
func bucketStart(d time.Time, period string) time.Time {
	switch period {
	case "week":
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case "month":
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

func nextBucket(d time.Time, period string) time.Time {
	switch period {
	case "week":
		return d.AddDate(0, 0, 7)
	case "month":
		return d.AddDate(0, 1, 0)
	}
	return d.AddDate(0, 0, 1)
}

func (s *Service) salesByPeriod(ctx context.Context, sc scope, p Params) (*Result, error) {
	var got []PeriodRow
	err := s.salesIn(ctx, sc, p).Where(completed).Select(`date_trunc('` + p.Period + `', ` + localDay + `)::date AS period,
		count(*) FILTER (WHERE NOT s.is_refund) AS sales, count(*) FILTER (WHERE s.is_refund) AS refunds,
		coalesce(sum(s.subtotal - s.discount_total), 0) AS net, coalesce(sum(s.tax_total), 0) AS tax,
		coalesce(sum(s.grand_total), 0) AS total`).Group("period").Order("period").Scan(&got).Error
	if err != nil {
		return nil, fmt.Errorf("sales by period: %w", err)
	}
	found := map[string]PeriodRow{}
	for _, r := range got {
		found[r.Period.String()] = r
	}
	// Every bucket of the range is listed, quiet ones as zero, so the chart shows the gaps.
	rows := []PeriodRow{}
	var tot PeriodRow
	res := &Result{}
	res.Table.Columns = []tabular.Column{text("Period"), num("Sales"), num("Refunds"), num("Net sales"), num("Tax"), num("Total")}
	cells := func(label string, r PeriodRow) []string {
		return []string{label, count(r.Sales), count(r.Refunds), money.Format(r.Net), money.Format(r.Tax), money.Format(r.Total)}
	}
	for d := bucketStart(p.From.Time, p.Period); !d.After(p.To.Time); d = nextBucket(d, p.Period) {
		day := models.LocalDate{Time: d}
		r, ok := found[day.String()]
		if !ok {
			r = PeriodRow{Period: day}
		}
		rows = append(rows, r)
		tot.Sales, tot.Refunds, tot.Net, tot.Tax, tot.Total = tot.Sales+r.Sales, tot.Refunds+r.Refunds, tot.Net+r.Net, tot.Tax+r.Tax, tot.Total+r.Total
		label := periodLabel(d, p.Period)
		res.Table.Rows = append(res.Table.Rows, cells(label, r))
		res.Chart = append(res.Chart, Bar{Label: periodShort(d, p.Period), Title: label, Value: r.Net, Text: money.Format(r.Net)})
	}
	if tot.Sales == 0 && tot.Refunds == 0 {
		res.Table.Rows, res.Chart = nil, nil
	} else {
		res.Table.Foot = cells("Total", tot)
	}
	res.Data = map[string]any{"dateFrom": p.From, "dateTo": p.To, "period": p.Period, "rows": rows, "totals": tot}
	return res, nil
}

func periodShort(d time.Time, period string) string {
	if period == "month" {
		return d.Format("Jan")
	}
	return d.Format("01-02")
}

func periodLabel(d time.Time, period string) string {
	switch period {
	case "week":
		return "Week of " + d.Format(models.DateLayout)
	case "month":
		return d.Format("January 2006")
	}
	return d.Format("Mon ") + d.Format(models.DateLayout)
}

// TaxRow is the tax charged at one rate.
type TaxRow struct {
	Name    string `json:"taxRateName"`
	Rate    int64  `json:"rate"`
	Lines   int64  `json:"lines"`
	Taxable int64  `json:"taxable"`
	Tax     int64  `json:"taxAmount"`
}

func (s *Service) taxReport(ctx context.Context, sc scope, p Params) (*Result, error) {
	var rows []TaxRow
	err := s.salesIn(ctx, sc, p).Where(completed).
		Joins("JOIN sale_items i ON i.sale_id = s.id").Joins("JOIN sale_item_taxes t ON t.sale_item_id = i.id").
		Select(`t.tax_rate_name AS name, t.rate, count(*) AS lines, sum(t.taxable) AS taxable, sum(t.tax_amount) AS tax`).
		Group("t.tax_rate_name, t.rate").Order("t.tax_rate_name, t.rate").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("tax report: %w", err)
	}
	res := &Result{Note: "Taxable is the amount each tax was charged on; a compound tax's includes the taxes before it."}
	res.Table.Columns = []tabular.Column{text("Tax"), num("Rate"), num("Lines"), num("Taxable"), num("Tax")}
	var tot TaxRow
	for _, r := range rows {
		tot.Lines, tot.Tax = tot.Lines+r.Lines, tot.Tax+r.Tax
		res.Table.Rows = append(res.Table.Rows, []string{r.Name, money.FormatBP(r.Rate), count(r.Lines), money.Format(r.Taxable), money.Format(r.Tax)})
	}
	if len(rows) > 0 {
		res.Table.Foot = []string{"Total", "", count(tot.Lines), "", money.Format(tot.Tax)}
	}
	if rows == nil {
		rows = []TaxRow{}
	}
	res.Data = map[string]any{"dateFrom": p.From, "dateTo": p.To, "rates": rows, "totalTax": tot.Tax}
	return res, nil
}

// GroupRow is the line figures of one department or product.
type GroupRow struct {
	ID        *uuid.UUID `json:"id"`
	Code      string     `json:"code,omitempty"`
	Name      string     `json:"name"`
	Quantity  int64      `json:"quantity"`
	Gross     int64      `json:"grossSales"`
	Discounts int64      `json:"discounts"`
	Net       int64      `json:"netSales"`
	Tax       int64      `json:"tax"`
	Cost      int64      `json:"costOfGoods"`
	Margin    int64      `json:"margin"`
	MarginBP  int64      `json:"marginBp"`
	ShareBP   int64      `json:"shareBp"`
	Lines     int64      `json:"lines"`
}

const lineSums = `coalesce(sum(i.quantity), 0) AS quantity, coalesce(sum(` + lineNet + ` + i.discount_amount), 0) AS gross,
	coalesce(sum(i.discount_amount), 0) AS discounts, coalesce(sum(` + lineNet + `), 0) AS net,
	coalesce(sum(i.tax_amount), 0) AS tax, coalesce(sum(` + lineCost + `), 0) AS cost, count(*) AS lines`

// byDepartment sums the lines per department ("No department" for products without one).
func (s *Service) byDepartment(ctx context.Context, sc scope, p Params) ([]GroupRow, GroupRow, error) {
	var rows []GroupRow
	err := s.linesIn(ctx, sc, p).Joins("LEFT JOIN departments d ON d.id = p.department_id").
		Select("d.id, coalesce(d.code, '') AS code, coalesce(d.name, 'No department') AS name, " + lineSums).
		Group("d.id, d.code, d.name").Order("net DESC, name").Scan(&rows).Error
	if err != nil {
		return nil, GroupRow{}, fmt.Errorf("sales by department: %w", err)
	}
	return finish(rows)
}

// finish works out margins and shares and the totals row.
func finish(rows []GroupRow) ([]GroupRow, GroupRow, error) {
	tot := GroupRow{Name: "Total"}
	for _, r := range rows {
		tot.Quantity, tot.Gross, tot.Discounts, tot.Net = tot.Quantity+r.Quantity, tot.Gross+r.Gross, tot.Discounts+r.Discounts, tot.Net+r.Net
		tot.Tax, tot.Cost, tot.Lines = tot.Tax+r.Tax, tot.Cost+r.Cost, tot.Lines+r.Lines
	}
	for i := range rows {
		r := &rows[i]
		r.Margin, r.MarginBP, r.ShareBP = r.Net-r.Cost, marginBP(r.Net, r.Cost), ratio(r.Net, tot.Net, 10000)
	}
	tot.Margin, tot.MarginBP = tot.Net-tot.Cost, marginBP(tot.Net, tot.Cost)
	if len(rows) > 0 {
		tot.ShareBP = 10000
	}
	if rows == nil {
		rows = []GroupRow{}
	}
	return rows, tot, nil
}

func (s *Service) departmentSales(ctx context.Context, sc scope, p Params) (*Result, error) {
	rows, tot, err := s.byDepartment(ctx, sc, p)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	res.Table.Columns = []tabular.Column{text("Department"), num("Quantity"), num("Gross sales"), num("Discounts"), num("Net sales"), num("Tax"), num("Share")}
	cells := func(r GroupRow) []string {
		return []string{r.Name, money.FormatQty(r.Quantity), money.Format(r.Gross), money.Format(r.Discounts), money.Format(r.Net), money.Format(r.Tax), money.FormatBP(r.ShareBP)}
	}
	for _, r := range rows {
		res.Table.Rows = append(res.Table.Rows, cells(r))
	}
	if len(rows) > 0 {
		res.Table.Foot = cells(tot)
	}
	res.Data = map[string]any{"dateFrom": p.From, "dateTo": p.To, "departments": rows, "totals": tot}
	return res, nil
}

func marginCells(r GroupRow) []string {
	return []string{money.Format(r.Net), money.Format(r.Cost), money.Format(r.Margin), money.FormatBP(r.MarginBP)}
}

func (s *Service) profitMargin(ctx context.Context, sc scope, p Params) (*Result, error) {
	rows, tot, err := s.byDepartment(ctx, sc, p)
	if err != nil {
		return nil, err
	}
	res := &Result{Note: costNote}
	res.Table.Columns = []tabular.Column{text("Department"), num("Net sales"), num("Cost of goods"), num("Margin"), num("Margin %")}
	for _, r := range rows {
		res.Table.Rows = append(res.Table.Rows, append([]string{r.Name}, marginCells(r)...))
	}
	if len(rows) > 0 {
		res.Table.Foot = append([]string{"Total"}, marginCells(tot)...)
	}
	res.Data = map[string]any{"dateFrom": p.From, "dateTo": p.To, "departments": rows, "totals": tot, "costBasis": "product cost price"}
	return res, nil
}

func (s *Service) productPerformance(ctx context.Context, sc scope, p Params) (*Result, error) {
	var rows []GroupRow
	err := s.linesIn(ctx, sc, p).Select("p.id, p.sku AS code, p.name, " + lineSums).
		Group("p.id, p.sku, p.name").Order("net DESC, p.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("product performance: %w", err)
	}
	rows, tot, _ := finish(rows)
	res := &Result{Note: costNote}
	res.Table.Columns = []tabular.Column{text("SKU"), text("Product"), num("Quantity"), num("Net sales"), num("Cost of goods"), num("Margin"), num("Margin %")}
	for _, r := range rows {
		res.Table.Rows = append(res.Table.Rows, append([]string{r.Code, r.Name, money.FormatQty(r.Quantity)}, marginCells(r)...))
	}
	if len(rows) > 0 {
		res.Table.Foot = append([]string{"Total", "", money.FormatQty(tot.Quantity)}, marginCells(tot)...)
	}
	res.Data = map[string]any{"dateFrom": p.From, "dateTo": p.To, "products": rows, "totals": tot}
	return res, nil
}

func (s *Service) discountAnalysis(ctx context.Context, sc scope, p Params) (*Result, error) {
	var rows []GroupRow
	err := s.linesIn(ctx, sc, p).Where("i.discount_amount <> 0").Select("p.id, p.sku AS code, p.name, " + lineSums).
		Group("p.id, p.sku, p.name").Order("discounts DESC, p.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("discount analysis: %w", err)
	}
	rows, tot, _ := finish(rows)
	res := &Result{Note: "Only discounted lines are counted; the rate is the discount over those lines' gross sales."}
	res.Table.Columns = []tabular.Column{text("SKU"), text("Product"), num("Discounted lines"), num("Gross sales"), num("Discounts"), num("Net sales"), num("Discount rate")}
	cells := func(code, name string, r GroupRow) []string {
		return []string{code, name, count(r.Lines), money.Format(r.Gross), money.Format(r.Discounts), money.Format(r.Net), money.FormatBP(ratio(r.Discounts, r.Gross, 10000))}
	}
	for _, r := range rows {
		res.Table.Rows = append(res.Table.Rows, cells(r.Code, r.Name, r))
	}
	if len(rows) > 0 {
		res.Table.Foot = cells("Total", "", tot)
	}
	res.Data = map[string]any{"dateFrom": p.From, "dateTo": p.To, "products": rows, "totals": tot}
	return res, nil
}

// PersonRow is the sales of one cashier or sales representative.
type PersonRow struct {
	ID      *uuid.UUID `json:"id"`
	Name    string     `json:"name"`
	Sales   int64      `json:"sales"`
	Refunds int64      `json:"refunds"`
	Voided  int64      `json:"voided"`
	Net     int64      `json:"netSales"`
	Total   int64      `json:"total"`
	Average int64      `json:"averageSale"`
}

const personSums = `count(*) FILTER (WHERE s.status = 'completed' AND NOT s.is_refund) AS sales,
	count(*) FILTER (WHERE s.status = 'completed' AND s.is_refund) AS refunds,
	count(*) FILTER (WHERE s.status = 'voided') AS voided,
	coalesce(sum(s.subtotal - s.discount_total) FILTER (WHERE s.status = 'completed'), 0) AS net,
	coalesce(sum(s.grand_total) FILTER (WHERE s.status = 'completed'), 0) AS total`

func (s *Service) people(ctx context.Context, sc scope, p Params, join, idCol, nameCol, nobody, what string) (*Result, error) {
	var rows []PersonRow
	err := s.salesIn(ctx, sc, p).Joins(join).
		Select(idCol + " AS id, coalesce(" + nameCol + ", '" + nobody + "') AS name, " + personSums).
		Group(idCol + ", " + nameCol).Order("net DESC, name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("sales by %s: %w", what, err)
	}
	res := &Result{Note: "Net sales count completed sales less refunds; the average is net sales over sales. Voided sales are counted but not added in."}
	res.Table.Columns = []tabular.Column{text(what), num("Sales"), num("Refunds"), num("Voided"), num("Net sales"), num("Total"), num("Average sale")}
	var tot PersonRow
	cells := func(r PersonRow) []string {
		return []string{r.Name, count(r.Sales), count(r.Refunds), count(r.Voided), money.Format(r.Net), money.Format(r.Total), money.Format(r.Average)}
	}
	for i := range rows {
		r := &rows[i]
		r.Average = ratio(r.Net, r.Sales, 1)
		tot.Sales, tot.Refunds, tot.Voided, tot.Net, tot.Total = tot.Sales+r.Sales, tot.Refunds+r.Refunds, tot.Voided+r.Voided, tot.Net+r.Net, tot.Total+r.Total
		res.Table.Rows = append(res.Table.Rows, cells(*r))
		res.Chart = append(res.Chart, Bar{Label: r.Name, Title: r.Name, Value: r.Net, Text: money.Format(r.Net)})
	}
	tot.Name, tot.Average = "Total", ratio(tot.Net, tot.Sales, 1)
	if len(rows) > 0 {
		res.Table.Foot = cells(tot)
	} else {
		rows = []PersonRow{}
	}
	res.Data = map[string]any{"dateFrom": p.From, "dateTo": p.To, "rows": rows, "totals": tot}
	return res, nil
}

func (s *Service) salesByRep(ctx context.Context, sc scope, p Params) (*Result, error) {
	return s.people(ctx, sc, p, "LEFT JOIN sales_reps r ON r.id = s.sales_rep_id", "r.id", "r.name", "No representative", "Representative")
}

func (s *Service) cashierPerformance(ctx context.Context, sc scope, p Params) (*Result, error) {
	return s.people(ctx, sc, p, "LEFT JOIN users u ON u.id = s.cashier_id", "u.id", "nullif(u.display_name, '')", "No cashier", "Cashier")
}

// StockRow is one store's stock on hand at cost.
type StockRow struct {
	StoreID   uuid.UUID `json:"storeId"`
	StoreCode string    `json:"storeCode"`
	StoreName string    `json:"storeName"`
	Products  int64     `json:"products"`
	Units     int64     `json:"units"`
	Value     int64     `json:"value"`
}

// levelValue is a level at its product's cost, rounded half away from zero per level.
const levelValue = "((l.quantity * p.cost_price + CASE WHEN l.quantity * p.cost_price < 0 THEN -500 ELSE 500 END) / 1000)"

func (s *Service) inventoryValue(ctx context.Context, sc scope, _ Params) (*Result, error) {
	var rows []StockRow
	q := s.db.WithContext(ctx).Table("inventory_levels l").Joins("JOIN stores st ON st.id = l.store_id").
		Joins("JOIN products p ON p.id = l.product_id").Where("l.quantity <> 0").
		Select(`st.id AS store_id, st.code AS store_code, st.name AS store_name, count(*) AS products,
			coalesce(sum(l.quantity), 0) AS units, coalesce(sum(` + levelValue + `), 0) AS value`).
		Group("st.id, st.code, st.name").Order("st.code")
	if err := sc.where(q, "l.store_id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("inventory value: %w", err)
	}
	res := &Result{Note: "Each stock level at the product's current cost price; negative levels (sold before received) reduce the value."}
	res.Table.Columns = []tabular.Column{text("Store"), num("Products"), num("Units"), num("Value at cost")}
	var tot StockRow
	for _, r := range rows {
		tot.Products, tot.Units, tot.Value = tot.Products+r.Products, tot.Units+r.Units, tot.Value+r.Value
		res.Table.Rows = append(res.Table.Rows, []string{r.StoreCode + " · " + r.StoreName, count(r.Products), money.FormatQty(r.Units), money.Format(r.Value)})
		res.Chart = append(res.Chart, Bar{Label: r.StoreCode, Title: r.StoreName, Value: r.Value, Text: money.Format(r.Value)})
	}
	if len(rows) > 0 {
		res.Table.Foot = []string{"Total", count(tot.Products), money.FormatQty(tot.Units), money.Format(tot.Value)}
	} else {
		rows = []StockRow{}
	}
	res.Data = map[string]any{"stores": rows, "totals": tot}
	return res, nil
}

// TurnoverRow is one department's cost of goods sold in the range against its stock at cost now.
type TurnoverRow struct {
	ID         *uuid.UUID `json:"id"`
	Name       string     `json:"name"`
	Sold       int64      `json:"quantitySold"`
	Cost       int64      `json:"costOfGoods"`
	StockValue int64      `json:"stockValue"`
	// Turns is cost of goods over stock value in hundredths (125 = 1.25 turns in the range).
	Turns int64 `json:"turnsHundredths"`
	// DaysOfCover is how many days the stock lasts at the range's rate of sale (nil when nothing sold).
	DaysOfCover *int64 `json:"daysOfCover"`
}

func (s *Service) inventoryTurnover(ctx context.Context, sc scope, p Params) (*Result, error) {
	var rows []TurnoverRow
	sold := s.linesIn(ctx, sc, p).Select("p.department_id, sum(i.quantity) AS sold, sum(" + lineCost + ") AS cost").Group("p.department_id")
	stock := sc.where(s.db.Table("inventory_levels l").Joins("JOIN products p ON p.id = l.product_id"), "l.store_id").
		Select("p.department_id, sum(" + levelValue + ") AS value").Group("p.department_id")
	err := s.db.WithContext(ctx).Table("(?) a", sold).
		Joins("FULL JOIN (?) b ON coalesce(b.department_id, '00000000-0000-0000-0000-000000000000') = coalesce(a.department_id, '00000000-0000-0000-0000-000000000000')", stock).
		Joins("LEFT JOIN departments d ON d.id = coalesce(a.department_id, b.department_id)").
		Select(`d.id, coalesce(d.name, 'No department') AS name, coalesce(a.sold, 0) AS sold, coalesce(a.cost, 0) AS cost,
			coalesce(b.value, 0) AS stock_value`).
		Where("coalesce(a.sold, 0) <> 0 OR coalesce(b.value, 0) <> 0").
		Order("cost DESC, name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("inventory turnover: %w", err)
	}
	days := int64(p.To.Sub(p.From.Time)/(24*time.Hour)) + 1
	res := &Result{Note: "Stock is valued as on hand now (levels are not kept per day), so turns compare the range's cost of goods with today's stock. " + costNote}
	res.Table.Columns = []tabular.Column{text("Department"), num("Sold"), num("Cost of goods"), num("Stock at cost"), num("Turns"), num("Days of cover")}
	var tot TurnoverRow
	cells := func(r TurnoverRow) []string {
		cover := "—"
		if r.DaysOfCover != nil {
			cover = count(*r.DaysOfCover)
		}
		return []string{r.Name, money.FormatQty(r.Sold), money.Format(r.Cost), money.Format(r.StockValue), money.QtyDecimal(r.Turns*10, 2), cover}
	}
	finishRow := func(r *TurnoverRow) {
		r.Turns = ratio(r.Cost, r.StockValue, 100)
		if r.Cost > 0 {
			d := ratio(r.StockValue*days, r.Cost, 1)
			r.DaysOfCover = &d
		}
	}
	for i := range rows {
		r := &rows[i]
		finishRow(r)
		tot.Sold, tot.Cost, tot.StockValue = tot.Sold+r.Sold, tot.Cost+r.Cost, tot.StockValue+r.StockValue
		res.Table.Rows = append(res.Table.Rows, cells(*r))
	}
	tot.Name = "Total"
	finishRow(&tot)
	if len(rows) > 0 {
		res.Table.Foot = cells(tot)
	} else {
		rows = []TurnoverRow{}
	}
	res.Data = map[string]any{"dateFrom": p.From, "dateTo": p.To, "departments": rows, "totals": tot}
	return res, nil
}
