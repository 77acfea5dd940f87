package transfers

import (
	"context"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the transfers API and pages.
func (s *Service) Mount(rt server.Routes) {
	g := rt.API.Group("/transfers")
	g.GET("", server.Require(PermView), server.ListJSON(listFilter, s.List))
	g.GET("/:id", server.Require(PermView), server.RecordJSON(s.Get))
	g.POST("", server.Require(PermCreate), server.CreateJSON(s.Create))
	g.PUT("/:id/send", server.Require(PermSend), s.apiSend)
	g.PUT("/:id/receive", server.Require(PermReceive), s.apiReceive)
	g.PUT("/:id/cancel", server.Require(PermCreate), server.RecordJSON(s.Cancel))
	s.mountWeb(rt)
}

// listQuery is the transfer list's query string, the same for the API and the page.
type listQuery struct {
	Status         string           `query:"status"`
	Search         string           `query:"q"`
	HasDifferences differencesParam `query:"has_differences,hasDifferences"`
	StoreID        *uuid.UUID       `query:"store_id,storeId"`
}

func listFilter(c *gin.Context) (ListFilter, error) {
	var q listQuery
	err := server.BindQuery(c, &q)
	return ListFilter{Status: q.Status, Search: q.Search, HasDifferences: q.HasDifferences.v, StoreID: q.StoreID}, err
}

// differencesParam keeps the list's own rule for has_differences: true or 1, false or 0, in any
// case; anything else means no filter rather than a 400, as it always has.
type differencesParam struct{ v *bool }

func (p *differencesParam) UnmarshalParam(s string) error {
	switch strings.ToLower(s) {
	case "true", "1":
		v := true
		p.v = &v
	case "false", "0":
		v := false
		p.v = &v
	}
	return nil
}

func (s *Service) apiSend(c *gin.Context) {
	var in SendInput
	if c.Request.ContentLength != 0 {
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
	}
	// The body is read before the id, so a malformed body is 400 whatever the path says.
	server.RecordJSON(func(ctx context.Context, a models.Actor, id uuid.UUID) (Detail, error) { return s.Send(ctx, a, id, in) })(c)
}

func (s *Service) apiReceive(c *gin.Context) {
	var in ReceiveInput
	if c.Request.ContentLength != 0 {
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
	}
	server.RecordJSON(func(ctx context.Context, a models.Actor, id uuid.UUID) (Detail, error) {
		return s.Receive(ctx, a, id, in)
	})(c)
}
