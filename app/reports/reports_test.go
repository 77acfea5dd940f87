package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"backroom/app/inventory"
	"backroom/app/sales/salestest"
	"backroom/models"
)

// chain is a fixture with known sales in two stores (both in America/New_York, UTC-4 in March
// 2026) between 2026-03-10 and 2026-03-11 local, plus sales just outside that range.
type chain struct {
	*salestest.Fixture
	drinks, bakery models.Department
}

const rangeQuery = "date_from=2026-03-10&date_to=2026-03-11"

func at(local string) time.Time {
	t, err := time.Parse(time.RFC3339, local)
	if err != nil {
		panic(err)
	}
	return t
}

func newChain(t *testing.T) *chain {
	f := salestest.New(t)
	c := &chain{Fixture: f, drinks: models.Department{Name: "Test Drinks", IsActive: true}, bakery: models.Department{Name: "Test Bakery", IsActive: true}}
	for _, d := range []*models.Department{&c.drinks, &c.bakery} {
		if err := f.DB.Create(d).Error; err != nil {
			t.Fatal(err)
		}
	}
	for p, d := range map[uuid.UUID]uuid.UUID{f.Coffee.ID: c.drinks.ID, f.Muffin.ID: c.bakery.ID} {
		if err := f.DB.Model(&models.Product{}).Where("id = ?", p).Update("department_id", d).Error; err != nil {
			t.Fatal(err)
		}
	}
	sell := func(store models.Store, receipt, when string, lines ...salestest.Line) salestest.Sale {
		b := f.Body(store, receipt, "T01", lines)
		b["soldAt"] = at(when)
		return f.Sell(f.Admin, b)
	}
	// Before the range in local time, though already 2026-03-10 in UTC.
	sell(f.Store, "A-0", "2026-03-09T23:59:00-04:00", salestest.Line{Product: f.Coffee, Quantity: 1000})
	a1 := sell(f.Store, "A-1", "2026-03-10T10:00:00-04:00",
		salestest.Line{Product: f.Coffee, Quantity: 2000}, salestest.Line{Product: f.Muffin, Quantity: 1000, Discount: 50})
	// Late on the 10th locally, the 11th in UTC: it belongs to the 10th.
	sell(f.Store, "A-2", "2026-03-10T23:30:00-04:00", salestest.Line{Product: f.Service, Quantity: 1000})
	refund := f.Body(f.Store, "A-R1", "T01", []salestest.Line{{Product: f.Coffee, Quantity: -1000}})
	refund["originalSaleId"], refund["soldAt"] = a1.ID, at("2026-03-11T09:00:00-04:00")
	f.Sell(f.Admin, refund)
	void := sell(f.Store, "A-3", "2026-03-11T12:00:00-04:00", salestest.Line{Product: f.Coffee, Quantity: 5000})
	f.Do("PUT", "/api/v1/sales/"+void.ID.String()+"/void", map[string]string{"reason": "wrong till"}, f.Admin).Expect(t, http.StatusOK)
	sell(f.Other, "B-1", "2026-03-11T11:00:00-04:00", salestest.Line{Product: f.Muffin, Quantity: 2000})
	sell(f.Other, "B-2", "2026-03-12T00:30:00-04:00", salestest.Line{Product: f.Muffin, Quantity: 1000})
	return c
}

type summaryRow struct {
	StoreCode string `json:"storeCode"`
	Sales     int64  `json:"sales"`
	Refunds   int64  `json:"refunds"`
	Voided    int64  `json:"voided"`
	Gross     int64  `json:"grossSales"`
	Discounts int64  `json:"discounts"`
	Refunded  int64  `json:"refunded"`
	Net       int64  `json:"netSales"`
	Tax       int64  `json:"tax"`
	Total     int64  `json:"total"`
	Cost      int64  `json:"costOfGoods"`
	Margin    int64  `json:"margin"`
	MarginBP  int64  `json:"marginBp"`
}

