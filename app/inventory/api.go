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
	api := rt.API
	api.GET("/inventory", server.Require("inventory.view"), s.levelList)
	api.GET("/inventory/cross-store", server.Require("inventory.view"), s.levelCrossStore)
	api.GET("/inventory/movements", server.Require("inventory.view"), s.movementList)
	api.POST("/inventory/adjustments", server.Require("inventory.adjust"), s.adjustmentCreate)
	api.PUT("/inventory/reorder-point", server.Require("inventory.adjust"), s.reorderPointUpdate)
	api.GET("/inventory/counts", server.Require("inventory.view"), s.countList)
	api.POST("/inventory/counts", server.Require("inventory.adjust"), s.countCreate)
	api.GET("/inventory/counts/:id", server.Require("inventory.view"), s.countShow)
	api.PUT("/inventory/counts/:id/lines", server.Require("inventory.adjust"), s.countLinesUpdate)
	api.POST("/inventory/counts/:id/post", server.Require("inventory.adjust"), s.countPost)
	api.POST("/inventory/counts/:id/abandon", server.Require("inventory.adjust"), s.countAbandon)
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
