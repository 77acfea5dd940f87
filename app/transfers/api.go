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

func listFilter(c *gin.Context) (ListFilter, error) {
	f := ListFilter{Status: c.Query("status"), Search: c.Query("q")}
	switch strings.ToLower(c.Query("has_differences") + c.Query("hasDifferences")) {
	case "true", "1":
		v := true
		f.HasDifferences = &v
	case "false", "0":
		v := false
		f.HasDifferences = &v
	}
	var err error
	f.StoreID, err = server.UUIDQuery(c, "store_id", "storeId")
	return f, err
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
