package purchasing

import (
	"github.com/gin-gonic/gin"

	"backroom/app/audit"
	"backroom/app/server"
)

// Mount adds the purchase-order API and pages.
func (s *Service) Mount(rt server.Routes) {
	g := rt.API.Group("/purchase-orders")
	g.GET("", server.Require(PermView), server.ListJSON(server.QueryOf[ListFilter], s.List))
	g.POST("", server.Require(PermCreate), server.CreateJSON(s.Create))
	g.POST("/suggest", server.Require(PermCreate), server.CreateJSON(s.Suggest))
	g.GET("/:id", server.Require(PermView), server.RecordJSON(s.Get))
	g.GET("/:id/history", server.Require(PermView), s.apiHistory)
	g.GET("/:id/pdf", server.Require(PermView), s.downloadPDF)
	g.GET("/:id/csv", server.Require(PermView), s.downloadCSV)
	g.PUT("/:id", server.Require(PermEdit), s.apiUpdate)
	g.DELETE("/:id", server.Require(PermDelete), s.apiDelete)
	g.PATCH("/:id/submit", server.Require(PermCreate), server.RecordJSON(s.Submit))
	g.PATCH("/:id/approve", server.Require(PermApprove), server.RecordJSON(s.Approve))
	g.PATCH("/:id/send", server.Require(PermEdit), server.RecordJSON(s.Send))
	g.PATCH("/:id/cancel", server.Require(PermEdit), server.RecordJSON(s.Cancel))
	g.PATCH("/:id/reject", server.Require(PermApprove), s.apiReject)
	g.PATCH("/:id/receive", server.Require(PermReceive), s.apiReceive)
	g.PATCH("/:id/close", server.Require(PermReceive), s.apiClose)
	g.POST("/:id/items", server.Require(PermEdit), s.apiAddItem)
	g.PUT("/:id/items/:itemId", server.Require(PermEdit), s.apiUpdateItem)
	g.DELETE("/:id/items/:itemId", server.Require(PermEdit), s.apiRemoveItem)
	s.mountWeb(rt)
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
