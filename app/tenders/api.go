package tenders

import (
	"errors"
	"strconv"

	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the tender API and pages.
func (s *Service) Mount(rt server.Routes) {
	api := rt.API
	api.GET("/tenders", server.Require("tenders.view"), s.tenderList)
	api.GET("/tenders/:id", server.Require("tenders.view"), s.tenderShow)
	api.POST("/tenders", server.Require("tenders.manage"), s.tenderCreate)
	api.PUT("/tenders/:id", server.Require("tenders.manage"), s.tenderUpdate)
	api.DELETE("/tenders/:id", server.Require("tenders.manage"), s.tenderDelete)
	s.mountWeb(rt.Web)
}

// listQuery is the list's query string: ?active=true|false|all.
type listQuery struct {
	Active activeParam `query:"active"`
}

// activeParam reads strconv.ParseBool's spellings, or "all" for no filter (as the list always
// has); anything else is 400 "active must be true, false or all".
type activeParam struct{ v *bool }

func (a *activeParam) UnmarshalParam(s string) error {
	if s == "all" {
		a.v = nil
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("must be true, false or all")
	}
	a.v = &b
	return nil
}

// listOf reads the filter, then the page, from the query string and fetches that page of
// tenders: what the API list and the list page both show.
func (s *Service) listOf(c *gin.Context) ([]models.Tender, int64, models.Page, error) {
	var q listQuery
	if err := server.BindQuery(c, &q); err != nil {
		return nil, 0, models.Page{}, err
	}
	p, err := server.PageParams(c)
	if err != nil {
		return nil, 0, p, err
	}
	items, total, err := s.List(c.Request.Context(), Filter{Active: q.Active.v}, p)
	return items, total, p, err
}

func (s *Service) tenderList(c *gin.Context) {
	items, total, p, err := s.listOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, items, total, p)
}

func (s *Service) tenderShow(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	t, err := s.Get(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, t)
}

func (s *Service) tenderCreate(c *gin.Context) {
	var in Input
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	t, err := s.Create(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, t)
}

func (s *Service) tenderUpdate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in Input
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	t, err := s.Update(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, t)
}

func (s *Service) tenderDelete(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.Delete(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"id": id, "deleted": true})
}