// The figures below are worked by hand from the fixture's prices (coffee 9.99 at 8.25%, cost
// 4.99; muffin 3.50 at GST 5% + compound PST 7%, cost 1.75; gift wrap 20.00 untaxed, cost 10.00).
func TestReportFigures(t *testing.T) {
	c := newChain(t)

	t.Run("sales summary", func(t *testing.T) {
		var got struct {
			Stores []summaryRow `json:"stores"`
			Totals summaryRow   `json:"totals"`
		}
		c.Do("GET", "/api/v1/reports/sales-summary?"+rangeQuery, nil, c.Admin).Expect(t, http.StatusOK).Data(t, &got)
		want := []summaryRow{
			{StoreCode: "S001", Sales: 2, Refunds: 1, Voided: 1, Gross: 4348, Discounts: 50, Refunded: -999, Net: 3299, Tax: 120, Total: 3419, Cost: 1674, Margin: 1625, MarginBP: 4926},
			{StoreCode: "S002", Sales: 1, Gross: 700, Net: 700, Tax: 86, Total: 786, Cost: 350, Margin: 350, MarginBP: 5000},
		}
		if len(got.Stores) != 2 || got.Stores[0] != want[0] || got.Stores[1] != want[1] {
			t.Fatalf("stores:\n got %+v\nwant %+v", got.Stores, want)
		}
		wantTot := summaryRow{Sales: 3, Refunds: 1, Voided: 1, Gross: 5048, Discounts: 50, Refunded: -999, Net: 3999, Tax: 206, Total: 4205, Cost: 2024, Margin: 1975, MarginBP: 4939}
		if got.Totals != wantTot {
			t.Fatalf("totals:\n got %+v\nwant %+v", got.Totals, wantTot)
		}
	})

	t.Run("tax per rate", func(t *testing.T) {
		type rate struct {
			Name    string `json:"taxRateName"`
			Rate    int64  `json:"rate"`
			Lines   int64  `json:"lines"`
			Taxable int64  `json:"taxable"`
			Tax     int64  `json:"taxAmount"`
		}
		var got struct {
			Rates    []rate `json:"rates"`
			TotalTax int64  `json:"totalTax"`
		}
		c.Do("GET", "/api/v1/reports/tax?"+rangeQuery, nil, c.Admin).Expect(t, http.StatusOK).Data(t, &got)
		want := []rate{
			{"Test GST", 500, 2, 1000, 50},
			{"Test PST", 700, 2, 1050, 73},
			{"Test State Tax", 825, 2, 999, 83},
		}
		if len(got.Rates) != len(want) {
			t.Fatalf("rates = %+v, want %+v", got.Rates, want)
		}
		for i := range want {
			if got.Rates[i] != want[i] {
				t.Errorf("rate %d = %+v, want %+v", i, got.Rates[i], want[i])
			}
		}
		if got.TotalTax != 206 {
			t.Errorf("total tax = %d, want 206 (the summary's)", got.TotalTax)
		}
	})

	type dept struct {
		Name      string `json:"name"`
		Quantity  int64  `json:"quantity"`
		Gross     int64  `json:"grossSales"`
		Discounts int64  `json:"discounts"`
		Net       int64  `json:"netSales"`
		Tax       int64  `json:"tax"`
		Cost      int64  `json:"costOfGoods"`
		Margin    int64  `json:"margin"`
		MarginBP  int64  `json:"marginBp"`
		ShareBP   int64  `json:"shareBp"`
	}
	wantDepts := []dept{
		{Name: "No department", Quantity: 1000, Gross: 2000, Net: 2000, Cost: 1000, Margin: 1000, MarginBP: 5000, ShareBP: 5001},
		{Name: "Test Bakery", Quantity: 3000, Gross: 1050, Discounts: 50, Net: 1000, Tax: 123, Cost: 525, Margin: 475, MarginBP: 4750, ShareBP: 2501},
		{Name: "Test Drinks", Quantity: 1000, Gross: 999, Net: 999, Tax: 83, Cost: 499, Margin: 500, MarginBP: 5005, ShareBP: 2498},
	}
	for _, path := range []string{"department-sales", "profit-margin"} {
		t.Run(path, func(t *testing.T) {
			var got struct {
				Departments []dept `json:"departments"`
				Totals      dept   `json:"totals"`
			}
			c.Do("GET", "/api/v1/reports/"+path+"?"+rangeQuery, nil, c.Admin).Expect(t, http.StatusOK).Data(t, &got)
			if len(got.Departments) != len(wantDepts) {
				t.Fatalf("departments = %+v", got.Departments)
			}
			for i, w := range wantDepts {
				if got.Departments[i] != w {
					t.Errorf("department %d:\n got %+v\nwant %+v", i, got.Departments[i], w)
				}
			}
			if got.Totals.Net != 3999 || got.Totals.Cost != 2024 || got.Totals.MarginBP != 4939 || got.Totals.Tax != 206 {
				t.Errorf("totals = %+v", got.Totals)
			}
		})
	}

	t.Run("sales by day in the store's time zone", func(t *testing.T) {
		type bucket struct {
			Period  string `json:"period"`
			Sales   int64  `json:"sales"`
			Refunds int64  `json:"refunds"`
			Net     int64  `json:"netSales"`
			Tax     int64  `json:"tax"`
			Total   int64  `json:"total"`
		}
		var got struct {
			Rows []bucket `json:"rows"`
		}
		c.Do("GET", "/api/v1/reports/sales-by-period?period=day&date_from=2026-03-09&date_to=2026-03-12", nil, c.Admin).
			Expect(t, http.StatusOK).Data(t, &got)
		want := []bucket{
			{Period: "2026-03-09", Sales: 1, Net: 999, Tax: 82, Total: 1081},
			{Period: "2026-03-10", Sales: 2, Net: 4298, Tax: 202, Total: 4500},
			{Period: "2026-03-11", Sales: 1, Refunds: 1, Net: -299, Tax: 4, Total: -295},
			{Period: "2026-03-12", Sales: 1, Net: 350, Tax: 44, Total: 394},
		}
		if len(got.Rows) != len(want) {
			t.Fatalf("rows = %+v", got.Rows)
		}
		for i := range want {
			if got.Rows[i] != want[i] {
				t.Errorf("day %d:\n got %+v\nwant %+v", i, got.Rows[i], want[i])
			}
		}
		var month struct {
			Rows []bucket `json:"rows"`
		}
		c.Do("GET", "/api/v1/reports/sales-by-period?period=month&"+rangeQuery, nil, c.Admin).Expect(t, http.StatusOK).Data(t, &month)
		if len(month.Rows) != 1 || month.Rows[0] != (bucket{Period: "2026-03-01", Sales: 3, Refunds: 1, Net: 3999, Tax: 206, Total: 4205}) {
			t.Errorf("month = %+v", month.Rows)
		}
	})

	t.Run("inventory value", func(t *testing.T) {
		st := c.App.Store("S009")
		for p, q := range map[models.Product]int64{c.Coffee: 3500, c.Muffin: -1000} {
			_, err := c.App.App.Ledger.Apply(context.Background(), c.DB, models.System, inventory.Change{StoreID: st.ID, ProductID: p.ID, Delta: q, Type: models.MoveAdjustment, Reason: "test"})
			if err != nil {
				t.Fatal(err)
			}
		}
		var got struct {
			Stores []struct {
				StoreCode string `json:"storeCode"`
				Products  int64  `json:"products"`
				Units     int64  `json:"units"`
				Value     int64  `json:"value"`
			} `json:"stores"`
		}
		c.Do("GET", "/api/v1/reports/inventory-value?store_id="+st.ID.String(), nil, c.Admin).Expect(t, http.StatusOK).Data(t, &got)
		// 3.5 × 4.99 = 17.465 → 17.47; −1 × 1.75 = −1.75.
		if len(got.Stores) != 1 || got.Stores[0].StoreCode != "S009" || got.Stores[0].Products != 2 || got.Stores[0].Units != 2500 || got.Stores[0].Value != 1572 {
			t.Fatalf("inventory value = %+v", got.Stores)
		}
	})

	t.Run("every report answers", func(t *testing.T) {
		for _, path := range []string{"product-performance", "sales-by-rep", "cashier-performance", "discount-analysis", "inventory-turnover"} {
			env := c.Do("GET", "/api/v1/reports/"+path+"?"+rangeQuery, nil, c.Admin).Expect(t, http.StatusOK).Env(t)
			if !env.Success {
				t.Errorf("%s: %+v", path, env)
			}
		}
		var disc struct {
			Totals struct {
				Discounts int64 `json:"discounts"`
				Lines     int64 `json:"lines"`
			} `json:"totals"`
		}
		c.Do("GET", "/api/v1/reports/discount-analysis?"+rangeQuery, nil, c.Admin).Expect(t, http.StatusOK).Data(t, &disc)
		if disc.Totals.Discounts != 50 || disc.Totals.Lines != 1 {
			t.Errorf("discounts = %+v", disc.Totals)
		}
	})
}

