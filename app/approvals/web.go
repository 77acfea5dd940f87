package approvals

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/models"
	apviews "backroom/views/approvals"
)

const navKey = "purchasing"

// Mount adds GET /api/v1/approvals and the /approvals page with its in-place decisions.
func (s *Service) Mount(rt server.Routes) {
	perms := []string{purchasingApprove, worksheetsApprove}
	rt.API.GET("/approvals", server.Require(perms...), s.apiList)
	rt.Web.GET("/approvals", server.Require(perms...), s.page)
	rt.Web.POST("/approvals/purchase-orders/:id/approve", server.Require(purchasingApprove), s.decidePO(true))
	rt.Web.POST("/approvals/purchase-orders/:id/reject", server.Require(purchasingApprove), s.decidePO(false))
	rt.Web.POST("/approvals/worksheets/:id/approve", server.Require(worksheetsApprove), s.decideWS(true))
	rt.Web.POST("/approvals/worksheets/:id/reject", server.Require(worksheetsApprove), s.decideWS(false))
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

func (s *Service) decidePO(approve bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := server.IDParam(c, "id")
		if err != nil {
			server.Fail(c, err)
			return
		}
		ctx, actor := c.Request.Context(), server.Actor(c)
		var d models.PurchaseOrder
		outcome := "approved"
		if approve {
			r, err := s.po.Approve(ctx, actor, id)
			if err != nil {
				server.Fail(c, err)
				return
			}
			d = r.PurchaseOrder
		} else {
			r, err := s.po.Reject(ctx, actor, id, c.PostForm("reason"))
			if err != nil {
				server.Fail(c, err)
				return
			}
			d, outcome = r.PurchaseOrder, "rejected"
		}
		decided(c, d.Number, outcome, func() templ.Component { return apviews.PORow(d, server.CSRFToken(c), outcome) })
	}
}

func (s *Service) decideWS(approve bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := server.IDParam(c, "id")
		if err != nil {
			server.Fail(c, err)
			return
		}
		ctx, actor := c.Request.Context(), server.Actor(c)
		var w models.Worksheet
		outcome := "approved"
		if approve {
			w, err = s.prc.ApproveWorksheet(ctx, actor, id)
		} else {
			w, err = s.prc.RejectWorksheet(ctx, actor, id, c.PostForm("reason"))
			outcome = "rejected"
		}
		if err != nil {
			server.Fail(c, err)
			return
		}
		decided(c, w.Number, outcome, func() templ.Component { return apviews.WSRow(w, server.CSRFToken(c), outcome) })
	}
}
