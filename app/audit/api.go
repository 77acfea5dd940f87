package audit

import (
	"time"

	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds GET /api/v1/audit and the Audit page.
func (s *Service) Mount(rt server.Routes) {
	rt.API.GET("/audit", server.Require(Permission), s.apiList)
	s.mountWeb(rt)
}

// filterOf reads entityType, entityId, userId, action, date_from and date_to (inclusive days,
// "2006-01-02" in UTC, or RFC 3339 times) from the query.
func filterOf(c *gin.Context) (Filter, error) {
	f := Filter{EntityType: first(c, "entityType", "entity_type"), Action: c.Query("action")}
	var err error
	if f.EntityID, err = server.UUIDQuery(c, "entityId", "entity_id"); err != nil {
		return f, err
	}
	if f.UserID, err = server.UUIDQuery(c, "userId", "user_id"); err != nil {
		return f, err
	}
	if f.From, err = timeQuery(first(c, "date_from", "dateFrom"), false); err != nil {
		return f, models.BadRequest("date_from must be a date like 2026-03-31")
	}
	if f.To, err = timeQuery(first(c, "date_to", "dateTo"), true); err != nil {
		return f, models.BadRequest("date_to must be a date like 2026-03-31")
	}
	return f, nil
}

func first(c *gin.Context, names ...string) string {
	for _, n := range names {
		if v := c.Query(n); v != "" {
			return v
		}
	}
	return ""
}

// timeQuery parses a day or a time; a day as the end of a range means up to the end of that day.
func timeQuery(v string, end bool) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, nil
	}
	d, err := time.Parse(models.DateLayout, v)
	if err != nil {
		return nil, err
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return &d, nil
}

func (s *Service) apiList(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := filterOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	items, total, err := s.List(c.Request.Context(), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, items, total, p)
}