func TestReportAccess(t *testing.T) {
	c := newChain(t)
	storeUser := func(perms ...string) string {
		_, tok := c.User(&c.Other.ID, perms...)
		return tok
	}
	_, clerk := c.User(nil, "pos.sell")
	local := storeUser("reports.view_global")
	cases := []struct {
		name, path, token string
		status            int
	}{
		{"no token", "/api/v1/reports/sales-summary", "", http.StatusUnauthorized},
		{"no permission", "/api/v1/reports/sales-summary", clerk, http.StatusForbidden},
		{"another permission", "/api/v1/reports/profit-margin", local, http.StatusForbidden},
		{"another store", "/api/v1/reports/sales-summary?store_id=" + c.Store.ID.String(), local, http.StatusForbidden},
		{"own store", "/api/v1/reports/sales-summary?store_id=" + c.Other.ID.String(), local, http.StatusOK},
		{"unknown store", "/api/v1/reports/tax?store_id=" + uuid.NewString(), c.Admin, http.StatusNotFound},
		{"malformed store", "/api/v1/reports/tax?store_id=S001", c.Admin, http.StatusUnprocessableEntity},
		{"range backwards", "/api/v1/reports/tax?date_from=2026-03-11&date_to=2026-03-10", c.Admin, http.StatusUnprocessableEntity},
		{"malformed date", "/api/v1/reports/sales-by-period?date_from=10/03/2026", c.Admin, http.StatusUnprocessableEntity},
		{"unknown period", "/api/v1/reports/sales-by-period?period=year", c.Admin, http.StatusUnprocessableEntity},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.Do("GET", tc.path, nil, tc.token).Expect(t, tc.status)
		})
	}
	t.Run("422 names the field", func(t *testing.T) {
		env := c.Do("GET", "/api/v1/reports/tax?date_from=2026-03-11&date_to=2026-03-10", nil, c.Admin).Expect(t, http.StatusUnprocessableEntity).Env(t)
		if len(env.Errors["date_to"]) == 0 {
			t.Errorf("errors = %v", env.Errors)
		}
	})
	t.Run("a store user sees only their stores", func(t *testing.T) {
		var got struct {
			Stores []summaryRow `json:"stores"`
		}
		c.Do("GET", "/api/v1/reports/sales-summary?"+rangeQuery, nil, local).Expect(t, http.StatusOK).Data(t, &got)
		if len(got.Stores) != 1 || got.Stores[0].StoreCode != "S002" || got.Stores[0].Net != 700 {
			t.Errorf("stores = %+v", got.Stores)
		}
	})
}

