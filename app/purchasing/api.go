package purchasing

import (
	"github.com/gin-gonic/gin"

	"backroom/app/audit"
	"backroom/app/server"
)

// Mount adds the purchase-order API and pages.
func (s *Service) Mount(rt server.Routes) {
	api := rt.API
	api.GET("/purchase-orders", server.Require("purchase_orders.view"), s.apiList)
	api.POST("/purchase-orders", server.Require("purchase_orders.create"), s.apiCreate)
	api.POST("/purchase-orders/suggest", server.Require("purchase_orders.create"), s.apiSuggest)
	api.GET("/purchase-orders/:id", server.Require("purchase_orders.view"), s.apiGet)
	api.GET("/purchase-orders/:id/history", server.Require("purchase_orders.view"), s.apiHistory)
	api.GET("/purchase-orders/:id/pdf", server.Require("purchase_orders.view"), s.downloadPDF)
	api.GET("/purchase-orders/:id/csv", server.Require("purchase_orders.view"), s.downloadCSV)
	api.PUT("/purchase-orders/:id", server.Require("purchase_orders.edit"), s.apiUpdate)
	api.DELETE("/purchase-orders/:id", server.Require("purchase_orders.delete"), s.apiDelete)
	api.PATCH("/purchase-orders/:id/submit", server.Require("purchase_orders.create"), s.apiSubmit)
	api.PATCH("/purchase-orders/:id/approve", server.Require("purchase_orders.approve"), s.apiApprove)
	api.PATCH("/purchase-orders/:id/send", server.Require("purchase_orders.edit"), s.apiSend)
	api.PATCH("/purchase-orders/:id/cancel", server.Require("purchase_orders.edit"), s.apiCancel)
	api.PATCH("/purchase-orders/:id/reject", server.Require("purchase_orders.approve"), s.apiReject)
	api.PATCH("/purchase-orders/:id/receive", server.Require("purchase_orders.receive"), s.apiReceive)
	api.PATCH("/purchase-orders/:id/close", server.Require("purchase_orders.receive"), s.apiClose)
	api.POST("/purchase-orders/:id/items", server.Require("purchase_orders.edit"), s.apiAddItem)
	api.PUT("/purchase-orders/:id/items/:itemId", server.Require("purchase_orders.edit"), s.apiUpdateItem)
	api.DELETE("/purchase-orders/:id/items/:itemId", server.Require("purchase_orders.edit"), s.apiRemoveItem)
	s.mountWeb(rt)
}

func (s *Service) apiList(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := server.QueryOf[ListFilter](c)
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

func (s *Service) apiSuggest(c *gin.Context) {
	var in SuggestInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Suggest(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, d)
}

func (s *Service) apiGet(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Get(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Submit(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiApprove(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Approve(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiSend(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Send(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiCancel(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Cancel(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiHistory(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if _, err := s.load(c.Request.Context(), s.db, server.Actor(c), id, PermView); err != nil {
		server.Fail(c, err)
		return
	}
	entries, err := audit.Trail(c.Request.Context(), s.db, entityType, id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, entries)
}

func (s *Service) apiUpdate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in UpdateInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Update(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiDelete(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.Delete(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"id": id})
}

func (s *Service) apiReceive(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in ReceiveInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Receive(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiAddItem(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in ItemInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.AddItem(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, d)
}

func (s *Service) apiUpdateItem(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	itemID, err := server.IDParam(c, "itemId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in ItemUpdate
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.UpdateItem(c.Request.Context(), server.Actor(c), id, itemID, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiRemoveItem(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	itemID, err := server.IDParam(c, "itemId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.RemoveItem(c.Request.Context(), server.Actor(c), id, itemID)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

func (s *Service) apiReject(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Reject(c.Request.Context(), server.Actor(c), id, in.Reason)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}

// apiClose closes a partly received order short: {"reason": "…"}.
func (s *Service) apiClose(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.CloseShort(c.Request.Context(), server.Actor(c), id, in.Reason)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, d)
}
