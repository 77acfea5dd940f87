package reports

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/app/tabular"
	"backroom/models"
	"backroom/views/components"
	repviews "backroom/views/reports"
)

const navKey = "reports"

// Permissions are the ones that open a report page (x and z reports are under registers).
//
// table: never written
var Permissions = func() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range Catalog {
		if !seen[r.Perm] {
			seen[r.Perm] = true
			out = append(out, r.Perm)
		}
	}
	return out
}()

func (s *Service) mountWeb(web *gin.RouterGroup) {
	web.GET("/reports", server.Require(Permissions...), s.indexPage) // any report's permission
	web.GET("/reports/sales-summary", server.Require("reports.view_global"), s.reportPage)
	web.GET("/reports/sales-summary/:file", server.Require("reports.view_global"), s.reportExport)
	web.GET("/reports/sales-by-period", server.Require("reports.view_global"), s.reportPage)
	web.GET("/reports/sales-by-period/:file", server.Require("reports.view_global"), s.reportExport)
	web.GET("/reports/tax", server.Require("reports.view_global"), s.reportPage)
	web.GET("/reports/tax/:file", server.Require("reports.view_global"), s.reportExport)
	web.GET("/reports/department-sales", server.Require("reports.view_global"), s.reportPage)
	web.GET("/reports/department-sales/:file", server.Require("reports.view_global"), s.reportExport)
	web.GET("/reports/profit-margin", server.Require("reports.profit_margin"), s.reportPage)
	web.GET("/reports/profit-margin/:file", server.Require("reports.profit_margin"), s.reportExport)
	web.GET("/reports/product-performance", server.Require("reports.product_performance"), s.reportPage)
	web.GET("/reports/product-performance/:file", server.Require("reports.product_performance"), s.reportExport)
	web.GET("/reports/sales-by-rep", server.Require("reports.sales_by_rep"), s.reportPage)
	web.GET("/reports/sales-by-rep/:file", server.Require("reports.sales_by_rep"), s.reportExport)
	web.GET("/reports/cashier-performance", server.Require("reports.cashier_performance"), s.reportPage)
	web.GET("/reports/cashier-performance/:file", server.Require("reports.cashier_performance"), s.reportExport)
	web.GET("/reports/discount-analysis", server.Require("reports.discount_analysis"), s.reportPage)
	web.GET("/reports/discount-analysis/:file", server.Require("reports.discount_analysis"), s.reportExport)
	web.GET("/reports/inventory-value", server.Require("reports.view_global"), s.reportPage)
	web.GET("/reports/inventory-value/:file", server.Require("reports.view_global"), s.reportExport)
	web.GET("/reports/inventory-turnover", server.Require("reports.view_global"), s.reportPage)
	web.GET("/reports/inventory-turnover/:file", server.Require("reports.view_global"), s.reportExport)
}

func (s *Service) indexPage(c *gin.Context) {
	actor := server.Actor(c)
	var entries []repviews.Entry
	for _, r := range Catalog {
		if actor.Can(r.Perm) {
			entries = append(entries, repviews.Entry{Href: "/reports/" + r.Slug, Title: r.Title, About: r.About})
		}
	}
	server.Render(c, http.StatusOK, repviews.IndexPage(server.PageOf(c, "Reports", navKey), entries))
}

// view runs the report of the request into what the page shows. A bad filter comes back as a
// validation error with the view carrying its message, for the page to show beside the form.
func (s *Service) view(c *gin.Context, r Report) (repviews.View, *Result, error) {
	ctx, actor := c.Request.Context(), server.Actor(c)
	v := repviews.View{Slug: r.Slug, Title: r.Title, About: r.About, Dated: r.Dated, Periodic: r.Periodic,
		DateFrom: c.Query("date_from"), DateTo: c.Query("date_to"), StoreID: c.Query("store_id"), Period: c.Query("period")}
	from, to := DefaultRange(s.now(), components.Zone(ctx))
	if v.DateFrom == "" {
		v.DateFrom = from.String()
	}
	if v.DateTo == "" {
		v.DateTo = to.String()
	}
	if v.Period == "" {
		v.Period = "day"
	}
	stores, err := s.Stores(ctx, actor, r.Perm)
	if err != nil {
		return v, nil, err
	}
	all, _ := actor.Scope(r.Perm)
	if all || len(stores) > 1 {
		v.Stores = append(v.Stores, components.Option{Value: "", Label: "All stores", Selected: v.StoreID == ""})
	}
	for _, st := range stores {
		v.Stores = append(v.Stores, components.Option{Value: st.ID.String(), Label: st.Code + " · " + st.Name, Selected: v.StoreID == st.ID.String()})
	}
	p, err := ParseParams(c.Request.URL.Query(), s.now(), components.Zone(ctx))
	if err == nil {
		var res *Result
		if res, err = s.Run(ctx, actor, r, p); err == nil {
			v.Note = res.Note
			for _, col := range res.Table.Columns {
				v.Columns = append(v.Columns, repviews.Column{Title: col.Title, Numeric: col.Numeric})
			}
			v.Rows, v.Foot = res.Table.Rows, res.Table.Foot
			for _, b := range res.Chart {
				v.Chart = append(v.Chart, repviews.Bar{Label: b.Label, Title: b.Title, Value: b.Value, Text: b.Text})
			}
			return v, res, nil
		}
	}
	if errors.Is(err, models.ErrValidation) {
		v.Errors = components.ErrorsOf(err)
		v.Error = validationText(v.Errors)
	}
	return v, nil, err
}

// validationText is the filter's errors as one sentence per field ("date_to: must be …").
func validationText(errs components.Errors) string {
	var parts []string
	for _, f := range []string{"date_from", "date_to", "store_id", "period"} {
		for _, m := range errs[f] {
			parts = append(parts, strings.ReplaceAll(f, "_", " ")+": "+m)
		}
	}
	return strings.Join(parts, "; ")
}

func (s *Service) reportPage(c *gin.Context) {
	r, ok := reportAt(c)
	if !ok {
		return
	}
	v, _, err := s.view(c, r)
	status := http.StatusOK
	if errors.Is(err, models.ErrValidation) {
		status, err = http.StatusUnprocessableEntity, nil
	}
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.RenderPage(c, status, repviews.ReportPage(server.PageOf(c, v.Title, navKey), v), repviews.Result(v))
}

// reportExport downloads the table the page shows, as export.csv, export.xlsx or export.pdf.
func (s *Service) reportExport(c *gin.Context) {
	r, ok := reportAt(c)
	if !ok {
		return
	}
	format, ok := strings.CutPrefix(c.Param("file"), "export.")
	if _, known := tabular.Formats[format]; !ok || !known {
		server.Fail(c, models.NotFound("export"))
		return
	}
	v, res, err := s.view(c, r)
	if err != nil {
		server.Fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := tabular.Write(&buf, format, res.Table); err != nil {
		server.Fail(c, err)
		return
	}
	name := v.Slug + "-" + v.DateFrom + "-" + v.DateTo + "." + format
	if !v.Dated {
		name = v.Slug + "." + format
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, tabular.Formats[format], buf.Bytes())
}
