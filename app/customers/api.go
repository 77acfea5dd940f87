package customers

import (
	"github.com/gin-gonic/gin"

	"backroom/app/server"
)

// Mount adds the customer and sales-rep API and pages.
func (s *Service) Mount(rt server.Routes) {
	c := rt.API.Group("/customers")
	c.GET("", server.Require("customers.view"), s.customerList)
	c.GET("/:id", server.Require("customers.view"), s.customerShow)
	c.POST("", server.Require("customers.create"), s.customerCreate)
	c.PUT("/:id", server.Require("customers.edit"), s.customerUpdate)
	c.DELETE("/:id", server.Require("customers.edit"), server.RecordJSON(s.DeactivateCustomer))

	r := rt.API.Group("/sales-reps")
	r.GET("", server.Require("sales_reps.view"), s.salesRepList)
	r.GET("/:id", server.Require("sales_reps.view"), s.salesRepShow)
	r.POST("", server.Require("sales_reps.create"), s.salesRepCreate)
	r.PUT("/:id", server.Require("sales_reps.edit"), s.salesRepUpdate)
	r.PATCH("/:id/toggle-active", server.Require("sales_reps.edit"), server.RecordJSON(s.ToggleSalesRep))
	r.DELETE("/:id", server.Require("sales_reps.delete"), s.salesRepDelete)

	s.mountWeb(rt.Web)
}

func (s *Service) customerList(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	items, total, err := s.ListCustomers(c.Request.Context(), CustomerFilter{Search: c.Query("search"), Active: ActiveFilter(c.Query("active"))}, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, items, total, p)
}

func (s *Service) customerShow(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	cu, err := s.Customer(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, cu)
}

func (s *Service) customerCreate(c *gin.Context) {
	var in CustomerInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	cu, err := s.CreateCustomer(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, cu)
}

func (s *Service) customerUpdate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in CustomerInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	cu, err := s.UpdateCustomer(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, cu)
}

func (s *Service) salesRepList(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	items, total, err := s.ListSalesReps(c.Request.Context(), SalesRepFilter{Search: c.Query("search"), Active: ActiveFilter(c.Query("active"))}, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, items, total, p)
}

func (s *Service) salesRepShow(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.SalesRep(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, r)
}

func (s *Service) salesRepCreate(c *gin.Context) {
	var in SalesRepInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.CreateSalesRep(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, r)
}

func (s *Service) salesRepUpdate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in SalesRepInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.UpdateSalesRep(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, r)
}

func (s *Service) salesRepDelete(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.DeleteSalesRep(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"id": id, "deleted": true})
}
