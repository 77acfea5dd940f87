package audit

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"backroom/app/server"
	auditviews "backroom/views/audit"
	"backroom/views/components"
)

func (s *Service) mountWeb(rt server.Routes) {
	rt.Web.GET("/audit", server.Require("reports.view_global"), s.page)
}

func (s *Service) page(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	var q listQuery
	if err := server.BindQuery(c, &q); err != nil {
		server.Fail(c, err)
		return
	}
	f := q.filter()
	rows, total, err := s.List(c.Request.Context(), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	types, err := s.EntityTypes(c.Request.Context())
	if err != nil {
		server.Fail(c, err)
		return
	}
	d := auditviews.Page{
		Rows: rows, EntityTypes: types, EntityType: f.EntityType, EntityID: c.Query("entityId"), UserID: c.Query("userId"),
		DateFrom: c.Query("date_from"), DateTo: c.Query("date_to"),
		Pager: components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#audit-table"},
	}
	server.RenderPage(c, http.StatusOK, auditviews.AuditPage(server.PageOf(c, "Audit trail", "audit"), d), auditviews.AuditTable(d))
}
