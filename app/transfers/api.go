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
	g.GET("", server.Require(PermView), s.apiList)
	g.GET("/:id", server.Require(PermView), s.apiGet)
	g.POST("", server.Require(PermCreate), s.apiCreate)
	g.PUT("/:id/send", server.Require(PermSend), s.apiSend)
	g.PUT("/:id/receive", server.Require(PermReceive), s.apiReceive)
	g.PUT("/:id/cancel", server.Require(PermCreate), s.apiCancel)
	s.mountWeb(rt)
}

func (s *Service) apiList(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := listFilter(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	items, total, err := s.List(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, items, total, p)
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

func (s *Service) respond(c *gin.Context, created bool, f func(ctx context.Context, a models.Actor, id uuid.UUID) (Detail, error)) {
	var id uuid.UUID
	if c.Param("id") != "" {
		var err error
		if id, err = server.IDParam(c, "id"); err != nil {
			server.Fail(c, err)
			return
		}
	}
	d, err := f(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if created {
		server.Created(c, d)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiGet(c *gin.Context) { s.respond(c, false, s.Get) }

func (s *Service) apiCreate(c *gin.Context) {
	var in CreateInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	s.respond(c, true, func(ctx context.Context, a models.Actor, _ uuid.UUID) (Detail, error) { return s.Create(ctx, a, in) })
}

func (s *Service) apiSend(c *gin.Context) {
	var in SendInput
	if c.Request.ContentLength != 0 {
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
	}
	s.respond(c, false, func(ctx context.Context, a models.Actor, id uuid.UUID) (Detail, error) { return s.Send(ctx, a, id, in) })
}

func (s *Service) apiReceive(c *gin.Context) {
	var in ReceiveInput
	if c.Request.ContentLength != 0 {
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
	}
	s.respond(c, false, func(ctx context.Context, a models.Actor, id uuid.UUID) (Detail, error) {
		return s.Receive(ctx, a, id, in)
	})
}

func (s *Service) apiCancel(c *gin.Context) { s.respond(c, false, s.Cancel) }
