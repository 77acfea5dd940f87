package inventory

import (
	"context"

	"github.com/google/uuid"

	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the inventory API and pages.
func (s *Service) Mount(rt server.Routes) {
	g := rt.API.Group("/inventory")
	view, adjust := server.Require("inventory.view"), server.Require("inventory.adjust")
	g.GET("", view, s.levelList)
	g.GET("/cross-store", view, s.levelCrossStore)
	g.GET("/movements", view, s.movementList)
	g.POST("/adjustments", adjust, s.adjustmentCreate)
	g.PUT("/reorder-point", adjust, s.reorderPointUpdate)
	g.GET("/counts", view, s.countList)
	g.POST("/counts", adjust, s.countCreate)
	g.GET("/counts/:id", view, s.countShow)
	g.PUT("/counts/:id/lines", adjust, s.countLinesUpdate)
	g.POST("/counts/:id/post", adjust, s.countPost)
	g.POST("/counts/:id/abandon", adjust, s.countAbandon)
	s.mountWeb(rt.Web)
}

func (s *Service) levelList(c *gin.Context) {
	f, err := server.QueryOf[LevelFilter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.Levels(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, p)
}

func (s *Service) levelCrossStore(c *gin.Context) {
	id, err := server.UUIDQuery(c, "product_id", "productId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if id == nil {
		server.Fail(c, models.BadRequest("product_id is required"))
		return
	}
	out, err := s.CrossStoreLevels(c.Request.Context(), *id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, out)
}

func (s *Service) movementList(c *gin.Context) {
	f, err := server.QueryOf[MovementFilter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.Movements(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, p)
}

func (s *Service) adjustmentCreate(c *gin.Context) {
	var in AdjustmentInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	out, err := s.Adjust(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, out)
}

func (s *Service) reorderPointUpdate(c *gin.Context) {
	var in ReorderPointInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	lvl, err := s.SetReorderPoint(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, lvl)
}

func (s *Service) countList(c *gin.Context) {
	var f CountFilter
	var err error
	if f.StoreID, err = server.UUIDQuery(c, "store_id", "storeId"); err != nil {
		server.Fail(c, err)
		return
	}
	f.Status = c.Query("status")
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.Counts(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, p)
}

func (s *Service) countCreate(c *gin.Context) {
	var in CountStartInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.StartCount(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, d)
}

func (s *Service) countShow(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Count(c.Request.Context(), server.Actor(c), id, LineFilter{Show: c.Query("show"), Search: c.Query("search")})
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) countLinesUpdate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in CountEntries
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	lines, err := s.EnterCounts(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, lines)
}

func (s *Service) countPost(c *gin.Context) {
	countFinish(c, s.PostCount)
}

func (s *Service) countAbandon(c *gin.Context) {
	countFinish(c, s.AbandonCount)
}

// countFinish runs a transition (post or abandon) of the count in the path.
func countFinish(c *gin.Context, fn func(context.Context, models.Actor, uuid.UUID) (CountDetail, error)) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := fn(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}
