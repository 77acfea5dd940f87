package sales

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the sales API and pages.
func (s *Service) Mount(rt server.Routes) {
	api := rt.API
	api.GET("/sales", server.Require("pos.sell"), s.saleList)
	api.POST("/sales", server.Require("pos.sell"), s.saleCreate)
	api.POST("/sales/print", server.Require("pos.sell"), s.salePrint)
	api.GET("/sales/:id", server.Require("pos.sell", "pos.void"), s.saleShow)
	api.PUT("/sales/:id/void", server.Require("pos.void"), s.saleVoid)
	s.mountWeb(rt.Web)
}

func (s *Service) saleList(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := server.QueryOf[Filter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.List(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, p)
}

func (s *Service) saleShow(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	sale, err := s.Get(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, sale)
}

func (s *Service) saleCreate(c *gin.Context) {
	var in SaleInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	sale, err := s.Create(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, sale)
}

// VoidInput is the body of PUT /api/v1/sales/:id/void.
type VoidInput struct {
	Reason string `json:"reason"`
}

func (s *Service) saleVoid(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in VoidInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	sale, err := s.Void(c.Request.Context(), server.Actor(c), id, in.Reason)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, sale)
}

// PrintInput is the body of POST /api/v1/sales/print.
type PrintInput struct {
	SaleID string `json:"saleId"`
}

func (s *Service) salePrint(c *gin.Context) {
	var in PrintInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	id, err := uuid.Parse(strings.TrimSpace(in.SaleID))
	if err != nil {
		server.Fail(c, models.FieldError("saleId", "must be a sale id"))
		return
	}
	r, err := s.Receipt(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, r)
}
