package reports

import (
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the report endpoints of the API (x-report and z-report belong to registers) and
// the pages: one route a report, in Catalog's order, each behind the report's Perm
// (TestEveryReportIsMountedWithItsPermission holds the two together).
func (s *Service) Mount(rt server.Routes) {
	api := rt.API
	api.GET("/reports/sales-summary", server.Require("reports.view_global"), s.reportAPI)
	api.GET("/reports/sales-by-period", server.Require("reports.view_global"), s.reportAPI)
	api.GET("/reports/tax", server.Require("reports.view_global"), s.reportAPI)
	api.GET("/reports/department-sales", server.Require("reports.view_global"), s.reportAPI)
	api.GET("/reports/profit-margin", server.Require("reports.profit_margin"), s.reportAPI)
	api.GET("/reports/product-performance", server.Require("reports.product_performance"), s.reportAPI)
	api.GET("/reports/sales-by-rep", server.Require("reports.sales_by_rep"), s.reportAPI)
	api.GET("/reports/cashier-performance", server.Require("reports.cashier_performance"), s.reportAPI)
	api.GET("/reports/discount-analysis", server.Require("reports.discount_analysis"), s.reportAPI)
	api.GET("/reports/inventory-value", server.Require("reports.view_global"), s.reportAPI)
	api.GET("/reports/inventory-turnover", server.Require("reports.view_global"), s.reportAPI)
	s.mountWeb(rt.Web)
}

// reportAt is the report the route's path names: /api/v1/reports/<slug>, /reports/<slug> or
// /reports/<slug>/:file. A path Catalog does not know is answered 404, and ok is false.
func reportAt(c *gin.Context) (r Report, ok bool) {
	path := strings.TrimPrefix(strings.TrimPrefix(c.FullPath(), "/api/v1"), "/reports/")
	slug, _, _ := strings.Cut(path, "/")
	if r, ok = Find(slug); !ok {
		server.Fail(c, models.NotFound("report"))
	}
	return r, ok
}

// reportAPI answers the route's report: its figures for the query's date range and store.
func (s *Service) reportAPI(c *gin.Context) {
	r, ok := reportAt(c)
	if !ok {
		return
	}
	p, err := ParseParams(c.Request.URL.Query(), s.now(), time.UTC)
	if err != nil {
		server.Fail(c, err)
		return
	}
	res, err := s.Run(c.Request.Context(), server.Actor(c), r, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, res.Data)
}
