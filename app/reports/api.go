package reports

import (
	"github.com/gin-gonic/gin"
	"time"

	"backroom/app/server"
)

// Mount adds the report endpoints of the API (x-report and z-report belong to registers) and
// the pages.
func (s *Service) Mount(rt server.Routes) {
	for _, r := range Catalog {
		rt.API.GET("/reports/"+r.Slug, server.Require(r.Perm), s.reportShow(r))
	}
	s.mountWeb(rt.Web)
}

// reportShow answers one report's figures for the query's date range and store.
func (s *Service) reportShow(r Report) gin.HandlerFunc {
	return func(c *gin.Context) {
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
}
