package integrations

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the integration API and the sync-settings pages; everything needs
// integrations.manage.
func (s *Service) Mount(rt server.Routes) {
	api := rt.API.Group("/integrations", server.Require("integrations.manage"))
	api.GET("", s.apiList)
	api.POST("", s.apiCreate)
	api.GET("/runs/:runId", s.apiRun)
	api.GET("/:id", s.apiGet)
	api.PUT("/:id", s.apiUpdate)
	api.DELETE("/:id", s.apiDelete)
	api.POST("/:id/test", s.apiTest)
	api.POST("/:id/run", s.apiStartRun)
	api.GET("/:id/runs", s.apiRuns)
	api.GET("/:id/errors", s.apiErrors)
	api.POST("/:id/errors/:errorId/retry", s.apiRetryError)
	api.POST("/:id/errors/:errorId/resolve", s.apiResolveError)
	s.mountWeb(rt)
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

// runView adds the progress percentage to a run.
type runView struct {
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
	server.OK(c, runView{IntegrationRun: *r, Progress: r.Progress()})
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
	out := make([]runView, len(runs))
	for i, r := range runs {
		out[i] = runView{IntegrationRun: r, Progress: r.Progress()}
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
