package registers

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the registers API, the X/Z report endpoints and the register pages.
func (s *Service) Mount(rt server.Routes) {
	api := rt.API
	api.GET("/registers", server.Require("registers.view"), s.registerList)
	api.GET("/registers/current", s.registerCurrent) // any signed-in person (seed 002: JWT)
	api.POST("/registers/open", server.Require("registers.open"), s.registerOpen)
	api.POST("/registers/close", server.Require("registers.close"), s.registerCloseByBody)
	api.PUT("/registers/:id/close", server.Require("registers.close"), s.registerClose)
	api.GET("/reports/x-report", server.Require("reports.x_report"), s.xReport)
	api.GET("/reports/z-report", server.Require("reports.z_report"), s.zReport)
	s.mountWeb(rt.Web)
}

func (s *Service) registerList(c *gin.Context) {
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

func (s *Service) registerCurrent(c *gin.Context) {
	var q struct {
		StoreID    *uuid.UUID `query:"store_id,storeId"`
		TerminalID string     `query:"terminal_id,terminalId"`
	}
	if err := server.BindQuery(c, &q); err != nil {
		server.Fail(c, err)
		return
	}
	row, err := s.Current(c.Request.Context(), server.Actor(c), q.StoreID, q.TerminalID)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, row)
}

func (s *Service) registerOpen(c *gin.Context) {
	var in OpenInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	sess, err := s.Open(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, sess)
}

// CloseInput is the body of the close endpoints (sessionId only on POST /registers/close).
type CloseInput struct {
	SessionID   string `json:"sessionId"`
	CountedCash *int64 `json:"countedCash"`
}

func (s *Service) registerCloseByBody(c *gin.Context) {
	var in CloseInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	id, err := uuid.Parse(strings.TrimSpace(in.SessionID))
	if err != nil {
		server.Fail(c, models.FieldError("sessionId", "must be a register session id"))
		return
	}
	s.closeSession(c, id, in.CountedCash)
}

func (s *Service) registerClose(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in CloseInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	s.closeSession(c, id, in.CountedCash)
}

func (s *Service) closeSession(c *gin.Context, id uuid.UUID, counted *int64) {
	rep, err := s.Close(c.Request.Context(), server.Actor(c), id, counted)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, rep)
}

func (s *Service) xReport(c *gin.Context) { s.reportAPI(c, s.XReport) }
func (s *Service) zReport(c *gin.Context) { s.reportAPI(c, s.ZReport) }

func (s *Service) reportAPI(c *gin.Context, get reportFunc) {
	id, err := server.UUIDQuery(c, "session_id", "sessionId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if id == nil {
		server.Fail(c, models.FieldError("session_id", "is required"))
		return
	}
	rep, err := get(c.Request.Context(), server.Actor(c), *id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, rep)
}
