package integrations

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the integration API and the sync-settings pages; everything needs
// integrations.manage. sections are shown under the integration list, in order (the API keys
// and the web services, say).
func (s *Service) Mount(rt server.Routes, sections ...ListSection) {
	rt.API.GET("/integrations", server.Require("integrations.manage"), s.apiList)
	rt.API.POST("/integrations", server.Require("integrations.manage"), s.apiCreate)
	rt.API.GET("/integrations/runs/:runId", server.Require("integrations.manage"), s.apiRun)
	rt.API.GET("/integrations/:id", server.Require("integrations.manage"), s.apiGet)
	rt.API.PUT("/integrations/:id", server.Require("integrations.manage"), s.apiUpdate)
	rt.API.DELETE("/integrations/:id", server.Require("integrations.manage"), s.apiDelete)
	rt.API.POST("/integrations/:id/test", server.Require("integrations.manage"), s.apiTest)
	rt.API.POST("/integrations/:id/run", server.Require("integrations.manage"), s.apiStartRun)
	rt.API.GET("/integrations/:id/runs", server.Require("integrations.manage"), s.apiRuns)
	rt.API.GET("/integrations/:id/errors", server.Require("integrations.manage"), s.apiErrors)
	rt.API.POST("/integrations/:id/errors/:errorId/retry", server.Require("integrations.manage"), s.apiRetryError)
	rt.API.POST("/integrations/:id/errors/:errorId/resolve", server.Require("integrations.manage"), s.apiResolveError)

	rt.Web.GET("/settings/integrations", server.Require("integrations.manage"), s.webList(sections))
	rt.Web.GET("/settings/integrations/new", server.Require("integrations.manage"), s.webNew)
	rt.Web.POST("/settings/integrations", server.Require("integrations.manage"), s.webCreate)
	rt.Web.GET("/settings/integrations/runs/:runId", server.Require("integrations.manage"), s.webRun)
	rt.Web.GET("/settings/integrations/:id", server.Require("integrations.manage"), s.webDetail)
	rt.Web.GET("/settings/integrations/:id/edit", server.Require("integrations.manage"), s.webEdit)
	rt.Web.POST("/settings/integrations/:id", server.Require("integrations.manage"), s.webUpdate)
	rt.Web.POST("/settings/integrations/:id/delete", server.Require("integrations.manage"), s.webDelete)
	rt.Web.POST("/settings/integrations/:id/test", server.Require("integrations.manage"), s.webTest)
	rt.Web.POST("/settings/integrations/:id/run", server.Require("integrations.manage"), s.webStartRun)
	rt.Web.POST("/settings/integrations/:id/errors/:errorId/retry", server.Require("integrations.manage"), s.webRetry)
	rt.Web.POST("/settings/integrations/:id/errors/:errorId/resolve", server.Require("integrations.manage"), s.webResolve)
}

func (s *Service) apiList(c *gin.Context) {
	list, err := s.List(c.Request.Context())
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.All(c, list)
}

func (s *Service) apiGet(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	v, err := s.Get(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, v)
}

func (s *Service) apiCreate(c *gin.Context) {
	var in Input
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	v, err := s.Save(c.Request.Context(), server.Actor(c), uuid.Nil, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, v)
}

func (s *Service) apiUpdate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in Input
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	v, err := s.Save(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, v)
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
	server.OK(c, gin.H{"deleted": true})
}

func (s *Service) apiTest(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.Test(c.Request.Context(), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"ok": true, "message": "Connection succeeded"})
}

func (s *Service) apiStartRun(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	run, err := s.StartRun(c.Request.Context(), server.Actor(c), id, models.TriggerManual)
	if err != nil {
		server.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/integrations/runs/"+run.ID.String())
	server.Accepted(c, run)
}

// RunView adds the progress percentage to a run.
type RunView struct {
	models.IntegrationRun
	Progress int `json:"progress"`
}

func (s *Service) apiRun(c *gin.Context) {
	id, err := server.IDParam(c, "runId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.GetRun(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, RunView{IntegrationRun: *r, Progress: r.Progress()})
}

func (s *Service) apiRuns(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	runs, total, err := s.Runs(c.Request.Context(), id, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	out := make([]RunView, len(runs))
	for i, r := range runs {
		out[i] = RunView{IntegrationRun: r, Progress: r.Progress()}
	}
	server.List(c, out, total, p)
}

func (s *Service) apiErrors(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	list, total, err := s.Errors(c.Request.Context(), id, c.Query("status") == "all", p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, list, total, p)
}

func (s *Service) apiRetryError(c *gin.Context) {
	id, errID, err := twoIDs(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	run, err := s.RetryError(c.Request.Context(), server.Actor(c), id, errID)
	if err != nil {
		server.Fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"success": true, "data": gin.H{"retrying": true, "run": run}})
}

func (s *Service) apiResolveError(c *gin.Context) {
	id, errID, err := twoIDs(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.ResolveError(c.Request.Context(), server.Actor(c), id, errID); err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"resolved": true})
}

func twoIDs(c *gin.Context) (a, b uuid.UUID, err error) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		return a, b, err
	}
	errID, err := server.IDParam(c, "errorId")
	return id, errID, err
}
