package customers

import (
	"github.com/gin-gonic/gin"

	"backroom/app/server"
)

// Mount adds the customer and sales-rep API and pages.
func (s *Service) Mount(rt server.Routes) {
	api := rt.API
	api.GET("/customers", server.Require("customers.view"), s.customerList)
	api.GET("/customers/:id", server.Require("customers.view"), s.customerShow)
	api.POST("/customers", server.Require("customers.create"), s.customerCreate)
	api.PUT("/customers/:id", server.Require("customers.edit"), s.customerUpdate)
	api.DELETE("/customers/:id", server.Require("customers.edit"), s.customerDeactivate)

	api.GET("/sales-reps", server.Require("sales_reps.view"), s.salesRepList)
	api.GET("/sales-reps/:id", server.Require("sales_reps.view"), s.salesRepShow)
	api.POST("/sales-reps", server.Require("sales_reps.create"), s.salesRepCreate)
	api.PUT("/sales-reps/:id", server.Require("sales_reps.edit"), s.salesRepUpdate)
	api.PATCH("/sales-reps/:id/toggle-active", server.Require("sales_reps.edit"), s.salesRepToggle)
	api.DELETE("/sales-reps/:id", server.Require("sales_reps.delete"), s.salesRepDelete)

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

func (s *Service) customerDeactivate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	cu, err := s.DeactivateCustomer(c.Request.Context(), server.Actor(c), id)
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

func (s *Service) salesRepToggle(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.ToggleSalesRep(c.Request.Context(), server.Actor(c), id)
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
