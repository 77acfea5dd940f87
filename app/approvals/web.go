package approvals

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"backroom/app/server"
	apviews "backroom/views/approvals"
)

const navKey = "purchasing"

// Mount adds GET /api/v1/approvals and the /approvals page with its in-place decisions.
func (s *Service) Mount(rt server.Routes) {
	rt.API.GET("/approvals", server.Require("purchase_orders.approve", "worksheets.approve"), s.apiList)
	rt.Web.GET("/approvals", server.Require("purchase_orders.approve", "worksheets.approve"), s.page)
	rt.Web.POST("/approvals/purchase-orders/:id/approve", server.Require("purchase_orders.approve"), s.approvePOSubmit)
	rt.Web.POST("/approvals/purchase-orders/:id/reject", server.Require("purchase_orders.approve"), s.rejectPOSubmit)
	rt.Web.POST("/approvals/worksheets/:id/approve", server.Require("worksheets.approve"), s.approveWSSubmit)
	rt.Web.POST("/approvals/worksheets/:id/reject", server.Require("worksheets.approve"), s.rejectWSSubmit)
}

func (s *Service) page(c *gin.Context) {
	w, err := s.List(c.Request.Context(), server.Actor(c))
	if err != nil {
		server.Fail(c, err)
		return
	}
	d := apviews.Data{PurchaseOrders: w.PurchaseOrders, Worksheets: w.Worksheets, CSRF: server.CSRFToken(c)}
	server.Render(c, http.StatusOK, apviews.Page(server.PageOf(c, "Approvals", navKey), d))
}

// decided answers a decision: htmx gets the row with its outcome, a plain form goes back to the
// list with a flash. A refused decision (409, 403, no reason) goes through server.Fail, which
// puts the message in the flash area for htmx.
func decided(c *gin.Context, number, outcome string, row func() templ.Component) {
	if server.IsHTMX(c) {
		server.Render(c, http.StatusOK, row())
		return
	}
	server.Flash(c, "success", number+": "+outcome+".")
	server.Redirect(c, "/approvals")
}

func (s *Service) approvePOSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.po.Approve(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	decided(c, r.Number, "approved", func() templ.Component { return apviews.PORow(r.PurchaseOrder, server.CSRFToken(c), "approved") })
}

func (s *Service) rejectPOSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.po.Reject(c.Request.Context(), server.Actor(c), id, c.PostForm("reason"))
	if err != nil {
		server.Fail(c, err)
		return
	}
	decided(c, r.Number, "rejected", func() templ.Component { return apviews.PORow(r.PurchaseOrder, server.CSRFToken(c), "rejected") })
}

func (s *Service) approveWSSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	w, err := s.prc.ApproveWorksheet(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	decided(c, w.Number, "approved", func() templ.Component { return apviews.WSRow(w, server.CSRFToken(c), "approved") })
}

func (s *Service) rejectWSSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	w, err := s.prc.RejectWorksheet(c.Request.Context(), server.Actor(c), id, c.PostForm("reason"))
	if err != nil {
		server.Fail(c, err)
		return
	}
	decided(c, w.Number, "rejected", func() templ.Component { return apviews.WSRow(w, server.CSRFToken(c), "rejected") })
}
