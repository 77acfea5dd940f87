package audit

import (
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds GET /api/v1/audit and the Audit page. Both need reports.view_global: the trail
// spans every store and area (prices, users, stock), so it is an HQ report. users.view was not
// chosen because store managers hold it to see their staff, and the trail would show them the
// whole chain.
func (s *Service) Mount(rt server.Routes) {
	rt.API.GET("/audit", server.Require("reports.view_global"), s.apiList)
	s.mountWeb(rt)
}

// listQuery is the audit list's query string, the same for the API and the page: a day is
// "2006-01-02" in UTC (both ends of the range included), or an RFC 3339 time.
type listQuery struct {
	EntityType string     `query:"entityType,entity_type"`
	EntityID   *uuid.UUID `query:"entityId,entity_id"`
	UserID     *uuid.UUID `query:"userId,user_id"`
	Action     string     `query:"action"`
	From       fromParam  `query:"date_from,dateFrom"`
	To         toParam    `query:"date_to,dateTo"`
}

func (q listQuery) filter() Filter {
	return Filter{EntityType: q.EntityType, EntityID: q.EntityID, UserID: q.UserID, Action: q.Action, From: q.From.t, To: q.To.t}
}

// fromParam is the start of the range: a day from its first moment, or a time. A bad value is
// 400 naming date_from whichever spelling was sent, as the list has always answered.
type fromParam struct{ t *time.Time }

func (p *fromParam) UnmarshalParam(s string) (err error) {
	if p.t, err = timeQuery(s, false); err != nil {
		return models.BadRequest("date_from must be a date like 2026-03-31")
	}
	return nil
}

// toParam is the end of the range: a day up to its end, or a time; a bad value is 400 naming
// date_to.
type toParam struct{ t *time.Time }

func (p *toParam) UnmarshalParam(s string) (err error) {
	if p.t, err = timeQuery(s, true); err != nil {
		return models.BadRequest("date_to must be a date like 2026-03-31")
	}
	return nil
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
	var q listQuery
	if err := server.BindQuery(c, &q); err != nil {
		server.Fail(c, err)
		return
	}
	items, total, err := s.List(c.Request.Context(), q.filter(), p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, items, total, p)
}
