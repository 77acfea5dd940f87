package transfers

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
)

// Mount adds the transfers API and pages.
func (s *Service) Mount(rt server.Routes) {
	api := rt.API
	api.GET("/transfers", server.Require("transfers.view"), s.apiList)
	api.GET("/transfers/:id", server.Require("transfers.view"), s.apiGet)
	api.POST("/transfers", server.Require("transfers.create"), s.apiCreate)
	api.PUT("/transfers/:id/send", server.Require("transfers.send"), s.apiSend)
	api.PUT("/transfers/:id/receive", server.Require("transfers.receive"), s.apiReceive)
	api.PUT("/transfers/:id/cancel", server.Require("transfers.create"), s.apiCancel)
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
	rows, total, err := s.List(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, p)
}

func (s *Service) apiGet(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Get(c.Request.Context(), server.Actor(c), id)
	answer(c, d, err)
}

func (s *Service) apiCreate(c *gin.Context) {
	var in CreateInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Create(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, d)
}

// The body of send and receive is read before the id, so a malformed body is 400 whatever the
// path says.

func (s *Service) apiSend(c *gin.Context) {
	var in SendInput
	if c.Request.ContentLength != 0 {
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
	}
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Send(c.Request.Context(), server.Actor(c), id, in)
	answer(c, d, err)
}

func (s *Service) apiReceive(c *gin.Context) {
	var in ReceiveInput
	if c.Request.ContentLength != 0 {
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
	}
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Receive(c.Request.Context(), server.Actor(c), id, in)
	answer(c, d, err)
}

func (s *Service) apiCancel(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Cancel(c.Request.Context(), server.Actor(c), id)
	answer(c, d, err)
}

// answer answers 200 with the transfer, or the error exit.
func answer(c *gin.Context, d Detail, err error) {
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}
