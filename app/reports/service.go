// Package reports answers the chain's sales, tax, margin and stock reports: the JSON API under
// /api/v1/reports and the /reports pages, with CSV, XLSX and PDF exports of what a page shows.
// Figures are summed in SQL in integer cents; completed sales and refunds (sales with negative
// quantities) count, voided sales never do and are counted apart.
package reports

import (
	"context"
	"time"

	"gorm.io/gorm"

	"backroom/app/tabular"
	"backroom/models"
)

// Service runs the reports.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns the reports service.
func New(db *gorm.DB) *Service { return &Service{db: db, now: time.Now} }

// Report describes one report: its URL slug, title, the permission that opens it and how it is
// built. Dated reports take the date range; Periodic ones also the bucket size.
type Report struct {
	Slug     string
	Title    string
	Perm     string
	About    string
	Dated    bool
	Periodic bool
	build    func(s *Service, ctx context.Context, sc scope, p Params) (*Result, error)
}

// Result is a built report: the typed figures for the API, the display table a page, CSV, XLSX
// and PDF all show, and bars for a chart where a trend matters.
type Result struct {
	Data  any
	Table tabular.Table
	Chart []Bar
	Note  string
}

// Bar is one bar of a chart: its labels, value in cents and the value as shown.
type Bar struct {
	Label string // a few characters under the bar
	Title string // the whole name
	Value int64
	Text  string
}

// Catalog lists the reports in the order the index shows them.
var Catalog = []Report{
	{Slug: "sales-summary", Title: "Sales summary", Perm: "reports.view_global", Dated: true, build: (*Service).salesSummary,
		About: "Sales, refunds and voids per store with gross and net sales, discounts, tax, cost and margin."},
	{Slug: "sales-by-period", Title: "Sales by period", Perm: "reports.view_global", Dated: true, Periodic: true, build: (*Service).salesByPeriod,
		About: "Net sales per day, week or month in each store's time zone, with a chart of the trend."},
	{Slug: "tax", Title: "Tax", Perm: "reports.view_global", Dated: true, build: (*Service).taxReport,
		About: "Tax collected per rate, with the taxable amount it was charged on."},
	{Slug: "department-sales", Title: "Sales by department", Perm: "reports.view_global", Dated: true, build: (*Service).departmentSales,
		About: "Quantity, gross, discounts, net sales and tax per department, with each one's share."},
	{Slug: "profit-margin", Title: "Profit margin", Perm: "reports.profit_margin", Dated: true, build: (*Service).profitMargin,
		About: "Net sales, cost of goods and margin per department."},
	{Slug: "product-performance", Title: "Product performance", Perm: "reports.product_performance", Dated: true, build: (*Service).productPerformance,
		About: "Quantity sold, net sales, cost and margin per product, best sellers first."},
	{Slug: "sales-by-rep", Title: "Sales by representative", Perm: "reports.sales_by_rep", Dated: true, build: (*Service).salesByRep,
		About: "Sales, refunds and net sales per sales representative."},
	{Slug: "cashier-performance", Title: "Cashier performance", Perm: "reports.cashier_performance", Dated: true, build: (*Service).cashierPerformance,
		About: "Sales, refunds, voids, net sales and average sale per cashier."},
	{Slug: "discount-analysis", Title: "Discount analysis", Perm: "reports.discount_analysis", Dated: true, build: (*Service).discountAnalysis,
		About: "Discounted lines per product: what was given away against gross sales."},
	{Slug: "inventory-value", Title: "Inventory value", Perm: "reports.view_global", build: (*Service).inventoryValue,
		About: "Stock on hand per store valued at each product's cost."},
	{Slug: "inventory-turnover", Title: "Inventory turnover", Perm: "reports.view_global", Dated: true, build: (*Service).inventoryTurnover,
		About: "Cost of goods sold against stock on hand per department: turns and days of cover."},
}

// Find returns the report with slug.
func Find(slug string) (Report, bool) {
	for _, r := range Catalog {
		if r.Slug == slug {
			return r, true
		}
	}
	return Report{}, false
}

// Run builds report r for the actor: the chosen store must be theirs (403) and exist (404).
func (s *Service) Run(ctx context.Context, actor models.Actor, r Report, p Params) (*Result, error) {
	sc, err := storesFor(ctx, s.db, actor, r.Perm, p.StoreID)
	if err != nil {
		return nil, err
	}
	res, err := r.build(s, ctx, sc, p)
	if err != nil {
		return nil, err
	}
	res.Table.Title = r.Title + " — " + p.Describe(r)
	return res, nil
}

// Describe is the range a report covers, for titles.
func (p Params) Describe(r Report) string {
	if !r.Dated {
		return "on hand now"
	}
	if p.From == p.To {
		return p.From.String()
	}
	return p.From.String() + " to " + p.To.String()
}

// Stores are the stores the actor may pick for a report with perm, by code.
func (s *Service) Stores(ctx context.Context, actor models.Actor, perm string) ([]models.Store, error) {
	var out []models.Store
	err := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.Store{}), perm, "id").Order("code").Find(&out).Error
	return out, err
}