var (
	rowRe  = regexp.MustCompile(`(?s)<tr data-testid="report-(?:row|foot)">(.*?)</tr>`)
	cellRe = regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	headRe = regexp.MustCompile(`(?s)<th scope="col"[^>]*>(.*?)</th>`)
)

// screenRows reads the report table's header, rows and totals row as a person sees them.
func screenRows(t *testing.T, body string) [][]string {
	t.Helper()
	i := strings.Index(body, `data-testid="report-table"`)
	if i < 0 {
		t.Fatalf("no report table in:\n%s", body)
	}
	body = body[i:]
	var head []string
	for _, m := range headRe.FindAllStringSubmatch(body, -1) {
		head = append(head, html.UnescapeString(m[1]))
	}
	out := [][]string{head}
	for _, r := range rowRe.FindAllStringSubmatch(body, -1) {
		var cells []string
		for _, m := range cellRe.FindAllStringSubmatch(r[1], -1) {
			cells = append(cells, html.UnescapeString(m[1]))
		}
		out = append(out, cells)
	}
	return out
}

func TestReportPages(t *testing.T) {
	c := newChain(t)
	web, _ := c.WebUser(nil, "reports.view_global")

	t.Run("index lists what the user may open", func(t *testing.T) {
		body := web.Get("/reports").Expect(t, http.StatusOK).String()
		for _, want := range []string{`href="/reports/sales-summary"`, `href="/reports/inventory-value"`, `href="/reports"`} {
			if !strings.Contains(body, want) {
				t.Errorf("index lacks %s", want)
			}
		}
		if strings.Contains(body, `href="/reports/profit-margin"`) {
			t.Error("index offers profit margin without reports.profit_margin")
		}
		web.Get("/reports/profit-margin").Expect(t, http.StatusForbidden)
		web.Get("/reports/no-such-report").Expect(t, http.StatusNotFound)
	})

	t.Run("no sidebar entry without a reports permission", func(t *testing.T) {
		clerk, _ := c.WebUser(nil, "pos.sell")
		if strings.Contains(clerk.Get("/").String(), `href="/reports"`) {
			t.Error("clerk sees Reports")
		}
		clerk.Get("/reports").Expect(t, http.StatusForbidden)
	})

	path := "/reports/sales-by-period?period=day&" + rangeQuery
	var screen [][]string
	t.Run("full page and htmx fragment", func(t *testing.T) {
		full := web.Get(path).Expect(t, http.StatusOK).String()
		if !strings.Contains(full, "<html") || !strings.Contains(full, `data-testid="report-filter"`) || !strings.Contains(full, `data-testid="report-chart"`) {
			t.Fatalf("full page lacks the shell, filter or chart")
		}
		frag := web.HTMX("GET", path, nil).Expect(t, http.StatusOK).String()
		if strings.Contains(frag, "<html") || strings.Contains(frag, `data-testid="report-filter"`) || !strings.HasPrefix(strings.TrimSpace(frag), `<div id="report-result"`) {
			t.Fatalf("fragment is not just the result:\n%s", frag)
		}
		screen = screenRows(t, full)
		want := [][]string{
			{"Period", "Sales", "Refunds", "Net sales", "Tax", "Total"},
			{"Tue 2026-03-10", "2", "0", "$42.98", "$2.02", "$45.00"},
			{"Wed 2026-03-11", "1", "1", "-$2.99", "$0.04", "-$2.95"},
			{"Total", "3", "1", "$39.99", "$2.06", "$42.05"},
		}
		if strings.Join(flat(screen), "|") != strings.Join(flat(want), "|") {
			t.Fatalf("screen rows:\n got %q\nwant %q", screen, want)
		}
	})

	t.Run("bad range re-renders with 422", func(t *testing.T) {
		body := web.Get("/reports/tax?date_from=2026-03-11&date_to=2026-03-10").Expect(t, http.StatusUnprocessableEntity).String()
		if !strings.Contains(body, "must be on or after date_from") {
			t.Errorf("no message in:\n%s", body)
		}
		web.Get("/reports/tax/export.csv?date_from=x").Expect(t, http.StatusUnprocessableEntity)
	})

	t.Run("empty state", func(t *testing.T) {
		body := web.Get("/reports/tax?date_from=2020-01-01&date_to=2020-01-02").Expect(t, http.StatusOK).String()
		if !strings.Contains(body, `data-testid="empty-state"`) {
			t.Error("no empty state")
		}
	})

	exportPath := "/reports/sales-by-period/export.%s?period=day&" + rangeQuery
	t.Run("csv equals the screen", func(t *testing.T) {
		res := web.Get(strings.Replace(exportPath, "%s", "csv", 1)).Expect(t, http.StatusOK)
		rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(flat(rows), "|") != strings.Join(flat(screen), "|") {
			t.Errorf("csv:\n got %q\nwant %q", rows, screen)
		}
	})
	t.Run("xlsx equals the screen", func(t *testing.T) {
		res := web.Get(strings.Replace(exportPath, "%s", "xlsx", 1)).Expect(t, http.StatusOK)
		f, err := excelize.OpenReader(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("Report")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(flat(rows), "|") != strings.Join(flat(screen), "|") {
			t.Errorf("xlsx:\n got %q\nwant %q", rows, screen)
		}
	})
	t.Run("pdf", func(t *testing.T) {
		res := web.Get(strings.Replace(exportPath, "%s", "pdf", 1)).Expect(t, http.StatusOK)
		if !bytes.HasPrefix(res.Body, []byte("%PDF")) {
			t.Errorf("not a pdf: %q", res.Body[:min(len(res.Body), 20)])
		}
	})

	t.Run("every report page renders", func(t *testing.T) {
		boss, _ := c.WebUser(nil, "reports.view_global", "reports.product_performance", "reports.sales_by_rep", "reports.profit_margin",
			"reports.cashier_performance", "reports.discount_analysis")
		for _, slug := range []string{"sales-summary", "tax", "inventory-value", "product-performance", "sales-by-period", "sales-by-rep",
			"profit-margin", "cashier-performance", "department-sales", "inventory-turnover", "discount-analysis"} {
			boss.Get("/reports/"+slug+"?"+rangeQuery).Expect(t, http.StatusOK)
		}
	})
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, ";"))
	}
	return out
}
